# SPDX-License-Identifier: GPL-2.0-or-later
# append: iommu.strict=1
# Scenario "faults": fault injection for guest driver development.  The
# host makes the SMMU report what hardware rarely does (HMP smmuv3_inject):
# event records, global errors, command queue errors and last Service
# Failure Mode.  For each, the kernel's own message must appear in the
# log (iommu.strict=1: an unmap invalidates at once, so bringing the
# e1000e down issues commands right away); after the command queue errors the driver must have recovered
# (the interface cycle that met the error completed, the e1000e still moves
# packets through its DMA domain); after SFM_ERR it must have disabled
# the SMMU, as it is meant to.  Sourced by /init.

# fault_dmesg: the kernel lines logged since fault_mark
fault_mark() { fault_from=$(dmesg | wc -l); }
fault_dmesg() { dmesg | tail -n "+$((fault_from + 1))" | sed 's/^\[[^]]*\] //'; }

# fault_wait NAME ERE: a kernel line since fault_mark matches ERE (within
# 5 s); one check NAME either way
fault_wait() {
    local i=0 line
    while [ $i -lt 50 ]; do
        line=$(fault_dmesg | grep -E -m1 "$2")
        [ -z "$line" ] || break
        sleep 0.1; i=$((i + 1))
    done
    if [ -n "$line" ]; then
        check "$1" ok "$line"
    else
        check "$1" FAIL "no kernel line matching /$2/ (last: $(fault_dmesg | tail -n 1))"
    fi
}

# fault_inject NAME ERE ARGS...: smmuv3_inject ARGS, then fault_wait
fault_inject() {
    local name=$1 ere=$2
    shift 2
    fault_mark
    step "smmuv3_inject $*"
    host_hmp smmuv3_inject "$@"
    fault_wait "$name" "$ere"
}

# fault_cycle NAME BDF: bring the e1000e BDF's interface up and down on
# CPU 1: its rings are mapped, then unmapped, and each unmap invalidates
# (TLBI_NH_VA and CMD_SYNC).  The driver waits for a CMD_SYNC with
# interrupts off, so the GERROR interrupt that lets the queue go on after
# an error must reach another CPU (fault_irq).
fault_cycle() {
    local ifc
    ifc=$(ls "/sys/bus/pci/devices/$2/net" 2>/dev/null | head -n 1)
    if [ -n "$ifc" ] && taskset 2 ip link set "$ifc" up && sleep 0.5 &&
       taskset 2 ip link set "$ifc" down; then
        check "$1" ok "$ifc of $2 up and down again"
    else
        check "$1" FAIL "could not bring ${ifc:-the interface of $2} up and down"
    fi
}

if pci_need e faults 0x8086 0x10d3 "e1000e"; then
    dev_state "$e"
    step "e1000e $e: group $grp type $type driver $drv"
    echo "GUEST: allow-log arm-smmu-v3.*(event|client|unpriv|0x[0-9a-f]{16}|global error|aborted|Service Failure|CMDQ error|skipping command|retrying command)"

    # Event records, decoded by the driver's event thread
    fault_inject event-f-translation \
        'event: F_TRANSLATION client: [^ ]+ sid: 0x10 ssid: 0x0 iova: 0x12345000' \
        f-translation 0x10 0x12345000
    fault_inject event-c-bad-ste 'event: C_BAD_STE client: [^ ]+ sid: 0x10' \
        c-bad-ste 0x10
    fault_inject event-f-cd-fetch \
        'event: F_CD_FETCH client: [^ ]+ sid: 0x10 ssid: 0x0 fetch_addr: 0x4567000' \
        f-cd-fetch 0x10 0x4567000
    fault_inject event-unknown 'event 0x20 received:' f-tlb-conflict 0x10

    # Global errors: one message each
    fault_inject gerror-eventq-abt 'EVTQ write aborted -- events may have been lost' \
        eventq-abt
    fault_inject gerror-priq-abt 'PRIQ write aborted' priq-abt
    fault_inject gerror-msi-eventq 'EVTQ MSI write aborted' msi-eventq-abt
    fault_inject gerror-msi-cmdq 'CMDQ MSI write aborted' msi-cmdq-abt
    fault_inject gerror-msi-priq 'PRIQ MSI write aborted' msi-priq-abt
    fault_inject gerror-msi-gerror 'GERROR MSI write aborted' msi-gerror-abt
    # The Event queue still works after its abort
    fault_inject event-after-abort 'event: C_BAD_CD client: [^ ]+ sid: 0x10' \
        c-bad-cd 0x10

    # Command queue errors: each meets the commands of an unmap, and the
    # driver recovers (ILL: the command becomes a CMD_SYNC; ABT: the
    # fetch is retried; ATC_INV_SYNC: the CMD_SYNC is repeated)
    girq=$(awk '/arm-smmu-v3-gerror/ { sub(":", "", $1); print $1; exit }' /proc/interrupts)
    if [ -n "$girq" ] && echo 1 >"/proc/irq/$girq/smp_affinity"; then
        step "GERROR interrupt $girq on CPU 0, the commands from CPU 1"
    else
        check gerror-irq FAIL "no arm-smmu-v3-gerror interrupt to route to CPU 0"
    fi
    fault_mark
    cmdq_from=$fault_from
    host_hmp smmuv3_inject cmdq-ill
    fault_cycle cycle-after-ill "$e"
    fault_wait cmdq-ill 'CMDQ error \(cons 0x[0-9a-f]+\): Illegal command'
    fault_wait cmdq-ill-skip 'skipping command in error state'
    fault_mark
    host_hmp smmuv3_inject cmdq-abt
    fault_cycle cycle-after-abt "$e"
    fault_wait cmdq-abt 'CMDQ error \(cons 0x[0-9a-f]+\): Abort on command fetch'
    fault_wait cmdq-abt-retry 'retrying command fetch'
    fault_mark
    host_hmp smmuv3_inject cmdq-atc-inv-sync
    fault_cycle cycle-after-atc "$e"
    fault_wait cmdq-atc 'CMDQ error \(cons 0x[0-9a-f]+\): ATC invalidate timeout'
    dev_state "$e"
    net_ping "$e"
    fault_from=$cmdq_from
    if fault_dmesg | grep -qE 'CMD_SYNC timeout|CMDQ timeout'; then
        check cmdq-recovered FAIL "$(fault_dmesg | grep -m1 -E 'CMD_SYNC timeout|CMDQ timeout')"
    else
        check cmdq-recovered ok "no command timed out after the three errors"
    fi
    host_query recovered
    expect recovered "$e" kind=s1

    # Service Failure Mode: the driver disables the SMMU, and with it the
    # command queue, so later commands time out
    echo "GUEST: allow-log arm-smmu-v3.*CMD_SYNC timeout"
    fault_inject gerror-sfm 'device has entered Service Failure Mode!' sfm-err
    host_query sfm
    expect sfm "$e" "kind=gbpa-abort|gbpa-bypass"
fi
