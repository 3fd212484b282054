# Skips: an IMAP session that hibernates and wakes up again writes nothing
# new; opening another user's shared mailbox writes only the logged-in
# user's key; dovecot-lda writes only the recipient's key, never its raw
# (internal) user's.
rd_start
dc_add_user alice
dc_add_user bob
DC_LL_PROTOCOLS="imap lda"
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_key = last-login/%{service}/%u"
# Hibernation's sockets and the inbox, alike in 2.3 and 2.4.
skips_common='imap_hibernate_timeout = 1s
service imap {
  unix_listener imap-master {
    mode = 0666
  }
}
service imap-hibernate {
  unix_listener imap-hibernate {
    mode = 0666
  }
}
namespace inbox {
  inbox = yes
  separator = /
}'
DC_EXTRA="$skips_common
namespace shared {
  type = shared
  separator = /
  prefix = shared/%%u/
  location = maildir:%%h/Maildir:INDEXPVT=~/shared/%%u
  subscriptions = no
  list = children
}"
# 2.4: the shared namespace's location as mail_* settings, the owner's
# variables as %{owner_*}.
DC_EXTRA_24="$skips_common
namespace shared {
  type = shared
  separator = /
  prefix = shared/\$user/
  mail_driver = maildir
  mail_path = %{owner_home}/Maildir
  mail_index_private_path = ~/shared/%{owner_user}
  subscriptions = no
  list = children
}"
dc_start

# 1. dovecot-lda: only alice's key (this also creates alice's INBOX).
run_step lda lda_deliver alice
expect_ok
rd_step_obs
check_written last-login/lda/alice 10
check_only_written last-login/lda/alice

# 2. Hibernation: log in, IDLE until hibernated, DONE, more commands.
step_begin hibernate
imap_idle alice pass 4 &
client=$!
# wait until the login wrote its key, then delete it
for ((i = 1; i <= 50; i++)); do
	[ -n "$(rd keys 'last-login/*')" ] && break
	sleep 0.1
done
login_keys=$(rd keys 'last-login/*' | cut -f1)
obs "hibernate: key after login: $login_keys"
check_eq "hibernate: key after login" last-login/imap/alice "$login_keys"
rd flush
rc=0
wait "$client" || rc=$?
step_end
obs "step hibernate: rc=$rc"
check_eq "hibernate: IDLE session" 0 "$rc"
dc_log_obs
# Hibernation is silent at Info level; the proof is that the session was
# logged out by another imap process than the one that logged in.
login_msg='Login: user=<alice>'
dc_v24 && login_msg='Logged in: user=<alice>'
login_pid=$(sed -n "s/.*$login_msg.*mpid=\([0-9]*\).*/\1/p" "$DC_LOG" | tail -n1)
logout_pid=$(sed -n 's/.*imap(alice)<\([0-9]*\)>.*Logged out.*/\1/p' "$DC_LOG" | tail -n1)
hib=no
[ -n "$login_pid" ] && [ -n "$logout_pid" ] && [ "$login_pid" != "$logout_pid" ] &&
	hib=yes
obs "hibernate: woke up in another process: $hib"
check_eq "hibernate: session hibernated (login pid $login_pid, logout pid $logout_pid)" yes "$hib"
rd_step_obs
check_only_written
check_no_log_errors

# 3. bob opens alice's shared INBOX: only bob's key.
run_step shared-mailbox imap_select bob pass shared/alice/INBOX
expect_ok
rd_step_obs
check_written last-login/imap/bob 10
check_only_written last-login/imap/bob
dc_log_obs
check_log_count last_login 0
check_no_log_errors
