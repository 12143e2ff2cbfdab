# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the accel-* scenarios (not a scenario itself: it defines
# accel_qtest and runs nothing).
# accel_qtest [ENV=VALUE...]: run /usr/lib/qtests/smmuv3-accel-test with
# the DMA test device $t as its host device and the given environment;
# one check per qtest case, and what the inner QEMU printed when a case
# expected it to refuse to start.
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
    pass=$(grep -c '^ok ' $tap)
    failed=$(grep -c '^not ok ' $tap)
    if [ "$rc" != 0 ] || [ "$failed" != 0 ] || [ "$pass" = 0 ]; then
        check smmuv3-accel-test FAIL "$pass passed, $failed failed, exit status $rc"
        grep -v '^ok ' $tap | tail -n 25
    fi
}
