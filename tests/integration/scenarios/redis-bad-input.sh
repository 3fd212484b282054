# Bad input: usernames at the edges of what Dovecot's auth lets through
# (256 bytes, non-ASCII, '%', '/', a space; 1000 bytes, which Dovecot
# itself refuses before 2.4), a client on IPv6 ::1, and keys that expand
# to nothing.
# No crash, no write outside the user's own key.
rd_start
DC_LL_PROTOCOLS="imap"
# IPv6 only where the loopback has ::1 (some containers lack it).
have_ipv6=no
perl -MIO::Socket::IP -e \
	'exit(IO::Socket::IP->new(LocalHost => "::1", Listen => 1) ? 0 : 1)' &&
	have_ipv6=yes
obs "ipv6 loopback available: $have_ipv6"
[ "$have_ipv6" = yes ] && DC_LISTEN="127.0.0.1, ::1"
# Let every character through auth (the default allows only [a-zA-Z0-9.-_@]).
DC_EXTRA='auth_username_chars ='
long256=$(printf 'l%.0s' $(seq 256))
long1000=$(printf 'm%.0s' $(seq 1000))
dc_add_user alice
dc_add_user "$long256" pass "$DC_HOME/long256"
dc_add_user "$long1000" pass "$DC_HOME/long1000"
for u in jürgen 'per%cent' 'sla/sh' 'sp ace'; do dc_add_user "$u"; done

# 1. Default key: each user writes exactly last-login/<its name>.
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT"
dc_start
n=0
for u in "$long256" jürgen 'per%cent' 'sla/sh' 'sp ace'; do
	n=$((n + 1))
	run_step "user-$n" imap_auth "$u"
	expect_ok
	rd_step_obs
	check_written "last-login/$u" 10
	check_only_written "last-login/$u"
done
dc_log_obs
check_log_count last_login 0
check_no_log_errors
check_no_crash

# 2. 1000 bytes: Dovecot 2.3's own config lookup refuses the session
# before any plugin runs; nothing is written. 2.4 takes the name like any
# other.
run_step user-1000-bytes imap_auth "$long1000"
if dc_v24; then
	expect_ok
	rd_step_obs
	check_written "last-login/$long1000" 10
	check_only_written "last-login/$long1000"
else
	check_eq "user-1000-bytes: the session fails in Dovecot" 2 "$STEP_RC"
	rd_step_obs
	check_only_written
fi
dc_log_obs
check_log_count last_login 0
check_no_crash

# 3. IPv6 and '%' in the name through a key with variables: the name is
# not expanded again, ::1 is kept as is. (%{rip}: 2.3.13 has no
# %{remote_ip}.)
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_key = last-login/%{service}/%u/%{rip}"
dc_restart
if [ "$have_ipv6" = yes ]; then
	CLIENT_HOST=::1 run_step ipv6 imap_auth alice
	expect_ok
	rd_step_obs
	check_written last-login/imap/alice/::1 10
	check_only_written last-login/imap/alice/::1
else
	note "no ::1 on this machine: IPv6 step skipped"
fi
run_step percent-in-key imap_auth 'per%cent'
expect_ok
rd_step_obs
check_written last-login/imap/per%cent/127.0.0.1 10
check_only_written last-login/imap/per%cent/127.0.0.1
dc_log_obs
check_log_count last_login 0
check_no_log_errors

# 4. Keys that expand to an empty string: a missing userdb field, and an
# empty setting. The login works and no other key than the empty one is
# touched (stock writes the empty key ""; see doc/backend-redis.md).
empty_key_case() { # NAME KEY-SETTING
	DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_key = $2"
	dc_restart
	run_step "$1" imap_auth alice
	expect_ok
	rd_step_obs
	local k
	for k in "${!RD_WRITTEN[@]}"; do
		[ "$k" = '<empty>' ] || fail "$1: wrote another key: $k"
	done
	dc_log_obs
	check_no_crash
}
empty_key_case empty-userdb-field '%{userdb:nosuchfield}'
empty_key_case empty-setting ''

# 5. An unknown variable: Dovecot 2.3 refuses to expand the plugin
# settings and ends the session itself (before the plugin runs). In 2.4
# the plugin's settings_get() fails: the plugin logs it, the login works.
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_key = %{nosuchvar}"
dc_restart
run_step unknown-variable imap_auth alice
if dc_v24; then
	expect_ok
else
	check_eq "unknown-variable: the session fails in Dovecot" 2 "$STEP_RC"
fi
rd_step_obs
check_only_written
dc_log_obs
if dc_v24; then
	check_log_count last_login 1
	want='^imap\(alice\): Error: last_login_dict: last_login settings: '
	want+='Failed to parse configuration: Failed to expand '
	want+="last_login_key setting variables: Unknown variable 'nosuchvar'\$"
	check_log_count "$want" 1
else
	check_log_count "Failed to expand plugin setting last_login_key = '%\{nosuchvar\}': Unknown variable" 1
fi
check_no_crash
