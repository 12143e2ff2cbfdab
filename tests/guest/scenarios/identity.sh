# SPDX-License-Identifier: GPL-2.0-or-later
# append: iommu.passthrough=1
# Scenario "identity": with iommu.passthrough=1 every IOMMU
# group's default domain is the identity domain, so the SMMU must show a
# bypass stream for each device, and DMA must work: e1000e traffic over
# QEMU's user network, and a write by the DMA test device to a physical
# address of a guest page, whose bytes must land there.  Sourced by /init.
group_driverless
host_query before
for d in /sys/bus/pci/devices/*; do
    bdf=${d##*/}
    dev_state "$bdf"
    if [ "$type" = identity ]; then
        check "group-$bdf" ok "group $grp type $type driver $drv"
        expect final "$bdf" kind=bypass
    else
        check "group-$bdf" FAIL "group $grp type $type driver $drv (expected type identity)"
    fi
done
e=$(pci_find 0x8086 0x10d3) || e=
if [ -n "$e" ]; then
    dev_state "$e"
    net_ping "$e"
    expect final "$e" kind=bypass translations+before faults=before aborts=before
else
    check e1000e FAIL "no e1000e (8086:10d3) PCI device"
fi
t=$(pci_find 0x1b36 0x0201) || t=
if [ -n "$t" ]; then
    step "DMA test device $t writes 256 bytes to a guest page by physical address"
    if /bin/pci-dma testdev "$t"; then
        check testdev-dma ok "the bytes landed at the physical address"
    else
        check testdev-dma FAIL "see the PCIDMA lines"
    fi
    expect final "$t" kind=bypass translations+before faults=before aborts=before
else
    check testdev FAIL "no DMA test device (1b36:0201)"
fi
