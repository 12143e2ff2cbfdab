# SPDX-License-Identifier: GPL-2.0-or-later
# initrd: qemu-arm64
# timeout: 400
# Scenario "accel-qtest": the accelerated vSMMU (arm-smmuv3,accel=on) of
# our QEMU built for aarch64, run in this guest with -accel qtest; the
# DMA test device is assigned to it with vfio-pci and iommufd.  This
# guest's kernel is the host of that vSMMU: its arm-smmu-v3 driver nests
# the inner guest's stage 1 over a stage 2 on our emulated SMMU.  The
# qtest smmuv3-accel-test (cross-built, in /usr/lib/qtests) programs the
# inner SMMU with the libqos helpers and reads every DMA's bytes back from
# the inner RAM: GBPA, abort/bypass/V=0 STEs, stage 1 with TLBI-driven
# remaps and batched invalidations, a fault delivered through the
# vEVENTQ with the inner StreamID, replace between stage-1 domains,
# SMMUEN toggles, and the refusal of a device without iommufd.  Each
# qtest case becomes a check.  Needs the IOMMUFD kernel.  Sourced by /init.
. /scenarios/accel-lib.sh
if accel_ready; then
    host_query before
    expect before "$t" kind=s1
    step "smmuv3-accel-test against an inner QEMU with arm-smmuv3,accel=on and $t assigned"
    if [ -n "${accel_unsupported:-}" ]; then
        accel_qtest QTEST_SMMUV3_ACCEL_UNSUPPORTED=1
        # Refused before any DMA
        expect final "$t" translations=before faults=before
    else
        accel_qtest
        # The inner guest's stage 1 ran nested on this guest's SMMU: the
        # host translated its DMAs and recorded the fault the qtest made.
        expect final "$t" translations+before faults+before
    fi
fi
