# Device set for smmuv3-domains: the virt machine and the devices its
# tests and guest scenarios use.  Selected with
# --without-default-devices --with-devices-aarch64=smmuv3-domains.

CONFIG_ARM_VIRT=y

# PCIe topology and the endpoints the guests and qtests use
CONFIG_PCIE_PORT=y
# Conventional PCI bridges (pci-bridge, pcie-pci-bridge): devices behind
# them share the bridge's requester ID, hence one StreamID; users'
# command lines with them work as on Debian's QEMU
CONFIG_PCI_BRIDGE=y
CONFIG_PCIE_PCI_BRIDGE=y
CONFIG_E1000E_PCI_EXPRESS=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_RNG=y
CONFIG_VIRTIO_SERIAL=y

# Device assignment, used when our QEMU runs nested inside a guest
CONFIG_VFIO_PCI=y
CONFIG_IOMMUFD=y

# Test devices: the DMA test device and pci-testdev
CONFIG_TEST_DEVICES=y
CONFIG_PCI_TESTDEV=y
CONFIG_DMA_TESTDEV=y

# virt selects ACPI_CXL, whose hw/acpi/cxl.c calls into hw/cxl/cxl-host.c;
# QEMU 10.2.2's CXL stubs lack cxl_fmws_get_all_sorted, so without CXL the
# link fails.  (With default devices CXL comes in through PXB.)
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
