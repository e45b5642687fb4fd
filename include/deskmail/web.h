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

/* Listen on cfg's [web] listen address; requests are answered by threads. */
dm_err	web_start(const struct dm_config *cfg, struct dm_web **out);
void	web_stop(struct dm_web *w);

#endif
