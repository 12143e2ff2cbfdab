/*
 * Arm SMMUv3: event records, the Event queue, command errors and GBPA
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * References are to the Arm SMMUv3 architecture, IHI 0070:
 *   4.1    command errors (CERROR_ILL, CMDQ_CONS.ERR, GERROR.CMDQ_ERR)
 *   6.3    GBPA, GERROR/GERRORN, EVENTQ_PROD.OVFLG, EVENTQ_CONS.OVACKFLG
 *   7.2    Event queue overflow and abort
 *   7.3    event record formats
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/log.h"
#include "system/dma.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-smmuv3.h"
#include "qapi/util.h"
#include "qobject/qdict.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "hw/arm/smmuv3.h"
#include "smmuv3-internal.h"
#include "trace.h"

/* F_VMS_FETCH (7.3.21): SMMUv3.2 with VMS, never raised by this model */
#define SMMU_EVT_F_VMS_FETCH    0x25

/*
 * Event record encoders (7.3): one per record type.  Each fills the
 * fields its record defines and leaves every other bit zero.
 */

/* FetchAddr[55:3], record bits [247:195] */
static void smmuv3_evt_set_fetch_addr(Evt *evt, uint64_t addr)
{
    uint64_t field = addr & MAKE_64BIT_MASK(3, 53);

    EVT_SET_ADDR2(evt, field);
}

/* IPA[51:12], record bits [243:204]; defined only when S2 == 1 */
static void smmuv3_evt_set_ipa(Evt *evt, uint64_t ipa)
{
    uint64_t field = ipa & MAKE_64BIT_MASK(12, 40);

    EVT_SET_ADDR2(evt, field);
}

static void smmuv3_evt_set_ssid(Evt *evt, bool ssv, uint32_t ssid)
{
    EVT_SET_SSV(evt, ssv);
    EVT_SET_SSID(evt, ssv ? ssid : 0);
}

static void smmuv3_encode_f_uut(const SMMUEventInfo *info, Evt *evt)
{
    smmuv3_evt_set_ssid(evt, info->u.f_uut.ssv, info->u.f_uut.ssid);
    EVT_SET_ADDR(evt, info->u.f_uut.addr);
    EVT_SET_RNW(evt, info->u.f_uut.rnw);
    EVT_SET_PNU(evt, info->u.f_uut.pnu);
    EVT_SET_IND(evt, info->u.f_uut.ind);
}

static void smmuv3_encode_c_bad_streamid(const SMMUEventInfo *info,
                                         Evt *evt)
{
    smmuv3_evt_set_ssid(evt, info->u.c_bad_streamid.ssv,
                        info->u.c_bad_streamid.ssid);
}

static void smmuv3_encode_f_ste_fetch(const SMMUEventInfo *info, Evt *evt)
{
    smmuv3_evt_set_ssid(evt, info->u.f_ste_fetch.ssv,
                        info->u.f_ste_fetch.ssid);
    smmuv3_evt_set_fetch_addr(evt, info->u.f_ste_fetch.addr);
}

static void smmuv3_encode_c_bad_ste(const SMMUEventInfo *info, Evt *evt)
{
    smmuv3_evt_set_ssid(evt, info->u.c_bad_ste.ssv, info->u.c_bad_ste.ssid);
}

static void smmuv3_encode_f_transl_forbidden(const SMMUEventInfo *info,
                                             Evt *evt)
{
    EVT_SET_ADDR(evt, info->u.f_transl_forbidden.addr);
    EVT_SET_RNW(evt, info->u.f_transl_forbidden.rnw);
}

static void smmuv3_encode_c_bad_substreamid(const SMMUEventInfo *info,
                                            Evt *evt)
{
    /* The record names the SubstreamID that was out of range */
    smmuv3_evt_set_ssid(evt, true, info->u.c_bad_substream.ssid);
}

static void smmuv3_encode_f_cd_fetch(const SMMUEventInfo *info, Evt *evt)
{
    smmuv3_evt_set_ssid(evt, info->u.f_cd_fetch.ssv, info->u.f_cd_fetch.ssid);
    smmuv3_evt_set_fetch_addr(evt, info->u.f_cd_fetch.addr);
}

static void smmuv3_encode_c_bad_cd(const SMMUEventInfo *info, Evt *evt)
{
    smmuv3_evt_set_ssid(evt, info->u.c_bad_cd.ssv, info->u.c_bad_cd.ssid);
}

/* The fields F_WALK_EABT shares with the translation faults */
static void smmuv3_encode_walk_common(const struct FullInfo *f, Evt *evt)
{
    smmuv3_evt_set_ssid(evt, f->ssv, f->ssid);
    EVT_SET_STALL(evt, f->stall);
    EVT_SET_STAG(evt, f->stall ? f->stag : 0);
    EVT_SET_ADDR(evt, f->addr);
    EVT_SET_RNW(evt, f->rnw);
    EVT_SET_PNU(evt, f->pnu);
    EVT_SET_IND(evt, f->ind);
    EVT_SET_CLASS(evt, f->class);
}

static void smmuv3_encode_f_walk_eabt(const SMMUEventInfo *info, Evt *evt)
{
    const struct FullInfo *f = &info->u.f_walk_eabt;

    smmuv3_encode_walk_common(f, evt);
    EVT_SET_S2(evt, f->s2);
    /* The physical address of the descriptor whose fetch aborted */
    smmuv3_evt_set_fetch_addr(evt, f->addr2);
}

/* F_TRANSLATION, F_ADDR_SIZE, F_ACCESS and F_PERMISSION */
static void smmuv3_encode_f_walk_fault(const SMMUEventInfo *info, Evt *evt)
{
    const struct FullInfo *f = &info->u.f_translation;

    smmuv3_encode_walk_common(f, evt);
    EVT_SET_S2(evt, f->s2);
    if (f->s2) {
        /* The IPA that stage 2 could not translate */
        smmuv3_evt_set_ipa(evt, f->addr2);
    }
}

static void smmuv3_encode_f_cfg_conflict(const SMMUEventInfo *info,
                                         Evt *evt)
{
    smmuv3_evt_set_ssid(evt, info->u.f_cfg_conflict.ssv,
                        info->u.f_cfg_conflict.ssid);
}

/*
 * Encode @info as the record of its type.  False for a type this model
 * never raises; the caller drops it (no assertion: 7.3 lists them).
 */
static bool smmuv3_encode_event(const SMMUEventInfo *info, Evt *evt)
{
    memset(evt, 0, sizeof(*evt));
    EVT_SET_TYPE(evt, info->type);
    EVT_SET_SID(evt, info->sid);

    switch ((uint32_t)info->type) {
    case SMMU_EVT_F_UUT:
    case SMMU_EVT_F_BAD_ATS_TREQ:
    case SMMU_EVT_E_PAGE_REQ:
        /* Only injected (x-smmuv3-inject-event): no ATS, no PRI */
        smmuv3_encode_f_uut(info, evt);
        return true;
    case SMMU_EVT_C_BAD_STREAMID:
        smmuv3_encode_c_bad_streamid(info, evt);
        return true;
    case SMMU_EVT_F_STE_FETCH:
        smmuv3_encode_f_ste_fetch(info, evt);
        return true;
    case SMMU_EVT_C_BAD_STE:
        smmuv3_encode_c_bad_ste(info, evt);
        return true;
    case SMMU_EVT_F_STREAM_DISABLED:
        smmuv3_encode_c_bad_ste(info, evt);
        return true;
    case SMMU_EVT_F_TRANS_FORBIDDEN:
        smmuv3_encode_f_transl_forbidden(info, evt);
        return true;
    case SMMU_EVT_C_BAD_SUBSTREAMID:
        smmuv3_encode_c_bad_substreamid(info, evt);
        return true;
    case SMMU_EVT_F_CD_FETCH:
    case SMMU_EVT_F_VMS_FETCH:
        smmuv3_encode_f_cd_fetch(info, evt);
        return true;
    case SMMU_EVT_C_BAD_CD:
        smmuv3_encode_c_bad_cd(info, evt);
        return true;
    case SMMU_EVT_F_WALK_EABT:
        smmuv3_encode_f_walk_eabt(info, evt);
        return true;
    case SMMU_EVT_F_TRANSLATION:
    case SMMU_EVT_F_ADDR_SIZE:
    case SMMU_EVT_F_ACCESS:
    case SMMU_EVT_F_PERMISSION:
    case SMMU_EVT_F_TLB_CONFLICT:
        smmuv3_encode_f_walk_fault(info, evt);
        return true;
    case SMMU_EVT_F_CFG_CONFLICT:
        smmuv3_encode_f_cfg_conflict(info, evt);
        return true;
    default:
        return false;
    }
}

void smmuv3_event_set_substream(SMMUEventInfo *event, uint32_t ssid)
{
    struct SSIDInfo *si = NULL;
    bool ssv = ssid != SMMUV3_NO_SSID;

    switch ((uint32_t)event->type) {
    case SMMU_EVT_C_BAD_STREAMID:
        si = &event->u.c_bad_streamid;
        break;
    case SMMU_EVT_C_BAD_STE:
        si = &event->u.c_bad_ste;
        break;
    case SMMU_EVT_C_BAD_CD:
        si = &event->u.c_bad_cd;
        break;
    case SMMU_EVT_F_CFG_CONFLICT:
        si = &event->u.f_cfg_conflict;
        break;
    case SMMU_EVT_F_STE_FETCH:
        event->u.f_ste_fetch.ssv = ssv;
        event->u.f_ste_fetch.ssid = ssv ? ssid : 0;
        return;
    case SMMU_EVT_F_CD_FETCH:
        event->u.f_cd_fetch.ssv = ssv;
        event->u.f_cd_fetch.ssid = ssv ? ssid : 0;
        return;
    case SMMU_EVT_F_WALK_EABT:
        event->u.f_walk_eabt.ssv = ssv;
        event->u.f_walk_eabt.ssid = ssv ? ssid : 0;
        return;
    case SMMU_EVT_F_TRANSLATION:
    case SMMU_EVT_F_ADDR_SIZE:
    case SMMU_EVT_F_ACCESS:
    case SMMU_EVT_F_PERMISSION:
        /* The four share the layout of F_TRANSLATION */
        event->u.f_translation.ssv = ssv;
        event->u.f_translation.ssid = ssv ? ssid : 0;
        return;
    default:
        /*
         * C_BAD_SUBSTREAMID names its SubstreamID already; F_STREAM_DISABLED
         * has none
         */
        return;
    }
    si->ssv = ssv;
    si->ssid = ssv ? ssid : 0;
}

/*
 * The Event queue (7.2, 6.3 EVENTQ_PROD/CONS)
 *
 * A full queue loses the record.  If no overflow is outstanding
 * (EVENTQ_PROD.OVFLG == EVENTQ_CONS.OVACKFLG), OVFLG toggles; software
 * acknowledges by copying it to OVACKFLG.  GERROR.EVENTQ_ABT_ERR is only
 * for an abort on the write of the record itself.
 */
static void smmuv3_eventq_push(SMMUv3State *s, const Evt *evt)
{
    SMMUQueue *q = &s->eventq;
    dma_addr_t addr = Q_PROD_ENTRY(q);
    Evt le;
    MemTxResult r;
    int i;

    if (smmuv3_q_full(q)) {
        if (!((q->prod ^ q->cons) & R_EVENTQ_PROD_OVFLG_MASK)) {
            q->prod ^= R_EVENTQ_PROD_OVFLG_MASK;
            qemu_log_mask(LOG_GUEST_ERROR,
                          "smmuv3: Event queue overflow, record lost\n");
        }
        trace_smmuv3_eventq_overflow(q->prod, q->cons);
        return;
    }

    for (i = 0; i < ARRAY_SIZE(le.word); i++) {
        le.word[i] = cpu_to_le32(evt->word[i]);
    }
    r = dma_memory_write(&address_space_memory, addr, &le, sizeof(le),
                         MEMTXATTRS_UNSPECIFIED);
    if (r != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "smmuv3: abort writing an event record at 0x%"
                      PRIx64 "\n", (uint64_t)addr);
        trace_smmuv3_eventq_abort(addr);
        smmuv3_trigger_irq(s, SMMU_IRQ_GERROR, R_GERROR_EVENTQ_ABT_ERR_MASK);
        return;
    }

    /* Advance the index and wrap bit; OVFLG is kept */
    q->prod = deposit32(q->prod, 0, q->log2size + 1, q->prod + 1);
    smmuv3_trigger_irq(s, SMMU_IRQ_EVTQ, 0);
}

void smmuv3_record_event(SMMUv3State *s, SMMUEventInfo *info)
{
    Evt evt;

    if (info->type == SMMU_EVT_NONE) {
        return;
    }
    if (!smmuv3_eventq_enabled(s)) {
        /* CR0.EVENTQEN == 0: events are discarded (7.2) */
        trace_smmuv3_event_discarded(smmu_event_string(info->type), info->sid);
        return;
    }
    if (!smmuv3_encode_event(info, &evt)) {
        qemu_log_mask(LOG_UNIMP, "smmuv3: event type 0x%x not recorded\n",
                      info->type);
        return;
    }

    trace_smmuv3_record_event(smmu_event_string(info->type), info->sid);
    smmuv3_eventq_push(s, &evt);
    info->recorded = true;
}

void smmuv3_record_host_event(SMMUv3State *s, const uint64_t rec[4])
{
    Evt evt;
    int i;

    if (!smmuv3_eventq_enabled(s)) {
        trace_smmuv3_event_discarded("host", rec[0] >> 32);
        return;
    }
    for (i = 0; i < ARRAY_SIZE(evt.word); i++) {
        evt.word[i] = extract64(rec[i / 2], 32 * (i % 2), 32);
    }
    smmuv3_eventq_push(s, &evt);
}

void smmuv3_eventq_lost(SMMUv3State *s)
{
    SMMUQueue *q = &s->eventq;

    if (!smmuv3_eventq_enabled(s)) {
        return;
    }
    if (!((q->prod ^ q->cons) & R_EVENTQ_PROD_OVFLG_MASK)) {
        q->prod ^= R_EVENTQ_PROD_OVFLG_MASK;
        qemu_log_mask(LOG_GUEST_ERROR,
                      "smmuv3: the host lost event records: Event queue "
                      "overflow\n");
    }
    smmuv3_trigger_irq(s, SMMU_IRQ_EVTQ, 0);
}

/*
 * 4.4.1.1: with TG != 0 an address-based TLBI is a range of
 * (NUM + 1) << SCALE granules, and TTL a level hint.  A single granule
 * without a level hint is a reserved encoding that raises CERROR_ILL.
 * Without SMMU_IDR5.DS (never set here) the TTL value 0b01 for the 16KB
 * granule is reserved and counts as no hint.  TG == 0 is the plain
 * single-address form, whose other range fields are RES0.
 */
static const char *smmuv3_tlbi_range_illegal(const Cmd *cmd)
{
    unsigned tg = CMD_TG(cmd), ttl = CMD_TTL(cmd);

    if (tg == 2 && ttl == 1) {
        ttl = 0;
    }
    if (tg && !ttl && !CMD_NUM(cmd) && !CMD_SCALE(cmd)) {
        return "range TLBI of one granule without a TTL hint";
    }
    return NULL;
}

/*
 * Command errors (4.1): a command that is ILLEGAL stops the queue with
 * CMDQ_CONS.ERR = CERROR_ILL and GERROR.CMDQ_ERR; CMDQ_CONS stays on it.
 * Returns the error of @cmd, or SMMU_CERROR_NONE if it may run.
 */
SMMUCmdError smmuv3_cmd_check(SMMUv3State *s, const Cmd *cmd)
{
    uint32_t type = CMD_TYPE(cmd);
    const char *why = NULL;

    /* An injected error (x-smmuv3-inject-cmdq-error) waiting for it */
    if (s->inject_cerror != SMMU_CERROR_NONE &&
        (s->inject_cerror != SMMU_CERROR_ATC_INV_SYNC ||
         type == SMMU_CMD_SYNC)) {
        SMMUCmdError err = s->inject_cerror;

        s->inject_cerror = SMMU_CERROR_NONE;
        trace_smmuv3_inject_cmdq_error(err, smmu_cmd_string(type));
        return err;
    }

    switch (type) {
    case SMMU_CMD_PREFETCH_CONFIG:
    case SMMU_CMD_PREFETCH_ADDR:
    case SMMU_CMD_CFGI_STE:
    case SMMU_CMD_CFGI_STE_RANGE:
    case SMMU_CMD_CFGI_CD:
    case SMMU_CMD_CFGI_CD_ALL:
        /* 4.2, 4.3: this is the Non-secure Command queue */
        if (CMD_SSEC(cmd)) {
            why = "SSec set on the Non-secure Command queue";
        }
        break;
    case SMMU_CMD_CFGI_VMS_PIDM:
        /* 4.3: needs MPAM, which this SMMU does not implement */
        why = "CMD_CFGI_VMS_PIDM without MPAM";
        break;
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_NH_ASID:
        if (!STAGE1_SUPPORTED(s)) {
            why = "stage-1 TLBI with IDR0.S1P == 0";
        }
        break;
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
        if (!STAGE1_SUPPORTED(s)) {
            why = "stage-1 TLBI with IDR0.S1P == 0";
        } else {
            why = smmuv3_tlbi_range_illegal(cmd);
        }
        break;
    case SMMU_CMD_TLBI_EL3_ALL:
    case SMMU_CMD_TLBI_EL3_VA:
        why = "EL3 TLBI on the Non-secure Command queue";
        break;
    case SMMU_CMD_TLBI_EL2_ALL:
    case SMMU_CMD_TLBI_EL2_ASID:
    case SMMU_CMD_TLBI_EL2_VA:
    case SMMU_CMD_TLBI_EL2_VAA:
        if (!FIELD_EX32(s->idr[0], IDR0, HYP)) {
            why = "EL2 TLBI with IDR0.HYP == 0";
        }
        break;
    case SMMU_CMD_TLBI_S12_VMALL:
        if (!STAGE2_SUPPORTED(s)) {
            why = "stage-2 TLBI with IDR0.S2P == 0";
        }
        break;
    case SMMU_CMD_TLBI_S2_IPA:
        if (!STAGE2_SUPPORTED(s)) {
            why = "stage-2 TLBI with IDR0.S2P == 0";
        } else {
            why = smmuv3_tlbi_range_illegal(cmd);
        }
        break;
    case SMMU_CMD_TLBI_NSNH_ALL:
        break;
    case SMMU_CMD_ATC_INV:
        if (!FIELD_EX32(s->idr[0], IDR0, ATS)) {
            why = "CMD_ATC_INV with IDR0.ATS == 0";
        }
        break;
    case SMMU_CMD_PRI_RESP:
        if (!FIELD_EX32(s->idr[0], IDR0, PRI)) {
            why = "CMD_PRI_RESP with IDR0.PRI == 0";
        }
        break;
    case SMMU_CMD_RESUME:
    case SMMU_CMD_STALL_TERM:
        /* STALL_MODEL 0b01: stalling is not supported */
        if (FIELD_EX32(s->idr[0], IDR0, STALL_MODEL) == 1) {
            why = "stall command with IDR0.STALL_MODEL == 0b01";
        }
        break;
    case SMMU_CMD_SYNC:
        /* 4.7: CS == 0b11 is reserved */
        if (CMD_SYNC_CS(cmd) == 3) {
            why = "CMD_SYNC with the reserved CS value 0b11";
        }
        break;
    default:
        why = "reserved opcode";
        break;
    }

    if (!why) {
        return SMMU_CERROR_NONE;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "smmuv3: illegal command 0x%02x (%s): %s\n",
                  type, smmu_cmd_string(type), why);
    trace_smmuv3_cmd_illegal(type, why);
    return SMMU_CERROR_ILL;
}

/*
 * GBPA (6.3): a write takes effect only with UPDATE set, and the SMMU
 * clears UPDATE once the new attributes apply (here at once).  A write
 * with UPDATE clear is ignored.  Reserved bits read as zero.  Returns
 * true if the register changed.
 */
bool smmuv3_write_gbpa(SMMUv3State *s, uint32_t data)
{
    bool update = data & R_GBPA_UPDATE_MASK;

    trace_smmuv3_write_gbpa(data, update);
    if (!update) {
        return false;
    }
    if (data & ~(SMMU_GBPA_WRITABLE | R_GBPA_UPDATE_MASK)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "smmuv3: GBPA write sets reserved bits 0x%x\n",
                      (uint32_t)(data & ~(SMMU_GBPA_WRITABLE |
                                          R_GBPA_UPDATE_MASK)));
    }
    s->gbpa = data & SMMU_GBPA_WRITABLE;
    return true;
}

/*
 * Fault injection, for guest driver development: the events, global
 * errors and command queue errors that hardware rarely produces, on
 * demand (x-smmuv3-inject-event, x-smmuv3-inject-gerror,
 * x-smmuv3-inject-cmdq-error and HMP smmuv3_inject).  Each takes the
 * path a real one takes, so the queues, GERROR and the interrupts behave
 * as the architecture says.
 */

static SMMUv3State *smmuv3_inject_target(bool has_path, const char *path,
                                         Error **errp)
{
    bool ambiguous = false;
    Object *obj;

    obj = object_resolve_path_type(has_path ? path : "", TYPE_ARM_SMMUV3,
                                   has_path ? NULL : &ambiguous);
    if (!obj) {
        if (has_path) {
            error_setg(errp, "'%s' is not an arm-smmuv3 device", path);
        } else if (ambiguous) {
            error_setg(errp, "the machine has several SMMUv3s: give the "
                       "QOM path of one");
        } else {
            error_setg(errp, "the machine has no SMMUv3");
        }
        return NULL;
    }
    return ARM_SMMUV3(obj);
}

static const uint8_t smmuv3_inject_event_code[SMMUV3_EVENT_TYPE__MAX] = {
    [SMMUV3_EVENT_TYPE_F_UUT]              = SMMU_EVT_F_UUT,
    [SMMUV3_EVENT_TYPE_C_BAD_STREAMID]     = SMMU_EVT_C_BAD_STREAMID,
    [SMMUV3_EVENT_TYPE_F_STE_FETCH]        = SMMU_EVT_F_STE_FETCH,
    [SMMUV3_EVENT_TYPE_C_BAD_STE]          = SMMU_EVT_C_BAD_STE,
    [SMMUV3_EVENT_TYPE_F_BAD_ATS_TREQ]     = SMMU_EVT_F_BAD_ATS_TREQ,
    [SMMUV3_EVENT_TYPE_F_STREAM_DISABLED]  = SMMU_EVT_F_STREAM_DISABLED,
    [SMMUV3_EVENT_TYPE_F_TRANSL_FORBIDDEN] = SMMU_EVT_F_TRANS_FORBIDDEN,
    [SMMUV3_EVENT_TYPE_C_BAD_SUBSTREAMID]  = SMMU_EVT_C_BAD_SUBSTREAMID,
    [SMMUV3_EVENT_TYPE_F_CD_FETCH]         = SMMU_EVT_F_CD_FETCH,
    [SMMUV3_EVENT_TYPE_C_BAD_CD]           = SMMU_EVT_C_BAD_CD,
    [SMMUV3_EVENT_TYPE_F_WALK_EABT]        = SMMU_EVT_F_WALK_EABT,
    [SMMUV3_EVENT_TYPE_F_TRANSLATION]      = SMMU_EVT_F_TRANSLATION,
    [SMMUV3_EVENT_TYPE_F_ADDR_SIZE]        = SMMU_EVT_F_ADDR_SIZE,
    [SMMUV3_EVENT_TYPE_F_ACCESS]           = SMMU_EVT_F_ACCESS,
    [SMMUV3_EVENT_TYPE_F_PERMISSION]       = SMMU_EVT_F_PERMISSION,
    [SMMUV3_EVENT_TYPE_F_TLB_CONFLICT]     = SMMU_EVT_F_TLB_CONFLICT,
    [SMMUV3_EVENT_TYPE_F_CFG_CONFLICT]     = SMMU_EVT_F_CFG_CONFLICT,
    [SMMUV3_EVENT_TYPE_E_PAGE_REQUEST]     = SMMU_EVT_E_PAGE_REQ,
    [SMMUV3_EVENT_TYPE_F_VMS_FETCH]        = SMMU_EVT_F_VMS_FETCH,
};

void qmp_x_smmuv3_inject_event(const char *qom_path, SMMUv3EventType type,
                               uint32_t sid, bool has_ssid, uint32_t ssid,
                               bool has_address, uint64_t address,
                               bool has_write, bool write,
                               bool has_ipa, uint64_t ipa, Error **errp)
{
    SMMUv3State *s = smmuv3_inject_target(!!qom_path, qom_path, errp);
    SMMUEventInfo info = {
        .type = smmuv3_inject_event_code[type],
        .sid = sid,
    };
    struct FullInfo full = {
        .ssv = has_ssid,
        .ssid = ssid,
        .addr = address,
        .rnw = !write,
        .class = SMMU_CLASS_IN,
        .s2 = has_ipa,
        .addr2 = ipa,
    };
    struct SSIDInfo ssi = { .ssid = ssid, .ssv = has_ssid };
    struct SSIDAddrInfo fetch = {
        .ssid = ssid, .ssv = has_ssid, .addr = address,
    };

    if (!s) {
        return;
    }
    if (has_ssid && ssid >= (1u << 20)) {
        error_setg(errp, "ssid 0x%" PRIx32 " is wider than 20 bits", ssid);
        return;
    }
    switch ((uint32_t)info.type) {
    case SMMU_EVT_F_UUT:
    case SMMU_EVT_F_BAD_ATS_TREQ:
    case SMMU_EVT_E_PAGE_REQ:
        info.u.f_uut.ssv = has_ssid;
        info.u.f_uut.ssid = ssid;
        info.u.f_uut.addr = address;
        info.u.f_uut.rnw = !write;
        break;
    case SMMU_EVT_C_BAD_STREAMID:
        info.u.c_bad_streamid = ssi;
        break;
    case SMMU_EVT_F_STE_FETCH:
        info.u.f_ste_fetch = fetch;
        break;
    case SMMU_EVT_C_BAD_STE:
    case SMMU_EVT_F_STREAM_DISABLED:
        info.u.c_bad_ste = ssi;
        break;
    case SMMU_EVT_F_TRANS_FORBIDDEN:
        info.u.f_transl_forbidden.addr = address;
        info.u.f_transl_forbidden.rnw = !write;
        break;
    case SMMU_EVT_C_BAD_SUBSTREAMID:
        info.u.c_bad_substream.ssid = ssid;
        break;
    case SMMU_EVT_F_CD_FETCH:
    case SMMU_EVT_F_VMS_FETCH:
        info.u.f_cd_fetch = fetch;
        break;
    case SMMU_EVT_C_BAD_CD:
        info.u.c_bad_cd = ssi;
        break;
    case SMMU_EVT_F_WALK_EABT:
        /* The descriptor fetch that aborted, at @address */
        full.addr = 0;
        full.addr2 = address;
        full.class = SMMU_CLASS_TT;
        info.u.f_walk_eabt = full;
        break;
    case SMMU_EVT_F_CFG_CONFLICT:
        info.u.f_cfg_conflict = ssi;
        break;
    default:
        /* The translation faults and F_TLB_CONFLICT */
        info.u.f_translation = full;
        break;
    }
    trace_smmuv3_inject_event(info.type, sid);
    smmuv3_record_event(s, &info);
}

static const uint32_t smmuv3_inject_gerror_mask[SMMUV3_GLOBAL_ERROR__MAX] = {
    [SMMUV3_GLOBAL_ERROR_EVENTQ_ABT]     = R_GERROR_EVENTQ_ABT_ERR_MASK,
    [SMMUV3_GLOBAL_ERROR_PRIQ_ABT]       = R_GERROR_PRIQ_ABT_ERR_MASK,
    [SMMUV3_GLOBAL_ERROR_MSI_CMDQ_ABT]   = R_GERROR_MSI_CMDQ_ABT_ERR_MASK,
    [SMMUV3_GLOBAL_ERROR_MSI_EVENTQ_ABT] = R_GERROR_MSI_EVENTQ_ABT_ERR_MASK,
    [SMMUV3_GLOBAL_ERROR_MSI_PRIQ_ABT]   = R_GERROR_MSI_PRIQ_ABT_ERR_MASK,
    [SMMUV3_GLOBAL_ERROR_MSI_GERROR_ABT] = R_GERROR_MSI_GERROR_ABT_ERR_MASK,
    [SMMUV3_GLOBAL_ERROR_SFM_ERR]        = R_GERROR_MSI_SFM_ERR_MASK,
};

void qmp_x_smmuv3_inject_gerror(const char *qom_path, SMMUv3GlobalError error,
                                Error **errp)
{
    SMMUv3State *s = smmuv3_inject_target(!!qom_path, qom_path, errp);

    if (s) {
        trace_smmuv3_inject_gerror(smmuv3_inject_gerror_mask[error]);
        smmuv3_trigger_irq(s, SMMU_IRQ_GERROR,
                           smmuv3_inject_gerror_mask[error]);
    }
}

void qmp_x_smmuv3_inject_cmdq_error(const char *qom_path,
                                    SMMUv3CommandError error, Error **errp)
{
    static const SMMUCmdError cerror[SMMUV3_COMMAND_ERROR__MAX] = {
        [SMMUV3_COMMAND_ERROR_ILL] = SMMU_CERROR_ILL,
        [SMMUV3_COMMAND_ERROR_ABT] = SMMU_CERROR_ABT,
        [SMMUV3_COMMAND_ERROR_ATC_INV_SYNC] = SMMU_CERROR_ATC_INV_SYNC,
    };
    SMMUv3State *s = smmuv3_inject_target(!!qom_path, qom_path, errp);

    if (s) {
        s->inject_cerror = cerror[error];
    }
}

/*
 * smmuv3_inject WHAT [SID [ADDRESS]]: WHAT is an event type (SID
 * required), a global error, or cmdq- and a command queue error.
 */
void hmp_smmuv3_inject(Monitor *mon, const QDict *qdict)
{
    const char *what = qdict_get_str(qdict, "what");
    bool has_sid = qdict_haskey(qdict, "sid");
    Error *err = NULL;

    int event = qapi_enum_parse(&SMMUv3EventType_lookup, what, -1, NULL);
    int gerror = qapi_enum_parse(&SMMUv3GlobalError_lookup, what, -1, NULL);
    int cerror = g_str_has_prefix(what, "cmdq-") ?
        qapi_enum_parse(&SMMUv3CommandError_lookup, what + 5, -1, NULL) : -1;

    if (event >= 0) {
        if (!has_sid) {
            monitor_printf(mon, "smmuv3_inject %s needs a StreamID\n", what);
            return;
        }
        qmp_x_smmuv3_inject_event(NULL, event, qdict_get_int(qdict, "sid"),
                                  false, 0, qdict_haskey(qdict, "address"),
                                  qdict_get_try_int(qdict, "address", 0),
                                  false, false, false, 0, &err);
    } else if (cerror >= 0) {
        qmp_x_smmuv3_inject_cmdq_error(NULL, cerror, &err);
    } else if (gerror >= 0) {
        qmp_x_smmuv3_inject_gerror(NULL, gerror, &err);
    } else {
        monitor_printf(mon, "smmuv3_inject: unknown '%s': an event type "
                       "(f-translation, c-bad-ste, ...), a global error "
                       "(sfm-err, eventq-abt, msi-eventq-abt, ...) or "
                       "cmdq-ill, cmdq-abt, cmdq-atc-inv-sync\n", what);
        return;
    }
    hmp_handle_error(mon, err);
}
