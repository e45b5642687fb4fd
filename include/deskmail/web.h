/*
 * web.h - the link pages (libmicrohttpd): status, accept, not fixed and
 * the survey.  A GET only ever shows a page; state changes on a POST
 * that carries the CSRF token of the page it came from.
 */
#ifndef DESKMAIL_WEB_H
#define DESKMAIL_WEB_H

#include "deskmail/config.h"
#include "deskmail/err.h"

struct dm_web;

/* Listen on cfg's [web] listen address, and on metrics_listen (if set)
 * for /metrics; requests are answered by threads. */
dm_err	web_start(const struct dm_config *cfg, struct dm_web **out);
/*
 * The same on listening sockets systemd passed (activation.h): fd for
 * the pages, mfd for /metrics, -1 for an address of cfg instead.  Each
 * socket is the listener's from then on, closed with it (or on failure).
 */
dm_err	web_start_on(const struct dm_config *cfg, int fd, int mfd,
	    struct dm_web **out);
/* Where the pages listen, for a log line: the address or the socket. */
const char *web_where(const struct dm_web *w);
void	web_stop(struct dm_web *w);

#endif
