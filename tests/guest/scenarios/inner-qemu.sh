# SPDX-License-Identifier: GPL-2.0-or-later
# initrd: qemu-arm64
# Scenario "inner-qemu": our QEMU, built for aarch64
# (scripts/build-qemu-arm64, the initramfs layer named above), started in
# the guest with -accel qtest and the DMA test device assigned through
# vfio-pci and iommufd; /bin/qtest-smoke drives its qtest protocol: the
# device's config space, its BAR, one DMA in identity mode read back from
# the inner RAM.  Extra options for the inner QEMU come from
# /etc/inner-qemu.args (tests/guest/qemu-in-guest puts them there), and
# from $inner_args (vfio-emulated.sh sets it, with inner_blocks=1 when the
# inner QEMU blocks some of the device's DMA: the blocked writes then
# fault at this guest's SMMU).
# Needs a kernel with IOMMUFD and VFIO_DEVICE_CDEV (make guest-kernel).
# Sourced by /init.
t=$(pci_find 0x1b36 0x0201) || t=
if [ -z "$t" ]; then
    check testdev FAIL "no DMA test device (1b36:0201)"
elif [ ! -x /usr/bin/qemu-system-aarch64 ]; then
    check inner-qemu FAIL "no /usr/bin/qemu-system-aarch64 in the initramfs (scripts/build-qemu-arm64 builds the layer)"
elif [ ! -c /dev/iommu ]; then
    check iommufd FAIL "no /dev/iommu: the guest kernel lacks CONFIG_IOMMUFD (use make guest-kernel's)"
else
    dev_state "$t"
    [ "$drv" = vfio-pci ] || bind_vfio "$t" || check bind FAIL "binding $t to vfio-pci failed"
    host_query before
    expect before "$t" kind=s1
    args="${inner_args:-} $(cat /etc/inner-qemu.args 2>/dev/null)"
    args=${args# }
    step "qtest-smoke $t ${args:+(inner QEMU options: $args)}"
    /bin/qtest-smoke "$t" $args || check qtest-smoke FAIL "the smoke test reported failures"
    # The inner QEMU mapped its RAM in an IOAS: the stream was translated.
    if [ -n "${inner_blocks:-}" ]; then
        expect final "$t" kind=s1 translations+before faults+before aborts=before
    else
        expect final "$t" kind=s1 translations+before faults=before aborts=before
    fi
fi
