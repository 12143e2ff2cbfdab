/*
 * DMA test device: a PCIe endpoint that moves bytes through its IOMMU
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The register interface is shared by the device model
 * (hw/misc/dma-testdev.c) and the qtest driver
 * (tests/qtest/libqos/dma-testdev.c).  See docs/specs/dma-testdev.rst.
 */

#ifndef HW_MISC_DMA_TESTDEV_H
#define HW_MISC_DMA_TESTDEV_H

#define TYPE_DMA_TESTDEV "dma-testdev"

#define DMA_TESTDEV_VENDOR_ID   0x1b36   /* Red Hat, QEMU's test devices */
#define DMA_TESTDEV_DEVICE_ID   0x0201   /* not used by QEMU 10.2.2 */

/* BAR 0: registers in the first 4 KiB, the data buffer window after them */
#define DMA_TESTDEV_BAR             0
#define DMA_TESTDEV_BAR_SIZE        0x2000
#define DMA_TESTDEV_REGS_SIZE       0x1000
#define DMA_TESTDEV_WINDOW          0x1000
#define DMA_TESTDEV_WINDOW_SIZE     0x1000

#define DMA_TESTDEV_MAGIC           0x44544d41  /* "AMTD" read as LE bytes */

/* Register offsets (all 32 bits wide, little-endian) */
#define DMA_TESTDEV_ID              0x00  /* RO: DMA_TESTDEV_MAGIC */
#define DMA_TESTDEV_CAPS            0x04  /* RO: see DMA_TESTDEV_CAPS_* */
#define DMA_TESTDEV_IOVA_LO         0x08  /* RW: DMA address, bits 31:0 */
#define DMA_TESTDEV_IOVA_HI         0x0c  /* RW: DMA address, bits 63:32 */
#define DMA_TESTDEV_LEN             0x10  /* RW: bytes, 1..max-len */
#define DMA_TESTDEV_PASID           0x14  /* RW: see DMA_TESTDEV_PASID_* */
#define DMA_TESTDEV_PATTERN         0x18  /* RW: seed of the write pattern */
#define DMA_TESTDEV_CMD             0x1c  /* WO: doorbell, runs the DMA */
#define DMA_TESTDEV_RESULT          0x20  /* RO: DMA_TESTDEV_RESULT_* */
#define DMA_TESTDEV_DONE            0x24  /* RO: bytes moved by last CMD */
#define DMA_TESTDEV_FAULT_LO        0x28  /* RO: first IOVA that failed */
#define DMA_TESTDEV_FAULT_HI        0x2c
#define DMA_TESTDEV_CSUM            0x30  /* RO: sum of the LE words moved */
#define DMA_TESTDEV_TOTAL_LO        0x38  /* RO: bytes moved since reset */
#define DMA_TESTDEV_TOTAL_HI        0x3c
#define DMA_TESTDEV_COUNT_OK        0x40  /* RO: commands per result */
#define DMA_TESTDEV_COUNT_ABORT     0x44
#define DMA_TESTDEV_COUNT_FAULT     0x48
#define DMA_TESTDEV_COUNT_ERROR     0x4c
#define DMA_TESTDEV_MAX_LEN         0x50  /* RO: the max-len property */
/* Scanout: a periodic read the device starts by itself at reset */
#define DMA_TESTDEV_SCANOUT_IOVA_LO 0x60  /* RO: the scanout-iova property */
#define DMA_TESTDEV_SCANOUT_IOVA_HI 0x64
#define DMA_TESTDEV_SCANOUT_SIZE    0x68  /* RO: scanout-size, 0: no scanout */
#define DMA_TESTDEV_SCANOUT_PERIOD  0x6c  /* RO: scanout-period-us */
#define DMA_TESTDEV_SCANOUT_OK      0x70  /* RO: frames per outcome */
#define DMA_TESTDEV_SCANOUT_ABORT   0x74
#define DMA_TESTDEV_SCANOUT_FAULT   0x78
#define DMA_TESTDEV_SCANOUT_ERROR   0x7c
#define DMA_TESTDEV_SCANOUT_CSUM    0x80  /* RO: sum of the last good frame */

/* CAPS */
#define DMA_TESTDEV_CAPS_PASID      (1u << 0)  /* PASID-tagged DMA */
#define DMA_TESTDEV_CAPS_SCANOUT    (1u << 1)  /* the scanout runs */

/* PASID register */
#define DMA_TESTDEV_PASID_MASK      0x000fffffu  /* PASID, bits 19:0 */
#define DMA_TESTDEV_PASID_VALID     (1u << 31)   /* tag the DMA */

/* CMD: write with RUN set to start a DMA; it completes before the write */
#define DMA_TESTDEV_CMD_RUN         (1u << 0)
#define DMA_TESTDEV_CMD_WRITE       (1u << 1)  /* 1: device -> memory */
#define DMA_TESTDEV_CMD_FROM_BUF    (1u << 2)  /* source: buffer, not pattern */

/* RESULT */
#define DMA_TESTDEV_RESULT_NONE     0  /* no command since reset */
#define DMA_TESTDEV_RESULT_OK       1  /* every byte moved */
#define DMA_TESTDEV_RESULT_ABORT    2  /* IOMMU terminated it, no event */
#define DMA_TESTDEV_RESULT_FAULT    3  /* IOMMU terminated it, event sent */
#define DMA_TESTDEV_RESULT_ERROR    4  /* other bus error (no IOMMU cause) */
#define DMA_TESTDEV_RESULT_INVALID  5  /* bad register values, no DMA */

/*
 * The write pattern: the 32-bit little-endian word at byte offset 4 * k of
 * the transfer is PATTERN + k.  A transfer whose length is not a multiple of
 * four ends with the low bytes of the next word.
 */
static inline uint32_t dma_testdev_pattern_word(uint32_t seed, uint32_t k)
{
    return seed + k;
}

#endif /* HW_MISC_DMA_TESTDEV_H */
