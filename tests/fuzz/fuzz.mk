# Host-side fuzzing (docs/fuzzing.md). Included by the top-level Makefile
# after tests/unit/unit.mk, whose flags, libfdt and fixtures it reuses.
#
# Each harness tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput()
# and is built twice, both times with ASan and UBSan (fatal):
#
#   $(O)/tests/fuzz/fuzz_<name>    clang + libFuzzer, for `make fuzz` only
#                                  (tools/install-deps.sh --fuzz installs clang)
#   $(O)/tests/fuzz/replay_<name>  gcc + replay_main.c, built for `make test`
#                                  and `make unit-test`, which replay
#                                  tests/fuzz/corpus/<name>/ (tests/run.py)
#
# `make fuzz` runs every fuzzer for FUZZ_SECONDS (default 60) from its
# working corpus $(O)/tests/fuzz/work/<name>/ (kept between runs), the
# committed corpus tests/fuzz/corpus/<name>/ and the seeds below; merges
# into the committed corpus what reaches new code; and prints each one's
# executions and coverage (tests/fuzz/run-fuzz.sh). Nothing on the plain
# `make` / `make test` path needs clang.

FZ_DIR := tests/fuzz
FZ_OUT := $(O)/tests/fuzz
FZ_GEN := $(FZ_OUT)/gen
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang-14

FZ_NAMES := plan board_dt ring rpc event vgic console sdhci

# Code under test (as the unit tests link it), the largest input worth
# trying, and directories of extra seeds (read, never written).
fz-src-plan := core/plan.c core/lib/format.c
fz-libs-plan := $(UT_LIBFDT)
fz-max-len-plan := 4096
fz-seeds-plan := $(UT_OUT)/fixtures $(FZ_OUT)/seeds/plan
fz-src-board_dt := core/board_dt.c core/lib/format.c
fz-libs-board_dt := $(UT_LIBFDT)
fz-max-len-board_dt := 12288
fz-seeds-board_dt := $(UT_OUT)/fixtures
fz-src-ring := domains/runtime/ring.c
fz-max-len-ring := 1024
fz-src-rpc := domains/runtime/rpc.c domains/runtime/ring.c
fz-max-len-rpc := 1024
fz-src-event := core/event.c tests/unit/host_guest_atomic.c
fz-max-len-event := 512
fz-src-vgic := core/vgic.c
fz-max-len-vgic := 1024
fz-src-console := core/console_stream.c core/console_focus.c
fz-max-len-console := 2048
fz-src-sdhci := drivers/mmc/sdhci.c drivers/block/mbr.c
fz-max-len-sdhci := 4096

FUZZERS := $(addprefix $(FZ_OUT)/fuzz_,$(FZ_NAMES))
FZ_REPLAYS := $(addprefix $(FZ_OUT)/replay_,$(FZ_NAMES))

# The unit tests' flags (host_config.h, ASan, UBSan), plus the harnesses'
# own directory and the domain runtime's headers (ring.h, bulkhead.h).
FZ_REPLAY_CFLAGS = $(UT_CFLAGS) -I$(FZ_DIR) -Idomains/runtime -Idrivers/mmc -Idrivers/block
FZ_FUZZ_CFLAGS = $(filter-out -fsanitize=%,$(UT_CFLAGS)) -I$(FZ_DIR) -I$(FZ_GEN) \
	-Idomains/runtime -Idrivers/mmc -Idrivers/block -fsanitize=fuzzer,address,undefined
FZ_FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined

# --- Objects --------------------------------------------------------------------
# Every source once per build, under obj-fuzz/ (clang) and obj-replay/ (gcc).

FZ_SRCS := $(sort $(foreach n,$(FZ_NAMES),$(FZ_DIR)/fuzz_$(n).c $(fz-src-$(n))))
FZ_REPLAY_OBJS := $(patsubst %.c,$(FZ_OUT)/obj-replay/%.o,$(FZ_SRCS) $(FZ_DIR)/replay_main.c)
# rpc.c includes bulkhead.h, whose bh_hvc() holds arm64 register variables
# that clang rejects even unused (gcc ignores them): clang compiles a copy
# of rpc.c next to a copy of bulkhead.h without bh_hvc and bh_hvc4 (rpc.c does not call
# it), and fuzz_rpc.c finds that copy first too (-I$(FZ_GEN)). #line keeps
# the real file's name in messages and stack traces.
FZ_FUZZ_OBJS := $(patsubst %.c,$(FZ_OUT)/obj-fuzz/%.o,\
	$(filter-out domains/runtime/rpc.c,$(FZ_SRCS)))
FZ_FUZZ_RPC_OBJ := $(FZ_OUT)/obj-fuzz/gen/rpc.o

fz-objs = $(patsubst %.c,$(FZ_OUT)/obj-$(1)/%.o,$(FZ_DIR)/fuzz_$(2).c $(fz-src-$(2)))

$(FZ_REPLAY_OBJS): $(FZ_OUT)/obj-replay/%.o: %.c
	$(call msg,HOSTCC,$< (replay))
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(FZ_REPLAY_CFLAGS) -c $< -o $@

# clang is only installed (and only run) when a fuzzer is built.
$(FZ_FUZZ_OBJS): $(FZ_OUT)/obj-fuzz/%.o: %.c | fuzz-deps
	$(call msg,CLANG,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FZ_FUZZ_CFLAGS) -c $< -o $@

$(FZ_GEN)/bulkhead.h: domains/runtime/bulkhead.h
	$(Q)mkdir -p $(@D)
	$(Q)sed '/^static inline struct bh_result bh_hvc[0-9]*(/,/^}/d' $< >$@.tmp
	$(Q)! grep -q 'bh_hvc[0-9]*(' $@.tmp || { echo "$@: bh_hvc() not removed" >&2; exit 1; }
	$(Q)mv $@.tmp $@

$(FZ_GEN)/rpc.c: domains/runtime/rpc.c $(FZ_GEN)/bulkhead.h
	$(Q)mkdir -p $(@D)
	$(Q){ echo '#line 1 "$<"'; cat $<; } >$@

$(FZ_OUT)/obj-fuzz/$(FZ_DIR)/fuzz_rpc.o: $(FZ_GEN)/bulkhead.h

$(FZ_FUZZ_RPC_OBJ): $(FZ_GEN)/rpc.c | fuzz-deps
	$(call msg,CLANG,domains/runtime/rpc.c (copy))
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FZ_FUZZ_CFLAGS) -c $< -o $@

# Objects that call spin_lock() (vgic.c) get the host's stand-in for the
# arm64 `yield` instruction, as in unit.mk.
$(FZ_OUT)/obj-replay/core/vgic.o: FZ_REPLAY_CFLAGS += -include $(UT_DIR)/host_yield.h
$(FZ_OUT)/obj-fuzz/core/vgic.o: FZ_FUZZ_CFLAGS += -include $(UT_DIR)/host_yield.h

-include $(FZ_REPLAY_OBJS:.o=.d) $(FZ_FUZZ_OBJS:.o=.d) $(FZ_FUZZ_RPC_OBJ:.o=.d)

# --- Executables ------------------------------------------------------------------

define fz-link
$(FZ_OUT)/replay_$(1): $(call fz-objs,replay,$(1)) $(FZ_OUT)/obj-replay/$(FZ_DIR)/replay_main.o
	$$(call msg,HOSTLD,$$(patsubst $(O)/%,%,$$@))
	$(Q)$(HOSTCC) $(UT_LDFLAGS) -o $$@ $$^ $(fz-libs-$(1))

$(FZ_OUT)/fuzz_$(1): $(patsubst $(FZ_OUT)/obj-fuzz/domains/runtime/rpc.o,$(FZ_FUZZ_RPC_OBJ),\
		$(call fz-objs,fuzz,$(1)))
	$$(call msg,CLANGLD,$$(patsubst $(O)/%,%,$$@))
	$(Q)$(FUZZ_CC) $(FZ_FUZZ_LDFLAGS) -o $$@ $$^ $(fz-libs-$(1))
endef
$(foreach n,$(FZ_NAMES),$(eval $(call fz-link,$(n))))

# --- Seeds --------------------------------------------------------------------------
# The QEMU tests' plans, compiled; the unit tests' fixtures come from unit.mk.

FZ_PLAN_SEEDS := $(patsubst tests/qemu/%/plan.dts,$(FZ_OUT)/seeds/plan/%.dtb,\
	$(wildcard tests/qemu/*/plan.dts))

$(FZ_OUT)/seeds/plan/%.dtb: tests/qemu/%/plan.dts
	$(call msg,DTC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)dtc -q -I dts -O dtb -o $@ $<

# --- Targets ------------------------------------------------------------------------

.PHONY: fuzz-deps fuzzers fuzz-replay
fuzz-deps:
	$(Q)tools/install-deps.sh --quiet --fuzz

fuzzers: $(FUZZERS)
fuzz-replay: $(FZ_REPLAYS)

# The test runs replay the corpus (tests/run.py, run_fuzz_replay).
test unit-test: $(FZ_REPLAYS)

# One argument per fuzzer for run-fuzz.sh: name:max_len[:seed directory...].
fz-empty :=
fz-space := $(fz-empty) $(fz-empty)
fz-spec = $(subst $(fz-space),:,$(strip $(1) $(fz-max-len-$(1)) $(fz-seeds-$(1))))

fuzz: $(FUZZERS) $(FZ_PLAN_SEEDS) $(UT_FIXTURES)
	$(Q)$(FZ_DIR)/run-fuzz.sh $(FZ_OUT) $(FUZZ_SECONDS) \
		$(foreach n,$(FZ_NAMES),$(call fz-spec,$(n)))
