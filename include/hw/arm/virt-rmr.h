/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reserved memory regions of SMMUv3 streams on the virt machine
 * (-object rmr): ranges that a device must keep reaching 1:1 at all times,
 * described to the guest as IORT RMR nodes (ACPI) and as reserved-memory
 * nodes with iommu-addresses (device tree).
 */

#ifndef HW_ARM_VIRT_RMR_H
#define HW_ARM_VIRT_RMR_H

#include "qom/object.h"
#include "exec/hwaddr.h"

#define TYPE_VIRT_RMR "rmr"
OBJECT_DECLARE_SIMPLE_TYPE(VirtRMR, VIRT_RMR)

struct VirtRMR {
    Object parent_obj;

    /* Properties */
    char *device;           /* id of a PCI device behind an SMMUv3 */
    char *iommu;            /* id of an arm-smmuv3 device, with sid */
    uint32_t sid;
    uint32_t sid_count;
    uint64_t base;
    uint64_t size;
    bool remap_permitted;
    int attributes;         /* RmrAttributes */

    /* A reserved region of an assigned device's host group */
    Object *host_dev;

    /* Resolved by virt_rmr_resolve_all() */
    Object *smmu;           /* the SMMUv3 whose streams these are */
    hwaddr smmu_base;       /* its register page, to find its IORT node */
    uint32_t first_sid;
    uint32_t nb_sids;
    Object *pdev;           /* the PCI device, for device= */
};

/*
 * virt_rmr_resolve_all: add an rmr object for each direct region of the
 * host IOMMU group of every vfio-pci device, resolve every rmr object
 * (device or iommu/sid to an SMMUv3 and its stream IDs) and check them
 * against each other.
 * Returns the number of rmr objects, or -1 with @errp set.
 */
int virt_rmr_resolve_all(Error **errp);

/* virt_rmr_count: how many rmr objects there are (IORT nodes to emit). */
int virt_rmr_count(void);

/*
 * virt_rmr_build_iort_nodes: append an IORT RMR node for each rmr object
 * of the SMMUv3 whose registers are at @smmu_base, whose IORT node is at
 * @smmu_offset; @id is the next node identifier, advanced per node.
 */
void virt_rmr_build_iort_nodes(GArray *table_data, hwaddr smmu_base,
                               uint32_t smmu_offset, uint32_t *id);

/*
 * virt_rmr_add_fdt_nodes: describe the rmr objects of devices on pcie.0 in
 * the machine's device tree: reserved-memory children with reg and
 * iommu-addresses, and DT nodes of the endpoints with memory-region.
 * Warns about what a device-tree guest cannot see.
 */
struct VirtMachineState;
void virt_rmr_add_fdt_nodes(struct VirtMachineState *vms);

#endif
