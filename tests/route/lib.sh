# lib.sh - sourced by the tests in tests/route/: fresh deskmail work
# directories with routing rules and the agency directory, and helpers to
# look at what a user sees (ticket JSON, directory output, mail at the sink).
#
#   rt_fresh NAME        a new deskmail in $MS/NAME: $W, $conf; staff_auth
#                        none, teams desktop and security added
#   setconf SECTION KEY VALUE   set a key of $conf (the section is made if
#                        missing; a key already there is replaced)
#   rules                the rules file $W/rules.txt from stdin, and
#                        [routing] rules = rules.txt (relative to $conf)
#   dmc ARGS...          deskmail -c $conf (at $NOW when set)
#   mail FROM SUBJECT BODY [HEADER...]   ingest one message; its stdout
#                        is printed, its stderr is in $MS/err
#   tk N KEY             a key of ticket N's JSON (null -> "null")
#   routed N             the details of ticket N's `routed` events, one a
#                        line
#   run_err ARGS...      run deskmail, stdout to $MS/out, stderr to
#                        $MS/err; echo the exit status
#   sink_start           the SMTP sink on $SMTP_PORT, mail into $MS/sent
#   arrived ADDR RE      mails at the sink to ADDR with subject matching RE

rt_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$rt_here/../lib/mailservers.sh"
. "$rt_here/../lib/store.sh"
if [ -n "${DESKMAIL:-}" ]; then dm=$DESKMAIL
elif [ -x "$rt_here/../../build/src/deskmail" ]; then dm=$rt_here/../../build/src/deskmail
else dm=$rt_here/../../src/deskmail; fi
[ -x "$dm" ] || { echo "Bail out! no deskmail binary at $dm"; exit 1; }
ms_setup
NOW=

lt() {	# lt A B: exit 0 if the number A < B
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}
now_s() { date +%s.%N; }

setconf() {	# setconf SECTION KEY VALUE
	/usr/bin/python3 - "$conf" "$1" "$2" "$3" <<'PY'
import re, sys
path, sect, key, val = sys.argv[1:]
lines = open(path).read().split("\n")
out, cur, done = [], None, False
for i, l in enumerate(lines):
    m = re.match(r"\s*\[(.*)\]\s*$", l)
    if m:
        if cur == sect and not done:
            out.append("%s = %s" % (key, val)); done = True
        cur = m.group(1).strip()
        out.append(l); continue
    if cur == sect and not done and re.match(r"\s*%s\s*=" % re.escape(key), l):
        out.append("%s = %s" % (key, val)); done = True; continue
    out.append(l)
if not done:
    if cur == sect:
        while out and out[-1] == "": out.pop()
        out.append("%s = %s" % (key, val))
    else:
        out += ["", "[%s]" % sect, "%s = %s" % (key, val)]
    out.append("")
open(path, "w").write("\n".join(out))
PY
}

rt_fresh() {	# rt_fresh NAME
	W=$MS/$1
	conf=$W/deskmail.conf
	dm_init "$W" >/dev/null || { echo "Bail out! deskmail init $W failed"; exit 1; }
	setconf deskmail staff_auth none
	setconf smtp url "smtp://127.0.0.1:${SMTP_PORT:-25}"
	setconf "team desktop" address desktop@example.org
	setconf "team desktop" members "alice@example.org, bob@example.org"
	setconf "team desktop" escalation "lead@example.org, head@example.org"
	setconf "team security" address security@example.org
	setconf "team security" members "carol@example.org"
}

rules() {
	cat > "$W/rules.txt"
	setconf routing rules rules.txt
}

dmc() {
	if [ -n "$NOW" ]; then DESKMAIL_NOW=$NOW "$dm" -c "$conf" "$@"
	else "$dm" -c "$conf" "$@"; fi
}

run_err() {
	"$@" >"$MS/out" 2>"$MS/err"
	echo $?
}

mail() {	# mail FROM SUBJECT BODY [HEADER...]  (a To: or Message-ID:
	# header given replaces the default one)
	local from=$1 subj=$2 body=$3 h hasto= hasmid=
	shift 3
	for h in "$@"; do
		case $h in To:*) hasto=1 ;; Message-ID:*) hasmid=1 ;; esac
	done
	{
		printf 'From: %s\n' "$from"
		[ -n "$hasto" ] || printf 'To: help@example.org\n'
		for h in "$@"; do printf '%s\n' "$h"; done
		printf 'Subject: %s\n' "$subj"
		[ -n "$hasmid" ] || printf 'Message-ID: <rt%s.%s@test.example>\n' "$(date +%s%N)" "$RANDOM"
		printf 'Date: Mon, 02 Mar 2026 09:00:00 +0000\n'
		printf '\n%s\n' "$body"
	} | dmc ingest 2>"$MS/err"
}

tk() {	# tk N KEY
	dmc ticket show "$1" --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
try:
    t = json.load(sys.stdin)
except Exception:
    print("<no ticket>"); sys.exit(0)
v = t.get(sys.argv[1], "<missing key>")
print("null" if v is None else v)' "$2"
}

routed() {	# routed N
	dmc ticket show "$1" --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
try:
    t = json.load(sys.stdin)
except Exception:
    sys.exit(0)
for e in t.get("events", []):
    if e.get("type") == "routed":
        print("%s|%s" % (e.get("actor"), e.get("detail")))'
}

sink_start() {
	SMTP_PORT=$(ms_free_port)
	/usr/bin/python3 "$rt_here/../lib/smtp_sink.py" "$SMTP_PORT" "$MS/sent" >"$MS/sink.log" 2>&1 &
	MS_PIDS="$MS_PIDS $!"
	for i in $(seq 100); do grep -q ready "$MS/sink.log" 2>/dev/null && break; sleep 0.1; done
	grep -q ready "$MS/sink.log" || { echo "Bail out! smtp_sink.py did not start"; exit 1; }
}

arrived() {	# arrived ADDRESS SUBJECT-RE
	/usr/bin/python3 - "$MS/sent/new" "$1" "$2" <<'PY'
import email, email.policy, os, re, sys
d, to, pat = sys.argv[1], sys.argv[2].lower(), sys.argv[3]
n = 0
for f in os.listdir(d) if os.path.isdir(d) else []:
    m = email.message_from_bytes(open(os.path.join(d, f), "rb").read(), policy=email.policy.default)
    rcpts = [r.strip().strip("<>").lower() for r in str(m["X-Envelope-To"]).split(",")]
    if to in rcpts and re.search(pat, str(m["Subject"])):
        n += 1
print(n)
PY
}
