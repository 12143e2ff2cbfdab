/*
 * QTest: Event queue overflow
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * When the Event queue is full, a new record is lost and, unless an
 * overflow is already outstanding (EVENTQ_PROD.OVFLG differs from
 * EVENTQ_CONS.OVACKFLG), the SMMU toggles EVENTQ_PROD.OVFLG; software
 * acknowledges it by copying OVFLG to OVACKFLG (IHI 0070 7.2 and 6.3).
 * A full queue is not an abort: GERROR.EVENTQ_ABT_ERR stays clear.  The
 * base model raised EVENTQ_ABT_ERR instead, and cleared OVFLG at the
 * next record it wrote.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

#define IOVA        0x50000000ULL

/* A write that an invalid STE terminates: one C_BAD_STE record each */
static void fault(QSMMUBench *c)
{
    qsmmu_bench_assert_write_refused(c, IOVA, 4);
}

static uint32_t evtq_prod(QSMMUBench *c)
{
    return qsmmu_readl(&c->smmu, QSMMU_EVENTQ_PROD);
}

static void test_overflow(void)
{
    QSMMUv3Config cfg = { .evtq_log2 = 1 };     /* two records */
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUEvent ev;
    QSMMUBench c;
    int i;

    qsmmu_bench_start(&c, NULL, NULL, &cfg);
    qsmmu_ste_invalid(ste);
    qsmmu_write_ste(&c.smmu, QSMMU_BENCH_SID, ste);

    fault(&c);
    fault(&c);
    g_assert_cmphex(evtq_prod(&c), ==, 2);      /* full: wrap bit set */
    fault(&c);
    g_assert_cmphex(evtq_prod(&c), ==, QSMMU_EVTQ_PROD_OVFLG | 2);
    fault(&c);                                  /* still outstanding */
    g_assert_cmphex(evtq_prod(&c), ==, QSMMU_EVTQ_PROD_OVFLG | 2);
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==, 0);

    for (i = 0; i < 2; i++) {
        g_assert_true(qsmmu_evtq_pop(&c.smmu, &ev));
        g_assert_cmphex(ev.type, ==, QSMMU_EVT_C_BAD_STE);
    }
    /* qsmmu_evtq_pop acknowledged the overflow */
    g_assert_cmphex(qsmmu_readl(&c.smmu, QSMMU_EVENTQ_CONS), ==,
                    QSMMU_EVTQ_PROD_OVFLG | 2);

    /* OVFLG is kept as records are written, and toggles back at the next */
    fault(&c);
    g_assert_cmphex(evtq_prod(&c), ==, QSMMU_EVTQ_PROD_OVFLG | 3);
    fault(&c);
    fault(&c);
    g_assert_cmphex(evtq_prod(&c), ==, 0);
    for (i = 0; i < 2; i++) {
        g_assert_true(qsmmu_evtq_pop(&c.smmu, &ev));
    }
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/arm/smmuv3/events/eventq-overflow", test_overflow);
    return g_test_run();
}
