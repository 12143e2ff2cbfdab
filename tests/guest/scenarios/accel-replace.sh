# SPDX-License-Identifier: GPL-2.0-or-later
# initrd: qemu-arm64
# testdev: scanout-iova=0x50000000,scanout-size=0x1000,scanout-period-us=2000
# Scenario "accel-replace": the DMA test device reads a 4 KiB frame every
# 2 ms on its own (its scanout) while an inner QEMU with
# arm-smmuv3,accel=on, to which it is assigned, moves it back and forth
# between two stage-1 domains that map the frame's IOVA to two copies of
# one frame: smmuv3-accel-test's replace-running case checks that no frame
# is lost to an abort or identity window and that the frame read is the
# right one.  Its lost-events case lets every frame fault in the inner
# stage 1 and stops the inner QEMU for longer than the vEVENTQ holds: the
# inner Event queue must overflow.  Until the inner QEMU maps it, the
# frame faults, in this guest's DMA domain first.  Needs the IOMMUFD
# kernel.  Sourced by /init.
. /scenarios/accel-lib.sh
if accel_ready; then
    host_query before
    step "smmuv3-accel-test's scanout cases, $t scanning out at 0x50000000"
    accel_qtest QTEST_SMMUV3_ACCEL_SCANOUT=1
    expect final "$t" translations+before
fi
