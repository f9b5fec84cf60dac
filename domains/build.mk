# Domains: bare-metal programs on newlib with the domain runtime, linked at
# the partition RAM base and turned into flat images that the hypervisor
# image carries. Included by the top-level Makefile.
#
# A domain is a folder domains/<name>/ whose .c files are its program.

DOMAIN_NAMES := $(sort $(filter-out runtime,$(notdir $(patsubst %/,%,$(dir $(wildcard domains/*/*.c))))))
NEWLIB_DIR := $(NEWLIB_OUT)/install/aarch64-none-elf
LIBGCC = $(shell $(CC) -print-libgcc-file-name)

DOM_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-common \
	-fno-stack-protector -march=armv8-a -mno-outline-atomics -fno-pie \
	-nostdinc -isystem $(NEWLIB_DIR)/include -isystem $(GCC_INC) -I$(O)/include \
	-Icore/abi -Idomains/runtime -MMD -MP

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

# $(1): domain name
define domain-rules
$(1)-objs := $$(patsubst %.c,$(O)/%.o,$$(wildcard domains/$(1)/*.c))
$(O)/domains/$(1)/$(1).elf: $$($(1)-objs) $(runtime-objs) domains/runtime/domain.lds
	$$(call msg,LD,domains/$(1)/$(1).elf)
	$(Q)$(LD) -T domains/runtime/domain.lds --gc-sections --no-warn-rwx-segments -o $$@ \
		$(runtime-objs) $$($(1)-objs) --start-group $(LIBFDT_A) \
		$(NEWLIB_DIR)/lib/libc.a $$(LIBGCC) --end-group
$(O)/domains/$(1)/$(1).bin: $(O)/domains/$(1)/$(1).elf
	$$(call msg,OBJCOPY,domains/$(1)/$(1).bin)
	$(Q)$(OBJCOPY) -O binary $$< $$@
-include $$($(1)-objs:.o=.d)
endef
$(foreach d,$(DOMAIN_NAMES),$(eval $(call domain-rules,$(d))))
-include $(runtime-objs:.o=.d)

DOMAIN_IMAGES := $(foreach d,$(DOMAIN_NAMES),$(O)/domains/$(d)/$(d).bin)

domains: $(DOMAIN_IMAGES)
