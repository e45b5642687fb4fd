/*
 * zone.c - local time in any IANA time zone, read from the compiled
 * zoneinfo files (TZif, RFC 8536), for the times people read in mail and
 * on the link pages.
 *
 * Why not localtime_r(): it knows one zone, the process's TZ, which
 * calendar.c sets for business hours, and `deskmail run` renders mail
 * and pages for tickets of different zones from several threads.
 *
 * A zone is read once and kept in a small table (a mutex guards the
 * table, not the zones: a zone in it never changes and is never freed,
 * so lookups read it without a lock).  Version 1 files are read from
 * their 32-bit block; version 2 and later from their 64-bit block, and
 * times after the last transition follow the footer's POSIX TZ rule
 * (with version 3's hours past 24).  Leap-second records are skipped:
 * the "right/" zones count time differently from deskmail's POSIX clock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/util.h"
#include "deskmail/zone.h"

#define ZONE_FILE_MAX	(1 << 20)	/* the largest zones are ~4 KiB */
#define ZONE_CACHE	64		/* zones kept; more are read each time */
#define NAME_MAX_LEN	128
#define TIME_CNT_MAX	(1 << 16)
#define LEAP_CNT_MAX	(1 << 12)
#define OFF_MIN		(-89999)	/* RFC 8536 3.2: utoff's range */
#define OFF_MAX		93599
#define CLAMP		((int64_t)1 << 56)	/* beyond: no calendar */

struct ztype {
	int32_t	gmtoff;
	int	isdst;
	char	abbr[16];
};

/* One end of daylight saving time in a POSIX TZ rule. */
struct rule_date {
	char	kind;		/* 'J' (1-365, no 29 Feb), 'N' (0-365), 'M' */
	int	m, w, d;	/* Mm.w.d; J and N keep their day in d */
	long	secs;		/* local time of day, may be < 0 or > 24 h */
};

struct posix_tz {
	int		 valid;
	int		 has_dst;
	struct ztype	 std, dst;
	struct rule_date start, end;
};

struct zone {
	int64_t		*trans;		/* transition times, ascending */
	unsigned char	*idx;		/* the type each one starts */
	size_t		 ntrans;
	struct ztype	*types;
	size_t		 ntypes;
	struct posix_tz	 tz;		/* after the last transition */
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ---- the POSIX TZ rule ---------------------------------------------- */

/* An abbreviation: 3+ letters, or <...> of letters, digits, '+', '-'. */
static const char *
parse_abbr(const char *p, char out[16])
{
	const char *s;
	size_t n;

	if (*p == '<') {
		for (s = ++p; *p != '>'; p++)
			if (!is_alpha(*p) && !is_digit(*p) && *p != '+' &&
			    *p != '-')
				return NULL;
		n = (size_t)(p++ - s);
	} else {
		for (s = p; is_alpha(*p); p++)
			;
		n = (size_t)(p - s);
	}
	if (n < 3 || n > 15)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	return p;
}

/* [+-]hh[:mm[:ss]], hh at most maxh, into seconds. */
static const char *
parse_hms(const char *p, int maxh, long *out)
{
	long h = 0, m = 0, s = 0;
	int sign = 1, n;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (n = 0; is_digit(*p) && n < 3; n++)
		h = h * 10 + (*p++ - '0');
	if (n == 0 || h > maxh)
		return NULL;
	if (*p == ':') {
		if (!is_digit(p[1]) || !is_digit(p[2]))
			return NULL;
		m = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (*p == ':') {
			if (!is_digit(p[1]) || !is_digit(p[2]))
				return NULL;
			s = (p[1] - '0') * 10 + (p[2] - '0');
			p += 3;
		}
		if (m > 59 || s > 59)
			return NULL;
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *
parse_num(const char *p, int min, int max, int *out)
{
	int n = 0, digits = 0;

	for (; is_digit(*p) && digits < 4; digits++)
		n = n * 10 + (*p++ - '0');
	if (digits == 0 || n < min || n > max)
		return NULL;
	*out = n;
	return p;
}

/* Jn, n or Mm.w.d, then an optional /time (default 02:00). */
static const char *
parse_date(const char *p, struct rule_date *r)
{
	memset(r, 0, sizeof(*r));
	if (*p == 'M') {
		r->kind = 'M';
		if ((p = parse_num(p + 1, 1, 12, &r->m)) == NULL || *p != '.' ||
		    (p = parse_num(p + 1, 1, 5, &r->w)) == NULL || *p != '.' ||
		    (p = parse_num(p + 1, 0, 6, &r->d)) == NULL)
			return NULL;
	} else if (*p == 'J') {
		r->kind = 'J';
		if ((p = parse_num(p + 1, 1, 365, &r->d)) == NULL)
			return NULL;
	} else {
		r->kind = 'N';
		if ((p = parse_num(p, 0, 365, &r->d)) == NULL)
			return NULL;
	}
	r->secs = 7200;
	if (*p == '/')
		p = parse_hms(p + 1, 167, &r->secs);
	return p;
}

static int
parse_posix(const char *s, struct posix_tz *tz)
{
	const char *p = s;
	long off;

	memset(tz, 0, sizeof(*tz));
	if ((p = parse_abbr(p, tz->std.abbr)) == NULL ||
	    (p = parse_hms(p, 24, &off)) == NULL)
		return 0;
	tz->std.gmtoff = (int32_t)-off;
	if (*p != '\0') {
		if ((p = parse_abbr(p, tz->dst.abbr)) == NULL)
			return 0;
		tz->has_dst = 1;
		tz->dst.isdst = 1;
		tz->dst.gmtoff = tz->std.gmtoff + 3600;
		if (*p != ',' && *p != '\0') {
			if ((p = parse_hms(p, 24, &off)) == NULL)
				return 0;
			tz->dst.gmtoff = (int32_t)-off;
		}
		if (*p == '\0') {
			/* no rule: POSIX leaves it to us; glibc's US one */
			parse_date("M3.2.0", &tz->start);
			parse_date("M11.1.0", &tz->end);
		} else if (*p != ',' ||
		    (p = parse_date(p + 1, &tz->start)) == NULL || *p != ',' ||
		    (p = parse_date(p + 1, &tz->end)) == NULL || *p != '\0')
			return 0;
	}
	tz->valid = 1;
	return 1;
}

static int
leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The year (UTC calendar) of second t. */
static int64_t
year_of(int64_t t)
{
	int64_t z, era, doe, yoe, doy, mp;

	z = (t >= 0 ? t / 86400 : (t - 86399) / 86400) + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

/* The local wall-clock second (as if UTC) at which rule r falls in y. */
static int64_t
rule_local(int64_t y, const struct rule_date *r)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int64_t day, first;
	int wd, dim, mday;

	switch (r->kind) {
	case 'J':
		day = days_from_civil(y, 1, 1) + r->d - 1 +
		    (leap_year(y) && r->d >= 60);
		break;
	case 'N':
		day = days_from_civil(y, 1, 1) + r->d;
		break;
	default:
		first = days_from_civil(y, r->m, 1);
		wd = (int)((first % 7 + 7 + 4) % 7);	/* 1 Jan 1970: Thu */
		dim = mdays[r->m - 1] + (r->m == 2 && leap_year(y));
		mday = 1 + (r->d - wd + 7) % 7 + (r->w - 1) * 7;
		while (mday > dim)
			mday -= 7;
		day = first + mday - 1;
		break;
	}
	return day * 86400 + r->secs;
}

static const struct ztype *
posix_at(const struct posix_tz *tz, int64_t t)
{
	int64_t y, start, end;

	if (!tz->has_dst)
		return &tz->std;
	y = year_of(t + tz->std.gmtoff);
	start = rule_local(y, &tz->start) - tz->std.gmtoff;
	end = rule_local(y, &tz->end) - tz->dst.gmtoff;
	/* southern zones: DST spans the turn of the year */
	if (start < end)
		return t >= start && t < end ? &tz->dst : &tz->std;
	return t >= end && t < start ? &tz->std : &tz->dst;
}

/* ---- TZif ----------------------------------------------------------- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* "+0530" for a zone that has no usable abbreviation. */
static void
numeric_abbr(long off, char out[16])
{
	long a = off < 0 ? -off : off;

	snprintf(out, 16, "%c%02ld%02ld", off < 0 ? '-' : '+',
	    (a / 3600) % 100, a / 60 % 60);
}

dm_err
zone_parse(const unsigned char *data, size_t len, struct zone **out)
{
	const unsigned char *p, *chars, *end = data + len;
	size_t isut, isstd, leap, timecnt, typecnt, charcnt, tsize = 4, need;
	size_t i, j;
	struct zone *z;
	char *footer;

	*out = NULL;
	if (len < 44 || memcmp(data, "TZif", 4) != 0)
		return dm_fail(DM_EPARSE, "not a TZif file");
	p = data;
	for (;;) {
		isut = be32(p + 20);
		isstd = be32(p + 24);
		leap = be32(p + 28);
		timecnt = be32(p + 32);
		typecnt = be32(p + 36);
		charcnt = be32(p + 40);
		if (typecnt == 0 || typecnt > 256 || charcnt == 0 ||
		    charcnt > 65536 || timecnt > TIME_CNT_MAX ||
		    leap > LEAP_CNT_MAX || (isut != 0 && isut != typecnt) ||
		    (isstd != 0 && isstd != typecnt))
			return dm_fail(DM_EPARSE, "TZif header out of range");
		need = timecnt * tsize + timecnt + typecnt * 6 + charcnt +
		    leap * (tsize + 4) + isstd + isut;
		if ((size_t)(end - p) - 44 < need)
			return dm_fail(DM_EPARSE, "TZif file cut short");
		/* version 2+: the 64-bit block follows the 32-bit one */
		if (tsize == 4 && data[4] >= '2') {
			p += 44 + need;
			if ((size_t)(end - p) < 44 || memcmp(p, "TZif", 4) != 0)
				return dm_fail(DM_EPARSE, "TZif file without its "
				    "second header");
			tsize = 8;
			continue;
		}
		break;
	}
	z = xcalloc(1, sizeof(*z));
	z->ntrans = timecnt;
	z->ntypes = typecnt;
	z->trans = xcalloc(timecnt ? timecnt : 1, sizeof(*z->trans));
	z->idx = xcalloc(timecnt ? timecnt : 1, 1);
	z->types = xcalloc(typecnt, sizeof(*z->types));
	p += 44;
	for (i = 0; i < timecnt; i++, p += tsize) {
		z->trans[i] = tsize == 8 ? be64(p) : (int32_t)be32(p);
		if (i > 0 && z->trans[i] <= z->trans[i - 1])
			goto bad;
	}
	for (i = 0; i < timecnt; i++)
		if ((z->idx[i] = *p++) >= typecnt)
			goto bad;
	chars = p + typecnt * 6;
	for (i = 0; i < typecnt; i++, p += 6) {
		struct ztype *ty = &z->types[i];
		int32_t off = (int32_t)be32(p);
		size_t a = p[5];

		if (off < OFF_MIN || off > OFF_MAX || p[4] > 1 || a >= charcnt ||
		    memchr(chars + a, '\0', charcnt - a) == NULL)
			goto bad;
		ty->gmtoff = off;
		ty->isdst = p[4];
		/* abbreviations are letters, digits, '+' and '-' */
		for (j = 0; chars[a + j] != '\0' && j < sizeof(ty->abbr) - 1;
		    j++) {
			char c = (char)chars[a + j];

			if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-')
				break;
			ty->abbr[j] = c;
		}
		if (chars[a + j] != '\0' || j < 3)
			numeric_abbr(off, ty->abbr);
	}
	p = chars + charcnt + leap * (tsize + 4) + isstd + isut;
	/* the footer: "\n" TZ "\n"; one we cannot read is left unused */
	if (tsize == 8 && p < end && *p == '\n') {
		const unsigned char *nl = memchr(p + 1, '\n',
		    (size_t)(end - p - 1));

		if (nl != NULL && nl - p - 1 < 256) {
			footer = xstrndup((const char *)p + 1,
			    (size_t)(nl - p - 1));
			if (strlen(footer) == (size_t)(nl - p - 1))
				(void)parse_posix(footer, &z->tz);
			free(footer);
		}
	}
	*out = z;
	return DM_OK;
bad:
	zone_free(z);
	return dm_fail(DM_EPARSE, "TZif data out of range");
}

dm_err
zone_parse_rule(const char *rule, struct zone **out)
{
	struct zone *z = xcalloc(1, sizeof(*z));

	*out = NULL;
	if (!parse_posix(rule, &z->tz)) {
		zone_free(z);
		return dm_fail(DM_EPARSE, "'%s' is not a POSIX TZ rule", rule);
	}
	z->types = xcalloc(1, sizeof(*z->types));
	z->types[0] = z->tz.std;
	z->ntypes = 1;
	*out = z;
	return DM_OK;
}

void
zone_free(struct zone *z)
{
	if (z == NULL)
		return;
	free(z->trans);
	free(z->idx);
	free(z->types);
	free(z);
}

void
zone_lookup(const struct zone *z, time_t when, struct zone_time *out)
{
	const struct ztype *ty;
	int64_t t = (int64_t)when;
	size_t lo, hi, mid;

	if (t > CLAMP)
		t = CLAMP;
	else if (t < -CLAMP)
		t = -CLAMP;
	if ((z->ntrans == 0 || t >= z->trans[z->ntrans - 1]) && z->tz.valid)
		ty = posix_at(&z->tz, t);
	else if (z->ntrans == 0 || t < z->trans[0])
		ty = &z->types[0];	/* RFC 8536: before the first one */
	else {
		/* the last transition at or before t */
		lo = 0;
		hi = z->ntrans;
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (z->trans[mid] <= t)
				lo = mid;
			else
				hi = mid;
		}
		ty = &z->types[z->idx[lo]];
	}
	out->gmtoff = ty->gmtoff;
	out->isdst = ty->isdst;
	memcpy(out->abbr, ty->abbr, sizeof(out->abbr));
	out->abbr[sizeof(out->abbr) - 1] = '\0';
}

/* ---- zones by name -------------------------------------------------- */

int
zone_name_ok(const char *name)
{
	const char *p;

	if (name == NULL)
		return 0;
	if (*name == ':')
		name++;
	if (*name == '\0' || *name == '/' || strlen(name) > NAME_MAX_LEN ||
	    strstr(name, "..") != NULL)
		return 0;
	for (p = name; *p; p++)
		if (!is_alpha(*p) && !is_digit(*p) && strchr("/_-+.", *p) ==
		    NULL)
			return 0;
	return 1;
}

static int
is_utc(const char *name)
{
	return name == NULL || *name == '\0' || strcmp(name, "UTC") == 0 ||
	    strcmp(name, ":UTC") == 0;
}

static struct {
	char		*name;
	struct zone	*z;
} cache[ZONE_CACHE];
static size_t ncache;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct zone *
cached(const char *name)
{
	const struct zone *z = NULL;
	size_t i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < ncache && z == NULL; i++)
		if (strcmp(cache[i].name, name) == 0)
			z = cache[i].z;
	pthread_mutex_unlock(&cache_lock);
	return z;
}

static dm_err
read_zone(const char *name, struct zone **out)
{
	char *path, *data;
	size_t len;
	dm_err err;

	*out = NULL;
	if (!zone_name_ok(name))
		return dm_fail(DM_ECONFIG, "'%s' is not a time zone name like "
		    "America/Denver", name);
	if (*name == ':')
		name++;
	path = xasprintf("%s/%s", ZONE_DIR, name);
	if (read_file(path, ZONE_FILE_MAX, &data, &len) != DM_OK) {
		err = dm_fail(DM_ECONFIG, "unknown time zone '%s' (no %s)",
		    name, path);
		free(path);
		return err;
	}
	if (zone_parse((const unsigned char *)data, len, out) != DM_OK)
		err = dm_fail(DM_ECONFIG, "time zone '%s': %s: %s", name, path,
		    dm_errdetail());
	else
		err = DM_OK;
	free(data);
	free(path);
	return err;
}

/*
 * The zone called name: from the table, else from its file (and into
 * the table while there is room; else *own is set and the caller frees
 * it).
 */
static dm_err
zone_get(const char *name, const struct zone **out, struct zone **own)
{
	struct zone *z;
	size_t i;
	dm_err err;

	*own = NULL;
	if ((*out = cached(name)) != NULL)
		return DM_OK;
	if ((err = read_zone(name, &z)) != DM_OK)
		return err;
	pthread_mutex_lock(&cache_lock);
	/* another thread may have read it meanwhile: keep theirs */
	for (i = 0; i < ncache; i++)
		if (strcmp(cache[i].name, name) == 0)
			break;
	if (i < ncache) {
		*out = cache[i].z;
		*own = z;	/* ours goes */
	} else if (ncache < ZONE_CACHE) {
		cache[ncache].name = xstrdup(name);
		cache[ncache].z = z;
		ncache++;
		*out = z;
	} else {
		*out = z;
		*own = z;
	}
	pthread_mutex_unlock(&cache_lock);
	if (*own != NULL && *out != *own) {
		zone_free(*own);
		*own = NULL;
	}
	return DM_OK;
}

dm_err
zone_check(const char *name)
{
	const struct zone *z;
	struct zone *own;
	dm_err err;

	if (is_utc(name))
		return DM_OK;
	err = zone_get(name, &z, &own);
	zone_free(own);
	return err;
}

dm_err
zone_at(const char *name, time_t t, struct zone_time *out)
{
	const struct zone *z;
	struct zone *own;
	dm_err err;

	memset(out, 0, sizeof(*out));
	strcpy(out->abbr, "UTC");
	if (is_utc(name))
		return DM_OK;
	if ((err = zone_get(name, &z, &own)) != DM_OK)
		return err;
	zone_lookup(z, t, out);
	zone_free(own);
	return DM_OK;
}
