/*
 * QTest: the size of an L2 stream table array
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * An L1 stream table descriptor's Span gives its L2 array 2^(Span - 1)
 * STEs (IHI 0070 5.1): Span 6 covers 32 StreamIDs, not 64.  The base
 * model sized it 2^Span and so fetched STEs past the end of the array
 * that the guest described.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

#define SPLIT       6           /* StreamID 0x20 is index 32 of L2 array 0 */
#define IOVA        0x50000000ULL

static void test_span_size(void)
{
    QSMMUBench c;
    QSMMUEvent ev;
    uint64_t l2 = qsmmu_bench_start_2lvl(&c, SPLIT);

    /* Span 6: indexes 0 to 31, and 32 is out of range */
    qsmmu_l2_install(&c.smmu, QSMMU_BENCH_SID, l2, SPLIT);
    qsmmu_bench_assert_write_refused(&c, IOVA, 4);
    qsmmu_pop_one_event(&c.smmu, QSMMU_BENCH_SID, QSMMU_EVT_C_BAD_STREAMID,
                        &ev);

    /* Span 7 covers index 32: its bypass STE lets the write through */
    qsmmu_l2_install(&c.smmu, QSMMU_BENCH_SID, l2, SPLIT + 1);
    qsmmu_bench_assert_write_lands(&c, IOVA, IOVA, 0x51);
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/arm/smmuv3/strtab/l1-span-size", test_span_size);
    return g_test_run();
}
