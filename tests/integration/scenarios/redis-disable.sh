# last_login_disable=yes returned by the userdb (a monitoring probe, a
# service account): that user's IMAP and POP3 logins and LMTP deliveries
# write nothing and log nothing, while other users' are recorded, also
# users whose userdb says "no". Stock has no such setting and records
# everyone (intended difference 14). A bad value from the userdb: one
# error line naming the setting, nothing recorded, the login works.
# (2.3: userdb fields become plugin settings; 2.4: setting overrides.)
rd_start
dc_add_user alice
dc_add_user probe pass "" 'userdb_last_login_disable=yes'
dc_add_user bob pass "" 'userdb_last_login_disable=no'
dc_add_user carol pass "" 'userdb_last_login_disable=maybe'
DC_LL_PROTOCOLS="imap pop3 lmtp"
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_key = last-login/%s/%u"
dc_start

# sessions USER: IMAP, POP3 and an LMTP delivery to USER, each checked:
# ours writes nothing for probe (and carol), stock writes every one.
sessions() {
	local u=$1 s
	for s in imap_login pop3_login lmtp_deliver; do
		run_step "$u-${s%%_*}" "$s" "$u"
		expect_ok
		rd_step_obs
		if [ "$LL_PLUGIN" = ours ] && [[ $u == @(probe|carol) ]]; then
			check_only_written
		else
			check_written "last-login/${s%%_*}/$u" 10
			check_only_written "last-login/${s%%_*}/$u"
		fi
	done
}

for u in alice probe bob; do
	sessions "$u"
done
dc_log_obs
check_log_count last_login 0
check_no_log_errors

sessions carol
dc_log_obs
if [ "$LL_PLUGIN" = ours ]; then
	# one line per session, each naming the setting and the value
	if dc_v24; then
		# 2.4: settings_get() fails on the override and says why;
		# in LMTP the line has no connection and recipient prefix
		bad="last_login_dict: last_login settings: Failed to parse"
		bad+=" configuration: Failed to override configuration from"
		bad+=" userdb: Invalid last_login_disable=maybe: Invalid"
		bad+=" boolean value: maybe (use yes or no)"
		rcpt=
	else
		bad="last_login_dict: Invalid last_login_disable 'maybe':"
		bad+=" Invalid boolean value (use yes or no): login not recorded"
		rcpt="lmtp-server: conn 127.0.0.1:X [N]: rcpt carol: "
		dc_lmtp_user_prefix && rcpt=
	fi
	# 2.3.13's lmtp prefixes its lines "lmtp(<pid>, <user>): "
	lmtp='lmtp(X, carol)'
	dc_version_ge 2.3.19 && lmtp='lmtp(carol)'
	want="imap(carol): Error: $bad
pop3(carol): Error: $bad
$lmtp: Error: $rcpt$bad"
	# [N]: the lmtp process's connection number, which depends on how
	# many connections that process has served
	check_eq "carol: the log lines" "$want" \
		"$(sed -E 's/ \[[0-9]+\]: rcpt / [N]: rcpt /' <<<"$DC_LOG_LINES")"
else
	check_log_count last_login 0
	check_no_log_errors
fi
