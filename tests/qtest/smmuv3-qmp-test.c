/*
 * QTest for the SMMUv3 introspection: query-smmuv3 and info smmuv3
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The virt board's SMMU (stage=nested) with two DMA test devices: dma0
 * at 00:04.0 (StreamID 0x20) and dma1 at 00:05.0 (StreamID 0x28).  Each
 * case programs a stream configuration with libqos/smmuv3 and checks what
 * query-smmuv3 reports for it: the domain kind must be right as soon as
 * CFGI + CMD_SYNC completes, before any DMA, and the counters must follow
 * what the DMAs did (their bytes and RESULT registers are checked too).
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "libqos/libqos-malloc.h"
#include "libqos/generic-pcihost.h"
#include "libqos/dma-testdev.h"
#include "libqos/smmuv3.h"

#define DEV0_SID        QSMMU_BENCH_SID  /* the bench's device, dma0 */
#define DEV1_DEVFN      QPCI_DEVFN(5, 0)
#define DEV1_SID        0x28

#include "smmuv3-kinds.h"

#define IOVA_UNMAPPED   0x50100000ULL
#define ASID_S1         7
#define ASID_N          9
#define VMID            3

typedef struct Ctx {
    QSMMUBench b;           /* its device is dma0 */
    QDmaTestdev dev1;
    QDmaTestdev *dev[2];    /* dma0, dma1 */
    uint64_t ste_s1[QSMMU_STE_WORDS];
    uint64_t ste_s2[QSMMU_STE_WORDS];
    uint64_t ste_nested[QSMMU_STE_WORDS];
    uint64_t cdptr_s1;
} Ctx;

/*
 * Tables for S1 (IOVA -> PA_S1), S2 (IPA IOVA -> PA_S2) and nested
 * (IOVA -> IPA_N -> PA_N).  Stage 2 also maps the SMMU's memory 1:1 so
 * that the nested CD and stage-1 tables, fetched by IPA, are found.
 */
static void build_tables(Ctx *c)
{
    QSMMUStage2 s2 = {
        .vmid = VMID, .t0sz = S2_T0SZ, .sl0 = S2_SL0,
        .tg = QSMMU_S2TG_4K, .ps = QSMMU_PS_44,
    };
    uint64_t cd[QSMMU_CD_WORDS];
    QSMMUPageTable pt2;
    uint64_t cdptr_n;

    qsmmu_pt_new_s2(&c->b.smmu, &pt2, S2_T0SZ, S2_SL0);
    qsmmu_pt_map(&pt2, SMMU_MEM, SMMU_MEM, SMMU_MEM_SIZE, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt2, IOVA, PA_S2, 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt2, IPA_N, PA_N, 4096, QSMMU_PROT_RW);
    s2.s2ttb = pt2.root;

    c->cdptr_s1 = qsmmu_cd_store_s1_page(&c->b.smmu, cd, ASID_S1,
                                         S1_T0SZ, IOVA, PA_S1);

    cdptr_n = qsmmu_cd_store_s1_page(&c->b.smmu, cd, ASID_N,
                                     S1_T0SZ, IOVA, IPA_N);

    qsmmu_ste_s1(c->ste_s1, c->cdptr_s1, QSMMU_S1FMT_LINEAR, 0,
                 QSMMU_S1DSS_TERMINATE);
    qsmmu_ste_s2(c->ste_s2, &s2);
    qsmmu_ste_nested(c->ste_nested, cdptr_n, QSMMU_S1FMT_LINEAR, 0,
                     QSMMU_S1DSS_TERMINATE, &s2);
}

static void ctx_start_split(Ctx *c, bool smmuen, uint32_t split)
{
    QSMMUv3Config cfg = {
        .mem = SMMU_MEM,
        .mem_size = SMMU_MEM_SIZE,
        .no_smmuen = !smmuen,
        .split = split,
    };

    memset(c, 0, sizeof(*c));
    qsmmu_bench_start(&c->b, NULL,
                      "-device dma-testdev,bus=pcie.0,addr=05.0,id=dma1",
                      &cfg);
    dma_testdev_init(&c->dev1, &c->b.bus.bus, DEV1_DEVFN);
    c->dev[0] = &c->b.dev;
    c->dev[1] = &c->dev1;
    g_assert_true(c->b.smmu.idr[0] & QSMMU_IDR0_S1P);
    g_assert_true(c->b.smmu.idr[0] & QSMMU_IDR0_S2P);
    if (split) {
        qsmmu_l2_install(&c->b.smmu, DEV0_SID,
                         qsmmu_l2_alloc(&c->b.smmu, split + 1), split + 1);
    }
    build_tables(c);
}

static void ctx_start(Ctx *c, bool smmuen)
{
    ctx_start_split(c, smmuen, 0);
}

static void ctx_stop(Ctx *c)
{
    dma_testdev_uninit(&c->dev1);
    qsmmu_bench_stop(&c->b);
}

/* query-smmuv3 */

static QDict *stream(Ctx *c, uint32_t sid)
{
    QDict *st = qsmmu_query_stream(c->b.qts, sid);

    g_assert(st);
    return st;
}

typedef struct Counters {
    uint64_t translations;
    uint64_t aborts;
    uint64_t faults;
} Counters;

static Counters counters(Ctx *c, uint32_t sid)
{
    QDict *st = stream(c, sid);
    Counters n = {
        .translations = qdict_get_int(st, "translations"),
        .aborts = qdict_get_int(st, "aborts"),
        .faults = qdict_get_int(st, "faults"),
    };

    qobject_unref(st);
    return n;
}

/*
 * The stream @sid has kind @kind, ASID @asid and VMID @vmid (-1: absent)
 * and has not moved a byte yet.
 */
static void assert_stream(Ctx *c, uint32_t sid, const char *kind,
                          int asid, int vmid)
{
    QDict *st = stream(c, sid);

    g_assert_cmpstr(qdict_get_str(st, "kind"), ==, kind);
    if (asid < 0) {
        g_assert_false(qdict_haskey(st, "asid"));
    } else {
        g_assert_cmpint(qdict_get_int(st, "asid"), ==, asid);
    }
    if (vmid < 0) {
        g_assert_false(qdict_haskey(st, "vmid"));
    } else {
        g_assert_cmpint(qdict_get_int(st, "vmid"), ==, vmid);
    }
    g_assert_cmpint(qdict_get_int(st, "cd-count"), ==, asid < 0 ? 0 : 1);
    qobject_unref(st);
}

static void assert_no_dma_yet(Ctx *c, uint32_t sid)
{
    Counters n = counters(c, sid);

    g_assert_cmpuint(n.translations, ==, 0);
    g_assert_cmpuint(n.aborts, ==, 0);
    g_assert_cmpuint(n.faults, ==, 0);
}

/* DMA checks */

static void assert_write_lands(Ctx *c, int dev, uint64_t pa, uint32_t seed)
{
    qsmmu_mem_mark(c->b.qts, pa, LEN);
    g_assert_cmpstr(dma_testdev_result_name(
                        dma_testdev_write_pattern(c->dev[dev], IOVA, LEN,
                                                  seed)), ==, "ok");
    qsmmu_assert_pattern(c->b.qts, pa, LEN, seed);
}

static void assert_write_blocked(Ctx *c, int dev, uint64_t iova,
                                 const char *result)
{
    qsmmu_mem_mark(c->b.qts, iova, EVT_LEN);
    g_assert_cmpstr(dma_testdev_result_name(
                        dma_testdev_write_pattern(c->dev[dev], iova, EVT_LEN,
                                                  0x77)), ==, result);
    qsmmu_assert_untouched(c->b.qts, iova, EVT_LEN);
}

static void assert_one_event(Ctx *c, uint8_t type, uint32_t sid)
{
    QSMMUEvent ev;

    g_assert_true(qsmmu_evtq_pop(&c->b.smmu, &ev));
    g_assert_cmphex(ev.type, ==, type);
    g_assert_cmphex(ev.sid, ==, sid);
    g_assert_false(qsmmu_evtq_pop(&c->b.smmu, &ev));
}

/* Tests */

/* The SMMU's own fields: QOM path, enable state, GBPA, stages, format */
static void test_smmu(void)
{
    QDict *smmu;
    Ctx c;

    ctx_start(&c, true);
    smmu = qsmmu_query_smmu(c.b.qts);
    g_assert(g_str_has_prefix(qdict_get_str(smmu, "qom-path"), "/machine/"));
    g_assert_true(qdict_get_bool(smmu, "enabled"));
    g_assert_cmphex(qdict_get_int(smmu, "gbpa"), ==,
                    qsmmu_read_gbpa(&c.b.smmu));
    g_assert_false(qdict_get_bool(smmu, "gbpa-abort"));
    g_assert_cmpstr(qdict_get_str(smmu, "stages"), ==, "nested");
    g_assert_cmpstr(qdict_get_str(smmu, "stream-table-format"), ==,
                    "linear");
    qobject_unref(smmu);

    qsmmu_disable(&c.b.smmu);
    qsmmu_set_gbpa(&c.b.smmu, true);
    smmu = qsmmu_query_smmu(c.b.qts);
    g_assert_false(qdict_get_bool(smmu, "enabled"));
    g_assert_true(qdict_get_bool(smmu, "gbpa-abort"));
    g_assert_cmphex(qdict_get_int(smmu, "gbpa"), ==,
                    qsmmu_read_gbpa(&c.b.smmu));
    qobject_unref(smmu);
    ctx_stop(&c);
}

/* A 2-level stream table, and a stage-1-only SMMU */
static void test_smmu_2lvl(void)
{
    QDict *smmu;
    Ctx c;

    ctx_start_split(&c, true, 6);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, c.ste_s1);
    smmu = qsmmu_query_smmu(c.b.qts);
    g_assert_cmpstr(qdict_get_str(smmu, "stream-table-format"), ==,
                    "2-level");
    qobject_unref(smmu);
    assert_stream(&c, DEV0_SID, "s1", ASID_S1, -1);
    /* StreamID 0x28 has an STE with V = 0: invalid */
    assert_stream(&c, DEV1_SID, "invalid", -1, -1);
    ctx_stop(&c);

    /* virt-9.1 and older give their SMMU stage 1 only */
    c.b.qts = qtest_init("-M virt-9.1,iommu=smmuv3 -nodefaults");
    smmu = qsmmu_query_smmu(c.b.qts);
    g_assert_cmpstr(qdict_get_str(smmu, "stages"), ==, "s1");
    qobject_unref(smmu);
    qtest_quit(c.b.qts);
}

/* The device of each stream, in StreamID order */
static void test_streams(void)
{
    const QListEntry *e;
    QDict *smmu, *st;
    int64_t last = -1;
    int seen = 0;
    Ctx c;

    ctx_start(&c, true);
    smmu = qsmmu_query_smmu(c.b.qts);
    QLIST_FOREACH_ENTRY(qdict_get_qlist(smmu, "streams"), e) {
        st = qobject_to(QDict, qlist_entry_obj(e));
        g_assert_cmpint(qdict_get_int(st, "sid"), >, last);
        last = qdict_get_int(st, "sid");
        if (last == DEV0_SID || last == DEV1_SID) {
            const char *id = last == DEV0_SID ? "dma0" : "dma1";

            g_assert_cmpstr(qdict_get_str(st, "id"), ==, id);
            g_assert(g_str_has_suffix(qdict_get_str(st, "device"), id));
            seen++;
        }
    }
    g_assert_cmpint(seen, ==, 2);
    qobject_unref(smmu);
    ctx_stop(&c);
}

/*
 * Each kind, right after CFGI_STE + CMD_SYNC and before any DMA, then a
 * DMA that behaves as the kind says: it lands where the stream maps
 * IOVA, or it is blocked (abort: no event; fault: the event).
 */
typedef enum KindSte {
    STE_ABORT,
    STE_BYPASS,
    STE_S1,
    STE_S2,
    STE_NESTED,
    STE_INVALID,
} KindSte;

typedef struct KindCase {
    const char *kind;
    KindSte ste;
    int asid, vmid;         /* -1: not reported */
    uint64_t pa;            /* where the DMA to IOVA lands, or 0 */
    const char *blocked;    /* else the DMA's result */
    uint8_t event;          /* and its event, or 0 */
} KindCase;

static const KindCase kind_cases[] = {
    { "abort", STE_ABORT, -1, -1, 0, "abort", 0 },
    { "bypass", STE_BYPASS, -1, -1, IOVA, NULL, 0 },
    { "s1", STE_S1, ASID_S1, -1, PA_S1, NULL, 0 },
    { "s2", STE_S2, -1, VMID, PA_S2, NULL, 0 },
    { "nested", STE_NESTED, ASID_N, VMID, PA_N, NULL, 0 },
    /* STE.V = 0: no event is recorded until a DMA comes */
    { "invalid", STE_INVALID, -1, -1, 0, "fault", QSMMU_EVT_C_BAD_STE },
};

/* The STE of kind @k: one of @c's translating STEs, or built in @buf */
static const uint64_t *kind_ste(Ctx *c, KindSte k, uint64_t *buf)
{
    static void (*const build[])(uint64_t *ste) = {
        [STE_ABORT] = qsmmu_ste_abort,
        [STE_BYPASS] = qsmmu_ste_bypass,
        [STE_INVALID] = qsmmu_ste_invalid,
    };
    const uint64_t *translating[] = {
        [STE_S1] = c->ste_s1,
        [STE_S2] = c->ste_s2,
        [STE_NESTED] = c->ste_nested,
    };

    if (k < ARRAY_SIZE(translating) && translating[k]) {
        return translating[k];
    }
    build[k](buf);
    return buf;
}

static void test_kind(const void *data)
{
    const KindCase *k = data;
    uint64_t ste[QSMMU_STE_WORDS];
    Ctx c;

    ctx_start(&c, true);
    /* From a translating stream, so that the kind is a change */
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, k->ste == STE_S1 ? c.ste_s2
                                                          : c.ste_s1);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, kind_ste(&c, k->ste, ste));
    assert_stream(&c, DEV0_SID, k->kind, k->asid, k->vmid);
    assert_no_dma_yet(&c, DEV0_SID);
    g_assert_cmpuint(qsmmu_evtq_count(&c.b.smmu), ==, 0);

    if (k->blocked) {
        assert_write_blocked(&c, 0, IOVA, k->blocked);
    } else {
        assert_write_lands(&c, 0, k->pa, 0x100 + k->ste);
    }
    if (k->event) {
        assert_one_event(&c, k->event, DEV0_SID);
    } else {
        g_assert_cmpuint(qsmmu_evtq_count(&c.b.smmu), ==, 0);
    }
    ctx_stop(&c);
}

/* SMMUEN = 0: every stream follows GBPA.ABORT */
static void test_kind_gbpa(void)
{
    Ctx c;

    ctx_start(&c, false);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, c.ste_s1);
    assert_stream(&c, DEV0_SID, "gbpa-bypass", -1, -1);
    assert_stream(&c, DEV1_SID, "gbpa-bypass", -1, -1);
    qsmmu_set_gbpa(&c.b.smmu, true);
    assert_stream(&c, DEV0_SID, "gbpa-abort", -1, -1);
    assert_stream(&c, DEV1_SID, "gbpa-abort", -1, -1);
    assert_no_dma_yet(&c, DEV0_SID);
    assert_write_blocked(&c, 0, IOVA, "abort");

    /* SMMUEN = 1: the STE counts at once */
    qsmmu_enable(&c.b.smmu);
    assert_stream(&c, DEV0_SID, "s1", ASID_S1, -1);
    qsmmu_disable(&c.b.smmu);
    assert_stream(&c, DEV0_SID, "gbpa-abort", -1, -1);
    qsmmu_set_gbpa(&c.b.smmu, false);
    assert_stream(&c, DEV0_SID, "gbpa-bypass", -1, -1);
    ctx_stop(&c);
}

/* @sid's cache state, as query-smmuv3 reports it */
static void assert_cache(Ctx *c, uint32_t sid, bool cached, bool stale,
                         const char *memory_kind)
{
    QDict *st = stream(c, sid);

    g_assert_cmpint(qdict_get_bool(st, "cached"), ==, cached);
    g_assert_cmpint(qdict_get_bool(st, "stale"), ==, stale);
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(st, "memory"), "kind"), ==,
                    memory_kind);
    qobject_unref(st);
}

/*
 * The configuration in force and the one in memory (3.21): a DMA caches
 * the stream's configuration; an STE or CD changed without CFGI leaves
 * it in force, and query-smmuv3 flags the stream as stale while the DMA
 * still follows the old one.  CFGI_ALL, CFGI_STE_RANGE and CFGI_CD end
 * it.  Queries fill no cache: a stream stays uncached until its DMA.
 */
static void test_stale(void)
{
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    Ctx c;

    ctx_start(&c, true);
    qsmmu_ste_bypass(ste);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, ste);
    assert_stream(&c, DEV0_SID, "bypass", -1, -1);
    assert_cache(&c, DEV0_SID, false, false, "bypass");
    assert_cache(&c, DEV0_SID, false, false, "bypass");
    assert_no_dma_yet(&c, DEV0_SID);
    assert_write_lands(&c, 0, IOVA, 0x11);
    assert_cache(&c, DEV0_SID, true, false, "bypass");

    /* Abort stored, not invalidated: bypass stays in force */
    qsmmu_ste_abort(ste);
    qsmmu_store_ste(&c.b.smmu, DEV0_SID, ste);
    assert_stream(&c, DEV0_SID, "bypass", -1, -1);
    assert_cache(&c, DEV0_SID, true, true, "abort");
    assert_write_lands(&c, 0, IOVA, 0x12);
    qsmmu_cmd_cfgi_all(&c.b.smmu);
    g_assert_true(qsmmu_cmd_sync(&c.b.smmu));
    assert_stream(&c, DEV0_SID, "abort", -1, -1);
    assert_cache(&c, DEV0_SID, false, false, "abort");
    assert_write_blocked(&c, 0, IOVA, "abort");

    qsmmu_store_ste(&c.b.smmu, DEV0_SID, c.ste_s1);
    assert_cache(&c, DEV0_SID, true, true, "s1");
    qsmmu_cmd_cfgi_ste_range(&c.b.smmu, DEV0_SID, 4);
    g_assert_true(qsmmu_cmd_sync(&c.b.smmu));
    assert_stream(&c, DEV0_SID, "s1", ASID_S1, -1);
    assert_write_lands(&c, 0, PA_S1, 0x13);
    assert_cache(&c, DEV0_SID, true, false, "s1");

    /* The CD made invalid: still translating until CFGI_CD */
    qsmmu_cd_invalid(cd);
    qsmmu_store_cd(&c.b.smmu, c.cdptr_s1, cd);
    assert_stream(&c, DEV0_SID, "s1", ASID_S1, -1);
    assert_cache(&c, DEV0_SID, true, true, "invalid");
    assert_write_lands(&c, 0, PA_S1, 0x14);
    qsmmu_cmd_cfgi_cd(&c.b.smmu, DEV0_SID, 0, true);
    g_assert_true(qsmmu_cmd_sync(&c.b.smmu));
    assert_stream(&c, DEV0_SID, "invalid", -1, -1);
    assert_cache(&c, DEV0_SID, false, false, "invalid");
    assert_write_blocked(&c, 0, IOVA, "fault");
    assert_one_event(&c, QSMMU_EVT_C_BAD_CD, DEV0_SID);
    ctx_stop(&c);
}

/* One stream through every kind Linux uses, checked at each step */
static void test_switch(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    Ctx c;

    ctx_start(&c, true);
    qsmmu_ste_abort(ste);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, ste);
    assert_stream(&c, DEV0_SID, "abort", -1, -1);
    qsmmu_ste_bypass(ste);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, ste);
    assert_stream(&c, DEV0_SID, "bypass", -1, -1);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, c.ste_s1);
    assert_stream(&c, DEV0_SID, "s1", ASID_S1, -1);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, c.ste_s2);
    assert_stream(&c, DEV0_SID, "s2", -1, VMID);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, c.ste_nested);
    assert_stream(&c, DEV0_SID, "nested", ASID_N, VMID);
    qsmmu_ste_abort(ste);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, ste);
    assert_stream(&c, DEV0_SID, "abort", -1, -1);
    assert_no_dma_yet(&c, DEV0_SID);
    ctx_stop(&c);
}

/* The counters move with what each DMA came to: ok, abort, fault */
static void test_counters(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    Counters n0, n;
    Ctx c;

    ctx_start(&c, true);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, c.ste_s1);

    assert_write_lands(&c, 0, PA_S1, 0x400);
    n = counters(&c, DEV0_SID);
    g_assert_cmpuint(n.translations, >, 0);
    g_assert_cmpuint(n.aborts, ==, 0);
    g_assert_cmpuint(n.faults, ==, 0);
    n0 = n;

    /* F_TRANSLATION: one fault */
    assert_write_blocked(&c, 0, IOVA_UNMAPPED, "fault");
    assert_one_event(&c, QSMMU_EVT_F_TRANSLATION, DEV0_SID);
    n = counters(&c, DEV0_SID);
    g_assert_cmpuint(n.translations, ==, n0.translations);
    g_assert_cmpuint(n.aborts, ==, 0);
    g_assert_cmpuint(n.faults, ==, 1);

    /* STE abort: one abort, no event */
    qsmmu_ste_abort(ste);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, ste);
    assert_write_blocked(&c, 0, IOVA, "abort");
    g_assert_cmpuint(qsmmu_evtq_count(&c.b.smmu), ==, 0);
    n = counters(&c, DEV0_SID);
    g_assert_cmpuint(n.translations, ==, n0.translations);
    g_assert_cmpuint(n.aborts, ==, 1);
    g_assert_cmpuint(n.faults, ==, 1);
    assert_stream(&c, DEV0_SID, "abort", -1, -1);
    ctx_stop(&c);
}

/* Two devices on two StreamIDs: separate kinds, IDs and counters */
static void test_two_devices(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    Counters n;
    Ctx c;

    ctx_start(&c, true);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, c.ste_s1);
    qsmmu_write_ste(&c.b.smmu, DEV1_SID, c.ste_s2);
    assert_stream(&c, DEV0_SID, "s1", ASID_S1, -1);
    assert_stream(&c, DEV1_SID, "s2", -1, VMID);

    assert_write_lands(&c, 1, PA_S2, 0x500);
    assert_no_dma_yet(&c, DEV0_SID);
    n = counters(&c, DEV1_SID);
    g_assert_cmpuint(n.translations, >, 0);
    g_assert_cmpuint(n.aborts + n.faults, ==, 0);

    qsmmu_ste_abort(ste);
    qsmmu_write_ste(&c.b.smmu, DEV1_SID, ste);
    assert_stream(&c, DEV0_SID, "s1", ASID_S1, -1);
    assert_stream(&c, DEV1_SID, "abort", -1, -1);
    assert_write_lands(&c, 0, PA_S1, 0x600);
    assert_write_blocked(&c, 1, IOVA, "abort");
    g_assert_cmpuint(counters(&c, DEV0_SID).aborts, ==, 0);
    g_assert_cmpuint(counters(&c, DEV1_SID).aborts, ==, 1);
    ctx_stop(&c);
}

/* info smmuv3 prints one line per stream */
static void test_hmp(void)
{
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    bool s1 = false, s2 = false;
    int i;
    Ctx c;

    ctx_start(&c, true);
    qsmmu_write_ste(&c.b.smmu, DEV0_SID, c.ste_s1);
    qsmmu_write_ste(&c.b.smmu, DEV1_SID, c.ste_nested);
    assert_write_lands(&c, 1, PA_N, 0x700);

    out = qtest_hmp(c.b.qts, "info smmuv3");
    g_test_message("%s", out);
    g_assert(strstr(out, "enabled"));
    g_assert(strstr(out, "stages nested"));
    lines = g_strsplit(out, "\n", -1);
    for (i = 0; lines[i]; i++) {
        const char *l = g_strstrip(lines[i]);

        if (g_str_has_prefix(l, "0x20 ")) {
            g_assert(strstr(l, " s1 "));
            g_assert(g_str_has_suffix(l, " dma0"));
            s1 = true;
        } else if (g_str_has_prefix(l, "0x28 ")) {
            g_assert(strstr(l, " nested "));
            g_assert(g_str_has_suffix(l, " dma1"));
            s2 = true;
        }
    }
    g_assert_true(s1 && s2);
    ctx_stop(&c);
}

int main(int argc, char **argv)
{
    int i;

    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/arm/smmuv3/qmp/smmu", test_smmu);
    qtest_add_func("/arm/smmuv3/qmp/smmu-2lvl-s1", test_smmu_2lvl);
    qtest_add_func("/arm/smmuv3/qmp/streams", test_streams);
    for (i = 0; i < ARRAY_SIZE(kind_cases); i++) {
        qsmmu_add_case(&kind_cases[i], test_kind, "/arm/smmuv3/qmp/kind/%s",
                       kind_cases[i].kind);
    }
    qtest_add_func("/arm/smmuv3/qmp/kind/gbpa", test_kind_gbpa);
    qtest_add_func("/arm/smmuv3/qmp/kind/stale", test_stale);
    qtest_add_func("/arm/smmuv3/qmp/kind/switch", test_switch);
    qtest_add_func("/arm/smmuv3/qmp/counters", test_counters);
    qtest_add_func("/arm/smmuv3/qmp/two-devices", test_two_devices);
    qtest_add_func("/arm/smmuv3/qmp/hmp", test_hmp);

    return g_test_run();
}
