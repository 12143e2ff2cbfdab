/*
 * QTest for the Arm SMMUv3: configuration caching and live STE updates
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The SMMU may cache STEs and CDs; software makes a change visible with
 * CMD_CFGI_* followed by CMD_SYNC (IHI 0070 4.3, 4.7, 3.21).  The
 * cases here check both halves on the virt board's SMMU:
 *
 * /arm/smmuv3/transitions/<from>-to-<to>
 *   The stream of the DMA test device (StreamID 0x20) moves between the
 *   five configurations Linux uses (blocked, identity, S1 DMA, S2, nested)
 *   by the update sequences of Linux's arm_smmu_write_entry, replayed by
 *   qsmmu_update_ste.  Around every step a 4-byte DMA write must behave
 *   exactly as the old or the new configuration, or, while word 0 has
 *   V = 0, as an invalid STE; after each CFGI_STE + CMD_SYNC, exactly as
 *   the STE then in memory, and query-smmuv3 already gives the stream
 *   that configuration's domain kind before the DMA.
 *
 * /arm/smmuv3/cache/...
 *   A changed STE or CD keeps the old behaviour until the matching CFGI
 *   command, and takes effect right after it.
 *
 * Every DMA checks the bytes at every address that any configuration, or
 * any mix of two of them, could send it to, and the event queue.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "libqos/libqos-malloc.h"
#include "libqos/generic-pcihost.h"
#include "libqos/dma-testdev.h"
#include "libqos/smmuv3.h"

#define DEV_SID         QSMMU_BENCH_SID
#define OTHER_SID       0x21        /* no device; only named by commands */

/* Guest RAM plan: see QSMMUBench */
#define SMMU_MEM        QSMMU_BENCH_SMMU_MEM
#define SMMU_MEM_SIZE   (16 * MiB)  /* tables, queues, CDs */

/*
 * Every DMA is a write to IOVA.  Where each configuration sends it:
 *   identity:  IOVA
 *   S1:        CD A:  IOVA -> PA_S1      CD B: IOVA -> PA_S1B
 *   S2:        IPA IOVA -> PA_S2
 *   nested:    CD N:  IOVA -> IPA_N -> PA_N
 *              CD N2: IOVA -> IPA_N2 -> PA_N2
 * and where a mix would send it: the S1 CD through the stage 2 tables
 * lands at PA_MIX, a nested CD without stage 2 at IPA_N or IPA_N2.
 */
#define IOVA            0x50000000ULL
#define PA_S1           0x50010000ULL
#define PA_S2           0x50020000ULL
#define IPA_N           0x50030000ULL
#define PA_N            0x50040000ULL
#define PA_MIX          0x50050000ULL
#define PA_S1B          0x50060000ULL
#define IPA_N2          0x50070000ULL
#define PA_N2           0x50080000ULL

#define S1_T0SZ         16          /* 48-bit input addresses */
#define S2_T0SZ         32          /* 4 GiB of IPA, walk from level 1 */
#define S2_SL0          1
#define ASID_S1         1
#define ASID_S1B        2
#define ASID_N          3
#define ASID_N2         4
#define VMID            2           /* S2 and nested share the S2 tables */

#define DMA_LEN         4           /* one bus access: at most one event */
#define WATCH_LEN       64          /* bytes checked at each address */
#define MARKER          QSMMU_BENCH_MARKER

/* Where a DMA can land */
typedef enum Watch {
    W_IOVA,
    W_PA_S1,
    W_PA_S2,
    W_IPA_N,
    W_PA_N,
    W_PA_MIX,
    W_PA_S1B,
    W_IPA_N2,
    W_PA_N2,
    W__MAX,
} Watch;

static const uint64_t watch_addr[W__MAX] = {
    [W_IOVA] = IOVA, [W_PA_S1] = PA_S1, [W_PA_S2] = PA_S2,
    [W_IPA_N] = IPA_N, [W_PA_N] = PA_N, [W_PA_MIX] = PA_MIX,
    [W_PA_S1B] = PA_S1B, [W_IPA_N2] = IPA_N2, [W_PA_N2] = PA_N2,
};

/* Stream configurations, and what a DMA write does under each */
typedef enum Dom {
    DOM_BLOCKED,
    DOM_IDENTITY,
    DOM_S1,
    DOM_S2,
    DOM_NESTED,
    DOM__LINUX,         /* the five above are the transition cases */
    DOM_S1B = DOM__LINUX,   /* S1 through CD B */
    DOM_NESTED2,        /* nested through CD N2 */
    DOM_INVALID,        /* STE.V = 0 */
    DOM__MAX,
} Dom;

static const char *const dom_name[DOM__MAX] = {
    [DOM_BLOCKED] = "blocked", [DOM_IDENTITY] = "identity",
    [DOM_S1] = "s1", [DOM_S2] = "s2", [DOM_NESTED] = "nested",
    [DOM_S1B] = "s1 (CD B)", [DOM_NESTED2] = "nested (CD N2)",
    [DOM_INVALID] = "invalid",
};

/* The domain kind query-smmuv3 gives a stream in each configuration */
static const char *const dom_kind[DOM__MAX] = {
    [DOM_BLOCKED] = "abort", [DOM_IDENTITY] = "bypass",
    [DOM_S1] = "s1", [DOM_S2] = "s2", [DOM_NESTED] = "nested",
    [DOM_S1B] = "s1", [DOM_NESTED2] = "nested",
    [DOM_INVALID] = "invalid",
};

/* What one DMA did */
typedef struct Outcome {
    uint32_t result;    /* DMA_TESTDEV_RESULT_* */
    int landed;         /* Watch, or -1 */
    uint8_t event;      /* event type, or 0 */
} Outcome;

static const Outcome dom_outcome[DOM__MAX] = {
    [DOM_BLOCKED] = { DMA_TESTDEV_RESULT_ABORT, -1, 0 },
    [DOM_IDENTITY] = { DMA_TESTDEV_RESULT_OK, W_IOVA, 0 },
    [DOM_S1] = { DMA_TESTDEV_RESULT_OK, W_PA_S1, 0 },
    [DOM_S2] = { DMA_TESTDEV_RESULT_OK, W_PA_S2, 0 },
    [DOM_NESTED] = { DMA_TESTDEV_RESULT_OK, W_PA_N, 0 },
    [DOM_S1B] = { DMA_TESTDEV_RESULT_OK, W_PA_S1B, 0 },
    [DOM_NESTED2] = { DMA_TESTDEV_RESULT_OK, W_PA_N2, 0 },
    [DOM_INVALID] = { DMA_TESTDEV_RESULT_FAULT, -1, QSMMU_EVT_C_BAD_STE },
};

typedef struct Ctx {
    QSMMUBench b;
    uint64_t ste[DOM__MAX][QSMMU_STE_WORDS];
    uint64_t cd_s1b[QSMMU_CD_WORDS];    /* replaces CD A */
    uint64_t cd_n2[QSMMU_CD_WORDS];     /* replaces CD N */
    uint64_t cdptr_s1;
    uint64_t cdptr_n;
    uint32_t seed;
    /* during qsmmu_update_ste */
    Dom from, to;
    Dom effective;      /* what the last CFGI_STE + CMD_SYNC left */
    unsigned dmas;
    bool saw_invalid;
} Ctx;

static void mem_mark_watches(Ctx *c)
{
    int w;

    for (w = 0; w < W__MAX; w++) {
        qsmmu_mem_mark(c->b.qts, watch_addr[w], WATCH_LEN);
    }
}

/*
 * Which watched address the last DMA wrote: the pattern of @seed in its
 * first DMA_LEN bytes and every other watched byte untouched.
 */
static int find_landed(Ctx *c, uint32_t seed, const char *when)
{
    uint8_t want[DMA_LEN], got[WATCH_LEN];
    int landed = -1;
    int w, i;

    dma_testdev_pattern(want, DMA_LEN, seed);
    for (w = 0; w < W__MAX; w++) {
        bool touched = false;

        qtest_memread(c->b.qts, watch_addr[w], got, WATCH_LEN);
        for (i = 0; i < WATCH_LEN; i++) {
            touched |= got[i] != MARKER;
        }
        if (!touched) {
            continue;
        }
        if (landed >= 0 || memcmp(got, want, DMA_LEN) != 0) {
            g_error("%s: bytes at 0x%" PRIx64 " are not one DMA's pattern",
                    when, watch_addr[w]);
        }
        for (i = DMA_LEN; i < WATCH_LEN; i++) {
            if (got[i] != MARKER) {
                g_error("%s: DMA wrote past its end at 0x%" PRIx64, when,
                        watch_addr[w] + i);
            }
        }
        landed = w;
    }
    return landed;
}

static char *outcome_describe(const Outcome *o)
{
    g_autofree char *where = o->landed < 0 ? g_strdup("no bytes") :
        g_strdup_printf("bytes at 0x%" PRIx64, watch_addr[o->landed]);

    return g_strdup_printf("%s, %s, %s", dma_testdev_result_name(o->result),
                           where, o->event ? qsmmu_event_name(o->event) :
                           "no event");
}

static bool outcome_equal(const Outcome *a, const Outcome *b)
{
    return a->result == b->result && a->landed == b->landed &&
           a->event == b->event;
}

/*
 * One DMA write of a fresh pattern to IOVA.  It must behave exactly as
 * one of the @n configurations in @allowed; returns which.
 */
static Dom dma_check(Ctx *c, const Dom *allowed, int n, const char *when)
{
    uint32_t seed = c->seed += 0x01010101;
    Outcome o = { 0 };
    QSMMUEvent ev;
    int i;

    mem_mark_watches(c);
    o.result = dma_testdev_write_pattern(&c->b.dev, IOVA, DMA_LEN, seed);
    o.landed = find_landed(c, seed, when);
    g_assert_cmpuint(qsmmu_evtq_count(&c->b.smmu), <=, 1);
    if (qsmmu_evtq_pop(&c->b.smmu, &ev)) {
        o.event = ev.type;
        g_assert_cmphex(ev.sid, ==, DEV_SID);
        g_assert_false(ev.ssv);
    }
    g_assert_cmpuint(dma_testdev_done(&c->b.dev), ==,
                     o.result == DMA_TESTDEV_RESULT_OK ? DMA_LEN : 0);
    c->dmas++;

    for (i = 0; i < n; i++) {
        if (outcome_equal(&o, &dom_outcome[allowed[i]])) {
            return allowed[i];
        }
    }
    {
        g_autofree char *got = outcome_describe(&o);
        g_autoptr(GString) want = g_string_new(NULL);

        for (i = 0; i < n; i++) {
            g_string_append_printf(want, "%s%s", i ? " or " : "",
                                   dom_name[allowed[i]]);
        }
        g_error("%s: DMA did %s; expected %s", when, got, want->str);
    }
}

/*
 * The stream is known to be in @dom: query-smmuv3 says so before the
 * DMA, which could itself record the kind, and the DMA does as @dom.
 */
static void dma_expect(Ctx *c, Dom dom, const char *when)
{
    g_test_message("%s: kind %s", when, dom_kind[dom]);
    qsmmu_assert_kind(c->b.qts, DEV_SID, dom_kind[dom]);
    dma_check(c, &dom, 1, when);
}

/* Machine, SMMU and all configurations' tables; nothing live yet */

static void build_configs(Ctx *c)
{
    QSMMUStage2 s2 = {
        .vmid = VMID, .t0sz = S2_T0SZ, .sl0 = S2_SL0,
        .tg = QSMMU_S2TG_4K, .ps = QSMMU_PS_44,
    };
    QSMMUPageTable pt2, pt;
    uint64_t cd[QSMMU_CD_WORDS];

    /*
     * Stage 2: identity over the SMMU's memory, so that nested CD and
     * stage 1 table fetches (IPAs) find what was written at those PAs.
     */
    qsmmu_pt_new_s2(&c->b.smmu, &pt2, S2_T0SZ, S2_SL0);
    qsmmu_pt_map(&pt2, SMMU_MEM, SMMU_MEM, SMMU_MEM_SIZE, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt2, IOVA, PA_S2, 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt2, IPA_N, PA_N, 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt2, IPA_N2, PA_N2, 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt2, PA_S1, PA_MIX, 4096, QSMMU_PROT_RW);
    s2.s2ttb = pt2.root;

    /* S1 DMA domain: CD A now, CD B for the CD cache cases */
    c->cdptr_s1 = qsmmu_cd_store_s1_page(&c->b.smmu, cd, ASID_S1,
                                         S1_T0SZ, IOVA, PA_S1);
    qsmmu_pt_new(&c->b.smmu, &pt, S1_T0SZ);
    qsmmu_pt_map(&pt, IOVA, PA_S1B, 4096, QSMMU_PROT_RW);
    qsmmu_cd_s1(c->cd_s1b, ASID_S1B, pt.root, S1_T0SZ, QSMMU_TG0_4K,
                QSMMU_PS_44);

    /* Nested: CD N now, CD N2 later; their addresses are IPAs */
    c->cdptr_n = qsmmu_cd_store_s1_page(&c->b.smmu, cd, ASID_N,
                                        S1_T0SZ, IOVA, IPA_N);
    qsmmu_pt_new(&c->b.smmu, &pt, S1_T0SZ);
    qsmmu_pt_map(&pt, IOVA, IPA_N2, 4096, QSMMU_PROT_RW);
    qsmmu_cd_s1(c->cd_n2, ASID_N2, pt.root, S1_T0SZ, QSMMU_TG0_4K,
                QSMMU_PS_44);

    qsmmu_ste_abort(c->ste[DOM_BLOCKED]);
    qsmmu_ste_bypass(c->ste[DOM_IDENTITY]);
    qsmmu_ste_s1(c->ste[DOM_S1], c->cdptr_s1, QSMMU_S1FMT_LINEAR, 0,
                 QSMMU_S1DSS_TERMINATE);
    qsmmu_ste_s2(c->ste[DOM_S2], &s2);
    qsmmu_ste_nested(c->ste[DOM_NESTED], c->cdptr_n, QSMMU_S1FMT_LINEAR, 0,
                     QSMMU_S1DSS_TERMINATE, &s2);
    qsmmu_ste_invalid(c->ste[DOM_INVALID]);
}

static void ctx_start(Ctx *c)
{
    QSMMUv3Config cfg = {
        .mem = SMMU_MEM,
        .mem_size = SMMU_MEM_SIZE,
    };

    memset(c, 0, sizeof(*c));
    /* virt gives its SMMU both stages (stage=nested) */
    qsmmu_bench_start(&c->b, NULL, NULL, &cfg);
    g_assert_true(c->b.smmu.idr[0] & QSMMU_IDR0_S1P);
    g_assert_true(c->b.smmu.idr[0] & QSMMU_IDR0_S2P);
    c->seed = 0x10203040;
    build_configs(c);
}

static void ctx_stop(Ctx *c)
{
    g_assert_cmpuint(qsmmu_evtq_count(&c->b.smmu), ==, 0);
    qsmmu_bench_stop(&c->b);
}

/* Make @dom live the plain way: store, CFGI_STE, CMD_SYNC */
static void establish(Ctx *c, Dom dom)
{
    qsmmu_write_ste(&c->b.smmu, DEV_SID, c->ste[dom]);
    dma_expect(c, dom, "established");
}

/* Transitions */

/* Which configuration the STE in memory is: the old, the new or V = 0 */
static Dom ste_in_memory(Ctx *c, const uint64_t *ste)
{
    if (qsmmu_ste_equivalent(&c->b.smmu, c->ste[c->from], ste)) {
        return c->from;
    }
    if (qsmmu_ste_equivalent(&c->b.smmu, c->ste[c->to], ste)) {
        return c->to;
    }
    if (!qsmmu_get(ste, QSMMU_STE_V)) {
        return DOM_INVALID;
    }
    g_error("the writer left a torn STE in memory");
}

static void transition_step(QSMMUv3 *s, uint32_t sid,
                            const QSMMUSteStep *step, void *opaque)
{
    Ctx *c = opaque;
    Dom now = ste_in_memory(c, step->ste);
    g_autofree char *when =
        g_strdup_printf("%s-to-%s step %u %s", dom_name[c->from],
                        dom_name[c->to], step->index,
                        step->invalidated ? "after CFGI_STE + CMD_SYNC" :
                        "stored, before CFGI_STE");

    if (!step->invalidated) {
        /* Either the cached configuration or the one now in memory */
        Dom allowed[2] = { c->effective, now };

        g_test_message("%s: DMA as %s", when,
                       dom_name[dma_check(c, allowed, 2, when)]);
    } else {
        dma_expect(c, now, when);
        g_test_message("%s: DMA as %s", when, dom_name[now]);
        c->effective = now;
    }
    c->saw_invalid |= now == DOM_INVALID;
}

/*
 * The kind of update Linux uses: the stage 1 domain tags its TLB entries
 * with VMID 0 and the S2 and nested ones with VMID 2, so changing between
 * them changes two words critically; all else changes one.
 */
static QSMMUSteUpdate expected_kind(Dom from, Dom to)
{
    bool s1_from = from == DOM_S1, s1_to = to == DOM_S1;
    bool s2_from = from == DOM_S2 || from == DOM_NESTED;
    bool s2_to = to == DOM_S2 || to == DOM_NESTED;

    if ((s1_from && s2_to) || (s2_from && s1_to)) {
        return QSMMU_STE_UPDATE_BREAKING;
    }
    return QSMMU_STE_UPDATE_HITLESS;
}

typedef struct Transition {
    Dom from, to;
} Transition;

static void test_transition(const void *data)
{
    const Transition *t = data;
    QSMMUSteUpdate kind;
    Ctx c;

    ctx_start(&c);
    establish(&c, t->from);

    c.from = t->from;
    c.to = t->to;
    c.effective = t->from;
    kind = qsmmu_ste_update_kind(&c.b.smmu, c.ste[t->from], c.ste[t->to]);
    g_assert_cmpstr(qsmmu_ste_update_name(kind), ==,
                    qsmmu_ste_update_name(expected_kind(t->from, t->to)));
    g_assert_cmpint(qsmmu_update_ste(&c.b.smmu, DEV_SID, c.ste[t->to],
                                     transition_step, &c), ==, kind);

    /* At least one step; V = 0 shows only in breaking updates */
    g_assert_cmpuint(c.dmas, >=, 1 + 2);
    g_assert_cmpint(c.saw_invalid, ==, kind == QSMMU_STE_UPDATE_BREAKING);
    g_assert_cmpint(c.effective, ==, t->to);

    dma_expect(&c, t->to, "after the update");
    ctx_stop(&c);
}

/* Configuration cache: STEs */

static void cmd_sync(Ctx *c)
{
    g_assert_true(qsmmu_cmd_sync(&c->b.smmu));
}

/* CMD_CFGI_STE (4.3): only the named StreamID */
static void test_cache_cfgi_ste(void)
{
    Ctx c;

    ctx_start(&c);
    establish(&c, DOM_IDENTITY);
    qsmmu_store_ste(&c.b.smmu, DEV_SID, c.ste[DOM_BLOCKED]);
    dma_expect(&c, DOM_IDENTITY, "stored, no CFGI");
    cmd_sync(&c);
    dma_expect(&c, DOM_IDENTITY, "CMD_SYNC alone");
    qsmmu_cmd_cfgi_ste(&c.b.smmu, OTHER_SID, true);
    cmd_sync(&c);
    dma_expect(&c, DOM_IDENTITY, "CFGI_STE of another StreamID");
    qsmmu_cmd_cfgi_ste(&c.b.smmu, DEV_SID, true);
    cmd_sync(&c);
    dma_expect(&c, DOM_BLOCKED, "CFGI_STE");
    ctx_stop(&c);
}

/* CMD_CFGI_STE_RANGE (4.3): the 2^(Range + 1) StreamIDs around SID */
static void test_cache_cfgi_ste_range(void)
{
    Ctx c;

    ctx_start(&c);
    establish(&c, DOM_BLOCKED);
    qsmmu_store_ste(&c.b.smmu, DEV_SID, c.ste[DOM_S1]);
    dma_expect(&c, DOM_BLOCKED, "stored, no CFGI");
    /* 0x22..0x23, then 0x40..0x7f: both miss 0x20 */
    qsmmu_cmd_cfgi_ste_range(&c.b.smmu, DEV_SID + 2, 0);
    qsmmu_cmd_cfgi_ste_range(&c.b.smmu, 0x40, 5);
    cmd_sync(&c);
    dma_expect(&c, DOM_BLOCKED, "CFGI_STE_RANGE of other StreamIDs");
    /* 0x20..0x21, named by 0x21 */
    qsmmu_cmd_cfgi_ste_range(&c.b.smmu, OTHER_SID, 0);
    cmd_sync(&c);
    dma_expect(&c, DOM_S1, "CFGI_STE_RANGE covering the StreamID");

    /* 0x00..0x3f, named by 0x3f */
    qsmmu_store_ste(&c.b.smmu, DEV_SID, c.ste[DOM_S2]);
    dma_expect(&c, DOM_S1, "stored, no CFGI");
    qsmmu_cmd_cfgi_ste_range(&c.b.smmu, 0x3f, 5);
    cmd_sync(&c);
    dma_expect(&c, DOM_S2, "CFGI_STE_RANGE of 64 StreamIDs");
    ctx_stop(&c);
}

/* CMD_CFGI_ALL (4.3) */
static void test_cache_cfgi_all(void)
{
    Ctx c;

    ctx_start(&c);
    establish(&c, DOM_S2);
    qsmmu_store_ste(&c.b.smmu, DEV_SID, c.ste[DOM_NESTED]);
    dma_expect(&c, DOM_S2, "stored, no CFGI");
    qsmmu_cmd_cfgi_cd_all(&c.b.smmu, OTHER_SID);
    qsmmu_cmd_cfgi_ste(&c.b.smmu, OTHER_SID, false);
    cmd_sync(&c);
    dma_expect(&c, DOM_S2, "CFGI of another StreamID");
    qsmmu_cmd_cfgi_all(&c.b.smmu);
    cmd_sync(&c);
    dma_expect(&c, DOM_NESTED, "CFGI_ALL");
    ctx_stop(&c);
}

/* An STE made invalid is used as such after CFGI_STE, and back again */
static void test_cache_ste_invalid(void)
{
    Ctx c;

    ctx_start(&c);
    establish(&c, DOM_S1);
    qsmmu_store_ste(&c.b.smmu, DEV_SID, c.ste[DOM_INVALID]);
    dma_expect(&c, DOM_S1, "V = 0 stored, no CFGI");
    qsmmu_cmd_cfgi_ste(&c.b.smmu, DEV_SID, true);
    cmd_sync(&c);
    dma_expect(&c, DOM_INVALID, "V = 0 after CFGI_STE");
    qsmmu_write_ste(&c.b.smmu, DEV_SID, c.ste[DOM_S1]);
    dma_expect(&c, DOM_S1, "valid again after CFGI_STE");
    ctx_stop(&c);
}

/* Configuration cache: CDs */

typedef enum CdInval {
    CD_INVAL_CFGI_CD,
    CD_INVAL_CFGI_CD_ALL,
} CdInval;

typedef struct CdCase {
    Dom dom;            /* DOM_S1 or DOM_NESTED */
    CdInval inval;
} CdCase;

static void cd_invalidate(Ctx *c, CdInval inval, uint32_t sid)
{
    if (inval == CD_INVAL_CFGI_CD) {
        qsmmu_cmd_cfgi_cd(&c->b.smmu, sid, 0, true);
    } else {
        qsmmu_cmd_cfgi_cd_all(&c->b.smmu, sid);
    }
    cmd_sync(c);
}

/*
 * CMD_CFGI_CD and CMD_CFGI_CD_ALL (4.3): the CD is replaced by
 * one with another ASID and tables; it counts only after the command.
 */
static void test_cache_cd(const void *data)
{
    const CdCase *t = data;
    bool nested = t->dom == DOM_NESTED;
    Dom next = nested ? DOM_NESTED2 : DOM_S1B;
    Ctx c;

    ctx_start(&c);
    establish(&c, t->dom);
    qsmmu_store_cd(&c.b.smmu, nested ? c.cdptr_n : c.cdptr_s1,
                   nested ? c.cd_n2 : c.cd_s1b);
    dma_expect(&c, t->dom, "CD stored, no CFGI");
    qsmmu_cmd_tlbi_nsnh_all(&c.b.smmu);
    cmd_sync(&c);
    dma_expect(&c, t->dom, "TLBI_NSNH_ALL");
    cd_invalidate(&c, t->inval, OTHER_SID);
    dma_expect(&c, t->dom, "CD invalidation of another StreamID");
    cd_invalidate(&c, t->inval, DEV_SID);
    dma_expect(&c, next, "CD invalidation");
    ctx_stop(&c);
}

static const CdCase cd_cases[] = {
    { DOM_S1, CD_INVAL_CFGI_CD },
    { DOM_S1, CD_INVAL_CFGI_CD_ALL },
    { DOM_NESTED, CD_INVAL_CFGI_CD },
    { DOM_NESTED, CD_INVAL_CFGI_CD_ALL },
};

int main(int argc, char **argv)
{
    static Transition transitions[DOM__LINUX * (DOM__LINUX - 1)];
    int from, to, n = 0;
    size_t i;

    g_test_init(&argc, &argv, NULL);

    for (from = 0; from < DOM__LINUX; from++) {
        for (to = 0; to < DOM__LINUX; to++) {
            if (from == to) {
                continue;
            }
            transitions[n] = (Transition){ from, to };
            qsmmu_add_case(&transitions[n], test_transition,
                           "/arm/smmuv3/transitions/%s-to-%s",
                           dom_name[from], dom_name[to]);
            n++;
        }
    }

    qtest_add_func("/arm/smmuv3/cache/ste/cfgi-ste", test_cache_cfgi_ste);
    qtest_add_func("/arm/smmuv3/cache/ste/cfgi-ste-range",
                   test_cache_cfgi_ste_range);
    qtest_add_func("/arm/smmuv3/cache/ste/cfgi-all", test_cache_cfgi_all);
    qtest_add_func("/arm/smmuv3/cache/ste/invalid", test_cache_ste_invalid);
    for (i = 0; i < ARRAY_SIZE(cd_cases); i++) {
        qsmmu_add_case(&cd_cases[i], test_cache_cd,
                       "/arm/smmuv3/cache/cd/%s/%s",
                       cd_cases[i].dom == DOM_NESTED ? "nested" : "s1",
                       cd_cases[i].inval == CD_INVAL_CFGI_CD ?
                       "cfgi-cd" : "cfgi-cd-all");
    }

    return g_test_run();
}
