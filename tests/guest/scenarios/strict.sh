# SPDX-License-Identifier: GPL-2.0-or-later
# append: iommu.strict=1
# Scenario "strict": with iommu.strict=1 the e1000e's default
# domain is DMA with strict invalidation (every unmap invalidates the TLB
# at once).  The kernel must report the policy, the SMMU must show a
# stage-1 stream, and e1000e traffic must pass, translated, with no fault.
# lazy.sh sets want=DMA-FQ and policy=lazy and sources this file.
want=${want:-DMA} policy=${policy:-strict}
got=$(dmesg | grep -o 'TLB invalidation policy: [a-z]* mode' | head -n 1)
case $got in
    *" $policy mode") check policy ok "$got" ;;
    *) check policy FAIL "kernel says \"${got:-nothing}\" (expected $policy mode)" ;;
esac
e=$(pci_find 0x8086 0x10d3) || e=
if [ -n "$e" ]; then
    dev_state "$e"
    if [ "$type" = "$want" ]; then
        check domain-type ok "e1000e $e group $grp type $type"
    else
        check domain-type FAIL "e1000e $e group $grp type $type (expected $want)"
    fi
    host_query before
    expect before "$e" kind=s1
    net_ping "$e"
    expect final "$e" kind=s1 translations+before faults=before aborts=before
else
    check e1000e FAIL "no e1000e (8086:10d3) PCI device"
fi
