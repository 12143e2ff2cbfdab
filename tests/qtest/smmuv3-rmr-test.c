/*
 * QTest for reserved memory regions of SMMUv3 streams (-object rmr):
 * the IORT RMR nodes the virt machine gives the guest, and the errors
 * for bad options.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The ACPI tables are read as the firmware reads them, through fw_cfg
 * ("etc/acpi/tables"), and the IORT is checked field by field against
 * ARM DEN 0049 E.d.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

#define VIRT_FW_CFG_BASE    0x09020000ULL
#define VIRT_SMMU_BASE      0x09050000ULL

#define DEV_SID             0x20    /* dma-testdev at 00:04.0 */
#define FB_BASE             0x40000000ULL
#define FB_SIZE             0x20000ULL
#define RAW_SID             0x100
#define RAW_SID_COUNT       4
#define RAW_BASE            0x41000000ULL
#define RAW_SIZE            0x10000ULL

/* IORT (DEN 0049 E.d) */
#define IORT_NODE_COUNT         36
#define IORT_NODE_OFFSET        40
#define IORT_NODE_SMMUV3        4
#define IORT_NODE_RMR           6
#define IORT_SMMUV3_BASE        16
#define IORT_RMR_FLAGS          16
#define IORT_RMR_COUNT          20
#define IORT_RMR_OFFSET         24
#define IORT_RMR_NODE_LEN       (28 + 20 + 20)
#define IORT_RMR_REMAP          (1 << 0)
#define IORT_RMR_ATTR(flags)    (((flags) >> 2) & 0xff)
#define IORT_ATTR_DEVICE_NGNRNE 0x00
#define IORT_ATTR_NORMAL_WB     0x05

static const char *virt_args =
    "-M virt,iommu=smmuv3 -cpu max -m 2G -display none -nodefaults "
    "-device dma-testdev,bus=pcie.0,addr=04.0,id=fb0 ";

static uint32_t rd32(const uint8_t *p)
{
    return ldl_le_p(p);
}

static uint64_t rd64(const uint8_t *p)
{
    return ldq_le_p(p);
}

/*
 * fw_cfg of the virt machine: an 8-byte data register at the base and a
 * big-endian 16-bit selector at base + 8 (docs/specs/fw_cfg.rst).
 */
#define FW_CFG_DATA         (VIRT_FW_CFG_BASE + 0)
#define FW_CFG_SELECTOR     (VIRT_FW_CFG_BASE + 8)
#define FW_CFG_FILE_DIR_KEY 0x19

static void fw_cfg_read(QTestState *qts, uint16_t key, uint8_t *buf,
                        size_t len)
{
    size_t i;

    qtest_writew(qts, FW_CFG_SELECTOR, bswap16(key));
    for (i = 0; i + 8 <= len; i += 8) {
        stq_le_p(buf + i, qtest_readq(qts, FW_CFG_DATA));
    }
    for (; i < len; i++) {
        buf[i] = qtest_readb(qts, FW_CFG_DATA);
    }
}

/* The contents of the fw_cfg file @name, and its size in @size. */
static uint8_t *fw_cfg_file(QTestState *qts, const char *name, size_t *size)
{
    uint8_t head[4];
    g_autofree uint8_t *dir = NULL;
    uint32_t count, i;
    uint8_t *data;

    fw_cfg_read(qts, FW_CFG_FILE_DIR_KEY, head, sizeof(head));
    count = ldl_be_p(head);
    dir = g_malloc(4 + count * 64);
    fw_cfg_read(qts, FW_CFG_FILE_DIR_KEY, dir, 4 + count * 64);
    for (i = 0; i < count; i++) {
        const uint8_t *f = dir + 4 + i * 64;   /* size, select, -, name */

        if (!strcmp((const char *)f + 8, name)) {
            *size = ldl_be_p(f);
            data = g_malloc(*size);
            fw_cfg_read(qts, lduw_be_p(f + 4), data, *size);
            return data;
        }
    }
    g_test_message("fw_cfg has no file %s", name);
    g_assert_not_reached();
}

/* The ACPI table @sig from the machine's table blob, copied. */
static uint8_t *acpi_get_table(QTestState *qts, const char *sig,
                               uint32_t *len)
{
    size_t size;
    g_autofree uint8_t *blob = fw_cfg_file(qts, "etc/acpi/tables", &size);
    uint8_t *table = NULL;
    size_t off;

    /*
     * The tables follow each other in the blob; their checksums are
     * filled in by the firmware's table loader, not here.
     */
    for (off = 0; off + 36 <= size; off++) {
        uint32_t tlen = rd32(blob + off + 4);

        if (memcmp(blob + off, sig, 4) || tlen < 36 || off + tlen > size) {
            continue;
        }
        table = g_memdup2(blob + off, tlen);
        *len = tlen;
        break;
    }
    g_assert_nonnull(table);
    return table;
}

/* The nodes of type @type in the IORT, in order; returns how many. */
static int iort_find_nodes(const uint8_t *iort, uint32_t len, uint8_t type,
                           const uint8_t **nodes, int max)
{
    uint32_t count = rd32(iort + IORT_NODE_COUNT);
    uint32_t off = rd32(iort + IORT_NODE_OFFSET);
    int found = 0;

    while (count--) {
        uint16_t nlen;

        g_assert_cmpuint(off + 16, <=, len);
        nlen = lduw_le_p(iort + off + 1);
        g_assert_cmpuint(nlen, >=, 16);
        g_assert_cmpuint(off + nlen, <=, len);
        if (iort[off] == type && found < max) {
            nodes[found] = iort + off;
            found++;
        }
        off += nlen;
    }
    g_assert_cmpuint(off, ==, len);
    return found;
}

/*
 * Check one RMR node: its ID mapping (streams @sid..@sid+@count-1, to
 * @smmu_off), its flags and its one memory range descriptor.
 */
static void check_rmr_node(const uint8_t *node, const uint8_t *iort,
                           uint32_t smmu_off, uint32_t sid, uint32_t count,
                           uint32_t flags, uint64_t base, uint64_t size)
{
    const uint8_t *map, *desc;

    g_assert_cmpuint(node[0], ==, IORT_NODE_RMR);
    g_assert_cmpuint(lduw_le_p(node + 1), ==, IORT_RMR_NODE_LEN);
    g_assert_cmpuint(node[3], ==, 3);               /* node revision */
    g_assert_cmpuint(rd32(node + 8), ==, 1);        /* ID mappings */
    g_assert_cmpuint(rd32(node + IORT_RMR_FLAGS), ==, flags);
    g_assert_cmpuint(rd32(node + IORT_RMR_COUNT), ==, 1);

    map = node + rd32(node + 12);
    g_assert_cmphex(rd32(map), ==, sid);            /* input base */
    g_assert_cmpuint(rd32(map + 4), ==, count - 1); /* number of IDs - 1 */
    g_assert_cmphex(rd32(map + 8), ==, sid);        /* output base */
    g_assert_cmphex(rd32(map + 12), ==, smmu_off);  /* output reference */
    g_assert_cmphex(iort[smmu_off], ==, IORT_NODE_SMMUV3);

    desc = node + rd32(node + IORT_RMR_OFFSET);
    g_assert_cmphex(rd64(desc), ==, base);
    g_assert_cmphex(rd64(desc + 8), ==, size);
    g_assert_cmpuint(rd32(desc + 16), ==, 0);
}

/*
 * Two rmr objects: a framebuffer of the DMA test device (DIRECT,
 * cacheable) and four raw StreamIDs (RELAXABLE, device memory).
 */
static void test_iort_rmr_nodes(void)
{
    QTestState *qts = qtest_initf("%s"
        "-object rmr,id=fb,device=fb0,base=0x%llx,size=0x%llx "
        "-object '{\"qom-type\": \"rmr\", \"id\": \"raw\", \"sid\": %d, "
        "\"sid-count\": %d, \"base\": %llu, \"size\": %llu, "
        "\"remap-permitted\": true, \"attributes\": \"device\"}'",
        virt_args, FB_BASE, FB_SIZE, RAW_SID, RAW_SID_COUNT,
        RAW_BASE, RAW_SIZE);
    const uint8_t *smmu[2], *rmr[3];
    g_autofree uint8_t *iort = NULL;
    const uint8_t *fb, *raw;
    uint32_t len, smmu_off;

    iort = acpi_get_table(qts, "IORT", &len);
    g_assert_cmpuint(iort[8], ==, 5);       /* revision with RMR nodes */
    g_assert_cmpint(iort_find_nodes(iort, len, IORT_NODE_SMMUV3, smmu, 2),
                    ==, 1);
    g_assert_cmphex(rd64(smmu[0] + IORT_SMMUV3_BASE), ==, VIRT_SMMU_BASE);
    smmu_off = smmu[0] - iort;
    g_assert_cmpint(iort_find_nodes(iort, len, IORT_NODE_RMR, rmr, 3), ==, 2);
    /* Either order; the device's node is the one of its StreamID. */
    fb = rd32(rmr[0] + rd32(rmr[0] + 12)) == DEV_SID ? rmr[0] : rmr[1];
    raw = fb == rmr[0] ? rmr[1] : rmr[0];
    check_rmr_node(fb, iort, smmu_off, DEV_SID, 1,
                   IORT_ATTR_NORMAL_WB << 2, FB_BASE, FB_SIZE);
    check_rmr_node(raw, iort, smmu_off, RAW_SID, RAW_SID_COUNT,
                   IORT_RMR_REMAP | IORT_ATTR_DEVICE_NGNRNE << 2,
                   RAW_BASE, RAW_SIZE);
    g_assert_cmpuint(IORT_RMR_ATTR(rd32(fb + IORT_RMR_FLAGS)), ==,
                     IORT_ATTR_NORMAL_WB);
    qtest_quit(qts);
}

/* Without rmr objects the IORT is the base machine's: revision 3. */
static void test_iort_without_rmr(void)
{
    QTestState *qts = qtest_initf("%s", virt_args);
    g_autofree uint8_t *iort = NULL;
    const uint8_t *rmr[1];
    uint32_t len;

    iort = acpi_get_table(qts, "IORT", &len);
    g_assert_cmpuint(iort[8], ==, 3);
    g_assert_cmpint(iort_find_nodes(iort, len, IORT_NODE_RMR, rmr, 1), ==, 0);
    qtest_quit(qts);
}

/*
 * The device tree, as the guest finds it: without -kernel, virt loads it
 * at the start of RAM.  A flattened tree (devicetree.org spec, chapter
 * 5) is walked here into "path/property" -> value.
 */
#define VIRT_RAM_BASE       0x40000000ULL
#define FDT_MAGIC           0xd00dfeed
#define FDT_BEGIN_NODE      1
#define FDT_END_NODE        2
#define FDT_PROP            3
#define FDT_NOP             4
#define FDT_END             9
#define PCIE_NODE           "/pcie@10000000"

static GHashTable *dt_props(QTestState *qts)
{
    GHashTable *props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify)g_bytes_unref);
    g_autoptr(GString) path = g_string_new("");
    g_autofree uint8_t *fdt = NULL;
    uint32_t hdr[10], size, off, strings;
    int i;

    qtest_memread(qts, VIRT_RAM_BASE, hdr, sizeof(hdr));
    for (i = 0; i < ARRAY_SIZE(hdr); i++) {
        hdr[i] = be32_to_cpu(hdr[i]);
    }
    g_assert_cmphex(hdr[0], ==, FDT_MAGIC);
    size = hdr[1];
    g_assert_cmpuint(size, <=, 2 * 1024 * 1024);
    fdt = g_malloc(size);
    qtest_memread(qts, VIRT_RAM_BASE, fdt, size);
    off = hdr[2];           /* off_dt_struct */
    strings = hdr[3];       /* off_dt_strings */

    for (;;) {
        uint32_t tok = ldl_be_p(fdt + off);

        off += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)fdt + off;

            if (*name || path->len) {
                g_string_append_printf(path, "/%s", name);
            }
            off += ROUND_UP(strlen(name) + 1, 4);
        } else if (tok == FDT_END_NODE) {
            char *slash = strrchr(path->str, '/');

            g_string_truncate(path, slash ? slash - path->str : 0);
        } else if (tok == FDT_PROP) {
            uint32_t len = ldl_be_p(fdt + off);
            const char *name = (const char *)fdt + strings +
                               ldl_be_p(fdt + off + 4);

            g_hash_table_insert(props,
                                g_strdup_printf("%s:%s", path->str, name),
                                g_bytes_new(fdt + off + 8, len));
            off += 8 + ROUND_UP(len, 4);
        } else if (tok == FDT_NOP) {
            continue;
        } else {
            g_assert_cmpuint(tok, ==, FDT_END);
            break;
        }
        g_assert_cmpuint(off, <, size);
    }
    return props;
}

/* Property @prop of node @node as big-endian cells; NULL when absent */
static GArray *dt_cells(GHashTable *props, const char *node, const char *prop)
{
    g_autofree char *key = g_strdup_printf("%s:%s", node, prop);
    GBytes *b = g_hash_table_lookup(props, key);
    const uint8_t *p;
    GArray *cells;
    gsize len, i;

    if (!b) {
        return NULL;
    }
    p = g_bytes_get_data(b, &len);
    g_assert_cmpuint(len % 4, ==, 0);
    cells = g_array_new(false, false, sizeof(uint32_t));
    for (i = 0; i < len; i += 4) {
        uint32_t v = ldl_be_p(p + i);

        g_array_append_val(cells, v);
    }
    return cells;
}

static void assert_cells(GArray *cells, const uint32_t *want, guint n)
{
    guint i;

    g_assert_nonnull(cells);
    g_assert_cmpuint(cells->len, ==, n);
    for (i = 0; i < n; i++) {
        g_assert_cmphex(g_array_index(cells, uint32_t, i), ==, want[i]);
    }
    g_array_free(cells, true);
}

static uint32_t dt_phandle(GHashTable *props, const char *node)
{
    GArray *cells = dt_cells(props, node, "phandle");
    uint32_t ph;

    g_assert_nonnull(cells);
    g_assert_cmpuint(cells->len, ==, 1);
    ph = g_array_index(cells, uint32_t, 0);
    g_array_free(cells, true);
    return ph;
}

/*
 * The device tree form: a reserved-memory child whose reg is the range
 * and whose iommu-addresses maps it 1:1 for the endpoint's DT node (PCI
 * bus cells: three address cells, two size cells), and the endpoint's
 * node under the host bridge, with reg naming 00:04.0 and memory-region
 * pointing back.  Raw StreamIDs have no device tree form.
 */
static void test_dt_nodes(void)
{
    QTestState *qts = qtest_initf("%s"
        "-object rmr,id=fb,device=fb0,base=0x%llx,size=0x%llx "
        "-object rmr,id=raw,sid=%d,base=0x%llx,size=0x%llx",
        virt_args, FB_BASE, FB_SIZE, RAW_SID, RAW_BASE, RAW_SIZE);
    g_autoptr(GHashTable) props = dt_props(qts);
    const char *ep = PCIE_NODE "/dev@4";
    g_autofree char *rmr = g_strdup_printf("/reserved-memory/rmr@%llx",
                                           FB_BASE);
    g_autofree char *raw = g_strdup_printf("/reserved-memory/rmr@%llx",
                                           RAW_BASE);
    uint32_t ep_ph, rmr_ph;

    assert_cells(dt_cells(props, "/reserved-memory", "#address-cells"),
                 (uint32_t[]) { 2 }, 1);
    assert_cells(dt_cells(props, "/reserved-memory", "#size-cells"),
                 (uint32_t[]) { 2 }, 1);
    assert_cells(dt_cells(props, "/reserved-memory", "ranges"), NULL, 0);

    ep_ph = dt_phandle(props, ep);
    rmr_ph = dt_phandle(props, rmr);
    assert_cells(dt_cells(props, ep, "reg"),
                 (uint32_t[]) { DEV_SID << 8, 0, 0, 0, 0 }, 5);
    assert_cells(dt_cells(props, ep, "memory-region"),
                 (uint32_t[]) { rmr_ph }, 1);
    assert_cells(dt_cells(props, rmr, "reg"),
                 (uint32_t[]) { FB_BASE >> 32, (uint32_t)FB_BASE,
                                FB_SIZE >> 32, (uint32_t)FB_SIZE }, 4);
    assert_cells(dt_cells(props, rmr, "iommu-addresses"),
                 (uint32_t[]) { ep_ph, 0, FB_BASE >> 32, (uint32_t)FB_BASE,
                                FB_SIZE >> 32, (uint32_t)FB_SIZE }, 6);
    g_assert_null(dt_cells(props, raw, "reg"));
    qtest_quit(qts);
}

/* Without rmr objects there is no reserved memory and no endpoint node */
static void test_dt_without_rmr(void)
{
    QTestState *qts = qtest_initf("%s", virt_args);
    g_autoptr(GHashTable) props = dt_props(qts);

    g_assert_nonnull(dt_cells(props, PCIE_NODE, "reg"));
    g_assert_null(dt_cells(props, "/reserved-memory", "ranges"));
    g_assert_null(dt_cells(props, PCIE_NODE "/dev@4", "reg"));
    qtest_quit(qts);
}

/*
 * The host bridge _DSM (PCI Firmware Specification, 4.6.5): with rmr
 * objects, function 5 returns 0, "keep the firmware's bus numbers", in
 * AML If (LEqual (Arg2, 5)) { Return (Zero) }.
 */
static const uint8_t dsm_func5[] = { 0x93, 0x6a, 0x0a, 0x05, 0xa4, 0x00 };

static bool dsdt_has_dsm_func5(QTestState *qts)
{
    uint32_t len, i;
    g_autofree uint8_t *dsdt = acpi_get_table(qts, "DSDT", &len);

    for (i = 0; i + sizeof(dsm_func5) <= len; i++) {
        if (!memcmp(dsdt + i, dsm_func5, sizeof(dsm_func5))) {
            return true;
        }
    }
    return false;
}

static void test_dsdt_preserve_config(void)
{
    QTestState *qts = qtest_initf("%s"
        "-object rmr,id=fb,device=fb0,base=0x%llx,size=0x%llx",
        virt_args, FB_BASE, FB_SIZE);

    g_assert_true(dsdt_has_dsm_func5(qts));
    qtest_quit(qts);

    qts = qtest_initf("%s", virt_args);
    g_assert_false(dsdt_has_dsm_func5(qts));
    qtest_quit(qts);
}

typedef struct BadCase {
    const char *name;
    const char *args;
    const char *error;      /* the one line QEMU prints, after its name */
    int status;             /* exit status */
} BadCase;

static const BadCase bad_cases[] = {
    { "zero-size", "-object rmr,id=r,device=fb0,base=0x40000000,size=0",
      "rmr 'r': size must not be zero", 1 },
    { "unaligned", "-object rmr,id=r,device=fb0,base=0x40001000,size=0x10000",
      "rmr 'r': base 0x40001000 and size 0x10000 must be multiples of 64 KiB",
      1 },
    { "unknown-device",
      "-object rmr,id=r,device=nope,base=0x40000000,size=0x10000",
      "rmr 'r': there is no device with id 'nope'", 1 },
    { "no-smmu", "-M iommu=none "
      "-object rmr,id=r,device=fb0,base=0x40000000,size=0x10000",
      "rmr 'r': device 'fb0' is not behind an SMMUv3 (use -M "
      "virt,iommu=smmuv3 or -device arm-smmuv3 on its PCI bus)", 1 },
    { "sid-beyond-sidsize",
      "-object rmr,id=r,sid=0xfffe,sid-count=4,base=0x40000000,size=0x10000",
      "rmr 'r': streams 0xfffe..0x10001 are beyond the SMMU's 16-bit "
      "StreamIDs (SIDSIZE)", 1 },
    { "overlap", "-object rmr,id=a,device=fb0,base=0x40000000,size=0x20000 "
      "-object rmr,id=b,sid=0x20,base=0x40010000,size=0x10000",
      "rmr 'a' and rmr 'b' overlap for stream 0x20: 0x40000000+0x20000 and "
      "0x40010000+0x10000", 1 },
    { "device-and-sid",
      "-object rmr,id=r,device=fb0,sid=1,base=0x40000000,size=0x10000",
      "rmr 'r': give either device= or sid= (with iommu=), not both", 1 },
    { "msi-window",
      "-object rmr,id=r,device=fb0,base=0x8000000,size=0x10000",
      "warning: rmr 'r': 0x8000000+0x10000 overlaps the IOVA window "
      "0x8000000+0x100000 that Linux's arm-smmu-v3 reserves for MSIs", 0 },
};

/*
 * A bad option: one clear line on stderr and the exit status, before the
 * guest runs (-S) and without QMP; "quit" on the monitor ends the good
 * cases.
 */
static void test_bad_option(const void *opaque)
{
    const BadCase *c = opaque;
    g_autofree char *cmd = g_strdup_printf("echo quit | timeout 30 %s %s "
                                           "-monitor stdio -S %s",
                                           qtest_qemu_binary(NULL), virt_args,
                                           c->args);
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *prog = g_path_get_basename(qtest_qemu_binary(NULL));
    g_autofree char *want = g_strdup_printf("%s: %s\n", prog, c->error);
    int status;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
                               &out, &err, &status, NULL));
    g_assert_cmpstr(err, ==, want);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, c->status);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/arm/smmuv3/rmr/iort/nodes", test_iort_rmr_nodes);
    qtest_add_func("/arm/smmuv3/rmr/iort/none", test_iort_without_rmr);
    qtest_add_func("/arm/smmuv3/rmr/dsdt/preserve-config",
                   test_dsdt_preserve_config);
    qtest_add_func("/arm/smmuv3/rmr/dt/nodes", test_dt_nodes);
    qtest_add_func("/arm/smmuv3/rmr/dt/none", test_dt_without_rmr);
    for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
        qsmmu_add_case(&bad_cases[i], test_bad_option,
                       "/arm/smmuv3/rmr/bad/%s", bad_cases[i].name);
    }
    return g_test_run();
}
