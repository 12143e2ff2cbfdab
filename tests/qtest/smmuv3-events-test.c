/*
 * QTest for the Arm SMMUv3: event records, the Event queue, command
 * errors, GERROR/GERRORN and GBPA
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The DMA test device (00:04.0, StreamID 0x20) makes faulting and
 * passing DMAs; each case checks the event records word by word (IHI 0070
 * 7.3), the queue and error registers (6.3) and the bytes in memory.
 * Where a case sets up the stream's configuration, query-smmuv3 must
 * give the stream the matching domain kind before any DMA.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "qapi/error.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "libqos/libqos-malloc.h"
#include "libqos/generic-pcihost.h"
#include "libqos/dma-testdev.h"
#include "libqos/smmuv3.h"

#define DEV_SID         QSMMU_BENCH_SID

/* Guest RAM plan: see QSMMUBench */
#define SMMU_MEM_SIZE   (48 * MiB)
#define DMA_PA          0x50000000ULL
#define IOVA            0x50100000ULL   /* mapped read-write */
#define IOVA_RO         0x50101000ULL   /* mapped read-only */
#define IOVA_NOAF       0x50102000ULL   /* mapped, Access flag clear */
#define IOVA_PRIV       0x50103000ULL   /* privileged accesses only */
#define IOVA_HOLE       0x50200000ULL   /* not mapped */
#define PA              0x52345000ULL
#define PA_HIGH         0x100000000ULL  /* beyond a 32-bit IPS */
#define NO_MEMORY       0x80000000000ULL /* nothing decodes here */

#define ASID            1
#define VMID            3
#define T0SZ            16
#define S2_T0SZ         32
#define S2_SL0          1

#define LEN             256             /* 64 bus pieces of 4 bytes */

/* Start the virt board (stage=nested SMMU) and bring the SMMU up */
static void ctx_start_cfg(QSMMUBench *c, QSMMUv3Config *cfg)
{
    cfg->mem = QSMMU_BENCH_SMMU_MEM;
    cfg->mem_size = SMMU_MEM_SIZE;
    qsmmu_bench_start(c, NULL, NULL, cfg);
}

static void ctx_start(QSMMUBench *c)
{
    QSMMUv3Config cfg = { 0 };

    ctx_start_cfg(c, &cfg);
}

/* DMA helpers */

static uint32_t dma_write(QSMMUBench *c, uint64_t iova, uint32_t len)
{
    return dma_testdev_write_pattern(&c->dev, iova, len, 0x1234);
}

/* A write of LEN bytes at @iova lands at @pa */
static void assert_write_lands(QSMMUBench *c, uint64_t iova, uint64_t pa)
{
    qsmmu_mem_mark(c->qts, pa, LEN);
    g_assert_cmpstr(dma_testdev_result_name(dma_write(c, iova, LEN)), ==,
                    "ok");
    qsmmu_assert_pattern(c->qts, pa, LEN, 0x1234);
}

/* A write of LEN bytes at @iova ends in @result and changes no memory */
static void assert_write_stopped(QSMMUBench *c, uint64_t iova, uint32_t result)
{
    qsmmu_mem_mark(c->qts, iova, LEN);
    g_assert_cmpstr(dma_testdev_result_name(dma_write(c, iova, LEN)), ==,
                    dma_testdev_result_name(result));
    g_assert_cmpuint(dma_testdev_done(&c->dev), ==, 0);
    qsmmu_assert_untouched(c->qts, iova, LEN);
}

/* Event checks */

/*
 * Exactly one record is queued: of @type, from the test device, without
 * a SubstreamID.  Word 0 holds nothing else (no Stall, no STAG).
 */
static void pop_only_event(QSMMUBench *c, uint8_t type, QSMMUEvent *ev)
{
    qsmmu_pop_one_event(&c->smmu, DEV_SID, type, ev);
    g_assert_cmphex(ev->raw[0], ==, ((uint64_t)DEV_SID << 32) | type);
}

/* A translation fault record (7.3.12 to 7.3.15) for the test device */
static void assert_walk_fault(const QSMMUEvent *ev, uint64_t iova, bool rnw,
                              bool s2, uint64_t ipa)
{
    uint64_t w[QSMMU_EVT_WORDS] = { 0 };

    g_assert_cmphex(ev->input_addr, ==, iova);
    g_assert_cmpuint(ev->rnw, ==, rnw);
    g_assert_cmpuint(ev->s2, ==, s2);
    g_assert_cmpuint(ev->class, ==, QSMMU_CLASS_IN);
    g_assert_false(ev->pnu);
    g_assert_false(ev->ind);
    g_assert_false(ev->stall);
    /* Bits [127:64]: only RnW, S2 and CLASS are set */
    qsmmu_set(w, QSMMU_EVT_RNW, rnw);
    qsmmu_set(w, QSMMU_EVT_S2, s2);
    qsmmu_set(w, QSMMU_EVT_CLASS, QSMMU_CLASS_IN);
    g_assert_cmphex(ev->raw[1], ==, w[1]);
    /* Bits [255:192]: the IPA for a stage-2 fault, else nothing */
    g_assert_cmphex(ev->raw[3], ==, s2 ? (ipa & ~0xfffULL) : 0);
}

/* Stream configurations */

static void set_ste(QSMMUBench *c, void (*make)(uint64_t *ste))
{
    uint64_t ste[QSMMU_STE_WORDS];

    make(ste);
    qsmmu_write_ste(&c->smmu, DEV_SID, ste);
}

/*
 * Stage 1 with one CD: IOVA read-write -> PA, IOVA_RO read-only,
 * IOVA_NOAF with its Access flag clear, IOVA_HOLE not mapped.  @ips is
 * the CD's IPS; PA_HIGH is mapped at IOVA + 16 KiB.
 */
static void set_ste_s1_privcfg(QSMMUBench *c, uint8_t ips, uint8_t privcfg)
{
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    QSMMUPageTable pt;
    uint64_t cdptr, desc;

    qsmmu_pt_new(&c->smmu, &pt, T0SZ);
    qsmmu_pt_map(&pt, IOVA, PA, 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt, IOVA_RO, PA, 4096, QSMMU_PROT_READ);
    qsmmu_pt_map(&pt, IOVA_NOAF, PA, 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt, IOVA + 0x4000, PA_HIGH, 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt, IOVA_PRIV, PA, 4096,
                 QSMMU_PROT_RW | QSMMU_PROT_PRIV_ONLY);
    desc = qsmmu_pt_desc_addr(&pt, IOVA_NOAF);
    g_assert(desc);
    qsmmu_mem_writeq(&c->smmu, desc,
                     qsmmu_mem_readq(&c->smmu, desc) & ~BIT_ULL(10));

    cdptr = qsmmu_cd_store_s1(&c->smmu, cd, ASID, pt.root, T0SZ, ips);
    qsmmu_ste_s1(ste, cdptr, QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
    qsmmu_set(ste, QSMMU_STE_PRIVCFG, privcfg);
    qsmmu_write_ste(&c->smmu, DEV_SID, ste);
}

static void set_ste_s1(QSMMUBench *c, uint8_t ips)
{
    set_ste_s1_privcfg(c, ips, 0);
}

/* Event records */

/* STE.V = 0 (5.2): one C_BAD_STE for a 256-byte DMA, StreamID only */
static void test_c_bad_ste(void)
{
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c);
    set_ste(&c, qsmmu_ste_invalid);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_FAULT);
    pop_only_event(&c, QSMMU_EVT_C_BAD_STE, &ev);
    g_assert_cmphex(ev.raw[1], ==, 0);
    g_assert_cmphex(ev.raw[2], ==, 0);
    g_assert_cmphex(ev.raw[3], ==, 0);
    qsmmu_bench_finish(&c);
}

/* A StreamID beyond STRTAB_BASE_CFG.LOG2SIZE: C_BAD_STREAMID (7.3.3) */
static void test_c_bad_streamid(void)
{
    QSMMUv3Config cfg = { .sid_bits = 5 };  /* StreamIDs 0..0x1f */
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start_cfg(&c, &cfg);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_FAULT);
    pop_only_event(&c, QSMMU_EVT_C_BAD_STREAMID, &ev);
    g_assert_cmphex(ev.raw[1] | ev.raw[2] | ev.raw[3], ==, 0);
    qsmmu_bench_stop(&c);
}

/* The stream table cannot be read: F_STE_FETCH naming the STE (7.3.4) */
static void test_f_ste_fetch(void)
{
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c);
    qsmmu_disable(&c.smmu);
    qsmmu_writeq(&c.smmu, QSMMU_STRTAB_BASE, NO_MEMORY);
    qsmmu_cmd_cfgi_all(&c.smmu);
    g_assert_true(qsmmu_cmd_sync(&c.smmu));
    qsmmu_enable(&c.smmu);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");

    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_FAULT);
    pop_only_event(&c, QSMMU_EVT_F_STE_FETCH, &ev);
    g_assert_cmphex(ev.fetch_addr, ==, NO_MEMORY + DEV_SID * 64);
    g_assert_cmphex(ev.raw[1] | ev.raw[2], ==, 0);
    qsmmu_bench_stop(&c);
}

/* CD.V = 0 behind a stage-1 STE: C_BAD_CD (7.3.10) */
static void test_c_bad_cd(void)
{
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    uint64_t cdptr;
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c);
    cdptr = qsmmu_cd_alloc(&c.smmu, 1);
    qsmmu_cd_invalid(cd);
    qsmmu_store_cd(&c.smmu, cdptr, cd);
    qsmmu_ste_s1(ste, cdptr, QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");

    assert_write_stopped(&c, IOVA, DMA_TESTDEV_RESULT_FAULT);
    pop_only_event(&c, QSMMU_EVT_C_BAD_CD, &ev);
    g_assert_cmphex(ev.raw[1] | ev.raw[2] | ev.raw[3], ==, 0);
    qsmmu_bench_stop(&c);
}

/*
 * One transaction, one event (7.3): a DMA that faults ends at the fault
 * and is one failed transaction whatever its length, so one record and
 * one fault in query-smmuv3.  Two DMAs are two transactions, even when
 * the second starts in the same page where the first one ended.
 */
static void test_one_per_transaction(void)
{
    uint64_t addr[] = { IOVA_HOLE, IOVA_HOLE, IOVA_HOLE + 0x100,
                        IOVA_HOLE + 0x104 };
    bool rnw[] = { false, true, false, false };
    QSMMUEvent ev;
    QSMMUBench c;
    QDict *st;
    int i;

    ctx_start(&c);
    set_ste_s1(&c, QSMMU_PS_44);
    qsmmu_assert_kind(c.qts, DEV_SID, "s1");

    /* A whole page each way: 1024 bus words, one transaction each */
    g_assert_cmpuint(dma_write(&c, IOVA_HOLE, 4096), ==,
                     DMA_TESTDEV_RESULT_FAULT);
    g_assert_cmpuint(dma_testdev_read(&c.dev, IOVA_HOLE, 4096), ==,
                     DMA_TESTDEV_RESULT_FAULT);
    g_assert_cmpuint(dma_testdev_done(&c.dev), ==, 0);
    /* Back to back in one page */
    g_assert_cmpuint(dma_write(&c, IOVA_HOLE + 0x100, 4), ==,
                     DMA_TESTDEV_RESULT_FAULT);
    g_assert_cmpuint(dma_write(&c, IOVA_HOLE + 0x104, 4), ==,
                     DMA_TESTDEV_RESULT_FAULT);

    for (i = 0; i < ARRAY_SIZE(addr); i++) {
        g_assert_true(qsmmu_evtq_pop(&c.smmu, &ev));
        g_assert_cmphex(ev.raw[0], ==,
                        ((uint64_t)DEV_SID << 32) | QSMMU_EVT_F_TRANSLATION);
        assert_walk_fault(&ev, addr[i], rnw[i], false, 0);
    }
    g_assert_false(qsmmu_evtq_pop(&c.smmu, &ev));

    st = qsmmu_query_stream(c.qts, DEV_SID);
    g_assert_cmpuint(qdict_get_int(st, "faults"), ==, ARRAY_SIZE(addr));
    g_assert_cmpuint(qdict_get_int(st, "translations"), ==, 0);
    qobject_unref(st);
    qsmmu_bench_stop(&c);
}

/*
 * Privilege (5.2 STE.PRIVCFG, VMSAv8-64 AP[1]): a PCIe transaction without
 * a PASID prefix is unprivileged, so a page without AP[1] refuses it with
 * F_PERMISSION, PnU = 0, and moves nothing.  PRIVCFG = 0b11 makes the
 * stream privileged: the page takes its DMA, and a write to a read-only
 * page reports PnU = 1.  PRIVCFG = 0b10 is unprivileged again.
 */
static void test_f_permission_priv(void)
{
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c);
    set_ste_s1(&c, QSMMU_PS_44);
    assert_write_stopped(&c, IOVA_PRIV, DMA_TESTDEV_RESULT_FAULT);
    pop_only_event(&c, QSMMU_EVT_F_PERMISSION, &ev);
    assert_walk_fault(&ev, IOVA_PRIV, false, false, 0);
    g_assert_cmpuint(dma_testdev_read(&c.dev, IOVA_PRIV, LEN), ==,
                     DMA_TESTDEV_RESULT_FAULT);
    pop_only_event(&c, QSMMU_EVT_F_PERMISSION, &ev);
    assert_walk_fault(&ev, IOVA_PRIV, true, false, 0);

    set_ste_s1_privcfg(&c, QSMMU_PS_44, QSMMU_PRIVCFG_PRIV);
    assert_write_lands(&c, IOVA_PRIV, PA);
    assert_write_stopped(&c, IOVA_RO, DMA_TESTDEV_RESULT_FAULT);
    qsmmu_pop_one_event(&c.smmu, DEV_SID, QSMMU_EVT_F_PERMISSION, &ev);
    g_assert_cmphex(ev.input_addr, ==, IOVA_RO);
    g_assert_true(ev.pnu);

    /* The TLB keeps what the privileged walk allowed until a TLBI */
    set_ste_s1_privcfg(&c, QSMMU_PS_44, QSMMU_PRIVCFG_UNPRIV);
    qsmmu_cmd_tlbi_nh_asid(&c.smmu, ASID, 0);
    g_assert_true(qsmmu_cmd_sync(&c.smmu));
    assert_write_stopped(&c, IOVA_PRIV, DMA_TESTDEV_RESULT_FAULT);
    pop_only_event(&c, QSMMU_EVT_F_PERMISSION, &ev);
    qsmmu_bench_stop(&c);
}

/*
 * Stage-1 walk faults (7.3.12 to 7.3.15), one row each.  A DMA through
 * the mapped page lands first; then the faulting DMA moves no byte and
 * queues exactly one record, with the input address of its first byte,
 * RnW, CLASS = IN, S2 = 0 and no IPA.
 */
typedef struct WalkFault {
    const char *name;
    uint8_t ips;            /* CD.IPS */
    uint64_t iova;
    bool read;              /* else a write */
    uint8_t type;
    bool readable;          /* a read of @iova passes afterwards */
} WalkFault;

static const WalkFault walk_faults[] = {
    /* Not mapped */
    { "f-translation", QSMMU_PS_44, IOVA_HOLE + 0x40, false,
      QSMMU_EVT_F_TRANSLATION },
    { "f-translation-read", QSMMU_PS_44, IOVA_HOLE + 0x40, true,
      QSMMU_EVT_F_TRANSLATION },
    /* A read-only page: writes fault, reads pass */
    { "f-permission", QSMMU_PS_44, IOVA_RO, false, QSMMU_EVT_F_PERMISSION,
      true },
    /* The Access flag clear, CD.AFFD = 0 */
    { "f-access", QSMMU_PS_44, IOVA_NOAF + 0x100, true, QSMMU_EVT_F_ACCESS },
    /* An output address beyond CD.IPS (32 bits) */
    { "f-addr-size", QSMMU_PS_32, IOVA + 0x4000, false,
      QSMMU_EVT_F_ADDR_SIZE },
};

static void test_walk_fault(const void *data)
{
    const WalkFault *w = data;
    uint8_t mem[LEN];
    QSMMUEvent ev;
    QSMMUBench c;
    uint32_t result;

    ctx_start(&c);
    set_ste_s1(&c, w->ips);
    qsmmu_assert_kind(c.qts, DEV_SID, "s1");
    assert_write_lands(&c, IOVA, PA);

    qsmmu_mem_mark(c.qts, PA, LEN);
    result = w->read ? dma_testdev_read(&c.dev, w->iova, LEN)
                     : dma_write(&c, w->iova, LEN);
    g_assert_cmpstr(dma_testdev_result_name(result), ==, "fault");
    g_assert_cmpuint(dma_testdev_done(&c.dev), ==, 0);
    qsmmu_assert_untouched(c.qts, PA, LEN);
    pop_only_event(&c, w->type, &ev);
    assert_walk_fault(&ev, w->iova, w->read, false, 0);

    if (w->readable) {
        qtest_memread(c.qts, PA, mem, LEN);
        g_assert_cmpuint(dma_testdev_read(&c.dev, w->iova, LEN), ==,
                         DMA_TESTDEV_RESULT_OK);
        g_assert_cmphex(dma_testdev_csum(&c.dev), ==,
                        dma_testdev_checksum(mem, LEN));
        qsmmu_assert_no_event(&c.smmu);
    }
    qsmmu_bench_stop(&c);
}

/*
 * Stage 2 only, IPA not mapped: F_TRANSLATION with S2 = 1, CLASS = IN and
 * the faulting IPA in bits [251:204] (7.3.12).
 */
static void test_f_translation_s2(void)
{
    QSMMUStage2 s2 = {
        .vmid = VMID, .t0sz = S2_T0SZ, .sl0 = S2_SL0,
        .tg = QSMMU_S2TG_4K, .ps = QSMMU_PS_44,
    };
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUPageTable pt;
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c);
    qsmmu_pt_new_s2(&c.smmu, &pt, S2_T0SZ, S2_SL0);
    qsmmu_pt_map(&pt, IOVA, PA, 4096, QSMMU_PROT_RW);
    s2.s2ttb = pt.root;
    qsmmu_ste_s2(ste, &s2);
    qsmmu_write_ste(&c.smmu, DEV_SID, ste);
    qsmmu_assert_kind(c.qts, DEV_SID, "s2");

    assert_write_lands(&c, IOVA, PA);
    g_assert_cmpuint(dma_testdev_read(&c.dev, IOVA_HOLE + 0x80, LEN), ==,
                     DMA_TESTDEV_RESULT_FAULT);
    pop_only_event(&c, QSMMU_EVT_F_TRANSLATION, &ev);
    assert_walk_fault(&ev, IOVA_HOLE + 0x80, true, true, IOVA_HOLE);
    g_assert_cmphex(ev.ipa, ==, IOVA_HOLE);
    qsmmu_bench_stop(&c);
}

/* The Event queue */

static uint32_t evtq_prod(QSMMUBench *c)
{
    return qsmmu_readl(&c->smmu, QSMMU_EVENTQ_PROD);
}

/* CR0.EVENTQEN = 0: the event is discarded, the queue is untouched */
static void test_eventq_disabled(void)
{
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c);
    set_ste(&c, qsmmu_ste_invalid);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");
    qsmmu_write_cr0(&c.smmu, c.smmu.cr0 & ~QSMMU_CR0_EVENTQEN);
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_FAULT);
    g_assert_cmphex(evtq_prod(&c), ==, 0);
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==, 0);

    qsmmu_write_cr0(&c.smmu, c.smmu.cr0 | QSMMU_CR0_EVENTQEN);
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_FAULT);
    pop_only_event(&c, QSMMU_EVT_C_BAD_STE, &ev);
    qsmmu_bench_stop(&c);
}

/* Point the Event queue at @addr (EVENTQEN toggled around the change) */
static void evtq_move(QSMMUBench *c, uint64_t addr)
{
    qsmmu_write_cr0(&c->smmu, c->smmu.cr0 & ~QSMMU_CR0_EVENTQEN);
    qsmmu_writeq(&c->smmu, QSMMU_EVENTQ_BASE, addr | c->smmu.evtq_log2);
    qsmmu_writel(&c->smmu, QSMMU_EVENTQ_PROD, 0);
    qsmmu_writel(&c->smmu, QSMMU_EVENTQ_CONS, 0);
    c->smmu.evtq = addr;
    c->smmu.evtq_cons = 0;
    qsmmu_write_cr0(&c->smmu, c->smmu.cr0 | QSMMU_CR0_EVENTQEN);
}

/* An abort on the record's write: GERROR.EVENTQ_ABT_ERR (7.2) */
static void test_eventq_abort(void)
{
    QSMMUBench c;

    ctx_start(&c);
    set_ste(&c, qsmmu_ste_invalid);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");
    evtq_move(&c, NO_MEMORY);
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_FAULT);
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==,
                    QSMMU_GERROR_EVENTQ_ABT_ERR);
    g_assert_cmphex(evtq_prod(&c), ==, 0);
    qsmmu_gerror_ack(&c.smmu, QSMMU_GERROR_EVENTQ_ABT_ERR);
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==, 0);
    qsmmu_bench_stop(&c);
}

/*
 * GERROR/GERRORN (6.3): an error is active while the bits differ.  A new
 * error of an active kind does not toggle GERROR; once acknowledged, the
 * next one toggles it again (so GERROR's bit goes back to 0).
 */
static void test_gerror_toggle(void)
{
    QSMMUBench c;

    ctx_start(&c);
    set_ste(&c, qsmmu_ste_invalid);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");
    evtq_move(&c, NO_MEMORY);
    g_assert_cmphex(qsmmu_gerror(&c.smmu), ==, 0);

    dma_write(&c, DMA_PA, LEN);
    g_assert_cmphex(qsmmu_gerror(&c.smmu), ==, QSMMU_GERROR_EVENTQ_ABT_ERR);
    dma_write(&c, DMA_PA + 4096, LEN);
    g_assert_cmphex(qsmmu_gerror(&c.smmu), ==, QSMMU_GERROR_EVENTQ_ABT_ERR);

    qsmmu_gerror_ack(&c.smmu, QSMMU_GERROR_EVENTQ_ABT_ERR);
    g_assert_cmphex(qsmmu_gerrorn(&c.smmu), ==, QSMMU_GERROR_EVENTQ_ABT_ERR);
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==, 0);

    dma_write(&c, DMA_PA, LEN);
    g_assert_cmphex(qsmmu_gerror(&c.smmu), ==, 0);
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==,
                    QSMMU_GERROR_EVENTQ_ABT_ERR);
    qsmmu_gerror_ack(&c.smmu, QSMMU_GERROR_EVENTQ_ABT_ERR);
    g_assert_cmphex(qsmmu_gerrorn(&c.smmu), ==, 0);
    qsmmu_bench_stop(&c);
}

/* Command errors */

/*
 * A reserved opcode stops the queue on it; commands behind it wait.
 * Acknowledging without fixing it raises the error again; fixing it lets
 * the commands behind run (the CFGI_STE then makes the new STE count).
 */
static void test_cmdq_stop(void)
{
    uint64_t cmd[QSMMU_CMD_WORDS], ste[QSMMU_STE_WORDS];
    uint32_t at, gerror;
    QSMMUBench c;

    ctx_start(&c);
    set_ste(&c, qsmmu_ste_bypass);
    qsmmu_assert_kind(c.qts, DEV_SID, "bypass");
    assert_write_lands(&c, DMA_PA, DMA_PA);

    at = c.smmu.cmdq_prod;
    qsmmu_cmd_make(cmd, 0x07);                  /* CMD_CFGI_VMS_PIDM */
    qsmmu_cmd_push(&c.smmu, cmd);
    qsmmu_ste_abort(ste);
    qsmmu_store_ste(&c.smmu, DEV_SID, ste);
    qsmmu_cmd_cfgi_ste(&c.smmu, DEV_SID, true);
    g_assert_false(qsmmu_cmd_sync(&c.smmu));
    g_assert_cmphex(qsmmu_cmdq_cons(&c.smmu), ==, at);
    g_assert_cmpuint(qsmmu_cmdq_error(&c.smmu), ==, QSMMU_CERROR_ILL);
    gerror = qsmmu_gerror(&c.smmu);
    g_assert_cmphex(gerror ^ qsmmu_gerrorn(&c.smmu), ==,
                    QSMMU_GERROR_CMDQ_ERR);
    /* The CFGI_STE behind the bad command has not run */
    qsmmu_assert_kind(c.qts, DEV_SID, "bypass");
    assert_write_lands(&c, DMA_PA, DMA_PA);

    /* Acknowledged but not fixed: the same command fails again */
    qsmmu_gerror_ack(&c.smmu, QSMMU_GERROR_CMDQ_ERR);
    g_assert_cmphex(qsmmu_cmdq_cons(&c.smmu), ==, at);
    g_assert_cmphex(qsmmu_gerror(&c.smmu), ==,
                    gerror ^ QSMMU_GERROR_CMDQ_ERR);
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==,
                    QSMMU_GERROR_CMDQ_ERR);
    assert_write_lands(&c, DMA_PA, DMA_PA);

    /* Fixed: the rest of the queue runs */
    qsmmu_cmdq_recover(&c.smmu);
    g_assert_true(qsmmu_cmdq_wait(&c.smmu));
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==, 0);
    qsmmu_assert_kind(c.qts, DEV_SID, "abort");
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_ABORT);
    qsmmu_bench_finish(&c);
}

/* GBPA */

static void gbpa_wait(QSMMUBench *c)
{
    g_assert_cmphex(qsmmu_read_gbpa(&c->smmu) & QSMMU_GBPA_UPDATE, ==, 0);
}

/*
 * GBPA (6.3): a write without UPDATE is ignored; with UPDATE it applies,
 * UPDATE reads as 0 once done, every attribute field reads back and the
 * reserved bits read as 0.  SMMUEN = 0, so DMA follows GBPA.ABORT.
 */
static void test_gbpa_update(void)
{
    uint64_t want = 0;
    QSMMUBench c;
    QSMMUv3Config cfg = { .no_smmuen = true };

    ctx_start_cfg(&c, &cfg);
    g_assert_cmphex(qsmmu_read_gbpa(&c.smmu), ==, 0x1000);  /* SHCFG=01 */
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-bypass");
    assert_write_lands(&c, DMA_PA, DMA_PA);

    /* ABORT without UPDATE: ignored */
    qsmmu_writel(&c.smmu, QSMMU_GBPA, QSMMU_GBPA_ABORT);
    g_assert_cmphex(qsmmu_read_gbpa(&c.smmu), ==, 0x1000);
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-bypass");
    assert_write_lands(&c, DMA_PA, DMA_PA);

    /* Every field, reserved bits set too */
    qsmmu_set(&want, QSMMU_GBPA_MEMATTR, 0xa);
    qsmmu_set(&want, QSMMU_GBPA_MTCFG, 1);
    qsmmu_set(&want, QSMMU_GBPA_ALLOCCFG, 0x5);
    qsmmu_set(&want, QSMMU_GBPA_SHCFG, 2);
    qsmmu_set(&want, QSMMU_GBPA_PRIVCFG, 3);
    qsmmu_set(&want, QSMMU_GBPA_INSTCFG, 2);
    want |= QSMMU_GBPA_ABORT;
    qsmmu_writel(&c.smmu, QSMMU_GBPA,
                 want | QSMMU_GBPA_UPDATE | 0x7fe0c0e0);
    gbpa_wait(&c);
    g_assert_cmphex(qsmmu_read_gbpa(&c.smmu), ==, want);
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-abort");
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_ABORT);

    /* Clearing ABORT without UPDATE changes nothing */
    qsmmu_writel(&c.smmu, QSMMU_GBPA, want & ~QSMMU_GBPA_ABORT);
    g_assert_cmphex(qsmmu_read_gbpa(&c.smmu), ==, want);
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-abort");
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_ABORT);

    /* With UPDATE it does; the other fields are kept */
    qsmmu_set_gbpa(&c.smmu, false);
    g_assert_cmphex(qsmmu_read_gbpa(&c.smmu), ==, want & ~QSMMU_GBPA_ABORT);
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-bypass");
    assert_write_lands(&c, DMA_PA, DMA_PA);
    qsmmu_bench_finish(&c);
}

/*
 * CR0.SMMUEN switches between GBPA and the stream table at run time
 * (6.3 CR0, GBPA).  With SMMUEN = 0 not even an invalid STE is read.
 */
static void test_gbpa_smmuen_switch(void)
{
    QSMMUEvent ev;
    QSMMUBench c;

    ctx_start(&c);
    set_ste(&c, qsmmu_ste_bypass);
    qsmmu_set_gbpa(&c.smmu, true);
    qsmmu_assert_kind(c.qts, DEV_SID, "bypass");
    assert_write_lands(&c, DMA_PA, DMA_PA);         /* STE: bypass */

    qsmmu_disable(&c.smmu);
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-abort");
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_ABORT);
    qsmmu_enable(&c.smmu);
    qsmmu_assert_kind(c.qts, DEV_SID, "bypass");
    assert_write_lands(&c, DMA_PA, DMA_PA);

    set_ste(&c, qsmmu_ste_abort);
    qsmmu_set_gbpa(&c.smmu, false);
    qsmmu_assert_kind(c.qts, DEV_SID, "abort");
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_ABORT);
    qsmmu_disable(&c.smmu);
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-bypass");
    assert_write_lands(&c, DMA_PA, DMA_PA);         /* GBPA: bypass */

    set_ste(&c, qsmmu_ste_invalid);
    qsmmu_assert_kind(c.qts, DEV_SID, "gbpa-bypass");
    assert_write_lands(&c, DMA_PA, DMA_PA);
    qsmmu_assert_no_event(&c.smmu);
    qsmmu_enable(&c.smmu);
    qsmmu_assert_kind(c.qts, DEV_SID, "invalid");
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_FAULT);
    pop_only_event(&c, QSMMU_EVT_C_BAD_STE, &ev);
    qsmmu_bench_stop(&c);
}

/* Fault injection (x-smmuv3-inject-*, HMP smmuv3_inject) */

static void inject_event(QSMMUBench *c, const char *args)
{
    QObject *a = qobject_from_json(args, &error_abort);

    qtest_qmp_assert_success(c->qts, "{ 'execute': 'x-smmuv3-inject-event',"
                             " 'arguments': %p }", a);
}

/*
 * An injected record has the layout of its type (7.3): the translation
 * faults, a stage-2 one with its SubstreamID and IPA, the fetch faults
 * with FetchAddr, and the types this model never raises.
 */
static void test_inject_event(void)
{
    static const struct {
        const char *name;
        uint8_t type;
    } never_raised[] = {
        { "f-bad-ats-treq", QSMMU_EVT_F_BAD_ATS_TREQ },
        { "f-stream-disabled", QSMMU_EVT_F_STREAM_DISABLED },
        { "f-tlb-conflict", 0x20 },
        { "e-page-request", 0x24 },
        { "f-vms-fetch", 0x25 },
    };
    QSMMUEvent ev;
    QSMMUBench c;
    QDict *rsp;
    int i;

    ctx_start(&c);
    inject_event(&c, "{ 'type': 'f-translation', 'sid': 32, "
                 "'address': 4096, 'write': true }");
    pop_only_event(&c, QSMMU_EVT_F_TRANSLATION, &ev);
    assert_walk_fault(&ev, 0x1000, false, false, 0);

    inject_event(&c, "{ 'type': 'f-permission', 'sid': 32, 'ssid': 5, "
                 "'address': 8192, 'ipa': 3428352 }");
    g_assert_true(qsmmu_evtq_pop(&c.smmu, &ev));
    g_assert_cmphex(ev.type, ==, QSMMU_EVT_F_PERMISSION);
    g_assert_cmphex(ev.sid, ==, DEV_SID);
    g_assert_true(ev.ssv);
    g_assert_cmphex(ev.ssid, ==, 5);
    g_assert_true(ev.rnw);
    g_assert_true(ev.s2);
    g_assert_cmphex(ev.input_addr, ==, 0x2000);
    g_assert_cmphex(ev.raw[3], ==, 0x345000);

    inject_event(&c, "{ 'type': 'f-cd-fetch', 'sid': 32, "
                 "'address': 72773640 }");
    pop_only_event(&c, QSMMU_EVT_F_CD_FETCH, &ev);
    g_assert_cmphex(ev.fetch_addr, ==, 0x4567008);

    for (i = 0; i < ARRAY_SIZE(never_raised); i++) {
        g_autofree char *args = g_strdup_printf("{ 'type': '%s', "
                                                "'sid': 40 }",
                                                never_raised[i].name);

        inject_event(&c, args);
        g_assert_true(qsmmu_evtq_pop(&c.smmu, &ev));
        g_assert_cmphex(ev.raw[0], ==,
                        (40ULL << 32) | never_raised[i].type);
    }
    qsmmu_assert_no_event(&c.smmu);

    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-smmuv3-inject-event', "
                    "'arguments': { 'type': 'c-bad-ste', 'sid': 1, "
                    "'qom-path': '/machine' } }");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"),
                    ==, "'/machine' is not an arm-smmuv3 device");
    qobject_unref(rsp);
    qsmmu_bench_stop(&c);
}

/* Each global error toggles its GERROR bit once, until acknowledged */
static void test_inject_gerror(void)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } errors[] = {
        { "eventq-abt", BIT(2) }, { "priq-abt", BIT(3) },
        { "msi-cmdq-abt", BIT(4) }, { "msi-eventq-abt", BIT(5) },
        { "msi-priq-abt", BIT(6) }, { "msi-gerror-abt", BIT(7) },
        { "sfm-err", BIT(8) },
    };
    QSMMUBench c;
    int i;

    ctx_start(&c);
    for (i = 0; i < ARRAY_SIZE(errors); i++) {
        qtest_qmp_assert_success(c.qts, "{ 'execute': "
                                 "'x-smmuv3-inject-gerror', 'arguments': "
                                 "{ 'error': %s } }", errors[i].name);
        g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==, errors[i].bit);
        qsmmu_gerror_ack(&c.smmu, errors[i].bit);
        g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==, 0);
    }
    /* The SMMU keeps translating */
    set_ste(&c, qsmmu_ste_bypass);
    assert_write_lands(&c, DMA_PA, DMA_PA);
    qsmmu_bench_stop(&c);
}

static void inject_cmdq_error(QSMMUBench *c, const char *error)
{
    qtest_qmp_assert_success(c->qts, "{ 'execute': "
                             "'x-smmuv3-inject-cmdq-error', 'arguments': "
                             "{ 'error': %s } }", error);
}

/*
 * An injected command queue error waits for the next command (the next
 * CMD_SYNC for CERROR_ATC_INV_SYNC), stops the queue on it with
 * CMDQ_CONS.ERR and GERROR.CMDQ_ERR (4.1.3), and the queue resumes at
 * CMDQ_CONS once acknowledged: an aborted fetch runs the same command.
 */
static void test_inject_cmdq(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    uint32_t at;
    QSMMUBench c;

    ctx_start(&c);
    set_ste(&c, qsmmu_ste_bypass);
    assert_write_lands(&c, DMA_PA, DMA_PA);     /* bypass now cached */

    /* CERROR_ABT on the CFGI_STE; acknowledged, it is fetched again */
    inject_cmdq_error(&c, "abt");
    qsmmu_ste_abort(ste);
    qsmmu_store_ste(&c.smmu, DEV_SID, ste);
    at = c.smmu.cmdq_prod;
    qsmmu_cmd_cfgi_ste(&c.smmu, DEV_SID, true);
    g_assert_false(qsmmu_cmd_sync(&c.smmu));
    g_assert_cmphex(qsmmu_cmdq_cons(&c.smmu), ==, at);
    g_assert_cmpuint(qsmmu_cmdq_error(&c.smmu), ==, QSMMU_CERROR_ABT);
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==, QSMMU_GERROR_CMDQ_ERR);
    assert_write_lands(&c, DMA_PA, DMA_PA);
    qsmmu_gerror_ack(&c.smmu, QSMMU_GERROR_CMDQ_ERR);
    g_assert_true(qsmmu_cmdq_wait(&c.smmu));
    assert_write_stopped(&c, DMA_PA, DMA_TESTDEV_RESULT_ABORT);

    /* CERROR_ATC_INV_SYNC: the CFGI_STE runs, the CMD_SYNC stops */
    inject_cmdq_error(&c, "atc-inv-sync");
    qsmmu_ste_bypass(ste);
    qsmmu_store_ste(&c.smmu, DEV_SID, ste);
    qsmmu_cmd_cfgi_ste(&c.smmu, DEV_SID, true);
    at = c.smmu.cmdq_prod;
    g_assert_false(qsmmu_cmd_sync(&c.smmu));
    g_assert_cmphex(qsmmu_cmdq_cons(&c.smmu), ==, at);
    g_assert_cmpuint(qsmmu_cmdq_error(&c.smmu), ==,
                     QSMMU_CERROR_ATC_INV_SYNC);
    assert_write_lands(&c, DMA_PA, DMA_PA);
    qsmmu_gerror_ack(&c.smmu, QSMMU_GERROR_CMDQ_ERR);
    g_assert_true(qsmmu_cmdq_wait(&c.smmu));

    /* CERROR_ILL through HMP; fixed as Linux does, by a CMD_SYNC */
    g_free(qtest_hmp(c.qts, "smmuv3_inject cmdq-ill"));
    at = c.smmu.cmdq_prod;
    g_assert_false(qsmmu_cmd_sync(&c.smmu));
    g_assert_cmphex(qsmmu_cmdq_cons(&c.smmu), ==, at);
    g_assert_cmpuint(qsmmu_cmdq_error(&c.smmu), ==, QSMMU_CERROR_ILL);
    qsmmu_cmdq_recover(&c.smmu);
    g_assert_true(qsmmu_cmdq_wait(&c.smmu));
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==, 0);
    qsmmu_bench_stop(&c);
}

/* HMP: an event and a global error, and what it refuses */
static void test_inject_hmp(void)
{
    QSMMUEvent ev;
    QSMMUBench c;
    char *out;

    ctx_start(&c);
    out = qtest_hmp(c.qts, "smmuv3_inject c-bad-cd 0x20");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    pop_only_event(&c, QSMMU_EVT_C_BAD_CD, &ev);
    out = qtest_hmp(c.qts, "smmuv3_inject sfm-err");
    g_free(out);
    g_assert_cmphex(qsmmu_gerror_active(&c.smmu), ==, BIT(8));
    qsmmu_gerror_ack(&c.smmu, BIT(8));
    out = qtest_hmp(c.qts, "smmuv3_inject f-translation");
    g_assert_nonnull(strstr(out, "needs a StreamID"));
    g_free(out);
    out = qtest_hmp(c.qts, "smmuv3_inject bogus 1");
    g_assert_nonnull(strstr(out, "unknown 'bogus'"));
    g_free(out);
    qsmmu_bench_finish(&c);
}

int main(int argc, char **argv)
{
    int i;

    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/arm/smmuv3/events/c-bad-ste", test_c_bad_ste);
    qtest_add_func("/arm/smmuv3/events/c-bad-streamid", test_c_bad_streamid);
    qtest_add_func("/arm/smmuv3/events/f-ste-fetch", test_f_ste_fetch);
    qtest_add_func("/arm/smmuv3/events/c-bad-cd", test_c_bad_cd);
    for (i = 0; i < ARRAY_SIZE(walk_faults); i++) {
        qsmmu_add_case(&walk_faults[i], test_walk_fault,
                       "/arm/smmuv3/events/%s", walk_faults[i].name);
    }
    qtest_add_func("/arm/smmuv3/events/one-per-transaction",
                   test_one_per_transaction);
    qtest_add_func("/arm/smmuv3/events/f-permission-priv",
                   test_f_permission_priv);
    qtest_add_func("/arm/smmuv3/events/f-translation-s2",
                   test_f_translation_s2);
    qtest_add_func("/arm/smmuv3/events/eventq-disabled",
                   test_eventq_disabled);
    qtest_add_func("/arm/smmuv3/events/eventq-abort", test_eventq_abort);
    qtest_add_func("/arm/smmuv3/events/gerror-toggle", test_gerror_toggle);
    qtest_add_func("/arm/smmuv3/events/cmdq-stop", test_cmdq_stop);
    qtest_add_func("/arm/smmuv3/events/inject/event", test_inject_event);
    qtest_add_func("/arm/smmuv3/events/inject/gerror", test_inject_gerror);
    qtest_add_func("/arm/smmuv3/events/inject/cmdq", test_inject_cmdq);
    qtest_add_func("/arm/smmuv3/events/inject/hmp", test_inject_hmp);
    qtest_add_func("/arm/smmuv3/gbpa/update", test_gbpa_update);
    qtest_add_func("/arm/smmuv3/gbpa/smmuen-switch", test_gbpa_smmuen_switch);

    return g_test_run();
}
