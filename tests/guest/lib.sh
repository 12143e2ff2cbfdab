# SPDX-License-Identifier: GPL-2.0-or-later
# Common helpers for the guest scripts.  Sourced, not run.
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"

GUEST=$CACHE/guest
GUEST_DOWNLOADS=$DOWNLOADS/guest
KERNELS=$GUEST/kernels
PIN=$TOP/tests/guest/kernels.pin

# Print the pin line fields of NAME ("NAME SUITE PKG=VER..."), or nothing.
pin_line() {
    awk -v n="$1" '!/^#/ && $1 == n { print; exit }' "$PIN"
}

# Names of the pinned kernels, newest first.
pin_kernels() {
    awk '!/^#/ && NF >= 3 && $1 !~ /^(busybox|uapi)$/ { print $1 }' "$PIN"
}

# fetch_pinned PKG=VERSION SUITE: download a package pinned in kernels.pin
# (unless cached) and print the path of its .deb.
fetch_pinned() {
    fetch_deb "$GUEST_DOWNLOADS" "$1" "$PIN" "$2"
}
