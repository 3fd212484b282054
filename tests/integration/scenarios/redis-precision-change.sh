# The stored value is not one of this configuration's times: written by
# another tool in ms while last_login_precision = s, in s while it is ms,
# the word "garbage", a number of no precision's length. The next login
# is written (10 or 13 digits from its own window), with
# last_login_interval = 1h and without: a value that can't be read as a
# time of this precision is no reason to skip a login. Stock overwrites
# every one of them, as it writes every login.
rd_start
dc_add_user alice

# pc_case NAME STORED PRECISION DIGITS: the key holds STORED, then one
# IMAP login of alice: it writes a DIGITS-long time from its window.
pc_case() {
	local name=$1 stored=$2 digits=$4
	redis-cli -p "$RD_PORT" SET last-login/alice "$stored" >/dev/null
	run_step "$name" imap_login alice
	expect_ok
	rd_step_obs
	check_written last-login/alice "$digits"
	check_only_written last-login/alice
}

# pc_cases INTERVAL: every case with last_login_interval = INTERVAL.
pc_cases() {
	local iv=$1 ms s
	DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_precision = s
last_login_interval = $iv"
	dc_restart
	# ten minutes ago, in ms: younger than the interval, if it were s
	ms=$(($(date +%s%3N) - 600000))
	pc_case "interval-$iv-stored-ms" "$ms" s 10
	pc_case "interval-$iv-stored-garbage" garbage s 10
	# 15 digits: no precision's length, and more than now in s or ms
	pc_case "interval-$iv-stored-15-digits" 123456789012345 s 10
	dc_log_obs
	check_log_count last_login 0
	check_no_log_errors

	DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_precision = ms
last_login_interval = $iv"
	dc_restart
	# ten minutes ago, in s
	s=$(($(date +%s) - 600))
	pc_case "interval-$iv-ms-stored-s" "$s" ms 13
	pc_case "interval-$iv-ms-stored-garbage" garbage ms 13
	dc_log_obs
	check_log_count last_login 0
	check_no_log_errors
}

pc_cases 1h
pc_cases 0
check_no_crash
