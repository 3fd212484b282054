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

# The version matrix's chroots are made (downloads, dpkg) while the unit
# stages use the CPU; nothing runs beside the stages that start servers.
# Under CI they are made fresh once, here (see chroot_reusable).
DLL_RUN_STAMP=$(mktemp /tmp/dll-run.XXXXXX)
export DLL_RUN_STAMP
chroots_log=$DLL_RUN_STAMP.chroots
chroots_pid=
if [ -x tests/versions/run.sh ]; then
	DLL_CHROOTS_ONLY=1 tests/versions/run.sh >"$chroots_log" 2>&1 &
	chroots_pid=$!
fi
trap '[ -z "$chroots_pid" ] || kill "$chroots_pid" 2>/dev/null
	rm -f "$DLL_RUN_STAMP" "$chroots_log"' EXIT

# chroots_made: waits for them and shows how it went; a failure is left
# to the version matrix, which tries again.
chroots_made() {
	[ -n "$chroots_pid" ] || return 0
	echo
	echo "=== chroots for the version matrix"
	wait "$chroots_pid" || true
	chroots_pid=
	cat "$chroots_log"
}

stage "unit tests (make check)" make check
stage "unit tests under valgrind (make check-valgrind)" make check-valgrind
stage "unit tests under AddressSanitizer" tests/lib/check-asan.sh
stage "make distcheck" make distcheck
chroots_made
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
