# Master users: "alice*master" logs in as alice with the master's password
# (auth_master_user_separator and a master passdb). By default such a login
# is recorded under alice's key, as stock does; with
# last_login_ignore_master_users = yes ours records nothing for it (and
# nothing for the master) and logs no error, while alice's own logins are
# still recorded; stock ignores the setting (intended difference 13). A
# bad value ("maybe"): 2.3 ours logs one error naming the setting and
# records nothing, the login works; 2.4's config process refuses it.
rd_start
dc_add_user alice
# The master's own passwd-file, in the same format as the users'.
printf 'master:{PLAIN}mpass::::::\n' >"$DC_DIR/masters"
chmod 644 "$DC_DIR/masters"
DC_EXTRA="auth_master_user_separator = *
passdb {
  driver = passwd-file
  master = yes
  args = scheme=PLAIN $DC_DIR/masters
}"
DC_EXTRA_24="auth_master_user_separator = *
passdb masters {
  driver = passwd-file
  master = yes
  passwd_file_path = $DC_DIR/masters
}"
base="last_login_dict = $RD_DICT
last_login_key = last-login/%s/%u"

# logins PREFIX WRITES: alice over IMAP and POP3, each through the master
# user and then as herself; the master logins write alice's key only if
# WRITES is yes, her own logins always.
logins() {
	local p=$1 writes=$2 proto user
	for proto in imap pop3; do
		for user in 'alice*master' alice; do
			if [ "$user" = alice ]; then
				run_step "$p-$proto-alice" "${proto}_login" alice
			else
				run_step "$p-$proto-master" "${proto}_login" \
					"$user" mpass
			fi
			expect_ok
			rd_step_obs
			if [ "$user" = alice ] || [ "$writes" = yes ]; then
				check_written "last-login/$proto/alice" 10
				check_only_written "last-login/$proto/alice"
			else
				check_only_written
			fi
		done
	done
	dc_log_obs
	check_log_count last_login 0
	check_no_log_errors
}

# 1. Default (unset) and explicit "no": a master login counts, as stock.
DC_PLUGIN_SETTINGS=$base
dc_start
logins default yes
DC_PLUGIN_SETTINGS="$base
last_login_ignore_master_users = no"
dc_restart
logins no yes

# 2. yes: ours leaves master logins out; stock ignores the setting.
DC_PLUGIN_SETTINGS="$base
last_login_ignore_master_users = yes"
dc_restart
if [ "$LL_PLUGIN" = ours ]; then
	logins ignore no
else
	logins ignore yes
fi

# 3. A bad value.
DC_PLUGIN_SETTINGS="$base
last_login_ignore_master_users = maybe"
if dc_v24; then
	dc_start_refused
	want='^doveconf: Fatal: Error in configuration file '
	want+='WORK/dovecot/dovecot.conf line [0-9]+: '
	want+='last_login_ignore_master_users: Invalid boolean value: maybe '
	want+='\(use yes or no\)$'
	check_match "bad-bool: Dovecot's complaint" "$want" "$DC_REFUSED"
else
	dc_restart
	run_step bad-bool-imap imap_login alice
	expect_ok
	rd_step_obs
	dc_log_obs
	if [ "$LL_PLUGIN" = ours ]; then
		check_only_written
		want="imap(alice): Error: last_login_dict: Invalid "
		want+="last_login_ignore_master_users 'maybe': Invalid boolean "
		want+="value (use yes or no): login not recorded"
		check_eq "bad-bool: the one log line" "$want" "$DC_LOG_LINES"
	else
		check_written last-login/imap/alice 10
		check_only_written last-login/imap/alice
		check_log_count last_login 0
	fi
fi
