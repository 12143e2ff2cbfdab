/*
 * DMA test device: a PCIe endpoint that moves bytes through its IOMMU
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A guest (or a qtest) programs an IOVA, a length and optionally a PASID,
 * then rings CMD.  The device runs the whole transfer inside that MMIO
 * write, in pieces that never cross a 4 KiB IOVA boundary, and latches how
 * it ended: every byte moved, terminated by the IOMMU with or without an
 * event, or another bus error.  See docs/specs/dma-testdev.rst.
 *
 * With scanout-size set, the device also reads a range by itself, every
 * scanout-period-us from reset on, like a display controller that the
 * boot firmware left scanning out a framebuffer, and counts the frames by
 * outcome.
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-properties.h"
#include "hw/registerfields.h"
#include "hw/misc/dma-testdev.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "qom/object.h"
#include "trace.h"

OBJECT_DECLARE_SIMPLE_TYPE(DmaTestdevState, DMA_TESTDEV)

REG32(ID, DMA_TESTDEV_ID)
REG32(CAPS, DMA_TESTDEV_CAPS)
    FIELD(CAPS, PASID, 0, 1)
    FIELD(CAPS, SCANOUT, 1, 1)
    FIELD(CAPS, PASID_WIDTH, 8, 8)
REG32(IOVA_LO, DMA_TESTDEV_IOVA_LO)
REG32(IOVA_HI, DMA_TESTDEV_IOVA_HI)
REG32(LEN, DMA_TESTDEV_LEN)
REG32(PASID, DMA_TESTDEV_PASID)
    FIELD(PASID, PASID, 0, 20)
    FIELD(PASID, VALID, 31, 1)
REG32(PATTERN, DMA_TESTDEV_PATTERN)
REG32(CMD, DMA_TESTDEV_CMD)
    FIELD(CMD, RUN, 0, 1)
    FIELD(CMD, WRITE, 1, 1)
    FIELD(CMD, FROM_BUF, 2, 1)
REG32(RESULT, DMA_TESTDEV_RESULT)
REG32(DONE, DMA_TESTDEV_DONE)
REG32(FAULT_LO, DMA_TESTDEV_FAULT_LO)
REG32(FAULT_HI, DMA_TESTDEV_FAULT_HI)
REG32(CSUM, DMA_TESTDEV_CSUM)
REG32(TOTAL_LO, DMA_TESTDEV_TOTAL_LO)
REG32(TOTAL_HI, DMA_TESTDEV_TOTAL_HI)
REG32(COUNT_OK, DMA_TESTDEV_COUNT_OK)
REG32(COUNT_ABORT, DMA_TESTDEV_COUNT_ABORT)
REG32(COUNT_FAULT, DMA_TESTDEV_COUNT_FAULT)
REG32(COUNT_ERROR, DMA_TESTDEV_COUNT_ERROR)
REG32(MAX_LEN, DMA_TESTDEV_MAX_LEN)
REG32(SCANOUT_IOVA_LO, DMA_TESTDEV_SCANOUT_IOVA_LO)
REG32(SCANOUT_IOVA_HI, DMA_TESTDEV_SCANOUT_IOVA_HI)
REG32(SCANOUT_SIZE, DMA_TESTDEV_SCANOUT_SIZE)
REG32(SCANOUT_PERIOD, DMA_TESTDEV_SCANOUT_PERIOD)
REG32(SCANOUT_OK, DMA_TESTDEV_SCANOUT_OK)
REG32(SCANOUT_ABORT, DMA_TESTDEV_SCANOUT_ABORT)
REG32(SCANOUT_FAULT, DMA_TESTDEV_SCANOUT_FAULT)
REG32(SCANOUT_ERROR, DMA_TESTDEV_SCANOUT_ERROR)
REG32(SCANOUT_CSUM, DMA_TESTDEV_SCANOUT_CSUM)

/* DMA pieces never cross this IOVA boundary */
#define DMA_TESTDEV_PIECE       0x1000
/* MemTxAttrs.pid is 8 bits wide in this QEMU */
#define DMA_TESTDEV_PASID_WIDTH 8
#define DMA_TESTDEV_PCIE_CAP    0x40
#define DMA_TESTDEV_PASID_CAP   PCI_CONFIG_SPACE_SIZE

#define DMA_TESTDEV_MAX_LEN_MIN     0x1000u     /* 4 KiB */
#define DMA_TESTDEV_MAX_LEN_MAX     0x1000000u  /* 16 MiB */
#define DMA_TESTDEV_MAX_LEN_DEFAULT 0x100000u   /* 1 MiB */

#define DMA_TESTDEV_SCANOUT_SIZE_MAX    0x1000000u  /* 16 MiB */
#define DMA_TESTDEV_SCANOUT_PERIOD_MIN  1000u       /* 1 ms */
#define DMA_TESTDEV_SCANOUT_PERIOD_DEFAULT 20000u   /* 20 ms, 50 Hz */

enum {
    DMA_TESTDEV_COUNT_IDX_OK,
    DMA_TESTDEV_COUNT_IDX_ABORT,
    DMA_TESTDEV_COUNT_IDX_FAULT,
    DMA_TESTDEV_COUNT_IDX_ERROR,
    DMA_TESTDEV_COUNT_NUM,
};

struct DmaTestdevState {
    PCIDevice parent_obj;

    MemoryRegion bar;
    MemoryRegion regs;
    MemoryRegion window;

    /* Guest-programmed transfer */
    uint64_t iova;
    uint32_t len;
    uint32_t pasid;
    uint32_t pattern;

    /* Outcome of the last command */
    uint32_t result;
    uint32_t done;
    uint64_t fault;
    uint32_t csum;

    /* Statistics since reset */
    uint64_t total;
    uint32_t count[DMA_TESTDEV_COUNT_NUM];

    uint8_t *buf;

    /* Scanout: frames per outcome (an index of count[]) since reset */
    QEMUTimer *scanout_timer;
    uint32_t scanout_count[DMA_TESTDEV_COUNT_NUM];
    uint32_t scanout_last;      /* DMA_TESTDEV_RESULT_* of the last frame */
    uint32_t scanout_csum;

    /* Properties */
    uint32_t max_len;
    bool pasid_cap;
    uint64_t scanout_iova;
    uint32_t scanout_size;
    uint32_t scanout_period_us;
};

static const char *dma_testdev_result_str(uint32_t result)
{
    switch (result) {
    case DMA_TESTDEV_RESULT_NONE:
        return "none";
    case DMA_TESTDEV_RESULT_OK:
        return "ok";
    case DMA_TESTDEV_RESULT_ABORT:
        return "abort";
    case DMA_TESTDEV_RESULT_FAULT:
        return "fault";
    case DMA_TESTDEV_RESULT_ERROR:
        return "error";
    case DMA_TESTDEV_RESULT_INVALID:
        return "invalid";
    default:
        return "?";
    }
}

static uint32_t dma_testdev_caps(DmaTestdevState *s)
{
    uint32_t caps = 0;

    if (s->pasid_cap) {
        caps = FIELD_DP32(caps, CAPS, PASID, 1);
        caps = FIELD_DP32(caps, CAPS, PASID_WIDTH, DMA_TESTDEV_PASID_WIDTH);
    }
    if (s->scanout_size) {
        caps = FIELD_DP32(caps, CAPS, SCANOUT, 1);
    }
    return caps;
}

/**
 * dma_testdev_csum_add: account bytes in the checksum
 * @sum: the checksum so far
 * @off: offset of @p[0] from the start of the transfer
 * @p: the bytes
 * @n: how many
 *
 * The checksum is the wrapping sum of the little-endian 32-bit words of the
 * transfer, the last one zero-padded.  Adding each byte shifted to its lane
 * gives the same sum whatever the piece boundaries are.
 *
 * Returns: the new checksum.
 */
static uint32_t dma_testdev_csum_add(uint32_t sum, uint32_t off,
                                     const uint8_t *p, uint32_t n)
{
    uint32_t i = 0;

    for (; i < n && (off + i) % 4; i++) {
        sum += (uint32_t)p[i] << (8 * ((off + i) % 4));
    }
    for (; i + 4 <= n; i += 4) {
        sum += ldl_le_p(p + i);
    }
    for (; i < n; i++) {
        sum += (uint32_t)p[i] << (8 * ((off + i) % 4));
    }
    return sum;
}

/**
 * dma_testdev_fill_pattern: produce part of the write pattern
 * @seed: the PATTERN register
 * @off: offset of @p[0] from the start of the transfer
 * @p: where to put the bytes
 * @n: how many
 *
 * Byte @off of the transfer is byte (@off % 4) of the little-endian word
 * dma_testdev_pattern_word(@seed, @off / 4).
 */
static void dma_testdev_fill_pattern(uint32_t seed, uint32_t off,
                                     uint8_t *p, uint32_t n)
{
    uint32_t i = 0;

    for (; i < n && (off + i) % 4; i++) {
        p[i] = extract32(dma_testdev_pattern_word(seed, (off + i) / 4),
                         8 * ((off + i) % 4), 8);
    }
    for (; i + 4 <= n; i += 4) {
        stl_le_p(p + i, dma_testdev_pattern_word(seed, (off + i) / 4));
    }
    for (; i < n; i++) {
        p[i] = extract32(dma_testdev_pattern_word(seed, (off + i) / 4),
                         8 * ((off + i) % 4), 8);
    }
}

/**
 * dma_testdev_classify: tell why a DMA piece failed
 * @s: the device
 *
 * Asks the IOMMU in front of the device, if any, how its latest
 * translation ended.
 *
 * Returns: DMA_TESTDEV_RESULT_ABORT or _FAULT when the IOMMU terminated
 * the access, DMA_TESTDEV_RESULT_ERROR otherwise (no IOMMU, the IOMMU
 * cannot tell, or it translated and the bus failed after it).
 */
static uint32_t dma_testdev_classify(DmaTestdevState *s)
{
    AddressSpace *as = pci_device_iommu_address_space(PCI_DEVICE(s));
    IOMMUMemoryRegion *imr = memory_region_get_iommu(as->root);
    uint32_t outcome;

    if (!imr ||
        memory_region_iommu_get_attr(imr, IOMMU_ATTR_LAST_OUTCOME,
                                     &outcome)) {
        return DMA_TESTDEV_RESULT_ERROR;
    }
    switch (outcome) {
    case IOMMU_OUTCOME_ABORT:
        return DMA_TESTDEV_RESULT_ABORT;
    case IOMMU_OUTCOME_FAULT:
        return DMA_TESTDEV_RESULT_FAULT;
    default:
        return DMA_TESTDEV_RESULT_ERROR;
    }
}

/**
 * dma_testdev_check: validate the programmed transfer
 * @s: the device
 *
 * Returns: true if the LEN, IOVA and PASID registers describe a transfer
 * the device can issue; otherwise logs a guest error and returns false.
 */
static bool dma_testdev_check(DmaTestdevState *s)
{
    uint32_t pasid = FIELD_EX32(s->pasid, PASID, PASID);

    if (s->len == 0 || s->len > s->max_len) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: LEN 0x%x is not in 1..0x%x\n",
                      TYPE_DMA_TESTDEV, s->len, s->max_len);
        return false;
    }
    if (s->iova + (s->len - 1) < s->iova) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: IOVA 0x%" PRIx64 " + LEN 0x%x wraps\n",
                      TYPE_DMA_TESTDEV, s->iova, s->len);
        return false;
    }
    if (FIELD_EX32(s->pasid, PASID, VALID)) {
        if (!s->pasid_cap) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "%s: PASID_VALID set but the pasid property is off\n",
                          TYPE_DMA_TESTDEV);
            return false;
        }
        if (!pcie_pasid_enabled(PCI_DEVICE(s))) {
            /* No PASID TLP prefix before the capability's Enable bit */
            qemu_log_mask(LOG_GUEST_ERROR,
                          "%s: PASID_VALID set but PASID is not enabled\n",
                          TYPE_DMA_TESTDEV);
            return false;
        }
        if (pasid >= (1u << DMA_TESTDEV_PASID_WIDTH)) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "%s: PASID 0x%x exceeds the %u-bit PASID width\n",
                          TYPE_DMA_TESTDEV, pasid, DMA_TESTDEV_PASID_WIDTH);
            return false;
        }
    }
    return true;
}

/**
 * dma_testdev_transfer: move the programmed bytes
 * @s: the device
 * @cmd: the CMD value written
 *
 * Issues the transfer in pieces that stop at each 4 KiB IOVA boundary and
 * stops at the first piece the bus does not complete.  The device buffer
 * only receives the pieces that completed.
 *
 * Returns: the result code; DONE, FAULT and CSUM are updated.
 */
static uint32_t dma_testdev_transfer(DmaTestdevState *s, uint32_t cmd)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    bool write = FIELD_EX32(cmd, CMD, WRITE);
    bool from_buf = FIELD_EX32(cmd, CMD, FROM_BUF);
    DMADirection dir = write ? DMA_DIRECTION_FROM_DEVICE :
                               DMA_DIRECTION_TO_DEVICE;
    MemTxAttrs attrs = {
        .unspecified = false,
        .requester_id = pci_requester_id(pdev),
    };
    uint8_t chunk[DMA_TESTDEV_PIECE];
    uint32_t off = 0;

    if (FIELD_EX32(s->pasid, PASID, VALID)) {
        attrs.pid = FIELD_EX32(s->pasid, PASID, PASID);
        attrs.pasid_valid = true;
    }

    while (off < s->len) {
        uint64_t addr = s->iova + off;
        uint32_t n = MIN(s->len - off,
                         DMA_TESTDEV_PIECE - (addr & (DMA_TESTDEV_PIECE - 1)));
        uint8_t *data = chunk;
        MemTxResult res;

        if (write && from_buf) {
            data = s->buf + off;
        } else if (write) {
            dma_testdev_fill_pattern(s->pattern, off, chunk, n);
        }
        res = pci_dma_rw(pdev, addr, data, n, dir, attrs);
        if (res != MEMTX_OK) {
            s->fault = addr;
            return dma_testdev_classify(s);
        }
        if (!write) {
            memcpy(s->buf + off, chunk, n);
        }
        s->csum = dma_testdev_csum_add(s->csum, off, data, n);
        off += n;
        s->done = off;
    }
    return DMA_TESTDEV_RESULT_OK;
}

static int dma_testdev_count_idx(uint32_t result)
{
    switch (result) {
    case DMA_TESTDEV_RESULT_OK:
        return DMA_TESTDEV_COUNT_IDX_OK;
    case DMA_TESTDEV_RESULT_ABORT:
        return DMA_TESTDEV_COUNT_IDX_ABORT;
    case DMA_TESTDEV_RESULT_FAULT:
        return DMA_TESTDEV_COUNT_IDX_FAULT;
    default:
        return DMA_TESTDEV_COUNT_IDX_ERROR;
    }
}

static void dma_testdev_run(DmaTestdevState *s, uint32_t cmd)
{
    bool write = FIELD_EX32(cmd, CMD, WRITE);
    uint32_t result;

    trace_dma_testdev_cmd(write ? "write" : "read", s->iova, s->len,
                          s->pasid);

    s->done = 0;
    s->fault = 0;
    s->csum = 0;
    if (dma_testdev_check(s)) {
        result = dma_testdev_transfer(s, cmd);
    } else {
        result = DMA_TESTDEV_RESULT_INVALID;
    }

    s->result = result;
    s->total += s->done;
    s->count[dma_testdev_count_idx(result)]++;

    trace_dma_testdev_done(dma_testdev_result_str(result), s->done, s->fault);
}

/**
 * dma_testdev_scanout_frame: read the scanout range once
 * @s: the device
 *
 * The read goes straight to the device's IOMMU address space, whatever
 * the Bus Master Enable bit says: the device models one that the boot
 * firmware set up and left running, and that keeps reading until a
 * driver resets it.  It stops at the first piece that fails.
 *
 * Returns: the frame's outcome, a DMA_TESTDEV_RESULT_* code.
 */
static uint32_t dma_testdev_scanout_frame(DmaTestdevState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    AddressSpace *as = pci_device_iommu_address_space(pdev);
    MemTxAttrs attrs = {
        .unspecified = false,
        .requester_id = pci_requester_id(pdev),
    };
    uint8_t chunk[DMA_TESTDEV_PIECE];
    uint32_t off = 0, sum = 0;

    while (off < s->scanout_size) {
        uint64_t addr = s->scanout_iova + off;
        uint32_t n = MIN(s->scanout_size - off,
                         DMA_TESTDEV_PIECE - (addr & (DMA_TESTDEV_PIECE - 1)));

        if (address_space_read(as, addr, attrs, chunk, n) != MEMTX_OK) {
            return dma_testdev_classify(s);
        }
        sum = dma_testdev_csum_add(sum, off, chunk, n);
        off += n;
    }
    s->scanout_csum = sum;
    return DMA_TESTDEV_RESULT_OK;
}

static void dma_testdev_scanout_tick(void *opaque)
{
    DmaTestdevState *s = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    uint32_t result = dma_testdev_scanout_frame(s);
    uint64_t frames = 0;
    int i;

    if (result != s->scanout_last) {
        for (i = 0; i < DMA_TESTDEV_COUNT_NUM; i++) {
            frames += s->scanout_count[i];
        }
        trace_dma_testdev_scanout_change(
            frames, now, dma_testdev_result_str(s->scanout_last),
            dma_testdev_result_str(result));
        s->scanout_last = result;
    }
    s->scanout_count[dma_testdev_count_idx(result)]++;
    timer_mod(s->scanout_timer, now + s->scanout_period_us * SCALE_US);
}

static uint64_t dma_testdev_regs_read(void *opaque, hwaddr addr,
                                      unsigned size)
{
    DmaTestdevState *s = opaque;

    switch (addr) {
    case A_ID:
        return DMA_TESTDEV_MAGIC;
    case A_CAPS:
        return dma_testdev_caps(s);
    case A_IOVA_LO:
        return extract64(s->iova, 0, 32);
    case A_IOVA_HI:
        return extract64(s->iova, 32, 32);
    case A_LEN:
        return s->len;
    case A_PASID:
        return s->pasid;
    case A_PATTERN:
        return s->pattern;
    case A_CMD:
        return 0;
    case A_RESULT:
        return s->result;
    case A_DONE:
        return s->done;
    case A_FAULT_LO:
        return extract64(s->fault, 0, 32);
    case A_FAULT_HI:
        return extract64(s->fault, 32, 32);
    case A_CSUM:
        return s->csum;
    case A_TOTAL_LO:
        return extract64(s->total, 0, 32);
    case A_TOTAL_HI:
        return extract64(s->total, 32, 32);
    case A_COUNT_OK:
        return s->count[DMA_TESTDEV_COUNT_IDX_OK];
    case A_COUNT_ABORT:
        return s->count[DMA_TESTDEV_COUNT_IDX_ABORT];
    case A_COUNT_FAULT:
        return s->count[DMA_TESTDEV_COUNT_IDX_FAULT];
    case A_COUNT_ERROR:
        return s->count[DMA_TESTDEV_COUNT_IDX_ERROR];
    case A_MAX_LEN:
        return s->max_len;
    case A_SCANOUT_IOVA_LO:
        return extract64(s->scanout_iova, 0, 32);
    case A_SCANOUT_IOVA_HI:
        return extract64(s->scanout_iova, 32, 32);
    case A_SCANOUT_SIZE:
        return s->scanout_size;
    case A_SCANOUT_PERIOD:
        return s->scanout_period_us;
    case A_SCANOUT_OK:
        return s->scanout_count[DMA_TESTDEV_COUNT_IDX_OK];
    case A_SCANOUT_ABORT:
        return s->scanout_count[DMA_TESTDEV_COUNT_IDX_ABORT];
    case A_SCANOUT_FAULT:
        return s->scanout_count[DMA_TESTDEV_COUNT_IDX_FAULT];
    case A_SCANOUT_ERROR:
        return s->scanout_count[DMA_TESTDEV_COUNT_IDX_ERROR];
    case A_SCANOUT_CSUM:
        return s->scanout_csum;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: read of unknown register 0x%" HWADDR_PRIx "\n",
                      TYPE_DMA_TESTDEV, addr);
        return 0;
    }
}

static void dma_testdev_regs_write(void *opaque, hwaddr addr,
                                   uint64_t val64, unsigned size)
{
    DmaTestdevState *s = opaque;
    uint32_t val = val64;

    switch (addr) {
    case A_IOVA_LO:
        s->iova = deposit64(s->iova, 0, 32, val);
        break;
    case A_IOVA_HI:
        s->iova = deposit64(s->iova, 32, 32, val);
        break;
    case A_LEN:
        s->len = val;
        break;
    case A_PASID:
        s->pasid = val & (R_PASID_PASID_MASK | R_PASID_VALID_MASK);
        break;
    case A_PATTERN:
        s->pattern = val;
        break;
    case A_CMD:
        if (FIELD_EX32(val, CMD, RUN)) {
            dma_testdev_run(s, val);
        }
        break;
    case A_ID:
    case A_CAPS:
    case A_RESULT:
    case A_DONE:
    case A_FAULT_LO:
    case A_FAULT_HI:
    case A_CSUM:
    case A_TOTAL_LO:
    case A_TOTAL_HI:
    case A_COUNT_OK:
    case A_COUNT_ABORT:
    case A_COUNT_FAULT:
    case A_COUNT_ERROR:
    case A_MAX_LEN:
    case A_SCANOUT_IOVA_LO:
    case A_SCANOUT_IOVA_HI:
    case A_SCANOUT_SIZE:
    case A_SCANOUT_PERIOD:
    case A_SCANOUT_OK:
    case A_SCANOUT_ABORT:
    case A_SCANOUT_FAULT:
    case A_SCANOUT_ERROR:
    case A_SCANOUT_CSUM:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write to read-only register 0x%" HWADDR_PRIx "\n",
                      TYPE_DMA_TESTDEV, addr);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write to unknown register 0x%" HWADDR_PRIx "\n",
                      TYPE_DMA_TESTDEV, addr);
        break;
    }
}

/*
 * Registers are 32 bits wide.  A 64-bit access is split into two 32-bit
 * ones, the lower address first, so IOVA_HI:LO or TOTAL_HI:LO can be
 * accessed at once.
 */
static const MemoryRegionOps dma_testdev_regs_ops = {
    .read = dma_testdev_regs_read,
    .write = dma_testdev_regs_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

static uint64_t dma_testdev_window_read(void *opaque, hwaddr addr,
                                        unsigned size)
{
    DmaTestdevState *s = opaque;

    if (addr + size > s->max_len) {
        return 0;
    }
    return ldn_le_p(s->buf + addr, size);
}

static void dma_testdev_window_write(void *opaque, hwaddr addr,
                                     uint64_t val, unsigned size)
{
    DmaTestdevState *s = opaque;

    if (addr + size > s->max_len) {
        return;
    }
    stn_le_p(s->buf + addr, size, val);
}

/* The buffer window takes naturally aligned accesses of 1 to 8 bytes */
static const MemoryRegionOps dma_testdev_window_ops = {
    .read = dma_testdev_window_read,
    .write = dma_testdev_window_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

static void dma_testdev_realize(PCIDevice *pdev, Error **errp)
{
    DmaTestdevState *s = DMA_TESTDEV(pdev);

    if (s->max_len % 4 || s->max_len < DMA_TESTDEV_MAX_LEN_MIN ||
        s->max_len > DMA_TESTDEV_MAX_LEN_MAX) {
        error_setg(errp, "max-len must be a multiple of 4 from 0x%x to 0x%x, "
                   "not 0x%x", DMA_TESTDEV_MAX_LEN_MIN,
                   DMA_TESTDEV_MAX_LEN_MAX, s->max_len);
        return;
    }
    if (s->scanout_size) {
        if (s->scanout_size % 4 ||
            s->scanout_size > DMA_TESTDEV_SCANOUT_SIZE_MAX) {
            error_setg(errp, "scanout-size must be a multiple of 4 up to "
                       "0x%x, not 0x%x", DMA_TESTDEV_SCANOUT_SIZE_MAX,
                       s->scanout_size);
            return;
        }
        if (s->scanout_iova + (s->scanout_size - 1) < s->scanout_iova) {
            error_setg(errp, "scanout-iova 0x%" PRIx64 " + scanout-size 0x%x "
                       "wraps", s->scanout_iova, s->scanout_size);
            return;
        }
        if (s->scanout_period_us < DMA_TESTDEV_SCANOUT_PERIOD_MIN) {
            error_setg(errp, "scanout-period-us must be at least %u, not %u",
                       DMA_TESTDEV_SCANOUT_PERIOD_MIN, s->scanout_period_us);
            return;
        }
        s->scanout_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                        dma_testdev_scanout_tick, s);
    }

    if (pci_bus_is_express(pci_get_bus(pdev))) {
        if (pcie_endpoint_cap_init(pdev, DMA_TESTDEV_PCIE_CAP) < 0) {
            error_setg(errp, "failed to add the PCI Express capability");
            return;
        }
        if (s->pasid_cap) {
            pcie_pasid_init(pdev, DMA_TESTDEV_PASID_CAP,
                            DMA_TESTDEV_PASID_WIDTH, false, false);
            /* PASIDs travel in an End-End TLP Prefix */
            pci_long_test_and_set_mask(pdev->config + pdev->exp.exp_cap +
                                       PCI_EXP_DEVCAP2,
                                       PCI_EXP_DEVCAP2_EE_PREFIX);
        }
    } else {
        /* On a conventional bus: a 256-byte configuration space */
        pdev->cap_present &= ~QEMU_PCI_CAP_EXPRESS;
    }

    s->buf = g_malloc0(s->max_len);

    memory_region_init(&s->bar, OBJECT(s), "dma-testdev-bar",
                       DMA_TESTDEV_BAR_SIZE);
    memory_region_init_io(&s->regs, OBJECT(s), &dma_testdev_regs_ops, s,
                          "dma-testdev-regs", DMA_TESTDEV_REGS_SIZE);
    memory_region_init_io(&s->window, OBJECT(s), &dma_testdev_window_ops, s,
                          "dma-testdev-window", DMA_TESTDEV_WINDOW_SIZE);
    memory_region_add_subregion(&s->bar, 0, &s->regs);
    memory_region_add_subregion(&s->bar, DMA_TESTDEV_WINDOW, &s->window);
    pci_register_bar(pdev, DMA_TESTDEV_BAR, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->bar);
}

static void dma_testdev_instance_init(Object *obj)
{
    /*
     * A hybrid device: allocate a PCIe configuration space, realize drops
     * the flag again when the bus is conventional.
     */
    PCI_DEVICE(obj)->cap_present |= QEMU_PCI_CAP_EXPRESS;
}

static void dma_testdev_exit(PCIDevice *pdev)
{
    DmaTestdevState *s = DMA_TESTDEV(pdev);

    if (pci_is_express(pdev)) {
        pcie_cap_exit(pdev);
    }
    if (s->scanout_timer) {
        timer_free(s->scanout_timer);
        s->scanout_timer = NULL;
    }
    g_free(s->buf);
    s->buf = NULL;
}

static void dma_testdev_reset_exit(Object *obj, ResetType type)
{
    DmaTestdevState *s = DMA_TESTDEV(obj);

    s->iova = 0;
    s->len = 0;
    s->pasid = 0;
    s->pattern = 0;
    s->result = DMA_TESTDEV_RESULT_NONE;
    s->done = 0;
    s->fault = 0;
    s->csum = 0;
    s->total = 0;
    memset(s->count, 0, sizeof(s->count));
    memset(s->buf, 0, s->max_len);

    memset(s->scanout_count, 0, sizeof(s->scanout_count));
    s->scanout_last = DMA_TESTDEV_RESULT_NONE;
    s->scanout_csum = 0;
    if (s->scanout_timer) {
        /* The first frame one period after reset */
        timer_mod(s->scanout_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                  s->scanout_period_us * SCALE_US);
    }
}

static bool dma_testdev_scanout_needed(void *opaque)
{
    DmaTestdevState *s = opaque;

    return s->scanout_timer != NULL;
}

static const VMStateDescription vmstate_dma_testdev_scanout = {
    .name = TYPE_DMA_TESTDEV "/scanout",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = dma_testdev_scanout_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_TIMER_PTR(scanout_timer, DmaTestdevState),
        VMSTATE_UINT32_ARRAY(scanout_count, DmaTestdevState,
                             DMA_TESTDEV_COUNT_NUM),
        VMSTATE_UINT32(scanout_last, DmaTestdevState),
        VMSTATE_UINT32(scanout_csum, DmaTestdevState),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_dma_testdev = {
    .name = TYPE_DMA_TESTDEV,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, DmaTestdevState),
        VMSTATE_UINT32_EQUAL(max_len, DmaTestdevState, NULL),
        VMSTATE_UINT64(iova, DmaTestdevState),
        VMSTATE_UINT32(len, DmaTestdevState),
        VMSTATE_UINT32(pasid, DmaTestdevState),
        VMSTATE_UINT32(pattern, DmaTestdevState),
        VMSTATE_UINT32(result, DmaTestdevState),
        VMSTATE_UINT32(done, DmaTestdevState),
        VMSTATE_UINT64(fault, DmaTestdevState),
        VMSTATE_UINT32(csum, DmaTestdevState),
        VMSTATE_UINT64(total, DmaTestdevState),
        VMSTATE_UINT32_ARRAY(count, DmaTestdevState, DMA_TESTDEV_COUNT_NUM),
        VMSTATE_VBUFFER_UINT32(buf, DmaTestdevState, 1, NULL, max_len),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_dma_testdev_scanout,
        NULL
    },
};

static const Property dma_testdev_properties[] = {
    DEFINE_PROP_UINT32("max-len", DmaTestdevState, max_len,
                       DMA_TESTDEV_MAX_LEN_DEFAULT),
    DEFINE_PROP_BOOL("pasid", DmaTestdevState, pasid_cap, true),
    DEFINE_PROP_UINT64("scanout-iova", DmaTestdevState, scanout_iova, 0),
    DEFINE_PROP_UINT32("scanout-size", DmaTestdevState, scanout_size, 0),
    DEFINE_PROP_UINT32("scanout-period-us", DmaTestdevState,
                       scanout_period_us, DMA_TESTDEV_SCANOUT_PERIOD_DEFAULT),
};

static void dma_testdev_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);

    pc->realize = dma_testdev_realize;
    pc->exit = dma_testdev_exit;
    pc->vendor_id = DMA_TESTDEV_VENDOR_ID;
    pc->device_id = DMA_TESTDEV_DEVICE_ID;
    pc->revision = 1;
    /* Base class 0xff, subclass 0 (QEMU's PCI_CLASS_OTHERS is the base) */
    pc->class_id = PCI_CLASS_OTHERS << 8;

    rc->phases.exit = dma_testdev_reset_exit;
    dc->desc = "DMA test device";
    dc->vmsd = &vmstate_dma_testdev;
    device_class_set_props(dc, dma_testdev_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo dma_testdev_types[] = {
    {
        .name = TYPE_DMA_TESTDEV,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(DmaTestdevState),
        .instance_init = dma_testdev_instance_init,
        .class_init = dma_testdev_class_init,
        .interfaces = (const InterfaceInfo[]) {
            { INTERFACE_PCIE_DEVICE },
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(dma_testdev_types)
