/*
 * QTest: the record of a CD fetch that aborts
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * F_CD_FETCH reports the physical address of the CD fetch that aborted
 * in its FetchAddr field (IHI 0070 7.3.10), as F_STE_FETCH does; its
 * InputAddr is not that address.  The base model wrote the fetch address
 * into InputAddr and left FetchAddr 0.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

#define IOVA        0x50100000ULL
#define NO_MEMORY   0x100000000ULL  /* nothing is mapped there */

static void test_fetch_addr(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUEvent ev;
    QSMMUBench c;

    qsmmu_bench_start(&c, NULL, NULL, NULL);
    qsmmu_ste_s1(ste, NO_MEMORY + 0x40, QSMMU_S1FMT_LINEAR, 0,
                 QSMMU_S1DSS_TERMINATE);
    qsmmu_write_ste(&c.smmu, QSMMU_BENCH_SID, ste);

    qsmmu_bench_assert_write_refused(&c, IOVA, 4);
    qsmmu_pop_one_event(&c.smmu, QSMMU_BENCH_SID, QSMMU_EVT_F_CD_FETCH, &ev);
    g_assert_cmphex(ev.fetch_addr, ==, NO_MEMORY + 0x40);
    g_assert_cmphex(ev.input_addr, !=, NO_MEMORY + 0x40);
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/arm/smmuv3/events/f-cd-fetch-addr", test_fetch_addr);
    return g_test_run();
}
