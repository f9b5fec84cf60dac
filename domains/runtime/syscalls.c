/*
 * newlib's system-call layer for domains: the console is the hypervisor's
 * (a hypercall), memory is the partition's RAM, and there are no files.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "bulkhead.h"
#include "runtime.h"

int _write(int fd, const char *buf, int len);
int _read(int fd, char *buf, int len);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _lseek(int fd, int off, int whence);
void *_sbrk(ptrdiff_t incr);
void _exit(int code);
int _kill(int pid, int sig);
int _getpid(void);

int _write(int fd, const char *buf, int len)
{
	int done = 0;

	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	while (done < len) {
		int chunk = len - done > BH_CONSOLE_WRITE_MAX ? BH_CONSOLE_WRITE_MAX : len - done;
		struct bh_result r = bh_hvc(BH_HC_CONSOLE_WRITE, (uint64_t)(buf + done),
					    (uint64_t)chunk, 0);

		if (r.status != BH_OK) {
			errno = EIO;
			return done ? done : -1;
		}
		done += (int)r.r1;
	}
	return done;
}

int _read(int fd, char *buf, int len)
{
	(void)fd;
	(void)buf;
	(void)len;
	return 0; /* no console input yet */
}

int _close(int fd)
{
	(void)fd;
	return -1;
}

int _fstat(int fd, struct stat *st)
{
	(void)fd;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR;
	return 0;
}

int _isatty(int fd)
{
	return fd <= 2;
}

int _lseek(int fd, int off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	return 0;
}

void *_sbrk(ptrdiff_t incr)
{
	static char *brk;
	char *old;

	if (!brk)
		brk = runtime_heap_start;
	if (incr > runtime_heap_end - brk || incr < runtime_heap_start - brk) {
		errno = ENOMEM;
		return (void *)-1;
	}
	old = brk;
	brk += incr;
	return old;
}

void _exit(int code)
{
	(void)code;
	bh_stop();
}

int _kill(int pid, int sig)
{
	(void)pid;
	(void)sig;
	errno = EINVAL;
	return -1;
}

int _getpid(void)
{
	return 1;
}
