# lib.sh - sourced by the chaos tests (after tests/lib/mailservers.sh and
# ms_setup, except chaos_skip and chaos_need): what chaos.test (one
# `deskmail run` on SQLite) and instances.test (two on one PostgreSQL)
# share.  Uses $here (the test's directory) and $PY.
#
#   chaos_skip REASON   TAP skip; under CI=true a missing prerequisite
#                       fails instead
#   chaos_need          root, dovecot and python3-aiosmtpd, or chaos_skip
#   chaos_binary        $DESKMAIL (else the build's) copied into $MS: a
#                       parallel build may replace it under us; sets dm
#                       (the copy) and src (what was copied)
#   sink_start          the SMTP sink on $SMTP_PORT (made here unless set),
#                       storing in $SINK=$MS/sink, control file
#                       CTL=$MS/sink.ctl; sets SINK_PID
#   sink_stop           SIGKILL it, as a crash would (noted in
#                       $MS/crashes: a mail may go out twice)
#   chaos_configure CONF WEB_PORT
#                       the settings the chaos traffic needs: the sink,
#                       the link pages on WEB_PORT (and links to them),
#                       the MTA's authserv-id, no caps on automatic mail
#                       and new tickets, retries after a second, busy
#                       waits of $BUSY_MS, and [mailbox inbox] on the
#                       private Dovecot (ms_dovecot_start first)

chaos_skip() {
	if [ "${CI:-}" = true ]; then echo "Bail out! $1 (CI=true: not skipping)"; exit 1; fi
	echo "1..0 # SKIP $1"; exit 0
}

chaos_need() {
	command -v dovecot >/dev/null || chaos_skip "dovecot not installed"
	$PY -c 'import aiosmtpd' 2>/dev/null || chaos_skip "python3-aiosmtpd not installed"
}

chaos_binary() {
	local c
	src=${DESKMAIL:-}
	if [ -z "$src" ]; then
		for c in "$here/../../build/src/deskmail" "$here/../../src/deskmail"; do
			[ -x "$c" ] && { src=$c; break; }
		done
	fi
	[ -x "$src" ] || { echo "Bail out! no deskmail binary (set DESKMAIL)"; exit 1; }
	dm=$MS/deskmail
	cp "$src" "$dm" || { echo "Bail out! cannot copy $src"; exit 1; }
	# with the whole program the front starts (libexec/ next to it in a
	# build tree)
	if [ -x "$(dirname "$src")/libexec/deskmail" ]; then
		mkdir -p "$MS/libexec" &&
		cp "$(dirname "$src")/libexec/deskmail" "$MS/libexec/deskmail" ||
			{ echo "Bail out! cannot copy the whole program"; exit 1; }
	fi
}

sink_start() {
	SINK=$MS/sink
	CTL=$MS/sink.ctl
	: "${SMTP_PORT:=$(ms_free_port)}"
	: > "$MS/sink.out"
	$PY "$here/../lib/smtp_sink.py" "$SMTP_PORT" "$SINK" --control "$CTL" \
		>> "$MS/sink.out" 2>&1 &
	SINK_PID=$!
	for i in $(seq 100); do
		grep -q ready "$MS/sink.out" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

sink_stop() {
	[ -n "$SINK_PID" ] || return 0
	kill -9 "$SINK_PID" 2>/dev/null	# as a crash would: mid-session
	echo "$(date +%s.%N) sink" >> "$MS/crashes"
	wait "$SINK_PID" 2>/dev/null
	SINK_PID=
}

chaos_configure() {
	local conf=$1 base=http://127.0.0.1:$2/
	sed -i "s|^url = smtp://127.0.0.1:25\$|url = smtp://127.0.0.1:$SMTP_PORT|
s|^listen = 127.0.0.1:8025\$|listen = 127.0.0.1:$2|
s|^base_url = https://help.example.org/\$|base_url = $base|
s|^supervisor = *\$|supervisor = boss@example.org|
s|^auth_serv_id = .*|auth_serv_id = mx.example.org|
s|^busy_timeout_ms = .*|busy_timeout_ms = $BUSY_MS|
s|^auto_reply_limit = .*|auto_reply_limit = 100000|
s|^new_tickets_per_hour = .*|new_tickets_per_hour = 0|
s|^retry_seconds = .*|retry_seconds = 1|" "$conf"
	cat >> "$conf" <<CONF
[mailbox inbox]
url = imaps://127.0.0.1:$IMAPS_PORT/INBOX
user = $MS_USER
password_env = TEST_IMAP_PASSWORD
ca_file = $MS_CA
batch = 5
timeout = 10
CONF
	export TEST_IMAP_PASSWORD=$MS_PASS
	grep -q "^auth_serv_id = mx.example.org\$" "$conf" && grep -q "^base_url = $base\$" "$conf" &&
		grep -q "^url = smtp://127.0.0.1:$SMTP_PORT\$" "$conf" ||
		{ echo "Bail out! could not set up $conf"; exit 1; }
	"$dm" -c "$conf" check-config > "$MS/check-config.out" 2>&1 ||
		{ sed 's/^/# /' "$MS/check-config.out"; echo "Bail out! check-config"; exit 1; }
}
