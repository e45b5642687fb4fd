# pg.sh - sourced by tests and benches (after mailservers.sh and ms_setup):
# a private PostgreSQL cluster in $MS/pg (initdb + pg_ctl) on a free port
# of 127.0.0.1, with a database and a user for deskmail.  Never touches
# the system's cluster (/var/lib/postgresql, /etc/postgresql) or its
# service.  Requires Debian's postgresql (15; the newest installed
# /usr/lib/postgresql/N is used).
#
#   pg_need             TAP skip unless PostgreSQL's server is installed
#   pg_start            start it; sets PG_DIR PG_PORT PG_SOCK (the socket
#                       directory), PG_USER, PG_PASSFILE (a libpq password
#                       file, mode 0600) and PG_URI (postgresql://... for
#                       the database "deskmail", no password in it)
#   pg_psql ARGS...     psql as PG_USER on that database (-X, no .psqlrc)
#   pg_restart          stop it (fast: sessions are ended) and start it
#                       again on the same port, with the same password
#   pg_stop             stop it (also done at exit)
#
# Gotchas:
#   - initdb and postgres refuse to run as root.  The cluster belongs to
#     the system's "postgres" user (made by the package); when we are not
#     root, to us.  $MS is world-traversable (ms_setup), the cluster's own
#     directory is the owner's alone (initdb insists on 0700).
#   - listen_addresses = 127.0.0.1 and a socket directory in $MS/pg: the
#     default socket directory /var/run/postgresql is the system's.
#   - authentication: scram-sha-256 over TCP with a password (as a real
#     deployment has), trust on the private socket for the setup here.
#   - fsync stays on: the tests that kill processes rely on what a commit
#     means.

pg_bin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

pg_need() {
	[ -n "$(pg_bin)" ] ||
		{ echo "1..0 # SKIP PostgreSQL's server is not installed (apt-get install postgresql)"; exit 0; }
	command -v psql >/dev/null ||
		{ echo "1..0 # SKIP psql is not installed"; exit 0; }
	if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		echo "1..0 # SKIP no postgres user to run the cluster as"; exit 0
	fi
}

# pg_as CMD...: CMD as the cluster's owner
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=postgres --regid=postgres --clear-groups -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	local bin
	bin=$(pg_bin)
	PG_DIR=$MS/pg
	PG_SOCK=$PG_DIR/sock
	PG_USER=deskmail
	PG_PASSWORD=test-$$-$RANDOM
	: "${PG_PORT:=$(ms_free_port)}"
	if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
		mkdir -p "$PG_DIR/data" "$PG_SOCK"
		[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PG_DIR"
		pg_as "$bin/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 \
			--locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
			> "$PG_DIR/initdb.log" 2>&1 ||
			{ echo "Bail out! initdb failed:"; sed 's/^/# /' "$PG_DIR/initdb.log"; exit 1; }
		cat >> "$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 100
shared_buffers = 32MB
fsync = on
logging_collector = off
CONF
	fi
	pg_server_start
	trap 'pg_stop; ms_cleanup' EXIT INT TERM
	if ! pg_as psql -X -q -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres \
		-v ON_ERROR_STOP=1 > "$PG_DIR/setup.log" 2>&1 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_USER PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE deskmail OWNER $PG_USER'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'deskmail')\gexec
SQL
	then
		echo "Bail out! could not make the deskmail role and database:"
		sed 's/^/# /' "$PG_DIR/setup.log"
		exit 1
	fi
	# libpq's password file: host:port:database:user:password
	PG_PASSFILE=$MS/pgpass
	printf '127.0.0.1:%s:deskmail:%s:%s\n' "$PG_PORT" "$PG_USER" "$PG_PASSWORD" > "$PG_PASSFILE"
	chmod 600 "$PG_PASSFILE"
	PG_URI="postgresql://$PG_USER@127.0.0.1:$PG_PORT/deskmail"
}

pg_psql() {
	PGPASSFILE=$PG_PASSFILE psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d deskmail "$@"
}

pg_stop() {
	local bin
	[ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
	bin=$(pg_bin)
	pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop \
		>> "$PG_DIR/pg_ctl.log" 2>&1 || true
}

# the server alone: a restart keeps the role, its password (the password
# files a test wrote stay right) and the caller's traps
pg_server_start() {
	pg_as "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		start >> "$PG_DIR/pg_ctl.log" 2>&1 ||
		{ echo "Bail out! PostgreSQL did not start:"; sed 's/^/# /' "$PG_DIR/server.log"; exit 1; }
}

pg_restart() {
	pg_stop
	pg_server_start
}
