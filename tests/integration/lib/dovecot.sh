# A private Dovecot for one scenario: its dirs, users and instances, its
# start and stop, its processes. Loads its config (lib/config.sh,
# lib/config-24.sh: the DC_* variables scenarios set, dc_render) and its
# log (lib/dovecot-log.sh: dc_log_obs), so that sourcing it again starts
# a scenario's Dovecot afresh, as bench/lib.sh does for each instance.
# Requires lib/common.sh.

DC_DIR=$LL_WORK/dovecot           # base_dir, state, log, config live here
DC_CONF=$DC_DIR/dovecot.conf
DC_LOG=$DC_DIR/dovecot.log
DC_USERS=$DC_DIR/users
DC_HOME=$LL_WORK/home             # one home (and Maildir) per user
DC_PLUGIN_DIR=${DC_PLUGIN_DIR:-$LL_WORK/plugins}
DC_PID=
DC_LOG_FD=                        # the log, open for dc_log_new
# A command (array) the master is started through, which must exec it
# in the end (the PID is the master's): lib/doveadm.sh's dv_http_start.
DC_EXEC_PREFIX=()
DC_UID=65534                      # Dovecot refuses root mail processes;
DC_GID=65534                      # nobody/nogroup exist on Debian

# Dovecot version of the config syntax: 2.3, or 2.4 when the installed
# Dovecot is 2.4 (the version matrix runs this suite in a trixie chroot).
DC_VERSION=$(dovecot --version | sed 's/[- ].*//')
case $DC_VERSION in 2.4*) DC_SYNTAX=${DC_SYNTAX:-2.4} ;; esac
DC_SYNTAX=${DC_SYNTAX:-2.3}
# dc_v24: true on Dovecot 2.4 syntax; scenarios branch expectations on it.
dc_v24() { [ "$DC_SYNTAX" = 2.4 ]; }
# dc_version_ge V: true when the installed Dovecot is V or newer, compared
# number by number (2.3.9 < 2.3.13 < 2.3.19.1). For behaviour that changed
# in a release (its NEWS says which) and cannot be probed.
dc_version_ge() {
	local -a have want
	local i
	IFS=. read -r -a have <<<"$DC_VERSION"
	IFS=. read -r -a want <<<"$1"
	for ((i = 0; i < ${#have[@]} || i < ${#want[@]}; i++)); do
		[ "${have[i]:-0}" -eq "${want[i]:-0}" ] && continue
		[ "${have[i]:-0}" -gt "${want[i]:-0}" ] && return 0
		return 1
	done
	return 0
}
# dc_lmtp_user_prefix: true where a line logged through an LMTP
# recipient's mail user starts "lmtp(<user>)<pid><session>: " (2.3.21 and
# 2.4), not with the connection's "lmtp(X): ... lmtp-server: conn ...:
# rcpt <user>: " (2.3.13 to 2.3.19.1; 2.3.20 not seen).
dc_lmtp_user_prefix() { dc_version_ge 2.3.21; }
# ll_writes_fields: true where the plugin under test writes
# last_login_dict_fields: ours, and the stock plugin from 2.4.5 on (in
# the time's transaction: a refused field fails the time too).
ll_writes_fields() { [ "$LL_PLUGIN" = ours ] || dc_version_ge 2.4.5; }
# dc_hangup_lines: the regexes of the lines (after "imap(alice): ") of a
# write whose dict server hung up on it, one per line in DC_HANGUP. From
# 2.4.5 the dict client names the failure, and stock lets its warning
# through (ours keeps the driver's own lines out: intended difference 7).
dc_hangup_lines() {
	local u='Error: last_login_dict: Write was unconfirmed \(timeout or '
	u+='disconnect\): '
	DC_HANGUP=() DC_HANGUP_VARIES=
	if ! dc_version_ge 2.4.5; then
		DC_HANGUP=("${u}Connection closed \(reply took .*\)")
		return
	fi
	local closed='Dict server connection failed: Connection closed '
	closed+='\(1 commands pending\)'
	[ "$LL_PLUGIN" = ours ] || DC_HANGUP+=("Warning: last_login_dict: dict\(proxy\): conn unix:.*: $closed - reconnected")
	# The client resends the commit once on a new connection; which of
	# the two fails it decides the reason ("Dict server connection
	# failed: ...", "write(...) failed: ... Broken pipe").
	DC_HANGUP+=("${u}.+ \(reply took .*\)")
	# Stock's lines vary there from run to run (the warning, with or
	# without the error): not asserted in redis-events and redis-faults.
	[ "$LL_PLUGIN" = ours ] || DC_HANGUP_VARIES=yes
}

source "$LL_ROOT/lib/config.sh"
source "$LL_ROOT/lib/config-24.sh"
source "$LL_ROOT/lib/dovecot-log.sh"

mkdir -p "$DC_DIR" "$DC_HOME"
# The auth process runs as user dovecot and reads the passwd-file; mail
# processes run as nobody and create the homes.
chmod 755 "$LL_WORK" "$DC_DIR"
chown "$DC_UID:$DC_GID" "$DC_HOME"
: >"$DC_USERS"
chmod 644 "$DC_USERS"

# dc_add_user NAME [PASSWORD [HOME [EXTRA]]]: a passwd-file user with its
# own home (default $DC_HOME/NAME; give one for names unfit for a path)
# and passwd-file extra fields EXTRA (e.g. userdb_last_login_dict=URI).
dc_add_user() {
	local name=$1 pass=${2:-pass} home=${3:-$DC_HOME/$1}
	printf '%s:{PLAIN}%s:%s:%s::%s::%s\n' "$name" "$pass" \
		"$DC_UID" "$DC_GID" "$home" "${4:-}" >>"$DC_USERS"
}

# A second private Dovecot in the same scenario (two hosts sharing one
# backend): dc_instance NAME makes NAME the instance that every dc_*
# function and client acts on. Each instance has its own dir (base_dir,
# config, log and its read position), ports, LMTP socket and PID; users,
# homes, plugin dir and the DC_* settings are shared (set them after
# switching when an instance needs others). The first instance is
# "main"; a new one starts with no ports and no process.
DC_INSTANCE=main DC_INSTANCE_SUFFIX=
DC_INSTANCE_VARS="DC_DIR DC_CONF DC_LOG DC_LOG_FD DC_PID DC_IMAP_PORT
DC_POP3_PORT DC_LMTP_PORT DC_LMTP_SOCKET DC_INSTANCE_SUFFIX"
declare -gA DC_INSTANCES # global also when sourced in a function
dc_instance() {
	local v
	for v in $DC_INSTANCE_VARS; do
		DC_INSTANCES[$DC_INSTANCE.$v]=${!v:-}
	done
	DC_INSTANCE=$1
	if [ -n "${DC_INSTANCES[$1.DC_DIR]+set}" ]; then
		for v in $DC_INSTANCE_VARS; do
			printf -v "$v" %s "${DC_INSTANCES[$1.$v]}"
		done
		return 0
	fi
	DC_DIR=$LL_WORK/dovecot-$1 DC_INSTANCE_SUFFIX=-$1
	DC_CONF=$DC_DIR/dovecot.conf DC_LOG=$DC_DIR/dovecot.log DC_PID=
	DC_LOG_FD=
	DC_IMAP_PORT='' DC_POP3_PORT='' DC_LMTP_PORT='' DC_LMTP_SOCKET=
	mkdir -p "$DC_DIR"
	chmod 755 "$DC_DIR"
}

# dc_start: allocate ports, render, start `dovecot -F` and wait for it.
# Ports chosen here (not by the scenario) are chosen again when Dovecot
# lost a bind race against another run.
dc_start() {
	local try auto=()
	[ -n "$DC_IMAP_PORT" ] || auto+=(DC_IMAP_PORT)
	[ -n "$DC_POP3_PORT" ] || auto+=(DC_POP3_PORT)
	[ -n "$DC_LMTP_PORT" ] || auto+=(DC_LMTP_PORT)
	DC_LMTP_SOCKET=$DC_DIR/run/lmtp
	# the first listen address answers for all
	local host=${DC_LISTEN%%,*} v
	host=${host// /}
	for try in 1 2 3; do
		for v in "${auto[@]}"; do
			next_port
			printf -v "$v" %s "$PORT"
		done
		dc_render >"$DC_CONF" || die "dc_render failed"
		dc_log_open
		"${DC_EXEC_PREFIX[@]}" dovecot -F -c "$DC_CONF" \
			>>"$DC_DIR/stdout" 2>&1 &
		DC_PID=$!
		ll_track "$DC_PID" dovecot
		wait_port "$host" "$DC_IMAP_PORT" 300 "$DC_PID" && return 0
		ll_stop_pid "$DC_PID"
		DC_PID=
		# its complaints are about the lost race, not about the test
		note "dovecot did not start (try $try): $(dc_log_new | tail -n3)"
		[ ${#auto[@]} -gt 0 ] || break
	done
	cat "$DC_DIR/stdout" >&2 || true
	die "dovecot did not start"
}

dc_stop() {
	[ -n "$DC_PID" ] && ll_stop_pid "$DC_PID"
	DC_PID=
}

# dc_restart: render again and restart (a new config for the next steps).
dc_restart() {
	dc_stop
	dc_start
}

# dc_start_refused: stop Dovecot, render, and start it with a config it
# must refuse. Records "dovecot-refused: LINE" for each line it printed
# (normalized; also in DC_REFUSED); a Dovecot that listens is a failure.
dc_start_refused() {
	local out=$DC_DIR/stdout.refused
	dc_stop
	[ -n "$DC_IMAP_PORT" ] || { next_port; DC_IMAP_PORT=$PORT; }
	[ -n "$DC_POP3_PORT" ] || { next_port; DC_POP3_PORT=$PORT; }
	[ -n "$DC_LMTP_PORT" ] || { next_port; DC_LMTP_PORT=$PORT; }
	dc_render >"$DC_CONF" || die "dc_render failed"
	dc_log_open
	dovecot -F -c "$DC_CONF" >"$out" 2>&1 &
	DC_PID=$!
	ll_track "$DC_PID" dovecot
	if wait_port 127.0.0.1 "$DC_IMAP_PORT" 100 "$DC_PID"; then
		fail "dovecot started with a config it must refuse"
	elif kill -0 "$DC_PID" 2>/dev/null; then
		fail "dovecot neither started nor exited"
	fi
	dc_stop
	DC_REFUSED=$(dc_log_norm <"$out")
	obs_lines "dovecot-refused" "$DC_REFUSED"
}

# dc_has_child ERE: true when the master has a child process whose name
# matches ERE as a whole (imap, lmtp, ...). Read from /proc, where the
# kernel lists a process's children; ps where it does not.
dc_has_child() {
	local kids=() pid comm
	local list=/proc/$DC_PID/task/$DC_PID/children
	if [ ! -e "$list" ]; then
		ps --ppid "$DC_PID" -o comm= | grep -qxE "$1"
		return
	fi
	read -r -a kids 2>/dev/null <"$list" || true
	for pid in "${kids[@]}"; do
		read -r comm 2>/dev/null <"/proc/$pid/comm" || continue
		[[ $comm =~ ^($1)$ ]] && return 0
	done
	return 1
}

# dc_settle: wait (at most 5 s) until no imap/pop3 process is left. The
# plugin's dict write may finish while such a process ends, after the
# client already saw the logout, so backend and log are read after this.
dc_settle() {
	local i
	[ -n "$DC_PID" ] || return 0
	for ((i = 0; i < 50; i++)); do
		dc_has_child 'imap|pop3' || break
		sleep 0.1
	done
	sleep 0.1
}

# dc_no_process NAME...: true when Dovecot has no child process of any of
# these names (imap, lmtp, ...); a condition for wait_until.
dc_no_process() {
	local re
	re=$(IFS='|'; echo "$*")
	! dc_has_child "$re"
}

# dc_service_counts SERVICE: "PROCESSES AVAILABLE" for SERVICE as the
# master counts them now (doveadm service status: process_count and
# process_avail, the processes that can take another client).
dc_service_counts() {
	doveadm -c "$DC_CONF" -f tab service status "$1" 2>/dev/null |
		awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ print $c["process_count"], $c["process_avail"] }'
}

# dc_wait_service_idle SERVICE: wait (bounded, 10 s) until the master
# counts every process of SERVICE as free, so that it starts no other
# one for the next client. A process that has lost its last client tells
# the master at most once a second (lib-master's master_status_update():
# "don't spam master"); until then the master counts it busy, starts a
# new process for the next connection, and either of the two may accept
# that one and the ones after it. Leaves the count in DC_SERVICE_PROCS.
dc_wait_service_idle() {
	local i n= avail=
	for ((i = 1; i <= 100; i++)); do
		read -r n avail < <(dc_service_counts "$1") || true
		if [ -n "$n" ] && [ "$n" = "$avail" ]; then
			DC_SERVICE_PROCS=$n
			note "dc_wait_service_idle $1: $n of $n free (try $i)"
			return 0
		fi
		sleep 0.1
	done
	DC_SERVICE_PROCS=$n
	fail "service $1: still busy after 10 s ($avail of $n free)"
}
