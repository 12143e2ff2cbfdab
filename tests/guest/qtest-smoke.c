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
 * This is the harness for running QEMU's own vSMMU on iommufd nesting
 * later: the inner QEMU's extra options come from the command line.
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
/* The inner virt machine (hw/arm/virt.c memory map) */
#define ECAM_LOW        UINT64_C(0x3f000000)
#define ECAM_HIGH       UINT64_C(0x4010000000)
#define MMIO_BASE       UINT64_C(0x10000000)    /* 32-bit PCI window */
#define RAM_BASE        UINT64_C(0x40000000)
#define DEV_SLOT        2                       /* addr=02.0 */
#define DMA_GPA         (RAM_BASE + 0x100000)
#define DMA_LEN         256
#define SEED            0x51a70000u

static FILE *qin, *qout;
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

/* Start the inner QEMU connected to a socket we listen on. */
static int start_qemu(const char *bdf, int argc, char **argv)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *qemu = getenv("INNER_QEMU");
    char dev[160], chardev[64];
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
    char r[2 * DMA_LEN + 16];
    int k, match;

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

    qtest(NULL, 0, "memset 0x%" PRIx64 " 0x%x 0xee", DMA_GPA, DMA_LEN);
    writel(bar0 + DMA_TESTDEV_IOVA_LO, (uint32_t)DMA_GPA);
    writel(bar0 + DMA_TESTDEV_IOVA_HI, (uint32_t)(DMA_GPA >> 32));
    writel(bar0 + DMA_TESTDEV_LEN, DMA_LEN);
    writel(bar0 + DMA_TESTDEV_PATTERN, SEED);
    writel(bar0 + DMA_TESTDEV_CMD, 0x3);         /* RUN | WRITE */
    result = readl(bar0 + DMA_TESTDEV_RESULT);
    match = qtest(r, sizeof(r), "read 0x%" PRIx64 " 0x%x", DMA_GPA,
                  DMA_LEN) == 0 && strncmp(r, "0x", 2) == 0;
    for (k = 0; match && k < DMA_LEN; k++) {
        uint32_t word = dma_testdev_pattern_word(SEED, k / 4);
        unsigned byte = (word >> (8 * (k % 4))) & 0xff, got;

        if (sscanf(r + 2 + 2 * k, "%2x", &got) != 1 || got != byte) {
            match = 0;
        }
    }
    printf("QTEST: DMA of %d bytes to inner GPA 0x%" PRIx64 ": result %u, "
           "the pattern %s in the inner RAM\n", DMA_LEN, DMA_GPA, result,
           match ? "is" : "is NOT");
    check("identity-dma", result == 1 && match,
          "the device wrote %d bytes at inner GPA 0x%" PRIx64 ": result %u "
          "(1 = ok), bytes %s", DMA_LEN, DMA_GPA, result,
          match ? "read back through qtest" : "missing");
    stop_qemu();
    printf("QTEST: %d check(s) failed\n", guest_check_failures);
    return guest_check_failures ? 1 : 0;
}
