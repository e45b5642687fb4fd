/*
 * report_fte.c - billing by FTE (seed 002: cost "based on agency FTE"):
 * `report billing --method fte --amount TOTAL` shares one period's cost
 * among the agencies of the directory by their full-time equivalents
 * (agencies.fte).  The period (--from, --to) names what the amount is
 * for; the FTE are the directory's as it is now.
 *
 * Amounts are whole cents and add up to TOTAL exactly, by the largest
 * remainder: each agency first gets floor(TOTAL * fte / all FTE) cents;
 * the cents left over (fewer than the agencies) go one each to the
 * agencies whose division left the largest remainder, a tie to the
 * larger FTE, then to the name first in alphabetical order.  Integers
 * only: TOTAL is at most 999,999,999.99 and an FTE at most 100,000.00,
 * so TOTAL * fte (both in hundredths) stays below 10^18.
 *
 * An agency without an FTE in the directory (an empty fte) is listed
 * apart and billed nothing; an FTE of 0 is a share of 0.
 */
#include <stdlib.h>
#include <string.h>

#include "deskmail/directory.h"
#include "deskmail/report.h"

static const struct rcol meta_cols[] = {
	REPORT_META_COMMON, { "currency", "currency" }, { "method", "method" },
	{ "amount", "amount" }, { NULL, NULL }
};

static const struct rcol share_cols[] = {
	{ "agency", "agency" }, { "fte", "fte" }, { "share_pct", "share %" },
	{ "amount", "amount" }, { NULL, NULL }
};

static const struct rcol total_cols[] = {
	{ "agencies", "agencies" }, { "fte", "fte" },
	{ "share_pct", "share %" }, { "amount", "amount" }, { NULL, NULL }
};

static const struct rcol without_cols[] = {
	{ "agency", "agency" }, { NULL, NULL }
};

static const struct dm_sql sql_agencies = SQL(
    "SELECT name, CAST(round(fte * 100) AS INTEGER) FROM agencies"
    " WHERE fte IS NOT NULL ORDER BY name");
static const struct dm_sql sql_without = SQL(
    "SELECT name FROM agencies WHERE fte IS NULL ORDER BY name");

struct share {
	char	*name;
	int64_t	 fte;		/* hundredths */
	int64_t	 cents;
	int64_t	 rem;		/* what the division left, for the rounding */
};

dm_err
report_parse_method(const char *s, enum report_method *m)
{
	if (strcmp(s, "incident") == 0)
		*m = RM_INCIDENT;
	else if (strcmp(s, "fte") == 0)
		*m = RM_FTE;
	else
		return dm_fail(DM_EUSAGE, "--method: unknown method '%s' "
		    "(incident, fte)", s);
	return DM_OK;
}

dm_err
report_parse_amount(const char *s, int64_t *cents)
{
	const char *p = s;
	int64_t whole = 0, frac = 0;
	int digits = 0, fdigits = 0;

	for (; *p >= '0' && *p <= '9' && digits < 10; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (digits > 0 && *p == '.')
		for (p++; *p >= '0' && *p <= '9' && fdigits < 3; p++,
		    fdigits++)
			frac = frac * 10 + (*p - '0');
	if (digits == 0 || *p != '\0' || fdigits > 2 ||
	    whole > REPORT_AMOUNT_MAX)
		return dm_fail(DM_EUSAGE, "--amount: '%s' is not an amount "
		    "like 12500 or 12500.50 (at most %d.99)", s,
		    REPORT_AMOUNT_MAX);
	*cents = whole * 100 + (fdigits == 1 ? frac * 10 : frac);
	return DM_OK;
}

/* Largest remainder first; then the larger FTE; then by name. */
static int
cmp_rem(const void *x, const void *y)
{
	const struct share *a = *(const struct share *const *)x;
	const struct share *b = *(const struct share *const *)y;

	if (a->rem != b->rem)
		return a->rem > b->rem ? -1 : 1;
	if (a->fte != b->fte)
		return a->fte > b->fte ? -1 : 1;
	return strcmp(a->name, b->name);
}

static dm_err
read_shares(const struct report_env *env, struct share **out, size_t *n)
{
	struct dm_stmt *s = store_stmt(env->st, &sql_agencies);
	struct share *v = NULL;
	size_t count = 0, cap = 0;
	dm_err err = DM_OK;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return store_error(env->st, "billing");
	while ((rc = stmt_step(s)) == STMT_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		memset(&v[count], 0, sizeof(*v));
		v[count].name = stmt_dup(s, 0);
		v[count].fte = stmt_int64(s, 1);
		/* an FTE written into the database by hand, out of bounds */
		if (v[count].fte < 0 ||
		    v[count].fte > (int64_t)DIRECTORY_FTE_MAX * 100)
			v[count].fte = 0;
		count++;
	}
	if (rc != STMT_DONE)
		err = store_error(env->st, "billing");
	stmt_reset(s);
	*out = v;
	*n = count;
	return err;
}

/* Each agency's cents, adding up to amount (see the top of the file). */
static void
allocate(struct share *v, size_t n, int64_t total_fte, int64_t amount)
{
	struct share **order;
	int64_t left = amount;
	size_t i;

	for (i = 0; i < n; i++) {
		v[i].cents = amount * v[i].fte / total_fte;
		v[i].rem = amount * v[i].fte % total_fte;
		left -= v[i].cents;
	}
	order = xcalloc(n ? n : 1, sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = &v[i];
	qsort(order, n, sizeof(*order), cmp_rem);
	/* fewer cents are left than there are agencies with a share */
	for (i = 0; i < n && left > 0; i++, left--)
		order[i]->cents++;
	free(order);
}

static dm_err
fill_without(const struct report_env *env, struct rtab *t, long *n)
{
	struct dm_stmt *s = store_stmt(env->st, &sql_without);
	dm_err err = DM_OK;
	int rc;

	*n = 0;
	if (s == NULL)
		return store_error(env->st, "billing");
	while ((rc = stmt_step(s)) == STMT_ROW) {
		rtab_row(t);
		rtab_str(t, stmt_text(s, 0));
		(*n)++;
	}
	if (rc != STMT_DONE)
		err = store_error(env->st, "billing");
	stmt_reset(s);
	return err;
}

dm_err
report_billing_fte(const struct report_env *env, struct report *r)
{
	const char *cur = env->cfg->billing_currency;
	struct rtab *shares, *total, *without;
	struct share *v;
	int64_t amount = env->opts->amount, fte = 0;
	size_t n, i;
	long nwithout;
	dm_err err;

	r->name = "billing";
	r->title = "Billing by FTE";
	report_meta(r, env, meta_cols);
	rtab_str(r->meta, cur);
	rtab_str(r->meta, "fte");
	rtab_cents(r->meta, amount);
	if ((err = read_shares(env, &v, &n)) != DM_OK)
		goto out;
	for (i = 0; i < n; i++)
		fte += v[i].fte;
	if (fte == 0) {
		err = dm_fail(DM_ESTATE, "billing by FTE: no agency in the "
		    "directory has an FTE above 0; import a directory with "
		    "the fte column (deskmail.conf(5), AGENCY DIRECTORY)");
		goto out;
	}
	allocate(v, n, fte, amount);
	shares = report_add(r, "shares", "Each agency's share of the cost",
	    share_cols, 0);
	for (i = 0; i < n; i++) {
		rtab_row(shares);
		rtab_str(shares, v[i].name);
		rtab_cents(shares, v[i].fte);	/* hundredths, as 12.50 */
		rtab_num(shares, (double)v[i].fte * 100 / (double)fte, 1);
		rtab_cents(shares, v[i].cents);
	}
	total = report_add(r, "total", "Total", total_cols, 0);
	rtab_row(total);
	rtab_int(total, (int64_t)n);
	rtab_cents(total, fte);
	rtab_num(total, 100, 1);
	rtab_cents(total, amount);
	without = report_add(r, "without_fte", "Agencies without an FTE (not "
	    "billed)", without_cols, 0);
	if ((err = fill_without(env, without, &nwithout)) != DM_OK)
		goto out;
	r->summary = xasprintf("%lld.%02lld %s shared by %zu agenc%s with "
	    "%lld.%02lld FTE; %ld agenc%s without an FTE, not billed",
	    (long long)(amount / 100), (long long)(amount % 100), cur, n,
	    n == 1 ? "y" : "ies", (long long)(fte / 100),
	    (long long)(fte % 100), nwithout, nwithout == 1 ? "y" : "ies");
out:
	for (i = 0; v != NULL && i < n; i++)
		free(v[i].name);
	free(v);
	return err;
}
