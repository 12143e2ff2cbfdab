# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario "claim" (issue 4 c): after the rebind scenario has put the e1000e
# on vfio-pci, /bin/vfio-claim takes the group with a type1 container
# the host queries the SMMU after VFIO_GROUP_SET_CONTAINER (claimed: blocking
# domain) and after VFIO_SET_IOMMU (type1: type1's own paging domain), then
# the group is released and queried again.  Sourced by /init.
. /scenarios/rebind.sh
if [ -n "$rb_ok" ] && [ "$rb_grp" != none ]; then
    echo "GUEST: claim step vfio-claim group $rb_grp"
    if /bin/vfio-claim -q "$rb_grp" </dev/console; then
        rb_state released
        host_query released
        echo "GUEST: claim ok"
    else
        echo "GUEST: claim error vfio-claim failed"
    fi
else
    echo "GUEST: claim error the rebind to vfio-pci failed, nothing to claim"
fi
