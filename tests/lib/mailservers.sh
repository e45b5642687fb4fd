# mailservers.sh - sourced by integration tests: start a private Dovecot
# on 127.0.0.1 (IMAP with STARTTLS and IMAPS, certificates from a test CA
# made here) in a temporary directory, deliver mail into it, stop it.
# Never touches the system Dovecot.  Requires: dovecot-imapd, openssl.
#
#   ms_setup            make $MS (work dir, world-traversable), trap cleanup
#   ms_dovecot_start    start Dovecot; sets DOVE_CONF IMAP_PORT IMAPS_PORT
#                       MS_CA (CA cert) MS_USER MS_PASS MS_MAILDIR
#   ms_dovecot_stop / ms_dovecot_restart
#   ms_deliver FILE     put FILE into the INBOX as a new, unseen message
#   ms_count FLAG       messages in INBOX with flag: seen, unseen, all

ms_free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ms_setup() {
	MS=$(mktemp -d /tmp/deskmail-test.XXXXXX)
	chmod 755 "$MS"		# dovecot's auth and mail processes must traverse it
	MS_PIDS=
	trap ms_cleanup EXIT INT TERM
}

# ms_public_deskmail CONF: for tests that run deskmail as another user
# (a pipe transport's nobody).  A checkout under a home directory (/root
# on a fresh machine, in CI) is not theirs to read, so $dm (the small
# front and the whole program beside it) and the templates are copied
# into $MS, dm names the copy and CONF's template_dir the templates.
ms_public_deskmail() {
	local self lib
	self=$(readlink -f "$dm")
	lib=$(dirname "$self")/libexec/deskmail
	mkdir -p "$MS/bin/libexec"
	cp "$self" "$MS/bin/deskmail"
	[ -x "$lib" ] && cp "$lib" "$MS/bin/libexec/deskmail"
	cp -r "$(dirname "${BASH_SOURCE[0]}")/../../templates" "$MS/templates"
	chmod -R a+rX "$MS/bin" "$MS/templates"
	dm=$MS/bin/deskmail
	sed -i "s|^template_dir = .*|template_dir = $MS/templates|" "$1"
	grep -q "^template_dir = $MS/templates\$" "$1"
}

ms_cleanup() {
	for p in $MS_PIDS; do kill "$p" 2>/dev/null || true; done
	if [ -n "${DOVE_CONF:-}" ]; then ms_dovecot_stop; fi
	if [ -n "${MS:-}" ]; then rm -rf "$MS"; fi
	true	# the script's exit status is its own, not the cleanup's
}

# A CA, and a server certificate for 127.0.0.1 signed by it.
ms_make_certs() {
	d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=deskmail test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
		-keyout "$d/key.pem" -out "$d/req.pem" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$d/ext.cnf"
	openssl x509 -req -in "$d/req.pem" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/ext.cnf" -out "$d/cert.pem" 2>/dev/null
}

ms_dovecot_start() {
	D=$MS/dove
	mkdir -p "$D/run" "$D/state" "$D/mail"
	[ -f "$D/cert.pem" ] || ms_make_certs "$D"
	MS_CA=$D/ca.pem
	MS_USER=test@example.test
	MS_PASS=secret
	: "${IMAP_PORT:=$(ms_free_port)}"
	: "${IMAPS_PORT:=$(ms_free_port)}"
	u=$(id -u) g=$(id -g)
	[ "$u" = 0 ] && { u=$(id -u nobody); g=$(id -g nobody); }	# uid 0 is refused
	MS_MAILDIR=$D/mail/$MS_USER/Maildir
	echo "$MS_USER:{PLAIN}$MS_PASS:$u:$g::$D/mail/$MS_USER" > "$D/users"
	mkdir -p "$MS_MAILDIR/cur" "$MS_MAILDIR/new" "$MS_MAILDIR/tmp"
	chown -R "$u:$g" "$D/mail"
	cat > "$D/dovecot.conf" <<CONF
instance_name = deskmail-test-$IMAP_PORT
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$D/cert.pem
ssl_key = <$D/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $D/users
}
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
protocol imap {
  imap_idle_notify_interval = 1 mins
}
CONF
	DOVE_CONF=$D/dovecot.conf
	dovecot -c "$DOVE_CONF" || return 1
	for i in $(seq 100); do
		(exec 3<>/dev/tcp/127.0.0.1/$IMAPS_PORT) 2>/dev/null && return 0
		sleep 0.1
	done
	echo "# dovecot did not come up; see $D/dovecot.log" >&2
	return 1
}

# Stop the instance and drop its clients' connections too (the login
# processes that proxy TLS may outlive the master otherwise).
ms_dovecot_stop() {
	# every command may "fail" (nothing left to stop): callers may run
	# under set -e, so none of them may end the script
	doveadm -c "$DOVE_CONF" stop 2>/dev/null || true
	for i in $(seq 50); do
		[ -f "$MS/dove/run/master.pid" ] || break
		sleep 0.1
	done
	pkill -f "dovecot-deskmail-test-$IMAP_PORT/" 2>/dev/null || true
	for i in $(seq 50); do
		pgrep -f "dovecot-deskmail-test-$IMAP_PORT/" >/dev/null || return 0
		sleep 0.1
	done
	return 0
}

ms_dovecot_restart() {
	ms_dovecot_stop
	ms_dovecot_start
}

ms_deliver() {
	doveadm -c "$DOVE_CONF" save -u "$MS_USER" -m INBOX < "$1"
}

ms_count() {
	case $1 in
	seen)	doveadm -c "$DOVE_CONF" search -u "$MS_USER" mailbox INBOX SEEN | wc -l ;;
	unseen)	doveadm -c "$DOVE_CONF" search -u "$MS_USER" mailbox INBOX UNSEEN | wc -l ;;
	all)	doveadm -c "$DOVE_CONF" search -u "$MS_USER" mailbox INBOX ALL | wc -l ;;
	*)	doveadm -c "$DOVE_CONF" search -u "$MS_USER" mailbox "$1" ALL | wc -l ;;
	esac
}

# TAP helpers
T_N=0 T_FAIL=0
t_ok() {	# t_ok COND-EXIT-STATUS DESCRIPTION
	T_N=$((T_N + 1))
	if [ "$1" = 0 ]; then echo "ok $T_N - $2"
	else echo "not ok $T_N - $2"; T_FAIL=$((T_FAIL + 1)); fi
}
t_is() {	# t_is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then t_ok 0 "$3"
	else t_ok 1 "$3"; echo "#   got:  '$1'"; echo "#   want: '$2'"; fi
}
t_done() {
	echo "1..$T_N"
	[ "$T_FAIL" = 0 ]
}
