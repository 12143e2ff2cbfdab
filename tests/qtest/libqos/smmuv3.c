/*
 * libqos helpers for the Arm SMMUv3 (IHI 0070)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * See smmuv3.h.  Section numbers refer to IHI 0070 (SMMUv3 architecture
 * specification); page table formats to the Arm ARM, chapter D8.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "../libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "smmuv3.h"

/* Bound on every poll; each try advances the virtual clock */
#define QSMMU_POLL_TRIES    1000
#define QSMMU_POLL_STEP_NS  1000

#define QSMMU_L1STD_SIZE    8
#define QSMMU_CMD_SIZE      16
#define QSMMU_EVT_SIZE      32

/* Defaults of qsmmu_init */
#define QSMMU_DEF_SID_BITS  8
#define QSMMU_DEF_Q_LOG2    8

/* CR1 (6.3): queues and tables Inner Shareable, Write-Back cacheable */
#define QSMMU_CR1_VAL       ((3u << 10) | (1u << 8) | (1u << 6) | \
                             (3u << 4) | (1u << 2) | (1u << 0))
/* CR2 (6.3): RECINVSID, PTM */
#define QSMMU_CR2_VAL       ((1u << 1) | (1u << 2))

/* CMDQ_BASE, EVENTQ_BASE (6.3): ADDR in [51:5], LOG2SIZE in [4:0] */
#define QSMMU_Q_BASE_ADDR   QSMMU_FIELD(5, 47)
#define QSMMU_Q_BASE_LOG2   QSMMU_FIELD(0, 5)
/* STRTAB_BASE, STRTAB_BASE_CFG (6.3) */
#define QSMMU_STRTAB_ADDR   QSMMU_FIELD(6, 46)
#define QSMMU_STRTAB_CFG_LOG2SIZE   QSMMU_FIELD(0, 6)
#define QSMMU_STRTAB_CFG_SPLIT      QSMMU_FIELD(6, 5)
#define QSMMU_STRTAB_CFG_FMT        QSMMU_FIELD(16, 2)
/* CMDQ_CONS.ERR (6.3, 4.1) */
#define QSMMU_CMDQ_CONS_ERR QSMMU_FIELD(24, 7)
/* EVENTQ_PROD.OVFLG, EVENTQ_CONS.OVACKFLG (6.3) */
#define QSMMU_EVTQ_OVFLG    BIT(31)

/* VMSAv8-64 descriptors, 4KB granule (Arm ARM D8.3) */
#define QSMMU_PTE_VALID     BIT_ULL(0)
#define QSMMU_PTE_TABLE     BIT_ULL(1)  /* table at levels 0-2, page at 3 */
#define QSMMU_PTE_ATTRINDX  QSMMU_FIELD(2, 3)
#define QSMMU_PTE_S2MEMATTR QSMMU_FIELD(2, 4)
#define QSMMU_PTE_AP        QSMMU_FIELD(6, 2)  /* stage 1 AP[2:1] */
#define QSMMU_PTE_S2AP      QSMMU_FIELD(6, 2)  /* stage 2: W, R */
#define QSMMU_PTE_SH        QSMMU_FIELD(8, 2)
#define QSMMU_PTE_AF        BIT_ULL(10)
#define QSMMU_PTE_OA        QSMMU_FIELD(12, 36)
#define QSMMU_AP_UNPRIV     1   /* AP[1]: EL0 may access */
#define QSMMU_AP_RDONLY     2   /* AP[2]: no writes */
#define QSMMU_S2AP_READ     1
#define QSMMU_S2AP_WRITE    2
#define QSMMU_SH_INNER      3
/* MAIR: Attr0 Normal WB RW-allocate, Attr1 Device-nGnRE */
#define QSMMU_MAIR          0x04ffULL
#define QSMMU_MAIR_IDX_WB   0
#define QSMMU_S2_MEMATTR_WB 0xf
#define QSMMU_GRANULE       4096
#define QSMMU_PT_STRIDE     9

/* Guest memory */

uint64_t qsmmu_alloc(QSMMUv3 *s, uint64_t size, uint64_t align)
{
    uint64_t addr = ROUND_UP(s->mem_next, align);

    g_assert(is_power_of_2(align));
    g_assert_cmphex(addr + size, <=, s->mem_end);
    s->mem_next = addr + size;
    qtest_memset(s->qts, addr, 0, size);
    return addr;
}

void qsmmu_mem_writeq(QSMMUv3 *s, uint64_t addr, uint64_t val)
{
    uint64_t le = cpu_to_le64(val);

    qtest_memwrite(s->qts, addr, &le, sizeof(le));
}

uint64_t qsmmu_mem_readq(QSMMUv3 *s, uint64_t addr)
{
    uint64_t le;

    qtest_memread(s->qts, addr, &le, sizeof(le));
    return le64_to_cpu(le);
}

void qsmmu_mem_write_le64(QTestState *qts, uint64_t pa, const uint64_t *w,
                          unsigned n)
{
    uint64_t le[8];
    unsigned i;

    g_assert(n <= ARRAY_SIZE(le));
    for (i = 0; i < n; i++) {
        le[i] = cpu_to_le64(w[i]);
    }
    qtest_memwrite(qts, pa, le, n * sizeof(uint64_t));
}

static void qsmmu_mem_read_words(QSMMUv3 *s, uint64_t addr, uint64_t *w,
                                 int n)
{
    int i;

    qtest_memread(s->qts, addr, w, n * sizeof(uint64_t));
    for (i = 0; i < n; i++) {
        w[i] = le64_to_cpu(w[i]);
    }
}

/* Registers */

uint32_t qsmmu_readl(QSMMUv3 *s, uint32_t reg)
{
    return qtest_readl(s->qts, s->base + reg);
}

void qsmmu_writel(QSMMUv3 *s, uint32_t reg, uint32_t val)
{
    qtest_writel(s->qts, s->base + reg, val);
}

uint64_t qsmmu_readq(QSMMUv3 *s, uint32_t reg)
{
    return qtest_readq(s->qts, s->base + reg);
}

void qsmmu_writeq(QSMMUv3 *s, uint32_t reg, uint64_t val)
{
    qtest_writeq(s->qts, s->base + reg, val);
}

/* Bring-up */

/* 6.3, CR0: an update has taken effect when CR0ACK shows it */
void qsmmu_write_cr0(QSMMUv3 *s, uint32_t cr0)
{
    int i;

    qsmmu_writel(s, QSMMU_CR0, cr0);
    for (i = 0; i < QSMMU_POLL_TRIES; i++) {
        if (qsmmu_readl(s, QSMMU_CR0ACK) == cr0) {
            s->cr0 = cr0;
            return;
        }
        qtest_clock_step(s->qts, QSMMU_POLL_STEP_NS);
    }
    g_error("SMMU CR0ACK stuck at 0x%x, expected 0x%x",
            qsmmu_readl(s, QSMMU_CR0ACK), cr0);
}

void qsmmu_enable(QSMMUv3 *s)
{
    qsmmu_write_cr0(s, s->cr0 | QSMMU_CR0_SMMUEN);
}

void qsmmu_disable(QSMMUv3 *s)
{
    qsmmu_write_cr0(s, s->cr0 & ~QSMMU_CR0_SMMUEN);
}

static void qsmmu_gbpa_wait(QSMMUv3 *s)
{
    int i;

    for (i = 0; i < QSMMU_POLL_TRIES; i++) {
        if (!(qsmmu_readl(s, QSMMU_GBPA) & QSMMU_GBPA_UPDATE)) {
            return;
        }
        qtest_clock_step(s->qts, QSMMU_POLL_STEP_NS);
    }
    g_error("SMMU GBPA.UPDATE never cleared");
}

/*
 * 6.3, GBPA: wait for UPDATE to be clear, write the new value with UPDATE set,
 * wait for UPDATE to clear again.  Other GBPA fields keep their value.
 */
void qsmmu_set_gbpa(QSMMUv3 *s, bool abort)
{
    uint32_t gbpa;

    qsmmu_gbpa_wait(s);
    gbpa = qsmmu_readl(s, QSMMU_GBPA) & ~QSMMU_GBPA_ABORT;
    if (abort) {
        gbpa |= QSMMU_GBPA_ABORT;
    }
    qsmmu_writel(s, QSMMU_GBPA, gbpa | QSMMU_GBPA_UPDATE);
    qsmmu_gbpa_wait(s);
}

uint32_t qsmmu_read_gbpa(QSMMUv3 *s)
{
    return qsmmu_readl(s, QSMMU_GBPA);
}

static void qsmmu_strtab_init(QSMMUv3 *s, uint32_t sid_bits, uint32_t split)
{
    uint64_t base = 0;
    uint64_t cfg = 0;
    uint64_t size;

    s->sid_bits = sid_bits;
    s->split = split;
    if (!split) {
        /* 2^LOG2SIZE STEs, the table aligned to its size */
        size = (uint64_t)QSMMU_STE_SIZE << sid_bits;
        s->strtab = qsmmu_alloc(s, size, MAX(size, 64));
        qsmmu_set(&cfg, QSMMU_STRTAB_CFG_FMT, QSMMU_STRTAB_FMT_LINEAR);
    } else {
        /* 2^(LOG2SIZE - SPLIT) L1 descriptors, all Span = 0 */
        g_assert(split < sid_bits);
        size = (uint64_t)QSMMU_L1STD_SIZE << (sid_bits - split);
        s->strtab = qsmmu_alloc(s, size, MAX(size, 64));
        s->l2ptr = g_new0(uint64_t, 1u << (sid_bits - split));
        s->l2span = g_new0(uint32_t, 1u << (sid_bits - split));
        qsmmu_set(&cfg, QSMMU_STRTAB_CFG_FMT, QSMMU_STRTAB_FMT_2LVL);
        qsmmu_set(&cfg, QSMMU_STRTAB_CFG_SPLIT, split);
    }
    qsmmu_set(&cfg, QSMMU_STRTAB_CFG_LOG2SIZE, sid_bits);
    qsmmu_set_addr(&base, QSMMU_STRTAB_ADDR, s->strtab);

    qsmmu_writeq(s, QSMMU_STRTAB_BASE, base);
    qsmmu_writel(s, QSMMU_STRTAB_BASE_CFG, cfg);
}

static uint64_t qsmmu_queue_init(QSMMUv3 *s, uint32_t reg, uint32_t log2,
                                 uint32_t entry_size)
{
    uint64_t size = (uint64_t)entry_size << log2;
    uint64_t q = qsmmu_alloc(s, size, MAX(size, 32));
    uint64_t base = 0;

    qsmmu_set_addr(&base, QSMMU_Q_BASE_ADDR, q);
    qsmmu_set(&base, QSMMU_Q_BASE_LOG2, log2);
    qsmmu_writeq(s, reg, base);
    return q;
}

/*
 * Bring the SMMU up the way the Linux driver resets it: SMMUEN off, CR1 and
 * CR2, stream table, command queue on, invalidate all configuration and
 * TLBs, event queue on, then SMMUEN (6.3, CR0).
 */
void qsmmu_init(QSMMUv3 *s, QTestState *qts, const QSMMUv3Config *cfg)
{
    uint32_t sid_bits = cfg->sid_bits ? cfg->sid_bits : QSMMU_DEF_SID_BITS;
    int i;

    g_assert(cfg->mem && cfg->mem_size);
    memset(s, 0, sizeof(*s));
    s->qts = qts;
    s->base = cfg->base ? cfg->base : QSMMU_VIRT_BASE;
    s->mem_next = cfg->mem;
    s->mem_end = cfg->mem + cfg->mem_size;
    s->cmdq_log2 = cfg->cmdq_log2 ? cfg->cmdq_log2 : QSMMU_DEF_Q_LOG2;
    s->evtq_log2 = cfg->evtq_log2 ? cfg->evtq_log2 : QSMMU_DEF_Q_LOG2;

    for (i = 0; i < ARRAY_SIZE(s->idr); i++) {
        s->idr[i] = qsmmu_readl(s, QSMMU_IDR0 + 4 * i);
    }
    g_assert_cmpuint(sid_bits, <=, s->idr[1] & QSMMU_IDR1_SIDSIZE_MASK);

    qsmmu_write_cr0(s, 0);
    qsmmu_writel(s, QSMMU_CR1, QSMMU_CR1_VAL);
    qsmmu_writel(s, QSMMU_CR2, QSMMU_CR2_VAL);

    qsmmu_strtab_init(s, sid_bits, cfg->split);

    s->cmdq = qsmmu_queue_init(s, QSMMU_CMDQ_BASE, s->cmdq_log2,
                               QSMMU_CMD_SIZE);
    qsmmu_writel(s, QSMMU_CMDQ_PROD, 0);
    qsmmu_writel(s, QSMMU_CMDQ_CONS, 0);
    s->evtq = qsmmu_queue_init(s, QSMMU_EVENTQ_BASE, s->evtq_log2,
                               QSMMU_EVT_SIZE);
    qsmmu_writel(s, QSMMU_EVENTQ_PROD, 0);
    qsmmu_writel(s, QSMMU_EVENTQ_CONS, 0);

    qsmmu_write_cr0(s, QSMMU_CR0_CMDQEN);
    qsmmu_cmd_cfgi_all(s);
    qsmmu_cmd_tlbi_nsnh_all(s);
    g_assert(qsmmu_cmd_sync(s));

    qsmmu_write_cr0(s, s->cr0 | QSMMU_CR0_EVENTQEN);
    if (!cfg->no_smmuen) {
        qsmmu_enable(s);
    }
}

void qsmmu_uninit(QSMMUv3 *s)
{
    g_free(s->l2ptr);
    g_free(s->l2span);
    s->l2ptr = NULL;
    s->l2span = NULL;
}

/* Stream table */

/* 5.1: an L2 table of Span holds 2^(Span - 1) STEs */
uint64_t qsmmu_l2_alloc(QSMMUv3 *s, uint32_t span)
{
    uint64_t size;

    g_assert(span >= 1 && span <= s->split + 1);
    size = (uint64_t)QSMMU_STE_SIZE << (span - 1);
    return qsmmu_alloc(s, size, size);
}

/*
 * Point the L1 descriptor covering @sid at @l2ptr, then invalidate the
 * StreamIDs it covers (CFGI_STE_RANGE, 4.3) and sync.
 */
void qsmmu_l2_install(QSMMUv3 *s, uint32_t sid, uint64_t l2ptr, uint32_t span)
{
    uint32_t idx = sid >> s->split;
    uint64_t desc = 0;

    g_assert(s->split);
    g_assert_cmpuint(idx, <, 1u << (s->sid_bits - s->split));
    qsmmu_set(&desc, QSMMU_L1STD_SPAN, span);
    qsmmu_set_addr(&desc, QSMMU_L1STD_L2PTR, l2ptr);
    qsmmu_mem_writeq(s, s->strtab + idx * QSMMU_L1STD_SIZE, desc);
    s->l2ptr[idx] = span ? l2ptr : 0;
    s->l2span[idx] = span;

    qsmmu_cmd_cfgi_ste_range(s, idx << s->split, s->split - 1);
    g_assert(qsmmu_cmd_sync(s));
}

uint64_t qsmmu_ste_addr(QSMMUv3 *s, uint32_t sid)
{
    uint32_t idx, off;

    g_assert_cmpuint(sid, <, 1u << s->sid_bits);
    if (!s->split) {
        return s->strtab + (uint64_t)sid * QSMMU_STE_SIZE;
    }
    idx = sid >> s->split;
    off = sid & ((1u << s->split) - 1);
    if (!s->l2ptr[idx] || off >= 1u << (s->l2span[idx] - 1)) {
        g_error("StreamID 0x%x has no L2 stream table: qsmmu_l2_install",
                sid);
    }
    return s->l2ptr[idx] + (uint64_t)off * QSMMU_STE_SIZE;
}

/* STE builders */

void qsmmu_ste_invalid(uint64_t *ste)
{
    memset(ste, 0, QSMMU_STE_SIZE);
}

void qsmmu_ste_abort(uint64_t *ste)
{
    qsmmu_ste_invalid(ste);
    qsmmu_set(ste, QSMMU_STE_V, 1);
    qsmmu_set(ste, QSMMU_STE_CONFIG, QSMMU_STE_CFG_ABORT);
}

void qsmmu_ste_bypass(uint64_t *ste)
{
    qsmmu_ste_invalid(ste);
    qsmmu_set(ste, QSMMU_STE_V, 1);
    qsmmu_set(ste, QSMMU_STE_CONFIG, QSMMU_STE_CFG_BYPASS);
}

static void qsmmu_ste_fill_s1(uint64_t *ste, uint64_t ctx_ptr,
                              uint32_t s1fmt, uint32_t s1cdmax,
                              uint32_t s1dss)
{
    qsmmu_set(ste, QSMMU_STE_S1FMT, s1fmt);
    qsmmu_set_addr(ste, QSMMU_STE_S1CONTEXTPTR, ctx_ptr);
    qsmmu_set(ste, QSMMU_STE_S1CDMAX, s1cdmax);
    qsmmu_set(ste, QSMMU_STE_S1DSS, s1dss);
    /* CD fetches: Write-Back Read-Allocate, Inner Shareable */
    qsmmu_set(ste, QSMMU_STE_S1CIR, 1);
    qsmmu_set(ste, QSMMU_STE_S1COR, 1);
    qsmmu_set(ste, QSMMU_STE_S1CSH, QSMMU_SH_INNER);
}

static void qsmmu_ste_fill_s2(uint64_t *ste, const QSMMUStage2 *s2)
{
    qsmmu_set(ste, QSMMU_STE_S2VMID, s2->vmid);
    qsmmu_set(ste, QSMMU_STE_S2T0SZ, s2->t0sz);
    qsmmu_set(ste, QSMMU_STE_S2SL0, s2->sl0);
    qsmmu_set(ste, QSMMU_STE_S2IR0, 1);
    qsmmu_set(ste, QSMMU_STE_S2OR0, 1);
    qsmmu_set(ste, QSMMU_STE_S2SH0, QSMMU_SH_INNER);
    qsmmu_set(ste, QSMMU_STE_S2TG, s2->tg);
    qsmmu_set(ste, QSMMU_STE_S2PS, s2->ps);
    qsmmu_set(ste, QSMMU_STE_S2AA64, 1);
    qsmmu_set(ste, QSMMU_STE_S2AFFD, s2->affd);
    qsmmu_set(ste, QSMMU_STE_S2PTW, 1);
    qsmmu_set(ste, QSMMU_STE_S2R, !s2->no_record);
    qsmmu_set_addr(ste, QSMMU_STE_S2TTB, s2->s2ttb);
}

void qsmmu_ste_s1(uint64_t *ste, uint64_t ctx_ptr, uint32_t s1fmt,
                  uint32_t s1cdmax, uint32_t s1dss)
{
    qsmmu_ste_invalid(ste);
    qsmmu_set(ste, QSMMU_STE_V, 1);
    qsmmu_set(ste, QSMMU_STE_CONFIG, QSMMU_STE_CFG_S1);
    qsmmu_ste_fill_s1(ste, ctx_ptr, s1fmt, s1cdmax, s1dss);
}

void qsmmu_ste_s2(uint64_t *ste, const QSMMUStage2 *s2)
{
    qsmmu_ste_invalid(ste);
    qsmmu_set(ste, QSMMU_STE_V, 1);
    qsmmu_set(ste, QSMMU_STE_CONFIG, QSMMU_STE_CFG_S2);
    qsmmu_ste_fill_s2(ste, s2);
}

void qsmmu_ste_nested(uint64_t *ste, uint64_t ctx_ptr, uint32_t s1fmt,
                      uint32_t s1cdmax, uint32_t s1dss,
                      const QSMMUStage2 *s2)
{
    qsmmu_ste_invalid(ste);
    qsmmu_set(ste, QSMMU_STE_V, 1);
    qsmmu_set(ste, QSMMU_STE_CONFIG, QSMMU_STE_CFG_NESTED);
    qsmmu_ste_fill_s1(ste, ctx_ptr, s1fmt, s1cdmax, s1dss);
    qsmmu_ste_fill_s2(ste, s2);
}

const char *qsmmu_ste_config_name(uint32_t config)
{
    switch (config) {
    case QSMMU_STE_CFG_ABORT:
        return "abort";
    case QSMMU_STE_CFG_BYPASS:
        return "bypass";
    case QSMMU_STE_CFG_S1:
        return "stage 1 translate, stage 2 bypass";
    case QSMMU_STE_CFG_S2:
        return "stage 1 bypass, stage 2 translate";
    case QSMMU_STE_CFG_NESTED:
        return "stage 1 and stage 2 translate (nested)";
    default:
        return "reserved";
    }
}

char *qsmmu_ste_describe(const uint64_t *ste)
{
    uint32_t config = qsmmu_get(ste, QSMMU_STE_CONFIG);
    GString *str = g_string_new(NULL);

    g_string_append_printf(str, "V=%u Config=0b%u%u%u (%s)",
                           (unsigned)qsmmu_get(ste, QSMMU_STE_V),
                           (config >> 2) & 1, (config >> 1) & 1, config & 1,
                           qsmmu_get(ste, QSMMU_STE_V) ?
                           qsmmu_ste_config_name(config) : "ignored, V=0");
    if (!qsmmu_get(ste, QSMMU_STE_V)) {
        return g_string_free(str, false);
    }
    if (config & 1) {
        g_string_append_printf(str, " S1ContextPtr=0x%" PRIx64
                               " S1Fmt=%u S1CDMax=%u S1DSS=%u",
                               qsmmu_get_addr(ste, QSMMU_STE_S1CONTEXTPTR),
                               (unsigned)qsmmu_get(ste, QSMMU_STE_S1FMT),
                               (unsigned)qsmmu_get(ste, QSMMU_STE_S1CDMAX),
                               (unsigned)qsmmu_get(ste, QSMMU_STE_S1DSS));
    }
    if (config & 2) {
        g_string_append_printf(str, " S2VMID=%u S2TTB=0x%" PRIx64
                               " S2T0SZ=%u S2SL0=%u S2TG=%u S2PS=%u",
                               (unsigned)qsmmu_get(ste, QSMMU_STE_S2VMID),
                               qsmmu_get_addr(ste, QSMMU_STE_S2TTB),
                               (unsigned)qsmmu_get(ste, QSMMU_STE_S2T0SZ),
                               (unsigned)qsmmu_get(ste, QSMMU_STE_S2SL0),
                               (unsigned)qsmmu_get(ste, QSMMU_STE_S2TG),
                               (unsigned)qsmmu_get(ste, QSMMU_STE_S2PS));
    }
    return g_string_free(str, false);
}

/* CD builders */

void qsmmu_cd_invalid(uint64_t *cd)
{
    memset(cd, 0, QSMMU_CD_SIZE);
}

/*
 * A valid AArch64 CD translating through TTB0 only (EPD1 = 1), recording
 * faults (R), aborting on faults (A), with the MAIR that qsmmu_pt_map's
 * AttrIndx values assume.
 */
void qsmmu_cd_s1(uint64_t *cd, uint16_t asid, uint64_t ttb0, uint8_t t0sz,
                 uint8_t tg0, uint8_t ips)
{
    qsmmu_cd_invalid(cd);
    qsmmu_set(cd, QSMMU_CD_T0SZ, t0sz);
    qsmmu_set(cd, QSMMU_CD_TG0, tg0);
    qsmmu_set(cd, QSMMU_CD_IR0, 1);
    qsmmu_set(cd, QSMMU_CD_OR0, 1);
    qsmmu_set(cd, QSMMU_CD_SH0, QSMMU_SH_INNER);
    qsmmu_set(cd, QSMMU_CD_EPD1, 1);
    qsmmu_set(cd, QSMMU_CD_V, 1);
    qsmmu_set(cd, QSMMU_CD_IPS, ips);
    qsmmu_set(cd, QSMMU_CD_AA64, 1);
    qsmmu_set(cd, QSMMU_CD_R, 1);
    qsmmu_set(cd, QSMMU_CD_A, 1);
    qsmmu_set(cd, QSMMU_CD_ASET, 1);
    qsmmu_set(cd, QSMMU_CD_ASID, asid);
    qsmmu_set_addr(cd, QSMMU_CD_TTB0, ttb0);
    qsmmu_set(cd, QSMMU_CD_MAIR0, QSMMU_MAIR);
}

char *qsmmu_cd_describe(const uint64_t *cd)
{
    return g_strdup_printf("V=%u ASID=%u TTB0=0x%" PRIx64 " T0SZ=%u TG0=%u"
                           " IPS=%u EPD1=%u AA64=%u R=%u A=%u",
                           (unsigned)qsmmu_get(cd, QSMMU_CD_V),
                           (unsigned)qsmmu_get(cd, QSMMU_CD_ASID),
                           qsmmu_get_addr(cd, QSMMU_CD_TTB0),
                           (unsigned)qsmmu_get(cd, QSMMU_CD_T0SZ),
                           (unsigned)qsmmu_get(cd, QSMMU_CD_TG0),
                           (unsigned)qsmmu_get(cd, QSMMU_CD_IPS),
                           (unsigned)qsmmu_get(cd, QSMMU_CD_EPD1),
                           (unsigned)qsmmu_get(cd, QSMMU_CD_AA64),
                           (unsigned)qsmmu_get(cd, QSMMU_CD_R),
                           (unsigned)qsmmu_get(cd, QSMMU_CD_A));
}

/* Writers */

void qsmmu_store_ste(QSMMUv3 *s, uint32_t sid, const uint64_t *ste)
{
    qsmmu_mem_write_le64(s->qts, qsmmu_ste_addr(s, sid), ste,
                         QSMMU_STE_WORDS);
}

void qsmmu_read_ste(QSMMUv3 *s, uint32_t sid, uint64_t *ste)
{
    qsmmu_mem_read_words(s, qsmmu_ste_addr(s, sid), ste, QSMMU_STE_WORDS);
}

/* 4.3: an STE change takes effect after CFGI_STE and a CMD_SYNC */
void qsmmu_write_ste(QSMMUv3 *s, uint32_t sid, const uint64_t *ste)
{
    qsmmu_store_ste(s, sid, ste);
    qsmmu_cmd_cfgi_ste(s, sid, true);
    g_assert(qsmmu_cmd_sync(s));
}

/* A linear CD table of @count CDs, all invalid (5.4) */
uint64_t qsmmu_cd_alloc(QSMMUv3 *s, uint32_t count)
{
    uint64_t size = (uint64_t)QSMMU_CD_SIZE * count;

    return qsmmu_alloc(s, size, MAX(pow2ceil(size), QSMMU_CD_SIZE));
}

void qsmmu_store_cd(QSMMUv3 *s, uint64_t addr, const uint64_t *cd)
{
    qsmmu_mem_write_le64(s->qts, addr, cd, QSMMU_CD_WORDS);
}

void qsmmu_write_cd(QSMMUv3 *s, uint32_t sid, uint32_t ssid, uint64_t addr,
                    const uint64_t *cd)
{
    qsmmu_store_cd(s, addr, cd);
    qsmmu_cmd_cfgi_cd(s, sid, ssid, true);
    g_assert(qsmmu_cmd_sync(s));
}

uint64_t qsmmu_cd_store_s1(QSMMUv3 *s, uint64_t *cd, uint16_t asid,
                           uint64_t ttb0, uint8_t t0sz, uint8_t ips)
{
    uint64_t addr = qsmmu_cd_alloc(s, 1);

    qsmmu_cd_s1(cd, asid, ttb0, t0sz, QSMMU_TG0_4K, ips);
    qsmmu_store_cd(s, addr, cd);
    return addr;
}

uint64_t qsmmu_cd_store_s1_page(QSMMUv3 *s, uint64_t *cd, uint16_t asid,
                                uint8_t t0sz, uint64_t iova, uint64_t out)
{
    QSMMUPageTable pt;

    qsmmu_pt_new(s, &pt, t0sz);
    qsmmu_pt_map(&pt, iova, out, 4096, QSMMU_PROT_RW);
    return qsmmu_cd_store_s1(s, cd, asid, pt.root, t0sz, QSMMU_PS_44);
}

/* Translation tables */

/* Bits of input address below the ones a level resolves (4KB granule) */
static int qsmmu_level_shift(int level)
{
    return 12 + (3 - level) * QSMMU_PT_STRIDE;
}

/* Input address bits resolved at the start level (more than 9: concat) */
static int qsmmu_pt_root_bits(const QSMMUPageTable *pt)
{
    return pt->ias - qsmmu_level_shift(pt->start_level);
}

static void qsmmu_pt_alloc_root(QSMMUv3 *s, QSMMUPageTable *pt)
{
    uint64_t size = MAX(8ULL << qsmmu_pt_root_bits(pt), QSMMU_GRANULE);

    pt->smmu = s;
    pt->root = qsmmu_alloc(s, size, size);
}

/* Stage 1: the walk starts at the level that leaves 4 to 12 bits (D8.2) */
void qsmmu_pt_new(QSMMUv3 *s, QSMMUPageTable *pt, uint8_t t0sz)
{
    g_assert(t0sz >= 16 && t0sz <= 39);
    memset(pt, 0, sizeof(*pt));
    pt->ias = 64 - t0sz;
    pt->start_level = 4 - (pt->ias - 4) / QSMMU_PT_STRIDE;
    qsmmu_pt_alloc_root(s, pt);
}

/* Stage 2: S2SL0 names the start level; up to 16 tables concatenate */
void qsmmu_pt_new_s2(QSMMUv3 *s, QSMMUPageTable *pt, uint8_t t0sz,
                     uint8_t sl0)
{
    g_assert(sl0 <= 2);
    memset(pt, 0, sizeof(*pt));
    pt->ias = 64 - t0sz;
    pt->start_level = 2 - sl0;
    pt->stage2 = true;
    g_assert(qsmmu_pt_root_bits(pt) >= 1 &&
             qsmmu_pt_root_bits(pt) <= QSMMU_PT_STRIDE + 4);
    qsmmu_pt_alloc_root(s, pt);
}

static uint64_t qsmmu_pt_leaf(const QSMMUPageTable *pt, uint64_t pa,
                              int level, uint32_t prot)
{
    uint64_t pte = QSMMU_PTE_VALID | QSMMU_PTE_AF;

    if (level == 3) {
        pte |= QSMMU_PTE_TABLE;    /* page descriptor */
    }
    if (pt->stage2) {
        qsmmu_set(&pte, QSMMU_PTE_S2MEMATTR, QSMMU_S2_MEMATTR_WB);
        qsmmu_set(&pte, QSMMU_PTE_S2AP,
                  (prot & QSMMU_PROT_READ ? QSMMU_S2AP_READ : 0) |
                  (prot & QSMMU_PROT_WRITE ? QSMMU_S2AP_WRITE : 0));
    } else {
        qsmmu_set(&pte, QSMMU_PTE_ATTRINDX, QSMMU_MAIR_IDX_WB);
        qsmmu_set(&pte, QSMMU_PTE_AP,
                  (prot & QSMMU_PROT_PRIV_ONLY ? 0 : QSMMU_AP_UNPRIV) |
                  (prot & QSMMU_PROT_WRITE ? 0 : QSMMU_AP_RDONLY));
    }
    qsmmu_set(&pte, QSMMU_PTE_SH, QSMMU_SH_INNER);
    qsmmu_set_addr(&pte, QSMMU_PTE_OA, pa);
    return pte;
}

/* Address of the descriptor for @iova at @level, creating tables above */
static uint64_t qsmmu_pt_slot(QSMMUPageTable *pt, uint64_t iova, int level,
                              bool create)
{
    uint64_t table = pt->root;
    int bits = qsmmu_pt_root_bits(pt);
    int l;

    for (l = pt->start_level; ; l++) {
        uint64_t idx = extract64(iova, qsmmu_level_shift(l), bits);
        uint64_t slot = table + idx * 8;
        uint64_t desc;

        if (l == level) {
            return slot;
        }
        desc = qsmmu_mem_readq(pt->smmu, slot);
        if (!(desc & QSMMU_PTE_VALID)) {
            if (!create) {
                return 0;
            }
            table = qsmmu_alloc(pt->smmu, QSMMU_GRANULE, QSMMU_GRANULE);
            qsmmu_mem_writeq(pt->smmu, slot,
                             table | QSMMU_PTE_VALID | QSMMU_PTE_TABLE);
        } else {
            /* Mapping over an existing block is not supported */
            g_assert(desc & QSMMU_PTE_TABLE);
            table = qsmmu_get_addr(&desc, QSMMU_PTE_OA);
        }
        bits = QSMMU_PT_STRIDE;
    }
}

/*
 * Map [@iova, @iova + @size) to @pa.  Uses 1GB and 2MB blocks where both
 * addresses are aligned and the level is below the start level, 4KB pages
 * elsewhere.
 */
void qsmmu_pt_map(QSMMUPageTable *pt, uint64_t iova, uint64_t pa,
                  uint64_t size, uint32_t prot)
{
    g_assert(QEMU_IS_ALIGNED(iova | pa | size, QSMMU_GRANULE));
    g_assert(pt->ias == 64 || iova + size <= 1ULL << pt->ias);

    while (size) {
        int level;
        uint64_t len;

        for (level = MAX(pt->start_level, 1); level < 3; level++) {
            len = 1ULL << qsmmu_level_shift(level);
            if (QEMU_IS_ALIGNED(iova | pa, len) && size >= len) {
                break;
            }
        }
        len = 1ULL << qsmmu_level_shift(level);
        qsmmu_mem_writeq(pt->smmu, qsmmu_pt_slot(pt, iova, level, true),
                         qsmmu_pt_leaf(pt, pa, level, prot));
        iova += len;
        pa += len;
        size -= len;
    }
}

/* Unmap 4KB pages mapped by qsmmu_pt_map (blocks are not split) */
void qsmmu_pt_unmap(QSMMUPageTable *pt, uint64_t iova, uint64_t size)
{
    g_assert(QEMU_IS_ALIGNED(iova | size, QSMMU_GRANULE));

    for (; size; iova += QSMMU_GRANULE, size -= QSMMU_GRANULE) {
        uint64_t slot = qsmmu_pt_slot(pt, iova, 3, false);

        if (slot) {
            qsmmu_mem_writeq(pt->smmu, slot, 0);
        }
    }
}

/* Command queue */

static uint32_t qsmmu_q_wrap_idx_mask(uint32_t log2)
{
    return (1u << (log2 + 1)) - 1;
}

static bool qsmmu_cmdq_full(QSMMUv3 *s, uint32_t cons)
{
    uint32_t mask = qsmmu_q_wrap_idx_mask(s->cmdq_log2);

    return ((s->cmdq_prod ^ cons) & mask) == 1u << s->cmdq_log2;
}

/* Write @cmd at CMDQ_PROD and publish it (4.1, 6.3 CMDQ_PROD) */
void qsmmu_cmd_push(QSMMUv3 *s, const uint64_t *cmd)
{
    uint32_t idx_mask = (1u << s->cmdq_log2) - 1;
    uint64_t le[QSMMU_CMD_WORDS];
    int i;

    for (i = 0; i < QSMMU_POLL_TRIES; i++) {
        if (!qsmmu_cmdq_full(s, qsmmu_readl(s, QSMMU_CMDQ_CONS))) {
            break;
        }
        qtest_clock_step(s->qts, QSMMU_POLL_STEP_NS);
    }
    g_assert(i < QSMMU_POLL_TRIES);

    for (i = 0; i < QSMMU_CMD_WORDS; i++) {
        le[i] = cpu_to_le64(cmd[i]);
    }
    qtest_memwrite(s->qts,
                   s->cmdq + (uint64_t)(s->cmdq_prod & idx_mask) *
                   QSMMU_CMD_SIZE, le, sizeof(le));
    s->cmdq_prod = (s->cmdq_prod + 1) &
                   qsmmu_q_wrap_idx_mask(s->cmdq_log2);
    if (!s->cmd_batch) {
        qsmmu_writel(s, QSMMU_CMDQ_PROD, s->cmdq_prod);
    }
}

void qsmmu_cmd_batch_begin(QSMMUv3 *s)
{
    s->cmd_batch = true;
}

uint32_t qsmmu_cmdq_error(QSMMUv3 *s)
{
    uint64_t cons = qsmmu_readl(s, QSMMU_CMDQ_CONS);

    return qsmmu_get(&cons, QSMMU_CMDQ_CONS_ERR);
}

/*
 * Wait until the SMMU has consumed every command pushed so far.  False if
 * it stopped on an error (GERROR.CMDQ_ERR, CMDQ_CONS.ERR) or the bounded
 * poll ran out.
 */
bool qsmmu_cmdq_wait(QSMMUv3 *s)
{
    uint32_t mask = qsmmu_q_wrap_idx_mask(s->cmdq_log2);
    int i;

    for (i = 0; i < QSMMU_POLL_TRIES; i++) {
        uint32_t cons = qsmmu_readl(s, QSMMU_CMDQ_CONS);

        if ((cons & mask) == s->cmdq_prod) {
            return true;
        }
        if (qsmmu_gerror_active(s) & QSMMU_GERROR_CMDQ_ERR) {
            return false;
        }
        qtest_clock_step(s->qts, QSMMU_POLL_STEP_NS);
    }
    return false;
}

/*
 * 4.1: after a command error, software may replace the faulty command and
 * acknowledge GERROR.CMDQ_ERR.  The command at CMDQ_CONS becomes a
 * CMD_SYNC, which the SMMU then consumes.
 */
void qsmmu_cmdq_recover(QSMMUv3 *s)
{
    uint32_t idx_mask = (1u << s->cmdq_log2) - 1;
    uint32_t cons = qsmmu_readl(s, QSMMU_CMDQ_CONS);
    uint64_t sync[QSMMU_CMD_WORDS] = { 0 };
    int i;

    qsmmu_set(sync, QSMMU_CMD_OPCODE, QSMMU_OP_CMD_SYNC);
    for (i = 0; i < QSMMU_CMD_WORDS; i++) {
        qsmmu_mem_writeq(s, s->cmdq + (uint64_t)(cons & idx_mask) *
                         QSMMU_CMD_SIZE + i * 8, sync[i]);
    }
    qsmmu_gerror_ack(s, QSMMU_GERROR_CMDQ_ERR);
}

void qsmmu_cmd_make(uint64_t *cmd, uint32_t opcode)
{
    memset(cmd, 0, QSMMU_CMD_WORDS * sizeof(*cmd));
    qsmmu_set(cmd, QSMMU_CMD_OPCODE, opcode);
}

uint32_t qsmmu_cmdq_cons(QSMMUv3 *s)
{
    return qsmmu_readl(s, QSMMU_CMDQ_CONS) & ((2u << s->cmdq_log2) - 1);
}

void qsmmu_assert_cmd_illegal(QSMMUv3 *s, const uint64_t *cmd,
                              const char *what)
{
    uint32_t at = s->cmdq_prod;

    qsmmu_cmd_push(s, cmd);
    if (qsmmu_cmdq_wait(s)) {
        g_error("%s was consumed, expected CERROR_ILL", what);
    }
    g_assert_cmphex(qsmmu_cmdq_cons(s), ==, at);
    g_assert_cmpuint(qsmmu_cmdq_error(s), ==, QSMMU_CERROR_ILL);
    g_assert_cmphex(qsmmu_gerror_active(s), ==, QSMMU_GERROR_CMDQ_ERR);
    qsmmu_cmdq_recover(s);
    g_assert_true(qsmmu_cmdq_wait(s));
    g_assert_cmphex(qsmmu_gerror_active(s), ==, 0);
}

/* 4.7, CMD_SYNC with CS = SIG_NONE; completion is seen on CMDQ_CONS */
bool qsmmu_cmd_sync(QSMMUv3 *s)
{
    uint64_t cmd[QSMMU_CMD_WORDS] = { 0 };

    qsmmu_set(cmd, QSMMU_CMD_OPCODE, QSMMU_OP_CMD_SYNC);
    qsmmu_set(cmd, QSMMU_CMD_SYNC_CS, 0);
    s->cmd_batch = false;
    qsmmu_cmd_push(s, cmd);
    return qsmmu_cmdq_wait(s);
}

/* One command: the opcode and the fields of @args, then to the queue */
typedef struct QSMMUCmdArg {
    QSMMUField field;
    uint64_t value;
} QSMMUCmdArg;

static void qsmmu_cmd_issue(QSMMUv3 *s, unsigned opcode,
                            const QSMMUCmdArg *args, size_t n)
{
    uint64_t cmd[QSMMU_CMD_WORDS] = { 0 };
    size_t i;

    qsmmu_set(cmd, QSMMU_CMD_OPCODE, opcode);
    for (i = 0; i < n; i++) {
        qsmmu_set(cmd, args[i].field, args[i].value);
    }
    qsmmu_cmd_push(s, cmd);
}

#define QSMMU_CMD(s, opcode, ...)                                         \
    qsmmu_cmd_issue(s, opcode, (const QSMMUCmdArg[]) { __VA_ARGS__ },     \
                    sizeof((const QSMMUCmdArg[]) { __VA_ARGS__ }) /        \
                    sizeof(QSMMUCmdArg))

/* CMD_*.Address holds bits [63:12] of a 4KB page in place */
#define QSMMU_CMD_PAGE(addr)                                              \
    { QSMMU_CMD_ADDR, (addr) >> (QSMMU_CMD_ADDR.lsb % 64) }

/* 4.3, CMD_CFGI_STE */
void qsmmu_cmd_cfgi_ste(QSMMUv3 *s, uint32_t sid, bool leaf)
{
    QSMMU_CMD(s, QSMMU_OP_CFGI_STE, { QSMMU_CMD_SID, sid },
              { QSMMU_CMD_LEAF, leaf });
}

/* 4.3, CMD_CFGI_STE_RANGE: the 2^(@range + 1) StreamIDs aligned around @sid */
void qsmmu_cmd_cfgi_ste_range(QSMMUv3 *s, uint32_t sid, uint32_t range)
{
    QSMMU_CMD(s, QSMMU_OP_CFGI_STE_RANGE, { QSMMU_CMD_SID, sid },
              { QSMMU_CMD_RANGE, range });
}

/* 4.3, CMD_CFGI_ALL is CMD_CFGI_STE_RANGE with Range = 31 */
void qsmmu_cmd_cfgi_all(QSMMUv3 *s)
{
    qsmmu_cmd_cfgi_ste_range(s, 0, 31);
}

/* 4.3, CMD_CFGI_CD */
void qsmmu_cmd_cfgi_cd(QSMMUv3 *s, uint32_t sid, uint32_t ssid, bool leaf)
{
    QSMMU_CMD(s, QSMMU_OP_CFGI_CD, { QSMMU_CMD_SSID, ssid },
              { QSMMU_CMD_SID, sid }, { QSMMU_CMD_LEAF, leaf });
}

/* 4.3, CMD_CFGI_CD_ALL */
void qsmmu_cmd_cfgi_cd_all(QSMMUv3 *s, uint32_t sid)
{
    QSMMU_CMD(s, QSMMU_OP_CFGI_CD_ALL, { QSMMU_CMD_SID, sid });
}

/* 4.4, CMD_TLBI_NH_ASID */
void qsmmu_cmd_tlbi_nh_asid(QSMMUv3 *s, uint16_t asid, uint16_t vmid)
{
    QSMMU_CMD(s, QSMMU_OP_TLBI_NH_ASID, { QSMMU_CMD_ASID, asid },
              { QSMMU_CMD_VMID, vmid });
}

/* 4.4, CMD_TLBI_NH_VA: one 4KB page, no range (TG = 0) */
void qsmmu_cmd_tlbi_nh_va(QSMMUv3 *s, uint16_t asid, uint16_t vmid,
                          uint64_t iova, bool leaf)
{
    QSMMU_CMD(s, QSMMU_OP_TLBI_NH_VA, { QSMMU_CMD_ASID, asid },
              { QSMMU_CMD_VMID, vmid }, { QSMMU_CMD_LEAF, leaf },
              QSMMU_CMD_PAGE(iova));
}

/* 4.4, CMD_TLBI_NSNH_ALL */
void qsmmu_cmd_tlbi_nsnh_all(QSMMUv3 *s)
{
    qsmmu_cmd_issue(s, QSMMU_OP_TLBI_NSNH_ALL, NULL, 0);
}

/* 4.4, CMD_TLBI_NH_ALL */
void qsmmu_cmd_tlbi_nh_all(QSMMUv3 *s, uint16_t vmid)
{
    QSMMU_CMD(s, QSMMU_OP_TLBI_NH_ALL, { QSMMU_CMD_VMID, vmid });
}

/* 4.4, CMD_TLBI_S12_VMALL */
void qsmmu_cmd_tlbi_s12_vmall(QSMMUv3 *s, uint16_t vmid)
{
    QSMMU_CMD(s, QSMMU_OP_TLBI_S12_VMALL, { QSMMU_CMD_VMID, vmid });
}

/* 4.4, CMD_TLBI_S2_IPA: one 4KB page of IPA, no range */
void qsmmu_cmd_tlbi_s2_ipa(QSMMUv3 *s, uint16_t vmid, uint64_t ipa,
                           bool leaf)
{
    QSMMU_CMD(s, QSMMU_OP_TLBI_S2_IPA, { QSMMU_CMD_VMID, vmid },
              { QSMMU_CMD_LEAF, leaf }, QSMMU_CMD_PAGE(ipa));
}

/* Event queue */

uint32_t qsmmu_evtq_count(QSMMUv3 *s)
{
    uint32_t mask = qsmmu_q_wrap_idx_mask(s->evtq_log2);
    uint32_t prod = qsmmu_readl(s, QSMMU_EVENTQ_PROD) & mask;

    return (prod - s->evtq_cons) & mask;
}

void qsmmu_event_decode(const uint64_t *raw, QSMMUEvent *ev)
{
    memset(ev, 0, sizeof(*ev));
    memcpy(ev->raw, raw, sizeof(ev->raw));
    ev->type = qsmmu_get(raw, QSMMU_EVT_TYPE);
    ev->sid = qsmmu_get(raw, QSMMU_EVT_SID);
    ev->ssv = qsmmu_get(raw, QSMMU_EVT_SSV);
    ev->ssid = qsmmu_get(raw, QSMMU_EVT_SSID);
    ev->stall = qsmmu_get(raw, QSMMU_EVT_STALL);
    ev->stag = qsmmu_get(raw, QSMMU_EVT_STAG);
    ev->pnu = qsmmu_get(raw, QSMMU_EVT_PNU);
    ev->ind = qsmmu_get(raw, QSMMU_EVT_IND);
    ev->rnw = qsmmu_get(raw, QSMMU_EVT_RNW);
    ev->s2 = qsmmu_get(raw, QSMMU_EVT_S2);
    ev->class = qsmmu_get(raw, QSMMU_EVT_CLASS);
    ev->input_addr = qsmmu_get(raw, QSMMU_EVT_INPUT_ADDR);
    ev->ipa = qsmmu_get_addr(raw, QSMMU_EVT_IPA);
    ev->fetch_addr = qsmmu_get_addr(raw, QSMMU_EVT_FETCH_ADDR);
}

/* Chapter 7, 6.3: read the record at EVENTQ_CONS, then advance CONS */
bool qsmmu_evtq_pop(QSMMUv3 *s, QSMMUEvent *ev)
{
    uint32_t mask = qsmmu_q_wrap_idx_mask(s->evtq_log2);
    uint32_t idx_mask = (1u << s->evtq_log2) - 1;
    uint32_t prod = qsmmu_readl(s, QSMMU_EVENTQ_PROD);
    uint64_t raw[QSMMU_EVT_WORDS];

    if ((prod & mask) == s->evtq_cons) {
        return false;
    }
    qsmmu_mem_read_words(s, s->evtq + (uint64_t)(s->evtq_cons & idx_mask) *
                         QSMMU_EVT_SIZE, raw, QSMMU_EVT_WORDS);
    qsmmu_event_decode(raw, ev);

    s->evtq_cons = (s->evtq_cons + 1) & mask;
    /* OVACKFLG follows OVFLG to acknowledge an overflow */
    qsmmu_writel(s, QSMMU_EVENTQ_CONS,
                 s->evtq_cons | (prod & QSMMU_EVTQ_OVFLG));
    return true;
}

void qsmmu_evtq_drain(QSMMUv3 *s)
{
    QSMMUEvent ev;

    while (qsmmu_evtq_pop(s, &ev)) {
        continue;
    }
}

const char *qsmmu_event_name(uint8_t type)
{
    switch (type) {
    case QSMMU_EVT_F_UUT:
        return "F_UUT";
    case QSMMU_EVT_C_BAD_STREAMID:
        return "C_BAD_STREAMID";
    case QSMMU_EVT_F_STE_FETCH:
        return "F_STE_FETCH";
    case QSMMU_EVT_C_BAD_STE:
        return "C_BAD_STE";
    case QSMMU_EVT_F_BAD_ATS_TREQ:
        return "F_BAD_ATS_TREQ";
    case QSMMU_EVT_F_STREAM_DISABLED:
        return "F_STREAM_DISABLED";
    case QSMMU_EVT_F_TRANSL_FORBIDDEN:
        return "F_TRANSL_FORBIDDEN";
    case QSMMU_EVT_C_BAD_SUBSTREAMID:
        return "C_BAD_SUBSTREAMID";
    case QSMMU_EVT_F_CD_FETCH:
        return "F_CD_FETCH";
    case QSMMU_EVT_C_BAD_CD:
        return "C_BAD_CD";
    case QSMMU_EVT_F_WALK_EABT:
        return "F_WALK_EABT";
    case QSMMU_EVT_F_TRANSLATION:
        return "F_TRANSLATION";
    case QSMMU_EVT_F_ADDR_SIZE:
        return "F_ADDR_SIZE";
    case QSMMU_EVT_F_ACCESS:
        return "F_ACCESS";
    case QSMMU_EVT_F_PERMISSION:
        return "F_PERMISSION";
    case QSMMU_EVT_F_TLB_CONFLICT:
        return "F_TLB_CONFLICT";
    case QSMMU_EVT_F_CFG_CONFLICT:
        return "F_CFG_CONFLICT";
    case QSMMU_EVT_E_PAGE_REQUEST:
        return "E_PAGE_REQUEST";
    default:
        return "unknown";
    }
}

char *qsmmu_event_describe(const QSMMUEvent *ev)
{
    static const char *const class_name[] = { "CD", "TT", "IN", "res" };

    return g_strdup_printf("%s (0x%02x) StreamID=0x%x SSV=%u SubstreamID=0x%x"
                           " InputAddr=0x%" PRIx64 " RnW=%u S2=%u CLASS=%s"
                           " PnU=%u InD=%u",
                           qsmmu_event_name(ev->type), ev->type, ev->sid,
                           ev->ssv, ev->ssid, ev->input_addr, ev->rnw,
                           ev->s2, class_name[ev->class & 3], ev->pnu,
                           ev->ind);
}

/* Global errors */

uint32_t qsmmu_gerror(QSMMUv3 *s)
{
    return qsmmu_readl(s, QSMMU_GERROR);
}

uint32_t qsmmu_gerrorn(QSMMUv3 *s)
{
    return qsmmu_readl(s, QSMMU_GERRORN);
}

uint32_t qsmmu_gerror_active(QSMMUv3 *s)
{
    return qsmmu_gerror(s) ^ qsmmu_gerrorn(s);
}

/* 6.3, GERRORN: toggling a GERRORN bit acknowledges the active error */
void qsmmu_gerror_ack(QSMMUv3 *s, uint32_t errors)
{
    uint32_t active = qsmmu_gerror_active(s) & errors;

    qsmmu_writel(s, QSMMU_GERRORN, qsmmu_gerrorn(s) ^ active);
}

/*
 * Live STE updates (configuration caching)
 *
 * The words of an STE that the SMMU reads depend on V and Config (IHI 0070
 * 5.2); a change is hitless when it changes such bits in one 64-bit word
 * only, since the SMMU reads each word with single-copy atomicity (3.21).
 * Field positions below are relative to their word.
 */

/* Word 0 */
#define QSMMU_STE0_V            BIT_ULL(0)
#define QSMMU_STE0_CONFIG       MAKE_64BIT_MASK(1, 3)
#define QSMMU_STE0_S1           (MAKE_64BIT_MASK(4, 52) | \
                                 MAKE_64BIT_MASK(59, 5))  /* S1Fmt..CDMax */
/* Word 1 */
#define QSMMU_STE1_S1CFG        MAKE_64BIT_MASK(0, 8)   /* S1DSS..S1CSH */
#define QSMMU_STE1_MEV          BIT_ULL(19)
#define QSMMU_STE1_S2FWB        BIT_ULL(25)
#define QSMMU_STE1_S1STALLD     BIT_ULL(27)
#define QSMMU_STE1_EATS_STRW    MAKE_64BIT_MASK(28, 4)
#define QSMMU_STE1_OVERRIDES    MAKE_64BIT_MASK(32, 20) /* MemAttr..INSTCFG */
/* Words 2 and 3 */
#define QSMMU_STE2_S2VMID       MAKE_64BIT_MASK(0, 16)
#define QSMMU_STE2_S2CFG        MAKE_64BIT_MASK(32, 27) /* S2T0SZ..S2R */
#define QSMMU_STE3_S2TTB        MAKE_64BIT_MASK(4, 48)

void qsmmu_ste_used_bits(const QSMMUv3 *s, const uint64_t *ste,
                         uint64_t *used)
{
    uint32_t config = qsmmu_get(ste, QSMMU_STE_CONFIG);

    memset(used, 0, QSMMU_STE_SIZE);
    used[0] = QSMMU_STE0_V;
    if (!qsmmu_get(ste, QSMMU_STE_V)) {
        return;
    }
    used[0] |= QSMMU_STE0_CONFIG;
    if (config == QSMMU_STE_CFG_BYPASS) {
        /* Attribute overrides of the bypassed transaction */
        used[1] |= QSMMU_STE1_OVERRIDES;
    }
    if (config == QSMMU_STE_CFG_S1 || config == QSMMU_STE_CFG_NESTED) {
        /* Stage 1: the CD table and how it is fetched */
        used[0] |= QSMMU_STE0_S1;
        used[1] |= QSMMU_STE1_S1CFG | QSMMU_STE1_MEV | QSMMU_STE1_S1STALLD |
                   QSMMU_STE1_EATS_STRW | QSMMU_STE1_OVERRIDES;
        if (s->idr[0] & QSMMU_IDR0_S2P) {
            /* S2VMID tags stage 1 TLB entries when stage 2 exists */
            used[2] |= QSMMU_STE2_S2VMID;
        }
    }
    if (config == QSMMU_STE_CFG_S2 || config == QSMMU_STE_CFG_NESTED) {
        used[1] |= QSMMU_STE1_MEV | QSMMU_STE1_S2FWB |
                   QSMMU_STE1_EATS_STRW | QSMMU_STE1_OVERRIDES;
        used[2] |= QSMMU_STE2_S2VMID | QSMMU_STE2_S2CFG;
        used[3] |= QSMMU_STE3_S2TTB;
    }
}

bool qsmmu_ste_equivalent(const QSMMUv3 *s, const uint64_t *a,
                          const uint64_t *b)
{
    uint64_t used[QSMMU_STE_WORDS];
    int i;

    qsmmu_ste_used_bits(s, a, used);
    for (i = 0; i < QSMMU_STE_WORDS; i++) {
        if ((a[i] ^ b[i]) & used[i]) {
            return false;
        }
    }
    return true;
}

/*
 * @update gets @cur with every bit that @cur does not use taken from
 * @target.  Returns a bit per word in which @update still differs from
 * @target in bits that @target uses: the words that change critically.
 */
static uint32_t qsmmu_ste_critical_words(const QSMMUv3 *s,
                                         const uint64_t *cur,
                                         const uint64_t *target,
                                         uint64_t *update)
{
    uint64_t cur_used[QSMMU_STE_WORDS], target_used[QSMMU_STE_WORDS];
    uint32_t critical = 0;
    int i;

    qsmmu_ste_used_bits(s, cur, cur_used);
    qsmmu_ste_used_bits(s, target, target_used);
    for (i = 0; i < QSMMU_STE_WORDS; i++) {
        update[i] = (cur[i] & cur_used[i]) | (target[i] & ~cur_used[i]);
        if ((update[i] ^ target[i]) & target_used[i]) {
            critical |= 1u << i;
        }
    }
    return critical;
}

QSMMUSteUpdate qsmmu_ste_update_kind(const QSMMUv3 *s, const uint64_t *cur,
                                     const uint64_t *target)
{
    uint64_t update[QSMMU_STE_WORDS];
    uint32_t critical = qsmmu_ste_critical_words(s, cur, target, update);

    if (!critical) {
        return QSMMU_STE_UPDATE_NONE;
    }
    return is_power_of_2(critical) ? QSMMU_STE_UPDATE_HITLESS :
                                     QSMMU_STE_UPDATE_BREAKING;
}

const char *qsmmu_ste_update_name(QSMMUSteUpdate kind)
{
    switch (kind) {
    case QSMMU_STE_UPDATE_NONE:
        return "none";
    case QSMMU_STE_UPDATE_HITLESS:
        return "hitless";
    case QSMMU_STE_UPDATE_BREAKING:
        return "breaking";
    default:
        return "?";
    }
}

typedef struct QSMMUSteWriter {
    QSMMUv3 *s;
    uint32_t sid;
    uint64_t ste[QSMMU_STE_WORDS];  /* what memory holds */
    QSMMUSteStepFn fn;
    void *opaque;
    unsigned steps;
} QSMMUSteWriter;

/*
 * One step: store the words [@first, @first + @n) of @val that differ from
 * memory, one 64-bit write each, then CFGI_STE (Leaf) and CMD_SYNC.  Nothing
 * happens if no word differs.
 */
static void qsmmu_ste_writer_step(QSMMUSteWriter *w, const uint64_t *val,
                                  int first, int n)
{
    uint64_t addr = qsmmu_ste_addr(w->s, w->sid);
    QSMMUSteStep step = { .index = w->steps, .ste = w->ste };
    bool changed = false;
    int i;

    for (i = first; i < first + n; i++) {
        if (w->ste[i] != val[i]) {
            w->ste[i] = val[i];
            qsmmu_mem_writeq(w->s, addr + i * sizeof(uint64_t), val[i]);
            changed = true;
        }
    }
    if (!changed) {
        return;
    }
    if (w->fn) {
        w->fn(w->s, w->sid, &step, w->opaque);
    }
    qsmmu_cmd_cfgi_ste(w->s, w->sid, true);
    g_assert(qsmmu_cmd_sync(w->s));
    if (w->fn) {
        step.invalidated = true;
        w->fn(w->s, w->sid, &step, w->opaque);
    }
    w->steps++;
}

QSMMUSteUpdate qsmmu_update_ste(QSMMUv3 *s, uint32_t sid,
                                const uint64_t *target, QSMMUSteStepFn fn,
                                void *opaque)
{
    QSMMUSteWriter w = { .s = s, .sid = sid, .fn = fn, .opaque = opaque };
    uint64_t update[QSMMU_STE_WORDS];
    uint32_t critical;
    int crit;

    qsmmu_read_ste(s, sid, w.ste);
    critical = qsmmu_ste_critical_words(s, w.ste, target, update);

    if (is_power_of_2(critical)) {
        /* Unused bits, then the critical word, then clean up */
        crit = ctz32(critical);
        update[crit] = w.ste[crit];
        qsmmu_ste_writer_step(&w, update, 0, QSMMU_STE_WORDS);
        qsmmu_ste_writer_step(&w, target, crit, 1);
        qsmmu_ste_writer_step(&w, target, 0, QSMMU_STE_WORDS);
        return QSMMU_STE_UPDATE_HITLESS;
    }
    if (critical) {
        /* Word 0 with V = 0, words 1..7, then word 0 */
        update[0] = 0;
        qsmmu_ste_writer_step(&w, update, 0, 1);
        qsmmu_ste_writer_step(&w, target, 1, QSMMU_STE_WORDS - 1);
        qsmmu_ste_writer_step(&w, target, 0, 1);
        return QSMMU_STE_UPDATE_BREAKING;
    }
    /* Only bits the SMMU ignores change */
    qsmmu_ste_writer_step(&w, target, 0, QSMMU_STE_WORDS);
    return QSMMU_STE_UPDATE_NONE;
}

/* Introspection: query-smmuv3 */

QDict *qsmmu_query_stream(QTestState *qts, uint32_t sid)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-smmuv3' }");
    QDict *found = NULL;
    QListEntry *e;
    QList *smmus;

    g_assert(qdict_haskey(rsp, "return"));
    smmus = qdict_get_qlist(rsp, "return");
    g_assert(!qlist_empty(smmus));
    QLIST_FOREACH_ENTRY(qdict_get_qlist(qobject_to(QDict,
                                                   qlist_peek(smmus)),
                                        "streams"), e) {
        QDict *st = qobject_to(QDict, qlist_entry_obj(e));

        if (qdict_get_int(st, "sid") == sid) {
            found = st;
            qobject_ref(found);
            break;
        }
    }
    qobject_unref(rsp);
    return found;
}

QDict *qsmmu_query_smmu(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-smmuv3' }");
    QList *list;
    QDict *smmu;

    g_assert(qdict_haskey(rsp, "return"));
    list = qdict_get_qlist(rsp, "return");
    g_assert_cmpuint(qlist_size(list), ==, 1);
    smmu = qobject_to(QDict, qlist_peek(list));
    qobject_ref(smmu);
    qobject_unref(rsp);
    return smmu;
}

char *qsmmu_query_kind(QTestState *qts, uint32_t sid)
{
    QDict *st = qsmmu_query_stream(qts, sid);
    char *kind;

    g_assert(st);
    kind = g_strdup(qdict_get_str(st, "kind"));
    qobject_unref(st);
    return kind;
}

void qsmmu_assert_kind(QTestState *qts, uint32_t sid, const char *kind)
{
    g_autofree char *got = qsmmu_query_kind(qts, sid);

    g_assert_cmpstr(got, ==, kind);
}

/*
 * Events, errors and GBPA (tests/qtest/smmuv3-events-test.c)
 */

uint64_t qsmmu_pt_desc_addr(QSMMUPageTable *pt, uint64_t iova)
{
    return qsmmu_pt_slot(pt, iova, 3, false);
}

/*
 * Test bench
 */

void qsmmu_bench_start(QSMMUBench *b, const char *machine,
                       const char *extra_args, const QSMMUv3Config *cfg)
{
    QSMMUv3Config bench_cfg = cfg ? *cfg : (QSMMUv3Config) { 0 };

    if (!bench_cfg.mem) {
        bench_cfg.mem = QSMMU_BENCH_SMMU_MEM;
        bench_cfg.mem_size = QSMMU_BENCH_SMMU_MEM_SIZE;
    }
    memset(b, 0, sizeof(*b));
    b->qts = qtest_initf("-M %s,iommu=smmuv3 -cpu max -m 512 -nodefaults "
                         "-device dma-testdev,bus=pcie.0,addr=04.0,id=dma0 "
                         "%s", machine ? machine : "virt",
                         extra_args ? extra_args : "");
    alloc_init(&b->alloc, 0, QSMMU_BENCH_RAM_BASE,
               QSMMU_BENCH_RAM_BASE + QSMMU_BENCH_ALLOC_SIZE, 4096);
    qpci_init_generic(&b->bus, b->qts, &b->alloc, false);
    dma_testdev_init(&b->dev, &b->bus.bus, QSMMU_BENCH_DEVFN);
    qsmmu_init(&b->smmu, b->qts, &bench_cfg);
}

uint64_t qsmmu_bench_start_2lvl(QSMMUBench *b, uint32_t split)
{
    QSMMUv3Config cfg = { .split = split };
    uint64_t ste[QSMMU_STE_WORDS];
    uint64_t l2, idx;

    qsmmu_bench_start(b, NULL, NULL, &cfg);
    l2 = qsmmu_l2_alloc(&b->smmu, split + 1);
    qsmmu_ste_bypass(ste);
    idx = QSMMU_BENCH_SID & MAKE_64BIT_MASK(0, split);
    qsmmu_mem_write_le64(b->qts, l2 + idx * QSMMU_STE_SIZE, ste,
                         QSMMU_STE_WORDS);
    return l2;
}

void qsmmu_bench_stop(QSMMUBench *b)
{
    g_assert_cmphex(qsmmu_gerror_active(&b->smmu), ==, 0);
    qsmmu_bench_quit(b);
}

void qsmmu_bench_finish(QSMMUBench *b)
{
    qsmmu_assert_no_event(&b->smmu);
    qsmmu_bench_stop(b);
}

void qsmmu_bench_quit(QSMMUBench *b)
{
    qsmmu_uninit(&b->smmu);
    dma_testdev_uninit(&b->dev);
    alloc_destroy(&b->alloc);
    qtest_quit(b->qts);
}

void qsmmu_mem_mark(QTestState *qts, uint64_t pa, size_t len)
{
    qtest_memset(qts, pa, QSMMU_BENCH_MARKER, len);
}

/* Offset of the first byte at @pa that is not the marker, or @len */
static size_t qsmmu_mem_unmarked(QTestState *qts, uint64_t pa, size_t len,
                                 uint8_t *byte)
{
    g_autofree uint8_t *buf = g_malloc(len);
    size_t i;

    qtest_memread(qts, pa, buf, len);
    for (i = 0; i < len; i++) {
        if (buf[i] != QSMMU_BENCH_MARKER) {
            *byte = buf[i];
            break;
        }
    }
    return i;
}

bool qsmmu_mem_is_marked(QTestState *qts, uint64_t pa, size_t len)
{
    uint8_t byte;

    return qsmmu_mem_unmarked(qts, pa, len, &byte) == len;
}

bool qsmmu_mem_has_pattern(QTestState *qts, uint64_t pa, size_t len,
                           uint32_t seed)
{
    g_autofree uint8_t *want = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);

    dma_testdev_pattern(want, len, seed);
    qtest_memread(qts, pa, got, len);
    return memcmp(want, got, len) == 0;
}

void qsmmu_assert_untouched(QTestState *qts, uint64_t pa, size_t len)
{
    uint8_t byte = 0;
    size_t i = qsmmu_mem_unmarked(qts, pa, len, &byte);

    if (i < len) {
        g_error("byte 0x%" PRIx64 " changed to 0x%02x: DMA reached it",
                pa + i, byte);
    }
}

void qsmmu_assert_pattern(QTestState *qts, uint64_t pa, size_t len,
                          uint32_t seed)
{
    g_autofree uint8_t *want = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);

    dma_testdev_pattern(want, len, seed);
    qtest_memread(qts, pa, got, len);
    g_assert_cmpmem(want, len, got, len);
}

void qsmmu_assert_no_event(QSMMUv3 *s)
{
    QSMMUEvent ev;

    if (qsmmu_evtq_pop(s, &ev)) {
        g_autofree char *text = qsmmu_event_describe(&ev);

        g_error("unexpected event: %s", text);
    }
}

void qsmmu_pop_one_event(QSMMUv3 *s, uint32_t sid, uint8_t type,
                         QSMMUEvent *ev)
{
    g_assert_cmpuint(qsmmu_evtq_count(s), ==, 1);
    g_assert_true(qsmmu_evtq_pop(s, ev));
    if (ev->type != type) {
        g_autofree char *text = qsmmu_event_describe(ev);

        g_error("expected %s, got %s", qsmmu_event_name(type), text);
    }
    g_assert_cmphex(ev->sid, ==, sid);
    g_assert_false(ev->ssv);
}

uint32_t qsmmu_bench_assert_write_refused(QSMMUBench *b, uint64_t iova,
                                          uint32_t len)
{
    uint32_t result;

    qsmmu_mem_mark(b->qts, iova, QSMMU_BENCH_WATCH_LEN);
    result = dma_testdev_write_pattern(&b->dev, iova, len, 0x11);
    g_assert_cmpstr(dma_testdev_result_name(result), !=,
                    dma_testdev_result_name(DMA_TESTDEV_RESULT_OK));
    g_assert_cmpuint(dma_testdev_done(&b->dev), ==, 0);
    g_assert_cmphex(dma_testdev_fault_addr(&b->dev), ==, iova);
    qsmmu_assert_untouched(b->qts, iova, QSMMU_BENCH_WATCH_LEN);
    return result;
}

void qsmmu_bench_assert_write_blocked(QSMMUBench *b, uint64_t iova,
                                      uint32_t len, uint32_t result)
{
    g_assert_cmpstr(dma_testdev_result_name(
                        qsmmu_bench_assert_write_refused(b, iova, len)),
                    ==, dma_testdev_result_name(result));
}

void qsmmu_bench_assert_write_lands(QSMMUBench *b, uint64_t iova,
                                    uint64_t pa, uint32_t seed)
{
    qsmmu_mem_mark(b->qts, pa, QSMMU_BENCH_WATCH_LEN);
    g_assert_cmpstr(dma_testdev_result_name(
                        dma_testdev_write_pattern(&b->dev, iova,
                                                  QSMMU_BENCH_WATCH_LEN,
                                                  seed)),
                    ==, dma_testdev_result_name(DMA_TESTDEV_RESULT_OK));
    g_assert_cmpuint(dma_testdev_done(&b->dev), ==, QSMMU_BENCH_WATCH_LEN);
    qsmmu_assert_pattern(b->qts, pa, QSMMU_BENCH_WATCH_LEN, seed);
}

/* Helpers of tests/qtest/smmuv3-isolation-test.c */

uint32_t qsmmu_evtq_take_all(QSMMUv3 *s, QSMMUEvent *evs, uint32_t max)
{
    uint32_t mask = qsmmu_q_wrap_idx_mask(s->evtq_log2);
    uint32_t idx_mask = (1u << s->evtq_log2) - 1;
    uint32_t prod = qsmmu_readl(s, QSMMU_EVENTQ_PROD);
    uint32_t count = ((prod & mask) - s->evtq_cons) & mask;
    uint32_t idx = s->evtq_cons & idx_mask;
    uint32_t done = 0;

    while (done < count && done < max) {
        /* Records up to the end of the queue, or the last one wanted */
        uint32_t run = MIN(MIN(count, max) - done, idx_mask + 1 - idx);
        g_autofree uint64_t *raw = g_new(uint64_t, run * QSMMU_EVT_WORDS);
        uint32_t i, w;

        qtest_memread(s->qts, s->evtq + (uint64_t)idx * QSMMU_EVT_SIZE,
                      raw, run * QSMMU_EVT_SIZE);
        for (i = 0; i < run; i++) {
            for (w = 0; w < QSMMU_EVT_WORDS; w++) {
                raw[i * QSMMU_EVT_WORDS + w] =
                    le64_to_cpu(raw[i * QSMMU_EVT_WORDS + w]);
            }
            qsmmu_event_decode(&raw[i * QSMMU_EVT_WORDS], &evs[done + i]);
        }
        done += run;
        idx = (idx + run) & idx_mask;
    }
    if (count) {
        s->evtq_cons = prod & mask;
        /* OVACKFLG follows OVFLG to acknowledge an overflow */
        qsmmu_writel(s, QSMMU_EVENTQ_CONS,
                     s->evtq_cons | (prod & QSMMU_EVTQ_OVFLG));
    }
    return count;
}

void qsmmu_add_case(const void *data, GTestDataFunc fn, const char *fmt, ...)
{
    g_autofree char *path = NULL;
    va_list ap;

    va_start(ap, fmt);
    path = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_add_data_func(path, data, fn);
}
