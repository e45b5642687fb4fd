/*
 * imap.c - the IMAP client side of deskmail, on libetpan.
 *
 * Messages are read with BODY.PEEK[] so that nothing changes on the server
 * until deskmail has committed them; imap_finish() then sets \Seen, or
 * moves (UID MOVE, else UID COPY + \Deleted + UID EXPUNGE of exactly those
 * UIDs), or deletes.  A plain EXPUNGE, which could remove messages other
 * clients marked, is never sent.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "deskmail/imap.h"
#include "deskmail/net.h"
#include "deskmail/util.h"

struct dm_imap {
	mailimap		*imap;
	const struct dm_mailbox	*mb;
	int			 has_move;
	int			 has_uidplus;
	int			 has_idle;
};

/* libetpan's response text for the last command, for error lines. */
static const char *
server_said(struct dm_imap *im)
{
	const char *t = im->imap && im->imap->imap_response ?
	    im->imap->imap_response : NULL;

	return t && *t ? t : "no reason given";
}

static dm_err
imap_error(struct dm_imap *im, int rc, const char *what)
{
	if (rc == MAILIMAP_ERROR_STREAM || rc == MAILIMAP_ERROR_CONNECTION_REFUSED)
		return dm_fail(DM_ENET, "%s %s: connection lost during %s",
		    im->mb->name, im->mb->host, what);
	return dm_fail(DM_ENET, "%s %s: %s failed: %s", im->mb->name,
	    im->mb->host, what, server_said(im));
}

static dm_err
read_password(const struct dm_mailbox *mb, char **out)
{
	const char *env;
	char *data, *nl;
	size_t len;
	dm_err err;

	*out = NULL;
	if (mb->password_env != NULL) {
		if ((env = getenv(mb->password_env)) == NULL || *env == '\0')
			return dm_fail(DM_ECONFIG, "[mailbox %s]: environment "
			    "variable %s (password_env) is not set", mb->name,
			    mb->password_env);
		*out = xstrdup(env);
		return DM_OK;
	}
	if ((err = read_file(mb->password_file, 4096, &data, &len)) != DM_OK)
		return dm_fail(DM_ECONFIG, "[mailbox %s]: password_file %s",
		    mb->name, dm_errdetail());
	if ((nl = strpbrk(data, "\r\n")) != NULL)
		*nl = '\0';
	*out = data;
	return DM_OK;
}

static void
wipe(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

dm_err
imap_open(const struct dm_mailbox *mb, struct dm_imap **out)
{
	struct dm_imap *im;
	struct mailimap_capability_data *caps = NULL;
	char *password = NULL;
	mailstream *stream;
	dm_err err;
	int fd, rc;

	*out = NULL;
	if ((err = read_password(mb, &password)) != DM_OK)
		return err;
	im = xcalloc(1, sizeof(*im));
	im->mb = mb;
	if ((im->imap = mailimap_new(0, NULL)) == NULL) {
		wipe(password);
		free(im);
		return dm_fail(DM_ENOMEM, "IMAP session");
	}
	mailimap_set_timeout(im->imap, mb->timeout);
	if ((err = net_connect(mb->host, mb->port, (int)mb->timeout, &fd)) !=
	    DM_OK)
		goto fail;
	if ((stream = net_stream_new(fd, (int)mb->timeout)) == NULL) {
		err = dm_fail(DM_ENOMEM, "stream");
		goto fail;
	}
	if (mb->tls_mode == TLS_IMPLICIT &&
	    (err = net_stream_start_tls(stream, mb->host, mb->ca_file)) !=
	    DM_OK) {
		mailstream_close(stream);
		goto fail;
	}
	rc = mailimap_connect(im->imap, stream);	/* owns stream now */
	if (rc != MAILIMAP_NO_ERROR && rc != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    rc != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		err = imap_error(im, rc, "greeting");
		goto fail;
	}
	if (mb->tls_mode == TLS_STARTTLS) {
		if ((rc = mailimap_starttls(im->imap)) != MAILIMAP_NO_ERROR) {
			err = dm_fail(DM_ETLS, "%s %s: server refused STARTTLS "
			    "(%s); use imaps:// or tls = implicit", mb->name,
			    mb->host, server_said(im));
			goto fail;
		}
		if ((err = net_stream_start_tls(im->imap->imap_stream,
		    mb->host, mb->ca_file)) != DM_OK)
			goto fail;
	}
	rc = mailimap_login(im->imap, mb->user, password);
	wipe(password);
	password = NULL;
	if (rc != MAILIMAP_NO_ERROR) {
		err = rc == MAILIMAP_ERROR_LOGIN ?
		    dm_fail(DM_EAUTH, "%s %s: login as %s refused: %s",
		    mb->name, mb->host, mb->user, server_said(im)) :
		    imap_error(im, rc, "login");
		goto fail;
	}
	/* capabilities may change after login (RFC 3501 7.2.1) */
	if ((rc = mailimap_capability(im->imap, &caps)) != MAILIMAP_NO_ERROR) {
		err = imap_error(im, rc, "CAPABILITY");
		goto fail;
	}
	mailimap_capability_data_free(caps);
	im->has_idle = mailimap_has_idle(im->imap);
	im->has_move = mailimap_has_extension(im->imap, "MOVE");
	im->has_uidplus = mailimap_has_extension(im->imap, "UIDPLUS");
	if ((rc = mailimap_select(im->imap, mb->folder)) != MAILIMAP_NO_ERROR) {
		err = rc == MAILIMAP_ERROR_SELECT ? dm_fail(DM_ECONFIG,
		    "%s %s: cannot select folder '%s': %s", mb->name, mb->host,
		    mb->folder, server_said(im)) :
		    imap_error(im, rc, "SELECT");
		goto fail;
	}
	if (mb->after_mode == AFTER_MOVE && !im->has_move && !im->has_uidplus) {
		err = dm_fail(DM_ECONFIG, "%s %s: after = move needs MOVE or "
		    "UIDPLUS, which this server lacks; use after = seen",
		    mb->name, mb->host);
		goto fail;
	}
	if (mb->after_mode == AFTER_DELETE && !im->has_uidplus) {
		err = dm_fail(DM_ECONFIG, "%s %s: after = delete needs UIDPLUS "
		    "(UID EXPUNGE), which this server lacks; use after = seen",
		    mb->name, mb->host);
		goto fail;
	}
	*out = im;
	return DM_OK;
fail:
	wipe(password);
	imap_close(im);
	return err;
}

void
imap_close(struct dm_imap *im)
{
	if (im == NULL)
		return;
	if (im->imap != NULL) {
		if (im->imap->imap_stream != NULL &&
		    im->imap->imap_state >= MAILIMAP_STATE_AUTHENTICATED)
			mailimap_logout(im->imap);
		mailimap_free(im->imap);
	}
	free(im);
}

uint32_t
imap_uidvalidity(const struct dm_imap *im)
{
	return im->imap->imap_selection_info ?
	    im->imap->imap_selection_info->sel_uidvalidity : 0;
}

int
imap_has_idle(const struct dm_imap *im)
{
	return im->has_idle;
}

static int
cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static struct mailimap_search_key *
simple_key(int type)
{
	return mailimap_search_key_new(type, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL,
	    NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL);
}

dm_err
imap_pending(struct dm_imap *im, uint32_t **uids, size_t *n)
{
	struct mailimap_search_key *key;
	clist *result = NULL;
	clistiter *it;
	size_t count = 0;
	uint32_t *v;
	int rc;

	*uids = NULL;
	*n = 0;
	key = simple_key(im->mb->after_mode == AFTER_SEEN ?
	    MAILIMAP_SEARCH_KEY_UNSEEN : MAILIMAP_SEARCH_KEY_UNDELETED);
	rc = mailimap_uid_search(im->imap, NULL, key, &result);
	mailimap_search_key_free(key);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_error(im, rc, "UID SEARCH");
	v = xcalloc(clist_count(result) + 1, sizeof(*v));
	for (it = clist_begin(result); it; it = clist_next(it))
		v[count++] = *(uint32_t *)clist_content(it);
	mailimap_search_result_free(result);
	qsort(v, count, sizeof(*v), cmp_uid);
	*uids = v;
	*n = count;
	return DM_OK;
}

static struct mailimap_set *
uid_set(const uint32_t *uids, size_t n)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	size_t i = 0, j;

	/* ranges keep the command short for long runs of UIDs */
	while (i < n) {
		for (j = i; j + 1 < n && uids[j + 1] == uids[j] + 1; j++)
			;
		mailimap_set_add_interval(set, uids[i], uids[j]);
		i = j + 1;
	}
	return set;
}

/* UID FETCH of UID and att for the n uids; *result freed by the caller
 * with mailimap_fetch_list_free(). */
static dm_err
uid_fetch(struct dm_imap *im, const uint32_t *uids, size_t n,
    struct mailimap_fetch_att *att, clist **result, const char *what)
{
	struct mailimap_set *set = uid_set(uids, n);
	struct mailimap_fetch_type *ft;
	int rc;

	*result = NULL;
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, att);
	rc = mailimap_uid_fetch(im->imap, set, ft, result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_error(im, rc, what);
	return DM_OK;
}

static uint32_t
att_uid(struct mailimap_msg_att *att)
{
	clistiter *it;

	for (it = clist_begin(att->att_list); it; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);

		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
		    item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
			return item->att_data.att_static->att_data.att_uid;
	}
	return 0;
}

dm_err
imap_sizes(struct dm_imap *im, const uint32_t *uids, size_t n, size_t *sizes)
{
	clist *result = NULL;
	clistiter *it, *jt;
	size_t i;
	dm_err err;

	for (i = 0; i < n; i++)
		sizes[i] = 0;
	if (n == 0)
		return DM_OK;
	if ((err = uid_fetch(im, uids, n, mailimap_fetch_att_new_rfc822_size(),
	    &result, "UID FETCH (RFC822.SIZE)")) != DM_OK)
		return err;
	for (it = clist_begin(result); it; it = clist_next(it)) {
		struct mailimap_msg_att *att = clist_content(it);
		uint32_t uid = att_uid(att);
		uint32_t *pos = bsearch(&uid, uids, n, sizeof(*uids), cmp_uid);

		if (pos == NULL)
			continue;
		for (jt = clist_begin(att->att_list); jt; jt = clist_next(jt)) {
			struct mailimap_msg_att_item *item = clist_content(jt);

			if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
			    item->att_data.att_static->att_type ==
			    MAILIMAP_MSG_ATT_RFC822_SIZE)
				sizes[pos - uids] = item->att_data.att_static->
				    att_data.att_rfc822_size;
		}
	}
	mailimap_fetch_list_free(result);
	return DM_OK;
}

dm_err
imap_fetch(struct dm_imap *im, const uint32_t *uids, size_t n, size_t max,
    imap_message_cb cb, void *arg)
{
	clist *result = NULL;
	clistiter *it, *jt;
	dm_err err = DM_OK;

	if (n == 0)
		return DM_OK;
	/* BODY.PEEK: nothing is marked \Seen before deskmail commits */
	if ((err = uid_fetch(im, uids, n, max > 0 ?
	    mailimap_fetch_att_new_body_peek_section_partial(
	    mailimap_section_new(NULL), 0, (uint32_t)max) :
	    mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)),
	    &result, "UID FETCH")) != DM_OK)
		return err;
	for (it = clist_begin(result); it && err == DM_OK; it = clist_next(it)) {
		struct mailimap_msg_att *att = clist_content(it);
		uint32_t uid = att_uid(att);

		if (uid == 0)
			continue;
		for (jt = clist_begin(att->att_list); jt; jt = clist_next(jt)) {
			struct mailimap_msg_att_item *item = clist_content(jt);
			struct mailimap_msg_att_body_section *sec;

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
			    item->att_data.att_static->att_type !=
			    MAILIMAP_MSG_ATT_BODY_SECTION)
				continue;
			sec = item->att_data.att_static->att_data.att_body_section;
			err = cb(arg, uid, sec->sec_body_part ?
			    sec->sec_body_part : "", sec->sec_length);
			break;
		}
	}
	mailimap_fetch_list_free(result);
	return err;
}

static dm_err
add_flag(struct dm_imap *im, struct mailimap_set *set, int deleted)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *sf;
	int rc;

	mailimap_flag_list_add(fl, deleted ? mailimap_flag_new_deleted() :
	    mailimap_flag_new_seen());
	sf = mailimap_store_att_flags_new_add_flags_silent(fl);
	rc = mailimap_uid_store(im->imap, set, sf);
	mailimap_store_att_flags_free(sf);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_error(im, rc, "UID STORE");
	return DM_OK;
}

dm_err
imap_finish(struct dm_imap *im, const uint32_t *uids, size_t n)
{
	struct mailimap_set *set;
	dm_err err = DM_OK;
	int rc;

	if (n == 0)
		return DM_OK;
	set = uid_set(uids, n);
	switch (im->mb->after_mode) {
	case AFTER_SEEN:
		err = add_flag(im, set, 0);
		break;
	case AFTER_MOVE:
		if (im->has_move) {
			if ((rc = mailimap_uid_move(im->imap, set,
			    im->mb->move_to)) != MAILIMAP_NO_ERROR)
				err = imap_error(im, rc, "UID MOVE");
			break;
		}
		if ((rc = mailimap_uid_copy(im->imap, set, im->mb->move_to)) !=
		    MAILIMAP_NO_ERROR) {
			err = imap_error(im, rc, "UID COPY");
			break;
		}
		/* then delete exactly these UIDs */
		__attribute__((fallthrough));
	case AFTER_DELETE:
		if ((err = add_flag(im, set, 1)) != DM_OK)
			break;
		if ((rc = mailimap_uid_expunge(im->imap, set)) !=
		    MAILIMAP_NO_ERROR)
			err = imap_error(im, rc, "UID EXPUNGE");
		break;
	}
	mailimap_set_free(set);
	return err;
}

dm_err
imap_noop(struct dm_imap *im)
{
	int rc = mailimap_noop(im->imap);

	return rc == MAILIMAP_NO_ERROR ? DM_OK : imap_error(im, rc, "NOOP");
}

dm_err
imap_idle(struct dm_imap *im, int seconds, volatile int *stop)
{
	struct pollfd pfd;
	time_t until = time(NULL) + seconds;
	int rc, ready = 0;

	if (!im->has_idle)
		return dm_fail(DM_ESOFTWARE, "IDLE without the capability");
	if ((rc = mailimap_idle(im->imap)) != MAILIMAP_NO_ERROR)
		return imap_error(im, rc, "IDLE");
	pfd.fd = mailimap_idle_get_fd(im->imap);
	pfd.events = POLLIN;
	while (!ready && !*stop && time(NULL) < until) {
		if (net_stream_pending(im->imap->imap_stream))
			break;
		rc = poll(&pfd, 1, 1000);
		if (rc < 0 && errno != EINTR)
			break;
		ready = rc > 0;
	}
	/* DONE, and libetpan reads the untagged EXISTS the server sent */
	if ((rc = mailimap_idle_done(im->imap)) != MAILIMAP_NO_ERROR)
		return imap_error(im, rc, "IDLE DONE");
	return DM_OK;
}
