# QEMU virt: what the build needs of this board (included by the Makefile
# for BOARD=qemu-virt).
#
# The board's device tree, for tools/mkplan.py's device checks: QEMU's own,
# dumped with the options in qemu.conf.
PLAN_BOARD_DTB := $(PLAN_DIR)/board.dtb
$(PLAN_BOARD_DTB): boards/qemu-virt/qemu.conf | deps
	$(call msg,DUMPDTB,$(patsubst $(O)/%,%,$@))
	$(Q)mkdir -p $(@D)
	$(Q). ./boards/qemu-virt/qemu.conf && $$QEMU_SYSTEM -M $$QEMU_MACHINE,dumpdtb=$@.tmp \
		-cpu $$QEMU_CPU -smp $$QEMU_SMP -m $$QEMU_MEM -nographic -nic none \
		</dev/null >$@.log 2>&1 || { cat $@.log >&2; rm -f $@.tmp; exit 1; }
	$(Q)rm -f $@.log && mv $@.tmp $@
