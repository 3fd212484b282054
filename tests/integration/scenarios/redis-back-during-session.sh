# Redis down when a user logs in, started again while the session is still
# open: ours retries (backoff 1, 2, 4, 8 ... s) and stores the login once
# redis is back, before the session ends, logging "Login time written on
# attempt N" after its one error line. Stock tries once at the login and
# loses it (intended difference, allowlist.txt).
rd_start
dc_add_user alice
DC_LL_PROTOCOLS="imap"
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_precision = ms"
dc_start

# error_logged: the login's write failed, as the log says.
error_logged() {
	grep -q 'imap(alice).*Error: last_login_dict: Failed to write value' \
		"$DC_LOG"
}
# key_stored: redis holds alice's key.
key_stored() {
	[ -n "$(rd keys 'last-login/alice')" ]
}

rd_stop
release=$LL_WORK/release-alice
step_begin session
imap_hold alice pass "$release" &
client=$!
wait_until 10 error_logged || fail "session: no failed write logged in 10 s"
t_login_done=$(now_ns)
rd_resume
stored=no
if [ "$LL_PLUGIN" = ours ]; then
	# the retries run while the session is open
	wait_until 30 key_stored && stored=yes
fi
obs "session: stored while the session is open: $stored"
touch "$release"
rc=0
wait "$client" || rc=$?
step_end
check_eq "session: client" 0 "$rc"
rd_step_obs
if [ "$LL_PLUGIN" = ours ]; then
	check_eq "session: stored while the session is open" yes "$stored"
	check_written last-login/alice 13
	# the value is the login's time, not the retry's
	check_eq "session: alice's value from before the failure was logged" \
		yes "$(value_in_window "${RD_WRITTEN[last-login/alice]:-}" \
			"$STEP_T0" "$t_login_done")"
else
	check_only_written
fi
dc_log_obs
check_log_count '^imap\(alice\): Error: last_login_dict: Failed to write value: ' 1
if [ "$LL_PLUGIN" = ours ]; then
	# the driver's own connect line is not logged
	if dc_v24; then
		refused='connect\(127\.0\.0\.1:X\) failed: Connection refused'
	else
		refused='Disconnected during transaction'
	fi
	check_log_count "^imap\\(alice\\): Error: last_login_dict: Failed to write value: $refused\$" 1
	check_log_count '^imap\(alice\): Info: last_login_dict: Login time written on attempt ([2-9]|[1-9][0-9]+)$' 1
	check_log_count last_login 2
elif dc_v24; then
	# 2.4's redis driver also logs its failed connect() itself
	check_log_count last_login 2
else
	check_log_count last_login 1
fi
check_no_crash
