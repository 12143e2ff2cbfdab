# SPDX-License-Identifier: GPL-2.0-or-later
# Common settings for the smmuv3-domains scripts.  Sourced, not run.
#
# The cache ($CACHE, ~/.cache/smmuv3-domains by default) has three parts:
#   downloads/  what was fetched from the Debian mirror, verified or pinned
#               (qemu/, tools/, guest/, arm64-sysroot/, fresh/)
#   ccache/     the compiler cache
#   the rest    what is derived from those two (unpacked tools, kernels,
#               initramfs images, sysroots); safe to delete at any time.
# make check-fresh shares only downloads/ and ccache/ with its new root.

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CACHE=${CACHE:-$HOME/.cache/smmuv3-domains}
BUILD=${BUILD:-$TOP/build}
DOWNLOADS=$CACHE/downloads
TOOLS=$CACHE/tools
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# Hash paths relative to the checkout, so that a fresh clone elsewhere
# (CI) reuses the compiler cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}
export CCACHE_NOHASHDIR=true
# Depend mode: a miss costs one compile, not a preprocessor run and a
# compile (a fifth less for a cold QEMU build); hits come from the
# manifest of the files a compile read (-MD, which meson and kbuild pass).
export CCACHE_DEPEND=true
export PYTHONPATH=$TOOLS/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
export PATH=$TOOLS/usr/bin:$PATH
. "$TOP/base/pin"

# One progress line per step, prefixed so that it stands out in make output.
step() {
    echo "==> $*"
}

die() {
    echo "error: $*" >&2
    exit 1
}

# need_tools TOOL:PACKAGE...: stop with one line that names every missing
# tool and the Debian package that has it (all of them are in scripts/deps).
need_tools() {
    local t missing=
    for t in "$@"; do
        command -v "${t%%:*}" >/dev/null 2>&1 ||
            missing="$missing ${t%%:*} (package ${t#*:}),"
    done
    [ -z "$missing" ] ||
        die "missing tools:${missing%,}; install them with 'make deps'"
}

# apt_update_private: update the private apt lists (base/apt-private) once
# per run of a script.
apt_updated=
apt_update_private() {
    [ -z "$apt_updated" ] || return 0
    step "updating the private apt lists in $CACHE/apt"
    mkdir -p "$CACHE"
    "$TOP/base/apt-private" --update >"$CACHE/apt-update.log" 2>&1 ||
        die "apt-get update (private configuration) failed; see $CACHE/apt-update.log"
    apt_updated=1
}

# apt_versions PKG [SUITE]: the versions of PKG (arm64 or all) that the
# private apt lists offer, in SUITE only if given, space separated.
apt_versions() {
    "$TOP/base/apt-private" --cache -o APT::Architecture=arm64 \
        -o APT::Architectures=arm64 \
        madison "$1" 2>/dev/null |
        awk -F' [|] ' -v p="$1" -v s="${2:-}" '
            { gsub(/^ +| +$/, "", $1); sub(/:arm64$/, "", $1); gsub(/ /, "", $2) }
            $1 == p && $3 ~ / Packages$/ && (s == "" || $3 ~ (" " s "/")) {
                printf "%s%s", sep, $2; sep = " "
            }' || true
    echo
}

# deb_file DIR PKG=VERSION: the path of that package's .deb in DIR if it
# was downloaded (arm64 or all), else nothing.
deb_file() {
    local pkg=${2%%=*} ver=${2#*=} f
    for f in "$1/${pkg}_${ver//:/%3a}_arm64.deb" "$1/${pkg}_${ver//:/%3a}_all.deb"; do
        if [ -f "$f" ]; then
            echo "$f"
            return 0
        fi
    done
    return 1
}

# fetch_deb DIR PKG=VERSION PINFILE [SUITE]: download the arm64 (or arch
# all) package into DIR unless it is there already, and print its path.
# PINFILE is the file that pins the version, named in the error when the
# mirror no longer serves it.
fetch_deb() {
    local dir=$1 spec=$2 pin=$3 suite=${4:-} pkg=${2%%=*} ver=${2#*=}
    local f tmp log
    if f=$(deb_file "$dir" "$spec"); then
        echo "$f"
        return 0
    fi
    ls "$CACHE"/apt/lists/*_binary-arm64_Packages* >/dev/null 2>&1 ||
        apt_update_private >&2
    step "downloading $pkg=$ver${suite:+ ($suite)}" >&2
    mkdir -p "$dir"
    tmp=$(mktemp -d "$dir/dl.XXXXXX")
    mkdir -p "$CACHE/logs"
    log=$CACHE/logs/download-$pkg.log
    if ! (cd "$tmp" && "$TOP/base/apt-private" -q -o APT::Architecture=arm64 \
            -o APT::Architectures=arm64 download "$pkg=$ver") >"$log" 2>&1; then
        rm -rf "$tmp"
        if grep -qi "was not found\|Unable to locate\|has no installation candidate\|404" "$log"; then
            die "$pkg version $ver${suite:+ ($suite)} is no longer served by the mirror; update ${pin#"$TOP/"} (the mirror has: $(apt_versions "$pkg" "$suite"))"
        fi
        die "downloading $pkg=$ver failed; see $log"
    fi
    mv "$tmp"/*.deb "$dir/" 2>/dev/null
    rm -rf "$tmp"
    f=$(deb_file "$dir" "$spec") ||
        die "$pkg=$ver: the mirror did not serve ${pkg}_${ver//:/%3a}_{arm64,all}.deb"
    echo "$f"
}

# with_progress LOG LABEL CMD...: run CMD with its output added to LOG, and every
# PROGRESS_SECONDS (30) print one line with the time so far and, for
# ninja, the last "[done/total]" of LOG.  Returns CMD's status.
with_progress() {
    local log=$1 label=$2 pid t0=$SECONDS n rc
    shift 2
    "$@" >>"$log" 2>&1 &
    pid=$!
    while ! wait_for "$pid" "${PROGRESS_SECONDS:-30}"; do
        n=$(tail -c 4096 "$log" 2>/dev/null | grep -o '^\[[0-9]*/[0-9]*\]' | tail -n 1 || true)
        echo "    $label: $((SECONDS - t0)) s${n:+, $n}"
    done
    rc=0
    wait "$pid" || rc=$?
    return $rc
}

# wait_for PID SECONDS: true once PID has ended, false after SECONDS.
wait_for() {
    local i
    for ((i = 0; i < $2 * 2; i++)); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.5
    done
    ! kill -0 "$1" 2>/dev/null
}
