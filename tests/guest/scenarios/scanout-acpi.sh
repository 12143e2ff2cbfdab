# SPDX-License-Identifier: GPL-2.0-or-later
# firmware: uefi
# testdev: scanout-iova=0x7f000000,scanout-size=0x1000,scanout-period-us=1000
# Scenario "scanout-acpi": scanout.sh on a UEFI + ACPI boot.  Sourced by
# /init.
. /scenarios/scanout.sh
