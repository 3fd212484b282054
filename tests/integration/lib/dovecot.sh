# A private Dovecot for one scenario: config rendering, start, stop, log.
# Scenario authors set DC_* variables, call dc_start, and read the log with
# dc_log_since / dc_log_obs. Requires lib/common.sh.

DC_DIR=$LL_WORK/dovecot           # base_dir, state, log, config live here
DC_CONF=$DC_DIR/dovecot.conf
DC_LOG=$DC_DIR/dovecot.log
DC_USERS=$DC_DIR/users
DC_HOME=$LL_WORK/home             # one home (and Maildir) per user
DC_PLUGIN_DIR=${DC_PLUGIN_DIR:-$LL_WORK/plugins}
DC_PID=

# What scenarios usually change:
DC_PROTOCOLS="imap pop3 lmtp"     # served protocols
DC_LISTEN="127.0.0.1"             # listen = ... for every inet listener
DC_LL_PROTOCOLS="imap pop3"       # protocol blocks that load last_login
                                  # (imap pop3 lmtp lda doveadm)
DC_PLUGIN_SETTINGS=""             # lines inside plugin { }, e.g.
                                  # "last_login_dict = redis:..."
DC_EXTRA=""                       # any further top-level config text
                                  # (dict { }, namespace { }, service { })
DC_MAIL_LOCATION='maildir:~/Maildir'
DC_USERDB_SETTINGS=""             # lines inside the passwd-file userdb
                                  # block (2.3 and 2.4 name them alike)
DC_UID=65534                      # Dovecot refuses root mail processes;
DC_GID=65534                      # nobody/nogroup exist on Debian
DC_IMAP_PORT='' DC_POP3_PORT='' DC_LMTP_PORT=''
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
# config, log, log mark), ports, LMTP socket and PID; users, homes,
# plugin dir and the DC_* settings are shared (set them after switching
# when an instance needs others). The first instance is "main"; a new
# one starts with no ports and no process.
DC_INSTANCE=main DC_INSTANCE_SUFFIX=
DC_INSTANCE_VARS="DC_DIR DC_CONF DC_LOG DC_PID DC_IMAP_PORT DC_POP3_PORT
DC_LMTP_PORT DC_LMTP_SOCKET DC_INSTANCE_SUFFIX"
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
	DC_IMAP_PORT='' DC_POP3_PORT='' DC_LMTP_PORT='' DC_LMTP_SOCKET=
	mkdir -p "$DC_DIR"
	chmod 755 "$DC_DIR"
}

# dc_render_listeners: the listeners, written alike in 2.3 and 2.4 syntax:
# the scenario's ports, and no listener on a default port.
dc_render_listeners() {
	cat <<CONF
service imap-login {
  inet_listener imap {
    port = ${DC_IMAP_PORT:-0}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${DC_POP3_PORT:-0}
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    port = ${DC_LMTP_PORT:-0}
  }
  unix_listener lmtp {
    mode = 0666
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
CONF
}

# dc_render: the ONE place that turns the DC_* variables into config text.
dc_render() {
	local p
	# LL_SELFTEST_ALTER makes this side write another key: the runner's
	# self-test proves the side-by-side comparison notices.
	local settings=$DC_PLUGIN_SETTINGS
	if [ -n "${LL_SELFTEST_ALTER:-}" ]; then
		settings+=$'\n''last_login_key = altered/%u'
	fi
	case $DC_SYNTAX in
	2.3) ;;
	2.4) dc_render_24 "$settings"; return ;;
	*) echo "dc_render: unsupported syntax $DC_SYNTAX" >&2; return 1 ;;
	esac
	cat <<CONF
# Rendered by tests/integration/lib/dovecot.sh for one scenario.
base_dir = $DC_DIR/run
state_dir = $DC_DIR/state
instance_name = lltest-$LL_PORT_BASE$DC_INSTANCE_SUFFIX
log_path = $DC_LOG
log_timestamp = "%H:%M:%S "
protocols = $DC_PROTOCOLS
listen = $DC_LISTEN
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $DC_UID
last_valid_uid = $DC_UID
mail_location = $DC_MAIL_LOCATION
mail_plugin_dir = $DC_PLUGIN_DIR
# The scenario's own plugin dir: no module from the system dir sneaks in.
mail_plugins =
imap_hibernate_timeout = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DC_USERS
}
userdb {
  driver = passwd-file
  args = $DC_USERS
${DC_USERDB_SETTINGS:+$DC_USERDB_SETTINGS
}}
$(dc_render_listeners)
service managesieve-login {
  inet_listener sieve {
    port = 0
  }
}
CONF
	for p in $DC_LL_PROTOCOLS; do
		printf 'protocol %s {\n  mail_plugins = $mail_plugins last_login\n}\n' "$p"
	done
	printf 'plugin {\n'
	[ -n "$settings" ] && printf '%s\n' "$settings" | sed 's/^/  /'
	printf '}\n'
	[ -n "$DC_EXTRA" ] && printf '%s\n' "$DC_EXTRA"
	return 0
}

# dc_render_24 SETTINGS: dc_render's branch for Dovecot 2.4, from the same
# DC_* variables. The 2.3 plugin { } lines are translated: last_login_dict
# becomes a dict filter inside last_login { } (dc_dict_24), %u-style
# variables in last_login_key become %{user}-style, the numbered
# last_login_dict_fields* lines one string list (dc_fields_24), other lines
# go to the top level. DC_EXTRA_24, if set, replaces DC_EXTRA (whose 2.3
# text, e.g. dict { } or namespace locations, 2.4 rejects).
dc_render_24() {
	local line name value p dict=
	local -a top=() fields=()
	while IFS= read -r line; do
		line=${line#"${line%%[! ]*}"}
		[ -n "$line" ] || continue
		name=${line%% =*}
		value=${line#*=}
		value=${value# }
		case $name in
		last_login_dict) dict=$value ;;
		last_login_key) top+=("$name = $(dc_vars_24 "$value")") ;;
		last_login_dict_fields | last_login_dict_fields[0-9]*)
			fields+=("$(dc_fields_24 "$value")") ;;
		*) top+=("$name = $value") ;;
		esac
	done <<<"$1"
	if [ ${#fields[@]} -gt 0 ]; then
		top+=("last_login_dict_fields {")
		top+=("${fields[@]/#/  }")
		top+=("}")
	fi
	cat <<CONF
# Rendered by tests/integration/lib/dovecot.sh (2.4 syntax) for one scenario.
dovecot_config_version = $DC_VERSION
dovecot_storage_version = $DC_VERSION
base_dir = $DC_DIR/run
state_dir = $DC_DIR/state
instance_name = lltest-$LL_PORT_BASE$DC_INSTANCE_SUFFIX
log_path = $DC_LOG
log_timestamp = "%H:%M:%S "
protocols = $DC_PROTOCOLS
listen = $DC_LISTEN
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $DC_UID
last_valid_uid = $DC_UID
mail_driver = ${DC_MAIL_LOCATION%%:*}
mail_path = ${DC_MAIL_LOCATION#*:}
mail_plugin_dir = $DC_PLUGIN_DIR
imap_hibernate_timeout = 0
passdb passwd-file {
  passwd_file_path = $DC_USERS
}
userdb passwd-file {
  passwd_file_path = $DC_USERS
${DC_USERDB_SETTINGS:+$DC_USERDB_SETTINGS
}}
$(dc_render_listeners)
CONF
	for p in $DC_LL_PROTOCOLS; do
		printf 'protocol %s {\n  mail_plugins {\n    last_login = yes\n  }\n}\n' "$p"
	done
	[ ${#top[@]} -eq 0 ] || printf '%s\n' "${top[@]}"
	if [ -n "$dict" ]; then
		printf 'last_login {\n'
		dc_dict_24 "$dict" | sed 's/^/  /'
		printf '}\n'
	fi
	local extra=${DC_EXTRA_24-$DC_EXTRA}
	[ -z "$extra" ] || printf '%s\n' "$extra"
	return 0
}

# dc_vars_24 TEXT: 2.3's %u-style variables in 2.4's %{name} form.
dc_vars_24() {
	sed -e 's/%u/%{user}/g' -e 's/%n/%{user|username}/g' \
		-e 's/%d/%{user|domain}/g' -e 's/%s/%{protocol}/g' \
		-e 's/%r/%{remote_ip}/g' -e 's/%h/%{home}/g' \
		-e 's/%{rip}/%{remote_ip}/g' <<<"$1"
}

# dc_fields_24 KEY=VALUE: one 2.3 last_login_dict_fields value as a line
# of 2.4's string list: split at the first "=", spaces around it trimmed,
# both sides in 2.4's variables.
dc_fields_24() {
	local key=${1%%=*} value=${1#*=}
	key=${key%"${key##*[! ]}"}
	value=${value#"${value%%[! ]*}"}
	printf '%s = %s\n' "$(dc_vars_24 "$key")" "$(dc_vars_24 "$value")"
}

# dc_dict_24 URI: a 2.3 dict URI as a 2.4 dict filter. Parameters without
# a 2.4 name keep theirs behind the driver's prefix (redis bogus=1 becomes
# redis_bogus = 1), so that Dovecot judges them as it judged the URI.
# The mail process has no SQL dict in 2.4 either: mysql:, pgsql: and
# sqlite: become a sql dict with that driver and no connection.
dc_dict_24() {
	local driver=${1%%:*} args=${1#*:} p
	case $driver in
	redis)
		printf 'dict redis {\n'
		tr ':' '\n' <<<"$args" | while IFS= read -r p; do
			case $p in
			'') ;;
			timeout_msecs=*)
				printf '  redis_request_timeout = %sms\n' "${p#*=}" ;;
			*) printf '  redis_%s\n' "${p/=/ = }" ;;
			esac
		done
		printf '}\n' ;;
	file)
		printf 'dict file {\n  file_path = %s\n}\n' "$(dc_vars_24 "$args")" ;;
	proxy)
		# proxy:[SOCKET]:NAME; no socket means base_dir's "dict"
		printf 'dict proxy {\n'
		[ -z "${args%%:*}" ] ||
			printf '  dict_proxy_socket_path = %s\n' "${args%%:*}"
		printf '  dict_proxy_name = %s\n}\n' "${args#*:}" ;;
	mysql | pgsql | sqlite)
		printf 'dict sql {\n  sql_driver = %s\n}\n' "$driver" ;;
	*)
		# an unknown driver: its arguments mean nothing to Dovecot
		printf 'dict %s {\n}\n' "$driver" ;;
	esac
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
		dovecot -F -c "$DC_CONF" >>"$DC_DIR/stdout" 2>&1 &
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

# dc_log_norm: Dovecot log lines without time, pids, session ids, ports,
# durations and the work dir, so that two runs compare equal. (2.3.13's
# lmtp prefixes the lines of a delivery with "lmtp(<pid>, <user>): ".)
dc_log_norm() {
	sed -E -e 's/^[0-9]{2}:[0-9]{2}:[0-9]{2} //' \
		-e "s|$LL_WORK|WORK|g" \
		-e 's/^([a-z0-9-]+)\([0-9]+\)/\1(X)/' \
		-e 's/^([a-z0-9-]+)\([0-9]+, /\1(X, /' \
		-e 's/<[0-9]+>//g' \
		-e 's/<[A-Za-z0-9+\/]{8,}(:R[0-9]+)?>//g' \
		-e 's/(session|mpid|pid)=<?[^,>)]*>?/\1=X/g' \
		-e 's/(lport|rport|port)=[0-9]+/\1=X/g' \
		-e 's/(127\.0\.0\.[0-9]+|\[::1\]):[0-9]+/\1:X/g' \
		-e 's/[0-9]+\.[0-9]+ (secs|in )/N \1/g'
}

# dc_settle: wait (at most 5 s) until no imap/pop3 process is left. The
# plugin's dict write may finish while such a process ends, after the
# client already saw the logout, so backend and log are read after this.
dc_settle() {
	local i
	[ -n "$DC_PID" ] || return 0
	for ((i = 0; i < 50; i++)); do
		ps --ppid "$DC_PID" -o comm= | grep -qxE 'imap|pop3' || break
		sleep 0.1
	done
	sleep 0.1
}

# dc_no_process NAME...: true when Dovecot has no child process of any of
# these names (imap, lmtp, ...); a condition for wait_until.
dc_no_process() {
	local re
	re=$(IFS='|'; echo "$*")
	! ps --ppid "$DC_PID" -o comm= | grep -qxE "$re"
}

# dc_log_new: prints the normalized lines written since the last call.
# The consumed-bytes mark lives in a file, so this also works inside a
# pipeline or $(...).
dc_log_new() {
	local size=0 mark=0
	[ -f "$DC_LOG" ] && size=$(stat -c %s "$DC_LOG")
	[ -f "$DC_DIR/log.mark" ] && mark=$(cat "$DC_DIR/log.mark")
	echo "$size" >"$DC_DIR/log.mark"
	[ "$size" -gt "$mark" ] || return 0
	tail -c +"$((mark + 1))" "$DC_LOG" | head -c "$((size - mark))" |
		dc_log_norm
}

# dc_log_take: the same lines into DC_LOG_NEW.
dc_log_take() {
	DC_LOG_NEW=$(dc_log_new)
}

# dc_log_interesting: the lines a comparison cares about (plugin lines and
# anything at Warning level or worse, except the master's note that we
# stopped it).
dc_log_interesting() {
	# -a: a line with bytes that are no text (stock 2.3.19.1 can log freed
	# memory as an error) is still a line, not "binary file matches"
	grep -a -E 'last_login|Warning|Error|Fatal|Panic' |
		grep -a -v -E '^master: Warning: Killed with signal 15' || true
}

# dc_log_obs [DELAY]: record the new interesting log lines as observations
# and leave them in DC_LOG_LINES for the scenario's own assertions.
dc_log_obs() {
	dc_settle
	sleep "${1:-0.2}" # the log process writes asynchronously
	dc_log_take
	DC_LOG_LINES=$(dc_log_interesting <<<"$DC_LOG_NEW")
	obs_lines "log" "$DC_LOG_LINES"
}

# check_log_count ERE N: exactly N of the new lines match ERE.
check_log_count() {
	local n
	n=$(grep -acE -- "$1" <<<"$DC_LOG_LINES" || true)
	check_eq "$STEP: log lines matching /$1/" "$2" "$n"
}

# check_no_crash: no process of this Dovecot crashed so far (whole log).
check_no_crash() {
	local bad
	bad=$(grep -E 'Panic|Fatal|killed with signal|core dumped' "$DC_LOG" |
		grep -v 'Killed with signal 15' || true)
	[ -z "$bad" ] || fail "${STEP:-}: crash in the log: $bad"
}

# check_no_log_errors: no Error/Fatal/Panic among the new lines.
check_no_log_errors() {
	local bad
	bad=$(grep -E 'Error|Fatal|Panic' <<<"$DC_LOG_LINES" || true)
	[ -z "$bad" ] || fail "$STEP: unexpected log errors: $bad"
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
	for i in $(seq 100); do
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
