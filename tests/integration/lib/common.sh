# Shared helpers for integration scenarios (sourced, never run directly).
# The runner exports: LL_PLUGIN (ours|stock), LL_WORK (fresh temp dir for
# this scenario+plugin), LL_OBS (observation file), LL_FAILS (hard
# assertion failures), LL_PORT_BASE (first free port of a private block),
# LL_BIN (suite tools built by the runner), LL_ROOT (tests/integration).

# ---- processes we start: recorded so that exactly those are stopped ----
LL_PIDS=()

# ll_track PID NAME: remember a process that ll_cleanup must stop.
ll_track() {
	LL_PIDS+=("$1:$2")
	echo "$1" >>"$LL_WORK/pids"
}

# ll_stop_pid PID: TERM, wait up to 5s, then KILL. Only our own PIDs.
ll_stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 1; i <= 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

ll_cleanup() {
	local i
	# Newest first: Dovecot stops before the backends it talks to.
	for ((i = ${#LL_PIDS[@]} - 1; i >= 0; i--)); do
		ll_stop_pid "${LL_PIDS[i]%%:*}"
	done
	LL_PIDS=()
}

# ---- failures and observations ----

# fail MSG: record a hard assertion failure; the scenario goes on so that
# its observations stay complete for the side-by-side comparison.
fail() {
	echo "$*" >>"$LL_FAILS"
	echo "FAIL: $*" >&2
}

# die MSG: a setup failure after which nothing meaningful can follow.
die() {
	fail "$*"
	exit 1
}

# obs LINE: one normalized observation (compared between ours and stock).
obs() {
	echo "$*" >>"$LL_OBS"
}

# obs_lines PREFIX TEXT: each non-empty line of TEXT as "PREFIX: LINE".
obs_lines() {
	local l
	while IFS= read -r l; do
		[ -n "$l" ] && obs "$1: $l"
	done <<<"$2"
	return 0
}

# note MSG: free text for the scenario log only (never compared).
note() {
	echo "note: $*" >&2
}

# ---- without a process ----
# Scenario runs fill both cores, and there every process the harness
# starts costs far more than its work: the helpers below stay inside bash.

# ll_builtin_sleep: from now on, sleep SECONDS waits on a pipe that
# nobody writes to (read -t) instead of running sleep(1), for every caller
# in this shell, the libraries included. From bash 5.2 on, whose read -t
# waits in select(); 5.1's (Debian 11) times out by SIGALRM, and one
# scenario's cleanup hung there until the runner's timeout.
ll_builtin_sleep() {
	((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 502)) || return 0
	mkfifo "$LL_WORK/.sleep"
	exec {LL_SLEEP_FD}<>"$LL_WORK/.sleep"
	sleep() {
		read -r -t "$1" -u "$LL_SLEEP_FD" _ || true
	}
}

# ---- time: a step's wall-clock window in nanoseconds ----

# ll_now_ns VAR: VAR = the wall clock in ns (bash has it to the us).
ll_now_ns() {
	local _ll_now=$EPOCHREALTIME
	printf -v "$1" '%s000' "${_ll_now/[.,]/}"
}
now_ns() {
	local ns
	ll_now_ns ns
	echo "$ns"
}

# step_begin NAME / step_end: bracket one client action; STEP_T0/T1 hold
# the window, STEP the name used in observations.
step_begin() {
	STEP=$1
	ll_now_ns STEP_T0
	echo "== step $STEP" >&2
}
step_end() {
	ll_now_ns STEP_T1
}

# value_digits VALUE -> number of digits (0 when not all digits).
# ll_digits VALUE: the same into REPLY.
ll_digits() {
	if [[ "$1" =~ ^[0-9]+$ ]]; then REPLY=${#1}; else REPLY=0; fi
}
value_digits() {
	ll_digits "$1"
	echo "$REPLY"
}

# value_in_window VALUE [T0 T1]: yes when the decimal timestamp, read at
# its own precision (10/13/16/19 digits), lies inside the step's window.
# ll_in_window VALUE [T0 T1]: the same into REPLY.
ll_in_window() {
	local v=$1 t0=${2:-$STEP_T0} t1=${3:-$STEP_T1} div
	REPLY=no
	case ${#v} in
	10) div=1000000000 ;;
	13) div=1000000 ;;
	16) div=1000 ;;
	19) div=1 ;;
	*) return 0 ;;
	esac
	[[ "$v" =~ ^[0-9]+$ ]] || return 0
	v=$((10#$v))
	((v >= t0 / div && v <= t1 / div)) && REPLY=yes
	return 0
}
value_in_window() {
	ll_in_window "$@"
	echo "$REPLY"
}

# ll_value_obs KEY VALUE: the observation of one written key, as each
# backend's step reader records it.
ll_value_obs() {
	local digits
	ll_digits "$2"
	digits=$REPLY
	ll_in_window "$2"
	obs "step $STEP wrote $1 digits=$digits in_window=$REPLY"
}

# wait_until SECONDS CMD...: runs CMD every 0.1 s until it succeeds;
# false when it never did within SECONDS. For waiting on an observation.
wait_until() {
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# ---- ports ----

# port_free PORT: true when nothing listens on 127.0.0.1:PORT.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# next_port: hands out ports from the scenario's private block.
LL_PORT_NEXT=${LL_PORT_BASE:-21000}
next_port() {
	while ! port_free "$LL_PORT_NEXT"; do
		LL_PORT_NEXT=$((LL_PORT_NEXT + 1))
	done
	PORT=$LL_PORT_NEXT
	LL_PORT_NEXT=$((LL_PORT_NEXT + 1))
}

# wait_port HOST PORT [TRIES [PID]]: until something accepts on
# HOST:PORT (0.1 s per try, default 300). With PID: fails as soon as that
# process is gone, and succeeds only if it is still alive a moment after
# the port answered (else the answer came from someone else's server).
wait_port() {
	local host=$1 port=$2 tries=${3:-300} pid=${4:-} i
	for ((i = 0; i < tries; i++)); do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
			[ -z "$pid" ] && return 0
			sleep 0.2
			kill -0 "$pid" 2>/dev/null && return 0
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# listener_start NAME [--close] [--unix] PORT|PATH: tools/silent-listener.pl
# in the background (tracked), waiting until it listens; LISTENER_PID is
# its PID. It writes one "accepted MS" line per connection to
# $LL_WORK/NAME.out (listener_accepts NAME counts them).
listener_start() {
	local name=$1 out=$LL_WORK/$1.out
	shift
	: >"$out"
	perl "$LL_ROOT/tools/silent-listener.pl" --log "$out" "$@" \
		>>"$LL_WORK/$name.err" 2>&1 &
	LISTENER_PID=$!
	ll_track "$LISTENER_PID" "$name"
	wait_until 10 grep -qx ready "$out" || die "$name did not start"
}

# listener_accepts NAME: how many connections listener NAME accepted.
listener_accepts() {
	grep -c '^accepted ' "$LL_WORK/$1.out" || true
}
