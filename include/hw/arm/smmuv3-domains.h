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

#endif /* HW_ARM_SMMUV3_DOMAINS_H */
