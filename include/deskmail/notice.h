/*
 * notice.h - what a queued outbox row becomes: the variables of its
 * template (from the ticket as it is now and the row's own params), and
 * the kind of Auto-Submitted header it carries.
 */
#ifndef DESKMAIL_NOTICE_H
#define DESKMAIL_NOTICE_H

#include <stdint.h>

#include "deskmail/compose.h"
#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/lang.h"
#include "deskmail/store.h"
#include "deskmail/template.h"

/*
 * Fill vars for a notice of template on ticket (0: none) with params, a
 * JSON object of string values queued with the row (may be NULL).  The
 * variable "lang" says the language its words and times are in: the
 * ticket's customers' (notice_lang()) for a customer template, else
 * LANG_SHARED (template_shared(); template NULL: the customers').
 */
dm_err	notice_vars(struct dm_store *st, const struct dm_config *cfg,
	    int64_t ticket, const char *template, const char *params,
	    struct tvars *vars);

/* Set the values of params (a JSON object of strings, or NULL) in vars. */
dm_err	notice_params(const char *params, struct tvars *vars);

/*
 * Nonzero for the notices that go to staff (a team, a resolver, the
 * supervisor, escalation contacts), which the per-ticket limit bounds.
 */
int	notice_to_staff(const char *template);

/* RFC 3834: auto-replied for answers to a customer's mail, auto-generated
 * for notices, none for what a person wrote (a staff reply). */
enum auto_submitted notice_auto_submitted(const char *template);

struct token;
struct dm_ticket;

/* The key of the signed links (key_file, read once per process). */
dm_err	notice_key(const struct dm_config *cfg, unsigned char key[32]);

/* base_url joined with path (one '/' between them); caller frees. */
char	*notice_url(const struct dm_config *cfg, const char *path);

/* The organisation's and (t not NULL) the ticket's own variables: no
 * links, no history, no database (so its times are in the zone of the
 * ticket's policy: notice_zone_vars() adds the agency's).  Its words are
 * in the language of the variable "lang"; when v has none, it sets the
 * ticket's (notice_lang()). */
void	notice_ticket_vars(const struct dm_config *cfg,
	    const struct dm_ticket *t, struct tvars *v);

/* name = a signed link of purpose (enum token_purpose) to ticket t. */
void	notice_link_var(struct tvars *v, const struct dm_config *cfg,
	    const unsigned char key[32], const char *name, int purpose,
	    const struct dm_ticket *t, int rating);

/*
 * What is the recipient's own in the mail to address: requests_url, its
 * "my requests" link (requests.h: notice_vars() sets the requester's,
 * this the recipient's, so that nobody gets a link to another's
 * requests), and hello, the greeting line: "Hello NAME," with the
 * requester's name for the requester, else "Hello,".
 */
dm_err	notice_recipient_vars(struct tvars *v, const struct dm_config *cfg,
	    const char *address);

/* The public URL of a signed link (base_url + "l/" + token); caller frees. */
char	*notice_link(const struct dm_config *cfg, const unsigned char key[32],
	    const struct token *t);

/* The ticket's public history (customer and staff messages), oldest
 * first, its times in zone tz and language lang (lang_time()); caller
 * frees. */
dm_err	notice_history(struct dm_store *st, const struct dm_config *cfg,
	    int64_t ticket, const char *tz, const char *lang, char **out);

/* The language ticket t's customers read (t NULL: [deskmail] language's),
 * into buf, which it returns (lang_pick()). */
const char *notice_lang(const struct dm_config *cfg, const struct dm_ticket *t,
	    char buf[LANG_LEN]);

/* A ticket status in words ("we are working on it") in language lang. */
const char *notice_status_text(const struct dm_config *cfg, const char *lang,
	    const char *status);

/*
 * The time zone ticket t's people read times in, into buf (at least
 * ZONE_NAME_LEN bytes), which it returns: the zone of the ticket's
 * agency in the directory, else the ticket's SLA policy's ([policy NAME]
 * timezone), else [deskmail] timezone, else [sla] timezone.  st may be
 * NULL (the agency is not asked), t may be NULL ([sla] policy's zone on).
 * Never fails: a directory that cannot be read now is passed over.
 * Write the times with clock_format_human(when, buf, ...).
 */
const char *notice_timezone(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, char *buf, size_t len);

/* ticket.timezone, now and (t not NULL) ticket.created in that zone, in
 * the language of the variable "lang". */
void	notice_zone_vars(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, struct tvars *v);

#endif
