#!/bin/bash
# bench/report/run.sh - `deskmail report` on a database of N closed tickets
# (default 100,000), each with 6-7 events, 2 messages, a survey mail, a
# survey answer with a comment and 2 SLA results.  Prints the wall time of
# every report in every format, next to baselines measured in the same run:
# a full scan of the events table in the sqlite3 shell, and the start of a
# deskmail process that does nothing.  Target (issue 8): every report under
# 1 s at 100,000 tickets.
#
# The data are synthetic: made directly with SQL (recursive CTEs), the same
# every run (no random()), spread over 14 months, with the mix of FCR and
# not FCR, ratings, categories, agencies and SLA breaches a desk might see.
# They are not mail deskmail has processed.
#
#   bench/report/run.sh [-n TICKETS] [-r ROUNDS] [--keep DIR] [--data-only]
#
# --data-only stops once the data are made (with --keep: DIR/dm holds the
# configuration and the database; bench/pg copies them to PostgreSQL).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
n=100000 rounds=3 keep= data_only=
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--data-only) data_only=1; shift ;;
	*) echo "usage: $0 [-n TICKETS] [-r ROUNDS] [--keep DIR] [--data-only]" >&2; exit 64 ;;
	esac
done
dm=${DESKMAIL:-$top/build/src/deskmail}
[ -x "$dm" ] || dm=$top/src/deskmail
if [ -n "$keep" ]; then
	work=$keep
	mkdir -p "$work"
else
	work=$(mktemp -d /tmp/bench-report.XXXXXX)
	trap 'rm -rf "$work"' EXIT
fi
W=$work/dm
rm -rf "$W"
"$dm" init "$W" >/dev/null
conf=$W/deskmail.conf
sed -i 's|^timezone = UTC$|timezone = America/New_York|
s|^rate_security = .*|rate_security = 10.00|
s|^rate_desktop = .*|rate_desktop = 25.00|
s|^rate_application = .*|rate_application = 40.00|
s|^rate_hardware = .*|rate_hardware = 75.50|' "$conf"

start=1735740000	# 2025-01-01T14:00:00Z; a ticket every 377 s: 14 months
t0=$(date +%s%N)
sqlite3 "$W/deskmail.db" <<SQL
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE k AS
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
SELECT i, $start + i * 377 AS created,
  -- minutes to hours to days to resolve, by a fixed pattern
  (i * 7919) % 400000 + 600 AS ttr,
  i % 10 AS kind	-- 0-5 FCR; 6 reopened; 7 transfer; 8 two replies;
			-- 9 customer follow-up
FROM s;
INSERT INTO agencies (name, title, bill_to) VALUES
  ('agency0', 'Agency 0', 'category'), ('agency1', 'Agency 1', 'agency'),
  ('agency2', 'Agency 2', 'owner'), ('agency3', 'Agency 3', 'category');
INSERT INTO tickets (id, status, severity, team, assignee, category, agency,
  owner, requester, requester_name, subject, created, updated, resolved_at,
  closed_at, sla_policy)
SELECT i, 'closed', 1 + i % 3, 'team' || (i % 4), 'tech' || (i % 9) || '@example.org',
  CASE i % 5 WHEN 0 THEN 'security' WHEN 1 THEN 'desktop'
    WHEN 2 THEN 'application' WHEN 3 THEN 'hardware' ELSE NULL END,
  CASE WHEN i % 13 = 0 THEN NULL ELSE 'agency' || (i % 5) END,
  CASE WHEN i % 3 = 0 THEN 'owner' || (i % 6) ELSE NULL END,
  'user' || (i % 5000) || '@agency' || (i % 5) || '.example', 'User ' || i,
  'Request ' || i || ': printer, VPN or password', created,
  created + ttr + 86400, created + ttr, created + ttr + 86400,
  CASE WHEN i % 2 THEN 'ny-ccc' ELSE 'colorado' END
FROM k;
INSERT INTO events (ticket_id, at, actor, type, detail)
SELECT i, created, 'user@agency.example', 'created', 'by mail' FROM k
UNION ALL SELECT i, created + 300, 'tech@example.org', 'status', 'new -> in_progress' FROM k
UNION ALL SELECT i, created + 600, 'tech@example.org', 'reply', 'public reply relayed to the requester' FROM k
UNION ALL SELECT i, created + 900, 'tech@example.org', 'reply', 'public reply relayed to the requester' FROM k WHERE kind = 8
UNION ALL SELECT i, created + 700, 'tech@example.org', 'transfer', 'warm transfer from team0 to team1' FROM k WHERE kind = 7
UNION ALL SELECT i, created + ttr - 60, 'user@agency.example', 'status', 'resolved -> reopened' FROM k WHERE kind = 6
UNION ALL SELECT i, created + ttr, 'tech@example.org', 'status', 'in_progress -> resolved' FROM k
UNION ALL SELECT i, created + ttr + 86400, 'user@agency.example',
  CASE WHEN i % 3 THEN 'accepted' ELSE 'auto_closed' END, '' FROM k
UNION ALL SELECT i, created + ttr + 86400, 'user@agency.example', 'status', 'resolved -> closed' FROM k;
INSERT INTO messages (ticket_id, kind, message_id, sha256, from_addr, subject,
  received, body, new_text, raw)
SELECT i, 'customer', '<m' || i || '@agency.example>', 'a' || i,
  'user@agency.example', 'Request ' || i, created,
  'The printer on floor 3 jams again, please help.', 'The printer jams.', X'00'
FROM k
UNION ALL
SELECT i, CASE WHEN kind = 9 THEN 'customer' ELSE 'staff' END, NULL, 'b' || i,
  'tech@example.org', 'Re: Request ' || i, created + 650,
  'Please try the following steps.', 'Please try.', X'00' FROM k;
INSERT INTO outbox (ticket_id, template, recipient, message_id, status,
  created, next_attempt, sent_at)
SELECT i, 'survey', 'user@agency.example', '<s' || i || '@example.org>',
  'sent', created + ttr + 86400, created + ttr + 86400, created + ttr + 86400
FROM k;
INSERT INTO surveys (ticket_id, rating, comment, answered, updated)
SELECT i, 1 + (i * 3) % 5,
  CASE i % 8 WHEN 0 THEN 'Quick and friendly help, thanks!'
    WHEN 1 THEN 'Slow response, the printer still jams.'
    WHEN 2 THEN 'Password reset was quick.'
    WHEN 3 THEN ''
    WHEN 4 THEN 'Transferred twice; nobody called back.'
    WHEN 5 THEN 'Great service from the desk team'
    WHEN 6 THEN 'VPN drops again after the update, slow response'
    ELSE 'Don''t change anything: friendly and quick.' END,
  created + ttr + 90000, created + ttr + 90000 FROM k;
INSERT INTO sla_results (ticket_id, policy, severity, target, met, late, at)
SELECT i, CASE WHEN i % 2 THEN 'ny-ccc' ELSE 'colorado' END, 1 + i % 3,
  'triage', i % 11 != 0, CASE WHEN i % 11 THEN 0 ELSE 60 * (i % 97) END,
  created + 900 FROM k
UNION ALL
SELECT i, CASE WHEN i % 2 THEN 'ny-ccc' ELSE 'colorado' END, 1 + i % 3,
  'resolve', ttr < 300000, CASE WHEN ttr < 300000 THEN 0 ELSE ttr - 300000 END,
  created + ttr FROM k;
COMMIT;
ANALYZE;
SQL
t1=$(date +%s%N)
ms() { echo $(( ($2 - $1) / 1000000 )); }
echo "bench/report: $n closed tickets, made in $(ms "$t0" "$t1") ms:" \
	"$(sqlite3 "$W/deskmail.db" 'SELECT (SELECT count(*) FROM events) || " events, " || (SELECT count(*) FROM messages) || " messages, " || (SELECT count(*) FROM surveys) || " surveys, " || (SELECT count(*) FROM sla_results) || " SLA results"')"
[ -n "$data_only" ] && { echo "database $(du -h "$W/deskmail.db" | cut -f1): $W"; exit 0; }
echo "database $(du -h "$W/deskmail.db" | cut -f1); best of $rounds rounds; wall time of the whole process"

# best NAME COMMAND...: the best wall time (ms) of ROUNDS runs
best() {
	local b= i s e
	for i in $(seq "$rounds"); do
		s=$(date +%s%N)
		"$@" > "$work/out" 2>"$work/err" || { echo "failed: $*" >&2; cat "$work/err" >&2; exit 1; }
		e=$(date +%s%N)
		i=$(( (e - s) / 1000000 ))
		if [ -z "$b" ] || [ "$i" -lt "$b" ]; then b=$i; fi
	done
	echo "$b"
}
base=$(best sqlite3 "$W/deskmail.db" "SELECT count(*), sum(length(detail)) FROM events")
start_ms=$(best "$dm" -c "$conf" help)
[ "$base" -gt 0 ] || base=1
printf '\n%-9s %-6s %9s %8s %10s  %s\n' report format ms ratio output target
printf '%-9s %-6s %9s %8s %10s\n' "(sqlite3" "scan)" "$base" "1.00" "-"
printf '%-9s %-6s %9s %8s %10s\n' "(deskmail" "start)" "$start_ms" \
	"$(awk -v a="$start_ms" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" "-"
worst=0
for r in csat fcr sla ttr themes billing all; do
	for f in text csv json html; do
		[ "$r" = all ] && [ "$f" = csv ] && continue
		t=$(best "$dm" -c "$conf" report "$r" --format "$f")
		size=$(wc -c < "$work/out")
		[ "$r" != all ] && [ "$t" -gt "$worst" ] && worst=$t
		printf '%-9s %-6s %9s %8s %10s  %s\n' "$r" "$f" "$t" \
			"$(awk -v a="$t" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" \
			"$size" "$([ "$t" -lt 1000 ] && echo "< 1 s: MET" || echo "< 1 s: NOT MET")"
	done
done
echo
echo "slowest single report: $worst ms (target < 1000 ms: $([ "$worst" -lt 1000 ] && echo MET || echo NOT MET))"
