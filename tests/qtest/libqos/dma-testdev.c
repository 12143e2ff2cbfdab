/*
 * libqos driver for the DMA test device (hw/misc/dma-testdev.c)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/pci/pci_regs.h"
#include "dma-testdev.h"

void dma_testdev_init(QDmaTestdev *d, QPCIBus *bus, int devfn)
{
    uint64_t size;

    d->pdev = qpci_device_find(bus, devfn);
    g_assert(d->pdev);
    g_assert_cmphex(qpci_config_readw(d->pdev, PCI_VENDOR_ID), ==,
                    DMA_TESTDEV_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(d->pdev, PCI_DEVICE_ID), ==,
                    DMA_TESTDEV_DEVICE_ID);
    qpci_device_enable(d->pdev);
    d->bar = qpci_iomap(d->pdev, DMA_TESTDEV_BAR, &size);
    g_assert_cmphex(size, ==, DMA_TESTDEV_BAR_SIZE);
}

void dma_testdev_uninit(QDmaTestdev *d)
{
    if (d->pdev) {
        qpci_iounmap(d->pdev, d->bar);
        g_free(d->pdev);
        d->pdev = NULL;
    }
}

void dma_testdev_enable_pasid(QDmaTestdev *d, uint64_t ecam)
{
    /* docs/specs/dma-testdev.rst: the capability opens extended space */
    uint64_t cap = ecam + ((uint64_t)d->pdev->devfn << 12) +
                   PCI_CFG_SPACE_SIZE;
    QTestState *qts = d->pdev->bus->qts;

    g_assert_cmphex(PCI_EXT_CAP_ID(qtest_readl(qts, cap)), ==,
                    PCI_EXT_CAP_ID_PASID);
    qtest_writew(qts, cap + PCI_PASID_CTRL, PCI_PASID_CTRL_ENABLE);
}

uint32_t dma_testdev_readl(QDmaTestdev *d, uint32_t reg)
{
    return qpci_io_readl(d->pdev, d->bar, reg);
}

void dma_testdev_writel(QDmaTestdev *d, uint32_t reg, uint32_t val)
{
    qpci_io_writel(d->pdev, d->bar, reg, val);
}

/*
 * Program the transfer registers and ring CMD.  The PASID register is
 * written on every command, so a tag never leaks into the next one.
 */
static uint32_t dma_testdev_run(QDmaTestdev *d, uint32_t cmd, uint64_t iova,
                                uint32_t len, uint32_t seed, uint32_t pasid)
{
    dma_testdev_writel(d, DMA_TESTDEV_IOVA_LO, (uint32_t)iova);
    dma_testdev_writel(d, DMA_TESTDEV_IOVA_HI, (uint32_t)(iova >> 32));
    dma_testdev_writel(d, DMA_TESTDEV_LEN, len);
    dma_testdev_writel(d, DMA_TESTDEV_PASID, pasid);
    dma_testdev_writel(d, DMA_TESTDEV_PATTERN, seed);
    dma_testdev_writel(d, DMA_TESTDEV_CMD, cmd | DMA_TESTDEV_CMD_RUN);
    return dma_testdev_readl(d, DMA_TESTDEV_RESULT);
}

uint32_t dma_testdev_write_pattern(QDmaTestdev *d, uint64_t iova,
                                   uint32_t len, uint32_t seed)
{
    return dma_testdev_run(d, DMA_TESTDEV_CMD_WRITE, iova, len, seed, 0);
}

uint32_t dma_testdev_write_pattern_pasid(QDmaTestdev *d, uint64_t iova,
                                         uint32_t len, uint32_t seed,
                                         uint32_t pasid)
{
    return dma_testdev_run(d, DMA_TESTDEV_CMD_WRITE, iova, len, seed,
                           DMA_TESTDEV_PASID_VALID | pasid);
}

uint32_t dma_testdev_read(QDmaTestdev *d, uint64_t iova, uint32_t len)
{
    return dma_testdev_run(d, 0, iova, len, 0, 0);
}

uint32_t dma_testdev_read_pasid(QDmaTestdev *d, uint64_t iova, uint32_t len,
                                uint32_t pasid)
{
    return dma_testdev_run(d, 0, iova, len, 0,
                           DMA_TESTDEV_PASID_VALID | pasid);
}

uint32_t dma_testdev_write_buffer(QDmaTestdev *d, uint64_t iova, uint32_t len)
{
    return dma_testdev_run(d, DMA_TESTDEV_CMD_WRITE | DMA_TESTDEV_CMD_FROM_BUF,
                           iova, len, 0, 0);
}

uint32_t dma_testdev_done(QDmaTestdev *d)
{
    return dma_testdev_readl(d, DMA_TESTDEV_DONE);
}

uint64_t dma_testdev_fault_addr(QDmaTestdev *d)
{
    uint64_t hi = dma_testdev_readl(d, DMA_TESTDEV_FAULT_HI);

    return (hi << 32) | dma_testdev_readl(d, DMA_TESTDEV_FAULT_LO);
}

uint32_t dma_testdev_csum(QDmaTestdev *d)
{
    return dma_testdev_readl(d, DMA_TESTDEV_CSUM);
}

void dma_testdev_buffer_read(QDmaTestdev *d, void *buf, size_t len)
{
    g_assert_cmpuint(len, <=, DMA_TESTDEV_WINDOW_SIZE);
    qpci_memread(d->pdev, d->bar, DMA_TESTDEV_WINDOW, buf, len);
}

void dma_testdev_buffer_write(QDmaTestdev *d, const void *buf, size_t len)
{
    g_assert_cmpuint(len, <=, DMA_TESTDEV_WINDOW_SIZE);
    qpci_memwrite(d->pdev, d->bar, DMA_TESTDEV_WINDOW, buf, len);
}

void dma_testdev_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
    uint8_t word[4];
    size_t i;

    for (i = 0; i < len; i++) {
        if (i % 4 == 0) {
            stl_le_p(word, dma_testdev_pattern_word(seed, i / 4));
        }
        buf[i] = word[i % 4];
    }
}

uint32_t dma_testdev_checksum(const uint8_t *buf, size_t len)
{
    uint8_t word[4];
    uint32_t sum = 0;
    size_t i;

    for (i = 0; i < len; i += 4) {
        memset(word, 0, sizeof(word));
        memcpy(word, buf + i, MIN(len - i, sizeof(word)));
        sum += ldl_le_p(word);
    }
    return sum;
}

const char *dma_testdev_result_name(uint32_t result)
{
    static const char *const names[] = {
        [DMA_TESTDEV_RESULT_NONE] = "none",
        [DMA_TESTDEV_RESULT_OK] = "ok",
        [DMA_TESTDEV_RESULT_ABORT] = "abort",
        [DMA_TESTDEV_RESULT_FAULT] = "fault",
        [DMA_TESTDEV_RESULT_ERROR] = "error",
        [DMA_TESTDEV_RESULT_INVALID] = "invalid",
    };

    if (result < ARRAY_SIZE(names)) {
        return names[result];
    }
    return "unknown";
}
