# Host unit tests (cmocka) for the hypervisor's pure logic.
#
# Included by the top-level Makefile, which provides O (absolute build
# directory), Q, msg and HOSTCC. `make unit-tests` builds one executable per
# test in UT_NAMES (tests/unit/<name>.c) as $(O)/tests/unit/<name>; each runs
# its cmocka group and exits non-zero if any test failed (or if a sanitizer
# fired). $(UNIT_TESTS) lists them. They take no arguments.
#
# The code under test is compiled against the host's C library (so not with
# core/include/libc), with tests/unit/host_config.h standing in for the
# Kconfig header. Everything is built with ASan and UBSan; UBSan is made
# fatal so that undefined behaviour fails the run instead of scrolling by.

UT_DIR := tests/unit
UT_OUT := $(O)/tests/unit
UT_OBJ := $(UT_OUT)/obj

UT_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer \
	-Icore/include -Icore/abi -Iarch/arm64/include -Idrivers/include -I$(UT_DIR) \
	-include $(UT_DIR)/host_config.h -MMD -MP
UT_LDFLAGS := -fsanitize=address,undefined
UT_LIBS := -lcmocka
# The host has libfdt's headers and runtime library but no libfdt.so
# development symlink: link the runtime library by its path.
UT_LIBFDT := /usr/lib/$(shell $(HOSTCC) -dumpmachine)/libfdt.so.1

# core/lib/string.c defines memcpy, strlen, ... which would clash with the
# host's C library: it is built into its own object with every function
# renamed to bh_<name>, and -fno-builtin so that the compiler neither treats
# the renamed functions as builtins nor turns their loops into libc calls.
UT_STRING_FUNCS := memchr memcmp memcpy memmove memset strchr strrchr strcmp \
	strncmp strlen strnlen strtoul
UT_STRING_CFLAGS := $(foreach f,$(UT_STRING_FUNCS),-D$(f)=bh_$(f)) \
	-fno-builtin -fno-tree-loop-distribute-patterns

# --- Tests and the sources each one links ------------------------------------------

UT_NAMES := test_format test_cmdline test_compat test_esr test_pgtable \
	test_board_dt test_string test_plan test_memcarve test_stage2 test_vgic \
	test_sched test_ring test_event test_console_stream

ut-src-test_format := core/lib/format.c
ut-src-test_cmdline := core/lib/cmdline.c
ut-src-test_compat := core/lib/compat.c
ut-src-test_esr := arch/arm64/esr.c core/lib/format.c
ut-src-test_pgtable := arch/arm64/pgtable.c
ut-src-test_board_dt := core/board_dt.c core/lib/format.c
ut-src-test_string :=
ut-objx-test_string := $(UT_OBJ)/core/lib/string-renamed.o
ut-libs-test_board_dt := $(UT_LIBFDT)
ut-src-test_plan := core/plan.c core/lib/format.c
ut-libs-test_plan := $(UT_LIBFDT)
ut-src-test_memcarve := core/memcarve.c
ut-src-test_stage2 := arch/arm64/stage2.c arch/arm64/pgtable.c
ut-src-test_vgic := core/vgic.c
ut-src-test_sched := core/sched_pick.c
ut-src-test_ring := domains/runtime/ring.c
ut-src-test_event := core/event.c $(UT_DIR)/host_guest_atomic.c
ut-src-test_console_stream := core/console_stream.c core/console_focus.c
UT_NAMES += test_ratelimit
ut-src-test_ratelimit := core/lib/ratelimit.c
UT_NAMES += test_mmio
ut-src-test_mmio := core/mmio.c
UT_NAMES += test_rpc
ut-src-test_rpc := domains/runtime/rpc.c domains/runtime/ring.c

# The domain-side virtio-blk driver (drivers/virtio) against a simulated
# device in the test, which stands in for its register accessors
# (mmio_access.c, the only file that needs the hardware).
UT_NAMES += test_virtio_blk
ut-src-test_virtio_blk := drivers/virtio/virtio_mmio.c drivers/virtio/virtqueue.c \
	drivers/virtio/virtio_blk.c
$(UT_OBJ)/$(UT_DIR)/test_virtio_blk.o: UT_CFLAGS += -Idrivers/virtio

# The Raspberry Pi 4's real device tree (Debian's kernel package, through
# the Pi files cache of boards/rpi4/targets.mk) with our UART0 overlay.
UT_NAMES += test_rpi4_dt
ut-src-test_rpi4_dt := core/board_dt.c core/lib/format.c
ut-libs-test_rpi4_dt := $(UT_LIBFDT)

# The device rules (core/passthrough_check.c) against QEMU's and the Pi 4's
# trees, and the paired plan-rule fixtures (tests/plan/rules/, below).
UT_NAMES += test_passthrough
ut-src-test_passthrough := core/passthrough_check.c core/board_dt.c core/plan.c core/lib/format.c
ut-libs-test_passthrough := $(UT_LIBFDT)

# The domain-side SD host controller driver (drivers/mmc) and MBR reader
# (drivers/block) against a simulated controller and card in the test,
# which stands in for sdhci_access.c.
UT_NAMES += test_sdhci
ut-src-test_sdhci := drivers/mmc/sdhci.c drivers/block/mbr.c
$(UT_OBJ)/$(UT_DIR)/test_sdhci.o: UT_CFLAGS += -Idrivers/mmc -Idrivers/block

# arch/spinlock.h spins with the arm64 `yield` instruction, which the host's
# assembler does not know: objects that call spin_lock() get host_yield.h,
# an assembler macro standing in for it.
$(UT_OBJ)/core/vgic.o: UT_CFLAGS += -include $(UT_DIR)/host_yield.h

# The domain runtime's ring library (and its test) include the guest ABI's
# <bulkhead/abi/ring.h> and the runtime's "ring.h", as domains/build.mk has them.
$(UT_OBJ)/domains/runtime/ring.o $(UT_OBJ)/$(UT_DIR)/test_ring.o $(UT_OBJ)/domains/runtime/rpc.o \
	$(UT_OBJ)/$(UT_DIR)/test_rpc.o: UT_CFLAGS += -Icore/abi -Idomains/runtime -Wno-unused-parameter

# --- Tests on the fake arch (tests/unit/fakearch/README.md) -------------------------------
# Core files compiled against the fake arch's headers, into objects of their
# own (the other tests compile some of the same files against the real ones).

UT_FAKE_OBJ := $(UT_OBJ)/fake
UT_FAKE_CFLAGS = $(filter-out -Iarch/arm64/include,$(UT_CFLAGS)) \
	-I$(UT_DIR)/fakearch/include -I$(UT_DIR)/fakearch -Iarch/arm64/include \
	-Wno-unused-parameter
UT_FAKE_NAMES := test_partition test_channels test_console test_blk test_vuart
# Disks and block links (core/blk_*.c, vblk.c, virtio_mmio.c, virtq.c) and
# what ending a partition tells them: in every test that ends partitions.
UT_BLK_SRC := core/blk_link.c core/blk_build.c core/vblk.c core/virtio_mmio.c core/virtq.c \
	core/watchdog.c core/fault_inject.c core/device_quiesce.c core/vuart.c core/lib/compat.c \
	core/lib/cmdline.c
ut-fake-src-test_console := core/console.c core/console_stream.c core/console_focus.c core/vgic.c core/lib/format.c $(UT_DIR)/fakearch/fakearch.c \
	$(UT_DIR)/fakearch/fake_core.c
ut-fake-src-test_partition := core/partition_start.c core/partition_end.c \
	core/vcpu_power.c core/vcpu_irq.c core/sched.c core/sched_pick.c core/vgic.c \
	core/vgic_regs.c core/mmio.c core/event.c core/channels.c core/memcarve.c \
	core/guest_console.c core/guest_mem.c core/hypercall.c core/vpsci.c \
	core/smccc_arch.c core/supervise.c core/log.c core/console.c core/console_stream.c core/console_focus.c core/console_domain.c core/control.c core/lib/ratelimit.c \
	core/lib/format.c $(UT_DIR)/fakearch/fakearch.c $(UT_DIR)/fakearch/fake_core.c \
	$(UT_DIR)/host_guest_atomic.c $(UT_DIR)/fakearch/fake_partition.c $(UT_BLK_SRC)

ut-fake-src-test_blk := $(ut-fake-src-test_partition)
ut-fake-src-test_vuart := $(ut-fake-src-test_partition)

ut-fake-src-test_channels := core/channels.c core/guest_dt.c core/event.c core/memcarve.c \
	core/vgic.c core/vcpu_irq.c core/sched.c core/sched_pick.c core/partition_end.c \
	core/partition_start.c core/guest_console.c core/guest_mem.c core/log.c core/console.c core/console_stream.c core/console_focus.c core/console_domain.c core/control.c \
	core/smccc_arch.c core/supervise.c core/lib/ratelimit.c core/lib/format.c \
	$(UT_DIR)/fakearch/fakearch.c $(UT_DIR)/fakearch/fake_core.c $(UT_DIR)/host_guest_atomic.c \
	$(UT_BLK_SRC) core/blk_dt.c core/mmio.c
ut-fake-libs-test_channels := $(UT_LIBFDT)

define ut-fake-link
$(UT_OUT)/$(1): $(patsubst %.c,$(UT_FAKE_OBJ)/%.o,$(UT_DIR)/$(1).c $(ut-fake-src-$(1)))
	$$(call msg,HOSTLD,$$(patsubst $(O)/%,%,$$@))
	$(Q)$(HOSTCC) $(UT_LDFLAGS) -o $$@ $$^ $(ut-fake-libs-$(1)) $(UT_LIBS)
endef
$(foreach t,$(UT_FAKE_NAMES),$(eval $(call ut-fake-link,$(t))))

UT_FAKE_SRCS := $(sort $(foreach t,$(UT_FAKE_NAMES),$(UT_DIR)/$(t).c $(ut-fake-src-$(t))))
UT_FAKE_OBJS := $(patsubst %.c,$(UT_FAKE_OBJ)/%.o,$(UT_FAKE_SRCS))
$(UT_FAKE_OBJS): $(UT_FAKE_OBJ)/%.o: %.c
	$(call msg,HOSTCC,$< (fake arch))
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(UT_FAKE_CFLAGS) -c $< -o $@
-include $(UT_FAKE_OBJS:.o=.d)

UNIT_TESTS := $(addprefix $(UT_OUT)/,$(UT_NAMES) $(UT_FAKE_NAMES))

# Every C file compiled as-is (tests and code under test), each once.
UT_SRCS := $(sort $(foreach t,$(UT_NAMES),$(UT_DIR)/$(t).c $(ut-src-$(t))))
UT_OBJS := $(patsubst %.c,$(UT_OBJ)/%.o,$(UT_SRCS))

define ut-link
$(UT_OUT)/$(1): $(UT_OBJ)/$(UT_DIR)/$(1).o $(patsubst %.c,$(UT_OBJ)/%.o,$(ut-src-$(1))) \
		$(ut-objx-$(1))
	$$(call msg,HOSTLD,$$(patsubst $(O)/%,%,$$@))
	$(Q)$(HOSTCC) $(UT_LDFLAGS) -o $$@ $$(filter %.o,$$^) $(ut-libs-$(1)) $(UT_LIBS)
endef
$(foreach t,$(UT_NAMES),$(eval $(call ut-link,$(t))))

# Static pattern rules: they win over the top-level $(O)/%.o rule, which
# would cross-compile for the hypervisor.
$(UT_OBJS): $(UT_OBJ)/%.o: %.c
	$(call msg,HOSTCC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(UT_CFLAGS) -c $< -o $@

$(UT_OBJ)/core/lib/string-renamed.o: core/lib/string.c
	$(call msg,HOSTCC,$< (renamed))
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(UT_CFLAGS) $(UT_STRING_CFLAGS) -c $< -o $@

-include $(UT_OBJS:.o=.d) $(UT_OBJ)/core/lib/string-renamed.d

# --- Device trees for test_board_dt and test_plan -----------------------------------
# QEMU's own trees for the machine `make run` boots (dumped, not booted), and
# hand-written fixtures, each broken in one way or showing one feature
# (plan-*.dts: partition plans, for test_plan).

UT_QEMU_DTBS := $(UT_OUT)/virt-gicv3.dtb $(UT_OUT)/virt-gicv2.dtb
UT_FIXTURES := $(patsubst $(UT_DIR)/fixtures/%.dts,$(UT_OUT)/fixtures/%.dtb,\
	$(wildcard $(UT_DIR)/fixtures/*.dts))

# QEMU exits right after writing the tree; its "dtb dumped" note is only
# shown (with everything else it said) if it fails.
$(UT_OUT)/virt-gicv%.dtb:
	$(call msg,DUMPDTB,$(patsubst $(O)/%,%,$@))
	$(Q)mkdir -p $(@D)
	$(Q)qemu-system-aarch64 \
		-M virt,virtualization=on,gic-version=$*,dumpdtb=$@.tmp \
		-cpu cortex-a72 -smp 4 -m 1G -nographic -nic none \
		</dev/null >$@.log 2>&1 || { cat $@.log >&2; rm -f $@.tmp; exit 1; }
	$(Q)rm -f $@.log
	$(Q)mv $@.tmp $@

# -q: some fixtures are broken on purpose and dtc would warn about them.
$(UT_OUT)/fixtures/%.dtb: $(UT_DIR)/fixtures/%.dts $(wildcard $(UT_DIR)/fixtures/*.dtsi)
	$(call msg,DTC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)dtc -q -I dts -O dtb -o $@ $<

# The tests find the trees there, without command-line arguments.
$(UT_OBJ)/$(UT_DIR)/test_board_dt.o: UT_CFLAGS += -DUT_DATA_DIR='"$(UT_OUT)"'
$(UT_OUT)/test_board_dt: $(UT_QEMU_DTBS) $(UT_FIXTURES)
$(UT_OBJ)/$(UT_DIR)/test_plan.o: UT_CFLAGS += -DUT_DATA_DIR='"$(UT_OUT)"'
$(UT_OUT)/test_plan: $(UT_FIXTURES)

# The Pi 4 tree and the overlay the SD card carries (boards/rpi4/).
$(UT_OUT)/rpi4/bcm2711-rpi-4-b.dtb: $(RPI4_FETCHED)
	$(Q)mkdir -p $(@D)
	$(Q)cp $(RPI4_FILES)/bcm2711-rpi-4-b.dtb $@

$(UT_OUT)/rpi4/bulkhead-uart0.dtbo: boards/rpi4/bulkhead-uart0.dts
	$(call msg,DTC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)dtc -q -@ -I dts -O dtb -o $@ $<

$(UT_OBJ)/$(UT_DIR)/test_rpi4_dt.o: UT_CFLAGS += -DUT_DATA_DIR='"$(UT_OUT)"'
$(UT_OUT)/test_rpi4_dt: $(UT_OUT)/rpi4/bcm2711-rpi-4-b.dtb $(UT_OUT)/rpi4/bulkhead-uart0.dtbo

# The paired plan-rule fixtures (tests/plan/rules/): the boot side of each
# rule, for test_plan and test_passthrough.
UT_RULES := $(patsubst tests/plan/rules/%.dts,$(UT_OUT)/rules/%.dtb,\
	$(wildcard tests/plan/rules/*.dts))
$(UT_OUT)/rules/%.dtb: tests/plan/rules/%.dts tests/plan/rules/base.dtsi
	$(call msg,DTC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)dtc -q -I dts -O dtb -o $@ $<
$(UT_OBJ)/$(UT_DIR)/test_passthrough.o: UT_CFLAGS += -DUT_DATA_DIR='"$(UT_OUT)"'
$(UT_OUT)/test_plan: $(UT_RULES)
$(UT_OUT)/test_passthrough: $(UT_RULES) $(UT_OUT)/virt-gicv3.dtb \
	$(UT_OUT)/rpi4/bcm2711-rpi-4-b.dtb

.PHONY: unit-tests
unit-tests: $(UNIT_TESTS)
