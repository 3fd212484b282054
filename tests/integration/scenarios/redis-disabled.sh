# Disabled: an empty last_login_dict, no plugin settings at all, or a key
# without a dict: logins work, nothing is stored, the backend sees no
# connection, and the plugin logs nothing. Also an invalid precision
# (intended difference 2: ours logs one error and connects nowhere; on
# 2.4 Dovecot itself refuses to start).
rd_start
dc_add_user alice
DC_LL_PROTOCOLS="imap pop3 lmtp"

# backend_conns: connections redis received since the last call (minus the
# ones redis-dump itself made to ask).
RD_CONN_LAST=$(rd connections)
backend_conns() {
	local now
	now=$(rd connections)
	echo $((now - RD_CONN_LAST - 1))
	RD_CONN_LAST=$now
}

try_disabled() { # CASE-NAME
	local c=$1 n
	dc_restart
	backend_conns >/dev/null
	run_step "$c-imap" imap_login alice
	expect_ok
	run_step "$c-pop3" pop3_login alice
	expect_ok
	run_step "$c-lmtp" lmtp_deliver alice
	expect_ok
	n=$(backend_conns)
	obs "$c: backend connections: $n"
	check_eq "$c: connections to redis" 0 "$n"
	rd_step_obs
	check_only_written
	dc_log_obs
	check_log_count last_login 0
	check_no_log_errors
}

DC_PLUGIN_SETTINGS="last_login_dict =
last_login_key = last-login/%u"
try_disabled empty-dict

DC_PLUGIN_SETTINGS=""
try_disabled no-settings

DC_PLUGIN_SETTINGS="last_login_key = last-login/%u
last_login_precision = ms"
try_disabled key-without-dict

# Invalid precision: a login still works and nothing is stored by either
# plugin; ours names the setting, value and accepted values and opens no
# connection; stock logs "Invalid last_login_precision" and still commits
# an (empty) transaction.
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_precision = minutes"
if dc_v24; then
	# 2.4: an enum, checked by the config process: Dovecot refuses to
	# start, with either plugin, and no plugin ever sees the value.
	backend_conns >/dev/null
	dc_start_refused
	want='^doveconf: Fatal: Error in configuration file '
	want+='WORK/dovecot/dovecot.conf line [0-9]+: '
	want+='last_login_precision: Invalid value: minutes$'
	check_match "refused-precision: Dovecot's complaint" "$want" \
		"$DC_REFUSED"
	n=$(backend_conns)
	obs "refused-precision: backend connections: $n"
	check_eq "refused-precision: connections to redis" 0 "$n"
	STEP=refused-precision
	rd_step_obs
	check_only_written
else
	dc_restart
	backend_conns >/dev/null
	run_step invalid-precision-imap imap_login alice
	expect_ok
	n=$(backend_conns)
	obs "invalid-precision: backend connections: $n"
	rd_step_obs
	check_only_written
	dc_log_obs
	check_log_count 'last_login' 1
	if [ "$LL_PLUGIN" = ours ]; then
		check_eq "invalid precision: connections (ours)" 0 "$n"
		check_log_count "last_login_precision.*minutes.*s.*ms.*us.*ns" 1
	else
		check_log_count "last_login_dict: Invalid last_login_precision 'minutes'" 1
	fi
fi
