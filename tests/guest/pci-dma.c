// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pci-dma: make a PCI device issue DMA from guest user space, through the
 * device's sysfs files, whatever driver (if any) it is bound to.  It turns
 * on memory decoding and bus mastering in the command register
 * (/sys/bus/pci/devices/BDF/config), maps BAR 0 (resource0) and programs
 * the device directly.
 *
 *   pci-dma e1000e-tx BDF IOVA
 *     Point transmit queue 0 of an e1000e at a one-descriptor ring at IOVA
 *     and ring its doorbell: the device fetches the 16-byte descriptor at
 *     IOVA.  The device cannot tell whether that read succeeded; the
 *     SMMU's per-stream counters (query-smmuv3 on the host) can.
 *
 *   pci-dma testdev [-e RESULT] BDF [IOVA]
 *     Have the DMA test device (1b36:0201, docs/specs/dma-testdev.rst)
 *     write 256 bytes of a pattern.  Without IOVA the target is a locked
 *     page of this process, addressed by its physical address
 *     (/proc/self/pagemap): with an identity (bypass) stream the bytes must
 *     land there, and they are compared.  RESULT is the outcome expected:
 *     ok (the default), abort, fault or error.
 *
 *   pci-dma scanout BDF
 *     Print the scanout registers of the DMA test device: the range it
 *     reads by itself from reset on, and its frames by outcome.  Memory
 *     decoding is turned on; the command register is otherwise left as
 *     it is.
 *
 * Output lines start with "PCIDMA: "; the exit status is 0 when the DMA
 * ended as expected, 1 otherwise, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>
#include "hw/misc/dma-testdev.h"

/* e1000e registers (Intel 82574 datasheet, section 10.2) */
#define E1000_TCTL          0x0400
#define E1000_TCTL_EN       (1u << 1)
#define E1000_TDBAL         0x3800
#define E1000_TDBAH         0x3804
#define E1000_TDLEN         0x3808
#define E1000_TDH           0x3810
#define E1000_TDT           0x3818
#define E1000_TARC0         0x3840
#define E1000_TARC_ENABLE   (1u << 10)


#define PCI_COMMAND         0x04
#define PCI_COMMAND_MEMORY  0x2
#define PCI_COMMAND_MASTER  0x4

#define DMA_LEN             256
#define PATTERN_SEED        0x5a5a0000u

/* Device registers: every access must reach the device, in order. */
typedef volatile uint32_t mmio32;

static const char *const result_names[] = {
    "none", "ok", "abort", "fault", "error", "invalid",
};

static const char *result_name(uint32_t r)
{
    return r < sizeof(result_names) / sizeof(result_names[0]) ?
           result_names[r] : "unknown";
}

static int say_errno(const char *what)
{
    printf("PCIDMA: error: %s: %s\n", what, strerror(errno));
    return 1;
}

/*
 * Wake BDF up (vfio-pci leaves an idle device in D3hot, where its BARs do
 * not decode) and turn on memory decoding and bus mastering.
 */
/* Set @bits in the command register of BDF (and keep it powered) */
static int command_set(const char *bdf, uint16_t bits)
{
    char path[128];
    uint16_t cmd;
    int fd, ret = 0;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/power/control",
             bdf);
    fd = open(path, O_WRONLY);
    if (fd >= 0) {
        if (write(fd, "on", 2) != 2) {
            say_errno("writing power/control");
        }
        close(fd);
    }
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
    fd = open(path, O_RDWR);
    if (fd < 0) {
        return say_errno(path);
    }
    if (pread(fd, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd)) {
        ret = say_errno("reading the command register");
    } else {
        cmd |= bits;
        if (pwrite(fd, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd)) {
            ret = say_errno("writing the command register");
        }
    }
    close(fd);
    return ret;
}

static int enable_device(const char *bdf)
{
    return command_set(bdf, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* Map BAR 0 of BDF; NULL after an error line. */
static mmio32 *map_bar0(const char *bdf, size_t *size)
{
    char path[128];
    unsigned long long start, end;
    FILE *f;
    void *p;
    int fd;

    /* The first line of "resource": BAR 0's first and last address. */
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
    f = fopen(path, "r");
    if (!f) {
        say_errno(path);
        return NULL;
    }
    if (fscanf(f, "%llx %llx", &start, &end) != 2 || end <= start) {
        printf("PCIDMA: error: BAR 0 of %s is not assigned\n", bdf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = end - start + 1;
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf);
    fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0) {
        say_errno(path);
        return NULL;
    }
    p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        say_errno("mmap of resource0");
        return NULL;
    }
    return p;
}

static inline uint32_t rd(mmio32 *bar, unsigned off)
{
    return bar[off / 4];
}

static inline void wr(mmio32 *bar, unsigned off, uint32_t val)
{
    bar[off / 4] = val;
    __sync_synchronize();
}

static int e1000e_tx(const char *bdf, uint64_t iova)
{
    mmio32 *bar;
    size_t size;
    uint32_t tdh;

    if (enable_device(bdf)) {
        return 1;
    }
    bar = map_bar0(bdf, &size);
    if (!bar) {
        return 1;
    }
    wr(bar, E1000_TCTL, 0);
    wr(bar, E1000_TDBAL, (uint32_t)iova);
    wr(bar, E1000_TDBAH, (uint32_t)(iova >> 32));
    wr(bar, E1000_TDLEN, 128);          /* 8 descriptors, the minimum */
    wr(bar, E1000_TDH, 0);
    wr(bar, E1000_TDT, 0);
    wr(bar, E1000_TARC0, rd(bar, E1000_TARC0) | E1000_TARC_ENABLE);
    wr(bar, E1000_TCTL, E1000_TCTL_EN);
    wr(bar, E1000_TDT, 1);              /* one descriptor to fetch */
    tdh = rd(bar, E1000_TDH);
    printf("PCIDMA: e1000e %s: transmit ring at IOVA 0x%" PRIx64
           " started, descriptor fetch issued (TDH now %u)\n",
           bdf, iova, tdh);
    wr(bar, E1000_TCTL, 0);
    munmap((void *)bar, size);
    return 0;
}

/* Physical address of the page at @va (locked), or 0 after an error. */
static uint64_t phys_addr(void *va)
{
    long psz = getauxval(AT_PAGESZ);
    uint64_t entry;
    int fd;

    fd = open("/proc/self/pagemap", O_RDONLY);
    if (fd < 0) {
        say_errno("/proc/self/pagemap");
        return 0;
    }
    if (pread(fd, &entry, sizeof(entry),
              ((uintptr_t)va / psz) * sizeof(entry)) != sizeof(entry)) {
        say_errno("reading /proc/self/pagemap");
        close(fd);
        return 0;
    }
    close(fd);
    /* Bit 63: present; bits 54:0: the page frame number (0 if not root). */
    if (!(entry >> 63) || !(entry & ((1ull << 55) - 1))) {
        printf("PCIDMA: error: no page frame number in /proc/self/pagemap "
               "(entry 0x%" PRIx64 ")\n", entry);
        return 0;
    }
    return (entry & ((1ull << 55) - 1)) * psz;
}

/* A number in C syntax (0x... for hex); exits on anything else. */
static uint64_t parse_u64(const char *arg)
{
    long long v;
    char tail;

    if (sscanf(arg, "%lli%c", &v, &tail) != 1 || v < 0) {
        fprintf(stderr, "pci-dma: %s is not an address\n", arg);
        exit(2);
    }
    return v;
}

/*
 * Set @command bits, map BAR 0 of the DMA test device BDF and check its
 * ID; NULL after an error line.
 */
static mmio32 *open_testdev(const char *bdf, uint16_t command, size_t *size)
{
    mmio32 *bar;

    if (command_set(bdf, command)) {
        return NULL;
    }
    bar = map_bar0(bdf, size);
    if (bar && rd(bar, DMA_TESTDEV_ID) != DMA_TESTDEV_MAGIC) {
        printf("PCIDMA: error: %s is not a DMA test device (ID 0x%x)\n",
               bdf, rd(bar, DMA_TESTDEV_ID));
        munmap((void *)bar, *size);
        return NULL;
    }
    return bar;
}

static int testdev(const char *bdf, const char *iova_arg, const char *expect)
{
    mmio32 *bar;
    uint32_t *buf = NULL, result, done;
    uint64_t iova;
    size_t size;
    long psz = getauxval(AT_PAGESZ);
    int i, landed = -1, ok;

    bar = open_testdev(bdf, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, &size);
    if (!bar) {
        return 1;
    }
    if (iova_arg) {
        iova = parse_u64(iova_arg);
    } else {
        buf = mmap(NULL, psz, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
        if (buf == MAP_FAILED) {
            return say_errno("mmap of the target page");
        }
        memset(buf, 0, psz);
        iova = phys_addr(buf);
        if (!iova) {
            return 1;
        }
    }
    wr(bar, DMA_TESTDEV_IOVA_LO, (uint32_t)iova);
    wr(bar, DMA_TESTDEV_IOVA_HI, (uint32_t)(iova >> 32));
    wr(bar, DMA_TESTDEV_LEN, DMA_LEN);
    wr(bar, DMA_TESTDEV_PASID, 0);
    wr(bar, DMA_TESTDEV_PATTERN, PATTERN_SEED);
    wr(bar, DMA_TESTDEV_CMD, DMA_TESTDEV_CMD_RUN | DMA_TESTDEV_CMD_WRITE);
    result = rd(bar, DMA_TESTDEV_RESULT);
    done = rd(bar, DMA_TESTDEV_DONE);
    if (buf) {
        __sync_synchronize();
        landed = 1;
        for (i = 0; i < DMA_LEN / 4; i++) {
            if (buf[i] != dma_testdev_pattern_word(PATTERN_SEED, i)) {
                landed = 0;
                break;
            }
        }
    }
    printf("PCIDMA: testdev %s: write of %d bytes at %s 0x%" PRIx64
           ": result %s, %u bytes done%s\n", bdf, DMA_LEN,
           buf ? "physical address" : "IOVA", iova, result_name(result), done,
           landed < 0 ? "" : landed ? ", the bytes landed in memory" :
           ", the bytes did NOT land in memory");
    ok = strcmp(result_name(result), expect) == 0;
    if (ok && strcmp(expect, "ok") == 0 && landed == 0) {
        ok = 0;
    }
    if (ok && strcmp(expect, "ok") != 0 && landed == 1) {
        ok = 0;
    }
    printf("PCIDMA: testdev %s: %s (expected %s)\n", bdf,
           ok ? "as expected" : "NOT as expected", expect);
    munmap((void *)bar, size);
    return ok ? 0 : 1;
}

static int scanout(const char *bdf)
{
    mmio32 *bar;
    size_t size;

    bar = open_testdev(bdf, PCI_COMMAND_MEMORY, &size);
    if (!bar) {
        return 1;
    }
    if (!(rd(bar, DMA_TESTDEV_CAPS) & DMA_TESTDEV_CAPS_SCANOUT)) {
        printf("PCIDMA: scanout %s: off (no scanout-size)\n", bdf);
        return 1;
    }
    printf("PCIDMA: scanout %s: iova=0x%08x%08x size=0x%x period=%uus "
           "ok=%u abort=%u fault=%u error=%u\n", bdf,
           rd(bar, DMA_TESTDEV_SCANOUT_IOVA_HI),
           rd(bar, DMA_TESTDEV_SCANOUT_IOVA_LO),
           rd(bar, DMA_TESTDEV_SCANOUT_SIZE),
           rd(bar, DMA_TESTDEV_SCANOUT_PERIOD),
           rd(bar, DMA_TESTDEV_SCANOUT_OK), rd(bar, DMA_TESTDEV_SCANOUT_ABORT),
           rd(bar, DMA_TESTDEV_SCANOUT_FAULT),
           rd(bar, DMA_TESTDEV_SCANOUT_ERROR));
    munmap((void *)bar, size);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: pci-dma e1000e-tx BDF IOVA\n"
                    "       pci-dma testdev [-e ok|abort|fault|error] "
                    "BDF [IOVA]\n"
                    "       pci-dma scanout BDF\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *expect = "ok";

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 4 && strcmp(argv[1], "e1000e-tx") == 0) {
        return e1000e_tx(argv[2], parse_u64(argv[3]));
    }
    if (argc == 3 && strcmp(argv[1], "scanout") == 0) {
        return scanout(argv[2]);
    }
    if (argc >= 3 && strcmp(argv[1], "testdev") == 0) {
        argv += 2;
        argc -= 2;
        if (argc >= 2 && strcmp(argv[0], "-e") == 0) {
            expect = argv[1];
            argv += 2;
            argc -= 2;
        }
        if (argc == 1 || argc == 2) {
            return testdev(argv[0], argc == 2 ? argv[1] : NULL, expect);
        }
    }
    return usage();
}
