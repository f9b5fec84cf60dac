# Bulkhead's u-boot boot script, the same on every board (QEMU virt,
# Raspberry Pi 4). u-boot's distro boot finds it as boot.scr on the first
# FAT partition and runs it with devtype/devnum/distro_bootpart set.
#
# It loads the hypervisor image from that partition and starts it with
# booti, handing over the device tree u-boot runs with (the board's own:
# QEMU's generated one, or the one the Pi firmware passed). Boards differ
# only in these variables, which the environment may also set beforehand:
#   bulkhead_image   file name on the partition (default bulkhead.bin)
#   bulkhead_fdt     device tree address (default ${fdtcontroladdr})

if test -z "${bulkhead_image}"; then setenv bulkhead_image bulkhead.bin; fi

# Raspberry Pi (u-boot's ${board} is "rpi"): its environment has
# fdt_high=ffffffffffffffff, so booti grows and edits the device tree where
# it lies. Linux on the Pi is booted the same way from the firmware's own
# copy at ${fdt_addr}; u-boot's control copy has u-boot's global data right
# behind it. Where the firmware passed no tree, fdt_addr is unset and the
# default below applies.
if test "${board}" = "rpi" && test -z "${bulkhead_fdt}"; then setenv bulkhead_fdt ${fdt_addr}; fi
if test -z "${bulkhead_fdt}"; then setenv bulkhead_fdt ${fdtcontroladdr}; fi

echo "Bulkhead: loading ${bulkhead_image} from ${devtype} ${devnum}:${distro_bootpart}"
if load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} ${bulkhead_image}; then
	echo "Bulkhead: starting at ${kernel_addr_r}, device tree at ${bulkhead_fdt}"
	booti ${kernel_addr_r} - ${bulkhead_fdt}
fi
echo "Bulkhead: could not load or start ${bulkhead_image}; dropping to the u-boot prompt"
