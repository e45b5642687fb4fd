/*
 * report_map.c - a table of fixed-size values keyed by strings (or any
 * bytes), for the reports' aggregation in C (one pass over the rows, a
 * bucket per period and group, word or bill-to).  Open addressing with
 * FNV-1a; entries stay in insertion order for iteration.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/report.h"

struct rmap {
	size_t	  valsize;
	size_t	  n;		/* entries */
	char	**keys;		/* by entry, NUL-terminated copies */
	size_t	 *lens;		/* by entry */
	char	 *vals;		/* n * valsize */
	size_t	  cap;		/* of keys and vals */
	size_t	 *slots;	/* entry + 1, 0 when free */
	size_t	  nslots;	/* a power of two */
};

static uint64_t
hash(const unsigned char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len-- > 0) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct rmap *
rmap_new(size_t valsize)
{
	struct rmap *m = xcalloc(1, sizeof(*m));

	m->valsize = valsize;
	m->nslots = 64;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	return m;
}

static size_t
slot_of(const struct rmap *m, const void *key, size_t len)
{
	size_t i = (size_t)hash(key, len) & (m->nslots - 1), e;

	while ((e = m->slots[i]) != 0 && (m->lens[e - 1] != len ||
	    memcmp(m->keys[e - 1], key, len) != 0))
		i = (i + 1) & (m->nslots - 1);
	return i;
}

static void
grow(struct rmap *m)
{
	size_t i;

	free(m->slots);
	m->nslots *= 2;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	for (i = 0; i < m->n; i++)
		m->slots[slot_of(m, m->keys[i], m->lens[i])] = i + 1;
}

void *
rmap_find(const struct rmap *m, const char *key)
{
	size_t s = slot_of(m, key, strlen(key));

	return m->slots[s] ? m->vals + (m->slots[s] - 1) * m->valsize : NULL;
}

void *
rmap_get(struct rmap *m, const char *key)
{
	return rmap_getn(m, key, strlen(key));
}

void *
rmap_getn(struct rmap *m, const void *key, size_t len)
{
	size_t s = slot_of(m, key, len);
	void *v;

	if (m->slots[s] != 0)
		return m->vals + (m->slots[s] - 1) * m->valsize;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->keys = xreallocarray(m->keys, m->cap, sizeof(*m->keys));
		m->lens = xreallocarray(m->lens, m->cap, sizeof(*m->lens));
		m->vals = xreallocarray(m->vals, m->cap, m->valsize);
	}
	m->keys[m->n] = xmalloc(len + 1);
	memcpy(m->keys[m->n], key, len);
	m->keys[m->n][len] = '\0';
	m->lens[m->n] = len;
	v = m->vals + m->n * m->valsize;
	memset(v, 0, m->valsize);
	m->slots[s] = ++m->n;
	if (m->n * 2 > m->nslots)
		grow(m);
	return v;
}

size_t
rmap_count(const struct rmap *m)
{
	return m->n;
}

const char *
rmap_key(const struct rmap *m, size_t i)
{
	return m->keys[i];
}

void *
rmap_val(const struct rmap *m, size_t i)
{
	return m->vals + i * m->valsize;
}

void
rmap_free(struct rmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->lens);
	free(m->vals);
	free(m->slots);
	free(m);
}
