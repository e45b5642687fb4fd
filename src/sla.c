/*
 * sla.c - the SLA engine (policies of seeds 002 and 003).
 *
 * Every promise is a row in sla_timers with its due time.  Targets
 * (triage, ack, assign, resolve) are met by an action before they are
 * due, or breached when `tick` finds them overdue; notices (update,
 * escalate) queue their mail when due and schedule the next.  Firing a
 * timer, recording its event and queueing its mail are one transaction,
 * and the timer is claimed with "UPDATE ... WHERE state = 'pending'", so
 * two ticks racing fire it once.  After downtime each timer fires once,
 * late, and the notices that fell due meanwhile are skipped: one overdue
 * notice, not one per missed slot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/calendar.h"
#include "deskmail/clock.h"
#include "deskmail/directory.h"
#include "deskmail/lang.h"
#include "deskmail/outbox.h"
#include "deskmail/sla.h"
#include "deskmail/sla_notice.h"
#include "deskmail/sla_policy.h"
#include "deskmail/util.h"

#define MINUTE	60
#define HOUR	3600
#define DAY	86400
#define BATCH	256	/* timers fired per transaction */

#define UPDATE_GRACE	(5 * MINUTE)	/* an update this late still counts */

/* The policy a team's tickets follow. */
static const char *
team_policy(const struct dm_config *cfg, const char *team_name)
{
	const struct dm_team *team = team_name ? config_team(cfg, team_name) :
	    NULL;

	return team && team->sla_policy ? team->sla_policy : cfg->sla_policy;
}

/* The ticket's policy: chosen when it was opened (a routing rule, its
 * team or [sla]); tickets from before that was stored follow their team. */
static const char *
policy_of(const struct dm_config *cfg, const struct dm_ticket *t)
{
	return t->sla_policy ? t->sla_policy : team_policy(cfg, t->team);
}

/* The ticket's policy; one since removed from the config: [sla]'s. */
static const struct sla_policy *
policy(const struct dm_config *cfg, const struct dm_ticket *t)
{
	const struct sla_policy *p = config_sla_policy(cfg, policy_of(cfg, t));

	return p ? p : config_sla_policy(cfg, cfg->sla_policy);
}

static const struct sla_row *
row(const struct dm_config *cfg, const struct dm_ticket *t, int severity)
{
	return sla_policy_row(policy(cfg, t), severity);
}

/* start plus span on the row's clock (24x7 or business). */
static time_t
span_add(const struct calendar *cal, const struct sla_row *r, time_t start,
    const struct sla_span *span)
{
	if (!r->business)
		return start + sla_span_seconds(span);
	if (span->unit == 'd')
		return calendar_add_days(cal, start, span->n);
	return calendar_add(cal, start, sla_span_seconds(span));
}

static const struct dm_sql sql_result = SQL(
    "INSERT INTO sla_results (ticket_id, policy, severity, target, met,"
    " late, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");

/* A target met or missed, for the compliance report. */
static dm_err
result_add(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const char *target, int met, long late,
    time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_result);

	if (s == NULL)
		return store_error(st, "sla_results");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_text(s, 2, policy_of(cfg, t));
	stmt_bind_int(s, 3, t->severity);
	stmt_bind_text(s, 4, target);
	stmt_bind_int(s, 5, met);
	stmt_bind_int64(s, 6, met || late < 0 ? 0 : late);
	stmt_bind_int64(s, 7, (int64_t)now);
	return store_exec_stmt(st, s);
}

static const struct dm_sql sql_add = SQL2(
    "INSERT OR IGNORE INTO sla_timers (ticket_id, name, seq, due, business)"
    " VALUES (?1, ?2, ?3, ?4, ?5)",
    "INSERT INTO sla_timers (ticket_id, name, seq, due, business)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ticket_id, name, seq)"
    " DO NOTHING");

static dm_err
timer_add(struct dm_store *st, int64_t ticket, const char *name, int seq,
    time_t due, int business)
{
	struct dm_stmt *s = store_stmt(st, &sql_add);

	if (s == NULL)
		return store_error(st, "sla_timers");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_text(s, 2, name);
	stmt_bind_int(s, 3, seq);
	stmt_bind_int64(s, 4, (int64_t)due);
	stmt_bind_int(s, 5, business);
	return store_exec_stmt(st, s);
}

/*
 * A ticket's own timers are found by (ticket_id, name); the "+" in the
 * queries below keeps SQLite from using the (state, due) index instead,
 * which would scan every due timer of every ticket.  Their PostgreSQL
 * texts have none: a unary + on text is an error there, and its planner
 * goes by statistics.
 */

/* The next notice of its kind: seq one past any earlier (even cancelled). */
static const struct dm_sql sql_add_next = SQL(
    "INSERT INTO sla_timers (ticket_id, name, seq, due, business)"
    " SELECT ?1, ?2, COALESCE(MAX(seq), 0) + 1, ?3, ?4 FROM sla_timers"
    " WHERE ticket_id = ?1 AND name = ?2");

static dm_err
timer_add_next(struct dm_store *st, int64_t ticket, const char *name,
    time_t due, int business)
{
	struct dm_stmt *s = store_stmt(st, &sql_add_next);

	if (s == NULL)
		return store_error(st, "sla_timers");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_text(s, 2, name);
	stmt_bind_int64(s, 3, (int64_t)due);
	stmt_bind_int(s, 4, business);
	return store_exec_stmt(st, s);
}

/* in order: the first one met is the one whose result is recorded (the
 * unique index gives this order, at no cost) */
static const struct dm_sql sql_pending = SQL2(
    "SELECT id, due FROM sla_timers WHERE ticket_id = ?1 AND name = ?2"
    " AND +state IN ('pending', 'paused') ORDER BY seq",
    "SELECT id, due FROM sla_timers WHERE ticket_id = $1 AND name = $2"
    " AND state IN ('pending', 'paused') ORDER BY seq");
static const struct dm_sql sql_set_state = SQL(
    "UPDATE sla_timers SET state = ?2, done_at = ?3 WHERE id = ?1");

static void
minutes(char *buf, size_t len, long seconds)
{
	if (seconds < 0)
		seconds = -seconds;
	if (seconds >= 2 * HOUR)
		snprintf(buf, len, "%ld h %ld min", seconds / HOUR,
		    (seconds % HOUR) / MINUTE);
	else
		snprintf(buf, len, "%ld min", seconds / MINUTE);
}

/* A target reached: met (or, if its tick has not run yet, missed). */
static const struct dm_sql sql_breached = SQL2(
    "SELECT id, due FROM sla_timers WHERE ticket_id = ?1 AND name = ?2"
    " AND +state = 'breached' ORDER BY due LIMIT 1",
    "SELECT id, due FROM sla_timers WHERE ticket_id = $1 AND name = $2"
    " AND state = 'breached' ORDER BY due LIMIT 1");
static const struct dm_sql sql_result_late = SQL(
    "UPDATE sla_results SET late = ?3 WHERE ticket_id = ?1 AND target = ?2"
    " AND met = 0 AND late < ?3");

/*
 * A target tick found missed is reached at last: the result says how
 * late it really was (a tick notices a breach a minute after it, not
 * when it ends), and the timer is done ("late").
 */
static dm_err
late_done(struct dm_store *st, const struct dm_ticket *t, const char *name,
    time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_breached);
	char by[32], *detail;
	int64_t id = 0;
	time_t due = 0;
	dm_err err;
	int rc;

	if (s == NULL)
		return store_error(st, "sla_timers");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_text(s, 2, name);
	if ((rc = stmt_step(s)) == STMT_ROW) {
		id = stmt_int64(s, 0);
		due = (time_t)stmt_int64(s, 1);
	}
	stmt_reset(s);
	if (rc != STMT_ROW)
		return rc == STMT_DONE ? DM_OK : store_error(st, "sla_timers");
	if ((s = store_stmt(st, &sql_set_state)) == NULL)
		return store_error(st, "sla_timers");
	stmt_bind_int64(s, 1, id);
	stmt_bind_text(s, 2, "late");
	stmt_bind_int64(s, 3, (int64_t)now);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	if ((s = store_stmt(st, &sql_result_late)) == NULL)
		return store_error(st, "sla_results");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_text(s, 2, name);
	stmt_bind_int64(s, 3, (int64_t)(now - due));
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	minutes(by, sizeof(by), (long)(now - due));
	detail = xasprintf("%s: reached %s after its due time", name, by);
	err = event_add(st, t->id, now, "deskmail", "sla_late", detail);
	free(detail);
	return err;
}

static dm_err
timer_meet(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const char *name, time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_pending);
	int64_t ids[8];
	time_t dues[8];
	char by[32], *detail;
	size_t n = 0, i;
	dm_err err = DM_OK;

	if (s == NULL)
		return store_error(st, "sla_timers");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_text(s, 2, name);
	while (n < 8 && stmt_step(s) == STMT_ROW) {
		ids[n] = stmt_int64(s, 0);
		dues[n++] = (time_t)stmt_int64(s, 1);
	}
	stmt_reset(s);
	for (i = 0; i < n && err == DM_OK; i++) {
		int met = now <= dues[i];

		if ((s = store_stmt(st, &sql_set_state)) == NULL)
			return store_error(st, "sla_timers");
		stmt_bind_int64(s, 1, ids[i]);
		stmt_bind_text(s, 2, met ? "met" : "breached");
		stmt_bind_int64(s, 3, (int64_t)now);
		if ((err = store_exec_stmt(st, s)) != DM_OK)
			break;
		minutes(by, sizeof(by), (long)(dues[i] - now));
		detail = xasprintf("%s: %s %s %s its due time", name, met ?
		    "met" : "missed", by, met ? "before" : "after");
		err = event_add(st, t->id, now, "deskmail", met ? "sla_met" :
		    "sla_breached", detail);
		free(detail);
		/* one result per target */
		if (err == DM_OK && i == 0)
			err = result_add(st, cfg, t, name, met,
			    (long)(now - dues[i]), now);
	}
	if (err == DM_OK && n == 0)
		err = late_done(st, t, name, now);
	return err;
}

/*
 * Cancel the ticket's live timers of the names in list ("assign,resolve";
 * NULL: every one).  A list, so a row change stops what it stops in one
 * statement: each is a round trip on PostgreSQL.  PostgreSQL: ?2 first
 * met in "IS NULL" has no type unless cast.
 */
static const struct dm_sql sql_cancel = SQL2(
    "UPDATE sla_timers SET state = 'cancelled', done_at = ?3"
    " WHERE ticket_id = ?1 AND +state IN ('pending', 'paused')"
    " AND (?2 IS NULL OR instr(',' || ?2 || ',', ',' || name || ',') > 0)",
    "UPDATE sla_timers SET state = 'cancelled', done_at = $3"
    " WHERE ticket_id = $1 AND state IN ('pending', 'paused')"
    " AND ($2::text IS NULL OR"
    " strpos(',' || $2 || ',', ',' || name || ',') > 0)");

static dm_err
timers_cancel(struct dm_store *st, int64_t ticket, const char *list,
    time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_cancel);

	if (s == NULL)
		return store_error(st, "sla_timers");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_text(s, 2, list);
	stmt_bind_int64(s, 3, (int64_t)now);
	return store_exec_stmt(st, s);
}

/*
 * The resolver's chain at step (the team's escalation contacts in order,
 * then the supervisor, then the team); for a referral unresolved the
 * supervisor, then management.  The desk's side of an escalation; the
 * policy's escalation_to says who else hears of it.  The caller frees it.
 */
static char *
chain_to(const struct dm_config *cfg, const struct dm_ticket *t,
    const char *name, int step)
{
	const struct dm_team *team = t->team ? config_team(cfg, t->team) :
	    NULL;
	const char *fallback = cfg->sla_supervisor[0] ? cfg->sla_supervisor :
	    team && team->address ? team->address : cfg->address;

	if (strcmp(name, "management") == 0 && cfg->sla_management[0])
		return xstrdup(cfg->sla_management);
	if (strcmp(name, "referral") == 0 || strcmp(name, "management") == 0)
		return xstrdup(fallback);
	if (team != NULL && (size_t)step < team->nescalation)
		return xstrdup(team->escalation[step]);
	return xstrdup(fallback);
}

/* Queue a notice of the ticket's policy (see sla_notice.c). */
static dm_err
send_notice(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const struct sla_mail *m, time_t now,
    size_t *sent)
{
	size_t n;

	return sla_notice_send(st, cfg, t, policy(cfg, t), m, now, sent ?
	    sent : &n);
}

static const struct dm_sql sql_next_update = SQL2(
    "SELECT min(due) FROM sla_timers WHERE ticket_id = ?1 AND"
    " name = 'update' AND +state = 'pending'",
    "SELECT min(due) FROM sla_timers WHERE ticket_id = $1 AND"
    " name = 'update' AND state = 'pending'");

dm_err
sla_next_update(struct dm_store *st, int64_t ticket, time_t *when)
{
	int64_t v;
	dm_err err = store_query_int(st, &sql_next_update, ticket, &v);

	*when = (time_t)v;
	return err;
}

/* The row's update notices, counted from start. */
static dm_err
add_updates(struct dm_store *st, const struct dm_ticket *t,
    const struct calendar *cal, const struct sla_row *r, time_t start)
{
	dm_err err = DM_OK;
	size_t i;

	if (r->update_every.n)
		return timer_add_next(st, t->id, "update", span_add(cal, r, start,
		    &r->update_every), r->business);
	for (i = 0; i < r->nupdates && err == DM_OK; i++)
		err = timer_add_next(st, t->id, "update", span_add(cal, r, start,
		    &r->updates[i]), r->business);
	return err;
}

/* ... in place of those it had. */
static dm_err
schedule_updates(struct dm_store *st, const struct dm_ticket *t,
    const struct calendar *cal, const struct sla_row *r, time_t start)
{
	dm_err err;

	if ((err = timers_cancel(st, t->id, "update", start)) != DM_OK)
		return err;
	return add_updates(st, t, cal, r, start);
}

static int
has_updates(const struct sla_row *r)
{
	return r->update_every.n || r->nupdates;
}

static int
same_updates(const struct sla_row *a, const struct sla_row *b)
{
	struct sla_row x = *a, y = *b;

	/* compare only the update schedule and its clock */
	x.assign = y.assign;
	x.ack = y.ack;
	x.initial = y.initial;
	x.resolve = y.resolve;
	x.referral = y.referral;
	x.restored = y.restored;
	x.significant = y.significant;
	return sla_row_same(&x, &y);
}

/* Start a target counted from start, unless it is already met. */
static dm_err
start_target(struct dm_store *st, const struct dm_ticket *t,
    const struct calendar *cal, const struct sla_row *r, const char *name,
    const struct sla_span *span, time_t start)
{
	if (span->n == 0)
		return DM_OK;
	if (strcmp(name, "assign") == 0 && t->assignee != NULL)
		return DM_OK;
	return timer_add_next(st, t->id, name, span_add(cal, r, start, span),
	    r->business);
}

/* How a ticket comes under a row of its policy. */
struct entry {
	time_t	start;		/* the row's targets count from here */
	int	counted;	/* the initial notice counts against its
				   target (not after a transfer) */
	int	covered;	/* a significant update, sent with it, is the
				   initial notice too (one mail per change) */
	int	fresh;		/* a new ticket: no timers to stop */
};

/*
 * The initial notice, counted against its target: due initial after the
 * ticket came under the row (its creation, or an upgrade).  Sent to
 * nobody, it is neither met nor missed (met -1: "no recipients").
 */
static dm_err
initial_notice(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const struct sla_row *r,
    const struct entry *e, time_t now)
{
	time_t due = e->start + sla_span_seconds(&r->initial);
	struct sla_mail m;
	size_t sent = 1;
	char *msg;
	int met = now <= due;
	dm_err err = DM_OK;

	if (!e->covered) {
		memset(&m, 0, sizeof(m));
		m.kind = SN_INITIAL;
		m.say.target = "initial";
		m.due = due;
		err = send_notice(st, cfg, t, &m, now, &sent);
	}
	if (err != DM_OK || !e->counted)
		return err;
	if (sent == 0)
		msg = xstrdup("initial notice: nobody to send it to (neither "
		    "met nor missed)");
	else
		msg = xasprintf("initial notice: %s%s", met ? "sent in time" :
		    "sent late", e->covered ? " (the significant update)" : "");
	err = event_add(st, t->id, now, "deskmail", sent == 0 ? "sla_notice" :
	    met ? "sla_met" : "sla_breached", msg);
	free(msg);
	if (err == DM_OK)
		err = result_add(st, cfg, t, "initial", sent == 0 ? -1 : met,
		    (long)(now - due), now);
	return err;
}

/*
 * The ticket moves from row from (NULL: it comes under the policy now)
 * to row to: start what to promises that from did not, stop what it no
 * longer promises.  The initial notice goes last, so it can say when
 * the first update is due.
 */
static dm_err
enter_row(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const struct calendar *cal,
    const struct sla_row *from, const struct sla_row *to,
    const struct entry *e, time_t now)
{
	int assign, resolve, updates, referral;
	char stop[64] = "";
	dm_err err = DM_OK;

	/* stop first what the new row restarts or no longer promises (the
	 * names differ from those started below but for a restart) */
	assign = from == NULL || from->business != to->business ||
	    memcmp(&from->assign, &to->assign, sizeof(to->assign)) != 0;
	resolve = from == NULL || from->business != to->business ||
	    memcmp(&from->resolve, &to->resolve, sizeof(to->resolve)) != 0;
	updates = has_updates(to) && (from == NULL || !same_updates(from, to));
	referral = from == NULL || memcmp(&from->referral, &to->referral,
	    sizeof(to->referral)) != 0;
	if (assign)
		strcat(stop, ",assign");
	if (resolve)
		strcat(stop, ",resolve");
	if (to->ack.n == 0)	/* the resolver acknowledges nothing now */
		strcat(stop, ",ack,chain");
	if (updates || !has_updates(to))
		strcat(stop, ",update");
	if (referral)
		strcat(stop, ",referral,management");
	if (stop[0] != '\0' && !e->fresh)
		err = timers_cancel(st, t->id, stop + 1, now);

	if (err == DM_OK && assign)
		err = start_target(st, t, cal, to, "assign", &to->assign,
		    e->start);
	if (err == DM_OK && resolve)
		err = start_target(st, t, cal, to, "resolve", &to->resolve,
		    e->start);
	/* the resolver acknowledges within ack of being told */
	if (err == DM_OK && to->ack.n && (from == NULL || from->ack.n == 0))
		err = timer_add_next(st, t->id, "ack", span_add(cal, to, now,
		    &to->ack), to->business);
	if (err == DM_OK && updates)
		err = add_updates(st, t, cal, to, now);
	if (err == DM_OK && referral && to->referral.n)
		err = timer_add_next(st, t->id, "referral", span_add(cal, to, now,
		    &to->referral), to->business);
	if (err == DM_OK && to->initial.n && (from == NULL ||
	    from->initial.n == 0))
		err = initial_notice(st, cfg, t, to, e, now);
	return err;
}

/* Severity 1 declared: the CCC supervisor is told at once (seed 003). */
static dm_err
major_notice(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, time_t now)
{
	struct sla_mail m;

	memset(&m, 0, sizeof(m));
	m.kind = SN_MAJOR;
	m.say.target = "major";
	m.say.message = "major";
	m.action = "Make sure a resolver has it: reply with \"#assign TEAM\" "
	    "or \"#transfer TEAM\" if it is with the wrong team.";
	return send_notice(st, cfg, t, &m, now, NULL);
}

dm_err
sla_on_created(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, time_t now)
{
	const struct sla_policy *p = policy(cfg, t);
	struct calendar cal;
	struct entry e = { t->created, 1, 0, 1 };
	dm_err err;

	if (p->triage.n && (err = timer_add_next(st, t->id, "triage",
	    t->created + sla_span_seconds(&p->triage), 0)) != DM_OK)
		return err;
	if ((err = calendar_from_config(cfg, &cal)) != DM_OK)
		return err;
	err = enter_row(st, cfg, t, &cal, NULL, sla_policy_row(p, t->severity),
	    &e, now);
	calendar_free(&cal);
	if (err == DM_OK && t->severity == 1)
		err = major_notice(st, cfg, t, now);
	return err;
}

/*
 * A change of severity.  One mail per change: when the new severity has
 * an initial notice the old one did not (an upgrade from 3), the
 * significant update is that initial notice too, and the new targets run
 * from the upgrade.  Severity set for the first time (triage) sends the
 * initial notice, counted from the ticket's creation.
 */
dm_err
sla_on_severity(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, int old, time_t now)
{
	const struct sla_row *from = row(cfg, t, old), *to = row(cfg, t,
	    t->severity);
	struct entry e = { old == 0 ? t->created : now, 1, 0, 0 };
	struct calendar cal;
	struct sla_mail m;
	dm_err err;

	/* a child follows its major incident: no timers, no notices */
	if (t->parent != 0)
		return DM_OK;
	if ((err = timer_meet(st, cfg, t, "triage", now)) != DM_OK)
		return err;
	e.covered = old != 0 && (from->significant || to->significant);
	if (!sla_row_same(from, to)) {
		if ((err = calendar_from_config(cfg, &cal)) != DM_OK)
			return err;
		err = enter_row(st, cfg, t, &cal, from, to, &e, now);
		calendar_free(&cal);
		if (err != DM_OK)
			return err;
	}
	if (e.covered) {
		/* a change of severity: everyone hears of it at once */
		memset(&m, 0, sizeof(m));
		m.kind = SN_SIGNIFICANT;
		m.say.target = "significant";
		m.say.message = "severity";
		m.say.old = old;
		err = send_notice(st, cfg, t, &m, now, NULL);
	}
	if (err == DM_OK && t->severity == 1)
		err = major_notice(st, cfg, t, now);
	return err;
}

dm_err
sla_on_transfer(struct dm_store *st, const struct dm_config *cfg,
    struct dm_ticket *t, time_t now)
{
	const char *from = policy_of(cfg, t), *to = team_policy(cfg, t->team);
	struct entry e = { t->created, 0, 0, 0 };
	struct calendar cal;
	char *detail;
	dm_err err;

	/* a child follows its major incident: no timers, no notices */
	if (t->parent != 0)
		return DM_OK;
	if (strcmp(from, to) == 0)
		return DM_OK;
	/* the new team's promises replace the old ones from here on */
	detail = xasprintf("%s -> %s (team %s)", from, to, t->team);
	if ((err = timers_cancel(st, t->id, NULL, now)) == DM_OK &&
	    (err = event_add(st, t->id, now, "deskmail", "sla_policy",
	    detail)) == DM_OK)
		err = ticket_set_class(st, t, TC_POLICY, to, now);
	free(detail);
	if (err != DM_OK)
		return err;
	if (t->severity == 0)
		return sla_on_created(st, cfg, t, now);
	if ((err = calendar_from_config(cfg, &cal)) != DM_OK)
		return err;
	err = enter_row(st, cfg, t, &cal, NULL, row(cfg, t, t->severity), &e,
	    now);
	calendar_free(&cal);
	return err;
}

dm_err
sla_on_ack(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, time_t now)
{
	dm_err err;

	/* a child follows its major incident: no timers, no notices */
	if (t->parent != 0)
		return DM_OK;
	if ((err = timer_meet(st, cfg, t, "ack", now)) != DM_OK)
		return err;
	return timers_cancel(st, t->id, "chain", now);	/* the chain stops */
}

dm_err
sla_on_assigned(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, time_t now)
{
	/* a child follows its major incident: no timers, no notices */
	if (t->parent != 0)
		return DM_OK;
	return timer_meet(st, cfg, t, "assign", now);
}

static const struct dm_sql sql_pause = SQL2(
    "UPDATE sla_timers SET state = 'paused', done_at = ?2"
    " WHERE ticket_id = ?1 AND +state = 'pending'",
    "UPDATE sla_timers SET state = 'paused', done_at = $2"
    " WHERE ticket_id = $1 AND state = 'pending'");
static const struct dm_sql sql_paused = SQL2(
    "SELECT id, due, done_at, business FROM sla_timers"
    " WHERE ticket_id = ?1 AND +state = 'paused'",
    "SELECT id, due, done_at, business FROM sla_timers"
    " WHERE ticket_id = $1 AND state = 'paused'");
static const struct dm_sql sql_resume = SQL(
    "UPDATE sla_timers SET state = 'pending', due = ?2 WHERE id = ?1");

/* The clocks stop while the ticket waits for the customer. */
static dm_err
pause_or_resume(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, int pause, time_t now)
{
	struct { int64_t id; time_t due; } v[32];
	struct calendar cal;
	struct dm_stmt *s;
	size_t n = 0, i;
	dm_err err = DM_OK;

	if (pause) {
		if ((s = store_stmt(st, &sql_pause)) == NULL)
			return store_error(st, "sla_timers");
		stmt_bind_int64(s, 1, t->id);
		stmt_bind_int64(s, 2, (int64_t)now);
		return store_exec_stmt(st, s);
	}
	if ((err = calendar_from_config(cfg, &cal)) != DM_OK)
		return err;
	if ((s = store_stmt(st, &sql_paused)) == NULL) {
		calendar_free(&cal);
		return store_error(st, "sla_timers");
	}
	stmt_bind_int64(s, 1, t->id);
	while (n < 32 && stmt_step(s) == STMT_ROW) {
		time_t due = (time_t)stmt_int64(s, 1);
		time_t at = (time_t)stmt_int64(s, 2);

		v[n].id = stmt_int64(s, 0);
		/* what was left of it when paused, from now on */
		v[n].due = stmt_int(s, 3) ?
		    calendar_add(&cal, now, calendar_elapsed(&cal, at, due)) :
		    now + (due > at ? due - at : 0);
		n++;
	}
	stmt_reset(s);
	for (i = 0; i < n && err == DM_OK; i++) {
		if ((s = store_stmt(st, &sql_resume)) == NULL) {
			err = store_error(st, "sla_timers");
			break;
		}
		stmt_bind_int64(s, 1, v[i].id);
		stmt_bind_int64(s, 2, (int64_t)v[i].due);
		err = store_exec_stmt(st, s);
	}
	calendar_free(&cal);
	return err;
}

dm_err
sla_on_status(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const char *old, time_t now)
{
	struct calendar cal;
	dm_err err = DM_OK;

	/* a child follows its major incident: no timers, no notices */
	if (t->parent != 0)
		return DM_OK;
	if (strcmp(t->status, TS_PENDING) == 0)
		return pause_or_resume(st, cfg, t, 1, now);
	if (strcmp(old, TS_PENDING) == 0 &&
	    (err = pause_or_resume(st, cfg, t, 0, now)) != DM_OK)
		return err;
	if (strcmp(t->status, TS_RESOLVED) == 0) {
		if ((err = timer_meet(st, cfg, t, "resolve", now)) != DM_OK ||
		    (err = timer_meet(st, cfg, t, "referral", now)) != DM_OK ||
		    (err = timers_cancel(st, t->id, NULL, now)) != DM_OK)
			return err;
		if (row(cfg, t, t->severity)->restored) {
			struct sla_mail m;

			memset(&m, 0, sizeof(m));
			m.kind = SN_RESTORED;
			m.say.target = "restored";
			err = send_notice(st, cfg, t, &m, now, NULL);
		}
		return err;
	}
	if (strcmp(t->status, TS_CLOSED) == 0)
		return timers_cancel(st, t->id, NULL, now);
	if (strcmp(t->status, TS_REOPENED) == 0 &&
	    has_updates(row(cfg, t, t->severity))) {
		/* not restored after all: the updates start again */
		if ((err = calendar_from_config(cfg, &cal)) != DM_OK)
			return err;
		err = schedule_updates(st, t, &cal, row(cfg, t, t->severity),
		    now);
		calendar_free(&cal);
	}
	return err;
}

/* ---- tick ------------------------------------------------------------ */

struct due_timer {
	int64_t	 id, ticket;
	char	 name[16];
	int	 seq;
	time_t	 due;
};

static const struct dm_sql sql_due = SQL(
    "SELECT id, ticket_id, name, seq, due FROM sla_timers"
    " WHERE state = 'pending' AND due <= ?1 ORDER BY due LIMIT 20000");
static const struct dm_sql sql_claim = SQL(
    "UPDATE sla_timers SET state = ?2, done_at = ?3"
    " WHERE id = ?1 AND state = 'pending'");
static const struct dm_sql sql_skip = SQL2(
    "UPDATE sla_timers SET state = 'skipped', done_at = ?3"
    " WHERE ticket_id = ?1 AND name = 'update' AND +state = 'pending'"
    " AND +due <= ?2",
    "UPDATE sla_timers SET state = 'skipped', done_at = $3"
    " WHERE ticket_id = $1 AND name = 'update' AND state = 'pending'"
    " AND due <= $2");

/* What staff should do about a missed target. */
static const char *
action_for(const char *name)
{
	if (strcmp(name, "triage") == 0)
		return "Set its severity: reply to this mail with a line "
		    "\"#severity 1\", 2 or 3.";
	if (strcmp(name, "assign") == 0)
		return "Give it to a resolver: reply to this mail with a line "
		    "\"#assign TEAM-OR-PERSON\".";
	if (strcmp(name, "ack") == 0 || strcmp(name, "chain") == 0)
		return "To acknowledge, reply to this mail with a line \"#ack\".";
	return "Reply with what is being done; a line \"#update TEXT\" "
	    "tells the customer without a full reply.";
}

/*
 * Queue the escalation of target name at step of the resolver's chain:
 * to the chain (the desk's side, asked to act) and, unless staff_only,
 * to the policy's escalation_to audience, told that it was escalated and
 * to whom.
 */
static dm_err
escalate(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const char *name, int step, int staff_only,
    const struct sla_say *say, time_t due, time_t now)
{
	struct sla_mail m;
	char *list = chain_to(cfg, t, name, step);
	dm_err err;

	memset(&m, 0, sizeof(m));
	m.kind = SN_ESCALATION;
	m.say = *say;
	m.due = due;
	m.action = action_for(name);
	m.staff_list = list;
	m.staff_only = staff_only;
	err = send_notice(st, cfg, t, &m, now, NULL);
	free(list);
	return err;
}

/* One ack span on (15 minutes in ny-ccc), the next contact of the chain,
 * while there is one. */
static dm_err
chain_next(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, int step, time_t now)
{
	const struct dm_team *team = t->team ? config_team(cfg, t->team) :
	    NULL;

	const struct sla_row *r = row(cfg, t, t->severity);

	if (team == NULL || (size_t)step + 1 >= team->nescalation ||
	    r->ack.n == 0)
		return DM_OK;
	return timer_add(st, t->id, "chain", step + 1, now +
	    sla_span_seconds(&r->ack), 0);
}

/* A scheduled update: what is known now, and the next one scheduled. */
static dm_err
fire_update(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const struct due_timer *d,
    const struct calendar *cal, time_t now)
{
	const struct sla_row *r = row(cfg, t, t->severity);
	struct sla_mail m;
	char late[32], *detail;
	struct dm_stmt *s;
	time_t last;
	size_t sent = 0;
	int covered;
	dm_err err;

	minutes(late, sizeof(late), (long)(now - d->due));
	/* one notice now; slots that fell due meanwhile are skipped */
	if ((s = store_stmt(st, &sql_skip)) == NULL)
		return store_error(st, "sla_timers");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_int64(s, 2, (int64_t)now);
	stmt_bind_int64(s, 3, (int64_t)now);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	/* the repeating ones schedule their next from now, before the
	 * notice says when it is */
	if (r->update_every.n && (err = timer_add_next(st, t->id, "update",
	    span_add(cal, r, now, &r->update_every), r->business)) != DM_OK)
		return err;
	/* customers heard of it minutes ago (a significant update): that
	 * notice was this update, not a second mail in the same minutes */
	if ((err = sla_notice_last(st, t->id, &last)) != DM_OK)
		return err;
	covered = last != 0 && now - last < UPDATE_GRACE;
	if (!covered) {
		memset(&m, 0, sizeof(m));
		m.kind = SN_UPDATE;
		m.say.target = "update";
		m.due = d->due;
		if ((err = send_notice(st, cfg, t, &m, now, &sent)) != DM_OK)
			return err;
	}
	detail = covered ? xasprintf("update %d: covered by the notice sent "
	    "%ld min before", d->seq, (long)(now - last) / MINUTE) :
	    sent == 0 ? xasprintf("update %d not sent: nobody to send it to "
	    "(neither met nor missed)", d->seq) : xasprintf("update %d sent, "
	    "%s after its time", d->seq, late);
	err = event_add(st, t->id, now, "deskmail", "sla_notice", detail);
	free(detail);
	if (err == DM_OK)
		err = result_add(st, cfg, t, "update", sent == 0 && !covered ?
		    -1 : now - d->due <= UPDATE_GRACE, (long)(now - d->due), now);
	return err;
}

/* Fire one timer (already claimed in this transaction). */
static dm_err
fire(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const struct due_timer *d,
    const struct calendar *cal, time_t now)
{
	struct sla_say say = { d->name, NULL, 0, (long)(now - d->due), 0 };
	char late[32], *detail, *msg;
	dm_err err;

	minutes(late, sizeof(late), (long)(now - d->due));
	if (strcmp(d->name, "update") == 0)
		return fire_update(st, cfg, t, d, cal, now);
	if (strcmp(d->name, "referral") == 0 ||
	    strcmp(d->name, "management") == 0) {
		int first = strcmp(d->name, "referral") == 0;

		say.message = d->name;
		/* the customer's side hears once, with the first step */
		err = escalate(st, cfg, t, d->name, 0, !first, &say, d->due,
		    now);
		/* the ticket's log is the staff's: in their language */
		msg = sla_say_message(cfg, LANG_SHARED, t, policy(cfg, t),
		    &say);
		if (err == DM_OK)
			err = event_add(st, t->id, now, "deskmail", "sla_breached",
			    msg);
		free(msg);
		/* counted once; management hears a day after the supervisor */
		if (err == DM_OK && first)
			err = result_add(st, cfg, t, "referral", 0,
			    (long)(now - d->due), now);
		if (err == DM_OK && first)
			err = timer_add_next(st, t->id, "management", now + DAY, 0);
		return err;
	}
	if (strcmp(d->name, "chain") == 0) {
		/* still no #ack: the next contact of the resolver's chain */
		say.target = "ack";
		say.message = "chain";
		say.step = d->seq;
		err = escalate(st, cfg, t, "ack", d->seq, 1, &say, d->due, now);
		if (err == DM_OK)
			err = chain_next(st, cfg, t, d->seq, now);
		return err;
	}
	/* a target missed */
	detail = xasprintf("%s: missed by %s", d->name, late);
	err = event_add(st, t->id, now, "deskmail", "sla_breached", detail);
	free(detail);
	if (err == DM_OK)
		err = result_add(st, cfg, t, d->name, 0, (long)(now - d->due),
		    now);
	if (err != DM_OK)
		return err;
	say.message = "missed";
	err = escalate(st, cfg, t, d->name, 0, 0, &say, d->due, now);
	if (err == DM_OK && strcmp(d->name, "ack") == 0)
		err = chain_next(st, cfg, t, 0, now);
	return err;
}

dm_err
sla_tick(struct dm_store *st, const struct dm_config *cfg, size_t *fired)
{
	time_t now = clock_now();
	struct due_timer *v = NULL;
	struct calendar cal;
	struct dm_ticket t;
	struct dm_stmt *s;
	size_t n = 0, i;
	dm_err err = DM_OK;
	int rc;

	*fired = 0;
	if ((err = calendar_from_config(cfg, &cal)) != DM_OK)
		return err;
	if ((s = store_stmt(st, &sql_due)) == NULL) {
		calendar_free(&cal);
		return store_error(st, "sla_timers");
	}
	stmt_bind_int64(s, 1, (int64_t)now);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].id = stmt_int64(s, 0);
		v[n].ticket = stmt_int64(s, 1);
		snprintf(v[n].name, sizeof(v[n].name), "%s",
		    stmt_text(s, 2));
		v[n].seq = stmt_int(s, 3);
		v[n].due = (time_t)stmt_int64(s, 4);
		n++;
	}
	if (rc != STMT_DONE)
		err = store_error(st, "sla_timers");
	stmt_reset(s);
	/*
	 * Up to BATCH timers per transaction: each timer, its event and its
	 * mail still commit together (or not at all), without one disk sync
	 * per timer when thousands fall due at once.
	 */
	for (i = 0; i < n && err == DM_OK; i++) {
		if (i % BATCH == 0 && (err = store_begin(st)) != DM_OK)
			break;
		/* claim it: a racing tick finds it gone and does nothing */
		if ((s = store_stmt(st, &sql_claim)) == NULL) {
			err = store_error(st, "sla_timers");
			store_rollback(st);
			break;
		}
		stmt_bind_int64(s, 1, v[i].id);
		stmt_bind_text(s, 2, strcmp(v[i].name, "update") == 0 ||
		    strcmp(v[i].name, "referral") == 0 ||
		    strcmp(v[i].name, "management") == 0 ||
		    strcmp(v[i].name, "chain") == 0 ? "sent" : "breached");
		stmt_bind_int64(s, 3, (int64_t)now);
		if ((err = store_exec_stmt(st, s)) == DM_OK &&
		    store_changes(st) == 1 &&
		    (err = ticket_get(st, v[i].ticket, &t)) == DM_OK) {
			err = fire(st, cfg, &t, &v[i], &cal, now);
			ticket_clear(&t);
			*fired += err == DM_OK;
		}
		if (err != DM_OK)
			store_rollback(st);
		else if (i % BATCH == BATCH - 1 || i + 1 == n)
			err = store_commit(st);
	}
	if (err != DM_OK)
		*fired = 0;	/* the open batch was rolled back */
	free(v);
	calendar_free(&cal);
	return err;
}

dm_err
sla_stop(struct dm_store *st, int64_t ticket, time_t now)
{
	return timers_cancel(st, ticket, NULL, now);
}

dm_err
sla_restart(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, time_t now)
{
	struct calendar cal;
	struct entry e = { now, 0, 0, 0 };
	dm_err err;

	if ((err = timers_cancel(st, t->id, NULL, now)) != DM_OK ||
	    strcmp(t->status, TS_RESOLVED) == 0 ||
	    strcmp(t->status, TS_CLOSED) == 0)
		return err;
	if ((err = calendar_from_config(cfg, &cal)) != DM_OK)
		return err;
	err = enter_row(st, cfg, t, &cal, NULL, row(cfg, t, t->severity), &e,
	    now);
	calendar_free(&cal);
	return err;
}
