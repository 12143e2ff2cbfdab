/*
 * The guest RAM plan shared by the SMMUv3 qtests that give a stream of
 * each kind its own translation of one IOVA: stage 1 maps IOVA to PA_S1,
 * stage 2 to PA_S2, and nested through IPA_N to PA_N.  The tables live
 * in the bench's SMMU memory (see QSMMUBench).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef SMMUV3_KINDS_H
#define SMMUV3_KINDS_H

#define SMMU_MEM        QSMMU_BENCH_SMMU_MEM
#define SMMU_MEM_SIZE   (16 * MiB)

#define IOVA            0x50000000ULL
#define PA_S1           0x50010000ULL
#define PA_S2           0x50020000ULL
#define IPA_N           0x50030000ULL
#define PA_N            0x50040000ULL

#define S1_T0SZ         16
#define S2_T0SZ         32
#define S2_SL0          1

#define LEN             64
#define EVT_LEN         4       /* one bus access: one event, one count */

#endif
