/*
 * QTest of the DMA test device (hw/misc/dma-testdev.c)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The device sits on the virt machine's pcie.0 with no IOMMU in front of
 * it (and once behind a disabled SMMUv3), and moves bytes to and from
 * guest RAM.  Each case checks the registers of
 * docs/specs/dma-testdev.rst against what landed in memory.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "hw/pci/pci_ids.h"
#include "hw/pci/pci_regs.h"
#include "libqos/generic-pcihost.h"
#include "libqos/libqos-malloc.h"
#include "libqos/dma-testdev.h"

#define RAM_BASE        0x40000000ULL
#define RAM_SIZE        (128 * 1024 * 1024ULL)
#define RAM_END         (RAM_BASE + RAM_SIZE)
#define PAGE            0x1000
#define DEV_SLOT        4
#define DEV_DEVFN       QPCI_DEVFN(DEV_SLOT, 0)
#define DEFAULT_MAX_LEN 0x100000
/* Between the end of RAM and the high PCIe ECAM: nothing decodes there */
#define UNASSIGNED      0x800000000ULL
/* The virt machine's SMMUv3 and its Global Bypass Attribute register */
#define VIRT_SMMU_BASE  0x09050000ULL
#define SMMU_GBPA       0x44
#define SMMU_GBPA_UPDATE (1u << 31)
#define SMMU_GBPA_ABORT (1u << 20)
/* What the tests fill memory with before a DMA, to spot stray bytes */
#define FILL            0xa5

typedef struct TestCtx {
    QTestState *qts;
    QGuestAllocator alloc;
    QGenericPCIBus pcibus;
    QDmaTestdev dev;
} TestCtx;

static void ctx_start(TestCtx *c, const char *machine, const char *dev_opts)
{
    c->qts = qtest_initf("-M %s -cpu max -m %uM -nodefaults "
                         "-device dma-testdev,bus=pcie.0,addr=%02x.0%s",
                         machine, (unsigned)(RAM_SIZE >> 20), DEV_SLOT,
                         dev_opts);
    alloc_init(&c->alloc, 0, RAM_BASE, RAM_END, PAGE);
    qpci_init_generic(&c->pcibus, c->qts, &c->alloc, false);
    dma_testdev_init(&c->dev, &c->pcibus.bus, DEV_DEVFN);
}

static void ctx_stop(TestCtx *c)
{
    dma_testdev_uninit(&c->dev);
    alloc_destroy(&c->alloc);
    qtest_quit(c->qts);
}

/* Guest RAM for a test: @len bytes filled with FILL, plus a guard after. */
static uint64_t ctx_alloc(TestCtx *c, size_t len)
{
    uint64_t pa = guest_alloc(&c->alloc, len + PAGE);

    qtest_memset(c->qts, pa, FILL, len + PAGE);
    return pa;
}

/* Start "virt" and ctx_alloc() @len bytes on it */
static uint64_t ctx_start_alloc(TestCtx *c, size_t len)
{
    ctx_start(c, "virt", "");
    return ctx_alloc(c, len);
}

static void assert_filled(TestCtx *c, uint64_t pa, size_t len)
{
    g_autofree uint8_t *got = g_malloc(len);
    size_t i;

    qtest_memread(c->qts, pa, got, len);
    for (i = 0; i < len; i++) {
        g_assert_cmphex(got[i], ==, FILL);
    }
}

static void assert_pattern_at(TestCtx *c, uint64_t pa, size_t len,
                              uint32_t seed)
{
    g_autofree uint8_t *want = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);

    dma_testdev_pattern(want, len, seed);
    qtest_memread(c->qts, pa, got, len);
    g_assert_cmpmem(got, len, want, len);
}

static void assert_result(TestCtx *c, uint32_t result, uint32_t want)
{
    g_assert_cmpstr(dma_testdev_result_name(result), ==,
                    dma_testdev_result_name(want));
    g_assert_cmpuint(dma_testdev_readl(&c->dev, DMA_TESTDEV_RESULT), ==,
                     want);
}

static void test_id(void)
{
    TestCtx c;

    ctx_start(&c, "virt", "");
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_ID), ==,
                    DMA_TESTDEV_MAGIC);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_CAPS), ==,
                    DMA_TESTDEV_CAPS_PASID | (8 << 8));
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_MAX_LEN), ==,
                    DEFAULT_MAX_LEN);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_RESULT), ==,
                    DMA_TESTDEV_RESULT_NONE);
    g_assert_cmphex(qpci_config_readb(c.dev.pdev, PCI_REVISION_ID), ==, 1);
    /* Class 0xff00: base class 0xff ("unassigned"), subclass 0 */
    g_assert_cmphex(qpci_config_readb(c.dev.pdev, PCI_CLASS_DEVICE + 1), ==,
                    0xff);
    g_assert_cmphex(qpci_config_readb(c.dev.pdev, PCI_CLASS_DEVICE), ==, 0);
    /* A PCIe endpoint on pcie.0: it has a PCI Express capability */
    g_assert_cmphex(qpci_find_capability(c.dev.pdev, PCI_CAP_ID_EXP, 0),
                    !=, 0);
    /* The RW registers read back */
    dma_testdev_writel(&c.dev, DMA_TESTDEV_IOVA_LO, 0x89abcdef);
    dma_testdev_writel(&c.dev, DMA_TESTDEV_IOVA_HI, 0x01234567);
    dma_testdev_writel(&c.dev, DMA_TESTDEV_LEN, 0x1234);
    dma_testdev_writel(&c.dev, DMA_TESTDEV_PATTERN, 0xcafef00d);
    dma_testdev_writel(&c.dev, DMA_TESTDEV_PASID, 0xffffffff);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_IOVA_LO), ==,
                    0x89abcdef);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_IOVA_HI), ==,
                    0x01234567);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_LEN), ==, 0x1234);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_PATTERN), ==,
                    0xcafef00d);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_PASID), ==,
                    DMA_TESTDEV_PASID_VALID | DMA_TESTDEV_PASID_MASK);
    /* Read-only registers ignore writes */
    dma_testdev_writel(&c.dev, DMA_TESTDEV_MAX_LEN, 0x1000);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_MAX_LEN), ==,
                    DEFAULT_MAX_LEN);
    ctx_stop(&c);
}

static void test_props(void)
{
    TestCtx c;

    ctx_start(&c, "virt", ",max-len=0x2000,pasid=off");
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_CAPS), ==, 0);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_MAX_LEN), ==,
                    0x2000);
    /* Without the pasid capability a tagged command is refused */
    assert_result(&c, dma_testdev_write_pattern_pasid(&c.dev, RAM_BASE, 4,
                                                      0, 1),
                  DMA_TESTDEV_RESULT_INVALID);
    ctx_stop(&c);
}

static void test_write_pattern(void)
{
    const uint32_t len = 0x123, seed = 0x11223344;
    g_autofree uint8_t *want = g_malloc(len);
    TestCtx c;
    uint64_t pa;

    pa = ctx_start_alloc(&c, len + 8);

    /* Start 3 bytes in and end mid-word: every byte must be exact */
    assert_result(&c, dma_testdev_write_pattern(&c.dev, pa + 3, len, seed),
                  DMA_TESTDEV_RESULT_OK);
    g_assert_cmphex(dma_testdev_done(&c.dev), ==, len);
    g_assert_cmphex(dma_testdev_fault_addr(&c.dev), ==, 0);
    assert_filled(&c, pa, 3);
    assert_pattern_at(&c, pa + 3, len, seed);
    assert_filled(&c, pa + 3 + len, 8);

    dma_testdev_pattern(want, len, seed);
    g_assert_cmphex(dma_testdev_csum(&c.dev), ==,
                    dma_testdev_checksum(want, len));
    /* The first word is the seed itself, little-endian */
    g_assert_cmphex(qtest_readl(c.qts, pa + 3), ==, seed);
    g_assert_cmphex(qtest_readl(c.qts, pa + 7), ==, seed + 1);
    ctx_stop(&c);
}

static void test_read(void)
{
    const uint32_t len = 0x201;
    uint8_t data[0x201], got[0x201];
    TestCtx c;
    uint64_t pa;
    size_t i;

    pa = ctx_start_alloc(&c, len);
    for (i = 0; i < len; i++) {
        data[i] = i * 7 + 1;
    }
    qtest_memwrite(c.qts, pa, data, len);

    assert_result(&c, dma_testdev_read(&c.dev, pa, len),
                  DMA_TESTDEV_RESULT_OK);
    g_assert_cmphex(dma_testdev_done(&c.dev), ==, len);
    g_assert_cmphex(dma_testdev_csum(&c.dev), ==,
                    dma_testdev_checksum(data, len));
    dma_testdev_buffer_read(&c.dev, got, len);
    g_assert_cmpmem(got, len, data, len);
    /* Reading moves nothing into memory */
    qtest_memread(c.qts, pa, got, len);
    g_assert_cmpmem(got, len, data, len);
    assert_filled(&c, pa + len, 16);
    ctx_stop(&c);
}

static void test_write_from_buffer(void)
{
    const uint32_t len = 0x3e;
    uint8_t data[0x3e];
    TestCtx c;
    uint64_t pa;
    size_t i;

    pa = ctx_start_alloc(&c, len);
    for (i = 0; i < len; i++) {
        data[i] = 0xff - i;
    }
    dma_testdev_buffer_write(&c.dev, data, len);

    assert_result(&c, dma_testdev_write_buffer(&c.dev, pa, len),
                  DMA_TESTDEV_RESULT_OK);
    g_assert_cmphex(dma_testdev_done(&c.dev), ==, len);
    g_assert_cmphex(dma_testdev_csum(&c.dev), ==,
                    dma_testdev_checksum(data, len));
    {
        uint8_t got[0x3e];

        qtest_memread(c.qts, pa, got, len);
        g_assert_cmpmem(got, len, data, len);
    }
    assert_filled(&c, pa + len, 16);
    ctx_stop(&c);
}

static void test_cross_pages(void)
{
    const uint32_t len = 3 * PAGE + 0x104, seed = 0xfffffffe;
    uint8_t want[3 * PAGE + 0x104];
    uint32_t csum;
    TestCtx c;
    uint64_t pa;

    pa = ctx_start_alloc(&c, len + PAGE);

    /* Starts 0x100 below a page boundary and spans four boundaries */
    assert_result(&c, dma_testdev_write_pattern(&c.dev, pa + PAGE - 0x100,
                                                len, seed),
                  DMA_TESTDEV_RESULT_OK);
    g_assert_cmphex(dma_testdev_done(&c.dev), ==, len);
    assert_filled(&c, pa, PAGE - 0x100);
    assert_pattern_at(&c, pa + PAGE - 0x100, len, seed);
    assert_filled(&c, pa + PAGE - 0x100 + len, 0x10);
    dma_testdev_pattern(want, len, seed);
    csum = dma_testdev_csum(&c.dev);
    g_assert_cmphex(csum, ==, dma_testdev_checksum(want, len));

    /* Reading it back gives the same checksum; the window shows page 0 */
    assert_result(&c, dma_testdev_read(&c.dev, pa + PAGE - 0x100, len),
                  DMA_TESTDEV_RESULT_OK);
    g_assert_cmphex(dma_testdev_csum(&c.dev), ==, csum);
    {
        uint8_t got[PAGE];

        dma_testdev_buffer_read(&c.dev, got, PAGE);
        g_assert_cmpmem(got, PAGE, want, PAGE);
    }
    ctx_stop(&c);
}

static void assert_invalid(TestCtx *c, uint32_t result)
{
    assert_result(c, result, DMA_TESTDEV_RESULT_INVALID);
    g_assert_cmphex(dma_testdev_done(&c->dev), ==, 0);
    g_assert_cmphex(dma_testdev_fault_addr(&c->dev), ==, 0);
    g_assert_cmphex(dma_testdev_csum(&c->dev), ==, 0);
}

static void test_invalid(void)
{
    TestCtx c;
    uint64_t pa;

    pa = ctx_start_alloc(&c, DEFAULT_MAX_LEN + 4);

    assert_invalid(&c, dma_testdev_write_pattern(&c.dev, pa, 0, 1));
    assert_invalid(&c, dma_testdev_write_pattern(&c.dev, pa,
                                                 DEFAULT_MAX_LEN + 1, 1));
    assert_invalid(&c, dma_testdev_write_pattern(&c.dev,
                                                 0xfffffffffffff000ULL,
                                                 0x1001, 1));
    /* A PASID before the capability's Enable bit, then one too wide */
    assert_invalid(&c, dma_testdev_write_pattern_pasid(&c.dev, pa, 4, 1,
                                                       5));
    dma_testdev_enable_pasid(&c.dev, c.pcibus.ecam_alloc_ptr);
    assert_invalid(&c, dma_testdev_write_pattern_pasid(&c.dev, pa, 4, 1,
                                                       256));
    assert_invalid(&c, dma_testdev_read_pasid(&c.dev, pa, 4, 0xfffff));
    assert_filled(&c, pa, DEFAULT_MAX_LEN + 4);
    g_assert_cmpuint(dma_testdev_readl(&c.dev, DMA_TESTDEV_COUNT_ERROR), ==,
                     6);
    g_assert_cmpuint(dma_testdev_readl(&c.dev, DMA_TESTDEV_TOTAL_LO), ==, 0);

    /* Valid edges: max-len bytes, the top of the IOVA space, PASID 255 */
    assert_result(&c, dma_testdev_write_pattern(&c.dev, pa, DEFAULT_MAX_LEN,
                                                1),
                  DMA_TESTDEV_RESULT_OK);
    assert_pattern_at(&c, pa, DEFAULT_MAX_LEN, 1);
    assert_filled(&c, pa + DEFAULT_MAX_LEN, 4);
    assert_result(&c, dma_testdev_read(&c.dev, 0xfffffffffffff000ULL,
                                       0x1000),
                  DMA_TESTDEV_RESULT_ERROR);
    assert_result(&c, dma_testdev_write_pattern_pasid(&c.dev, pa, 4, 7, 255),
                  DMA_TESTDEV_RESULT_OK);
    assert_pattern_at(&c, pa, 4, 7);
    ctx_stop(&c);
}

static void test_unassigned(void)
{
    const uint64_t start = RAM_END - 0x1800;
    const uint32_t len = 0x3000, seed = 0x5a5a0000;
    uint8_t want[0x1800], got[0x1000];
    TestCtx c;

    ctx_start(&c, "virt", "");

    /* Nothing there at all */
    assert_result(&c, dma_testdev_write_pattern(&c.dev, UNASSIGNED, 0x10, 0),
                  DMA_TESTDEV_RESULT_ERROR);
    g_assert_cmphex(dma_testdev_done(&c.dev), ==, 0);
    g_assert_cmphex(dma_testdev_fault_addr(&c.dev), ==, UNASSIGNED);
    g_assert_cmphex(dma_testdev_csum(&c.dev), ==, 0);

    /* Starts in RAM, runs off its end: the first 0x1800 bytes land */
    qtest_memset(c.qts, start, FILL, RAM_END - start);
    assert_result(&c, dma_testdev_write_pattern(&c.dev, start, len, seed),
                  DMA_TESTDEV_RESULT_ERROR);
    g_assert_cmphex(dma_testdev_done(&c.dev), ==, RAM_END - start);
    g_assert_cmphex(dma_testdev_fault_addr(&c.dev), ==, RAM_END);
    assert_pattern_at(&c, start, RAM_END - start, seed);
    dma_testdev_pattern(want, sizeof(want), seed);
    g_assert_cmphex(dma_testdev_csum(&c.dev), ==,
                    dma_testdev_checksum(want, sizeof(want)));

    /* The same as a read: the buffer holds what was read before the error */
    qtest_memset(c.qts, start, 0x3c, RAM_END - start);
    assert_result(&c, dma_testdev_read(&c.dev, start, len),
                  DMA_TESTDEV_RESULT_ERROR);
    g_assert_cmphex(dma_testdev_done(&c.dev), ==, RAM_END - start);
    g_assert_cmphex(dma_testdev_fault_addr(&c.dev), ==, RAM_END);
    g_assert_cmphex(dma_testdev_csum(&c.dev), ==, 0x3c3c3c3cu * 0x600u);
    dma_testdev_buffer_read(&c.dev, got, sizeof(got));
    memset(want, 0x3c, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(got));
    ctx_stop(&c);
}

static void assert_counters(TestCtx *c, uint32_t ok, uint32_t error,
                            uint64_t total)
{
    g_assert_cmpuint(dma_testdev_readl(&c->dev, DMA_TESTDEV_COUNT_OK), ==,
                     ok);
    g_assert_cmpuint(dma_testdev_readl(&c->dev, DMA_TESTDEV_COUNT_ABORT), ==,
                     0);
    g_assert_cmpuint(dma_testdev_readl(&c->dev, DMA_TESTDEV_COUNT_FAULT), ==,
                     0);
    g_assert_cmpuint(dma_testdev_readl(&c->dev, DMA_TESTDEV_COUNT_ERROR), ==,
                     error);
    g_assert_cmphex(dma_testdev_readl(&c->dev, DMA_TESTDEV_TOTAL_LO), ==,
                    (uint32_t)total);
    g_assert_cmphex(dma_testdev_readl(&c->dev, DMA_TESTDEV_TOTAL_HI), ==,
                    total >> 32);
}

static void test_counters(void)
{
    TestCtx c;
    uint64_t pa;

    pa = ctx_start_alloc(&c, DEFAULT_MAX_LEN);
    assert_counters(&c, 0, 0, 0);

    dma_testdev_write_pattern(&c.dev, pa, 100, 0);
    dma_testdev_read(&c.dev, pa, 200);
    assert_counters(&c, 2, 0, 300);
    dma_testdev_write_pattern(&c.dev, RAM_END - 0x1800, 0x3000, 0);
    assert_counters(&c, 2, 1, 300 + 0x1800);
    dma_testdev_read(&c.dev, pa, 0);
    assert_counters(&c, 2, 2, 300 + 0x1800);

    /* TOTAL_HI carries: 4096 transfers of 1 MiB are 4 GiB */
    dma_testdev_writel(&c.dev, DMA_TESTDEV_IOVA_LO, (uint32_t)pa);
    dma_testdev_writel(&c.dev, DMA_TESTDEV_IOVA_HI, pa >> 32);
    dma_testdev_writel(&c.dev, DMA_TESTDEV_LEN, DEFAULT_MAX_LEN);
    dma_testdev_writel(&c.dev, DMA_TESTDEV_PASID, 0);
    for (int i = 0; i < 4096; i++) {
        dma_testdev_writel(&c.dev, DMA_TESTDEV_CMD, DMA_TESTDEV_CMD_RUN);
    }
    assert_counters(&c, 2 + 4096, 2, 300 + 0x1800 + 0x100000000ULL);

    /* A system reset clears the counters and RESULT */
    qtest_system_reset(c.qts);
    dma_testdev_uninit(&c.dev);
    dma_testdev_init(&c.dev, &c.pcibus.bus, DEV_DEVFN);
    assert_counters(&c, 0, 0, 0);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_RESULT), ==,
                    DMA_TESTDEV_RESULT_NONE);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_LEN), ==, 0);
    ctx_stop(&c);
}

static void test_smmuv3_bypass(void)
{
    const uint32_t len = 0x1800, seed = 0x600d;
    TestCtx c;
    uint64_t pa;

    /* The SMMU is left disabled: GBPA lets the DMA through untranslated */
    ctx_start(&c, "virt,iommu=smmuv3", "");
    pa = ctx_alloc(&c, len);
    assert_result(&c, dma_testdev_write_pattern(&c.dev, pa + 0x800, len,
                                                seed),
                  DMA_TESTDEV_RESULT_OK);
    g_assert_cmphex(dma_testdev_done(&c.dev), ==, len);
    assert_pattern_at(&c, pa + 0x800, len, seed);
    assert_filled(&c, pa + 0x800 + len, 0x10);

    /* An error past the SMMU is still a bus error, not an IOMMU fault */
    assert_result(&c, dma_testdev_read(&c.dev, UNASSIGNED, 4),
                  DMA_TESTDEV_RESULT_ERROR);
    g_assert_cmphex(dma_testdev_fault_addr(&c.dev), ==, UNASSIGNED);
    ctx_stop(&c);
}

/*
 * With SMMUEN=0, GBPA.ABORT terminates every transaction without an event
 * (IHI 0070, 6.3.14): the device must see an IOMMU abort, not a bus error.
 */
static void test_smmuv3_gbpa_abort(void)
{
    TestCtx c;
    uint64_t pa;

    ctx_start(&c, "virt,iommu=smmuv3", "");
    pa = ctx_alloc(&c, 0x100);
    qtest_writel(c.qts, VIRT_SMMU_BASE + SMMU_GBPA,
                 SMMU_GBPA_UPDATE | SMMU_GBPA_ABORT);
    g_assert_cmphex(qtest_readl(c.qts, VIRT_SMMU_BASE + SMMU_GBPA), ==,
                    SMMU_GBPA_ABORT);

    assert_result(&c, dma_testdev_write_pattern(&c.dev, pa + 0x10, 0x20, 1),
                  DMA_TESTDEV_RESULT_ABORT);
    g_assert_cmphex(dma_testdev_done(&c.dev), ==, 0);
    g_assert_cmphex(dma_testdev_fault_addr(&c.dev), ==, pa + 0x10);
    assert_filled(&c, pa, 0x100);
    g_assert_cmpuint(dma_testdev_readl(&c.dev, DMA_TESTDEV_COUNT_ABORT), ==,
                     1);
    g_assert_cmpuint(dma_testdev_readl(&c.dev, DMA_TESTDEV_COUNT_ERROR), ==,
                     0);

    /* Back to bypass: the same command goes through */
    qtest_writel(c.qts, VIRT_SMMU_BASE + SMMU_GBPA, SMMU_GBPA_UPDATE);
    assert_result(&c, dma_testdev_write_pattern(&c.dev, pa + 0x10, 0x20, 1),
                  DMA_TESTDEV_RESULT_OK);
    assert_pattern_at(&c, pa + 0x10, 0x20, 1);
    ctx_stop(&c);
}

/*
 * Scanout: from reset on, the device reads scanout-size bytes at
 * scanout-iova every scanout-period-us of virtual time by itself, with
 * no command and whatever the Bus Master Enable bit, and counts the
 * frames by outcome.
 */
#define SCANOUT_PERIOD_US   1000
#define SCANOUT_SIZE        0x2000

static void ctx_start_scanout(TestCtx *c, const char *machine, uint64_t iova)
{
    g_autofree char *opts =
        g_strdup_printf(",scanout-iova=0x%" PRIx64 ",scanout-size=0x%x,"
                        "scanout-period-us=%u", iova, SCANOUT_SIZE,
                        SCANOUT_PERIOD_US);

    ctx_start(c, machine, opts);
}

static void assert_scanout(TestCtx *c, uint32_t ok, uint32_t abort,
                           uint32_t fault, uint32_t error)
{
    g_assert_cmpuint(dma_testdev_readl(&c->dev, DMA_TESTDEV_SCANOUT_OK), ==,
                     ok);
    g_assert_cmpuint(dma_testdev_readl(&c->dev, DMA_TESTDEV_SCANOUT_ABORT),
                     ==, abort);
    g_assert_cmpuint(dma_testdev_readl(&c->dev, DMA_TESTDEV_SCANOUT_FAULT),
                     ==, fault);
    g_assert_cmpuint(dma_testdev_readl(&c->dev, DMA_TESTDEV_SCANOUT_ERROR),
                     ==, error);
}

/* Let @frames periods of virtual time pass (frames are due at k periods) */
static void scanout_run(TestCtx *c, unsigned frames)
{
    qtest_clock_step(c->qts, frames * SCANOUT_PERIOD_US * 1000LL);
}

static void test_scanout(void)
{
    /* A range the libqos allocator does not hand out: the top of RAM */
    const uint64_t fb = RAM_END - 0x10000;
    g_autofree uint8_t *img = g_malloc(SCANOUT_SIZE);
    TestCtx c;

    ctx_start_scanout(&c, "virt", fb);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_CAPS) &
                    DMA_TESTDEV_CAPS_SCANOUT, ==, DMA_TESTDEV_CAPS_SCANOUT);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_SCANOUT_IOVA_LO),
                    ==, (uint32_t)fb);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_SCANOUT_IOVA_HI),
                    ==, fb >> 32);
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_SCANOUT_SIZE), ==,
                    SCANOUT_SIZE);
    g_assert_cmpuint(dma_testdev_readl(&c.dev, DMA_TESTDEV_SCANOUT_PERIOD),
                     ==, SCANOUT_PERIOD_US);
    /* No frame before the first period has passed */
    assert_scanout(&c, 0, 0, 0, 0);

    dma_testdev_pattern(img, SCANOUT_SIZE, 0xf00d);
    qtest_memwrite(c.qts, fb, img, SCANOUT_SIZE);
    scanout_run(&c, 5);
    assert_scanout(&c, 5, 0, 0, 0);
    /* The frame read what memory holds */
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_SCANOUT_CSUM), ==,
                    dma_testdev_checksum(img, SCANOUT_SIZE));

    /* Bus mastering off: a device left running by firmware goes on */
    qpci_config_writew(c.dev.pdev, PCI_COMMAND, PCI_COMMAND_MEMORY);
    scanout_run(&c, 3);
    assert_scanout(&c, 8, 0, 0, 0);
    ctx_stop(&c);

    /* Without the properties there is no scanout */
    ctx_start(&c, "virt", "");
    g_assert_cmphex(dma_testdev_readl(&c.dev, DMA_TESTDEV_CAPS) &
                    DMA_TESTDEV_CAPS_SCANOUT, ==, 0);
    scanout_run(&c, 5);
    assert_scanout(&c, 0, 0, 0, 0);
    ctx_stop(&c);
}

/* The device stream's periods in query-smmuv3, as "kind:aborts" words */
static char *smmuv3_history(TestCtx *c)
{
    QDict *rsp = qtest_qmp(c->qts, "{ 'execute': 'query-smmuv3' }");
    QList *smmus = qdict_get_qlist(rsp, "return");
    QDict *smmu = qobject_to(QDict, qlist_peek(smmus));
    QDict *stream = NULL;
    GString *out = g_string_new("");
    QListEntry *e;

    /* The device's stream: its StreamID is its requester ID */
    QLIST_FOREACH_ENTRY(qdict_get_qlist(smmu, "streams"), e) {
        QDict *st = qobject_to(QDict, qlist_entry_obj(e));

        if (qdict_get_int(st, "sid") == DEV_DEVFN) {
            stream = st;
        }
    }
    g_assert(stream);
    QLIST_FOREACH_ENTRY(qdict_get_qlist(stream, "history"), e) {
        QDict *p = qobject_to(QDict, qlist_entry_obj(e));

        g_string_append_printf(out, "%s%s:%s", out->len ? " " : "",
                               qdict_get_str(p, "kind"),
                               qdict_get_int(p, "aborts") ? "aborts" : "-");
    }
    qobject_unref(rsp);
    return g_string_free(out, false);
}

/*
 * Behind the SMMUv3 the frames follow what the SMMU does: through while
 * GBPA bypasses, aborted while GBPA aborts, and query-smmuv3's history
 * shows the same two periods.
 */
static void test_scanout_smmuv3(void)
{
    const uint64_t fb = RAM_END - 0x10000;
    g_autofree char *history = NULL;
    TestCtx c;

    ctx_start_scanout(&c, "virt,iommu=smmuv3", fb);
    scanout_run(&c, 4);
    assert_scanout(&c, 4, 0, 0, 0);

    qtest_writel(c.qts, VIRT_SMMU_BASE + SMMU_GBPA,
                 SMMU_GBPA_UPDATE | SMMU_GBPA_ABORT);
    scanout_run(&c, 3);
    assert_scanout(&c, 4, 3, 0, 0);

    qtest_writel(c.qts, VIRT_SMMU_BASE + SMMU_GBPA, SMMU_GBPA_UPDATE);
    scanout_run(&c, 2);
    assert_scanout(&c, 6, 3, 0, 0);

    history = smmuv3_history(&c);
    g_assert_cmpstr(history, ==,
                    "gbpa-bypass:- gbpa-abort:aborts gbpa-bypass:-");
    ctx_stop(&c);
}

static void test_bad_property(void)
{
    static const char *const bad[] = {
        "max-len=3", "max-len=0x800", "max-len=0x1000001", "max-len=0x1002",
        "scanout-size=0x1002", "scanout-size=0x1000004",
        "scanout-size=0x1000,scanout-iova=0xfffffffffffff800",
        "scanout-size=0x1000,scanout-period-us=999",
    };
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");

    g_assert(qemu);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *dev = g_strdup_printf("dma-testdev,bus=pcie.0,%s",
                                               bad[i]);
        /* The message names the property: "max-len", "scanout-..." */
        g_autofree char *name = g_strndup(bad[i], strcspn(bad[i], "-"));
        /* timeout(1) ends QEMU if it wrongly accepts the value */
        const char *argv[] = {
            "timeout", "20", qemu, "-M", "virt", "-accel", "qtest",
            "-nodefaults",
            "-display", "none", "-device", dev, NULL,
        };
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;
        g_autoptr(GError) gerr = NULL;
        int status;

        g_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
                              NULL, NULL, &out, &err, &status, &gerr));
        g_assert(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), !=, 0);
        g_assert_cmpstr(out, ==, "");
        /* One line, naming the property */
        g_assert(g_str_has_suffix(err, "\n"));
        g_assert(strchr(err, '\n') == err + strlen(err) - 1);
        g_assert(strstr(err, name));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/dma-testdev/id", test_id);
    qtest_add_func("/dma-testdev/props", test_props);
    qtest_add_func("/dma-testdev/write-pattern", test_write_pattern);
    qtest_add_func("/dma-testdev/read", test_read);
    qtest_add_func("/dma-testdev/write-from-buffer", test_write_from_buffer);
    qtest_add_func("/dma-testdev/cross-pages", test_cross_pages);
    qtest_add_func("/dma-testdev/invalid", test_invalid);
    qtest_add_func("/dma-testdev/unassigned", test_unassigned);
    qtest_add_func("/dma-testdev/counters", test_counters);
    qtest_add_func("/dma-testdev/smmuv3-bypass", test_smmuv3_bypass);
    qtest_add_func("/dma-testdev/smmuv3-gbpa-abort", test_smmuv3_gbpa_abort);
    qtest_add_func("/dma-testdev/scanout", test_scanout);
    qtest_add_func("/dma-testdev/scanout-smmuv3", test_scanout_smmuv3);
    qtest_add_func("/dma-testdev/bad-property", test_bad_property);

    return g_test_run();
}
