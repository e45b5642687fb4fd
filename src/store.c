/*
 * store.c - the database: open, pragmas, migrations, transactions, the
 * statement cache.  A SQLite file by default; a PostgreSQL store
 * (store_pg.c) takes over each function where its st->pg is set.
 *
 * The tables belong to the modules that use them (ticket.c, message.c,
 * outbox.c, quarantine.c, event.c, people.c); their CREATE statements are
 * here only as the numbered migrations that made them, because the order
 * of schema changes is one history for the whole file.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deskmail/lock.h"
#include "deskmail/schema_pg.h"
#include "deskmail/store.h"
#include "deskmail/store_pg.h"
#include "deskmail/util.h"

#define STMT_CACHE	128

struct dm_store {
	sqlite3		*db;
	struct pg_store	*pg;		/* a PostgreSQL store: db is NULL */
	struct {
		const struct dm_sql *sql;
		struct dm_stmt	 stmt;
	} cache[STMT_CACHE];
	int		 counted;	/* in open_stores */
	int		 use_lock;	/* lock_use()'s descriptor */
	int		 keep_wal;	/* store_keep_wal() */
	sqlite3_int64	 wal_room;	/* store_wal_reserve(), once known */
	/* store_defer(): writes that wait for COMMIT, and how many of them
	 * each open savepoint had when it began */
	struct deferred	*deferred;
	size_t		 ndeferred;
	size_t		*marks;
	size_t		 nmarks;
};

struct deferred {
	const struct dm_sql *sql;
	int64_t		 id;
	char		*a, *b;
};

static void	deferred_drop(struct dm_store *st, size_t n);

/*
 * The full-text index over messages (search.c says how it is read), as
 * migrations 11 and 13 make it: each message's subject and text under
 * (message << 31) | ticket, built from what is stored.
 */
#define SEARCH_INDEX \
	"CREATE INDEX messages_fts_rid ON messages((id << 31) | ticket_id);" \
	"CREATE VIEW messages_fts_content AS" \
	"  SELECT (id << 31) | ticket_id AS rid, subject, body FROM messages;" \
	"CREATE VIRTUAL TABLE messages_fts USING fts5(subject, body," \
	"  content='messages_fts_content', content_rowid='rid'," \
	"  tokenize='porter unicode61 remove_diacritics 2');" \
	"INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');"

/* Migration N brings user_version from N-1 to N.  Never edit one; add. */
static const char *const migrations[] = {
	/* 1: the foundation */
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  status TEXT NOT NULL,"
	"  severity INTEGER,"
	"  team TEXT,"
	"  assignee TEXT,"
	"  category TEXT,"
	"  agency TEXT,"
	"  requester TEXT NOT NULL,"
	"  requester_name TEXT,"
	"  subject TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  resolved_at INTEGER,"
	"  closed_at INTEGER,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  linked_ticket INTEGER REFERENCES tickets(id));"
	"CREATE INDEX tickets_status ON tickets(status, id);"
	"CREATE INDEX tickets_requester ON tickets(requester);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  kind TEXT NOT NULL,"		/* customer, staff, auto */
	"  message_id TEXT,"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  from_addr TEXT,"
	"  from_name TEXT,"
	"  to_addrs TEXT,"
	"  cc_addrs TEXT,"
	"  subject TEXT,"
	"  date TEXT,"
	"  received INTEGER NOT NULL,"
	"  source TEXT,"
	"  body TEXT NOT NULL,"
	"  body_from_html INTEGER NOT NULL DEFAULT 0,"
	"  new_text TEXT NOT NULL,"
	"  raw BLOB NOT NULL);"
	"CREATE INDEX messages_ticket ON messages(ticket_id, id);"
	"CREATE INDEX messages_msgid ON messages(message_id);"
	"CREATE TABLE attachments ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id INTEGER NOT NULL REFERENCES messages(id),"
	"  name TEXT NOT NULL,"
	"  content_type TEXT NOT NULL,"
	"  is_inline INTEGER NOT NULL DEFAULT 0,"
	"  content_id TEXT,"
	"  size INTEGER NOT NULL,"
	"  content BLOB NOT NULL);"
	"CREATE INDEX attachments_message ON attachments(message_id);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX events_ticket ON events(ticket_id, id);"
	"CREATE INDEX events_type ON events(type, at);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  template TEXT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  in_reply_to TEXT,"
	"  refs TEXT,"
	"  automatic INTEGER NOT NULL DEFAULT 1,"
	"  status TEXT NOT NULL DEFAULT 'queued',"
	"  created INTEGER NOT NULL,"
	"  next_attempt INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  sent_at INTEGER,"
	"  last_error TEXT,"
	"  params TEXT);"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt);"
	"CREATE INDEX outbox_recipient ON outbox(recipient, created);"
	"CREATE INDEX outbox_ticket ON outbox(ticket_id);"
	"CREATE TABLE quarantine ("
	"  id INTEGER PRIMARY KEY,"
	"  received INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  source TEXT,"
	"  sha256 TEXT NOT NULL,"
	"  from_addr TEXT,"
	"  subject TEXT,"
	"  size INTEGER NOT NULL,"
	"  truncated INTEGER NOT NULL DEFAULT 0,"
	"  raw BLOB NOT NULL,"
	"  released_at INTEGER,"
	"  released_to TEXT);"
	"CREATE INDEX quarantine_sha ON quarantine(sha256);"
	"CREATE TABLE mailbox_state ("
	"  mailbox TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL);"
	"CREATE TABLE people ("
	"  address TEXT PRIMARY KEY,"
	"  name TEXT,"
	"  role TEXT NOT NULL);"	/* staff */
	"CREATE TABLE teams ("
	"  name TEXT PRIMARY KEY,"
	"  address TEXT);"
	"CREATE TABLE team_members ("
	"  team TEXT NOT NULL REFERENCES teams(name),"
	"  address TEXT NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  PRIMARY KEY (team, address));"
	"CREATE TABLE settings ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* 2: the two-question survey, one answer per ticket */
	"CREATE TABLE surveys ("
	"  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),"
	"  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),"
	"  comment TEXT NOT NULL DEFAULT '',"
	"  answered INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL);"
	"CREATE INDEX surveys_answered ON surveys(answered);",
	/* 3: the SLA engine's timers */
	"CREATE TABLE sla_timers ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  name TEXT NOT NULL,"		/* triage ack assign resolve update escalate */
	"  seq INTEGER NOT NULL DEFAULT 0,"
	"  due INTEGER NOT NULL,"
	"  business INTEGER NOT NULL DEFAULT 0,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  done_at INTEGER,"
	"  UNIQUE (ticket_id, name, seq));"
	"CREATE INDEX sla_timers_due ON sla_timers(state, due);",
	/* 4: auto-close finds resolved tickets by age */
	"CREATE INDEX tickets_resolved ON tickets(status, resolved_at);",
	/* 5: routing, the agency directory, billing and SLA results */
	"ALTER TABLE tickets ADD COLUMN owner TEXT;"	/* agency owning the
							   device or app */
	"ALTER TABLE tickets ADD COLUMN sla_policy TEXT;"
	"CREATE INDEX tickets_created ON tickets(created);"
	"CREATE INDEX tickets_closed ON tickets(closed_at);"
	"CREATE TABLE agencies ("
	"  name TEXT PRIMARY KEY,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  notify TEXT NOT NULL DEFAULT '',"	/* notification contacts */
	"  escalate TEXT NOT NULL DEFAULT '',"	/* escalation contacts */
	"  bill_to TEXT NOT NULL DEFAULT 'category');" /* category owner agency */
	"CREATE TABLE agency_senders ("
	"  sender TEXT PRIMARY KEY,"		/* domain or address */
	"  agency TEXT NOT NULL REFERENCES agencies(name));"
	"CREATE TABLE sla_results ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  policy TEXT NOT NULL,"
	"  severity INTEGER NOT NULL DEFAULT 0,"
	"  target TEXT NOT NULL,"	/* triage initial ack assign resolve
					   update referral */
	"  met INTEGER NOT NULL,"
	"  late INTEGER NOT NULL DEFAULT 0,"	/* seconds past due (met: 0) */
	"  at INTEGER NOT NULL);"
	"CREATE INDEX sla_results_at ON sla_results(at);"
	"CREATE INDEX sla_results_ticket ON sla_results(ticket_id);",
	/* 6: staff notices past the per-ticket limit wait for one digest */
	"ALTER TABLE outbox ADD COLUMN digest INTEGER REFERENCES outbox(id);"
	"ALTER TABLE outbox ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX outbox_digest ON outbox(digest);",
	/* 7: the time zone an agency's people read times in ('': none) */
	"ALTER TABLE agencies ADD COLUMN timezone TEXT NOT NULL DEFAULT '';",
	/*
	 * 8: a ticket's participants (the customer's side in To/Cc, or added
	 * by staff; removed: no longer mailed), the addresses that send us
	 * automatic mail (never made participants, never announced to; filled
	 * from what is stored), and announcements with their recipients.
	 */
	"CREATE TABLE ticket_participants ("
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  address TEXT NOT NULL,"
	"  name TEXT,"
	"  added INTEGER NOT NULL,"
	"  added_by TEXT NOT NULL,"
	"  removed INTEGER,"
	"  removed_by TEXT,"
	"  PRIMARY KEY (ticket_id, address));"
	"CREATE INDEX ticket_participants_address ON"
	"  ticket_participants(address);"
	"CREATE TABLE auto_senders ("
	"  address TEXT PRIMARY KEY,"
	"  reason TEXT NOT NULL,"
	"  last INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO auto_senders (address, reason, last)"
	"  SELECT from_addr, 'automatic mail', max(received) FROM messages"
	"  WHERE kind = 'auto' AND from_addr IS NOT NULL GROUP BY from_addr;"
	"CREATE TABLE announcements ("
	"  id INTEGER PRIMARY KEY,"
	"  created INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  audience TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  recipients INTEGER NOT NULL);"
	"CREATE TABLE announcement_recipients ("
	"  announcement_id INTEGER NOT NULL REFERENCES announcements(id),"
	"  address TEXT NOT NULL,"
	"  outbox_id INTEGER NOT NULL REFERENCES outbox(id),"
	"  PRIMARY KEY (announcement_id, address));",
	/* 9: empty (its number went to a part of issue 17 that needed none) */
	"",
	/* 10: the queue (help address) a ticket came in by; an agency's
	 * full-time equivalents, for billing by FTE (NULL: not given) */
	("ALTER TABLE tickets ADD COLUMN queue TEXT;"
	"ALTER TABLE agencies ADD COLUMN fte REAL;"),
	/* 11: full-text search (search.c says how it is read): each
	 * message's subject and text under (message << 31) | ticket (a
	 * ticket's subject is its first message's); built here from what
	 * is stored already.  tickets_search: recent tickets with what the
	 * filters test, without their rows. */
	SEARCH_INDEX
	"CREATE INDEX tickets_search ON tickets(updated, status, agency,"
	"  created, closed_at);",
	/* 12: merged tickets and the major incident a ticket is part of */
	"ALTER TABLE tickets ADD COLUMN merged_into INTEGER"
	"  REFERENCES tickets(id);"
	"ALTER TABLE tickets ADD COLUMN parent INTEGER REFERENCES tickets(id);"
	"CREATE INDEX tickets_parent ON tickets(parent);",
	/* 13: the search index as 11 makes it now.  Databases made between
	 * 19cc6ff and 453f7cc have 11's first layout: rowids (ticket << 32)
	 * | message, which search.c now reads as another ticket, and a
	 * tickets_fts nothing writes any more.  Rebuilt for every database:
	 * the layout is not recorded anywhere else. */
	"DROP TABLE IF EXISTS tickets_fts;"
	"DROP TABLE messages_fts;"
	"DROP VIEW messages_fts_content;"
	"DROP INDEX messages_fts_rid;"
	SEARCH_INDEX,
	/*
	 * 14: counters for the metrics (metrics.c reads them): counted by
	 * triggers in the transaction that changes the rows, so they only
	 * ever grow (an outbox retry or a released quarantine entry changes
	 * a row, not what was counted) and are read in one lookup whatever
	 * the size of the tables.  Started from the rows already stored;
	 * deferred attempts before this migration are not known apart from
	 * failed ones, and count as deferred.  A message written with the
	 * CLI (source 'cli') was not ingested.  A quarantine reason is
	 * counted by its words before the first colon, without "for no
	 * ticket", spaces as underscores: flood, over_limit, unparseable,
	 * no_sender_address, auto-reply, bounce, loop, ...
	 */
	"CREATE TABLE counters ("
	"  name TEXT NOT NULL,"
	"  label TEXT NOT NULL,"
	"  value INTEGER NOT NULL,"
	"  PRIMARY KEY (name, label)) WITHOUT ROWID;"
	"CREATE TRIGGER counters_ingested AFTER INSERT ON messages"
	"  WHEN NEW.source IS NOT 'cli' BEGIN"
	"  INSERT INTO counters VALUES ('messages_ingested', NEW.kind, 1)"
	"  ON CONFLICT (name, label) DO UPDATE SET value = value + 1;"
	"  END;"
	"CREATE TRIGGER counters_quarantined AFTER INSERT ON quarantine BEGIN"
	"  INSERT INTO counters VALUES ('messages_quarantined',"
	"  replace(trim(replace(lower(CASE WHEN instr(NEW.reason, ':') > 0"
	"  THEN substr(NEW.reason, 1, instr(NEW.reason, ':') - 1)"
	"  ELSE NEW.reason END), ' for no ticket', '')), ' ', '_'), 1)"
	"  ON CONFLICT (name, label) DO UPDATE SET value = value + 1;"
	"  END;"
	/* an attempt is one more in attempts; a sent row marked again
	 * (after a crash between sending and marking) is not another */
	"CREATE TRIGGER counters_sent AFTER UPDATE OF attempts ON outbox"
	"  WHEN NEW.attempts > OLD.attempts AND OLD.status IS NOT 'sent' BEGIN"
	"  INSERT INTO counters VALUES ('send_attempts', CASE NEW.status"
	"  WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed'"
	"  ELSE 'deferred' END, 1)"
	"  ON CONFLICT (name, label) DO UPDATE SET value = value + 1;"
	"  END;"
	"INSERT INTO counters SELECT 'messages_ingested', kind, count(*)"
	"  FROM messages WHERE source IS NOT 'cli' GROUP BY kind;"
	"INSERT INTO counters SELECT 'messages_quarantined',"
	"  replace(trim(replace(lower(CASE WHEN instr(reason, ':') > 0"
	"  THEN substr(reason, 1, instr(reason, ':') - 1)"
	"  ELSE reason END), ' for no ticket', '')), ' ', '_'), count(*)"
	"  FROM quarantine GROUP BY 2;"
	"INSERT INTO counters SELECT 'send_attempts', 'sent', count(*)"
	"  FROM outbox WHERE status = 'sent';"
	"INSERT INTO counters SELECT 'send_attempts', 'failed', count(*)"
	"  FROM outbox WHERE status = 'failed';"
	"INSERT INTO counters SELECT 'send_attempts', 'deferred',"
	"  max(0, coalesce(sum(attempts), 0) - count(CASE WHEN status IN"
	"  ('sent', 'failed') THEN 1 END)) FROM outbox;",
	/* 15: the language an agency's people are written to in ('': the
	 * mail's), and the one a ticket's customers get (lang.h; NULL: the
	 * [deskmail] language) */
	"ALTER TABLE agencies ADD COLUMN lang TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE tickets ADD COLUMN lang TEXT;",
};

#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

int
store_schema_version(void)
{
	return NMIGRATIONS;
}

int
store_is_pg(struct dm_store *st)
{
	return st->pg != NULL;
}

sqlite3 *
store_db(struct dm_store *st)
{
	return st->db;
}

dm_err
store_error(struct dm_store *st, const char *what)
{
	int code;
	dm_err kind = DM_EDB;

	if (st->pg != NULL)
		return pg_error(st->pg, what);
	code = sqlite3_errcode(st->db) & 0xff;
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED ||
	    code == SQLITE_FULL || code == SQLITE_IOERR ||
	    code == SQLITE_NOMEM || code == SQLITE_PROTOCOL)
		kind = DM_ETEMP;
	return dm_fail(kind, "%s: %s", what, sqlite3_errmsg(st->db));
}

static dm_err
exec(struct dm_store *st, const char *sql)
{
	if (st->pg != NULL)
		return pg_exec(st->pg, sql);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(st, "database");
	return DM_OK;
}

static dm_err
newer(int v)
{
	return dm_fail(DM_ECONFIG, "schema version %d is newer than this "
	    "deskmail (%d); upgrade deskmail", v, NMIGRATIONS);
}

static dm_err
user_version(struct dm_store *st, int *v)
{
	sqlite3_stmt *s;

	if (st->pg != NULL)
		return pg_schema_version(st->pg, v);
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return store_error(st, "database");
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return store_error(st, "database");
	}
	*v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return DM_OK;
}

dm_err
store_version(struct dm_store *st, int *v)
{
	return user_version(st, v);
}

/*
 * Bring the schema to this build's, in one transaction: a process killed
 * on the way leaves the file as it was.  *from is the version it had.
 */
dm_err
store_migrate(struct dm_store *st, int *from)
{
	char version[64];
	dm_err err;
	size_t n;
	int v, i;

	if ((err = store_begin(st)) != DM_OK)
		return err;
	if ((err = user_version(st, &v)) != DM_OK)
		goto fail;
	*from = v;
	if (v > NMIGRATIONS) {
		err = newer(v);
		goto fail;
	}
	if (st->pg != NULL) {
		/* a new PostgreSQL store starts at the baseline: none was
		 * ever at an older version */
		if (v == 0 && (err = exec(st, pg_baseline)) != DM_OK)
			goto fail;
		if (v == 0)
			v = PG_BASELINE;
		if (v < PG_BASELINE || PG_BASELINE + pg_nmigrations !=
		    NMIGRATIONS) {
			err = dm_fail(DM_ESOFTWARE, "PostgreSQL schema %d: "
			    "no migration from it in this build", v);
			goto fail;
		}
		for (n = (size_t)(v - PG_BASELINE); n < (size_t)pg_nmigrations;
		    n++)
			if ((err = exec(st, pg_migrations[n])) != DM_OK)
				goto fail;
		snprintf(version, sizeof(version), "UPDATE schema_version "
		    "SET version = %d", NMIGRATIONS);
	} else {
		for (i = v; i < NMIGRATIONS; i++)
			if ((err = exec(st, migrations[i])) != DM_OK)
				goto fail;
		snprintf(version, sizeof(version), "PRAGMA user_version = %d",
		    NMIGRATIONS);
	}
	if ((err = exec(st, version)) != DM_OK)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return err;
}

/*
 * What a command may do with the schema it finds.  Only `upgrade` (and
 * `init`, on a new file) migrates: a silent migration leaves the admin
 * without a backup and the previous binary refusing the file.
 */
static dm_err
check_schema(struct dm_store *st, int mode)
{
	dm_err err;
	int v, from;

	if ((err = user_version(st, &v)) != DM_OK)
		return err;
	if (v > NMIGRATIONS)
		return newer(v);
	if (mode == STORE_CREATE && v == 0)
		return store_migrate(st, &from);
	if (v < NMIGRATIONS && (mode == STORE_CURRENT || mode == STORE_CREATE))
		return dm_fail(DM_ESCHEMA, "schema %d is older than this "
		    "deskmail's (%d); run 'deskmail upgrade' (it backs the "
		    "database up first)", v, NMIGRATIONS);
	return DM_OK;
}

/* the WAL is checkpointed once it holds this many frames */
#define WAL_FRAMES	4000
#define DM_STR2(x)	#x
#define DM_STR(x)	DM_STR2(x)

/*
 * Connections this process has open.  Only the last one to close empties
 * the WAL (store_close says why): inside `deskmail run` the ingest
 * socket's connection stays open, so the connections that come and go
 * (a send pass's marker) leave the WAL file at its size, and a commit
 * then overwrites blocks the file already has instead of appending,
 * which on ext4 costs an allocation and an inode write at every fsync.
 */
static atomic_int open_stores;

static atomic_int cache_kib = STORE_CACHE_KB;

void
store_cache_default(int kib)
{
	atomic_store(&cache_kib, kib);
}

void
store_cache(struct dm_store *st, int kib)
{
	char pragma[64];

	if (st->pg != NULL)
		return;
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d", kib);
	(void)exec(st, pragma);	/* a cache of the old size still works */
}

/*
 * Before SQLite's first use: no count of the memory it holds.  The count
 * takes one mutex for the whole process around every allocation, and
 * the link pages' threads, each on its own connection, queued on it
 * (a fifth of a status page's time under wrk -c 16).  deskmail never
 * reads the count.
 */
static void
sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * A PostgreSQL store: no file and no file locks (its hosts share the
 * database); `upgrade` migrates under the writer lock, in one
 * transaction, as everything else that writes.
 */
static dm_err
open_pg(const struct dm_config *cfg, int mode, struct dm_store **out)
{
	struct dm_store *st = xcalloc(1, sizeof(*st));
	dm_err err;

	st->use_lock = -1;
	if ((err = pg_open(cfg->database, cfg->database_password_file,
	    (long)cfg->busy_timeout_ms,
	    strcmp(cfg->synchronous, "normal") == 0, &st->pg)) != DM_OK) {
		store_close(st);
		return err;
	}
	if ((err = check_schema(st, mode)) != DM_OK) {
		err = dm_fail(err == DM_ETEMP || err == DM_ESCHEMA ? err :
		    DM_ECONFIG, "PostgreSQL store: %s", dm_errdetail());
		store_close(st);
		return err;
	}
	*out = st;
	return DM_OK;
}

dm_err
store_open(const struct dm_config *cfg, int mode, struct dm_store **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	int create = mode == STORE_CREATE;
	struct dm_store *st;
	const char *path = cfg->database;
	char pragma[256];
	dm_err err;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	*out = NULL;
	if (config_database_is_pg(path))
		return open_pg(cfg, mode, out);
	pthread_once(&once, sqlite_setup);
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	else if (access(path, F_OK) != 0)
		return dm_fail(DM_ECONFIG, "database %s does not exist; run "
		    "'deskmail init' first", path);
	if (create) {
		char *dir = xstrdup(path), *slash = strrchr(dir, '/');
		struct stat sb;

		if (slash != NULL && slash != dir) {
			*slash = '\0';
			if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
				err = dm_fail(DM_ECONFIG, "cannot create database "
				    "%s: directory %s does not exist", path, dir);
				free(dir);
				return err;
			}
		}
		free(dir);
	}
	st = xcalloc(1, sizeof(*st));
	st->use_lock = -1;
	/* a database in memory is this connection's alone */
	if (strcmp(path, ":memory:") != 0 &&
	    (err = lock_use(cfg, mode == STORE_UPGRADE,
	    (long)cfg->busy_timeout_ms, &st->use_lock)) != DM_OK) {
		store_close(st);
		return err;
	}
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		err = dm_fail(DM_ECONFIG, "cannot open database %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return err;
	}
	sqlite3_busy_timeout(st->db, (int)cfg->busy_timeout_ms);
	{
		int on = 1;

		sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL,
		    &on);
		sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
		    NULL);
	}
	sqlite3_extended_result_codes(st->db, 0);
	/*
	 * temp_store: a message's savepoint journal stays in memory.  The
	 * WAL file is kept (not recreated by each process of an MTA's pipe)
	 * and emptied by store_close(), not by SQLite's close.
	 */
	snprintf(pragma, sizeof(pragma), "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = %s; PRAGMA foreign_keys = ON;"
	    "PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = "
	    DM_STR(WAL_FRAMES) ";"
	    "PRAGMA cache_size = -%d;",
	    strcmp(cfg->synchronous, "normal") == 0 ? "NORMAL" : "FULL",
	    atomic_load(&cache_kib));
	if ((err = exec(st, pragma)) != DM_OK ||
	    (err = check_schema(st, mode)) != DM_OK) {
		err = dm_fail(err == DM_ETEMP || err == DM_ESCHEMA ? err :
		    DM_ECONFIG,
		    "database %s: %s", path, dm_errdetail());
		store_close(st);
		return err;
	}
	if (create)
		chmod(path, 0600);
	st->counted = 1;
	atomic_fetch_add(&open_stores, 1);
	*out = st;
	return DM_OK;
}

void
store_close(struct dm_store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < STMT_CACHE; i++) {
		if (st->cache[i].stmt.lite != NULL)
			sqlite3_finalize(st->cache[i].stmt.lite);
		pgstmt_free(st->cache[i].stmt.pg);
	}
	deferred_drop(st, 0);
	free(st->deferred);
	free(st->marks);
	if (st->pg != NULL) {
		pg_close(st->pg);
		free(st);
		return;
	}
	/*
	 * Leave the WAL empty when nobody else is using it: the next process
	 * to open the file alone must otherwise rebuild its index from every
	 * frame of the WAL, which made a process per message three times
	 * slower on a WAL of a few thousand frames.  Best effort, never
	 * waiting: with a `deskmail run` reading, the index stays valid and
	 * the WAL is checkpointed as it grows.  Not while another connection
	 * of this process is open (open_stores says why).
	 */
	if (st->counted && atomic_fetch_sub(&open_stores, 1) == 1 &&
	    !st->keep_wal && st->db != NULL &&
	    !sqlite3_db_readonly(st->db, "main")) {
		sqlite3_busy_timeout(st->db, 0);
		(void)sqlite3_wal_checkpoint_v2(st->db, "main",
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	sqlite3_close(st->db);
	lock_release(st->use_lock);
	free(st);
}

/* The WAL's file (SQLite's own handle) and its size; -1 if not open. */
static int
wal_size(struct dm_store *st, sqlite3_file **wal, sqlite3_int64 *size)
{
	*wal = NULL;
	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
	    wal) != SQLITE_OK || *wal == NULL || (*wal)->pMethods == NULL ||
	    (*wal)->pMethods->xFileSize(*wal, size) != SQLITE_OK)
		return -1;
	return 0;
}

static const struct dm_sql sql_page_size = SQL("PRAGMA page_size");

/*
 * Zeros past the end of the WAL, up to what it holds between checkpoints:
 * SQLite reads a WAL only up to its first invalid frame and writes each
 * frame where the frame count puts it, so zeros there are free space to
 * it, and a commit overwrites blocks the file already has instead of
 * appending (which on ext4 adds a block allocation and an inode write to
 * every fsync).  Inside a write transaction, so no writer appends frames
 * and no checkpoint truncates the file meanwhile; readers never look past
 * their last frame.
 */
dm_err
store_wal_reserve(struct dm_store *st)
{
	static const char zeros[65536];
	sqlite3_file *wal = NULL;
	sqlite3_int64 size, want;
	dm_err err;
	size_t n;
	int rc = SQLITE_OK, page = 4096;
	struct dm_stmt *stmt;

	if (st->pg != NULL)
		return DM_OK;	/* no WAL file of ours */
	/* the page size is the database's for good: asked for once */
	if (st->wal_room == 0) {
		if ((stmt = store_stmt(st, &sql_page_size)) != NULL &&
		    stmt_step(stmt) == STMT_ROW)
			page = stmt_int(stmt, 0);
		if (stmt != NULL)
			stmt_reset(stmt);
		st->wal_room = 32 + (sqlite3_int64)(WAL_FRAMES + 64) *
		    (24 + page);
	}
	want = st->wal_room;
	/* the usual case, without a lock: the WAL has its room */
	if (wal_size(st, &wal, &size) != 0 || size >= want)
		return DM_OK;
	if ((err = store_begin(st)) != DM_OK)
		return err;
	if (wal_size(st, &wal, &size) != 0 || size >= want) {
		store_rollback(st);
		return DM_OK;
	}
	while (size < want && rc == SQLITE_OK) {
		n = want - size < (sqlite3_int64)sizeof(zeros) ?
		    (size_t)(want - size) : sizeof(zeros);
		rc = wal->pMethods->xWrite(wal, zeros, (int)n, size);
		size += (sqlite3_int64)n;
	}
	if (rc == SQLITE_OK)
		rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
	store_rollback(st);
	if (rc != SQLITE_OK)
		return dm_fail(rc == SQLITE_FULL ? DM_ETEMP : DM_EIO,
		    "cannot make room in the WAL: %s", sqlite3_errstr(rc));
	return DM_OK;
}

void
store_keep_wal(struct dm_store *st)
{
	if (st != NULL)
		st->keep_wal = 1;
}

dm_err
store_begin(struct dm_store *st)
{
	deferred_drop(st, 0);	/* left by a transaction that ended elsewhere */
	st->nmarks = 0;
	if (st->pg != NULL)
		return pg_begin(st->pg);
	return exec(st, "BEGIN IMMEDIATE");
}

dm_err
store_begin_read(struct dm_store *st)
{
	static const struct dm_sql sql = SQL("BEGIN DEFERRED");
	struct dm_stmt *s;

	if (st->pg != NULL)
		return pg_begin_read(st->pg);
	s = store_stmt(st, &sql);

	/* prepared once: each link page reads in one of these */
	return s != NULL ? store_exec_stmt(st, s) : exec(st, sql.lite);
}

/* Forget the deferred writes from the n-th on. */
static void
deferred_drop(struct dm_store *st, size_t n)
{
	while (st->ndeferred > n) {
		st->ndeferred--;
		free(st->deferred[st->ndeferred].a);
		free(st->deferred[st->ndeferred].b);
	}
}

/* Run one write of store_defer()'s shape now. */
static dm_err
deferred_exec(struct dm_store *st, const struct dm_sql *sql, int64_t id,
    const char *a,
    const char *b)
{
	struct dm_stmt *s = store_stmt(st, sql);

	if (s == NULL)
		return store_error(st, "deferred write");
	stmt_bind_int64(s, 1, id);
	stmt_bind_text(s, 2, a);
	stmt_bind_text(s, 3, b);
	return store_exec_stmt(st, s);
}

dm_err
store_defer(struct dm_store *st, const struct dm_sql *sql, int64_t id,
    const char *a,
    const char *b)
{
	struct deferred *d;

	if (!store_in_transaction(st))	/* no transaction to wait for */
		return deferred_exec(st, sql, id, a, b);
	st->deferred = xreallocarray(st->deferred, st->ndeferred + 1,
	    sizeof(*st->deferred));
	d = &st->deferred[st->ndeferred++];
	d->sql = sql;
	d->id = id;
	d->a = a ? xstrdup(a) : NULL;
	d->b = b ? xstrdup(b) : NULL;
	return DM_OK;
}

dm_err
store_run_deferred(struct dm_store *st)
{
	size_t i;
	dm_err err = DM_OK;

	for (i = 0; i < st->ndeferred && err == DM_OK; i++)
		err = deferred_exec(st, st->deferred[i].sql, st->deferred[i].id,
		    st->deferred[i].a, st->deferred[i].b);
	/* done (or the transaction fails with them): either way not again */
	deferred_drop(st, 0);
	return err;
}

dm_err
store_commit(struct dm_store *st)
{
	dm_err err;

	if ((err = store_run_deferred(st)) != DM_OK)
		return err;
	st->nmarks = 0;
	if (st->pg != NULL)
		return pg_commit(st->pg);
	return exec(st, "COMMIT");
}

void
store_rollback(struct dm_store *st)
{
	static const struct dm_sql sql = SQL("ROLLBACK");
	struct dm_stmt *s;

	deferred_drop(st, 0);
	st->nmarks = 0;
	if (st->pg != NULL) {
		pg_rollback(st->pg);
		return;
	}
	if (sqlite3_get_autocommit(st->db))
		return;
	if ((s = store_stmt(st, &sql)) != NULL) {
		stmt_step(s);
		stmt_reset(s);
	} else
		sqlite3_exec(st->db, sql.lite, NULL, NULL, NULL);
}

void
store_read_much(struct dm_store *st)
{
	if (st->pg != NULL)
		return;
	sqlite3_exec(st->db, "PRAGMA mmap_size = 1073741824", NULL, NULL,
	    NULL);
}

int
store_in_transaction(struct dm_store *st)
{
	if (st->pg != NULL)
		return pg_in_transaction(st->pg);
	return !sqlite3_get_autocommit(st->db);
}

dm_err
store_savepoint(struct dm_store *st)
{
	dm_err err;

	if ((err = exec(st, "SAVEPOINT unit")) != DM_OK)
		return err;
	st->marks = xreallocarray(st->marks, st->nmarks + 1,
	    sizeof(*st->marks));
	st->marks[st->nmarks++] = st->ndeferred;
	return DM_OK;
}

dm_err
store_release(struct dm_store *st)
{
	dm_err err;

	if ((err = exec(st, "RELEASE unit")) == DM_OK && st->nmarks > 0)
		st->nmarks--;
	return err;
}

void
store_rollback_savepoint(struct dm_store *st)
{
	/* what was deferred inside it goes with it (what ran already is
	 * rolled back by SQLite) */
	if (st->nmarks > 0)
		deferred_drop(st, st->marks[--st->nmarks]);
	/* ROLLBACK TO keeps the savepoint open; RELEASE then drops it */
	if (exec(st, "ROLLBACK TO unit") == DM_OK)
		(void)exec(st, "RELEASE unit");
}

struct dm_stmt *
store_stmt(struct dm_store *st, const struct dm_sql *sql)
{
	size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE, i, slot;

	for (i = 0; i < STMT_CACHE; i++) {
		slot = (h + i) % STMT_CACHE;
		if (st->cache[slot].sql == sql) {
			if (st->pg != NULL) {
				pgstmt_clear(st->cache[slot].stmt.pg);
				return &st->cache[slot].stmt;
			}
			sqlite3_reset(st->cache[slot].stmt.lite);
			sqlite3_clear_bindings(st->cache[slot].stmt.lite);
			return &st->cache[slot].stmt;
		}
		if (st->cache[slot].sql == NULL)
			break;
	}
	if (i == STMT_CACHE) {
		dm_fail(DM_ESOFTWARE, "statement cache full");
		return NULL;
	}
	if (st->pg != NULL) {
		st->cache[slot].stmt.pg = pg_prepare(st->pg, sql);
		st->cache[slot].sql = sql;
		return &st->cache[slot].stmt;
	}
	if (sqlite3_prepare_v3(st->db, sql->lite, -1, SQLITE_PREPARE_PERSISTENT,
	    &st->cache[slot].stmt.lite, NULL) != SQLITE_OK) {
		st->cache[slot].stmt.lite = NULL;
		return NULL;
	}
	st->cache[slot].sql = sql;
	return &st->cache[slot].stmt;
}

struct dm_stmt *
store_prepare(struct dm_store *st, const char *text)
{
	struct dm_stmt *s = xcalloc(1, sizeof(*s));
	struct dm_sql sql = { text, NULL };

	if (st->pg != NULL)
		s->pg = pg_prepare(st->pg, &sql);
	else if (sqlite3_prepare_v2(st->db, text, -1, &s->lite, NULL) !=
	    SQLITE_OK || s->lite == NULL) {
		sqlite3_finalize(s->lite);
		free(s);
		return NULL;
	}
	return s;
}

void
stmt_free(struct dm_stmt *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->lite);
	pgstmt_drop(s->pg);
	free(s);
}

dm_err
store_exec_stmt(struct dm_store *st, struct dm_stmt *stmt)
{
	int rc = stmt_step(stmt);
	dm_err err = DM_OK;

	if (rc != STMT_DONE && rc != STMT_ROW)
		err = store_error(st, "database");
	stmt_reset(stmt);
	return err;
}

dm_err
store_exec(struct dm_store *st, const struct dm_sql *sql)
{
	if (st->pg != NULL && sql->pg != NULL)
		return sql->pg[0] != '\0' ? exec(st, sql->pg) : DM_OK;
	return exec(st, sql->lite);
}

int64_t
store_changes(struct dm_store *st)
{
	if (st->pg != NULL)
		return pg_changes(st->pg);
	return sqlite3_changes(st->db);
}

/* The first column of sql's first row, ?1 bound by the caller's bind. */
static dm_err
query_one(struct dm_store *st, const struct dm_sql *sql, const char *key,
    int64_t arg, int64_t *out)
{
	struct dm_stmt *s = store_stmt(st, sql);
	dm_err err = DM_OK;
	int rc;

	*out = 0;
	if (s == NULL)
		return store_error(st, "database");
	if (key != NULL)
		stmt_bind_text(s, 1, key);
	else
		stmt_bind_int64(s, 1, arg);
	rc = stmt_step(s);
	if (rc == STMT_ROW)
		*out = stmt_int64(s, 0);
	else if (rc != STMT_DONE)
		err = store_error(st, "database");
	stmt_reset(s);
	return err;
}

dm_err
store_query_id(struct dm_store *st, const struct dm_sql *sql, const char *key,
    int64_t *out)
{
	return query_one(st, sql, key, 0, out);
}

dm_err
store_query_int(struct dm_store *st, const struct dm_sql *sql, int64_t arg,
    int64_t *out)
{
	return query_one(st, sql, NULL, arg, out);
}

dm_err
store_exec_ints(struct dm_store *st, const struct dm_sql *sql,
    const char *what,
    int64_t a, int64_t b)
{
	struct dm_stmt *s = store_stmt(st, sql);

	if (s == NULL)
		return store_error(st, what);
	stmt_bind_int64(s, 1, a);
	if (stmt_param_count(s) >= 2)
		stmt_bind_int64(s, 2, b);
	return store_exec_stmt(st, s);
}

dm_err
store_lease(struct dm_store *st, const char *key, int *held)
{
	*held = 1;
	return st->pg != NULL ? pg_lease(st->pg, key, held) : DM_OK;
}

dm_err
store_lease_holder(struct dm_store *st, const char *key, char **holder)
{
	if (st->pg != NULL)
		return pg_lease_holder(st->pg, key, holder);
	*holder = xstrdup("");
	return DM_OK;
}

int64_t
store_last_id(struct dm_store *st)
{
	if (st->pg != NULL)
		return pg_last_id(st->pg);
	return sqlite3_last_insert_rowid(st->db);
}

void
stmt_bind_text(struct dm_stmt *s, int i, const char *v)
{
	if (s->pg != NULL)
		pgstmt_bind_text(s->pg, i, v);
	else if (v == NULL)
		sqlite3_bind_null(s->lite, i);
	else
		sqlite3_bind_text(s->lite, i, v, -1, SQLITE_TRANSIENT);
}

char *
stmt_dup(struct dm_stmt *s, int col)
{
	const char *t = stmt_text(s, col);

	return t ? xstrdup(t) : NULL;
}
