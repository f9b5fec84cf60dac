# Raspberry Pi 4 SD card image: `make sdimage` with the rpi4 configuration.
# (A board's targets.mk adds make targets; every board's is included,
# whichever board is configured, and its help.txt lists them in make help.)
#
# Included by the top-level Makefile (which provides O, Q, msg, PYTHON,
# HYP_IMAGE and BOOT_SCRIPT). The third-party files come from Debian
# packages through tools/fetch-rpi4-files.sh into RPI4_FILES, a cache that
# several build directories may share (tests/run.py points the rpi4 build at
# the main build's). RPI_FIRMWARE_DIR=dir takes start4.elf and fixup4.dat
# from dir instead of Debian's raspi-firmware.

RPI4_FILES ?= $(O)/rpi4-files
override RPI4_FILES := $(abspath $(RPI4_FILES))
RPI4_FETCHED := $(RPI4_FILES)/versions.txt
RPI4_OVERLAY := $(O)/rpi4/bulkhead-uart0.dtbo
SDIMAGE := $(O)/bulkhead-rpi4.img

# The cache is filled once; the script itself is idempotent.
$(RPI4_FETCHED): tools/fetch-rpi4-files.sh
	$(call msg,FETCH,Raspberry Pi 4 files into $(RPI4_FILES))
	$(Q)tools/fetch-rpi4-files.sh $(RPI4_FILES)
	$(Q)touch $@

$(RPI4_OVERLAY): boards/rpi4/bulkhead-uart0.dts
	$(call msg,DTC,$(patsubst $(O)/%,%,$@))
	$(Q)mkdir -p $(@D)
	$(Q)dtc -q -@ -I dts -O dtb -o $@ $<

# File names on the FAT partition are what the firmware (start4.elf,
# fixup4.dat, the board's .dtb, config.txt, overlays/), config.txt (u-boot.bin,
# bl31.bin) and u-boot's distro boot (boot.scr) look for.
$(SDIMAGE): $(HYP_IMAGE) $(BOOT_SCRIPT) $(RPI4_OVERLAY) $(RPI4_FETCHED) \
		boards/rpi4/config.txt tools/mkdisk.py $(KCONFIG_CONFIG)
	$(call msg,SDIMAGE,$(patsubst $(O)/%,%,$@))
	$(Q)$(PYTHON) tools/mkdisk.py --data-mib $(or $(CONFIG_RPI4_SD_DATA_MB),0) $@ \
		$(RPI4_FILES)/start4.elf $(RPI4_FILES)/fixup4.dat \
		$(RPI4_FILES)/bcm2711-rpi-4-b.dtb $(RPI4_OVERLAY)=overlays/bulkhead-uart0.dtbo \
		boards/rpi4/config.txt $(RPI4_FILES)/bl31.bin $(RPI4_FILES)/u-boot.bin \
		$(RPI4_FILES)/versions.txt=firmware-versions.txt \
		$(BOOT_SCRIPT)=boot.scr $(HYP_IMAGE)=bulkhead.bin
	@echo "  SDIMAGE  $@ ($$(du -h --apparent-size $@ | cut -f1)): write it with"
	@echo "           dd if=$@ of=/dev/sdX bs=4M conv=fsync   (docs/boards/rpi4.md)"

.PHONY: sdimage rpi4-files
rpi4-files: $(RPI4_FETCHED)

ifeq ($(BOARD),rpi4)
sdimage: $(SDIMAGE)
else
sdimage:
	@echo "sdimage: the SD card image is for the Raspberry Pi 4, and this build is for" \
		"'$(BOARD)'. Run: make rpi4_defconfig (with O=dir for a separate build)" >&2
	@exit 1
endif
