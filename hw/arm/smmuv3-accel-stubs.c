/*
 * smmuv3-accel stubs: builds without iommufd (non-Linux hosts, or VFIO
 * configured out) have no accel=on
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-types-smmuv3.h"
#include "hw/arm/smmuv3.h"
#include "hw/arm/smmuv3-domains.h"

bool smmuv3_accel_realize(SMMUv3State *s, Error **errp)
{
    error_setg(errp, "arm-smmuv3: accel=on needs iommufd, which this QEMU "
               "was built without");
    return false;
}

void smmuv3_accel_sync(SMMUDevice *sdev)
{
}

void smmuv3_accel_commit(SMMUv3State *s)
{
}

void smmuv3_accel_queue_cmd(SMMUv3State *s, const struct Cmd *cmd)
{
}

bool smmuv3_accel_flush(SMMUv3State *s)
{
    return true;
}

SMMUv3AccelInfo *smmuv3_accel_stream_info(SMMUDevice *sdev)
{
    return NULL;
}

SMMUv3AccelSummary *smmuv3_accel_summary(SMMUv3State *s)
{
    return NULL;
}
