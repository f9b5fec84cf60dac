obj-y += format.o string.o stack_protector.o compat.o cmdline.o ratelimit.o
