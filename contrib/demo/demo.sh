#!/bin/sh
# The main job on the embedded default: a fresh configuration and SQLite
# database in a temporary directory, a small mail flow ingested through
# the real pipeline, and the resulting tickets, queued notices and
# quarantine printed.  Usage: contrib/demo/demo.sh [DESKMAIL-BINARY]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dm=${1:-${DESKMAIL:-$here/../../src/deskmail}}
[ -x "$dm" ] || { echo "demo: build deskmail first ($dm not found)" >&2; exit 69; }
work=$(mktemp -d /tmp/deskmail-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
conf=$work/deskmail.conf
run() { echo "\$ deskmail $*"; "$dm" -c "$conf" "$@"; echo; }

echo "== deskmail init $work"
"$dm" init "$work"
echo

# Each mail arrives at its own time, as they would through the day.
export DESKMAIL_NOW
i=0
for mail in "$here"/mail/*.eml; do
	i=$((i + 1))
	DESKMAIL_NOW=$(printf '2026-03-02T09:%02d:00Z' $((i * 3)))
	printf '%-40s -> ' "$(basename "$mail")"
	"$dm" -c "$conf" ingest < "$mail"
done
unset DESKMAIL_NOW
echo

run ticket list
run ticket show 1
run quarantine list
run outbox list
echo "demo: database was $work/deskmail.db (removed on exit)"
