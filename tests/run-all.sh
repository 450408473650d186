#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run-all.sh: every test nsdp has, in order of cost. Expects tools/setup.sh
# to have installed the dependencies and reserved hugepages (it calls us).
#
#  1. unit tests (cmocka), gcc build with -Werror
#  2. unit tests again in a clang build with ASan + UBSan and -Werror
#  3. libFuzzer targets (clang), each for a bounded time
#  4. end-to-end tests: real Linux hosts in network namespaces
#
# Closes with "tests: N passed, N failed" and exits non-zero on any failure.
set -uo pipefail

cd "$(dirname "$0")/.."
FUZZ_SECONDS=${NSDP_FUZZ_SECONDS:-20}
passed=0
failed=0

stage() { printf '\n== %s\n' "$*"; }
ok() { passed=$((passed + $1)); }
ko() { failed=$((failed + $1)); echo "FAILED: $2"; }

# meson test prints "Ok: N" and "Fail: N"; fold them into our totals.
meson_unit() {
	local dir=$1 out
	out=$(meson test -C "$dir" --suite unit --print-errorlogs 2>&1)
	local rc=$?
	echo "$out" | grep -E '^ *[0-9]+/[0-9]+ |^Ok:|^Fail:|^Timeout:|FAIL|ERROR' || true
	local okn failn ton
	okn=$(echo "$out" | awk '/^Ok:/ {print $2}')
	failn=$(echo "$out" | awk '/^Fail:/ {print $2}')
	ton=$(echo "$out" | awk '/^Timeout:/ {print $2}')
	ok "${okn:-0}"
	if [ "$rc" -ne 0 ] || [ "${failn:-0}" -ne 0 ] || [ "${ton:-0}" -ne 0 ]; then
		ko $(( ${failn:-0} + ${ton:-0} > 0 ? ${failn:-0} + ${ton:-0} : 1 )) "unit tests in $dir"
		echo "$out" | tail -n 60
	fi
}

stage "unit tests (gcc)"
if ninja -C build >/dev/null; then
	meson_unit build
else
	ko 1 "gcc build"
fi

stage "unit tests (clang, ASan + UBSan)"
if [ ! -f build-asan/build.ninja ]; then
	CC=clang meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbenchmarks=false >/dev/null
fi
if ninja -C build-asan >/dev/null; then
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson_unit build-asan
else
	ninja -C build-asan | tail -n 30
	ko 1 "clang ASan/UBSan build"
fi

stage "fuzz targets (clang, libFuzzer, ${FUZZ_SECONDS}s each)"
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dtests=disabled -Dbenchmarks=false >/dev/null
fi
if ninja -C build-fuzz >/dev/null; then
	if out=$(tests/fuzz/run.sh build-fuzz "$FUZZ_SECONDS" 2>&1); then
		echo "$out" | grep '^fuzz:'
		ok "$(echo "$out" | grep -c '^fuzz: .* ok')"
	else
		echo "$out" | tail -n 40
		ko 1 "fuzzing"
	fi
else
	ko 1 "fuzz build"
fi

stage "end-to-end tests"
for t in tests/e2e/test_*.py; do
	echo "-- $t"
	out=$(timeout 600 /usr/bin/python3 "$t" 2>&1)
	rc=$?
	echo "$out"
	summary=$(echo "$out" | tail -n 1)
	p=$(echo "$summary" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/p')
	f=$(echo "$summary" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/p')
	ok "${p:-0}"
	if [ "$rc" -ne 0 ]; then
		ko $(( ${f:-0} > 0 ? ${f:-0} : 1 )) "$t"
	fi
done

echo
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
