# SPDX-License-Identifier: GPL-2.0-or-later
# testdev: scanout-iova=0x7f000000,scanout-size=0x1000,scanout-period-us=1000
# qemu: -object rmr,id=fb,device=testdev,base=0x7f000000,size=0x10000
# Scenario "rmr": the DMA test device reads a framebuffer at 0x7f000000
# by itself every millisecond from reset on (its scanout), and an rmr
# object tells the guest that the device must reach that range 1:1 at
# all times (IOMMU_RESV_DIRECT).  Checked:
# - the range is "direct" in the group's reserved_regions;
# - the scanout survives the SMMU driver's probe: on an ACPI boot not one
#   frame is aborted or faulted (the kernel installs a bypass STE for the
#   RMR's stream before it enables the SMMU: the stream's history in
#   query-smmuv3 is gbpa-bypass, bypass, s1); on a device-tree boot the
#   kernel installs no such STE, so frames are aborted from the SMMU
#   enable to the first domain attach (history gbpa-bypass, abort, s1),
#   which is reported as kernel behaviour; after the attach every frame
#   gets through (the DMA domain maps the range 1:1);
# - the e1000e moves to vfio-pci without a warning (rebind.sh), and when
#   its range may be remapped (rmr-acpi.sh) its group is claimed
#   (claim.sh);
# - claiming the test device (VFIO group, and iommufd bind where the
#   kernel has iommufd) fails with EINVAL and the kernel's "1:1 IOMMU
#   mapping" warning, and its stream never leaves the 1:1 mapping.
# Sourced by /init; rmr-acpi.sh sources it for the UEFI + ACPI boot.
FB="0x000000007f000000 0x000000007f00ffff"
acpi=
[ -e /sys/firmware/acpi/tables/IORT ] && acpi=1
boot_name="device-tree boot"
[ -z "$acpi" ] || boot_name="ACPI boot"

# resv_regions BDF: the reserved regions of BDF's group, one line each.
resv_regions() {
    dev_state "$1"
    cat "/sys/kernel/iommu_groups/$grp/reserved_regions" 2>/dev/null
}

if pci_need t testdev 0x1b36 0x0201 "DMA test device"; then
    group_driverless
    # The frames that fail make the kernel report SMMU events
    quiet_console
    dev_state "$t"
    step "DMA test device $t ($boot_name): group $grp type $type driver $drv"
    # On a device-tree boot the stream may have no level-2 stream table
    # until the device is probed: its DMA raises C_BAD_STREAMID.
    [ -n "$acpi" ] || echo "GUEST: allow-log arm-smmu-v3.*(event 0x02|C_BAD_STREAMID)"
    rr=$(resv_regions "$t")
    step "reserved regions of group $grp: $(echo "$rr" | tr '\n' ';')"
    direct=1
    if echo "$rr" | grep -q "^$FB direct\$"; then
        check resv-direct ok "$FB is direct in group $grp"
    elif [ -z "$acpi" ] && kernel_before 6 3; then
        echo "GUEST: kernel-issue Linux $(uname -r) predates reserved-memory iommu-addresses in the device tree (Linux 6.3): the range is no reserved region, the DMA domain does not map it, and the scanout faults after the attach"
        echo "GUEST: allow-log arm-smmu-v3.*(event 0x10|F_TRANSLATION|Input address caused fault)"
        direct=
    else
        check resv-direct FAIL "no \"$FB direct\" in group $grp: $(echo "$rr" | tr '\n' ';')"
    fi

    # The scanout since reset, then over one more second.
    scanout_regs "$t" probed
    ok1=$so_ok abort1=$so_abort fault1=$so_fault
    host_query probed
    sleep 1
    scanout_regs "$t" attached
    if [ -z "$direct" ]; then
        if [ "$so_fault" -gt "$fault1" ]; then
            check scanout-faults ok "without a direct mapping the frames fault: $fault1 -> $so_fault"
        else
            check scanout-faults FAIL "faults $fault1 -> $so_fault"
        fi
        expect probed "$t" kind=s1 dirty=s1 \
            periods=gbpa-bypass,abort,s1\|gbpa-bypass,invalid,abort,s1
    elif [ "$so_ok" -gt "$ok1" ] && [ "$so_abort" = "$abort1" ] &&
         [ "$so_fault" = "$fault1" ] && [ "$so_error" = 0 ]; then
        check scanout-attached ok "frames $ok1 -> $so_ok all through the DMA domain's 1:1 mapping"
    else
        check scanout-attached FAIL "ok $ok1 -> $so_ok, abort $abort1 -> $so_abort, fault $fault1 -> $so_fault, error $so_error"
    fi
    if [ -n "$direct" ] && [ -n "$acpi" ]; then
        if [ "$so_abort" = 0 ] && [ "$so_fault" = 0 ] && [ "$so_error" = 0 ]; then
            check scanout-survived ok "not one of $so_ok frames was aborted or faulted, from reset through the SMMU probe"
        else
            check scanout-survived FAIL "frames aborted $so_abort, faulted $so_fault, failed $so_error of $((so_ok + so_abort + so_fault + so_error))"
        fi
        # The kernel's bypass STE for the RMR's stream before any domain.
        expect probed "$t" kind=s1 periods=gbpa-bypass,bypass,s1 clean=gbpa-bypass clean=bypass clean=s1
    elif [ -n "$direct" ]; then
        # Until the device is probed its stream may have no level-2 stream
        # table yet (C_BAD_STREAMID, "invalid"), then an abort STE.
        echo "GUEST: kernel-issue arm-smmu-v3 on a device-tree boot installs no bypass STE for reserved-memory ranges: between the SMMU enable and the device's first domain attach $so_abort scanout frames of $t were aborted and $so_fault faulted (the invalid and abort periods of the stream history below)"
        expect probed "$t" kind=s1 periods=gbpa-bypass,abort,s1\|gbpa-bypass,invalid,abort,s1 \
            clean=gbpa-bypass dirty=abort clean=s1
    fi
    # The device's frame counters match the SMMU's counters of its stream.
    [ -z "$direct" ] || expect probed "$t" aborts:$so_abort faults:$so_fault
fi

# The e1000e: to vfio-pci without a warning; claimed too when its range
# may be remapped (IOMMU_RESV_DIRECT_RELAXABLE).
e=$(pci_find 0x8086 0x10d3) || e=
if [ -n "$e" ] && resv_regions "$e" | grep -q ' direct-relaxable$'; then
    check resv-relaxable ok "$(resv_regions "$e" | grep ' direct-relaxable$' | head -n 1) in the e1000e's group"
    . /scenarios/claim.sh
else
    . /scenarios/rebind.sh
fi

# Claiming the test device must fail: its group keeps the 1:1 mapping.
if [ -n "$t" ]; then
    dev_state "$t"
    if [ "$drv" != vfio-pci ]; then
        [ "$drv" = none ] || echo "$t" >"/sys/bus/pci/drivers/$drv/unbind"
        bind_vfio "$t" || check bind-testdev FAIL "binding $t to vfio-pci failed"
        dev_state "$t"
    fi
    echo "GUEST: allow-log 1:1 IOMMU mapping"
    step "claim the DMA test device's group $grp (VFIO_GROUP_SET_CONTAINER)"
    before=$(dmesg | grep -c '1:1 IOMMU mapping')
    out=$(/bin/vfio-claim "$grp" </dev/null 2>&1); rc=$?
    echo "$out"
    after=$(dmesg | grep -c '1:1 IOMMU mapping')
    claimed=
    if [ "$rc" != 0 ] && echo "$out" | grep -q 'Invalid argument' && [ "$after" -gt "$before" ]; then
        check claim-direct ok "refused with EINVAL: $(dmesg | grep '1:1 IOMMU mapping' | tail -n 1 | sed 's/^\[[^]]*\] //')"
    elif [ "$rc" = 0 ] && kernel_before 6 5; then
        echo "GUEST: kernel-issue Linux $(uname -r) predates require_direct (Linux 6.5): VFIO claims a device with a direct region and blocks it"
        claimed=1
    else
        check claim-direct FAIL "vfio-claim exited $rc, kernel warnings $before -> $after"
    fi
    cdev=$(ls "/sys/bus/pci/devices/$t/vfio-dev" 2>/dev/null | head -n 1)
    if [ -e /dev/iommu ] && [ -n "$cdev" ]; then
        step "bind the DMA test device ($cdev) to iommufd (VFIO_DEVICE_BIND_IOMMUFD)"
        before=$after
        out=$(/bin/vfio-claim -b "/dev/vfio/devices/$cdev" 2>&1); rc=$?
        echo "$out"
        after=$(dmesg | grep -c '1:1 IOMMU mapping')
        if [ "$rc" != 0 ] && echo "$out" | grep -q 'Invalid argument' && [ "$after" -gt "$before" ]; then
            check bind-direct ok "iommufd bind refused with EINVAL and the 1:1 warning"
        else
            check bind-direct FAIL "vfio-claim -b exited $rc, kernel warnings $before -> $after"
        fi
    else
        step "no iommufd in this kernel (/dev/iommu): VFIO group claim only"
    fi
    scanout_regs "$t" claimed
    host_query after-claim
    if [ -n "$direct" ] && [ -z "$claimed" ]; then
        ok1=$so_ok abort1=$so_abort fault1=$so_fault
        sleep 1
        scanout_regs "$t" final
        if [ "$so_ok" -gt "$ok1" ] && [ "$so_abort" = "$abort1" ] && [ "$so_fault" = "$fault1" ]; then
            check scanout-after-claim ok "frames $ok1 -> $so_ok, none aborted or faulted"
        else
            check scanout-after-claim FAIL "ok $ok1 -> $so_ok, abort $abort1 -> $so_abort, fault $fault1 -> $so_fault"
        fi
        expect after-claim "$t" kind=s1 aborts=probed faults=probed translations+probed
        expect final "$t" kind=s1 aborts=probed faults=probed
    fi
fi
