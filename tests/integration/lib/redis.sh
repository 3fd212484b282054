# A private redis-server for one scenario, and reading it back through
# tools/redis-dump (hiredis). Requires lib/common.sh; rd_step_obs and
# the checks also lib/dovecot.sh (dc_settle) and lib/checks.sh.

RD_DIR=$LL_WORK/redis
RD_PORT=
RD_PID=

# rd_start: redis on 127.0.0.1 at a free port of the scenario's block; no
# persistence, so nothing outlives the temp dir.
# A port taken meanwhile by another run makes redis exit: try another.
rd_start() {
	local try
	mkdir -p "$RD_DIR"
	for try in 1 2 3; do
		next_port
		RD_PORT=$PORT
		if rd_run "$@"; then
			RD_DICT="redis:host=127.0.0.1:port=$RD_PORT"
			return 0
		fi
		note "redis did not start on $RD_PORT (try $try)"
	done
	die "redis did not start"
}

# rd_resume: after rd_stop, the same (empty) redis again on the same port,
# as a backend that comes back; RD_DICT stays valid.
rd_resume() {
	rd_run || die "redis did not start again on $RD_PORT"
}

# rd_run [redis-server args]: start redis on $RD_PORT and wait for it.
rd_run() {
	redis-server --port "$RD_PORT" --bind 127.0.0.1 --dir "$RD_DIR" \
		--save '' --appendonly no --daemonize no \
		--logfile "$RD_DIR/redis.log" "$@" &
	RD_PID=$!
	ll_track "$RD_PID" redis
	wait_port 127.0.0.1 "$RD_PORT" 300 "$RD_PID" && return 0
	ll_stop_pid "$RD_PID"
	RD_PID=
	return 1
}

rd_stop() {
	[ -n "$RD_PID" ] && ll_stop_pid "$RD_PID"
	RD_PID=
}

rd() { "$LL_BIN/redis-dump" "$RD_PORT" "$@"; }

# rd_dict_server NAME: config text for Dovecot's dict server serving this
# redis as dict NAME, its socket open to the mail processes (they run as
# nobody): RD_DICT_SERVER (2.3), RD_DICT_SERVER_24 (2.4). Add it to
# DC_EXTRA / DC_EXTRA_24 and use "last_login_dict = proxy::NAME".
rd_dict_server() {
	local listener="service dict {
  unix_listener dict {
    mode = 0666
  }
}"
	RD_DICT_SERVER="dict {
  $1 = $RD_DICT
}
$listener"
	RD_DICT_SERVER_24="dict_server {
  dict $1 {
    dict_driver = redis
    redis_host = 127.0.0.1
    redis_port = $RD_PORT
  }
}
$listener"
}

# rd_step_obs: records every key written since the last call as
#   "step NAME wrote KEY digits=N in_window=yes|no"
# (or "step NAME wrote nothing"), keeps them in RD_WRITTEN[key]=value
# (the empty key appears as "<empty>"),
# then empties redis so that the next step starts from nothing.
declare -A RD_WRITTEN
rd_step_obs() {
	local line key val n=0
	RD_WRITTEN=()
	! declare -F dc_settle >/dev/null || dc_settle
	# Split by hand: `read` with IFS=tab would drop an empty key.
	while IFS= read -r line; do
		key=${line%%$'\t'*}
		val=${line#*$'\t'}
		# bash arrays cannot hold an empty key: it shows as "<empty>"
		[ -n "$key" ] || key='<empty>'
		RD_WRITTEN[$key]=$val
		ll_value_obs "$key" "$val"
		n=$((n + 1))
	done < <(rd take '*')
	[ "$n" = 0 ] && obs "step $STEP wrote nothing"
	return 0
}

# check_written KEY DIGITS: this step wrote exactly KEY with a DIGITS-long
# timestamp inside the step's wall-clock window.
check_written() {
	local key=$1 digits=$2 val
	if [ -z "${RD_WRITTEN[$key]+set}" ]; then
		fail "$STEP: key '$key' not written (got: ${!RD_WRITTEN[*]})"
		return
	fi
	val=${RD_WRITTEN[$key]}
	ll_digits "$val"
	check_eq "$STEP: digits of $key=$val" "$digits" "$REPLY"
	ll_in_window "$val"
	check_eq "$STEP: $key=$val inside [$STEP_T0,$STEP_T1]" yes "$REPLY"
}

# check_only_written KEY...: the step wrote exactly these keys.
check_only_written() {
	local key want got same=1
	local -A wanted=()
	for key in "$@"; do
		if [ -n "$key" ]; then wanted[$key]=1; else same=; fi
	done
	[ ${#wanted[@]} = $# ] && [ $# = ${#RD_WRITTEN[@]} ] || same=
	for key in "${!wanted[@]}"; do
		[ -n "${RD_WRITTEN[$key]+set}" ] || same=
	done
	[ -z "$same" ] || return 0
	want=$(printf '%s\n' "$@" | sort)
	got=$(printf '%s\n' "${!RD_WRITTEN[@]}" | sort)
	[ $# = 0 ] && want=
	[ ${#RD_WRITTEN[@]} = 0 ] && got=
	check_eq "$STEP: keys written" "$want" "$got"
}
