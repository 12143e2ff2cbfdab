# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -global arm-smmuv3.ssidsize=8
# Scenario "pasid": a PASID of the DMA test device attached through
# iommufd while its RID stays blocked, on our SMMUv3 with substreams
# (ssidsize=8).  /bin/iommufd-nest -p binds the device to vfio-pci (VFIO
# cdev), allocates a PASID-capable paging domain over an IOAS and
# attaches it to PASID 5 (VFIO_DEVICE_ATTACH_PASID).  Linux's arm-smmu-v3
# then installs a CD-table STE with S1DSS terminate: the program checks
# that a DMA tagged with PASID 5 lands in its buffer and an untagged one
# does not; the host checks the STE kind, S1DSS and the substreams in
# query-smmuv3.  Needs a kernel with IOMMUFD and VFIO_DEVICE_CDEV (make
# guest-kernel builds one).  Sourced by /init.
if iommufd_testdev; then
    step "DMA test device $t: group $grp driver $drv, PASID capability: $(od -An -tx4 -j256 -N4 /sys/bus/pci/devices/$t/config 2>/dev/null)"
    expect rid-blocked "$t" kind=abort
    expect pasid "$t" kind=abort s1dss=terminate pasids=5:s1 faults+rid-blocked
    expect pasid-detached "$t" kind=abort
    # The untagged and PASID 6 DMAs fault on purpose; the kernel logs them.
    echo "GUEST: allow-log arm-smmu-v3.*event: (F_STREAM_DISABLED|C_BAD_CD) client"
    echo "GUEST: allow-log arm-smmu-v3.*event 0x0[6a] received"
    step "iommufd-nest -p $t"
    /bin/iommufd-nest -q -p "$t" </dev/console || check iommufd-nest FAIL "the program reported failures"
fi
