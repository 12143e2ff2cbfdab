# SPDX-License-Identifier: GPL-2.0-or-later
# initrd: qemu-arm64
# timeout: 400
# Scenario "inner-qtests": this project's own qtests and libqos SMMUv3
# helpers, cross-built for aarch64 (scripts/build-qemu-arm64 puts them in
# /usr/lib/qtests), run in the guest against our QEMU built for aarch64
# (-accel qtest): the same test code that drives the SMMU on the build
# host drives it from inside an arm64 guest of that SMMU.  Each qtest's
# TAP results become a check.  Sourced by /init.
if [ ! -x /usr/bin/qemu-system-aarch64 ] || [ ! -d /usr/lib/qtests ]; then
    check inner-qtests FAIL "no /usr/bin/qemu-system-aarch64 or /usr/lib/qtests in the initramfs (scripts/build-qemu-arm64 builds the layer)"
else
    for t in /usr/lib/qtests/*; do
        n=${t##*/}
        step "$n in the guest (QTEST_QEMU_BINARY=/usr/bin/qemu-system-aarch64)"
        QTEST_QEMU_BINARY=/usr/bin/qemu-system-aarch64 QTEST_QEMU_IMG=/bin/false \
            "$t" --tap -k >/tmp/$n.tap 2>&1
        rc=$?
        pass=$(grep -c '^ok ' /tmp/$n.tap)
        failed=$(grep -c '^not ok ' /tmp/$n.tap)
        grep '^not ok ' /tmp/$n.tap | head -n 5
        if [ "$rc" = 0 ] && [ "$failed" = 0 ] && [ "$pass" -gt 0 ]; then
            check "qtest-$n" ok "$pass passed in the guest"
        else
            check "qtest-$n" FAIL "$pass passed, $failed failed, exit status $rc"
            tail -n 5 /tmp/$n.tap
        fi
    done
fi
