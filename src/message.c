/*
 * message.c - owns the messages and attachments tables.
 */
#include <stdlib.h>
#include <string.h>

#include "deskmail/message.h"
#include "deskmail/search.h"
#include "deskmail/util.h"

#define INSERT_MESSAGE \
    "INSERT INTO messages (ticket_id, kind, message_id, sha256, from_addr," \
    " from_name, to_addrs, cc_addrs, subject, date, received, source, body," \
    " body_from_html, new_text, raw)"
/* PostgreSQL: RETURNING id is what store_last_id() reads there */
static const struct dm_sql sql_insert = SQL2(INSERT_MESSAGE
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
    " ?15, ?16)",
    INSERT_MESSAGE
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
    " $15, $16) RETURNING id");

static const struct dm_sql sql_attachment = SQL(
    "INSERT INTO attachments (message_id, name, content_type, is_inline,"
    " content_id, size, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");

dm_err
message_store(struct dm_store *st, int64_t ticket, const char *kind,
    const struct dm_parsed *m, const struct dm_raw *raw, time_t now,
    int64_t *id)
{
	struct dm_stmt *s = store_stmt(st, &sql_insert);
	dm_err err;
	size_t i;

	if (s == NULL)
		return store_error(st, "messages");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_text(s, 2, kind);
	stmt_bind_text(s, 3, m->message_id);
	stmt_bind_text(s, 4, raw->sha256);
	stmt_bind_text(s, 5, m->from);
	stmt_bind_text(s, 6, m->from_name);
	stmt_bind_text(s, 7, m->to);
	stmt_bind_text(s, 8, m->cc);
	stmt_bind_text(s, 9, m->subject);
	stmt_bind_text(s, 10, m->date);
	stmt_bind_int64(s, 11, (int64_t)now);
	stmt_bind_text(s, 12, raw->source);
	stmt_bind_text(s, 13, m->body);
	stmt_bind_int(s, 14, m->body_from_html);
	stmt_bind_text(s, 15, m->new_text);
	stmt_bind_blob(s, 16, raw->data, raw->len);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	*id = store_last_id(st);
	if ((err = search_index_message(st, *id, ticket, m->subject,
	    m->body)) != DM_OK)
		return err;
	for (i = 0; i < m->natt; i++) {
		const struct dm_attachment *a = &m->att[i];

		if ((s = store_stmt(st, &sql_attachment)) == NULL)
			return store_error(st, "attachments");
		stmt_bind_int64(s, 1, *id);
		stmt_bind_text(s, 2, a->name);
		stmt_bind_text(s, 3, a->type);
		stmt_bind_int(s, 4, a->is_inline);
		stmt_bind_text(s, 5, a->content_id);
		stmt_bind_int64(s, 6, (int64_t)a->size);
		/* the bytes are in the raw message; an attached message
		 * (message/rfc822) is kept whole here */
		if (a->data != NULL)
			stmt_bind_blob(s, 7, a->data, a->size);
		else
			stmt_bind_blob(s, 7, "", 0);
		if ((err = store_exec_stmt(st, s)) != DM_OK)
			return err;
	}
	return DM_OK;
}

dm_err
message_store_text(struct dm_store *st, int64_t ticket, const char *kind,
    const char *from, const char *subject, const char *text, time_t now,
    int64_t *id)
{
	struct dm_parsed m;
	struct dm_raw raw;
	unsigned char nonce[8];
	char hex[65], *seed, *re;
	dm_err err;

	if ((err = random_bytes(nonce, sizeof(nonce))) != DM_OK)
		return err;
	/* unique like a mail's hash: the same words twice are two entries */
	seed = xasprintf("cli\n%lld\n%lld\n%s\n%02x%02x%02x%02x%02x%02x%02x"
	    "%02x\n%s", (long long)ticket, (long long)now, from, nonce[0],
	    nonce[1], nonce[2], nonce[3], nonce[4], nonce[5], nonce[6],
	    nonce[7], text);
	sha256_hex(seed, strlen(seed), hex);
	free(seed);
	re = xasprintf("Re: %s", subject);
	memset(&m, 0, sizeof(m));
	m.from = strchr(from, '@') ? (char *)from : NULL;
	m.from_name = (char *)from;
	m.subject = re;
	m.body = m.new_text = (char *)text;
	raw.data = text;
	raw.len = strlen(text);
	raw.sha256 = hex;
	raw.source = "cli";
	err = message_store(st, ticket, kind, &m, &raw, now, id);
	free(re);
	return err;
}

static const struct dm_sql sql_by_sha = SQL(
    "SELECT ticket_id FROM messages WHERE sha256 = ?1");

dm_err
message_ticket_by_sha(struct dm_store *st, const char *sha256,
    int64_t *ticket)
{
	return store_query_id(st, &sql_by_sha, sha256, ticket);
}

static const struct dm_sql sql_by_msgid = SQL(
    "SELECT ticket_id FROM messages WHERE message_id = ?1"
    " ORDER BY id DESC LIMIT 1");

dm_err
message_ticket_by_msgid(struct dm_store *st, const char *msgid,
    int64_t *ticket)
{
	return store_query_id(st, &sql_by_msgid, msgid, ticket);
}

static const struct dm_sql sql_thread = SQL(
    "SELECT message_id FROM messages WHERE ticket_id = ?1 AND"
    " kind = 'customer' AND message_id IS NOT NULL ORDER BY id");

dm_err
message_thread_ids(struct dm_store *st, int64_t ticket, char **in_reply_to,
    char **refs)
{
	struct dm_stmt *s = store_stmt(st, &sql_thread);
	char **ids = NULL;
	size_t n = 0, i;
	struct buf b;
	dm_err err = DM_OK;
	int rc;

	*in_reply_to = *refs = NULL;
	if (s == NULL)
		return store_error(st, "messages");
	stmt_bind_int64(s, 1, ticket);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = stmt_dup(s, 0);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "messages");
	stmt_reset(s);
	if (err == DM_OK && n > 0) {
		/* the root, then at most the nine latest */
		buf_init(&b);
		buf_adds(&b, ids[0]);
		for (i = n > 10 ? n - 9 : 1; i < n; i++)
			buf_addf(&b, " %s", ids[i]);
		*refs = buf_release(&b);
		*in_reply_to = xstrdup(ids[n - 1]);
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return err;
}

/* ---- JSON view ------------------------------------------------------- */

#include "deskmail/json.h"

static const struct dm_sql sql_list = SQL(
    "SELECT id, kind, message_id, from_addr, from_name, to_addrs, cc_addrs,"
    " subject, date, received, source, body, body_from_html, new_text,"
    " length(raw) FROM messages WHERE ticket_id = ?1 ORDER BY id");
static const struct dm_sql sql_atts = SQL(
    "SELECT name, content_type, size, is_inline, content_id FROM attachments"
    " WHERE message_id = ?1 ORDER BY id");

static dm_err
attachments_json(struct dm_store *st, int64_t message, struct json_object *a)
{
	struct dm_stmt *s = store_stmt(st, &sql_atts);
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(st, "attachments");
	stmt_bind_int64(s, 1, message);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		struct json_object *o = json_object_new_object();

		json_put_text(o, "name", s, 0);
		json_put_text(o, "type", s, 1);
		json_object_object_add(o, "size",
		    json_object_new_int64(stmt_int64(s, 2)));
		json_object_object_add(o, "inline",
		    json_object_new_boolean(stmt_int(s, 3)));
		json_put_text(o, "content_id", s, 4);
		json_object_array_add(a, o);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "attachments");
	stmt_reset(s);
	return err;
}

dm_err
message_list_json(struct dm_store *st, int64_t ticket,
    struct json_object *array)
{
	struct dm_stmt *s = store_stmt(st, &sql_list);
	struct json_object *o, *atts;
	dm_err err = DM_OK;
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc;

	if (s == NULL)
		return store_error(st, "messages");
	stmt_bind_int64(s, 1, ticket);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		o = json_object_new_object();
		json_object_object_add(o, "id",
		    json_object_new_int64(stmt_int64(s, 0)));
		json_put_text(o, "kind", s, 1);
		json_put_text(o, "message_id", s, 2);
		json_put_text(o, "from", s, 3);
		json_put_text(o, "from_name", s, 4);
		json_put_text(o, "to", s, 5);
		json_put_text(o, "cc", s, 6);
		json_put_text(o, "subject", s, 7);
		json_put_text(o, "date", s, 8);
		json_put_time(o, "received", (time_t)stmt_int64(s, 9));
		json_put_text(o, "source", s, 10);
		json_put_text(o, "body", s, 11);
		json_object_object_add(o, "body_from_html",
		    json_object_new_boolean(stmt_int(s, 12)));
		json_put_text(o, "new_text", s, 13);
		json_object_object_add(o, "size",
		    json_object_new_int64(stmt_int64(s, 14)));
		json_object_array_add(array, o);
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = stmt_int64(s, 0);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "messages");
	stmt_reset(s);
	/* attachments after the walk: the cached statement is not reentrant */
	for (i = 0; err == DM_OK && i < n; i++) {
		atts = json_object_new_array();
		err = attachments_json(st, ids[i], atts);
		json_object_object_add(json_object_array_get_idx(array,
		    json_object_array_length(array) - n + i), "attachments",
		    atts);
	}
	free(ids);
	return err;
}

static const struct dm_sql sql_move = SQL(
    "UPDATE messages SET ticket_id = ?2 WHERE ticket_id = ?1");

dm_err
message_move(struct dm_store *st, int64_t from, int64_t into)
{
	return store_exec_ints(st, &sql_move, "messages", from, into);
}
