/*
 * QTest for the SMMUv3: stream configurations and counters survive a
 * migration
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A source virt machine has six DMA test devices, each on its own
 * StreamID and each in a different domain kind (abort, bypass, stage 1,
 * stage 2, nested, invalid).  Every device runs one DMA, then the machine
 * migrates over a UNIX socket to a destination started with
 * -incoming defer.  On the destination query-smmuv3 must report the same
 * kinds, IDs and counters, and the same DMAs must land or be blocked
 * exactly as before.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "libqos/libqos-malloc.h"
#include "libqos/generic-pcihost.h"
#include "libqos/dma-testdev.h"
#include "libqos/smmuv3.h"
#include "migration/migration-qmp.h"
#include "migration/migration-util.h"

#include "smmuv3-kinds.h"

#define ASID_S1         5
#define ASID_N          6
#define VMID            4

/* One device per kind, at 00:04.0 + n (StreamID 0x20 + 8 * n) */
typedef enum Dev {
    DEV_ABORT,
    DEV_BYPASS,
    DEV_S1,
    DEV_S2,
    DEV_NESTED,
    DEV_INVALID,
    DEV__MAX,
} Dev;

static const char *const dev_kind[DEV__MAX] = {
    [DEV_ABORT] = "abort", [DEV_BYPASS] = "bypass", [DEV_S1] = "s1",
    [DEV_S2] = "s2", [DEV_NESTED] = "nested", [DEV_INVALID] = "invalid",
};

#define DEV_SLOT(d)     (4 + (d))
#define DEV_SID(d)      (DEV_SLOT(d) << 3)

/* The libqos view of one machine */
typedef struct Machine {
    QTestState *qts;
    QGuestAllocator alloc;
    QGenericPCIBus pcibus;
    QDmaTestdev dev[DEV__MAX];
    QSMMUv3 smmu;
} Machine;

static char *machine_args(void)
{
    GString *s = g_string_new("-M virt,iommu=smmuv3 -cpu max -m 512 "
                              "-nodefaults");
    int d;

    for (d = 0; d < DEV__MAX; d++) {
        g_string_append_printf(s, " -device dma-testdev,bus=pcie.0,"
                               "addr=%02x.0,id=dma%d", DEV_SLOT(d), d);
    }
    return g_string_free(s, false);
}

/* Driver state of the PCI side; the same calls give the same BARs */
static void machine_attach(Machine *m)
{
    int d;

    alloc_init(&m->alloc, 0, QSMMU_BENCH_RAM_BASE,
               QSMMU_BENCH_RAM_BASE + QSMMU_BENCH_ALLOC_SIZE, 4096);
    qpci_init_generic(&m->pcibus, m->qts, &m->alloc, false);
    for (d = 0; d < DEV__MAX; d++) {
        dma_testdev_init(&m->dev[d], &m->pcibus.bus,
                         QPCI_DEVFN(DEV_SLOT(d), 0));
    }
}

static void machine_stop(Machine *m)
{
    int d;

    g_assert_cmphex(qsmmu_gerror_active(&m->smmu), ==, 0);
    qsmmu_uninit(&m->smmu);
    for (d = 0; d < DEV__MAX; d++) {
        dma_testdev_uninit(&m->dev[d]);
    }
    alloc_destroy(&m->alloc);
    qtest_quit(m->qts);
}

/*
 * The source after migration: its SMMU driver state now belongs to the
 * destination's copy.
 */
static void machine_release(Machine *m)
{
    int d;

    for (d = 0; d < DEV__MAX; d++) {
        dma_testdev_uninit(&m->dev[d]);
    }
    alloc_destroy(&m->alloc);
    qtest_quit(m->qts);
}

/* Give every device's stream its configuration */
static void program_streams(Machine *m)
{
    QSMMUStage2 s2 = {
        .vmid = VMID, .t0sz = S2_T0SZ, .sl0 = S2_SL0,
        .tg = QSMMU_S2TG_4K, .ps = QSMMU_PS_44,
    };
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS];
    QSMMUPageTable pt2;
    uint64_t cdptr_s1, cdptr_n;

    /* Stage 2 maps the SMMU's memory 1:1 for the nested CD and tables */
    qsmmu_pt_new_s2(&m->smmu, &pt2, S2_T0SZ, S2_SL0);
    qsmmu_pt_map(&pt2, SMMU_MEM, SMMU_MEM, SMMU_MEM_SIZE, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt2, IOVA, PA_S2, 4096, QSMMU_PROT_RW);
    qsmmu_pt_map(&pt2, IPA_N, PA_N, 4096, QSMMU_PROT_RW);
    s2.s2ttb = pt2.root;

    cdptr_s1 = qsmmu_cd_store_s1_page(&m->smmu, cd, ASID_S1,
                                      S1_T0SZ, IOVA, PA_S1);

    cdptr_n = qsmmu_cd_store_s1_page(&m->smmu, cd, ASID_N,
                                     S1_T0SZ, IOVA, IPA_N);

    qsmmu_ste_abort(ste);
    qsmmu_write_ste(&m->smmu, DEV_SID(DEV_ABORT), ste);
    qsmmu_ste_bypass(ste);
    qsmmu_write_ste(&m->smmu, DEV_SID(DEV_BYPASS), ste);
    qsmmu_ste_s1(ste, cdptr_s1, QSMMU_S1FMT_LINEAR, 0,
                 QSMMU_S1DSS_TERMINATE);
    qsmmu_write_ste(&m->smmu, DEV_SID(DEV_S1), ste);
    qsmmu_ste_s2(ste, &s2);
    qsmmu_write_ste(&m->smmu, DEV_SID(DEV_S2), ste);
    qsmmu_ste_nested(ste, cdptr_n, QSMMU_S1FMT_LINEAR, 0,
                     QSMMU_S1DSS_TERMINATE, &s2);
    qsmmu_write_ste(&m->smmu, DEV_SID(DEV_NESTED), ste);
    qsmmu_ste_invalid(ste);
    qsmmu_write_ste(&m->smmu, DEV_SID(DEV_INVALID), ste);
}

/*
 * A DMA write of @d: lands where its configuration sends it and nowhere
 * else, or is blocked with the right RESULT (and event).
 */
static void dma_check(Machine *m, Dev d, uint32_t seed)
{
    static const uint64_t watch[] = { IOVA, PA_S1, PA_S2, IPA_N, PA_N };
    uint64_t target = 0;
    const char *result = "ok";
    uint32_t len = LEN;
    QSMMUEvent ev;
    int i;

    switch (d) {
    case DEV_ABORT:
        result = "abort";
        len = EVT_LEN;
        break;
    case DEV_INVALID:
        result = "fault";
        len = EVT_LEN;
        break;
    case DEV_BYPASS:
        target = IOVA;
        break;
    case DEV_S1:
        target = PA_S1;
        break;
    case DEV_S2:
        target = PA_S2;
        break;
    case DEV_NESTED:
        target = PA_N;
        break;
    default:
        g_assert_not_reached();
    }

    for (i = 0; i < ARRAY_SIZE(watch); i++) {
        qsmmu_mem_mark(m->qts, watch[i], LEN);
    }
    g_assert_cmpstr(dma_testdev_result_name(
                        dma_testdev_write_pattern(&m->dev[d], IOVA, len,
                                                  seed)), ==, result);
    for (i = 0; i < ARRAY_SIZE(watch); i++) {
        if (watch[i] == target) {
            qsmmu_assert_pattern(m->qts, target, LEN, seed);
        } else {
            qsmmu_assert_untouched(m->qts, watch[i], LEN);
        }
    }

    if (d == DEV_INVALID) {
        g_assert_true(qsmmu_evtq_pop(&m->smmu, &ev));
        g_assert_cmphex(ev.type, ==, QSMMU_EVT_C_BAD_STE);
        g_assert_cmphex(ev.sid, ==, DEV_SID(d));
    }
    qsmmu_assert_no_event(&m->smmu);
}

/* Source and destination report the same SMMU and the same streams */
static void assert_same_smmu(QDict *a, QDict *b)
{
    static const char *const smmu_keys[] = {
        "enabled", "gbpa", "gbpa-abort", "stages", "stream-table-format",
    };
    static const char *const stream_keys[] = {
        "sid", "device", "kind", "asid", "vmid", "cd-count",
        "translations", "aborts", "faults",
    };
    QList *la = qdict_get_qlist(a, "streams");
    QList *lb = qdict_get_qlist(b, "streams");
    const QListEntry *ea, *eb;
    int i;

    for (i = 0; i < ARRAY_SIZE(smmu_keys); i++) {
        g_assert(qobject_is_equal(qdict_get(a, smmu_keys[i]),
                                  qdict_get(b, smmu_keys[i])));
    }
    g_assert_cmpuint(qlist_size(la), ==, qlist_size(lb));
    for (ea = qlist_first(la), eb = qlist_first(lb); ea && eb;
         ea = qlist_next(ea), eb = qlist_next(eb)) {
        QDict *sa = qobject_to(QDict, qlist_entry_obj(ea));
        QDict *sb = qobject_to(QDict, qlist_entry_obj(eb));

        for (i = 0; i < ARRAY_SIZE(stream_keys); i++) {
            QObject *va = qdict_get(sa, stream_keys[i]);
            QObject *vb = qdict_get(sb, stream_keys[i]);

            if (!qobject_is_equal(va, vb)) {
                g_error("sid 0x%" PRIx64 ": %s differs after migration",
                        qdict_get_int(sa, "sid"), stream_keys[i]);
            }
        }
    }
}

/* Migrate @src to a new machine with the same devices; returns it */
static QTestState *migrate(QTestState *src, const char *args)
{
    g_autofree char *dir = g_dir_make_tmp("smmuv3-mig-XXXXXX", NULL);
    g_autofree char *sock = g_strdup_printf("%s/mig.sock", dir);
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    QTestState *dst;

    g_assert(dir);
    dst = qtest_initf("%s -incoming defer", args);
    migrate_incoming_qmp(dst, uri, NULL, "{}");
    migrate_qmp(src, dst, uri, NULL, "{}");
    wait_for_migration_complete(src);
    wait_for_migration_complete(dst);
    unlink(sock);
    rmdir(dir);
    return dst;
}

/* A machine with the SMMU brought up as @cfg says, and its streams */
static void machine_start(Machine *m, const char *args,
                          const QSMMUv3Config *cfg)
{
    memset(m, 0, sizeof(*m));
    m->qts = qtest_init(args);
    machine_attach(m);
    qsmmu_init(&m->smmu, m->qts, cfg);
    program_streams(m);
}

/* @src migrated to @dst; the guest's SMMU driver state moves with it */
static void machine_migrate(Machine *src, Machine *dst, const char *args)
{
    memset(dst, 0, sizeof(*dst));
    dst->qts = migrate(src->qts, args);
    dst->smmu = src->smmu;
    dst->smmu.qts = dst->qts;
    machine_attach(dst);
}

/* Every kind: kinds, IDs and counters equal; DMAs behave as before */
static void test_kinds(void)
{
    g_autofree char *args = machine_args();
    QSMMUv3Config cfg = {
        .mem = SMMU_MEM,
        .mem_size = SMMU_MEM_SIZE,
    };
    QDict *before, *after, *st;
    Machine src, dst;
    int d;

    machine_start(&src, args, &cfg);
    g_assert_true(src.smmu.idr[0] & QSMMU_IDR0_S2P);
    for (d = 0; d < DEV__MAX; d++) {
        qsmmu_assert_kind(src.qts, DEV_SID(d), dev_kind[d]);
        dma_check(&src, d, 0x1000 + d);
    }
    before = qsmmu_query_smmu(src.qts);

    machine_migrate(&src, &dst, args);

    after = qsmmu_query_smmu(dst.qts);
    assert_same_smmu(before, after);
    qobject_unref(after);

    for (d = 0; d < DEV__MAX; d++) {
        qsmmu_assert_kind(dst.qts, DEV_SID(d), dev_kind[d]);
        dma_check(&dst, d, 0x2000 + d);
    }

    /* The counters go on from the migrated values */
    after = qsmmu_query_smmu(dst.qts);
    for (d = 0; d < DEV__MAX; d++) {
        QDict *sb = qsmmu_query_stream(src.qts, DEV_SID(d));
        const char *key = d == DEV_ABORT ? "aborts" :
                          d == DEV_INVALID ? "faults" : "translations";

        st = qsmmu_query_stream(dst.qts, DEV_SID(d));
        g_assert_cmpint(qdict_get_int(sb, key), >, 0);
        g_assert_cmpint(qdict_get_int(st, key), >, qdict_get_int(sb, key));
        qobject_unref(st);
        qobject_unref(sb);
    }
    qobject_unref(after);
    qobject_unref(before);

    machine_release(&src);
    machine_stop(&dst);
}

/* SMMUEN = 0 with GBPA.ABORT = 1 stays so: every stream gbpa-abort */
static void test_gbpa(void)
{
    g_autofree char *args = machine_args();
    QSMMUv3Config cfg = {
        .mem = SMMU_MEM,
        .mem_size = SMMU_MEM_SIZE,
        .no_smmuen = true,
    };
    QDict *before, *after;
    Machine src, dst;
    int d;

    machine_start(&src, args, &cfg);
    qsmmu_set_gbpa(&src.smmu, true);
    qsmmu_assert_kind(src.qts, DEV_SID(DEV_BYPASS), "gbpa-abort");
    dma_check(&src, DEV_ABORT, 0x3000);
    before = qsmmu_query_smmu(src.qts);

    machine_migrate(&src, &dst, args);

    after = qsmmu_query_smmu(dst.qts);
    assert_same_smmu(before, after);
    g_assert_true(qdict_get_bool(after, "gbpa-abort"));
    qobject_unref(after);
    qobject_unref(before);
    for (d = 0; d < DEV__MAX; d++) {
        qsmmu_assert_kind(dst.qts, DEV_SID(d), "gbpa-abort");
    }
    /* The bypass STE does not count while SMMUEN = 0 */
    dma_check(&dst, DEV_ABORT, 0x4000);
    qsmmu_mem_mark(dst.qts, IOVA, LEN);
    g_assert_cmpstr(dma_testdev_result_name(
                        dma_testdev_write_pattern(&dst.dev[DEV_BYPASS],
                                                  IOVA, EVT_LEN, 1)), ==,
                    "abort");
    qsmmu_assert_untouched(dst.qts, IOVA, LEN);

    /* Enabling it on the destination brings the migrated STEs in */
    qsmmu_enable(&dst.smmu);
    for (d = 0; d < DEV__MAX; d++) {
        qsmmu_assert_kind(dst.qts, DEV_SID(d), dev_kind[d]);
        dma_check(&dst, d, 0x5000 + d);
    }

    machine_release(&src);
    machine_stop(&dst);
}

/*
 * Migration to and from QEMU without this project: the baseline build,
 * whose binary QTEST_QEMU_BINARY_BASELINE names.  Same machine type, an
 * SMMU in use (SMMUEN = 1, a bypass STE for the host bridge's stream 0).
 * The ID registers the guest probed never change: the migration goes
 * through with every register as it was, or the destination refuses it
 * with an error that says what to set.
 */
#define BASELINE        "QTEST_QEMU_BINARY_BASELINE"
#define COMPAT_ARGS     "-M virt,iommu=smmuv3 -cpu max -m 512 -nodefaults"
#define SSIDSIZE_ARG    " -global arm-smmuv3.ssidsize=8"
/* What makes this QEMU's SMMU look and migrate as the baseline's */
#define AS_BASELINE     " -global arm-smmuv3.s2fwb=off" \
                        " -global arm-smmuv3.migrate-stream-stats=off"

/* A QEMU of a migration: its binary (an environment variable) and args */
typedef struct Side {
    const char *binary_env;     /* NULL: QTEST_QEMU_BINARY */
    const char *args;
} Side;

/* IDR0 to IDR5, CR0 and STRTAB_BASE: what must not change */
#define NB_REGS         8

static void read_regs(QTestState *qts, uint32_t *r)
{
    int i;

    for (i = 0; i < 6; i++) {
        r[i] = qtest_readl(qts, QSMMU_VIRT_BASE + QSMMU_IDR0 + 4 * i);
    }
    r[6] = qtest_readl(qts, QSMMU_VIRT_BASE + QSMMU_CR0);
    r[7] = qtest_readl(qts, QSMMU_VIRT_BASE + QSMMU_STRTAB_BASE);
}

/* The error the destination of a failed incoming migration reports */
static char *incoming_error(QTestState *dst)
{
    g_autofree char *status = NULL;
    char *desc;
    QDict *rsp;

    g_test_timer_start();
    for (;;) {
        g_free(status);
        status = migrate_query_status(dst);
        g_assert_cmpstr(status, !=, "completed");
        if (!strcmp(status, "failed")) {
            break;
        }
        g_assert(g_test_timer_elapsed() < 60);
        usleep(1000);
    }
    rsp = qtest_qmp_assert_success_ref(dst, "{ 'execute': 'query-migrate' }");
    desc = g_strdup(qdict_get_try_str(rsp, "error-desc"));
    qobject_unref(rsp);
    g_assert(desc);
    return desc;
}

/*
 * Migrate a machine with its SMMU in use from @from to @to.  With @error
 * NULL the migration must succeed with the same registers; otherwise the
 * destination must refuse it with an error that contains @error.
 */
static void migrate_between(const Side *from, const Side *to,
                            const char *error)
{
    g_autofree char *dir = g_dir_make_tmp("smmuv3-mig-XXXXXX", NULL);
    g_autofree char *sock = g_strdup_printf("%s/mig.sock", dir);
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    g_autofree char *dst_args = g_strdup_printf("%s -incoming defer",
                                                to->args);
    QSMMUv3Config cfg = {
        .mem = SMMU_MEM,
        .mem_size = SMMU_MEM_SIZE,
    };
    uint32_t before[NB_REGS], after[NB_REGS];
    uint64_t ste[QSMMU_STE_WORDS];
    QTestState *src, *dst;
    QSMMUv3 smmu;
    int i;

    if ((from->binary_env && !getenv(from->binary_env)) ||
        (to->binary_env && !getenv(to->binary_env))) {
        g_test_skip(BASELINE " is not set: no baseline QEMU to migrate with");
        return;
    }
    src = qtest_init_ext(from->binary_env, from->args, NULL, true);
    qsmmu_init(&smmu, src, &cfg);
    qsmmu_ste_bypass(ste);
    qsmmu_write_ste(&smmu, 0, ste);
    read_regs(src, before);
    g_assert_cmphex(before[6] & 1, ==, 1);          /* CR0.SMMUEN */

    dst = qtest_init_ext(to->binary_env, dst_args, NULL, true);
    migrate_incoming_qmp(dst, uri, NULL, "{ 'exit-on-error': false }");
    migrate_qmp(src, dst, uri, NULL, "{}");
    if (error) {
        g_autofree char *desc = incoming_error(dst);

        g_test_message("destination refused: %s", desc);
        g_assert_nonnull(strstr(desc, error));
    } else {
        wait_for_migration_complete(src);
        wait_for_migration_complete(dst);
        read_regs(dst, after);
        for (i = 0; i < NB_REGS; i++) {
            g_assert_cmphex(after[i], ==, before[i]);
        }
        if (!to->binary_env) {
            qsmmu_assert_kind(dst, 0, "bypass");
        }
    }
    qsmmu_uninit(&smmu);
    qtest_quit(src);
    qtest_quit(dst);
    unlink(sock);
    rmdir(dir);
}

static const Side baseline = { BASELINE, COMPAT_ARGS };
static const Side ours = { NULL, COMPAT_ARGS };
static const Side ours_as_baseline = { NULL, COMPAT_ARGS AS_BASELINE };
static const Side ours_ssid = { NULL, COMPAT_ARGS SSIDSIZE_ARG };
static const Side ours_as_baseline_ssid = {
    NULL, COMPAT_ARGS AS_BASELINE SSIDSIZE_ARG
};

/* The baseline to this QEMU set up as the baseline's SMMU: the same */
static void test_from_baseline(void)
{
    migrate_between(&baseline, &ours_as_baseline, NULL);
}

/* And back */
static void test_to_baseline(void)
{
    migrate_between(&ours_as_baseline, &baseline, NULL);
}

/* The baseline to this QEMU as it comes: IDR3.FWB would appear */
static void test_from_baseline_fwb(void)
{
    migrate_between(&baseline, &ours,
                    "start this QEMU with -global arm-smmuv3.s2fwb=off");
}

/* This QEMU as it comes to the baseline: it cannot take the subsections */
static void test_to_baseline_default(void)
{
    migrate_between(&ours, &baseline, "VM subsection 'smmuv3/");
}

/* Between two of these QEMUs, ssidsize must agree: either way */
static void test_ssidsize_mismatch(void)
{
    migrate_between(&ours_ssid, &ours_ssid, NULL);
    migrate_between(&ours_ssid, &ours, "the source SMMUv3 has IDR0 0x");
    migrate_between(&ours, &ours_ssid, "the source SMMUv3 has IDR0 0x");
    /* A source that sends no ID registers had none of the project's */
    migrate_between(&ours_as_baseline, &ours_as_baseline_ssid,
                    "the source SMMUv3 has no substreams and this one has");
}

/*
 * Substreams: the CD table is in guest RAM and the PASID Enable bit in
 * the device's configuration space, so after migration the destination
 * fetches them again: a PASID's DMA lands as before, the RID stays
 * blocked (S1DSS terminate), and query-smmuv3 lists the substream.
 */
static void test_substreams(void)
{
    g_autofree char *args = g_strdup_printf(
        "-M virt,iommu=smmuv3 -cpu max -m 512 -nodefaults "
        "-device dma-testdev,bus=pcie.0,addr=04.0,id=dma0 %s", SSIDSIZE_ARG);
    uint64_t ste[QSMMU_STE_WORDS], cd[QSMMU_CD_WORDS], table;
    QSMMUBench src, dst;
    QDict *stream, *sub;
    QList *subs;
    QSMMUEvent ev;

    qsmmu_bench_start(&src, NULL, SSIDSIZE_ARG, NULL);
    dma_testdev_enable_pasid(&src.dev, src.bus.ecam_alloc_ptr);
    /* A table of 16 CDs; SubstreamID 5's maps IOVA to PA_S1 */
    table = qsmmu_cd_alloc(&src.smmu, 16);
    qsmmu_cd_store_s1_page(&src.smmu, cd, ASID_S1, S1_T0SZ, IOVA, PA_S1);
    qsmmu_store_cd(&src.smmu, table + 5 * QSMMU_CD_SIZE, cd);
    qsmmu_ste_s1(ste, table, QSMMU_S1FMT_LINEAR, 4, QSMMU_S1DSS_TERMINATE);
    qsmmu_write_ste(&src.smmu, QSMMU_BENCH_SID, ste);
    qsmmu_mem_mark(src.qts, PA_S1, QSMMU_BENCH_WATCH_LEN);
    g_assert_cmpuint(dma_testdev_write_pattern_pasid(&src.dev, IOVA,
                         QSMMU_BENCH_WATCH_LEN, 0x51, 5),
                     ==, DMA_TESTDEV_RESULT_OK);
    qsmmu_assert_pattern(src.qts, PA_S1, QSMMU_BENCH_WATCH_LEN, 0x51);

    memset(&dst, 0, sizeof(dst));
    dst.qts = migrate(src.qts, args);
    dst.smmu = src.smmu;
    dst.smmu.qts = dst.qts;
    alloc_init(&dst.alloc, 0, QSMMU_BENCH_RAM_BASE,
               QSMMU_BENCH_RAM_BASE + QSMMU_BENCH_ALLOC_SIZE, 4096);
    qpci_init_generic(&dst.bus, dst.qts, &dst.alloc, false);
    dma_testdev_init(&dst.dev, &dst.bus.bus, QSMMU_BENCH_DEVFN);
    dma_testdev_uninit(&src.dev);
    alloc_destroy(&src.alloc);
    qtest_quit(src.qts);

    qsmmu_mem_mark(dst.qts, PA_S1, QSMMU_BENCH_WATCH_LEN);
    g_assert_cmpuint(dma_testdev_write_pattern_pasid(&dst.dev, IOVA,
                         QSMMU_BENCH_WATCH_LEN, 0x52, 5),
                     ==, DMA_TESTDEV_RESULT_OK);
    qsmmu_assert_pattern(dst.qts, PA_S1, QSMMU_BENCH_WATCH_LEN, 0x52);
    qsmmu_bench_assert_write_blocked(&dst, IOVA, 4,
                                     DMA_TESTDEV_RESULT_FAULT);
    qsmmu_pop_one_event(&dst.smmu, QSMMU_BENCH_SID,
                        QSMMU_EVT_F_STREAM_DISABLED, &ev);

    stream = qsmmu_query_stream(dst.qts, QSMMU_BENCH_SID);
    g_assert_cmpstr(qdict_get_str(stream, "kind"), ==, "abort");
    g_assert_cmpstr(qdict_get_str(stream, "s1dss"), ==, "terminate");
    g_assert_cmpint(qdict_get_int(stream, "s1cdmax"), ==, 4);
    subs = qdict_get_qlist(stream, "substreams");
    g_assert_cmpint(qlist_size(subs), ==, 1);
    sub = qobject_to(QDict, qlist_peek(subs));
    g_assert_cmpint(qdict_get_int(sub, "ssid"), ==, 5);
    g_assert_cmpint(qdict_get_int(sub, "asid"), ==, ASID_S1);
    g_assert_cmpstr(qdict_get_str(sub, "kind"), ==, "s1");
    g_assert_true(qdict_get_bool(sub, "cached"));
    qobject_unref(stream);
    qsmmu_bench_finish(&dst);
}

/* Between two of these QEMUs, s2fwb must agree: either way */
static void test_fwb_mismatch(void)
{
    migrate_between(&ours, &ours_as_baseline,
                    "the source SMMUv3 has IDR3 0x");
    migrate_between(&ours_as_baseline, &ours,
                    "the source SMMUv3 has no IDR3.FWB");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/arm/smmuv3/migration/kinds", test_kinds);
    qtest_add_func("/arm/smmuv3/migration/gbpa", test_gbpa);
    qtest_add_func("/arm/smmuv3/migration/fwb-mismatch", test_fwb_mismatch);
    qtest_add_func("/arm/smmuv3/migration/ssidsize-mismatch",
                   test_ssidsize_mismatch);
    qtest_add_func("/arm/smmuv3/migration/substreams", test_substreams);
    qtest_add_func("/arm/smmuv3/migration/baseline/from",
                   test_from_baseline);
    qtest_add_func("/arm/smmuv3/migration/baseline/to", test_to_baseline);
    qtest_add_func("/arm/smmuv3/migration/baseline/from-fwb",
                   test_from_baseline_fwb);
    qtest_add_func("/arm/smmuv3/migration/baseline/to-default",
                   test_to_baseline_default);

    return g_test_run();
}
