/*
 * QTest: a stage 2 STE that selects VMSAv8-32 LPAE tables
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * STE.S2AA64 = 0 selects VMSAv8-32 LPAE stage 2 tables.  This SMMU has
 * AArch64 tables only (SMMU_IDR0.TTF = 0b10), so such a STE is ILLEGAL:
 * the transaction is terminated with C_BAD_STE (IHI 0070 5.2 and 7.3.4).
 * The base model asserted, so that a guest could stop QEMU with one
 * STE.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

#define IOVA        0x50000000ULL

static void test_s2aa64_0(void)
{
    QSMMUStage2 s2 = {
        .vmid = 1, .t0sz = 32, .sl0 = 1, .tg = QSMMU_S2TG_4K,
        .ps = QSMMU_PS_44,
    };
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUEvent ev;
    QSMMUBench c;

    qsmmu_bench_start(&c, NULL, NULL, NULL);
    s2.s2ttb = qsmmu_alloc(&c.smmu, 4096, 4096);
    qsmmu_ste_s2(ste, &s2);
    qsmmu_set(ste, QSMMU_STE_S2AA64, 0);
    qsmmu_write_ste(&c.smmu, QSMMU_BENCH_SID, ste);

    qsmmu_bench_assert_write_refused(&c, IOVA, 4);
    qsmmu_pop_one_event(&c.smmu, QSMMU_BENCH_SID, QSMMU_EVT_C_BAD_STE, &ev);
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/arm/smmuv3/ste/s2aa64-0", test_s2aa64_0);
    return g_test_run();
}
