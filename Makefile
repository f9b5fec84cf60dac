# Bulkhead top-level Makefile.
#
#   make                  build the hypervisor for the configured board
#   make run              build, then boot it under QEMU through u-boot
#   make test             host unit tests + QEMU integration tests
#   make help             every target
#
# Out-of-tree builds with O=dir (default: build). V=1 shows full commands.

O ?= build
override O := $(abspath $(O))
V ?= 0
ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

CROSS_COMPILE ?= aarch64-linux-gnu-
CC := $(CROSS_COMPILE)gcc
LD := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
SIZE := $(CROSS_COMPILE)size
HOSTCC ?= gcc
# Debian's Kconfiglib is installed for Debian's own Python only.
PYTHON := /usr/bin/python3

KCONFIG_CONFIG := $(O)/.config
export KCONFIG_CONFIG
AUTOCONF := $(O)/include/generated/autoconf.h
# The configuration a plain `make` starts from: named in configs/DEFAULT.
DEFAULT_DEFCONFIG := $(strip $(file <configs/DEFAULT))

# Goals that must not read (or create) a .config first.
no-config-goals := help clean distclean deps %_defconfig menuconfig \
	olddefconfig savedefconfig unit-test unit-tests fuzz
ifneq ($(filter-out $(no-config-goals),$(or $(MAKECMDGOALS),all)),)
ifeq ($(filter %_defconfig,$(MAKECMDGOALS)),)
need-config := 1
endif
endif

.DEFAULT_GOAL := all
.PHONY: all deps help clean distclean menuconfig olddefconfig savedefconfig \
	image domains plan disk run run-direct test unit-test qemu-test newlib size bench fuzz

# The dependency check runs before anything else, every time; it is quiet
# (a dozen stat calls) when all tools are present.
deps:
	$(Q)tools/install-deps.sh --quiet

# --- Configuration -----------------------------------------------------------

kconfig-files := Kconfig $(wildcard boards/*/Kconfig)

# tools/kconfig-check.py first: Kconfiglib only warns about a value it
# replaces (a number outside its range), and the build would go on.
%_defconfig: deps
	$(Q)test -f configs/$@ || { echo "no such config: configs/$@" >&2; exit 1; }
	$(Q)mkdir -p $(O)
	$(Q)$(PYTHON) tools/kconfig-check.py Kconfig configs/$@
	$(Q)$(PYTHON) -m defconfig --kconfig Kconfig configs/$@

$(KCONFIG_CONFIG): | deps
	$(Q)mkdir -p $(O)
	@echo "  CONFIG   no $(KCONFIG_CONFIG): using configs/$(DEFAULT_DEFCONFIG)"
	$(Q)$(PYTHON) tools/kconfig-check.py Kconfig configs/$(DEFAULT_DEFCONFIG)
	$(Q)$(PYTHON) -m defconfig --kconfig Kconfig configs/$(DEFAULT_DEFCONFIG) >/dev/null

menuconfig: deps
	$(Q)mkdir -p $(O)
	$(Q)test -f $(KCONFIG_CONFIG) || $(PYTHON) -m defconfig --kconfig Kconfig \
		configs/$(DEFAULT_DEFCONFIG) >/dev/null
	$(Q)$(PYTHON) -m menuconfig Kconfig

olddefconfig: deps
	$(Q)$(PYTHON) tools/kconfig-check.py Kconfig $(KCONFIG_CONFIG)
	$(Q)$(PYTHON) -m olddefconfig Kconfig

savedefconfig: deps
	$(Q)$(PYTHON) -m savedefconfig --kconfig Kconfig --out $(O)/defconfig
	@echo "  SAVED    $(O)/defconfig (copy it into configs/ to keep it)"

$(AUTOCONF): $(KCONFIG_CONFIG) $(kconfig-files)
	$(call msg,GEN,$(patsubst $(O)/%,%,$@))
	$(Q)mkdir -p $(@D)
	$(Q)$(PYTHON) tools/kconfig-check.py Kconfig $(KCONFIG_CONFIG)
	$(Q)$(PYTHON) -m genconfig --header-path $@ --config-out $(KCONFIG_CONFIG) Kconfig
	$(Q)touch $@

ifdef need-config
include $(KCONFIG_CONFIG)
endif

BOARD := $(patsubst "%",%,$(CONFIG_BOARD_NAME))

# --- Hypervisor sources --------------------------------------------------------
# Each directory lists its objects in build.mk as obj-y / obj-$(CONFIG_X).

hyp-dirs := arch/arm64 core core/lib drivers/uart drivers/irqchip
hyp-objs :=
define collect-dir
obj-y :=
include $(1)/build.mk
hyp-objs += $$(addprefix $(O)/$(1)/,$$(obj-y))
endef
$(foreach d,$(hyp-dirs),$(eval $(call collect-dir,$(d))))

LIBFDT_A := /usr/lib/aarch64-linux-gnu/libfdt.a
# Evaluated on first use (after `deps` may have installed the compiler), once.
GCC_INC = $(eval GCC_INC := $(shell $(CC) -print-file-name=include))$(GCC_INC)

HYP_INCLUDES = -nostdinc -isystem $(GCC_INC) -Icore/include/libc \
	-I$(O)/include -Icore/include -Icore/abi -Iarch/arm64/include -Idrivers/include
# -mgeneral-regs-only: the hypervisor never touches FP/SIMD state it would
# have to save. -mstrict-align: the first C code runs with the MMU off, where
# unaligned accesses fault. -fpie: the image runs wherever the loader put it
# and applies its own relative relocations at entry; visibility.h keeps
# calls and data references direct (PC-relative) all the same.
HYP_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes -Wno-unused-parameter \
	-ffreestanding -fno-builtin -fno-common -fpie -fno-plt \
	-fno-stack-protector -fno-omit-frame-pointer \
	-fno-tree-loop-distribute-patterns \
	-march=armv8-a -mgeneral-regs-only -mstrict-align -mno-outline-atomics \
	$(HYP_INCLUDES) -include core/include/bulkhead/visibility.h \
	-include $(AUTOCONF) -include core/include/bulkhead/kconfig.h \
	-MMD -MP
HYP_ASFLAGS = $(HYP_CFLAGS) -D__ASSEMBLY__
HYP_LDFLAGS := -pie --no-dynamic-linker -z norelro -z noexecstack --no-warn-rwx-segments \
	--build-id=none -nostdlib -T arch/arm64/bulkhead.lds

HYP_ELF := $(O)/bulkhead.elf
PLAN_DIR := $(O)/plan
PAYLOAD_OBJ := $(PLAN_DIR)/payload.o
HYP_IMAGE := $(O)/bulkhead.bin

all: $(HYP_IMAGE) newlib size

image: $(HYP_IMAGE)

# libfdt's headers come through the build directory so that -nostdinc keeps
# the host's C library headers out of the hypervisor.
LIBFDT_HDRS := $(O)/include/libfdt.h $(O)/include/fdt.h $(O)/include/libfdt_env.h
.SECONDARY: $(LIBFDT_HDRS)
$(O)/include/%.h: /usr/include/%.h | deps
	$(Q)mkdir -p $(@D)
	$(Q)ln -sf $< $@

$(O)/%.o: %.c | $(AUTOCONF) $(LIBFDT_HDRS)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(HYP_CFLAGS) -c $< -o $@

$(O)/%.o: %.S | $(AUTOCONF) $(LIBFDT_HDRS)
	$(call msg,AS,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(HYP_ASFLAGS) -c $< -o $@

$(HYP_ELF): $(hyp-objs) $(PAYLOAD_OBJ) arch/arm64/bulkhead.lds
	$(call msg,LD,$(patsubst $(O)/%,%,$@))
	$(Q)$(LD) $(HYP_LDFLAGS) -o $@ $(hyp-objs) $(PAYLOAD_OBJ) $(LIBFDT_A) \
		-Map $(O)/bulkhead.map
	$(Q)tools/check-image.sh $@ $(CROSS_COMPILE)

$(HYP_IMAGE): $(HYP_ELF)
	$(call msg,OBJCOPY,$(patsubst $(O)/%,%,$@))
	$(Q)$(OBJCOPY) -O binary $< $@

size: $(HYP_ELF)
	$(Q)$(SIZE) $< | sed 's/^/  /'

-include $(hyp-objs:.o=.d)

# --- newlib for domains ---------------------------------------------------------
# Built once from Debian's newlib-source tarball and cached in $(O)/newlib.

# NEWLIB_OUT lets several build directories share one newlib build.
NEWLIB_OUT ?= $(O)/newlib
NEWLIB_STAMP := $(NEWLIB_OUT)/.built
newlib: $(NEWLIB_STAMP)
$(NEWLIB_STAMP): tools/build-newlib.sh | deps
	$(call msg,NEWLIB,$(NEWLIB_OUT) (once; about a minute))
	$(Q)tools/build-newlib.sh $(NEWLIB_OUT) $(CROSS_COMPILE)

include domains/build.mk

# --- Partition plan and payload ---------------------------------------------------
# tools/mkplan.py checks the Kconfig partition options and writes the plan
# (plan.dts) and payload.S, which packs plan.dtb and the images. With the
# board's device tree it also checks the devices passed through, where
# boards/<board>/board.mk provides one (PLAN_BOARD_DTB).

# Board facts the build needs (its device tree for the checks above, ...)
# come from the board's own folder.
-include boards/$(BOARD)/board.mk

# A Linux guest's kernel and initramfs ("@linux/Image" in the configuration)
# come from Debian's packages through tools/fetch-linux.sh, cached in
# LINUX_FILES (docs/linux-guest.md); fetched only when the plan uses them.
LINUX_FILES ?= $(O)/linux-files
LINUX_FETCHED := $(LINUX_FILES)/versions.txt
PLAN_USES_LINUX = $(shell grep -qs '"@linux/' $(KCONFIG_CONFIG) && echo yes)

$(LINUX_FETCHED): tools/fetch-linux.sh tools/debian-fetch.sh tools/linux-init.sh tools/mkinitramfs.py
	$(call msg,FETCH,Linux kernel and initramfs)
	$(Q)tools/fetch-linux.sh $(LINUX_FILES)

.PHONY: linux-files
linux-files: $(LINUX_FETCHED)

$(PLAN_DIR)/payload.S: $(KCONFIG_CONFIG) $(AUTOCONF) tools/mkplan.py core/include/bulkhead/plan_rules.h \
		core/Kconfig.partitions $(DOMAIN_IMAGES) $(PLAN_BOARD_DTB) \
		$(if $(PLAN_USES_LINUX),$(LINUX_FETCHED))
	$(call msg,PLAN,$(patsubst $(O)/%,%,$(PLAN_DIR)/plan.dts))
	$(Q)$(PYTHON) tools/mkplan.py --config $(KCONFIG_CONFIG) --out $(PLAN_DIR) \
		--domains $(O)/domains $(if $(PLAN_BOARD_DTB),--board-dtb $(PLAN_BOARD_DTB)) \
		--linux-files $(LINUX_FILES)

$(PLAN_DIR)/plan.dts: $(PLAN_DIR)/payload.S
	@:

$(PLAN_DIR)/plan.dtb: $(PLAN_DIR)/plan.dts
	$(call msg,DTC,$(patsubst $(O)/%,%,$@))
	$(Q)dtc -q -I dts -O dtb -o $@ $<

# .incbin files are not seen by -MMD: depend on the images explicitly.
$(PAYLOAD_OBJ): $(PLAN_DIR)/payload.S $(PLAN_DIR)/plan.dtb $(DOMAIN_IMAGES) \
		$(if $(PLAN_USES_LINUX),$(LINUX_FETCHED))
	$(call msg,AS,$(patsubst $(O)/%,%,$<))
	$(Q)$(CC) $(HYP_ASFLAGS) -c $< -o $@

plan: $(PLAN_DIR)/plan.dtb


# --- Boot media and QEMU ----------------------------------------------------------

BOOT_SCRIPT := $(O)/boot.scr
BOOT_DISK := $(O)/bulkhead-disk.img
UBOOT_QEMU := /usr/lib/u-boot/qemu_arm64/u-boot.bin

$(BOOT_SCRIPT): boards/common/boot.cmd | deps
	$(call msg,MKIMAGE,$(patsubst $(O)/%,%,$@))
	$(Q)mkimage -q -A arm64 -O linux -T script -C none -n "Bulkhead boot" \
		-d $< $@

$(BOOT_DISK): $(HYP_IMAGE) $(BOOT_SCRIPT) tools/mkdisk.py
	$(call msg,DISK,$(patsubst $(O)/%,%,$@))
	$(Q)$(PYTHON) tools/mkdisk.py $@ $(BOOT_SCRIPT)=boot.scr $(HYP_IMAGE)=bulkhead.bin

disk: $(BOOT_DISK)

# Targets that boards add (boards/*/targets.mk: the Raspberry Pi 4's SD card
# image, `make sdimage`), whichever board is configured.
include $(wildcard boards/*/targets.mk)

# A data disk for partitions to drive (tools/qemu.sh DISK=): a sparse
# 64 MiB file made once and kept between runs, like a real disk.
DATA_DISK := $(O)/data-disk.img
$(DATA_DISK):
	$(call msg,DISK,$(patsubst $(O)/%,%,$@) (64 MiB, sparse))
	$(Q)truncate -s 64M $@

# QEMU 10 for the emulated Raspberry Pi 4 (raspi4b), from bookworm-backports,
# unpacked into the build, never installed (tools/fetch-qemu10.sh).
QEMU10_DIR ?= $(O)/qemu10
QEMU10_FETCHED := $(QEMU10_DIR)/versions.txt
$(QEMU10_FETCHED): tools/fetch-qemu10.sh tools/debian-fetch.sh
	$(call msg,FETCH,QEMU 10 into $(QEMU10_DIR))
	$(Q)tools/fetch-qemu10.sh $(QEMU10_DIR)
.PHONY: qemu10
qemu10: $(QEMU10_FETCHED)

ifeq ($(BOARD),rpi4)
# The Pi 4 build runs its SD card image on QEMU 10's emulated Pi 4.
run: $(SDIMAGE) $(QEMU10_FETCHED)
	@echo "This is the EMULATED Raspberry Pi 4 (QEMU 10 raspi4b), booting the SD card image"
	@echo "through the Pi's u-boot (2 s boot delay); quit QEMU with Ctrl-] x (docs/boards/rpi4.md)"
	$(Q)tools/qemu-rpi4.sh $(SDIMAGE) $(PLAN_BOARD_DTB) $(QEMU10_DIR) $(RPI4_FILES)
else
run: $(BOOT_DISK) $(DATA_DISK)
	@echo "Booting through u-boot (2 s boot delay); quit QEMU with Ctrl-] x; Ctrl-A three times moves the console input (docs/console.md)"
	$(Q)DISK=$(DATA_DISK) tools/qemu.sh uboot $(BOOT_DISK)
endif

run-direct: $(HYP_IMAGE) $(DATA_DISK)
	@echo "Booting with QEMU -kernel; quit QEMU with Ctrl-] x; Ctrl-A three times moves the console input (docs/console.md)"
	$(Q)DISK=$(DATA_DISK) tools/qemu.sh direct $(HYP_IMAGE)

# --- Tests --------------------------------------------------------------------------

include tests/unit/unit.mk
include tests/fuzz/fuzz.mk

test: all $(BOOT_DISK) unit-tests $(QEMU10_FETCHED)
	$(Q)$(PYTHON) tests/run.py --build $(O)

unit-test: deps unit-tests
	$(Q)$(PYTHON) tests/run.py --build $(O) --unit-only

qemu-test: all $(BOOT_DISK)
	$(Q)$(PYTHON) tests/run.py --build $(O) --qemu-only

# Long runs (docs/guest-fuzzer.md): the scenarios' soak files
# (tests/qemu/<name>/soak), which `make test` does not run.
.PHONY: soak
soak: all
	$(Q)$(PYTHON) tests/run.py --build $(O) --soak

# The Linux guest's figures need qemu_virt_linux_defconfig's image: built
# where the tests build it, with the same fetched kernel.
LINUX_BENCH_O := $(O)/configs/qemu_virt_linux
bench: $(HYP_IMAGE)
	$(Q)$(MAKE) -s O=$(LINUX_BENCH_O) qemu_virt_linux_defconfig >/dev/null
	$(Q)$(MAKE) -s O=$(LINUX_BENCH_O) NEWLIB_OUT=$(NEWLIB_OUT) LINUX_FILES=$(LINUX_FILES) image
	$(Q)LINUX_IMAGE=$(LINUX_BENCH_O)/bulkhead.bin LINUX_FILES=$(LINUX_FILES) tools/bench.sh $(HYP_IMAGE)

# --- Housekeeping -------------------------------------------------------------------

clean:
	$(Q)rm -rf $(O)/arch $(O)/core $(O)/drivers $(O)/tests $(O)/*.elf \
		$(O)/*.bin $(O)/*.map $(O)/*.img $(O)/*.scr $(O)/include/generated

distclean:
	$(Q)rm -rf $(O)

help:
	@echo "Bulkhead build targets (O=$(O), V=1 for full commands)"
	@echo ""
	@echo "  all (default)     hypervisor image $(O)/bulkhead.bin, newlib cache, size"
	@echo "  disk              boot disk image (MBR + FAT32: boot.scr, bulkhead.bin)"
	@cat $(wildcard boards/*/help.txt)
	@echo "  run               boot the hypervisor under QEMU through u-boot, with a"
	@echo "                    64 MiB data disk ($(O)/data-disk.img) at /virtio_mmio@a001000"
	@echo "  run-direct        boot it with QEMU -kernel (no u-boot), the same data disk"
	@echo "  test              host unit tests and QEMU integration tests"
	@echo "  unit-test         host unit tests only"
	@echo "  qemu-test         QEMU integration tests only"
	@echo "  fuzz              run each libFuzzer harness FUZZ_SECONDS (60) s (docs/fuzzing.md)"
	@echo "  newlib            build newlib for aarch64 once (cached)"
	@echo "  image             the hypervisor image with its plan and domains"
	@echo "  plan              check the partition plan and write plan.dts"
	@echo "  domains           build the domains (domains/*) on newlib"
	@echo "  size              text/data/bss of the hypervisor"
	@echo "  bench             instruction counts under QEMU -icount (not a test)"
	@echo "  deps              install missing tools (tools/install-deps.sh)"
	@echo ""
	@echo "Configuration (Kconfig, kept in $(O)/.config):"
	@echo "  menuconfig        edit the configuration in a terminal menu"
	@echo "  <board>_defconfig start from configs/<board>_defconfig:"
	@for f in configs/*_defconfig; do echo "                      $$(basename $$f)"; done
	@echo "  olddefconfig      update .config to a changed Kconfig"
	@echo "  savedefconfig     write a minimal defconfig to $(O)/defconfig"
	@echo ""
	@echo "  clean             remove build output but keep .config and newlib"
	@echo "  distclean         remove $(O) entirely"
