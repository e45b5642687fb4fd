/*
 * report_billing.c - monthly billing (seed 003): a flat rate per incident
 * and category ([billing] rate_<category>), by the month a ticket was
 * closed (tickets never closed are not billed yet), to the agency the
 * rules name:
 *
 *   the user's agency's bill_to (directory table agencies):
 *     agency    the user's agency, always
 *     owner     the owning agency (tickets.owner), else the user's agency
 *     category  (and agencies not in the directory) as [billing]
 *               bill_to_<category> says: owner or agency, as above
 *   no agency at all: "(unbilled)".
 * Uncategorised tickets have no rate: counted apart, not billed.
 * Amounts are whole cents, multiplied, never floating point.
 *
 * The directory is read first (it is small); then one pass over the
 * closed tickets, in closing order, fills the incident list and the sums.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/report.h"

#define UNBILLED	"(unbilled)"

static const struct rcol meta_cols[] = {
	REPORT_META_COMMON, { "currency", "currency" }, { "method", "method" },
	{ NULL, NULL }
};

static const struct rcol row_cols[] = {
	{ "month", "month" }, { "bill_to", "bill to" },
	{ "category", "category" }, { "incidents", "incidents" },
	{ "rate", "rate" }, { "amount", "amount" }, { NULL, NULL }
};

static const struct rcol total_cols[] = {
	{ "month", "month" }, { "bill_to", "bill to" },
	{ "incidents", "incidents" }, { "amount", "amount" }, { NULL, NULL }
};

static const struct rcol uncat_cols[] = {
	{ "month", "month" }, { "incidents", "incidents" }, { NULL, NULL }
};

static const struct rcol detail_cols[] = {
	{ "ticket", "ticket" }, { "closed", "closed" }, { "month", "month" },
	{ "category", "category" }, { "requester", "requester" },
	{ "agency", "user's agency" }, { "owner", "owner" },
	{ "bill_to", "bill to" }, { "rate", "rate" }, { NULL, NULL }
};

static const struct dm_sql sql_agencies = SQL(
    "SELECT name, bill_to FROM agencies");

static const struct dm_sql sql_closed = SQL(
    "SELECT id, closed_at, category, requester, agency, owner FROM tickets"
    " WHERE closed_at >= ?1 AND closed_at < ?2 ORDER BY closed_at, id");

enum rule { RULE_CATEGORY, RULE_AGENCY, RULE_OWNER };

struct rule_of {
	enum rule	rule;
};

/* A sum: incidents and cents of (month, bill-to, category). */
struct key {
	uint32_t	month, who, cat;	/* cat: DM_NCATEGORIES for none */
};

struct line {
	struct key	k;
	long		n;
	int64_t		cents;
};

struct billing {
	struct rmap	*rules;		/* agency name -> struct rule_of */
	struct rmap	*whos;		/* bill-to name -> uint32_t, its id */
	struct rmap	*lines;		/* month, bill-to, category */
	struct rmap	*totals;	/* month, bill-to */
	struct rmap	*uncat;		/* month */
	struct rperiods	*months, *days;
};

static int
set(const char *s)
{
	return s != NULL && *s != '\0';
}

static dm_err
read_rules(const struct report_env *env, struct billing *b)
{
	struct dm_stmt *s = store_stmt(env->st, &sql_agencies);
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(env->st, "billing");
	while ((rc = stmt_step(s)) == STMT_ROW) {
		const char *name = stmt_text(s, 0);
		const char *rule = stmt_text(s, 1);
		struct rule_of *r;

		if (name == NULL || rule == NULL)
			continue;
		r = rmap_get(b->rules, name);
		r->rule = strcmp(rule, "agency") == 0 ? RULE_AGENCY :
		    strcmp(rule, "owner") == 0 ? RULE_OWNER : RULE_CATEGORY;
	}
	if (rc != STMT_DONE)
		err = store_error(env->st, "billing");
	stmt_reset(s);
	return err;
}

/* Who pays for a ticket of category cat (see the top of the file). */
static const char *
bill_to(const struct dm_config *cfg, const struct billing *b, int cat,
    const char *agency, const char *owner)
{
	const struct rule_of *r = set(agency) ? rmap_find(b->rules, agency) :
	    NULL;
	enum rule rule = r != NULL ? r->rule : RULE_CATEGORY;
	const char *who = agency;

	if (rule == RULE_CATEGORY)
		rule = strcmp(cfg->billing_bill_to[cat], "owner") == 0 ?
		    RULE_OWNER : RULE_AGENCY;
	if (rule == RULE_OWNER && set(owner))
		who = owner;
	return set(who) ? who : UNBILLED;
}

/* Count one incident under k in m. */
static void
count(struct rmap *m, uint32_t month, uint32_t who, uint32_t cat,
    int64_t cents)
{
	struct key k;
	struct line *l;

	k.month = month;
	k.who = who;
	k.cat = cat;
	l = rmap_getn(m, &k, sizeof(k));
	l->k = k;
	l->n++;
	l->cents += cents;
}

static uint32_t
who_id(struct billing *b, const char *who)
{
	uint32_t *id = rmap_get(b->whos, who);

	if (*id == 0)
		*id = (uint32_t)rmap_count(b->whos);	/* ids count from 1 */
	return *id;
}

static void
detail_row(struct rtab *d, struct dm_stmt *s, struct billing *b,
    const char *month, const char *cat, const char *who,
    const int64_t *cents)
{
	rtab_row(d);
	rtab_int(d, stmt_int64(s, 0));
	rtab_str(d, rperiods_label(b->days, rperiods_of(b->days,
	    stmt_int64(s, 1))));
	rtab_str(d, month);
	rtab_str(d, cat);
	rtab_str(d, stmt_text(s, 3));
	rtab_str(d, stmt_text(s, 4));
	rtab_str(d, stmt_text(s, 5));
	rtab_str(d, who);
	if (cents != NULL)
		rtab_cents(d, *cents);
	else
		rtab_null(d);
}

static dm_err
scan(const struct report_env *env, struct billing *b, struct rtab *d)
{
	struct dm_stmt *s = store_stmt(env->st, &sql_closed);
	const struct dm_config *cfg = env->cfg;
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(env->st, "billing");
	stmt_stream(s);
	stmt_bind_int64(s, 1, env->opts->from);
	stmt_bind_int64(s, 2, env->opts->to);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		const char *c = stmt_text(s, 2), *who;
		int cat = c ? config_category(c) : -1;
		uint32_t m = (uint32_t)rperiods_of(b->months,
		    stmt_int64(s, 1)), w;
		const char *month = rperiods_label(b->months, m);
		int64_t cents;

		if (cat < 0) {
			count(b->uncat, m, 0, DM_NCATEGORIES, 0);
			detail_row(d, s, b, month, "uncategorised", NULL, NULL);
			continue;
		}
		cents = cfg->billing_cents[cat];
		who = bill_to(cfg, b, cat, stmt_text(s,
		    4), stmt_text(s, 5));
		w = who_id(b, who);
		count(b->lines, m, w, (uint32_t)cat, cents);
		count(b->totals, m, w, DM_NCATEGORIES, cents);
		detail_row(d, s, b, month, dm_categories[cat], who, &cents);
	}
	if (rc != STMT_DONE)
		err = store_error(env->st, "billing");
	stmt_reset(s);
	return err;
}

static const char *
who_name(const struct billing *b, uint32_t id)
{
	return rmap_key(b->whos, id - 1);
}

/* By month, then bill-to, then category (dm_categories order). */
static int
cmp_line(const void *x, const void *y, void *arg)
{
	const struct line *l = *(const struct line *const *)x;
	const struct line *r = *(const struct line *const *)y;
	const struct billing *b = arg;
	int c = strcmp(rperiods_label(b->months, l->k.month),
	    rperiods_label(b->months, r->k.month));

	if (c == 0 && l->k.who != r->k.who)
		c = strcmp(who_name(b, l->k.who), who_name(b, r->k.who));
	return c ? c : (int)l->k.cat - (int)r->k.cat;
}

/* The lines of m, sorted; the caller frees the array. */
static struct line **
sorted(const struct billing *b, const struct rmap *m, size_t *n)
{
	struct line **v;
	size_t i;

	*n = rmap_count(m);
	v = xcalloc(*n ? *n : 1, sizeof(*v));
	for (i = 0; i < *n; i++)
		v[i] = rmap_val(m, i);
	qsort_r(v, *n, sizeof(*v), cmp_line, (void *)b);
	return v;
}

static void
fill(const struct report_env *env, struct report *r, struct billing *b)
{
	struct rtab *rows = report_add(r, "rows", "Incidents by agency and "
	    "category", row_cols, 0);
	struct rtab *tot = report_add(r, "totals", "Monthly totals per agency",
	    total_cols, 0);
	struct rtab *unc = report_add(r, "uncategorised", "Uncategorised (not "
	    "billed)", uncat_cols, 0);
	struct line **v;
	size_t i, n;
	long incidents = 0, uncat = 0;
	int64_t cents = 0;

	v = sorted(b, b->lines, &n);
	for (i = 0; i < n; i++) {
		rtab_row(rows);
		rtab_str(rows, rperiods_label(b->months, v[i]->k.month));
		rtab_str(rows, who_name(b, v[i]->k.who));
		rtab_str(rows, dm_categories[v[i]->k.cat]);
		rtab_int(rows, v[i]->n);
		rtab_cents(rows, env->cfg->billing_cents[v[i]->k.cat]);
		rtab_cents(rows, v[i]->cents);
	}
	free(v);
	v = sorted(b, b->totals, &n);
	for (i = 0; i < n; i++) {
		rtab_row(tot);
		rtab_str(tot, rperiods_label(b->months, v[i]->k.month));
		rtab_str(tot, who_name(b, v[i]->k.who));
		rtab_int(tot, v[i]->n);
		rtab_cents(tot, v[i]->cents);
		incidents += v[i]->n;
		cents += v[i]->cents;
	}
	free(v);
	v = sorted(b, b->uncat, &n);
	for (i = 0; i < n; i++) {
		rtab_row(unc);
		rtab_str(unc, rperiods_label(b->months, v[i]->k.month));
		rtab_int(unc, v[i]->n);
		uncat += v[i]->n;
	}
	free(v);
	r->summary = xasprintf("%ld incidents, %lld.%02lld %s in all; %ld "
	    "uncategorised, not billed", incidents, (long long)(cents / 100),
	    (long long)(cents % 100), env->cfg->billing_currency, uncat);
}

dm_err
report_billing(const struct report_env *env, struct report *r)
{
	struct billing b;
	struct rtab *detail;
	dm_err err;

	if (env->opts->method == RM_FTE)
		return report_billing_fte(env, r);
	r->name = "billing";
	r->title = "Billing";
	report_meta(r, env, meta_cols);
	rtab_str(r->meta, env->cfg->billing_currency);
	rtab_str(r->meta, "incident");
	b.rules = rmap_new(sizeof(struct rule_of));
	b.whos = rmap_new(sizeof(uint32_t));
	b.lines = rmap_new(sizeof(struct line));
	b.totals = rmap_new(sizeof(struct line));
	b.uncat = rmap_new(sizeof(struct line));
	b.months = rperiods_new(BY_MONTH);
	b.days = rperiods_new(BY_DAY);
	/* the incident list is filled while reading; it goes last */
	detail = rtab_new("detail", "Incidents", detail_cols, RT_DETAIL);
	if ((err = read_rules(env, &b)) == DM_OK &&
	    (err = scan(env, &b, detail)) == DM_OK) {
		fill(env, r, &b);
		r->tabs[r->ntabs++] = detail;
		detail = NULL;
	}
	rtab_free(detail);
	rmap_free(b.rules);
	rmap_free(b.whos);
	rmap_free(b.lines);
	rmap_free(b.totals);
	rmap_free(b.uncat);
	rperiods_free(b.months);
	rperiods_free(b.days);
	return err;
}
