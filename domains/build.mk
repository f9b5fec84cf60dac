# Domains: bare-metal programs on newlib with the domain runtime, linked at
# the partition RAM base and turned into flat images that the hypervisor
# image carries. Included by the top-level Makefile.
#
# A domain is a folder whose .c files are its program: the product's are
# domains/<name>/, the test-only ones live in the folder of the QEMU
# scenario they were written for (tests/qemu/<scenario>/<name>/). Every
# domain is built; tools/mkplan.py packs the test-only ones into the image
# only with CONFIG_TEST_DOMAINS.

DOMAIN_DIRS := $(filter-out domains/runtime/,$(sort $(dir $(wildcard domains/*/*.c \
	tests/qemu/*/*/*.c))))
DOMAIN_NAMES := $(notdir $(patsubst %/,%,$(DOMAIN_DIRS)))
NEWLIB_DIR := $(NEWLIB_OUT)/install/aarch64-none-elf
LIBGCC = $(shell $(CC) -print-libgcc-file-name)

DOM_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-common \
	-fno-stack-protector -march=armv8-a -mno-outline-atomics -fno-pie \
	-nostdinc -isystem $(NEWLIB_DIR)/include -isystem $(GCC_INC) -I$(O)/include \
	-Icore/abi -Idomains/runtime -Idrivers/virtio -Idrivers/serial -Idrivers/mmc \
	-Idrivers/block -MMD -MP

runtime-objs := $(patsubst %.c,$(O)/%.o,$(wildcard domains/runtime/*.c)) \
	$(patsubst %.S,$(O)/%.o,$(wildcard domains/runtime/*.S))

$(O)/domains/%.o: domains/%.c $(NEWLIB_STAMP) | $(LIBFDT_HDRS)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(DOM_CFLAGS) -c $< -o $@

$(O)/domains/%.o: domains/%.S
	$(call msg,AS,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(DOM_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(O)/tests/qemu/%.o: tests/qemu/%.c $(NEWLIB_STAMP) | $(LIBFDT_HDRS)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(DOM_CFLAGS) -c $< -o $@

# Domain-side drivers (drivers/virtio/: virtio-mmio, virtio-blk;
# drivers/serial/: PL011; drivers/mmc/: SD host controller; drivers/block/:
# partition tables), built
# with the domains' flags into an archive that every domain links: a domain
# gets only the members it calls, the others cost it nothing.
DOMAIN_AR := $(CROSS_COMPILE)ar
# (The hypervisor's own drivers, drivers/uart and drivers/irqchip, are
# built by the top-level Makefile with its flags.)
DOMAIN_DRIVER_DIRS := virtio serial mmc block
domain-drivers-objs := $(patsubst %.c,$(O)/%.o,$(wildcard \
	$(foreach d,$(DOMAIN_DRIVER_DIRS),drivers/$(d)/*.c)))
DOMAIN_DRIVERS_A := $(O)/drivers/libdomain-drivers.a

define domain-driver-rule
$(O)/drivers/$(1)/%.o: drivers/$(1)/%.c $(NEWLIB_STAMP) | $(LIBFDT_HDRS)
	$$(call msg,CC,$$<)
	$(Q)mkdir -p $$(@D)
	$(Q)$(CC) $(DOM_CFLAGS) -c $$< -o $$@
endef
$(foreach d,$(DOMAIN_DRIVER_DIRS),$(eval $(call domain-driver-rule,$(d))))

$(DOMAIN_DRIVERS_A): $(domain-drivers-objs)
	$(call msg,AR,$(patsubst $(O)/%,%,$@))
	$(Q)rm -f $@
	$(Q)$(DOMAIN_AR) rcs $@ $^
-include $(domain-drivers-objs:.o=.d)

# $(1): domain name, $(2): its source folder
define domain-rules
$(1)-objs := $$(patsubst %.c,$(O)/%.o,$$(wildcard $(2)*.c))
$(O)/domains/$(1)/$(1).elf: $$($(1)-objs) $(runtime-objs) $(DOMAIN_DRIVERS_A) domains/runtime/domain.lds
	$$(call msg,LD,domains/$(1)/$(1).elf)
	$(Q)mkdir -p $$(@D)
	$(Q)$(LD) -T domains/runtime/domain.lds --gc-sections --no-warn-rwx-segments -o $$@ \
		$(runtime-objs) $$($(1)-objs) --start-group $(DOMAIN_DRIVERS_A) $(LIBFDT_A) \
		$(NEWLIB_DIR)/lib/libc.a $$(LIBGCC) --end-group
$(O)/domains/$(1)/$(1).bin: $(O)/domains/$(1)/$(1).elf
	$$(call msg,OBJCOPY,domains/$(1)/$(1).bin)
	$(Q)$(OBJCOPY) -O binary $$< $$@
-include $$($(1)-objs:.o=.d)
endef
$(foreach d,$(DOMAIN_DIRS),$(eval $(call domain-rules,$(notdir $(patsubst %/,%,$(d))),$(d))))
-include $(runtime-objs:.o=.d)

DOMAIN_IMAGES := $(foreach d,$(DOMAIN_NAMES),$(O)/domains/$(d)/$(d).bin)

domains: $(DOMAIN_IMAGES)
