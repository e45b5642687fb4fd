/*
 * config.h - deskmail.conf: one table of keys (type, default, check, doc)
 * from which the parser, check-config and the file `init` writes all come.
 */
#ifndef DESKMAIL_CONFIG_H
#define DESKMAIL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "deskmail/err.h"

struct sla_policy;

struct dm_limits {
	long	max_message_bytes;	/* whole raw message */
	long	max_headers;		/* header fields in the top header */
	long	max_header_bytes;	/* one unfolded header field */
	long	max_mime_depth;		/* nesting of multiparts, messages */
	long	max_parts;		/* MIME parts in one message */
	long	new_tickets_per_hour;	/* from one sender; more: quarantined */
};

struct dm_team {
	char	 *name;
	char	 *address;		/* where notices to the team go */
	char	**members;		/* staff addresses, lower case */
	size_t	  nmembers;
	char	 *sla_policy;		/* this team's policy, or NULL: [sla] */
	char	**escalation;		/* the resolver's escalation contacts,
					   in order */
	size_t	  nescalation;
};

/*
 * A help address of its own ([queue NAME]): mail to it opens tickets on
 * its team under its policy, and every mail about them comes from it
 * (queue.c, queue.h).
 */
struct dm_queue {
	char	*name;
	char	*address;		/* the queue's help address, lower case */
	char	*team;			/* its tickets' team */
	char	*policy;		/* their SLA policy, or NULL: the team's */
	char	*tag;			/* their subject tag, or NULL: [deskmail] */
	char	*from;			/* their mail's From, or NULL: address */
	char	*from_name;		/* its display name, or NULL: organisation */
};

/* The categories of seed 003, in the order reports list them. */
#define DM_NCATEGORIES	4
extern const char *const dm_categories[DM_NCATEGORIES];

enum dm_tls_mode { TLS_IMPLICIT, TLS_STARTTLS, TLS_NONE };
enum dm_after { AFTER_SEEN, AFTER_MOVE, AFTER_DELETE };

/* The ways of closing a ticket that send its survey ([survey] on). */
#define SURVEY_ON_ACCEPT	0x1	/* the requester accepted */
#define SURVEY_ON_AUTOCLOSE	0x2	/* no answer: closed by deskmail */
#define SURVEY_ON_STAFF_CLOSE	0x4	/* staff closed it (ticket close) */

/*
 * The mail to a ticket's customers ([deskmail] participants_get lists the
 * kinds its participants get too; ticket_customers() takes one).  The
 * acknowledgement and the survey are the requester's alone.
 */
#define PG_STAFF_REPLY		0x01	/* a staff reply */
#define PG_PENDING		0x02	/* staff ask for more information */
#define PG_RESOLUTION		0x04	/* resolved (participants: no links) */
#define PG_TRANSFERRED		0x08	/* passed to another team */
#define PG_REOPENED		0x10	/* reopened_customer */
#define PG_SLA			0x20	/* SLA notices to "requester" */
#define PG_MERGED		0x40	/* the ticket went into another */
#define PG_INCIDENT		0x80	/* it joined a major incident */
#define PG_ACK			0x100	/* never participants' */
#define PG_SURVEY		0x200	/* the survey: one answer a ticket */

struct dm_mailbox {
	char	*name;
	/* keys, as written */
	char	*url;			/* imaps://host:993/INBOX */
	char	*user;
	char	*password_file;
	char	*password_env;
	char	*tls;			/* implicit | starttls | none */
	char	*ca_file;
	char	*after;			/* seen | move | delete */
	char	*move_to;
	long	 batch;
	long	 timeout;
	long	 poll_seconds;
	char	*queue;			/* its mail's queue, or "": by address */
	/* derived from them by config_load() */
	char	*host;
	char	*port;
	char	*folder;
	enum dm_tls_mode tls_mode;
	enum dm_after	 after_mode;
};

struct dm_config {
	char	*path;			/* the file it was read from */
	/* [deskmail] */
	char	*database;		/* a file, or postgresql://... */
	char	*database_password_file;
	char	*key_file;
	char	*address;		/* the help address */
	char	*tag;			/* subject tag: [HELP #42] */
	char	*base_url;
	char	*organisation;
	char	*default_team;
	char	*template_dir;
	char	*ingest_socket;		/* run's socket for ingest, or "none" */
	char	*lmtp_listen;		/* socket path, HOST:PORT, or "none" */
	char	*lmtp_group;		/* group let in to the socket, or "" */
	char	*lmtp_accept;		/* own | all */
	char	*synchronous;		/* full | normal */
	char	*log;			/* stderr | syslog */
	char	*timezone;		/* people's zone, or "": [sla] timezone */
	char	*language;		/* customers' language by default */
	long	 reopen_days;
	long	 auto_reply_limit;	/* automatic mails per address per hour */
	long	 staff_notice_limit;	/* staff notices per ticket, address, hour */
	char	*participants_get_text;	/* as written */
	int	 participants_get;	/* PG_* bits from it */
	long	 max_participants;	/* per ticket */
	long	 busy_timeout_ms;
	struct dm_limits limits;
	char	*staff_auth;		/* authentication-results | none */
	char	*auth_serv_id;
	/* [smtp] */
	char	*smtp_url;
	char	*smtp_tls;
	char	*smtp_ca_file;
	char	*smtp_user;
	char	*smtp_password_file;
	char	*smtp_password_env;
	char	*smtp_envelope_from;
	long	 smtp_timeout;
	long	 smtp_retry_seconds;
	long	 smtp_max_age;
	/* [web] */
	char	*web_listen;
	char	*metrics_listen;	/* "" (off), PORT or ADDRESS:PORT */
	long	 link_days;
	long	 web_threads;
	/* [attachments] */
	long	 attach_mail_max;	/* bytes of files one mail carries */
	long	 attach_link_days;	/* download links above it work so long */
	/* [survey] */
	long	 survey_delay;
	long	 survey_window;
	long	 auto_close_days;
	char	*survey_on_text;	/* [survey] on, as written */
	char	*survey_on_auto_close;	/* the older key: yes, no or "" */
	int	 survey_on;		/* SURVEY_ON_* bits from both */
	long	 low_rating;
	char	*supervisor;
	/* [announce] */
	long	 announce_per_hour;	/* mails the sender sends per hour */
	long	 announce_days;		/* "all": tickets of these days */
	long	 announce_max;		/* recipients of one announcement */
	/* [sla] */
	char	*sla_policy;
	char	*sla_contacts;
	char	*sla_timezone;
	char	*sla_open;
	char	*sla_close;
	char	*sla_holidays;
	char	*sla_supervisor;
	char	*sla_management;
	/* [routing] */
	char	*routing_rules;		/* the rules file, or "" */
	char	*routing_mode;		/* first | all */
	long	 routing_match_limit;
	struct dm_rules *rules;		/* compiled from routing_rules */
	int	 rules_loaded;		/* by config_load_rules() */
	/* [billing], one rate and bill-to rule per category */
	char	*billing_currency;
	char	*billing_rate[DM_NCATEGORIES];	/* as written: 12.50 */
	char	*billing_bill_to[DM_NCATEGORIES];	/* owner | agency */
	long	 billing_cents[DM_NCATEGORIES];	/* derived */
	/* [reports] */
	long	 fcr_target;		/* percent */
	long	 fcr_industry;		/* percent */
	char	*csat_target;		/* mean of 1-5, as written: 4.1 */

	struct dm_team	  *teams;
	size_t		   nteams;
	struct dm_mailbox *mailboxes;
	size_t		   nmailboxes;
	struct sla_policy *policies;	/* the presets, then [policy NAME] */
	size_t		   npolicies;
	struct dm_queue	  *queues;	/* [queue NAME], in file order */
	size_t		   nqueues;

	char	*domain;		/* derived: the domain of address */
	char	*local_base;		/* derived: this host's files' prefix
					   (config.c: local_base()) */
};

/*
 * Read and check the file at path.  On success *out is a new config the
 * caller frees with config_free().  Errors name the file and line.
 */
dm_err config_load(const char *path, struct dm_config **out);

/* Nonzero when database names a PostgreSQL store (a libpq URI). */
int	config_database_is_pg(const char *database);
/* Nonzero when such a URI has a password in it (user:pw@, password=). */
int	config_uri_has_password(const char *uri);

/*
 * The same without compiling the routing rules (cfg->rules stays NULL
 * until config_load_rules()): `ingest` handing its message to `run`,
 * which has them, need not pay for compiling a few hundred patterns.
 */
dm_err config_load_unrouted(const char *path, struct dm_config **out);
dm_err config_load_rules(struct dm_config *cfg);

void config_free(struct dm_config *cfg);

/* Write a commented default configuration for directory dir to fp. */
void config_write_default(FILE *fp, const char *dir);

/* The team a staff address belongs to (first listed), or NULL. */
const struct dm_team *config_team_of(const struct dm_config *cfg,
    const char *address);

/* The team called name, or NULL. */
const struct dm_team *config_team(const struct dm_config *cfg,
    const char *name);

/* The SLA policy called name, or NULL. */
const struct sla_policy *config_sla_policy(const struct dm_config *cfg,
    const char *name);

/* The index of a category in dm_categories, or -1. */
int config_category(const char *name);

/* Nonzero when address is one of ours: the help address, a team's, or a
 * queue's address or From. */
int config_is_own_address(const struct dm_config *cfg, const char *address);

#endif
