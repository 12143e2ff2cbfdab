# SPDX-License-Identifier: GPL-2.0-or-later
# Common helpers for the guest scripts.  Sourced, not run.
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"

GUEST=$CACHE/guest
DEBS=$GUEST/debs
KERNELS=$GUEST/kernels
PIN=$TOP/tests/guest/kernels.pin

# Print the pin line fields of NAME ("NAME SUITE PKG=VER..."), or nothing.
pin_line() {
    awk -v n="$1" '!/^#/ && $1 == n { print; exit }' "$PIN"
}

# Names of the pinned kernels, newest first.
pin_kernels() {
    awk '!/^#/ && NF >= 3 && $1 != "busybox" { print $1 }' "$PIN"
}

# The .deb file name apt-get download gives PKG=VER.
deb_name() {
    local pkg=${1%%=*} ver=${1#*=}
    echo "${pkg}_${ver//:/%3a}_arm64.deb"
}

apt_lists_ok() {
    ls "$CACHE"/apt/lists/*_binary-arm64_Packages* >/dev/null 2>&1
}

# Download PKG=VER (arm64) into $DEBS unless it is there already.
fetch_deb() {
    local spec=$1 suite=$2 pkg=${1%%=*} ver=${1#*=} f log tmp
    f=$(deb_name "$spec")
    if [ -f "$DEBS/$f" ]; then
        return 0
    fi
    if ! apt_lists_ok; then
        step "updating the private apt lists in $CACHE/apt"
        "$TOP/base/apt-private" --update >"$CACHE/apt-update.log" 2>&1 ||
            die "apt-get update (private configuration) failed; see $CACHE/apt-update.log"
    fi
    step "downloading $pkg=$ver ($suite, arm64)"
    mkdir -p "$DEBS"
    tmp=$(mktemp -d "$DEBS/dl.XXXXXX")
    log=$DEBS/$pkg.log
    if ! (cd "$tmp" && "$TOP/base/apt-private" -q -o APT::Architectures=arm64 \
            download "$pkg=$ver") >"$log" 2>&1; then
        rm -rf "$tmp"
        if grep -qi "was not found\|Unable to locate\|has no installation candidate\|404" "$log"; then
            die "$pkg version $ver ($suite) is no longer served by the mirror; update tests/guest/kernels.pin (available: $(apt_versions "$pkg"))"
        fi
        die "downloading $pkg=$ver failed; see $log"
    fi
    [ -f "$tmp/$f" ] || { rm -rf "$tmp"; die "$pkg=$ver: the mirror did not serve $f"; }
    mv "$tmp/$f" "$DEBS/"
    rm -rf "$tmp"
}

# Versions of PKG the private arm64 lists offer, space separated.
apt_versions() {
    local f
    for f in "$CACHE"/apt/lists/*_binary-arm64_Packages*; do
        case $f in *.lz4) lz4cat "$f" ;; *.xz) xz -dc "$f" ;; *.gz) gzip -dc "$f" ;; *) cat "$f" ;; esac
    done 2>/dev/null | awk -v p="$1" '/^Package: / { on = ($2 == p) } on && /^Version: / { printf "%s%s", sep, $2; sep = " " }' || true
    echo
}
