/*
 * QTest: STRTAB_BASE_CFG.FMT read at each stream table walk
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Software may move the SMMU from a 2-level stream table to a linear one
 * while SMMUEN is 0 (IHI 0070 6.3.24, STRTAB_BASE_CFG.FMT); the next walk
 * must use the format the register holds.  The base model latched the
 * 2-level format at the first register write that selected it, and kept
 * walking the new table as if it were a level 1 table.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

#define SPLIT       6
#define SID_BITS    8
#define IOVA        0x50000000ULL

static void test_back_to_linear(void)
{
    QSMMUBench c;
    uint64_t l2 = qsmmu_bench_start_2lvl(&c, SPLIT);
    uint64_t ste[QSMMU_STE_WORDS];
    uint64_t linear;

    qsmmu_l2_install(&c.smmu, QSMMU_BENCH_SID, l2, SPLIT + 1);
    qsmmu_bench_assert_write_lands(&c, IOVA, IOVA, 0x61);

    /* A linear table in which the device's STE aborts */
    linear = qsmmu_alloc(&c.smmu, QSMMU_STE_SIZE << SID_BITS,
                         QSMMU_STE_SIZE << SID_BITS);
    qsmmu_ste_abort(ste);
    qsmmu_mem_write_le64(c.qts, linear + QSMMU_BENCH_SID * QSMMU_STE_SIZE,
                         ste, QSMMU_STE_WORDS);
    qsmmu_disable(&c.smmu);
    qsmmu_writeq(&c.smmu, QSMMU_STRTAB_BASE, linear);
    qsmmu_writel(&c.smmu, QSMMU_STRTAB_BASE_CFG, SID_BITS);
    qsmmu_enable(&c.smmu);
    qsmmu_cmd_cfgi_all(&c.smmu);
    g_assert_true(qsmmu_cmd_sync(&c.smmu));

    /* Terminated silently, as an abort STE says */
    qsmmu_bench_assert_write_refused(&c, IOVA, 4);
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/arm/smmuv3/strtab/fmt-back-to-linear",
                   test_back_to_linear);
    return g_test_run();
}
