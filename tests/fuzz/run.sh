#!/bin/sh
# Build the libFuzzer targets with clang (ASan + UBSan) and run each for
# SECONDS (default 60), seeded from the test mails and ../shared/corpus.
# Usage: tests/fuzz/run.sh [SECONDS]   Crashes land in tests/fuzz/crashes/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-60}
out=${FUZZ_BUILD:-$top/build-fuzz}
command -v clang >/dev/null || { echo "fuzz: clang is needed (apt-get install clang libclang-rt-14-dev)" >&2; exit 69; }
mkdir -p "$out" "$here/crashes"
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE -I$top/include"
libs="$(pkg-config --libs sqlite3 libpcre2-8 json-c inih nettle) -letpan"
srcs="err.c util.c config.c charset.c html.c strip.c mime.c classify.c thread.c store.c message.c outbox.c ticket.c json.c clock.c"
set --
for s in $srcs; do set -- "$@" "$top/src/$s"; done
clang $flags -o "$out/fuzz_mime" "$here/fuzz_mime.c" "$@" $libs
seeds=$out/seeds-mime
mkdir -p "$seeds"
find "$top/contrib/demo/mail" "$top/tests" "$top/../shared/corpus" -name '*.eml' \
	-exec cp {} "$seeds/" \; 2>/dev/null || true
"$out/fuzz_mime" -max_total_time="$secs" -max_len=65536 -timeout=10 \
	-artifact_prefix="$here/crashes/" -print_final_stats=1 "$out/corpus-mime" "$seeds" 2>&1 |
	grep -E 'stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|crash-' || true
