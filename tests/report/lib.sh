# lib.sh - sourced by the tests in tests/report/: a deskmail directory in a
# temporary directory, the TAP helpers of tests/lib/mailservers.sh, and
# ways to read a report.
#
#   rep_setup           $MS (temp dir, removed at exit), a deskmail dir $W
#                       with config $conf: [sla] timezone America/New_York,
#                       billing rates 10.00 25.00 40.00 75.50
#   rep_fixture         load tests/report/fixture.sql into its database
#   dmr ARGS...         deskmail -c $conf report ARGS...
#   rj EXPR ARGS...     EXPR (q.py) over `report ARGS --format json`
#   tx ARGS...          `report ARGS` (text), runs of blanks squeezed, trimmed
#   has TEXT LINE       TEXT has the line LINE (exactly)

rep_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$rep_here/../lib/mailservers.sh"
. "$rep_here/../lib/store.sh"
dm=${DESKMAIL:-$rep_here/../../build/src/deskmail}

rep_setup() {
	[ -x "$dm" ] || { echo "Bail out! no deskmail binary at $dm"; exit 1; }
	command -v sqlite3 >/dev/null ||
		{ echo "1..0 # SKIP the sqlite3 shell is not installed"; exit 0; }
	ms_setup
	W=$MS/dm
	dm_init "$W" >/dev/null || { echo "Bail out! deskmail init failed"; exit 1; }
	conf=$W/deskmail.conf
	sed -i 's|^timezone = UTC$|timezone = America/New_York|
s|^rate_security = .*|rate_security = 10.00|
s|^rate_desktop = .*|rate_desktop = 25|
s|^rate_application = .*|rate_application = 40.00|
s|^rate_hardware = .*|rate_hardware = 75.50|' "$conf"
	grep -q '^timezone = America/New_York$' "$conf" ||
		{ echo "Bail out! could not set up $conf"; exit 1; }
}

rep_fixture() {
	local sql=$rep_here/fixture.sql
	if dm_is_pg; then
		# fixture.sql is in SQLite's words: its times (strftime) and its
		# blobs (X'00') in PostgreSQL's
		sed -e "s/strftime('%s', '\([^']*\)') + 0/extract(epoch FROM timestamptz '\1+00')::bigint/g" \
			-e "s/X'00'/'\\\\x00'::bytea/g" "$sql" > "$MS/fixture.pg.sql"
		sql=$MS/fixture.pg.sql
	fi
	dm_sql_file "$W" "$sql" > /dev/null && dm_sync_ids "$W" ||
		{ echo "Bail out! fixture.sql did not load"; exit 1; }
}

dmr() { "$dm" -c "$conf" report "$@"; }
rj() {
	local e=$1
	shift
	dmr "$@" --format json > "$MS/r.json" || { echo "report $* failed"; return; }
	/usr/bin/python3 "$rep_here/q.py" "$MS/r.json" "$e"
}
tx() { dmr "$@" | sed 's/  */ /g; s/^ //; s/ $//'; }
has() { printf '%s\n' "$1" | grep -Fxq -- "$2"; }
