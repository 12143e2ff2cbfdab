/*
 * smmuv3-introspect: the domain kind of each stream of the SMMUv3 model,
 * query-smmuv3 / info smmuv3, and the migration of the per-stream state
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The "domain kind" of a stream is what the SMMU does with its
 * transactions, in the terms Linux uses for IOMMU domains: GBPA abort or
 * bypass while SMMU_CR0.SMMUEN = 0 (IHI 0070, 6.3.9 and 6.3.14), else
 * the STE.Config in force (5.2): abort, bypass, stage 1, stage 2 or
 * nested, or "invalid" when the configuration cannot be used.
 *
 * Observing changes nothing.  query-smmuv3 and info smmuv3 decode each
 * stream's configuration from guest memory when they run, walking stage 2
 * for a nested stream's CD and table addresses without the IOTLB, and
 * look the configuration cache up without filling or invalidating it.
 * They report both, and flag a stream as stale when the cached
 * configuration is not the one in memory: the guest changed an STE or a
 * CD without invalidating it.
 *
 * The history of a stream's kinds follows its transactions: a period
 * starts when a transaction meets a new kind.  Only streams whose DMA the
 * host performs have work to do when the guest invalidates their
 * configuration (hw/arm/smmuv3-vfio.c, hw/arm/smmuv3-accel.c); theirs is
 * decoded at the invalidation, the same way.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-smmuv3.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pci_bus.h"
#include "hw/arm/smmuv3.h"
#include "hw/arm/smmuv3-domains.h"
#include "migration/vmstate.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "smmuv3-internal.h"
#include "smmuv3-ste.h"
#include "trace.h"

/* SMMUv3DomainKind -> QAPI SMMUv3StreamKind */
static const SMMUv3StreamKind smmuv3_qapi_kind[SMMUV3_KIND__MAX] = {
    [SMMUV3_KIND_UNKNOWN]     = SMMUV3_STREAM_KIND_UNKNOWN,
    [SMMUV3_KIND_GBPA_ABORT]  = SMMUV3_STREAM_KIND_GBPA_ABORT,
    [SMMUV3_KIND_GBPA_BYPASS] = SMMUV3_STREAM_KIND_GBPA_BYPASS,
    [SMMUV3_KIND_INVALID]     = SMMUV3_STREAM_KIND_INVALID,
    [SMMUV3_KIND_ABORT]       = SMMUV3_STREAM_KIND_ABORT,
    [SMMUV3_KIND_BYPASS]      = SMMUV3_STREAM_KIND_BYPASS,
    [SMMUV3_KIND_S1]          = SMMUV3_STREAM_KIND_S1,
    [SMMUV3_KIND_S2]          = SMMUV3_STREAM_KIND_S2,
    [SMMUV3_KIND_NESTED]      = SMMUV3_STREAM_KIND_NESTED,
};

const char *smmuv3_kind_name(SMMUv3DomainKind kind)
{
    if (kind >= SMMUV3_KIND__MAX) {
        return "?";
    }
    return SMMUv3StreamKind_str(smmuv3_qapi_kind[kind]);
}

static bool smmuv3_kind_has_s1(uint32_t kind)
{
    return kind == SMMUV3_KIND_S1 || kind == SMMUV3_KIND_NESTED;
}

static bool smmuv3_kind_has_s2(uint32_t kind)
{
    return kind == SMMUV3_KIND_S2 || kind == SMMUV3_KIND_NESTED;
}

/* The domain that @cfg (NULL: no usable configuration) gives a stream */
static SMMUv3StreamDomain smmuv3_domain_of(SMMUv3State *s,
                                           SMMUTransCfg *cfg)
{
    SMMUv3StreamDomain d = { .kind = SMMUV3_KIND_INVALID,
                             .asid = -1, .vmid = -1 };

    if (!smmu_enabled(s)) {
        d.kind = FIELD_EX32(s->gbpa, GBPA, ABORT) ? SMMUV3_KIND_GBPA_ABORT
                                                  : SMMUV3_KIND_GBPA_BYPASS;
        return d;
    }
    if (!cfg) {
        return d;
    }
    if (cfg->aborted || cfg->stream_disabled) {
        /* S1DSS terminate: blocked too, with F_STREAM_DISABLED */
        d.kind = SMMUV3_KIND_ABORT;
    } else if (cfg->bypassed) {
        d.kind = SMMUV3_KIND_BYPASS;
    } else {
        switch (cfg->stage) {
        case SMMU_STAGE_1:
            d.kind = SMMUV3_KIND_S1;
            break;
        case SMMU_STAGE_2:
            d.kind = SMMUV3_KIND_S2;
            break;
        case SMMU_NESTED:
            d.kind = SMMUV3_KIND_NESTED;
            break;
        default:
            break;
        }
    }
    if (smmuv3_kind_has_s1(d.kind)) {
        d.asid = cfg->asid;
    }
    if (smmuv3_kind_has_s2(d.kind)) {
        d.vmid = cfg->s2cfg.vmid;
    }
    return d;
}

/* Open a new period of @sdev's history: @kind is in force from now on */
static void smmuv3_history_push(SMMUDevice *sdev, uint32_t kind)
{
    SMMUv3StreamDomain *cur = &sdev->domain;
    SMMUv3StreamPeriod *p;

    p = &cur->history[cur->nb_periods++ % SMMUV3_STREAM_HISTORY];
    p->kind = kind;
    p->start_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    p->translations = sdev->stats.translations;
    p->aborts = sdev->stats.aborts;
    p->faults = sdev->stats.faults;
}

static void smmuv3_introspect_set(SMMUv3State *s, SMMUDevice *sdev,
                                  SMMUv3StreamDomain d)
{
    SMMUv3StreamDomain *cur = &sdev->domain;

    if (cur->kind == d.kind && cur->asid == d.asid && cur->vmid == d.vmid) {
        return;
    }
    if (cur->kind != d.kind) {
        smmuv3_history_push(sdev, d.kind);
    }
    if (trace_event_get_state_backends(TRACE_SMMUV3_DOMAIN_CHANGE)) {
        g_autofree char *path = object_get_canonical_path(OBJECT(s));

        trace_smmuv3_domain_change(path, smmu_get_sid(sdev),
                                   smmuv3_kind_name(cur->kind),
                                   smmuv3_kind_name(d.kind), d.asid, d.vmid);
    }
    cur->kind = d.kind;
    cur->asid = d.asid;
    cur->vmid = d.vmid;
    smmuv3_map_sync(sdev);
}

void smmuv3_introspect_note(SMMUDevice *sdev, SMMUTransCfg *cfg)
{
    SMMUv3State *s = sdev->smmu;

    smmuv3_introspect_set(s, sdev, smmuv3_domain_of(s, cfg));
}

/*
 * Stage 2 of a structure address (a CD, a stage-1 table base) for
 * smmuv3_peek(): a walk of the tables, nothing cached.  The entry lives
 * in @peek_entry until the next call; the monitor and the command queue
 * run under the BQL.
 */
static SMMUTLBEntry peek_entry;

static SMMUTranslationStatus smmuv3_peek_xlate(SMMUv3State *s, hwaddr addr,
                                               SMMUTransCfg *cfg,
                                               SMMUEventInfo *event,
                                               IOMMUAccessFlags flag,
                                               SMMUTLBEntry **out,
                                               SMMUTranslationClass c)
{
    SMMUTransCfg s2 = *cfg;
    SMMUPTWEventInfo info = {};

    s2.stage = SMMU_STAGE_2;
    s2.asid = -1;
    if (smmu_ptw(ARM_SMMU(s), &s2, addr, flag, &peek_entry, &info)) {
        return SMMU_TRANS_ERROR;
    }
    *out = &peek_entry;
    return SMMU_TRANS_SUCCESS;
}

/*
 * Decode the configuration of @sdev in guest memory into @cfg without
 * caching anything.  Returns false, with @cfg unusable, when the next
 * transaction would fail on it.
 */
static bool smmuv3_peek(SMMUv3State *s, SMMUDevice *sdev, SMMUTransCfg *cfg)
{
    SMMUEventInfo event = {
        .type = SMMU_EVT_NONE,
        .sid = smmu_get_sid(sdev),
        .inval_ste_allowed = true,
    };
    int ret;

    memset(cfg, 0, sizeof(*cfg));
    ret = smmuv3_ste_decode_config(s, sdev, cfg, &event, smmuv3_peek_xlate);
    trace_smmuv3_domain_fetch(smmu_get_sid(sdev), !ret, event.type);
    return !ret;
}

/* The domain of @sdev that its configuration in guest memory gives */
static SMMUv3StreamDomain smmuv3_memory_domain(SMMUv3State *s,
                                               SMMUDevice *sdev)
{
    SMMUTransCfg cfg;

    if (!smmu_enabled(s)) {
        return smmuv3_domain_of(s, NULL);
    }
    return smmuv3_domain_of(s, smmuv3_peek(s, sdev, &cfg) ? &cfg : NULL);
}

/*
 * A stream whose DMA the host performs: decode its configuration again
 * after an invalidation, and bring the host in line with it.
 */
static void smmuv3_introspect_refresh_sdev(SMMUv3State *s, SMMUDevice *sdev)
{
    if (!sdev->domain.map_notified && !sdev->domain.accel) {
        return;
    }
    smmuv3_introspect_set(s, sdev, smmuv3_memory_domain(s, sdev));
    /* The host needs every configuration, not only a change of kind */
    smmuv3_accel_sync(sdev);
}

void smmuv3_foreach_sdev(SMMUv3State *s,
                         void (*fn)(SMMUDevice *sdev, void *opaque),
                         void *opaque)
{
    SMMUState *bs = ARM_SMMU(s);
    GHashTableIter iter;
    SMMUPciBus *sbus;
    int devfn;

    g_hash_table_iter_init(&iter, bs->smmu_pcibus_by_busptr);
    while (g_hash_table_iter_next(&iter, NULL, (void **)&sbus)) {
        for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
            if (sbus->pbdev[devfn]) {
                fn(sbus->pbdev[devfn], opaque);
            }
        }
    }
}

typedef struct SMMUv3RefreshRange {
    SMMUv3State *s;
    uint32_t start;
    uint32_t end;
} SMMUv3RefreshRange;

static void smmuv3_refresh_one(SMMUDevice *sdev, void *opaque)
{
    SMMUv3RefreshRange *r = opaque;
    uint32_t sid = smmu_get_sid(sdev);

    if (sid >= r->start && sid <= r->end) {
        smmuv3_introspect_refresh_sdev(r->s, sdev);
    }
}

void smmuv3_introspect_refresh(SMMUv3State *s, uint32_t start, uint32_t end)
{
    SMMUv3RefreshRange r = { .s = s, .start = start, .end = end };

    smmuv3_foreach_sdev(s, smmuv3_refresh_one, &r);
}

void smmuv3_introspect_refresh_all(SMMUv3State *s)
{
    qemu_mutex_lock(&s->mutex);
    smmuv3_introspect_refresh(s, 0, UINT32_MAX);
    smmuv3_accel_commit(s);
    qemu_mutex_unlock(&s->mutex);
}

/* query-smmuv3 */

static void smmuv3_collect_sdev(SMMUDevice *sdev, void *opaque)
{
    g_ptr_array_add(opaque, sdev);
}

static gint smmuv3_sdev_cmp(gconstpointer a, gconstpointer b)
{
    SMMUDevice *sa = *(SMMUDevice * const *)a;
    SMMUDevice *sb = *(SMMUDevice * const *)b;

    return (int)smmu_get_sid(sa) - (int)smmu_get_sid(sb);
}

/* The periods of @sdev's history still in its ring, oldest first */
static SMMUv3StreamPeriodInfoList *smmuv3_stream_history(SMMUDevice *sdev)
{
    SMMUv3StreamDomain *d = &sdev->domain;
    SMMUv3StreamPeriodInfoList *head = NULL, **tail = &head;
    uint32_t first = d->nb_periods > SMMUV3_STREAM_HISTORY ?
                     d->nb_periods - SMMUV3_STREAM_HISTORY : 0;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    uint32_t n;

    for (n = first; n < d->nb_periods; n++) {
        SMMUv3StreamPeriod *p = &d->history[n % SMMUV3_STREAM_HISTORY];
        SMMUv3StreamPeriod *next = n + 1 < d->nb_periods ?
            &d->history[(n + 1) % SMMUV3_STREAM_HISTORY] : NULL;
        SMMUv3StreamPeriodInfo *info = g_new0(SMMUv3StreamPeriodInfo, 1);

        info->kind = p->kind < SMMUV3_KIND__MAX ? smmuv3_qapi_kind[p->kind]
                                                : SMMUV3_STREAM_KIND_UNKNOWN;
        info->start_ns = p->start_ns;
        info->duration_ns = (next ? next->start_ns : now) - p->start_ns;
        info->translations = (next ? next->translations :
                              sdev->stats.translations) - p->translations;
        info->aborts = (next ? next->aborts : sdev->stats.aborts) - p->aborts;
        info->faults = (next ? next->faults : sdev->stats.faults) - p->faults;
        QAPI_LIST_APPEND(tail, info);
    }
    return head;
}

/* Whether two decoded configurations translate alike */
static bool smmuv3_cfg_equal(const SMMUTransCfg *a, const SMMUTransCfg *b)
{
    int i;

    if (a->stage != b->stage || a->bypassed != b->bypassed ||
        a->aborted != b->aborted || a->affd != b->affd ||
        a->aa64 != b->aa64 || a->record_faults != b->record_faults ||
        a->oas != b->oas || a->tbi != b->tbi || a->asid != b->asid ||
        a->priv != b->priv || a->s1cdmax != b->s1cdmax ||
        a->s1dss != b->s1dss || a->stream_disabled != b->stream_disabled ||
        memcmp(&a->s2cfg, &b->s2cfg, sizeof(a->s2cfg))) {
        return false;
    }
    for (i = 0; i < ARRAY_SIZE(a->tt); i++) {
        const SMMUTransTableInfo *ta = &a->tt[i], *tb = &b->tt[i];

        if (ta->disabled != tb->disabled || ta->ttb != tb->ttb ||
            ta->tsz != tb->tsz || ta->granule_sz != tb->granule_sz ||
            ta->had != tb->had) {
            return false;
        }
    }
    return true;
}

static SMMUv3StreamConfig *smmuv3_stream_config(SMMUv3StreamDomain d)
{
    SMMUv3StreamConfig *c = g_new0(SMMUv3StreamConfig, 1);

    c->kind = smmuv3_qapi_kind[d.kind];
    if (smmuv3_kind_has_s1(d.kind) && d.asid >= 0) {
        c->has_asid = true;
        c->asid = d.asid;
    }
    if (smmuv3_kind_has_s2(d.kind) && d.vmid >= 0) {
        c->has_vmid = true;
        c->vmid = d.vmid;
    }
    return c;
}

/* How many SubstreamIDs query-smmuv3 looks at, from 0 */
#define SMMUV3_QUERY_SUBSTREAMS 1024

/* The substreams of @sdev with a usable CD in guest memory */
static SMMUv3SubstreamInfoList *smmuv3_substreams_info(SMMUv3State *s,
                                                       SMMUDevice *sdev,
                                                       unsigned s1cdmax)
{
    SMMUv3SubstreamInfoList *head = NULL, **tail = &head;
    GHashTable *cache = sdev->domain.substreams;
    uint32_t ssid, n = MIN(1u << s1cdmax, SMMUV3_QUERY_SUBSTREAMS);

    for (ssid = 0; ssid < n; ssid++) {
        SMMUEventInfo event = {
            .type = SMMU_EVT_NONE,
            .sid = smmu_get_sid(sdev),
            .inval_ste_allowed = true,
        };
        SMMUv3SubstreamInfo *info;
        SMMUv3StreamDomain d;
        SMMUTransCfg cfg = { 0 };

        if (smmuv3_ste_decode_substream(s, sdev, ssid, &cfg, &event,
                                        smmuv3_peek_xlate) ||
            cfg.stream_disabled) {
            continue;
        }
        d = smmuv3_domain_of(s, &cfg);
        info = g_new0(SMMUv3SubstreamInfo, 1);
        info->ssid = ssid;
        info->kind = smmuv3_qapi_kind[d.kind];
        info->has_asid = d.asid >= 0;
        info->asid = d.asid;
        info->cached = cache &&
                       g_hash_table_contains(cache, GUINT_TO_POINTER(ssid));
        QAPI_LIST_APPEND(tail, info);
    }
    return head;
}

static SMMUv3StreamInfo *smmuv3_stream_info(SMMUv3State *s, SMMUDevice *sdev)
{
    SMMUv3StreamInfo *info = g_new0(SMMUv3StreamInfo, 1);
    PCIDevice *pdev = sdev->bus->devices[sdev->devfn];
    SMMUv3StreamDomain *d = &sdev->domain;
    SMMUTransCfg *cached = NULL, *cfg, mem;
    SMMUv3StreamDomain in_force, in_mem;
    g_autofree SMMUv3StreamConfig *force = NULL;
    bool mem_ok = false;

    info->sid = smmu_get_sid(sdev);
    if (pdev) {
        info->device = object_get_canonical_path(OBJECT(pdev));
        info->id = g_strdup(DEVICE(pdev)->id);
    } else {
        /* The StreamID outlives its device: show what it was left with */
        info->device = g_strdup("");
        info->has_unplugged = true;
        info->unplugged = true;
    }

    if (smmu_enabled(s)) {
        cached = g_hash_table_lookup(ARM_SMMU(s)->configs, sdev);
        mem_ok = smmuv3_peek(s, sdev, &mem);
    }
    in_mem = smmuv3_domain_of(s, mem_ok ? &mem : NULL);
    in_force = cached ? smmuv3_domain_of(s, cached) : in_mem;
    info->cached = !!cached;
    info->stale = cached && (!mem_ok || !smmuv3_cfg_equal(cached, &mem));
    info->memory = smmuv3_stream_config(in_mem);
    force = smmuv3_stream_config(in_force);
    info->kind = force->kind;
    info->has_asid = force->has_asid;
    info->asid = force->asid;
    info->has_vmid = force->has_vmid;
    info->vmid = force->vmid;
    info->cd_count = smmuv3_kind_has_s1(in_force.kind) ? 1 : 0;
    cfg = cached ? cached : mem_ok ? &mem : NULL;
    if (cfg && cfg->s1cdmax) {
        /* A CD table: its STE describes the transactions without PASID */
        info->cd_count = 1u << cfg->s1cdmax;
        info->has_s1cdmax = true;
        info->s1cdmax = cfg->s1cdmax;
        info->has_s1dss = true;
        info->s1dss = cfg->s1dss == SMMUV3_S1DSS_BYPASS ?
                      SMMUV3_S1DSS_MODE_BYPASS :
                      cfg->s1dss == SMMUV3_S1DSS_SSID0 ?
                      SMMUV3_S1DSS_MODE_SUBSTREAM_0 :
                      SMMUV3_S1DSS_MODE_TERMINATE;
        info->has_substreams = true;
        info->substreams = smmuv3_substreams_info(s, sdev, cfg->s1cdmax);
    }
    info->translations = sdev->stats.translations;
    info->aborts = sdev->stats.aborts;
    info->faults = sdev->stats.faults;
    info->history = smmuv3_stream_history(sdev);
    if (d->map_notified) {
        info->assigned = g_new0(SMMUv3AssignedInfo, 1);
        info->assigned->mapping = d->identity ?
                                  SMMUV3_ASSIGNED_IDENTITY :
                                  SMMUV3_ASSIGNED_BLOCKED;
        info->assigned->ram_blocks = d->identity ? d->identity->len : 0;
        info->assigned->refused = d->refused;
    }
    info->accel = smmuv3_accel_stream_info(sdev);
    return info;
}

static SMMUv3Info *smmuv3_info(SMMUv3State *s)
{
    SMMUv3Info *info = g_new0(SMMUv3Info, 1);
    g_autoptr(GPtrArray) sdevs = g_ptr_array_new();
    SMMUv3StreamInfoList **tail = &info->streams;
    bool s1p, s2p;
    guint i;

    qemu_mutex_lock(&s->mutex);
    info->qom_path = object_get_canonical_path(OBJECT(s));
    info->enabled = smmu_enabled(s);
    info->gbpa = s->gbpa;
    info->gbpa_abort = FIELD_EX32(s->gbpa, GBPA, ABORT);
    s1p = FIELD_EX32(s->idr[0], IDR0, S1P);
    s2p = FIELD_EX32(s->idr[0], IDR0, S2P);
    info->stages = s1p && s2p ? SMMUV3_STAGES_NESTED :
                   s2p ? SMMUV3_STAGES_S2 : SMMUV3_STAGES_S1;
    info->stream_table_format =
        FIELD_EX32(s->strtab_base_cfg, STRTAB_BASE_CFG, FMT) == 1 ?
        SMMUV3_STRTAB_FMT_2_LEVEL :
        SMMUV3_STRTAB_FMT_LINEAR;
    info->accel = smmuv3_accel_summary(s);

    smmuv3_foreach_sdev(s, smmuv3_collect_sdev, sdevs);
    g_ptr_array_sort(sdevs, smmuv3_sdev_cmp);
    for (i = 0; i < sdevs->len; i++) {
        QAPI_LIST_APPEND(tail,
                         smmuv3_stream_info(s, g_ptr_array_index(sdevs, i)));
    }
    qemu_mutex_unlock(&s->mutex);
    return info;
}

static int smmuv3_collect(Object *obj, void *opaque)
{
    SMMUv3InfoList ***tail = opaque;

    if (object_dynamic_cast(obj, TYPE_ARM_SMMUV3)) {
        QAPI_LIST_APPEND(*tail, smmuv3_info(ARM_SMMUV3(obj)));
    }
    return 0;
}

SMMUv3InfoList *qmp_query_smmuv3(Error **errp)
{
    SMMUv3InfoList *head = NULL, **tail = &head;

    object_child_foreach_recursive(object_get_root(), smmuv3_collect, &tail);
    return head;
}

/* info smmuv3 */

void hmp_info_smmuv3(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    g_autoptr(SMMUv3InfoList) list = qmp_query_smmuv3(&err);
    SMMUv3InfoList *l;
    SMMUv3StreamInfoList *sl;

    if (hmp_handle_error(mon, err)) {
        return;
    }
    if (!list) {
        monitor_printf(mon, "no SMMUv3\n");
        return;
    }
    for (l = list; l; l = l->next) {
        SMMUv3Info *info = l->value;

        monitor_printf(mon, "%s: %s, GBPA 0x%08" PRIx32 " (%s), stages %s, "
                       "%s stream table\n", info->qom_path,
                       info->enabled ? "enabled" : "disabled", info->gbpa,
                       info->gbpa_abort ? "abort" : "bypass",
                       SMMUv3Stages_str(info->stages),
                       SMMUv3StreamTableFormat_str(info->stream_table_format));
        if (!info->streams) {
            monitor_printf(mon, "  no streams\n");
            continue;
        }
        monitor_printf(mon, "  %-8s %-12s %-6s %-6s %-3s %12s %8s %8s  %s\n",
                       "SID", "kind", "ASID", "VMID", "CDs", "translations",
                       "aborts", "faults", "device");
        for (sl = info->streams; sl; sl = sl->next) {
            SMMUv3StreamInfo *st = sl->value;
            g_autofree char *asid = st->has_asid ?
                g_strdup_printf("%" PRIu16, st->asid) : g_strdup("-");
            g_autofree char *vmid = st->has_vmid ?
                g_strdup_printf("%" PRIu16, st->vmid) : g_strdup("-");
            g_autofree char *assigned = st->assigned ?
                g_strdup_printf(" (assigned: %s)",
                    SMMUv3AssignedMapping_str(st->assigned->mapping)) :
                g_strdup("");
            g_autofree char *stale = st->stale ?
                g_strdup_printf(" STALE: memory has %s, not invalidated",
                                SMMUv3StreamKind_str(st->memory->kind)) :
                g_strdup("");
            g_autoptr(GString) subs = g_string_new("");
            SMMUv3SubstreamInfoList *ssl;

            if (st->has_s1dss) {
                g_string_printf(subs, " S1DSS=%s, PASIDs:",
                                SMMUv3S1DSS_str(st->s1dss));
                for (ssl = st->substreams; ssl; ssl = ssl->next) {
                    g_string_append_printf(subs, " %" PRIu32 "(%s)",
                                           ssl->value->ssid,
                                           SMMUv3StreamKind_str(
                                               ssl->value->kind));
                }
            }

            monitor_printf(mon, "  0x%-6" PRIx32 " %-12s %-6s %-6s %-3" PRIu32
                           " %12" PRIu64 " %8" PRIu64 " %8" PRIu64
                           "  %s%s%s%s\n",
                           st->sid, SMMUv3StreamKind_str(st->kind), asid, vmid,
                           st->cd_count, st->translations, st->aborts,
                           st->faults, st->id ? st->id :
                           st->unplugged ? "(unplugged)" : st->device,
                           assigned, stale, subs->str);
        }
    }
}

/*
 * Migration: the STEs and CDs are in guest RAM, the SMMU registers in
 * vmstate_smmuv3; what lives only in SMMUDevice (the counters and the
 * kind) travels in this subsection, one record per stream, and is applied
 * by StreamID on the destination.  The kinds are then derived again from
 * the loaded registers and tables, so the destination describes what it
 * will do itself.
 */

typedef struct SMMUv3StreamRecord {
    uint32_t sid;
    uint32_t kind;
    int32_t asid;
    int32_t vmid;
    uint64_t translations;
    uint64_t aborts;
    uint64_t faults;
    uint32_t last;
} SMMUv3StreamRecord;

typedef struct SMMUv3StreamsTmp {
    SMMUv3State *parent;
    int32_t count;
    SMMUv3StreamRecord *streams;
} SMMUv3StreamsTmp;

static const VMStateDescription vmstate_smmuv3_stream_record = {
    .name = "smmuv3/stream",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(sid, SMMUv3StreamRecord),
        VMSTATE_UINT32(kind, SMMUv3StreamRecord),
        VMSTATE_INT32(asid, SMMUv3StreamRecord),
        VMSTATE_INT32(vmid, SMMUv3StreamRecord),
        VMSTATE_UINT64(translations, SMMUv3StreamRecord),
        VMSTATE_UINT64(aborts, SMMUv3StreamRecord),
        VMSTATE_UINT64(faults, SMMUv3StreamRecord),
        VMSTATE_UINT32(last, SMMUv3StreamRecord),
        VMSTATE_END_OF_LIST()
    }
};

static void smmuv3_pack_sdev(SMMUDevice *sdev, void *opaque)
{
    GArray *recs = opaque;
    SMMUv3StreamRecord r = {
        .sid = smmu_get_sid(sdev),
        .kind = sdev->domain.kind,
        .asid = sdev->domain.asid,
        .vmid = sdev->domain.vmid,
        .translations = sdev->stats.translations,
        .aborts = sdev->stats.aborts,
        .faults = sdev->stats.faults,
        .last = sdev->stats.last,
    };

    g_array_append_val(recs, r);
}

static int smmuv3_streams_pre_save(void *opaque)
{
    SMMUv3StreamsTmp *tmp = opaque;
    GArray *recs = g_array_new(false, true, sizeof(SMMUv3StreamRecord));

    qemu_mutex_lock(&tmp->parent->mutex);
    smmuv3_foreach_sdev(tmp->parent, smmuv3_pack_sdev, recs);
    qemu_mutex_unlock(&tmp->parent->mutex);
    tmp->count = recs->len;
    tmp->streams = (SMMUv3StreamRecord *)g_array_free(recs, false);
    return 0;
}

static int smmuv3_streams_post_save(void *opaque)
{
    SMMUv3StreamsTmp *tmp = opaque;

    g_free(tmp->streams);
    tmp->streams = NULL;
    return 0;
}

static int smmuv3_streams_post_load(void *opaque, int version_id)
{
    SMMUv3StreamsTmp *tmp = opaque;
    SMMUv3State *s = tmp->parent;
    int32_t i;

    for (i = 0; i < tmp->count; i++) {
        SMMUv3StreamRecord *r = &tmp->streams[i];
        SMMUDevice *sdev = smmu_find_sdev(ARM_SMMU(s), r->sid);

        if (!sdev) {
            /* The destination has no device with this requester ID */
            trace_smmuv3_domain_load_missing(r->sid);
            continue;
        }
        sdev->domain.kind = r->kind < SMMUV3_KIND__MAX ? r->kind
                                                       : SMMUV3_KIND_UNKNOWN;
        sdev->domain.asid = r->asid;
        sdev->domain.vmid = r->vmid;
        sdev->stats.translations = r->translations;
        sdev->stats.aborts = r->aborts;
        sdev->stats.faults = r->faults;
        sdev->stats.last = r->last;
        smmuv3_history_push(sdev, sdev->domain.kind);
    }
    g_free(tmp->streams);
    tmp->streams = NULL;

    smmuv3_introspect_refresh_all(s);
    return 0;
}

static const VMStateDescription vmstate_smmuv3_streams_tmp = {
    .name = "smmuv3/streams/tmp",
    .pre_save = smmuv3_streams_pre_save,
    .post_save = smmuv3_streams_post_save,
    .post_load = smmuv3_streams_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_INT32(count, SMMUv3StreamsTmp),
        VMSTATE_STRUCT_VARRAY_ALLOC(streams, SMMUv3StreamsTmp, count, 0,
                                    vmstate_smmuv3_stream_record,
                                    SMMUv3StreamRecord),
        VMSTATE_END_OF_LIST()
    }
};

static void smmuv3_any_sdev(SMMUDevice *sdev, void *opaque)
{
    *(bool *)opaque = true;
}

/* Sent whenever the SMMU has streams: their kinds and counters */
static bool smmuv3_streams_needed(void *opaque)
{
    SMMUv3State *s = opaque;
    bool any = false;

    if (!s->migrate_stream_stats) {
        return false;
    }
    smmuv3_foreach_sdev(s, smmuv3_any_sdev, &any);
    return any;
}

const VMStateDescription vmstate_smmuv3_streams = {
    .name = "smmuv3/streams",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = smmuv3_streams_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_WITH_TMP(SMMUv3State, SMMUv3StreamsTmp,
                         vmstate_smmuv3_streams_tmp),
        VMSTATE_END_OF_LIST()
    }
};

/*
 * The ID registers are not migrated by QEMU's own SMMUv3: a destination
 * computes them from its properties.  A destination whose registers
 * differ from the source's would change what the guest probed, so it
 * refuses the migration instead.  The registers travel in this
 * subsection whenever they differ from those of QEMU without this
 * project (IDR3.FWB with s2fwb, IDR1.SSIDSIZE and IDR0.CD2L with
 * ssidsize), so that such a QEMU keeps migrating to and from this one
 * with s2fwb=off and ssidsize=0; when the subsection is absent the
 * source had those registers.
 */
static bool smmuv3_idr_beyond_base(SMMUv3State *s)
{
    return FIELD_EX32(s->idr[3], IDR3, FWB) ||
           FIELD_EX32(s->idr[1], IDR1, SSIDSIZE);
}

static bool smmuv3_idr_needed(void *opaque)
{
    return smmuv3_idr_beyond_base(opaque);
}

static int smmuv3_idr_pre_save(void *opaque)
{
    SMMUv3State *s = opaque;

    memcpy(s->idr_src, s->idr, sizeof(s->idr_src));
    return 0;
}

static int smmuv3_idr_subsection_post_load(void *opaque, int version_id)
{
    SMMUv3State *s = opaque;

    s->idr_loaded = true;
    return 0;
}

const VMStateDescription vmstate_smmuv3_idr = {
    .name = "smmuv3/idr",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = smmuv3_idr_needed,
    .pre_save = smmuv3_idr_pre_save,
    .post_load = smmuv3_idr_subsection_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32_ARRAY(idr_src, SMMUv3State, 6),
        VMSTATE_END_OF_LIST()
    }
};

int smmuv3_idr_pre_load(void *opaque)
{
    SMMUv3State *s = opaque;

    s->idr_loaded = false;
    return 0;
}

bool smmuv3_idr_post_load(void *opaque, int version_id, Error **errp)
{
    SMMUv3State *s = opaque;
    int i;

    if (!s->idr_loaded) {
        if (FIELD_EX32(s->idr[3], IDR3, FWB)) {
            error_setg(errp, "the source SMMUv3 has no IDR3.FWB and this "
                       "one has: start this QEMU with "
                       "-global arm-smmuv3.s2fwb=off");
            return false;
        }
        if (FIELD_EX32(s->idr[1], IDR1, SSIDSIZE)) {
            error_setg(errp, "the source SMMUv3 has no substreams and this "
                       "one has: start this QEMU with "
                       "-global arm-smmuv3.ssidsize=0");
            return false;
        }
        return true;
    }
    for (i = 0; i < ARRAY_SIZE(s->idr_src); i++) {
        if (s->idr_src[i] != s->idr[i]) {
            error_setg(errp, "the source SMMUv3 has IDR%d 0x%08" PRIx32
                       " and this one 0x%08" PRIx32 ": start this QEMU with "
                       "the source's arm-smmuv3 properties (stage, s2fwb, "
                       "ssidsize)",
                       i, s->idr_src[i], s->idr[i]);
            return false;
        }
    }
    return true;
}
