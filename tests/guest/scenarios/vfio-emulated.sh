# SPDX-License-Identifier: GPL-2.0-or-later
# initrd: qemu-arm64
# Scenario "vfio-emulated": the inner-qemu harness with an SMMUv3 in the
# inner machine (-M virt,iommu=smmuv3) in front of the assigned DMA test
# device, the emulated SMMU (no accel): /bin/qtest-smoke programs the
# inner SMMU as a driver would and checks each DMA's bytes in the inner
# RAM.  GBPA bypass and a bypass STE map the inner RAM 1:1 (the DMA
# lands); GBPA abort, an abort STE and V=0 block the device (the DMA
# faults at this guest's SMMU and the inner RAM is untouched); a
# stage-1 STE blocks it too, with a C_BAD_STE event for its StreamID in
# the inner event queue.  Needs the IOMMUFD kernel.  Sourced by /init.
inner_args="-M virt,iommu=smmuv3" inner_blocks=1
# The blocked DMAs make this kernel report SMMU events
quiet_console
echo "GUEST: allow-log arm-smmu-v3.*(event 0x10|F_TRANSLATION|caused fault)"
. /scenarios/inner-qemu.sh
