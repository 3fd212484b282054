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

# cpu_now: sets cpu_s to the seconds the machine's CPUs have been busy
# since boot (every process: servers that detach count too). A stage's
# share is the difference; stages run side by side share theirs.
cpu_now() {
	local _cpu user nice system idle iowait irq softirq steal
	read -r _cpu user nice system idle iowait irq softirq steal _ </proc/stat
	cpu_s=$(((user + nice + system + irq + softirq + steal) / 100))
}

# stage NAME COMMAND...: run one stage, count it, keep going on failure.
stage() {
	local name=$1 t0 c0 rc=0
	shift
	cpu_now
	t0=$(date +%s) c0=$cpu_s
	echo
	echo "=== $name"
	"$@" || rc=$?
	cpu_now
	stage_result "$name" $rc $(($(date +%s) - t0)) $((cpu_s - c0))
}

# stage_result NAME STATUS SECONDS CPU-SECONDS: counts and prints a
# stage's result.
stage_result() {
	if [ "$2" -eq 0 ]; then
		echo "=== $1: PASS ($3 s, machine CPU busy $4 s)"
		passed=$((passed + 1))
	else
		echo "=== $1: FAIL ($3 s, machine CPU busy $4 s)"
		failed=$((failed + 1))
		failed_stages+=("$1")
	fi
}

# Stages that share nothing run side by side (most of their time is
# spent waiting for servers and clients): side_stage starts one, its
# output in a log of its own; side_wait prints each, in the order they
# were started, when it is done.
side_names=()
side_pids=()
side_logs=$(mktemp -d /tmp/dll-stages.XXXXXX)
side_stage() {
	local name=$1 i=${#side_names[@]}
	shift
	echo "=== $name: started beside the others"
	(
		cpu_now
		t0=$(date +%s) c0=$cpu_s
		rc=0
		"$@" &
		# shellcheck disable=SC2064 # this stage's own PID
		trap "kill -TERM $! 2>/dev/null; wait $!" TERM
		wait $! || rc=$?
		cpu_now
		echo "$rc $(($(date +%s) - t0)) $((cpu_s - c0))" \
			>"$side_logs/$i.result"
	) >"$side_logs/$i.log" 2>&1 &
	side_names+=("$name")
	side_pids+=($!)
}
side_wait() {
	local i rc secs cpu
	for i in "${!side_names[@]}"; do
		wait "${side_pids[i]}" || true
		echo
		echo "=== ${side_names[i]}"
		cat "$side_logs/$i.log"
		read -r rc secs cpu <"$side_logs/$i.result" 2>/dev/null ||
			rc=1 secs=? cpu=?
		stage_result "${side_names[i]}" "$rc" "$secs" "$cpu"
	done
	side_names=()
	side_pids=()
}

tests/lib/install-deps.sh || exit 1
tests/lib/build.sh || exit 1

# The version matrix's chroots are made (downloads, dpkg) while the unit
# stages use the CPU. Under CI they are made fresh once, here (see
# chroot_reusable).
DLL_RUN_STAMP=$(mktemp /tmp/dll-run.XXXXXX)
export DLL_RUN_STAMP
chroots_log=$DLL_RUN_STAMP.chroots
chroots_pid=
if [ -x tests/versions/run.sh ]; then
	# the version matrix's four, and the packages' bookworm for the
	# host's package
	(
		DLL_CHROOTS_ONLY=1 DLL_PARALLEL=4 tests/versions/run.sh &
		matrix=$!
		DLL_CHROOTS_ONLY=1 tests/packages/run.sh host &
		# shellcheck disable=SC2064 # these two PIDs
		trap "kill $matrix $! 2>/dev/null; wait" TERM
		wait
	) >"$chroots_log" 2>&1 &
	chroots_pid=$!
fi
# On exit, what still runs beside is stopped (each cleans up on TERM).
trap '[ -z "$chroots_pid" ] || kill "$chroots_pid" 2>/dev/null
	[ ${#side_pids[@]} -eq 0 ] || kill "${side_pids[@]}" 2>/dev/null
	wait
	rm -rf "$DLL_RUN_STAMP" "$chroots_log" "$side_logs"' EXIT

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

t_start=$(date +%s)
# The host's suite, the unit stages and the chroots' suites share nothing
# but the machine: each scenario run has its own servers, dirs and ports,
# and the unit stages start no server. The host's suite starts first,
# beside the unit stages, which use one core at a time.
side_stage "integration suite on the host (Dovecot $(dovecot --version |
	cut -d' ' -f1)), ours and stock side by side" tests/integration/run.sh
stage "unit tests (make check)" make check
stage "unit tests under valgrind (make check-valgrind)" make check-valgrind
stage "unit tests under AddressSanitizer" tests/lib/check-asan.sh
stage "make distcheck" make distcheck
chroots_made
side_stage "Dovecot 2.3.13, 2.3.21.1, 2.4.1 and 2.4.5 in chroots" \
	tests/versions/run.sh
side_wait
stage "Debian packages" tests/packages/run.sh

echo
[ ${#failed_stages[@]} -eq 0 ] || echo "failed: ${failed_stages[*]}"
echo "stages: $passed passed, $failed failed ($(($(date +%s) - t_start)) s after the build)"
[ "$failed" -eq 0 ]
