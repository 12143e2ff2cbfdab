# SPDX-License-Identifier: GPL-2.0-or-later
#
# smmuv3-domains: driver of the fetch, the tree, the build and the tests.
# Every target is idempotent and prints one progress line per step.

# make help prints these lines:
#> build            QEMU and the qtests, in build/qemu (make qemu: QEMU alone)
#> check            every test: the qtests, then the real-guest scenarios
#> check-qtest      the qtests alone (no guest kernel, no cross-build)
#> check-guest      the real-guest scenarios alone
#> check-sanitize   every test against ASan and UBSan builds
#> check-fresh      the README's commands in a new debootstrap root (CI)
#> check-series     each patch of patches/series builds and passes its qtests
#> fuzz             libFuzzer on the SMMUv3 for FUZZ_SECONDS (600)
#> bench            guest DMA throughput and boot time against the baseline
#> demo             a Linux 7.2 guest through the demo scenarios
#> demo-qtest       the narrated qtest walk-through
#> guest-boot       one scenario (GUEST_SCENARIO=) on each pinned kernel
#> qemu-in-guest    our aarch64 QEMU inside the IOMMUFD guest
#> baseline         the base QEMU without this project, in build/baseline
#> deps, base, tree the Debian packages, the QEMU source, the patched tree
#> guest-kernels, guest-initramfs, guest-kernel, qemu-arm64
#>                  the pieces of the guest tier, one by one
#> lint             checkpatch.pl over the new files and the patches
#> export-patches   turn commits in build/qemu into patches/
#> clean, distclean remove build/ (distclean: the cache too)

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
CACHE ?= $(HOME)/.cache/smmuv3-domains
export CACHE

QEMU_TREE := $(BUILD)/qemu
BASELINE_TREE := $(BUILD)/baseline
QEMU := $(QEMU_TREE)/build/qemu-system-aarch64

# Our qtests, and the base's own aarch64 qtests that touch what we change
# (machine, QOM, device introspection, QMP/HMP) and run without firmware.
OUR_QTESTS := smmuv3-l2-streamid-test smmuv3-l1-span-test smmuv3-strtab-fmt-test \
              smmuv3-s2aa64-test smmuv3-eventq-overflow-test \
              smmuv3-cd-ips-test smmuv3-cd-fetch-test smmuv3-s2-ias-test \
              smmuv3-cmdq-illegal-test smmuv3-gbpa-reserved-test \
              smmuv3-test smmuv3-ste-test smmuv3-events-test smmuv3-transitions-test \
              smmuv3-rmr-test smmuv3-accel-test smmuv3-isolation-test \
              smmuv3-qmp-test smmuv3-migration-test smmuv3-substream-test \
              dma-testdev-test
BASE_QTESTS := qom-test device-introspect-test test-hmp qmp-cmd-test
# Real-guest scenarios run by make check (KERNEL:SCENARIO, tests/guest/):
# every scenario on every pinned kernel (GUEST_KERNELS, tests/guest/guest.mk).
GUEST_SCENARIOS := boot rebind claim identity strict lazy rmr scanout group-bridge \
                   group-unplug
# UEFI + ACPI boots run on the newest pinned kernel; the nested scenario
# and iommufd binds on the project's kernel (make guest-kernel).
ACPI_SCENARIOS := boot-acpi rmr-acpi scanout-acpi
# Fault injection (HMP smmuv3_inject) on the newest pinned kernel.
NEWEST_SCENARIOS := faults
CHECK_GUESTS = $(foreach k,$(GUEST_KERNELS),$(addprefix $(k):,$(GUEST_SCENARIOS))) \
               $(addprefix $(GUEST_NEWEST):,$(ACPI_SCENARIOS) $(NEWEST_SCENARIOS)) \
               iommufd:nested iommufd:pasid iommufd:inner-qemu iommufd:inner-qtests \
               iommufd:vfio-emulated iommufd:vfio-rmr \
               iommufd:rmr iommufd:rmr-acpi \
               iommufd:accel-qtest iommufd:accel-group iommufd:accel-replace \
               iommufd:accel-unsupported
QTEST_TARGETS := $(addprefix tests/qtest/,$(OUR_QTESTS) smmuv3-demo $(BASE_QTESTS))

.PHONY: all deps base tree qemu build baseline check check-qtest check-guest check-fresh \
        check-series \
        check-sanitize fuzz lint demo \
        demo-initramfs demo-qtest qemu-arm64 qemu-in-guest bench \
        export-patches clean distclean help

all: build

help:
	@echo "make targets (README.md, \"Make targets\", says more):"
	@sed -n 's/^#> /  /p' $(firstword $(MAKEFILE_LIST))

deps:
	@scripts/deps

base: deps
	@base/fetch

tree: base
	@scripts/prepare-tree $(QEMU_TREE)

# qemu: the emulator alone (what make demo needs); build: and the qtests.
qemu: tree
	@scripts/build-qemu $(QEMU_TREE) qemu-system-aarch64

build: tree
	@scripts/build-qemu $(QEMU_TREE) qemu-system-aarch64 $(QTEST_TARGETS)

# Our QEMU cross-built for aarch64 and its guest initramfs layer.
qemu-arm64: tree
	@scripts/build-qemu-arm64

# Our QEMU inside a guest with -accel qtest (tests/guest/qemu-in-guest).
qemu-in-guest: build
	@TOP=$(TOP) BUILD=$(BUILD) CACHE=$(CACHE) $(TOP)/tests/guest/qemu-in-guest $(INNER_ARGS)

baseline: base
	@scripts/prepare-tree --baseline $(BASELINE_TREE)
	@scripts/build-qemu $(BASELINE_TREE) qemu-system-aarch64

# The baseline build is the other side of the migration tests with QEMU
# without this project (smmuv3-migration-test, QTEST_QEMU_BINARY_BASELINE).
BASELINE_QEMU := $(BASELINE_TREE)/build/qemu-system-aarch64
check: build baseline guest-initramfs guest-firmware guest-kernel qemu-arm64
	@QTEST_QEMU_BINARY_BASELINE=$(BASELINE_QEMU) scripts/run-tests \
	    $(QEMU_TREE)/build "$(OUR_QTESTS)" "$(BASE_QTESTS)" "$(CHECK_GUESTS)"

# The two tiers of make check on their own: the qtests (no guest kernel,
# no cross-build), and the real-guest scenarios.
check-qtest: build baseline
	@QTEST_QEMU_BINARY_BASELINE=$(BASELINE_QEMU) scripts/run-tests \
	    $(QEMU_TREE)/build "$(OUR_QTESTS)" "$(BASE_QTESTS)" ""

check-guest: build guest-initramfs guest-firmware guest-kernel qemu-arm64
	@scripts/run-tests $(QEMU_TREE)/build "" "" "$(CHECK_GUESTS)"

lint: tree
	@scripts/lint

# Bisectability: the series applied patch by patch in build/series, each
# prefix built (trimmed device set, ccache) and its qtests run.  Not part
# of make check.
check-series: tree baseline
	@scripts/check-series

# Every test of make check against QEMU and the qtests built with
# AddressSanitizer and UndefinedBehaviorSanitizer (build/qemu/build-san);
# any report aborts the process, which fails its test.  The sanitizers
# write to files in $(SAN_LOGS), not to stderr, where their start-up
# warnings would break the tests of one-line errors; a report found there
# fails the target too.  Not part of make check.  The QEMU inside the
# IOMMUFD guest is not sanitized.
SAN_LOGS := $(QEMU_TREE)/build-san/test-logs/sanitizers
SAN_ENV := ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:log_path=$(SAN_LOGS)/asan \
           UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$(SAN_LOGS)/ubsan
check-sanitize: tree baseline guest-initramfs guest-firmware guest-kernel qemu-arm64
	@SANITIZE=1 scripts/build-qemu $(QEMU_TREE) qemu-system-aarch64 $(QTEST_TARGETS)
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	@$(SAN_ENV) QTEST_QEMU_BINARY_BASELINE=$(BASELINE_QEMU) scripts/run-tests $(QEMU_TREE)/build-san "$(OUR_QTESTS)" \
	    "$(BASE_QTESTS)" "$(CHECK_GUESTS)"
	@if grep -l -e 'ERROR: AddressSanitizer' -e 'runtime error:' $(SAN_LOGS)/* 2>/dev/null; then \
	    echo "==> check-sanitize: sanitizer reports above (in $(SAN_LOGS))"; exit 1; \
	else echo "==> check-sanitize: no sanitizer report"; fi

# libFuzzer on the SMMUv3 with ASan and UBSan (docs/devel/smmuv3-fuzz.rst):
# its own tree, build/qemu-fuzz; corpus and artifacts in $(CACHE)/fuzz.
# Not part of make check.
FUZZ_SECONDS ?= 600
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

# Benchmarks against the baseline and against no IOMMU (bench/).
bench: build baseline
	@$(MAKE) --no-print-directory guest-initramfs GUEST_KERNELS=$(GUEST_NEWEST)
	@TOP=$(TOP) BUILD=$(BUILD) CACHE=$(CACHE) $(TOP)/bench/guest-dd $(BENCH_CONFIGS)

# The README's commands in a new debootstrap root (scripts/check-fresh);
# FRESH_COLD=1 shares no cache with it, FRESH_DEMO_ONLY=1 stops after
# make demo.
check-fresh:
	@scripts/deps fresh
	@scripts/check-fresh $(if $(FRESH_COLD),--cold) $(if $(FRESH_DEMO_ONLY),--demo-only)

# The real-guest demo (tests/guest/demo); KERNEL= and INITRD= for your own.
# QEMU builds while the guest packages download (make -j2).
demo:
	@$(MAKE) --no-print-directory -j2 qemu demo-initramfs guest-firmware
	@TOP=$(TOP) BUILD=$(BUILD) CACHE=$(CACHE) QEMU=$(QEMU) $(TOP)/tests/guest/demo $(KERNEL) $(INITRD)

demo-initramfs: deps
	@$(MAKE) --no-print-directory guest-initramfs GUEST_KERNELS=$(GUEST_NEWEST)

# The narrated qtest walk-through (no guest kernel): abort, bypass, S1.
demo-qtest: build
	@QTEST_QEMU_BINARY=$(QEMU) $(QEMU_TREE)/build/tests/qtest/smmuv3-demo

export-patches:
	@scripts/export-patches

clean:
	@if grep -q " $(BUILD)/" /proc/mounts; then \
	    echo "error: something is mounted below $(BUILD) (a check-fresh root?); not removing it" >&2; \
	    exit 1; fi
	@echo "==> removing $(BUILD)"
	@rm -rf $(BUILD)

distclean: clean
	@echo "==> removing the cache $(CACHE)"
	@rm -rf $(CACHE)

# The guest tier: real arm64 kernels under TCG (tests/guest/), and the
# project's own kernel with IOMMUFD (tests/guest/kernel/).
include $(TOP)/tests/guest/guest.mk
include $(TOP)/tests/guest/kernel.mk
