/*
 * lmtp.h - the LMTP protocol (RFC 2033) as deskmail's MTA speaks it,
 * without the sockets: commands in, replies out, the message's bytes
 * un-dot-stuffed.  lmtp_server.c does the I/O; the fuzz target drives
 * this directly.
 *
 * LMTP is SMTP with LHLO for EHLO and, after DATA, one reply per accepted
 * recipient.  The MTA hears 250 only once the message committed, so a
 * message is never both acknowledged and lost; anything else is a
 * temporary failure it retries, except a message over the size limit
 * (552), which retrying cannot fix.
 */
#ifndef DESKMAIL_LMTP_H
#define DESKMAIL_LMTP_H

#include <stddef.h>

#include "deskmail/config.h"
#include "deskmail/util.h"

/* a command line, CRLF included (RFC 5321 asks for 512 at least) */
#define LMTP_LINE_MAX	1000
/* accepted recipients of one message (RFC 5321 asks for 100 at least) */
#define LMTP_RCPT_MAX	100
/* a path in MAIL or RCPT, without its brackets */
#define LMTP_PATH_MAX	256
/* bad commands before the connection is closed */
#define LMTP_ERRORS_MAX	10

enum lmtp_state {
	LMTP_START,		/* before LHLO */
	LMTP_READY,		/* no mail transaction */
	LMTP_MAIL,		/* after MAIL */
	LMTP_RCPT		/* at least one recipient accepted */
};

struct lmtp_session {
	const struct dm_config	*cfg;
	const char		*host;		/* our name, in replies */
	enum lmtp_state		 state;
	char			 from[LMTP_PATH_MAX + 1];	/* "" for <> */
	char			**rcpt;		/* accepted, in order */
	size_t			 nrcpt;
	int			 errors;
};

/* What the connection does next. */
enum lmtp_next {
	LMTP_NEXT_COMMAND,
	LMTP_NEXT_DATA,		/* read the message (lmtp_data_*) */
	LMTP_NEXT_CLOSE		/* after sending what is in out */
};

void	lmtp_session_init(struct lmtp_session *s, const struct dm_config *cfg,
	    const char *host);
void	lmtp_session_free(struct lmtp_session *s);

/* The 220 greeting. */
void	lmtp_greeting(struct lmtp_session *s, struct buf *out);

/*
 * One command line, without its CRLF; its reply goes to out.  A line that
 * ended in a bare LF or ran past LMTP_LINE_MAX goes to lmtp_bad_line()
 * instead.
 */
enum lmtp_next lmtp_command(struct lmtp_session *s, const char *line,
	    size_t len, struct buf *out);
enum lmtp_next lmtp_bad_line(struct lmtp_session *s, const char *why,
	    struct buf *out);

/*
 * The message after DATA, fed in pieces as they arrive.  The trace
 * fields of the final delivery (Return-Path, Delivered-To) come first;
 * then the message with the dot-stuffing removed, up to max bytes: the
 * rest is counted, not kept.
 */
struct lmtp_data {
	struct buf	 msg;
	size_t		 prefix;	/* bytes of trace fields in msg */
	size_t		 size;		/* bytes of the message received */
	size_t		 max;
	int		 state;
	int		 done;		/* the final "." was seen */
};

void	lmtp_data_begin(struct lmtp_data *d, const struct lmtp_session *s,
	    size_t max);
/* Take bytes; returns how many were used (fewer once d->done). */
size_t	lmtp_data_feed(struct lmtp_data *d, const char *p, size_t n);
int	lmtp_data_over(const struct lmtp_data *d);
void	lmtp_data_free(struct lmtp_data *d);

/*
 * After the message: one reply per accepted recipient.  status is EX_OK
 * when it committed (line says how: "ticket 42 new"), else the reason it
 * did not; the transaction ends either way.
 */
void	lmtp_replies(struct lmtp_session *s, const struct lmtp_data *d,
	    int status, const char *line, struct buf *out);

#endif
