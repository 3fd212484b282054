# last_login_dict_fields expanded exactly once, key and value: an
# escaped '%' stays one literal, and a user whose name has a '%' is
# written as it is, not expanded again. 2.3 expands the plugin setting
# "KEY=VALUE" once ('%%' is one '%'). 2.4 expands a string list's
# values, and from 2.4.5 its keys too; before 2.4.5 the plugin expands
# the keys. In 2.4's syntax only '%%{' is an escape (it gives '%{'): a
# second expansion would turn the literal into the user's name.
# Stock writes the fields from 2.4.5 on; before, only the time key.
rd_start
dc_add_user 'per%cent'
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_key = last-login/%u"
# The default auth_username_chars has no '%'.
DC_EXTRA="auth_username_chars ="
if dc_v24; then
	DC_EXTRA_24="auth_username_chars =
last_login_dict_fields {
  last-login-pct/%{user}/%%{user} = v%%{user}
}"
	want_key='last-login-pct/per%cent/%{user}' want_value='v%{user}'
else
	DC_PLUGIN_SETTINGS+="
last_login_dict_fields = last-login-pct/%u/100%%=v%%x"
	want_key='last-login-pct/per%cent/100%' want_value='v%x'
fi
dc_start

for step in imap pop3; do
	run_step "$step" "${step}_login" 'per%cent'
	expect_ok
	rd_step_obs
	check_written 'last-login/per%cent' 10
	if ll_writes_fields; then
		check_only_written 'last-login/per%cent' "$want_key"
		check_eq "$step: the field's value" "$want_value" \
			"${RD_WRITTEN[$want_key]-<none>}"
	else
		check_only_written 'last-login/per%cent'
	fi
done
dc_log_obs
check_log_count last_login 0
check_no_log_errors
