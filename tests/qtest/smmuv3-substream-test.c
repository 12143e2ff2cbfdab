/*
 * QTest: substreams of the SMMUv3 (ssidsize), with PASID-tagged DMA
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * With ssidsize=N the SMMU advertises N SubstreamID bits (SMMU_IDR1) and
 * 2-level CD tables (SMMU_IDR0.CD2L).  An STE with S1CDMax != 0 points at
 * a CD table indexed by the SubstreamID, the PASID of a PCIe transaction
 * (IHI 0070 3.3.3, 5.2 S1Fmt/S1CDMax/S1DSS, 5.3 L1CD); S1DSS says what a
 * transaction without a PASID gets.  These are the STEs Linux builds when
 * a device has PASIDs attached: S1DSS bypass for an identity domain on
 * the RID, terminate for a blocked one, substream 0 for a paging one.
 *
 * Every case moves bytes with the DMA test device, tagged with a PASID or
 * not, and checks where they landed and the event records.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "libqos/smmuv3.h"

#define SSIDSIZE    8
#define S1CDMAX     8
#define T0SZ        25
#define IOVA        0x50000000ULL  /* in RAM, for the untouched checks */
/* Where each substream's IOVA lands, and an identity RID's target */
#define PA(n)       (0x48000000ULL + (n) * 0x10000ULL)
#define RID_PA      0x4c000000ULL
#define NO_MEMORY   0x100000000ULL  /* nothing is mapped there */

/* A bench whose SMMU has SSIDSIZE bits of SubstreamID, PASID enabled */
static void sub_start(QSMMUBench *b, unsigned ssidsize)
{
    g_autofree char *args = g_strdup_printf("-global arm-smmuv3.ssidsize=%u",
                                            ssidsize);

    qsmmu_bench_start(b, NULL, args, NULL);
    dma_testdev_enable_pasid(&b->dev, b->bus.ecam_alloc_ptr);
}

/* A CD whose stage 1 maps IOVA to PA(@n), with ASID @n, stored at @addr */
static void sub_store_cd(QSMMUBench *b, uint64_t addr, unsigned n)
{
    uint64_t cd[QSMMU_CD_WORDS];
    QSMMUPageTable pt;

    qsmmu_pt_new(&b->smmu, &pt, T0SZ);
    qsmmu_pt_map(&pt, IOVA, PA(n), 4096, QSMMU_PROT_RW);
    qsmmu_cd_s1(cd, n, pt.root, T0SZ, QSMMU_TG0_4K, QSMMU_PS_44);
    qsmmu_store_cd(&b->smmu, addr, cd);
}

/* A linear table of 1 << S1CDMAX CDs, with CDs for @ssids (-1 ends) */
static uint64_t sub_linear_table(QSMMUBench *b, const int *ssids)
{
    uint64_t table = qsmmu_cd_alloc(&b->smmu, 1u << S1CDMAX);

    for (; *ssids >= 0; ssids++) {
        sub_store_cd(b, table + *ssids * QSMMU_CD_SIZE, *ssids);
    }
    return table;
}

static void sub_write_ste(QSMMUBench *b, uint64_t table, uint32_t s1fmt,
                          uint32_t s1dss)
{
    uint64_t ste[QSMMU_STE_WORDS];

    qsmmu_ste_s1(ste, table, s1fmt, S1CDMAX, s1dss);
    qsmmu_write_ste(&b->smmu, QSMMU_BENCH_SID, ste);
}

/* A write tagged with @pasid to IOVA lands at @pa */
static void pasid_lands(QSMMUBench *b, uint32_t pasid, uint64_t pa,
                        uint32_t seed)
{
    uint32_t result;

    qsmmu_mem_mark(b->qts, pa, QSMMU_BENCH_WATCH_LEN);
    result = dma_testdev_write_pattern_pasid(&b->dev, IOVA,
                                             QSMMU_BENCH_WATCH_LEN, seed,
                                             pasid);
    g_assert_cmpstr(dma_testdev_result_name(result), ==,
                    dma_testdev_result_name(DMA_TESTDEV_RESULT_OK));
    qsmmu_assert_pattern(b->qts, pa, QSMMU_BENCH_WATCH_LEN, seed);
}

/* A write tagged with @pasid to @iova is refused with one event */
static void pasid_faults(QSMMUBench *b, uint32_t pasid, uint64_t iova,
                         uint8_t type, QSMMUEvent *ev)
{
    uint32_t result;

    qsmmu_mem_mark(b->qts, iova, QSMMU_BENCH_WATCH_LEN);
    result = dma_testdev_write_pattern_pasid(&b->dev, iova, 4, 0x77, pasid);
    g_assert_cmpstr(dma_testdev_result_name(result), ==,
                    dma_testdev_result_name(DMA_TESTDEV_RESULT_FAULT));
    g_assert_cmpuint(dma_testdev_done(&b->dev), ==, 0);
    qsmmu_assert_untouched(b->qts, iova, QSMMU_BENCH_WATCH_LEN);

    g_assert_cmpuint(qsmmu_evtq_count(&b->smmu), ==, 1);
    g_assert_true(qsmmu_evtq_pop(&b->smmu, ev));
    if (ev->type != type) {
        g_autofree char *text = qsmmu_event_describe(ev);

        g_error("expected %s, got %s", qsmmu_event_name(type), text);
    }
    g_assert_cmphex(ev->sid, ==, QSMMU_BENCH_SID);
    g_assert_cmphex(ev->ssid, ==, pasid);
}

/*
 * query-smmuv3 describes the stream: @kind for the transactions without
 * a PASID, @s1dss, and one substream, @ssid, translating with ASID @ssid
 */
static void assert_query(QSMMUBench *b, const char *kind, const char *s1dss,
                         int64_t ssid)
{
    QDict *stream = qsmmu_query_stream(b->qts, QSMMU_BENCH_SID);
    QList *subs;
    QDict *sub;

    g_assert_cmpstr(qdict_get_str(stream, "kind"), ==, kind);
    g_assert_cmpstr(qdict_get_str(stream, "s1dss"), ==, s1dss);
    g_assert_cmpint(qdict_get_int(stream, "s1cdmax"), ==, S1CDMAX);
    g_assert_cmpint(qdict_get_int(stream, "cd-count"), ==, 1 << S1CDMAX);
    subs = qdict_get_qlist(stream, "substreams");
    g_assert_cmpint(qlist_size(subs), ==, 1);
    sub = qobject_to(QDict, qlist_peek(subs));
    g_assert_cmpint(qdict_get_int(sub, "ssid"), ==, ssid);
    g_assert_cmpint(qdict_get_int(sub, "asid"), ==, ssid);
    g_assert_cmpstr(qdict_get_str(sub, "kind"), ==, "s1");
    g_assert_true(qdict_get_bool(sub, "cached"));
    qobject_unref(stream);
}

/* ID registers: substreams only when asked for, and a bound on them */
static void test_idr(void)
{
    QSMMUBench b;
    uint32_t idr0, idr1;

    sub_start(&b, SSIDSIZE);
    idr0 = qsmmu_readl(&b.smmu, QSMMU_IDR0);
    idr1 = qsmmu_readl(&b.smmu, QSMMU_IDR1);
    g_assert_cmpuint(extract32(idr1, QSMMU_IDR1_SSIDSIZE_SHIFT,
                               QSMMU_IDR1_SSIDSIZE_LEN), ==, SSIDSIZE);
    g_assert_true(idr0 & QSMMU_IDR0_CD2L);
    qsmmu_bench_finish(&b);

    qsmmu_bench_start(&b, NULL, NULL, NULL);
    idr0 = qsmmu_readl(&b.smmu, QSMMU_IDR0);
    idr1 = qsmmu_readl(&b.smmu, QSMMU_IDR1);
    g_assert_cmpuint(extract32(idr1, QSMMU_IDR1_SSIDSIZE_SHIFT,
                               QSMMU_IDR1_SSIDSIZE_LEN), ==, 0);
    g_assert_false(idr0 & QSMMU_IDR0_CD2L);
    qsmmu_bench_finish(&b);
}

/* ssidsize above 20: one clear line and exit status 1 */
static void test_ssidsize_too_big(void)
{
    g_autofree char *cmd = g_strdup_printf(
        "timeout 30 %s -M virt,iommu=smmuv3 -accel qtest -S -display none "
        "-nodefaults -global arm-smmuv3.ssidsize=21",
        qtest_qemu_binary(NULL));
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *prog = g_path_get_basename(qtest_qemu_binary(NULL));
    g_autofree char *want = g_strdup_printf(
        "%s: ssidsize=21: at most 20 SubstreamID bits\n", prog);
    int status;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
                               &out, &err, &status, NULL));
    g_assert_cmpstr(err, ==, want);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
}

/* Identity domain on the RID (S1DSS bypass), a translated PASID */
static void test_identity_rid(void)
{
    static const int ssids[] = { 5, -1 };
    QSMMUBench b;

    sub_start(&b, SSIDSIZE);
    sub_write_ste(&b, sub_linear_table(&b, ssids), QSMMU_S1FMT_LINEAR,
                  QSMMU_S1DSS_BYPASS);

    qsmmu_bench_assert_write_lands(&b, RID_PA, RID_PA, 0x01);
    pasid_lands(&b, 5, PA(5), 0x02);
    assert_query(&b, "bypass", "bypass", 5);
    qsmmu_bench_finish(&b);
}

/* Blocked domain on the RID (S1DSS terminate), a translated PASID */
static void test_blocked_rid(void)
{
    static const int ssids[] = { 5, -1 };
    QSMMUEvent ev;
    QSMMUBench b;

    sub_start(&b, SSIDSIZE);
    sub_write_ste(&b, sub_linear_table(&b, ssids), QSMMU_S1FMT_LINEAR,
                  QSMMU_S1DSS_TERMINATE);

    qsmmu_bench_assert_write_blocked(&b, RID_PA, 4,
                                     DMA_TESTDEV_RESULT_FAULT);
    qsmmu_pop_one_event(&b.smmu, QSMMU_BENCH_SID,
                        QSMMU_EVT_F_STREAM_DISABLED, &ev);
    pasid_lands(&b, 5, PA(5), 0x03);
    assert_query(&b, "abort", "terminate", 5);
    qsmmu_bench_finish(&b);
}

/*
 * S1DSS substream 0: the RID uses the CD of SubstreamID 0, and PASID 0
 * itself is refused (5.2: F_STREAM_DISABLED)
 */
static void test_ssid0(void)
{
    static const int ssids[] = { 0, 5, -1 };
    QSMMUEvent ev;
    QSMMUBench b;

    sub_start(&b, SSIDSIZE);
    sub_write_ste(&b, sub_linear_table(&b, ssids), QSMMU_S1FMT_LINEAR,
                  QSMMU_S1DSS_SSID0);

    qsmmu_bench_assert_write_lands(&b, IOVA, PA(0), 0x04);
    pasid_lands(&b, 5, PA(5), 0x05);
    pasid_faults(&b, 0, IOVA, QSMMU_EVT_F_STREAM_DISABLED, &ev);
    g_assert_false(ev.ssv);
    qsmmu_bench_finish(&b);
}

/*
 * SubstreamIDs the STE does not give: an invalid CD (C_BAD_CD), beyond
 * S1CDMax, on a bypass STE, on an SMMU without substreams
 * (C_BAD_SUBSTREAMID); a translation fault names its SubstreamID.
 */
static void test_bad_substream(void)
{
    static const int ssids[] = { 5, -1 };
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUEvent ev;
    QSMMUBench b;

    sub_start(&b, SSIDSIZE);
    qsmmu_ste_s1(ste, sub_linear_table(&b, ssids), QSMMU_S1FMT_LINEAR, 3,
                 QSMMU_S1DSS_BYPASS);
    qsmmu_write_ste(&b.smmu, QSMMU_BENCH_SID, ste);

    pasid_faults(&b, 6, IOVA, QSMMU_EVT_C_BAD_CD, &ev);
    g_assert_true(ev.ssv);
    pasid_faults(&b, 8, IOVA, QSMMU_EVT_C_BAD_SUBSTREAMID, &ev);
    pasid_faults(&b, 5, IOVA + 0x1000, QSMMU_EVT_F_TRANSLATION, &ev);
    g_assert_true(ev.ssv);
    g_assert_cmphex(ev.input_addr, ==, IOVA + 0x1000);
    pasid_lands(&b, 5, PA(5), 0x06);

    qsmmu_ste_bypass(ste);
    qsmmu_write_ste(&b.smmu, QSMMU_BENCH_SID, ste);
    pasid_faults(&b, 5, RID_PA, QSMMU_EVT_C_BAD_SUBSTREAMID, &ev);
    qsmmu_bench_assert_write_lands(&b, RID_PA, RID_PA, 0x07);
    qsmmu_bench_finish(&b);

    /* Without ssidsize, S1CDMax is ignored and no PASID is taken */
    sub_start(&b, 0);
    qsmmu_ste_s1(ste, sub_linear_table(&b, ssids), QSMMU_S1FMT_LINEAR,
                 S1CDMAX, QSMMU_S1DSS_BYPASS);
    qsmmu_write_ste(&b.smmu, QSMMU_BENCH_SID, ste);
    pasid_faults(&b, 5, IOVA, QSMMU_EVT_C_BAD_SUBSTREAMID, &ev);
    qsmmu_bench_finish(&b);
}

/*
 * 2-level CD tables (5.3): L2 tables of 64 CDs (S1Fmt 0b01) and of 1024
 * (0b10, Linux's choice).  An L1CD with V == 0 gives C_BAD_SUBSTREAMID,
 * an L2 table outside memory F_CD_FETCH with the CD's address.
 */
static void test_two_level(void)
{
    uint64_t l1, l2, l1cd;
    QSMMUEvent ev;
    QSMMUBench b;

    sub_start(&b, SSIDSIZE);
    /* 4 L1CDs cover SubstreamIDs 0..255 in L2 tables of 64 CDs */
    l1 = qsmmu_alloc(&b.smmu, 4 * 8, 64);
    l2 = qsmmu_cd_alloc(&b.smmu, 64);
    sub_store_cd(&b, l2 + 5 * QSMMU_CD_SIZE, 5);
    l1cd = l2 | 1;
    qsmmu_mem_write_le64(b.qts, l1, &l1cd, 1);
    l2 = qsmmu_cd_alloc(&b.smmu, 64);
    sub_store_cd(&b, l2 + (200 - 192) * QSMMU_CD_SIZE, 200);
    l1cd = l2 | 1;
    qsmmu_mem_write_le64(b.qts, l1 + 3 * 8, &l1cd, 1);
    l1cd = NO_MEMORY | 1;
    qsmmu_mem_write_le64(b.qts, l1 + 1 * 8, &l1cd, 1);
    sub_write_ste(&b, l1, QSMMU_S1FMT_2LVL_4K, QSMMU_S1DSS_TERMINATE);

    pasid_lands(&b, 5, PA(5), 0x08);
    pasid_lands(&b, 200, PA(200), 0x09);
    /* L1CD 2 is not valid: its 64 SubstreamIDs are not either */
    pasid_faults(&b, 130, IOVA, QSMMU_EVT_C_BAD_SUBSTREAMID, &ev);
    pasid_faults(&b, 70, IOVA, QSMMU_EVT_F_CD_FETCH, &ev);
    g_assert_true(ev.ssv);
    g_assert_cmphex(ev.fetch_addr, ==, NO_MEMORY + 6 * QSMMU_CD_SIZE);

    /* 64 KB L2 tables: SubstreamIDs 0..255 all in L1CD 0 */
    l1 = qsmmu_alloc(&b.smmu, 8, 64);
    l2 = qsmmu_cd_alloc(&b.smmu, 1024);
    sub_store_cd(&b, l2 + 130 * QSMMU_CD_SIZE, 130);
    l1cd = l2 | 1;
    qsmmu_mem_write_le64(b.qts, l1, &l1cd, 1);
    sub_write_ste(&b, l1, QSMMU_S1FMT_2LVL_64K, QSMMU_S1DSS_TERMINATE);
    pasid_lands(&b, 130, PA(130), 0x0a);
    /* The missing L2 table: L1CD 0 made invalid, then CFGI_CD (Leaf 0) */
    l1cd = 0;
    qsmmu_mem_write_le64(b.qts, l1, &l1cd, 1);
    qsmmu_cmd_cfgi_cd(&b.smmu, QSMMU_BENCH_SID, 130, false);
    g_assert_true(qsmmu_cmd_sync(&b.smmu));
    pasid_faults(&b, 130, IOVA, QSMMU_EVT_C_BAD_SUBSTREAMID, &ev);
    qsmmu_bench_finish(&b);
}

typedef struct HitlessCtx {
    QSMMUBench *b;
    unsigned steps;
} HitlessCtx;

/* At every step of the update, PASID 5 keeps translating */
static void hitless_step(QSMMUv3 *s, uint32_t sid, const QSMMUSteStep *step,
                         void *opaque)
{
    HitlessCtx *h = opaque;

    pasid_lands(h->b, 5, PA(5), 0x10 + step->index * 2 + step->invalidated);
    h->steps++;
}

/*
 * Linux switches the RID between identity and blocked with PASIDs
 * attached by rewriting S1DSS alone: a hitless update (one critical
 * word), during which the PASID's DMA never stops.
 */
static void test_hitless_s1dss(void)
{
    static const int ssids[] = { 5, -1 };
    uint64_t ste[QSMMU_STE_WORDS];
    HitlessCtx h = { 0 };
    uint64_t table;
    QSMMUEvent ev;
    QSMMUBench b;

    sub_start(&b, SSIDSIZE);
    h.b = &b;
    table = sub_linear_table(&b, ssids);
    sub_write_ste(&b, table, QSMMU_S1FMT_LINEAR, QSMMU_S1DSS_BYPASS);
    qsmmu_bench_assert_write_lands(&b, RID_PA, RID_PA, 0x20);

    qsmmu_ste_s1(ste, table, QSMMU_S1FMT_LINEAR, S1CDMAX,
                 QSMMU_S1DSS_TERMINATE);
    g_assert_cmpint(qsmmu_update_ste(&b.smmu, QSMMU_BENCH_SID, ste,
                                     hitless_step, &h),
                    ==, QSMMU_STE_UPDATE_HITLESS);
    g_assert_cmpuint(h.steps, >, 0);
    qsmmu_bench_assert_write_blocked(&b, RID_PA, 4,
                                     DMA_TESTDEV_RESULT_FAULT);
    qsmmu_pop_one_event(&b.smmu, QSMMU_BENCH_SID,
                        QSMMU_EVT_F_STREAM_DISABLED, &ev);

    qsmmu_ste_s1(ste, table, QSMMU_S1FMT_LINEAR, S1CDMAX,
                 QSMMU_S1DSS_BYPASS);
    g_assert_cmpint(qsmmu_update_ste(&b.smmu, QSMMU_BENCH_SID, ste,
                                     hitless_step, &h),
                    ==, QSMMU_STE_UPDATE_HITLESS);
    qsmmu_bench_assert_write_lands(&b, RID_PA, RID_PA, 0x21);
    qsmmu_bench_finish(&b);
}

/*
 * Configuration is cached per (StreamID, SubstreamID): CFGI_CD of one
 * SubstreamID makes the SMMU fetch that CD again and leaves the others'
 * cached; CFGI_CD_ALL fetches them all again.
 */
static void test_cfgi_cd(void)
{
    static const int ssids[] = { 5, 6, -1 };
    uint64_t table;
    QSMMUBench b;

    sub_start(&b, SSIDSIZE);
    table = sub_linear_table(&b, ssids);
    sub_write_ste(&b, table, QSMMU_S1FMT_LINEAR, QSMMU_S1DSS_TERMINATE);
    pasid_lands(&b, 5, PA(5), 0x30);
    pasid_lands(&b, 6, PA(6), 0x31);

    /* Both CDs now translate IOVA elsewhere, with other ASIDs */
    sub_store_cd(&b, table + 5 * QSMMU_CD_SIZE, 15);
    sub_store_cd(&b, table + 6 * QSMMU_CD_SIZE, 16);
    qsmmu_cmd_cfgi_cd(&b.smmu, QSMMU_BENCH_SID, 5, true);
    g_assert_true(qsmmu_cmd_sync(&b.smmu));
    pasid_lands(&b, 5, PA(15), 0x32);
    pasid_lands(&b, 6, PA(6), 0x33);

    qsmmu_cmd_cfgi_cd_all(&b.smmu, QSMMU_BENCH_SID);
    g_assert_true(qsmmu_cmd_sync(&b.smmu));
    pasid_lands(&b, 6, PA(16), 0x34);
    qsmmu_bench_finish(&b);
}

/*
 * The TLB is tagged by ASID: TLBI_NH_ASID and TLBI_NH_VA of one PASID's
 * ASID leave the other PASID's entries alone.
 */
static void test_tlbi_asid(void)
{
    uint64_t cd[QSMMU_CD_WORDS], table;
    QSMMUPageTable pt5, pt6;
    QSMMUBench b;

    sub_start(&b, SSIDSIZE);
    table = qsmmu_cd_alloc(&b.smmu, 1u << S1CDMAX);
    qsmmu_pt_new(&b.smmu, &pt5, T0SZ);
    qsmmu_pt_map(&pt5, IOVA, PA(5), 4096, QSMMU_PROT_RW);
    qsmmu_cd_s1(cd, 5, pt5.root, T0SZ, QSMMU_TG0_4K, QSMMU_PS_44);
    qsmmu_store_cd(&b.smmu, table + 5 * QSMMU_CD_SIZE, cd);
    qsmmu_pt_new(&b.smmu, &pt6, T0SZ);
    qsmmu_pt_map(&pt6, IOVA, PA(6), 4096, QSMMU_PROT_RW);
    qsmmu_cd_s1(cd, 6, pt6.root, T0SZ, QSMMU_TG0_4K, QSMMU_PS_44);
    qsmmu_store_cd(&b.smmu, table + 6 * QSMMU_CD_SIZE, cd);
    sub_write_ste(&b, table, QSMMU_S1FMT_LINEAR, QSMMU_S1DSS_TERMINATE);
    pasid_lands(&b, 5, PA(5), 0x40);
    pasid_lands(&b, 6, PA(6), 0x41);

    /* Remap both without invalidating: the TLB still has the old pages */
    qsmmu_pt_map(&pt5, IOVA, PA(15), 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt6, IOVA, PA(16), 4096, QSMMU_PROT_RW);
    pasid_lands(&b, 5, PA(5), 0x42);

    qsmmu_cmd_tlbi_nh_asid(&b.smmu, 5, 0);
    g_assert_true(qsmmu_cmd_sync(&b.smmu));
    pasid_lands(&b, 5, PA(15), 0x43);
    pasid_lands(&b, 6, PA(6), 0x44);

    qsmmu_cmd_tlbi_nh_va(&b.smmu, 6, 0, IOVA, true);
    g_assert_true(qsmmu_cmd_sync(&b.smmu));
    pasid_lands(&b, 6, PA(16), 0x45);
    qsmmu_bench_finish(&b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/arm/smmuv3/substream/idr", test_idr);
    qtest_add_func("/arm/smmuv3/substream/ssidsize-too-big",
                   test_ssidsize_too_big);
    qtest_add_func("/arm/smmuv3/substream/identity-rid", test_identity_rid);
    qtest_add_func("/arm/smmuv3/substream/blocked-rid", test_blocked_rid);
    qtest_add_func("/arm/smmuv3/substream/s1dss-ssid0", test_ssid0);
    qtest_add_func("/arm/smmuv3/substream/bad-substream",
                   test_bad_substream);
    qtest_add_func("/arm/smmuv3/substream/two-level", test_two_level);
    qtest_add_func("/arm/smmuv3/substream/hitless-s1dss",
                   test_hitless_s1dss);
    qtest_add_func("/arm/smmuv3/substream/cfgi-cd", test_cfgi_cd);
    qtest_add_func("/arm/smmuv3/substream/tlbi-asid", test_tlbi_asid);
    return g_test_run();
}
