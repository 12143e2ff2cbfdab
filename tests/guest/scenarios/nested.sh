# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario "nested": iommufd nesting on our SMMUv3, driven from
# the guest by /bin/iommufd-nest the way a VMM would, on the DMA test
# device bound to vfio-pci (VFIO cdev).  Needs a kernel with IOMMUFD,
# VFIO_DEVICE_CDEV and ARM_SMMU_V3_IOMMUFD (make guest-kernel builds one).
# The program checks where each DMA lands; the host checks the STE the
# guest kernel wrote for each step: the IOAS (s1), blocked (abort), the
# nesting parent (s2), guest STE abort (abort), bypass (s2: stage 2 only),
# S1 (nested, Config 0b111), and the translation fault counted when the
# guest's stage 1 misses.  Sourced by /init.
if iommufd_testdev; then
    step "DMA test device $t: group $grp driver $drv, /dev/vfio/devices: $(ls /dev/vfio/devices 2>/dev/null | tr '\n' ' ')"
    expect ioas "$t" kind=s1
    expect detached "$t" kind=abort
    expect s2 "$t" kind=s2
    expect nested-abort "$t" kind=abort
    expect nested-bypass "$t" kind=s2
    expect nested-s1 "$t" kind=nested
    expect vevent "$t" kind=nested faults+nested-s1
    expect detached-end "$t" kind=abort aborts+vevent
    # The translation fault the program provokes is logged by the kernel.
    echo "GUEST: allow-log arm-smmu-v3.*event 0x10"
    step "iommufd-nest $t"
    /bin/iommufd-nest -q "$t" </dev/console || check iommufd-nest FAIL "the program reported failures"
fi
