/*
 * QTest: commands that are ILLEGAL on this SMMU
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A command whose opcode is reserved, or that the SMMU's ID registers
 * rule out (EL2 TLBIs without IDR0.HYP, ATC_INV without ATS, PRI_RESP
 * without PRI, stall commands with STALL_MODEL 0b01, EL3 TLBIs and SSec
 * on the Non-secure queue), and a range TLBI with a reserved encoding,
 * stops the Command queue with CERROR_ILL (IHI 0070 4.1, 4.4.1.1).  The
 * base model ran most of them as no-ops.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3.h"

/* Reserved opcodes, and commands this SMMU's IDRs make ILLEGAL (4.1) */
static void test_cmdq_illegal(void)
{
    static const uint8_t reserved[] = { 0x00, 0x07, 0x08, 0x0c, 0x14, 0x19,
                                        0x24, 0x29, 0x2b, 0x31, 0x42, 0x47,
                                        0x58, 0x60, 0x7f, 0xff };
    static const struct {
        uint8_t opcode;
        const char *what;
    } unsupported[] = {
        { 0x18, "CMD_TLBI_EL3_ALL (Non-secure queue)" },
        { 0x1a, "CMD_TLBI_EL3_VA (Non-secure queue)" },
        { 0x20, "CMD_TLBI_EL2_ALL (IDR0.HYP = 0)" },
        { 0x21, "CMD_TLBI_EL2_ASID (IDR0.HYP = 0)" },
        { 0x22, "CMD_TLBI_EL2_VA (IDR0.HYP = 0)" },
        { 0x23, "CMD_TLBI_EL2_VAA (IDR0.HYP = 0)" },
        { 0x40, "CMD_ATC_INV (IDR0.ATS = 0)" },
        { 0x41, "CMD_PRI_RESP (IDR0.PRI = 0)" },
        { 0x44, "CMD_RESUME (IDR0.STALL_MODEL = 0b01)" },
        { 0x45, "CMD_STALL_TERM (IDR0.STALL_MODEL = 0b01)" },
    };
    static const uint8_t ssec[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 };
    uint64_t cmd[QSMMU_CMD_WORDS];
    int i;
    QSMMUBench c;

    qsmmu_bench_start(&c, NULL, NULL, NULL);
    for (i = 0; i < ARRAY_SIZE(reserved); i++) {
        g_autofree char *what = g_strdup_printf("opcode 0x%02x",
                                                reserved[i]);

        qsmmu_cmd_make(cmd, reserved[i]);
        qsmmu_assert_cmd_illegal(&c.smmu, cmd, what);
    }
    for (i = 0; i < ARRAY_SIZE(unsupported); i++) {
        qsmmu_cmd_make(cmd, unsupported[i].opcode);
        qsmmu_assert_cmd_illegal(&c.smmu, cmd, unsupported[i].what);
    }
    for (i = 0; i < ARRAY_SIZE(ssec); i++) {
        g_autofree char *what = g_strdup_printf("opcode 0x%02x, SSec = 1",
                                                ssec[i]);

        qsmmu_cmd_make(cmd, ssec[i]);
        qsmmu_set(cmd, QSMMU_CMD_SSEC, 1);
        qsmmu_assert_cmd_illegal(&c.smmu, cmd, what);
    }
    qsmmu_cmd_make(cmd, QSMMU_OP_CMD_SYNC);
    qsmmu_set(cmd, QSMMU_CMD_SYNC_CS, 3);
    qsmmu_assert_cmd_illegal(&c.smmu, cmd, "CMD_SYNC, CS = 0b11");

    /* Legal commands still run */
    qsmmu_cmd_cfgi_all(&c.smmu);
    qsmmu_cmd_tlbi_nsnh_all(&c.smmu);
    g_assert_true(qsmmu_cmd_sync(&c.smmu));
    qsmmu_bench_stop(&c);
}

/*
 * Range TLBI encodings (4.4.1.1): with TG != 0, one granule (NUM = 0,
 * SCALE = 0) without a TTL hint is reserved and raises CERROR_ILL.  TTL
 * 0b01 with the 16KB granule is reserved without IDR5.DS and counts as
 * no hint.  Every other combination is legal.
 */
static void test_cmdq_tlbi_range(void)
{
    static const struct {
        uint8_t tg, ttl, num, scale;
        bool legal;
    } cases[] = {
        { 0, 0, 0, 0, true },           /* not a range */
        { 1, 0, 0, 0, false },
        { 2, 0, 0, 0, false },
        { 3, 0, 0, 0, false },
        { 2, 1, 0, 0, false },          /* 16KB level 1: no hint */
        { 1, 1, 0, 0, true },
        { 1, 3, 0, 0, true },
        { 2, 2, 0, 0, true },
        { 3, 1, 0, 0, true },
        { 3, 3, 0, 0, true },
        { 1, 0, 1, 0, true },
        { 2, 0, 0, 1, true },
        { 2, 1, 1, 0, true },
        { 3, 0, 31, 31, true },
    };
    static const uint8_t ops[] = { QSMMU_OP_TLBI_NH_VA, QSMMU_OP_TLBI_NH_VAA,
                                   QSMMU_OP_TLBI_S2_IPA };
    uint64_t cmd[QSMMU_CMD_WORDS];
    QSMMUBench c;
    int i, j;

    qsmmu_bench_start(&c, NULL, NULL, NULL);
    g_assert_true(c.smmu.idr[0] & QSMMU_IDR0_S2P);
    for (j = 0; j < ARRAY_SIZE(ops); j++) {
        for (i = 0; i < ARRAY_SIZE(cases); i++) {
            g_autofree char *what =
                g_strdup_printf("opcode 0x%02x TG %u TTL %u NUM %u SCALE %u",
                                ops[j], cases[i].tg, cases[i].ttl,
                                cases[i].num, cases[i].scale);

            qsmmu_cmd_make(cmd, ops[j]);
            qsmmu_set(cmd, QSMMU_CMD_TG, cases[i].tg);
            qsmmu_set(cmd, QSMMU_CMD_TTL, cases[i].ttl);
            qsmmu_set(cmd, QSMMU_CMD_NUM, cases[i].num);
            qsmmu_set(cmd, QSMMU_CMD_SCALE, cases[i].scale);
            qsmmu_set_addr(cmd, QSMMU_CMD_ADDR, 0x40000);
            if (cases[i].legal) {
                qsmmu_cmd_push(&c.smmu, cmd);
                if (!qsmmu_cmd_sync(&c.smmu)) {
                    g_error("%s: CERROR %u, expected none", what,
                            qsmmu_cmdq_error(&c.smmu));
                }
            } else {
                qsmmu_assert_cmd_illegal(&c.smmu, cmd, what);
            }
        }
    }
    qsmmu_bench_stop(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/arm/smmuv3/cmdq/illegal", test_cmdq_illegal);
    qtest_add_func("/arm/smmuv3/cmdq/tlbi-range", test_cmdq_tlbi_range);
    return g_test_run();
}
