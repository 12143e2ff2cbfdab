/*
 * QTest: STE.S2T0SZ is bounded by the IAS, not by STE.S2PS
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The stage 2 input range, 64 - S2T0SZ bits, may be as large as the
 * SMMU's input address size (IAS) whatever the output size STE.S2PS
 * gives (IHI 0070 5.2, S2T0SZ): a 39-bit IPA space with 32-bit outputs
 * is legal.  The base model bounded S2T0SZ by the effective S2PS and so
 * refused such a STE with C_BAD_STE.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

#define IPA         0x54200000ULL
#define PA          0x56345000ULL   /* below 4 GiB: a 32-bit output */

static void test_small_ps(void)
{
    QSMMUStage2 s2 = {
        .vmid = 5, .t0sz = 25, .sl0 = 1,    /* 39-bit IPAs from level 1 */
        .tg = QSMMU_S2TG_4K, .ps = QSMMU_PS_32,
    };
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUPageTable pt;
    QSMMUBench c;

    qsmmu_bench_start(&c, NULL, NULL, NULL);
    qsmmu_pt_new_s2(&c.smmu, &pt, s2.t0sz, s2.sl0);
    qsmmu_pt_map(&pt, IPA, PA, 4096, QSMMU_PROT_RW);
    s2.s2ttb = pt.root;
    qsmmu_ste_s2(ste, &s2);
    qsmmu_write_ste(&c.smmu, QSMMU_BENCH_SID, ste);

    qsmmu_bench_assert_write_lands(&c, IPA, PA, 0x600);
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/arm/smmuv3/ste/s2/small-ps", test_small_ps);
    return g_test_run();
}
