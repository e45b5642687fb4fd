# store.sh - sourced by tests (after mailservers.sh and ms_setup): the
# store a test's deskmail runs on.  The suite runs twice (tests/run-all.sh):
# on SQLite, the default, and with DESKMAIL_TEST_DATABASE=pg on PostgreSQL,
# each test in a database of its own.
#
#   dm_init DIR        `deskmail init DIR` on the store under test: for
#                      PostgreSQL a new database, named in DIR's config
#                      with its password in DIR/pg.password
#   dm_is_pg           true on the PostgreSQL leg
#   dm_sql DIR SQL     run SQL on DIR's store; rows one per line, columns
#                      joined by | (NULL as nothing), as sqlite3 prints them
#   dm_db_uri DIR      the database line of DIR's config
#
# The PostgreSQL leg uses the suite's cluster when tests/lib/pg-suite.sh
# started one (DESKMAIL_TEST_PG_PORT and friends are set), else starts a
# private one for the test (tests/lib/pg.sh), so each test still runs on
# its own.

store_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$store_here/pg.sh"

dm_is_pg() { [ "${DESKMAIL_TEST_DATABASE:-}" = pg ]; }

dm_db_uri() { sed -n 's/^database = //p' "$1/deskmail.conf" | head -1; }

# the cluster: the suite's, or a private one; sets PG_PORT PG_SOCK
# PG_PASSWORD PG_USER
store_pg_cluster() {
	if [ -n "${DESKMAIL_TEST_PG_PORT:-}" ]; then
		PG_PORT=$DESKMAIL_TEST_PG_PORT
		PG_SOCK=$DESKMAIL_TEST_PG_SOCK
		PG_PASSWORD=$DESKMAIL_TEST_PG_PASSWORD
		PG_USER=deskmail
	elif [ -z "${PG_DIR:-}" ]; then
		pg_need
		pg_start
	fi
}

dm_init() {
	local dir=$1 bin=${dm:-${DESKMAIL:-deskmail}} name
	"$bin" init "$dir" >/dev/null || return 1
	dm_is_pg || return 0
	store_pg_cluster
	name=t_$$_${RANDOM}_$(basename "$dir" | tr -c 'a-zA-Z0-9\n' _)
	pg_as psql -X -q -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres \
		-v ON_ERROR_STOP=1 -c "CREATE DATABASE $name OWNER $PG_USER" \
		>/dev/null || return 1
	printf '%s\n' "$PG_PASSWORD" > "$dir/pg.password"
	chmod 600 "$dir/pg.password"
	sed -i -e "s|^database = .*|database = postgresql://$PG_USER@127.0.0.1:$PG_PORT/$name|" \
		-e "s|^database_password_file = .*|database_password_file = $dir/pg.password|" \
		"$dir/deskmail.conf"
	rm -f "$dir/deskmail.db" "$dir/deskmail.db-wal" "$dir/deskmail.db-shm"
	"$bin" init "$dir" >/dev/null
}

dm_sql() {
	local dir=$1 uri
	if ! dm_is_pg; then
		sqlite3 "$dir/deskmail.db" "$2"
		return
	fi
	uri=$(dm_db_uri "$dir")
	PGPASSWORD=$(cat "$dir/pg.password") psql -X -q -At -F '|' \
		-v ON_ERROR_STOP=1 -d "$uri" -c "$2"
}

# dm_local DIR: the base name of DIR's host-local files (run's sockets,
# the lock files): beside the SQLite file, or for PostgreSQL beside the key
# file (deskmail.sock, deskmail.lmtp, deskmail.send.lock, ...)
dm_local() {
	if dm_is_pg; then
		echo "$1/deskmail"
	else
		echo "$1/deskmail.db"
	fi
}

# dm_sql_file DIR FILE: run the SQL script FILE on DIR's store, stopping at
# the first error
dm_sql_file() {
	local dir=$1 uri
	if ! dm_is_pg; then
		sqlite3 -bail "$dir/deskmail.db" < "$2"
		return
	fi
	uri=$(dm_db_uri "$dir")
	PGPASSWORD=$(cat "$dir/pg.password") psql -X -q -At -F '|' \
		-v ON_ERROR_STOP=1 -d "$uri" -f "$2"
}

# t_skip DESCRIPTION WHY: a TAP test not run on this store, said so
t_skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

# dm_sql_client DIR: an SQL client on DIR's store that runs the statements
# it reads on stdin as they come (sqlite3 or psql; rows as dm_sql prints
# them), for a test that holds a transaction open meanwhile
dm_sql_client() {
	local dir=$1 uri
	if ! dm_is_pg; then
		sqlite3 "$dir/deskmail.db"
		return
	fi
	uri=$(dm_db_uri "$dir")
	PGPASSWORD=$(cat "$dir/pg.password") psql -X -q -At -F '|' \
		-v ON_ERROR_STOP=1 -d "$uri"
}

# dm_begin_write: the statement that begins a transaction holding the
# store's writer lock as deskmail's writers take it (SQLite's BEGIN
# IMMEDIATE; on PostgreSQL the advisory lock of src/store_pg.c), for
# dm_sql_client
dm_begin_write() {
	if dm_is_pg; then
		echo "BEGIN; SELECT pg_advisory_xact_lock(2037539180);"
	else
		echo "BEGIN IMMEDIATE;"
	fi
}

# dm_sync_ids DIR: after rows were inserted with ids of their own, the
# PostgreSQL store's identity columns go on after the highest (SQLite's
# INTEGER PRIMARY KEY does that by itself)
dm_sync_ids() {
	dm_is_pg || return 0
	dm_sql "$1" "DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT table_name, column_name FROM information_schema.columns
      WHERE is_identity = 'YES' AND table_schema = current_schema() LOOP
    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), coalesce(max(%I), 0) + 1, false) FROM %I',
      r.table_name, r.column_name, r.column_name, r.table_name);
  END LOOP;
END \$\$"
}

# dm_text_of COLUMN: SQL reading the blob COLUMN as text, as the sqlite3
# shell prints a blob's bytes (psql would print a bytea in hex)
dm_text_of() {
	if dm_is_pg; then
		echo "convert_from($1, 'UTF8')"
	else
		echo "$1"
	fi
}
