# Raspberry Pi 4: what the build needs of this board (included by the
# Makefile for BOARD=rpi4).
#
# The board's device tree, for tools/mkplan.py's device checks: Debian's,
# as tools/fetch-rpi4-files.sh fetched it (if it has), with the SD card's
# UART0 overlay applied (the console the firmware hands on).
PLAN_RPI4_DTB := $(wildcard $(or $(RPI4_FILES),$(O)/rpi4-files)/bcm2711-rpi-4-b.dtb)
ifneq ($(PLAN_RPI4_DTB),)
PLAN_BOARD_DTB := $(PLAN_DIR)/board.dtb
$(PLAN_BOARD_DTB): $(PLAN_RPI4_DTB) $(O)/rpi4/bulkhead-uart0.dtbo
	$(call msg,OVERLAY,$(patsubst $(O)/%,%,$@))
	$(Q)mkdir -p $(@D)
	$(Q)fdtoverlay -i $(PLAN_RPI4_DTB) -o $@ $(O)/rpi4/bulkhead-uart0.dtbo
endif

# For tests/run.py, which reads these lines as text: with a configuration of
# this board it also makes the SD card image, from the main build's cache of
# Pi files ({build}), and checks it piece by piece; the rpi4 QEMU scenarios
# then boot it on QEMU 10's raspi4b.
TEST_TARGETS := sdimage
TEST_VARS := RPI4_FILES={build}/rpi4-files
TEST_IMAGE_CHECK := tests/image/test_sdimage.py
# A second build of each rpi4 configuration, build/configs/<config>_test,
# with the test domains in the image: the emulated Pi's driver-domain test
# (tests/qemu/rpi4-sd-faults) runs blkcheck guests from its card.
TEST_VARIANT := CONFIG_TEST_DOMAINS=y
