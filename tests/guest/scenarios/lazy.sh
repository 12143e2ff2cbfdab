# SPDX-License-Identifier: GPL-2.0-or-later
# append: iommu.strict=0
# Scenario "lazy": iommu.strict=0 makes the default domain
# DMA-FQ (unmaps are invalidated in batches, through a flush queue); the
# checks are those of strict.sh.  Sourced by /init.
want=DMA-FQ policy=lazy
. /scenarios/strict.sh
