/*
 * Stubs of the SMMUv3 introspection and fault injection commands, for
 * builds without the Arm SMMUv3 model
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

void qmp_x_smmuv3_inject_event(const char *qom_path, SMMUv3EventType type,
                               uint32_t sid, bool has_ssid, uint32_t ssid,
                               bool has_address, uint64_t address,
                               bool has_write, bool write,
                               bool has_ipa, uint64_t ipa, Error **errp)
{
    error_setg(errp, "no SMMUv3");
}

void qmp_x_smmuv3_inject_gerror(const char *qom_path, SMMUv3GlobalError error,
                                Error **errp)
{
    error_setg(errp, "no SMMUv3");
}

void qmp_x_smmuv3_inject_cmdq_error(const char *qom_path,
                                    SMMUv3CommandError error, Error **errp)
{
    error_setg(errp, "no SMMUv3");
}

void hmp_smmuv3_inject(Monitor *mon, const QDict *qdict)
{
    monitor_printf(mon, "no SMMUv3\n");
}
