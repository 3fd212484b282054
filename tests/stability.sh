#!/usr/bin/env bash
# Runs the integration suite again and again, to find scenarios whose
# outcome depends on timing: HOST_RUNS times on the host, then CHROOT_RUNS
# times the version matrix (bullseye and trixie side by side). Each run's
# output goes to a log of its own; a failed run's log is kept and named.
#
# usage: tests/stability.sh [HOST_RUNS [CHROOT_RUNS]]   (default: 5 2)
# DLL_CHROOT_BASE (see tests/versions/chroot.sh) puts the chroots apart
# from those of a concurrent run. Needs the plugin built (tests/lib/build.sh)
# and root, like the suites it runs.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
host_runs=${1:-5}
chroot_runs=${2:-2}
logs=$(mktemp -d /tmp/dll-stability.XXXXXX)
passed=0
failed=0

# once KIND N CMD...: one run, its time and its result on one line.
once() {
	local kind=$1 n=$2 t0 rc=0 log
	shift 2
	log=$logs/$kind-$n.log
	t0=$(date +%s)
	"$@" >"$log" 2>&1 || rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "$kind run $n: PASS ($(($(date +%s) - t0))s)"
		rm -f "$log"
	else
		failed=$((failed + 1))
		echo "$kind run $n: FAIL rc=$rc ($(($(date +%s) - t0))s)," \
			"log: $log"
		grep -E '^(FAIL|failed:)' "$log" | sed 's/^/  /'
	fi
}

for ((i = 1; i <= host_runs; i++)); do
	once host "$i" "$top/tests/integration/run.sh"
done
for ((i = 1; i <= chroot_runs; i++)); do
	once chroots "$i" "$top/tests/versions/run.sh"
done
# Nothing but failed runs' logs is kept.
rmdir "$logs" 2>/dev/null || echo "logs of failed runs: $logs"
echo "stability: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
