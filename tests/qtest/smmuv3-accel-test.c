/*
 * QTest for the Arm SMMUv3 with accel=on (hw/arm/smmuv3-accel.c)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Everywhere:
 *
 * /arm/smmuv3/accel/bad/...
 *   Options accel=on cannot serve: one error line and exit status 1.
 *
 * /arm/smmuv3/accel/emulated
 *   An emulated device behind an SMMU with accel=on is still translated
 *   by QEMU: a stage-1 DMA lands at its output address.
 *
 * With QTEST_SMMUV3_ACCEL_HOST=BDF, the DMA test device (1b36:0201) at
 * host BDF bound to vfio-pci, /dev/iommu, and a host SMMUv3 that nests
 * (tests/guest/scenarios/accel-qtest.sh runs this in the IOMMUFD guest
 * of our SMMU), the device is assigned with iommufd to an SMMU with
 * accel=on, and every DMA's bytes are read back from this machine's RAM:
 *
 * /arm/smmuv3/accel/host/gbpa
 *   SMMUEN=0: GBPA bypass lets the DMA land at its address, GBPA abort
 *   blocks it.
 * /arm/smmuv3/accel/host/ste
 *   Abort, bypass and V=0 STEs (C_BAD_STE in the Event queue, with the
 *   device's StreamID), each on the matching host HWPT.
 * /arm/smmuv3/accel/host/s1
 *   A stage-1 STE is a nested HWPT: the DMA lands at the output address
 *   of the guest's tables; a remapped page is followed after TLBI_NH_VA,
 *   forwarded in one IOMMU_HWPT_INVALIDATE per batch; a DMA the tables do
 *   not map raises F_TRANSLATION in this machine's Event queue with the
 *   device's StreamID, delivered by the host's vEVENTQ.
 * /arm/smmuv3/accel/host/replace
 *   A new stage-1 STE replaces the nested HWPT directly; the same STE
 *   again changes nothing.
 * /arm/smmuv3/accel/host/smmuen
 *   SMMUEN off and on again: GBPA, then the stage-1 STE again.
 * /arm/smmuv3/accel/host/replace-running (QTEST_SMMUV3_ACCEL_SCANOUT=1:
 * the host's device has a 4 KiB scanout outside this machine's RAM)
 *   Replaces between two stage-1 domains while the device reads a frame
 *   on its own: not one frame aborted or faulted, the checksum right.
 * /arm/smmuv3/accel/host/lost-events (same)
 *   The frames fault in the guest's stage 1; QEMU stopped for longer than
 *   the host's vEVENTQ holds, the host drops records: the guest's Event
 *   queue overflows (EVENTQ_PROD.OVFLG).
 * /arm/smmuv3/accel/host/group (QTEST_SMMUV3_ACCEL_HOST2=BDF: a second
 * such device, in the same host IOMMU group)
 *   The two devices' STEs must agree: made visible together they move the
 *   group as one; a stage-1 STE on one while the other is bypass blocks
 *   the group with C_BAD_STE; the same STE on both moves it to the nested
 *   HWPT, and a later change of both is one replace, not two.
 * /arm/smmuv3/accel/host/no-iommufd
 *   The device without an iommufd backend: one error line, exit status 1.
 * /arm/smmuv3/accel/host/unsupported (QTEST_SMMUV3_ACCEL_UNSUPPORTED=1)
 *   A host SMMU that cannot nest: one error line, exit status 1.
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

/* -device arm-smmuv3 is the virt platform bus's first device */
#define ACCEL_SMMU_BASE     0x0c000000ULL
#define DEV_DEVFN           QPCI_DEVFN(2, 0)
#define DEV_SID             0x10            /* 00:02.0 */
#define RAM_BASE            QSMMU_BENCH_RAM_BASE
#define SMMU_MEM            QSMMU_BENCH_SMMU_MEM
#define SMMU_MEM_SIZE       (8 * MiB)

#define IOVA                0x44000000ULL
#define IOVA_UNMAPPED       0x44200000ULL
#define PA_A                0x43000000ULL
#define PA_B                0x43100000ULL
#define PA_C                0x43200000ULL
#define S1_T0SZ             16
#define ASID_A              1
#define ASID_B              2
#define LEN                 QSMMU_BENCH_WATCH_LEN
#define EVENT_WAIT_MS       5000

static const char *accel_host(void)
{
    return getenv("QTEST_SMMUV3_ACCEL_HOST");
}

static char *accel_args(const char *dev)
{
    return g_strdup_printf("-M virt -cpu max -m 128M -nodefaults "
                           "-device arm-smmuv3,primary-bus=pcie.0,accel=on,"
                           "id=smmu0 %s", dev);
}

static void bench_start(QSMMUBench *b, const char *dev, bool smmuen)
{
    g_autofree char *args = accel_args(dev);
    QSMMUv3Config cfg = {
        .base = ACCEL_SMMU_BASE,
        .mem = SMMU_MEM,
        .mem_size = SMMU_MEM_SIZE,
        .no_smmuen = !smmuen,
    };

    memset(b, 0, sizeof(*b));
    b->qts = qtest_init(args);
    alloc_init(&b->alloc, 0, RAM_BASE, RAM_BASE + QSMMU_BENCH_ALLOC_SIZE,
               4096);
    qpci_init_generic(&b->bus, b->qts, &b->alloc, false);
    dma_testdev_init(&b->dev, &b->bus.bus, DEV_DEVFN);
    qsmmu_init(&b->smmu, b->qts, &cfg);
}

static void host_start(QSMMUBench *b, bool smmuen)
{
    g_autofree char *dev = g_strdup_printf(
        "-object iommufd,id=iommufd0 -device vfio-pci,host=%s,"
        "iommufd=iommufd0,bus=pcie.0,addr=02.0,id=assigned", accel_host());

    bench_start(b, dev, smmuen);
}

/* The DMA writes LEN bytes of @seed at @iova; they land at @pa */
static void assert_lands(QSMMUBench *b, uint64_t iova, uint64_t pa,
                         uint32_t seed)
{
    uint32_t r;

    qsmmu_mem_mark(b->qts, pa, LEN);
    r = dma_testdev_write_pattern(&b->dev, iova, LEN, seed);
    g_assert_cmpstr(dma_testdev_result_name(r), ==, "ok");
    qsmmu_assert_pattern(b->qts, pa, LEN, seed);
}

/* The DMA to @iova fails and leaves the memory at @watch as it was */
static void assert_blocked(QSMMUBench *b, uint64_t iova, uint64_t watch)
{
    uint32_t r;

    qsmmu_mem_mark(b->qts, watch, LEN);
    r = dma_testdev_write_pattern(&b->dev, iova, LEN, 0xb10cb10c);
    g_assert_cmpstr(dma_testdev_result_name(r), !=, "ok");
    qsmmu_assert_untouched(b->qts, watch, LEN);
}

/* The stream's "accel" member of query-smmuv3, and the SMMU's */
static QDict *query_accel(QSMMUBench *b, uint32_t sid, QDict **summary)
{
    QDict *resp = qtest_qmp(b->qts, "{ 'execute': 'query-smmuv3' }");
    QList *smmus = qdict_get_qlist(resp, "return");
    QDict *smmu = qobject_to(QDict, qlist_peek(smmus));
    QListEntry *e;
    QDict *found = NULL;

    if (summary) {
        *summary = qdict_get_qdict(smmu, "accel");
        g_assert(*summary);
        qobject_ref(*summary);
    }
    QLIST_FOREACH_ENTRY(qdict_get_qlist(smmu, "streams"), e) {
        QDict *st = qobject_to(QDict, qlist_entry_obj(e));

        if (qdict_get_int(st, "sid") == sid && qdict_haskey(st, "accel")) {
            found = qdict_get_qdict(st, "accel");
            qobject_ref(found);
        }
    }
    qobject_unref(resp);
    g_assert(found);
    return found;
}

/* The host HWPT of the device is of @kind; returns its ID */
static uint32_t assert_hwpt(QSMMUBench *b, const char *kind)
{
    QDict *a = query_accel(b, DEV_SID, NULL);
    uint32_t id;

    g_assert_cmpstr(qdict_get_str(a, "hwpt"), ==, kind);
    id = qdict_get_int(a, "hwpt-id");
    qobject_unref(a);
    return id;
}

static int64_t stream_count(QSMMUBench *b, uint32_t sid, const char *key)
{
    QDict *a = query_accel(b, sid, NULL);
    int64_t v = qdict_get_int(a, key);

    qobject_unref(a);
    return v;
}

static int64_t accel_count(QSMMUBench *b, const char *key)
{
    return stream_count(b, DEV_SID, key);
}

static int64_t summary_count(QSMMUBench *b, const char *key)
{
    QDict *sum, *a = query_accel(b, DEV_SID, &sum);
    int64_t v = qdict_get_int(sum, key);

    qobject_unref(a);
    qobject_unref(sum);
    return v;
}

/* Host events arrive through the main loop: wait for one */
static void wait_event(QSMMUBench *b, uint32_t type, QSMMUEvent *ev)
{
    int ms;

    for (ms = 0; ms < EVENT_WAIT_MS && !qsmmu_evtq_count(&b->smmu); ms += 10) {
        g_usleep(10 * 1000);
        qtest_clock_step(b->qts, 0);
    }
    qsmmu_pop_one_event(&b->smmu, DEV_SID, type, ev);
}

static void write_ste(QSMMUBench *b, void (*make)(uint64_t *ste))
{
    uint64_t ste[QSMMU_STE_WORDS] = { 0 };

    make(ste);
    qsmmu_write_ste(&b->smmu, DEV_SID, ste);
}

/* A CD for the stage-1 tables @pt under @asid, and an STE using it */
static void s1_ste(QSMMUBench *b, QSMMUPageTable *pt, uint16_t asid,
                   uint64_t *ste)
{
    uint64_t cd[QSMMU_CD_WORDS], cdptr;

    cdptr = qsmmu_cd_store_s1(&b->smmu, cd, asid, pt->root, S1_T0SZ,
                              QSMMU_PS_44);
    memset(ste, 0, sizeof(uint64_t) * QSMMU_STE_WORDS);
    qsmmu_ste_s1(ste, cdptr, QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
}

/* Stage-1 tables mapping IOVA to @pa under @asid, and an STE using them */
static void s1_domain(QSMMUBench *b, QSMMUPageTable *pt, uint16_t asid,
                      uint64_t pa, uint64_t *ste)
{
    qsmmu_pt_new(&b->smmu, pt, S1_T0SZ);
    qsmmu_pt_map(pt, IOVA, pa, 4096, QSMMU_PROT_RW);
    s1_ste(b, pt, asid, ste);
}

static void test_host_gbpa(void)
{
    QSMMUBench b;

    host_start(&b, false);
    /* Reset: SMMUEN=0, GBPA bypass */
    assert_hwpt(&b, "bypass");
    assert_lands(&b, PA_A, PA_A, 0x6b9a0001);
    qsmmu_set_gbpa(&b.smmu, true);
    assert_hwpt(&b, "abort");
    assert_blocked(&b, PA_A, PA_A);
    qsmmu_set_gbpa(&b.smmu, false);
    assert_hwpt(&b, "bypass");
    assert_lands(&b, PA_B, PA_B, 0x6b9a0002);
    qsmmu_assert_no_event(&b.smmu);
    qsmmu_bench_stop(&b);
}

static void test_host_ste(void)
{
    QSMMUBench b;
    QSMMUEvent ev;

    host_start(&b, true);
    write_ste(&b, qsmmu_ste_abort);
    assert_hwpt(&b, "abort");
    assert_blocked(&b, PA_A, PA_A);
    qsmmu_assert_no_event(&b.smmu);

    write_ste(&b, qsmmu_ste_bypass);
    assert_hwpt(&b, "bypass");
    assert_lands(&b, PA_A, PA_A, 0x57e00001);

    write_ste(&b, qsmmu_ste_invalid);
    assert_hwpt(&b, "abort");
    qsmmu_pop_one_event(&b.smmu, DEV_SID, QSMMU_EVT_C_BAD_STE, &ev);
    assert_blocked(&b, PA_A, PA_A);
    g_assert_cmpint(accel_count(&b, "refused"), ==, 1);
    g_assert_cmpint(accel_count(&b, "vsid"), ==, DEV_SID);

    write_ste(&b, qsmmu_ste_bypass);
    assert_lands(&b, PA_B, PA_B, 0x57e00002);
    qsmmu_bench_stop(&b);
}

static void test_host_s1(void)
{
    QSMMUPageTable pt;
    uint64_t ste[QSMMU_STE_WORDS];
    int64_t batches, forwarded;
    QSMMUBench b;
    QSMMUEvent ev;
    uint32_t r;

    host_start(&b, true);
    s1_domain(&b, &pt, ASID_A, PA_A, ste);
    qsmmu_write_ste(&b.smmu, DEV_SID, ste);
    assert_hwpt(&b, "nested");
    qsmmu_mem_mark(b.qts, IOVA, LEN);
    assert_lands(&b, IOVA, PA_A, 0x51000001);
    qsmmu_assert_untouched(b.qts, IOVA, LEN);

    /* Remap the page; a TLBI_NH_VA batch makes the host follow it */
    qsmmu_pt_map(&pt, IOVA, PA_B, 4096, QSMMU_PROT_RW);
    batches = summary_count(&b, "batches");
    forwarded = summary_count(&b, "invalidations");
    qsmmu_cmd_batch_begin(&b.smmu);
    qsmmu_cmd_tlbi_nh_va(&b.smmu, ASID_A, 0, IOVA, true);
    qsmmu_cmd_tlbi_nh_va(&b.smmu, ASID_A, 0, IOVA + 4096, true);
    qsmmu_cmd_tlbi_nh_asid(&b.smmu, ASID_A, 0);
    g_assert_true(qsmmu_cmd_sync(&b.smmu));
    g_assert_cmpint(summary_count(&b, "batches"), ==, batches + 1);
    g_assert_cmpint(summary_count(&b, "invalidations"), ==, forwarded + 3);
    qsmmu_mem_mark(b.qts, PA_A, LEN);
    assert_lands(&b, IOVA, PA_B, 0x51000002);
    qsmmu_assert_untouched(b.qts, PA_A, LEN);
    g_assert_cmpint(accel_count(&b, "invalidations"), >=, 3);

    /* A miss in the guest's tables: the host's event, with our StreamID */
    qsmmu_mem_mark(b.qts, IOVA_UNMAPPED, LEN);
    r = dma_testdev_write_pattern(&b.dev, IOVA_UNMAPPED, LEN, 0x51000003);
    g_assert_cmpstr(dma_testdev_result_name(r), !=, "ok");
    qsmmu_assert_untouched(b.qts, IOVA_UNMAPPED, LEN);
    wait_event(&b, QSMMU_EVT_F_TRANSLATION, &ev);
    g_assert_cmphex(ev.input_addr, ==, IOVA_UNMAPPED);
    g_assert_false(ev.rnw);
    g_assert_cmpint(accel_count(&b, "events"), ==, 1);
    qsmmu_bench_stop(&b);
}

static void test_host_replace(void)
{
    QSMMUPageTable pt_a, pt_b;
    uint64_t ste_a[QSMMU_STE_WORDS], ste_b[QSMMU_STE_WORDS];
    uint32_t id_a, id_b;
    int64_t replaces;
    QSMMUBench b;

    host_start(&b, true);
    s1_domain(&b, &pt_a, ASID_A, PA_A, ste_a);
    s1_domain(&b, &pt_b, ASID_B, PA_B, ste_b);
    qsmmu_write_ste(&b.smmu, DEV_SID, ste_a);
    id_a = assert_hwpt(&b, "nested");
    assert_lands(&b, IOVA, PA_A, 0x7e000001);

    /* Domain A to domain B: one replace, no HWPT in between */
    replaces = accel_count(&b, "replaces");
    qsmmu_write_ste(&b.smmu, DEV_SID, ste_b);
    id_b = assert_hwpt(&b, "nested");
    g_assert_cmpuint(id_b, !=, id_a);
    g_assert_cmpint(accel_count(&b, "replaces"), ==, replaces + 1);
    qsmmu_mem_mark(b.qts, PA_A, LEN);
    assert_lands(&b, IOVA, PA_B, 0x7e000002);
    qsmmu_assert_untouched(b.qts, PA_A, LEN);

    /* The same STE made visible again: the device stays where it is */
    qsmmu_cmd_cfgi_ste(&b.smmu, DEV_SID, true);
    g_assert_true(qsmmu_cmd_sync(&b.smmu));
    qsmmu_cmd_cfgi_all(&b.smmu);
    g_assert_true(qsmmu_cmd_sync(&b.smmu));
    g_assert_cmpuint(assert_hwpt(&b, "nested"), ==, id_b);
    g_assert_cmpint(accel_count(&b, "replaces"), ==, replaces + 1);
    assert_lands(&b, IOVA, PA_B, 0x7e000003);
    qsmmu_assert_no_event(&b.smmu);
    qsmmu_bench_stop(&b);
}

static void test_host_smmuen(void)
{
    QSMMUPageTable pt;
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUBench b;

    host_start(&b, true);
    s1_domain(&b, &pt, ASID_A, PA_C, ste);
    qsmmu_write_ste(&b.smmu, DEV_SID, ste);
    assert_lands(&b, IOVA, PA_C, 0x5e000001);

    qsmmu_disable(&b.smmu);
    assert_hwpt(&b, "bypass");
    qsmmu_mem_mark(b.qts, PA_C, LEN);
    assert_lands(&b, PA_A, PA_A, 0x5e000002);
    qsmmu_set_gbpa(&b.smmu, true);
    assert_blocked(&b, PA_A, PA_A);
    qsmmu_set_gbpa(&b.smmu, false);

    qsmmu_enable(&b.smmu);
    assert_hwpt(&b, "nested");
    assert_lands(&b, IOVA, PA_C, 0x5e000003);
    qsmmu_assert_no_event(&b.smmu);
    qsmmu_bench_stop(&b);
}

/*
 * Two functions of one host IOMMU group, 02.0 and 03.0 here: iommufd
 * moves them as one, so their STEs must agree.
 */
#define DEV2_DEVFN          QPCI_DEVFN(3, 0)
#define DEV2_SID            0x18            /* 00:03.0 */

static void assert_group(QSMMUBench *b, const char *hwpt, bool conflict)
{
    QDict *a1 = query_accel(b, DEV_SID, NULL);
    QDict *a2 = query_accel(b, DEV2_SID, NULL);

    g_assert_cmpstr(qdict_get_str(a1, "hwpt"), ==, hwpt);
    g_assert_cmpstr(qdict_get_str(a2, "hwpt"), ==, hwpt);
    g_assert_cmpint(qdict_get_int(a1, "hwpt-id"), ==,
                    qdict_get_int(a2, "hwpt-id"));
    g_assert_cmpint(qdict_get_int(a1, "host-group"), ==,
                    qdict_get_int(a2, "host-group"));
    g_assert(qdict_get_bool(a1, "conflict") == conflict);
    g_assert(qdict_get_bool(a2, "conflict") == conflict);
    qobject_unref(a1);
    qobject_unref(a2);
}

/* A DMA of the second device lands, or is blocked */
static void dev2_lands(QSMMUBench *b, QDmaTestdev *d2, uint64_t iova,
                       uint64_t pa, uint32_t seed)
{
    uint32_t r;

    qsmmu_mem_mark(b->qts, pa, LEN);
    r = dma_testdev_write_pattern(d2, iova, LEN, seed);
    g_assert_cmpstr(dma_testdev_result_name(r), ==, "ok");
    qsmmu_assert_pattern(b->qts, pa, LEN, seed);
}

static void dev2_blocked(QSMMUBench *b, QDmaTestdev *d2, uint64_t iova)
{
    uint32_t r;

    qsmmu_mem_mark(b->qts, iova, LEN);
    r = dma_testdev_write_pattern(d2, iova, LEN, 0xb10cb10c);
    g_assert_cmpstr(dma_testdev_result_name(r), !=, "ok");
    qsmmu_assert_untouched(b->qts, iova, LEN);
}

static void test_host_group(void)
{
    g_autofree char *dev = g_strdup_printf(
        "-object iommufd,id=iommufd0 -device vfio-pci,host=%s,"
        "iommufd=iommufd0,bus=pcie.0,addr=02.0,id=assigned -device "
        "vfio-pci,host=%s,iommufd=iommufd0,bus=pcie.0,addr=03.0,"
        "id=assigned2", accel_host(), getenv("QTEST_SMMUV3_ACCEL_HOST2"));
    uint64_t ste[QSMMU_STE_WORDS], ste_b[QSMMU_STE_WORDS];
    QSMMUPageTable pt, pt_b;
    int64_t replaces1, replaces2;
    QDmaTestdev d2;
    QSMMUBench b;
    QSMMUEvent ev;

    bench_start(&b, dev, true);
    dma_testdev_init(&d2, &b.bus.bus, DEV2_DEVFN);

    /* Both STEs written, then one CFGI_ALL: consistent, no event */
    qsmmu_ste_bypass(ste);
    qsmmu_store_ste(&b.smmu, DEV_SID, ste);
    qsmmu_store_ste(&b.smmu, DEV2_SID, ste);
    qsmmu_cmd_cfgi_all(&b.smmu);
    g_assert_true(qsmmu_cmd_sync(&b.smmu));
    assert_group(&b, "bypass", false);
    assert_lands(&b, PA_A, PA_A, 0x96000001);
    dev2_lands(&b, &d2, PA_B, PA_B, 0x96000002);
    qsmmu_assert_no_event(&b.smmu);

    /* The first gets stage 1, the second stays bypass: refused, blocked */
    s1_domain(&b, &pt, ASID_A, PA_C, ste);
    qsmmu_write_ste(&b.smmu, DEV_SID, ste);
    qsmmu_pop_one_event(&b.smmu, DEV_SID, QSMMU_EVT_C_BAD_STE, &ev);
    assert_group(&b, "abort", true);
    assert_blocked(&b, IOVA, PA_C);
    dev2_blocked(&b, &d2, PA_B);
    g_assert_cmpint(accel_count(&b, "refused"), ==, 1);

    /* The second gets the same STE: the group moves to it together */
    qsmmu_write_ste(&b.smmu, DEV2_SID, ste);
    qsmmu_assert_no_event(&b.smmu);
    assert_group(&b, "nested", false);
    assert_lands(&b, IOVA, PA_C, 0x96000003);
    dev2_lands(&b, &d2, IOVA, PA_C, 0x96000004);

    /*
     * Both move to another stage-1 domain in one batch: the first one's
     * replace moves the group, the second's is a no-op, no ioctl.
     */
    s1_domain(&b, &pt_b, ASID_B, PA_B, ste_b);
    qsmmu_store_ste(&b.smmu, DEV_SID, ste_b);
    qsmmu_store_ste(&b.smmu, DEV2_SID, ste_b);
    replaces1 = accel_count(&b, "replaces");
    replaces2 = stream_count(&b, DEV2_SID, "replaces");
    qsmmu_cmd_batch_begin(&b.smmu);
    qsmmu_cmd_cfgi_ste(&b.smmu, DEV_SID, true);
    qsmmu_cmd_cfgi_ste(&b.smmu, DEV2_SID, true);
    g_assert_true(qsmmu_cmd_sync(&b.smmu));
    assert_group(&b, "nested", false);
    g_assert_cmpint(accel_count(&b, "replaces"), ==, replaces1 + 1);
    g_assert_cmpint(stream_count(&b, DEV2_SID, "replaces"), ==, replaces2);
    assert_lands(&b, IOVA, PA_B, 0x96000005);
    dev2_lands(&b, &d2, IOVA, PA_B, 0x96000006);
    qsmmu_assert_no_event(&b.smmu);

    dma_testdev_uninit(&d2);
    qsmmu_bench_stop(&b);
}

/*
 * Replace while the device reads: the DMA test device's scanout
 * (scanout-* properties, set on the host's device) reads the frame at its
 * IOVA every period, on its own.  Two stage-1 domains map that IOVA to
 * two copies of one frame, and the frame's IOVA is outside this machine's
 * RAM: a frame read through an abort HWPT aborts, one through bypass
 * faults at the host's stage 2.  Many replaces between the domains while
 * frames keep coming: every frame is good, with the frame's checksum.
 */
#define REPLACE_ROUNDS      40
#define SCANOUT_WAIT_MS     10000

static uint32_t scanout_reg(QSMMUBench *b, uint32_t reg)
{
    return dma_testdev_readl(&b->dev, reg);
}

/* Wait until the scanout counter @reg has grown by @frames */
static void scanout_wait(QSMMUBench *b, uint32_t reg, uint32_t frames)
{
    uint32_t start = scanout_reg(b, reg);
    int ms;

    for (ms = 0; ms < SCANOUT_WAIT_MS; ms += 5) {
        if (scanout_reg(b, reg) - start >= frames) {
            return;
        }
        g_usleep(5 * 1000);
    }
    g_assert_cmpuint(scanout_reg(b, reg) - start, >=, frames);
}

static void test_host_replace_running(void)
{
    uint64_t ste_a[QSMMU_STE_WORDS], ste_b[QSMMU_STE_WORDS], iova;
    uint32_t size, aborts, faults, errors, ok, csum, i;
    g_autofree uint8_t *frame = NULL;
    QSMMUPageTable pt_a, pt_b;
    int64_t replaces;
    QSMMUBench b;

    host_start(&b, true);
    g_assert_true(scanout_reg(&b, DMA_TESTDEV_CAPS) &
                  DMA_TESTDEV_CAPS_SCANOUT);
    iova = scanout_reg(&b, DMA_TESTDEV_SCANOUT_IOVA_LO) |
           (uint64_t)scanout_reg(&b, DMA_TESTDEV_SCANOUT_IOVA_HI) << 32;
    size = scanout_reg(&b, DMA_TESTDEV_SCANOUT_SIZE);
    g_assert_cmpuint(size, ==, 4096);
    g_assert_cmphex(iova, >=, RAM_BASE + 128 * MiB);

    /* One frame, in two places, each mapped by one domain */
    frame = g_malloc(size);
    dma_testdev_pattern(frame, size, 0xf4a3e000);
    qtest_memwrite(b.qts, PA_A, frame, size);
    qtest_memwrite(b.qts, PA_B, frame, size);
    qsmmu_pt_new(&b.smmu, &pt_a, S1_T0SZ);
    qsmmu_pt_map(&pt_a, iova, PA_A, size, QSMMU_PROT_RW);
    qsmmu_pt_new(&b.smmu, &pt_b, S1_T0SZ);
    qsmmu_pt_map(&pt_b, iova, PA_B, size, QSMMU_PROT_RW);
    s1_ste(&b, &pt_a, ASID_A, ste_a);
    s1_ste(&b, &pt_b, ASID_B, ste_b);
    qsmmu_write_ste(&b.smmu, DEV_SID, ste_a);
    scanout_wait(&b, DMA_TESTDEV_SCANOUT_OK, 2);

    aborts = scanout_reg(&b, DMA_TESTDEV_SCANOUT_ABORT);
    faults = scanout_reg(&b, DMA_TESTDEV_SCANOUT_FAULT);
    errors = scanout_reg(&b, DMA_TESTDEV_SCANOUT_ERROR);
    ok = scanout_reg(&b, DMA_TESTDEV_SCANOUT_OK);
    replaces = accel_count(&b, "replaces");
    for (i = 0; i < REPLACE_ROUNDS; i++) {
        qsmmu_write_ste(&b.smmu, DEV_SID, i % 2 ? ste_a : ste_b);
        g_usleep(1000);
    }
    scanout_wait(&b, DMA_TESTDEV_SCANOUT_OK, 2);
    g_test_message("%u frames during %u replaces", scanout_reg(&b,
                   DMA_TESTDEV_SCANOUT_OK) - ok, REPLACE_ROUNDS);
    g_assert_cmpuint(scanout_reg(&b, DMA_TESTDEV_SCANOUT_ABORT), ==, aborts);
    g_assert_cmpuint(scanout_reg(&b, DMA_TESTDEV_SCANOUT_FAULT), ==, faults);
    g_assert_cmpuint(scanout_reg(&b, DMA_TESTDEV_SCANOUT_ERROR), ==, errors);
    /* One replace each, straight from one nested HWPT to the other */
    g_assert_cmpint(accel_count(&b, "replaces"), ==,
                    replaces + REPLACE_ROUNDS);
    csum = dma_testdev_checksum(frame, size);
    g_assert_cmphex(scanout_reg(&b, DMA_TESTDEV_SCANOUT_CSUM), ==, csum);
    qsmmu_evtq_drain(&b.smmu);
    qsmmu_bench_stop(&b);
}

/*
 * Lost host events: every frame of the scanout faults in the guest's
 * stage 1, which does not map it, and the host queues one event record
 * per frame in the vEVENTQ.  QEMU stopped (SIGSTOP) for longer than the
 * vEVENTQ holds, the host drops records and says so: the guest's Event
 * queue overflows (EVENTQ_PROD.OVFLG), as the architecture says.
 */
#define STOP_MS             400

static void test_host_lost_events(void)
{
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUPageTable pt;
    QSMMUBench b;
    uint32_t prod;
    int ms;

    host_start(&b, true);
    g_assert_true(scanout_reg(&b, DMA_TESTDEV_CAPS) &
                  DMA_TESTDEV_CAPS_SCANOUT);
    /* Stage 1 that maps IOVA only, not the frame */
    s1_domain(&b, &pt, ASID_A, PA_A, ste);
    qsmmu_write_ste(&b.smmu, DEV_SID, ste);
    scanout_wait(&b, DMA_TESTDEV_SCANOUT_FAULT, 2);
    g_assert_cmpint(summary_count(&b, "lost-events"), ==, 0);
    g_assert_cmphex(qsmmu_readl(&b.smmu, QSMMU_EVENTQ_PROD) &
                    QSMMU_EVTQ_PROD_OVFLG, ==, 0);

    g_assert_cmpint(kill(qtest_pid(b.qts), SIGSTOP), ==, 0);
    g_usleep(STOP_MS * 1000);
    g_assert_cmpint(kill(qtest_pid(b.qts), SIGCONT), ==, 0);

    /* The main loop reads what the host kept, then the loss */
    for (ms = 0; ms < EVENT_WAIT_MS &&
         !summary_count(&b, "lost-events"); ms += 10) {
        g_usleep(10 * 1000);
    }
    g_assert_cmpint(summary_count(&b, "lost-events"), >=, 1);
    prod = qsmmu_readl(&b.smmu, QSMMU_EVENTQ_PROD);
    g_test_message("EVTQ_PROD 0x%x, %" PRId64 " events for the stream",
                   prod, accel_count(&b, "events"));
    g_assert_cmphex(prod & QSMMU_EVTQ_PROD_OVFLG, ==, QSMMU_EVTQ_PROD_OVFLG);
    g_assert_cmpint(accel_count(&b, "events"), >=, 2);
    qsmmu_bench_quit(&b);
}

/* An emulated device behind accel=on is translated by QEMU as before */
static void test_emulated(void)
{
    QSMMUPageTable pt;
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUBench b;
    QDict *resp;

    bench_start(&b, "-device dma-testdev,bus=pcie.0,addr=02.0", true);
    s1_domain(&b, &pt, ASID_A, PA_A, ste);
    qsmmu_write_ste(&b.smmu, DEV_SID, ste);
    assert_lands(&b, IOVA, PA_A, 0xe0000001);
    resp = qtest_qmp(b.qts, "{ 'execute': 'query-smmuv3' }");
    g_assert_true(qdict_haskey(qobject_to(QDict, qlist_peek(
                  qdict_get_qlist(resp, "return"))), "accel"));
    qobject_unref(resp);
    qsmmu_bench_stop(&b);
}

/* QEMU must refuse to start: @error on stderr, exit status 1 */
static void assert_refused(const char *args, const char *error)
{
    g_autofree char *cmd = g_strdup_printf("echo quit | timeout 60 %s %s "
                                           "-monitor stdio -S -accel qtest "
                                           "-display none",
                                           qtest_qemu_binary(NULL), args);
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    g_autofree char *out = NULL, *err = NULL;
    int status;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
                               &out, &err, &status, NULL));
    g_test_message("stderr: %s", err);
    g_assert_nonnull(strstr(err, error));
    g_assert_cmpint(strchr(err, '\n') - err + 1, ==, strlen(err));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
}

static void test_bad_stage(void)
{
    assert_refused("-M virt -nodefaults -device arm-smmuv3,primary-bus="
                   "pcie.0,accel=on,stage=nested",
                   "arm-smmuv3: accel=on needs stage=1 (the host owns "
                   "stage 2), not stage=nested");
}

static void test_host_no_iommufd(void)
{
    g_autofree char *dev = g_strdup_printf("-device vfio-pci,host=%s,"
                                           "bus=pcie.0,addr=02.0",
                                           accel_host());
    g_autofree char *args = accel_args(dev);

    assert_refused(args, "has no iommufd backend; give it iommufd=ID with "
                   "-object iommufd,id=ID");
}

static void test_host_unsupported(void)
{
    g_autofree char *dev = g_strdup_printf(
        "-object iommufd,id=iommufd0 -device vfio-pci,host=%s,"
        "iommufd=iommufd0,bus=pcie.0,addr=02.0", accel_host());
    g_autofree char *args = accel_args(dev);

    assert_refused(args, "arm-smmuv3 accel=on: the host SMMUv3 of ");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/arm/smmuv3/accel/bad/stage", test_bad_stage);
    qtest_add_func("/arm/smmuv3/accel/emulated", test_emulated);
    if (accel_host() && getenv("QTEST_SMMUV3_ACCEL_SCANOUT")) {
        qtest_add_func("/arm/smmuv3/accel/host/replace-running",
                       test_host_replace_running);
        qtest_add_func("/arm/smmuv3/accel/host/lost-events",
                       test_host_lost_events);
    } else if (accel_host() && getenv("QTEST_SMMUV3_ACCEL_HOST2")) {
        qtest_add_func("/arm/smmuv3/accel/host/group", test_host_group);
    } else if (accel_host() && getenv("QTEST_SMMUV3_ACCEL_UNSUPPORTED")) {
        qtest_add_func("/arm/smmuv3/accel/host/unsupported",
                       test_host_unsupported);
    } else if (accel_host()) {
        qtest_add_func("/arm/smmuv3/accel/host/gbpa", test_host_gbpa);
        qtest_add_func("/arm/smmuv3/accel/host/ste", test_host_ste);
        qtest_add_func("/arm/smmuv3/accel/host/s1", test_host_s1);
        qtest_add_func("/arm/smmuv3/accel/host/replace", test_host_replace);
        qtest_add_func("/arm/smmuv3/accel/host/smmuen", test_host_smmuen);
        qtest_add_func("/arm/smmuv3/accel/host/no-iommufd",
                       test_host_no_iommufd);
    }
    return g_test_run();
}
