#!/bin/sh
# Build the libFuzzer targets with clang (ASan + UBSan) and run each for
# SECONDS (default 60), one after the other, seeded from the test data:
# tests/ingest/cases, tests/route, tests/sla, contrib/demo, templates/ and
# ../shared/corpus (mail).
#
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]
#        tests/fuzz/run.sh --build            (build only)
#        tests/fuzz/run.sh --replay           (every saved input once)
# TARGETs: mime commands token config route template web directory sla
# header zone participants filename search lmtp (default: all).  Crashes
# land in tests/fuzz/crashes/TARGET-*; the corpora grow in $FUZZ_BUILD (default
# build-fuzz/) from run to run.  One line per target: "fuzz TARGET: N
# runs in S s: ok|FAILED (...)", also appended to $FUZZ_BUILD/totals.tsv.
# Exit 0 only if every target ran clean.  FUZZ_ARGS adds libFuzzer
# options (e.g. FUZZ_ARGS=-jobs=1).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${FUZZ_BUILD:-$top/build-fuzz}
all="mime commands token config route template web directory sla header zone participants filename search lmtp"
command -v clang >/dev/null || { echo "fuzz: clang is needed (apt-get install clang libclang-rt-14-dev)" >&2; exit 69; }

mode=run secs=60
case ${1:-} in
--build)	mode=build; shift ;;
--replay)	mode=replay; shift ;;
[0-9]*)		secs=$1; shift ;;
esac
targets=${*:-$all}
for t in $targets; do
	case " $all " in *" $t "*) ;; *) echo "fuzz: no target '$t' ($all)" >&2; exit 64 ;; esac
done

# ---- build ------------------------------------------------------------
# The library once, instrumented for coverage (fuzzer-no-link), into an
# archive each target links what it needs from; the front-ends (main.c,
# cmd_*.c, report*.c) are not reached by any target and are left out.
mkdir -p "$out/obj" "$out/inc" "$here/crashes"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-g -O1 -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Wno-unused-parameter $san -I$top/include -I$out/inc"
cflags="$cflags -DTEMPLATE_SRCDIR=\"$top/templates\" -DDM_SRCDIR=\"$top\""
# lang_guess.c's <textcat.h> (config.h below may say HAVE_TEXTCAT)
cflags="$cflags $(pkg-config --cflags libexttextcat 2>/dev/null)"
# store_pg.c's <libpq-fe.h> (libpq itself is loaded at run time, dyn.h)
cflags="$cflags $(pkg-config --cflags libpq)"
libs="$(pkg-config --libs sqlite3 libpcre2-8 json-c inih nettle) -letpan -llockfile -lm -ldl"
# web.c's config.h: the sonames it loads libmicrohttpd & co. by
if [ ! -f "$out/inc/config.h" ]; then
	if [ -f "$top/build/build-aux/config.h" ]; then
		cp "$top/build/build-aux/config.h" "$out/inc/config.h"
	else
		printf '#define MHD_SONAME "libmicrohttpd.so.12"\n#define CURL_SONAME "libcurl-gnutls.so.4"\n#define GNUTLS_SONAME "libgnutls.so.30"\n#define PQ_SONAME "libpq.so.5"\n' >"$out/inc/config.h"
	fi
fi
# a config.h from before the PostgreSQL store lacks its soname
grep -q PQ_SONAME "$out/inc/config.h" ||
	echo '#define PQ_SONAME "libpq.so.5"' >> "$out/inc/config.h"
newest_h=$(ls -t "$top"/include/deskmail/*.h | head -1)
objs=
for s in "$top"/src/*.c; do
	b=$(basename "$s" .c)
	case $b in main|front|cmd_*|report*) continue ;; esac
	o=$out/obj/$b.o
	if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		clang $cflags -fsanitize=fuzzer-no-link -c -o "$o" "$s"
	fi
	objs="$objs $o"
done
rm -f "$out/libdm-fuzz.a"
ar rcs "$out/libdm-fuzz.a" $objs
for t in $targets; do
	clang $cflags -fsanitize=fuzzer -o "$out/fuzz_$t" "$here/fuzz_$t.c" \
	    "$out/libdm-fuzz.a" $libs
done
[ $mode = build ] && exit 0

# ---- seeds ------------------------------------------------------------
# Heredocs of the shell tests (rules files, CSV files, configs), the
# configs of the ingest cases, and what contrib/demo and templates/ hold.
seeds() {	# seeds TARGET: fill $out/seeds-TARGET
	d=$out/seeds-$1
	rm -rf "$d"
	mkdir -p "$d"
	case $1 in
	mime)
		find "$top/contrib/demo/mail" "$top/tests" "$top/../shared/corpus" \
		    -name '*.eml' -exec cp {} "$d/" \; 2>/dev/null || true
		;;
	commands)
		printf '#resolve\n' >"$d/resolve"
		printf 'Fixed it.\n\n#assign desktop\n#severity 2\n  #note\n> #resolve\n' >"$d/several"
		printf '#severity 4\n#transfer\n#hashtag-thing\n#42\n#ACK\r\n' >"$d/bad"
		printf 'Done.\n#category security\n#agency dot\n#owner ogs\n#pending\n\n-- \nsig\n' >"$d/class"
		grep -l '^#[a-z]' "$top/contrib/demo/mail"/*.eml "$top/tests/ingest/cases"/*.case 2>/dev/null |
			while read -r f; do cp "$f" "$d/"; done
		;;
	token)
		printf 'AQAAAAAAAAAAAQAAAAAAAAABAAAAAGmlWZSu8VtZ0qkBEjNEVWZ3iJmq\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n' >"$d/shape"
		printf '\001\000\000\000\000\000\000\000\000\052\000\000\000\000\000\000\000\003\000\000\000\000\177\000\000\000' >"$d/fields-status"
		printf '\004\005\000\000\000\000\000\000\000\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >"$d/fields-survey-expired"
		printf 'AQ-_AAAAAAAAAQAAAAAAAAABAAAAAGmlWZSu8VtZ0qkBEjNEVWZ3iJm=\n' >"$d/bad-char"
		;;
	config)
		for f in "$top"/tests/ingest/cases/*.case; do
			awk '/^--- /{on=($2=="config")} on&&!/^--- /' "$f" >"$d/$(basename "$f" .case)"
			[ -s "$d/$(basename "$f" .case)" ] || rm -f "$d/$(basename "$f" .case)"
		done
		if [ -x "$top/build/src/deskmail" ]; then
			tmp=$(mktemp -d)
			"$top/build/src/deskmail" init "$tmp/x" >/dev/null 2>&1 &&
				cp "$tmp/x/deskmail.conf" "$d/init.conf"
			rm -rf "$tmp"
		fi
		{ printf '[deskmail]\naddress = help@example.org\ndefault_team = desktop\n'
		  printf '[routing]\nrules = rules\nmode = all\nmatch_limit = 1000\n'
		  printf '[team servicedesk]\nmembers = a@example.org, b@example.org\n'
		  printf '[team desktop]\n[team apps]\n[team dispatch]\n'
		  printf '[team security]\nsla_policy = gold\nescalation = c@example.org\n'
		  printf '[policy gold]\ntriage = 15m\nseverity1 = hours=24x7 ack=15m updates=1h,4h restored\n'
		  printf '[mailbox main]\nurl = imaps://imap.example.org:993/Help%%20Desk\nuser = help\npassword_env = PW\nafter = move\nmove_to = Done\n'
		  printf '[billing]\nrate_security = 12.50\n'
		  printf '[queue desk]\naddress = desk@example.org\nteam = desktop\npolicy = gold\ntag = DESK\nname = Desk\n'
		  printf '[queue hw]\naddress = hw@example.org\nteam = apps\nfrom = help@example.org\n'
		  printf '%%%%\n'
		  cat "$top/contrib/demo/rules.txt"; } >"$d/with-rules"
		;;
	route)
		cp "$top/contrib/demo/rules.txt" "$d/demo"
		for m in 01-new-printer 02-new-password 06-html-only-with-screenshot; do
			[ -f "$top/contrib/demo/mail/$m.eml" ] || continue
			{ cat "$top/contrib/demo/rules.txt"; printf '%%%%\n'
			  cat "$top/contrib/demo/mail/$m.eml"; } >"$d/demo-$m"
		done
		printf 'body /(a+)+$/ category=security\nany /^(\\w+\\s?)*$/m team=apps stop\n' >"$d/backtrack"
		;;
	template)
		# the shared ones and English's (es/ has the same names)
		cp "$top"/templates/*.txt "$top"/templates/*.html \
		    "$top"/templates/en/*.txt "$top"/templates/en/*.html "$d/"
		{ cat "$top/templates/en/ack.txt"; printf '%%%%\n'
		  cat "$top/templates/en/ack.html"; } >"$d/ack-both"
		for f in ack.txt page_status.html; do
			cp "$top/templates/es/$f" "$d/es-$f"
		done
		;;
	web)
		printf 'GET\n/l/@TOKEN1@\n' >"$d/status"
		printf 'GET\n/l/@TOKEN2@\n' >"$d/accept"
		printf 'GET\n/x/l/@TOKEN3@\n' >"$d/notfixed"
		printf 'GET\n/l/@TOKEN4@\n' >"$d/survey"
		printf 'POST\n/l/@TOKEN4@\ncsrf=@CSRF@&rating=4&comment=Quick+and%%20kind\n' >"$d/survey-post"
		printf 'POST\n/l/@TOKEN3@\ncsrf=@CSRF@&comment=still+broken\n' >"$d/notfixed-post"
		printf 'POST\n/l/@TOKEN2@\ncsrf=wrong\n' >"$d/accept-bad-csrf"
		printf 'HEAD\n/deskmail/style.css\n' >"$d/css"
		printf 'DELETE\n/l/@TOKEN1@\n' >"$d/method"
		printf 'GET\n/l/AQAAAAAAAAAAAQAAAAAAAAABAAAAAGmlWZSu8VtZ0qkBEjNEVWZ3iJmq\n' >"$d/forged"
		printf 'GET\n/l/@TOKEN5@\n' >"$d/download"
		printf 'HEAD\n/l/@TOKEN5@\n' >"$d/download-head"
		printf 'POST\n/l/@TOKEN5@\ncsrf=@CSRF@\n' >"$d/download-post"
		printf 'GET\n127.0.0.1:8025\n' >"$d/listen"
		;;
	directory)
		cp "$top/contrib/demo/agencies.csv" "$d/demo.csv"
		printf 'agency,title,senders,notify,escalate,bill_to,timezone,fte\na,A,a.example,,,,America/Denver,12.5\nb,"B, Inc",b.example;x@y.example,,,owner,,0.25\nc,C,c.example,,,,,\n' >"$d/fte.csv"
		;;
	sla)
		printf 'triage 15m\nseverity1 hours=24x7 ack=15m initial=15m updates=every:1h restored significant\n' >"$d/ny1"
		printf 'severity2 hours=24x7 ack=15m initial=15m updates=1h,4h,8h restored significant\nseverity3 hours=24x7 referral=2d\nunset hours=24x7\n' >"$d/ny2"
		printf 'severity1 hours=24x7 assign=15m updates=every:30m resolve=4h\nseverity2 hours=business assign=4h updates=every:2d resolve=14d\n' >"$d/colorado"
		;;
	search)
		printf 'printer' >"$d/word"
		printf '"permit portal" kronos flicker* N\303\272\303\261ez\n%%%%\nThe permit portal of Kronos flickers for N\303\272\303\261ez.' >"$d/words-doc"
		printf 'NEAR(a b, 3) subject:x OR -y ^z {a b}:c\n%%%%\nnear a b subject x or y z' >"$d/syntax"
		printf '"unclosed "a""b" * ** "*"* \t\r\n' >"$d/quotes"
		;;
	zone)
		for z in America/Denver America/New_York Europe/Berlin UTC \
		    Australia/Sydney Asia/Jerusalem Asia/Kolkata; do
			[ -f "/usr/share/zoneinfo/$z" ] &&
				cp "/usr/share/zoneinfo/$z" "$d/$(echo "$z" | tr / -)"
		done
		printf 'MST7MDT,M3.2.0,M11.1.0' >"$d/rule-us"
		printf 'AEST-10AEDT,M10.1.0,M4.1.0/3' >"$d/rule-south"
		printf 'IST-2IDT,M3.4.4/26,M10.5.0' >"$d/rule-hour26"
		printf '<+0330>-3:30' >"$d/rule-quoted"
		printf 'EST5EDT,0/0,J365/25' >"$d/rule-all-year"
		;;
	participants)
		printf 'Service Desk <help@example.org>, boss@agency.example.gov\n%%%%\nanna@agency.example.gov, Tech <tech1@example.org>, it-l@agency.example.gov, , noreply@x.example, A@B.example' >"$d/to-cc"
		printf 'add <Dora@X.Example>' >"$d/cc-add"
		printf 'remove dora@x.example' >"$d/cc-remove"
		printf 'ticket-requesters:VPN token' >"$d/audience"
		printf 'agency:DOT' >"$d/agency"
		;;
	header)
		# a From display name, "%%", a Subject, "%%", message ids
		a69=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
		printf 'Example Service Desk\n%%%%\n%sReply-To:evil@attacker.example\n%%%%\nc1@example.net' "$a69" >"$d/attack"
		printf 'Desk\n%%%%\n[HELP #1] New: %sTo:evil@attacker.example' "$a69" >"$d/attack-to"
		printf '\r\n Reply-To: x@y\n%%%%\nx\r\nBcc: y@z\rTo: w@v\n%%%%\na@b\r\nBcc: c@d <e@f>' >"$d/crlf"
		printf 'Gr\303\274\303\237e "Boss" \\\\\n%%%%\n=?UTF-8?B?QQ==?= \346\274\242\345\255\227 \360\237\230\200 e\314\201 \302\205 \342\200\250 =?iso-8859-1?q?caf=E9?=' >"$d/scripts"
		printf '\377\376\n%%%%\n\303( \355\240\200 \364\220\200\200 \342\202' >"$d/invalid"
		printf '"::<<>>" \\"\n%%%%\n::::: <<<>>> "\\" \177\001\033' >"$d/specials"
		printf 'x\n%%%%\n%s\n%%%%\n' "$(printf 'W%.0s' $(seq 1000))" >"$d/long-word"
		# the subjects of the mail the tests and the demo ingest
		i=0
		grep -h '^Subject:' "$top/tests/ingest/cases"/*.case \
		    "$top/contrib/demo/mail"/*.eml 2>/dev/null | sort -u |
			while IFS= read -r l; do
				i=$((i + 1))
				printf 'Customer\n%%%%\n%s' "${l#Subject: }" >"$d/subject-$i"
			done
		;;
	filename)
		# a name, "%%", a media type (the names of the attachment tests)
		printf 'report.pdf' >"$d/plain"
		printf '../../etc/passwd\n%%%%\ntext/plain; charset=utf-8' >"$d/traversal"
		printf 'evil\r\nBcc: x@y.txt\n%%%%\napplication/pdf;\r\n x="\r\nTo: z"' >"$d/crlf"
		printf 'invoice\342\200\256fdp.exe\n%%%%\nmessage/rfc822' >"$d/bidi"
		printf 'Sch\303\266ne Gr\303\274\303\237e \"=?UTF-8?B?QQ==?=\" %%41.pdf' >"$d/utf8-quote"
		printf 'CON.txt\n%%%%\nimage/png' >"$d/device"
		printf '%s.pdf' "$(printf '\303\251%.0s' $(seq 150))" >"$d/long-utf8"
		printf '%s' "$(printf 'x%.0s' $(seq 300))" >"$d/long-ascii"
		printf ' .. . \377\376 \n%%%%\n/' >"$d/junk"
		;;
	esac
	# heredocs: CSV files to directory, rules files to route, configs
	# (a line "[section]") to config
	for f in "$top"/tests/route/*.test "$top"/tests/sla/*.test; do
		awk -v d="$d" -v t="$1" -v b="$(basename "$f" .test)" '
		    /<<-?'"'"'?EOF2?'"'"'?/ && !/python/ { on = 1; n++; s = ""; next }
		    on && /^EOF2?$/ {
			on = 0
			if ((t == "directory" && s ~ /agency,title/) ||
			    (t == "config" && s ~ /(^|\n)\[[a-z]/) ||
			    (t == "route" && s ~ /(^|\n)(from|to|subject|body|any)[ \t]/))
				printf "%s", s > (d "/" b "-" n)
			next
		    }
		    on { s = s $0 "\n" }' "$f"
	done
}

# ---- run --------------------------------------------------------------
maxlen() {
	case $1 in
	mime) echo 65536 ;; template|directory) echo 16384 ;;
	token) echo 512 ;; sla) echo 2048 ;; filename|search) echo 4096 ;;
	*) echo 8192 ;;
	esac
}

status=0
for t in $targets; do
	corpus=$out/corpus-$t
	mkdir -p "$corpus"
	log=$out/$t.log
	if [ $mode = replay ]; then
		# every input kept for this target: corpus and crashes, once each
		set -- "$corpus"/* "$here"/inputs/"$t"/* "$here"/crashes/"$t"-*
		files=
		for f in "$@"; do [ -f "$f" ] && files="$files $f"; done
		[ -n "$files" ] || continue
		# shellcheck disable=SC2086
		if "$out/fuzz_$t" -runs=1 $files >"$log" 2>&1; then
			echo "fuzz $t: replayed $(echo $files | wc -w) inputs: ok"
		else
			echo "fuzz $t: replay FAILED (see $log)"; status=1
		fi
		continue
	fi
	seeds "$t"
	start=$(date +%s)
	rc=0
	# shellcheck disable=SC2086
	"$out/fuzz_$t" -max_total_time="$secs" -max_len="$(maxlen "$t")" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$here/crashes/$t-" ${FUZZ_ARGS:-} \
	    "$corpus" "$out/seeds-$t" >"$log" 2>&1 || rc=$?
	end=$(date +%s)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ $rc = 0 ] && ! grep -qE '^==[0-9]+==ERROR|runtime error|^SUMMARY:|deadly signal|Test unit written' "$log"; then
		result=ok
	else
		result="FAILED (exit $rc; $(grep -m1 -E 'ERROR|runtime error|deadly signal' "$log" | cut -c1-100))"
		status=1
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly' "$log" | head -10
	fi
	echo "fuzz $t: ${runs:-0} runs in $((end - start)) s: $result"
	printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$t" \
	    "${runs:-0}" "$((end - start))" "$result" >>"$out/totals.tsv"
done
exit $status
