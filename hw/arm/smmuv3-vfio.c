/*
 * smmuv3-vfio: identity and blocking for streams whose DMA QEMU does not
 * see, such as an assigned (vfio-pci) device behind the emulated SMMUv3
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A device whose DMA the host carries out registers a MAP notifier on
 * its IOMMU memory region: the notifications are all it learns of the
 * guest's configuration.  The emulated SMMUv3 gives such a stream what a
 * bypass or an abort needs and nothing more:
 *
 *   - STE bypass, or GBPA bypass while SMMUEN = 0: every RAM range of
 *     the machine mapped at its own address (the identity domain);
 *   - STE abort, V = 0 or GBPA abort: nothing mapped (blocked);
 *   - a translating STE (stage 1, stage 2, nested): nothing mapped, and a
 *     C_BAD_STE event with one log line, since walking the guest's page
 *     tables for the host needs the accelerated SMMU; never a silent
 *     identity.
 *
 * The state follows the domain kind that smmuv3-introspect derives on
 * each CFGI, CR0, GBPA and reset.  Such streams are kept out of the
 * SMMU's list of UNMAP notifiers: a TLB invalidation changes nothing of
 * an identity or blocked stream.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/error-report.h"
#include "qemu/rcu.h"
#include "qapi/error.h"
#include "system/memory.h"
#include "system/address-spaces.h"
#include "hw/arm/smmuv3.h"
#include "hw/arm/smmuv3-domains.h"
#include "smmuv3-internal.h"
#include "trace.h"

/* One identity mapping: RAM at [base, base + 2^order) */
typedef struct SMMUv3MapChunk {
    hwaddr base;
    hwaddr size;
} SMMUv3MapChunk;

static bool smmuv3_kind_is_identity(uint32_t kind)
{
    return kind == SMMUV3_KIND_BYPASS || kind == SMMUV3_KIND_GBPA_BYPASS;
}

static bool smmuv3_kind_translates(uint32_t kind)
{
    return kind == SMMUV3_KIND_S1 || kind == SMMUV3_KIND_S2 ||
           kind == SMMUV3_KIND_NESTED;
}

/*
 * Cut the RAM range [start, start + len) into naturally aligned blocks of
 * a power-of-two size: an IOMMU TLB entry describes one such block.
 */
static bool smmuv3_map_collect(Int128 start, Int128 len,
                               const MemoryRegion *mr,
                               hwaddr offset_in_region, void *opaque)
{
    GArray *chunks = opaque;
    hwaddr base = int128_get64(start);
    hwaddr left = int128_get64(len);

    /* RAM, not the RAM-backed BARs of assigned devices */
    if (!mr->ram || mr->ram_device) {
        return false;
    }
    while (left) {
        SMMUv3MapChunk c = { .base = base };

        c.size = 1ULL << (63 - clz64(left));
        if (base) {
            c.size = MIN(c.size, 1ULL << ctz64(base));
        }
        g_array_append_val(chunks, c);
        base += c.size;
        left -= c.size;
    }
    return false;
}

/* Send @chunks to the MAP notifiers of @sdev (or to @only) */
static void smmuv3_map_notify(SMMUDevice *sdev, GArray *chunks, bool map,
                              IOMMUNotifier *only)
{
    IOMMUMemoryRegion *mr = &sdev->iommu;
    IOMMUNotifier *n;
    guint i;

    for (i = 0; i < chunks->len; i++) {
        SMMUv3MapChunk *c = &g_array_index(chunks, SMMUv3MapChunk, i);
        IOMMUTLBEvent event = {
            .type = map ? IOMMU_NOTIFIER_MAP : IOMMU_NOTIFIER_UNMAP,
            .entry = {
                .target_as = &address_space_memory,
                .iova = c->base,
                .translated_addr = c->base,
                .addr_mask = c->size - 1,
                .perm = map ? IOMMU_RW : IOMMU_NONE,
            },
        };

        if (only) {
            memory_region_notify_iommu_one(only, &event);
            continue;
        }
        IOMMU_NOTIFIER_FOREACH(n, mr) {
            if (n->notifier_flags & IOMMU_NOTIFIER_MAP) {
                memory_region_notify_iommu_one(n, &event);
            }
        }
    }
}

/* A translating STE on a stream QEMU cannot translate for: say so */
static void smmuv3_map_refuse(SMMUDevice *sdev, uint32_t kind)
{
    SMMUv3State *s = sdev->smmu;
    SMMUEventInfo event = {
        .type = SMMU_EVT_C_BAD_STE,
        .sid = smmu_get_sid(sdev),
    };

    qemu_log_mask(LOG_GUEST_ERROR, "smmuv3: stream 0x%x belongs to a device "
                  "whose DMA the host performs (vfio-pci): a %s STE needs "
                  "arm-smmuv3,accel=on; the stream is blocked (C_BAD_STE)\n",
                  event.sid, smmuv3_kind_name(kind));
    smmuv3_record_event(s, &event);
}

void smmuv3_map_sync(SMMUDevice *sdev)
{
    SMMUv3StreamDomain *d = &sdev->domain;
    bool want = smmuv3_kind_is_identity(d->kind);

    if (!d->map_notified) {
        return;
    }
    if (want && !d->identity) {
        FlatView *fv;

        d->identity = g_array_new(false, false, sizeof(SMMUv3MapChunk));
        WITH_RCU_READ_LOCK_GUARD() {
            fv = address_space_to_flatview(&address_space_memory);
            flatview_for_each_range(fv, smmuv3_map_collect, d->identity);
        }
        trace_smmuv3_map_identity(smmu_get_sid(sdev), d->identity->len);
        smmuv3_map_notify(sdev, d->identity, true, NULL);
    } else if (!want && d->identity) {
        trace_smmuv3_map_blocked(smmu_get_sid(sdev),
                                 smmuv3_kind_name(d->kind));
        smmuv3_map_notify(sdev, d->identity, false, NULL);
        g_array_free(d->identity, true);
        d->identity = NULL;
    }
    if (smmuv3_kind_translates(d->kind) && d->refused_kind != d->kind) {
        smmuv3_map_refuse(sdev, d->kind);
        d->refused++;
    }
    d->refused_kind = smmuv3_kind_translates(d->kind) ? d->kind
                                                      : SMMUV3_KIND_UNKNOWN;
}

int smmuv3_map_notify_flag_changed(SMMUDevice *sdev, IOMMUNotifierFlag old,
                                   IOMMUNotifierFlag new, Error **errp)
{
    SMMUv3StreamDomain *d = &sdev->domain;

    if (new & IOMMU_NOTIFIER_DEVIOTLB_UNMAP) {
        error_setg(errp, "SMMUv3 does not support dev-iotlb yet");
        return -EINVAL;
    }
    d->map_notified = !!(new & IOMMU_NOTIFIER_MAP);
    trace_smmuv3_map_notifier(smmu_get_sid(sdev), d->map_notified);
    if (!d->map_notified && d->identity) {
        /* The last MAP notifier is gone, and its mappings with it */
        g_array_free(d->identity, true);
        d->identity = NULL;
    }
    return 0;
}

void smmuv3_map_replay(IOMMUMemoryRegion *iommu, IOMMUNotifier *n)
{
    SMMUDevice *sdev = container_of(iommu, SMMUDevice, iommu);
    SMMUv3State *s = sdev->smmu;

    if (!(n->notifier_flags & IOMMU_NOTIFIER_MAP)) {
        return;
    }
    qemu_mutex_lock(&s->mutex);
    if (sdev->domain.identity) {
        smmuv3_map_notify(sdev, sdev->domain.identity, true, n);
    } else {
        /* Maps for every MAP notifier, this new one included */
        smmuv3_map_sync(sdev);
    }
    qemu_mutex_unlock(&s->mutex);
}
