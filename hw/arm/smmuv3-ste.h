/*
 * SMMUv3 configuration decode: stream table, STE and CD (IHI 0070, 5)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_SMMUV3_STE_H
#define HW_ARM_SMMUV3_STE_H

#include "hw/arm/smmuv3.h"
#include "smmuv3-internal.h"

/*
 * SMMUv3DescTranslate - translate the IPA of a structure (a CD, a stage 1
 * table base) through stage 2 for a nested stream; smmuv3_do_translate().
 * Fills @event on failure.
 */
typedef SMMUTranslationStatus (*SMMUv3DescTranslate)(SMMUv3State *s,
                                                     hwaddr addr,
                                                     SMMUTransCfg *cfg,
                                                     SMMUEventInfo *event,
                                                     IOMMUAccessFlags flag,
                                                     SMMUTLBEntry **out,
                                                     SMMUTranslationClass c);

/**
 * smmuv3_ste_find - walk the stream table for @sid (IHI 0070, 5.1, 6.3.24,
 * 6.3.25) and read its STE into @ste.
 *
 * Returns 0, or -EINVAL with @event set to C_BAD_STREAMID (or to no event
 * when SMMU_CR2.RECINVSID is clear) or F_STE_FETCH.
 */
int smmuv3_ste_find(SMMUv3State *s, uint32_t sid, STE *ste,
                    SMMUEventInfo *event);

/**
 * smmuv3_ste_decode - decode a fetched STE into @cfg (IHI 0070, 5.2).
 *
 * Returns 0 with cfg->aborted, cfg->bypassed or cfg->stage set, or -EINVAL
 * with @event set to C_BAD_STE for an invalid or ILLEGAL STE.
 */
int smmuv3_ste_decode(SMMUv3State *s, const STE *ste, SMMUTransCfg *cfg,
                      SMMUEventInfo *event);

/**
 * smmuv3_cd_decode - decode a fetched CD into the stage 1 part of @cfg
 * (IHI 0070, 5.4).  For a nested stream the table bases are translated by
 * @xlate.  Returns 0, or -EINVAL with @event set (C_BAD_CD, or the stage 2
 * fault of a table base).
 */
int smmuv3_cd_decode(SMMUv3State *s, const CD *cd, SMMUTransCfg *cfg,
                     SMMUEventInfo *event, SMMUv3DescTranslate xlate);

/**
 * smmuv3_ste_decode_config - the configuration of @sdev, as
 * smmuv3_decode_config() needs it: stream table walk, STE, then the CD of
 * substream 0 when stage 1 translates.  @event must be zeroed by the
 * caller except for its sid and inval_ste_allowed.
 */
int smmuv3_ste_decode_config(SMMUv3State *s, SMMUDevice *sdev,
                             SMMUTransCfg *cfg, SMMUEventInfo *event,
                             SMMUv3DescTranslate xlate);

#endif /* HW_ARM_SMMUV3_STE_H */
