#!/bin/bash
# The main job end to end on the embedded default: a private Dovecot
# (IMAPS, a test CA) holding the help mailbox, a local SMTP server that
# stores what it is sent, and deskmail with a fresh configuration and
# SQLite database in a temporary directory.  Sample mail arrives in the
# mailbox, deskmail fetches it, staff answer by mail and by CLI, deskmail
# sends the notices, and the result is printed: tickets, history,
# quarantine, outbox, and the mail the SMTP server received.
# Then a month of simulated activity (month.py, deterministic: DEMO_SEED,
# default 42; DEMO_MONTH, default 2026-03) in a second deskmail directory
# with the agency directory (agencies.csv), routing rules (rules.txt),
# teams and billing rates, and its reports: CSAT, FCR, SLA, time to
# resolution before/after mid-month, comment themes, billing, and the HTML
# report, copied to $DEMO_OUT or ./deskmail-demo-report.html.
# Usage: contrib/demo/demo.sh [DESKMAIL-BINARY]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
dm=${1:-${DESKMAIL:-$top/build/src/deskmail}}
[ -x "$dm" ] || dm=$top/src/deskmail
[ -x "$dm" ] || { echo "demo: build deskmail first" >&2; exit 69; }
dm=$(cd "$(dirname "$dm")" && pwd)/$(basename "$dm")
. "$top/tests/lib/mailservers.sh"
ms_setup
step() { printf '\n== %s\n' "$*"; }
run() { echo "\$ deskmail $*"; "$dm" -c "$conf" "$@"; }

step "private Dovecot (IMAPS) and SMTP server on 127.0.0.1"
ms_dovecot_start
smtp_port=$(ms_free_port)
/usr/bin/python3 "$top/tests/lib/smtp_sink.py" "$smtp_port" "$MS/sent" >"$MS/sink.log" 2>&1 &
MS_PIDS=$!
for i in $(seq 100); do grep -q ready "$MS/sink.log" && break; sleep 0.1; done
echo "imaps://127.0.0.1:$IMAPS_PORT  smtp://127.0.0.1:$smtp_port"

step "deskmail init $MS/desk"
"$dm" init "$MS/desk"
conf=$MS/desk/deskmail.conf
sed -i "s|^url = smtp://127.0.0.1:25|url = smtp://127.0.0.1:$smtp_port|; s|^auth_serv_id = .*|auth_serv_id = mx.example.org|" "$conf"
cat >> "$conf" <<CONF

[mailbox inbox]
url = imaps://127.0.0.1:$IMAPS_PORT/INBOX
user = $MS_USER
password_env = DEMO_IMAP_PASSWORD
ca_file = $MS_CA
CONF
export DEMO_IMAP_PASSWORD=$MS_PASS
run check-config

# the day's mail, in order; each one at its own time
deliver() { ms_deliver "$here/mail/$1"; }
export DESKMAIL_NOW
step "customers write; deskmail fetch stores and threads the mail"
for m in 01-new-printer.eml 02-new-password.eml 03-out-of-office.eml \
    06-html-only-with-screenshot.eml 07-bounce.eml 08-malformed.eml \
    09-duplicate-of-01.eml 10-newsletter.eml; do
	deliver "$m"
done
DESKMAIL_NOW=2026-03-02T09:05:00Z
run fetch -v
run send

step "staff answer by mail (verified by our MTA's Authentication-Results), the customer replies"
deliver 04-staff-reply.eml
deliver 05-customer-reply.eml
DESKMAIL_NOW=2026-03-02T09:20:00Z
run fetch -v
run send

step "staff work by CLI"
DESKMAIL_NOW=2026-03-02T10:05:00Z
run ticket assign 2 tech2@example.org --as tech1@example.org
run ticket pending 3 --as tech2@example.org -m "Which VPN client version does the laptop run?"
run ticket resolve 1 --as tech1@example.org -m "Fuser replaced; test pages print cleanly."
run send

step "the result"
run ticket list
run ticket show 1
run quarantine list
run outbox list
step "mail the SMTP server received"
/usr/bin/python3 - "$MS/sent/new" <<'PY'
import email, email.policy, os, sys
d = sys.argv[1]
rows = []
for f in os.listdir(d):
    m = email.message_from_bytes(open(os.path.join(d, f), "rb").read(),
                                 policy=email.policy.default)
    rows.append((m["Date"].datetime, m["X-Envelope-To"], m["Subject"],
                 m.get("Auto-Submitted", "-")))
for date, to, subject, auto in sorted(rows):
    print("%-36s %-16s %s" % (to.strip("<>"), auto, subject))
print("%d mails" % len(rows))
PY

# ---------------------------------------------------------------------------
# A month of simulated activity (contrib/demo/month.py) in a second deskmail
# directory, with the agency directory, routing rules, teams and billing
# rates, through the same real pipeline: customer mail by the MTA pipe,
# staff by CLI and by authenticated mail, the customers' clicks on the link
# pages, tick and send on a schedule; then the reports.
month=${DEMO_MONTH:-2026-03}
split=$month-16
step "a month of simulated activity ($month, seed ${DEMO_SEED:-42}) in $MS/month"
mconf=$MS/month/deskmail.conf
"$dm" init "$MS/month" >/dev/null
cp "$here/rules.txt" "$here/agencies.csv" "$MS/month/"
msink=$MS/month-sent
msmtp=$(ms_free_port)
/usr/bin/python3 "$top/tests/lib/smtp_sink.py" "$msmtp" "$msink" >"$MS/month-sink.log" 2>&1 &
MS_PIDS="$MS_PIDS $!"
for i in $(seq 100); do grep -q ready "$MS/month-sink.log" && break; sleep 0.1; done
grep -q ready "$MS/month-sink.log" || { echo "demo: the month's SMTP sink did not start" >&2; exit 1; }
mweb=$(ms_free_port)
sed -i "s|^url = smtp://127.0.0.1:25\$|url = smtp://127.0.0.1:$msmtp|
s|^listen = 127.0.0.1:8025\$|listen = 127.0.0.1:$mweb|
s|^base_url = https://help.example.org/\$|base_url = http://127.0.0.1:$mweb/|
s|^organisation = .*|organisation = NYS Customer Care Center (demo)|
s|^auth_serv_id = .*|auth_serv_id = mx.example.org|
s|^synchronous = full\$|synchronous = normal|
s|^timezone = UTC\$|timezone = America/New_York|
s|^contacts = \$|contacts = ccc-oncall@example.org|
s|^supervisor = \$|supervisor = ccc-supervisor@example.org|
s|^management = \$|management = ccc-manager@example.org|
s|^rules = \$|rules = rules.txt|
s|^mode = first\$|mode = all|
s|^rate_security = .*|rate_security = 18.50|
s|^rate_desktop = .*|rate_desktop = 32.00|
s|^rate_application = .*|rate_application = 45.00|
s|^rate_hardware = .*|rate_hardware = 60.00|
s|^members = tech1@example.org, tech2@example.org\$|members = tech1@example.org, tech2@example.org, tech3@example.org\\
escalation = ccc-lead@example.org, ccc-supervisor@example.org|" "$mconf"
cat >> "$mconf" <<CONF

[team desktop]
address = desktop@example.org
members = dana@example.org, eli@example.org
escalation = desktop-lead@example.org, ccc-supervisor@example.org

[team apps]
address = apps@example.org
members = fay@example.org, gus@example.org
escalation = apps-lead@example.org, ccc-supervisor@example.org

[team dispatch]
address = dispatch@example.org
members = hal@example.org, ivy@example.org
escalation = dispatch-lead@example.org, ccc-supervisor@example.org
CONF
for want in "^listen = 127.0.0.1:$mweb\$" "^url = smtp://127.0.0.1:$msmtp\$" \
    "^rules = rules.txt\$" "^mode = all\$" "^rate_hardware = 60.00\$" \
    "^timezone = America/New_York\$" "^escalation = ccc-lead@"; do
	grep -q "$want" "$mconf" || { echo "demo: could not set $want in $mconf" >&2; exit 1; }
done
mrun() { echo "\$ deskmail $*"; "$dm" -c "$mconf" "$@"; }
mrun check-config
mrun directory import "$MS/month/agencies.csv"
echo "\$ month.py --seed ${DEMO_SEED:-42} --month $month"
mstart=$(date +%s.%N)
/usr/bin/python3 "$here/month.py" --deskmail "$dm" --config "$mconf" \
	--sink "$msink" --seed "${DEMO_SEED:-42}" --month "$month" --quiet
mend=$(date +%s.%N)
echo "month.py took $(awk -v a="$mstart" -v b="$mend" 'BEGIN { printf "%.1f", b - a }') s"

step "the month in reports"
export DESKMAIL_NOW=$(date -u -d "$month-01 +1 month" +%Y-%m-01T12:00:00Z)
# (the report command came with issue 8: a deskmail without it still runs
# the rest of the demo; one that has it must not fail here)
if "$dm" -c "$mconf" report csat >/dev/null 2>&1 ||
    "$dm" 2>&1 | grep -q '^ *report '; then
	mrun report csat
	mrun report fcr
	mrun report sla
	mrun report ttr --split "$split"
	mrun report themes
	mrun report billing
	mrun report all --format html --by week --split "$split" --out "$MS/month/report.html"
	out=${DEMO_OUT:-$PWD/deskmail-demo-report.html}
	case $out in /*) ;; *) out=$PWD/$out ;; esac
	cp "$MS/month/report.html" "$out"
	echo
	echo "demo: the HTML report of the month: $out"
else
	echo "demo: this deskmail has no 'report' command yet; the month's data is in $MS/month/deskmail.db"
fi
echo
echo "demo: all of it lived in $MS (removed on exit)"
