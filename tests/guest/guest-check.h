/*
 * guest-check.h: the "GUEST: check NAME ok|FAIL TEXT" lines that the
 * guest programs print for tests/guest/boot's verdict (see tests/guest/init)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each program is one file built on its own, so the helper is defined
 * here, static, and counts failed checks in guest_check_failures.
 */
#ifndef TESTS_GUEST_GUEST_CHECK_H
#define TESTS_GUEST_GUEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int guest_check_failures;

static void check(const char *name, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), unused));

static void check(const char *name, int ok, const char *fmt, ...)
{
    va_list ap;

    printf("GUEST: check %s %s ", name, ok ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    guest_check_failures += !ok;
}

#endif
