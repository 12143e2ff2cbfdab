/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reserved memory regions of SMMUv3 streams on the virt machine.
 *
 *   -object rmr,id=ID,device=DEVID,base=ADDR,size=SIZE[,...]
 *   -object rmr,id=ID,[iommu=SMMUID,]sid=N[,sid-count=M],base=...,size=...
 *
 * Each rmr object names a range that the device (or the streams) must be
 * able to reach 1:1 at all times, for example a framebuffer the firmware
 * scans out.  The virt machine tells the guest in IORT RMR nodes (ARM DEN
 * 0049 E.d, node type 6) and, on a device tree boot, in reserved-memory
 * nodes with iommu-addresses.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-types-qom.h"
#include "qemu/error-report.h"
#include "qemu/range.h"
#include "qom/object_interfaces.h"
#include "hw/qdev-core.h"
#include "hw/sysbus.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_bus.h"
#include "hw/arm/smmu-common.h"
#include "hw/arm/smmuv3.h"
#include "hw/acpi/aml-build.h"
#include "system/device_tree.h"
#include <libfdt.h>
#include "hw/arm/virt.h"
#include "hw/arm/virt-rmr.h"
#include "smmuv3-internal.h"
#include "trace.h"

/* Linux's arm-smmu-v3 reserves this IOVA window for MSIs. */
#define VIRT_RMR_MSI_IOVA_BASE  0x8000000ULL
#define VIRT_RMR_MSI_IOVA_SIZE  0x100000ULL
/* IORT RMR descriptors must be 64 KiB aligned (DEN 0049 E.d, 3.1.6). */
#define VIRT_RMR_ALIGN          0x10000ULL

/* IORT RMR node (DEN 0049 E.d, Table 19) */
#define IORT_NODE_RMR           6
#define IORT_RMR_NODE_REVISION  3
#define IORT_RMR_HEADER_SIZE    28
#define IORT_ID_MAPPING_SIZE    20
#define IORT_RMR_DESC_SIZE      20
#define IORT_RMR_FLAG_REMAP_PERMITTED   (1 << 0)
#define IORT_RMR_ATTR_SHIFT             2
#define IORT_RMR_ATTR_DEVICE_NGNRNE     0x00
#define IORT_RMR_ATTR_NORMAL_IWB_OWB    0x05

static const char *virt_rmr_id(VirtRMR *rmr)
{
    return object_get_canonical_path_component(OBJECT(rmr));
}

/* Checks that need nothing but the object's own properties. */
static void virt_rmr_complete(UserCreatable *uc, Error **errp)
{
    VirtRMR *rmr = VIRT_RMR(uc);
    const char *id = virt_rmr_id(rmr);

    if (rmr->device && (rmr->iommu || rmr->sid != UINT32_MAX)) {
        error_setg(errp, "rmr '%s': give either device= or sid= "
                   "(with iommu=), not both", id);
        return;
    }
    if (!rmr->device && rmr->sid == UINT32_MAX) {
        error_setg(errp, "rmr '%s': device= or sid= is required", id);
        return;
    }
    if (rmr->device && rmr->sid_count != 1) {
        error_setg(errp, "rmr '%s': sid-count= goes with sid=, not device=",
                   id);
        return;
    }
    if (!rmr->sid_count) {
        error_setg(errp, "rmr '%s': sid-count must be at least 1", id);
        return;
    }
    if (!rmr->size) {
        error_setg(errp, "rmr '%s': size must not be zero", id);
        return;
    }
    if (!QEMU_IS_ALIGNED(rmr->base, VIRT_RMR_ALIGN) ||
        !QEMU_IS_ALIGNED(rmr->size, VIRT_RMR_ALIGN)) {
        error_setg(errp, "rmr '%s': base 0x%" PRIx64 " and size 0x%" PRIx64
                   " must be multiples of 64 KiB", id, rmr->base, rmr->size);
        return;
    }
    if (rmr->base + rmr->size - 1 < rmr->base) {
        error_setg(errp, "rmr '%s': base 0x%" PRIx64 " + size 0x%" PRIx64
                   " is beyond the 64-bit address space", id, rmr->base,
                   rmr->size);
        return;
    }
}

/* The SMMUv3 that translates @pdev, and the device's StreamID. */
static SMMUState *virt_rmr_smmu_of(PCIDevice *pdev, uint32_t *sid)
{
    AddressSpace *as = pci_device_iommu_address_space(pdev);
    SMMUDevice *sdev;

    if (!as || !as->root ||
        !object_dynamic_cast(OBJECT(as->root),
                             TYPE_SMMUV3_IOMMU_MEMORY_REGION)) {
        return NULL;
    }
    sdev = container_of(IOMMU_MEMORY_REGION(as->root), SMMUDevice, iommu);
    if (!object_dynamic_cast(OBJECT(sdev->smmu), TYPE_ARM_SMMUV3)) {
        return NULL;
    }
    *sid = smmu_get_sid(sdev);
    return sdev->smmu;
}

/* Where the registers of an SMMUv3 are, in the system address space. */
static hwaddr virt_rmr_smmu_base(Object *smmu)
{
    MemoryRegion *mr = sysbus_mmio_get_region(SYS_BUS_DEVICE(smmu), 0);
    hwaddr base = 0;

    for (; mr; mr = mr->container) {
        base += mr->addr;
    }
    return base;
}

typedef struct VirtRMRFind {
    hwaddr base;
    Object *found;
} VirtRMRFind;

static int virt_rmr_find_smmu_at(Object *obj, void *opaque)
{
    VirtRMRFind *find = opaque;

    if (object_dynamic_cast(obj, TYPE_ARM_SMMUV3) &&
        virt_rmr_smmu_base(obj) == find->base) {
        find->found = obj;
        return 1;
    }
    return 0;
}

static bool virt_rmr_resolve(VirtRMR *rmr, Error **errp)
{
    const char *id = virt_rmr_id(rmr);

    if (rmr->device || rmr->host_dev) {
        DeviceState *dev = rmr->host_dev ? DEVICE(rmr->host_dev) :
                           qdev_find_recursive(sysbus_get_default(),
                                               rmr->device);
        const char *name = rmr->device ? rmr->device : "(assigned)";
        SMMUState *smmu;
        uint32_t sid;

        if (!dev) {
            error_setg(errp, "rmr '%s': there is no device with id '%s'",
                       id, name);
            return false;
        }
        if (!object_dynamic_cast(OBJECT(dev), TYPE_PCI_DEVICE)) {
            error_setg(errp, "rmr '%s': device '%s' is not a PCI device",
                       id, name);
            return false;
        }
        smmu = virt_rmr_smmu_of(PCI_DEVICE(dev), &sid);
        if (!smmu) {
            error_setg(errp, "rmr '%s': device '%s' is not behind an SMMUv3 "
                       "(use -M virt,iommu=smmuv3 or -device arm-smmuv3 on "
                       "its PCI bus)", id, name);
            return false;
        }
        if (!pci_bus_is_root(pci_get_bus(PCI_DEVICE(dev)))) {
            /*
             * Behind a bridge the StreamID depends on the bus numbers that
             * the guest's firmware or kernel assigns.
             */
            error_setg(errp, "rmr '%s': device '%s' is behind a PCI bridge; "
                       "device= takes devices on a root bus (use sid= for "
                       "others)", id, name);
            return false;
        }
        rmr->smmu = OBJECT(smmu);
        rmr->pdev = OBJECT(dev);
        rmr->first_sid = sid;
        rmr->nb_sids = 1;
    } else {
        Object *smmu = NULL;

        if (rmr->iommu) {
            DeviceState *dev = qdev_find_recursive(sysbus_get_default(),
                                                   rmr->iommu);

            if (!dev || !object_dynamic_cast(OBJECT(dev), TYPE_ARM_SMMUV3)) {
                error_setg(errp, "rmr '%s': there is no arm-smmuv3 device "
                           "with id '%s'", id, rmr->iommu);
                return false;
            }
            smmu = OBJECT(dev);
        } else {
            /* The machine's own SMMUv3 (-M virt,iommu=smmuv3) */
            VirtMachineState *vms = VIRT_MACHINE(qdev_get_machine());
            VirtRMRFind find = { .base = vms->memmap[VIRT_SMMU].base };

            if (vms->iommu == VIRT_IOMMU_SMMUV3) {
                object_child_foreach_recursive(object_get_root(),
                                               virt_rmr_find_smmu_at, &find);
            }
            if (!find.found) {
                error_setg(errp, "rmr '%s': sid= without iommu= needs the "
                           "machine's SMMUv3 (-M virt,iommu=smmuv3)", id);
                return false;
            }
            smmu = find.found;
        }
        if ((uint64_t)rmr->sid + rmr->sid_count > (1ULL << SMMU_IDR1_SIDSIZE)) {
            error_setg(errp, "rmr '%s': streams 0x%x..0x%" PRIx64 " are "
                       "beyond the SMMU's %d-bit StreamIDs (SIDSIZE)", id,
                       rmr->sid, (uint64_t)rmr->sid + rmr->sid_count - 1,
                       SMMU_IDR1_SIDSIZE);
            return false;
        }
        rmr->smmu = smmu;
        rmr->pdev = NULL;
        rmr->first_sid = rmr->sid;
        rmr->nb_sids = rmr->sid_count;
    }
    rmr->smmu_base = virt_rmr_smmu_base(rmr->smmu);
    if (ranges_overlap(rmr->base, rmr->size, VIRT_RMR_MSI_IOVA_BASE,
                       VIRT_RMR_MSI_IOVA_SIZE)) {
        warn_report("rmr '%s': 0x%" PRIx64 "+0x%" PRIx64 " overlaps the "
                    "IOVA window 0x%llx+0x%llx that Linux's arm-smmu-v3 "
                    "reserves for MSIs", id, rmr->base, rmr->size,
                    VIRT_RMR_MSI_IOVA_BASE, VIRT_RMR_MSI_IOVA_SIZE);
    }
    trace_virt_rmr_resolved(id, rmr->first_sid, rmr->nb_sids, rmr->base,
                            rmr->size, rmr->remap_permitted);
    return true;
}

static int virt_rmr_collect(Object *obj, void *opaque)
{
    GPtrArray *rmrs = opaque;

    if (object_dynamic_cast(obj, TYPE_VIRT_RMR)) {
        g_ptr_array_add(rmrs, obj);
    }
    return 0;
}

static gint virt_rmr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(virt_rmr_id(*(VirtRMR * const *)a),
                  virt_rmr_id(*(VirtRMR * const *)b));
}

/* Every rmr object, in the order of their ids (stable tables) */
static GPtrArray *virt_rmr_all(void)
{
    GPtrArray *rmrs = g_ptr_array_new();

    object_child_foreach(object_get_objects_root(), virt_rmr_collect, rmrs);
    g_ptr_array_sort(rmrs, virt_rmr_cmp);
    return rmrs;
}

int virt_rmr_count(void)
{
    g_autoptr(GPtrArray) rmrs = virt_rmr_all();

    return rmrs->len;
}

/*
 * Assigned devices: the host's IOMMU group of a vfio-pci device may have
 * ranges that must stay mapped 1:1 (its own RMRs or reserved-memory
 * regions, in /sys/kernel/iommu_groups/N/reserved_regions).  The device
 * still reaches them in the guest, so the guest must keep them too:
 * each "direct" (or "direct-relaxable") region becomes an rmr object of
 * the device, remap-permitted as the host has it.  The host's MSI window
 * ("msi") is not one: it belongs to the host's interrupt path, and an
 * RMR without remap permission over it would make the device
 * require_direct in the guest, so that the guest could never give it to
 * its own VFIO.
 */
static int virt_rmr_find_vfio(Object *obj, void *opaque)
{
    if (object_dynamic_cast(obj, "vfio-pci")) {
        g_ptr_array_add(opaque, obj);
    }
    return 0;
}

static void virt_rmr_add_host_region(Object *dev, const char *sysfs,
                                     uint64_t start, uint64_t end,
                                     bool relaxable, unsigned *n)
{
    uint64_t base = QEMU_ALIGN_DOWN(start, VIRT_RMR_ALIGN);
    uint64_t size = QEMU_ALIGN_UP(end + 1, VIRT_RMR_ALIGN) - base;
    g_autofree char *id = g_strdup_printf("host-rmr%u", (*n)++);
    VirtRMR *rmr = VIRT_RMR(object_new(TYPE_VIRT_RMR));

    if (base != start || base + size != end + 1) {
        warn_report("%s: the host's direct region 0x%" PRIx64 "..0x%" PRIx64
                    " is not 64 KiB aligned; the guest gets 0x%" PRIx64
                    "+0x%" PRIx64, sysfs, start, end, base, size);
    }
    rmr->host_dev = dev;
    rmr->base = base;
    rmr->size = size;
    rmr->remap_permitted = relaxable;
    object_property_add_child(object_get_objects_root(), id, OBJECT(rmr));
    object_unref(OBJECT(rmr));
}

static void virt_rmr_add_host_regions(void)
{
    g_autoptr(GPtrArray) devs = g_ptr_array_new();
    unsigned i, n = 0;

    object_child_foreach_recursive(object_get_root(), virt_rmr_find_vfio,
                                   devs);
    for (i = 0; i < devs->len; i++) {
        Object *dev = devs->pdata[i];
        g_autofree char *sysfs = object_property_get_str(dev, "sysfsdev",
                                                         NULL);
        g_autofree char *path = NULL, *text = NULL;
        g_auto(GStrv) lines = NULL;
        char **l;

        uint32_t sid;

        if (!virt_rmr_smmu_of(PCI_DEVICE(dev), &sid)) {
            continue;   /* not behind an SMMUv3: nothing to describe */
        }
        if (!sysfs || !*sysfs) {
            continue;   /* given as a file descriptor: no sysfs to read */
        }
        if (!pci_bus_is_root(pci_get_bus(PCI_DEVICE(dev)))) {
            warn_report("%s: the host's direct regions of a device behind "
                        "a PCI bridge are not described to the guest", sysfs);
            continue;
        }
        path = g_strdup_printf("%s/iommu_group/reserved_regions", sysfs);
        if (!g_file_get_contents(path, &text, NULL, NULL)) {
            continue;   /* no IOMMU group on the host (no-IOMMU mode) */
        }
        lines = g_strsplit(text, "\n", -1);
        for (l = lines; *l; l++) {
            uint64_t start, end;
            char type[32];

            if (sscanf(*l, "%" SCNx64 " %" SCNx64 " %31s", &start, &end,
                       type) != 3 || end < start) {
                continue;
            }
            if (!strcmp(type, "direct") || !strcmp(type, "direct-relaxable")) {
                virt_rmr_add_host_region(dev, sysfs, start, end,
                                         !strcmp(type, "direct-relaxable"),
                                         &n);
            }
        }
    }
}

int virt_rmr_resolve_all(Error **errp)
{
    g_autoptr(GPtrArray) rmrs = NULL;
    unsigned i, j;

    virt_rmr_add_host_regions();
    rmrs = virt_rmr_all();

    for (i = 0; i < rmrs->len; i++) {
        if (!virt_rmr_resolve(rmrs->pdata[i], errp)) {
            return -1;
        }
    }
    /* Two ranges of one stream must not overlap (Linux: FW_BUG). */
    for (i = 0; i < rmrs->len; i++) {
        VirtRMR *a = rmrs->pdata[i];

        for (j = i + 1; j < rmrs->len; j++) {
            VirtRMR *b = rmrs->pdata[j];

            if (a->smmu == b->smmu &&
                ranges_overlap(a->first_sid, a->nb_sids,
                               b->first_sid, b->nb_sids) &&
                ranges_overlap(a->base, a->size, b->base, b->size)) {
                error_setg(errp, "rmr '%s' and rmr '%s' overlap for stream "
                           "0x%x: 0x%" PRIx64 "+0x%" PRIx64 " and 0x%" PRIx64
                           "+0x%" PRIx64, virt_rmr_id(a), virt_rmr_id(b),
                           MAX(a->first_sid, b->first_sid), a->base, a->size,
                           b->base, b->size);
                return -1;
            }
        }
    }
    return rmrs->len;
}

void virt_rmr_build_iort_nodes(GArray *table_data, hwaddr smmu_base,
                               uint32_t smmu_offset, uint32_t *id)
{
    g_autoptr(GPtrArray) rmrs = virt_rmr_all();
    unsigned i;

    for (i = 0; i < rmrs->len; i++) {
        VirtRMR *rmr = rmrs->pdata[i];
        uint32_t flags, attr;

        if (!rmr->smmu || rmr->smmu_base != smmu_base) {
            continue;
        }
        attr = rmr->attributes == RMR_ATTRIBUTES_DEVICE ?
               IORT_RMR_ATTR_DEVICE_NGNRNE : IORT_RMR_ATTR_NORMAL_IWB_OWB;
        flags = attr << IORT_RMR_ATTR_SHIFT;
        if (rmr->remap_permitted) {
            flags |= IORT_RMR_FLAG_REMAP_PERMITTED;
        }
        /* Node header */
        build_append_int_noprefix(table_data, IORT_NODE_RMR, 1);
        build_append_int_noprefix(table_data, IORT_RMR_HEADER_SIZE +
                                  IORT_ID_MAPPING_SIZE + IORT_RMR_DESC_SIZE, 2);
        build_append_int_noprefix(table_data, IORT_RMR_NODE_REVISION, 1);
        build_append_int_noprefix(table_data, (*id)++, 4);
        build_append_int_noprefix(table_data, 1, 4);  /* ID mappings */
        build_append_int_noprefix(table_data, IORT_RMR_HEADER_SIZE, 4);
        /* RMR fields */
        build_append_int_noprefix(table_data, flags, 4);
        build_append_int_noprefix(table_data, 1, 4);  /* Memory ranges */
        build_append_int_noprefix(table_data, IORT_RMR_HEADER_SIZE +
                                  IORT_ID_MAPPING_SIZE, 4);
        /* ID mapping: the streams, to the SMMU's node */
        build_append_int_noprefix(table_data, rmr->first_sid, 4);
        build_append_int_noprefix(table_data, rmr->nb_sids - 1, 4);
        build_append_int_noprefix(table_data, rmr->first_sid, 4);
        build_append_int_noprefix(table_data, smmu_offset, 4);
        build_append_int_noprefix(table_data, 0, 4);  /* Flags */
        /* Memory range descriptor */
        build_append_int_noprefix(table_data, rmr->base, 8);
        build_append_int_noprefix(table_data, rmr->size, 8);
        build_append_int_noprefix(table_data, 0, 4);  /* Reserved */
    }
}

/*
 * Device tree: a DT node under the host bridge for each PCI endpoint that
 * has ranges, with memory-region pointing at one reserved-memory child per
 * distinct range; the child's iommu-addresses lists the endpoints that
 * reach it 1:1 (PCI bus cells: three address cells, two size cells).
 */

#define VIRT_RMR_FDT_PCI_ADDR_CELLS 3
#define VIRT_RMR_FDT_PCI_SIZE_CELLS 2

typedef struct VirtRMRFdtNode {
    char *path;
    uint32_t phandle;
    GArray *cells;      /* memory-region or iommu-addresses, host order */
} VirtRMRFdtNode;

static void virt_rmr_fdt_node_free(gpointer data)
{
    VirtRMRFdtNode *n = data;

    g_free(n->path);
    g_array_free(n->cells, true);
    g_free(n);
}

static VirtRMRFdtNode *virt_rmr_fdt_node_new(void *fdt, char *path)
{
    VirtRMRFdtNode *n = g_new0(VirtRMRFdtNode, 1);

    n->path = path;
    n->phandle = qemu_fdt_alloc_phandle(fdt);
    n->cells = g_array_new(false, false, sizeof(uint32_t));
    qemu_fdt_add_subnode(fdt, path);
    qemu_fdt_setprop_cell(fdt, path, "phandle", n->phandle);
    return n;
}

/* The DT node of @pdev under the host bridge node @hb, made on first use */
static VirtRMRFdtNode *virt_rmr_fdt_endpoint(void *fdt, const char *hb,
                                             GHashTable *eps, PCIDevice *pdev)
{
    VirtRMRFdtNode *n = g_hash_table_lookup(eps, pdev);
    uint8_t slot = PCI_SLOT(pdev->devfn), fn = PCI_FUNC(pdev->devfn);
    uint32_t bdf = PCI_BUILD_BDF(pci_dev_bus_num(pdev), pdev->devfn);
    g_autofree char *compat = NULL;

    if (n) {
        return n;
    }
    /* Unit address: the slot, and the function unless it is 0 */
    n = virt_rmr_fdt_node_new(fdt, fn ?
                              g_strdup_printf("%s/dev@%x,%x", hb, slot, fn) :
                              g_strdup_printf("%s/dev@%x", hb, slot));
    compat = g_strdup_printf("pci%x,%x",
                             pci_get_word(pdev->config + PCI_VENDOR_ID),
                             pci_get_word(pdev->config + PCI_DEVICE_ID));
    qemu_fdt_setprop_string(fdt, n->path, "compatible", compat);
    qemu_fdt_setprop_cells(fdt, n->path, "reg", bdf << 8, 0, 0, 0, 0);
    g_hash_table_insert(eps, pdev, n);
    return n;
}

static void virt_rmr_cells_add_once(GArray *cells, const uint32_t *add,
                                    unsigned nb, unsigned stride)
{
    unsigned i;

    for (i = 0; i + stride <= cells->len; i += stride) {
        if (!memcmp(&g_array_index(cells, uint32_t, i), add,
                    nb * sizeof(uint32_t))) {
            return;
        }
    }
    g_array_append_vals(cells, add, nb);
}

static void virt_rmr_fdt_set_cells(void *fdt, const char *path,
                                   const char *name, GArray *cells)
{
    g_autofree uint32_t *be = g_new(uint32_t, cells->len);
    unsigned i;

    for (i = 0; i < cells->len; i++) {
        be[i] = cpu_to_be32(g_array_index(cells, uint32_t, i));
    }
    qemu_fdt_setprop(fdt, path, name, be, cells->len * sizeof(uint32_t));
}

void virt_rmr_add_fdt_nodes(VirtMachineState *vms)
{
    void *fdt = MACHINE(vms)->fdt;
    g_autoptr(GPtrArray) rmrs = virt_rmr_all();
    g_autoptr(GHashTable) eps = NULL, ranges = NULL;
    bool dt_boot = !(vms->bootinfo.firmware_loaded &&
                     virt_is_acpi_enabled(vms));
    GHashTableIter iter;
    VirtRMRFdtNode *n;
    unsigned i;

    if (!rmrs->len || !fdt) {
        return;
    }
    eps = g_hash_table_new_full(NULL, NULL, NULL, virt_rmr_fdt_node_free);
    ranges = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                   virt_rmr_fdt_node_free);
    qemu_fdt_add_subnode(fdt, "/reserved-memory");
    qemu_fdt_setprop_cell(fdt, "/reserved-memory", "#address-cells", 2);
    qemu_fdt_setprop_cell(fdt, "/reserved-memory", "#size-cells", 2);
    qemu_fdt_setprop(fdt, "/reserved-memory", "ranges", NULL, 0);

    for (i = 0; i < rmrs->len; i++) {
        VirtRMR *rmr = rmrs->pdata[i];
        const char *id = virt_rmr_id(rmr);
        PCIDevice *pdev = rmr->pdev ? PCI_DEVICE(rmr->pdev) : NULL;
        VirtRMRFdtNode *ep, *range;
        g_autofree char *key = NULL;
        uint32_t map[1 + VIRT_RMR_FDT_PCI_ADDR_CELLS +
                     VIRT_RMR_FDT_PCI_SIZE_CELLS];

        if (!pdev || pci_get_bus(pdev) != vms->bus) {
            if (dt_boot) {
                warn_report("rmr '%s': only ranges of devices on pcie.0 "
                            "(device=) have a device-tree form; a guest that "
                            "boots with the device tree does not see it", id);
            }
            continue;
        }
        if (rmr->remap_permitted && dt_boot) {
            warn_report("rmr '%s': remap-permitted=on has no device-tree "
                        "form; a guest that boots with the device tree sees "
                        "the range as IOMMU_RESV_DIRECT (only ACPI IORT "
                        "carries the remap permission)", id);
        }
        ep = virt_rmr_fdt_endpoint(fdt, vms->pciehb_nodename, eps, pdev);

        key = g_strdup_printf("%" PRIx64 "+%" PRIx64, rmr->base, rmr->size);
        range = g_hash_table_lookup(ranges, key);
        if (!range) {
            g_autofree char *path =
                g_strdup_printf("/reserved-memory/rmr@%" PRIx64, rmr->base);

            if (fdt_path_offset(fdt, path) >= 0) {
                /* Another size at the same base: name it by the object */
                g_free(path);
                path = g_strdup_printf("/reserved-memory/%s@%" PRIx64, id,
                                       rmr->base);
            }
            range = virt_rmr_fdt_node_new(fdt, g_steal_pointer(&path));
            qemu_fdt_setprop_sized_cells(fdt, range->path, "reg",
                                         2, rmr->base, 2, rmr->size);
            g_hash_table_insert(ranges, g_steal_pointer(&key), range);
        }
        /* <&endpoint  pci.hi pci.mid pci.lo  size.hi size.lo>, 1:1 */
        map[0] = ep->phandle;
        map[1] = 0;
        map[2] = extract64(rmr->base, 32, 32);
        map[3] = extract64(rmr->base, 0, 32);
        map[4] = extract64(rmr->size, 32, 32);
        map[5] = extract64(rmr->size, 0, 32);
        virt_rmr_cells_add_once(range->cells, map, ARRAY_SIZE(map),
                                ARRAY_SIZE(map));
        virt_rmr_cells_add_once(ep->cells, &range->phandle, 1, 1);
    }

    g_hash_table_iter_init(&iter, ranges);
    while (g_hash_table_iter_next(&iter, NULL, (void **)&n)) {
        virt_rmr_fdt_set_cells(fdt, n->path, "iommu-addresses", n->cells);
    }
    g_hash_table_iter_init(&iter, eps);
    while (g_hash_table_iter_next(&iter, NULL, (void **)&n)) {
        virt_rmr_fdt_set_cells(fdt, n->path, "memory-region", n->cells);
    }
}

static int virt_rmr_get_attributes(Object *obj, Error **errp)
{
    return VIRT_RMR(obj)->attributes;
}

static void virt_rmr_set_attributes(Object *obj, int value, Error **errp)
{
    VIRT_RMR(obj)->attributes = value;
}

static void virt_rmr_instance_init(Object *obj)
{
    VirtRMR *rmr = VIRT_RMR(obj);

    rmr->sid = UINT32_MAX;
    rmr->sid_count = 1;
    rmr->attributes = RMR_ATTRIBUTES_CACHEABLE;
    object_property_add_uint32_ptr(obj, "sid", &rmr->sid,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "sid-count", &rmr->sid_count,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint64_ptr(obj, "base", &rmr->base,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint64_ptr(obj, "size", &rmr->size,
                                   OBJ_PROP_FLAG_READWRITE);
}

static void virt_rmr_finalize(Object *obj)
{
    VirtRMR *rmr = VIRT_RMR(obj);

    g_free(rmr->device);
    g_free(rmr->iommu);
}

static char *virt_rmr_get_device(Object *obj, Error **errp)
{
    return g_strdup(VIRT_RMR(obj)->device);
}

static void virt_rmr_set_device(Object *obj, const char *value, Error **errp)
{
    VirtRMR *rmr = VIRT_RMR(obj);

    g_free(rmr->device);
    rmr->device = g_strdup(value);
}

static char *virt_rmr_get_iommu(Object *obj, Error **errp)
{
    return g_strdup(VIRT_RMR(obj)->iommu);
}

static void virt_rmr_set_iommu(Object *obj, const char *value, Error **errp)
{
    VirtRMR *rmr = VIRT_RMR(obj);

    g_free(rmr->iommu);
    rmr->iommu = g_strdup(value);
}

static bool virt_rmr_get_remap(Object *obj, Error **errp)
{
    return VIRT_RMR(obj)->remap_permitted;
}

static void virt_rmr_set_remap(Object *obj, bool value, Error **errp)
{
    VIRT_RMR(obj)->remap_permitted = value;
}

static void virt_rmr_class_init(ObjectClass *oc, const void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    ucc->complete = virt_rmr_complete;
    object_class_property_add_str(oc, "device", virt_rmr_get_device,
                                  virt_rmr_set_device);
    object_class_property_set_description(oc, "device",
        "id of the PCI device (behind an SMMUv3) whose stream keeps the "
        "range mapped 1:1");
    object_class_property_add_str(oc, "iommu", virt_rmr_get_iommu,
                                  virt_rmr_set_iommu);
    object_class_property_set_description(oc, "iommu",
        "id of the arm-smmuv3 device of sid= (default: the only SMMUv3)");
    object_class_property_add_bool(oc, "remap-permitted", virt_rmr_get_remap,
                                   virt_rmr_set_remap);
    object_class_property_set_description(oc, "remap-permitted",
        "on: the guest may remap the range (IOMMU_RESV_DIRECT_RELAXABLE)");
    object_class_property_add_enum(oc, "attributes", "RmrAttributes",
                                   &RmrAttributes_lookup,
                                   virt_rmr_get_attributes,
                                   virt_rmr_set_attributes);
    object_class_property_set_description(oc, "attributes",
        "memory type of the range: device or cacheable (default)");
}

static const TypeInfo virt_rmr_info = {
    .name = TYPE_VIRT_RMR,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(VirtRMR),
    .instance_init = virt_rmr_instance_init,
    .instance_finalize = virt_rmr_finalize,
    .class_init = virt_rmr_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { }
    },
};

static void virt_rmr_register_types(void)
{
    type_register_static(&virt_rmr_info);
}

type_init(virt_rmr_register_types)
