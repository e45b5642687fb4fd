# lib.sh - sourced by the tests in tests/web/: a deskmail work directory
# whose mail goes to tests/lib/smtp_sink.py and whose link pages are
# served by `deskmail serve` on a free port of 127.0.0.1, and helpers to
# read the mail the sink received and to speak HTTP to the pages (curl).
#
#   web_setup           $MS (temp dir, cleanup trap), the sink ($SINK), a
#                       deskmail dir $W with config $conf, $WPORT, $BASE
#   at TIME             the clock (DESKMAIL_NOW) of the commands below
#   dmc ARGS...         deskmail -c $conf at that clock
#   send                drain the outbox, refresh $W/outbox.json
#   q EXPR              tests/smtp/sinkq.py over the sink and the outbox
#   tj N EXPR           EXPR over ticket N's JSON (as t)
#   serve_start [TIME]  `deskmail serve` at TIME (default: the clock)
#   serve_stop
#   http METHOD URL [CURL-ARGS...]
#                       prints the status code; the body is in $MS/body,
#                       the headers in $MS/head
#   csrf_of             the csrf field of the form in $MS/body
#   hdr NAME            a header of the last response ($MS/head)
#   customer_mail N SUBJECT FROM   a customer's mail, as a file (printed)

web_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$web_here/../lib/mailservers.sh"
. "$web_here/../lib/store.sh"
dm=${DESKMAIL:-$web_here/../../build/src/deskmail}
SUPERVISOR=boss@example.org
# what our MTA writes on mail from staff, so deskmail trusts it
AR='Authentication-Results: mx.example.org; dkim=pass header.d=example.org'

web_need() {
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
		{ echo "1..0 # SKIP python3-aiosmtpd not installed"; exit 0; }
	command -v curl >/dev/null ||
		{ echo "1..0 # SKIP curl not installed"; exit 0; }
	[ -x "$dm" ] || { echo "Bail out! no deskmail binary at $dm"; exit 1; }
}

web_setup() {
	web_need
	ms_setup
	SINK=$MS/sink
	SMTP_PORT=$(ms_free_port)
	/usr/bin/python3 "$web_here/../lib/smtp_sink.py" "$SMTP_PORT" "$SINK" \
		> "$MS/sink.out" 2>&1 &
	MS_PIDS="$MS_PIDS $!"
	for i in $(seq 100); do
		grep -q ready "$MS/sink.out" 2>/dev/null && break
		sleep 0.1
	done
	grep -q ready "$MS/sink.out" ||
		{ echo "Bail out! smtp_sink.py did not start"; exit 1; }
	W=$MS/dm
	dm_init "$W" >/dev/null ||
		{ echo "Bail out! deskmail init failed"; exit 1; }
	conf=$W/deskmail.conf
	WPORT=$(ms_free_port)
	BASE=http://127.0.0.1:$WPORT/
	sed -i "s|^url = smtp://127.0.0.1:25\$|url = smtp://127.0.0.1:$SMTP_PORT|
s|^listen = 127.0.0.1:8025\$|listen = 127.0.0.1:$WPORT|
s|^base_url = https://help.example.org/\$|base_url = $BASE|
s|^supervisor = *\$|supervisor = $SUPERVISOR|
s|^auth_serv_id = .*|auth_serv_id = mx.example.org|" "$conf"
	grep -q "^listen = 127.0.0.1:$WPORT\$" "$conf" &&
	grep -q "^base_url = $BASE\$" "$conf" &&
	grep -q "^url = smtp://127.0.0.1:$SMTP_PORT\$" "$conf" ||
		{ echo "Bail out! could not set up $conf"; exit 1; }
	NOW=2026-03-02T09:00:00Z
	SERVE_PID=
}

at() { NOW=$1; }
dmc() { DESKMAIL_NOW=$NOW "$dm" -c "$conf" "$@"; }
send() {
	dmc send > "$MS/send.out" 2>&1
	dmc outbox list --json > "$W/outbox.json"
}
q() { /usr/bin/python3 "$web_here/../smtp/sinkq.py" "$SINK" "$W/outbox.json" "$1"; }
tj() {
	dmc ticket show "$1" --json |
		/usr/bin/python3 -c "import json,sys; t=json.load(sys.stdin); print($2)"
}
nsink() { ls "$SINK/new" 2>/dev/null | wc -l; }
noutbox() {
	dmc outbox list --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

serve_start() {
	local t=${1:-$NOW} i
	DESKMAIL_NOW=$t "$dm" -c "$conf" serve >> "$MS/serve.log" 2>&1 &
	SERVE_PID=$!
	MS_PIDS="$MS_PIDS $SERVE_PID"
	for i in $(seq 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "${BASE}style.css")" = 200 ] &&
			return 0
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "Bail out! deskmail serve did not come up; see below"
	sed 's/^/# /' "$MS/serve.log"
	exit 1
}

serve_stop() {
	[ -n "$SERVE_PID" ] || return 0
	kill "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
	SERVE_PID=
}

# serve_alive: the server still runs and answers
serve_alive() {
	kill -0 "$SERVE_PID" 2>/dev/null &&
	[ "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "${BASE}style.css")" = 200 ]
}

http() {
	local m=$1 u=$2
	shift 2
	rm -f "$MS/body" "$MS/head"
	if [ "$m" = HEAD ]; then
		curl -s -m 20 -I -o "$MS/head" -w '%{http_code}' "$@" "$u"
		: > "$MS/body"
	else
		curl -s -m 20 -X "$m" -o "$MS/body" -D "$MS/head" \
			-w '%{http_code}' "$@" "$u"
	fi
}

csrf_of() {
	sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$MS/body" | head -1
}

hdr() {
	tr -d '\r' < "$MS/head" | sed -n "s/^$1: *//Ip" | tail -1
}

# body_has TEXT: the last body contains TEXT (fixed string)
body_has() { grep -qF -- "$1" "$MS/body"; }

customer_mail() {	# customer_mail N SUBJECT [FROM]
	local f=$MS/c$1.eml
	cat > "$f" <<EOF
From: ${3:-Anna Kunde <anna@agency.example.gov>}
To: help@example.org
Subject: $2
Message-ID: <c$1.$$@agency.example.gov>
Date: Mon, 02 Mar 2026 08:59:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

Hello, something is broken (mail $1).
EOF
	echo "$f"
}

# Links in the decoded text of mail: link TEMPLATE PYTHON-REGEX (group 1)
link() {
	q "(lambda m: m.group(1) if m else 'none')(re.search(r'''$2''', one('$1').text or ''))"
}
accept_link() { link resolution 'Yes, close it:\s+(\S+)'; }
notfixed_link() { link resolution 'not fixed:\s+(\S+)'; }
rating_link() { link survey "(?m)^\s*$1\b[^\n]*?(http\S+)"; }
