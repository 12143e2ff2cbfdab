# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the accel-* scenarios (not a scenario itself: it defines
# accel_ready and accel_qtest and runs nothing).
#
# accel_ready: find the DMA test device ($t), check that the inner QEMU,
# the qtest and /dev/iommu are there (a FAIL check and status 1 if not),
# keep the kernel's SMMU event reports off the console, and bind $t to
# vfio-pci.
accel_ready() {
    t=$(pci_find 0x1b36 0x0201) || t=
    if [ -z "$t" ]; then
        check testdev FAIL "no DMA test device (1b36:0201)"
        return 1
    elif [ ! -x /usr/bin/qemu-system-aarch64 ] || [ ! -x /usr/lib/qtests/smmuv3-accel-test ]; then
        check inner-qemu FAIL "no /usr/bin/qemu-system-aarch64 or smmuv3-accel-test in the initramfs (scripts/build-qemu-arm64 builds the layer)"
        return 1
    elif [ ! -c /dev/iommu ]; then
        check iommufd FAIL "no /dev/iommu: the guest kernel lacks CONFIG_IOMMUFD (use make guest-kernel's)"
        return 1
    fi
    # Faults and blocked DMAs make this kernel report SMMU events
    quiet_console
    echo "GUEST: allow-log arm-smmu-v3.*(event 0x10|event 0x02|F_TRANSLATION|C_BAD_STREAMID|caused fault|unpriv|0x[0-9a-f]{16})"
    dev_state "$t"
    [ "$drv" = vfio-pci ] || bind_vfio "$t" || check bind FAIL "binding $t to vfio-pci failed"
}

# accel_qtest [ENV=VALUE...]: run /usr/lib/qtests/smmuv3-accel-test with
# the DMA test device $t as its host device and the given environment;
# one check per qtest case, one that the inner QEMU printed no error
# line, and what it printed when a case expected it to refuse to start.
accel_qtest() {
    local tap=/tmp/smmuv3-accel-test.tap rc pass failed
    env QTEST_SMMUV3_ACCEL_HOST="$t" QTEST_QEMU_BINARY=/usr/bin/qemu-system-aarch64 \
        QTEST_QEMU_IMG=/bin/false "$@" \
        /usr/lib/qtests/smmuv3-accel-test --tap -k >$tap 2>&1
    rc=$?
    # What the inner QEMU said when a case expected it to refuse
    sed -n 's/^# stderr: \(..*\)/\1/p' $tap | while read -r l; do step "inner QEMU: $l"; done
    sed -n 's|^ok [0-9]* /aarch64/arm/smmuv3/\([^ ]*\).*|\1|p' $tap | tr / - |
        while read -r n; do check "$n" ok "smmuv3-accel-test case passed in the guest"; done
    grep '^not ok ' $tap | sed 's|^not ok [0-9]* /aarch64/arm/smmuv3/\([^ ]*\).*|\1|' | tr / - |
        while read -r n; do check "$n" FAIL "smmuv3-accel-test case failed in the guest"; done
    # The inner QEMU's own error lines, besides the base's VFIO notes on
    # this device (no reset method, its BAR not mappable for peer DMA)
    errs=$(grep '^qemu-system-aarch64: ' $tap |
           grep -v -e 'Cannot reset device' -e ': warning: ' | sort -u)
    if [ -n "$errs" ]; then
        check inner-qemu-stderr FAIL "the inner QEMU printed errors:"
        echo "$errs" | head -n 5
    else
        check inner-qemu-stderr ok "no error line from the inner QEMU"
    fi
    pass=$(grep -c '^ok ' $tap)
    failed=$(grep -c '^not ok ' $tap)
    if [ "$rc" != 0 ] || [ "$failed" != 0 ] || [ "$pass" = 0 ]; then
        check smmuv3-accel-test FAIL "$pass passed, $failed failed, exit status $rc"
        grep -v '^ok ' $tap | tail -n 25
    fi
}
