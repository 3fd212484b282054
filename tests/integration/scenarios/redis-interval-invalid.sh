# redis-interval-invalid: last_login_interval = soon. Dovecot 2.3 passes
# plugin settings through unchecked: ours logs one error line naming the
# setting and the value, writes nothing, and the login works; stock knows
# no such setting and writes (intended difference 12). Dovecot 2.4's
# config process checks the setting (the plugin's settings module) and
# refuses to start, for ours and stock alike.
rd_start
dc_add_user alice
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_interval = soon"
if dc_v24; then
	dc_start_refused
	check_match "2.4 refuses the value" \
		"last_login_interval: Invalid time interval: soon" "$DC_REFUSED"
else
	dc_start
	run_step invalid imap_login alice
	expect_ok
	rd_step_obs
	dc_log_obs
	if [ "$LL_PLUGIN" = ours ]; then
		check_only_written
		check_log_count "^imap\(alice\): Error: last_login_dict: Invalid last_login_interval 'soon': Invalid time interval: soon: login not recorded$" 1
		check_log_count last_login 1
	else
		check_written last-login/alice 10
		check_only_written last-login/alice
		check_log_count last_login 0
	fi
	check_no_crash
fi
