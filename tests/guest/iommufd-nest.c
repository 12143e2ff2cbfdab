// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-nest: drive the iommufd uAPI the way a VMM does, against the DMA
 * test device (1b36:0201) bound to vfio-pci, and check after each step
 * where the bytes of a DMA land.  It runs in a guest of our QEMU whose
 * kernel has IOMMUFD and ARM_SMMU_V3_IOMMUFD, so the nesting code of
 * Linux's arm-smmu-v3 programs our emulated SMMUv3.
 *
 * A buffer of this process plays the VM's RAM: it is mapped in an IOAS at
 * GPA_BASE, so "guest physical" address GPA_BASE + x is byte x of the
 * buffer.  Steps (each prints a "GUEST: check" line, and with -q asks the
 * host to save query-smmuv3 with "GUEST: QUERY label"):
 *   hw-info      IOMMU_GET_HW_INFO: the SMMU's IDR0-5, IIDR, AIDR
 *   ioas         the device attached to the IOAS: DMA to a GPA lands in
 *                the buffer (the host's identity domain for a guest)
 *   detached     VFIO_DEVICE_DETACH_IOMMUFD_PT: blocked, nothing lands
 *   s2           a NEST_PARENT HWPT (stage 2) attached: lands
 *   nested-abort vIOMMU, vDEVICE (virtual SID), nested HWPT from a guest
 *                STE with Config = abort: nothing lands
 *   nested-bypass  guest STE Config = bypass: lands at the GPA (stage 2)
 *   nested-s1    guest STE Config = S1 with a CD and page tables in the
 *                buffer: an IOVA lands at its S1-then-S2 address
 *   tlbi         the S1 PTE is changed: the SMMU still uses its cached
 *                translation (tlbi-before); after TLBI_NH_VA through the
 *                vIOMMU the next DMA follows the new mapping
 *   cfgi-cd      the CD points at other tables under a new ASID: cached
 *                until CFGI_CD (cfgi-cd-before), followed after it
 *   vevent       a DMA to an IOVA the S1 tables do not map: the vEVENTQ
 *                delivers F_TRANSLATION with the virtual SID
 *   detached-end VFIO_DEVICE_DETACH_IOMMUFD_PT again: blocked
 *
 * With -p (an SMMU with substreams, ssidsize), PASID attach instead:
 *   rid-blocked  nothing attached: a DMA without PASID is blocked
 *   pasid        a paging HWPT (IOMMU_HWPT_ALLOC_PASID) over the IOAS
 *                attached to PASID 5 (VFIO_DEVICE_ATTACH_PASID): a DMA
 *                tagged with PASID 5 lands at its GPA, while the RID stays
 *                blocked (Linux: a CD-table STE with S1DSS terminate, the
 *                untagged DMA faulting with F_STREAM_DISABLED)
 *   pasid-other  a DMA tagged with PASID 6, attached to nothing: refused
 *   pasid-detached  VFIO_DEVICE_DETACH_PASID of the last PASID: Linux
 *                goes back to an abort STE, and PASID 5 is refused silently
 *
 * Usage: iommufd-nest [-q] [-p] BDF
 * Output lines start with "NEST: " or "GUEST: "; exit status 1 when a
 * check failed, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "guest-check.h"
#include "hw/misc/dma-testdev.h"

/* The VM's RAM: the buffer, at this GPA in the IOAS */
#define GPA_BASE            UINT64_C(0x40000000)
#define RAM_SIZE            UINT64_C(0x400000)
/* Layout of the RAM */
#define CD_OFF              UINT64_C(0x001000)   /* the guest CD table */
#define PT_A_OFF            UINT64_C(0x010000)   /* S1 tables A: L1, L2, L3 */
#define PT_B_OFF            UINT64_C(0x020000)   /* S1 tables B */
#define DATA1_OFF           UINT64_C(0x100000)   /* where IOVA points first */
#define DATA2_OFF           UINT64_C(0x200000)   /* after the TLBI */
#define DATA3_OFF           UINT64_C(0x300000)   /* with tables B (CFGI_CD) */
#define GPA_DMA_OFF         UINT64_C(0x080000)   /* target of GPA DMAs */
#define GPA_DMA             (GPA_BASE + GPA_DMA_OFF)
/* The guest's view */
#define VSID                0x42          /* virtual StreamID */
#define ASID                7
#define IOVA                UINT64_C(0x12345000) /* mapped by the S1 tables */
#define IOVA_UNMAPPED       UINT64_C(0x22000000)
#define DMA_LEN             256
/* The PASID the -p steps attach */
#define PASID               5


/* STE word 0 (IHI 0070 5.2) */
#define STE_V               (1ull << 0)
#define STE_CFG_ABORT       (0ull << 1)
#define STE_CFG_BYPASS      (4ull << 1)
#define STE_CFG_S1          (5ull << 1)
/* CD words 0 and 1 (5.4) */
#define CD_T0SZ(x)          ((uint64_t)(x))
#define CD_SH0_INNER        (3ull << 12)
#define CD_IR0_WB           (1ull << 8)
#define CD_OR0_WB           (1ull << 10)
#define CD_EPD1             (1ull << 30)
#define CD_V                (1ull << 31)
#define CD_IPS_44           (4ull << 32)
#define CD_AA64             (1ull << 41)
#define CD_R                (1ull << 45)
#define CD_A                (1ull << 46)
#define CD_ASET             (1ull << 47)
#define CD_ASID(x)          ((uint64_t)(x) << 48)
#define CD_MAIR_WB          UINT64_C(0xff)       /* MAIR attr 0: WB */
/* Stage 1 descriptors, 4 KiB granule */
#define PTE_VALID           (1ull << 0)
#define PTE_TABLE           (1ull << 1)   /* table, or page at level 3 */
#define PTE_AP_UNPRIV       (1ull << 6)
#define PTE_SH_INNER        (3ull << 8)
#define PTE_AF              (1ull << 10)
#define PTE_ADDR_MASK       UINT64_C(0x0000fffffffff000)
/* Commands (4.3, 4.4) */
#define CMD_CFGI_CD         0x05
#define CMD_TLBI_NH_VA      0x12
#define EVT_F_TRANSLATION   0x10

/* Device registers: every access must reach the device, in order. */
typedef volatile uint32_t mmio32;

static mmio32 *bar;
static uint8_t *ram;
static int iommufd, devfd, query;
static uint32_t dev_id;
/* The device's PASID register for the next DMAs: 0 for untagged ones */
static uint32_t dma_pasid;

/* Let the host save query-smmuv3 as @label (with -q). */
static void host_query(const char *label)
{
    char line[64];

    if (!query) {
        return;
    }
    printf("GUEST: QUERY %s\n", label);
    if (!fgets(line, sizeof(line), stdin)) {
        printf("NEST: no answer from the host to QUERY %s\n", label);
    }
}

static const char *result_name(uint32_t r)
{
    static const char *const names[] = {
        "none", "ok", "abort", "fault", "error", "invalid",
    };
    return r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

/*
 * The device writes DMA_LEN bytes of a pattern seeded with @seed at
 * @iova.  Returns the result; *landed_off is the RAM offset where the
 * pattern is found among @offs (-1: nowhere).
 */
static uint32_t dma(uint64_t iova, uint32_t seed, const uint64_t *offs,
                    int n, int64_t *landed_off)
{
    uint32_t result, *w;
    int i, k, match;

    for (i = 0; i < n; i++) {
        memset(ram + offs[i], 0xee, DMA_LEN);
    }
    bar[DMA_TESTDEV_IOVA_LO / 4] = (uint32_t)iova;
    bar[DMA_TESTDEV_IOVA_HI / 4] = (uint32_t)(iova >> 32);
    bar[DMA_TESTDEV_LEN / 4] = DMA_LEN;
    bar[DMA_TESTDEV_PASID / 4] = dma_pasid;
    bar[DMA_TESTDEV_PATTERN / 4] = seed;
    __sync_synchronize();
    bar[DMA_TESTDEV_CMD / 4] = (DMA_TESTDEV_CMD_RUN | DMA_TESTDEV_CMD_WRITE);
    __sync_synchronize();
    result = bar[DMA_TESTDEV_RESULT / 4];
    *landed_off = -1;
    for (i = 0; i < n; i++) {
        w = (uint32_t *)(ram + offs[i]);
        match = 1;
        for (k = 0; k < DMA_LEN / 4; k++) {
            if (w[k] != dma_testdev_pattern_word(seed, k)) {
                match = 0;
                break;
            }
        }
        if (match) {
            *landed_off = offs[i];
        }
    }
    return result;
}

/* DMA to @iova must end with @want and land at @want_off (-1: nowhere). */
static void check_dma(const char *name, uint64_t iova, uint32_t want,
                      int64_t want_off)
{
    static const uint64_t offs[] = {
        GPA_DMA_OFF, DATA1_OFF, DATA2_OFF, DATA3_OFF,
    };
    static uint32_t seed = 0x1000;
    int64_t off;
    uint32_t r;

    seed += 0x1000;
    r = dma(iova, seed, offs, 4, &off);
    if (off < 0) {
        printf("NEST: %s: DMA to 0x%" PRIx64 ": result %s, the bytes landed "
               "nowhere in the RAM\n", name, iova, result_name(r));
    } else {
        printf("NEST: %s: DMA to 0x%" PRIx64 ": result %s, the bytes landed "
               "at GPA 0x%" PRIx64 "\n", name, iova, result_name(r),
               GPA_BASE + off);
    }
    check(name, r == want && off == want_off,
          "DMA to 0x%" PRIx64 ": %s, %s (expected %s, %s)", iova,
          result_name(r), off < 0 ? "nothing landed" : "landed",
          result_name(want), want_off < 0 ? "nothing lands" : "lands");
}

static uint32_t hwpt_alloc(uint32_t pt_id, uint32_t flags, uint32_t type,
                           void *data, uint32_t len, const char *what)
{
    struct iommu_hwpt_alloc a = {
        .size = sizeof(a), .flags = flags, .dev_id = dev_id, .pt_id = pt_id,
        .data_type = type, .data_len = len,
        .data_uptr = (uintptr_t)data,
    };

    if (ioctl(iommufd, IOMMU_HWPT_ALLOC, &a) < 0) {
        printf("NEST: IOMMU_HWPT_ALLOC (%s): %s\n", what, strerror(errno));
        return 0;
    }
    printf("NEST: IOMMU_HWPT_ALLOC (%s): hwpt %u\n", what, a.out_hwpt_id);
    return a.out_hwpt_id;
}

static int attach(uint32_t pt_id, const char *what)
{
    struct vfio_device_attach_iommufd_pt at = {
        .argsz = sizeof(at), .pt_id = pt_id,
    };

    if (ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) < 0) {
        printf("NEST: VFIO_DEVICE_ATTACH_IOMMUFD_PT (%s): %s\n", what,
               strerror(errno));
        return -1;
    }
    printf("NEST: VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s (%u)\n", what, pt_id);
    return 0;
}

static int detach(void)
{
    struct vfio_device_detach_iommufd_pt de = { .argsz = sizeof(de) };

    if (ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de) < 0) {
        printf("NEST: VFIO_DEVICE_DETACH_IOMMUFD_PT: %s\n", strerror(errno));
        return -1;
    }
    printf("NEST: VFIO_DEVICE_DETACH_IOMMUFD_PT: blocked\n");
    return 0;
}

/* Attach (@pt_id != 0) or detach PASID @pasid of the device */
static int pasid_attach(uint32_t pasid, uint32_t pt_id)
{
    struct vfio_device_attach_iommufd_pt at = {
        .argsz = sizeof(at), .flags = VFIO_DEVICE_ATTACH_PASID,
        .pt_id = pt_id, .pasid = pasid,
    };
    struct vfio_device_detach_iommufd_pt de = {
        .argsz = sizeof(de), .flags = VFIO_DEVICE_DETACH_PASID,
        .pasid = pasid,
    };
    const char *what = pt_id ? "VFIO_DEVICE_ATTACH_IOMMUFD_PT" :
                               "VFIO_DEVICE_DETACH_IOMMUFD_PT";

    if (pt_id ? ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) :
                ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de)) {
        printf("NEST: %s (PASID %u): %s\n", what, pasid, strerror(errno));
        return -1;
    }
    printf("NEST: %s: PASID %u (%u)\n", what, pasid, pt_id);
    return 0;
}

/* A nested HWPT from the guest STE words 0 and 1, attached. */
static uint32_t attach_vste(uint32_t viommu, uint64_t ste0, uint64_t ste1,
                            const char *what)
{
    struct iommu_hwpt_arm_smmuv3 vste = { .ste = { ste0, ste1 } };
    uint32_t id;

    id = hwpt_alloc(viommu, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, &vste,
                    sizeof(vste), what);
    if (!id || attach(id, what) < 0) {
        return 0;
    }
    return id;
}

static int invalidate(uint32_t viommu, uint64_t cmd0, uint64_t cmd1,
                      const char *what)
{
    struct iommu_viommu_arm_smmuv3_invalidate cmd = {
        .cmd = { cmd0, cmd1 },
    };
    struct iommu_hwpt_invalidate inv = {
        .size = sizeof(inv), .hwpt_id = viommu,
        .data_uptr = (uintptr_t)&cmd,
        .data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
        .entry_len = sizeof(cmd), .entry_num = 1,
    };

    if (ioctl(iommufd, IOMMU_HWPT_INVALIDATE, &inv) < 0 ||
        inv.entry_num != 1) {
        printf("NEST: IOMMU_HWPT_INVALIDATE (%s): %s (%u done)\n", what,
               strerror(errno), inv.entry_num);
        return -1;
    }
    printf("NEST: IOMMU_HWPT_INVALIDATE: %s\n", what);
    return 0;
}

static uint64_t *ram64(uint64_t off)
{
    return (uint64_t *)(ram + off);
}

/*
 * Stage 1 tables at @off (T0SZ 25: a 39-bit VA, walk from level 1): L1 at
 * @off, L2 at @off + 4K, L3 at @off + 8K, mapping IOVA to @data_off.
 */
static void s1_tables(uint64_t off, uint64_t data_off)
{
    uint64_t l1 = off, l2 = off + 0x1000, l3 = off + 0x2000;

    memset(ram + off, 0, 0x3000);
    ram64(l1)[(IOVA >> 30) & 511] = (GPA_BASE + l2) | PTE_VALID | PTE_TABLE;
    ram64(l2)[(IOVA >> 21) & 511] = (GPA_BASE + l3) | PTE_VALID | PTE_TABLE;
    ram64(l3)[(IOVA >> 12) & 511] = ((GPA_BASE + data_off) & PTE_ADDR_MASK) |
        PTE_VALID | PTE_TABLE | PTE_AF | PTE_SH_INNER | PTE_AP_UNPRIV;
    __sync_synchronize();
}

static void write_cd(uint64_t ttb_off, uint16_t asid)
{
    uint64_t *cd = ram64(CD_OFF);

    memset(cd, 0, 64);
    cd[1] = (GPA_BASE + ttb_off) & PTE_ADDR_MASK;
    cd[3] = CD_MAIR_WB;
    cd[0] = CD_T0SZ(25) | CD_IR0_WB | CD_OR0_WB | CD_SH0_INNER | CD_EPD1 |
        CD_V | CD_IPS_44 | CD_AA64 | CD_R | CD_A | CD_ASET | CD_ASID(asid);
    __sync_synchronize();
}

static int open_device(const char *bdf)
{
    char path[160], name[64];
    FILE *f;

    snprintf(path, sizeof(path),
             "ls /sys/bus/pci/devices/%s/vfio-dev 2>/dev/null", bdf);
    f = popen(path, "r");
    if (!f || !fgets(name, sizeof(name), f)) {
        printf("NEST: error: %s has no VFIO cdev (not bound to vfio-pci, or "
               "no CONFIG_VFIO_DEVICE_CDEV)\n", bdf);
        return -1;
    }
    pclose(f);
    name[strcspn(name, "\n")] = 0;
    snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
    devfd = open(path, O_RDWR);
    if (devfd < 0) {
        printf("NEST: error: %s: %s\n", path, strerror(errno));
        return -1;
    }
    printf("NEST: %s is %s\n", bdf, path);
    return 0;
}

/* Map BAR 0 and turn on memory decoding and bus mastering. */
static int map_bar0(void)
{
    struct vfio_region_info bar_info = {
        .argsz = sizeof(bar_info), .index = VFIO_PCI_BAR0_REGION_INDEX,
    };
    struct vfio_region_info cfg = {
        .argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX,
    };
    uint16_t cmd;
    void *p;

    if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &bar_info) < 0 ||
        ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &cfg) < 0) {
        printf("NEST: error: VFIO_DEVICE_GET_REGION_INFO: %s\n",
               strerror(errno));
        return -1;
    }
    if (pread(devfd, &cmd, 2, cfg.offset + 4) != 2) {
        printf("NEST: error: reading the command register\n");
        return -1;
    }
    cmd |= 0x6;     /* memory space, bus master */
    if (pwrite(devfd, &cmd, 2, cfg.offset + 4) != 2) {
        printf("NEST: error: writing the command register\n");
        return -1;
    }
    p = mmap(NULL, bar_info.size, PROT_READ | PROT_WRITE, MAP_SHARED, devfd,
             bar_info.offset);
    if (p == MAP_FAILED) {
        printf("NEST: error: mmap of BAR 0: %s\n", strerror(errno));
        return -1;
    }
    bar = p;
    if (bar[DMA_TESTDEV_ID / 4] != DMA_TESTDEV_MAGIC) {
        printf("NEST: error: BAR 0 is not a DMA test device (ID 0x%x)\n",
               bar[DMA_TESTDEV_ID / 4]);
        return -1;
    }
    return 0;
}

static void hw_info(void)
{
    struct iommu_hw_info_arm_smmuv3 smmu = { 0 };
    struct iommu_hw_info info = {
        .size = sizeof(info), .dev_id = dev_id, .data_len = sizeof(smmu),
        .data_uptr = (uintptr_t)&smmu,
    };
    int i;

    if (ioctl(iommufd, IOMMU_GET_HW_INFO, &info) < 0) {
        check("hw-info", 0, "IOMMU_GET_HW_INFO: %s", strerror(errno));
        return;
    }
    printf("GUEST: hwinfo");
    for (i = 0; i < 6; i++) {
        printf(" idr%d=0x%08x", i, smmu.idr[i]);
    }
    printf(" iidr=0x%08x aidr=0x%08x\n", smmu.iidr, smmu.aidr);
    check("hw-info", info.out_data_type == IOMMU_HW_INFO_TYPE_ARM_SMMUV3,
          "IOMMU_GET_HW_INFO type %u (ARM_SMMUV3 is %u), IDR0 0x%08x",
          info.out_data_type, IOMMU_HW_INFO_TYPE_ARM_SMMUV3, smmu.idr[0]);
}

/* The vEVENTQ must deliver F_TRANSLATION for VSID at IOVA_UNMAPPED. */
static void check_vevent(int qfd)
{
    struct {
        struct iommufd_vevent_header hdr;
        struct iommu_vevent_arm_smmuv3 evt;
    } rec;
    struct pollfd pfd = { .fd = qfd, .events = POLLIN };
    uint64_t e0, addr;
    ssize_t n;

    if (poll(&pfd, 1, 5000) != 1) {
        check("vevent", 0, "no event in the vEVENTQ within 5 s");
        return;
    }
    n = read(qfd, &rec, sizeof(rec));
    if (n != sizeof(rec)) {
        check("vevent", 0, "read of the vEVENTQ gave %zd bytes (%s)", n,
              n < 0 ? strerror(errno) : "short");
        return;
    }
    e0 = rec.evt.evt[0];
    addr = rec.evt.evt[2];
    printf("NEST: vEVENTQ: sequence %u flags 0x%x event 0x%02x sid 0x%x "
           "input address 0x%" PRIx64 "\n", rec.hdr.sequence, rec.hdr.flags,
           (unsigned)(e0 & 0xff), (unsigned)(e0 >> 32), addr);
    check("vevent", (e0 & 0xff) == EVT_F_TRANSLATION && (e0 >> 32) == VSID &&
          addr == IOVA_UNMAPPED,
          "event 0x%02x, vSID 0x%x, address 0x%" PRIx64
          " (expected 0x%02x, 0x%x, 0x%" PRIx64 ")", (unsigned)(e0 & 0xff),
          (unsigned)(e0 >> 32), addr, EVT_F_TRANSLATION, VSID,
          IOVA_UNMAPPED);
}

/*
 * -p: the RID stays blocked while PASID 5 gets a paging domain over the
 * IOAS; each DMA is tagged or not, and lands or not.
 */
static int pasid_steps(uint32_t ioas_id)
{
    uint32_t hwpt;

    if (map_bar0() < 0) {
        check("pasid", 0, "BAR 0 mapping failed");
        return 1;
    }
    check_dma("rid-blocked", GPA_DMA, DMA_TESTDEV_RESULT_ABORT, -1);
    host_query("rid-blocked");

    hwpt = hwpt_alloc(ioas_id, IOMMU_HWPT_ALLOC_PASID, IOMMU_HWPT_DATA_NONE,
                      NULL, 0, "PASID-capable paging domain");
    if (!hwpt || pasid_attach(PASID, hwpt) < 0) {
        check("pasid", 0, "PASID %u could not be attached", PASID);
        return 1;
    }
    dma_pasid = DMA_TESTDEV_PASID_VALID | PASID;
    check_dma("pasid", GPA_DMA, DMA_TESTDEV_RESULT_OK, GPA_DMA_OFF);
    dma_pasid = DMA_TESTDEV_PASID_VALID | (PASID + 1);
    check_dma("pasid-other", GPA_DMA, DMA_TESTDEV_RESULT_FAULT, -1);
    dma_pasid = 0;
    check_dma("rid-still-blocked", GPA_DMA, DMA_TESTDEV_RESULT_FAULT, -1);
    host_query("pasid");

    if (pasid_attach(PASID, 0) == 0) {
        dma_pasid = DMA_TESTDEV_PASID_VALID | PASID;
        check_dma("pasid-detached", GPA_DMA, DMA_TESTDEV_RESULT_ABORT, -1);
        dma_pasid = 0;
    } else {
        check("pasid-detached", 0, "VFIO_DEVICE_DETACH_PASID failed");
    }
    host_query("pasid-detached");
    printf("NEST: %d check(s) failed\n", guest_check_failures);
    return guest_check_failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
    struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
    struct iommu_ioas_map map = { .size = sizeof(map) };
    struct iommu_viommu_alloc viommu = { .size = sizeof(viommu) };
    struct iommu_vdevice_alloc vdev = { .size = sizeof(vdev) };
    struct iommu_veventq_alloc veq = { .size = sizeof(veq) };
    uint64_t ste0_s1;
    uint32_t s2;
    int pasid_mode = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    while (argc > 2 && argv[1][0] == '-') {
        if (strcmp(argv[1], "-q") == 0) {
            query = 1;
        } else if (strcmp(argv[1], "-p") == 0) {
            pasid_mode = 1;
        } else {
            break;
        }
        argv++;
        argc--;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: iommufd-nest [-q] [-p] BDF\n");
        return 2;
    }
    iommufd = open("/dev/iommu", O_RDWR);
    if (iommufd < 0) {
        check("iommufd", 0, "/dev/iommu: %s (no CONFIG_IOMMUFD?)",
              strerror(errno));
        return 1;
    }
    if (open_device(argv[1]) < 0) {
        check("vfio-cdev", 0, "no VFIO device file for %s", argv[1]);
        return 1;
    }
    bind.iommufd = iommufd;
    if (ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
        check("bind", 0, "VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(errno));
        return 1;
    }
    dev_id = bind.out_devid;
    check("bind", 1, "VFIO_DEVICE_BIND_IOMMUFD: dev_id %u", dev_id);
    hw_info();

    /* The VM's RAM, mapped at GPA_BASE */
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (ram == MAP_FAILED || ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas) < 0) {
        check("ioas", 0, "RAM or IOMMU_IOAS_ALLOC: %s", strerror(errno));
        return 1;
    }
    map.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
                IOMMU_IOAS_MAP_WRITEABLE;
    map.ioas_id = ioas.out_ioas_id;
    map.user_va = (uintptr_t)ram;
    map.length = RAM_SIZE;
    map.iova = GPA_BASE;
    if (ioctl(iommufd, IOMMU_IOAS_MAP, &map) < 0) {
        check("ioas", 0, "IOMMU_IOAS_MAP: %s", strerror(errno));
        return 1;
    }
    printf("NEST: IOAS %u maps %" PRIu64 " KiB of RAM at GPA 0x%" PRIx64 "\n",
           ioas.out_ioas_id, RAM_SIZE >> 10, GPA_BASE);
    if (pasid_mode) {
        return pasid_steps(ioas.out_ioas_id);
    }

    /* The host's identity domain for a guest: the IOAS itself */
    if (attach(ioas.out_ioas_id, "IOAS") < 0 || map_bar0() < 0) {
        check("ioas", 0, "attach to the IOAS or BAR 0 mapping failed");
        return 1;
    }
    check_dma("ioas", GPA_DMA, DMA_TESTDEV_RESULT_OK, GPA_DMA_OFF);
    host_query("ioas");
    if (detach() == 0) {
        check_dma("detached", GPA_DMA, DMA_TESTDEV_RESULT_ABORT, -1);
    }
    host_query("detached");

    /* Stage 2: the nesting parent */
    s2 = hwpt_alloc(ioas.out_ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT,
                    IOMMU_HWPT_DATA_NONE, NULL, 0, "NEST_PARENT");
    if (!s2 || attach(s2, "NEST_PARENT (stage 2)") < 0) {
        check("s2", 0, "the nesting parent HWPT could not be attached");
        return 1;
    }
    check_dma("s2", GPA_DMA, DMA_TESTDEV_RESULT_OK, GPA_DMA_OFF);
    host_query("s2");

    viommu.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
    viommu.dev_id = dev_id;
    viommu.hwpt_id = s2;
    if (ioctl(iommufd, IOMMU_VIOMMU_ALLOC, &viommu) < 0) {
        check("viommu", 0, "IOMMU_VIOMMU_ALLOC: %s", strerror(errno));
        return 1;
    }
    vdev.viommu_id = viommu.out_viommu_id;
    vdev.dev_id = dev_id;
    vdev.virt_id = VSID;
    if (ioctl(iommufd, IOMMU_VDEVICE_ALLOC, &vdev) < 0) {
        check("vdevice", 0, "IOMMU_VDEVICE_ALLOC: %s", strerror(errno));
        return 1;
    }
    check("viommu", 1, "vIOMMU %u, vDEVICE %u with virtual SID 0x%x",
          viommu.out_viommu_id, vdev.out_vdevice_id, VSID);

    /* Guest STEs */
    if (attach_vste(viommu.out_viommu_id, STE_V | STE_CFG_ABORT, 0,
                    "nested, guest STE abort")) {
        check_dma("nested-abort", GPA_DMA, DMA_TESTDEV_RESULT_ABORT, -1);
    } else {
        check("nested-abort", 0, "no nested HWPT for an abort STE");
    }
    host_query("nested-abort");
    if (attach_vste(viommu.out_viommu_id, STE_V | STE_CFG_BYPASS, 0,
                    "nested, guest STE bypass")) {
        check_dma("nested-bypass", GPA_DMA, DMA_TESTDEV_RESULT_OK, GPA_DMA_OFF);
    } else {
        check("nested-bypass", 0, "no nested HWPT for a bypass STE");
    }
    host_query("nested-bypass");

    s1_tables(PT_A_OFF, DATA1_OFF);
    s1_tables(PT_B_OFF, DATA3_OFF);
    write_cd(PT_A_OFF, ASID);
    ste0_s1 = STE_V | STE_CFG_S1 | ((GPA_BASE + CD_OFF) & ~0x3full);
    if (attach_vste(viommu.out_viommu_id, ste0_s1, 0,
                    "nested, guest STE S1")) {
        check_dma("nested-s1", IOVA, DMA_TESTDEV_RESULT_OK, DATA1_OFF);
    } else {
        check("nested-s1", 0, "no nested HWPT for an S1 STE");
    }
    host_query("nested-s1");

    /*
     * The guest remaps IOVA, then invalidates it through the vIOMMU.  The
     * SMMU may keep using the old translation until then (our model does:
     * it caches it), so a DMA in between shows that the invalidation, not
     * a fresh walk, is what moved the next DMA.
     */
    s1_tables(PT_A_OFF, DATA2_OFF);
    check_dma("tlbi-before", IOVA, DMA_TESTDEV_RESULT_OK, DATA1_OFF);
    if (invalidate(viommu.out_viommu_id,
                   CMD_TLBI_NH_VA | ((uint64_t)ASID << 48),
                   (IOVA & ~0xfffull) | 1, "TLBI_NH_VA") == 0) {
        check_dma("tlbi", IOVA, DMA_TESTDEV_RESULT_OK, DATA2_OFF);
    } else {
        check("tlbi", 0, "TLBI_NH_VA was refused");
    }
    /*
     * The guest points its CD at tables B, under a new ASID so that no TLB
     * entry of the old one can serve the DMA, then CFGI_CD: only a fetch
     * of the new CD gets the DMA to tables B.
     */
    write_cd(PT_B_OFF, ASID + 1);
    check_dma("cfgi-cd-before", IOVA, DMA_TESTDEV_RESULT_OK, DATA2_OFF);
    if (invalidate(viommu.out_viommu_id,
                   CMD_CFGI_CD | ((uint64_t)VSID << 32), 1, "CFGI_CD") == 0) {
        check_dma("cfgi-cd", IOVA, DMA_TESTDEV_RESULT_OK, DATA3_OFF);
    } else {
        check("cfgi-cd", 0, "CFGI_CD was refused");
    }

    /* Events of the nested domain, with the virtual SID */
    veq.viommu_id = viommu.out_viommu_id;
    veq.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
    veq.veventq_depth = 16;
    if (ioctl(iommufd, IOMMU_VEVENTQ_ALLOC, &veq) < 0) {
        check("vevent", 0, "IOMMU_VEVENTQ_ALLOC: %s", strerror(errno));
    } else {
        check_dma("s1-miss", IOVA_UNMAPPED, DMA_TESTDEV_RESULT_FAULT, -1);
        check_vevent(veq.out_veventq_fd);
    }
    host_query("vevent");

    if (detach() == 0) {
        check_dma("detached-end", IOVA, DMA_TESTDEV_RESULT_ABORT, -1);
    } else {
        check("detached-end", 0, "VFIO_DEVICE_DETACH_IOMMUFD_PT failed");
    }
    host_query("detached-end");
    printf("NEST: %d check(s) failed\n", guest_check_failures);
    return guest_check_failures ? 1 : 0;
}
