# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario "boot": every PCI device gets an IOMMU group whose
# default domain type is DMA (or DMA-FQ), and the SMMU shows a stage-1
# stream for each.  Sourced by /init.
for g in /sys/kernel/iommu_groups/*; do
    [ -d "$g" ] || { echo "GUEST: no IOMMU groups"; break; }
    echo "GUEST: group ${g##*/} type $(cat "$g/type" 2>/dev/null || echo none) devices $(ls "$g/devices" | tr '\n' ' ')"
done
group_driverless
for d in /sys/bus/pci/devices/*; do
    [ -e "$d" ] || { check pci-devices FAIL "no PCI devices"; break; }
    bdf=${d##*/}
    dev_state "$bdf"
    echo "GUEST: pci $bdf vendor=$(cat "$d/vendor") device=$(cat "$d/device") class=$(cat "$d/class") driver=$drv group=$grp type=$type"
    case $type in
        DMA|DMA-FQ)
            check "group-$bdf" ok "group $grp type $type driver $drv"
            expect final "$bdf" kind=s1 ;;
        *)
            check "group-$bdf" FAIL "group $grp type $type driver $drv (expected type DMA)" ;;
    esac
done
