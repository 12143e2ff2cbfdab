/*
 * smmuv3-accel: the SMMUv3 with accel=on, for devices assigned through
 * iommufd, whose DMA the host SMMU translates
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The guest's stage 1 runs on the host SMMU, nested over a stage 2 that
 * the host builds from the VM's memory.  For the assigned devices (vfio-pci
 * with an iommufd backend) behind it, the vSMMU holds:
 *
 *   - a stage-2 HWPT allocated with IOMMU_HWPT_ALLOC_NEST_PARENT on the
 *     IOAS in which VFIO maps the VM's memory (the devices are given the
 *     system address space, so that IOAS holds all of it);
 *   - a vIOMMU on it, and on the vIOMMU two nested HWPTs whose STE is
 *     abort and bypass;
 *   - one vDEVICE per device, whose virtual ID is the StreamID the guest
 *     uses, allocated at the device's first configuration and again when
 *     that StreamID changes (the guest numbers the buses);
 *   - for a device the guest gives a stage-1 STE, a nested HWPT carrying
 *     that STE.
 *
 * Each time the guest makes a configuration visible (CFGI_STE, _RANGE,
 * _ALL, a CR0 or GBPA write, a reset), smmuv3-introspect derives the
 * domain kind and calls smmuv3_accel_sync(), which notes where it sends
 * the device.  smmuv3_accel_commit() then moves the devices, by CMD_SYNC
 * for the CFGIs of a command batch and at once for the rest, to the HWPT
 * of that kind with iommufd's replace: there is no window through an
 * intermediate HWPT, and nothing happens when the device already is on
 * the right one.  A configuration the host cannot carry (V=0, stage 2,
 * nested) puts the device on the abort HWPT and records C_BAD_STE.
 *
 * TLB and CD invalidations of a command queue batch are forwarded to the
 * vIOMMU with one IOMMU_HWPT_INVALIDATE before the CMD_SYNC that ends the
 * batch completes.  Event records from the vIOMMU's vEVENTQ, which the
 * host already gave the virtual StreamID, go to the guest's Event queue;
 * lost ones are an Event queue overflow.
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <linux/iommufd.h>
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/error-report.h"
#include "qapi/error.h"
#include "qapi/qapi-types-smmuv3.h"
#include "system/iommufd.h"
#include "system/host_iommu_device.h"
#include "hw/qdev-core.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_bus.h"
#include "hw/vfio/types.h"
#include "hw/vfio/vfio-device.h"
#include "qemu/cutils.h"
#include "hw/arm/smmuv3.h"
#include "hw/arm/smmuv3-domains.h"
#include "smmuv3-internal.h"
#include "smmuv3-ste.h"
#include "trace.h"

/* STE fields a nested HWPT may carry (IHI 0070 5.2; Linux's uAPI) */
#define ACCEL_STE0_V            BIT_ULL(0)
#define ACCEL_STE0_CFG_SHIFT    1
#define ACCEL_STE0_CFG_ABORT    (0ULL << ACCEL_STE0_CFG_SHIFT)
#define ACCEL_STE0_CFG_BYPASS   (4ULL << ACCEL_STE0_CFG_SHIFT)
#define ACCEL_STE0_NESTED       (ACCEL_STE0_V | MAKE_64BIT_MASK(1, 3) | \
                                 MAKE_64BIT_MASK(4, 2) | \
                                 MAKE_64BIT_MASK(6, 50) | \
                                 MAKE_64BIT_MASK(59, 5))
/* S1DSS, S1CIR, S1COR, S1CSH, S1STALLD; EATS stays 0: no ATS here */
#define ACCEL_STE1_NESTED       (MAKE_64BIT_MASK(0, 8) | BIT_ULL(27))

/* Commands for the host, each a struct iommu_viommu_arm_smmuv3_invalidate */
#define ACCEL_INV_TYPE          IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3

/* Event records the host delivers: header then the 32-byte record */
#define ACCEL_VEVENTQ_DEPTH     64
#define ACCEL_EVENT_READ_MAX    16

typedef struct SMMUv3AccelVEvent {
    struct iommufd_vevent_header hdr;
    struct iommu_vevent_arm_smmuv3 evt;
} QEMU_PACKED SMMUv3AccelVEvent;

/*
 * Where a device's configuration sends it, from the configuration in
 * force: the one fetched when the guest last made its stream's
 * configuration visible (CFGI_*, CR0, GBPA, reset)
 */
typedef struct SMMUv3AccelWant {
    uint32_t hwpt;              /* SMMUv3AccelHwpt */
    uint64_t ste[2];            /* for SMMUV3_ACCEL_HWPT_NESTED */
    const char *refused;        /* why the configuration is refused */
} SMMUv3AccelWant;

/* One assigned device behind the vSMMU */
typedef struct SMMUv3AccelDev {
    SMMUDevice *sdev;
    HostIOMMUDeviceIOMMUFD *idev;
    uint32_t vdev_id;           /* vDEVICE, 0: none yet */
    uint32_t vsid;              /* its virtual ID */
    uint32_t hwpt_id;           /* HWPT in force */
    uint32_t hwpt;              /* SMMUv3AccelHwpt of hwpt_id */
    uint32_t nested_id;         /* our nested HWPT of a stage-1 STE, or 0 */
    uint64_t nested_ste[2];     /* the STE it carries */
    int group;                  /* host IOMMU group, -1: unknown */
    bool conflict;              /* blocked: its group's STEs disagree */
    bool dirty;                 /* @want not yet applied */
    bool by_cfgi;               /* @want made visible by a CFGI_STE* */
    SMMUv3AccelWant want;
    uint32_t refused_kind;      /* kind already refused with C_BAD_STE */
    uint32_t refused;
    uint64_t invalidations;
    uint64_t events;
    uint64_t replaces;
    QTAILQ_ENTRY(SMMUv3AccelDev) next;
} SMMUv3AccelDev;

struct SMMUv3Accel {
    IOMMUFDBackend *be;         /* of the first device; all must share it */
    uint32_t ioas_id;           /* VFIO's IOAS of the VM's memory */
    uint32_t s2_hwpt_id;        /* nesting parent */
    uint32_t viommu_id;
    uint32_t abort_hwpt_id;
    uint32_t bypass_hwpt_id;
    uint32_t veventq_id;
    int veventq_fd;
    uint32_t next_seq;
    bool seq_valid;
    GArray *batch;              /* struct iommu_viommu_arm_smmuv3_invalidate */
    uint64_t batches;
    uint64_t forwarded;
    uint64_t lost_events;
    bool cfgi;                  /* the command being run is a CFGI_STE* */
    QTAILQ_HEAD(, SMMUv3AccelDev) devs;  /* in the order they came */
};

/* iommufd objects the backend has no helper for */

static bool accel_viommu_alloc(SMMUv3Accel *a, uint32_t dev_id,
                               Error **errp)
{
    struct iommu_viommu_alloc cmd = {
        .size = sizeof(cmd),
        .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
        .dev_id = dev_id,
        .hwpt_id = a->s2_hwpt_id,
    };

    if (ioctl(a->be->fd, IOMMU_VIOMMU_ALLOC, &cmd)) {
        error_setg_errno(errp, errno, "IOMMU_VIOMMU_ALLOC failed: the host "
                         "kernel's SMMUv3 driver cannot give this device a "
                         "vIOMMU (it needs IOMMUFD with ARM_SMMU_V3_IOMMUFD, "
                         "Linux 6.13 or later, and an SMMU with nesting)");
        return false;
    }
    a->viommu_id = cmd.out_viommu_id;
    return true;
}

static bool accel_vdevice_alloc(SMMUv3Accel *a, uint32_t dev_id,
                                uint32_t vsid, uint32_t *out, Error **errp)
{
    struct iommu_vdevice_alloc cmd = {
        .size = sizeof(cmd),
        .viommu_id = a->viommu_id,
        .dev_id = dev_id,
        .virt_id = vsid,
    };

    if (ioctl(a->be->fd, IOMMU_VDEVICE_ALLOC, &cmd)) {
        error_setg_errno(errp, errno, "IOMMU_VDEVICE_ALLOC for virtual "
                         "StreamID 0x%x failed", vsid);
        return false;
    }
    *out = cmd.out_vdevice_id;
    return true;
}

static bool accel_veventq_alloc(SMMUv3Accel *a, Error **errp)
{
    struct iommu_veventq_alloc cmd = {
        .size = sizeof(cmd),
        .viommu_id = a->viommu_id,
        .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
        .veventq_depth = ACCEL_VEVENTQ_DEPTH,
    };

    if (ioctl(a->be->fd, IOMMU_VEVENTQ_ALLOC, &cmd)) {
        error_setg_errno(errp, errno, "IOMMU_VEVENTQ_ALLOC failed (Linux "
                         "6.15 or later delivers the host's event records)");
        return false;
    }
    a->veventq_id = cmd.out_veventq_id;
    a->veventq_fd = cmd.out_veventq_fd;
    return true;
}

static bool accel_nested_alloc(SMMUv3Accel *a, uint32_t dev_id,
                               uint64_t ste0, uint64_t ste1, uint32_t *out,
                               Error **errp)
{
    struct iommu_hwpt_arm_smmuv3 data = {
        .ste = { cpu_to_le64(ste0), cpu_to_le64(ste1) },
    };

    return iommufd_backend_alloc_hwpt(a->be, dev_id, a->viommu_id, 0,
                                      IOMMU_HWPT_DATA_ARM_SMMUV3,
                                      sizeof(data), &data, out, errp);
}

static void accel_free(SMMUv3Accel *a, uint32_t *id)
{
    if (*id) {
        iommufd_backend_free_id(a->be, *id);
        *id = 0;
    }
}

/* The host SMMU against the vSMMU's ID registers */

static const char *accel_gran_names[] = { "4KB", "16KB", "64KB" };

static bool accel_check_hw_info(SMMUv3State *s, HostIOMMUDevice *hiod,
                                Error **errp)
{
    const struct iommu_hw_info_arm_smmuv3 *h = &hiod->caps.vendor_caps.smmuv3;
    g_autoptr(GString) why = g_string_new(NULL);
    uint32_t v, host;
    int i;

    if (hiod->caps.type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3) {
        error_setg(errp, "arm-smmuv3 accel=on: the host IOMMU of %s is not "
                   "an SMMUv3 (iommufd hardware info type %u)", hiod->name,
                   hiod->caps.type);
        return false;
    }
    if (!FIELD_EX32(h->idr[0], IDR0, S1P)) {
        g_string_append(why, "; IDR0.S1P: the host SMMU has no stage 1, "
                        "which runs the guest's");
    }
    if (!FIELD_EX32(h->idr[0], IDR0, S2P)) {
        g_string_append(why, "; IDR0.S2P: the host SMMU has no stage 2, "
                        "which nesting needs");
    }
    if (!(FIELD_EX32(h->idr[0], IDR0, TTF) & 2)) {
        g_string_append(why, "; IDR0.TTF: no AArch64 tables on the host");
    }
    if (FIELD_EX32(s->idr[0], IDR0, ASID16) &&
        !FIELD_EX32(h->idr[0], IDR0, ASID16)) {
        g_string_append(why, "; IDR0.ASID16: the vSMMU has 16-bit ASIDs, "
                        "the host 8-bit ones");
    }
    v = FIELD_EX32(s->idr[0], IDR0, TTENDIAN);
    host = FIELD_EX32(h->idr[0], IDR0, TTENDIAN);
    if (host != 0 && host != v) {
        g_string_append_printf(why, "; IDR0.TTENDIAN: %u on the vSMMU, %u on "
                               "the host", v, host);
    }
    v = FIELD_EX32(s->idr[1], IDR1, SSIDSIZE);
    host = FIELD_EX32(h->idr[1], IDR1, SSIDSIZE);
    if (v > host) {
        g_string_append_printf(why, "; IDR1.SSIDSIZE: %u bits on the vSMMU, "
                               "%u on the host", v, host);
    }
    if (FIELD_EX32(s->idr[3], IDR3, RIL) &&
        !FIELD_EX32(h->idr[3], IDR3, RIL)) {
        g_string_append(why, "; IDR3.RIL: the vSMMU has range invalidation, "
                        "the host does not");
    }
    v = FIELD_EX32(s->idr[5], IDR5, OAS);
    host = FIELD_EX32(h->idr[5], IDR5, OAS);
    if (v > host) {
        g_string_append_printf(why, "; IDR5.OAS: %u bits on the vSMMU, %u "
                               "on the host", oas2bits(v), oas2bits(host));
    }
    for (i = 0; i < ARRAY_SIZE(accel_gran_names); i++) {
        uint32_t bit = R_IDR5_GRAN4K_SHIFT + i;

        if (extract32(s->idr[5], bit, 1) && !extract32(h->idr[5], bit, 1)) {
            g_string_append_printf(why, "; IDR5: the host SMMU lacks the %s "
                                   "granule", accel_gran_names[i]);
        }
    }
    if (why->len) {
        error_setg(errp, "arm-smmuv3 accel=on: the host SMMUv3 of %s cannot "
                   "back this vSMMU: %s", hiod->name, why->str + 2);
        return false;
    }
    return true;
}

/* Host events into the guest's Event queue */

static void accel_event_deliver(SMMUv3State *s, const SMMUv3AccelVEvent *ve)
{
    SMMUv3AccelDev *d;
    uint64_t rec[4];
    int i;

    for (i = 0; i < ARRAY_SIZE(rec); i++) {
        rec[i] = le64_to_cpu(ve->evt.evt[i]);
    }
    QTAILQ_FOREACH(d, &s->accel_state->devs, next) {
        if (d->vdev_id && d->vsid == rec[0] >> 32) {
            d->events++;
        }
    }
    trace_smmuv3_accel_event(ve->hdr.sequence, rec[0] & 0xff, rec[0] >> 32);
    smmuv3_record_host_event(s, rec);
}

static void accel_event_read(void *opaque)
{
    SMMUv3State *s = opaque;
    SMMUv3Accel *a = s->accel_state;
    SMMUv3AccelVEvent buf[ACCEL_EVENT_READ_MAX];
    ssize_t len;
    size_t off;

    len = read(a->veventq_fd, buf, sizeof(buf));
    if (len <= 0) {
        return;
    }
    qemu_mutex_lock(&s->mutex);
    for (off = 0; off + sizeof(struct iommufd_vevent_header) <= len;) {
        const struct iommufd_vevent_header *hdr = (void *)buf + off;
        bool lost = hdr->flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS;

        if (a->seq_valid && hdr->sequence != a->next_seq) {
            lost = true;
        }
        a->seq_valid = true;
        a->next_seq = hdr->sequence + 1;
        if (lost) {
            a->lost_events++;
            trace_smmuv3_accel_events_lost(hdr->sequence);
            smmuv3_eventq_lost(s);
        }
        if (hdr->flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
            off += sizeof(*hdr);
            continue;
        }
        if (off + sizeof(SMMUv3AccelVEvent) > len) {
            break;
        }
        accel_event_deliver(s, (void *)buf + off);
        off += sizeof(SMMUv3AccelVEvent);
    }
    qemu_mutex_unlock(&s->mutex);
}

/* The vIOMMU: set up with the first device, torn down after the last */

static bool accel_viommu_init(SMMUv3State *s, HostIOMMUDeviceIOMMUFD *idev,
                              Error **errp)
{
    SMMUv3Accel *a = s->accel_state;
    Error *local_err = NULL;

    a->be = idev->iommufd;
    a->ioas_id = idev->ioas_id;
    if (!iommufd_backend_alloc_hwpt(a->be, idev->devid, a->ioas_id,
                                    IOMMU_HWPT_ALLOC_NEST_PARENT,
                                    IOMMU_HWPT_DATA_NONE, 0, NULL,
                                    &a->s2_hwpt_id, errp)) {
        error_prepend(errp, "arm-smmuv3 accel=on: no nesting parent (stage "
                      "2) for the VM's memory: ");
        goto fail;
    }
    if (!accel_viommu_alloc(a, idev->devid, errp) ||
        !accel_nested_alloc(a, idev->devid,
                            ACCEL_STE0_V | ACCEL_STE0_CFG_ABORT, 0,
                            &a->abort_hwpt_id, errp) ||
        !accel_nested_alloc(a, idev->devid,
                            ACCEL_STE0_V | ACCEL_STE0_CFG_BYPASS, 0,
                            &a->bypass_hwpt_id, errp)) {
        error_prepend(errp, "arm-smmuv3 accel=on: ");
        goto fail;
    }
    if (accel_veventq_alloc(a, &local_err)) {
        qemu_set_fd_handler(a->veventq_fd, accel_event_read, NULL, s);
    } else {
        warn_report_err(local_err);
        warn_report("arm-smmuv3 accel=on: the host's event records will not "
                    "reach the guest");
    }
    trace_smmuv3_accel_viommu(a->ioas_id, a->s2_hwpt_id, a->viommu_id,
                              a->abort_hwpt_id, a->bypass_hwpt_id,
                              a->veventq_id);
    return true;

fail:
    accel_free(a, &a->bypass_hwpt_id);
    accel_free(a, &a->abort_hwpt_id);
    accel_free(a, &a->viommu_id);
    accel_free(a, &a->s2_hwpt_id);
    a->be = NULL;
    return false;
}

static void accel_viommu_fini(SMMUv3Accel *a)
{
    if (a->veventq_fd >= 0) {
        qemu_set_fd_handler(a->veventq_fd, NULL, NULL, NULL);
        close(a->veventq_fd);
        a->veventq_fd = -1;
    }
    accel_free(a, &a->veventq_id);
    accel_free(a, &a->bypass_hwpt_id);
    accel_free(a, &a->abort_hwpt_id);
    accel_free(a, &a->viommu_id);
    accel_free(a, &a->s2_hwpt_id);
    a->seq_valid = false;
    a->be = NULL;
}

/*
 * Moving devices between HWPTs
 *
 * iommufd attaches a whole host IOMMU group to one HWPT: the devices of a
 * group that sit behind this vSMMU move together.  Their configurations
 * must agree (all abort, all bypass, or one stage-1 STE); when they do
 * not, the group is blocked and the stream whose configuration made the
 * conflict gets C_BAD_STE, rather than one device silently running with
 * the other's domain.
 */

static bool accel_same_group(SMMUv3AccelDev *a, SMMUv3AccelDev *b)
{
    return a == b || (a->group >= 0 && a->group == b->group);
}

/* Where the configuration of @d's stream, just fetched, sends @d */
static SMMUv3AccelWant accel_want(SMMUv3State *s, SMMUv3AccelDev *d)
{
    SMMUv3AccelWant w = { .hwpt = SMMUV3_ACCEL_HWPT_ABORT };
    SMMUEventInfo event = { .type = SMMU_EVT_NONE };
    STE ste;

    switch (d->sdev->domain.kind) {
    case SMMUV3_KIND_BYPASS:
    case SMMUV3_KIND_GBPA_BYPASS:
        w.hwpt = SMMUV3_ACCEL_HWPT_BYPASS;
        break;
    case SMMUV3_KIND_S1:
        if (!smmuv3_ste_find(s, smmu_get_sid(d->sdev), &ste, &event)) {
            w.hwpt = SMMUV3_ACCEL_HWPT_NESTED;
            w.ste[0] = (ste.word[0] | (uint64_t)ste.word[1] << 32) &
                       ACCEL_STE0_NESTED;
            w.ste[1] = (ste.word[2] | (uint64_t)ste.word[3] << 32) &
                       ACCEL_STE1_NESTED;
        }
        break;
    case SMMUV3_KIND_INVALID:
        w.refused = "no valid STE (V=0 or ILLEGAL)";
        break;
    case SMMUV3_KIND_S2:
    case SMMUV3_KIND_NESTED:
        w.refused = "a stage-2 STE, which accel=on does not offer (the "
                    "host owns stage 2)";
        break;
    default:
        /* abort STE, GBPA abort, or not decoded yet: blocked */
        break;
    }
    return w;
}

static bool accel_want_equal(const SMMUv3AccelWant *a,
                             const SMMUv3AccelWant *b)
{
    return a->hwpt == b->hwpt && (a->hwpt != SMMUV3_ACCEL_HWPT_NESTED ||
                                  (a->ste[0] == b->ste[0] &&
                                   a->ste[1] == b->ste[1]));
}

/* Replace the HWPT of @d's group with @hwpt_id, through @d */
static bool accel_attach(SMMUv3Accel *a, SMMUv3AccelDev *d, uint32_t hwpt_id,
                         uint32_t kind)
{
    Error *local_err = NULL;
    SMMUv3AccelDev *m;

    /* A group already there: nothing to do, for this device or a peer */
    if (d->hwpt_id == hwpt_id) {
        return true;
    }
    if (!host_iommu_device_iommufd_attach_hwpt(d->idev, hwpt_id,
                                               &local_err)) {
        error_prepend(&local_err, "arm-smmuv3 accel=on: StreamID 0x%x: ",
                      smmu_get_sid(d->sdev));
        error_report_err(local_err);
        return false;
    }
    trace_smmuv3_accel_replace(smmu_get_sid(d->sdev), d->hwpt_id, hwpt_id);
    d->replaces++;
    QTAILQ_FOREACH(m, &a->devs, next) {
        if (accel_same_group(d, m)) {
            m->hwpt_id = hwpt_id;
            m->hwpt = kind;
        }
    }
    /* Nested HWPTs no member of the group is on any more */
    QTAILQ_FOREACH(m, &a->devs, next) {
        if (accel_same_group(d, m) && m->nested_id != m->hwpt_id) {
            accel_free(a, &m->nested_id);
        }
    }
    return true;
}

/* The vDEVICE must carry the StreamID the guest uses now */
static bool accel_vdevice_sync(SMMUv3Accel *a, SMMUv3AccelDev *d)
{
    uint32_t sid = smmu_get_sid(d->sdev);
    Error *local_err = NULL;

    if (d->vdev_id && d->vsid == sid) {
        return true;
    }
    accel_free(a, &d->vdev_id);
    if (!accel_vdevice_alloc(a, d->idev->devid, sid, &d->vdev_id,
                             &local_err)) {
        error_prepend(&local_err, "arm-smmuv3 accel=on: ");
        error_report_err(local_err);
        return false;
    }
    d->vsid = sid;
    return true;
}

/*
 * A configuration the host cannot carry: C_BAD_STE, once per change, when
 * a CFGI_STE* makes it visible.  An enable (CR0) or a reset over such an
 * STE only blocks the device: the architecture raises C_BAD_STE for a
 * transaction, and a driver does not enable over STEs it has not written.
 */
static void accel_refuse(SMMUv3State *s, SMMUv3AccelDev *d, uint32_t kind,
                         const char *why)
{
    SMMUEventInfo event = {
        .type = SMMU_EVT_C_BAD_STE,
        .sid = smmu_get_sid(d->sdev),
    };

    if (d->refused_kind == kind || !d->by_cfgi) {
        return;
    }
    d->refused_kind = kind;
    d->refused++;
    qemu_log_mask(LOG_GUEST_ERROR, "smmuv3 accel: stream 0x%x: %s; the "
                  "stream is blocked (C_BAD_STE)\n", event.sid, why);
    smmuv3_record_event(s, &event);
}

/* The nested HWPT for @w: one a group member is on already, or a new one */
static bool accel_install_nested(SMMUv3Accel *a, SMMUv3AccelDev *d,
                                 const SMMUv3AccelWant *w)
{
    Error *local_err = NULL;
    SMMUv3AccelDev *m;
    uint32_t id;

    QTAILQ_FOREACH(m, &a->devs, next) {
        if (accel_same_group(d, m) && m->nested_id &&
            m->nested_ste[0] == w->ste[0] && m->nested_ste[1] == w->ste[1]) {
            return accel_attach(a, d, m->nested_id,
                                SMMUV3_ACCEL_HWPT_NESTED);
        }
    }
    if (!accel_nested_alloc(a, d->idev->devid, w->ste[0], w->ste[1], &id,
                            &local_err)) {
        error_prepend(&local_err, "arm-smmuv3 accel=on: stream 0x%x: the "
                      "host refused the guest's stage-1 STE: ",
                      smmu_get_sid(d->sdev));
        error_report_err(local_err);
        return false;
    }
    if (!accel_attach(a, d, id, SMMUV3_ACCEL_HWPT_NESTED)) {
        iommufd_backend_free_id(a->be, id);
        return false;
    }
    /* accel_attach() freed the nested HWPT the group left */
    d->nested_id = id;
    d->nested_ste[0] = w->ste[0];
    d->nested_ste[1] = w->ste[1];
    return true;
}

/* Bring @d's group to the HWPT its configurations agree on */
static void accel_resolve(SMMUv3State *s, SMMUv3AccelDev *d)
{
    SMMUv3Accel *a = s->accel_state;
    const SMMUv3AccelWant *w = &d->want;
    SMMUv3AccelDev *m, *peer = NULL;

    /* A peer's configuration in force, not what its STE holds now */
    QTAILQ_FOREACH(m, &a->devs, next) {
        if (m != d && accel_same_group(d, m) &&
            !accel_want_equal(w, &m->want)) {
            peer = m;
        }
    }
    QTAILQ_FOREACH(m, &a->devs, next) {
        if (accel_same_group(d, m)) {
            m->conflict = !!peer;
        }
    }
    if (peer) {
        g_autofree char *why = g_strdup_printf(
            "its configuration conflicts with that of stream 0x%x, which "
            "shares its host IOMMU group %d; the group is blocked",
            smmu_get_sid(peer->sdev), d->group);

        accel_attach(a, d, a->abort_hwpt_id, SMMUV3_ACCEL_HWPT_ABORT);
        accel_refuse(s, d, SMMUV3_KIND__MAX, why);
        return;
    }
    switch (w->hwpt) {
    case SMMUV3_ACCEL_HWPT_BYPASS:
        accel_attach(a, d, a->bypass_hwpt_id, SMMUV3_ACCEL_HWPT_BYPASS);
        break;
    case SMMUV3_ACCEL_HWPT_NESTED:
        if (!accel_install_nested(a, d, w)) {
            accel_attach(a, d, a->abort_hwpt_id, SMMUV3_ACCEL_HWPT_ABORT);
        }
        break;
    default:
        accel_attach(a, d, a->abort_hwpt_id, SMMUV3_ACCEL_HWPT_ABORT);
        break;
    }
    if (w->refused) {
        accel_refuse(s, d, d->sdev->domain.kind, w->refused);
    } else {
        d->refused_kind = SMMUV3_KIND_UNKNOWN;
    }
}

void smmuv3_accel_sync(SMMUDevice *sdev)
{
    SMMUv3AccelDev *d = sdev->domain.accel;
    SMMUv3State *s = sdev->smmu;

    if (d) {
        d->want = accel_want(s, d);
        d->dirty = true;
        d->by_cfgi = s->accel_state->cfgi;
    }
}

void smmuv3_accel_commit(SMMUv3State *s)
{
    SMMUv3Accel *a = s->accel_state;
    SMMUv3AccelDev *d;

    if (!a || !a->viommu_id) {
        return;
    }
    /* Every configuration of the batch is known: groups can move as one */
    QTAILQ_FOREACH(d, &a->devs, next) {
        if (d->dirty && accel_vdevice_sync(a, d)) {
            d->dirty = false;
            accel_resolve(s, d);
        }
    }
}

/* Invalidations */

void smmuv3_accel_queue_cmd(SMMUv3State *s, const struct Cmd *cmd)
{
    SMMUv3Accel *a = s->accel_state;
    struct iommu_viommu_arm_smmuv3_invalidate inv;
    uint32_t type = CMD_TYPE(cmd);
    SMMUv3AccelDev *d;
    bool any = false;

    if (!a) {
        return;
    }
    a->cfgi = type == SMMU_CMD_CFGI_STE || type == SMMU_CMD_CFGI_STE_RANGE;
    if (!a->viommu_id) {
        return;
    }
    QTAILQ_FOREACH(d, &a->devs, next) {
        bool mine;

        switch (type) {
        case SMMU_CMD_CFGI_CD:
        case SMMU_CMD_CFGI_CD_ALL:
            mine = d->vdev_id && d->vsid == CMD_SID(cmd);
            break;
        case SMMU_CMD_TLBI_NH_ASID:
        case SMMU_CMD_TLBI_NH_VA:
            mine = d->hwpt == SMMUV3_ACCEL_HWPT_NESTED &&
                   d->sdev->domain.asid == CMD_ASID(cmd);
            break;
        case SMMU_CMD_TLBI_NH_VAA:
        case SMMU_CMD_TLBI_NH_ALL:
        case SMMU_CMD_TLBI_NSNH_ALL:
            mine = d->hwpt == SMMUV3_ACCEL_HWPT_NESTED;
            break;
        default:
            return;
        }
        if (mine) {
            d->invalidations++;
            any = true;
        }
    }
    /* CFGI_CD of a StreamID without a vDEVICE means nothing to the host */
    if (!any && (type == SMMU_CMD_CFGI_CD || type == SMMU_CMD_CFGI_CD_ALL)) {
        return;
    }
    inv.cmd[0] = cpu_to_le64(cmd->word[0] | (uint64_t)cmd->word[1] << 32);
    inv.cmd[1] = cpu_to_le64(cmd->word[2] | (uint64_t)cmd->word[3] << 32);
    g_array_append_val(a->batch, inv);
}

bool smmuv3_accel_flush(SMMUv3State *s)
{
    SMMUv3Accel *a = s->accel_state;
    Error *local_err = NULL;
    uint32_t n;
    bool ok;

    if (!a) {
        return true;
    }
    /* The configurations the batch made visible, then its invalidations */
    smmuv3_accel_commit(s);
    a->cfgi = false;
    if (!a->batch->len) {
        return true;
    }
    n = a->batch->len;
    ok = iommufd_backend_invalidate_cache(a->be, a->viommu_id, ACCEL_INV_TYPE,
                                          g_array_get_element_size(a->batch),
                                          &n, a->batch->data, &local_err);
    trace_smmuv3_accel_invalidate(a->batch->len, n, ok);
    a->batches++;
    a->forwarded += n;
    g_array_set_size(a->batch, 0);
    if (!ok) {
        qemu_log_mask(LOG_GUEST_ERROR, "smmuv3 accel: the host refused an "
                      "invalidation: %s\n", error_get_pretty(local_err));
        error_free(local_err);
    }
    return ok;
}

/* PCIIOMMUOps of an SMMU with accel=on */

static AddressSpace *accel_find_add_as(PCIBus *bus, void *opaque, int devfn)
{
    AddressSpace *as = smmu_find_add_as(bus, opaque, devfn);
    PCIDevice *pdev = bus->devices[devfn];

    /*
     * The host SMMU translates an assigned device: VFIO maps the VM's
     * memory, which becomes the stage 2 of the nesting.
     */
    if (pdev && object_dynamic_cast(OBJECT(pdev), TYPE_VFIO_PCI)) {
        return &address_space_memory;
    }
    return as;
}

static SMMUDevice *accel_sdev(SMMUState *bs, PCIBus *bus, int devfn)
{
    SMMUPciBus *sbus;

    smmu_find_add_as(bus, bs, devfn);
    sbus = g_hash_table_lookup(bs->smmu_pcibus_by_busptr, bus);
    return sbus->pbdev[devfn];
}

/* The host IOMMU group of an assigned device, from sysfs; -1 if unknown */
static int accel_host_group(HostIOMMUDevice *hiod)
{
    VFIODevice *vdev = hiod->agent;
    g_autofree char *link = NULL, *target = NULL, *base = NULL;
    int group;

    if (!vdev || !vdev->sysfsdev) {
        return -1;
    }
    link = g_strdup_printf("%s/iommu_group", vdev->sysfsdev);
    target = g_file_read_link(link, NULL);
    if (!target) {
        return -1;
    }
    base = g_path_get_basename(target);
    return qemu_strtoi(base, NULL, 10, &group) ? -1 : group;
}

static bool accel_set_iommu_device(PCIBus *bus, void *opaque, int devfn,
                                   HostIOMMUDevice *hiod, Error **errp)
{
    SMMUState *bs = opaque;
    SMMUv3State *s = ARM_SMMUV3(bs);
    SMMUv3Accel *a = s->accel_state;
    SMMUDevice *sdev = accel_sdev(bs, bus, devfn);
    HostIOMMUDeviceIOMMUFD *idev;
    SMMUv3AccelDev *d;

    if (!object_dynamic_cast(OBJECT(hiod), TYPE_HOST_IOMMU_DEVICE_IOMMUFD)) {
        error_setg(errp, "arm-smmuv3 accel=on: %s has no iommufd backend; "
                   "give it iommufd=ID with -object iommufd,id=ID",
                   hiod->name);
        return false;
    }
    idev = HOST_IOMMU_DEVICE_IOMMUFD(hiod);
    if (hiod->aliased_bus != bus || hiod->aliased_devfn != devfn) {
        error_setg(errp, "arm-smmuv3 accel=on: %s is behind a PCIe-to-PCI "
                   "bridge, whose StreamID it would share; accel=on needs "
                   "its own StreamID", hiod->name);
        return false;
    }
    if (!accel_check_hw_info(s, hiod, errp)) {
        return false;
    }
    if (a->be && (a->be != idev->iommufd || a->ioas_id != idev->ioas_id)) {
        error_setg(errp, "arm-smmuv3 accel=on: %s must use the iommufd "
                   "object of the other devices behind this vSMMU",
                   hiod->name);
        return false;
    }
    if (!a->be && !accel_viommu_init(s, idev, errp)) {
        return false;
    }
    d = g_new0(SMMUv3AccelDev, 1);
    d->sdev = sdev;
    d->idev = idev;
    d->group = accel_host_group(hiod);
    d->hwpt_id = idev->hwpt_id;
    d->hwpt = SMMUV3_ACCEL_HWPT_VFIO;
    QTAILQ_INSERT_TAIL(&a->devs, d, next);
    trace_smmuv3_accel_device(hiod->name, smmu_get_sid(sdev), idev->devid);

    /*
     * The device stays on VFIO's HWPT (the VM's memory, as GBPA bypass
     * after reset gives it) until the machine's reset configures it: by
     * then every device of its host group is attached there too, which
     * iommufd requires of a group.  A hotplugged device is configured now.
     */
    qemu_mutex_lock(&s->mutex);
    sdev->domain.accel = d;
    smmuv3_accel_sync(sdev);
    if (phase_check(PHASE_MACHINE_READY)) {
        smmuv3_accel_commit(s);
    }
    qemu_mutex_unlock(&s->mutex);
    return true;
}

static void accel_unset_iommu_device(PCIBus *bus, void *opaque, int devfn)
{
    SMMUState *bs = opaque;
    SMMUv3State *s = ARM_SMMUV3(bs);
    SMMUv3Accel *a = s->accel_state;
    SMMUDevice *sdev = accel_sdev(bs, bus, devfn);
    SMMUv3AccelDev *d = sdev->domain.accel, *m, *peer = NULL;
    Error *local_err = NULL;

    if (!d) {
        return;
    }
    qemu_mutex_lock(&s->mutex);
    sdev->domain.accel = NULL;
    QTAILQ_REMOVE(&a->devs, d, next);
    QTAILQ_FOREACH(m, &a->devs, next) {
        if (accel_same_group(d, m)) {
            peer = m;
        }
    }
    if (peer) {
        /*
         * The group stays where it is for the devices that remain: a
         * replace now would move them too.  They keep its nested HWPT.
         */
        if (d->nested_id && d->nested_id == peer->hwpt_id) {
            accel_free(a, &peer->nested_id);
            peer->nested_id = d->nested_id;
            memcpy(peer->nested_ste, d->nested_ste, sizeof(d->nested_ste));
            d->nested_id = 0;
        }
    } else if (d->hwpt_id != d->idev->hwpt_id &&
               !host_iommu_device_iommufd_attach_hwpt(d->idev,
                                                      d->idev->hwpt_id,
                                                      &local_err)) {
        /* Back to VFIO's own HWPT, so that ours can go */
        warn_report_err(local_err);
    }
    accel_free(a, &d->nested_id);
    accel_free(a, &d->vdev_id);
    trace_smmuv3_accel_unplug(smmu_get_sid(sdev), !!peer);
    g_free(d);
    if (QTAILQ_EMPTY(&a->devs)) {
        accel_viommu_fini(a);
    }
    qemu_mutex_unlock(&s->mutex);
}

static const PCIIOMMUOps smmuv3_accel_ops = {
    .get_address_space = accel_find_add_as,
    .set_iommu_device = accel_set_iommu_device,
    .unset_iommu_device = accel_unset_iommu_device,
};

bool smmuv3_accel_realize(SMMUv3State *s, Error **errp)
{
    SMMUState *bs = ARM_SMMU(s);
    SMMUv3Accel *a;

    if (s->stage && strcmp(s->stage, "1")) {
        error_setg(errp, "arm-smmuv3: accel=on needs stage=1 (the host "
                   "owns stage 2), not stage=%s", s->stage);
        return false;
    }
    a = g_new0(SMMUv3Accel, 1);
    a->veventq_fd = -1;
    a->batch = g_array_new(false, false,
                           sizeof(struct iommu_viommu_arm_smmuv3_invalidate));
    QTAILQ_INIT(&a->devs);
    s->accel_state = a;
    if (bs->smmu_per_bus) {
        pci_setup_iommu_per_bus(bs->primary_bus, &smmuv3_accel_ops, bs);
    } else {
        pci_setup_iommu(bs->primary_bus, &smmuv3_accel_ops, bs);
    }
    return true;
}

/* query-smmuv3 */

SMMUv3AccelInfo *smmuv3_accel_stream_info(SMMUDevice *sdev)
{
    SMMUv3AccelDev *d = sdev->domain.accel;
    SMMUv3AccelInfo *info;

    if (!d) {
        return NULL;
    }
    info = g_new0(SMMUv3AccelInfo, 1);
    info->hwpt = d->hwpt;
    info->hwpt_id = d->hwpt_id;
    info->has_vsid = d->vdev_id != 0;
    info->vsid = d->vsid;
    info->invalidations = d->invalidations;
    info->events = d->events;
    info->replaces = d->replaces;
    info->refused = d->refused;
    info->conflict = d->conflict;
    info->has_host_group = d->group >= 0;
    info->host_group = d->group;
    return info;
}

SMMUv3AccelSummary *smmuv3_accel_summary(SMMUv3State *s)
{
    SMMUv3Accel *a = s->accel_state;
    SMMUv3AccelSummary *info;

    if (!a) {
        return NULL;
    }
    info = g_new0(SMMUv3AccelSummary, 1);
    info->has_viommu_id = a->viommu_id != 0;
    info->viommu_id = a->viommu_id;
    info->batches = a->batches;
    info->invalidations = a->forwarded;
    info->lost_events = a->lost_events;
    return info;
}
