#!/bin/bash
# pg-suite.sh start DIR | stop DIR - one PostgreSQL cluster for the whole
# suite's PostgreSQL leg (tests/run-all.sh), in DIR: `start` prints the
# variables tests/lib/store.sh reads (eval them); each test then makes a
# database of its own in it rather than a cluster (initdb costs seconds).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/mailservers.sh"
. "$here/pg.sh"
cmd=$1
MS=$(mkdir -p "$2" && cd "$2" && pwd)
chmod 755 "$MS"
case $cmd in
start)
	pg_need >/dev/null
	pg_start >&2
	trap - EXIT INT TERM	# it outlives this script
	echo "export DESKMAIL_TEST_PG_PORT=$PG_PORT DESKMAIL_TEST_PG_SOCK=$PG_SOCK DESKMAIL_TEST_PG_PASSWORD=$PG_PASSWORD"
	;;
stop)
	PG_DIR=$MS/pg
	pg_stop
	;;
*)
	echo "usage: pg-suite.sh start|stop DIR" >&2
	exit 64
	;;
esac
