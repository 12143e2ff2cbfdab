/*
 * libqos driver for the DMA test device (hw/misc/dma-testdev.c)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each helper is one step of docs/specs/dma-testdev.rst: program the
 * address, length and PASID registers, ring CMD, read RESULT.  The DMA
 * completes inside the CMD write, so nothing here polls.
 */

#ifndef QTEST_LIBQOS_DMA_TESTDEV_H
#define QTEST_LIBQOS_DMA_TESTDEV_H

#include "pci.h"
#include "hw/misc/dma-testdev.h"

typedef struct QDmaTestdev {
    QPCIDevice *pdev;
    QPCIBar bar;
} QDmaTestdev;

/*
 * Find the device at @devfn on @bus, enable memory decoding and bus
 * mastering, and map BAR 0.  Asserts that the device is there.
 */
void dma_testdev_init(QDmaTestdev *d, QPCIBus *bus, int devfn);
void dma_testdev_uninit(QDmaTestdev *d);
/*
 * Set the Enable bit of the PASID capability, as a driver does before
 * the device may tag its DMA (pci_enable_pasid() in Linux).  The
 * capability is in extended configuration space, which libqos reaches
 * only through the ECAM window at @ecam of the device's bus 0.
 */
void dma_testdev_enable_pasid(QDmaTestdev *d, uint64_t ecam);

uint32_t dma_testdev_readl(QDmaTestdev *d, uint32_t reg);
void dma_testdev_writel(QDmaTestdev *d, uint32_t reg, uint32_t val);

/* Device -> memory: @len bytes of the pattern @seed at @iova; returns RESULT */
uint32_t dma_testdev_write_pattern(QDmaTestdev *d, uint64_t iova,
                                   uint32_t len, uint32_t seed);
/* Same, tagged with @pasid (sets PASID_VALID for this command only). */
uint32_t dma_testdev_write_pattern_pasid(QDmaTestdev *d, uint64_t iova,
                                         uint32_t len, uint32_t seed,
                                         uint32_t pasid);
/* Memory -> device: @len bytes at @iova into the buffer; returns RESULT */
uint32_t dma_testdev_read(QDmaTestdev *d, uint64_t iova, uint32_t len);
uint32_t dma_testdev_read_pasid(QDmaTestdev *d, uint64_t iova, uint32_t len,
                                uint32_t pasid);
/* Device buffer -> memory: @len bytes at @iova.  Returns RESULT. */
uint32_t dma_testdev_write_buffer(QDmaTestdev *d, uint64_t iova, uint32_t len);

uint32_t dma_testdev_done(QDmaTestdev *d);        /* DONE register */
uint64_t dma_testdev_fault_addr(QDmaTestdev *d);  /* FAULT_HI:LO */
uint32_t dma_testdev_csum(QDmaTestdev *d);        /* CSUM register */

/* Copy the first @len (<= 4096) bytes of the device buffer out of the window */
void dma_testdev_buffer_read(QDmaTestdev *d, void *buf, size_t len);
/* Copy @len (<= 4096) bytes into the start of the device buffer */
void dma_testdev_buffer_write(QDmaTestdev *d, const void *buf, size_t len);

/* Fill @buf with the bytes a pattern write of @seed produces. */
void dma_testdev_pattern(uint8_t *buf, size_t len, uint32_t seed);
/* The CSUM a transfer of the bytes @buf[0..@len) reports. */
uint32_t dma_testdev_checksum(const uint8_t *buf, size_t len);

/* "ok", "abort", "fault", "error", "invalid", "none" */
const char *dma_testdev_result_name(uint32_t result);

#endif /* QTEST_LIBQOS_DMA_TESTDEV_H */
