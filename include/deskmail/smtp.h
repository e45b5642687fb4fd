/*
 * smtp.h - handing mail to the SMTP server with libcurl: STARTTLS or
 * implicit TLS, AUTH, one connection reused for many mails.
 */
#ifndef DESKMAIL_SMTP_H
#define DESKMAIL_SMTP_H

#include <stddef.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

enum smtp_result {
	SMTP_SENT,	/* the server accepted it (250 after DATA) */
	SMTP_RETRY,	/* 4xx, or no connection: try again later */
	SMTP_FAILED,	/* 5xx and the like: will never go */
	SMTP_HELD	/* the gate said no: not sent; close the session */
};

/*
 * Asked once the whole message is written, before its final "." (after
 * which the server may accept it): 0 lets it go, anything else cuts the
 * transfer off.
 */
typedef int (*smtp_gate)(void *arg);

struct dm_smtp;

/* A sender for cfg's [smtp] section; DM_ECONFIG for a bad password file. */
dm_err	smtp_open(const struct dm_config *cfg, struct dm_smtp **out);
void	smtp_close(struct dm_smtp *s);

/*
 * Send data (a whole message) from envelope sender from to rcpt.  gate
 * (may be NULL) is asked before the message is ended.  reply gets the
 * server's answer or the connection error, one line.
 */
enum smtp_result smtp_send(struct dm_smtp *s, const char *from,
	    const char *rcpt, const char *data, size_t len, smtp_gate gate,
	    void *gate_arg, char *reply, size_t replylen);

#endif
