#!/usr/bin/python3
"""Checks a configuration (a defconfig or .config) against the Kconfig tree
before Kconfiglib's own tools read it, and stops the build where they would
only warn: a number outside its `range` (Kconfiglib falls back on the
default, so CONFIG_PART0_MEM_MB=8192 with `range 1 4096` became 16 MiB and
the build went on), a value that is not a number, or anything else
Kconfiglib warns about while loading it (all of them name the option). The
Makefile runs it before defconfig, olddefconfig and genconfig.

usage: kconfig-check.py KCONFIG CONFIG
exit status: 0 ok, 1 the configuration has errors (on stderr), 2 usage
"""
import sys

import kconfiglib


def active_range(sym):
    """The (low, high) of the first range whose condition holds, or None."""
    base = 16 if sym.orig_type is kconfiglib.HEX else 10
    for low, high, cond in sym.ranges:
        if kconfiglib.expr_value(cond):
            return tuple(int(x.str_value, base) if x.str_value else 0 for x in (low, high))
    return None


def check(kconfig, config):
    kconf = kconfiglib.Kconfig(kconfig, warn_to_stderr=False, suppress_traceback=True)
    kconf.load_config(config)
    errors = []
    for sym in kconf.unique_defined_syms:
        if sym.orig_type not in (kconfiglib.INT, kconfiglib.HEX) or sym.user_value is None \
                or not sym.visibility:
            continue
        base = 16 if sym.orig_type is kconfiglib.HEX else 10
        try:
            value = int(sym.user_value, base)
        except ValueError:
            continue  # Kconfiglib has already warned (below)
        rng = active_range(sym)
        if rng and not rng[0] <= value <= rng[1]:
            show = hex if base == 16 else str
            errors.append(f"CONFIG_{sym.name}={sym.user_value} in {config} is outside its "
                          f"range {show(rng[0])}-{show(rng[1])} (Kconfig would quietly use "
                          "the default instead)")
    # Evaluating every symbol makes Kconfiglib say all it has to say; the
    # range warnings are reported above, with the option's name first.
    for sym in kconf.unique_defined_syms:
        sym.str_value
    errors += [w.replace("warning: ", "", 1) for w in kconf.warnings
               if "outside the active range" not in w]
    return errors


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    errors = check(argv[1], argv[2])
    for e in errors:
        print(f"kconfig error: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
