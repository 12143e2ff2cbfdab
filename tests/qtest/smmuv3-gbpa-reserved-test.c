/*
 * QTest: the reserved bits of SMMU_GBPA
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * SMMU_GBPA has writable fields (MemAttr, MTCFG, ALLOCCFG, SHCFG,
 * PRIVCFG, INSTCFG, ABORT), UPDATE, and reserved bits that read as zero
 * (IHI 0070 6.3, SMMU_GBPA).  The base model stored whatever the guest
 * wrote with UPDATE, reserved bits included, and read them back.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

#define IOVA        0x50000000ULL
#define RESERVED    0x7fe0c0e0u     /* bits 30:21, 15:14 and 7:5 */

static void test_reserved_raz(void)
{
    QSMMUv3Config cfg = { .no_smmuen = true };     /* GBPA decides */
    uint64_t want = QSMMU_GBPA_ABORT;
    QSMMUBench c;

    qsmmu_set(&want, QSMMU_GBPA_SHCFG, 1);         /* its reset value */
    qsmmu_bench_start(&c, NULL, NULL, &cfg);
    qsmmu_writel(&c.smmu, QSMMU_GBPA, want | QSMMU_GBPA_UPDATE | RESERVED);
    g_assert_cmphex(qsmmu_readl(&c.smmu, QSMMU_GBPA), ==, want);

    /* The write took effect: ABORT terminates the device's writes */
    qsmmu_bench_assert_write_refused(&c, IOVA, 4);
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/arm/smmuv3/gbpa/reserved-raz", test_reserved_raz);
    return g_test_run();
}
