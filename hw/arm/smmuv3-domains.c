/*
 * smmuv3-domains: per-stream accounting of the SMMUv3 model
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every translation of a stream ends in one of the outcomes of
 * SMMUTranslationStatus.  They are counted here, per stream, and the most
 * recent one is offered to DMA masters through the IOMMU_ATTR_LAST_OUTCOME
 * attribute, so that a test device can tell an access the SMMU terminated
 * silently (STE.Config abort, GBPA.ABORT) from one it terminated with an
 * event (IHI 0070, 7.3).
 */

#include "qemu/osdep.h"
#include "hw/arm/smmuv3.h"
#include "hw/arm/smmuv3-domains.h"
#include "smmuv3-internal.h"

void smmuv3_domains_account(SMMUDevice *sdev, int status)
{
    SMMUv3StreamStats *st = &sdev->stats;

    if (!smmu_enabled(sdev->smmu)) {
        /* GBPA decides, and no configuration is fetched to tell */
        smmuv3_introspect_note(sdev, NULL);
    }
    switch (status) {
    case SMMU_TRANS_DISABLE:
    case SMMU_TRANS_BYPASS:
    case SMMU_TRANS_SUCCESS:
        st->translations++;
        st->last = IOMMU_OUTCOME_OK;
        break;
    case SMMU_TRANS_ABORT:
        st->aborts++;
        st->last = IOMMU_OUTCOME_ABORT;
        break;
    case SMMU_TRANS_ERROR:
    default:
        st->faults++;
        st->last = IOMMU_OUTCOME_FAULT;
        break;
    }
}

int smmuv3_domains_get_attr(IOMMUMemoryRegion *iommu,
                            enum IOMMUMemoryRegionAttr attr, void *data)
{
    SMMUDevice *sdev = container_of(iommu, SMMUDevice, iommu);

    switch (attr) {
    case IOMMU_ATTR_LAST_OUTCOME:
        *(uint32_t *)data = sdev->stats.last;
        return 0;
    default:
        return -EINVAL;
    }
}

int smmuv3_attrs_to_index(IOMMUMemoryRegion *iommu, MemTxAttrs attrs)
{
    if (attrs.unspecified || !attrs.pasid_valid) {
        return 0;
    }
    return attrs.pid + 1;
}
