/*
 * QTest for the SMMUv3 configuration decode: stream table, STE and CD
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each case gives the SMMU of the virt board a stream table, an STE and
 * maybe a CD as IHI 0070 chapter 5 describes them, valid or not, lets the
 * DMA test device (00:04.0, StreamID 0x20) access memory through it and
 * checks the bytes in guest memory, the device's RESULT register, the
 * event record (7.3) and the stream's domain kind from query-smmuv3.
 * Reserved and garbage values must give the architected event, never a
 * crash.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "libqos/libqos-malloc.h"
#include "libqos/generic-pcihost.h"
#include "libqos/dma-testdev.h"
#include "libqos/smmuv3.h"

#define DEV_SID         QSMMU_BENCH_SID

/* Guest RAM plan: see QSMMUBench */
#define SMMU_MEM        QSMMU_BENCH_SMMU_MEM
#define SMMU_MEM_SIZE   (32 * MiB)  /* tables, queues */
#define IOVA            0x50100000ULL   /* input address, RAM too */
#define IPA             0x54200000ULL   /* stage 1 output / stage 2 input */
#define PA              0x56345000ULL   /* final output */
#define UNMAPPED        0x50300000ULL
/* Nothing answers here on virt with -m 512: an external abort */
#define NO_MEMORY       0x100000000ULL

#define ASID            3
#define VMID            5
#define S1_T0SZ         25          /* 39-bit VAs */
#define S2_T0SZ         25          /* 39-bit IPAs, start at level 1 */
#define S2_SL0          1

#define LEN             QSMMU_BENCH_WATCH_LEN
/* DMAs expected to fault are one access long: one event each */
#define EVT_LEN         4

/* Start @machine and bring its SMMU up as @cfg says */
static void ctx_start_cfg(QSMMUBench *c, const char *machine,
                          QSMMUv3Config *cfg)
{
    cfg->mem = SMMU_MEM;
    cfg->mem_size = SMMU_MEM_SIZE;
    qsmmu_bench_start(c, machine, NULL, cfg);
}

/* A linear stream table, or a 2-level one with SPLIT = @split */
static void ctx_start(QSMMUBench *c, uint32_t split)
{
    QSMMUv3Config cfg = { .split = split };

    ctx_start_cfg(c, "virt", &cfg);
}

/* Guest memory and DMA checks */

/* A write to @iova lands at @pa only, not at @iova or @decoy */
static void assert_write_lands(QSMMUBench *c, uint64_t iova, uint64_t pa,
                               uint64_t decoy, uint32_t seed)
{
    qsmmu_mem_mark(c->qts, iova, LEN);
    if (decoy) {
        qsmmu_mem_mark(c->qts, decoy, LEN);
    }
    qsmmu_bench_assert_write_lands(c, iova, pa, seed);
    if (iova != pa) {
        qsmmu_assert_untouched(c->qts, iova, LEN);
    }
    if (decoy) {
        qsmmu_assert_untouched(c->qts, decoy, LEN);
    }
}

/* A read of @iova returns the bytes at @pa */
static void assert_read_from(QSMMUBench *c, uint64_t iova, uint64_t pa)
{
    uint8_t want[LEN], got[LEN], decoy[LEN];
    int i;

    for (i = 0; i < LEN; i++) {
        want[i] = 0x40 + i * 3;
        decoy[i] = ~want[i];
    }
    qtest_memwrite(c->qts, pa, want, LEN);
    if (iova != pa) {
        qtest_memwrite(c->qts, iova, decoy, LEN);
    }
    g_assert_cmpuint(dma_testdev_read(&c->dev, iova, LEN), ==,
                     DMA_TESTDEV_RESULT_OK);
    g_assert_cmpuint(dma_testdev_done(&c->dev), ==, LEN);
    g_assert_cmphex(dma_testdev_csum(&c->dev), ==,
                    dma_testdev_checksum(want, LEN));
    dma_testdev_buffer_read(&c->dev, got, LEN);
    g_assert_cmpmem(want, LEN, got, LEN);
}

/*
 * A write through @iova lands at @pa, a read of @iova reads it back, no
 * event is recorded and query-smmuv3 reports the stream as @kind
 */
static void assert_translates(QSMMUBench *c, uint64_t iova, uint64_t pa,
                              uint32_t seed, const char *kind)
{
    assert_write_lands(c, iova, pa, 0, seed);
    assert_read_from(c, iova, pa);
    qsmmu_assert_no_event(&c->smmu);
    qsmmu_assert_kind(c->qts, DEV_SID, kind);
}

/* Event checks */

/*
 * Exactly one event is queued, of @type, from the test device, and its
 * SubstreamID field is 0 too
 */
static void pop_one_event(QSMMUBench *c, uint8_t type, QSMMUEvent *ev)
{
    qsmmu_pop_one_event(&c->smmu, DEV_SID, type, ev);
    g_assert_cmphex(ev->ssid, ==, 0);
}

/* A write is terminated with exactly one event of @type */
static void assert_fault(QSMMUBench *c, uint8_t type, QSMMUEvent *ev)
{
    qsmmu_bench_assert_write_blocked(c, IOVA, EVT_LEN,
                                     DMA_TESTDEV_RESULT_FAULT);
    pop_one_event(c, type, ev);
    qsmmu_assert_no_event(&c->smmu);
}

/* A write is terminated without an event */
static void assert_abort(QSMMUBench *c)
{
    qsmmu_bench_assert_write_blocked(c, IOVA, LEN, DMA_TESTDEV_RESULT_ABORT);
    qsmmu_assert_no_event(&c->smmu);
}

/* Configuration builders */

static void stage2_default(QSMMUStage2 *s2, uint64_t s2ttb)
{
    memset(s2, 0, sizeof(*s2));
    s2->vmid = VMID;
    s2->s2ttb = s2ttb;
    s2->t0sz = S2_T0SZ;
    s2->sl0 = S2_SL0;
    s2->tg = QSMMU_S2TG_4K;
    s2->ps = QSMMU_PS_44;
}

/* Stage 1 tables IOVA -> @out, and a CD for them; returns the CD address */
static uint64_t make_s1(QSMMUBench *c, uint64_t out, uint64_t *cd)
{
    return qsmmu_cd_store_s1_page(&c->smmu, cd, ASID, S1_T0SZ, IOVA, out);
}

/* A stage-1 STE for IOVA -> PA */
static void set_s1(QSMMUBench *c, uint64_t *ste, uint64_t *cd)
{
    uint64_t cdptr = make_s1(c, PA, cd);

    qsmmu_ste_s1(ste, cdptr, QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
    qsmmu_write_ste(&c->smmu, DEV_SID, ste);
}

/* A stage-2 STE for @ipa -> PA */
static void set_s2(QSMMUBench *c, uint64_t *ste, uint64_t ipa)
{
    QSMMUPageTable pt;
    QSMMUStage2 s2;

    qsmmu_pt_new_s2(&c->smmu, &pt, S2_T0SZ, S2_SL0);
    qsmmu_pt_map(&pt, ipa, PA, 4096, QSMMU_PROT_RW);
    stage2_default(&s2, pt.root);
    qsmmu_ste_s2(ste, &s2);
    qsmmu_write_ste(&c->smmu, DEV_SID, ste);
}

/*
 * A nested STE: stage 1 IOVA -> IPA, stage 2 IPA -> PA.  Stage 2 maps the
 * tables and CD that stage 1 uses at the same addresses, unless
 * @cd_unmapped leaves the page of the CD out.
 */
static void set_nested(QSMMUBench *c, uint64_t *ste, uint64_t *cd,
                       bool cd_unmapped,
                       uint64_t *cdptr)
{
    uint64_t start = c->smmu.mem_next;
    uint64_t end, a;
    QSMMUPageTable pt;
    QSMMUStage2 s2;

    *cdptr = make_s1(c, IPA, cd);
    end = c->smmu.mem_next;

    qsmmu_pt_new_s2(&c->smmu, &pt, S2_T0SZ, S2_SL0);
    qsmmu_pt_map(&pt, IPA, PA, 4096, QSMMU_PROT_RW);
    for (a = start & ~0xfffULL; a < end; a += 4096) {
        if (cd_unmapped && a == (*cdptr & ~0xfffULL)) {
            continue;
        }
        qsmmu_pt_map(&pt, a, a, 4096, QSMMU_PROT_READ);
    }
    stage2_default(&s2, pt.root);
    qsmmu_ste_nested(ste, *cdptr, QSMMU_S1FMT_LINEAR, 0,
                     QSMMU_S1DSS_TERMINATE, &s2);
    qsmmu_write_ste(&c->smmu, DEV_SID, ste);
}

/*
 * STE.Config (5.2)
 */

/* 0b001..0b011 are Reserved and behave as 0b000: abort, no event */
static void test_config_reserved(const void *data)
{
    uint32_t config = GPOINTER_TO_UINT(data);
    uint64_t ste[QSMMU_STE_WORDS];
    int i;
    QSMMUBench c;

    ctx_start(&c, 0);
    /* Every other field is ignored, however wild */
    for (i = 0; i < QSMMU_STE_WORDS; i++) {
        ste[i] = 0xdeadbeefcafef00dULL * (i + 1);
    }
    qsmmu_set(ste, QSMMU_STE_V, 1);
    qsmmu_set(ste, QSMMU_STE_CONFIG, config);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    assert_abort(&c);
    g_assert_cmpuint(dma_testdev_read(&c.dev, IOVA, LEN), ==,
                     DMA_TESTDEV_RESULT_ABORT);
    qsmmu_assert_no_event(&c.smmu);
    qsmmu_assert_kind(c.qts, DEV_SID, "abort");
    qsmmu_bench_stop(&c);
}

/* V = 0 with garbage elsewhere: C_BAD_STE (5.2, 7.3.5) */
static void test_ste_invalid_garbage(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUEvent ev;
    int i;
    QSMMUBench c;

    ctx_start(&c, 0);
    for (i = 0; i < QSMMU_STE_WORDS; i++) {
        ste[i] = ~0ULL;
    }
    qsmmu_set(ste, QSMMU_STE_V, 0);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    assert_fault(&c, QSMMU_EVT_C_BAD_STE, &ev);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");
    qsmmu_bench_stop(&c);
}

/*
 * virt-9.1 gives its SMMU stage 1 only (IDR0.S2P = 0): 0b110 and 0b111
 * are ILLEGAL, 0b101 translates.
 */
static void test_config_stage_not_implemented(void)
{
    QSMMUv3Config cfg = { 0 };
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    QSMMUStage2 s2;
    QSMMUEvent ev;
    uint64_t cdptr;
    QSMMUBench c;

    ctx_start_cfg(&c, "virt-9.1", &cfg);
    g_assert_false(c.smmu.idr[0] & QSMMU_IDR0_S2P);
    /* FWB is a stage 2 feature (6.3.4) */
    g_assert_false(c.smmu.idr[3] & QSMMU_IDR3_FWB);

    cdptr = make_s1(&c, PA, cd);
    stage2_default(&s2, SMMU_MEM);
    qsmmu_ste_s2(ste, &s2);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    assert_fault(&c, QSMMU_EVT_C_BAD_STE, &ev);

    qsmmu_ste_nested(ste, cdptr, QSMMU_S1FMT_LINEAR, 0,
                     QSMMU_S1DSS_TERMINATE, &s2);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    assert_fault(&c, QSMMU_EVT_C_BAD_STE, &ev);

    qsmmu_ste_s1(ste, cdptr, QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    assert_write_lands(&c, IOVA, PA, 0, 0x100);
    qsmmu_bench_finish(&c);
}

/*
 * Random STEs and CDs: whatever they hold, QEMU survives, an abort has
 * no event and a fault has exactly one, from the device's StreamID.
 */
static void test_ste_random(void)
{
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    GRand *rand = g_rand_new_with_seed(0x5eed);
    uint64_t cdptr;
    int n, i;
    QSMMUBench c;

    ctx_start(&c, 0);
    cdptr = qsmmu_cd_alloc(&c.smmu, 1);
    for (n = 0; n < 64; n++) {
        uint32_t result;
        QSMMUEvent ev;

        for (i = 0; i < QSMMU_STE_WORDS; i++) {
            ste[i] = ((uint64_t)g_rand_int(rand) << 32) | g_rand_int(rand);
            cd[i] = ((uint64_t)g_rand_int(rand) << 32) | g_rand_int(rand);
        }
        qsmmu_set(ste, QSMMU_STE_V, 1);
        /* Half of them point at a random CD, most at a translating Config */
        if (n & 1) {
            qsmmu_set(ste, QSMMU_STE_S1CONTEXTPTR, cdptr >> 6);
            qsmmu_set(cd, QSMMU_CD_V, 1);
            qsmmu_set(cd, QSMMU_CD_AA64, 1);
        }
        if (n & 2) {
            qsmmu_set(ste, QSMMU_STE_CONFIG, 4 | (n >> 2));
        }
        qsmmu_store_cd(&c.smmu, cdptr, cd);
        qsmmu_write_ste(&c.smmu, DEV_SID, ste);

        result = dma_testdev_write_pattern(&c.dev, IOVA, EVT_LEN, n);
        switch (result) {
        case DMA_TESTDEV_RESULT_OK:
        case DMA_TESTDEV_RESULT_ABORT:
            qsmmu_assert_no_event(&c.smmu);
            break;
        case DMA_TESTDEV_RESULT_FAULT:
            g_assert_cmpuint(qsmmu_evtq_count(&c.smmu), <=, 1);
            if (qsmmu_evtq_pop(&c.smmu, &ev)) {
                g_assert_cmphex(ev.sid, ==, DEV_SID);
            }
            break;
        default:
            g_error("STE %d: unexpected result %s", n,
                    dma_testdev_result_name(result));
        }
        /* Let a fixed, valid configuration through in between */
        qsmmu_ste_bypass(ste);
        qsmmu_write_ste(&c.smmu, DEV_SID, ste);
        qsmmu_cmd_tlbi_nsnh_all(&c.smmu);
        g_assert_true(qsmmu_cmd_sync(&c.smmu));
        assert_write_lands(&c, IOVA + 4096, IOVA + 4096, 0, n);
    }
    g_rand_free(rand);
    qsmmu_bench_stop(&c);
}

/*
 * Stage 1 fields of the STE (5.2)
 */

/* With SMMU_IDR1.SSIDSIZE = 0, S1CDMax, S1Fmt and S1DSS are IGNORED */
static void test_s1cdmax_ignored(void)
{
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    uint64_t cdptr;
    QSMMUBench c;

    ctx_start(&c, 0);
    if (extract32(c.smmu.idr[1], QSMMU_IDR1_SSIDSIZE_SHIFT,
                  QSMMU_IDR1_SSIDSIZE_LEN)) {
        g_test_skip("this SMMU implements substreams");
        qsmmu_bench_stop(&c);
        return;
    }
    cdptr = make_s1(&c, PA, cd);
    qsmmu_ste_s1(ste, cdptr, QSMMU_S1FMT_2LVL_64K, 5, QSMMU_S1DSS_SSID0);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    assert_write_lands(&c, IOVA, PA, 0, 0x200);
    qsmmu_assert_no_event(&c.smmu);
    qsmmu_assert_kind(c.qts, DEV_SID, "s1");
    qsmmu_bench_stop(&c);
}

/*
 * Context descriptor (5.4)
 */

/*
 * One address bit of CD.TTB0 or STE.S2TTB, whose fields hold address bits
 * [51:4] from bit 68 and bit 196 of the structure
 */
#define CD_TTB0_ADDR_BIT(n)     QSMMU_FIELD(68 + (n) - 4, 1)
#define STE_S2TTB_ADDR_BIT(n)   QSMMU_FIELD(196 + (n) - 4, 1)
/* One address bit of STE.S1ContextPtr, address bits [55:6] from bit 6 */
#define STE_S1CTXPTR_ADDR_BIT(n) QSMMU_FIELD(n, 1)

/* A field of an STE or a CD set to @value */
typedef struct FieldCase {
    const char *name;
    QSMMUField field;
    uint64_t value;
} FieldCase;

/*
 * The stream's DMA landed; after an invalid or ILLEGAL change to its STE
 * or CD, the same DMA faults with @type, moves nothing, and the stream
 * reads as invalid.
 */
static void assert_illegal_now(QSMMUBench *c, uint8_t type)
{
    QSMMUEvent ev;

    qsmmu_mem_mark(c->qts, PA, LEN);
    assert_fault(c, type, &ev);
    qsmmu_assert_untouched(c->qts, PA, LEN);
    qsmmu_assert_kind(c->qts, DEV_SID, "invalid");
}

/* Invalid and ILLEGAL CDs: C_BAD_CD (5.4, 7.3.11) */
static const FieldCase cd_cases[] = {
    { "v0", QSMMU_CD_V, 0 },
    { "aa32", QSMMU_CD_AA64, 0 },
    { "t0sz-40", QSMMU_CD_T0SZ, 40 },
    { "t0sz-15", QSMMU_CD_T0SZ, 15 },
    { "tg0-reserved", QSMMU_CD_TG0, 3 },
    { "endi-be", QSMMU_CD_ENDI, 1 },
    { "stall", QSMMU_CD_S, 1 },
    { "a0", QSMMU_CD_A, 0 },
    { "ha", QSMMU_CD_HA, 1 },
    { "ttb0-beyond-ips", CD_TTB0_ADDR_BIT(44), 1 },
    { "all-ones", QSMMU_FIELD(0, 64), ~0ULL },
};

static void test_cd_illegal(const void *data)
{
    const FieldCase *cc = data;
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    int i;
    QSMMUBench c;

    ctx_start(&c, 0);
    set_s1(&c, ste, cd);
    assert_write_lands(&c, IOVA, PA, 0, 0x400);
    if (!strcmp(cc->name, "all-ones")) {
        for (i = 0; i < QSMMU_CD_WORDS; i++) {
            cd[i] = ~0ULL;
        }
    } else {
        qsmmu_set(cd, cc->field, cc->value);
    }
    qsmmu_write_cd(&c.smmu, DEV_SID, 0,
                   qsmmu_get_addr(ste, QSMMU_STE_S1CONTEXTPTR), cd);
    assert_illegal_now(&c, QSMMU_EVT_C_BAD_CD);
    qsmmu_bench_stop(&c);
}

/*
 * A CD on a device's registers (found by fuzzing): S1ContextPtr at the GIC
 * CPU interface, whose GICC_IAR read acknowledges an interrupt.  The
 * fetch aborts (F_CD_FETCH) without reading the registers, for the DMA
 * and for query-smmuv3.  The base GIC asserts when GICC_IAR is read with
 * SGI 0 made pending by a GICD_SPENDSGIR0 write of 0, which the test sets
 * up first: reading the register kills QEMU.
 */
#define VIRT_GICD       0x08000000ULL
#define VIRT_GICC       0x08010000ULL

static void gic_arm_iar_trap(QTestState *qts)
{
    qtest_writel(qts, VIRT_GICD, 1);                /* GICD_CTLR */
    qtest_writel(qts, VIRT_GICC, 1);                /* GICC_CTLR */
    qtest_writel(qts, VIRT_GICC + 4, 0xff);         /* GICC_PMR */
    qtest_writeb(qts, VIRT_GICD + 0xf20, 0);        /* GICD_SPENDSGIR0 */
}

/*
 * A stage-1 STE whose CD (@cd_on_gic) or whose translation table (else)
 * is on the GIC CPU interface.  query-smmuv3 decodes it (as @kind) and
 * the DMA faults with @type, neither of them reading GICC_IAR.
 */
static void assert_gicc_not_read(bool cd_on_gic, const char *kind,
                                 uint8_t type, QSMMUEvent *ev)
{
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS], cdptr = VIRT_GICC;
    QSMMUBench c;
    QDict *st;

    ctx_start(&c, 0);
    gic_arm_iar_trap(c.qts);
    if (!cd_on_gic) {
        cdptr = qsmmu_cd_store_s1(&c.smmu, cd, ASID, VIRT_GICC, S1_T0SZ,
                                  QSMMU_PS_44);
    }
    qsmmu_ste_s1(ste, cdptr, QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    st = qsmmu_query_stream(c.qts, DEV_SID);
    g_assert_cmpstr(qdict_get_str(st, "kind"), ==, kind);
    qobject_unref(st);
    assert_fault(&c, type, ev);
    qsmmu_bench_stop(&c);
}

static void test_cd_mmio(void)
{
    QSMMUEvent ev;

    assert_gicc_not_read(true, "invalid", QSMMU_EVT_F_CD_FETCH, &ev);
    g_assert_cmphex(ev.fetch_addr, ==, VIRT_GICC);
}

/*
 * Translation tables on a device's registers: CD.TTB0 at the GIC CPU
 * interface.  The walk is an external abort (F_WALK_EABT).
 */
static void test_ttb_mmio(void)
{
    QSMMUEvent ev;

    assert_gicc_not_read(false, "s1", QSMMU_EVT_F_WALK_EABT, &ev);
    g_assert_cmphex(ev.input_addr, ==, IOVA);
}

/*
 * Stage 2 (5.2 S2*)
 */

/* Stage 2 only: the hypervisor's view of a guest's identity domain */
static void test_s2_translate(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUBench c;

    ctx_start(&c, 0);
    set_s2(&c, ste, IPA);
    assert_translates(&c, IPA, PA, 0x500, "s2");
    qsmmu_bench_stop(&c);
}

/*
 * STE.S2FWB (5.2, SMMU_IDR3.FWB): stage 2 forces the memory type and
 * cacheability of the stage 1 output.  Linux's vIOMMU (iommufd nesting)
 * requires IDR3.FWB and sets S2FWB in every stage 2 STE it builds.  QEMU's
 * memory is coherent, so the data path is the same as without it.
 */
static void test_s2_fwb(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUBench c;

    ctx_start(&c, 0);
    g_assert_true(c.smmu.idr[0] & QSMMU_IDR0_S2P);
    g_assert_true(c.smmu.idr[3] & QSMMU_IDR3_FWB);
    set_s2(&c, ste, IPA);
    qsmmu_set(ste, QSMMU_STE_S2FWB, 1);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    assert_translates(&c, IPA, PA, 0x600, "s2");
    qsmmu_bench_stop(&c);
}

/* An unmapped IPA: stage 2 F_TRANSLATION with the IPA (7.3.13) */
static void test_s2_fault(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c, 0);
    set_s2(&c, ste, IPA);
    qsmmu_bench_assert_write_blocked(&c, UNMAPPED + 0x18, EVT_LEN,
                         DMA_TESTDEV_RESULT_FAULT);
    pop_one_event(&c, QSMMU_EVT_F_TRANSLATION, &ev);
    g_assert_true(ev.s2);
    g_assert_cmpuint(ev.class, ==, QSMMU_CLASS_IN);
    g_assert_cmphex(ev.input_addr, ==, UNMAPPED + 0x18);
    g_assert_cmphex(ev.ipa, ==, UNMAPPED);
    g_assert_false(ev.rnw);
    qsmmu_bench_finish(&c);
}

/*
 * ILLEGAL stage 1 fields of the STE: C_BAD_STE.  S1STALLD = 1 is ILLEGAL
 * where stalls are not supported (SMMU_IDR0.STALL_MODEL = 0b01), and an
 * S1ContextPtr beyond the OAS (3.4.3).
 */
static const FieldCase s1_cases[] = {
    { "s1stalld", QSMMU_STE_S1STALLD, 1 },
    { "ctxptr-beyond-oas", STE_S1CTXPTR_ADDR_BIT(47), 1 },
};

/* ILLEGAL stage 2 fields: C_BAD_STE, and never an assertion */
static const FieldCase s2_cases[] = {
    { "s2tg-reserved", QSMMU_STE_S2TG, 3 },
    { "s2t0sz-63", QSMMU_STE_S2T0SZ, 63 },
    { "s2t0sz-40", QSMMU_STE_S2T0SZ, 40 },
    { "s2t0sz-below-ias", QSMMU_STE_S2T0SZ, 16 },
    { "s2sl0-reserved", QSMMU_STE_S2SL0, 3 },
    { "s2sl0-inconsistent", QSMMU_STE_S2SL0, 0 },
    { "s2ttb-beyond-ps", STE_S2TTB_ADDR_BIT(44), 1 },
    { "s2endi-be", QSMMU_STE_S2ENDI, 1 },
    { "s2ha", QSMMU_STE_S2HA, 1 },
    { "s2hd", QSMMU_STE_S2HD, 1 },
    { "s2s", QSMMU_STE_S2S, 1 },
};

/*
 * A stage 1 (@data in s1_cases) or a stage 2 (in s2_cases) STE that
 * translates, then one ILLEGAL field: C_BAD_STE, and never an assertion
 */
static void test_ste_illegal(const void *data)
{
    const FieldCase *fc = data;
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    QSMMUBench c;

    ctx_start(&c, 0);
    if (fc >= s1_cases && fc < s1_cases + ARRAY_SIZE(s1_cases)) {
        g_assert_cmpuint(extract32(c.smmu.idr[0],
                                   QSMMU_IDR0_STALL_MODEL_SHIFT,
                                   QSMMU_IDR0_STALL_MODEL_LEN),
                         ==, QSMMU_STALL_MODEL_NO_STALL);
        set_s1(&c, ste, cd);
    } else {
        set_s2(&c, ste, IOVA);
    }
    assert_write_lands(&c, IOVA, PA, 0, 0x700);
    qsmmu_set(ste, fc->field, fc->value);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    assert_illegal_now(&c, QSMMU_EVT_C_BAD_STE);
    qsmmu_bench_stop(&c);
}

/*
 * Nested: stage 1 then stage 2 (Config 0b111)
 */

/* The data lands at the stage-2 output of the stage-1 output */
static void test_nested_translate(void)
{
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    uint64_t cdptr;
    QSMMUBench c;

    ctx_start(&c, 0);
    set_nested(&c, ste, cd, false, &cdptr);
    assert_write_lands(&c, IOVA, PA, IPA, 0x800);
    assert_read_from(&c, IOVA, PA);
    qsmmu_assert_no_event(&c.smmu);
    qsmmu_assert_kind(c.qts, DEV_SID, "nested");
    qsmmu_bench_stop(&c);
}

/* A CD at an IPA stage 2 does not map: F_TRANSLATION, S2, CLASS = CD */
static void test_nested_cd_s2_fault(void)
{
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    uint64_t cdptr;
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c, 0);
    set_nested(&c, ste, cd, true, &cdptr);
    assert_fault(&c, QSMMU_EVT_F_TRANSLATION, &ev);
    g_assert_true(ev.s2);
    g_assert_cmpuint(ev.class, ==, QSMMU_CLASS_CD);
    g_assert_cmphex(ev.input_addr, ==, IOVA);
    g_assert_cmphex(ev.ipa, ==, cdptr & ~0xfffULL);
    qsmmu_bench_stop(&c);
}

/*
 * Stream table (5.1, 6.3.24, 6.3.25)
 */

/* A StreamID at or beyond 2^LOG2SIZE: C_BAD_STREAMID if CR2.RECINVSID */
static void test_streamid_beyond_table(void)
{
    QSMMUv3Config cfg = { .sid_bits = 5 };
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start_cfg(&c, "virt", &cfg);
    assert_fault(&c, QSMMU_EVT_C_BAD_STREAMID, &ev);

    /* Without RECINVSID the transaction is still terminated, silently */
    qsmmu_writel(&c.smmu, QSMMU_CR2, qsmmu_readl(&c.smmu, QSMMU_CR2) &
                 ~QSMMU_CR2_RECINVSID);
    qsmmu_mem_mark(c.qts, IOVA, LEN);
    g_assert_cmpuint(dma_testdev_write_pattern(&c.dev, IOVA, EVT_LEN, 1),
                     !=, DMA_TESTDEV_RESULT_OK);
    qsmmu_assert_untouched(c.qts, IOVA, LEN);
    qsmmu_bench_finish(&c);
}

/*
 * LOG2SIZE up to 63 (6.3.24): a linear table is aligned to the size that
 * the literal LOG2SIZE gives, not limited by SIDSIZE, so ADDR[68:0], the
 * whole address, is taken as 0: the device's STE is read at 0x800, not
 * from the table at STRTAB_BASE, whose bypass STE must not be used.
 */
static void test_log2size_max(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c, 0);
    qsmmu_ste_bypass(ste);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    assert_write_lands(&c, IOVA, IOVA, 0, 0xb00);

    qsmmu_disable(&c.smmu);
    qsmmu_writel(&c.smmu, QSMMU_STRTAB_BASE_CFG, 63);
    qsmmu_enable(&c.smmu);
    qsmmu_cmd_cfgi_all(&c.smmu);
    g_assert_true(qsmmu_cmd_sync(&c.smmu));
    qsmmu_bench_assert_write_blocked(&c, IOVA, EVT_LEN,
                                     DMA_TESTDEV_RESULT_FAULT);
    g_assert_true(qsmmu_evtq_pop(&c.smmu, &ev));
    g_test_message("event 0x%x, fetch address 0x%" PRIx64, ev.type,
                   ev.fetch_addr);
    g_assert_true(ev.type == QSMMU_EVT_C_BAD_STE ||
                  (ev.type == QSMMU_EVT_F_STE_FETCH &&
                   ev.fetch_addr == DEV_SID * 64));
    g_assert_cmphex(ev.sid, ==, DEV_SID);
    qsmmu_evtq_drain(&c.smmu);
    qsmmu_bench_stop(&c);
}

/* Reserved Spans (12..31) and Spans above SPLIT + 1 reach no STE */
static void test_2lvl_span_reserved(const void *data)
{
    uint32_t span = GPOINTER_TO_UINT(data);
    uint64_t ste[QSMMU_STE_WORDS];
    uint64_t l2;
    QSMMUEvent ev;
    int i;
    QSMMUBench c;

    ctx_start(&c, 6);
    l2 = qsmmu_l2_alloc(&c.smmu, 7);
    qsmmu_ste_bypass(ste);
    for (i = 0; i < QSMMU_STE_WORDS; i++) {
        qsmmu_mem_writeq(&c.smmu, l2 + DEV_SID * 64 + i * 8, ste[i]);
    }
    qsmmu_l2_install(&c.smmu, DEV_SID, l2, span);
    assert_fault(&c, QSMMU_EVT_C_BAD_STREAMID, &ev);
    qsmmu_bench_stop(&c);
}

/* An L2 table where nothing answers: F_STE_FETCH with the STE's PA */
static void test_2lvl_fetch_abort(void)
{
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c, 6);
    qsmmu_l2_install(&c.smmu, DEV_SID, NO_MEMORY, 7);
    assert_fault(&c, QSMMU_EVT_F_STE_FETCH, &ev);
    g_assert_cmphex(ev.fetch_addr, ==, NO_MEMORY + DEV_SID * 64);
    qsmmu_bench_stop(&c);
}

/* One test per row of @cases, named /arm/smmuv3/ste/@dir/<row> */
static void add_field_cases(const char *dir, const FieldCase *cases,
                            size_t n, GTestDataFunc fn)
{
    size_t i;

    for (i = 0; i < n; i++) {
        qsmmu_add_case(&cases[i], fn, "/arm/smmuv3/ste/%s/%s", dir,
                       cases[i].name);
    }
}

int main(int argc, char **argv)
{
    int i;

    g_test_init(&argc, &argv, NULL);

    for (i = 1; i <= 3; i++) {
        qsmmu_add_case(GUINT_TO_POINTER(i), test_config_reserved,
                       "/arm/smmuv3/ste/config/reserved-%d", i);
    }
    qtest_add_func("/arm/smmuv3/ste/config/stage-not-implemented",
                   test_config_stage_not_implemented);
    qtest_add_func("/arm/smmuv3/ste/invalid-garbage",
                   test_ste_invalid_garbage);
    qtest_add_func("/arm/smmuv3/ste/random", test_ste_random);
    qtest_add_func("/arm/smmuv3/ste/s1/cdmax-ignored", test_s1cdmax_ignored);
    add_field_cases("s1/illegal", s1_cases, ARRAY_SIZE(s1_cases),
                    test_ste_illegal);
    add_field_cases("cd/illegal", cd_cases, ARRAY_SIZE(cd_cases),
                    test_cd_illegal);
    qtest_add_func("/arm/smmuv3/ste/cd/mmio", test_cd_mmio);
    qtest_add_func("/arm/smmuv3/ste/s1/ttb-mmio", test_ttb_mmio);
    qtest_add_func("/arm/smmuv3/ste/s2/translate", test_s2_translate);
    qtest_add_func("/arm/smmuv3/ste/s2/fault", test_s2_fault);
    qtest_add_func("/arm/smmuv3/ste/s2/fwb", test_s2_fwb);
    add_field_cases("s2/illegal", s2_cases, ARRAY_SIZE(s2_cases),
                    test_ste_illegal);
    qtest_add_func("/arm/smmuv3/ste/nested/translate",
                   test_nested_translate);
    qtest_add_func("/arm/smmuv3/ste/nested/cd-s2-fault",
                   test_nested_cd_s2_fault);
    qtest_add_func("/arm/smmuv3/ste/strtab/streamid-beyond",
                   test_streamid_beyond_table);
    qtest_add_func("/arm/smmuv3/ste/strtab/log2size-63", test_log2size_max);
    qtest_add_data_func("/arm/smmuv3/ste/strtab/span-12",
                        GUINT_TO_POINTER(12), test_2lvl_span_reserved);
    qtest_add_data_func("/arm/smmuv3/ste/strtab/span-31",
                        GUINT_TO_POINTER(31), test_2lvl_span_reserved);
    qtest_add_data_func("/arm/smmuv3/ste/strtab/span-beyond-split",
                        GUINT_TO_POINTER(8), test_2lvl_span_reserved);
    qtest_add_func("/arm/smmuv3/ste/strtab/fetch-abort",
                   test_2lvl_fetch_abort);

    return g_test_run();
}
