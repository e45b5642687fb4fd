/*
 * store_pg.c - a PostgreSQL store over libpq (issue 20): connecting,
 * transactions, and statements that bind, step and read as SQLite's do,
 * so the table modules run unchanged on either.
 *
 * A statement is prepared on the server at its first step on a
 * connection, and again after a reconnection.  Its parameters go as
 * text (blobs as binary bytea); its rows come back as text, all at once
 * (the code runs other statements while it walks one), and are walked
 * by pgstmt_step().  One its caller reads straight through (a report's
 * scan, pgstmt_stream()) has its rows come one at a time instead, so a
 * million of them are never in memory together; should another command
 * need the connection before the last one, the rest is fetched whole
 * first (settle()).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "deskmail/dyn.h"
#include "deskmail/store.h"
#include "deskmail/store_pg.h"
#include "deskmail/util.h"

/* libpq, loaded when a PostgreSQL store is first opened (dyn.h). */
static struct {
	__typeof__(&PQconnectdbParams) connectdb_params;
	__typeof__(&PQfinish) finish;
	__typeof__(&PQstatus) status;
	__typeof__(&PQreset) reset;
	__typeof__(&PQerrorMessage) error_message;
	__typeof__(&PQsetNoticeProcessor) set_notice_processor;
	__typeof__(&PQtransactionStatus) transaction_status;
	__typeof__(&PQexec) exec;
	__typeof__(&PQexecParams) exec_params;
	__typeof__(&PQprepare) prepare;
	__typeof__(&PQexecPrepared) exec_prepared;
	__typeof__(&PQsendQueryPrepared) send_query_prepared;
	__typeof__(&PQsetSingleRowMode) set_single_row_mode;
	__typeof__(&PQgetResult) get_result;
	__typeof__(&PQcopyResult) copy_result;
	__typeof__(&PQsetvalue) setvalue;
	__typeof__(&PQresultStatus) result_status;
	__typeof__(&PQresultErrorField) result_error_field;
	__typeof__(&PQresultErrorMessage) result_error_message;
	__typeof__(&PQclear) clear;
	__typeof__(&PQntuples) ntuples;
	__typeof__(&PQnfields) nfields;
	__typeof__(&PQftype) ftype;
	__typeof__(&PQfname) fname;
	__typeof__(&PQgetvalue) getvalue;
	__typeof__(&PQgetisnull) getisnull;
	__typeof__(&PQgetlength) getlength;
	__typeof__(&PQcmdStatus) cmd_status;
	__typeof__(&PQcmdTuples) cmd_tuples;
	__typeof__(&PQunescapeBytea) unescape_bytea;
	__typeof__(&PQfreemem) freemem;
} pq;

static const struct dyn_sym pq_syms[] = {
	{ "PQconnectdbParams", (void **)&pq.connectdb_params },
	{ "PQfinish", (void **)&pq.finish },
	{ "PQstatus", (void **)&pq.status },
	{ "PQreset", (void **)&pq.reset },
	{ "PQerrorMessage", (void **)&pq.error_message },
	{ "PQsetNoticeProcessor", (void **)&pq.set_notice_processor },
	{ "PQtransactionStatus", (void **)&pq.transaction_status },
	{ "PQexec", (void **)&pq.exec },
	{ "PQexecParams", (void **)&pq.exec_params },
	{ "PQprepare", (void **)&pq.prepare },
	{ "PQexecPrepared", (void **)&pq.exec_prepared },
	{ "PQsendQueryPrepared", (void **)&pq.send_query_prepared },
	{ "PQsetSingleRowMode", (void **)&pq.set_single_row_mode },
	{ "PQgetResult", (void **)&pq.get_result },
	{ "PQcopyResult", (void **)&pq.copy_result },
	{ "PQsetvalue", (void **)&pq.setvalue },
	{ "PQresultStatus", (void **)&pq.result_status },
	{ "PQresultErrorField", (void **)&pq.result_error_field },
	{ "PQresultErrorMessage", (void **)&pq.result_error_message },
	{ "PQclear", (void **)&pq.clear },
	{ "PQntuples", (void **)&pq.ntuples },
	{ "PQnfields", (void **)&pq.nfields },
	{ "PQftype", (void **)&pq.ftype },
	{ "PQfname", (void **)&pq.fname },
	{ "PQgetvalue", (void **)&pq.getvalue },
	{ "PQgetisnull", (void **)&pq.getisnull },
	{ "PQgetlength", (void **)&pq.getlength },
	{ "PQcmdStatus", (void **)&pq.cmd_status },
	{ "PQcmdTuples", (void **)&pq.cmd_tuples },
	{ "PQunescapeBytea", (void **)&pq.unescape_bytea },
	{ "PQfreemem", (void **)&pq.freemem },
	{ NULL, NULL }
};

/* PostgreSQL's OIDs of text (the type of a parameter a text never
 * names) and of bytea */
#define TEXT_OID	25
#define BYTEA_OID	17
/* and of the numbers, for stmt_type() */
#define BOOL_OID	16
#define INT8_OID	20
#define INT2_OID	21
#define INT4_OID	23
#define FLOAT4_OID	700
#define FLOAT8_OID	701
#define NUMERIC_OID	1700

/*
 * The key of the writer lock (pg_advisory_xact_lock): every transaction
 * that writes holds it, so writers take turns as on SQLite, where the
 * code's read-then-write steps (a timer's next number, the digest's
 * count) rely on it.  Readers never wait for it.
 */
#define WRITER_LOCK	"2037539180"	/* "desk" */

/* The first key of a lease's advisory lock (the second: its name's
 * hash); status looks for it in pg_locks. */
#define LEASE_LOCK	"1818583411"	/* "leas" */

struct lease {
	char		*key;
	unsigned	 generation;	/* the connection it was taken on */
};

struct pg_store {
	PGconn		*conn;
	unsigned	 generation;	/* moves on at each reconnection */
	unsigned	 next_name;	/* statements are s1, s2, ... */
	int64_t		 changes, last_id;
	char		 sqlstate[6];	/* the last failure's, "" if none */
	char		 message[512];
	char		*settings;	/* the session's SETs (lock_timeout,
					   jit, ...), again after a
					   reconnection */
	struct lease	*leases;
	size_t		 nleases;
	struct pg_stmt	*streaming;	/* its rows still coming */
};

struct pg_stmt {
	struct pg_store	*pg;
	char		 name[16];
	char		*text;		/* with $N; NULL: skipped here */
	int		 nparams;	/* the highest $N */
	Oid		*types;		/* 0: PostgreSQL infers it */
	char		**values;	/* NULL: SQL NULL */
	char		**owned;	/* the values we copied */
	int		*lengths, *formats;
	unsigned	 prepared;	/* the generation it was prepared on, +1 */
	PGresult	*res;		/* streaming: the current row's */
	int		 executed, row, nrows;
	int		 stream;	/* read straight through: a row at a
					   time (pgstmt_stream()) */
	int		 streaming;	/* rows still coming */
	int		 broken;	/* the rest failed (settle()) */
	PGresult	*held;		/* the row's own, which settle()
					   replaced: its values may be in use
					   until the next step */
	/* pgstmt_blob()'s decoding of one bytea value */
	unsigned char	*blob;
	size_t		 blob_len;
	int		 blob_row, blob_col;
};

/* A statement of no rows failed, or the connection is gone. */
#define STMT_ERROR	1

static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;	/* a NOTICE (to_tsquery's "no lexemes") is nobody's */
}

static void
failed(struct pg_store *pg, const PGresult *res)
{
	const char *state = res ? pq.result_error_field(res,
	    PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? pq.result_error_message(res) : NULL;
	size_t n;

	if (msg == NULL || *msg == '\0')
		msg = pq.error_message(pg->conn);
	snprintf(pg->sqlstate, sizeof(pg->sqlstate), "%s",
	    state != NULL ? state : "");
	snprintf(pg->message, sizeof(pg->message), "%s", msg);
	/* libpq's messages end in a newline; ours are one line */
	n = strcspn(pg->message, "\n");
	pg->message[n] = '\0';
}

dm_err
pg_error(struct pg_store *pg, const char *what)
{
	const char *s = pg->sqlstate;
	int temporary;

	/*
	 * Worth trying again: a serialization failure or deadlock (40),
	 * a lock wait out of time (55P03), no resources (53), the server
	 * shutting down or starting (57P), a lost connection (08 or none).
	 */
	temporary = strncmp(s, "40", 2) == 0 || strcmp(s, "55P03") == 0 ||
	    strncmp(s, "53", 2) == 0 || strncmp(s, "57P", 3) == 0 ||
	    strncmp(s, "08", 2) == 0 ||
	    pq.status(pg->conn) != CONNECTION_OK;
	return dm_fail(temporary ? DM_ETEMP : DM_EDB, "%s: %s", what,
	    pg->message[0] ? pg->message : "PostgreSQL failed");
}

/* The password in file's first line (a copy to wipe), or NULL. */
static char *
read_password(const char *file, dm_err *err)
{
	char line[1024];
	FILE *fp;

	*err = DM_OK;
	if ((fp = fopen(file, "r")) == NULL) {
		*err = dm_fail(DM_ECONFIG, "database_password_file %s: %s",
		    file, strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	line[strcspn(line, "\r\n")] = '\0';
	return xstrdup(line);
}

/* A session's settings, at connection and after each reconnection. */
static dm_err
session(struct pg_store *pg)
{
	pq.set_notice_processor(pg->conn, quiet, NULL);
	return pg_exec(pg, pg->settings);
}

dm_err
pg_open(const char *uri, const char *password_file, long wait_ms,
    int synchronous_off, struct pg_store **out)
{
	const char *keys[5], *values[5];
	struct pg_store *pg;
	char *password = NULL, host[64], name[64];
	dm_err err;
	int n = 0;

	*out = NULL;
	if ((err = dyn_load(PQ_SONAME, pq_syms)) != DM_OK)
		return dm_fail(DM_ESOFTWARE, "PostgreSQL store: %s",
		    dm_errdetail());
	if (password_file != NULL && password_file[0] != '\0' &&
	    (password = read_password(password_file, &err)) == NULL)
		return err;
	keys[n] = "dbname", values[n++] = uri;
	/* who holds a lease, for status: deskmail on which host */
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	snprintf(name, sizeof(name), "deskmail %.32s pid %ld", host,
	    (long)getpid());
	keys[n] = "application_name", values[n++] = name;
	if (password != NULL)
		keys[n] = "password", values[n++] = password;
	keys[n] = NULL, values[n] = NULL;
	pg = xcalloc(1, sizeof(*pg));
	pg->conn = pq.connectdb_params(keys, values, 1);
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	if (pg->conn == NULL || pq.status(pg->conn) != CONNECTION_OK) {
		snprintf(pg->message, sizeof(pg->message), "%s",
		    pg->conn ? pq.error_message(pg->conn) : "out of memory");
		pg->message[strcspn(pg->message, "\n")] = '\0';
		err = dm_fail(DM_ETEMP, "cannot connect to the PostgreSQL "
		    "store: %s", pg->message);
		pg_close(pg);
		return err;
	}
	/* jit off: compiling a report's plan cost more than it saved (a
	 * third of the sla report's time, bench/pg) */
	pg->settings = xasprintf("SET lock_timeout = %ld; SET jit = off;"
	    "%s", wait_ms,
	    synchronous_off ? "SET synchronous_commit = off;" : "");
	if ((err = session(pg)) != DM_OK) {
		pg_close(pg);
		return err;
	}
	*out = pg;
	return DM_OK;
}

/* What is left of the command in progress is read (and let go of):
 * libpq takes the next one only then. */
static void
drain(struct pg_store *pg)
{
	PGresult *r;

	while ((r = pq.get_result(pg->conn)) != NULL)
		pq.clear(r);
}

/*
 * A streaming statement's rows still to come, fetched now and added to
 * its result, so the connection is free for another command and the
 * statement walks on as if they had come at once.  An error among them
 * is the statement's, at its end.
 */
static void
settle(struct pg_store *pg)
{
	struct pg_stmt *s = pg->streaming;
	PGresult *whole, *r;
	int i, n, cols;

	if (s == NULL)
		return;
	pg->streaming = NULL;
	s->streaming = 0;
	whole = pq.copy_result(s->res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
	n = whole != NULL ? pq.ntuples(whole) : 0;
	cols = whole != NULL ? pq.nfields(whole) : 0;
	while ((r = pq.get_result(pg->conn)) != NULL) {
		if (pq.result_status(r) == PGRES_SINGLE_TUPLE && whole != NULL) {
			for (i = 0; i < cols; i++)
				if (!pq.setvalue(whole, n, i, pq.getisnull(r, 0,
				    i) ? NULL : pq.getvalue(r, 0, i),
				    pq.getisnull(r, 0, i) ? -1 :
				    pq.getlength(r, 0, i)))
					s->broken = 1;	/* out of memory */
			n++;
		} else if (pq.result_status(r) != PGRES_TUPLES_OK) {
			failed(pg, r);
			s->broken = 1;
		}
		pq.clear(r);
	}
	if (whole == NULL)
		s->broken = 1;
	else {
		s->held = s->res;
		s->res = whole;
		s->nrows = n;
	}
}

/* The connection, free for the next command. */
static PGconn *
conn(struct pg_store *pg)
{
	settle(pg);
	return pg->conn;
}

void
pg_close(struct pg_store *pg)
{
	if (pg == NULL)
		return;
	if (pg->conn != NULL)
		pq.finish(pg->conn);
	while (pg->nleases > 0)
		free(pg->leases[--pg->nleases].key);
	free(pg->leases);
	free(pg->settings);
	free(pg);
}

/*
 * Outside a transaction, a connection the server dropped (a restart, a
 * failover) is made again; statements prepared on it are prepared anew
 * (generation).  Inside one the transaction is lost anyway: its next
 * statement fails, and the caller's ROLLBACK gets here.
 */
static int
connected(struct pg_store *pg)
{
	if (pq.status(pg->conn) == CONNECTION_OK)
		return 1;
	pq.reset(pg->conn);
	if (pq.status(pg->conn) != CONNECTION_OK) {
		failed(pg, NULL);
		pg->sqlstate[0] = '\0';
		return 0;
	}
	pg->generation++;
	return session(pg) == DM_OK;
}

/* Usable for the next statement: in a transaction, or connected. */
static int
ready(struct pg_store *pg)
{
	return pg_in_transaction(pg) || connected(pg);
}

/*
 * A statement that found the connection dead (the server restarted since
 * this connection's last use: libpq only learns it by trying) may go
 * again on a new one, once, if running it twice could do no harm: it
 * opens a transaction or only reads, and none was open.  Anything else
 * fails, as it must: a write may have been done before the connection
 * broke.
 */
static int
may_retry(struct pg_store *pg, const char *text, int in_transaction)
{
	if (in_transaction || pq.status(pg->conn) == CONNECTION_OK)
		return 0;
	if (strncmp(text, "BEGIN", 5) != 0 && strncmp(text, "SELECT", 6) != 0 &&
	    strncmp(text, "WITH", 4) != 0)
		return 0;
	return connected(pg);
}

dm_err
pg_exec(struct pg_store *pg, const char *text)
{
	PGresult *res;
	ExecStatusType rc;
	int in_transaction = pg_in_transaction(pg), tries = 2;

	if (!in_transaction && !connected(pg))
		return pg_error(pg, "database");
	while (tries-- > 0) {
		res = pq.exec(conn(pg), text);
		rc = pq.result_status(res);
		if (rc == PGRES_COMMAND_OK || rc == PGRES_TUPLES_OK) {
			pq.clear(res);
			return DM_OK;
		}
		failed(pg, res);
		pq.clear(res);
		if (!may_retry(pg, text, in_transaction))
			break;
	}
	return pg_error(pg, "database");
}

dm_err
pg_begin(struct pg_store *pg)
{
	dm_err err = pg_exec(pg, "BEGIN; SELECT pg_advisory_xact_lock("
	    WRITER_LOCK ")");

	/* a lock that did not come in time leaves an aborted transaction:
	 * nobody would end it */
	if (err != DM_OK)
		pg_rollback(pg);
	return err;
}

/* One snapshot for all its statements, as SQLite's read transaction. */
dm_err
pg_begin_read(struct pg_store *pg)
{
	dm_err err = pg_exec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ");

	if (err != DM_OK)
		pg_rollback(pg);
	return err;
}

dm_err
pg_commit(struct pg_store *pg)
{
	PGresult *res = pq.exec(conn(pg), "COMMIT");
	dm_err err = DM_OK;

	/* COMMIT of a transaction an error aborted says ROLLBACK, not an
	 * error: what the caller thinks stored is not */
	if (pq.result_status(res) != PGRES_COMMAND_OK) {
		failed(pg, res);
		err = pg_error(pg, "commit");
	} else if (strcmp(pq.cmd_status(res), "COMMIT") != 0) {
		snprintf(pg->sqlstate, sizeof(pg->sqlstate), "25P02");
		snprintf(pg->message, sizeof(pg->message), "the transaction "
		    "failed earlier and was rolled back");
		err = pg_error(pg, "commit");
	}
	pq.clear(res);
	return err;
}

void
pg_rollback(struct pg_store *pg)
{
	if (pg_in_transaction(pg))
		pq.clear(pq.exec(conn(pg), "ROLLBACK"));
}

int
pg_in_transaction(struct pg_store *pg)
{
	PGTransactionStatusType t = pq.transaction_status(conn(pg));

	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR ||
	    t == PQTRANS_ACTIVE;
}

int64_t
pg_changes(struct pg_store *pg)
{
	return pg->changes;
}

int64_t
pg_last_id(struct pg_store *pg)
{
	return pg->last_id;
}

/* The first column of text's one row as an int (0: no row or NULL). */
static dm_err
query_int(struct pg_store *pg, const char *text, int *v)
{
	PGresult *res = pq.exec(conn(pg), text);
	dm_err err = DM_OK;

	*v = 0;
	if (pq.result_status(res) != PGRES_TUPLES_OK) {
		failed(pg, res);
		err = pg_error(pg, "schema version");
	} else if (pq.ntuples(res) == 1 && !pq.getisnull(res, 0, 0))
		*v = atoi(pq.getvalue(res, 0, 0));
	pq.clear(res);
	return err;
}

dm_err
pg_schema_version(struct pg_store *pg, int *v)
{
	dm_err err;
	int exists;

	*v = 0;
	if (!ready(pg))
		return pg_error(pg, "database");
	/* asked first: reading a table that is not there would abort the
	 * caller's transaction */
	if ((err = query_int(pg, "SELECT (to_regclass('schema_version') IS "
	    "NOT NULL)::int", &exists)) != DM_OK || !exists)
		return err;
	return query_int(pg, "SELECT max(version) FROM schema_version", v);
}

/* text with $1 = arg, its first row's first column copied (or NULL). */
static dm_err
query_text(struct pg_store *pg, const char *text, const char *arg,
    char **out)
{
	PGresult *res;
	dm_err err = DM_OK;

	*out = NULL;
	if (!ready(pg))
		return pg_error(pg, "database");
	res = pq.exec_params(conn(pg), text, 1, NULL, &arg, NULL, NULL, 0);
	if (pq.result_status(res) != PGRES_TUPLES_OK) {
		failed(pg, res);
		err = pg_error(pg, "lease");
	} else if (pq.ntuples(res) > 0 && !pq.getisnull(res, 0, 0))
		*out = xstrdup(pq.getvalue(res, 0, 0));
	pq.clear(res);
	return err;
}

/*
 * A session advisory lock: the server drops it with the connection, so
 * a holder killed loses it at once, and one whose connection broke (a
 * restart, a failover) loses it too: hence the check that the
 * connection it was taken on is still this one and alive.
 */
dm_err
pg_lease(struct pg_store *pg, const char *key, int *held)
{
	struct lease *l = NULL;
	char *got;
	size_t i;
	dm_err err;

	*held = 0;
	for (i = 0; i < pg->nleases; i++)
		if (strcmp(pg->leases[i].key, key) == 0)
			l = &pg->leases[i];
	if (l != NULL && l->generation == pg->generation &&
	    pg_exec(pg, "SELECT 1") == DM_OK &&
	    l->generation == pg->generation) {
		*held = 1;
		return DM_OK;
	}
	if ((err = query_text(pg, "SELECT pg_try_advisory_lock(" LEASE_LOCK
	    ", hashtext($1))::int", key, &got)) != DM_OK)
		return err;
	*held = got != NULL && strcmp(got, "1") == 0;
	free(got);
	if (!*held)
		return DM_OK;
	if (l == NULL) {
		pg->leases = xreallocarray(pg->leases, pg->nleases + 1,
		    sizeof(*pg->leases));
		l = &pg->leases[pg->nleases++];
		l->key = xstrdup(key);
	}
	l->generation = pg->generation;
	return DM_OK;
}

dm_err
pg_lease_holder(struct pg_store *pg, const char *key, char **holder)
{
	return query_text(pg, "SELECT a.application_name FROM pg_locks l "
	    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = "
	    "'advisory' AND l.granted AND l.database = (SELECT oid FROM "
	    "pg_database WHERE datname = current_database()) AND l.classid "
	    "= " LEASE_LOCK " AND l.objsubid = 2 AND l.objid = "
	    "(hashtext($1)::bigint & 4294967295)::oid", key, holder);
}

/* more parameters than any statement has */
#define MAX_PARAMS	64

/*
 * text with each ?N outside quotes written $N when rewrite (SQLite's
 * texts), the highest parameter number in it, and which numbers it
 * names; `'...'` and `"..."` are passed over.
 */
static char *
dollar_text(const char *text, int rewrite, int *highest,
    char named[MAX_PARAMS])
{
	char *out = xstrdup(text), *p = out, *end;
	char quote = 0;
	long n;

	*highest = 0;
	for (; *p != '\0'; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			continue;
		}
		if ((*p != '?' || !rewrite) && *p != '$')
			continue;
		if (p[1] < '1' || p[1] > '9')
			continue;
		n = strtol(p + 1, &end, 10);
		*p = '$';
		if (n <= MAX_PARAMS) {
			named[n - 1] = 1;
			if (n > *highest)
				*highest = (int)n;
		}
		p = end - 1;
	}
	return out;
}

struct pg_stmt *
pg_prepare(struct pg_store *pg, const struct dm_sql *sql)
{
	struct pg_stmt *s = xcalloc(1, sizeof(*s));
	char named[MAX_PARAMS] = { 0 };
	int i;

	s->pg = pg;
	s->blob_row = -1;
	snprintf(s->name, sizeof(s->name), "s%u", ++pg->next_name);
	if (sql->pg != NULL && sql->pg[0] == '\0')
		return s;		/* SQL_LITE_ONLY: nothing to do here */
	s->text = sql->pg != NULL ? dollar_text(sql->pg, 0, &s->nparams, named) :
	    dollar_text(sql->lite, 1, &s->nparams, named);
	if (s->nparams > 0) {
		s->types = xcalloc((size_t)s->nparams, sizeof(*s->types));
		s->values = xcalloc((size_t)s->nparams, sizeof(*s->values));
		s->owned = xcalloc((size_t)s->nparams, sizeof(*s->owned));
		s->lengths = xcalloc((size_t)s->nparams, sizeof(*s->lengths));
		s->formats = xcalloc((size_t)s->nparams, sizeof(*s->formats));
	}
	/* a number the text skips has no type to infer: say text (its
	 * caller binds it anyway, for SQLite's sake) */
	for (i = 0; i < s->nparams; i++)
		s->types[i] = named[i] ? 0 : TEXT_OID;
	return s;
}

/* The rest of a stream nobody will read. */
static void
end_stream(struct pg_stmt *s)
{
	if (!s->streaming)
		return;
	drain(s->pg);
	s->streaming = 0;
	s->pg->streaming = NULL;
}

/* A new row: what decode() kept was the last one's. */
static void
forget_blob(struct pg_stmt *s)
{
	free(s->blob);
	s->blob = NULL;
	s->blob_row = -1;
}

static void
drop_result(struct pg_stmt *s)
{
	end_stream(s);
	if (s->res != NULL)
		pq.clear(s->res);
	s->res = NULL;
	if (s->held != NULL)
		pq.clear(s->held);
	s->held = NULL;
	s->executed = 0;
	s->broken = 0;
	s->row = s->nrows = 0;
	forget_blob(s);
}

void
pgstmt_reset(struct pg_stmt *s)
{
	drop_result(s);
}

void
pgstmt_clear(struct pg_stmt *s)
{
	int i;

	drop_result(s);
	for (i = 0; i < s->nparams; i++) {
		free(s->owned[i]);
		s->owned[i] = NULL;
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
	}
}

void
pgstmt_free(struct pg_stmt *s)
{
	if (s == NULL)
		return;
	pgstmt_clear(s);
	free(s->text);
	free(s->types);
	free(s->values);
	free(s->owned);
	free(s->lengths);
	free(s->formats);
	free(s);
}

void
pgstmt_drop(struct pg_stmt *s)
{
	char *text;

	if (s == NULL)
		return;
	drop_result(s);		/* its own stream first, not fetched whole */
	/* the server keeps a prepared statement as long as the session */
	if (s->prepared == s->pg->generation + 1 &&
	    pq.status(s->pg->conn) == CONNECTION_OK) {
		text = xasprintf("DEALLOCATE %s", s->name);
		pq.clear(pq.exec(conn(s->pg), text));
		free(text);
	}
	pgstmt_free(s);
}

/* Parameter i (from 1) as an owned string; past the last: ignored, as
 * SQLite ignores it. */
static void
bind_owned(struct pg_stmt *s, int i, char *v)
{
	if (i < 1 || i > s->nparams) {
		free(v);
		return;
	}
	free(s->owned[i - 1]);
	s->owned[i - 1] = v;
	s->values[i - 1] = v;
	s->lengths[i - 1] = 0;
	s->formats[i - 1] = 0;
}

void
pgstmt_bind_int64(struct pg_stmt *s, int i, int64_t v)
{
	bind_owned(s, i, xasprintf("%" PRId64, v));
}

void
pgstmt_bind_null(struct pg_stmt *s, int i)
{
	bind_owned(s, i, NULL);
}

void
pgstmt_bind_text(struct pg_stmt *s, int i, const char *v)
{
	bind_owned(s, i, v != NULL ? xstrdup(v) : NULL);
}

void
pgstmt_bind_blob(struct pg_stmt *s, int i, const void *p, size_t n)
{
	static const char empty[1];

	bind_owned(s, i, NULL);
	if (i < 1 || i > s->nparams)
		return;
	/* binary bytea: the bytes as they are; "" and not NULL when n is
	 * 0 (an empty attachment is an empty value) */
	s->values[i - 1] = n > 0 ? (char *)p : (char *)empty;
	s->lengths[i - 1] = (int)n;
	s->formats[i - 1] = 1;
}

int
pgstmt_param_count(struct pg_stmt *s)
{
	return s->nparams;
}

static int
prepare_here(struct pg_stmt *s)
{
	struct pg_store *pg = s->pg;
	PGresult *res;

	if (s->prepared == pg->generation + 1)
		return 1;
	res = pq.prepare(conn(pg), s->name, s->text, s->nparams, s->types);
	if (pq.result_status(res) != PGRES_COMMAND_OK) {
		failed(pg, res);
		pq.clear(res);
		return 0;
	}
	pq.clear(res);
	s->prepared = pg->generation + 1;
	return 1;
}

/* What the command that made res changed, as sqlite3_changes() counts. */
static void
note_changes(struct pg_store *pg, PGresult *res)
{
	const char *cmd = pq.cmd_status(res);
	int insert = strncmp(cmd, "INSERT", 6) == 0;

	if (!insert && strncmp(cmd, "UPDATE", 6) != 0 &&
	    strncmp(cmd, "DELETE", 6) != 0)
		return;
	pg->changes = strtoll(pq.cmd_tuples(res), NULL, 10);
	if (insert && pq.ntuples(res) > 0 && pq.nfields(res) > 0)
		pg->last_id = strtoll(pq.getvalue(res, 0, 0), NULL, 10);
}

/*
 * s sent, its rows to come one at a time: the first one's result (or
 * the whole result of none, or the error).  NULL: it could not be sent.
 */
static PGresult *
start_stream(struct pg_stmt *s)
{
	struct pg_store *pg = s->pg;
	PGresult *res;

	if (!pq.send_query_prepared(pg->conn, s->name, s->nparams,
	    (const char *const *)s->values, s->lengths, s->formats, 0))
		return NULL;
	(void)pq.set_single_row_mode(pg->conn);
	res = pq.get_result(pg->conn);
	if (pq.result_status(res) == PGRES_SINGLE_TUPLE) {
		s->streaming = 1;
		pg->streaming = s;
	} else
		drain(pg);
	return res;
}

/* The next row of a streaming statement: STMT_ROW, STMT_DONE or
 * STMT_ERROR (failed() said why). */
static int
next_row(struct pg_stmt *s)
{
	struct pg_store *pg = s->pg;
	ExecStatusType rc;

	pq.clear(s->res);
	s->res = pq.get_result(pg->conn);
	forget_blob(s);
	if ((rc = pq.result_status(s->res)) == PGRES_SINGLE_TUPLE) {
		s->row = 0;
		s->nrows = 1;
		return STMT_ROW;
	}
	s->streaming = 0;
	pg->streaming = NULL;
	s->row = s->nrows = 0;
	if (rc != PGRES_TUPLES_OK)
		failed(pg, s->res);
	drain(pg);
	return rc == PGRES_TUPLES_OK ? STMT_DONE : STMT_ERROR;
}

/* Run s on the server: its result in s->res, or 0 (failed() said why). */
static int
execute(struct pg_stmt *s)
{
	struct pg_store *pg = s->pg;
	int in_transaction = pg_in_transaction(pg), tries = 2;
	ExecStatusType rc;

	if (!in_transaction && !connected(pg))
		return 0;
	while (tries-- > 0) {
		if (!prepare_here(s)) {
			if (may_retry(pg, s->text, in_transaction))
				continue;
			return 0;
		}
		s->res = s->stream ? start_stream(s) : pq.exec_prepared(pg->conn,
		    s->name, s->nparams, (const char *const *)s->values,
		    s->lengths, s->formats, 0);
		rc = pq.result_status(s->res);
		if (rc == PGRES_TUPLES_OK || rc == PGRES_COMMAND_OK ||
		    rc == PGRES_SINGLE_TUPLE)
			return 1;
		failed(pg, s->res);
		pq.clear(s->res);
		s->res = NULL;
		if (!may_retry(pg, s->text, in_transaction))
			break;
	}
	return 0;
}

int
pgstmt_step(struct pg_stmt *s)
{
	struct pg_store *pg = s->pg;
	ExecStatusType rc;

	if (!s->executed) {
		s->executed = 1;
		s->row = -1;
		if (s->text == NULL)
			return STMT_DONE;
		if (!execute(s))
			return STMT_ERROR;
		rc = pq.result_status(s->res);
		s->nrows = rc == PGRES_TUPLES_OK || rc == PGRES_SINGLE_TUPLE ?
		    pq.ntuples(s->res) : 0;
		note_changes(pg, s->res);
	}
	if (s->held != NULL)
		pq.clear(s->held);
	s->held = NULL;
	if (s->row + 1 < s->nrows) {
		s->row++;
		return STMT_ROW;
	}
	if (s->streaming)
		return next_row(s);
	s->row = s->nrows;
	return s->broken ? STMT_ERROR : STMT_DONE;
}

void
pgstmt_stream(struct pg_stmt *s)
{
	s->stream = 1;
}

/* The value at the current row, or NULL for SQL NULL or no row. */
static const char *
value(struct pg_stmt *s, int col)
{
	if (s->res == NULL || s->row < 0 || s->row >= s->nrows ||
	    col < 0 || col >= pq.nfields(s->res) ||
	    pq.getisnull(s->res, s->row, col))
		return NULL;
	return pq.getvalue(s->res, s->row, col);
}

int64_t
pgstmt_int64(struct pg_stmt *s, int col)
{
	const char *v = value(s, col);

	/* as SQLite: NULL reads 0; and a boolean its truth */
	if (v == NULL)
		return 0;
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	return strtoll(v, NULL, 10);
}

const char *
pgstmt_text(struct pg_stmt *s, int col)
{
	return value(s, col);
}

int
pgstmt_is_null(struct pg_stmt *s, int col)
{
	return value(s, col) == NULL;
}

int
pgstmt_columns(struct pg_stmt *s)
{
	return s->res != NULL ? pq.nfields(s->res) : 0;
}

const char *
pgstmt_name(struct pg_stmt *s, int col)
{
	if (s->res == NULL || col < 0 || col >= pq.nfields(s->res))
		return NULL;
	return pq.fname(s->res, col);
}

int
pgstmt_type(struct pg_stmt *s, int col)
{
	if (value(s, col) == NULL)
		return STMT_NULL;
	switch (pq.ftype(s->res, col)) {
	case INT2_OID: case INT4_OID: case INT8_OID: case BOOL_OID:
		return STMT_INTEGER;
	case FLOAT4_OID: case FLOAT8_OID: case NUMERIC_OID:
		return STMT_FLOAT;
	case BYTEA_OID:
		return STMT_BLOB;
	default:
		return STMT_TEXT;
	}
}

/* A bytea's text form (hex) decoded, kept until the row moves on. */
static void
decode(struct pg_stmt *s, int col)
{
	const char *v;
	unsigned char *b;
	size_t n = 0;

	if (s->blob_row == s->row && s->blob_col == col)
		return;
	free(s->blob);
	s->blob = NULL;
	s->blob_len = 0;
	s->blob_row = s->row;
	s->blob_col = col;
	if ((v = value(s, col)) == NULL)
		return;
	if ((b = pq.unescape_bytea((const unsigned char *)v, &n)) == NULL)
		return;
	s->blob = xmalloc(n + 1);
	memcpy(s->blob, b, n);
	s->blob[n] = '\0';
	s->blob_len = n;
	pq.freemem(b);
}

static int
is_bytea(struct pg_stmt *s, int col)
{
	return s->res != NULL && col >= 0 && col < pq.nfields(s->res) &&
	    pq.ftype(s->res, col) == BYTEA_OID;
}

/* A blob column's bytes; a text column's, as SQLite gives them. */
const void *
pgstmt_blob(struct pg_stmt *s, int col)
{
	if (!is_bytea(s, col))
		return value(s, col);
	decode(s, col);
	return s->blob_len > 0 ? s->blob : NULL;
}

size_t
pgstmt_bytes(struct pg_stmt *s, int col)
{
	const char *v;

	if (!is_bytea(s, col))
		return (v = value(s, col)) != NULL ? strlen(v) : 0;
	decode(s, col);
	return s->blob_len;
}
