# lib.sh - sourced by the SLA scenario tests: tests/web/lib.sh's deskmail
# with its SMTP sink, an agency directory, and helpers to walk a seed's
# process with the clock and read every mail as its recipient would.
#
#   scenario_setup POLICY [TZ]   web_setup, [sla] policy/timezone, the
#                                supervisor boss@ and management mgmt@,
#                                agency "dot" (senders agency.example.gov,
#                                notify dn@dot.example, escalate
#                                de@dot.example)
#   staff_mail N FROM TEXT       a verified staff mail on ticket N
#   customer_reply N TEXT        Anna's reply on ticket N
#   pass TIME                    at TIME: tick, then send
#   mail_q EXPR                  q over the mails received since mark
#   mark                         mails so far are "before"
#   golden NAME                  every mail so far against NAME.expected
#   utc                          unix seconds, one a line, as YYYY-MM-DD HH:MM:SS UTC
sla_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$sla_here/../web/lib.sh"

scenario_setup() {
	web_setup
	sed -i "s|^policy = ny-ccc\$|policy = $1|
s|^timezone = UTC\$|timezone = ${2:-UTC}|
s|^management = *\$|management = mgmt@example.org|" "$conf"
	cat > "$MS/agencies.csv" <<'CSV'
agency,title,senders,notify,escalate,bill_to
dot,Department of Transportation,agency.example.gov,dn@dot.example,de@dot.example,agency
CSV
	dmc directory import "$MS/agencies.csv" > /dev/null ||
		{ echo "Bail out! directory import"; exit 1; }
	MARK=0
	NMAIL=0
}

staff_mail() {	# staff_mail N FROM TEXT
	NMAIL=$((NMAIL + 1))
	printf 'From: %s\nTo: help@example.org\nSubject: Re: [HELP #%s] x\nMessage-ID: <s%s.%s@example.org>\nDate: Mon, 02 Mar 2026 09:00:00 +0000\n%s\nContent-Type: text/plain; charset=UTF-8\n\n%s\n' \
		"$2" "$1" "$NMAIL" "$$" "$AR" "$3" > "$MS/staff$NMAIL.eml"
	dmc ingest < "$MS/staff$NMAIL.eml"
}

customer_reply() {	# customer_reply N TEXT
	NMAIL=$((NMAIL + 1))
	printf 'From: Anna Kunde <anna@agency.example.gov>\nTo: help@example.org\nSubject: Re: [HELP #%s] x\nMessage-ID: <r%s.%s@agency.example.gov>\nDate: Mon, 02 Mar 2026 09:00:00 +0000\nContent-Type: text/plain; charset=UTF-8\n\n%s\n' \
		"$1" "$NMAIL" "$$" "$2" > "$MS/reply$NMAIL.eml"
	dmc ingest < "$MS/reply$NMAIL.eml"
}

pass() {	# pass TIME: the cron pass at TIME
	at "$1"
	dmc tick > /dev/null
	send
}

mark() { MARK=$(q 'len(msgs)'); }
# EXPR over the mails since the mark (as new)
mail_q() { q "(lambda new: $1)(msgs[$MARK:])"; }

golden() {	# golden NAME
	/usr/bin/python3 "$sla_here/../lib/golden.py" "$SINK" "$W/outbox.json" > "$MS/$1.got"
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		cp "$MS/$1.got" "$sla_here/$1.expected"
	fi
	diff -u "$sla_here/$1.expected" "$MS/$1.got" > "$MS/$1.diff"
	t_ok $? "every mail, word for word, as reviewed in tests/sla/$1.expected"
	[ -s "$MS/$1.diff" ] && sed 's/^/# /' "$MS/$1.diff" | head -80
	return 0
}

utc() { while read -r s; do date -ud "@$s" '+%F %T'; done; }
