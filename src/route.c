/*
 * route.c - the routing rules file: one rule a line,
 *
 *	FIELD  /PATTERN/FLAGS  key=value ... [stop]
 *
 * compiled with PCRE2 (JIT where the platform has it) and matched against
 * the first mail of a new ticket.  Every match runs under a match limit,
 * so a pattern that backtracks catastrophically costs a bounded time and
 * counts as no match: the mail is still stored.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/config.h"
#include "deskmail/mime.h"
#include "deskmail/route.h"
#include "deskmail/util.h"

#define BODY_MAX	65536	/* bytes of body a rule looks at */
#define JIT_STACK_MAX	(4 * 1024 * 1024)
#define RULES_MAX	(4 * 1024 * 1024)	/* bytes of a rules file */

enum field { F_FROM, F_TO, F_SUBJECT, F_BODY, F_ANY };

static const char *const field_names[] = {
	"from", "to", "subject", "body", "any", NULL
};

struct rule {
	int		 line;
	enum field	 field;
	pcre2_code	*re;
	char		*team, *category, *agency, *owner, *policy;
	int		 severity;
	int		 stop;
	char		*actions;	/* as written, for the event */
};

struct dm_rules {
	char			*path;
	const char		*name;		/* the file's base name */
	struct rule		*v;
	size_t			 n;
	int			 all;		/* mode = all */
	pcre2_match_context	*mctx;
};

static void
rule_free(struct rule *r)
{
	pcre2_code_free(r->re);
	free(r->team);
	free(r->category);
	free(r->agency);
	free(r->owner);
	free(r->policy);
	free(r->actions);
}

void
route_free(struct dm_rules *rules)
{
	size_t i;

	if (rules == NULL)
		return;
	for (i = 0; i < rules->n; i++)
		rule_free(&rules->v[i]);
	free(rules->v);
	pcre2_match_context_free(rules->mctx);
	free(rules->path);
	free(rules);
}

size_t
route_count(const struct dm_rules *rules)
{
	return rules ? rules->n : 0;
}

static int
valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '-' && *s != '_')
			return 0;
	return 1;
}

/* key=value actions after the pattern. */
static dm_err
parse_actions(const struct dm_rules *rules, const struct dm_config *cfg,
    struct rule *r, char *p)
{
	char *tok, *save = NULL, *eq;
	int n = 0;

	r->actions = xstrdup(p);
	for (tok = strtok_r(p, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save), n++) {
		if (strcmp(tok, "stop") == 0) {
			r->stop = 1;
			continue;
		}
		if ((eq = strchr(tok, '=')) == NULL || eq[1] == '\0')
			return dm_fail(DM_ECONFIG, "%s:%d: '%s' is not "
			    "key=value (keys: category, team, severity, agency, "
			    "owner, policy; or stop)", rules->path, r->line, tok);
		*eq++ = '\0';
		if (strcmp(tok, "category") == 0) {
			if (config_category(eq) < 0)
				return dm_fail(DM_ECONFIG, "%s:%d: unknown "
				    "category '%s' (security, desktop, "
				    "application, hardware)", rules->path,
				    r->line, eq);
			free(r->category);
			r->category = xstrdup(eq);
		} else if (strcmp(tok, "team") == 0) {
			if (config_team(cfg, eq) == NULL)
				return dm_fail(DM_ECONFIG, "%s:%d: unknown team "
				    "'%s' (no [team %s] section)", rules->path,
				    r->line, eq, eq);
			free(r->team);
			r->team = xstrdup(eq);
		} else if (strcmp(tok, "policy") == 0) {
			if (config_sla_policy(cfg, eq) == NULL)
				return dm_fail(DM_ECONFIG, "%s:%d: unknown SLA "
				    "policy '%s' (ny-ccc, colorado or a [policy "
				    "NAME])", rules->path, r->line, eq);
			free(r->policy);
			r->policy = xstrdup(eq);
		} else if (strcmp(tok, "severity") == 0) {
			if (strlen(eq) != 1 || eq[0] < '1' || eq[0] > '3')
				return dm_fail(DM_ECONFIG, "%s:%d: severity must "
				    "be 1, 2 or 3, not '%s'", rules->path,
				    r->line, eq);
			r->severity = eq[0] - '0';
		} else if (strcmp(tok, "agency") == 0 ||
		    strcmp(tok, "owner") == 0) {
			char **dst = tok[0] == 'a' ? &r->agency : &r->owner;

			str_lower(eq);
			if (!valid_name(eq))
				return dm_fail(DM_ECONFIG, "%s:%d: %s '%s' is not "
				    "an agency name (a-z, 0-9, '-', '_')",
				    rules->path, r->line, tok, eq);
			free(*dst);
			*dst = xstrdup(eq);
		} else
			return dm_fail(DM_ECONFIG, "%s:%d: unknown action '%s' "
			    "(category, team, severity, agency, owner, policy, stop)",
			    rules->path, r->line, tok);
	}
	if (n == 0 || (n == 1 && r->stop))
		return dm_fail(DM_ECONFIG, "%s:%d: the rule has no action",
		    rules->path, r->line);
	return DM_OK;
}

static dm_err
parse_rule(const struct dm_rules *rules, const struct dm_config *cfg,
    char *p, struct rule *r)
{
	char *word = p, *pat, *w;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	size_t i;
	int code;

	while (*p && !isspace((unsigned char)*p))
		p++;
	if (*p)
		*p++ = '\0';
	for (i = 0; field_names[i] != NULL; i++)
		if (strcmp(field_names[i], word) == 0)
			break;
	if (field_names[i] == NULL)
		return dm_fail(DM_ECONFIG, "%s:%d: unknown field '%s' (from, "
		    "to, subject, body, any)", rules->path, r->line, word);
	r->field = (enum field)i;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '/')
		return dm_fail(DM_ECONFIG, "%s:%d: the pattern must be "
		    "written /PATTERN/", rules->path, r->line);
	/* the pattern, with \/ for a slash inside it */
	pat = w = ++p;
	for (; *p && *p != '/'; p++) {
		if (p[0] == '\\' && p[1] == '/')
			p++;
		else if (p[0] == '\\' && p[1] != '\0')
			*w++ = *p++;
		*w++ = *p;
	}
	if (*p != '/')
		return dm_fail(DM_ECONFIG, "%s:%d: the pattern has no closing "
		    "'/'", rules->path, r->line);
	*w = '\0';
	for (p++; *p && !isspace((unsigned char)*p); p++) {
		switch (*p) {
		case 'i': opts |= PCRE2_CASELESS; break;
		case 'm': opts |= PCRE2_MULTILINE; break;
		case 's': opts |= PCRE2_DOTALL; break;
		case 'x': opts |= PCRE2_EXTENDED; break;
		default:
			return dm_fail(DM_ECONFIG, "%s:%d: unknown flag '%c' "
			    "(i, m, s, x)", rules->path, r->line, *p);
		}
	}
	r->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts,
	    &code, &off, NULL);
	if (r->re == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return dm_fail(DM_ECONFIG, "%s:%d: pattern: %s at offset %zu",
		    rules->path, r->line, (char *)msg, (size_t)off);
	}
	/* no JIT (some platforms, or SELinux): the interpreter still works */
	(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	while (isspace((unsigned char)*p))
		p++;
	return parse_actions(rules, cfg, r, p);
}

dm_err
route_load(const char *path, const struct dm_config *cfg,
    struct dm_rules **out)
{
	struct dm_rules *rules;
	char *data, *line, *next, *p, *end;
	size_t len;
	dm_err err;
	int lineno = 0;

	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return DM_OK;
	/* bounded: rules = /dev/zero must not eat the memory */
	if ((err = read_file(path, RULES_MAX, &data, &len)) != DM_OK)
		return dm_fail(DM_ECONFIG, "%s", dm_errdetail());
	if (strlen(data) != len) {
		free(data);
		return dm_fail(DM_ECONFIG, "%s: holds NUL bytes: not a rules "
		    "file", path);
	}
	rules = xcalloc(1, sizeof(*rules));
	rules->path = xstrdup(path);
	rules->name = strrchr(rules->path, '/') ? strrchr(rules->path, '/') +
	    1 : rules->path;
	rules->all = strcmp(cfg->routing_mode, "all") == 0;
	rules->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(rules->mctx, (uint32_t)cfg->routing_match_limit);
	pcre2_set_depth_limit(rules->mctx, 10000);
	for (line = data; err == DM_OK && *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		for (end = line + strlen(line); end > line &&
		    isspace((unsigned char)end[-1]); end--)
			;
		*end = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		rules->v = xreallocarray(rules->v, rules->n + 1,
		    sizeof(*rules->v));
		memset(&rules->v[rules->n], 0, sizeof(rules->v[0]));
		rules->v[rules->n].line = lineno;
		err = parse_rule(rules, cfg, p, &rules->v[rules->n]);
		rules->n++;
	}
	free(data);
	if (err != DM_OK) {
		route_free(rules);
		return err;
	}
	*out = rules;
	return DM_OK;
}

dm_err
route_check_agencies(const struct dm_rules *rules,
    int (*known)(void *, const char *), void *arg)
{
	size_t i;

	for (i = 0; rules != NULL && i < rules->n; i++) {
		const struct rule *r = &rules->v[i];
		const char *name = r->agency && !known(arg, r->agency) ?
		    r->agency : r->owner && !known(arg, r->owner) ? r->owner :
		    NULL;

		if (name != NULL)
			return dm_fail(DM_ECONFIG, "%s:%d: agency '%s' is not in "
			    "the directory (deskmail directory import)",
			    rules->path, r->line, name);
	}
	return DM_OK;
}

/* The text a field matches against; the caller frees it. */
static char *
field_text(enum field f, const struct dm_parsed *m)
{
	size_t blen = strlen(m->body);
	char *s, *p;

	if (blen > BODY_MAX)
		blen = BODY_MAX;
	switch (f) {
	case F_FROM:
		return xstrdup(m->from ? m->from : "");
	case F_TO:
		/* one address a line, so ^...$ with the m flag fits each */
		s = xasprintf("%s%s%s", m->to ? m->to : "", m->to && m->cc ?
		    ", " : "", m->cc ? m->cc : "");
		for (p = s; (p = strstr(p, ", ")) != NULL; ) {
			memmove(p, p + 1, strlen(p));
			*p = '\n';
		}
		return s;
	case F_SUBJECT:
		return xstrdup(m->subject);
	case F_BODY:
		return xstrndup(m->body, blen);
	case F_ANY:
		return xasprintf("%s\n%.*s", m->subject, (int)blen, m->body);
	}
	return xstrdup("");
}

static void
push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

void
route_apply(const struct dm_rules *rules, const struct dm_parsed *m,
    struct dm_route *r)
{
	char *text[F_ANY + 1] = { NULL };
	uint32_t checked[F_ANY + 1];
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	pcre2_match_data *md;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	if (rules == NULL || rules->n == 0)
		return;
	/*
	 * Per call, as mail is routed by several threads at once: the JIT's
	 * default 32 KiB stack is too small for simple patterns over a long
	 * body; the match limit, not the stack, is what bounds the work.
	 */
	md = pcre2_match_data_create(1, NULL);
	mctx = pcre2_match_context_copy(rules->mctx);
	if ((jit = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL)) !=
	    NULL)
		pcre2_jit_stack_assign(mctx, NULL, jit);
	for (i = 0; i < rules->n; i++) {
		const struct rule *u = &rules->v[i];

		/* valid UTF-8 is checked once a field, not once a rule */
		if (text[u->field] == NULL) {
			text[u->field] = field_text(u->field, m);
			checked[u->field] = utf8_valid(text[u->field],
			    strlen(text[u->field])) ? PCRE2_NO_UTF_CHECK : 0;
		}
		rc = pcre2_match(u->re, (PCRE2_SPTR)text[u->field],
		    strlen(text[u->field]), 0, checked[u->field], md, mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			continue;
		if (rc < 0) {
			PCRE2_UCHAR msg[120];

			pcre2_get_error_message(rc, msg, sizeof(msg));
			push(&r->warnings, &r->nwarnings, xasprintf("%s:%d: "
			    "rule skipped: %s", rules->name, u->line,
			    (char *)msg));
			continue;
		}
		if (u->team)
			r->team = u->team;
		if (u->category)
			r->category = u->category;
		if (u->agency)
			r->agency = u->agency;
		if (u->owner)
			r->owner = u->owner;
		if (u->policy)
			r->policy = u->policy;
		if (u->severity)
			r->severity = u->severity;
		push(&r->matched, &r->nmatched, xasprintf("rule %zu (%s:%d): %s",
		    i + 1, rules->name, u->line, u->actions));
		if (!rules->all || u->stop)
			break;
	}
	for (i = 0; i <= F_ANY; i++)
		free(text[i]);
	pcre2_jit_stack_free(jit);
	pcre2_match_context_free(mctx);
	pcre2_match_data_free(md);
}

void
route_clear(struct dm_route *r)
{
	size_t i;

	for (i = 0; i < r->nmatched; i++)
		free(r->matched[i]);
	free(r->matched);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}
