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

/* STE.S1DSS (5.2): what a transaction without a SubstreamID gets */
enum {
    SMMUV3_S1DSS_TERMINATE = 0,     /* an abort and F_STREAM_DISABLED */
    SMMUV3_S1DSS_BYPASS = 1,        /* stage 1 bypass */
    SMMUV3_S1DSS_SSID0 = 2,         /* the CD of SubstreamID 0 */
    /* 0b11 is reserved and behaves as terminate */
};

/**
 * smmuv3_ste_decode_substream - the configuration of @sdev for a
 * transaction with SubstreamID @ssid, or without one (SMMUV3_NO_SSID):
 * stream table walk, STE, then the CD that S1CDMax, S1DSS and the CD
 * table (5.2 S1Fmt, 5.3) select.  @event must be zeroed by the caller
 * except for its sid and inval_ste_allowed.  Returns 0, or -EINVAL with
 * @event set (C_BAD_SUBSTREAMID beyond what the STE gives substreams).
 */
int smmuv3_ste_decode_substream(SMMUv3State *s, SMMUDevice *sdev,
                                uint32_t ssid, SMMUTransCfg *cfg,
                                SMMUEventInfo *event,
                                SMMUv3DescTranslate xlate);

/**
 * smmuv3_ste_decode_config - the configuration of @sdev for the
 * transactions without a SubstreamID, as smmuv3_decode_config() needs it:
 * smmuv3_ste_decode_substream() with SMMUV3_NO_SSID.
 */
int smmuv3_ste_decode_config(SMMUv3State *s, SMMUDevice *sdev,
                             SMMUTransCfg *cfg, SMMUEventInfo *event,
                             SMMUv3DescTranslate xlate);

/**
 * smmuv3_substream_config - the cached configuration of @sdev for
 * SubstreamID @ssid, decoded on a miss; NULL with @event set when the
 * transaction must fail.  Caller holds the SMMU's mutex.
 */
SMMUTransCfg *smmuv3_substream_config(SMMUDevice *sdev, uint32_t ssid,
                                      SMMUEventInfo *event,
                                      SMMUv3DescTranslate xlate);

#endif /* HW_ARM_SMMUV3_STE_H */
