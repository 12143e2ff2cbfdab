/*
 * smmuv3-domains: per-stream state this project adds to the SMMUv3 model
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_SMMUV3_DOMAINS_H
#define HW_ARM_SMMUV3_DOMAINS_H

#include "system/memory.h"

/*
 * SMMUv3StreamStats - what one stream's translations came to.
 *
 * @translations: translations that let the access through (stage 1 or 2,
 *                STE bypass or GBPA bypass)
 * @aborts: accesses terminated without an event (STE abort, GBPA abort)
 * @faults: accesses terminated with an event (C_BAD_*, F_*)
 * @last: outcome of the most recent translation, an IOMMUXlateOutcome
 */
typedef struct SMMUv3StreamStats {
    uint64_t translations;
    uint64_t aborts;
    uint64_t faults;
    uint32_t last;
} SMMUv3StreamStats;

/*
 * SMMUv3DomainKind - what the SMMU currently does for one stream, in the
 * terms Linux uses for IOMMU domains.
 */
typedef enum SMMUv3DomainKind {
    SMMUV3_KIND_UNKNOWN,        /* never decoded since reset/invalidation */
    SMMUV3_KIND_GBPA_ABORT,     /* CR0.SMMUEN=0, GBPA.ABORT=1 */
    SMMUV3_KIND_GBPA_BYPASS,    /* CR0.SMMUEN=0, GBPA.ABORT=0 */
    SMMUV3_KIND_INVALID,        /* STE unusable: V=0 or ILLEGAL (C_BAD_STE) */
    SMMUV3_KIND_ABORT,          /* STE.Config=0b0xx: blocked domain */
    SMMUV3_KIND_BYPASS,         /* STE.Config=0b100: identity domain */
    SMMUV3_KIND_S1,             /* 0b101: stage 1 (DMA domain) */
    SMMUV3_KIND_S2,             /* 0b110: stage 2 only */
    SMMUV3_KIND_NESTED,         /* 0b111: stage 1 then stage 2 */
    SMMUV3_KIND__MAX,
} SMMUv3DomainKind;

struct SMMUDevice;
struct SMMUv3State;

/* Short lower-case name of @kind ("abort", "bypass", "s1", ...) */
const char *smmuv3_kind_name(SMMUv3DomainKind kind);

/* Account one translation of @sdev; @status is an SMMUTranslationStatus. */
void smmuv3_domains_account(struct SMMUDevice *sdev, int status);

/* IOMMUMemoryRegionClass::get_attr of the SMMUv3's IOMMU regions. */
int smmuv3_domains_get_attr(IOMMUMemoryRegion *iommu,
                            enum IOMMUMemoryRegionAttr attr, void *data);

/*
 * Introspection (hw/arm/smmuv3-introspect.c): the domain kind in force for
 * each stream, the query-smmuv3 QMP command and the migration of the
 * per-stream state.
 */

/*
 * SMMUv3StreamPeriod - a stretch of time with one domain kind in force:
 * when it began (QEMU_CLOCK_VIRTUAL) and the stream's counters then.
 */
typedef struct SMMUv3StreamPeriod {
    uint32_t kind;
    int64_t start_ns;
    uint64_t translations;
    uint64_t aborts;
    uint64_t faults;
} SMMUv3StreamPeriod;

/* How many of a stream's most recent periods query-smmuv3 shows */
#define SMMUV3_STREAM_HISTORY   8

/* SMMUv3StreamDomain - the configuration in force for one stream */
typedef struct SMMUv3StreamDomain {
    uint32_t kind;      /* SMMUv3DomainKind */
    int32_t asid;       /* stage-1 ASID, -1 when there is no stage 1 */
    int32_t vmid;       /* stage-2 VMID, -1 when there is no stage 2 */
    /* The kinds in force so far: a ring of the latest periods */
    SMMUv3StreamPeriod history[SMMUV3_STREAM_HISTORY];
    uint32_t nb_periods;    /* periods since the stream appeared */
    /* Streams with a MAP notifier (hw/arm/smmuv3-vfio.c) */
    bool map_notified;
    GArray *identity;       /* RAM mapped 1:1 for them, or NULL */
    uint32_t refused_kind;  /* translating kind already reported */
    uint32_t refused;       /* translating STEs refused so far */
    /* Streams the host SMMU translates (hw/arm/smmuv3-accel.c) */
    struct SMMUv3AccelDev *accel;
    /* SubstreamID -> its cached SMMUTransCfg (hw/arm/smmuv3-ste.c) */
    GHashTable *substreams;
} SMMUv3StreamDomain;

/*
 * Substreams (hw/arm/smmuv3-ste.c).  A PCIe transaction with a PASID TLP
 * prefix carries MemTxAttrs.pasid_valid and the PASID in .pid; the SMMU
 * sees it as an IOMMU index, 0 without a SubstreamID and 1 + SubstreamID
 * with one.
 */
#define SMMUV3_NO_SSID          UINT32_MAX
#define SMMUV3_SSIDSIZE_MAX     20

/* IOMMUMemoryRegionClass::attrs_to_index of the SMMUv3's IOMMU regions */
int smmuv3_attrs_to_index(IOMMUMemoryRegion *iommu, MemTxAttrs attrs);

/* The SubstreamID of IOMMU index @iommu_idx, or SMMUV3_NO_SSID */
static inline uint32_t smmuv3_index_to_ssid(int iommu_idx)
{
    return iommu_idx > 0 ? iommu_idx - 1 : SMMUV3_NO_SSID;
}

/*
 * CFGI_STE, CFGI_STE_RANGE, CFGI_CD, CFGI_CD_ALL: forget the cached
 * configuration of SubstreamID @ssid (SMMUV3_NO_SSID: every substream) of
 * the streams @start..@end.  The caller holds the SMMU's mutex.
 */
void smmuv3_substreams_inv(struct SMMUv3State *s, uint32_t start,
                           uint32_t end, uint32_t ssid);

/* Call @fn on every stream of @s */
void smmuv3_foreach_sdev(struct SMMUv3State *s,
                         void (*fn)(struct SMMUDevice *sdev, void *opaque),
                         void *opaque);

struct SMMUTransCfg;

/*
 * Record that @cfg (NULL: decoding failed) is the configuration in force
 * for @sdev, tracing a change of domain kind.
 */
void smmuv3_introspect_note(struct SMMUDevice *sdev,
                            struct SMMUTransCfg *cfg);
/*
 * The guest invalidated the configuration of the streams @start..@end
 * (CFGI_*): those whose DMA the host performs follow it at once.  The
 * caller holds the SMMU's mutex.
 */
void smmuv3_introspect_refresh(struct SMMUv3State *s, uint32_t start,
                               uint32_t end);
/* Same for every stream; takes the mutex (CR0, GBPA, reset, migration). */
void smmuv3_introspect_refresh_all(struct SMMUv3State *s);

/*
 * Streams whose DMA the host performs (hw/arm/smmuv3-vfio.c): identity
 * mappings for bypass, nothing for abort, an event for translating STEs.
 */

/* IOMMUMemoryRegionClass::notify_flag_changed for MAP notifiers */
int smmuv3_map_notify_flag_changed(struct SMMUDevice *sdev,
                                   IOMMUNotifierFlag old,
                                   IOMMUNotifierFlag new, Error **errp);
/* IOMMUMemoryRegionClass::replay */
void smmuv3_map_replay(IOMMUMemoryRegion *iommu, IOMMUNotifier *n);
/* Bring the MAP notifiers of @sdev in line with its domain kind */
void smmuv3_map_sync(struct SMMUDevice *sdev);

/*
 * accel=on (hw/arm/smmuv3-accel.c): the host SMMU translates the devices
 * assigned through iommufd, nesting the guest's stage 1.
 */
struct Cmd;
typedef struct SMMUv3Accel SMMUv3Accel;
struct SMMUv3AccelInfo;
struct SMMUv3AccelSummary;

/* Realize hook of an SMMU with accel=on: takes over its PCI bus's ops */
bool smmuv3_accel_realize(struct SMMUv3State *s, Error **errp);
/*
 * @sdev's configuration was fetched again: its device must follow it.
 * smmuv3_accel_commit() then moves the devices whose configuration was
 * fetched to the host HWPTs of their domain kinds, once every stream of
 * the command batch (or of the CR0/GBPA write, the reset) is known, so
 * that host groups move as one; smmuv3_accel_flush() commits first.
 * Mutex held.
 */
void smmuv3_accel_sync(struct SMMUDevice *sdev);
void smmuv3_accel_commit(struct SMMUv3State *s);
/* A command the guest issued: keep the invalidations for the host */
void smmuv3_accel_queue_cmd(struct SMMUv3State *s, const struct Cmd *cmd);
/* Forward the kept invalidations in one call; false if the host failed */
bool smmuv3_accel_flush(struct SMMUv3State *s);
/* query-smmuv3: NULL unless the stream / the SMMU is accelerated */
struct SMMUv3AccelInfo *smmuv3_accel_stream_info(struct SMMUDevice *sdev);
struct SMMUv3AccelSummary *smmuv3_accel_summary(struct SMMUv3State *s);

/*
 * vmstate subsections of the SMMUv3: per-stream counters and kinds (not
 * sent with migrate-stream-stats=off), and the ID registers when they
 * differ from those of QEMU without this project (IDR3.FWB, IDR1.SSIDSIZE
 * and IDR0.CD2L).  The hooks of vmstate_smmuv3 make the destination
 * refuse ID registers that differ from the source's, whether the source
 * sent them or not.
 */
extern const VMStateDescription vmstate_smmuv3_streams;
extern const VMStateDescription vmstate_smmuv3_idr;
int smmuv3_idr_pre_load(void *opaque);
bool smmuv3_idr_post_load(void *opaque, int version_id, Error **errp);

/*
 * Events, errors and GBPA (hw/arm/smmuv3-events.c)
 */

/*
 * Records the host SMMU delivered for a stream of an SMMU with accel=on
 * (@rec: the four 64-bit words of the record), and a lost one: an Event
 * queue overflow.  Called with the SMMU's mutex held.
 */
void smmuv3_record_host_event(struct SMMUv3State *s, const uint64_t rec[4]);
void smmuv3_eventq_lost(struct SMMUv3State *s);

/*
 * The transaction that failed with @event had SubstreamID @ssid
 * (SMMUV3_NO_SSID: none): set SSV and SubstreamID in records that have
 * them (7.3).
 */
struct SMMUEventInfo;
void smmuv3_event_set_substream(struct SMMUEventInfo *event, uint32_t ssid);

#endif /* HW_ARM_SMMUV3_DOMAINS_H */
