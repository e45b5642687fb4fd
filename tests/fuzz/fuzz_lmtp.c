/*
 * fuzz_lmtp.c - libFuzzer target: one input is what an LMTP client sends,
 * cut into lines as lmtp_server.c cuts them and given to lmtp_command();
 * after a DATA that was accepted, the bytes that follow are the message,
 * fed to lmtp_data_feed() in pieces whose sizes the input's first byte
 * picks.  Checks what lmtp.h promises:
 *   - every reply line is three digits, a space or a dash, text, CRLF,
 *     with no other CR or LF;
 *   - DATA is taken only with a recipient, and afterwards there is one
 *     reply per recipient;
 *   - the trace fields we write are one Return-Path and at most one
 *     Delivered-To per recipient, each a single line;
 *   - the message kept is never over the limit, and the same bytes fed
 *     one at a time give the same message and the same end.
 */
#include <string.h>
#include <sysexits.h>

#include "deskmail/lmtp.h"

#include "fuzz.h"

#define MAX_BYTES	2048

static void
check_replies(const struct buf *out, size_t from)
{
	const char *p = out->data + from, *end = out->data + out->len, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    nl - p < 5 || nl[-1] != '\r')
			abort();
		if (p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
		    p[2] < '0' || p[2] > '9' || (p[3] != ' ' && p[3] != '-'))
			abort();
		if (memchr(p, '\r', (size_t)(nl - 1 - p)) != NULL)
			abort();
		p = nl + 1;
	}
}

static size_t
count_lines(const char *p, size_t n)
{
	size_t i, lines = 0;

	for (i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines;
}

/* The message from p; returns the bytes it used. */
static size_t
message(struct lmtp_session *s, const char *p, size_t n, size_t piece,
    struct buf *out)
{
	struct lmtp_data d, one;
	size_t used = 0, k, used_one = 0, before = out->len;

	lmtp_data_begin(&d, s, MAX_BYTES);
	lmtp_data_begin(&one, s, MAX_BYTES);
	if (strncmp(d.msg.data, "Return-Path: <", 14) != 0 ||
	    count_lines(d.msg.data, d.prefix) < 2 ||
	    count_lines(d.msg.data, d.prefix) > 1 + s->nrcpt)
		abort();
	while (used < n && !d.done) {
		k = n - used < piece ? n - used : piece;
		used += lmtp_data_feed(&d, p + used, k);
	}
	while (used_one < n && !one.done)
		used_one += lmtp_data_feed(&one, p + used_one, 1);
	if (used != used_one || d.done != one.done || d.size != one.size ||
	    d.msg.len != one.msg.len ||
	    memcmp(d.msg.data, one.msg.data, d.msg.len) != 0)
		abort();
	if (d.msg.len - d.prefix > MAX_BYTES || d.size < d.msg.len - d.prefix)
		abort();
	if (d.done) {
		k = s->nrcpt;
		lmtp_replies(s, &d, used % 2 ? EX_OK : EX_TEMPFAIL,
		    "ticket 1 new\r\nInjected: yes", out);
		if (count_lines(out->data + before, out->len - before) != k ||
		    s->nrcpt != 0 || s->state != LMTP_READY)
			abort();
	}
	lmtp_data_free(&d);
	lmtp_data_free(&one);
	return d.done ? used : n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dm_config cfg;
	struct lmtp_session s;
	struct buf out;
	const char *p, *end, *lf;
	size_t piece, len, before;
	enum lmtp_next next;

	if (size < 1)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.address = "help@example.org";
	cfg.lmtp_accept = data[0] & 0x80 ? "all" : "own";
	cfg.limits.max_message_bytes = MAX_BYTES;
	piece = (data[0] & 0x7f) + 1;
	p = (const char *)data + 1;
	end = (const char *)data + size;
	buf_init(&out);
	lmtp_session_init(&s, &cfg, "desk.example.org");
	lmtp_greeting(&s, &out);
	while (p < end) {
		if ((lf = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		len = (size_t)(lf - p);
		before = out.len;
		if (len + 1 > LMTP_LINE_MAX)
			next = lmtp_bad_line(&s, "line too long", &out);
		else if (len == 0 || p[len - 1] != '\r')
			next = lmtp_bad_line(&s, "bare LF", &out);
		else
			next = lmtp_command(&s, p, len - 1, &out);
		if (count_lines(out.data + before, out.len - before) < 1)
			abort();
		p = lf + 1;
		if (next == LMTP_NEXT_CLOSE)
			break;
		if (next == LMTP_NEXT_DATA) {
			if (s.nrcpt == 0 || s.state != LMTP_RCPT)
				abort();
			p += message(&s, p, (size_t)(end - p), piece, &out);
		}
	}
	check_replies(&out, 0);
	lmtp_session_free(&s);
	buf_free(&out);
	return 0;
}
