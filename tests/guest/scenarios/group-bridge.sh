# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -device pci-bridge,id=br0,chassis_nr=1,bus=pcie.0,addr=5.0
# qemu: -device dma-testdev,id=ga,bus=br0,addr=1.0 -device dma-testdev,id=gb,bus=br0,addr=2.0
# Scenario "group-bridge": two DMA test devices behind a conventional PCI
# bridge.  Their DMA carries the bridge's requester ID, so the SMMU has
# one stream for the three of them, the bridge's (00:05.0, StreamID
# 0x28), and none of their own; Linux should put both devices in one
# IOMMU group.  The arm-smmu-v3 of the pinned kernels refuses a
# StreamID shared by several devices instead (7.2: "Aliasing StreamID
# ... unsupported" at probe; 6.x: "stream 40 already in tree" when a
# driver binds, which then fails): that is reported as kernel behaviour.
# Sourced by /init.
devs=
for d in /sys/bus/pci/devices/0000:01:*; do
    [ "$(cat "$d/vendor" 2>/dev/null):$(cat "$d/device" 2>/dev/null)" = 0x1b36:0x0201 ] &&
        devs="$devs ${d##*/}"
done
set -- $devs
if [ $# != 2 ]; then
    check bridge-devices FAIL "expected two DMA test devices on bus 01, found: ${devs:-none}"
else
    check bridge-devices ok "$1 and $2 behind the bridge 0000:00:05.0"
    # Kernels that configure a device's IOMMU only when a driver probes it
    for d in "$1" "$2"; do
        dev_state "$d"
        if [ "$grp" = none ] && [ "$drv" = none ]; then
            step "bind $d to vfio-pci (its IOMMU is configured at probe)"
            bind_vfio "$d" 2>/dev/null || step "binding $d to vfio-pci failed"
        fi
    done
    dev_state 0000:00:05.0; gbr=$grp
    dev_state "$1"; g1=$grp
    dev_state "$2"; g2=$grp
    step "groups: bridge $gbr, $1 $g1, $2 $g2"
    if [ "$g1" != none ] && [ "$g1" = "$g2" ]; then
        check one-group ok "both devices in group $g1 (the bridge: $gbr)"
    elif msg=$(dmesg | grep -m 1 -E 'Aliasing StreamID|already in tree'); then
        echo "GUEST: kernel-issue Linux $(uname -r): arm-smmu-v3 refuses a StreamID shared by the devices behind a conventional bridge: $(echo "$msg" | sed 's/^\[[^]]*\] //'); the devices get no IOMMU group"
    else
        check one-group FAIL "groups $g1 and $g2, and no aliasing message"
    fi
    # One stream, the bridge's; none of the devices' own RIDs.
    expect final 0000:00:05.0 kind=s1
    expect final "$1" kind=absent
    expect final "$2" kind=absent
fi
