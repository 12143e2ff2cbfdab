# SPDX-License-Identifier: GPL-2.0-or-later
# initrd: qemu-arm64
# testdev: multifunction=on,pasid=off
# qemu: -device dma-testdev,id=testdev2,bus=pcie.0,addr=3.1,pasid=off
# Scenario "accel-group": two DMA test devices, functions 0 and 1 of one
# slot without ACS, so that this guest's kernel puts them in one IOMMU
# group; both are assigned with iommufd to an inner QEMU with
# arm-smmuv3,accel=on, and smmuv3-accel-test's group case checks that
# they move between host HWPTs as one: consistent STEs together, a
# conflict refused (C_BAD_STE, the group blocked), a replace through one
# device a no-op for the other.  The functions have no PASID capability:
# without ACS, Linux 7.2 cannot enable PASID on them, yet arm-smmu-v3
# reports PASID support for them, and iommufd's IOMMU_GET_HW_INFO then
# hits a WARN_ON_ONCE.  Needs the IOMMUFD kernel.
# Sourced by /init.
. /scenarios/accel-lib.sh
if accel_ready; then
    t2=${t%.0}.1
    dev_state "$t"; g1=$grp
    dev_state "$t2"; g2=$grp
    step "functions $t and $t2: IOMMU groups $g1 and $g2"
    if [ "$g1" != "$g2" ] || [ "$g1" = none ]; then
        check one-group FAIL "$t and $t2 are in groups $g1 and $g2, not one"
    else
        check one-group ok "$t and $t2 share IOMMU group $g1"
        [ "$drv" = vfio-pci ] || bind_vfio "$t2" || check bind FAIL "binding $t2 to vfio-pci failed"
        host_query before
        step "smmuv3-accel-test's group case: $t and $t2 behind one arm-smmuv3,accel=on"
        accel_qtest QTEST_SMMUV3_ACCEL_HOST2="$t2"
        expect final "$t" translations+before
        expect final "$t2" translations+before
    fi
fi
