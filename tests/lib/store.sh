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
