#!/usr/bin/env bash
# Builds and tests the plugin inside Debian chroots, one per suite, so it
# is checked against the Dovecot each release ships:
#   bullseye = Dovecot 2.3.13, bookworm = 2.3.19.1,
#   bookworm-backports = 2.3.21.1, trixie = 2.4.1, sid = 2.4.5
# Usage: tests/versions/run.sh [SUITE...]
#   (default: bullseye bookworm-backports trixie sid; the host is bookworm)
# Chroots live under $DLL_CHROOT_BASE (default /var/tmp/dll-chroots) and
# are reused when complete, except under CI, which builds them fresh.
# Set DLL_SKIP_INTEGRATION=1 to run only the build and unit tests,
# DLL_CHROOTS_ONLY=1 to only make the chroots.
# DLL_SCENARIOS_<suite> (globs, "-" in the suite's name written "_")
# picks the integration scenarios (default: all of them);
# DLL_SCENARIOS_PLAIN those run on the 2.4 releases once more without
# the settings module (tests/versions/settings-module.sh).
# Suites run side by side, each with its own log printed when it is done;
# DLL_PARALLEL=N runs at most N at once (default 2: with the host's suite
# beside them, the 2-core CI machine is busy), 0 one after the other.
# DLL_SCENARIO_TIMEOUT (default 240 s, as on the host) bounds one
# scenario run.
# DLL_OVERLAY=DIR copies DIR's files over the source copy in the chroot,
# to try changes to files of the tree before they are made there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=tests/versions/chroot.sh
source "$here/chroot.sh"
# shellcheck source=tests/versions/settings-module.sh
source "$here/settings-module.sh"

[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || "$src/tests/lib/install-deps.sh"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bullseye bookworm-backports trixie sid)

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

# Every scenario on each: where a release or its backends behave
# differently, the scenarios branch (dc_version_ge, dc_v24, the server's
# version); on 2.4 dc_render writes the config in 2.4 syntax.

# The 2.4 build's settings module (liblast_login_settings.so), which
# Dovecot's config process needs to accept last_login_timeout; none on 2.3.
settings_module() {
	local so=$1/build/src/src/.libs/liblast_login_settings.so
	[ -f "$so" ] && echo "$so"
}

# suite_run DIR CMD...: CMD in the chroot, with the settings module (if
# the build has one) added to Dovecot's settings module dir for CMD and
# all it starts: for ours and for the stock plugin alike, which must work
# with it present (tests/versions/settings-module.sh).
suite_run() {
	local dir=$1 so
	shift
	if so=$(settings_module "$dir"); then
		settings_module_run "$dir" "$so" -- "$@"
	else
		chroot_run "$dir" "$@"
	fi
}

# doveconf accepts last_login_timeout with the module, with and without
# the stock plugin's file, and refuses a bad value.
settings_check() {
	local so
	so=$(settings_module "$1") || {
		echo "the 2.4 build has no liblast_login_settings.so" >&2
		return 1
	}
	settings_module_check "$1" "$so"
}

# integration DIR SUITE [plain]: the integration suite; "plain" runs it
# without the settings module even where the build has one.
integration() {
	local dir=$1 suite=$2 how=${3:-} var globs run=suite_run slice
	var=DLL_SCENARIOS_${suite//-/_}
	# ports of their own beside the host's suite (slice 0) and the others
	case $suite in
	bullseye) slice=1 ;;
	bookworm-backports) slice=2 ;;
	trixie) slice=3 ;;
	*) slice=4 ;;
	esac
	globs=${!var-*}
	if [ "$how" = plain ]; then
		run=chroot_run
		globs=$DLL_SCENARIOS_PLAIN
	fi
	if [ ! -x "$dir/build/src/tests/integration/run.sh" ]; then
		echo "no tests/integration/run.sh" >&2
		return 1
	fi
	# Globs stay unexpanded up to the runner, which matches them.
	$run "$dir" env \
		LL_SCENARIO_TIMEOUT="${DLL_SCENARIO_TIMEOUT:-240}" \
		LL_PORT_SLICE=$slice \
		bash -c 'set -f; cd /build/src && tests/integration/run.sh $0' \
		"$globs"
}

# Without the settings module, a 2.4 config can't have last_login_timeout
# but the plugin must work as before the module existed: these
# scenarios run once more that way on each 2.4 release ("" skips them).
: "${DLL_SCENARIOS_PLAIN=file-basic redis-basic redis-bad-input}"

# run_suite SUITE: every step of one suite, counted by step().
run_suite() {
	local suite=$1 dir t0
	dir=$(chroot_dir "$suite")
	t0=$(date +%s)
	step "$suite: chroot" chroot_create "$suite" || return 0
	[ -z "${DLL_CHROOTS_ONLY:-}" ] || return 0
	echo "$suite: Dovecot $(chroot_run "$dir" dovecot --version)"
	chroot_copy_source "$src" "$dir"
	# What an interrupted earlier run left in the chroot's /tmp.
	rm -rf "$dir"/tmp/ll-integration.* "$dir"/tmp/dll-settings-module.*
	[ -z "${DLL_OVERLAY:-}" ] || cp -a "$DLL_OVERLAY/." "$dir/build/src/"
	if ! chroot_mount "$dir"; then
		step "$suite: mount" false || true
		chroot_umount_all
		return 0
	fi
	if step "$suite: build" build "$dir"; then
		step "$suite: unit" unit "$dir" || true
		if settings_module "$dir" >/dev/null; then
			step "$suite: settings module" settings_check "$dir" ||
				true
		fi
		if [ -z "${DLL_SKIP_INTEGRATION:-}" ]; then
			step "$suite: integration" integration "$dir" "$suite" ||
				true
			if settings_module "$dir" >/dev/null &&
				[ -n "$DLL_SCENARIOS_PLAIN" ]; then
				step "$suite: without the settings module" \
					integration "$dir" "$suite" plain ||
					true
			fi
		fi
	fi
	chroot_umount_all
	echo "$suite: $(($(date +%s) - t0))s, $(du -sxh "$dir" | cut -f1) on disk"
}

if [ "${DLL_PARALLEL:-2}" -le 1 ] || [ ${#suites[@]} -eq 1 ]; then
	for suite in "${suites[@]}"; do
		run_suite "$suite"
	done
else
	# Side by side: most of a suite's time is spent waiting for servers
	# and clients, so two share the machine's cores well.
	CHROOT_JOBS_MAX=${DLL_PARALLEL:-2} \
		chroot_jobs chroot_umount_all run_suite "${suites[@]}"
fi

[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
