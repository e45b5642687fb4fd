#!/bin/bash
# The main job end to end on the embedded default: a private Dovecot
# (IMAPS, a test CA) holding the help mailbox, a local SMTP server that
# stores what it is sent, and deskmail with a fresh configuration and
# SQLite database in a temporary directory.  Sample mail arrives in the
# mailbox, deskmail fetches it, staff answer by mail and by CLI, deskmail
# sends the notices, and the result is printed: tickets, history,
# quarantine, outbox, and the mail the SMTP server received.
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
echo
echo "demo: all of it lived in $MS (removed on exit)"
