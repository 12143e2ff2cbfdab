# SPDX-License-Identifier: GPL-2.0-or-later
# Guest tier, included from the top Makefile, which defines TOP,
# BUILD, CACHE, QEMU_TREE and QEMU.
#   make guest-kernels                 fetch and unpack the pinned kernels
#   make guest-initramfs               build one busybox initramfs per kernel
#   make guest-firmware                fetch and unpack the pinned UEFI firmware
#                                      (scenarios with "# firmware: uefi";
#                                      tests/guest/boot also fetches it)
#   make guest-boot [GUEST_KERNELS=..] boot scenario on each pinned kernel
#   make guest-boot KERNEL=/path/Image [INITRD=/path/initrd]
#   make guest-boot GUEST_SCENARIO=rebind|claim   another scenario (-s)
GUEST_DIR := $(TOP)/tests/guest
GUEST_SCENARIO ?= boot
PINNED_KERNELS := $(shell awk '!/^\#/ && NF >= 3 && $$1 !~ /^(busybox|uapi)$$/ { print $$1 }' $(GUEST_DIR)/kernels.pin)
GUEST_KERNELS ?= $(PINNED_KERNELS)
GUEST_NEWEST := $(firstword $(PINNED_KERNELS))

.PHONY: guest-kernels guest-initramfs guest-firmware guest-boot

guest-kernels:
	@TOP=$(TOP) BUILD=$(BUILD) CACHE=$(CACHE) $(GUEST_DIR)/fetch-kernels $(GUEST_KERNELS)

guest-initramfs: guest-kernels
	@TOP=$(TOP) BUILD=$(BUILD) CACHE=$(CACHE) $(GUEST_DIR)/make-initramfs $(GUEST_KERNELS)

guest-firmware:
	@TOP=$(TOP) BUILD=$(BUILD) CACHE=$(CACHE) $(GUEST_DIR)/fetch-firmware

ifdef KERNEL
guest-boot: guest-initramfs
	@TOP=$(TOP) BUILD=$(BUILD) CACHE=$(CACHE) QEMU=$(QEMU) $(GUEST_DIR)/boot -s $(GUEST_SCENARIO) $(KERNEL) $(INITRD)
else
guest-boot: guest-initramfs
	@rc=0; for k in $(GUEST_KERNELS); do \
	    TOP=$(TOP) BUILD=$(BUILD) CACHE=$(CACHE) QEMU=$(QEMU) $(GUEST_DIR)/boot -s $(GUEST_SCENARIO) $$k || rc=1; \
	done; exit $$rc
endif
