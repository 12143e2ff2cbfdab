/*
 * libqos helpers for the Arm SMMUv3 (IHI 0070)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A qtest plays the part of the SMMU driver: it builds stream tables,
 * STEs, context descriptors and page tables in guest memory, issues
 * commands and reads the event queue, all through qtest memory and MMIO
 * accesses.  The helpers are named after the architecture's steps:
 *
 *   chapter 6  registers:      qsmmu_init, qsmmu_enable, qsmmu_set_gbpa
 *   5.2        STE:            qsmmu_ste_abort, qsmmu_ste_bypass, ...
 *   5.4        CD:             qsmmu_cd_s1
 *   4          commands:       qsmmu_cmd_cfgi_ste, qsmmu_cmd_sync, ...
 *   7          events:         qsmmu_evtq_pop
 *
 * Builders (qsmmu_ste_*, qsmmu_cd_*) are pure: they zero an array of
 * 64-bit words and fill it.  Writers (qsmmu_write_ste, qsmmu_write_cd)
 * store it little-endian in guest memory, then invalidate and sync.
 */

#ifndef QTEST_LIBQOS_SMMUV3_H
#define QTEST_LIBQOS_SMMUV3_H

#include "../libqtest.h"
#include "qemu/bitops.h"
#include "libqos-malloc.h"
#include "generic-pcihost.h"
#include "dma-testdev.h"

/* The virt board's SMMUv3 (hw/arm/virt.c, VIRT_SMMU) */
#define QSMMU_VIRT_BASE             0x09050000ULL

/* Register offsets (IHI 0070, 6.2); Page 1 holds EVENTQ_PROD/CONS */
#define QSMMU_IDR0                  0x0000
#define QSMMU_IDR1                  0x0004
#define QSMMU_IDR3                  0x000c
#define QSMMU_IDR5                  0x0014
#define QSMMU_CR0                   0x0020
#define QSMMU_CR0ACK                0x0024
#define QSMMU_CR1                   0x0028
#define QSMMU_CR2                   0x002c
#define QSMMU_GBPA                  0x0044
#define QSMMU_IRQ_CTRL              0x0050
#define QSMMU_GERROR                0x0060
#define QSMMU_GERRORN               0x0064
#define QSMMU_STRTAB_BASE           0x0080  /* 64 bits */
#define QSMMU_STRTAB_BASE_CFG       0x0088
#define QSMMU_CMDQ_BASE             0x0090  /* 64 bits */
#define QSMMU_CMDQ_PROD             0x0098
#define QSMMU_CMDQ_CONS             0x009c
#define QSMMU_EVENTQ_BASE           0x00a0  /* 64 bits */
#define QSMMU_EVENTQ_PROD           0x100a8
#define QSMMU_EVENTQ_CONS           0x100ac

/* IDR0 (6.3) */
#define QSMMU_IDR0_S2P              BIT(0)
#define QSMMU_IDR0_S1P              BIT(1)
#define QSMMU_IDR0_CD2L             BIT(19)
#define QSMMU_IDR0_STALL_MODEL_SHIFT 24
#define QSMMU_IDR0_STALL_MODEL_LEN  2
#define QSMMU_STALL_MODEL_NO_STALL  1   /* stalls not supported */
#define QSMMU_IDR0_ST_LEVEL_SHIFT   27
/* IDR1 (6.3) */
#define QSMMU_IDR3_FWB              BIT(8)
#define QSMMU_IDR1_SIDSIZE_MASK     0x3f
#define QSMMU_IDR1_SSIDSIZE_SHIFT   6
#define QSMMU_IDR1_SSIDSIZE_LEN     5
/* CR0 / CR0ACK (6.3) */
#define QSMMU_CR0_SMMUEN            BIT(0)
#define QSMMU_CR0_EVENTQEN          BIT(2)
#define QSMMU_CR0_CMDQEN            BIT(3)
/* GBPA (6.3) */
#define QSMMU_CR2_RECINVSID         BIT(1)
#define QSMMU_GBPA_ABORT            BIT(20)
#define QSMMU_GBPA_UPDATE           BIT(31)
/* GERROR / GERRORN (6.3) */
#define QSMMU_GERROR_CMDQ_ERR       BIT(0)
#define QSMMU_GERROR_EVENTQ_ABT_ERR BIT(2)
/* STRTAB_BASE_CFG (6.3) */
#define QSMMU_STRTAB_FMT_LINEAR     0
#define QSMMU_STRTAB_FMT_2LVL       1
/* CMDQ_CONS.ERR (6.3, 4.1) */
#define QSMMU_CERROR_NONE           0
#define QSMMU_CERROR_ILL            1
#define QSMMU_CERROR_ABT            2
#define QSMMU_CERROR_ATC_INV_SYNC   3

/*
 * A field of an STE, CD, command or event record: its lowest bit and its
 * width, numbered across the whole structure as IHI 0070 numbers them.
 * STE.S2T0SZ is bits [165:160], so QSMMU_FIELD(160, 6).  No field crosses
 * a 64-bit word.
 */
typedef struct QSMMUField {
    uint16_t lsb;
    uint8_t width;
} QSMMUField;

#define QSMMU_FIELD(lsb, width) ((QSMMUField){ (lsb), (width) })

static inline void qsmmu_set(uint64_t *e, QSMMUField f, uint64_t v)
{
    e[f.lsb / 64] = deposit64(e[f.lsb / 64], f.lsb % 64, f.width, v);
}

static inline uint64_t qsmmu_get(const uint64_t *e, QSMMUField f)
{
    return extract64(e[f.lsb / 64], f.lsb % 64, f.width);
}

/* Address fields hold address bits [msb:lsb % 64] in place */
static inline void qsmmu_set_addr(uint64_t *e, QSMMUField f, uint64_t addr)
{
    g_assert_cmphex(addr & MAKE_64BIT_MASK(0, f.lsb % 64), ==, 0);
    qsmmu_set(e, f, addr >> (f.lsb % 64));
}

static inline uint64_t qsmmu_get_addr(const uint64_t *e, QSMMUField f)
{
    return qsmmu_get(e, f) << (f.lsb % 64);
}

/* Stream Table Entry, 5.2: 64 bytes */
#define QSMMU_STE_WORDS             8
#define QSMMU_STE_SIZE              64
#define QSMMU_STE_V                 QSMMU_FIELD(0, 1)
#define QSMMU_STE_CONFIG            QSMMU_FIELD(1, 3)
#define QSMMU_STE_S1FMT             QSMMU_FIELD(4, 2)
#define QSMMU_STE_S1CONTEXTPTR      QSMMU_FIELD(6, 50)
#define QSMMU_STE_S1CDMAX           QSMMU_FIELD(59, 5)
#define QSMMU_STE_S1DSS             QSMMU_FIELD(64, 2)
#define QSMMU_STE_S1CIR             QSMMU_FIELD(66, 2)
#define QSMMU_STE_S1COR             QSMMU_FIELD(68, 2)
#define QSMMU_STE_S1CSH             QSMMU_FIELD(70, 2)
#define QSMMU_STE_MEV               QSMMU_FIELD(83, 1)
#define QSMMU_STE_S1STALLD          QSMMU_FIELD(91, 1)
#define QSMMU_STE_EATS              QSMMU_FIELD(92, 2)
#define QSMMU_STE_STRW              QSMMU_FIELD(94, 2)
#define QSMMU_STE_SHCFG             QSMMU_FIELD(108, 2)
#define QSMMU_STE_PRIVCFG           QSMMU_FIELD(112, 2)
#define QSMMU_PRIVCFG_UNPRIV        2
#define QSMMU_PRIVCFG_PRIV          3
#define QSMMU_STE_S2VMID            QSMMU_FIELD(128, 16)
#define QSMMU_STE_S2FWB             QSMMU_FIELD(153, 1)
#define QSMMU_STE_S2T0SZ            QSMMU_FIELD(160, 6)
#define QSMMU_STE_S2SL0             QSMMU_FIELD(166, 2)
#define QSMMU_STE_S2IR0             QSMMU_FIELD(168, 2)
#define QSMMU_STE_S2OR0             QSMMU_FIELD(170, 2)
#define QSMMU_STE_S2SH0             QSMMU_FIELD(172, 2)
#define QSMMU_STE_S2TG              QSMMU_FIELD(174, 2)
#define QSMMU_STE_S2PS              QSMMU_FIELD(176, 3)
#define QSMMU_STE_S2AA64            QSMMU_FIELD(179, 1)
#define QSMMU_STE_S2ENDI            QSMMU_FIELD(180, 1)
#define QSMMU_STE_S2AFFD            QSMMU_FIELD(181, 1)
#define QSMMU_STE_S2PTW             QSMMU_FIELD(182, 1)
#define QSMMU_STE_S2HD              QSMMU_FIELD(183, 1)
#define QSMMU_STE_S2HA              QSMMU_FIELD(184, 1)
#define QSMMU_STE_S2S               QSMMU_FIELD(185, 1)
#define QSMMU_STE_S2R               QSMMU_FIELD(186, 1)
#define QSMMU_STE_S2TTB             QSMMU_FIELD(196, 48)

/* STE.Config */
#define QSMMU_STE_CFG_ABORT         0x0
#define QSMMU_STE_CFG_BYPASS        0x4
#define QSMMU_STE_CFG_S1            0x5
#define QSMMU_STE_CFG_S2            0x6
#define QSMMU_STE_CFG_NESTED        0x7
/* STE.S1Fmt */
#define QSMMU_S1FMT_LINEAR          0
#define QSMMU_S1FMT_2LVL_4K         1
#define QSMMU_S1FMT_2LVL_64K        2
/* STE.S1DSS */
#define QSMMU_S1DSS_TERMINATE       0
#define QSMMU_S1DSS_BYPASS          1
#define QSMMU_S1DSS_SSID0           2

/* Level-1 Stream Table Descriptor, 5.1 */
#define QSMMU_L1STD_SPAN            QSMMU_FIELD(0, 5)
#define QSMMU_L1STD_L2PTR           QSMMU_FIELD(6, 50)

/* Context Descriptor, 5.4: 64 bytes */
#define QSMMU_CD_WORDS              8
#define QSMMU_CD_SIZE               64
#define QSMMU_CD_T0SZ               QSMMU_FIELD(0, 6)
#define QSMMU_CD_TG0                QSMMU_FIELD(6, 2)
#define QSMMU_CD_IR0                QSMMU_FIELD(8, 2)
#define QSMMU_CD_OR0                QSMMU_FIELD(10, 2)
#define QSMMU_CD_SH0                QSMMU_FIELD(12, 2)
#define QSMMU_CD_EPD0               QSMMU_FIELD(14, 1)
#define QSMMU_CD_ENDI               QSMMU_FIELD(15, 1)
#define QSMMU_CD_T1SZ               QSMMU_FIELD(16, 6)
#define QSMMU_CD_TG1                QSMMU_FIELD(22, 2)
#define QSMMU_CD_EPD1               QSMMU_FIELD(30, 1)
#define QSMMU_CD_V                  QSMMU_FIELD(31, 1)
#define QSMMU_CD_IPS                QSMMU_FIELD(32, 3)
#define QSMMU_CD_AFFD               QSMMU_FIELD(35, 1)
#define QSMMU_CD_TBI                QSMMU_FIELD(38, 2)
#define QSMMU_CD_AA64               QSMMU_FIELD(41, 1)
#define QSMMU_CD_HD                 QSMMU_FIELD(42, 1)
#define QSMMU_CD_HA                 QSMMU_FIELD(43, 1)
#define QSMMU_CD_S                  QSMMU_FIELD(44, 1)
#define QSMMU_CD_R                  QSMMU_FIELD(45, 1)
#define QSMMU_CD_A                  QSMMU_FIELD(46, 1)
#define QSMMU_CD_ASET               QSMMU_FIELD(47, 1)
#define QSMMU_CD_ASID               QSMMU_FIELD(48, 16)
#define QSMMU_CD_TTB0               QSMMU_FIELD(68, 48)
#define QSMMU_CD_TTB1               QSMMU_FIELD(132, 48)
#define QSMMU_CD_MAIR0              QSMMU_FIELD(192, 32)
#define QSMMU_CD_MAIR1              QSMMU_FIELD(224, 32)

/* CD.TG0 (TG1 is encoded differently) */
#define QSMMU_TG0_4K                0
#define QSMMU_TG0_64K               1
#define QSMMU_TG0_16K               2
/* STE.S2TG */
#define QSMMU_S2TG_4K               0
#define QSMMU_S2TG_64K              1
#define QSMMU_S2TG_16K              2
/* CD.IPS and STE.S2PS */
#define QSMMU_PS_32                 0
#define QSMMU_PS_36                 1
#define QSMMU_PS_40                 2
#define QSMMU_PS_42                 3
#define QSMMU_PS_44                 4
#define QSMMU_PS_48                 5

/* Commands, chapter 4: 16 bytes */
#define QSMMU_CMD_WORDS             2
#define QSMMU_CMD_OPCODE            QSMMU_FIELD(0, 8)
#define QSMMU_CMD_SSEC              QSMMU_FIELD(10, 1)
#define QSMMU_CMD_SSV               QSMMU_FIELD(11, 1)
#define QSMMU_CMD_SSID              QSMMU_FIELD(12, 20)
#define QSMMU_CMD_NUM               QSMMU_FIELD(12, 5)
#define QSMMU_CMD_SCALE             QSMMU_FIELD(20, 5)
#define QSMMU_CMD_SID               QSMMU_FIELD(32, 32)
#define QSMMU_CMD_VMID              QSMMU_FIELD(32, 16)
#define QSMMU_CMD_ASID              QSMMU_FIELD(48, 16)
#define QSMMU_CMD_LEAF              QSMMU_FIELD(64, 1)
#define QSMMU_CMD_RANGE             QSMMU_FIELD(64, 5)
#define QSMMU_CMD_TTL               QSMMU_FIELD(72, 2)
#define QSMMU_CMD_TG                QSMMU_FIELD(74, 2)
#define QSMMU_CMD_ADDR              QSMMU_FIELD(76, 52)
#define QSMMU_CMD_SYNC_CS           QSMMU_FIELD(12, 2)
#define QSMMU_CMD_SYNC_MSH          QSMMU_FIELD(22, 2)
#define QSMMU_CMD_SYNC_MSIATTR      QSMMU_FIELD(24, 4)
#define QSMMU_CMD_SYNC_MSIDATA      QSMMU_FIELD(32, 32)
#define QSMMU_CMD_SYNC_MSIADDR      QSMMU_FIELD(66, 50)

/* Command opcodes (chapter 4) */
#define QSMMU_OP_PREFETCH_CONFIG    0x01
#define QSMMU_OP_CFGI_STE           0x03
#define QSMMU_OP_CFGI_STE_RANGE     0x04  /* CFGI_ALL: Range = 31 */
#define QSMMU_OP_CFGI_CD            0x05
#define QSMMU_OP_CFGI_CD_ALL        0x06
#define QSMMU_OP_TLBI_NH_ALL        0x10
#define QSMMU_OP_TLBI_NH_ASID       0x11
#define QSMMU_OP_TLBI_NH_VA         0x12
#define QSMMU_OP_TLBI_NH_VAA        0x13
#define QSMMU_OP_TLBI_S12_VMALL     0x28
#define QSMMU_OP_TLBI_S2_IPA        0x2a
#define QSMMU_OP_TLBI_NSNH_ALL      0x30
#define QSMMU_OP_CMD_SYNC           0x46

/* Event records, 7.3: 32 bytes */
#define QSMMU_EVT_WORDS             4
#define QSMMU_EVT_TYPE              QSMMU_FIELD(0, 8)
#define QSMMU_EVT_SSV               QSMMU_FIELD(11, 1)
#define QSMMU_EVT_SSID              QSMMU_FIELD(12, 20)
#define QSMMU_EVT_SID               QSMMU_FIELD(32, 32)
#define QSMMU_EVT_STAG              QSMMU_FIELD(64, 16)
#define QSMMU_EVT_STALL             QSMMU_FIELD(95, 1)
#define QSMMU_EVT_PNU               QSMMU_FIELD(97, 1)
#define QSMMU_EVT_IND               QSMMU_FIELD(98, 1)
#define QSMMU_EVT_RNW               QSMMU_FIELD(99, 1)
#define QSMMU_EVT_S2                QSMMU_FIELD(103, 1)
#define QSMMU_EVT_CLASS             QSMMU_FIELD(104, 2)
#define QSMMU_EVT_INPUT_ADDR        QSMMU_FIELD(128, 64)
#define QSMMU_EVT_IPA               QSMMU_FIELD(204, 40)
#define QSMMU_EVT_FETCH_ADDR        QSMMU_FIELD(195, 53)

/* Event types (7.3) */
#define QSMMU_EVT_F_UUT             0x01
#define QSMMU_EVT_C_BAD_STREAMID    0x02
#define QSMMU_EVT_F_STE_FETCH       0x03
#define QSMMU_EVT_C_BAD_STE         0x04
#define QSMMU_EVT_F_BAD_ATS_TREQ    0x05
#define QSMMU_EVT_F_STREAM_DISABLED 0x06
#define QSMMU_EVT_F_TRANSL_FORBIDDEN 0x07
#define QSMMU_EVT_C_BAD_SUBSTREAMID 0x08
#define QSMMU_EVT_F_CD_FETCH        0x09
#define QSMMU_EVT_C_BAD_CD          0x0a
#define QSMMU_EVT_F_WALK_EABT       0x0b
#define QSMMU_EVT_F_TRANSLATION     0x10
#define QSMMU_EVT_F_ADDR_SIZE       0x11
#define QSMMU_EVT_F_ACCESS          0x12
#define QSMMU_EVT_F_PERMISSION      0x13
#define QSMMU_EVT_F_TLB_CONFLICT    0x20
#define QSMMU_EVT_F_CFG_CONFLICT    0x21
#define QSMMU_EVT_E_PAGE_REQUEST    0x24

/* Event CLASS (7.3) */
#define QSMMU_CLASS_CD              0
#define QSMMU_CLASS_TT              1
#define QSMMU_CLASS_IN              2

/* A decoded event record */
typedef struct QSMMUEvent {
    uint64_t raw[QSMMU_EVT_WORDS];
    uint8_t type;
    uint32_t sid;
    bool ssv;
    uint32_t ssid;
    bool stall;
    uint16_t stag;
    bool pnu;
    bool ind;
    bool rnw;           /* 1: the faulting access was a read */
    bool s2;            /* 1: the fault was at stage 2 */
    uint8_t class;      /* QSMMU_CLASS_* */
    uint64_t input_addr;
    uint64_t ipa;       /* bits [51:12], stage 2 faults */
    uint64_t fetch_addr; /* bits [55:3], F_STE_FETCH and F_CD_FETCH */
} QSMMUEvent;

/* How qsmmu_init brings the SMMU up; zero fields take the defaults */
typedef struct QSMMUv3Config {
    uint64_t base;          /* MMIO base, default QSMMU_VIRT_BASE */
    uint64_t mem;           /* guest RAM the library may use (required) */
    uint64_t mem_size;
    uint32_t sid_bits;      /* STRTAB_BASE_CFG.LOG2SIZE, default 8 */
    uint32_t split;         /* 0: linear table, else 2-level with SPLIT */
    uint32_t cmdq_log2;     /* CMDQ_BASE.LOG2SIZE, default 8 */
    uint32_t evtq_log2;     /* EVENTQ_BASE.LOG2SIZE, default 8 */
    bool no_smmuen;         /* leave CR0.SMMUEN clear (queues still on) */
} QSMMUv3Config;

/* The library's view of one SMMU */
typedef struct QSMMUv3 {
    QTestState *qts;
    uint64_t base;
    uint32_t idr[6];
    /* bump allocator over [mem_next, mem_end) */
    uint64_t mem_next;
    uint64_t mem_end;
    /* stream table */
    uint64_t strtab;        /* linear table or L1 table */
    uint32_t sid_bits;
    uint32_t split;         /* 0 when linear */
    uint64_t *l2ptr;        /* 2-level: L2 table per L1 index, or 0 */
    uint32_t *l2span;
    /* command queue: prod and cons include the wrap bit */
    uint64_t cmdq;
    uint32_t cmdq_log2;
    uint32_t cmdq_prod;
    bool cmd_batch;         /* commands wait for the next CMD_SYNC */
    /* event queue */
    uint64_t evtq;
    uint32_t evtq_log2;
    uint32_t evtq_cons;
    uint32_t cr0;
} QSMMUv3;

/* Access permissions for qsmmu_pt_map */
#define QSMMU_PROT_READ             BIT(0)
#define QSMMU_PROT_WRITE            BIT(1)
#define QSMMU_PROT_RW               (QSMMU_PROT_READ | QSMMU_PROT_WRITE)
/* Stage 1: privileged transactions only (AP[1] clear) */
#define QSMMU_PROT_PRIV_ONLY        BIT(2)

/* A VMSAv8-64 translation table with the 4KB granule, built in guest RAM */
typedef struct QSMMUPageTable {
    QSMMUv3 *smmu;
    uint64_t root;          /* CD.TTB0 or STE.S2TTB */
    uint8_t ias;            /* input address bits, 64 - T0SZ */
    uint8_t start_level;
    bool stage2;
} QSMMUPageTable;

/* Guest memory */
uint64_t qsmmu_alloc(QSMMUv3 *s, uint64_t size, uint64_t align);
void qsmmu_mem_writeq(QSMMUv3 *s, uint64_t addr, uint64_t val);
uint64_t qsmmu_mem_readq(QSMMUv3 *s, uint64_t addr);

/* Registers */
uint32_t qsmmu_readl(QSMMUv3 *s, uint32_t reg);
void qsmmu_writel(QSMMUv3 *s, uint32_t reg, uint32_t val);
uint64_t qsmmu_readq(QSMMUv3 *s, uint32_t reg);
void qsmmu_writeq(QSMMUv3 *s, uint32_t reg, uint64_t val);

/* Bring-up (6.3 CR0, and the order of the Linux driver's reset) */
void qsmmu_init(QSMMUv3 *s, QTestState *qts, const QSMMUv3Config *cfg);
void qsmmu_uninit(QSMMUv3 *s);
void qsmmu_write_cr0(QSMMUv3 *s, uint32_t cr0);
void qsmmu_enable(QSMMUv3 *s);
void qsmmu_disable(QSMMUv3 *s);
void qsmmu_set_gbpa(QSMMUv3 *s, bool abort);
uint32_t qsmmu_read_gbpa(QSMMUv3 *s);

/* Stream table (5.1): 2-level tables get L2 tables one span at a time */
uint64_t qsmmu_l2_alloc(QSMMUv3 *s, uint32_t span);
void qsmmu_l2_install(QSMMUv3 *s, uint32_t sid, uint64_t l2ptr, uint32_t span);
uint64_t qsmmu_ste_addr(QSMMUv3 *s, uint32_t sid);

/* STE builders (5.2) */
typedef struct QSMMUStage2 {
    uint16_t vmid;
    uint64_t s2ttb;
    uint8_t t0sz;
    uint8_t sl0;
    uint8_t tg;             /* QSMMU_S2TG_* */
    uint8_t ps;             /* QSMMU_PS_* */
    bool affd;              /* no Access flag faults */
    bool no_record;         /* clear S2R: faults are not recorded */
} QSMMUStage2;

void qsmmu_ste_invalid(uint64_t *ste);
void qsmmu_ste_abort(uint64_t *ste);
void qsmmu_ste_bypass(uint64_t *ste);
void qsmmu_ste_s1(uint64_t *ste, uint64_t ctx_ptr, uint32_t s1fmt,
                  uint32_t s1cdmax, uint32_t s1dss);
void qsmmu_ste_s2(uint64_t *ste, const QSMMUStage2 *s2);
void qsmmu_ste_nested(uint64_t *ste, uint64_t ctx_ptr, uint32_t s1fmt,
                      uint32_t s1cdmax, uint32_t s1dss,
                      const QSMMUStage2 *s2);
const char *qsmmu_ste_config_name(uint32_t config);
char *qsmmu_ste_describe(const uint64_t *ste);

/* CD builders (5.4) */
void qsmmu_cd_invalid(uint64_t *cd);
void qsmmu_cd_s1(uint64_t *cd, uint16_t asid, uint64_t ttb0, uint8_t t0sz,
                 uint8_t tg0, uint8_t ips);
char *qsmmu_cd_describe(const uint64_t *cd);

/* Writers: store, then CFGI_STE / CFGI_CD and CMD_SYNC */
void qsmmu_store_ste(QSMMUv3 *s, uint32_t sid, const uint64_t *ste);
void qsmmu_read_ste(QSMMUv3 *s, uint32_t sid, uint64_t *ste);
void qsmmu_write_ste(QSMMUv3 *s, uint32_t sid, const uint64_t *ste);
uint64_t qsmmu_cd_alloc(QSMMUv3 *s, uint32_t count);
void qsmmu_store_cd(QSMMUv3 *s, uint64_t addr, const uint64_t *cd);
void qsmmu_write_cd(QSMMUv3 *s, uint32_t sid, uint32_t ssid, uint64_t addr,
                    const uint64_t *cd);
/*
 * A stage-1 CD (4KB granule) for the tables at @ttb0, built into @cd and
 * stored at a newly allocated address, which is returned.  No CFGI: the
 * STE that points at it is written after.
 */
uint64_t qsmmu_cd_store_s1(QSMMUv3 *s, uint64_t *cd, uint16_t asid,
                           uint64_t ttb0, uint8_t t0sz, uint8_t ips);
/* Stage-1 tables mapping one 4KB page @iova -> @out read-write, and their CD */
uint64_t qsmmu_cd_store_s1_page(QSMMUv3 *s, uint64_t *cd, uint16_t asid,
                                uint8_t t0sz, uint64_t iova, uint64_t out);

/* Translation tables, 4KB granule (stage 1 per CD, stage 2 per STE) */
void qsmmu_pt_new(QSMMUv3 *s, QSMMUPageTable *pt, uint8_t t0sz);
void qsmmu_pt_new_s2(QSMMUv3 *s, QSMMUPageTable *pt, uint8_t t0sz,
                     uint8_t sl0);
void qsmmu_pt_map(QSMMUPageTable *pt, uint64_t iova, uint64_t pa,
                  uint64_t size, uint32_t prot);
void qsmmu_pt_unmap(QSMMUPageTable *pt, uint64_t iova, uint64_t size);

/* Command queue (chapter 4) */
void qsmmu_cmd_push(QSMMUv3 *s, const uint64_t *cmd);
/*
 * Publish the commands pushed from now on together with the next
 * qsmmu_cmd_sync(): one CMDQ_PROD write, one batch for the SMMU.
 */
void qsmmu_cmd_batch_begin(QSMMUv3 *s);
bool qsmmu_cmdq_wait(QSMMUv3 *s);
uint32_t qsmmu_cmdq_error(QSMMUv3 *s);
void qsmmu_cmdq_recover(QSMMUv3 *s);
/* A command of @opcode with every other field 0 */
void qsmmu_cmd_make(uint64_t *cmd, uint32_t opcode);
/* CMDQ_CONS's index and wrap bit */
uint32_t qsmmu_cmdq_cons(QSMMUv3 *s);
/*
 * Push @cmd (@what names it in a failure): the SMMU stops on it with
 * CERROR_ILL (4.1), CMDQ_CONS names it and GERROR.CMDQ_ERR is active.
 * Then replace it by a CMD_SYNC and acknowledge, and the queue drains.
 */
void qsmmu_assert_cmd_illegal(QSMMUv3 *s, const uint64_t *cmd,
                              const char *what);
bool qsmmu_cmd_sync(QSMMUv3 *s);
void qsmmu_cmd_cfgi_ste(QSMMUv3 *s, uint32_t sid, bool leaf);
void qsmmu_cmd_cfgi_ste_range(QSMMUv3 *s, uint32_t sid, uint32_t range);
void qsmmu_cmd_cfgi_all(QSMMUv3 *s);
void qsmmu_cmd_cfgi_cd(QSMMUv3 *s, uint32_t sid, uint32_t ssid, bool leaf);
void qsmmu_cmd_cfgi_cd_all(QSMMUv3 *s, uint32_t sid);
void qsmmu_cmd_tlbi_nh_asid(QSMMUv3 *s, uint16_t asid, uint16_t vmid);
void qsmmu_cmd_tlbi_nh_va(QSMMUv3 *s, uint16_t asid, uint16_t vmid,
                          uint64_t iova, bool leaf);
void qsmmu_cmd_tlbi_nsnh_all(QSMMUv3 *s);
void qsmmu_cmd_tlbi_s12_vmall(QSMMUv3 *s, uint16_t vmid);
void qsmmu_cmd_tlbi_s2_ipa(QSMMUv3 *s, uint16_t vmid, uint64_t ipa,
                           bool leaf);

/* Event queue (chapter 7) */
uint32_t qsmmu_evtq_count(QSMMUv3 *s);
bool qsmmu_evtq_pop(QSMMUv3 *s, QSMMUEvent *ev);
void qsmmu_evtq_drain(QSMMUv3 *s);
void qsmmu_event_decode(const uint64_t *raw, QSMMUEvent *ev);
const char *qsmmu_event_name(uint8_t type);
char *qsmmu_event_describe(const QSMMUEvent *ev);

/* Global errors (6.3 GERROR): active errors are GERROR ^ GERRORN */
uint32_t qsmmu_gerror(QSMMUv3 *s);
uint32_t qsmmu_gerrorn(QSMMUv3 *s);
uint32_t qsmmu_gerror_active(QSMMUv3 *s);
void qsmmu_gerror_ack(QSMMUv3 *s, uint32_t errors);

/*
 * Live STE updates (configuration caching)
 *
 * qsmmu_update_ste replaces a live STE the way Linux's arm_smmu_write_entry
 * does: from the bits the SMMU reads for the old and the new Config
 * (qsmmu_ste_used_bits, IHI 0070 5.2) it picks a hitless update (unused
 * bits first, then the one critical 64-bit word, then the rest) or a
 * breaking one (word 0 with V = 0, words 1..7, word 0).  Every step stores
 * only the words that change, then issues CFGI_STE (Leaf) and CMD_SYNC
 * (4.3, 4.7); a step that changes nothing is skipped.
 */

/* How qsmmu_update_ste changes an STE */
typedef enum QSMMUSteUpdate {
    QSMMU_STE_UPDATE_NONE,          /* no bit the SMMU reads changes */
    QSMMU_STE_UPDATE_HITLESS,       /* one word changes critically */
    QSMMU_STE_UPDATE_BREAKING,      /* several do: V = 0 in between */
} QSMMUSteUpdate;

/* One step of qsmmu_update_ste, as seen by its callback */
typedef struct QSMMUSteStep {
    unsigned index;                 /* 0, 1, ... in the order written */
    bool invalidated;               /* false: stored, CFGI_STE not issued */
    const uint64_t *ste;            /* the STE now in memory */
} QSMMUSteStep;

typedef void (*QSMMUSteStepFn)(QSMMUv3 *s, uint32_t sid,
                               const QSMMUSteStep *step, void *opaque);

/* The bits of @ste that the SMMU reads, per word (IHI 0070 5.2) */
void qsmmu_ste_used_bits(const QSMMUv3 *s, const uint64_t *ste,
                         uint64_t *used);
/* Whether the bits the SMMU reads of @a are the same in @b */
bool qsmmu_ste_equivalent(const QSMMUv3 *s, const uint64_t *a,
                          const uint64_t *b);
/* The kind of update that turns @cur into @target */
QSMMUSteUpdate qsmmu_ste_update_kind(const QSMMUv3 *s, const uint64_t *cur,
                                     const uint64_t *target);
const char *qsmmu_ste_update_name(QSMMUSteUpdate kind);
/*
 * Turn the STE of @sid into @target.  @fn (may be NULL) is called twice per
 * step: once after the store, once after CFGI_STE and CMD_SYNC.
 */
QSMMUSteUpdate qsmmu_update_ste(QSMMUv3 *s, uint32_t sid,
                                const uint64_t *target, QSMMUSteStepFn fn,
                                void *opaque);

/*
 * Introspection (query-smmuv3, docs/system/arm/smmuv3-domains.rst).
 * These read the monitor, not the SMMU: a test asserts with them what the
 * SMMU says it does for a stream next to what its DMA shows.
 */

/*
 * The member of query-smmuv3's "streams" with StreamID @sid, of the first
 * SMMUv3; NULL if there is none.  Release with qobject_unref().
 */
QDict *qsmmu_query_stream(QTestState *qts, uint32_t sid);
/* The only SMMUv3 of query-smmuv3; fails if there is not exactly one */
QDict *qsmmu_query_smmu(QTestState *qts);
/* Its "kind" ("abort", "bypass", "s1", ...), g_free() it */
char *qsmmu_query_kind(QTestState *qts, uint32_t sid);
/* Assert that the stream @sid has the domain kind @kind */
void qsmmu_assert_kind(QTestState *qts, uint32_t sid, const char *kind);

/*
 * Events, errors and GBPA (tests/qtest/smmuv3-events-test.c)
 */

/* EVENTQ_PROD.OVFLG / EVENTQ_CONS.OVACKFLG (6.3) */
#define QSMMU_EVTQ_PROD_OVFLG       BIT(31)
/* GBPA fields (6.3) */
#define QSMMU_GBPA_MEMATTR          QSMMU_FIELD(0, 4)
#define QSMMU_GBPA_MTCFG            QSMMU_FIELD(4, 1)
#define QSMMU_GBPA_ALLOCCFG         QSMMU_FIELD(8, 4)
#define QSMMU_GBPA_SHCFG            QSMMU_FIELD(12, 2)
#define QSMMU_GBPA_PRIVCFG          QSMMU_FIELD(16, 2)
#define QSMMU_GBPA_INSTCFG          QSMMU_FIELD(18, 2)

/*
 * Address of the last-level (4KB page) descriptor that maps @iova in @pt,
 * or 0 if no table reaches that level.
 */
uint64_t qsmmu_pt_desc_addr(QSMMUPageTable *pt, uint64_t iova);

/*
 * Test bench: what the SMMUv3 qtests share.  A machine with the SMMUv3,
 * the DMA test device at 00:04.0 (id "dma0", StreamID 0x20), the libqos
 * allocator and PCI bus over the start of guest RAM, and the SMMU
 * brought up by qsmmu_init.  The guest RAM plan: 512 MiB at 0x40000000,
 * the first 16 MiB for the libqos allocator, SMMU memory right after.
 */
#define QSMMU_BENCH_RAM_BASE        0x40000000ULL
#define QSMMU_BENCH_ALLOC_SIZE      (16 * 1024 * 1024)
#define QSMMU_BENCH_SMMU_MEM        (QSMMU_BENCH_RAM_BASE + \
                                     QSMMU_BENCH_ALLOC_SIZE)
#define QSMMU_BENCH_SMMU_MEM_SIZE   (16 * 1024 * 1024)
#define QSMMU_BENCH_DEVFN           QPCI_DEVFN(4, 0)
#define QSMMU_BENCH_SID             0x20    /* requester ID of 00:04.0 */
/* The byte qsmmu_mem_mark writes, and the span the DMA checks watch */
#define QSMMU_BENCH_MARKER          0x5a
#define QSMMU_BENCH_WATCH_LEN       256

typedef struct QSMMUBench {
    QTestState *qts;
    QGuestAllocator alloc;
    QGenericPCIBus bus;
    QSMMUv3 smmu;
    QDmaTestdev dev;
} QSMMUBench;

/*
 * Start "-M @machine,iommu=smmuv3" (NULL: "virt") with the test device
 * and @extra_args (may be NULL), and bring its SMMU up as @cfg says (NULL
 * for the defaults; without cfg->mem, in the bench's SMMU memory).
 */
void qsmmu_bench_start(QSMMUBench *b, const char *machine,
                       const char *extra_args, const QSMMUv3Config *cfg);
/*
 * Start "virt" with a 2-level stream table of SPLIT @split, and make an
 * L2 array of the largest Span (@split + 1) with a bypass STE for the
 * bench's StreamID, for the test to install (qsmmu_l2_install) with the
 * Span it wants.  Returns the array's address.
 */
uint64_t qsmmu_bench_start_2lvl(QSMMUBench *b, uint32_t split);
/* Assert that no GERROR is active, then qsmmu_bench_quit() */
void qsmmu_bench_stop(QSMMUBench *b);
/* Assert that no event is left in the queue, then qsmmu_bench_stop() */
void qsmmu_bench_finish(QSMMUBench *b);
/* Release everything and quit the machine, without checks */
void qsmmu_bench_quit(QSMMUBench *b);

/* Guest memory checks, for any machine */
void qsmmu_mem_mark(QTestState *qts, uint64_t pa, size_t len);
/* Write the @n (at most 8) 64-bit words @w at @pa, little-endian */
void qsmmu_mem_write_le64(QTestState *qts, uint64_t pa, const uint64_t *w,
                          unsigned n);
/* Whether the @len bytes at @pa all still hold the marker */
bool qsmmu_mem_is_marked(QTestState *qts, uint64_t pa, size_t len);
/* Whether the @len bytes at @pa are dma_testdev_pattern() of @seed */
bool qsmmu_mem_has_pattern(QTestState *qts, uint64_t pa, size_t len,
                           uint32_t seed);
void qsmmu_assert_untouched(QTestState *qts, uint64_t pa, size_t len);
void qsmmu_assert_pattern(QTestState *qts, uint64_t pa, size_t len,
                          uint32_t seed);

/* Event checks */
void qsmmu_assert_no_event(QSMMUv3 *s);
/* Exactly one event is queued, of @type, from @sid, without SubstreamID */
void qsmmu_pop_one_event(QSMMUv3 *s, uint32_t sid, uint8_t type,
                         QSMMUEvent *ev);

/* DMA checks with the bench's device; both watch QSMMU_BENCH_WATCH_LEN */
/*
 * A @len-byte write to @iova does not complete: it stops at @iova and
 * reaches no memory there.  Returns the device's result, which only an
 * IOMMU that reports IOMMU_ATTR_LAST_OUTCOME tells apart.
 */
uint32_t qsmmu_bench_assert_write_refused(QSMMUBench *b, uint64_t iova,
                                          uint32_t len);
/* qsmmu_bench_assert_write_refused(), ending in @result */
void qsmmu_bench_assert_write_blocked(QSMMUBench *b, uint64_t iova,
                                      uint32_t len, uint32_t result);
/* A QSMMU_BENCH_WATCH_LEN-byte write of @seed to @iova lands at @pa */
void qsmmu_bench_assert_write_lands(QSMMUBench *b, uint64_t iova,
                                    uint64_t pa, uint32_t seed);

/*
 * Helpers of tests/qtest/smmuv3-isolation-test.c
 */

/* 4.4, CMD_TLBI_NH_ALL: every stage 1 entry tagged with @vmid */
void qsmmu_cmd_tlbi_nh_all(QSMMUv3 *s, uint16_t vmid);
/*
 * Consume every record in the event queue at once (one memory read per
 * contiguous run of records, then one EVENTQ_CONS write), decoding the
 * first @max of them into @evs (may be NULL when @max is 0).  Returns how
 * many records were consumed, which may exceed @max.  Cheaper than
 * qsmmu_evtq_pop when a test causes many faults and only checks who
 * caused them.
 */
uint32_t qsmmu_evtq_take_all(QSMMUv3 *s, QSMMUEvent *evs, uint32_t max);

/*
 * Register @fn, called with @data, at the test path that @fmt and its
 * arguments make: one case of a table-driven test.
 */
void G_GNUC_PRINTF(3, 4) qsmmu_add_case(const void *data, GTestDataFunc fn,
                                        const char *fmt, ...);

#endif /* QTEST_LIBQOS_SMMUV3_H */
