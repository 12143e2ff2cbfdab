# SPDX-License-Identifier: GPL-2.0-or-later
# testdev: scanout-iova=0x7f000000,scanout-size=0x1000,scanout-period-us=1000
# Scenario "scanout": the framebuffer scanout of rmr.sh without the rmr
# object.  Nothing tells the guest about the range, so the frames are
# aborted from the SMMU enable to the first domain attach, then fault
# (F_TRANSLATION) in the DMA domain, which does not map the range: the
# same boot as rmr.sh, failing where rmr.sh survives.  Sourced by /init;
# scanout-acpi.sh sources it for the UEFI + ACPI boot.
if pci_need t testdev 0x1b36 0x0201 "DMA test device"; then
    group_driverless
    # The frames that fail make the kernel report SMMU events
    quiet_console
    echo "GUEST: allow-log arm-smmu-v3.*(event 0x10|event 0x02|C_BAD_STREAMID|F_TRANSLATION|Input address caused fault)"
    dev_state "$t"
    step "DMA test device $t: group $grp type $type driver $drv"
    scanout_regs "$t" probed
    fault1=${so_fault:-0}
    host_query probed
    sleep 1
    scanout_regs "$t" later
    abort=${so_abort:-0} fault=${so_fault:-0}
    if [ "$abort" -gt 0 ]; then
        check scanout-aborted ok "$abort frames aborted between the SMMU enable and the first domain attach (and, before the stream had a level-2 stream table, faulted: see the stream history)"
    else
        check scanout-aborted FAIL "no frame was aborted"
    fi
    if [ "$fault" -gt "$fault1" ]; then
        check scanout-faults ok "frames keep faulting in the DMA domain: $fault1 -> $fault"
    else
        check scanout-faults FAIL "faults $fault1 -> $fault"
    fi
    expect probed "$t" kind=s1 periods=gbpa-bypass,abort,s1\|gbpa-bypass,invalid,abort,s1 \
        clean=gbpa-bypass dirty=abort dirty=s1
fi
