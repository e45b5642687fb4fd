#!/bin/sh
# Make tests/upgrade/fixtures/schema-N.sql: a database as the deskmail that
# introduced schema N wrote it, built from that commit, given a few mails
# and a few staff actions, dumped as SQL text.  Run by hand when a migration
# is added (the fixture of the previous schema is then made once, from the
# last commit that wrote it); the tests only read the dumps.
#   tests/upgrade/make-fixtures.sh [N...]     (from the repo root)
set -eu
root=$(pwd)
out=$root/tests/upgrade/fixtures
# schema N -> a commit of main's own line (the merge, not the branch commit:
# a branch numbered its migrations before main had the ones between)
# whose migration N was the newest
commits="1:5c94733 2:44b8d1d 3:29aa392 4:fe03b66 5:57dec83 6:2d0fd99
7:4f09ee4 8:7580644 10:0bc1050 11:19cc6ff 12:a600a0b 13:bd9b19d
14:ece387c"
want=${*:-$(echo "$commits" | tr ' ' '\n' | cut -d: -f1)}
work=$(mktemp -d /var/tmp/dm-fixtures-XXXX)
trap 'cd "$root"; for d in "$work"/src-*; do [ -d "$d" ] && git worktree remove --force "$d"; done; rm -rf "$work"' EXIT

mail() {	# N SUBJECT [IN-REPLY-TO]
	printf 'From: Dana Customer <dana@example.org>\nTo: help@example.org\n'
	printf 'Cc: Lee Colleague <lee@example.org>\n'
	printf 'Subject: %s\nMessage-ID: <m%s@example.org>\n' "$2" "$1"
	[ -n "${3:-}" ] && printf 'In-Reply-To: <%s>\n' "$3"
	printf 'Date: Mon, 02 Mar 2026 1%s:00:00 -0500\n' "$1"
	printf 'Content-Type: text/plain; charset=utf-8\n\n'
	printf 'Message %s: the printer on floor %s says "paper jam" – ñ.\n' "$1" "$1"
}

for n in $want; do
	c=$(echo "$commits" | tr ' ' '\n' | grep "^$n:" | cut -d: -f2)
	[ -n "$c" ] || { echo "no commit for schema $n" >&2; exit 1; }
	src=$work/src-$n
	git worktree add -q --detach "$src" "$c"
	(cd "$src" && autoreconf -fi >/dev/null 2>&1 && ./configure -q >/dev/null &&
	    make -j2 >/dev/null 2>&1) || { echo "schema $n: build of $c failed" >&2; exit 1; }
	d=$work/db-$n
	"$src/src/deskmail" init "$d" >/dev/null
	conf=$d/deskmail.conf
	i=1
	for s in "Printer jam" "VPN down" "Password reset"; do
		mail $i "$s" >"$work/m$i"
		"$src/src/deskmail" -c "$conf" ingest "$work/m$i" >/dev/null
		i=$((i + 1))
	done
	mail 4 "Re: Printer jam" m1@example.org >"$work/m4"
	"$src/src/deskmail" -c "$conf" ingest "$work/m4" >/dev/null
	# staff actions the version knows; an older one lacks some
	echo "We are on it." | "$src/src/deskmail" -c "$conf" ticket reply 1 >/dev/null 2>&1 || true
	"$src/src/deskmail" -c "$conf" ticket resolve 2 >/dev/null 2>&1 || true
	db=$(sed -n 's/^database *= *//p' "$conf")
	case $db in /*) ;; *) db=$d/$db ;; esac
	v=$(sqlite3 "$db" 'PRAGMA user_version')
	[ "$v" = "$n" ] || { echo "schema $n: $c wrote schema $v" >&2; exit 1; }
	{ echo "-- deskmail schema $n, written by commit $c (tests/upgrade/make-fixtures.sh)"
	  echo "PRAGMA user_version = $n;"
	  sqlite3 "$db" .dump; } >"$out/schema-$n.sql"
	echo "schema $n: $(sqlite3 "$db" 'SELECT count(*) FROM tickets') tickets, $(wc -c <"$out/schema-$n.sql") bytes"
	git worktree remove --force "$src"
done
