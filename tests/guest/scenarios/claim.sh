# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario "claim": after the rebind scenario has put the e1000e
# on vfio-pci, /bin/vfio-claim takes the group with a type1 container.
# VFIO_GROUP_SET_CONTAINER claims DMA ownership: the stream must go to
# abort (the blocking domain) at once, and a transmit-descriptor fetch the
# e1000e is made to start then (/bin/pci-dma) must be terminated, counted
# as an abort.  VFIO_SET_IOMMU attaches type1's own paging domain (stage
# 1); closing the files returns the group to its default domain (stage 1).
# Sourced by /init.
. /scenarios/rebind.sh
if [ -n "$rb_ok" ]; then
    if kernel_before 6 8; then
        echo "GUEST: kernel-issue Linux $(uname -r): arm-smmu-v3 before 6.8 has no blocking domain; claiming DMA ownership attaches an empty paging domain (stage 1), so DMA is terminated with a translation fault instead of an abort"
        echo "GUEST: allow-log arm-smmu-v3.*event 0x10"
        blocked="kind=s1" terminated="faults+claimed"
    else
        blocked="kind=abort" terminated="aborts+claimed"
    fi
    expect claimed "$rb_bdf" $blocked
    expect claimed-dma "$rb_bdf" $blocked $terminated translations=claimed
    expect type1 "$rb_bdf" kind=s1
    expect released "$rb_bdf" kind=s1
    step "vfio-claim group $grp, e1000e DMA while claimed"
    if /bin/vfio-claim -q -x "/bin/pci-dma e1000e-tx $rb_bdf 0x100000" "$grp" </dev/console; then
        host_query released
        check claim ok "group $grp claimed and released"
    else
        check claim FAIL "vfio-claim failed"
    fi
fi
