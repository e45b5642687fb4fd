/*
 * util.h - small helpers: allocation that cannot return NULL, a growable
 * byte buffer, string odds and ends.
 */
#ifndef DESKMAIL_UTIL_H
#define DESKMAIL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "deskmail/err.h"

/* Allocation: abort with a message on out-of-memory (nothing to recover). */
void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *p, size_t n);
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable buffer; data is always NUL-terminated. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *b);
void	 buf_free(struct buf *b);
void	 buf_add(struct buf *b, const void *p, size_t n);
void	 buf_addc(struct buf *b, char c);
void	 buf_adds(struct buf *b, const char *s);
/* s with & < > " ' as HTML entities: safe in text and quoted attributes. */
void	 buf_adds_html(struct buf *b, const char *s);
void	 buf_addf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Give away the data (caller frees); the buffer is empty afterwards. */
char	*buf_release(struct buf *b);

/* Lower-case s in place (ASCII) and return it. */
char	*str_lower(char *s);
/* src into dst of len bytes, cut at len - 1 as snprintf "%s" would (no
 * printf: pages copy names and languages dozens of times); dst. */
char	*str_copy(char *dst, size_t len, const char *src, size_t srclen);

/* Nonzero if a looks like local@domain with nothing that breaks a header
 * or a list (spaces, controls, <>,;). */
int	address_valid(const char *a);
/* Collapse runs of white space to one space and trim, in place. */
char	*str_squeeze(char *s);
/* Nonzero if s (length n) is valid UTF-8. */
int	 utf8_valid(const char *s, size_t n);
/*
 * The length of the one UTF-8 character at s (at most n bytes) with its
 * code point in *cp, or 0 if the bytes there are not UTF-8.
 */
size_t	 utf8_char(const char *s, size_t n, uint32_t *cp);

/* Read a whole file; *out is NUL-terminated, the caller frees it. */
dm_err	 read_file(const char *path, size_t max, char **out, size_t *len);
/*
 * Read all of fd (to EOF), keeping at most the first max bytes; *total
 * is how many there were.  *out is NUL-terminated; the caller frees it.
 */
dm_err	 read_fd_capped(int fd, size_t max, char **out, size_t *len,
	    size_t *total);
/* Read all of fd (to EOF); fails with DM_ELIMIT past max bytes. */
dm_err	 read_fd(int fd, size_t max, char **out, size_t *len);

/* n bytes from the kernel's random source (getrandom). */
dm_err	 random_bytes(void *buf, size_t n);

/* SHA-256 of data as 64 lower-case hex digits into hex (65 bytes). */
void	 sha256_hex(const void *data, size_t len, char hex[65]);

/* The same, with every CRLF read as LF (the hash of the text, not of how
 * a transport stored its line ends). */
void	 sha256_hex_lines(const void *data, size_t len, char hex[65]);

/* FNV-1a of a string: for the small tables of names looked up often. */
unsigned str_hash(const char *s);

#endif
