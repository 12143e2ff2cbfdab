# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario "rebind": move the e1000e from its driver
# to vfio-pci through driver_override, asking the host for query-smmuv3
# before and after; the stream must stay in the default (DMA, stage 1)
# domain and the guest must log no warning.  Sourced by /init; also
# sourced by claim.sh, which goes on from the vfio-pci binding
# (rb_ok, rb_bdf and grp tell it where this ended).
rb_ok=
if pci_need rb_bdf rebind 0x8086 0x10d3 "e1000e"; then
    dev_state "$rb_bdf"
    step "e1000e $rb_bdf: group $grp type $type driver $drv"
    host_query before
    expect before "$rb_bdf" kind=s1
    rb_ok=1
    if [ "$drv" != none ]; then
        step "unbind $rb_bdf from $drv"
        echo "$rb_bdf" >"/sys/bus/pci/drivers/$drv/unbind" ||
            { check unbind FAIL "unbind from $drv failed"; rb_ok=; }
    fi
    host_query unbound
    step "driver_override vfio-pci, bind vfio-pci"
    if [ ! -d /sys/bus/pci/drivers/vfio-pci ]; then
        check bind FAIL "vfio-pci driver not registered (module not loaded?)"
        rb_ok=
    elif ! bind_vfio "$rb_bdf"; then
        check bind FAIL "binding to vfio-pci failed"
        rb_ok=
    fi
    dev_state "$rb_bdf"
    step "e1000e $rb_bdf: group $grp type $type driver $drv"
    [ "$drv" = vfio-pci ] || { check driver FAIL "driver is $drv, not vfio-pci"; rb_ok=; }
    if [ "$grp" = none ] || [ ! -c "/dev/vfio/$grp" ]; then
        check vfio-node FAIL "/dev/vfio/$grp is missing"
        rb_ok=
    fi
    host_query bound
    expect bound "$rb_bdf" kind=s1
    [ -z "$rb_ok" ] || check rebind ok "$rb_bdf on vfio-pci, group $grp (/dev/vfio/$grp)"
fi
