# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario "boot": list the IOMMU groups, their default domain types and the
# PCI devices.  Sourced by /init.
for g in /sys/kernel/iommu_groups/*; do
    [ -d "$g" ] || { echo "GUEST: no IOMMU groups"; break; }
    echo "GUEST: group ${g##*/} type $(cat "$g/type" 2>/dev/null || echo none) devices $(ls "$g/devices" | tr '\n' ' ')"
done
for d in /sys/bus/pci/devices/*; do
    [ -e "$d" ] || { echo "GUEST: no PCI devices"; break; }
    grp=none type=none drv=none
    if [ -e "$d/iommu_group" ]; then
        grp=$(readlink "$d/iommu_group"); grp=${grp##*/}
        type=$(cat "/sys/kernel/iommu_groups/$grp/type" 2>/dev/null || echo none)
    fi
    [ -e "$d/driver" ] && { drv=$(readlink "$d/driver"); drv=${drv##*/}; }
    echo "GUEST: pci ${d##*/} vendor=$(cat "$d/vendor") device=$(cat "$d/device") class=$(cat "$d/class") driver=$drv group=$grp type=$type"
done
