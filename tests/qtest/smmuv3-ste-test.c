/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "qemu/osdep.h"

int main(int argc, char **argv)
{
    return 1;
}
