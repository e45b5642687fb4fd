/*
 * classify.c - RFC 3834 and common practice for spotting automatic mail.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/classify.h"
#include "deskmail/util.h"

int
classify_own_msgid(const struct dm_config *cfg, const char *msgid)
{
	const char *at;

	if (msgid == NULL || strncmp(msgid, "dm.", 3) != 0)
		return 0;
	at = strrchr(msgid, '@');
	return at != NULL && strcasecmp(at + 1, cfg->domain) == 0;
}

static int
local_part_is(const char *addr, const char *local)
{
	size_t n = strlen(local);

	return addr != NULL && strncasecmp(addr, local, n) == 0 &&
	    addr[n] == '@';
}

/* Nonzero if the list "a@x, <b@y>" names address (whole, any case). */
static int
names_address(const char *list, const char *address)
{
	size_t n = strlen(address);
	const char *p = list, *q;

	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '<' || *p == '\t')
			p++;
		for (q = p; *q && *q != ',' && *q != ' ' && *q != '>' &&
		    *q != '\t'; q++)
			;
		if ((size_t)(q - p) == n && strncasecmp(p, address, n) == 0)
			return 1;
		p = *q ? q + 1 : q;
	}
	return 0;
}

const char *
classify_automatic(const struct dm_config *cfg, const struct dm_parsed *m)
{
	if (m->is_report && m->report_type != NULL &&
	    strcmp(m->report_type, "delivery-status") == 0)
		return "bounce";
	if (m->is_report)
		return "report";
	if ((m->return_path != NULL && m->return_path[0] == '\0') ||
	    local_part_is(m->from, "mailer-daemon") ||
	    local_part_is(m->from, "postmaster"))
		return "bounce";
	if (m->from != NULL && config_is_own_address(cfg, m->from))
		return "loop: mail from our own address";
	if (m->x_loop != NULL && names_address(m->x_loop, cfg->address))
		return "loop: our X-Loop header";
	if (classify_own_msgid(cfg, m->message_id))
		return "loop: our own Message-ID";
	if (m->auto_submitted != NULL &&
	    strncasecmp(m->auto_submitted, "no", 2) != 0)
		return "auto-submitted";
	if (m->x_autoreply)
		return "auto-reply";
	if (m->precedence != NULL &&
	    (strcasecmp(m->precedence, "bulk") == 0 ||
	    strcasecmp(m->precedence, "junk") == 0 ||
	    strcasecmp(m->precedence, "list") == 0 ||
	    strcasecmp(m->precedence, "auto_reply") == 0))
		return "bulk or list mail";
	if (m->list_id != NULL)
		return "list mail";
	if (m->subject != NULL &&
	    (strncasecmp(m->subject, "Auto:", 5) == 0 ||
	    strncasecmp(m->subject, "Automatic reply:", 16) == 0 ||
	    strncasecmp(m->subject, "Out of Office", 13) == 0 ||
	    strncasecmp(m->subject, "Autoreply:", 10) == 0))
		return "auto-reply";
	return NULL;
}

/* The domain of an address, or the value itself if it has no '@'. */
static const char *
domain_of(const char *a)
{
	const char *at = strrchr(a, '@');

	return at ? at + 1 : a;
}

/* d is the From domain or a parent domain of it (DKIM signing domain). */
static int
domain_covers(const char *d, size_t dlen, const char *from_domain)
{
	size_t fl = strlen(from_domain);

	if (dlen == 0 || dlen > fl)
		return 0;
	if (strncasecmp(from_domain + fl - dlen, d, dlen) != 0)
		return 0;
	return dlen == fl || from_domain[fl - dlen - 1] == '.';
}

/* The value of "prop=" inside one resinfo (up to the next ';'). */
static int
prop_covers(const char *res, const char *end, const char *prop,
    const char *from_domain)
{
	size_t pl = strlen(prop);
	const char *p, *v, *ve;

	for (p = res; p + pl < end; p++) {
		if (strncasecmp(p, prop, pl) != 0 || (p > res &&
		    p[-1] != ' ' && p[-1] != '\t'))
			continue;
		v = p + pl;
		for (ve = v; ve < end && *ve != ' ' && *ve != ';' &&
		    *ve != '\t' && *ve != ')'; ve++)
			;
		{
			char *val = xstrndup(v, (size_t)(ve - v));
			const char *d = domain_of(val);
			int ok = domain_covers(d, strlen(d), from_domain);

			free(val);
			if (ok)
				return 1;
		}
	}
	return 0;
}

int
classify_staff_verified(const struct dm_config *cfg,
    const struct dm_parsed *m, const char **why)
{
	const char *ar, *semi, *res, *end, *from_domain;
	size_t idlen, i;

	if (strcmp(cfg->staff_auth, "none") == 0) {
		*why = NULL;
		return 1;
	}
	*why = "no Authentication-Results header from our MTA";
	if (cfg->auth_serv_id[0] == '\0' || m->from == NULL) {
		*why = cfg->auth_serv_id[0] == '\0' ? "auth_serv_id is not "
		    "configured" : "no sender";
		return 0;
	}
	from_domain = domain_of(m->from);
	idlen = strlen(cfg->auth_serv_id);
	for (i = 0; i < m->nauth_results; i++) {
		ar = m->auth_results[i];
		while (*ar == ' ')
			ar++;
		if (strncasecmp(ar, cfg->auth_serv_id, idlen) != 0 ||
		    (ar[idlen] != ';' && ar[idlen] != ' '))
			continue;
		/* only the topmost of ours counts: our MTA removes forged ones
		 * below it and adds its own on top (RFC 8601 section 5) */
		*why = "our MTA did not see DKIM, DMARC or SPF pass for the "
		    "sender's domain";
		for (semi = strchr(ar, ';'); semi != NULL;
		    semi = strchr(semi + 1, ';')) {
			res = semi + 1;
			while (*res == ' ' || *res == '\t')
				res++;
			end = strchr(res, ';');
			if (end == NULL)
				end = res + strlen(res);
			if ((strncasecmp(res, "dkim=pass", 9) == 0 &&
			    (prop_covers(res, end, "header.d=", from_domain) ||
			    prop_covers(res, end, "header.i=", from_domain))) ||
			    (strncasecmp(res, "dmarc=pass", 10) == 0 &&
			    prop_covers(res, end, "header.from=", from_domain)) ||
			    (strncasecmp(res, "spf=pass", 8) == 0 &&
			    prop_covers(res, end, "smtp.mailfrom=", from_domain))) {
				*why = NULL;
				return 1;
			}
		}
		return 0;
	}
	return 0;
}
