/*
 * SMMUv3 configuration decode: stream table, STE and CD
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One decoder per structure of IHI 0070 chapter 5: the stream table walk
 * (5.1, with SMMU_STRTAB_BASE and SMMU_STRTAB_BASE_CFG of 6.3.24/6.3.25),
 * the Stream Table Entry (5.2) and the Context Descriptor (5.4).  They are
 * pure except for the SMMUEventInfo they fill: a structure that the
 * architecture calls invalid or ILLEGAL gives the event of 7.3 that goes
 * with it (C_BAD_STREAMID, F_STE_FETCH, C_BAD_STE, F_CD_FETCH, C_BAD_CD)
 * and never an assertion, whatever the guest wrote.
 *
 * The result is the SMMUTransCfg that smmu-common.c walks with.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "system/dma.h"
#include "hw/arm/smmuv3.h"
#include "smmuv3-internal.h"
#include "smmuv3-ste.h"
#include "trace.h"

/* L1STD (5.1) */
#define SMMUV3_L1STD_SPAN_MAX   11

/* STE words not covered by smmuv3-internal.h (5.2) */
#define SMMUV3_STE_CTXPTR(x)    ((extract64((x)->word[1], 0, 24) << 32) | \
                                 ((x)->word[0] & 0xffffffc0))

/*
 * STE.PRIVCFG, bits [113:112] (5.2): 0b10 makes the stream's transactions
 * unprivileged, 0b11 privileged; 0b0x uses the incoming attribute, which
 * for a PCIe transaction without a PASID TLP prefix is unprivileged.
 */
#define SMMUV3_STE_PRIVCFG(x)   extract32((x)->word[3], 16, 2)
#define SMMUV3_PRIVCFG_PRIV     3

/* CD.ASID[15:8] (5.4) */
#define SMMUV3_CD_ASID_HI(x)    extract32((x)->word[1], 24, 8)

/* STE.S1DSS, bits [65:64] (5.2) */
#define SMMUV3_STE_S1DSS(x)     extract32((x)->word[2], 0, 2)

/*
 * STE.S1Fmt (5.2): a linear CD table, or L2 tables of 64 or 1024 CDs;
 * 0b11 is reserved and behaves as linear.
 */
#define SMMUV3_S1FMT_LINEAR     0
#define SMMUV3_S1FMT_4K_L2      1
#define SMMUV3_S1FMT_64K_L2     2

/* L1CD (5.3): V, and L2Ptr in bits [55:12] */
#define SMMUV3_L1CD_SIZE        8
#define SMMUV3_L1CD_VALID(d)    ((d) & 1)
#define SMMUV3_L1CD_L2PTR(d)    ((d) & MAKE_64BIT_MASK(12, 44))

/*
 * Address sizes of the PS/IPS/OAS encodings (5.2 S2PS, 5.4 IPS, 6.3.6
 * OAS).  0b111 is 56 bits from SMMUv3.4; every caller caps the field to
 * SMMU_IDR5.OAS first, as the architecture says.
 */
static unsigned smmuv3_ste_ps_bits(unsigned field)
{
    static const uint8_t bits[8] = { 32, 36, 40, 42, 44, 48, 52, 56 };

    return bits[field & 7];
}

static unsigned smmuv3_ste_oas_field(SMMUv3State *s)
{
    return FIELD_EX32(s->idr[5], IDR5, OAS);
}

/* IAS == OAS: this SMMU has no AArch32 tables (3.4, IDR0.TTF) */
static unsigned smmuv3_ste_ias(SMMUv3State *s)
{
    return smmuv3_ste_ps_bits(smmuv3_ste_oas_field(s));
}

static bool smmuv3_ste_granule_supported(SMMUv3State *s, int granule)
{
    switch (granule) {
    case 12:
        return FIELD_EX32(s->idr[5], IDR5, GRAN4K);
    case 14:
        return FIELD_EX32(s->idr[5], IDR5, GRAN16K);
    case 16:
        return FIELD_EX32(s->idr[5], IDR5, GRAN64K);
    default:
        return false;
    }
}

/* Record @type for a structure the architecture deems unusable */
static int smmuv3_ste_fail(SMMUEventInfo *event, SMMUEventType type,
                           const char *why)
{
    if (!event->inval_ste_allowed) {
        qemu_log_mask(LOG_GUEST_ERROR, "smmuv3: sid=0x%x %s: %s\n",
                      event->sid, smmu_event_string(type), why);
    }
    trace_smmuv3_ste_fail(event->sid, smmu_event_string(type), why);
    event->type = type;
    return -EINVAL;
}

/*
 * A StreamID that reaches no STE (5.1.1, 6.3.25): the transaction is
 * terminated; C_BAD_STREAMID is recorded only if SMMU_CR2.RECINVSID is set.
 */
static int smmuv3_ste_bad_streamid(SMMUv3State *s, SMMUEventInfo *event,
                                   const char *why)
{
    if (!FIELD_EX32(s->cr[2], CR2, RECINVSID)) {
        trace_smmuv3_ste_fail(event->sid, "no event (CR2.RECINVSID=0)", why);
        event->type = SMMU_EVT_NONE;
        return -EINVAL;
    }
    event->u.c_bad_streamid.ssv = false;
    event->u.c_bad_streamid.ssid = 0;
    return smmuv3_ste_fail(event, SMMU_EVT_C_BAD_STREAMID, why);
}

static int smmuv3_ste_fetch_abort(SMMUEventInfo *event, dma_addr_t addr)
{
    event->u.f_ste_fetch.ssv = false;
    event->u.f_ste_fetch.ssid = 0;
    event->u.f_ste_fetch.addr = addr;
    return smmuv3_ste_fail(event, SMMU_EVT_F_STE_FETCH,
                           "external abort fetching the stream table");
}

/*
 * Stream table walk: 5.1, 6.3.24 SMMU_STRTAB_BASE, 6.3.25 _BASE_CFG.
 *
 * L1STDs, STEs and CDs are fetched with smmu_read_table(): one that the
 * guest placed on a device's registers is an abort on the fetch
 * (F_STE_FETCH, F_CD_FETCH), not MMIO reads with their side effects (a
 * read of GICC_IAR acknowledges an interrupt), which a query-smmuv3 would
 * then perform as well.
 */
int smmuv3_ste_find(SMMUv3State *s, uint32_t sid, STE *ste,
                    SMMUEventInfo *event)
{
    uint32_t cfg = s->strtab_base_cfg;
    unsigned log2size = FIELD_EX32(cfg, STRTAB_BASE_CFG, LOG2SIZE);
    unsigned eff_log2size = MIN(log2size,
                                FIELD_EX32(s->idr[1], IDR1, SIDSIZE));
    unsigned fmt = FIELD_EX32(cfg, STRTAB_BASE_CFG, FMT);
    unsigned split = FIELD_EX32(cfg, STRTAB_BASE_CFG, SPLIT);
    uint64_t base = s->strtab_base & SMMU_BASE_ADDR_MASK;
    dma_addr_t addr;
    int i;

    /*
     * FMT: 0b01 is 2-level when SMMU_IDR0.ST_LEVEL allows it; the other
     * values behave as 0b00, linear.  The format is read here, at each
     * walk, so that a guest can switch back to a linear table.
     */
    if (fmt != 1 || !FIELD_EX32(s->idr[0], IDR0, STLEVEL)) {
        fmt = 0;
    }

    if (sid >= (1ULL << eff_log2size)) {
        return smmuv3_ste_bad_streamid(s, event,
                                       "StreamID beyond STRTAB_BASE_CFG");
    }

    if (fmt == 0) {
        /*
         * Aligned to the table size, from the programmed LOG2SIZE, not
         * limited by SIDSIZE: ADDR[LOG2SIZE + 5:0] is taken as 0, so from
         * LOG2SIZE 58 on the table starts at 0.
         */
        base &= ~MAKE_64BIT_MASK(0, MIN(log2size + 6, 64));
        addr = base + (uint64_t)sid * sizeof(*ste);
    } else {
        uint64_t l1std, l1ptr, l2ptr;
        unsigned span, l2idx;
        int l1shift;

        /* SPLIT: 6, 8 or 10; other values behave as 6 */
        if (split != 6 && split != 8 && split != 10) {
            split = 6;
        }
        /* Aligned to the larger of 64 bytes and the L1 table size */
        l1shift = MAX(6, (int)log2size - (int)split + 3);
        base &= ~MAKE_64BIT_MASK(0, l1shift);
        l1ptr = base + (uint64_t)(sid >> split) * sizeof(l1std);

        if (smmu_read_table(l1ptr, &l1std, sizeof(l1std))) {
            return smmuv3_ste_fetch_abort(event, l1ptr);
        }
        l1std = le64_to_cpu(l1std);
        span = extract64(l1std, 0, 5);
        l2idx = sid & MAKE_64BIT_MASK(0, split);
        trace_smmuv3_ste_l1std(sid, l1ptr, span, l1std);

        /*
         * 5.1: Span 0 has no L2 array, 12..31 are Reserved and behave as 0,
         * and a Span beyond SPLIT + 1 is out of bounds.  Each of these,
         * and a StreamID past the 2^(Span - 1) STEs of the L2 array, is an
         * invalid StreamID.
         */
        if (span == 0 || span > SMMUV3_L1STD_SPAN_MAX) {
            return smmuv3_ste_bad_streamid(s, event,
                                           "L1STD.Span is 0 (no L2 table)");
        }
        if (span > split + 1) {
            return smmuv3_ste_bad_streamid(s, event,
                                           "L1STD.Span beyond SPLIT + 1");
        }
        if (l2idx >= (1U << (span - 1))) {
            return smmuv3_ste_bad_streamid(s, event,
                                           "StreamID beyond L1STD.Span");
        }
        /* L2Ptr[55:6], the L2 array aligned to its size (Span + 5 bits) */
        l2ptr = extract64(l1std, 6, 50) << 6;
        l2ptr &= ~MAKE_64BIT_MASK(0, span + 5);
        addr = l2ptr + (uint64_t)l2idx * sizeof(*ste);
    }

    trace_smmuv3_ste_find(sid, fmt, log2size, split, addr);
    if (smmu_read_table(addr, ste, sizeof(*ste))) {
        return smmuv3_ste_fetch_abort(event, addr);
    }
    for (i = 0; i < ARRAY_SIZE(ste->word); i++) {
        le32_to_cpus(&ste->word[i]);
    }
    return 0;
}

static int smmuv3_ste_illegal(SMMUEventInfo *event, const char *why)
{
    event->u.c_bad_ste.ssv = false;
    event->u.c_bad_ste.ssid = 0;
    return smmuv3_ste_fail(event, SMMU_EVT_C_BAD_STE, why);
}

/*
 * Stage 2 walk geometry (5.2 S2T0SZ, S2SL0, S2TG; SMMUv3.1 and later make
 * an out of range S2T0SZ ILLEGAL).  With neither S2DS nor small
 * translation tables, S2T0SZ ranges from MAX(16, 64 - IAS) (MAX(12, ...)
 * for 64KB) to 39, and the start level must resolve between 1 and
 * stride + 4 bits, up to 16 (VMSA_MAX_S2_CONCAT) concatenated tables, as
 * for VTCR_EL2 in the A-profile architecture.
 */
static const char *smmuv3_ste_s2_geometry(int granule, unsigned sl0,
                                          unsigned t0sz, unsigned ias)
{
    int stride = granule - 3;
    int iasize = 64 - t0sz;
    int start, min_bits;

    if (t0sz > 39) {
        return "S2T0SZ above 39";
    }
    if (t0sz < MAX(granule == 16 ? 12 : 16, 64 - (int)ias)) {
        return "S2T0SZ below 64 - IAS";
    }
    if (sl0 == 3) {
        /* Level 3 (4KB) and level 0 (16KB) need S2DS or STT */
        return "S2SL0 reserved for this granule";
    }
    start = (granule == 12 ? 2 : 3) - sl0;
    min_bits = (3 - start) * stride + granule + 1;
    if (iasize < min_bits ||
        iasize > min_bits + stride - 1 + ctz32(VMSA_MAX_S2_CONCAT)) {
        return "S2SL0 inconsistent with S2T0SZ and S2TG";
    }
    return NULL;
}

/* The stage 2 fields of an STE with Config[1] == 1 (5.2) */
static int smmuv3_ste_decode_s2(SMMUv3State *s, const STE *ste,
                                SMMUTransCfg *cfg, SMMUEventInfo *event)
{
    SMMUS2Cfg *s2 = &cfg->s2cfg;
    unsigned ttendian = FIELD_EX32(s->idr[0], IDR0, TTENDIAN);
    unsigned httu = FIELD_EX32(s->idr[0], IDR0, HTTU);
    const char *why;

    if (!STE_S2AA64(ste)) {
        /* VMSAv8-32 LPAE needs SMMU_IDR0.TTF[0]; this SMMU has AArch64 */
        return smmuv3_ste_illegal(event, "S2AA64 selects VMSAv8-32 LPAE");
    }
    if (!(FIELD_EX32(s->idr[0], IDR0, TTF) & 2)) {
        return smmuv3_ste_illegal(event, "S2AA64: no VMSAv8-64 tables");
    }

    switch (STE_S2TG(ste)) {
    case 0:
        s2->granule_sz = 12;
        break;
    case 1:
        s2->granule_sz = 16;
        break;
    case 2:
        s2->granule_sz = 14;
        break;
    default:
        return smmuv3_ste_illegal(event, "S2TG reserved");
    }
    if (!smmuv3_ste_granule_supported(s, s2->granule_sz)) {
        return smmuv3_ste_illegal(event, "S2TG granule not implemented");
    }

    /* eff_S2PS = MIN(S2PS, OAS); 52 bits need the 64KB granule */
    s2->eff_ps = smmuv3_ste_ps_bits(MIN(STE_S2PS(ste),
                                        smmuv3_ste_oas_field(s)));
    if (s2->granule_sz != 16) {
        s2->eff_ps = MIN(s2->eff_ps, 48);
    }

    s2->tsz = STE_S2T0SZ(ste);
    s2->sl0 = STE_S2SL0(ste);
    why = smmuv3_ste_s2_geometry(s2->granule_sz, s2->sl0, s2->tsz,
                                 smmuv3_ste_ias(s));
    if (why) {
        return smmuv3_ste_illegal(event, why);
    }

    s2->vttb = STE_S2TTB(ste);
    if (s2->vttb & ~MAKE_64BIT_MASK(0, s2->eff_ps)) {
        return smmuv3_ste_illegal(event, "S2TTB beyond the effective S2PS");
    }

    if ((ttendian == 2 && STE_S2ENDI(ste)) ||
        (ttendian == 3 && !STE_S2ENDI(ste))) {
        return smmuv3_ste_illegal(event, "S2ENDI endianness not supported");
    }
    if (STE_S2ENDI(ste)) {
        qemu_log_mask(LOG_UNIMP, "smmuv3: big-endian stage 2 tables\n");
        return smmuv3_ste_illegal(event, "S2ENDI big-endian unimplemented");
    }
    if ((STE_S2HA(ste) && httu == 0) || (STE_S2HD(ste) && httu < 2)) {
        return smmuv3_ste_illegal(event, "S2HA/S2HD without HTTU");
    }
    if (STE_S2S(ste) && FIELD_EX32(s->idr[0], IDR0, STALL_MODEL) == 1) {
        /* 5.5: no stall model in this SMMU */
        return smmuv3_ste_illegal(event, "S2S set, stalls not supported");
    }

    s2->affd = STE_S2AFFD(ste);
    s2->record_faults = STE_S2R(ste);
    return 0;
}

/* The stage 1 fields of an STE with Config[0] == 1 (5.2) */
static int smmuv3_ste_decode_s1(SMMUv3State *s, const STE *ste,
                                SMMUTransCfg *cfg, SMMUEventInfo *event)
{
    unsigned ssidsize = FIELD_EX32(s->idr[1], IDR1, SSIDSIZE);
    unsigned cdmax = STE_S1CDMAX(ste);

    /*
     * S1CDMax, S1Fmt and S1DSS are IGNORED when SMMU_IDR1.SSIDSIZE is 0:
     * S1ContextPtr then points at the one CD.
     */
    if (ssidsize && cdmax) {
        if (cdmax > ssidsize) {
            return smmuv3_ste_illegal(event, "S1CDMax above SSIDSIZE");
        }
        if (STE_S1FMT(ste) != SMMUV3_S1FMT_LINEAR &&
            !FIELD_EX32(s->idr[0], IDR0, CD2L)) {
            return smmuv3_ste_illegal(event, "S1Fmt 2-level without CD2L");
        }
        cfg->s1cdmax = cdmax;
        /* 0b11 is reserved and behaves as terminate */
        cfg->s1dss = SMMUV3_STE_S1DSS(ste);
        if (cfg->s1dss > SMMUV3_S1DSS_SSID0) {
            cfg->s1dss = SMMUV3_S1DSS_TERMINATE;
        }
    }

    if (STE_S1STALLD(ste) && FIELD_EX32(s->idr[0], IDR0, STALL_MODEL)) {
        return smmuv3_ste_illegal(event,
                                  "S1STALLD with a fixed stall model");
    }

    /* STRW: RES0 unless SMMU_IDR0.Hyp; IGNORED when stage 2 translates */
    if (FIELD_EX32(s->idr[0], IDR0, HYP) && cfg->stage == SMMU_STAGE_1) {
        if (STE_STRW(ste) & 1) {
            return smmuv3_ste_illegal(event, "STRW reserved");
        }
        if (STE_STRW(ste) == 2) {
            qemu_log_mask(LOG_UNIMP, "smmuv3: StreamWorld EL2\n");
            return smmuv3_ste_illegal(event, "STRW EL2 unimplemented");
        }
    }

    /* 3.4.3: a stage-1-only S1ContextPtr is a PA within the OAS */
    if (cfg->stage == SMMU_STAGE_1 &&
        (SMMUV3_STE_CTXPTR(ste) >> smmuv3_ste_ias(s))) {
        return smmuv3_ste_illegal(event, "S1ContextPtr beyond the OAS");
    }
    return 0;
}

/* Stream Table Entry, 5.2 */
int smmuv3_ste_decode(SMMUv3State *s, const STE *ste, SMMUTransCfg *cfg,
                      SMMUEventInfo *event)
{
    uint32_t config;
    int ret;

    if (!STE_VALID(ste)) {
        return smmuv3_ste_illegal(event, "STE.V is 0");
    }

    config = STE_CONFIG(ste);
    trace_smmuv3_ste_decode(event->sid, config);

    /* 0b000 aborts without an event; 0b001..0b011 behave as 0b000 */
    if (!(config & 4)) {
        cfg->aborted = true;
        return 0;
    }
    if (config == 4) {
        cfg->bypassed = true;
        return 0;
    }

    /* 0b1x1 needs SMMU_IDR0.S1P, 0b11x needs S2P */
    if ((config & 1) && !FIELD_EX32(s->idr[0], IDR0, S1P)) {
        return smmuv3_ste_illegal(event, "stage 1 not implemented");
    }
    if ((config & 2) && !FIELD_EX32(s->idr[0], IDR0, S2P)) {
        return smmuv3_ste_illegal(event, "stage 2 not implemented");
    }
    cfg->stage = (config & 1 ? SMMU_STAGE_1 : 0) |
                 (config & 2 ? SMMU_STAGE_2 : 0);

    /*
     * S2VMID tags the translations of a stream through either stage when
     * stage 2 is implemented.
     */
    if (FIELD_EX32(s->idr[0], IDR0, S2P)) {
        cfg->s2cfg.vmid = STE_S2VMID(ste);
        if (!FIELD_EX32(s->idr[0], IDR0, VMID16) && cfg->s2cfg.vmid > 0xff) {
            return smmuv3_ste_illegal(event, "S2VMID[15:8] without VMID16");
        }
    } else {
        cfg->s2cfg.vmid = -1;
    }

    /* Stage 1 bypass still checks the input against the IAS (3.4) */
    cfg->oas = smmuv3_ste_ias(s);
    cfg->priv = SMMUV3_STE_PRIVCFG(ste) == SMMUV3_PRIVCFG_PRIV;

    if (config & 2) {
        ret = smmuv3_ste_decode_s2(s, ste, cfg, event);
        if (ret) {
            return ret;
        }
    }
    if (config & 1) {
        ret = smmuv3_ste_decode_s1(s, ste, cfg, event);
        if (ret) {
            return ret;
        }
    }
    return 0;
}

static int smmuv3_cd_illegal(SMMUEventInfo *event, const char *why)
{
    event->u.c_bad_cd.ssv = false;
    event->u.c_bad_cd.ssid = 0;
    return smmuv3_ste_fail(event, SMMU_EVT_C_BAD_CD, why);
}

/* Granule of CD.TG0 / CD.TG1, which are encoded differently (5.4) */
static int smmuv3_cd_granule(unsigned tg, int ttb)
{
    static const int tg0[4] = { 12, 16, 14, 0 };
    static const int tg1[4] = { 0, 14, 12, 16 };

    return ttb ? tg1[tg & 3] : tg0[tg & 3];
}

/* Context Descriptor, 5.4 */
int smmuv3_cd_decode(SMMUv3State *s, const CD *cd, SMMUTransCfg *cfg,
                     SMMUEventInfo *event, SMMUv3DescTranslate xlate)
{
    unsigned stall_model = FIELD_EX32(s->idr[0], IDR0, STALL_MODEL);
    unsigned ttendian = FIELD_EX32(s->idr[0], IDR0, TTENDIAN);
    unsigned httu = FIELD_EX32(s->idr[0], IDR0, HTTU);
    unsigned ips;
    int i;

    if (!CD_VALID(cd)) {
        return smmuv3_cd_illegal(event, "CD.V is 0");
    }
    if (!CD_AARCH64(cd)) {
        return smmuv3_cd_illegal(event, "AA64 selects VMSAv8-32 LPAE");
    }
    if (!(FIELD_EX32(s->idr[0], IDR0, TTF) & 2)) {
        return smmuv3_cd_illegal(event, "AA64: no VMSAv8-64 tables");
    }
    /* 5.5: fault configuration */
    if (!CD_A(cd) && FIELD_EX32(s->idr[0], IDR0, TERM_MODEL)) {
        return smmuv3_cd_illegal(event, "A is 0 with TERM_MODEL 1");
    }
    if ((CD_S(cd) && stall_model == 1) || (!CD_S(cd) && stall_model == 2)) {
        return smmuv3_cd_illegal(event, "S against SMMU_IDR0.STALL_MODEL");
    }
    if (CD_S(cd)) {
        qemu_log_mask(LOG_UNIMP, "smmuv3: stall fault model\n");
        return smmuv3_cd_illegal(event, "S: stalls not implemented");
    }
    if ((CD_HA(cd) && httu == 0) || (CD_HD(cd) && httu < 2)) {
        return smmuv3_cd_illegal(event, "HA/HD without HTTU");
    }
    if (!FIELD_EX32(s->idr[0], IDR0, ASID16) && SMMUV3_CD_ASID_HI(cd)) {
        return smmuv3_cd_illegal(event, "ASID[15:8] without ASID16");
    }
    if (!(CD_EPD(cd, 0) && CD_EPD(cd, 1)) &&
        ((ttendian == 2 && CD_ENDI(cd)) || (ttendian == 3 && !CD_ENDI(cd)))) {
        return smmuv3_cd_illegal(event, "ENDI endianness not supported");
    }
    if (!(CD_EPD(cd, 0) && CD_EPD(cd, 1)) && CD_ENDI(cd)) {
        qemu_log_mask(LOG_UNIMP, "smmuv3: big-endian stage 1 tables\n");
        return smmuv3_cd_illegal(event, "ENDI big-endian unimplemented");
    }

    cfg->aa64 = true;
    /* eff_IPS = MIN(IPS, OAS): larger values behave as the cap */
    ips = MIN(CD_IPS(cd), smmuv3_ste_oas_field(s));
    cfg->oas = smmuv3_ste_ps_bits(ips);
    cfg->tbi = CD_TBI(cd);
    cfg->asid = CD_ASID(cd);
    cfg->affd = CD_AFFD(cd);
    cfg->record_faults = CD_R(cd);

    for (i = 0; i <= 1; i++) {
        SMMUTransTableInfo *tt = &cfg->tt[i];
        SMMUTranslationStatus status;
        SMMUTLBEntry *entry;
        unsigned tsz;

        tt->disabled = CD_EPD(cd, i);
        if (tt->disabled) {
            continue;
        }
        /* No small tables (IDR3.STT), no 52-bit VAs (IDR5.VAX) */
        tsz = CD_TSZ(cd, i);
        if (tsz < 16 || tsz > 39) {
            return smmuv3_cd_illegal(event, "TxSZ out of range");
        }
        tt->tsz = tsz;
        tt->granule_sz = smmuv3_cd_granule(CD_TG(cd, i), i);
        if (!smmuv3_ste_granule_supported(s, tt->granule_sz)) {
            return smmuv3_cd_illegal(event, "TGx reserved or unsupported");
        }
        /* Outputs above 48 bits need the 64KB granule */
        if (tt->granule_sz != 16) {
            cfg->oas = MIN(cfg->oas, 48);
        }
        tt->ttb = CD_TTB(cd, i);
        if (tt->ttb & ~MAKE_64BIT_MASK(0, cfg->oas)) {
            return smmuv3_cd_illegal(event, "TTBx beyond the effective IPS");
        }
        tt->had = FIELD_EX32(s->idr[3], IDR3, HAD) && CD_HAD(cd, i);

        if (cfg->stage == SMMU_NESTED) {
            /* The table base is an IPA: a stage 2 fault has CLASS TT */
            status = xlate(s, tt->ttb, cfg, event, IOMMU_RO, &entry,
                           SMMU_CLASS_TT);
            if (status != SMMU_TRANS_SUCCESS) {
                return -EINVAL;
            }
            tt->ttb = CACHED_ENTRY_TO_ADDR(entry, tt->ttb);
        }
        trace_smmuv3_ste_cd_tt(event->sid, i, tt->tsz, tt->ttb,
                               tt->granule_sz);
    }
    trace_smmuv3_ste_cd(event->sid, cfg->asid, cfg->oas);
    return 0;
}

/*
 * Read @len bytes of the CD table at @addr, an IPA for a nested stream
 * (a stage 2 fault then has CLASS CD); F_CD_FETCH on an external abort.
 */
static int smmuv3_ste_read_cd_table(SMMUv3State *s, SMMUTransCfg *cfg,
                                    dma_addr_t addr, void *buf, size_t len,
                                    SMMUEventInfo *event,
                                    SMMUv3DescTranslate xlate)
{
    SMMUTranslationStatus status;
    SMMUTLBEntry *entry;

    if (cfg->stage == SMMU_NESTED) {
        status = xlate(s, addr, cfg, event, IOMMU_RO, &entry, SMMU_CLASS_CD);
        if (status != SMMU_TRANS_SUCCESS) {
            return -EINVAL;
        }
        addr = CACHED_ENTRY_TO_ADDR(entry, addr);
    }
    if (smmu_read_table(addr, buf, len)) {
        event->u.f_cd_fetch.ssv = false;
        event->u.f_cd_fetch.ssid = 0;
        event->u.f_cd_fetch.addr = addr;
        return smmuv3_ste_fail(event, SMMU_EVT_F_CD_FETCH,
                               "external abort fetching the CD table");
    }
    return 0;
}

static int smmuv3_ste_bad_substream(SMMUEventInfo *event, uint32_t ssid,
                                    const char *why)
{
    event->u.c_bad_substream.ssid = ssid;
    return smmuv3_ste_fail(event, SMMU_EVT_C_BAD_SUBSTREAMID, why);
}

/*
 * Fetch the CD of substream @ssid: S1ContextPtr points at the one CD of a
 * stream without substreams, else at a linear CD table or at a table of
 * L1CDs, each pointing at an L2 table of 64 or 1024 CDs (5.2 S1Fmt, 5.3).
 */
static int smmuv3_ste_fetch_cd(SMMUv3State *s, const STE *ste,
                               SMMUTransCfg *cfg, uint32_t ssid, CD *cd,
                               SMMUEventInfo *event,
                               SMMUv3DescTranslate xlate)
{
    dma_addr_t base = SMMUV3_STE_CTXPTR(ste);
    uint32_t index = cfg->s1cdmax ? ssid : 0;
    int i, ret;

    if (cfg->s1cdmax && (STE_S1FMT(ste) == SMMUV3_S1FMT_4K_L2 ||
                         STE_S1FMT(ste) == SMMUV3_S1FMT_64K_L2)) {
        unsigned split = STE_S1FMT(ste) == SMMUV3_S1FMT_4K_L2 ? 6 : 10;
        uint64_t l1cd;

        ret = smmuv3_ste_read_cd_table(s, cfg,
                                       base + (index >> split) *
                                       SMMUV3_L1CD_SIZE,
                                       &l1cd, sizeof(l1cd), event, xlate);
        if (ret) {
            return ret;
        }
        l1cd = le64_to_cpu(l1cd);
        trace_smmuv3_ste_fetch_l1cd(event->sid, ssid, l1cd);
        if (!SMMUV3_L1CD_VALID(l1cd)) {
            /* 5.3.1: an L1CD with V == 0 makes its SubstreamIDs invalid */
            return smmuv3_ste_bad_substream(event, ssid, "L1CD.V is 0");
        }
        base = SMMUV3_L1CD_L2PTR(l1cd);
        if (base >> smmuv3_ste_ias(s)) {
            return smmuv3_ste_bad_substream(event, ssid,
                                            "L1CD.L2Ptr out of range");
        }
        index &= MAKE_64BIT_MASK(0, split);
    }

    base += (dma_addr_t)index * sizeof(*cd);
    trace_smmuv3_ste_fetch_cd(event->sid, SMMUV3_STE_CTXPTR(ste), base);
    ret = smmuv3_ste_read_cd_table(s, cfg, base, cd, sizeof(*cd), event,
                                   xlate);
    if (ret) {
        return ret;
    }
    for (i = 0; i < ARRAY_SIZE(cd->word); i++) {
        le32_to_cpus(&cd->word[i]);
    }
    return 0;
}

/*
 * The configuration for a transaction with SubstreamID @ssid, or without
 * one (SMMUV3_NO_SSID), once the STE is decoded (5.2 S1CDMax, S1DSS).
 * Returns 1 when the STE alone decides, 0 when the CD of *@cd_ssid does.
 */
static int smmuv3_ste_substream(SMMUTransCfg *cfg, uint32_t ssid,
                                uint32_t *cd_ssid, SMMUEventInfo *event)
{
    *cd_ssid = 0;
    if (cfg->aborted) {
        /* Config 0b0xx terminates every transaction of the stream */
        return 1;
    }
    if (ssid == SMMUV3_NO_SSID) {
        if (cfg->bypassed || cfg->stage == SMMU_STAGE_2) {
            return 1;
        }
        if (!cfg->s1cdmax) {
            return 0;   /* S1ContextPtr points at the one CD */
        }
        switch (cfg->s1dss) {
        case SMMUV3_S1DSS_TERMINATE:
            cfg->stream_disabled = true;
            return 1;
        case SMMUV3_S1DSS_BYPASS:
            /* Stage 1 is bypassed; stage 2 of a nested stream is not */
            if (cfg->stage == SMMU_NESTED) {
                cfg->stage = SMMU_STAGE_2;
            } else {
                cfg->bypassed = true;
            }
            return 1;
        default:
            /* S1DSS substream 0: the CD of SubstreamID 0 */
            return 0;
        }
    }

    if (cfg->bypassed || cfg->stage == SMMU_STAGE_2 || !cfg->s1cdmax) {
        return smmuv3_ste_bad_substream(event, ssid,
                                        "no substreams on this stream");
    }
    if (ssid >> cfg->s1cdmax) {
        return smmuv3_ste_bad_substream(event, ssid,
                                        "SubstreamID beyond S1CDMax");
    }
    if (ssid == 0 && cfg->s1dss == SMMUV3_S1DSS_SSID0) {
        /* 5.2: substream 0 is reserved for transactions without one */
        cfg->stream_disabled = true;
        return 1;
    }
    *cd_ssid = ssid;
    return 0;
}

int smmuv3_ste_decode_substream(SMMUv3State *s, SMMUDevice *sdev,
                                uint32_t ssid, SMMUTransCfg *cfg,
                                SMMUEventInfo *event,
                                SMMUv3DescTranslate xlate)
{
    uint32_t sid = smmu_get_sid(sdev);
    uint32_t cd_ssid;
    STE ste;
    CD cd;
    int ret;

    /* No stage 1 and no stage 2 until the STE says so */
    cfg->asid = -1;
    cfg->s2cfg.vmid = -1;

    ret = smmuv3_ste_find(s, sid, &ste, event);
    if (ret) {
        return ret;
    }
    ret = smmuv3_ste_decode(s, &ste, cfg, event);
    if (ret) {
        return ret;
    }
    ret = smmuv3_ste_substream(cfg, ssid, &cd_ssid, event);
    if (ret) {
        return ret < 0 ? ret : 0;
    }

    ret = smmuv3_ste_fetch_cd(s, &ste, cfg, cd_ssid, &cd, event, xlate);
    if (ret) {
        return ret;
    }
    return smmuv3_cd_decode(s, &cd, cfg, event, xlate);
}

int smmuv3_ste_decode_config(SMMUv3State *s, SMMUDevice *sdev,
                             SMMUTransCfg *cfg, SMMUEventInfo *event,
                             SMMUv3DescTranslate xlate)
{
    return smmuv3_ste_decode_substream(s, sdev, SMMUV3_NO_SSID, cfg, event,
                                       xlate);
}

/* Substream configuration cache: one SMMUTransCfg per (StreamID, SSID) */

SMMUTransCfg *smmuv3_substream_config(SMMUDevice *sdev, uint32_t ssid,
                                      SMMUEventInfo *event,
                                      SMMUv3DescTranslate xlate)
{
    SMMUv3StreamDomain *d = &sdev->domain;
    SMMUTransCfg *cfg;

    if (!d->substreams) {
        d->substreams = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    }
    cfg = g_hash_table_lookup(d->substreams, GUINT_TO_POINTER(ssid));
    if (cfg) {
        trace_smmuv3_substream_config(event->sid, ssid, true);
        return cfg;
    }
    trace_smmuv3_substream_config(event->sid, ssid, false);

    cfg = g_new0(SMMUTransCfg, 1);
    if (smmuv3_ste_decode_substream(sdev->smmu, sdev, ssid, cfg, event,
                                    xlate)) {
        g_free(cfg);
        return NULL;
    }
    g_hash_table_insert(d->substreams, GUINT_TO_POINTER(ssid), cfg);
    return cfg;
}

typedef struct SMMUv3SubstreamInv {
    uint32_t start;
    uint32_t end;
    uint32_t ssid;
} SMMUv3SubstreamInv;

static void smmuv3_substreams_inv_one(SMMUDevice *sdev, void *opaque)
{
    SMMUv3SubstreamInv *inv = opaque;
    uint32_t sid = smmu_get_sid(sdev);
    GHashTable *cache = sdev->domain.substreams;

    if (!cache || sid < inv->start || sid > inv->end) {
        return;
    }
    if (inv->ssid == SMMUV3_NO_SSID) {
        g_hash_table_remove_all(cache);
    } else {
        g_hash_table_remove(cache, GUINT_TO_POINTER(inv->ssid));
    }
}

void smmuv3_substreams_inv(SMMUv3State *s, uint32_t start, uint32_t end,
                           uint32_t ssid)
{
    SMMUv3SubstreamInv inv = { .start = start, .end = end, .ssid = ssid };

    if (!FIELD_EX32(s->idr[1], IDR1, SSIDSIZE)) {
        /* Nothing is cached without substreams: CFGI_STE stays cheap */
        return;
    }
    trace_smmuv3_substreams_inv(start, end, ssid);
    smmuv3_foreach_sdev(s, smmuv3_substreams_inv_one, &inv);
}
