# SPDX-License-Identifier: GPL-2.0-or-later
# firmware: uefi
# Scenario "boot-acpi": the boot scenario on a guest booted through UEFI
# (edk2) with ACPI: the kernel finds the SMMU in QEMU's IORT instead of
# the device tree, and every PCI device still gets a DMA domain and a
# stage-1 stream.  Sourced by /init.
. /scenarios/boot.sh
if [ -e /sys/firmware/acpi/tables/IORT ]; then
    check acpi-iort ok "booted with ACPI: /sys/firmware/acpi/tables/IORT ($(wc -c </sys/firmware/acpi/tables/IORT) bytes)"
else
    check acpi-iort FAIL "no /sys/firmware/acpi/tables/IORT (did the kernel boot with a device tree?)"
fi
