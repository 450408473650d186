#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run.sh BUILD_DIR SECONDS: run every libFuzzer target built in
# BUILD_DIR/tests/fuzz for SECONDS seconds each, on a temporary copy of its
# seed corpus (tests/fuzz/corpus/NAME, so the checked-in seeds never grow)
# with its dictionary (tests/fuzz/NAME.dict) when there is one.
#
# Prints "fuzz: NAME ok (N runs)" per target. On a crash, leak or timeout it
# prints the fuzzer's report, keeps the crashing input under
# BUILD_DIR/tests/fuzz/artifacts/ and, after the other targets ran, exits 1.
#
# The build dir comes from:
#   CC=clang meson setup BUILD_DIR -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
set -euo pipefail

usage() {
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
}

[ $# -eq 2 ] || usage
build=$1
secs=$2
[[ $secs =~ ^[1-9][0-9]*$ ]] || usage

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bindir=$build/tests/fuzz
[ -d "$bindir" ] || {
	echo "fuzz: no $bindir: configure with -Dfuzz=true (clang)" >&2
	exit 1
}
artifacts=$(cd "$bindir" && pwd)/artifacts
mkdir -p "$artifacts"

# Undefined behaviour is a failure too, not a line in a log.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nsdp-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

targets=0
failed=0
for exe in "$bindir"/fuzz_*; do
	if [ ! -f "$exe" ] || [ ! -x "$exe" ]; then
		continue
	fi
	name=$(basename "$exe")
	targets=$((targets + 1))

	corpus=$tmp/$name.corpus
	mkdir -p "$corpus"
	if [ -d "$here/corpus/$name" ]; then
		cp -R "$here/corpus/$name/." "$corpus/"
	fi
	args=(-max_total_time="$secs" -timeout=25 -print_final_stats=1
	      -artifact_prefix="$artifacts/$name-")
	if [ -f "$here/$name.dict" ]; then
		args+=(-dict="$here/$name.dict")
	fi

	log=$tmp/$name.log
	if "$exe" "${args[@]}" "$corpus" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
		echo "fuzz: $name ok (${runs:-?} runs)"
	else
		rc=$?
		failed=$((failed + 1))
		echo "fuzz: $name FAILED (exit $rc); fuzzer output follows" >&2
		# The report starts at the first sanitizer or libFuzzer error line.
		if grep -Eq '^==[0-9]+==|runtime error:' "$log"; then
			awk '/^==[0-9]+==|runtime error:/ { p = 1 } p' "$log" >&2
		else
			tail -n 60 "$log" >&2
		fi
		echo "fuzz: $name: crashing input kept in $artifacts/" >&2
	fi
done

if [ "$targets" -eq 0 ]; then
	echo "fuzz: no fuzz target in $bindir" >&2
	exit 1
fi
[ "$failed" -eq 0 ] || exit 1
