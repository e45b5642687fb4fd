#!/bin/sh
# The whole test suite as CI runs it (the README's second command):
# installs what is missing, builds in build/ with warnings as errors and
# runs `make check`, then builds in build-asan/ with AddressSanitizer and
# UndefinedBehaviorSanitizer and runs the same suite again, then again in
# build-pg/ on a PostgreSQL store (those tests that open one), then a short
# libFuzzer campaign (20 s per target).  Ends with one line "N passed, N
# failed" over all of it.  Exit 0 only if all passed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=$(nproc 2>/dev/null || echo 2)

contrib/install-deps.sh --tests || { echo "run-all: installing packages failed"; exit 1; }
autoreconf -fi >/dev/null 2>&1 || { echo "run-all: autoreconf failed"; exit 1; }

passed=0 failed=0 status=0
suite() {	# suite DIR CONFIGURE-ARGS...
	dir=$1
	shift
	echo "== $dir: configure $*"
	mkdir -p "$top/$dir"
	( cd "$top/$dir" && "$top/configure" "$@" >configure.out 2>&1 ) ||
		{ cat "$top/$dir/configure.out"; failed=$((failed + 1)); status=1; return; }
	( cd "$top/$dir" && make -j"$jobs" >make.out 2>&1 ) ||
		{ tail -40 "$top/$dir/make.out"; failed=$((failed + 1)); status=1; return; }
	( cd "$top/$dir" && make -j"$jobs" check ${TESTS:+TESTS="$TESTS"} ) || status=1
	log=$top/$dir/test-suite.log
	if [ -f "$log" ]; then
		p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
		x=$(sed -n 's/^# XFAIL: *//p' "$log" | head -1)
		f=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
		e=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
		u=$(sed -n 's/^# XPASS: *//p' "$log" | head -1)
		passed=$((passed + ${p:-0} + ${x:-0}))
		failed=$((failed + ${f:-0} + ${e:-0} + ${u:-0}))
		# show what failed, so a CI log is enough to act on
		[ "${f:-0}${e:-0}" != 00 ] && grep -E '^(FAIL|ERROR):' "$log" | head -20
	else
		failed=$((failed + 1))
	fi
}

suite build --enable-werror
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	suite build-asan --enable-werror --enable-sanitizers
# The same suite on a PostgreSQL store (issue 20), built with the
# sanitizers: one cluster for the leg (tests/lib/pg-suite.sh), a database
# per test (tests/lib/store.sh).
# The tests that never open a store ran above and are left out here, and
# so are those that always run on a PostgreSQL cluster of their own.
echo "== build-pg: the suite on PostgreSQL"
pg_tests=$(make -s -C "$top/build" print-tests | tr ' ' '\n' |
	grep -vxE 'tests/unit/unit|tests/unit/headers.test|tests/corpus/corpus.test|tests/fuzz/regressions.test|tests/doc/.*|tests/package/deb.test|tests/pg/.*|tests/chaos/instances.test|tests/ops/units.test|tests/upgrade/upgrade.test' |
	tr '\n' ' ')
# in /tmp: the cluster runs as the postgres user, who may not enter the
# tree (a clone in /root, mode 0700)
pg_dir=$(mktemp -d /tmp/deskmail-pgsuite.XXXXXX)
pg_env=$(tests/lib/pg-suite.sh start "$pg_dir") ||
	{ echo "run-all: the suite's PostgreSQL cluster did not start"; }
eval "$pg_env"
# with the sanitizers: store_pg.c gets their scrutiny, on its own leg
DESKMAIL_TEST_DATABASE=pg TESTS="$pg_tests" \
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	suite build-pg --enable-werror --enable-sanitizers
tests/lib/pg-suite.sh stop "$pg_dir" || true
rm -rf "$pg_dir"
# a short fuzz campaign (issue 9): 20 s per target; `make fuzz` runs long
echo "== fuzz: 20 s per target"
if FUZZ_BUILD=$top/build-fuzz tests/fuzz/run.sh 20; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	status=1
fi
echo "$passed passed, $failed failed"
[ "$status" = 0 ] && [ "$failed" = 0 ]
