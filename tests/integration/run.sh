#!/usr/bin/env bash
# Integration suite: runs every scenarios/*.sh once per plugin (ours, the
# stock Debian module, or both), each in a fresh temp dir with private
# servers, then compares the observations of ours and stock.
#
# usage: run.sh [--plugin ours|stock|both] [--keep] [SCENARIO-GLOB...]
#   SCENARIO-GLOB matches scenario names without .sh (default: all).
# Prints one PASS/FAIL line per scenario+plugin (and per comparison), then
# "N passed, N failed"; exits non-zero on any failure.
# LL_PORT_SLICE (0 to 4, default 0): the fifth of ports 20000-31999 that
# the scenarios' port blocks come from. Suites run side by side on one
# machine (tests/versions, each chroot with the host's network) take
# different slices, so that two never try the same port at once.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")" && pwd)
OURS_SO=${LL_OURS_SO:-$ROOT/../../src/.libs/lib10_last_login_plugin.so}
STOCK_SO=${LL_STOCK_SO:-/usr/lib/dovecot/modules/lib10_last_login_plugin.so}
SCENARIO_TIMEOUT=${LL_SCENARIO_TIMEOUT:-240}

mode=both keep='' globs=()
while [ $# -gt 0 ]; do
	case $1 in
	--plugin) mode=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,9p' "$0"; exit 0 ;;
	*) globs+=("$1"); shift ;;
	esac
done
case $mode in
ours) plugins=(ours) ;;
stock) plugins=(stock) ;;
both) plugins=(ours stock) ;;
*) echo "run.sh: --plugin ours|stock|both" >&2; exit 2 ;;
esac
[ ${#globs[@]} -gt 0 ] || globs=('*')
[ "$(id -u)" = 0 ] || { echo "run.sh: must run as root (Dovecot)" >&2; exit 2; }

RUN_DIR=$(mktemp -d /tmp/ll-integration.XXXXXX)
chmod 755 "$RUN_DIR"
cleanup() {
	[ -n "$keep" ] && { echo "kept: $RUN_DIR" >&2; return; }
	rm -rf "$RUN_DIR"
}
trap cleanup EXIT
# On interrupt: TERM the running scenario (timeout passes it on; the
# scenario's trap stops its servers), wait for it, then leave.
on_signal() {
	local pid i
	pid=$(cat "$RUN_DIR/current.pid" 2>/dev/null) || exit 130
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	exit 130
}
trap on_signal INT TERM

# Tools: built here, so the suite needs nothing prebuilt. Each names its
# libraries in a first line "// link: FLAGS".
mkdir -p "$RUN_DIR/bin"
for t in "$ROOT"/tools/*.c; do
	libs=$(sed -n '1s|^// link: ||p' "$t")
	# shellcheck disable=SC2086 # $libs is a list of flags
	cc -Wall -O2 -o "$RUN_DIR/bin/$(basename "$t" .c)" "$t" $libs
done

# cs_text CENTISECONDS: "12.3"
cs_text() { printf '%d.%d' $(($1 / 100)) $(($1 % 100 / 10)); }

passed=0 failed=0
result() { # PASS|FAIL NAME REASON
	if [ "$1" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	echo "$1 $2${3:+: $3}"
}

# Each run's CPU time, printed beside its result to show where the
# suite's time goes: exact from a cpuacct cgroup of its own (its servers
# detach, but stay in it), else the whole machine's busy time meanwhile.
CG_ROOT=/sys/fs/cgroup/cpuacct
[ -w "$CG_ROOT" ] || CG_ROOT=
# cpu_now: sets cpu_s to the machine's busy CPU centiseconds since boot.
cpu_now() {
	local _cpu user nice system idle iowait irq softirq steal
	read -r _cpu user nice system idle iowait irq softirq steal _ </proc/stat
	cpu_s=$((user + nice + system + irq + softirq + steal))
}

# Ports: each scenario run starts at a random 20-port slice of
# 20000-31999 (below the ephemeral ports of client sockets, which would
# block a bind), so that runs side by side rarely meet (next_port skips
# ports in use; servers that lose a bind race retry elsewhere).
slot=0

# run_one SCENARIO PLUGIN [TAG] [ENV...]: one scenario run; prints the
# reason of failure on stdout (empty on success).
run_one() {
	local scen=$1 plugin=$2 tag=$3
	shift 3
	local name so work rc=0
	name=${scen##*/} name=${name%.sh}
	work=$RUN_DIR/$name.$tag
	mkdir -p "$work/plugins"
	chmod 755 "$work" "$work/plugins"
	if [ "$plugin" = ours ]; then so=$OURS_SO; else so=$STOCK_SO; fi
	# A private mail_plugin_dir: a copy of the chosen last_login module
	# plus links to the system's other plugins (acl etc.).
	# (One ln for all: a process costs much on a busy machine.)
	ln -s /usr/lib/dovecot/modules/lib*_plugin.so "$work/plugins/"
	rm "$work/plugins/lib10_last_login_plugin.so"
	cp "$so" "$work/plugins/lib10_last_login_plugin.so"
	: >"$work/observations"
	: >"$work/failures"
	local cg=${CG_ROOT:+$CG_ROOT/ll-$$-$slot-$tag}
	[ -z "$cg" ] || mkdir "$cg" 2>/dev/null || cg=
	(
		[ -z "$cg" ] || echo "$BASHPID" >"$cg/tasks"
		exec env LL_PLUGIN="$plugin" LL_WORK="$work" \
			LL_OBS="$work/observations" LL_FAILS="$work/failures" \
			LL_ROOT="$ROOT" LL_BIN="$RUN_DIR/bin" \
			LL_PORT_BASE=$((20000 + ${LL_PORT_SLICE:-0} * 2400 +
				(RANDOM % 120) * 20)) "$@" \
			timeout -k 5 "$SCENARIO_TIMEOUT" \
			bash "$ROOT/lib/scenario-main.sh" "$scen"
	) >"$work/output.log" 2>&1 &
	# timeout runs in its own process group: an interrupt of this runner
	# reaches it only through on_signal, which needs its PID.
	echo $! >"$RUN_DIR/current.pid"
	wait $! || rc=$?
	rm -f "$RUN_DIR/current.pid"
	if [ -n "$cg" ]; then
		read -r cpu_ns <"$cg/cpuacct.usage"
		echo "$((cpu_ns / 10000000))" >"$work/cpu"
		rmdir "$cg" 2>/dev/null || true
	fi
	if [ -s "$work/failures" ]; then
		head -n1 "$work/failures"
	elif [ "$rc" = 124 ]; then
		echo "timed out after ${SCENARIO_TIMEOUT}s"
	elif [ "$rc" != 0 ]; then
		echo "exit status $rc: $(tail -n1 "$work/output.log")"
	fi
}

# filtered_obs NAME FILE: observations minus the allowlisted differences.
filtered_obs() {
	local name=$1 file=$2 pat glob
	local -a pats=()
	while read -r glob pat; do
		case $glob in ''|'#'*) continue ;; esac
		# shellcheck disable=SC2053
		[[ $name == $glob ]] && pats+=(-e "$pat")
	done <"$ROOT/allowlist.txt"
	if [ ${#pats[@]} -gt 0 ]; then
		grep -v -E "${pats[@]}" "$file" || true
	else
		cat "$file"
	fi
}

# compare NAME TAG_A TAG_B: prints the first difference (empty if equal).
compare() {
	local name=$1 a=$RUN_DIR/$1.$2/observations b=$RUN_DIR/$1.$3/observations
	diff <(filtered_obs "$name" "$a") <(filtered_obs "$name" "$b") \
		>"$RUN_DIR/$name.diff" && return 0
	grep -E '^[<>]' "$RUN_DIR/$name.diff" | head -n2 | tr '\n' ' '
}

shopt -s nullglob
for scen in "$ROOT"/scenarios/*.sh; do
	name=${scen##*/} name=${name%.sh}
	match=
	for g in "${globs[@]}"; do
		# shellcheck disable=SC2053
		[[ $name == $g ]] && match=1
	done
	[ -n "$match" ] || continue
	for plugin in "${plugins[@]}"; do
		if [ "$plugin" = ours ] && [ ! -f "$OURS_SO" ]; then
			result FAIL "$name [ours]" "plugin not built: $OURS_SO"
			continue
		fi
		slot=$((slot + 1))
		cpu_now
		t0=$EPOCHSECONDS c0=$cpu_s
		reason=$(run_one "$scen" "$plugin" "$plugin")
		cpu_now
		took="($((EPOCHSECONDS - t0)) s, "
		if [ -f "$RUN_DIR/$name.$plugin/cpu" ]; then
			read -r cs <"$RUN_DIR/$name.$plugin/cpu"
			took+="CPU $(cs_text "$cs") s)"
		else
			took+="machine CPU $(cs_text $((cpu_s - c0))) s)"
		fi
		if [ -z "$reason" ]; then result PASS "$name [$plugin] $took"
		else result FAIL "$name [$plugin] $took" "$reason"; fi
	done
	if [ ${#plugins[@]} = 2 ] && [ -f "$OURS_SO" ]; then
		d=$(compare "$name" ours stock)
		if [ -z "$d" ]; then result PASS "$name [ours=stock]"
		else result FAIL "$name [ours=stock]" "differs: $d"; fi
	fi
	# Self-test of the comparison: the same plugin again, but with a
	# config altered to write another key; the comparison must notice.
	case $name in selftest-*)
		p=${plugins[0]}
		slot=$((slot + 1))
		run_one "$scen" "$p" altered LL_SELFTEST_ALTER=1 >/dev/null
		d=$(compare "$name" "$p" altered)
		if [ -n "$d" ]; then result PASS "$name [comparison catches altered run]"
		else result FAIL "$name [comparison catches altered run]" \
			"no difference found"; fi
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
