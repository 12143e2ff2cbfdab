# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario "bench" (make bench, bench/guest-dd): the DMA throughput
# workload of TARGETS.md: read 256 MiB from the virtio-blk disk with
# O_DIRECT, once to warm up, then bench_runs times (7 by default), each
# timed with the guest's clock.  Lines: "GUEST: bench start UPTIME" (guest
# seconds from boot to here) and "GUEST: bench dd N SECONDS".
# Sourced by /init; bench/guest-dd does not answer at the end.
no_host_wait=1
runs=7
for a in $(cat /proc/cmdline); do
    case $a in bench_runs=*) runs=${a#bench_runs=} ;; esac
done
echo "GUEST: bench start $(cut -d' ' -f1 /proc/uptime)"
if [ ! -b /dev/vda ]; then
    check bench FAIL "no /dev/vda (virtio-blk disk, module virtio_blk)"
elif ! dd if=/dev/vda of=/dev/null bs=64k count=4096 iflag=direct 2>/dev/null; then
    check bench FAIL "dd iflag=direct from /dev/vda failed"
else
    i=1
    while [ "$i" -le "$runs" ]; do
        t0=$(cut -d' ' -f1 /proc/uptime)
        dd if=/dev/vda of=/dev/null bs=64k count=4096 iflag=direct 2>/dev/null
        t1=$(cut -d' ' -f1 /proc/uptime)
        echo "GUEST: bench dd $i $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
        i=$((i + 1))
    done
    check bench ok "$runs runs of 256 MiB"
fi
