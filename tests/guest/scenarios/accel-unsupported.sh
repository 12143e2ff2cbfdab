# SPDX-License-Identifier: GPL-2.0-or-later
# initrd: qemu-arm64
# qemu: -M virt-9.1
# Scenario "accel-unsupported": like accel-qtest, but the host SMMU
# (ours, as the 9.1 virt machine had it) has stage 1 only, so it cannot
# nest: an inner QEMU with arm-smmuv3,accel=on and the device assigned
# must stop with one error line naming the missing stage 2, not crash
# or fall back to something else.  Needs the IOMMUFD kernel.
# Sourced by /init.
accel_unsupported=1
. /scenarios/accel-qtest.sh
