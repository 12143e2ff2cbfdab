/*
 * QTest for the Arm SMMUv3: DMA isolation as a random property test
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Two DMA test devices (StreamIDs 0x20 and 0x28) sit behind the virt
 * board's SMMU.  A seeded random sequence of operations changes their
 * STEs (abort, bypass, V = 0, stage 2, stage 1 or nested through one of
 * three CDs),
 * the CDs (ASID and stage 1 table), the entries of two stage 1 tables and
 * one stage 2 table (read-write or read-only 4KB pages), issues
 * invalidations (CFGI_*, TLBI_*, with or without CMD_SYNC) or leaves them
 * out, and runs DMA reads and writes of 1 to 4096 bytes, which may cross
 * a page.  The stream table is linear or 2-level, by seed.
 *
 * A reference model in this file tracks what is in memory and what the
 * SMMU may still hold in its caches: every STE, CD and translation that
 * was in memory since the last invalidation that covers it, completed by
 * a CMD_SYNC (IHI 0070 3.21, 4.3, 4.4, 4.7).  From that it knows, for each
 * 4KB piece of a DMA, the set of pages the piece may reach and whether it
 * may fail.  After every DMA the test reads back the whole watched area
 * of guest RAM (the IOVA pages, which bypass reaches, the target pages
 * the tables map, and guard pages) and checks:
 *
 *   - no byte changed that no permitted piece explains: a blocked stream
 *     moves nothing, a translated write lands only where the old or the
 *     new configuration maps it, bypass only at PA == IOVA;
 *   - every piece the device reports done landed at a permitted page
 *     (writes) or came from one (reads: the device buffer);
 *   - a piece that every configuration in force maps completes;
 *   - events name the StreamID of the device that caused them.
 *
 * The model is conservative where the architecture leaves a choice:
 *   - an invalidation without CMD_SYNC may take effect at any time up to
 *     the next CMD_SYNC, and does not remove what was fetched after it;
 *   - CFGI_STE is not assumed to drop the CDs cached for the stream, and
 *     a stream may keep the CD of the table its STE pointed at before, so
 *     only CFGI_CD, CFGI_CD_ALL and CFGI_ALL forget CDs;
 *   - TLB entries are shared by both streams: stage 1 ones tagged
 *     (ASID, VMID 0), those of nested streams (ASID, VMID 5), stage 2 ones
 *     (VMID 5, IPA); a nested walk may combine a stage 1 and a stage 2
 *     entry, or hit a combined entry, which TLBI_S2_IPA leaves (4.4.3);
 *     an entry may be filled from any table state that a configuration
 *     that may be in force could walk.
 * A piece "may fail" if some configuration in force blocks it, walks a
 * table that does not map it now, or (writes) may hit a read-only entry;
 * one that may not fail must complete.
 *
 * The test is not true by construction: making CFGI_STE a no-op in
 * smmuv3_cmdq_consume() fails eleven of the twelve default seeds, and
 * making TLBI_NH_VA leave the IOTLB alone fails two of them; the first
 * failing seed is shrunk to six or seven operations.
 *
 * The sequence comes from GLib's GRand.  QTEST_SMMUV3_ISOLATION_SEED
 * picks one seed (default: the seeds of default_seeds[], one case
 * each), QTEST_SMMUV3_ISOLATION_STEPS the number of operations.  On a
 * violation the test prints the seed, shrinks the sequence (each
 * candidate runs on a new QEMU; chunks, then single operations, are
 * removed while a violation of the same kind remains) and prints the
 * shortest sequence found, one operation a line, before failing.  Only
 * the first failing seed of a run is shrunk, within SHRINK_SECONDS.
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "libqos/libqos-malloc.h"
#include "libqos/generic-pcihost.h"
#include "libqos/dma-testdev.h"
#include "libqos/smmuv3.h"

#define PAGE            4096

/* Guest RAM plan: see QSMMUBench */
#define SMMU_MEM        QSMMU_BENCH_SMMU_MEM
#define SMMU_MEM_SIZE   (16 * MiB)  /* tables, queues, CDs */
#define EVTQ_LOG2       10

/*
 * The watched area, 16 pages of RAM read back after every DMA:
 *   page 0                 guard
 *   pages 1..6             the IOVA pages (bypass lands here)
 *   page 7                 past the last IOVA page (bypass only)
 *   pages 8..13            the target pages the tables map to
 *   pages 14, 15           guard
 */
#define WATCH_BASE      ((uint64_t)0x50000000)
#define WATCH_PAGES     16
#define WATCH_SIZE      (WATCH_PAGES * PAGE)
#define IOVA_PAGE0      1
#define NR_IOVA         6
#define TGT_PAGE0       8
#define NR_TGT          6
#define IOVA_BASE       (WATCH_BASE + IOVA_PAGE0 * PAGE)
#define TGT_BASE        (WATCH_BASE + TGT_PAGE0 * PAGE)
#define MAX_DMA_LEN     PAGE        /* at most two pieces, disjoint */

/* The streams: a device each */
#define NR_STREAMS      2
static const uint32_t stream_sid[NR_STREAMS] = { 0x20, 0x28 };
static const int stream_devfn[NR_STREAMS] = {
    QSMMU_BENCH_DEVFN, QPCI_DEVFN(5, 0)
};

/* Translation tables: two for stage 1, one for stage 2 */
enum {
    PT_S1A,
    PT_S1B,
    PT_S2,
    NR_PT,
};
static const char *const pt_name[NR_PT] = { "s1 table A", "s1 table B",
                                            "s2 table" };
#define S1_T0SZ         16
#define S2_T0SZ         32
#define S2_SL0          1
#define S1_VMID         0   /* S2VMID of the stage 1 STEs */
#define S2_VMID         5   /* of the stage 2 and nested STEs */

/*
 * The stage 2 table maps IPA pages 0..NR_IOVA - 1, the IOVA pages (stage
 * 1 bypass: IPA = IOVA), and NR_IOVA..NR_S2 - 1, the target pages (the
 * IPAs stage 1 gives in a nested configuration).  It also maps the
 * SMMU's memory 1:1, for the CDs and stage 1 tables of nested streams.
 */
#define NR_S2           (NR_IOVA + NR_TGT)

static uint64_t s2_ipa(int b)
{
    return b < NR_IOVA ? IOVA_BASE + b * PAGE :
                         TGT_BASE + (b - NR_IOVA) * PAGE;
}

/*
 * CDs: NR_CD linear single-entry CD tables.  Their contents are one of
 * NR_CDV values: 0 is an invalid CD, 1 + (asid - 1) * 2 + table a valid
 * one with that ASID (1..NR_ASID) over that stage 1 table.
 */
#define NR_CD           3
#define NR_ASID         3
#define NR_CDV          (1 + NR_ASID * 2)
#define CDV_INVALID     0

static int cdv_asid(int cdv)
{
    return 1 + (cdv - 1) / 2;
}

static int cdv_pt(int cdv)
{
    return (cdv - 1) % 2;
}

/* STE contents */
enum {
    STE_INVALID,
    STE_ABORT,
    STE_BYPASS,
    STE_S2,
    STE_S1_CD0,         /* STE_S1_CD0 + k: stage 1 through CD k */
    STE_NESTED_CD0 = STE_S1_CD0 + NR_CD,    /* nested through CD k */
    NR_STEV = STE_NESTED_CD0 + NR_CD,
};

static bool stev_is_s1(int v)
{
    return v >= STE_S1_CD0 && v < STE_NESTED_CD0;
}

static bool stev_is_nested(int v)
{
    return v >= STE_NESTED_CD0;
}

/* The CD an STE value points at, or -1 */
static int stev_cd(int v)
{
    return stev_is_s1(v) ? v - STE_S1_CD0 :
           stev_is_nested(v) ? v - STE_NESTED_CD0 : -1;
}

static char *stev_name(int v)
{
    static const char *const names[] = {
        [STE_INVALID] = "invalid (V=0)", [STE_ABORT] = "abort",
        [STE_BYPASS] = "bypass", [STE_S2] = "s2",
    };

    if (stev_cd(v) >= 0) {
        return g_strdup_printf("%s via cd%d", stev_is_s1(v) ? "s1" :
                               "nested (s1 + s2)", stev_cd(v));
    }
    return g_strdup(names[v]);
}

static char *cdv_name(int cdv)
{
    if (cdv == CDV_INVALID) {
        return g_strdup("invalid (V=0)");
    }
    return g_strdup_printf("asid %d over %s", cdv_asid(cdv),
                           pt_name[cdv_pt(cdv)]);
}

/* Operations */

typedef enum OpKind {
    OP_STE,             /* a: stream, b: STE value; sync: + CFGI_STE */
    OP_CD,              /* a: CD, b: CD value; sync: + CFGI_CD_ALL */
    OP_MAP,             /* a: table, b: IOVA page, c: target page, ro */
    OP_UNMAP,           /* a: table, b: IOVA page */
    OP_CFGI_STE,        /* a: stream */
    OP_CFGI_STE_RANGE,  /* a: stream, or NR_STREAMS for both */
    OP_CFGI_ALL,
    OP_CFGI_CD,         /* a: stream */
    OP_CFGI_CD_ALL,     /* a: stream */
    OP_TLBI_NH_VA,      /* a: ASID, b: IOVA page, c: Leaf, vmid */
    OP_TLBI_NH_ASID,    /* a: ASID, vmid */
    OP_TLBI_NH_ALL,     /* vmid */
    OP_TLBI_NSNH_ALL,
    OP_TLBI_S2_IPA,     /* b: stage 2 page (s2_ipa), c: Leaf */
    OP_TLBI_S12_VMALL,  /* vmid */
    OP_SYNC,
    OP_DMA_WRITE,       /* a: stream, off: IOVA - IOVA_BASE, len, pattern */
    OP_DMA_READ,        /* a: stream, off, len */
} OpKind;

typedef struct Op {
    OpKind kind;
    uint8_t a, b, c;
    /*
     * Invalidations: followed by CMD_SYNC.  STE and CD stores: followed
     * by CFGI_STE, or CFGI_CD_ALL of both streams, and CMD_SYNC.  Table
     * entry stores: followed by TLBI_NH_VA of @asid (stage 1) or
     * TLBI_S2_IPA (stage 2) and CMD_SYNC.
     */
    bool sync;
    uint8_t asid;
    bool ro;            /* a read-only mapping */
    uint8_t vmid;       /* TLBI_NH_*, TLBI_S12_VMALL */
    uint32_t off, len, pattern;
} Op;

static bool op_is_inval(const Op *op)
{
    return op->kind >= OP_CFGI_STE && op->kind <= OP_TLBI_S12_VMALL;
}

/* The input address of a table entry operation */
static uint64_t op_iova(const Op *op)
{
    return op->a == PT_S2 ? s2_ipa(op->b) : IOVA_BASE + op->b * PAGE;
}

static char *op_describe(const Op *op)
{
    g_autofree char *v = NULL;
    g_autofree char *what = NULL;

    switch (op->kind) {
    case OP_STE:
        v = stev_name(op->b);
        return g_strdup_printf("store STE of stream%d (SID 0x%x): %s%s",
                               op->a, stream_sid[op->a], v, op->sync ?
                               " + CFGI_STE + CMD_SYNC" : " (no CFGI)");
    case OP_CD:
        v = cdv_name(op->b);
        return g_strdup_printf("store cd%d: %s%s", op->a, v, op->sync ?
                               " + CFGI_CD_ALL both streams + CMD_SYNC" :
                               " (no CFGI)");
    case OP_MAP:
    case OP_UNMAP:
        what = op->kind == OP_MAP ?
            g_strdup_printf("map %s: %s 0x%" PRIx64 " -> PA 0x%" PRIx64
                            " %s", pt_name[op->a],
                            op->a == PT_S2 ? "IPA" : "IOVA", op_iova(op),
                            TGT_BASE + op->c * PAGE, op->ro ? "RO" : "RW") :
            g_strdup_printf("unmap %s: %s 0x%" PRIx64, pt_name[op->a],
                            op->a == PT_S2 ? "IPA" : "IOVA", op_iova(op));
        if (!op->sync) {
            return g_strdup_printf("%s (no TLBI)", what);
        }
        if (op->a == PT_S2) {
            return g_strdup_printf("%s + TLBI_S2_IPA + CMD_SYNC", what);
        }
        return g_strdup_printf("%s + TLBI_NH_VA asid %d, VMIDs %d and %d"
                               " + CMD_SYNC", what, op->asid, S1_VMID,
                               S2_VMID);
    case OP_DMA_WRITE:
        return g_strdup_printf("DMA write stream%d: IOVA 0x%" PRIx64
                               " len %u pattern 0x%x", op->a,
                               IOVA_BASE + op->off, op->len, op->pattern);
    case OP_DMA_READ:
        return g_strdup_printf("DMA read stream%d: IOVA 0x%" PRIx64
                               " len %u", op->a, IOVA_BASE + op->off,
                               op->len);
    case OP_SYNC:
        return g_strdup("CMD_SYNC");
    case OP_CFGI_STE:
        what = g_strdup_printf("CFGI_STE stream%d", op->a);
        break;
    case OP_CFGI_STE_RANGE:
        what = op->a == NR_STREAMS ?
            g_strdup("CFGI_STE_RANGE both streams") :
            g_strdup_printf("CFGI_STE_RANGE stream%d only", op->a);
        break;
    case OP_CFGI_ALL:
        what = g_strdup("CFGI_ALL");
        break;
    case OP_CFGI_CD:
        what = g_strdup_printf("CFGI_CD stream%d", op->a);
        break;
    case OP_CFGI_CD_ALL:
        what = g_strdup_printf("CFGI_CD_ALL stream%d", op->a);
        break;
    case OP_TLBI_NH_VA:
        what = g_strdup_printf("TLBI_NH_VA asid %d VMID %d IOVA 0x%" PRIx64
                               " leaf %d", op->a, op->vmid,
                               IOVA_BASE + op->b * PAGE, op->c);
        break;
    case OP_TLBI_NH_ASID:
        what = g_strdup_printf("TLBI_NH_ASID asid %d VMID %d", op->a,
                               op->vmid);
        break;
    case OP_TLBI_NH_ALL:
        what = g_strdup_printf("TLBI_NH_ALL VMID %d", op->vmid);
        break;
    case OP_TLBI_NSNH_ALL:
        what = g_strdup("TLBI_NSNH_ALL");
        break;
    case OP_TLBI_S2_IPA:
        what = g_strdup_printf("TLBI_S2_IPA VMID %d IPA 0x%" PRIx64
                               " leaf %d", S2_VMID, s2_ipa(op->b), op->c);
        break;
    case OP_TLBI_S12_VMALL:
        what = g_strdup_printf("TLBI_S12_VMALL VMID %d", op->vmid);
        break;
    }
    return g_strdup_printf("%s%s", what, op->sync ? " + CMD_SYNC" :
                           " (no CMD_SYNC)");
}

/*
 * An ASID for a TLBI after a change of stage 1 table @pt: one that a CD
 * stored so far (@cd) gives that table, as a driver would pick, or any.
 */
static int op_random_asid(GRand *r, const int *cd, int pt)
{
    int k = g_rand_int_range(r, 0, NR_CD);

    if (cd[k] != CDV_INVALID && (pt < 0 || cdv_pt(cd[k]) == pt)) {
        return cdv_asid(cd[k]);
    }
    return g_rand_int_range(r, 1, NR_ASID + 1);
}

/*
 * A random operation; the weights favour changes that get invalidated.
 * @cd tracks the CDs stored so far.
 */
static void op_random(GRand *r, Op *op, int *cd)
{
    int p = g_rand_int_range(r, 0, 100);

    memset(op, 0, sizeof(*op));
    op->sync = g_rand_int_range(r, 0, 8) != 0;
    if (p < 12) {
        op->kind = OP_STE;
        op->a = g_rand_int_range(r, 0, NR_STREAMS);
        /* Half of them translate through a CD */
        op->b = g_rand_boolean(r) ? g_rand_int_range(r, 0, NR_STEV) :
                g_rand_int_range(r, STE_S1_CD0, NR_STEV);
        op->sync = g_rand_int_range(r, 0, 4) != 0;
    } else if (p < 18) {
        op->kind = OP_CD;
        op->a = g_rand_int_range(r, 0, NR_CD);
        op->b = g_rand_int_range(r, 0, NR_CDV);
        op->sync = g_rand_int_range(r, 0, 4) != 0;
        cd[op->a] = op->b;
    } else if (p < 30) {
        op->kind = g_rand_int_range(r, 0, 4) ? OP_MAP : OP_UNMAP;
        op->a = g_rand_int_range(r, 0, NR_PT);
        op->b = g_rand_int_range(r, 0, op->a == PT_S2 ? NR_S2 : NR_IOVA);
        op->c = g_rand_int_range(r, 0, NR_TGT);
        op->ro = g_rand_int_range(r, 0, 4) == 0;
        op->sync = g_rand_boolean(r);
        op->asid = op_random_asid(r, cd, op->a);
    } else if (p < 58) {
        op->kind = g_rand_int_range(r, OP_CFGI_STE, OP_TLBI_S12_VMALL + 1);
        switch (op->kind) {
        case OP_CFGI_STE_RANGE:
            op->a = g_rand_int_range(r, 0, NR_STREAMS + 1);
            break;
        case OP_TLBI_NH_VA:
        case OP_TLBI_NH_ASID:
            op->a = op_random_asid(r, cd, -1);
            break;
        default:
            op->a = g_rand_int_range(r, 0, NR_STREAMS);
            break;
        }
        op->b = g_rand_int_range(r, 0, op->kind == OP_TLBI_S2_IPA ?
                                 NR_S2 : NR_IOVA);
        op->c = g_rand_boolean(r);
        op->vmid = g_rand_boolean(r) ? S2_VMID : S1_VMID;
    } else if (p < 61) {
        op->kind = OP_SYNC;
    } else {
        op->kind = p < 85 ? OP_DMA_WRITE : OP_DMA_READ;
        op->a = g_rand_int_range(r, 0, NR_STREAMS);
        switch (g_rand_int_range(r, 0, 4)) {
        case 0:
            op->len = g_rand_int_range(r, 1, MAX_DMA_LEN + 1);
            break;
        case 1:
            op->len = g_rand_int_range(r, 1, 513);
            break;
        default:
            op->len = g_rand_int_range(r, 1, 65);
            break;
        }
        op->off = g_rand_int_range(r, 0, NR_IOVA * PAGE);
        if (g_rand_int_range(r, 0, 3) == 0) {
            /* End just past a page boundary: two pieces */
            op->off = g_rand_int_range(r, 1, NR_IOVA + 1) * PAGE -
                      g_rand_int_range(r, 1, MIN(op->len, 64) + 1);
            op->off = MIN(op->off, NR_IOVA * PAGE - 1);
        }
        op->pattern = g_rand_int(r);
    }
}

/*
 * The reference model.  Sets are bitmasks: of STE values, of CD values,
 * of target pages (translations), of watched pages (where a piece may
 * land).
 */

/*
 * A translation value: target page t, plus NR_TGT when read-only.  The
 * TLB sets below hold BIT(value), so 2 * NR_TGT bits.
 */
#define TV_RO(tv)       ((tv) >= NR_TGT)
#define TV_RW_MASK      MAKE_64BIT_MASK(0, NR_TGT)

/* What the SMMU may hold in its caches */
typedef struct Caches {
    uint32_t ste[NR_STREAMS];           /* STE values */
    uint32_t cd[NR_STREAMS];            /* CD values fetched for a stream */
    uint32_t tlb1[NR_ASID + 1][NR_IOVA]; /* stage 1: (ASID, VMID 0, page) */
    /* Nested streams, VMID S2_VMID: stage 1 (to IPA pages) and combined */
    uint32_t tlb1n[NR_ASID + 1][NR_IOVA];
    uint32_t tlbn[NR_ASID + 1][NR_IOVA];
    uint32_t tlb2[NR_S2];               /* stage 2: (VMID S2_VMID, IPA) */
} Caches;

/*
 * An invalidation issued without a CMD_SYNC yet.  It may take effect at
 * any time until the next CMD_SYNC completes it, and removes only what
 * was cached before it did: what the SMMU fetched since it was issued
 * (@fetched) survives it.
 */
typedef struct Pending {
    Op op;
    Caches fetched;
} Pending;

typedef struct Model {
    /* In memory */
    int ste[NR_STREAMS];
    int cd[NR_CD];
    int map[NR_PT][NR_S2];              /* translation value, or -1 */
    /* Cached: every state since the last invalidation covering it */
    Caches c;
    Pending pending[64];
    int nr_pending;
} Model;

static void model_init(Model *m)
{
    int s, i, p;

    memset(m, 0, sizeof(*m));
    for (s = 0; s < NR_STREAMS; s++) {
        m->ste[s] = STE_INVALID;    /* the stream table starts zeroed */
    }
    for (p = 0; p < NR_PT; p++) {
        for (i = 0; i < NR_S2; i++) {
            m->map[p][i] = -1;
        }
    }
}

/*
 * The translation value of a nested walk of IOVA page @i through stage 1
 * table @pt now, or -1
 */
static int model_nested(const Model *m, int pt, int i)
{
    int tv1 = m->map[pt][i], tv2;

    if (tv1 < 0) {
        return -1;
    }
    tv2 = m->map[PT_S2][NR_IOVA + tv1 % NR_TGT];
    if (tv2 < 0) {
        return -1;
    }
    return tv2 % NR_TGT + (TV_RO(tv1) || TV_RO(tv2) ? NR_TGT : 0);
}

static void tlb_add(uint32_t *tlb, int tv)
{
    if (tv >= 0) {
        *tlb |= BIT(tv);
    }
}

/*
 * Add to @dst what the SMMU may fetch now from memory, for the
 * configurations that @c says may be in force: the STEs, the CDs those
 * point at, the translations of the tables of those CDs and of stage 2.
 */
static void caches_fetch(const Model *m, const Caches *c, Caches *dst)
{
    int s, v, cdv, i, pt, asid;

    for (s = 0; s < NR_STREAMS; s++) {
        uint32_t ste = c->ste[s] | BIT(m->ste[s]);
        bool s1 = false, nested = false;

        dst->ste[s] |= BIT(m->ste[s]);
        for (v = 0; v < NR_STEV; v++) {
            if ((ste & BIT(v)) && stev_cd(v) >= 0) {
                dst->cd[s] |= BIT(m->cd[stev_cd(v)]);
                s1 |= stev_is_s1(v);
                nested |= stev_is_nested(v);
            }
        }
        for (cdv = 1; cdv < NR_CDV; cdv++) {
            if (!(c->cd[s] & BIT(cdv))) {
                continue;
            }
            pt = cdv_pt(cdv);
            asid = cdv_asid(cdv);
            for (i = 0; i < NR_IOVA; i++) {
                if (s1) {
                    tlb_add(&dst->tlb1[asid][i], m->map[pt][i]);
                }
                if (nested) {
                    tlb_add(&dst->tlb1n[asid][i], m->map[pt][i]);
                    tlb_add(&dst->tlbn[asid][i], model_nested(m, pt, i));
                }
            }
        }
        if (nested || (ste & BIT(STE_S2))) {
            for (i = 0; i < NR_S2; i++) {
                tlb_add(&dst->tlb2[i], m->map[PT_S2][i]);
            }
        }
    }
}

static void caches_or(Caches *dst, const Caches *src)
{
    uint32_t *d = (uint32_t *)dst;
    const uint32_t *x = (const uint32_t *)src;
    size_t i;

    for (i = 0; i < sizeof(Caches) / sizeof(uint32_t); i++) {
        d[i] |= x[i];
    }
}

/*
 * Called after every operation, so that the caches hold every state
 * since the last invalidation.  Twice: the second pass sees the CDs and
 * tables the first one added.
 */
static void model_fetch(Model *m)
{
    int pass, i;

    for (pass = 0; pass < 2; pass++) {
        caches_fetch(m, &m->c, &m->c);
        for (i = 0; i < m->nr_pending; i++) {
            caches_fetch(m, &m->c, &m->pending[i].fetched);
        }
    }
}

/* The streams a CFGI_STE_RANGE operation covers */
static bool op_covers_stream(const Op *op, int s)
{
    return op->a == NR_STREAMS || op->a == s;
}

/* What a completed invalidation removes from the caches */
static void caches_invalidate(Caches *c, const Op *op)
{
    bool s2 = op->vmid == S2_VMID;
    int s;

    switch (op->kind) {
    case OP_CFGI_STE:
        c->ste[op->a] = 0;
        break;
    case OP_CFGI_STE_RANGE:
        for (s = 0; s < NR_STREAMS; s++) {
            if (op_covers_stream(op, s)) {
                c->ste[s] = 0;
            }
        }
        break;
    case OP_CFGI_ALL:
        /* All configuration, CDs included (4.3.4) */
        for (s = 0; s < NR_STREAMS; s++) {
            c->ste[s] = 0;
            c->cd[s] = 0;
        }
        break;
    case OP_CFGI_CD:
    case OP_CFGI_CD_ALL:
        c->cd[op->a] = 0;
        break;
    /* Stage 1 and combined entries of the VMID (4.4) */
    case OP_TLBI_NH_VA:
        if (s2) {
            c->tlb1n[op->a][op->b] = 0;
            c->tlbn[op->a][op->b] = 0;
        } else {
            c->tlb1[op->a][op->b] = 0;
        }
        break;
    case OP_TLBI_NH_ASID:
        if (s2) {
            memset(c->tlb1n[op->a], 0, sizeof(c->tlb1n[op->a]));
            memset(c->tlbn[op->a], 0, sizeof(c->tlbn[op->a]));
        } else {
            memset(c->tlb1[op->a], 0, sizeof(c->tlb1[op->a]));
        }
        break;
    case OP_TLBI_NH_ALL:
        if (s2) {
            memset(c->tlb1n, 0, sizeof(c->tlb1n));
            memset(c->tlbn, 0, sizeof(c->tlbn));
        } else {
            memset(c->tlb1, 0, sizeof(c->tlb1));
        }
        break;
    case OP_TLBI_NSNH_ALL:
        memset(c->tlb1, 0, sizeof(c->tlb1));
        memset(c->tlb1n, 0, sizeof(c->tlb1n));
        memset(c->tlbn, 0, sizeof(c->tlbn));
        memset(c->tlb2, 0, sizeof(c->tlb2));
        break;
    case OP_TLBI_S2_IPA:
        /* Stage 2 entries only: not combined ones (4.4.3) */
        c->tlb2[op->b] = 0;
        break;
    case OP_TLBI_S12_VMALL:
        /* Every entry of the VMID, of any stage */
        if (s2) {
            memset(c->tlb1n, 0, sizeof(c->tlb1n));
            memset(c->tlbn, 0, sizeof(c->tlbn));
            memset(c->tlb2, 0, sizeof(c->tlb2));
        } else {
            memset(c->tlb1, 0, sizeof(c->tlb1));
        }
        break;
    default:
        g_assert_not_reached();
    }
}

/* Issue an invalidation: it is pending until the next CMD_SYNC */
static void model_issue(Model *m, const Op *op)
{
    Pending *p;

    g_assert_cmpint(m->nr_pending, <, ARRAY_SIZE(m->pending));
    p = &m->pending[m->nr_pending++];
    memset(p, 0, sizeof(*p));
    p->op = *op;
}

/* A CMD_SYNC completes every invalidation issued before it, in order */
static void model_sync(Model *m)
{
    int i;

    for (i = 0; i < m->nr_pending; i++) {
        caches_invalidate(&m->c, &m->pending[i].op);
        caches_or(&m->c, &m->pending[i].fetched);
    }
    m->nr_pending = 0;
}

/* Where one 4KB piece of a DMA to IOVA page @i may go */
typedef struct Reach {
    uint32_t pages;     /* watched pages it may reach */
    bool may_fail;      /* some configuration in force does not map it */
} Reach;

/*
 * A walk of a table whose entry is now @cur, with TLB entries @tlb:
 * add the target pages a @write or a read may use to @targets.
 */
static void translation_reach(uint32_t tlb, int cur, bool write,
                              uint32_t *targets, bool *may_fail)
{
    uint32_t ro = tlb >> NR_TGT;

    *targets |= write ? tlb & TV_RW_MASK : (tlb | ro) & TV_RW_MASK;
    *may_fail |= cur < 0 || (write && (TV_RO(cur) || ro));
}

/*
 * A nested walk of IOVA page @i with @asid through stage 1 table @pt: a
 * combined TLB entry, or a stage 1 entry (now or cached) whose IPA goes
 * through a stage 2 entry (now or cached).
 */
static void nested_reach(const Model *m, int asid, int pt, int i,
                         bool write, uint32_t *targets, bool *may_fail)
{
    uint32_t s1 = m->c.tlb1n[asid][i];
    int cur1 = m->map[pt][i];
    int tv1, tv2;

    translation_reach(m->c.tlbn[asid][i], model_nested(m, pt, i), write,
                      targets, may_fail);
    if (cur1 < 0 || (s1 & ~BIT(cur1))) {
        *may_fail = true;   /* a stale stage 1 entry */
    }
    for (tv1 = 0; tv1 < 2 * NR_TGT; tv1++) {
        int ipa = NR_IOVA + tv1 % NR_TGT;
        uint32_t s2 = m->c.tlb2[ipa];
        int cur2 = m->map[PT_S2][ipa];

        if (!(s1 & BIT(tv1))) {
            continue;
        }
        if (cur2 < 0 || (s2 & ~BIT(cur2))) {
            *may_fail = true;   /* a stale stage 2 entry */
        }
        for (tv2 = 0; tv2 < 2 * NR_TGT; tv2++) {
            if (!(s2 & BIT(tv2))) {
                continue;
            }
            if (write && (TV_RO(tv1) || TV_RO(tv2))) {
                *may_fail = true;
            } else {
                *targets |= BIT(tv2 % NR_TGT);
            }
        }
    }
}

static void model_reach(const Model *m, int s, int i, bool write, Reach *r)
{
    uint32_t set = m->c.ste[s];
    int v, cdv, t;

    memset(r, 0, sizeof(*r));
    for (v = 0; v < NR_STEV; v++) {
        uint32_t targets = 0;

        if (!(set & BIT(v))) {
            continue;
        }
        switch (v) {
        case STE_INVALID:
        case STE_ABORT:
            r->may_fail = true;
            break;
        case STE_BYPASS:
            r->pages |= BIT(IOVA_PAGE0 + i);
            break;
        case STE_S2:
            if (i < NR_IOVA) {
                translation_reach(m->c.tlb2[i], m->map[PT_S2][i], write,
                                  &targets, &r->may_fail);
            } else {
                r->may_fail = true;
            }
            break;
        default:
            /*
             * Any CD the stream may hold; a CD cache tagged by StreamID
             * may keep the CD of another table until CFGI_CD.
             */
            for (cdv = 0; cdv < NR_CDV; cdv++) {
                if (!(m->c.cd[s] & BIT(cdv))) {
                    continue;
                }
                if (cdv == CDV_INVALID || i >= NR_IOVA) {
                    r->may_fail = true;
                } else if (stev_is_s1(v)) {
                    translation_reach(m->c.tlb1[cdv_asid(cdv)][i],
                                      m->map[cdv_pt(cdv)][i], write,
                                      &targets, &r->may_fail);
                } else {
                    nested_reach(m, cdv_asid(cdv), cdv_pt(cdv), i, write,
                                 &targets, &r->may_fail);
                }
            }
            break;
        }
        for (t = 0; t < NR_TGT; t++) {
            if (targets & BIT(t)) {
                r->pages |= BIT(TGT_PAGE0 + t);
            }
        }
    }
}

static char *pages_describe(uint32_t pages)
{
    GString *str = g_string_new(NULL);
    int w;

    for (w = 0; w < WATCH_PAGES; w++) {
        if (pages & BIT(w)) {
            g_string_append_printf(str, "%s0x%" PRIx64, str->len ? " " : "",
                                   WATCH_BASE + w * PAGE);
        }
    }
    if (!str->len) {
        g_string_append(str, "none");
    }
    return g_string_free(str, false);
}

/* One run of a sequence on a new machine */

/* What a violation breaks; shrinking keeps the kind */
typedef enum Violation {
    V_NONE,
    V_ISOLATION,        /* bytes moved where no configuration allows */
    V_LIVENESS,         /* a piece every configuration maps failed */
    V_EVENTS,           /* an event of the wrong stream, or of no fault */
    V_OTHER,            /* DONE, RESULT, CSUM, CMD_SYNC, GERROR */
} Violation;

static const char *const violation_name[] = {
    [V_NONE] = "none", [V_ISOLATION] = "isolation",
    [V_LIVENESS] = "liveness", [V_EVENTS] = "events", [V_OTHER] = "other",
};

typedef struct Run {
    QSMMUBench b;
    QDmaTestdev dev1;           /* stream 1; stream 0 is b.dev */
    QSMMUPageTable pt[NR_PT];
    uint64_t cd_addr[NR_CD];
    QSMMUStage2 s2;
    Model m;
    uint8_t shadow[WATCH_SIZE]; /* what the watched area must hold */
    uint8_t mem[WATCH_SIZE];
    char *violation;            /* the first one, or NULL */
    Violation kind;
    /* What the DMAs did: pieces moved, pieces refused, events */
    unsigned moved[NR_STREAMS], refused[NR_STREAMS], events;
    unsigned bypassed, translated;  /* pieces landed at IOVA / a target */
    /* Pieces moved while only bypass, S1, S2 or nested may be in force */
    unsigned moved_by[4];
} Run;

static QDmaTestdev *run_dev(Run *run, int s)
{
    return s ? &run->dev1 : &run->b.dev;
}

static void G_GNUC_PRINTF(3, 4) run_fail(Run *run, Violation kind,
                                         const char *fmt, ...)
{
    va_list ap;

    if (run->violation) {
        return;
    }
    va_start(ap, fmt);
    run->violation = g_strdup_vprintf(fmt, ap);
    run->kind = kind;
    va_end(ap);
}

/*
 * The stream table of a seed, of 2^SID_BITS STEs: linear, or 2-level
 * with SPLIT 6 or 8 (5.1; other values are reserved)
 */
#define SID_BITS        10

static uint32_t seed_split(uint32_t seed)
{
    static const uint32_t split[] = { 0, 6, 8 };

    return split[seed % ARRAY_SIZE(split)];
}

static void run_start(Run *run, uint32_t seed)
{
    QSMMUv3Config cfg = {
        .mem = SMMU_MEM,
        .mem_size = SMMU_MEM_SIZE,
        .evtq_log2 = EVTQ_LOG2,
        .sid_bits = SID_BITS,
        .split = seed_split(seed),
    };
    GRand *fill = g_rand_new_with_seed(seed ^ 0x5eedf111);
    QSMMUv3 *smmu = &run->b.smmu;
    int k, i;

    memset(run, 0, sizeof(*run));
    qsmmu_bench_start(&run->b, NULL,
                      "-device dma-testdev,bus=pcie.0,addr=05.0,id=dma1",
                      &cfg);
    dma_testdev_init(&run->dev1, &run->b.bus.bus, stream_devfn[1]);
    g_assert_true(smmu->idr[0] & QSMMU_IDR0_S2P);
    for (k = 0; k < NR_STREAMS && cfg.split; k++) {
        /* Whole L2 tables (Span = SPLIT + 1), zeroed: every STE V = 0 */
        if (!smmu->l2ptr[stream_sid[k] >> cfg.split]) {
            qsmmu_l2_install(smmu, stream_sid[k],
                             qsmmu_l2_alloc(smmu, cfg.split + 1),
                             cfg.split + 1);
        }
    }

    qsmmu_pt_new(&run->b.smmu, &run->pt[PT_S1A], S1_T0SZ);
    qsmmu_pt_new(&run->b.smmu, &run->pt[PT_S1B], S1_T0SZ);
    qsmmu_pt_new_s2(&run->b.smmu, &run->pt[PT_S2], S2_T0SZ, S2_SL0);
    qsmmu_pt_map(&run->pt[PT_S2], SMMU_MEM, SMMU_MEM, SMMU_MEM_SIZE,
                 QSMMU_PROT_RW);
    run->s2 = (QSMMUStage2) {
        .vmid = S2_VMID, .s2ttb = run->pt[PT_S2].root, .t0sz = S2_T0SZ,
        .sl0 = S2_SL0, .tg = QSMMU_S2TG_4K, .ps = QSMMU_PS_44,
    };
    for (k = 0; k < NR_CD; k++) {
        run->cd_addr[k] = qsmmu_cd_alloc(&run->b.smmu, 1);
    }

    /* Distinct contents in every watched page, so reads tell them apart */
    for (i = 0; i < WATCH_SIZE; i++) {
        run->shadow[i] = g_rand_int(fill);
    }
    g_rand_free(fill);
    qtest_memwrite(run->b.qts, WATCH_BASE, run->shadow, WATCH_SIZE);

    model_init(&run->m);
    model_fetch(&run->m);
}

static void run_stop(Run *run)
{
    if (qsmmu_gerror_active(&run->b.smmu)) {
        run_fail(run, V_OTHER, "GERROR 0x%x active at the end",
                 qsmmu_gerror_active(&run->b.smmu));
    }
    dma_testdev_uninit(&run->dev1);
    qsmmu_bench_quit(&run->b);
}

static void run_store_ste(Run *run, int s, int v)
{
    uint64_t ste[QSMMU_STE_WORDS];

    switch (v) {
    case STE_INVALID:
        qsmmu_ste_invalid(ste);
        break;
    case STE_ABORT:
        qsmmu_ste_abort(ste);
        break;
    case STE_BYPASS:
        qsmmu_ste_bypass(ste);
        break;
    case STE_S2:
        qsmmu_ste_s2(ste, &run->s2);
        break;
    default:
        if (stev_is_s1(v)) {
            /* S2VMID 0: the stage 1 entries are tagged with VMID 0 */
            qsmmu_ste_s1(ste, run->cd_addr[stev_cd(v)],
                         QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
        } else {
            /* S1ContextPtr is an IPA; stage 2 maps the SMMU's memory 1:1 */
            qsmmu_ste_nested(ste, run->cd_addr[stev_cd(v)],
                             QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE,
                             &run->s2);
        }
        break;
    }
    qsmmu_store_ste(&run->b.smmu, stream_sid[s], ste);
}

static void run_store_cd(Run *run, int k, int cdv)
{
    uint64_t cd[QSMMU_CD_WORDS];

    if (cdv == CDV_INVALID) {
        qsmmu_cd_invalid(cd);
    } else {
        qsmmu_cd_s1(cd, cdv_asid(cdv), run->pt[cdv_pt(cdv)].root, S1_T0SZ,
                    QSMMU_TG0_4K, QSMMU_PS_44);
    }
    qsmmu_store_cd(&run->b.smmu, run->cd_addr[k], cd);
}

static void run_issue_inval(Run *run, const Op *op)
{
    QSMMUv3 *smmu = &run->b.smmu;
    uint64_t iova = IOVA_BASE + op->b * PAGE;

    switch (op->kind) {
    case OP_CFGI_STE:
        qsmmu_cmd_cfgi_ste(smmu, stream_sid[op->a], true);
        break;
    case OP_CFGI_STE_RANGE:
        if (op->a == NR_STREAMS) {
            qsmmu_cmd_cfgi_ste_range(smmu, stream_sid[0], 3);   /* 0x2x */
        } else {
            qsmmu_cmd_cfgi_ste_range(smmu, stream_sid[op->a], 2);
        }
        break;
    case OP_CFGI_ALL:
        qsmmu_cmd_cfgi_all(smmu);
        break;
    case OP_CFGI_CD:
        qsmmu_cmd_cfgi_cd(smmu, stream_sid[op->a], 0, true);
        break;
    case OP_CFGI_CD_ALL:
        qsmmu_cmd_cfgi_cd_all(smmu, stream_sid[op->a]);
        break;
    case OP_TLBI_NH_VA:
        qsmmu_cmd_tlbi_nh_va(smmu, op->a, op->vmid, iova, op->c);
        break;
    case OP_TLBI_NH_ASID:
        qsmmu_cmd_tlbi_nh_asid(smmu, op->a, op->vmid);
        break;
    case OP_TLBI_NH_ALL:
        qsmmu_cmd_tlbi_nh_all(smmu, op->vmid);
        break;
    case OP_TLBI_NSNH_ALL:
        qsmmu_cmd_tlbi_nsnh_all(smmu);
        break;
    case OP_TLBI_S2_IPA:
        qsmmu_cmd_tlbi_s2_ipa(smmu, S2_VMID, s2_ipa(op->b), op->c);
        break;
    case OP_TLBI_S12_VMALL:
        qsmmu_cmd_tlbi_s12_vmall(smmu, op->vmid);
        break;
    default:
        g_assert_not_reached();
    }
}

static void run_sync(Run *run)
{
    if (!qsmmu_cmd_sync(&run->b.smmu)) {
        run_fail(run, V_OTHER, "CMD_SYNC did not complete (CMDQ_CONS.ERR %u)",
                 qsmmu_cmdq_error(&run->b.smmu));
    }
    model_sync(&run->m);
}

/* A piece of a DMA: the part of it within one 4KB IOVA page */
typedef struct Piece {
    uint32_t start;     /* offset in the transfer */
    uint32_t len;
    int page;           /* IOVA page index, NR_IOVA past the end */
    uint32_t in_page;   /* offset in that page */
    Reach reach;
} Piece;

static int dma_pieces(Run *run, const Op *op, Piece *pc)
{
    uint32_t done = 0;
    int n = 0;

    while (done < op->len) {
        uint32_t off = op->off + done;

        pc[n].start = done;
        pc[n].page = off / PAGE;
        pc[n].in_page = off % PAGE;
        pc[n].len = MIN(op->len - done, PAGE - pc[n].in_page);
        model_reach(&run->m, op->a, pc[n].page, op->kind == OP_DMA_WRITE,
                    &pc[n].reach);
        done += pc[n].len;
        n++;
    }
    g_assert_cmpint(n, <=, 2);
    return n;
}

/*
 * The device reports DONE bytes moved: whole pieces, a prefix of the
 * transfer.  A piece no configuration lets through must not complete;
 * one that every configuration maps must.
 */
static int dma_check_progress(Run *run, const Op *op, const Piece *pc,
                              int n, uint32_t result, uint32_t done)
{
    int j, completed = 0;
    uint32_t end = 0;

    for (j = 0; j < n; j++) {
        g_autofree char *where = pages_describe(pc[j].reach.pages);

        if (done >= pc[j].start + pc[j].len) {
            uint32_t set = run->m.c.ste[op->a];

            completed++;
            run->moved[op->a]++;
            run->moved_by[0] += set == BIT(STE_BYPASS);
            run->moved_by[1] += !(set & ~MAKE_64BIT_MASK(STE_S1_CD0, NR_CD));
            run->moved_by[2] += set == BIT(STE_S2);
            run->moved_by[3] += !(set & ~MAKE_64BIT_MASK(STE_NESTED_CD0,
                                                         NR_CD));
            end = pc[j].start + pc[j].len;
            if (!pc[j].reach.pages) {
                run_fail(run, V_ISOLATION,
                         "stream%d moved bytes %u..%u (IOVA 0x%" PRIx64
                         ") although every configuration in force blocks"
                         " them", op->a, pc[j].start,
                         pc[j].start + pc[j].len - 1,
                         IOVA_BASE + op->off + pc[j].start);
            }
            continue;
        }
        run->refused[op->a]++;
        if (!pc[j].reach.may_fail) {
            run_fail(run, V_LIVENESS,
                     "stream%d: piece at IOVA 0x%" PRIx64 " did not"
                     " complete (%s, DONE %u) although every configuration"
                     " in force maps it (to %s)", op->a,
                     IOVA_BASE + op->off + pc[j].start,
                     dma_testdev_result_name(result), done, where);
        }
        break;
    }
    if (done != end) {
        run_fail(run, V_OTHER,
                 "stream%d: DONE %u is not a whole number of pieces",
                 op->a, done);
    }
    if ((result == DMA_TESTDEV_RESULT_OK) != (done == op->len)) {
        run_fail(run, V_OTHER, "stream%d: RESULT %s with DONE %u of %u", op->a,
                 dma_testdev_result_name(result), done, op->len);
    }
    return completed;
}

/* Every event names the StreamID that caused it */
static void dma_check_events(Run *run, const Op *op, uint32_t result)
{
    QSMMUEvent ev[16];
    uint32_t n = qsmmu_evtq_take_all(&run->b.smmu, ev, ARRAY_SIZE(ev));
    uint32_t i;

    run->events += n;
    for (i = 0; i < MIN(n, ARRAY_SIZE(ev)); i++) {
        if (ev[i].sid != stream_sid[op->a]) {
            g_autofree char *text = qsmmu_event_describe(&ev[i]);

            run_fail(run, V_EVENTS,
                     "DMA of stream%d (SID 0x%x) raised an event of"
                     " another stream: %s", op->a, stream_sid[op->a], text);
        }
    }
    if (n && result == DMA_TESTDEV_RESULT_OK) {
        g_autofree char *text = qsmmu_event_describe(&ev[0]);

        run_fail(run, V_EVENTS,
                 "a DMA that completed raised an event: %s", text);
    }
}

/*
 * The first watched page among @pages whose bytes at the offset of piece
 * @pc in @area are @bytes, or -1
 */
static int piece_find(const uint8_t *area, const Piece *pc,
                      const uint8_t *bytes, uint32_t pages)
{
    int w;

    for (w = 0; w < WATCH_PAGES; w++) {
        if ((pages & BIT(w)) &&
            !memcmp(area + w * PAGE + pc->in_page, bytes, pc->len)) {
            return w;
        }
    }
    return -1;
}

/*
 * After a DMA that ended in @result: check DONE and the events, then read
 * the watched area back into run->mem.  Returns how many pieces completed.
 */
static int dma_finish(Run *run, const Op *op, const Piece *pc, int n,
                      uint32_t result)
{
    uint32_t done = dma_testdev_done(run_dev(run, op->a));
    int completed = dma_check_progress(run, op, pc, n, result, done);

    dma_check_events(run, op, result);
    qtest_memread(run->b.qts, WATCH_BASE, run->mem, WATCH_SIZE);
    return completed;
}

/* A byte of the watched area that changed: is it a completed piece's? */
static bool write_explains(const Piece *pc, int completed,
                           const uint8_t *want, size_t x, uint8_t val)
{
    uint32_t o = x % PAGE;
    int j;

    for (j = 0; j < completed; j++) {
        if ((pc[j].reach.pages & BIT(x / PAGE)) && o >= pc[j].in_page &&
            o < pc[j].in_page + pc[j].len &&
            val == want[pc[j].start + o - pc[j].in_page]) {
            return true;
        }
    }
    return false;
}

static void run_dma_write(Run *run, const Op *op)
{
    uint8_t want[MAX_DMA_LEN];
    Piece pc[2];
    int n = dma_pieces(run, op, pc);
    int completed, j, w;
    size_t x;

    dma_testdev_pattern(want, op->len, op->pattern);
    completed = dma_finish(run, op, pc, n,
                           dma_testdev_write_pattern(run_dev(run, op->a),
                                                     IOVA_BASE + op->off,
                                                     op->len, op->pattern));

    /* Every byte that changed is a byte of a completed piece, allowed */
    for (x = 0; x < WATCH_SIZE; x++) {
        if (run->mem[x] != run->shadow[x] &&
            !write_explains(pc, completed, want, x, run->mem[x])) {
            g_autofree char *allowed0 = pages_describe(pc[0].reach.pages);
            g_autofree char *allowed1 =
                pages_describe(n > 1 ? pc[1].reach.pages : 0);

            run_fail(run, V_ISOLATION,
                     "stream%d wrote PA 0x%" PRIx64 " (0x%02x, was"
                     " 0x%02x), which no configuration in force allows;"
                     " %d pieces completed; piece 0 may reach %s%s%s",
                     op->a, WATCH_BASE + x, run->mem[x], run->shadow[x],
                     completed, allowed0, n > 1 ? ", piece 1 " : "",
                     n > 1 ? allowed1 : "");
            break;
        }
    }

    /* Every completed piece is at one of its pages */
    for (j = 0; j < completed; j++) {
        w = piece_find(run->mem, &pc[j], want + pc[j].start,
                       pc[j].reach.pages);
        if (w < 0) {
            g_autofree char *allowed = pages_describe(pc[j].reach.pages);

            run_fail(run, V_ISOLATION,
                     "stream%d: a completed piece of %u bytes at IOVA"
                     " 0x%" PRIx64 " is at none of its pages (%s)", op->a,
                     pc[j].len, IOVA_BASE + op->off + pc[j].start, allowed);
        } else if (w >= TGT_PAGE0) {
            run->translated++;
        } else {
            run->bypassed++;
        }
    }
    memcpy(run->shadow, run->mem, WATCH_SIZE);
}

static void run_dma_read(Run *run, const Op *op)
{
    QDmaTestdev *dev = run_dev(run, op->a);
    uint8_t got[MAX_DMA_LEN];
    Piece pc[2];
    int n = dma_pieces(run, op, pc);
    int completed, j, from;

    completed = dma_finish(run, op, pc, n,
                           dma_testdev_read(dev, IOVA_BASE + op->off,
                                            op->len));
    dma_testdev_buffer_read(dev, got, op->len);
    if (dma_testdev_csum(dev) !=
        dma_testdev_checksum(got, dma_testdev_done(dev))) {
        run_fail(run, V_OTHER,
                 "stream%d: CSUM does not match the device buffer",
                 op->a);
    }

    /* Every completed piece came from one of its pages */
    for (j = 0; j < completed; j++) {
        g_autofree char *allowed = NULL;
        g_autofree char *where = NULL;

        if (piece_find(run->shadow, &pc[j], got + pc[j].start,
                       pc[j].reach.pages) >= 0) {
            continue;
        }
        allowed = pages_describe(pc[j].reach.pages);
        from = piece_find(run->shadow, &pc[j], got + pc[j].start, ~0u);
        where = from < 0 ? g_strdup("unwatched memory") :
            g_strdup_printf("PA 0x%" PRIx64,
                            WATCH_BASE + from * PAGE + pc[j].in_page);
        run_fail(run, V_ISOLATION,
                 "stream%d read %u bytes at IOVA 0x%" PRIx64 " from"
                 " %s, not from a permitted page (%s)", op->a, pc[j].len,
                 IOVA_BASE + op->off + pc[j].start, where, allowed);
    }

    /* A read changes no memory */
    if (memcmp(run->mem, run->shadow, WATCH_SIZE)) {
        run_fail(run, V_ISOLATION,
                 "a DMA read of stream%d changed memory", op->a);
    }
}

/* Issue the invalidation @op, complete it if it says so */
static void run_inval(Run *run, const Op *op)
{
    Model *m = &run->m;

    g_assert(op_is_inval(op));
    run_issue_inval(run, op);
    model_issue(m, op);
    model_fetch(m);
    if (op->sync) {
        run_sync(run);
    }
}

static void run_op(Run *run, const Op *op)
{
    Model *m = &run->m;
    Op inval = { .sync = true };
    int s;

    switch (op->kind) {
    case OP_STE:
        run_store_ste(run, op->a, op->b);
        m->ste[op->a] = op->b;
        if (op->sync) {
            model_fetch(m);
            inval.kind = OP_CFGI_STE;
            inval.a = op->a;
            run_inval(run, &inval);
        }
        break;
    case OP_CD:
        run_store_cd(run, op->a, op->b);
        m->cd[op->a] = op->b;
        if (op->sync) {
            model_fetch(m);
            inval.kind = OP_CFGI_CD_ALL;
            for (s = 0; s < NR_STREAMS; s++) {
                inval.a = s;
                inval.sync = s == NR_STREAMS - 1;
                run_inval(run, &inval);
            }
        }
        break;
    case OP_MAP:
    case OP_UNMAP:
        if (op->kind == OP_MAP) {
            qsmmu_pt_map(&run->pt[op->a], op_iova(op),
                         TGT_BASE + op->c * PAGE, PAGE,
                         op->ro ? QSMMU_PROT_READ : QSMMU_PROT_RW);
            m->map[op->a][op->b] = op->c + (op->ro ? NR_TGT : 0);
        } else {
            qsmmu_pt_unmap(&run->pt[op->a], op_iova(op), PAGE);
            m->map[op->a][op->b] = -1;
        }
        if (op->sync && op->a == PT_S2) {
            model_fetch(m);
            inval.kind = OP_TLBI_S2_IPA;
            inval.b = op->b;
            run_inval(run, &inval);
        } else if (op->sync) {
            /* The stage 1 table may serve S1 (VMID 0) and nested streams */
            model_fetch(m);
            inval.kind = OP_TLBI_NH_VA;
            inval.a = op->asid;
            inval.b = op->b;
            inval.vmid = S1_VMID;
            inval.sync = false;
            run_inval(run, &inval);
            inval.vmid = S2_VMID;
            inval.sync = true;
            run_inval(run, &inval);
        }
        break;
    case OP_SYNC:
        run_sync(run);
        break;
    case OP_DMA_WRITE:
        run_dma_write(run, op);
        break;
    case OP_DMA_READ:
        run_dma_read(run, op);
        break;
    default:
        run_inval(run, op);
        break;
    }
    model_fetch(m);
}

/*
 * Run @ops[0..@n) on a new machine.  Returns the first violation (free
 * it), NULL if there is none; *@at is the index of the operation and
 * *@kind what it breaks.
 */
static char *run_sequence(uint32_t seed, const Op *ops, int n, int *at,
                          Violation *kind, bool verbose)
{
    Run *run = g_new(Run, 1);
    char *violation;
    int i;

    run_start(run, seed);
    for (i = 0; i < n && !run->violation; i++) {
        run_op(run, &ops[i]);
        *at = i;
    }
    if (verbose) {
        g_test_message("stream table: %s, SPLIT %u", seed_split(seed) ?
                       "2-level" : "linear", seed_split(seed));
        g_test_message("%d operations; pieces moved %u + %u, refused %u + %u"
                       " (stream0 + stream1); writes landed at IOVA %u, at a"
                       " target %u; %u events", n, run->moved[0],
                       run->moved[1], run->refused[0], run->refused[1],
                       run->bypassed, run->translated, run->events);
        g_test_message("pieces moved with only bypass in force %u, stage 1"
                       " %u, stage 2 %u, nested %u", run->moved_by[0],
                       run->moved_by[1], run->moved_by[2], run->moved_by[3]);
    }
    run_stop(run);
    violation = run->violation;
    *kind = run->kind;
    g_free(run);
    return violation;
}

/* Shrinking */

/*
 * Bounds on shrinking, so that a failing run stays within the time
 * "make check" gives a qtest (60 s): only the first failing seed of a
 * process is shrunk, with at most this many runs and seconds.
 */
#define SHRINK_MAX_RUNS 600
#define SHRINK_SECONDS  30

/*
 * Remove chunks of operations, halving the chunk size down to single
 * operations, as long as what is left still fails with a violation of
 * @kind; repeat until no single operation can go.  Returns the new
 * length of @ops.
 */
static int shrink(uint32_t seed, Op *ops, int n, Violation kind,
                  char **violation)
{
    g_autofree Op *cand = g_new(Op, n);
    gint64 end = g_get_monotonic_time() + SHRINK_SECONDS * G_USEC_PER_SEC;
    int runs = 0;
    int chunk = MAX(n / 2, 1);
    bool progress = true;
    bool budget = true;

    while (progress && budget) {
        int start;

        progress = false;
        for (start = 0; start + chunk <= n && budget; ) {
            char *v;
            int at = 0, m = n - chunk;
            Violation k;

            memcpy(cand, ops, start * sizeof(Op));
            memcpy(cand + start, ops + start + chunk,
                   (n - start - chunk) * sizeof(Op));
            v = run_sequence(seed, cand, m, &at, &k, false);
            runs++;
            budget = runs < SHRINK_MAX_RUNS &&
                     g_get_monotonic_time() < end;
            if (v && k != kind) {
                g_free(v);
                v = NULL;
            }
            if (v) {
                /* Keep it, cut after the failing operation */
                n = at + 1;
                memcpy(ops, cand, n * sizeof(Op));
                g_free(*violation);
                *violation = v;
                progress = true;
            } else {
                start += chunk;
            }
        }
        if (chunk > 1) {
            chunk /= 2;
            progress = true;
        }
    }
    fprintf(stderr, "# shrinking took %d runs%s\n", runs,
            budget ? "" : ", and stopped at its bound: maybe not minimal");
    return n;
}

/* The property */

static const uint32_t default_seeds[] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
};
#define DEFAULT_STEPS   600

static int env_steps(void)
{
    const char *str = g_getenv("QTEST_SMMUV3_ISOLATION_STEPS");
    int steps;

    if (!str) {
        return DEFAULT_STEPS;
    }
    if (qemu_strtoi(str, NULL, 0, &steps) || steps < 1) {
        g_error("QTEST_SMMUV3_ISOLATION_STEPS=%s: not a positive number",
                str);
    }
    return steps;
}

static bool shrunk_one;

static void test_isolation(const void *data)
{
    uint32_t seed = GPOINTER_TO_UINT(data);
    int steps = env_steps();
    g_autofree Op *ops = g_new(Op, steps);
    GRand *r = g_rand_new_with_seed(seed);
    int cd[NR_CD] = { 0 };
    char *violation;
    Violation kind;
    int i, at = 0, n;

    for (i = 0; i < steps; i++) {
        op_random(r, &ops[i], cd);
    }
    g_rand_free(r);

    violation = run_sequence(seed, ops, steps, &at, &kind, true);
    if (!violation) {
        return;
    }
    fprintf(stderr, "# %s violated: QTEST_SMMUV3_ISOLATION_SEED=%u"
            " QTEST_SMMUV3_ISOLATION_STEPS=%d, operation %d: %s\n",
            violation_name[kind], seed, steps, at + 1, violation);
    if (shrunk_one) {
        /* Keep a failing "make check" short: the first seed tells it */
        fprintf(stderr, "# not shrunk, another seed was: run this one"
                " alone with QTEST_SMMUV3_ISOLATION_SEED=%u\n", seed);
    } else {
        fprintf(stderr, "# shrinking the %d operations...\n", at + 1);
        n = shrink(seed, ops, at + 1, kind, &violation);
        shrunk_one = true;
        fprintf(stderr, "# shortest failing sequence (seed %u), %d"
                " operations:\n", seed, n);
        for (i = 0; i < n; i++) {
            g_autofree char *text = op_describe(&ops[i]);

            fprintf(stderr, "#   %2d. %s\n", i + 1, text);
        }
        fprintf(stderr, "# %s violation: %s\n", violation_name[kind],
                violation);
    }
    g_test_message("seed %u: %s", seed, violation);
    g_test_fail();
    g_free(violation);
}

int main(int argc, char **argv)
{
    const char *env = g_getenv("QTEST_SMMUV3_ISOLATION_SEED");
    size_t i;

    g_test_init(&argc, &argv, NULL);

    if (env) {
        unsigned int seed;

        if (qemu_strtoui(env, NULL, 0, &seed)) {
            g_error("QTEST_SMMUV3_ISOLATION_SEED=%s: not a number", env);
        }
        qsmmu_add_case(GUINT_TO_POINTER(seed), test_isolation,
                       "/arm/smmuv3/isolation/seed-%u", seed);
    } else {
        for (i = 0; i < ARRAY_SIZE(default_seeds); i++) {
            qsmmu_add_case(GUINT_TO_POINTER(default_seeds[i]), test_isolation,
                           "/arm/smmuv3/isolation/seed-%u", default_seeds[i]);
        }
    }
    return g_test_run();
}
