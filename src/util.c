/*
 * util.c - allocation, buffers, small string helpers, file reading, SHA-256.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/random.h>

#include <nettle/sha2.h>

#include "deskmail/util.h"

static void
oom(void)
{
	fputs("deskmail: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom();
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	char *p;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		oom();
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

static void
buf_grow(struct buf *b, size_t n)
{
	size_t want;

	if (b->len + n + 1 <= b->cap)
		return;
	if (n > SIZE_MAX / 2 - b->len)
		oom();
	want = b->cap ? b->cap : 64;
	while (want < b->len + n + 1)
		want *= 2;
	b->data = xrealloc(b->data, want);
	b->cap = want;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_adds_html(struct buf *b, const char *s)
{
	size_t n;

	for (; *s; s++) {
		/* the run that needs no escaping, at once */
		if ((n = strcspn(s, "&<>\"'")) > 0) {
			buf_add(b, s, n);
			if (*(s += n) == '\0')
				break;
		}
		switch (*s) {
		case '&':	buf_adds(b, "&amp;"); break;
		case '<':	buf_adds(b, "&lt;"); break;
		case '>':	buf_adds(b, "&gt;"); break;
		case '"':	buf_adds(b, "&quot;"); break;
		case '\'':	buf_adds(b, "&#39;"); break;
		default:	buf_addc(b, *s); break;
		}
	}
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		oom();
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	va_end(ap);
}

char *
buf_release(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");

	buf_init(b);
	return p;
}

char *
str_lower(char *s)
{
	char *p;

	for (p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

char *
str_copy(char *dst, size_t len, const char *src, size_t srclen)
{
	size_t n;

	if (len == 0)
		return dst;
	n = srclen < len - 1 ? srclen : len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return dst;
}

char *
str_squeeze(char *s)
{
	char *r = s, *w = s;
	int space = 0;

	while (*r && isspace((unsigned char)*r))
		r++;
	for (; *r; r++) {
		if (isspace((unsigned char)*r)) {
			space = 1;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
	return s;
}

size_t
utf8_char(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t need, k;
	uint32_t c;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		c = s[0] & 0x07;
	} else
		return 0;
	for (k = 1; k <= need; k++) {
		if (k >= n || (s[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	/* overlong forms, surrogates and past U+10FFFF are not UTF-8 */
	if ((need == 2 && c < 0x800) || (need == 3 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return need + 1;
}

int
utf8_valid(const char *str, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((k = utf8_char(str + i, n - i, &cp)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/*
 * Read fd to EOF keeping at most max bytes (*total counts them all), or,
 * with strict, fail as soon as there are more than max.
 */
static dm_err
read_all(int fd, size_t max, int strict, char **out, size_t *len,
    size_t *total)
{
	struct buf b;
	char chunk[65536];
	ssize_t n;

	buf_init(&b);
	buf_add(&b, "", 0);
	*total = 0;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_free(&b);
			return dm_fail(DM_EIO, "read: %s", strerror(errno));
		}
		if (n == 0)
			break;
		*total += (size_t)n;
		if (strict && *total > max) {
			buf_free(&b);
			return dm_fail(DM_ELIMIT, "input larger than %zu bytes",
			    max);
		}
		if (b.len < max)
			buf_add(&b, chunk, (size_t)n > max - b.len ?
			    max - b.len : (size_t)n);
	}
	*len = b.len;
	*out = buf_release(&b);
	return DM_OK;
}

dm_err
read_fd_capped(int fd, size_t max, char **out, size_t *len, size_t *total)
{
	return read_all(fd, max, 0, out, len, total);
}

dm_err
read_fd(int fd, size_t max, char **out, size_t *len)
{
	size_t total;

	/* strict: a path such as /dev/zero would never end */
	return read_all(fd, max, 1, out, len, &total);
}

dm_err
read_file(const char *path, size_t max, char **out, size_t *len)
{
	dm_err err;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return dm_fail(errno == ENOENT ? DM_ENOTFOUND : DM_EIO,
		    "%s: %s", path, strerror(errno));
	err = read_fd(fd, max, out, len);
	close(fd);
	if (err != DM_OK)
		return dm_fail(err, "%s: %s", path, dm_errdetail());
	return DM_OK;
}

static void
sha256_finish(struct sha256_ctx *ctx, char hex[65])
{
	unsigned char md[SHA256_DIGEST_SIZE];
	static const char digits[] = "0123456789abcdef";
	size_t i;

	sha256_digest(ctx, sizeof(md), md);
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

void
sha256_hex(const void *data, size_t len, char hex[65])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_finish(&ctx, hex);
}

void
sha256_hex_lines(const void *data, size_t len, char hex[65])
{
	const unsigned char *p = data, *end = p + len, *cr;
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	while (p < end) {
		cr = memchr(p, '\r', (size_t)(end - p));
		if (cr == NULL || cr + 1 == end) {
			sha256_update(&ctx, (size_t)(end - p), p);
			break;
		}
		/* the run up to the CR, then the CR unless an LF follows */
		sha256_update(&ctx, (size_t)(cr - p), p);
		if (cr[1] != '\n')
			sha256_update(&ctx, 1, cr);
		p = cr + 1;
	}
	sha256_finish(&ctx, hex);
}

dm_err
random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = getrandom(p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return dm_fail(DM_ESOFTWARE, "getrandom: %s",
			    strerror(errno));
		p += r;
		n -= (size_t)r;
	}
	return DM_OK;
}

int
address_valid(const char *a)
{
	const char *at = strchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@'))
		return 0;
	for (; *a; a++)
		if ((unsigned char)*a <= ' ' || *a == '<' || *a == '>' ||
		    *a == ',' || *a == ';' || (unsigned char)*a == 0x7f)
			return 0;
	return 1;
}

unsigned
str_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}
