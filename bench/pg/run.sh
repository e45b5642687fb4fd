#!/bin/bash
# bench/pg/run.sh - deskmail on PostgreSQL beside deskmail on SQLite, in
# the same run, on the same mails and the same data: ingest (batch, and
# one process per mail with `deskmail run` serving its socket), send (the
# outbox drained into a local SMTP sink) and every report in every
# format.  Each line prints the SQLite figure, the PostgreSQL figure and
# PostgreSQL's over SQLite's.  See bench/README, section bench/pg.
#
#   bench/pg/run.sh [-n TICKETS] [-b MAILS] [-m MAILS] [-s MAILS]
#                   [-r ROUNDS] [-o "ingest send report"] [--cpu C]
#                   [--no-pin] [--load auto|store-copy|psql] [--no-jit-off]
#                   [--keep DIR]
#
#   -n  closed tickets of bench/report's data for the reports (100000;
#       1000000 is issue 20's size)
#   -b  mails ingested in batch (2000), -m one process each (300)
#   -s  outbox mails sent (2000), -r rounds (3), -o what to measure
#   --load  how the report data get into PostgreSQL: `deskmail store
#       copy` (auto: when the binary has it) or COPY through psql
#   --no-jit-off  no second PostgreSQL run of each report with jit = off
#
# This script starts what both sides need (reusing the tests' helpers): a
# private PostgreSQL cluster (tests/lib/pg.sh: its own initdb on a free
# port, the settings a test cluster needs and Debian's defaults for the
# rest, fsync on) and the SMTP sink of bench/smtp (bench/smtp_sink.c,
# STARTTLS + AUTH, storing into /dev/shm); bench/pg/measure.py measures.
# Needs root or a postgres-owned cluster as tests/lib/pg.sh says, sqlite3,
# psql, cc, pkg-config and GnuTLS's headers (as bench/smtp).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
n=100000 batch=2000 procs=300 send=2000 rounds=3 only="ingest send report"
cpu=0 keep= load=auto nojit=
usage() {
	echo "usage: $0 [-n TICKETS] [-b MAILS] [-m MAILS] [-s MAILS] [-r ROUNDS] [-o WHAT] [--cpu C | --no-pin] [--load auto|store-copy|psql] [--no-jit-off] [--keep DIR]" >&2
	exit 64
}
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-b) batch=$2; shift 2 ;;
	-m) procs=$2; shift 2 ;;
	-s) send=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	-o) only=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--no-pin) cpu=; shift ;;
	--keep) keep=$2; shift 2 ;;
	--load) load=$2; shift 2 ;;
	--no-jit-off) nojit=--no-jit-off; shift ;;
	*) usage ;;
	esac
done
dm=${DESKMAIL:-$top/build/src/deskmail}
[ -x "$dm" ] || dm=$top/src/deskmail
[ -x "$dm" ] || { echo "bench/pg: build deskmail first" >&2; exit 69; }
for tool in sqlite3 psql cc pkg-config; do
	command -v $tool >/dev/null || { echo "bench/pg: $tool not found" >&2; exit 69; }
done

# One CPU for everything, the cluster included (it inherits the mask from
# this shell): SQLite does its work in deskmail's process, PostgreSQL in
# a server process beside it, and on two free CPUs that server would get
# a core of its own that the SQLite side never has.
if [ -n "$cpu" ]; then
	taskset -pc "$cpu" $$ >/dev/null ||
		{ echo "bench/pg: cannot pin to CPU $cpu (taskset)" >&2; exit 69; }
fi

. "$top/tests/lib/mailservers.sh"
. "$top/tests/lib/pg.sh"
[ -n "$(pg_bin)" ] || { echo "bench/pg: PostgreSQL's server is not installed" >&2; exit 69; }
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
	echo "bench/pg: no postgres user to run the cluster as" >&2; exit 69
fi
ms_setup
if [ -n "$keep" ]; then
	rm -rf "$MS"
	mkdir -p "$keep"
	MS=$(cd "$keep" && pwd)
	chmod 755 "$MS"
	trap 'for p in $MS_PIDS; do kill "$p" 2>/dev/null || true; done' EXIT INT TERM
fi
# the cluster's own data in a fresh directory, also with --keep
rm -rf "$MS/pg"
pg_start		# sets its own trap: pg_stop, then ms_cleanup
# Debian's default shared_buffers (what initdb picks, 128 MB), not the
# 32 MB pg.sh gives a test cluster of which several run at once
pg_as psql -X -q -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres \
	-c "ALTER SYSTEM SET shared_buffers = '128MB'" >/dev/null
pg_restart
if [ -n "$keep" ]; then
	trap 'pg_stop; for p in $MS_PIDS; do kill "$p" 2>/dev/null || true; done' EXIT INT TERM
fi

sink_port=
sinkdir=
if [[ " $only " = *" send "* ]]; then
	ms_make_certs "$MS/tls"
	cc -O2 -std=c11 -D_GNU_SOURCE "$top/bench/smtp_sink.c" -o "$MS/smtp_sink" \
		$(pkg-config --cflags --libs gnutls) -lpthread ||
		{ echo "bench/pg: cannot build bench/smtp_sink.c (cc, libgnutls28-dev)" >&2; exit 69; }
	# as bench/smtp: the sink's disk is not ours, so memory when it can
	sinkdir=$MS/sent
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		sinkdir=$(mktemp -d /dev/shm/deskmail-bench-pg.XXXXXX)
	fi
	sink_port=$(ms_free_port)
	"$MS/smtp_sink" "$sink_port" "$sinkdir" --tls "$MS/tls/cert.pem" \
		"$MS/tls/key.pem" --auth bench:secret > "$MS/sink.log" 2>&1 &
	MS_PIDS="$MS_PIDS $!"
	for i in $(seq 100); do grep -q ready "$MS/sink.log" && break; sleep 0.1; done
	grep -q ready "$MS/sink.log" || { echo "bench/pg: the SMTP sink did not start" >&2; exit 69; }
fi

rc=0
PG_DIR=$PG_DIR PG_PORT=$PG_PORT PG_SOCK=$PG_SOCK PG_USER=$PG_USER PG_PASSWORD=$PG_PASSWORD \
PG_BIN=$(pg_bin) SINK_PORT=$sink_port SINK_DIR=$sinkdir SINK_CA=$MS/tls/ca.pem \
	/usr/bin/python3 "$here/measure.py" --deskmail "$dm" --work "$MS" \
	-n "$n" -b "$batch" -m "$procs" -s "$send" -r "$rounds" -o "$only" \
	--pinned "${cpu:-no}" --load "$load" $nojit || rc=$?
case $sinkdir in /dev/shm/*) rm -rf "$sinkdir" ;; esac
[ -n "$keep" ] && echo "work directory kept: $MS (the cluster is stopped)"
exit $rc
