/*
 * QTest: CD.IPS values beyond the SMMU's output size
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * CD.IPS gives the stage 1 intermediate physical address size; a value
 * larger than SMMU_IDR5.OAS, the encodings 0b110 and 0b111 included,
 * is treated as the OAS (IHI 0070 5.4).  The base model converted the
 * field to a width before capping it, and asserted on 0b110 and 0b111,
 * so that a guest could stop QEMU with one CD.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

#define IOVA        0x50100000ULL
#define PA          0x56345000ULL
#define ASID        3
#define T0SZ        25          /* 39-bit VAs */

/* The stage 1 translation works as with IPS = OAS */
static void test_ips(const void *data)
{
    uint32_t ips = GPOINTER_TO_UINT(data);
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    uint64_t cdptr;
    QSMMUBench c;

    qsmmu_bench_start(&c, NULL, NULL, NULL);
    cdptr = qsmmu_cd_store_s1_page(&c.smmu, cd, ASID, T0SZ, IOVA, PA);
    qsmmu_set(cd, QSMMU_CD_IPS, ips);
    qsmmu_ste_s1(ste, cdptr, QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
    qsmmu_write_ste(&c.smmu, QSMMU_BENCH_SID, ste);
    qsmmu_write_cd(&c.smmu, QSMMU_BENCH_SID, 0, cdptr, cd);

    qsmmu_bench_assert_write_lands(&c, IOVA, PA, 0x300 + ips);
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    uint32_t ips;

    g_test_init(&argc, &argv, NULL);
    for (ips = 6; ips <= 7; ips++) {
        qsmmu_add_case(GUINT_TO_POINTER(ips), test_ips,
                       "/arm/smmuv3/ste/cd/ips-%u", ips);
    }
    return g_test_run();
}
