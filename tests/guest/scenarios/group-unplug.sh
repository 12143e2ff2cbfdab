# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=6.0
# qemu: -device dma-testdev,id=hp,bus=rp1
# Scenario "group-unplug": a DMA test device in a hot-pluggable PCIe slot
# (a root port, 00:06.0, the device at 01:00.0, StreamID 0x100) on its
# default DMA domain is unplugged (QMP device_del; the guest's pciehp
# completes it).  The kernel releases the device and must leave its
# StreamID aborting or invalid, never translating through the tables it
# frees: query-smmuv3 shows the stream before (s1), and after the unplug
# (abort or invalid, marked unplugged).  Sourced by /init.
d=0000:01:00.0
group_driverless
if [ ! -e "/sys/bus/pci/devices/$d" ]; then
    check hotplug-device FAIL "no $d (DMA test device in the root port's slot)"
else
    dev_state "$d"
    step "$d: group $grp type $type driver $drv"
    host_query before
    expect before "$d" kind=s1
    step "device_del hp (the host), the guest's pciehp removes $d"
    host_unplug hp
    i=0
    while [ -e "/sys/bus/pci/devices/$d" ] && [ $i -lt 300 ]; do
        sleep 0.1; i=$((i + 1))
    done
    if [ -e "/sys/bus/pci/devices/$d" ]; then
        check unplug FAIL "$d is still there 30 s after device_del"
    else
        check unplug ok "$d removed after $((i / 10)).$((i % 10)) s"
    fi
    host_query unplugged
    expect unplugged "$d" "kind=abort|invalid" translations=before
fi
