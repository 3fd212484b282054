#!/usr/bin/env bash
# The whole test suite, as README.md and .ci/run call it: installs what is
# missing, builds, and runs every stage. Each stage prints its own
# results; the last line sums the stages up as "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
passed=0
failed=0
failed_stages=()

# stage NAME COMMAND...: run one stage, count it, keep going on failure.
stage() {
	local name=$1
	shift
	echo
	echo "=== $name"
	if "$@"; then
		echo "=== $name: PASS"
		passed=$((passed + 1))
	else
		echo "=== $name: FAIL"
		failed=$((failed + 1))
		failed_stages+=("$name")
	fi
}

tests/lib/install-deps.sh || exit 1
tests/lib/build.sh || exit 1

stage "unit tests (make check)" make check
stage "unit tests under valgrind (make check-valgrind)" make check-valgrind
stage "unit tests under AddressSanitizer" tests/lib/check-asan.sh
stage "make distcheck" make distcheck
if [ -x tests/integration/run.sh ]; then
	stage "integration suite, ours and stock side by side" \
		tests/integration/run.sh
fi
if [ -x tests/versions/run.sh ]; then
	stage "Dovecot 2.3.13 and 2.4.1 in chroots" tests/versions/run.sh
fi
if [ -x tests/packages/run.sh ]; then
	stage "Debian packages" tests/packages/run.sh
fi

echo
[ ${#failed_stages[@]} -eq 0 ] || echo "failed: ${failed_stages[*]}"
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
