# SPDX-License-Identifier: GPL-2.0-or-later
# Common settings for the smmuv3-domains scripts.  Sourced, not run.

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CACHE=${CACHE:-$HOME/.cache/smmuv3-domains}
BUILD=${BUILD:-$TOP/build}
TOOLS=$CACHE/tools
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# Hash paths relative to the checkout, so that a fresh clone elsewhere
# (CI) reuses the compiler cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}
export CCACHE_NOHASHDIR=true
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
