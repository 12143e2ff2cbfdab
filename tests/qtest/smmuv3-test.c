/*
 * QTest for the Arm SMMUv3: stream configurations seen through DMA
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each case programs the SMMU of the virt board with libqos/smmuv3, lets
 * the DMA test device (00:04.0, StreamID 0x20) read or write guest memory
 * through it, and checks three things: the bytes in guest memory, the
 * device's RESULT register and the SMMU's event queue.  Once a
 * configuration is in force, before any DMA, query-smmuv3 must already
 * give the stream the matching domain kind.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "libqos/libqos-malloc.h"
#include "libqos/generic-pcihost.h"
#include "libqos/dma-testdev.h"
#include "libqos/smmuv3.h"

#define DEV_SID         QSMMU_BENCH_SID

/* Guest RAM plan: see QSMMUBench */
#define SMMU_MEM_SIZE   (48 * MiB)  /* tables, queues */
#define DMA_PA          0x50000000ULL   /* bypass target */
#define S1_IOVA         0x50100000ULL   /* RAM too, to see it untouched */
#define S1_PA           0x52345000ULL
#define S1_PA2          0x52340000ULL   /* second page, below the first */
#define S1_UNMAPPED     0x50200000ULL

#define S1_ASID         1
#define S1_T0SZ         16          /* 48-bit input addresses */

#define LEN             QSMMU_BENCH_WATCH_LEN
/*
 * DMAs expected to fault are one 4-byte bus access long.  QEMU splits a
 * longer DMA that faults into 4-byte accesses and this SMMU model records
 * an event for each of them, where the architecture has one transaction
 * and one event.
 */
#define EVT_LEN         4

/*
 * Start the machine and bring the SMMU up with a linear stream table, or a
 * 2-level one with SPLIT = @split.  @smmuen false leaves SMMUEN clear.
 */
static void ctx_start(QSMMUBench *c, uint32_t split, bool smmuen)
{
    QSMMUv3Config cfg = {
        .mem = QSMMU_BENCH_SMMU_MEM,
        .mem_size = SMMU_MEM_SIZE,
        .split = split,
        .no_smmuen = !smmuen,
    };

    qsmmu_bench_start(c, NULL, NULL, &cfg);
}

/* Guest memory checks */

/* Fill @pa with bytes derived from @seed, keep a copy in @buf */
static void mem_fill(QSMMUBench *c, uint64_t pa, uint8_t *buf, size_t len,
                     uint8_t seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = seed + i * 7;
    }
    qtest_memwrite(c->qts, pa, buf, len);
}

/* The device buffer and CSUM hold exactly @want after a read DMA */
static void assert_dev_read(QSMMUBench *c, const uint8_t *want, size_t len)
{
    g_autofree uint8_t *got = g_malloc(len);

    g_assert_cmpuint(dma_testdev_done(&c->dev), ==, len);
    g_assert_cmphex(dma_testdev_csum(&c->dev), ==,
                    dma_testdev_checksum(want, len));
    dma_testdev_buffer_read(&c->dev, got, len);
    g_assert(memcmp(want, got, len) == 0);
}

/* Stream configurations */

static void set_ste_abort(QSMMUBench *c)
{
    uint64_t ste[QSMMU_STE_WORDS];

    qsmmu_ste_abort(ste);
    qsmmu_write_ste(&c->smmu, DEV_SID, ste);
}

static void set_ste_bypass(QSMMUBench *c)
{
    uint64_t ste[QSMMU_STE_WORDS];

    qsmmu_ste_bypass(ste);
    qsmmu_write_ste(&c->smmu, DEV_SID, ste);
}

/*
 * Stage 1 through one CD: S1_IOVA -> S1_PA (read-write), the next page
 * -> S1_PA2, the page after that read-only, also at S1_PA2, and nothing
 * after that.
 */
static void set_ste_s1(QSMMUBench *c)
{
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    QSMMUPageTable pt;
    uint64_t cdptr;

    qsmmu_pt_new(&c->smmu, &pt, S1_T0SZ);
    qsmmu_pt_map(&pt, S1_IOVA, S1_PA, 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt, S1_IOVA + 4096, S1_PA2, 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt, S1_IOVA + 8192, S1_PA2, 4096, QSMMU_PROT_READ);

    cdptr = qsmmu_cd_store_s1(&c->smmu, cd, S1_ASID, pt.root,
                              S1_T0SZ, QSMMU_PS_44);

    qsmmu_ste_s1(ste, cdptr, QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
    qsmmu_write_ste(&c->smmu, DEV_SID, ste);
}

/* Tests */

/* Bring-up leaves the queues empty, no global error, and the tables set */
static void test_bringup(void)
{
    QSMMUBench c;

    ctx_start(&c, 0, true);
    g_assert_cmphex(qsmmu_readl(&c.smmu, QSMMU_CR0ACK), ==,
                    QSMMU_CR0_SMMUEN | QSMMU_CR0_EVENTQEN | QSMMU_CR0_CMDQEN);
    g_assert_cmphex(qsmmu_readq(&c.smmu, QSMMU_STRTAB_BASE) & ~0x3fULL, ==,
                    c.smmu.strtab);
    g_assert_cmphex(qsmmu_readl(&c.smmu, QSMMU_CMDQ_CONS), ==,
                    c.smmu.cmdq_prod);
    g_assert_cmpuint(qsmmu_cmdq_error(&c.smmu), ==, QSMMU_CERROR_NONE);
    g_assert_cmpuint(qsmmu_evtq_count(&c.smmu), ==, 0);
    g_assert_true(c.smmu.idr[0] & QSMMU_IDR0_S1P);
    /* The stream table is zeroed: STE.V = 0 */
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");
    qsmmu_bench_stop(&c);
}

/* STE.Config = abort: terminated silently, memory untouched (5.2) */
static void test_ste_abort(void)
{
    QSMMUBench c;

    ctx_start(&c, 0, true);
    set_ste_abort(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "abort");
    qsmmu_bench_assert_write_blocked(&c, DMA_PA, LEN, DMA_TESTDEV_RESULT_ABORT);
    g_assert_cmpuint(dma_testdev_read(&c.dev, DMA_PA, LEN), ==,
                     DMA_TESTDEV_RESULT_ABORT);
    qsmmu_bench_finish(&c);
}

/* STE.Config = bypass: IOVA == PA, byte-exact, no event */
static void test_ste_bypass_write(void)
{
    QSMMUBench c;

    ctx_start(&c, 0, true);
    set_ste_bypass(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "bypass");
    qsmmu_mem_mark(c.qts, DMA_PA + LEN, 16);
    qsmmu_bench_assert_write_lands(&c, DMA_PA, DMA_PA, 0x1000);
    qsmmu_assert_untouched(c.qts, DMA_PA + LEN, 16);
    qsmmu_bench_finish(&c);
}

static void test_ste_bypass_read(void)
{
    uint8_t want[LEN];
    QSMMUBench c;

    ctx_start(&c, 0, true);
    set_ste_bypass(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "bypass");
    mem_fill(&c, DMA_PA, want, LEN, 0x31);
    g_assert_cmpuint(dma_testdev_read(&c.dev, DMA_PA, LEN), ==,
                     DMA_TESTDEV_RESULT_OK);
    assert_dev_read(&c, want, LEN);
    qsmmu_bench_finish(&c);
}

/* SMMUEN = 0: GBPA decides (6.3, GBPA); UPDATE clears once applied */
static void test_gbpa_abort(void)
{
    QSMMUBench c;

    ctx_start(&c, 0, false);
    qsmmu_set_gbpa(&c.smmu, true);
    g_assert_cmphex(qsmmu_read_gbpa(&c.smmu) &
                    (QSMMU_GBPA_ABORT | QSMMU_GBPA_UPDATE), ==,
                    QSMMU_GBPA_ABORT);
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-abort");
    qsmmu_bench_assert_write_blocked(&c, DMA_PA, LEN, DMA_TESTDEV_RESULT_ABORT);
    qsmmu_bench_finish(&c);
}

static void test_gbpa_bypass(void)
{
    QSMMUBench c;

    ctx_start(&c, 0, false);
    qsmmu_set_gbpa(&c.smmu, true);
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-abort");
    qsmmu_set_gbpa(&c.smmu, false);
    g_assert_cmphex(qsmmu_read_gbpa(&c.smmu) &
                    (QSMMU_GBPA_ABORT | QSMMU_GBPA_UPDATE), ==, 0);
    /* The STE would abort, but SMMUEN = 0 never reads it */
    set_ste_abort(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-bypass");
    qsmmu_bench_assert_write_lands(&c, DMA_PA, DMA_PA, 0x2000);
    qsmmu_assert_no_event(&c.smmu);

    /* Enabling the SMMU makes the STE count again */
    qsmmu_enable(&c.smmu);
    qsmmu_assert_kind(c.qts, DEV_SID, "abort");
    qsmmu_bench_assert_write_blocked(&c, DMA_PA, LEN, DMA_TESTDEV_RESULT_ABORT);
    qsmmu_bench_finish(&c);
}

/* STE.V = 0: terminated with C_BAD_STE (7.3) */
static void test_ste_invalid(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c, 0, true);
    qsmmu_ste_invalid(ste);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");
    qsmmu_bench_assert_write_blocked(&c, DMA_PA, EVT_LEN,
                                     DMA_TESTDEV_RESULT_FAULT);
    qsmmu_pop_one_event(&c.smmu, DEV_SID, QSMMU_EVT_C_BAD_STE, &ev);
    qsmmu_bench_finish(&c);
}

/* Stage 1, 4KB pages: the data lands at the output address only */
static void test_s1_write(void)
{
    QSMMUBench c;

    ctx_start(&c, 0, true);
    set_ste_s1(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "s1");
    qsmmu_mem_mark(c.qts, S1_IOVA, 2 * 4096);
    qsmmu_mem_mark(c.qts, S1_PA, 4096);
    qsmmu_mem_mark(c.qts, S1_PA2, 4096);

    /* Two pages whose output addresses are in the opposite order */
    g_assert_cmpuint(dma_testdev_write_pattern(&c.dev, S1_IOVA, 8192, 0x300),
                     ==, DMA_TESTDEV_RESULT_OK);
    g_assert_cmpuint(dma_testdev_done(&c.dev), ==, 8192);
    qsmmu_assert_pattern(c.qts, S1_PA, 4096, 0x300);
    qsmmu_assert_pattern(c.qts, S1_PA2, 4096, 0x300 + 1024);
    qsmmu_assert_untouched(c.qts, S1_IOVA, 2 * 4096);
    qsmmu_bench_finish(&c);
}

static void test_s1_read(void)
{
    uint8_t want[LEN], decoy[LEN];
    QSMMUBench c;

    ctx_start(&c, 0, true);
    set_ste_s1(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "s1");
    mem_fill(&c, S1_PA + 0x80, want, LEN, 0x77);
    mem_fill(&c, S1_IOVA + 0x80, decoy, LEN, 0x13);
    g_assert_cmpuint(dma_testdev_read(&c.dev, S1_IOVA + 0x80, LEN), ==,
                     DMA_TESTDEV_RESULT_OK);
    assert_dev_read(&c, want, LEN);
    qsmmu_bench_finish(&c);
}

/* An unmapped IOVA: F_TRANSLATION naming the address and direction */
static void test_s1_unmapped(void)
{
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c, 0, true);
    set_ste_s1(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "s1");

    qsmmu_bench_assert_write_blocked(&c, S1_UNMAPPED, EVT_LEN,
                                     DMA_TESTDEV_RESULT_FAULT);
    qsmmu_pop_one_event(&c.smmu, DEV_SID, QSMMU_EVT_F_TRANSLATION, &ev);
    g_assert_cmphex(ev.input_addr, ==, S1_UNMAPPED);
    g_assert_false(ev.rnw);
    g_assert_false(ev.s2);
    g_assert_cmpuint(ev.class, ==, QSMMU_CLASS_IN);

    g_assert_cmpuint(dma_testdev_read(&c.dev, S1_UNMAPPED + 0x40, EVT_LEN),
                     ==, DMA_TESTDEV_RESULT_FAULT);
    qsmmu_pop_one_event(&c.smmu, DEV_SID, QSMMU_EVT_F_TRANSLATION, &ev);
    g_assert_cmphex(ev.input_addr, ==, S1_UNMAPPED + 0x40);
    g_assert_true(ev.rnw);

    /* A read that runs off the mapped pages stops at the first hole */
    g_assert_cmpuint(dma_testdev_read(&c.dev, S1_IOVA + 12288 - 4,
                                      4 + EVT_LEN), ==,
                     DMA_TESTDEV_RESULT_FAULT);
    g_assert_cmpuint(dma_testdev_done(&c.dev), ==, 4);
    g_assert_cmphex(dma_testdev_fault_addr(&c.dev), ==, S1_IOVA + 12288);
    qsmmu_pop_one_event(&c.smmu, DEV_SID, QSMMU_EVT_F_TRANSLATION, &ev);
    g_assert_cmphex(ev.input_addr, ==, S1_IOVA + 12288);
    g_assert_true(ev.rnw);
    qsmmu_bench_finish(&c);
}

/* A read-only page: reads pass, writes raise F_PERMISSION */
static void test_s1_readonly(void)
{
    uint8_t want[LEN], got[LEN];
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c, 0, true);
    set_ste_s1(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "s1");
    mem_fill(&c, S1_PA2, want, LEN, 0x42);
    g_assert_cmpuint(dma_testdev_read(&c.dev, S1_IOVA + 8192, LEN), ==,
                     DMA_TESTDEV_RESULT_OK);
    assert_dev_read(&c, want, LEN);
    qsmmu_assert_no_event(&c.smmu);

    g_assert_cmpuint(dma_testdev_write_pattern(&c.dev, S1_IOVA + 8192,
                                               EVT_LEN, 0x600), ==,
                     DMA_TESTDEV_RESULT_FAULT);
    qsmmu_pop_one_event(&c.smmu, DEV_SID, QSMMU_EVT_F_PERMISSION, &ev);
    g_assert_cmphex(ev.input_addr, ==, S1_IOVA + 8192);
    g_assert_false(ev.rnw);
    g_assert_cmpuint(ev.class, ==, QSMMU_CLASS_IN);
    qtest_memread(c.qts, S1_PA2, got, LEN);
    g_assert_cmpmem(want, LEN, got, LEN);

    /* A write over a writable page and on into the read-only one */
    qsmmu_mem_mark(c.qts, S1_PA2, 4096);
    g_assert_cmpuint(dma_testdev_write_pattern(&c.dev, S1_IOVA + 4096,
                                               4096 + EVT_LEN, 0x500), ==,
                     DMA_TESTDEV_RESULT_FAULT);
    g_assert_cmpuint(dma_testdev_done(&c.dev), ==, 4096);
    g_assert_cmphex(dma_testdev_fault_addr(&c.dev), ==, S1_IOVA + 8192);
    qsmmu_assert_pattern(c.qts, S1_PA2, 4096, 0x500);
    qsmmu_pop_one_event(&c.smmu, DEV_SID, QSMMU_EVT_F_PERMISSION, &ev);
    g_assert_cmphex(ev.input_addr, ==, S1_IOVA + 8192);
    qsmmu_bench_finish(&c);
}

/* One stream through abort -> bypass -> S1 -> abort, CFGI_STE between */
static void test_ste_switch(void)
{
    QSMMUBench c;

    ctx_start(&c, 0, true);

    set_ste_abort(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "abort");
    qsmmu_bench_assert_write_blocked(&c, S1_IOVA, LEN,
                                     DMA_TESTDEV_RESULT_ABORT);

    set_ste_bypass(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "bypass");
    qsmmu_bench_assert_write_lands(&c, S1_IOVA, S1_IOVA, 0x700);

    set_ste_s1(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "s1");
    qsmmu_mem_mark(c.qts, S1_IOVA, LEN);
    qsmmu_bench_assert_write_lands(&c, S1_IOVA, S1_PA, 0x800);
    qsmmu_assert_untouched(c.qts, S1_IOVA, LEN);

    set_ste_abort(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "abort");
    qsmmu_mem_mark(c.qts, S1_PA, LEN);
    qsmmu_bench_assert_write_blocked(&c, S1_IOVA, LEN,
                                     DMA_TESTDEV_RESULT_ABORT);
    qsmmu_assert_untouched(c.qts, S1_PA, LEN);

    qsmmu_bench_finish(&c);
}

/*
 * The SMMU may keep using a cached STE until CFGI_STE (4.3); this model
 * does, and only the invalidation makes the new STE count.
 */
static void test_cfgi_ste_needed(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUBench c;

    ctx_start(&c, 0, true);
    set_ste_bypass(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "bypass");
    qsmmu_bench_assert_write_lands(&c, DMA_PA, DMA_PA, 0x900);

    qsmmu_ste_abort(ste);
    qsmmu_store_ste(&c.smmu, DEV_SID, ste);
    qsmmu_assert_kind(c.qts, DEV_SID, "bypass");
    qsmmu_bench_assert_write_lands(&c, DMA_PA, DMA_PA, 0xa00);

    qsmmu_cmd_cfgi_ste(&c.smmu, DEV_SID, true);
    g_assert_true(qsmmu_cmd_sync(&c.smmu));
    qsmmu_assert_kind(c.qts, DEV_SID, "abort");
    qsmmu_bench_assert_write_blocked(&c, DMA_PA, LEN, DMA_TESTDEV_RESULT_ABORT);
    qsmmu_bench_finish(&c);
}

/* The same bypass stream through a linear and a 2-level stream table */
static void test_strtab_bypass(const void *data)
{
    uint32_t split = GPOINTER_TO_UINT(data);
    uint8_t want[LEN];
    QSMMUBench c;

    ctx_start(&c, split, true);
    if (split) {
        qsmmu_l2_install(&c.smmu, DEV_SID, qsmmu_l2_alloc(&c.smmu, split + 1),
                         split + 1);
    }
    set_ste_bypass(&c);
    qsmmu_assert_kind(c.qts, DEV_SID, "bypass");
    qsmmu_bench_assert_write_lands(&c, DMA_PA, DMA_PA, 0xb00);
    mem_fill(&c, DMA_PA + 4096, want, LEN, 0x99);
    g_assert_cmpuint(dma_testdev_read(&c.dev, DMA_PA + 4096, LEN), ==,
                     DMA_TESTDEV_RESULT_OK);
    assert_dev_read(&c, want, LEN);
    qsmmu_bench_finish(&c);
}

/* 2-level table, L1 descriptor with Span = 0: C_BAD_STREAMID (5.1) */
static void test_strtab_2lvl_no_l2(void)
{
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c, 6, true);
    /* An L2 table for the other StreamIDs only */
    qsmmu_l2_install(&c.smmu, 0x40, qsmmu_l2_alloc(&c.smmu, 7), 7);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");
    qsmmu_bench_assert_write_blocked(&c, DMA_PA, EVT_LEN,
                                     DMA_TESTDEV_RESULT_FAULT);
    qsmmu_pop_one_event(&c.smmu, DEV_SID, QSMMU_EVT_C_BAD_STREAMID, &ev);
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/arm/smmuv3/bringup", test_bringup);
    qtest_add_func("/arm/smmuv3/ste/abort", test_ste_abort);
    qtest_add_func("/arm/smmuv3/ste/bypass/write", test_ste_bypass_write);
    qtest_add_func("/arm/smmuv3/ste/bypass/read", test_ste_bypass_read);
    qtest_add_func("/arm/smmuv3/gbpa/abort", test_gbpa_abort);
    qtest_add_func("/arm/smmuv3/gbpa/bypass", test_gbpa_bypass);
    qtest_add_func("/arm/smmuv3/ste/invalid", test_ste_invalid);
    qtest_add_func("/arm/smmuv3/s1/write", test_s1_write);
    qtest_add_func("/arm/smmuv3/s1/read", test_s1_read);
    qtest_add_func("/arm/smmuv3/s1/unmapped", test_s1_unmapped);
    qtest_add_func("/arm/smmuv3/s1/readonly", test_s1_readonly);
    qtest_add_func("/arm/smmuv3/ste/switch", test_ste_switch);
    qtest_add_func("/arm/smmuv3/cfgi/ste-needed", test_cfgi_ste_needed);
    qtest_add_data_func("/arm/smmuv3/strtab/linear", GUINT_TO_POINTER(0),
                        test_strtab_bypass);
    qtest_add_data_func("/arm/smmuv3/strtab/2lvl", GUINT_TO_POINTER(6),
                        test_strtab_bypass);
    qtest_add_func("/arm/smmuv3/strtab/2lvl-no-l2", test_strtab_2lvl_no_l2);

    return g_test_run();
}
