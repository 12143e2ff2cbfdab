// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-claim: take DMA ownership of a VFIO group in the guest, then give it
 * back.  Opens /dev/vfio/vfio and /dev/vfio/GROUP, attaches the group to
 * the container (VFIO_GROUP_SET_CONTAINER: the kernel claims the group's
 * DMA ownership and moves it to the blocking domain), then selects the
 * type1v2 IOMMU (VFIO_SET_IOMMU: type1 attaches its own, empty, paging
 * domain).  At each of the two points it prints "GUEST: QUERY claimed" and
 * "GUEST: QUERY type1" (with -q) or a prompt, and waits for one line on
 * stdin.  Then it closes both files, which releases the group to its
 * default domain.
 *
 * With -x COMMAND, it also runs COMMAND (through /bin/sh) while the group
 * is claimed, after the "claimed" query, then asks for a "claimed-dma"
 * query: the scenarios use it to have the device attempt DMA while its
 * stream is blocked.
 *
 * With -b, it claims one device through iommufd instead: it opens the
 * device's VFIO cdev (/dev/vfio/devices/vfioN) and /dev/iommu and binds
 * them (VFIO_DEVICE_BIND_IOMMUFD, which claims the device's DMA ownership
 * and blocks it), then closes both.
 *
 * Usage: vfio-claim [-q] [-x COMMAND] GROUP
 *        vfio-claim -b CDEV
 * Output lines start with "VFIO: "; exit status 1 after an "error:" line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

static int fail(const char *what)
{
    printf("VFIO: error: %s: %s\n", what, strerror(errno));
    fflush(stdout);
    return 1;
}

/* Let the host look: a QUERY line (or a prompt), then one line on stdin. */
static void wait_line(int query, const char *label, char *line, int size)
{
    if (query) {
        printf("GUEST: QUERY %s\n", label);
    } else {
        printf("VFIO: %s; press Enter to go on\n", label);
    }
    if (!fgets(line, size, stdin)) {
        printf("VFIO: no line on stdin, going on\n");
    }
}

/* Bind the VFIO device cdev @cdev to a new iommufd, then let it go. */
static int bind_iommufd(const char *cdev)
{
    struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
    int dev, iommufd;

    dev = open(cdev, O_RDWR);
    if (dev < 0) {
        return fail(cdev);
    }
    iommufd = open("/dev/iommu", O_RDWR);
    if (iommufd < 0) {
        return fail("open /dev/iommu");
    }
    bind.iommufd = iommufd;
    if (ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
        return fail("VFIO_DEVICE_BIND_IOMMUFD");
    }
    printf("VFIO: bound %s to iommufd (VFIO_DEVICE_BIND_IOMMUFD: DMA "
           "ownership taken, device ID %u)\n", cdev, bind.out_devid);
    close(dev);
    close(iommufd);
    printf("VFIO: released %s\n", cdev);
    return 0;
}

int main(int argc, char **argv)
{
    int query = 0, opt;
    const char *cmd = NULL;
    char path[64], line[256];
    struct vfio_group_status status = { .argsz = sizeof(status) };
    int container, group, ret;

    setvbuf(stdout, NULL, _IOLBF, 0);
    while ((opt = getopt(argc, argv, "b:qx:")) != -1) {
        switch (opt) {
        case 'b':
            return bind_iommufd(optarg);
        case 'q':
            query = 1;
            break;
        case 'x':
            cmd = optarg;
            break;
        default:
            optind = argc + 1;
            break;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: vfio-claim [-q] [-x COMMAND] GROUP\n"
                        "       vfio-claim -b CDEV\n");
        return 2;
    }
    argv += optind - 1;
    snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);

    container = open("/dev/vfio/vfio", O_RDWR);
    if (container < 0) {
        return fail("open /dev/vfio/vfio");
    }
    ret = ioctl(container, VFIO_GET_API_VERSION);
    if (ret != VFIO_API_VERSION) {
        printf("VFIO: error: API version %d, expected %d\n", ret,
               VFIO_API_VERSION);
        return 1;
    }
    if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
        printf("VFIO: error: the container does not offer "
               "VFIO_TYPE1v2_IOMMU\n");
        return 1;
    }
    group = open(path, O_RDWR);
    if (group < 0) {
        return fail(path);
    }
    if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) < 0) {
        return fail("VFIO_GROUP_GET_STATUS");
    }
    printf("VFIO: opened %s (viable=%d)\n", path,
           !!(status.flags & VFIO_GROUP_FLAGS_VIABLE));
    if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
        printf("VFIO: error: group %s is not viable "
               "(a device is bound to a non-VFIO driver)\n", argv[1]);
        return 1;
    }
    if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0) {
        return fail("VFIO_GROUP_SET_CONTAINER");
    }
    printf("VFIO: claimed group %s (VFIO_GROUP_SET_CONTAINER: "
           "DMA ownership taken, blocking domain)\n", argv[1]);
    wait_line(query, "claimed", line, sizeof(line));
    if (cmd) {
        printf("VFIO: running while claimed: %s\n", cmd);
        ret = system(cmd);
        printf("VFIO: the command exited with status %d\n",
               WIFEXITED(ret) ? WEXITSTATUS(ret) : -1);
        wait_line(query, "claimed-dma", line, sizeof(line));
    }
    if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0) {
        return fail("VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)");
    }
    printf("VFIO: container set to VFIO_TYPE1v2_IOMMU "
           "(type1 paging domain attached)\n");
    wait_line(query, "type1", line, sizeof(line));

    close(group);
    close(container);
    printf("VFIO: released group %s\n", argv[1]);
    return 0;
}
