/*
 * QTest: a StreamID that its L1 descriptor does not cover
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * In a 2-level stream table, the L1 descriptor that a StreamID selects
 * names an L2 array and its Span.  A StreamID whose index in that array
 * lies beyond the Span is out of range: the transaction is terminated
 * with C_BAD_STREAMID (IHI 0070 5.1 and 7.3.2), as for a StreamID beyond
 * STRTAB_BASE_CFG.LOG2SIZE, not with C_BAD_STE, which names a STE that
 * was fetched and found ILLEGAL.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

#define SPLIT       6           /* StreamID 0x20 is index 32 of L2 array 0 */
#define IOVA        0x50000000ULL

/*
 * The L2 array is large enough for index 32 and holds a bypass STE there,
 * so an SMMU that read it would let the write through.  Span 5 covers
 * indexes 0 to 15, and 0 to 31 under the base model's reading of Span:
 * index 32 is beyond it either way.
 */
static void test_beyond_span(void)
{
    QSMMUBench c;
    QSMMUEvent ev;
    uint64_t l2 = qsmmu_bench_start_2lvl(&c, SPLIT);

    qsmmu_l2_install(&c.smmu, QSMMU_BENCH_SID, l2, 5);

    qsmmu_bench_assert_write_refused(&c, IOVA, 4);
    qsmmu_pop_one_event(&c.smmu, QSMMU_BENCH_SID, QSMMU_EVT_C_BAD_STREAMID,
                        &ev);
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/arm/smmuv3/strtab/l2-beyond-span", test_beyond_span);
    return g_test_run();
}
