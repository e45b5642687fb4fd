# postfix.sh - sourced by tests (after mailservers.sh and ms_setup) and by
# bench/lmtp: a private Postfix in $MS/postfix that takes mail over SMTP on
# a free port of 127.0.0.1 and hands what is addressed to our help and
# queue addresses to a transport the caller picks.  Never touches
# /etc/postfix, /var/spool/postfix or a system instance.
#
#   pf_need             TAP skip unless Postfix is installed and we are root
#   pf_start TRANSPORT [ADDRESS...]
#                       start it; TRANSPORT is where mail for ADDRESS (default
#                       help@example.org) goes: "deskmail:" (the pipe below),
#                       "lmtp:inet:127.0.0.1:PORT", "lmtp:unix:PATH",
#                       "discard:".  Sets PF (its directory), PF_PORT (smtpd)
#   pf_queue            messages in its queue (incoming, active, deferred...)
#   pf_wait_empty [SECONDS]
#                       wait until the queue is empty (default 120 s)
#   pf_log              its log, as TAP comments (for a failing test)
#   pf_stop             stop it (also done at exit)
#
# Set before pf_start:
#   PF_PIPE_ARGV        the pipe transport's command (deskmail ingest with the
#                       test's configuration), run as PF_PIPE_USER (nobody)
#   PF_PIPE_MAXPROC     how many pipe deliveries at once (4)
#   PF_PIPE_FLAGS       the pipe's flags= (Rq, as contrib/mta has them)
#   PF_MAIN             more main.cf lines (they override the ones here)
#
# What a private instance needs (Postfix 3.7, Debian 12):
#   - root: `postfix start` must be root to run master, which starts the
#     daemons as mail_owner (postfix).  -c DIR names the configuration;
#     alternate_config_directories in the default main.cf is needed only
#     when the setgid postdrop/postqueue run for someone else, never here.
#   - every path is its own: queue_directory (root-owned; `postfix start`
#     makes its subdirectories) and data_directory in $PF; meta_directory
#     stays /etc/postfix, where the package keeps postfix-files and
#     dynamicmaps.cf (read only).
#   - no chroot column "y" in master.cf: the chroot would be the queue
#     directory, without the libraries and /etc files the daemons need.
#   - the smtpd service's name is 127.0.0.1:PORT, not "smtp" (port 25);
#     inet_protocols = ipv4, inet_interfaces = 127.0.0.1.
#   - logging: there is no syslog daemon here, and the system's would mix
#     instances.  maillog_file = $PF/maillog needs the postlog service in
#     master.cf and the file's directory in maillog_file_prefixes (by
#     default only /var and /dev/stdout are allowed).
#   - the pipe's user= may be neither root nor mail_owner: we use nobody,
#     and give it the deskmail directory (chown) -- as a real installation
#     gives it to a deskmail user.  Commands the test runs as root still
#     work on it: SQLite gives the files it creates as root (the WAL) to
#     the database's owner, and the use lock is opened read-only.
#   - the pipe passes only export_environment (TZ, MAIL_CONFIG, LANG): no
#     DESKMAIL_NOW, so the deliveries see the real clock.
#   - local delivery and relaying elsewhere are the error transport: no
#     mail leaves the instance, nothing is written to /var/mail.
#   - retries come after queue_run_delay/minimal_backoff_time (300 s by
#     default): 1 s and 5 s here, so a delivery that got a temporary
#     failure is tried again within the test.  Not less than ~5 s of
#     backoff: with 1 s, qmgr's scan of the deferred queue can meet a
#     message whose delivery agent still holds it ("skipped, still being
#     delivered") and put it aside: it was not tried again for minutes
#     (seen under load; tests and bench/lmtp waited in vain).
#   - smtpd adds the Message-ID and Date that smtp-source leaves out only
#     for clients in local_header_rewrite_clients (default: the addresses
#     in inet_interfaces, so 127.0.0.1 is one).

pf_need() {
	command -v postfix >/dev/null 2>&1 && [ -x /usr/sbin/postconf ] ||
		{ echo "1..0 # SKIP postfix not installed (contrib/install-deps.sh --tests)"; exit 0; }
	[ "$(id -u)" = 0 ] ||
		{ echo "1..0 # SKIP a private Postfix needs root to start"; exit 0; }
}

pf_start() {
	local transport=$1 a maps= user=${PF_PIPE_USER:-nobody}
	shift
	[ $# -gt 0 ] || set -- help@example.org
	PF=$MS/postfix
	mkdir -p "$PF/conf" "$PF/data"
	mkdir -p "$PF/spool" && chown root:root "$PF/spool"
	chown postfix "$PF/data"
	: "${PF_PORT:=$(ms_free_port)}"
	for a in "$@"; do maps="$maps${maps:+, }$a=ok"; done
	cat > "$PF/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.test
mydomain = example.test
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination = example.org
recipient_delimiter = +
local_recipient_maps = inline:{ $maps }
transport_maps = inline:{ example.org=$transport }
local_transport = error:5.1.1 no local delivery in this test instance
default_transport = error:5.7.1 no mail leaves this test instance
alias_maps =
alias_database =
biff = no
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
queue_run_delay = 1s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
in_flow_delay = 0
smtpd_banner = \$myhostname ESMTP deskmail test instance
${PF_MAIN:-}
EOF
	# type private unpriv chroot wakeup maxproc command
	cat > "$PF/conf/master.cf" <<EOF
127.0.0.1:$PF_PORT inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
	if [ -n "${PF_PIPE_ARGV:-}" ]; then
		printf 'deskmail  unix  - n n - %s pipe\n  flags=%s user=%s argv=%s\n' \
			"${PF_PIPE_MAXPROC:-4}" "${PF_PIPE_FLAGS:-Rq}" "$user" \
			"$PF_PIPE_ARGV" >> "$PF/conf/master.cf"
	fi
	postfix -c "$PF/conf" check > "$PF/check.out" 2>&1 &&
	postfix -c "$PF/conf" start > "$PF/start.out" 2>&1 || {
		echo "# postfix did not start:"
		sed 's/^/#   /' "$PF/check.out" "$PF/start.out" "$PF/maillog" 2>/dev/null
		return 1
	}
	PF_RUNNING=1
	trap 'pf_stop; ms_cleanup' EXIT INT TERM
	for i in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "# postfix does not listen on 127.0.0.1:$PF_PORT"
	pf_log
	return 1
}

pf_queue() {
	find "$PF/spool/maildrop" "$PF/spool/incoming" "$PF/spool/active" \
		"$PF/spool/deferred" "$PF/spool/hold" -type f 2>/dev/null | wc -l
}

pf_wait_empty() {
	local deadline=$((SECONDS + ${1:-120}))
	while [ "$SECONDS" -lt "$deadline" ]; do
		[ "$(pf_queue)" = 0 ] && return 0
		sleep 0.2
	done
	return 1
}

pf_log() {
	sed 's/^/#   /' "$PF/maillog" 2>/dev/null | tail -${1:-60}
}

pf_stop() {
	local pid i
	[ -n "${PF_RUNNING:-}" ] || return 0
	PF_RUNNING=
	pid=$(cat "$PF/spool/pid/master.pid" 2>/dev/null | tr -d ' ')
	postfix -c "$PF/conf" stop >/dev/null 2>&1 || true
	for i in $(seq 100); do
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	return 0
}
