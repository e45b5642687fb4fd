/*
 * fuzz.h - what the libFuzzer targets share: a private scratch directory
 * (on tmpfs when there is one) for the parsers that read a file, writing
 * an input there, and cutting an input into parts at "\n%%\n".
 *
 * Everything is static: each target is one translation unit.
 */
#ifndef DESKMAIL_FUZZ_H
#define DESKMAIL_FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[256];

static inline void
fuzz_cleanup(void)
{
	char cmd[300];

	if (fuzz_dir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir);
	if (system(cmd) != 0)
		fuzz_dir[0] = '\0';
}

/* The scratch directory, made on first use and removed at exit. */
static inline const char *
fuzz_tmpdir(void)
{
	const char *base;

	if (fuzz_dir[0] != '\0')
		return fuzz_dir;
	base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/dm-fuzz.XXXXXX",
	    base ? base : "/tmp");
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fuzz_cleanup);
	return fuzz_dir;
}

/* fuzz_tmpdir()/name, in a static buffer per call site's choice. */
static inline void
fuzz_path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", fuzz_tmpdir(), name);
}

/* Replace the file at path with len bytes of data. */
static inline void
fuzz_write(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || (len > 0 && write(fd, data, len) != (ssize_t)len)) {
		perror(path);
		abort();
	}
	close(fd);
}

/* The bytes as a C string (NULs inside end it early, as a file read
 * would not: callers that care use the length).  The caller frees. */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Cut data at the first "\n%%\n": *a is what comes before it (all of
 * data when there is none), *b what follows (NULL, 0 when none).
 */
static inline void
fuzz_split(const uint8_t *data, size_t size, const uint8_t **b,
    size_t *alen, size_t *blen)
{
	const uint8_t *p = size >= 4 ? memmem(data, size, "\n%%\n", 4) : NULL;

	if (p == NULL) {
		*alen = size;
		*b = NULL;
		*blen = 0;
		return;
	}
	*alen = (size_t)(p - data) + 1;		/* keep the line end */
	*b = p + 4;
	*blen = size - (size_t)(p + 4 - data);
}

#endif
