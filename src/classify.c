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

/* Nonzero if the X-Loop list names one of our help addresses (a queue's
 * mail carries its own). */
static int
names_ours(const struct dm_config *cfg, const char *list)
{
	size_t i;

	if (names_address(list, cfg->address))
		return 1;
	for (i = 0; i < cfg->nqueues; i++)
		if (names_address(list, cfg->queues[i].address) ||
		    (cfg->queues[i].from != NULL &&
		    names_address(list, cfg->queues[i].from)))
			return 1;
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
	if (m->x_loop != NULL && names_ours(cfg, m->x_loop))
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
domain_covers(const char *d, const char *from_domain)
{
	size_t dl = strlen(d), fl = strlen(from_domain);

	if (dl == 0 || dl > fl ||
	    strcasecmp(from_domain + fl - dl, d) != 0)
		return 0;
	return dl == fl || from_domain[fl - dl - 1] == '.';
}

/*
 * An Authentication-Results value as RFC 8601 reads it: comments "(...)"
 * (nested, with \ escapes) removed, quoted strings kept whole, and every
 * ';' outside them turned into '\n' - the separators of the authserv-id
 * and each result.  A ';' inside a comment or quoted string is text, not
 * a separator: treating it as one lets a forger add a "result".
 */
static char *
ar_normalise(const char *v)
{
	struct buf b;
	int depth = 0, quoted = 0;

	buf_init(&b);
	buf_add(&b, "", 0);
	for (; *v; v++) {
		if (*v == '\\' && (depth > 0 || quoted) && v[1] != '\0') {
			if (quoted)
				buf_add(&b, v, 2);
			v++;
		} else if (quoted) {
			buf_addc(&b, *v);
			if (*v == '"')
				quoted = 0;
		} else if (*v == '(') {
			depth++;
		} else if (*v == ')' && depth > 0) {
			depth--;
			if (depth == 0)
				buf_addc(&b, ' ');
		} else if (depth > 0) {
			continue;
		} else if (*v == '"') {
			quoted = 1;
			buf_addc(&b, *v);
		} else
			buf_addc(&b, *v == ';' ? '\n' : *v);
	}
	return buf_release(&b);
}

/* Next white-space separated word of *p (quoted strings whole), or NULL. */
static char *
ar_word(char **p)
{
	char *s = *p, *start;
	int quoted = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	for (start = s; *s && (quoted || (*s != ' ' && *s != '\t')); s++) {
		if (*s == '\\' && quoted && s[1])
			s++;
		else if (*s == '"')
			quoted = !quoted;
	}
	if (*s)
		*s++ = '\0';
	*p = s;
	return start;
}

/* Does one result ("dkim=pass header.d=x ...") vouch for from_domain? */
static int
ar_result_vouches(char *res, const char *from_domain)
{
	char *w = ar_word(&res), *prop, *eq;
	const char *want;

	if (w == NULL)
		return 0;
	if (strcasecmp(w, "dkim=pass") == 0)
		want = "header.d";
	else if (strcasecmp(w, "dmarc=pass") == 0)
		want = "header.from";
	else if (strcasecmp(w, "spf=pass") == 0)
		want = "smtp.mailfrom";
	else
		return 0;
	while ((prop = ar_word(&res)) != NULL) {
		if ((eq = strchr(prop, '=')) == NULL || prop[0] == '"')
			continue;
		*eq = '\0';
		if (strcasecmp(prop, want) != 0 && !(strcmp(want, "header.d") ==
		    0 && strcasecmp(prop, "header.i") == 0))
			continue;
		/* a quoted value ("a;b"@x) counts by its domain only */
		if (domain_covers(domain_of(eq + 1), from_domain))
			return 1;
	}
	return 0;
}

int
classify_staff_verified(const struct dm_config *cfg,
    const struct dm_parsed *m, const char **why)
{
	char *norm, *line, *next, *id;
	const char *from_domain;
	size_t i;
	int ok = 0;

	if (strcmp(cfg->staff_auth, "none") == 0) {
		*why = NULL;
		return 1;
	}
	if (cfg->auth_serv_id[0] == '\0') {
		*why = "auth_serv_id is not configured";
		return 0;
	}
	if (m->from == NULL) {
		*why = "no sender";
		return 0;
	}
	*why = "no Authentication-Results header from our MTA";
	from_domain = domain_of(m->from);
	for (i = 0; i < m->nauth_results; i++) {
		norm = ar_normalise(m->auth_results[i]);
		next = strchr(norm, '\n');
		if (next != NULL)
			*next++ = '\0';
		line = norm;
		id = ar_word(&line);
		if (id == NULL || strcasecmp(id, cfg->auth_serv_id) != 0) {
			free(norm);
			continue;
		}
		/* only the topmost of ours counts: our MTA removes forged ones
		 * below it and adds its own on top (RFC 8601 section 5) */
		*why = "our MTA did not see DKIM, DMARC or SPF pass for the "
		    "sender's domain";
		for (line = next; line != NULL && !ok; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			ok = ar_result_vouches(line, from_domain);
		}
		free(norm);
		if (ok)
			*why = NULL;
		return ok;
	}
	return 0;
}
