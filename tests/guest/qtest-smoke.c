// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qtest-smoke: start our QEMU inside the guest with -accel qtest, the
 * guest's DMA test device assigned to it (vfio-pci with the iommufd
 * backend), and drive the qtest protocol from here, as a qtest would:
 *   - read the assigned device's config space through the inner virt
 *     machine's ECAM (vendor/device 1b36:0201, class);
 *   - give its BAR 0 an address, enable it, read the device's ID register;
 *   - have the device write a pattern into the inner machine's RAM (no
 *     vIOMMU: the IOAS maps the inner RAM at its GPAs, identity for the
 *     inner guest) and read the bytes back through qtest.
 * The inner QEMU's extra options come from the command line.  With an
 * SMMUv3 in the inner machine (-M virt,iommu=smmuv3) it then programs
 * that SMMU as a guest driver would and checks, DMA by DMA, what the
 * emulated SMMU does for an assigned device (hw/arm/smmuv3-vfio.c): an
 * abort STE, V=0 and GBPA abort block it, a bypass STE and GBPA bypass
 * map the inner RAM 1:1, and a stage-1 STE blocks it with a C_BAD_STE
 * event for its StreamID in the inner event queue.
 *
 * Usage: qtest-smoke BDF [INNER-QEMU-OPTION...]
 *   QEMU: $INNER_QEMU or /usr/bin/qemu-system-aarch64.
 * Output lines start with "QTEST: " or "GUEST: check"; exit status 1
 * when a check failed, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest-check.h"
#include "hw/misc/dma-testdev.h"

#define SOCK_PATH       "/tmp/qtest-smoke.sock"
#define QMP_PATH        "/tmp/qtest-smoke-qmp.sock"
/* The inner virt machine (hw/arm/virt.c memory map) */
#define ECAM_LOW        UINT64_C(0x3f000000)
#define ECAM_HIGH       UINT64_C(0x4010000000)
#define MMIO_BASE       UINT64_C(0x10000000)    /* 32-bit PCI window */
#define RAM_BASE        UINT64_C(0x40000000)
#define DEV_SLOT        2                       /* addr=02.0 */
#define DMA_GPA         (RAM_BASE + 0x100000)
#define DMA_LEN         256
#define SEED            0x51a70000u

/* The inner SMMUv3 (virt's, IHI 0070 chapter 6) and its tables */
#define SMMU_BASE       UINT64_C(0x09050000)
#define SMMU_IDR0       0x00
#define SMMU_CR0        0x20
#define SMMU_CR0ACK     0x24
#define SMMU_GBPA       0x44
#define SMMU_STRTAB_BASE        0x80
#define SMMU_STRTAB_BASE_CFG    0x88
#define SMMU_CMDQ_BASE  0x90
#define SMMU_CMDQ_PROD  0x98
#define SMMU_CMDQ_CONS  0x9c
#define SMMU_EVTQ_BASE  0xa0
#define SMMU_EVTQ_PROD  0x100a8
#define SMMU_EVTQ_CONS  0x100ac
#define CR0_SMMUEN      (1u << 0)
#define CR0_EVTQEN      (1u << 2)
#define CR0_CMDQEN      (1u << 3)
#define GBPA_UPDATE     (1u << 31)
#define GBPA_ABORT      (1u << 20)
#define QLOG2           4               /* 16 entries a queue */
#define STRTAB          (RAM_BASE + 0x200000)   /* 32 STEs, linear */
#define CMDQ            (RAM_BASE + 0x210000)
#define EVTQ            (RAM_BASE + 0x220000)
#define CD              (RAM_BASE + 0x230000)
#define TTB0            (RAM_BASE + 0x240000)
#define DEV_SID         (DEV_SLOT << 3)         /* 00:02.0 */
#define STE_V           1
#define STE_CFG_ABORT   (0 << 1)
#define STE_CFG_BYPASS  (4 << 1)
#define STE_CFG_S1      (5 << 1)
#define CMD_CFGI_STE    0x03
#define CMD_SYNC        0x46
#define EVT_C_BAD_STE   0x04

static FILE *qin, *qout;
static FILE *qmp;       /* the inner QEMU's QMP monitor, when it has one */
static pid_t qpid;

/* Send one qtest command; the reply line without "OK " in @reply. */
static int qtest(char *reply, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int qtest(char *reply, size_t size, const char *fmt, ...)
{
    char line[8192];
    va_list ap;

    va_start(ap, fmt);
    vfprintf(qout, fmt, ap);
    va_end(ap);
    fputc('\n', qout);
    fflush(qout);
    do {
        if (!fgets(line, sizeof(line), qin)) {
            printf("QTEST: error: the inner QEMU closed the qtest socket\n");
            return -1;
        }
    } while (strncmp(line, "IRQ", 3) == 0);     /* asynchronous */
    line[strcspn(line, "\n")] = 0;
    if (strncmp(line, "OK", 2) != 0) {
        printf("QTEST: error: reply \"%s\"\n", line);
        return -1;
    }
    if (reply) {
        /* truncation is fine: callers size @reply for their command */
        snprintf(reply, size, "%.*s", (int)size - 1, line[2] ? line + 3 : "");
    }
    return 0;
}

static uint32_t readl(uint64_t addr)
{
    char r[64];
    unsigned val;

    if (qtest(r, sizeof(r), "readl 0x%" PRIx64, addr) < 0 ||
        sscanf(r, "%x", &val) != 1) {
        return 0xffffffff;
    }
    return val;
}

static void writel(uint64_t addr, uint32_t val)
{
    qtest(NULL, 0, "writel 0x%" PRIx64 " 0x%x", addr, val);
}

static void writew(uint64_t addr, uint16_t val)
{
    qtest(NULL, 0, "writew 0x%" PRIx64 " 0x%x", addr, val);
}

static void writeq(uint64_t addr, uint64_t val)
{
    qtest(NULL, 0, "writeq 0x%" PRIx64 " 0x%" PRIx64, addr, val);
}

static uint64_t readq(uint64_t addr)
{
    char r[64];
    unsigned long long val;

    if (qtest(r, sizeof(r), "readq 0x%" PRIx64, addr) < 0 ||
        sscanf(r, "%llx", &val) != 1) {
        return ~0ULL;
    }
    return val;
}

/*
 * Have the device write DMA_LEN bytes of the pattern @seed at inner GPA
 * @gpa; return 1 when they all landed (and RESULT is ok), 0 when none of
 * them did (*result says how the device saw it), -1 for anything else.
 */
static int dma_at(uint64_t bar0, uint64_t gpa, uint32_t seed,
                  uint32_t *result)
{
    char r[2 * DMA_LEN + 16];
    int k, same = 0, fill = 0;

    qtest(NULL, 0, "memset 0x%" PRIx64 " 0x%x 0xee", gpa, DMA_LEN);
    writel(bar0 + DMA_TESTDEV_IOVA_LO, (uint32_t)gpa);
    writel(bar0 + DMA_TESTDEV_IOVA_HI, (uint32_t)(gpa >> 32));
    writel(bar0 + DMA_TESTDEV_LEN, DMA_LEN);
    writel(bar0 + DMA_TESTDEV_PATTERN, seed);
    writel(bar0 + DMA_TESTDEV_CMD, 0x3);         /* RUN | WRITE */
    *result = readl(bar0 + DMA_TESTDEV_RESULT);
    if (qtest(r, sizeof(r), "read 0x%" PRIx64 " 0x%x", gpa, DMA_LEN) < 0 ||
        strncmp(r, "0x", 2) != 0) {
        return -1;
    }
    for (k = 0; k < DMA_LEN; k++) {
        uint32_t word = dma_testdev_pattern_word(seed, k / 4);
        unsigned byte = (word >> (8 * (k % 4))) & 0xff, got;

        if (sscanf(r + 2 + 2 * k, "%2x", &got) != 1) {
            return -1;
        }
        same += got == byte;
        fill += got == 0xee;
    }
    if (same == DMA_LEN && *result == 1) {
        return 1;
    }
    return fill == DMA_LEN && *result != 1 ? 0 : -1;
}

/* Connect to the inner QEMU's QMP monitor and leave the greeting */
static void qmp_connect(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char line[4096];
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", QMP_PATH);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        printf("QTEST: no QMP monitor at %s: %s\n", QMP_PATH,
               strerror(errno));
        return;
    }
    qmp = fdopen(fd, "r+");
    if (!qmp || !fgets(line, sizeof(line), qmp)) {
        return;
    }
    fprintf(qmp, "{\"execute\": \"qmp_capabilities\"}\n");
    fflush(qmp);
    if (!fgets(line, sizeof(line), qmp)) {
        fclose(qmp);
        qmp = NULL;
    }
}

/*
 * query-smmuv3 of the inner QEMU: the "assigned" member of the stream
 * @sid, as "MAPPING refused=N", or "none".
 */
static void qmp_assigned(uint32_t sid, char *out, size_t size)
{
    static char line[65536];
    char key[32], *st, *next, *a;
    unsigned refused = 0;

    snprintf(out, size, "none");
    if (!qmp) {
        return;
    }
    fprintf(qmp, "{\"execute\": \"query-smmuv3\"}\n");
    fflush(qmp);
    do {
        if (!fgets(line, sizeof(line), qmp)) {
            return;
        }
    } while (strstr(line, "\"event\""));
    /* The stream objects of "streams": one of them has the "sid" */
    st = strstr(line, "\"streams\": [");
    snprintf(key, sizeof(key), "\"sid\": %u", sid);
    for (a = NULL; st && *st && !a; st = next) {
        int depth = 0;

        st = strchr(st, '{');
        if (!st) {
            break;
        }
        for (next = st; *next; next++) {
            depth += *next == '{' ? 1 : *next == '}' ? -1 : 0;
            if (!depth) {
                break;
            }
        }
        if (!*next) {
            break;
        }
        *next++ = 0;
        if ((strstr(st, key) && strchr(",}", strstr(st, key)[strlen(key)]))) {
            a = strstr(st, "\"assigned\": {");
            if (!a) {
                return;
            }
        }
    }
    if (!a) {
        return;
    }
    /* Its members come in any order */
    a[strcspn(a, "}")] = 0;
    st = strstr(a, "\"refused\": ");
    if (st) {
        sscanf(st + strlen("\"refused\": "), "%u", &refused);
    }
    a = strstr(a, "\"mapping\": \"");
    if (!a) {
        return;
    }
    a += strlen("\"mapping\": \"");
    snprintf(out, size, "%.*s refused=%u", (int)strcspn(a, "\""), a,
             refused);
}

/* The stream of the assigned device in query-smmuv3 must say @want */
static void assigned_check(const char *name, const char *want)
{
    char got[64];

    qmp_assigned(DEV_SID, got, sizeof(got));
    printf("QTEST: %s: query-smmuv3 assigned: %s\n", name, got);
    check(name, !strcmp(got, want), "query-smmuv3 of the inner QEMU shows "
          "the stream as \"%s\" (expected \"%s\")", got, want);
}

/* Copy @len bytes of the inner RAM at @addr into @buf; 0 on success */
static int mem_read(uint64_t addr, uint8_t *buf, size_t len)
{
    char r[2 * 1024 + 16];
    size_t off, k, n;

    for (off = 0; off < len; off += n) {
        n = len - off < 1024 ? len - off : 1024;
        if (qtest(r, sizeof(r), "read 0x%" PRIx64 " 0x%zx", addr + off,
                  n) < 0 || strncmp(r, "0x", 2) != 0) {
            return -1;
        }
        for (k = 0; k < n; k++) {
            unsigned byte;

            if (sscanf(r + 2 + 2 * k, "%2x", &byte) != 1) {
                return -1;
            }
            buf[off + k] = byte;
        }
    }
    return 0;
}

/*
 * The inner machine's fw_cfg (docs/specs/fw_cfg.rst): a DMA access that
 * selects @key and reads @len bytes into the inner RAM at @dst.
 */
#define FW_CFG_BASE     UINT64_C(0x09020000)
#define FW_CFG_DMA      (FW_CFG_BASE + 16)
#define FW_CFG_DIR      0x19
#define FW_CFG_DMA_DESC (RAM_BASE + 0x400000)
#define FW_CFG_DMA_BUF  (RAM_BASE + 0x401000)

static int fw_cfg_dma_read(uint16_t key, uint64_t dst, uint32_t len)
{
    uint32_t control = ((uint32_t)key << 16) | 0x08 | 0x02; /* select, read */

    writel(FW_CFG_DMA_DESC, __builtin_bswap32(control));
    writel(FW_CFG_DMA_DESC + 4, __builtin_bswap32(len));
    writeq(FW_CFG_DMA_DESC + 8, __builtin_bswap64(dst));
    /* The address register is big-endian; writing its low half starts it */
    writel(FW_CFG_DMA, 0);
    writel(FW_CFG_DMA + 4, __builtin_bswap32((uint32_t)FW_CFG_DMA_DESC));
    return readl(FW_CFG_DMA_DESC) == 0 ? 0 : -1;     /* control cleared */
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/*
 * The RMR nodes of the inner machine's IORT (DEN 0049 E.d), each printed;
 * checks that one of them is the expected range (BASE SIZE SID REMAP, from
 * the environment's QTEST_EXPECT_RMR).
 */
static void check_inner_rmrs(const char *want)
{
    static uint8_t dir[4 + 64 * 64], blob[128 * 1024];
    unsigned long long wbase, wsize;
    unsigned wsid, wremap, count, i, sel = 0, size = 0, found = 0;
    uint32_t off, nodes, nlen;
    const uint8_t *iort = NULL;

    if (sscanf(want, "%llx %llx %x %u", &wbase, &wsize, &wsid,
               &wremap) != 4) {
        check("inner-rmr", 0, "bad QTEST_EXPECT_RMR \"%s\"", want);
        return;
    }
    if (fw_cfg_dma_read(FW_CFG_DIR, FW_CFG_DMA_BUF, sizeof(dir)) < 0 ||
        mem_read(FW_CFG_DMA_BUF, dir, sizeof(dir)) < 0) {
        check("inner-rmr", 0, "could not read the inner fw_cfg directory");
        return;
    }
    count = dir[0] << 24 | dir[1] << 16 | dir[2] << 8 | dir[3];
    for (i = 0; i < count && i < 64; i++) {
        const uint8_t *f = dir + 4 + 64 * i;

        if (!strncmp((const char *)f + 8, "etc/acpi/tables", 56)) {
            size = f[0] << 24 | f[1] << 16 | f[2] << 8 | f[3];
            sel = f[4] << 8 | f[5];
        }
    }
    if (!sel || size > sizeof(blob) ||
        fw_cfg_dma_read(sel, FW_CFG_DMA_BUF, size) < 0 ||
        mem_read(FW_CFG_DMA_BUF, blob, size) < 0) {
        check("inner-rmr", 0, "could not read the inner ACPI tables");
        return;
    }
    for (off = 0; off + 48 <= size && !iort; off++) {
        if (!memcmp(blob + off, "IORT", 4) && le32(blob + off + 4) >= 48 &&
            off + le32(blob + off + 4) <= size) {
            iort = blob + off;
        }
    }
    if (!iort) {
        check("inner-rmr", 0, "no IORT in the inner ACPI tables");
        return;
    }
    printf("QTEST: inner IORT: revision %u, %u nodes\n", iort[8],
           le32(iort + 36));
    nodes = le32(iort + 36);
    for (off = le32(iort + 40); nodes--; off += nlen) {
        const uint8_t *n = iort + off, *map, *desc;
        uint32_t flags;

        nlen = n[1] | n[2] << 8;
        if (nlen < 16 || off + nlen > le32(iort + 4)) {
            break;
        }
        if (n[0] != 6) {
            continue;
        }
        map = n + le32(n + 12);
        desc = n + le32(n + 24);
        flags = le32(n + 16);
        printf("QTEST: inner IORT RMR: streams 0x%x..0x%x, 0x%" PRIx64
               "+0x%" PRIx64 ", flags 0x%x (remap %s)\n", le32(map + 8),
               le32(map + 8) + le32(map + 4), le64(desc), le64(desc + 8),
               flags, flags & 1 ? "permitted" : "not permitted");
        if (le64(desc) == wbase && le64(desc + 8) == wsize &&
            le32(map + 8) == wsid && (flags & 1) == wremap &&
            iort[8] >= 5) {
            found = 1;
        }
    }
    check("inner-rmr", found, "an IORT RMR node for StreamID 0x%x, "
          "0x%llx+0x%llx, remap %s, in the inner machine (the host "
          "group's %s region)", wsid, wbase, wsize,
          wremap ? "permitted" : "not permitted",
          wremap ? "direct-relaxable" : "direct");
}

/* One DMA, and a check that it landed (@want 1) or was blocked (0) */
static void dma_check(const char *name, uint64_t bar0, int want,
                      const char *what)
{
    static uint32_t n;
    uint64_t gpa = RAM_BASE + 0x300000 + (uint64_t)(n % 64) * 0x1000;
    uint32_t result;
    int got = dma_at(bar0, gpa, SEED + (++n << 8), &result);

    printf("QTEST: %s: DMA to inner GPA 0x%" PRIx64 ": result %u, %s\n",
           name, gpa, result, got == 1 ? "landed" : got == 0 ?
           "blocked (memory untouched)" : "partly landed");
    check(name, got == want, "%s: the DMA %s (device result %u)", what,
          got == 1 ? "landed" : got == 0 ? "was blocked" : "partly landed",
          result);
}

static uint32_t cmdq_prod;

/* Queue CFGI_STE(@sid) and CMD_SYNC and let the SMMU consume them */
static void smmu_cfgi_ste(uint32_t sid)
{
    uint64_t cmds[2][2] = {
        { CMD_CFGI_STE | ((uint64_t)sid << 32), 1 },    /* leaf */
        { CMD_SYNC, 0 },
    };
    int i;

    for (i = 0; i < 2; i++) {
        uint64_t slot = CMDQ + (cmdq_prod & ((1 << QLOG2) - 1)) * 16;

        writeq(slot, cmds[i][0]);
        writeq(slot + 8, cmds[i][1]);
        cmdq_prod = (cmdq_prod + 1) & ((2 << QLOG2) - 1);
    }
    writel(SMMU_BASE + SMMU_CMDQ_PROD, cmdq_prod);
}

static void smmu_ste(uint32_t sid, uint64_t word0)
{
    uint64_t ste = STRTAB + sid * 64;
    int i;

    for (i = 1; i < 8; i++) {
        writeq(ste + 8 * i, 0);
    }
    writeq(ste, word0);
}

static void smmu_gbpa(uint32_t gbpa)
{
    writel(SMMU_BASE + SMMU_GBPA, GBPA_UPDATE | gbpa);
}

/* The emulated SMMU with the assigned device behind it, step by step */
static void smmu_steps(uint64_t bar0)
{
    uint32_t prod, ack;
    uint64_t evt;

    /* GBPA bypass while the SMMU is off: the inner RAM 1:1 */
    qmp_connect();
    dma_check("gbpa-bypass", bar0, 1, "SMMUEN=0, GBPA bypass");
    assigned_check("query-gbpa-bypass", "identity refused=0");
    smmu_gbpa(GBPA_ABORT);
    dma_check("gbpa-abort", bar0, 0, "SMMUEN=0, GBPA abort");
    assigned_check("query-gbpa-abort", "blocked refused=0");
    smmu_gbpa(0);
    dma_check("gbpa-bypass-again", bar0, 1, "GBPA back to bypass");

    /* Tables and queues, an abort STE for the device, then SMMUEN */
    qtest(NULL, 0, "memset 0x%" PRIx64 " 0x800 0", STRTAB);
    smmu_ste(DEV_SID, STE_V | STE_CFG_ABORT);
    writeq(SMMU_BASE + SMMU_STRTAB_BASE, STRTAB);
    writel(SMMU_BASE + SMMU_STRTAB_BASE_CFG, 5);     /* linear, 32 STEs */
    writeq(SMMU_BASE + SMMU_CMDQ_BASE, CMDQ | QLOG2);
    writel(SMMU_BASE + SMMU_CMDQ_PROD, 0);
    writel(SMMU_BASE + SMMU_CMDQ_CONS, 0);
    writeq(SMMU_BASE + SMMU_EVTQ_BASE, EVTQ | QLOG2);
    writel(SMMU_BASE + SMMU_EVTQ_PROD, 0);
    writel(SMMU_BASE + SMMU_EVTQ_CONS, 0);
    writel(SMMU_BASE + SMMU_CR0, CR0_SMMUEN | CR0_EVTQEN | CR0_CMDQEN);
    ack = readl(SMMU_BASE + SMMU_CR0ACK);
    printf("QTEST: inner SMMU enabled: CR0ACK 0x%x\n", ack);
    dma_check("ste-abort", bar0, 0, "abort STE");

    smmu_ste(DEV_SID, STE_V | STE_CFG_BYPASS);
    smmu_cfgi_ste(DEV_SID);
    dma_check("ste-bypass", bar0, 1, "bypass STE (CFGI_STE)");
    assigned_check("query-ste-bypass", "identity refused=0");

    smmu_ste(DEV_SID, 0);
    smmu_cfgi_ste(DEV_SID);
    dma_check("ste-invalid", bar0, 0, "STE with V=0");

    /* A valid stage-1 STE and CD: refused with C_BAD_STE, blocked */
    writeq(CD, 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1u << 30) |
           (1ull << 31) | (2ull << 32) | (1ull << 41) | (1ull << 45) |
           (1ull << 46) | (1ull << 47) | (1ull << 48));
    writeq(CD + 8, TTB0);
    writeq(CD + 16, 0);
    writeq(CD + 24, 0xff);
    smmu_ste(DEV_SID, STE_V | STE_CFG_S1 | CD);
    smmu_cfgi_ste(DEV_SID);
    prod = readl(SMMU_BASE + SMMU_EVTQ_PROD);
    evt = prod ? readq(EVTQ + ((prod - 1) & ((1 << QLOG2) - 1)) * 32) : 0;
    printf("QTEST: stage-1 STE: EVTQ_PROD %u, last event 0x%016" PRIx64
           "\n", prod, evt);
    check("ste-s1-event", (evt & 0xff) == EVT_C_BAD_STE &&
          (evt >> 32) == DEV_SID, "stage-1 STE: event type 0x%x for "
          "StreamID 0x%x in the inner event queue (expected C_BAD_STE "
          "0x%x for 0x%x)", (unsigned)(evt & 0xff), (unsigned)(evt >> 32),
          EVT_C_BAD_STE, DEV_SID);
    dma_check("ste-s1", bar0, 0, "stage-1 STE");
    assigned_check("query-ste-s1", "blocked refused=1");

    smmu_ste(DEV_SID, STE_V | STE_CFG_BYPASS);
    smmu_cfgi_ste(DEV_SID);
    dma_check("ste-bypass-again", bar0, 1, "bypass STE again");

    /* SMMUEN=0 again: GBPA decides */
    writel(SMMU_BASE + SMMU_CR0, 0);
    smmu_gbpa(GBPA_ABORT);
    dma_check("disabled-gbpa-abort", bar0, 0, "SMMUEN=0, GBPA abort");
    smmu_gbpa(0);
    dma_check("disabled-gbpa-bypass", bar0, 1, "SMMUEN=0, GBPA bypass");
}

/* Start the inner QEMU connected to a socket we listen on. */
static int start_qemu(const char *bdf, int argc, char **argv)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *qemu = getenv("INNER_QEMU");
    char dev[160], chardev[64], qmparg[96];
    char **args;
    int ls, fd, i, n = 0;
    struct pollfd pfd;

    qemu = qemu ? qemu : "/usr/bin/qemu-system-aarch64";
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", SOCK_PATH);
    unlink(SOCK_PATH);
    ls = socket(AF_UNIX, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(ls, 1) < 0) {
        printf("QTEST: error: socket %s: %s\n", SOCK_PATH, strerror(errno));
        return -1;
    }
    snprintf(dev, sizeof(dev), "vfio-pci,host=%s,iommufd=iommufd0,"
             "bus=pcie.0,addr=%d.0,id=assigned", bdf, DEV_SLOT);
    snprintf(chardev, sizeof(chardev), "unix:%s", SOCK_PATH);
    snprintf(qmparg, sizeof(qmparg), "unix:%s,server=on,wait=off",
             QMP_PATH);
    args = calloc(argc + 24, sizeof(*args));
    args[n++] = (char *)qemu;
    args[n++] = (char *)"-M";
    args[n++] = (char *)"virt";
    args[n++] = (char *)"-accel";
    args[n++] = (char *)"qtest";
    args[n++] = (char *)"-qtest";
    args[n++] = chardev;
    args[n++] = (char *)"-display";
    args[n++] = (char *)"none";
    args[n++] = (char *)"-nodefaults";
    args[n++] = (char *)"-m";
    args[n++] = (char *)"64M";
    args[n++] = (char *)"-qmp";
    args[n++] = qmparg;
    args[n++] = (char *)"-object";
    args[n++] = (char *)"iommufd,id=iommufd0";
    args[n++] = (char *)"-device";
    args[n++] = dev;
    for (i = 0; i < argc; i++) {
        args[n++] = argv[i];
    }
    printf("QTEST: starting");
    for (i = 0; i < n; i++) {
        printf(" %s", args[i]);
    }
    printf("\n");
    fflush(stdout);
    qpid = fork();
    if (qpid == 0) {
        execv(qemu, args);
        printf("QTEST: error: exec %s: %s\n", qemu, strerror(errno));
        _exit(127);
    }
    pfd.fd = ls;
    pfd.events = POLLIN;
    if (qpid < 0 || poll(&pfd, 1, 60000) != 1) {
        printf("QTEST: error: the inner QEMU did not connect within 60 s\n");
        return -1;
    }
    fd = accept(ls, NULL, NULL);
    close(ls);
    if (fd < 0) {
        return -1;
    }
    qin = fdopen(fd, "r");
    qout = fdopen(dup(fd), "w");
    return qin && qout ? 0 : -1;
}

static void stop_qemu(void)
{
    int status = 0, i;

    if (qpid <= 0) {
        return;
    }
    if (qout) {
        fclose(qout);
        qout = NULL;
    }
    if (qmp) {
        fclose(qmp);
        qmp = NULL;
    }
    kill(qpid, SIGTERM);
    for (i = 0; i < 50; i++) {
        if (waitpid(qpid, &status, WNOHANG) == qpid) {
            printf("QTEST: the inner QEMU exited\n");
            return;
        }
        usleep(100000);
    }
    kill(qpid, SIGKILL);
    waitpid(qpid, &status, 0);
    printf("QTEST: the inner QEMU was killed\n");
}

int main(int argc, char **argv)
{
    uint64_t ecam, cfg, bar0;
    uint32_t id, class, result;
    int match;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: qtest-smoke BDF [INNER-QEMU-OPTION...]\n");
        return 2;
    }
    if (start_qemu(argv[1], argc - 2, argv + 2) < 0) {
        check("inner-qemu", 0, "the inner QEMU did not start");
        stop_qemu();
        return 1;
    }
    check("inner-qemu", 1, "started with -accel qtest, %s assigned with "
          "vfio-pci and iommufd", argv[1]);

    /* The host bridge (1b36:0008) at 00:00.0 tells which ECAM is mapped */
    ecam = readl(ECAM_HIGH) == 0x00081b36 ? ECAM_HIGH : ECAM_LOW;
    cfg = ecam + (DEV_SLOT << 15);
    id = readl(cfg);
    class = readl(cfg + 8) >> 8;
    printf("QTEST: config space of 00:%02x.0 at ECAM 0x%" PRIx64
           ": id 0x%08x class 0x%06x\n", DEV_SLOT, ecam, id, class);
    check("config-space", id == 0x02011b36 && class == 0xff0000,
          "vendor:device %04x:%04x class 0x%06x (expected 1b36:0201, "
          "0xff0000)", id & 0xffff, id >> 16, class);

    bar0 = MMIO_BASE;
    writel(cfg + 0x10, (uint32_t)bar0);
    writew(cfg + 4, 0x6);       /* memory space, bus master */
    id = readl(bar0);
    check("bar0", id == DMA_TESTDEV_MAGIC,
          "ID register through BAR 0 at 0x%" PRIx64
          ": 0x%08x (expected 0x%08x)", bar0, id, DMA_TESTDEV_MAGIC);

    match = dma_at(bar0, DMA_GPA, SEED, &result) == 1;
    printf("QTEST: DMA of %d bytes to inner GPA 0x%" PRIx64 ": result %u, "
           "the pattern %s in the inner RAM\n", DMA_LEN, DMA_GPA, result,
           match ? "is" : "is NOT");
    check("identity-dma", match,
          "the device wrote %d bytes at inner GPA 0x%" PRIx64 ": result %u "
          "(1 = ok), bytes %s", DMA_LEN, DMA_GPA, result,
          match ? "read back through qtest" : "missing");
    if (readl(SMMU_BASE + SMMU_IDR0) != 0) {
        printf("QTEST: the inner machine has an SMMUv3: blocking and "
               "identity for the assigned device\n");
        smmu_steps(bar0);
        if (getenv("QTEST_EXPECT_RMR")) {
            check_inner_rmrs(getenv("QTEST_EXPECT_RMR"));
        }
    }
    stop_qemu();
    printf("QTEST: %d check(s) failed\n", guest_check_failures);
    return guest_check_failures ? 1 : 0;
}
