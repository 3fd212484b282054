# Leaving doveadm out (doc/which-logins.md): with last_login in
# the global mail_plugins, every doveadm command run for a user records a
# "login" (the first case shows it); a protocol doveadm block whose
# mail_plugins lacks last_login stops that (2.3: the others listed; 2.4:
# mail_plugins { last_login = no }), while IMAP logins are still recorded.
# The same for stock and ours: which processes load the plugin is Dovecot's
# choice.
rd_start
dc_add_user alice
DC_LL_PROTOCOLS=""
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_key = last-login/%s/%u"
# notify stands for the other plugins a setup loads everywhere.
global="mail_plugins = \$mail_plugins notify last_login"
global_24="mail_plugins {
  notify = yes
  last_login = yes
}"

# both NAME: doveadm mailbox list, then an IMAP login, for alice; the
# mail_plugins doveadm sees (as doveconf shows it) is recorded.
both() {
	local name=$1 doveadm_writes=$2 plugins
	plugins=$(doveconf -c "$DC_CONF" -f protocol=doveadm -h mail_plugins |
		tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
	obs "$name: doveadm's mail_plugins: '$plugins'"
	run_step "$name-doveadm" doveadm_list alice
	expect_ok
	rd_step_obs
	if [ "$doveadm_writes" = yes ]; then
		check_written last-login/doveadm/alice 10
		check_only_written last-login/doveadm/alice
	else
		check_only_written
	fi
	doveadm_log_obs
	check_log_count last_login 0
	run_step "$name-imap" imap_login alice
	expect_ok
	rd_step_obs
	check_written last-login/imap/alice 10
	check_only_written last-login/imap/alice
	dc_log_obs
	check_log_count last_login 0
	check_no_log_errors
}

# 1. Global mail_plugins only: doveadm records, like IMAP.
DC_EXTRA=$global
DC_EXTRA_24=$global_24
dc_start
both global yes

# 2. doveadm's own list, without last_login.
DC_EXTRA="$global
protocol doveadm {
  mail_plugins = notify
}"
DC_EXTRA_24="$global_24
protocol doveadm {
  mail_plugins {
    last_login = no
  }
}"
dc_restart
both doveadm-excluded no
