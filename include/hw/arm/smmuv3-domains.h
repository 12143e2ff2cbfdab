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

struct SMMUDevice;

/* Account one translation of @sdev; @status is an SMMUTranslationStatus. */
void smmuv3_domains_account(struct SMMUDevice *sdev, int status);

/* IOMMUMemoryRegionClass::get_attr of the SMMUv3's IOMMU regions. */
int smmuv3_domains_get_attr(IOMMUMemoryRegion *iommu,
                            enum IOMMUMemoryRegionAttr attr, void *data);

#endif /* HW_ARM_SMMUV3_DOMAINS_H */
