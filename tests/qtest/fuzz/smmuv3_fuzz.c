/*
 * Fuzz target for the emulated SMMUv3 of the virt board
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The input is a sequence of operations, each an opcode byte followed by
 * its arguments (little-endian; a short input reads as zeros).  They play
 * the part of an SMMU driver and of a device behind the SMMU:
 *
 *   - SMMUv3 register reads and writes, page 0 and page 1;
 *   - commands written into the command queue in guest RAM, then CMDQ_PROD;
 *   - stream tables (linear and two-level), STEs, CDs, and stage 1 and
 *     stage 2 translation table entries, all written into one small
 *     window of guest RAM, with the addresses they hold biased into that
 *     window so that walks find something;
 *   - DMA through the DMA test device (docs/specs/dma-testdev.rst), with
 *     and without a PASID, in both directions;
 *   - "macro" operations that bring the SMMU up and install a complete
 *     stage 1, stage 2 or nested configuration for the test device, so
 *     that translation, the caches and invalidation are reached quickly;
 *   - the project's QMP commands, called directly: query-smmuv3 and the
 *     x-smmuv3-inject-* fault injection.
 *
 * Between inputs the SMMU and the test device get a cold reset and the
 * window is zeroed: no fork, no reboot.
 *
 * With SMMUV3_FUZZ_WRITE_SEEDS=DIR in the environment, the binary writes
 * a few hand-made seed inputs into DIR and exits.
 */

#include "qemu/osdep.h"

#include "hw/pci/pci_device.h"
#include "hw/pci/pci_host.h"
#include "hw/pci/pci_regs.h"
#include "hw/qdev-core.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-smmuv3.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "system/address-spaces.h"
#include "system/memory.h"
#include "tests/qtest/libqtest.h"
#include "tests/qtest/libqos/smmuv3.h"
#include "fuzz.h"

/* Machine layout (hw/arm/virt.c, tests/qtest/libqos/generic-pcihost.c) */
#define SMMUV3_FUZZ_SMMU            QSMMU_VIRT_BASE
#define SMMUV3_FUZZ_SMMU_PAGE1      0x10000
#define SMMUV3_FUZZ_FLASH           0x0ULL
#define SMMUV3_FUZZ_FLASH_SIZE      0x08000000ULL
#define SMMUV3_FUZZ_GIC             0x08000000ULL   /* distributor, CPU if */
#define SMMUV3_FUZZ_GIC_SIZE        0x00020000ULL
#define SMMUV3_FUZZ_ECAM_LOW        0x3f000000ULL
#define SMMUV3_FUZZ_ECAM_LOW_SIZE   0x01000000ULL
#define SMMUV3_FUZZ_ECAM            0x4010000000ULL
#define SMMUV3_FUZZ_ECAM_SIZE       0x10000000ULL
#define SMMUV3_FUZZ_DEVFN           QPCI_DEVFN(4, 0)
#define SMMUV3_FUZZ_SID             0x20    /* requester ID of 00:04.0 */
#define SMMUV3_FUZZ_BAR0            0x10000000ULL

/* The guest RAM window that every structure lives in, and its layout */
#define SMMUV3_FUZZ_WIN             0x40000000ULL   /* start of RAM */
#define SMMUV3_FUZZ_WIN_SIZE        0x10000
#define SMMUV3_FUZZ_PAGE            0x1000
#define SMMUV3_FUZZ_STRTAB          0x0000  /* linear table, or L1 table */
#define SMMUV3_FUZZ_L2STRTAB        0x1000  /* L2 table of the 2-level one */
#define SMMUV3_FUZZ_CMDQ            0x2000
#define SMMUV3_FUZZ_EVTQ            0x3000
#define SMMUV3_FUZZ_CD              0x4000
#define SMMUV3_FUZZ_S1_TABLES       0x5000  /* levels 1, 2, 3 */
#define SMMUV3_FUZZ_S2_TABLES       0x9000  /* levels 1, 2, 3 */
#define SMMUV3_FUZZ_DATA            0xc000  /* four pages DMA lands in */

#define SMMUV3_FUZZ_Q_LOG2          5
#define SMMUV3_FUZZ_LIN_LOG2SIZE    6       /* 64 STEs, 4 KiB */
#define SMMUV3_FUZZ_2LVL_LOG2SIZE   8
#define SMMUV3_FUZZ_2LVL_SPLIT      6       /* L2 tables of 64 STEs */
#define SMMUV3_FUZZ_T0SZ            25      /* 39-bit input, walks from L1 */
/*
 * Stage 1 IOVAs are RAM addresses, so that a DMA that bypasses the SMMU
 * lands in RAM too, never in a device (the flash at 0 reacts to writes
 * by changing the memory map).  IOVA pages 0-7 of the window map to the
 * four data pages; the 2 MiB above the window's start map, as a block,
 * to the 2 MiB at the start of RAM.
 */
#define SMMUV3_FUZZ_S1_PAGES        8
#define SMMUV3_FUZZ_S1_BLOCK_IOVA   (SMMUV3_FUZZ_WIN + 2 * MiB)
/* Raw addresses get bit 30: RAM or nothing, no MMIO of the virt board */
#define SMMUV3_FUZZ_RAW_IOVA_BIT    BIT_ULL(30)

/* Register offsets not in libqos/smmuv3.h (IHI 0070, 6.2) */
#define SMMUV3_FUZZ_IIDR            0x18
#define SMMUV3_FUZZ_AIDR            0x1c
#define SMMUV3_FUZZ_STATUSR         0x40
#define SMMUV3_FUZZ_IRQ_CTRL_ACK    0x54
#define SMMUV3_FUZZ_GERROR_IRQ_CFG0 0x68
#define SMMUV3_FUZZ_GERROR_IRQ_CFG1 0x70
#define SMMUV3_FUZZ_GERROR_IRQ_CFG2 0x74
#define SMMUV3_FUZZ_EVTQ_IRQ_CFG0   0xb0
#define SMMUV3_FUZZ_EVTQ_IRQ_CFG1   0xb8
#define SMMUV3_FUZZ_EVTQ_IRQ_CFG2   0xbc
#define SMMUV3_FUZZ_IDREGS          0xfd0
#define SMMUV3_FUZZ_EVTQ_PROD_P0    0xa8
#define SMMUV3_FUZZ_EVTQ_CONS_P0    0xac
#define SMMUV3_FUZZ_Q_ADDR_MASK     0x000fffffffffffc0ULL

/* CR1 and CR2 as a driver sets them: cacheable, inner shareable */
#define SMMUV3_FUZZ_CR1             0x0d75
#define SMMUV3_FUZZ_CR2             0x0006

/* Translation table descriptors (VMSAv8-64, 4 KiB granule) */
#define SMMUV3_FUZZ_PTE_VALID       BIT_ULL(0)
#define SMMUV3_FUZZ_PTE_TABLE       BIT_ULL(1)  /* or page at level 3 */
#define SMMUV3_FUZZ_PTE_AF          BIT_ULL(10)
#define SMMUV3_FUZZ_PTE_SH_INNER    (3ULL << 8)
#define SMMUV3_FUZZ_PTE_S1_RW       (1ULL << 6)  /* AP[2:1] = 0b01 */
#define SMMUV3_FUZZ_PTE_S2_RW       (3ULL << 6)  /* S2AP = 0b11 */
#define SMMUV3_FUZZ_PTE_S2_WB       (0xfULL << 2)
#define SMMUV3_FUZZ_PTE_OA_MASK     0x0000fffffffff000ULL
#define SMMUV3_FUZZ_PTE_ATTR_MASK   0xfff0000000000ffcULL

typedef enum Smmuv3FuzzOp {
    OP_MMIO_WRITEL,
    OP_MMIO_WRITEQ,
    OP_MMIO_READ,
    OP_CMD,
    OP_CMD_RAW,
    OP_MEM_WRITE,
    OP_STE,
    OP_L1STD,
    OP_CD,
    OP_PTE,
    OP_DMA,
    OP_TESTDEV_REG,
    OP_SETUP,
    OP_STE_S1,
    OP_STE_S2,
    OP_STE_NESTED,
    OP_STE_SIMPLE,
    OP_INVALIDATE,
    OP_EVTQ_DRAIN,
    OP_GERROR_ACK,
    OP_GBPA,
    OP_CLOCK_STEP,
    OP_QUERY,
    OP_INJECT_EVENT,
    OP_INJECT_GERROR,
    OP_INJECT_CMDQ_ERROR,
    OP_COUNT
} Smmuv3FuzzOp;

/* The input, read front to back */
typedef struct Smmuv3FuzzInput {
    const uint8_t *p;
    size_t left;
} Smmuv3FuzzInput;

static uint64_t smmuv3_fuzz_get(Smmuv3FuzzInput *in, unsigned bytes)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < bytes; i++) {
        if (in->left) {
            v |= (uint64_t)*in->p << (8 * i);
            in->p++;
            in->left--;
        }
    }
    return v;
}

#define GET8(in)    ((uint8_t)smmuv3_fuzz_get(in, 1))
#define GET16(in)   ((uint16_t)smmuv3_fuzz_get(in, 2))
#define GET32(in)   ((uint32_t)smmuv3_fuzz_get(in, 4))
#define GET64(in)   smmuv3_fuzz_get(in, 8)

/* What the driver side knows of the current stream table layout */
static bool smmuv3_fuzz_2lvl;
/* SMMUV3_FUZZ_VERBOSE=1: print every DMA and how it ended, to stderr */
static bool smmuv3_fuzz_verbose;
static DeviceState *smmuv3_fuzz_smmu_dev;
static unsigned smmuv3_fuzz_count;
static DeviceState *smmuv3_fuzz_testdev;

static uint64_t smmuv3_fuzz_win(uint32_t off)
{
    return SMMUV3_FUZZ_WIN + (off % SMMUV3_FUZZ_WIN_SIZE);
}

static void smmuv3_fuzz_writel(QTestState *s, uint32_t reg, uint32_t val)
{
    qtest_writel(s, SMMUV3_FUZZ_SMMU + reg, val);
}

static uint32_t smmuv3_fuzz_readl(QTestState *s, uint32_t reg)
{
    return qtest_readl(s, SMMUV3_FUZZ_SMMU + reg);
}

static void smmuv3_fuzz_writeq(QTestState *s, uint32_t reg, uint64_t val)
{
    qtest_writeq(s, SMMUV3_FUZZ_SMMU + reg, val);
}

static void smmuv3_fuzz_store_word(QTestState *s, uint64_t addr, uint64_t v)
{
    qsmmu_mem_write_le64(s, addr, &v, 1);
}

/*
 * The test device's configuration space, written as the host bridge does
 * for an ECAM write (the ECAM itself is behind a guard, see below).
 */
static void smmuv3_fuzz_config_write(uint32_t off, uint32_t v, int len)
{
    PCIDevice *pdev = PCI_DEVICE(smmuv3_fuzz_testdev);

    pci_host_config_write_common(pdev, off, pci_config_size(pdev), v, len);
}

/* Registers the MMIO operations pick from; the last entry means "any" */
static const uint16_t smmuv3_fuzz_regs32[] = {
    QSMMU_IDR0, QSMMU_IDR1, QSMMU_IDR3, QSMMU_IDR5, SMMUV3_FUZZ_IIDR,
    SMMUV3_FUZZ_AIDR, QSMMU_CR0, QSMMU_CR0ACK, QSMMU_CR1, QSMMU_CR2,
    SMMUV3_FUZZ_STATUSR, QSMMU_GBPA, QSMMU_IRQ_CTRL, SMMUV3_FUZZ_IRQ_CTRL_ACK,
    QSMMU_GERROR, QSMMU_GERRORN, SMMUV3_FUZZ_GERROR_IRQ_CFG0,
    SMMUV3_FUZZ_GERROR_IRQ_CFG0 + 4, SMMUV3_FUZZ_GERROR_IRQ_CFG1,
    SMMUV3_FUZZ_GERROR_IRQ_CFG2, QSMMU_STRTAB_BASE, QSMMU_STRTAB_BASE + 4,
    QSMMU_STRTAB_BASE_CFG, QSMMU_CMDQ_BASE, QSMMU_CMDQ_BASE + 4,
    QSMMU_CMDQ_PROD, QSMMU_CMDQ_CONS, QSMMU_EVENTQ_BASE,
    QSMMU_EVENTQ_BASE + 4, SMMUV3_FUZZ_EVTQ_PROD_P0, SMMUV3_FUZZ_EVTQ_CONS_P0,
    SMMUV3_FUZZ_EVTQ_IRQ_CFG0, SMMUV3_FUZZ_EVTQ_IRQ_CFG0 + 4,
    SMMUV3_FUZZ_EVTQ_IRQ_CFG1, SMMUV3_FUZZ_EVTQ_IRQ_CFG2,
    SMMUV3_FUZZ_IDREGS, 0xffff,
};

static const uint16_t smmuv3_fuzz_regs64[] = {
    SMMUV3_FUZZ_GERROR_IRQ_CFG0, QSMMU_STRTAB_BASE, QSMMU_CMDQ_BASE,
    QSMMU_EVENTQ_BASE, SMMUV3_FUZZ_EVTQ_IRQ_CFG0, 0xffff,
};

/*
 * A register offset: a known register on page 0 or page 1 (bit 7 of
 * @sel), or for the last table entry any 4- or 8-byte aligned offset.
 */
static uint32_t smmuv3_fuzz_reg(Smmuv3FuzzInput *in, const uint16_t *regs,
                                unsigned n, unsigned align)
{
    uint8_t sel = GET8(in);
    uint32_t reg = regs[(sel & 0x7f) % n];

    if (reg == 0xffff) {
        return GET32(in) % (2 * SMMUV3_FUZZ_SMMU_PAGE1) & ~(align - 1);
    }
    return reg | (sel & 0x80 ? SMMUV3_FUZZ_SMMU_PAGE1 : 0);
}

/*
 * A 64-bit value for a base register or a descriptor: with bit 0 of
 * @mode clear the raw value, else an address in the window with the low
 * (attribute) bits of the raw value.
 */
static uint64_t smmuv3_fuzz_bias(uint8_t mode, uint64_t raw, unsigned low)
{
    if (!(mode & 1)) {
        return raw;
    }
    return (smmuv3_fuzz_win(raw >> 16) & ~MAKE_64BIT_MASK(0, low)) |
           (raw & MAKE_64BIT_MASK(0, low)) | (raw & 0xfff0000000000000ULL);
}

/* Command queue */

static void smmuv3_fuzz_cmd_push(QTestState *s, const uint64_t *cmd)
{
    uint64_t base = qtest_readq(s, SMMUV3_FUZZ_SMMU + QSMMU_CMDQ_BASE);
    unsigned log2 = MIN(base & 0x1f, 19);
    uint32_t idx_mask = (1u << log2) - 1;
    uint32_t prod = smmuv3_fuzz_readl(s, QSMMU_CMDQ_PROD);
    uint64_t slot = (base & SMMUV3_FUZZ_Q_ADDR_MASK) +
                    (uint64_t)(prod & idx_mask) * 16;

    if (slot >= SMMUV3_FUZZ_WIN &&
        slot + 16 <= SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_WIN_SIZE) {
        qsmmu_mem_write_le64(s, slot, cmd, QSMMU_CMD_WORDS);
    }
    /* the index and the wrap bit above it */
    prod = (prod + 1) & (2 * idx_mask + 1);
    smmuv3_fuzz_writel(s, QSMMU_CMDQ_PROD, prod);
}

static void smmuv3_fuzz_cmd_simple(QTestState *s, uint8_t op, uint32_t sid)
{
    uint64_t cmd[QSMMU_CMD_WORDS] = { 0 };

    qsmmu_set(cmd, QSMMU_CMD_OPCODE, op);
    qsmmu_set(cmd, QSMMU_CMD_SID, sid);
    if (op == QSMMU_OP_CFGI_STE_RANGE) {
        qsmmu_set(cmd, QSMMU_CMD_RANGE, 31);
    }
    smmuv3_fuzz_cmd_push(s, cmd);
}

/* CMD_SYNC, after acknowledging a command queue error if there is one */
static void smmuv3_fuzz_sync(QTestState *s)
{
    uint32_t gerror = smmuv3_fuzz_readl(s, QSMMU_GERROR);
    uint32_t gerrorn = smmuv3_fuzz_readl(s, QSMMU_GERRORN);

    if ((gerror ^ gerrorn) & QSMMU_GERROR_CMDQ_ERR) {
        smmuv3_fuzz_writel(s, QSMMU_GERRORN,
                           gerrorn ^ QSMMU_GERROR_CMDQ_ERR);
    }
    smmuv3_fuzz_cmd_simple(s, QSMMU_OP_CMD_SYNC, 0);
}

static const uint8_t smmuv3_fuzz_opcodes[] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x10, 0x11, 0x12, 0x13, 0x18,
    0x1a, 0x20, 0x21, 0x22, 0x23, 0x28, 0x2a, 0x30, 0x40, 0x41, 0x44,
    0x45, 0x46,
};

/*
 * A command with a known opcode (or, with bit 7 of the selector, any),
 * the fuzzer's bits elsewhere, and the StreamID and the address biased
 * towards the test device and the mapped IOVAs.
 */
static void smmuv3_fuzz_op_cmd(QTestState *s, Smmuv3FuzzInput *in)
{
    uint8_t sel = GET8(in);
    uint8_t bias = GET8(in);
    uint64_t cmd[QSMMU_CMD_WORDS];

    cmd[0] = GET64(in);
    cmd[1] = GET64(in);
    qsmmu_set(cmd, QSMMU_CMD_OPCODE, sel & 0x80 ? sel :
              smmuv3_fuzz_opcodes[sel % ARRAY_SIZE(smmuv3_fuzz_opcodes)]);
    if (bias & 1) {
        qsmmu_set(cmd, QSMMU_CMD_SID, SMMUV3_FUZZ_SID);
    }
    if (bias & 2) {
        /* a VA in the stage 1 mappings, or an IPA in the stage 2 ones */
        uint64_t addr = smmuv3_fuzz_win(cmd[1] >> 12);
        qsmmu_set(cmd, QSMMU_CMD_ADDR, addr >> 12);
    }
    if (bias & 8) {
        qsmmu_set(cmd, QSMMU_CMD_ASID, bias >> 4);
        qsmmu_set(cmd, QSMMU_CMD_VMID, bias >> 4);
    }
    smmuv3_fuzz_cmd_push(s, cmd);
    if (bias & 0x80) {
        smmuv3_fuzz_sync(s);
    }
}

static void smmuv3_fuzz_op_cmd_raw(QTestState *s, Smmuv3FuzzInput *in)
{
    uint64_t cmd[QSMMU_CMD_WORDS];

    cmd[0] = GET64(in);
    cmd[1] = GET64(in);
    smmuv3_fuzz_cmd_push(s, cmd);
}

/* Stream table */

static uint64_t smmuv3_fuzz_ste_addr(uint32_t sid)
{
    uint32_t n = 1u << (smmuv3_fuzz_2lvl ? SMMUV3_FUZZ_2LVL_SPLIT :
                        SMMUV3_FUZZ_LIN_LOG2SIZE);

    return SMMUV3_FUZZ_WIN +
           (smmuv3_fuzz_2lvl ? SMMUV3_FUZZ_L2STRTAB : SMMUV3_FUZZ_STRTAB) +
           (sid % n) * 64;
}

static void smmuv3_fuzz_invalidate_ste(QTestState *s, uint32_t sid)
{
    smmuv3_fuzz_cmd_simple(s, QSMMU_OP_CFGI_STE, sid);
    smmuv3_fuzz_cmd_simple(s, QSMMU_OP_TLBI_NSNH_ALL, 0);
    smmuv3_fuzz_sync(s);
}

static void smmuv3_fuzz_s2_params(QSMMUStage2 *s2, uint8_t vmid)
{
    memset(s2, 0, sizeof(*s2));
    s2->vmid = vmid;
    s2->s2ttb = SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_S2_TABLES;
    s2->t0sz = SMMUV3_FUZZ_T0SZ;
    s2->sl0 = 1;                    /* start at level 1 */
    s2->tg = QSMMU_S2TG_4K;
    s2->ps = QSMMU_PS_44;
}

/*
 * An STE built from the fuzzer's choices: Config, V and the stage 1 and
 * stage 2 fields from small selectors, pointers into the window, then one
 * word XORed with raw bits.
 */
static void smmuv3_fuzz_op_ste(QTestState *s, Smmuv3FuzzInput *in)
{
    uint8_t sid = GET8(in);
    uint8_t cfg = GET8(in);
    uint8_t s2sel = GET8(in);
    uint16_t ctx = GET16(in);
    uint16_t s2ttb = GET16(in);
    uint8_t xor_idx = GET8(in);
    uint64_t xor = GET64(in);
    uint64_t ste[QSMMU_STE_WORDS];
    QSMMUStage2 s2;

    smmuv3_fuzz_s2_params(&s2, s2sel >> 4);
    s2.t0sz = 16 + (s2sel & 0x1f) % 34;
    s2.sl0 = (s2sel >> 5) & 3;
    s2.tg = (s2sel >> 7) ? (s2ttb & 3) : QSMMU_S2TG_4K;
    s2.ps = (ctx >> 13) & 7;
    s2.s2ttb = SMMUV3_FUZZ_WIN + ((s2ttb << 4) % SMMUV3_FUZZ_WIN_SIZE);
    s2.affd = cfg & 0x40;
    qsmmu_ste_nested(ste, SMMUV3_FUZZ_WIN + ((ctx << 6) % SMMUV3_FUZZ_WIN_SIZE),
                     (cfg >> 4) & 3, 0, (cfg >> 6) & 3, &s2);
    qsmmu_set(ste, QSMMU_STE_CONFIG, cfg & 7);
    qsmmu_set(ste, QSMMU_STE_V, !(cfg & 8));
    ste[xor_idx % QSMMU_STE_WORDS] ^= xor;
    qsmmu_mem_write_le64(s, smmuv3_fuzz_ste_addr(sid), ste, QSMMU_STE_WORDS);
    if (xor_idx & 0x80) {
        smmuv3_fuzz_invalidate_ste(s, sid);
    }
}

/* A level-1 stream table descriptor (5.1) */
static void smmuv3_fuzz_op_l1std(QTestState *s, Smmuv3FuzzInput *in)
{
    uint8_t idx = GET8(in);
    uint8_t mode = GET8(in);
    uint64_t raw = GET64(in);
    uint64_t desc;

    if (mode & 2) {
        desc = (SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_L2STRTAB) |
               (SMMUV3_FUZZ_2LVL_SPLIT + 1);
        desc ^= raw & (mode & 4 ? 0x1f : 0);
    } else {
        desc = smmuv3_fuzz_bias(mode, raw, 6);
    }
    smmuv3_fuzz_store_word(s, SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_STRTAB +
                           (idx % 4) * 8, desc);
}

/* A CD: the builder's, from the fuzzer's selectors, one word XORed */
static void smmuv3_fuzz_op_cd(QTestState *s, Smmuv3FuzzInput *in)
{
    uint16_t where = GET16(in);
    uint16_t asid = GET16(in);
    uint8_t t0sz = GET8(in);
    uint8_t sel = GET8(in);
    uint16_t ttb = GET16(in);
    uint8_t xor_idx = GET8(in);
    uint64_t xor = GET64(in);
    uint64_t cd[QSMMU_CD_WORDS];

    qsmmu_cd_s1(cd, asid, SMMUV3_FUZZ_WIN + ((ttb << 4) % SMMUV3_FUZZ_WIN_SIZE),
                t0sz & 0x3f, sel & 3, (sel >> 2) & 7);
    qsmmu_set(cd, QSMMU_CD_V, !(sel & 0x20));
    qsmmu_set(cd, QSMMU_CD_AFFD, !!(sel & 0x40));
    qsmmu_set(cd, QSMMU_CD_HA, !!(sel & 0x80));
    cd[xor_idx % QSMMU_CD_WORDS] ^= xor;
    qsmmu_mem_write_le64(s, SMMUV3_FUZZ_WIN + ((where << 6) %
                                               SMMUV3_FUZZ_WIN_SIZE),
                         cd, QSMMU_CD_WORDS);
    if (xor_idx & 0x80) {
        smmuv3_fuzz_cmd_simple(s, QSMMU_OP_CFGI_CD_ALL, SMMUV3_FUZZ_SID);
        smmuv3_fuzz_cmd_simple(s, QSMMU_OP_TLBI_NH_ALL, 0);
        smmuv3_fuzz_sync(s);
    }
}

/*
 * A translation table entry in any page of the window: a table or a
 * leaf pointing into the window, or raw, with the fuzzer's attributes.
 */
static void smmuv3_fuzz_op_pte(QTestState *s, Smmuv3FuzzInput *in)
{
    uint8_t page = GET8(in);
    uint16_t idx = GET16(in);
    uint8_t kind = GET8(in);
    uint8_t out = GET8(in);
    uint64_t attr = GET64(in);
    uint64_t pte;

    switch (kind & 3) {
    case 0:
        pte = attr;
        break;
    case 1:
        pte = smmuv3_fuzz_win(out << 12) | SMMUV3_FUZZ_PTE_VALID |
              SMMUV3_FUZZ_PTE_TABLE;
        break;
    default:
        pte = (attr & SMMUV3_FUZZ_PTE_ATTR_MASK) |
              smmuv3_fuzz_win(out << 12) | SMMUV3_FUZZ_PTE_VALID;
        if ((kind & 3) == 3) {
            pte |= SMMUV3_FUZZ_PTE_TABLE;   /* a page at level 3 */
        }
        break;
    }
    if (kind & 4) {
        pte |= SMMUV3_FUZZ_PTE_AF;
    }
    smmuv3_fuzz_store_word(s, smmuv3_fuzz_win((page << 12) + (idx % 512) * 8),
                           pte);
}

static void smmuv3_fuzz_op_mem_write(QTestState *s, Smmuv3FuzzInput *in)
{
    uint16_t off = GET16(in);
    uint8_t mode = GET8(in);
    uint64_t raw = GET64(in);

    smmuv3_fuzz_store_word(s, smmuv3_fuzz_win(off & ~7),
                           smmuv3_fuzz_bias(mode, raw, 12));
}

/* The DMA test device */

static void smmuv3_fuzz_dev_writel(QTestState *s, uint32_t reg, uint32_t v)
{
    qtest_writel(s, SMMUV3_FUZZ_BAR0 + reg, v);
}

static uint32_t smmuv3_fuzz_dev_readl(QTestState *s, uint32_t reg)
{
    return qtest_readl(s, SMMUV3_FUZZ_BAR0 + reg);
}

/*
 * One transfer.  The IOVA is one of: a page of the stage 1 mappings, an
 * address in the window (stage 2, nested, bypass), the stage 1 block
 * mapping, or anything.
 */
static void smmuv3_fuzz_op_dma(QTestState *s, Smmuv3FuzzInput *in)
{
    uint8_t flags = GET8(in);
    uint32_t lo = GET32(in);
    uint16_t len = GET16(in);
    uint8_t pasid = GET8(in);
    uint64_t iova;
    uint32_t cmd = DMA_TESTDEV_CMD_RUN;

    switch ((flags >> 3) & 3) {
    case 0:
        iova = SMMUV3_FUZZ_WIN + lo % (SMMUV3_FUZZ_S1_PAGES * SMMUV3_FUZZ_PAGE);
        break;
    case 1:
        iova = smmuv3_fuzz_win(lo);
        break;
    case 2:
        iova = SMMUV3_FUZZ_S1_BLOCK_IOVA + lo % SMMUV3_FUZZ_WIN_SIZE;
        break;
    default:
        iova = ((uint64_t)GET32(in) << 32) | lo | SMMUV3_FUZZ_RAW_IOVA_BIT;
        break;
    }
    if (flags & 1) {
        cmd |= DMA_TESTDEV_CMD_WRITE;
    }
    if (flags & 2) {
        cmd |= DMA_TESTDEV_CMD_FROM_BUF;
    }
    smmuv3_fuzz_dev_writel(s, DMA_TESTDEV_IOVA_LO, (uint32_t)iova);
    smmuv3_fuzz_dev_writel(s, DMA_TESTDEV_IOVA_HI, iova >> 32);
    smmuv3_fuzz_dev_writel(s, DMA_TESTDEV_LEN,
                           flags & 0x20 ? len : 1 + len % 0x2000);
    smmuv3_fuzz_dev_writel(s, DMA_TESTDEV_PASID,
                           flags & 4 ? DMA_TESTDEV_PASID_VALID | pasid : 0);
    smmuv3_fuzz_dev_writel(s, DMA_TESTDEV_PATTERN, lo);
    smmuv3_fuzz_dev_writel(s, DMA_TESTDEV_CMD, cmd);
    if (smmuv3_fuzz_verbose) {
        fprintf(stderr, "smmuv3-fuzz: DMA cmd 0x%x iova 0x%" PRIx64
                " len 0x%x pasid 0x%x: result %s, done 0x%x\n", cmd, iova,
                smmuv3_fuzz_dev_readl(s, DMA_TESTDEV_LEN),
                smmuv3_fuzz_dev_readl(s, DMA_TESTDEV_PASID),
                dma_testdev_result_name(smmuv3_fuzz_dev_readl(s,
                                        DMA_TESTDEV_RESULT)),
                smmuv3_fuzz_dev_readl(s, DMA_TESTDEV_DONE));
    } else {
        smmuv3_fuzz_dev_readl(s, DMA_TESTDEV_RESULT);
    }
}

static void smmuv3_fuzz_op_testdev_reg(QTestState *s, Smmuv3FuzzInput *in)
{
    uint16_t off = GET16(in);
    uint32_t val = GET32(in);

    off = (off % DMA_TESTDEV_BAR_SIZE) & ~3;
    if (off & 0x8000) {
        smmuv3_fuzz_dev_readl(s, off);
    } else {
        smmuv3_fuzz_dev_writel(s, off, val);
    }
}

/* Macros: bring-up and whole configurations */

/*
 * Bring the SMMU up as a driver does (6.3, CR0): SMMUEN off, CR1, CR2, the
 * stream table (2-level if bit 0 of @flags), both queues, the queues on,
 * invalidate everything, then SMMUEN unless bit 1 of @flags.
 */
static void smmuv3_fuzz_setup(QTestState *s, uint8_t flags)
{
    uint32_t cfg;

    smmuv3_fuzz_writel(s, QSMMU_CR0, 0);
    smmuv3_fuzz_writel(s, QSMMU_CR1, SMMUV3_FUZZ_CR1);
    smmuv3_fuzz_writel(s, QSMMU_CR2, SMMUV3_FUZZ_CR2);

    smmuv3_fuzz_2lvl = flags & 1;
    if (smmuv3_fuzz_2lvl) {
        cfg = SMMUV3_FUZZ_2LVL_LOG2SIZE |
              (SMMUV3_FUZZ_2LVL_SPLIT << 6) | (QSMMU_STRTAB_FMT_2LVL << 16);
        /* the test device's SID is in the first L2 table */
        smmuv3_fuzz_store_word(s, SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_STRTAB,
                               (SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_L2STRTAB) |
                               (SMMUV3_FUZZ_2LVL_SPLIT + 1));
    } else {
        cfg = SMMUV3_FUZZ_LIN_LOG2SIZE | (QSMMU_STRTAB_FMT_LINEAR << 16);
    }
    smmuv3_fuzz_writeq(s, QSMMU_STRTAB_BASE,
                       SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_STRTAB);
    smmuv3_fuzz_writel(s, QSMMU_STRTAB_BASE_CFG, cfg);

    smmuv3_fuzz_writeq(s, QSMMU_CMDQ_BASE, (SMMUV3_FUZZ_WIN +
                       SMMUV3_FUZZ_CMDQ) | SMMUV3_FUZZ_Q_LOG2);
    smmuv3_fuzz_writel(s, QSMMU_CMDQ_PROD, 0);
    smmuv3_fuzz_writel(s, QSMMU_CMDQ_CONS, 0);
    smmuv3_fuzz_writeq(s, QSMMU_EVENTQ_BASE, (SMMUV3_FUZZ_WIN +
                       SMMUV3_FUZZ_EVTQ) | SMMUV3_FUZZ_Q_LOG2);
    smmuv3_fuzz_writel(s, QSMMU_EVENTQ_PROD, 0);
    smmuv3_fuzz_writel(s, QSMMU_EVENTQ_CONS, 0);

    smmuv3_fuzz_writel(s, QSMMU_CR0, QSMMU_CR0_CMDQEN);
    smmuv3_fuzz_cmd_simple(s, QSMMU_OP_CFGI_STE_RANGE, 0);
    smmuv3_fuzz_cmd_simple(s, QSMMU_OP_TLBI_NSNH_ALL, 0);
    smmuv3_fuzz_sync(s);
    smmuv3_fuzz_writel(s, QSMMU_CR0, QSMMU_CR0_CMDQEN | QSMMU_CR0_EVENTQEN |
                       (flags & 2 ? 0 : QSMMU_CR0_SMMUEN));
}

/*
 * Stage 1 tables: IOVA pages 0-7 of the window -> the data pages, and the
 * block (SMMUV3_FUZZ_S1_BLOCK_IOVA).  @attr adds to every leaf.
 */
static void smmuv3_fuzz_s1_tables(QTestState *s, uint64_t attr)
{
    uint64_t l1 = SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_S1_TABLES;
    uint64_t l2 = l1 + SMMUV3_FUZZ_PAGE;
    uint64_t l3 = l2 + SMMUV3_FUZZ_PAGE;
    uint64_t leaf = SMMUV3_FUZZ_PTE_VALID | SMMUV3_FUZZ_PTE_AF |
                    SMMUV3_FUZZ_PTE_SH_INNER | SMMUV3_FUZZ_PTE_S1_RW | attr;
    int i;

    /* the window is entry 1 at level 1 and entry 0 at level 2 */
    smmuv3_fuzz_store_word(s, l1 + 8, l2 | SMMUV3_FUZZ_PTE_VALID |
                           SMMUV3_FUZZ_PTE_TABLE);
    smmuv3_fuzz_store_word(s, l2, l3 | SMMUV3_FUZZ_PTE_VALID |
                           SMMUV3_FUZZ_PTE_TABLE);
    smmuv3_fuzz_store_word(s, l2 + 8, SMMUV3_FUZZ_WIN | leaf);
    for (i = 0; i < SMMUV3_FUZZ_S1_PAGES; i++) {
        smmuv3_fuzz_store_word(s, l3 + i * 8,
                               (SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_DATA +
                                (i % 4) * SMMUV3_FUZZ_PAGE) |
                               leaf | SMMUV3_FUZZ_PTE_TABLE);
    }
}

/* Stage 2 tables: the window maps to itself (IPA == PA), page by page */
static void smmuv3_fuzz_s2_tables(QTestState *s, uint64_t attr)
{
    uint64_t l1 = SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_S2_TABLES;
    uint64_t l2 = l1 + SMMUV3_FUZZ_PAGE;
    uint64_t l3 = l2 + SMMUV3_FUZZ_PAGE;
    uint64_t leaf = SMMUV3_FUZZ_PTE_VALID | SMMUV3_FUZZ_PTE_AF |
                    SMMUV3_FUZZ_PTE_SH_INNER | SMMUV3_FUZZ_PTE_S2_RW |
                    SMMUV3_FUZZ_PTE_S2_WB | SMMUV3_FUZZ_PTE_TABLE | attr;
    int i;

    /* 0x40000000 is entry 1 at level 1 and entry 0 at level 2 */
    smmuv3_fuzz_store_word(s, l1 + 8, l2 | SMMUV3_FUZZ_PTE_VALID |
                           SMMUV3_FUZZ_PTE_TABLE);
    smmuv3_fuzz_store_word(s, l2, l3 | SMMUV3_FUZZ_PTE_VALID |
                           SMMUV3_FUZZ_PTE_TABLE);
    for (i = 0; i < SMMUV3_FUZZ_WIN_SIZE / SMMUV3_FUZZ_PAGE; i++) {
        smmuv3_fuzz_store_word(s, l3 + i * 8, (SMMUV3_FUZZ_WIN +
                               i * SMMUV3_FUZZ_PAGE) | leaf);
    }
}

static void smmuv3_fuzz_op_ste_stage(QTestState *s, Smmuv3FuzzInput *in,
                                     uint32_t config)
{
    uint8_t asid = GET8(in);
    uint8_t flags = GET8(in);
    uint64_t attr = GET64(in) & (flags & 1 ? SMMUV3_FUZZ_PTE_ATTR_MASK : 0);
    uint64_t ctx = SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_CD;
    uint64_t ste[QSMMU_STE_WORDS];
    uint64_t cd[QSMMU_CD_WORDS];
    QSMMUStage2 s2;

    smmuv3_fuzz_s2_params(&s2, asid);
    s2.affd = flags & 2;
    if (config != QSMMU_STE_CFG_S2) {
        qsmmu_cd_s1(cd, asid, SMMUV3_FUZZ_WIN + SMMUV3_FUZZ_S1_TABLES,
                    SMMUV3_FUZZ_T0SZ, QSMMU_TG0_4K, QSMMU_PS_44);
        qsmmu_mem_write_le64(s, ctx, cd, QSMMU_CD_WORDS);
        smmuv3_fuzz_s1_tables(s, attr);
    }
    if (config != QSMMU_STE_CFG_S1) {
        smmuv3_fuzz_s2_tables(s, flags & 4 ? attr : 0);
    }
    switch (config) {
    case QSMMU_STE_CFG_S1:
        qsmmu_ste_s1(ste, ctx, QSMMU_S1FMT_LINEAR, 0, QSMMU_S1DSS_TERMINATE);
        break;
    case QSMMU_STE_CFG_S2:
        qsmmu_ste_s2(ste, &s2);
        break;
    default:
        qsmmu_ste_nested(ste, ctx, QSMMU_S1FMT_LINEAR, 0,
                         QSMMU_S1DSS_TERMINATE, &s2);
        break;
    }
    qsmmu_mem_write_le64(s, smmuv3_fuzz_ste_addr(SMMUV3_FUZZ_SID), ste,
                         QSMMU_STE_WORDS);
    if (!(flags & 8)) {
        smmuv3_fuzz_invalidate_ste(s, SMMUV3_FUZZ_SID);
    }
}

/* Abort, bypass or invalid STE for the test device or a neighbour */
static void smmuv3_fuzz_op_ste_simple(QTestState *s, Smmuv3FuzzInput *in)
{
    uint8_t sel = GET8(in);
    uint32_t sid = sel & 0x80 ? sel & 0x3f : SMMUV3_FUZZ_SID;
    uint64_t ste[QSMMU_STE_WORDS];

    switch (sel % 3) {
    case 0:
        qsmmu_ste_abort(ste);
        break;
    case 1:
        qsmmu_ste_bypass(ste);
        break;
    default:
        qsmmu_ste_invalid(ste);
        break;
    }
    qsmmu_mem_write_le64(s, smmuv3_fuzz_ste_addr(sid), ste, QSMMU_STE_WORDS);
    if (!(sel & 0x40)) {
        smmuv3_fuzz_invalidate_ste(s, sid);
    }
}

/* One invalidation command for what the macros installed, then CMD_SYNC */
static void smmuv3_fuzz_op_invalidate(QTestState *s, Smmuv3FuzzInput *in)
{
    static const uint8_t ops[] = {
        QSMMU_OP_CFGI_STE, QSMMU_OP_CFGI_STE_RANGE, QSMMU_OP_CFGI_CD,
        QSMMU_OP_CFGI_CD_ALL, QSMMU_OP_TLBI_NH_ALL, QSMMU_OP_TLBI_NH_ASID,
        QSMMU_OP_TLBI_NH_VA, QSMMU_OP_TLBI_NH_VAA, QSMMU_OP_TLBI_S12_VMALL,
        QSMMU_OP_TLBI_S2_IPA, QSMMU_OP_TLBI_NSNH_ALL, QSMMU_OP_PREFETCH_CONFIG,
    };
    uint8_t sel = GET8(in);
    uint8_t id = GET8(in);
    uint8_t page = GET8(in);
    uint8_t range = GET8(in);
    uint64_t cmd[QSMMU_CMD_WORDS] = { 0 };
    uint8_t op = ops[sel % ARRAY_SIZE(ops)];
    uint64_t addr;

    qsmmu_set(cmd, QSMMU_CMD_OPCODE, op);
    if (op == QSMMU_OP_TLBI_S12_VMALL || op == QSMMU_OP_TLBI_S2_IPA) {
        qsmmu_set(cmd, QSMMU_CMD_VMID, id);
    } else {
        qsmmu_set(cmd, QSMMU_CMD_SID, sel & 0x80 ? id : SMMUV3_FUZZ_SID);
        qsmmu_set(cmd, QSMMU_CMD_ASID, id);
    }
    addr = op == QSMMU_OP_TLBI_S2_IPA ? smmuv3_fuzz_win(page << 12) :
           SMMUV3_FUZZ_WIN + ((page % SMMUV3_FUZZ_S1_PAGES) << 12);
    if (range & 0x80) {
        addr = SMMUV3_FUZZ_S1_BLOCK_IOVA;
    }
    qsmmu_set(cmd, QSMMU_CMD_ADDR, addr >> 12);
    qsmmu_set(cmd, QSMMU_CMD_LEAF, range & 1);
    if (range & 2) {
        /* a range invalidation: NUM, SCALE, TG and TTL from the input */
        qsmmu_set(cmd, QSMMU_CMD_NUM, range >> 2);
        qsmmu_set(cmd, QSMMU_CMD_SCALE, id & 0x1f);
        qsmmu_set(cmd, QSMMU_CMD_TG, 1 + (sel >> 6) % 3);
        qsmmu_set(cmd, QSMMU_CMD_TTL, sel >> 4);
    }
    if (op == QSMMU_OP_CFGI_STE_RANGE) {
        qsmmu_set(cmd, QSMMU_CMD_RANGE, range & 0x1f);
    }
    smmuv3_fuzz_cmd_push(s, cmd);
    smmuv3_fuzz_sync(s);
}

static void smmuv3_fuzz_evtq_drain(QTestState *s)
{
    smmuv3_fuzz_writel(s, QSMMU_EVENTQ_CONS,
                       smmuv3_fuzz_readl(s, QSMMU_EVENTQ_PROD));
}

static void smmuv3_fuzz_gerror_ack(QTestState *s)
{
    smmuv3_fuzz_writel(s, QSMMU_GERRORN, smmuv3_fuzz_readl(s, QSMMU_GERROR));
}

/*
 * BAR 0 of the test device, Memory Space and Bus Master on.  Unchanged
 * values do not touch the memory map; changes would (the fuzzer leaves
 * the PCI configuration alone: every change of the memory map leaves old
 * FlatViews to RCU, which frees them only when the main loop lets go of
 * the BQL).
 */
static void smmuv3_fuzz_pci_enable(void)
{
    smmuv3_fuzz_config_write(PCI_BASE_ADDRESS_0, SMMUV3_FUZZ_BAR0, 4);
    smmuv3_fuzz_config_write(PCI_COMMAND,
                             PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
}

/*
 * QMP commands, as the monitor would call them; errors are expected.
 * Each walks the QOM tree to find the SMMU, which costs more than the
 * rest of a typical input: a few per input are enough.
 */
#define SMMUV3_FUZZ_QMP_MAX         4
static unsigned smmuv3_fuzz_qmp_left;

static void smmuv3_fuzz_op_query(void)
{
    Error *err = NULL;
    SMMUv3InfoList *list = qmp_query_smmuv3(&err);

    qapi_free_SMMUv3InfoList(list);
    error_free(err);
}

static void smmuv3_fuzz_op_inject_event(Smmuv3FuzzInput *in)
{
    uint8_t type = GET8(in);
    uint8_t has = GET8(in);
    uint32_t sid = has & 0x10 ? GET32(in) : SMMUV3_FUZZ_SID;
    uint32_t ssid = GET32(in);
    uint64_t addr = GET64(in);
    uint64_t ipa = GET64(in);
    Error *err = NULL;

    qmp_x_smmuv3_inject_event(NULL, type % SMMUV3_EVENT_TYPE__MAX, sid,
                              has & 1, ssid, has & 2, addr, has & 4,
                              has & 0x20, has & 8, ipa, &err);
    error_free(err);
}

static void smmuv3_fuzz_op_inject_gerror(Smmuv3FuzzInput *in)
{
    Error *err = NULL;

    qmp_x_smmuv3_inject_gerror(NULL, GET8(in) % SMMUV3_GLOBAL_ERROR__MAX,
                               &err);
    error_free(err);
}

static void smmuv3_fuzz_op_inject_cmdq_error(Smmuv3FuzzInput *in)
{
    Error *err = NULL;

    qmp_x_smmuv3_inject_cmdq_error(NULL,
                                   GET8(in) % SMMUV3_COMMAND_ERROR__MAX,
                                   &err);
    error_free(err);
}

static void smmuv3_fuzz_run(QTestState *s, Smmuv3FuzzInput *in)
{
    while (in->left) {
        uint8_t op = GET8(in) % OP_COUNT;

        switch ((Smmuv3FuzzOp)op) {
        case OP_MMIO_WRITEL: {
            uint32_t reg = smmuv3_fuzz_reg(in, smmuv3_fuzz_regs32,
                                           ARRAY_SIZE(smmuv3_fuzz_regs32), 4);
            smmuv3_fuzz_writel(s, reg, GET32(in));
            break;
        }
        case OP_MMIO_WRITEQ: {
            uint32_t reg = smmuv3_fuzz_reg(in, smmuv3_fuzz_regs64,
                                           ARRAY_SIZE(smmuv3_fuzz_regs64), 8);
            uint8_t mode = GET8(in);
            smmuv3_fuzz_writeq(s, reg, smmuv3_fuzz_bias(mode, GET64(in), 6));
            break;
        }
        case OP_MMIO_READ: {
            uint32_t reg = smmuv3_fuzz_reg(in, smmuv3_fuzz_regs32,
                                           ARRAY_SIZE(smmuv3_fuzz_regs32), 4);
            if (reg & 4) {
                smmuv3_fuzz_readl(s, reg);
            } else {
                qtest_readq(s, SMMUV3_FUZZ_SMMU + reg);
            }
            break;
        }
        case OP_CMD:
            smmuv3_fuzz_op_cmd(s, in);
            break;
        case OP_CMD_RAW:
            smmuv3_fuzz_op_cmd_raw(s, in);
            break;
        case OP_MEM_WRITE:
            smmuv3_fuzz_op_mem_write(s, in);
            break;
        case OP_STE:
            smmuv3_fuzz_op_ste(s, in);
            break;
        case OP_L1STD:
            smmuv3_fuzz_op_l1std(s, in);
            break;
        case OP_CD:
            smmuv3_fuzz_op_cd(s, in);
            break;
        case OP_PTE:
            smmuv3_fuzz_op_pte(s, in);
            break;
        case OP_DMA:
            smmuv3_fuzz_op_dma(s, in);
            break;
        case OP_TESTDEV_REG:
            smmuv3_fuzz_op_testdev_reg(s, in);
            break;
        case OP_SETUP:
            smmuv3_fuzz_setup(s, GET8(in));
            break;
        case OP_STE_S1:
            smmuv3_fuzz_op_ste_stage(s, in, QSMMU_STE_CFG_S1);
            break;
        case OP_STE_S2:
            smmuv3_fuzz_op_ste_stage(s, in, QSMMU_STE_CFG_S2);
            break;
        case OP_STE_NESTED:
            smmuv3_fuzz_op_ste_stage(s, in, QSMMU_STE_CFG_NESTED);
            break;
        case OP_STE_SIMPLE:
            smmuv3_fuzz_op_ste_simple(s, in);
            break;
        case OP_INVALIDATE:
            smmuv3_fuzz_op_invalidate(s, in);
            break;
        case OP_EVTQ_DRAIN:
            smmuv3_fuzz_evtq_drain(s);
            break;
        case OP_GERROR_ACK:
            smmuv3_fuzz_gerror_ack(s);
            break;
        case OP_GBPA: {
            uint32_t v = GET32(in);
            smmuv3_fuzz_writel(s, QSMMU_GBPA, v | QSMMU_GBPA_UPDATE);
            break;
        }
        case OP_CLOCK_STEP:
            qtest_clock_step(s, (GET8(in) + 1) * 100 * SCALE_US);
            break;
        case OP_QUERY:
            if (smmuv3_fuzz_qmp_left) {
                smmuv3_fuzz_qmp_left--;
                smmuv3_fuzz_op_query();
            }
            break;
        case OP_INJECT_EVENT:
            if (smmuv3_fuzz_qmp_left) {
                smmuv3_fuzz_qmp_left--;
                smmuv3_fuzz_op_inject_event(in);
            }
            break;
        case OP_INJECT_GERROR:
            if (smmuv3_fuzz_qmp_left) {
                smmuv3_fuzz_qmp_left--;
                smmuv3_fuzz_op_inject_gerror(in);
            }
            break;
        case OP_INJECT_CMDQ_ERROR:
            if (smmuv3_fuzz_qmp_left) {
                smmuv3_fuzz_qmp_left--;
                smmuv3_fuzz_op_inject_cmdq_error(in);
            }
            break;
        case OP_COUNT:
            g_assert_not_reached();
        }
    }
}

/* Back to the state after start-up: cold reset, zeroed window, PCI on */
static void smmuv3_fuzz_reset(QTestState *s)
{
    /* not qtest_memset: its fuzzing wrapper leaks its buffer */
    static const uint8_t zero[SMMUV3_FUZZ_WIN_SIZE];

    device_cold_reset(smmuv3_fuzz_smmu_dev);
    device_cold_reset(smmuv3_fuzz_testdev);
    qtest_memwrite(s, SMMUV3_FUZZ_WIN, zero, sizeof(zero));
    smmuv3_fuzz_pci_enable();
    smmuv3_fuzz_2lvl = false;
    smmuv3_fuzz_qmp_left = SMMUV3_FUZZ_QMP_MAX;
}

static void smmuv3_fuzz(QTestState *s, const unsigned char *data, size_t size)
{
    Smmuv3FuzzInput in = { .p = data, .left = size };

    smmuv3_fuzz_reset(s);
    smmuv3_fuzz_run(s, &in);
    flush_events(s);
    /* let RCU free what it has queued, once in a while */
    if (++smmuv3_fuzz_count % 4096 == 0) {
        drain_call_rcu();
    }
}

static DeviceState *smmuv3_fuzz_find(const char *type)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path_type("", type, &ambiguous);

    if (!obj || ambiguous) {
        fprintf(stderr, "smmuv3-fuzz: no single %s in the machine\n", type);
        abort();
    }
    return DEVICE(obj);
}

/*
 * Guards: the flash, both ECAM windows and the GIC's registers read as
 * zero and ignore writes, whoever accesses them.  Descriptors and queue
 * bases the input chooses can send the SMMU's own accesses, or a DMA,
 * anywhere; a write to the flash or to a BAR changes the memory map,
 * which costs milliseconds and leaves the old FlatViews to RCU.  The GIC
 * is not reset between inputs, and a known GICv2 assertion (a write of 0
 * to GICD_SPENDSGIR, then a read of GICC_IAR) would otherwise end every
 * long run.  The GIC still gets the SMMU's interrupt lines; other devices
 * stay reachable.
 */
static uint64_t smmuv3_fuzz_guard_read(void *opaque, hwaddr addr,
                                       unsigned size)
{
    return 0;
}

static void smmuv3_fuzz_guard_write(void *opaque, hwaddr addr, uint64_t val,
                                    unsigned size)
{
}

static const MemoryRegionOps smmuv3_fuzz_guard_ops = {
    .read = smmuv3_fuzz_guard_read,
    .write = smmuv3_fuzz_guard_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

static void smmuv3_fuzz_guard(hwaddr base, uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init_io(mr, NULL, &smmuv3_fuzz_guard_ops, NULL,
                          "smmuv3-fuzz-guard", size);
    memory_region_add_subregion_overlap(get_system_memory(), base, mr, 100);
}

static void smmuv3_fuzz_pre_fuzz(QTestState *s)
{
    smmuv3_fuzz_smmu_dev = smmuv3_fuzz_find("arm-smmuv3");
    smmuv3_fuzz_testdev = smmuv3_fuzz_find(TYPE_DMA_TESTDEV);
    smmuv3_fuzz_verbose = getenv("SMMUV3_FUZZ_VERBOSE");
    smmuv3_fuzz_guard(SMMUV3_FUZZ_FLASH, SMMUV3_FUZZ_FLASH_SIZE);
    smmuv3_fuzz_guard(SMMUV3_FUZZ_ECAM_LOW, SMMUV3_FUZZ_ECAM_LOW_SIZE);
    smmuv3_fuzz_guard(SMMUV3_FUZZ_ECAM, SMMUV3_FUZZ_ECAM_SIZE);
    smmuv3_fuzz_guard(SMMUV3_FUZZ_GIC, SMMUV3_FUZZ_GIC_SIZE);
    smmuv3_fuzz_reset(s);
    if (smmuv3_fuzz_dev_readl(s, DMA_TESTDEV_ID) != DMA_TESTDEV_MAGIC) {
        fprintf(stderr, "smmuv3-fuzz: the DMA test device is not at 0x%"
                PRIx64 "\n", SMMUV3_FUZZ_BAR0);
        abort();
    }
}

/* Seeds */

static void seed_op(GByteArray *b, Smmuv3FuzzOp op)
{
    uint8_t v = op;

    g_byte_array_append(b, &v, 1);
}

static void seed_bytes(GByteArray *b, uint64_t v, unsigned n)
{
    while (n--) {
        uint8_t byte = v;

        g_byte_array_append(b, &byte, 1);
        v >>= 8;
    }
}

/*
 * flags: the DMA flags byte; iova: its low 32 bits (the flags pick the
 * rest); len: 1 to 0x2000 bytes
 */
static void seed_dma(GByteArray *b, uint8_t flags, uint32_t iova,
                     uint16_t len, uint8_t pasid)
{
    seed_op(b, OP_DMA);
    seed_bytes(b, flags, 1);
    seed_bytes(b, iova, 4);
    seed_bytes(b, len - 1, 2);
    seed_bytes(b, pasid, 1);
}

static void seed_stage(GByteArray *b, Smmuv3FuzzOp op, uint8_t asid)
{
    seed_op(b, op);
    seed_bytes(b, asid, 1);
    seed_bytes(b, 0, 1);
    seed_bytes(b, 0, 8);
}

static void seed_invalidate(GByteArray *b, uint8_t sel, uint8_t id,
                            uint8_t page, uint8_t range)
{
    seed_op(b, OP_INVALIDATE);
    seed_bytes(b, sel, 1);
    seed_bytes(b, id, 1);
    seed_bytes(b, page, 1);
    seed_bytes(b, range, 1);
}

static void seed_write(const char *dir, const char *name, GByteArray *b)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;

    if (!g_file_set_contents(path, (const char *)b->data, b->len, &err)) {
        fprintf(stderr, "smmuv3-fuzz: %s\n", err->message);
        exit(1);
    }
    g_byte_array_set_size(b, 0);
}

/* DMA flags: bit 0 write, bit 2 PASID, bits 4:3 the IOVA kind */
#define SEED_DMA_S1         0x00
#define SEED_DMA_WIN        0x08
#define SEED_DMA_BLOCK      0x10

static void smmuv3_fuzz_write_seeds(const char *dir)
{
    g_autoptr(GByteArray) b = g_byte_array_new();

    /* stage 1, linear table: DMA both ways, TLBI by ASID and by VA */
    seed_op(b, OP_SETUP);
    seed_bytes(b, 0, 1);
    seed_stage(b, OP_STE_S1, 1);
    seed_dma(b, SEED_DMA_S1 | 1, 0x10, 0x100, 0);
    seed_dma(b, SEED_DMA_S1, 0x1000, 0x2000, 0);
    seed_dma(b, SEED_DMA_BLOCK | 1, 0x3000, 0x40, 0);
    seed_invalidate(b, 5, 1, 0, 0);
    seed_invalidate(b, 6, 1, 1, 3);
    seed_dma(b, SEED_DMA_WIN, 0xa000, 0x10, 0);
    seed_op(b, OP_EVTQ_DRAIN);
    seed_write(dir, "s1-linear", b);

    /* stage 2, 2-level table: DMA at IPAs, TLBI by IPA, then VMALL */
    seed_op(b, OP_SETUP);
    seed_bytes(b, 1, 1);
    seed_stage(b, OP_STE_S2, 2);
    seed_dma(b, SEED_DMA_WIN | 1, 0xc000, 0x800, 0);
    seed_dma(b, SEED_DMA_WIN, 0xd000, 0x1000, 0);
    seed_invalidate(b, 9, 2, 0xc, 0);
    seed_invalidate(b, 8, 2, 0, 0);
    seed_dma(b, SEED_DMA_WIN, 0xe000, 0x20, 0);
    seed_write(dir, "s2-2level", b);

    /* nested, with and without a PASID, then an abort STE */
    seed_op(b, OP_SETUP);
    seed_bytes(b, 0, 1);
    seed_stage(b, OP_STE_NESTED, 3);
    seed_dma(b, SEED_DMA_S1 | 1, 0x0, 0x1000, 0);
    seed_dma(b, SEED_DMA_S1 | 4, 0x2000, 0x100, 5);
    seed_invalidate(b, 10, 0, 0, 0);
    seed_op(b, OP_QUERY);
    seed_op(b, OP_STE_SIMPLE);
    seed_bytes(b, 0, 1);
    seed_dma(b, SEED_DMA_S1, 0x0, 0x10, 0);
    seed_op(b, OP_EVTQ_DRAIN);
    seed_op(b, OP_QUERY);
    seed_write(dir, "nested-pasid", b);

    /* bypass and GBPA with SMMUEN off */
    seed_op(b, OP_SETUP);
    seed_bytes(b, 2, 1);
    seed_dma(b, SEED_DMA_WIN | 1, 0xc000, 0x40, 0);
    seed_op(b, OP_GBPA);
    seed_bytes(b, QSMMU_GBPA_ABORT, 4);
    seed_dma(b, SEED_DMA_WIN, 0xc000, 0x40, 0);
    seed_op(b, OP_SETUP);
    seed_bytes(b, 0, 1);
    seed_op(b, OP_STE_SIMPLE);
    seed_bytes(b, 1, 1);
    seed_dma(b, SEED_DMA_WIN | 1, 0xc000, 0x40, 0);
    seed_write(dir, "bypass-gbpa", b);

    /* a bad command, the error acknowledged, and a fault event drained */
    seed_op(b, OP_SETUP);
    seed_bytes(b, 0, 1);
    seed_op(b, OP_CMD_RAW);
    seed_bytes(b, 0xff, 8);
    seed_bytes(b, 0, 8);
    seed_op(b, OP_GERROR_ACK);
    seed_op(b, OP_STE);
    seed_bytes(b, SMMUV3_FUZZ_SID, 1);
    seed_bytes(b, 5, 1);
    seed_bytes(b, 0, 1);
    seed_bytes(b, SMMUV3_FUZZ_CD >> 6, 2);
    seed_bytes(b, SMMUV3_FUZZ_S2_TABLES >> 4, 2);
    seed_bytes(b, 0x80, 1);
    seed_bytes(b, 0, 8);
    seed_dma(b, SEED_DMA_S1, 0x0, 0x10, 0);
    seed_op(b, OP_EVTQ_DRAIN);
    seed_write(dir, "cmd-error", b);

    /* injected faults: a translation fault event, GERROR, a CMDQ error */
    seed_op(b, OP_SETUP);
    seed_bytes(b, 0, 1);
    seed_op(b, OP_INJECT_EVENT);
    seed_bytes(b, 0x0c, 1);         /* the 13th type, F_TRANSLATION */
    seed_bytes(b, 0x06, 1);         /* address, write */
    seed_bytes(b, 0, 4);
    seed_bytes(b, SMMUV3_FUZZ_WIN, 8);
    seed_bytes(b, 0, 8);
    seed_op(b, OP_INJECT_GERROR);
    seed_bytes(b, 0, 1);
    seed_op(b, OP_INJECT_CMDQ_ERROR);
    seed_bytes(b, 0, 1);
    seed_invalidate(b, 4, 0, 0, 0);
    seed_op(b, OP_QUERY);
    seed_op(b, OP_GERROR_ACK);
    seed_op(b, OP_EVTQ_DRAIN);
    seed_write(dir, "inject", b);
}

static void smmuv3_fuzz_pre_vm_init(void)
{
    const char *dir = getenv("SMMUV3_FUZZ_WRITE_SEEDS");

    if (dir) {
        smmuv3_fuzz_write_seeds(dir);
        exit(0);
    }
}

static GString *smmuv3_fuzz_cmdline(FuzzTarget *t)
{
    return g_string_new(TARGET_NAME " -M virt,iommu=smmuv3 -cpu max -m 512 "
                        "-accel qtest -display none -nodefaults "
                        "-device dma-testdev,bus=pcie.0,addr=04.0,"
                        "max-len=0x2000,"
                        "scanout-iova=0x4000c000,scanout-size=0x100,"
                        "scanout-period-us=1000");
}

static void smmuv3_fuzz_register(void)
{
    fuzz_add_target(&(FuzzTarget){
        .name = "smmuv3-fuzz",
        .description = "Fuzz the virt board's SMMUv3: registers, commands, "
                       "stream tables, CDs, page tables and DMA through "
                       "the DMA test device",
        .get_init_cmdline = smmuv3_fuzz_cmdline,
        .pre_vm_init = smmuv3_fuzz_pre_vm_init,
        .pre_fuzz = smmuv3_fuzz_pre_fuzz,
        .fuzz = smmuv3_fuzz,
    });
}

fuzz_target_init(smmuv3_fuzz_register);
