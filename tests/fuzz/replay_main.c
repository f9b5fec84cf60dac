/*
 * Corpus replay without libFuzzer: `make test` links each fuzz harness with
 * this main() (gcc, ASan and UBSan, as the unit tests) and runs it over the
 * harness's corpus, so every input the fuzzer kept, and every crash it
 * found, is a regression test on any machine, clang or not.
 *
 * usage: replay_<harness> FILE|DIR...
 * Runs LLVMFuzzerTestOneInput once on each file (a directory's files in
 * name order); prints how many and exits 0. An input that breaks an
 * invariant or trips a sanitizer ends the run with that input's name.
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* The sanitizers' runtime calls this before it ends the process; weak, so
 * that the driver also links without one (e.g. for a gcov build). */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static const char *current;

static void name_input(void)
{
	if (current)
		fprintf(stderr, "replay: failed on input %s\n", current);
}

static void on_abort(int sig)
{
	name_input();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(path);
		fclose(f);
		return -1;
	}
	/* A block of exactly the input's size (at least 1 byte for malloc),
	 * as libFuzzer hands it over: ASan sees a read past it. */
	data = malloc(size ? (size_t)size : 1);
	if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "%s: cannot read\n", path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	current = path;
	LLVMFuzzerTestOneInput(data, (size_t)size);
	current = NULL;
	free(data);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir, in name order. Returns how many ran, or -1. */
static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ran = 0;

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (!names[n])
			abort();
		sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (ran >= 0 && !stat(names[i], &st) && S_ISREG(st.st_mode))
			ran = run_file(names[i]) ? -1 : ran + 1;
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	int total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(name_input);
	signal(SIGABRT, on_abort);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int ran;

		if (stat(argv[i], &st)) {
			perror(argv[i]);
			return 1;
		}
		ran = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]) ? -1 : 1;
		if (ran < 0)
			return 1;
		total += ran;
	}
	printf("%d inputs replayed\n", total);
	return total ? 0 : 1;
}
