/*
 * classify.c - RFC 3834 and common practice for spotting automatic mail.
 */
#include <string.h>
#include <strings.h>

#include "deskmail/classify.h"

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
