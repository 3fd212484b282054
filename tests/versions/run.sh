#!/usr/bin/env bash
# Builds and tests the plugin inside Debian chroots, one per suite, so it
# is checked against the Dovecot each release ships:
#   bullseye = Dovecot 2.3.13, bookworm = 2.3.19.1, trixie = 2.4.1
# Usage: tests/versions/run.sh [SUITE...]   (default: bullseye trixie)
# Chroots live under $DLL_CHROOT_BASE (default /var/tmp/dll-chroots) and
# are reused when complete, except under CI, which builds them fresh.
# Set DLL_SKIP_INTEGRATION=1 to run only the build and unit tests.
# DLL_SCENARIOS_<suite> (globs) picks the integration scenarios; by default
# trixie runs those ported to Dovecot 2.4 (see tests/integration/README.md).
# DLL_SCENARIO_TIMEOUT (default 120 s) bounds one scenario run.
# DLL_OVERLAY=DIR copies DIR's files over the source copy in the chroot,
# to try changes to files of the tree before they are made there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=tests/versions/chroot.sh
source "$here/chroot.sh"

[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || "$src/tests/lib/install-deps.sh"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bullseye trixie)

passed=0
failed=0
failures=()
# Mounts and leftover processes go on any exit, including ^C.
trap chroot_umount_all EXIT
trap 'exit 130' INT TERM

# Runs one named step, counts it, and keeps going after a failure.
step() {
	local name=$1 t0 rc=0
	shift
	t0=$(date +%s)
	echo "=== $name"
	"$@" || rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "=== $name: ok ($(($(date +%s) - t0))s)"
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "=== $name: FAILED rc=$rc ($(($(date +%s) - t0))s)"
	fi
	return $rc
}

build() {
	chroot_run "$1" bash -c 'set -e; cd /build/src
		autoreconf -fi >/dev/null
		./configure -q --with-dovecot=/usr/lib/dovecot
		make -s -j2'
}

# make check, then again under valgrind: the hook test runs this
# release's own storage and dict code in-process.
unit() {
	chroot_run "$1" make -C /build/src -s check &&
		chroot_run "$1" make -C /build/src -s check-valgrind
}

DLL_SCENARIOS_trixie=${DLL_SCENARIOS_trixie-file-basic redis-* selftest-* sql-*}
# bullseye: every scenario; where 2.3.13 or bullseye's backends behave
# differently the scenarios branch (dc_version_ge, the server's version).
DLL_SCENARIOS_bullseye=${DLL_SCENARIOS_bullseye-*}

integration() {
	local dir=$1 suite=$2 var globs
	var=DLL_SCENARIOS_$suite
	globs=${!var:-}
	if [ ! -x "$dir/build/src/tests/integration/run.sh" ]; then
		echo "no tests/integration/run.sh" >&2
		return 1
	fi
	# Globs stay unexpanded up to the runner, which matches them.
	chroot_run "$dir" env \
		LL_SCENARIO_TIMEOUT="${DLL_SCENARIO_TIMEOUT:-120}" \
		bash -c 'set -f; cd /build/src && tests/integration/run.sh $0' \
		"$globs"
}

for suite in "${suites[@]}"; do
	dir=$(chroot_dir "$suite")
	t0=$(date +%s)
	step "$suite: chroot" chroot_create "$suite" || continue
	echo "$suite: Dovecot $(chroot_run "$dir" dovecot --version)"
	chroot_copy_source "$src" "$dir"
	# What an interrupted earlier run left in the chroot's /tmp.
	rm -rf "$dir"/tmp/ll-integration.*
	[ -z "${DLL_OVERLAY:-}" ] || cp -a "$DLL_OVERLAY/." "$dir/build/src/"
	if ! chroot_mount "$dir"; then
		step "$suite: mount" false || true
		chroot_umount_all
		continue
	fi
	if step "$suite: build" build "$dir"; then
		step "$suite: unit" unit "$dir" || true
		if [ -z "${DLL_SKIP_INTEGRATION:-}" ]; then
			step "$suite: integration" integration "$dir" "$suite" ||
				true
		fi
	fi
	chroot_umount_all
	echo "$suite: $(($(date +%s) - t0))s, $(du -sxh "$dir" | cut -f1) on disk"
done

[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
