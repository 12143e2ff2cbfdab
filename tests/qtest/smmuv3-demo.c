/*
 * A narrated walk through the SMMUv3 stream configurations
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Starts the virt board with its SMMUv3 and the DMA test device, brings
 * the SMMU up, then shows, step by step, what an abort, a bypass and a
 * stage 1 STE do to the device's DMA: the STE in force, the DMA issued,
 * the device's RESULT, the bytes at the target and the events recorded.
 * Prints for a human reader; exits non-zero if any step fails.
 *
 * Run by "make demo".  Without QTEST_QEMU_BINARY it uses the
 * qemu-system-aarch64 two directories above its own path.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "libqos/libqos-malloc.h"
#include "libqos/generic-pcihost.h"
#include "libqos/dma-testdev.h"
#include "libqos/smmuv3.h"

#define DEV_SID         QSMMU_BENCH_SID

#define SMMU_MEM_SIZE   (48 * MiB)

#define BYPASS_PA       0x50000000ULL
#define S1_IOVA         0x10000000ULL   /* the PCI MMIO window, not RAM */
#define S1_PA           0x5abcd000ULL
#define S1_HOLE         0x10001000ULL   /* not mapped */
#define S1_ASID         7
#define S1_T0SZ         16

#define DMA_LEN         64
#define MARKER          QSMMU_BENCH_MARKER
#define SHOW_BYTES      16

typedef struct Demo {
    QSMMUBench b;
    int step;
    int passed;
    int failed;
} Demo;

static bool find_qemu(const char *argv0)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = NULL;
    g_autofree char *qemu = NULL;

    if (getenv("QTEST_QEMU_BINARY")) {
        return true;
    }
    dir = g_path_get_dirname(self ? self : argv0);
    qemu = g_build_filename(dir, "..", "..", "qemu-system-aarch64", NULL);
    if (!g_file_test(qemu, G_FILE_TEST_IS_EXECUTABLE)) {
        fprintf(stderr, "smmuv3-demo: QTEST_QEMU_BINARY is not set and %s "
                "does not exist; build QEMU or set QTEST_QEMU_BINARY\n", qemu);
        return false;
    }
    g_setenv("QTEST_QEMU_BINARY", qemu, true);
    return true;
}

static void header(Demo *d, const char *title)
{
    printf("\n---- Step %d: %s ----\n", ++d->step, title);
}

static void verdict(Demo *d, bool ok, const char *what)
{
    printf("  Verdict: %s - %s\n", ok ? "PASS" : "FAIL", what);
    if (ok) {
        d->passed++;
    } else {
        d->failed++;
    }
}

static void show_ste(Demo *d)
{
    uint64_t ste[QSMMU_STE_WORDS];
    g_autofree char *text = NULL;
    int i;

    qsmmu_read_ste(&d->b.smmu, DEV_SID, ste);
    text = qsmmu_ste_describe(ste);
    printf("  STE of StreamID 0x%x at 0x%" PRIx64 ", words 0-7:", DEV_SID,
           qsmmu_ste_addr(&d->b.smmu, DEV_SID));
    for (i = 0; i < QSMMU_STE_WORDS; i++) {
        printf("%s%016" PRIx64, i % 4 ? " " : "\n    ", ste[i]);
    }
    printf("\n    decoded: %s\n", text);
}

static void show_bytes(Demo *d, const char *what, uint64_t pa)
{
    uint8_t buf[SHOW_BYTES];
    bool untouched = true;
    int i;

    qtest_memread(d->b.qts, pa, buf, sizeof(buf));
    for (i = 0; i < SHOW_BYTES; i++) {
        untouched &= buf[i] == MARKER;
    }
    printf("  %s 0x%" PRIx64 ": ", what, pa);
    if (untouched) {
        printf("untouched (still the 0x%02x marker)\n", MARKER);
        return;
    }
    for (i = 0; i < SHOW_BYTES; i++) {
        printf("%02x ", buf[i]);
    }
    printf("...\n");
}

/* Print and drain the event queue; returns how many were queued */
static int show_events(Demo *d, QSMMUEvent *first)
{
    QSMMUEvent ev;
    int n = 0;

    while (qsmmu_evtq_pop(&d->b.smmu, &ev)) {
        g_autofree char *text = qsmmu_event_describe(&ev);

        printf("  Event: %s\n", text);
        if (!n && first) {
            *first = ev;
        }
        n++;
    }
    if (!n) {
        printf("  Events: none\n");
    }
    return n;
}

static uint32_t issue_write(Demo *d, uint64_t iova, uint32_t len,
                            uint32_t seed)
{
    uint32_t result;

    printf("  DMA: device writes %u bytes (pattern seed 0x%x) to IOVA 0x%"
           PRIx64 "\n", len, seed, iova);
    result = dma_testdev_write_pattern(&d->b.dev, iova, len, seed);
    printf("  RESULT: %s, %u bytes done", dma_testdev_result_name(result),
           dma_testdev_done(&d->b.dev));
    if (result != DMA_TESTDEV_RESULT_OK) {
        printf(", stopped at IOVA 0x%" PRIx64,
               dma_testdev_fault_addr(&d->b.dev));
    }
    printf("\n");
    return result;
}

/* Mark @len bytes at @pa, DMA to @iova, and show what arrived at @pa */
static uint32_t write_and_show(Demo *d, uint64_t iova, uint64_t pa,
                               uint32_t seed, const char *what)
{
    uint32_t result;

    qsmmu_mem_mark(d->b.qts, pa, DMA_LEN);
    result = issue_write(d, iova, DMA_LEN, seed);
    show_bytes(d, what, pa);
    return result;
}

/*
 * write_and_show(), then the verdict that the DMA completed, its data
 * landed at @pa and no event was recorded (@claim says so in words)
 */
static void show_landed(Demo *d, uint64_t iova, uint64_t pa, uint32_t seed,
                        const char *what, const char *claim)
{
    uint32_t result = write_and_show(d, iova, pa, seed, what);
    int events = show_events(d, NULL);

    verdict(d, result == DMA_TESTDEV_RESULT_OK && events == 0 &&
            qsmmu_mem_has_pattern(d->b.qts, pa, DMA_LEN, seed), claim);
}

/* query-smmuv3: is the device's cached STE older than the one in memory? */
static bool stream_stale(Demo *d)
{
    QDict *st = qsmmu_query_stream(d->b.qts, DEV_SID);
    bool stale = qdict_get_bool(st, "stale");

    qobject_unref(st);
    return stale;
}

static void bring_up(Demo *d)
{
    QSMMUv3Config cfg = {
        .mem = QSMMU_BENCH_SMMU_MEM,
        .mem_size = SMMU_MEM_SIZE,
    };

    printf("Starting: qemu-system-aarch64 -M virt,iommu=smmuv3 -cpu max "
           "-m 512\n          -device dma-testdev,bus=pcie.0,addr=04.0,"
           "id=dma0\n");
    qsmmu_bench_start(&d->b, NULL, NULL, &cfg);
    printf("DMA test device at 00:04.0, so its StreamID is 0x%x\n", DEV_SID);
    printf("SMMUv3 at 0x%" PRIx64 ": IDR0=0x%08x (stage 1 %s, stage 2 %s)\n",
           d->b.smmu.base, d->b.smmu.idr[0],
           d->b.smmu.idr[0] & QSMMU_IDR0_S1P ? "yes" : "no",
           d->b.smmu.idr[0] & QSMMU_IDR0_S2P ? "yes" : "no");
    printf("  linear stream table of %u STEs at 0x%" PRIx64 "\n",
           1u << d->b.smmu.sid_bits, d->b.smmu.strtab);
    printf("  command queue at 0x%" PRIx64 ", event queue at 0x%" PRIx64
           "\n", d->b.smmu.cmdq, d->b.smmu.evtq);
    printf("  CFGI_ALL, TLBI_NSNH_ALL, CMD_SYNC issued; CR0ACK=0x%x "
           "(SMMUEN, EVENTQEN, CMDQEN)\n",
           qsmmu_readl(&d->b.smmu, QSMMU_CR0ACK));
    printf("  every STE starts invalid (V=0); each step writes one, then "
           "CFGI_STE + CMD_SYNC\n");
}

static void step_abort(Demo *d)
{
    uint64_t ste[QSMMU_STE_WORDS];
    uint32_t result;
    int events;

    header(d, "abort STE (Config 0b000): the device is blocked");
    qsmmu_ste_abort(ste);
    qsmmu_write_ste(&d->b.smmu, DEV_SID, ste);
    show_ste(d);
    result = write_and_show(d, BYPASS_PA, BYPASS_PA, 0x1000, "Target PA");
    events = show_events(d, NULL);
    verdict(d, result == DMA_TESTDEV_RESULT_ABORT && events == 0 &&
            qsmmu_mem_is_marked(d->b.qts, BYPASS_PA, DMA_LEN),
            "terminated silently, nothing written, no event");
}

static void step_bypass(Demo *d)
{
    uint64_t ste[QSMMU_STE_WORDS];

    header(d, "bypass STE (Config 0b100): IOVA is the physical address");
    qsmmu_ste_bypass(ste);
    qsmmu_write_ste(&d->b.smmu, DEV_SID, ste);
    show_ste(d);
    show_landed(d, BYPASS_PA, BYPASS_PA, 0x2000, "Target PA",
                "every byte arrived at PA == IOVA, no event");
}

static void step_s1(Demo *d)
{
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    g_autofree char *cd_text = NULL;
    QSMMUPageTable pt;
    uint64_t cdptr;

    header(d, "stage 1 STE (Config 0b101): IOVA 0x10000000 -> PA 0x5abcd000");
    qsmmu_pt_new(&d->b.smmu, &pt, S1_T0SZ);
    qsmmu_pt_map(&pt, S1_IOVA, S1_PA, 4096, QSMMU_PROT_RW);
    printf("  Page table: 4KB granule, 48-bit IOVA, 4 levels, root at 0x%"
           PRIx64 "\n    one page mapped read-write: 0x%" PRIx64 " -> 0x%"
           PRIx64 "\n", pt.root, (uint64_t)S1_IOVA, (uint64_t)S1_PA);
    cdptr = qsmmu_cd_store_s1(&d->b.smmu, cd, S1_ASID, pt.root,
                              S1_T0SZ, QSMMU_PS_44);
    cd_text = qsmmu_cd_describe(cd);
    printf("  CD at 0x%" PRIx64 ": %s\n", cdptr, cd_text);
    qsmmu_ste_s1(ste, cdptr, QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
    qsmmu_write_ste(&d->b.smmu, DEV_SID, ste);
    show_ste(d);

    show_landed(d, S1_IOVA, S1_PA, 0x3000, "Translated PA",
                "the data landed at the translated address, no event");
}

static void step_s1_fault(Demo *d)
{
    QSMMUEvent ev = { 0 };
    uint32_t result;
    int events;

    header(d, "same stage 1 STE, IOVA 0x10001000 is not mapped");
    show_ste(d);
    /* A whole page: one transaction, so one event however long */
    result = issue_write(d, S1_HOLE, 4096, 0x4000);
    events = show_events(d, &ev);
    verdict(d, result == DMA_TESTDEV_RESULT_FAULT && events == 1 &&
            ev.type == QSMMU_EVT_F_TRANSLATION && ev.sid == DEV_SID &&
            ev.input_addr == S1_HOLE && !ev.rnw,
            "terminated with one F_TRANSLATION naming StreamID and IOVA");
}

/* The line of `info smmuv3` about the test device's stream */
static void show_info_line(Demo *d)
{
    g_autofree char *out = qtest_hmp(d->b.qts, "info smmuv3");
    g_autofree char *sid = g_strdup_printf("0x%x ", DEV_SID);
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    int i;

    for (i = 0; lines[i]; i++) {
        if (strstr(lines[i], sid)) {
            printf("  info smmuv3: %s\n", g_strstrip(lines[i]));
        }
    }
}

static void step_stale(Demo *d)
{
    uint64_t ste[QSMMU_STE_WORDS];
    uint32_t result;
    bool stale;

    header(d, "bypass STE stored over the stage 1 one, without CFGI_STE");
    qsmmu_ste_bypass(ste);
    qsmmu_store_ste(&d->b.smmu, DEV_SID, ste);
    show_ste(d);
    show_info_line(d);
    stale = stream_stale(d);
    result = write_and_show(d, S1_IOVA, S1_PA, 0x5000, "Translated PA");
    verdict(d, stale && result == DMA_TESTDEV_RESULT_OK &&
            qsmmu_mem_has_pattern(d->b.qts, S1_PA, DMA_LEN, 0x5000),
            "the SMMU still translates with the cached STE: a driver bug "
            "that query-smmuv3 flags as stale");

    header(d, "CFGI_STE + CMD_SYNC: the bypass STE takes effect");
    qsmmu_cmd_cfgi_ste(&d->b.smmu, DEV_SID, true);
    g_assert_true(qsmmu_cmd_sync(&d->b.smmu));
    show_info_line(d);
    result = write_and_show(d, BYPASS_PA, BYPASS_PA, 0x6000, "Target PA");
    stale = stream_stale(d);
    verdict(d, !stale && result == DMA_TESTDEV_RESULT_OK &&
            qsmmu_mem_has_pattern(d->b.qts, BYPASS_PA, DMA_LEN, 0x6000),
            "not stale any more; every byte arrived at PA == IOVA");
}

int main(int argc, char **argv)
{
    Demo d = { 0 };

    if (!find_qemu(argv[0])) {
        return 2;
    }
    printf("SMMUv3 stream configurations, seen through DMA\n");
    printf("==============================================\n");
    printf("QEMU: %s\n", getenv("QTEST_QEMU_BINARY"));

    bring_up(&d);
    step_abort(&d);
    step_bypass(&d);
    step_s1(&d);
    step_s1_fault(&d);
    step_stale(&d);

    printf("\n==== Summary: %d of %d steps passed%s ====\n", d.passed,
           d.passed + d.failed, d.failed ? ", SOME FAILED" : "");
    if (qsmmu_gerror_active(&d.b.smmu)) {
        printf("GERROR active: 0x%x\n", qsmmu_gerror_active(&d.b.smmu));
        d.failed++;
    }

    qsmmu_bench_quit(&d.b);
    return d.failed ? 1 : 0;
}
