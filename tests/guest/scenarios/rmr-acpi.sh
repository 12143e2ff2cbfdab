# SPDX-License-Identifier: GPL-2.0-or-later
# firmware: uefi
# testdev: scanout-iova=0x7f000000,scanout-size=0x1000,scanout-period-us=1000
# qemu: -object rmr,id=fb,device=testdev,base=0x7f000000,size=0x10000
# qemu: -object rmr,id=nicbuf,device=nic,base=0x7e000000,size=0x10000,remap-permitted=on
# Scenario "rmr-acpi": rmr.sh on a UEFI + ACPI boot, where the ranges
# reach the guest as IORT RMR nodes.  The e1000e also has a range, which
# the guest may remap (remap-permitted=on, IOMMU_RESV_DIRECT_RELAXABLE):
# its group must be claimable (claim.sh) while the test device's is not.
# Sourced by /init.
. /scenarios/rmr.sh
