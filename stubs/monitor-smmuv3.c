/*
 * Stubs of the SMMUv3 introspection commands, for builds without the
 * Arm SMMUv3 model
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-smmuv3.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"

SMMUv3InfoList *qmp_query_smmuv3(Error **errp)
{
    error_setg(errp, "no SMMUv3");
    return NULL;
}

void hmp_info_smmuv3(Monitor *mon, const QDict *qdict)
{
    monitor_printf(mon, "no SMMUv3\n");
}
