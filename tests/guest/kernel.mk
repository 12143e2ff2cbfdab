# SPDX-License-Identifier: GPL-2.0-or-later
# Guest kernel with IOMMUFD, included from the top Makefile, which
# defines TOP, BUILD and CACHE.  See tests/guest/kernel/README.rst.
#   make guest-kernel    build $(GUEST_KERNEL_IMAGE) from Debian's
#                        linux-source (tests/guest/kernel/source.pin) and
#                        tests/guest/kernel/iommufd.config; a no-op when
#                        neither they nor the build script changed
#   make guest-kernel GUEST_KERNEL_JOBS=N   parallel make jobs (default nproc)
GUEST_KERNEL_DIR := $(TOP)/tests/guest/kernel
GUEST_KERNEL_IMAGE := $(CACHE)/guest/kernels/iommufd/Image
GUEST_KERNEL_JOBS ?= $(shell nproc)

.PHONY: guest-kernel

guest-kernel:
	@TOP=$(TOP) BUILD=$(BUILD) CACHE=$(CACHE) JOBS=$(GUEST_KERNEL_JOBS) $(GUEST_KERNEL_DIR)/build-kernel
