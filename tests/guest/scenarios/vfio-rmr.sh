# SPDX-License-Identifier: GPL-2.0-or-later
# initrd: qemu-arm64
# firmware: uefi
# qemu: -object rmr,id=hostrange,device=testdev,base=0x7f000000,size=0x10000,remap-permitted=on
# Scenario "vfio-rmr": vfio-emulated on a UEFI + ACPI boot where the DMA
# test device has a range that may be remapped (an IORT RMR with remap
# permission here: direct-relaxable in this guest's reserved_regions,
# so VFIO may still take the device).  The inner QEMU must describe that
# range of its host group to its own guest as an RMR of the assigned
# device, remap permission kept: /bin/qtest-smoke reads the inner
# machine's IORT through its fw_cfg and looks for the node.  Needs the
# IOMMUFD kernel.  Sourced by /init.
t=$(pci_find 0x1b36 0x0201) || t=
if [ -n "$t" ]; then
    dev_state "$t"
    rr=$(cat "/sys/kernel/iommu_groups/$grp/reserved_regions" 2>/dev/null)
    step "reserved regions of group $grp ($t): $(echo "$rr" | tr '\n' ';')"
    if echo "$rr" | grep -q '^0x000000007f000000 0x000000007f00ffff direct-relaxable$'; then
        check host-relaxable ok "the host group of $t has 0x7f000000+0x10000 direct-relaxable"
    else
        check host-relaxable FAIL "no direct-relaxable 0x7f000000 region in group $grp"
    fi
fi
inner_args="-M virt,iommu=smmuv3" inner_blocks=1
# The blocked DMAs make this kernel report SMMU events
quiet_console
export QTEST_EXPECT_RMR="0x7f000000 0x10000 0x10 1"
echo "GUEST: allow-log arm-smmu-v3.*(event 0x10|F_TRANSLATION|caused fault)"
. /scenarios/inner-qemu.sh
