# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario "rebind" (issue 4 b, seed 001): move the e1000e from its driver
# to vfio-pci through driver_override, asking the host for query-smmuv3
# before and after.  Sourced by /init (host_query comes from there); also
# sourced by claim.sh, which continues from the vfio-pci binding.
# Lines: "GUEST: rebind dev BDF group G type T driver D", "GUEST: rebind
# step ...", "GUEST: rebind error ...", "GUEST: rebind ok".
rb_dev=
for d in /sys/bus/pci/devices/*; do
    if [ "$(cat "$d/vendor" 2>/dev/null)" = 0x8086 ] &&
       [ "$(cat "$d/device" 2>/dev/null)" = 0x10d3 ]; then
        rb_dev=$d
        break
    fi
done

rb_state() {
    rb_grp=none rb_type=none rb_drv=none
    if [ -e "$rb_dev/iommu_group" ]; then
        rb_grp=$(readlink "$rb_dev/iommu_group"); rb_grp=${rb_grp##*/}
        rb_type=$(cat "/sys/kernel/iommu_groups/$rb_grp/type" 2>/dev/null || echo none)
    fi
    if [ -e "$rb_dev/driver" ]; then
        rb_drv=$(readlink "$rb_dev/driver"); rb_drv=${rb_drv##*/}
    fi
    echo "GUEST: rebind dev ${rb_dev##*/} group $rb_grp type $rb_type driver $rb_drv ($1)"
}

rb_ok=
if [ -z "$rb_dev" ]; then
    echo "GUEST: rebind error no e1000e (8086:10d3) PCI device"
else
    rb_bdf=${rb_dev##*/}
    rb_state before
    host_query before
    rb_ok=1
    if [ "$rb_drv" != none ]; then
        echo "GUEST: rebind step unbind $rb_bdf from $rb_drv"
        echo "$rb_bdf" >"/sys/bus/pci/drivers/$rb_drv/unbind" ||
            { echo "GUEST: rebind error unbind from $rb_drv failed"; rb_ok=; }
    fi
    rb_state unbound
    host_query unbound
    echo "GUEST: rebind step driver_override vfio-pci"
    echo vfio-pci >"$rb_dev/driver_override" ||
        { echo "GUEST: rebind error writing driver_override failed"; rb_ok=; }
    echo "GUEST: rebind step bind vfio-pci"
    if [ -d /sys/bus/pci/drivers/vfio-pci ]; then
        echo "$rb_bdf" >/sys/bus/pci/drivers/vfio-pci/bind ||
            echo "GUEST: rebind error bind to vfio-pci failed"
    else
        echo "GUEST: rebind error vfio-pci driver not registered (module not loaded?)"
    fi
    rb_state bound
    [ "$rb_drv" = vfio-pci ] || { echo "GUEST: rebind error driver is $rb_drv, not vfio-pci"; rb_ok=; }
    if [ "$rb_grp" != none ] && [ ! -c "/dev/vfio/$rb_grp" ]; then
        echo "GUEST: rebind error /dev/vfio/$rb_grp is missing"; rb_ok=
    fi
    echo "GUEST: rebind vfio nodes $(ls /dev/vfio 2>/dev/null | tr '\n' ' ')"
    host_query bound
fi
[ -z "$rb_ok" ] || echo "GUEST: rebind ok"
