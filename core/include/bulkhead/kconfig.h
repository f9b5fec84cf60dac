/*
 * IS_ENABLED(CONFIG_FOO): 1 if the option is set to y, else 0, usable in
 * plain C conditions so that both branches are always compiled.
 * Kconfig's header defines an enabled bool as 1 and leaves a disabled one
 * undefined; the helper turns "defined as 1" into a macro argument count.
 */
#ifndef BULKHEAD_KCONFIG_H
#define BULKHEAD_KCONFIG_H

#define KCONFIG_ARG_1 0,
#define KCONFIG_SECOND(ignored, val, ...) val
#define KCONFIG_PICK(arg_or_junk) KCONFIG_SECOND(arg_or_junk 1, 0, 0)
#define KCONFIG_PASTE(val) KCONFIG_PICK(KCONFIG_ARG_##val)
#define IS_ENABLED(option) KCONFIG_PASTE(option)

#endif
