# Helpers of the last_login_interval scenarios (redis-interval*), sourced
# by them after lib/sql-observe.sh (for sql_step and sql_ts_label, which
# name the step whose wall-clock window holds a stored time). Redis
# counts the commands it serves: iv_reset empties the counts, the logins
# run, iv_check_cmds asserts them.

# iv_cli ARGS...: redis-cli against the scenario's redis.
iv_cli() { redis-cli -p "$RD_PORT" "$@"; }

# iv_reset: start counting redis's commands from zero.
iv_reset() { iv_cli CONFIG RESETSTAT >/dev/null; }

# iv_cmds: the commands redis served since iv_reset, as sorted
# "name=calls" words, without redis-cli's own (config, info).
iv_cmds() {
	iv_cli INFO commandstats | tr -d '\r' |
		sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),.*/\1=\2/p' |
		grep -v -E '^(config|info)' | sort | paste -s -d ' ' - || true
}

# iv_login STEP imap|pop3 USER: one login as step STEP (its window kept
# by sql_step), then wait until its process has ended: its write (or
# lookup) is done before the next login starts.
iv_login() {
	sql_step "$1" "${2}_login" "$3"
	expect_ok
	dc_settle
}

# iv_check_counted WHAT NAME COUNTER OURS STOCK: COUNTER prints exactly
# OURS (with our plugin) or STOCK; recorded as "WHAT: NAME: ...".
iv_check_counted() {
	local got want=$5
	[ "$LL_PLUGIN" = ours ] && want=$4
	dc_settle
	got=$("$3")
	obs "$1: $2: $got"
	check_eq "$1: $2" "$want" "$got"
}

# iv_check_cmds WHAT OURS STOCK: redis's commands since iv_reset.
iv_check_cmds() { iv_check_counted "$1" "redis commands" iv_cmds "$2" "$3"; }

# iv_check_value WHAT KEY OURS STOCK: KEY holds a time from the step
# OURS (with our plugin) or STOCK names ("10d@STEP"; "absent").
iv_check_value() {
	local v label want=$4
	[ "$LL_PLUGIN" = ours ] && want=$3
	v=$(iv_cli GET "$2")
	label=absent
	[ -z "$v" ] || label=$(sql_ts_label "$v")
	obs "$1: $2 = $label"
	check_eq "$1: $2" "$want" "$label"
}

# iv_skipped: logins skipped for the interval so far, in the whole log of
# this Dovecot: with IV_LOG_DEBUG in log_debug, each one's event
# last_login_write_finished (skipped=interval) is logged as
# "Debug: last_login_dict: Write finished: ok". Users named debug* are
# left out: a scenario may log all their debug lines (mail_debug).
IV_LOG_DEBUG='event=last_login_write_finished AND skipped=interval'
iv_skipped() {
	grep -a -E 'Debug: (.*: )?last_login_dict: Write finished: ok$' \
		"$DC_LOG" | grep -a -c -v -E '^[^ ]+ [a-z0-9]+\(debug' || true
}
iv_skipped_at_least() { [ "$(iv_skipped)" -ge "$1" ]; }

# iv_check_skipped WHAT N: exactly N logins skipped so far (ours; stock
# sends no such event: 0). Waits (bounded, 10 s) for N first: the log
# process writes asynchronously.
iv_check_skipped() {
	local want=$2 got
	[ "$LL_PLUGIN" = ours ] || want=0
	wait_until 10 iv_skipped_at_least "$want" || true
	got=$(iv_skipped)
	obs "$1: skipped logins logged: $got"
	check_eq "$1: skipped logins logged" "$want" "$got"
}

# iv_check_log_clean [OBS-FUNCTION]: the new log lines (dc_log_obs, or
# e.g. sql_log_obs) have no error and no plugin line but the debug lines
# of skipped logins.
iv_check_log_clean() {
	"${1:-dc_log_obs}"
	check_eq "$STEP: plugin lines" "" "$(grep -v -E \
		'Debug: (.*: )?last_login_dict: Write finished: ok$' \
		<<<"$DC_LOG_LINES" | grep last_login || true)"
	check_no_log_errors
}
