# redis-interval: last_login_interval = 1h on redis (issue 11). Redis
# counts the commands it serves (CONFIG RESETSTAT, INFO commandstats), so
# each part asserts how many GETs (ours' lookups) and SETs (writes) its
# logins cost, and which login's time is stored:
#  1. a burst of 8 IMAP logins of alice, bob's login among them: ours
#     writes each user once and looks the key up at every login (each
#     imap process is new and knows nothing); stock writes every login;
#  2. a stored value older than the interval: the login writes;
#  3. a stored value newer than the login: ours leaves it, stock moves
#     it back;
#  4. a key per service (last-login/%s/%u): IMAP and POP3 keep an
#     interval each;
#  5. LMTP to 3 recipients twice, both in one lmtp process: the second
#     delivery makes no lookup, the process remembers what it wrote;
#  6. mail_debug (user debug1): the debug line of a skipped login;
#  7. last_login_interval = 0: exactly stock's commands (8 SETs).
# Each write is MULTI, SET, EXEC (Dovecot's redis driver). A skipped
# login ends ok with skipped=interval in its event; log_debug logs that
# event, so the log counts the skipped logins. Precision ms, so that a
# stored time names the one login it came from. Stock knows no last_login_interval and writes every
# login (intended difference 12, allowlist.txt).
source "$LL_ROOT/lib/sql-observe.sh" # sql_step, sql_ts_label: step windows
source "$LL_ROOT/lib/interval.sh"

rd_start
for u in alice bob r1 r2 r3 debug1; do dc_add_user "$u"; done
# Every command redis serves, for the reader of output.log (not compared).
iv_cli MONITOR >"$LL_WORK/redis-monitor.log" 2>&1 &
ll_track $! redis-monitor
DC_LL_PROTOCOLS="imap pop3 lmtp"
# One lmtp process that serves every connection (5.); skipped logins
# debug-logged.
iv_metric="log_debug = $IV_LOG_DEBUG"
DC_EXTRA="service lmtp {
  service_count = 0
  process_limit = 1
}
$iv_metric"
DC_EXTRA_24="service lmtp {
  restart_request_count = unlimited
  process_limit = 1
}
$iv_metric"
# settings INTERVAL [KEY]
settings() {
	DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_precision = ms
last_login_interval = $1${2:+
last_login_key = $2}"
}

# 1. The burst: 8 logins of alice, one after the other, bob's after the
# fourth. Ours: one GET per login, one SET per user; stock: a SET each.
settings 1h
dc_start
iv_reset
for i in 1 2 3 4 5 6 7 8; do
	iv_login "burst-$i" imap alice
	[ "$i" = 4 ] && iv_login burst-bob imap bob
done
iv_check_cmds burst "exec=2 get=9 multi=2 set=2" "exec=9 multi=9 set=9"
iv_check_value burst last-login/alice 13d@burst-1 13d@burst-8
iv_check_value burst last-login/bob 13d@burst-bob 13d@burst-bob
iv_check_skipped burst 7
iv_check_log_clean

# 2. The stored time is one second older than the interval: written.
iv_cli SET last-login/alice "$(($(date +%s%3N) - 3601000))" >/dev/null
iv_reset
iv_login after-interval imap alice
iv_check_cmds after-interval "exec=1 get=1 multi=1 set=1" "exec=1 multi=1 set=1"
iv_check_value after-interval last-login/alice 13d@after-interval \
	13d@after-interval
iv_check_log_clean

# 3. The stored time is newer than the login (another host's clock, a
# later login written first): ours never moves it back.
newer=$(($(date +%s%3N) + 3600000))
iv_cli SET last-login/alice "$newer" >/dev/null
iv_reset
iv_login newer-stored imap alice
iv_check_cmds newer-stored "get=1" "exec=1 multi=1 set=1"
stays=no
[ "$(iv_cli GET last-login/alice)" = "$newer" ] && stays=yes
obs "newer-stored: the newer value stays: $stays"
if [ "$LL_PLUGIN" = ours ]; then
	check_eq "newer-stored: the newer value stays" yes "$stays"
else
	check_eq "newer-stored: stock moves the value back" no "$stays"
fi
# superseded, not skipped for the interval: the count stays
iv_check_skipped newer-stored 7
iv_check_log_clean

# 4. A key per service: IMAP and POP3 each write once, then skip.
settings 1h 'last-login/%s/%u'
dc_restart
iv_cli FLUSHALL >/dev/null
iv_reset
iv_login svc-imap-1 imap alice
iv_login svc-pop3-1 pop3 alice
iv_login svc-imap-2 imap alice
iv_login svc-pop3-2 pop3 alice
iv_check_cmds per-service "exec=2 get=4 multi=2 set=2" "exec=4 multi=4 set=4"
iv_check_value per-service last-login/imap/alice 13d@svc-imap-1 \
	13d@svc-imap-2
iv_check_value per-service last-login/pop3/alice 13d@svc-pop3-1 \
	13d@svc-pop3-2
iv_check_skipped per-service 9
iv_check_log_clean

# 5. LMTP to r1 r2 r3, twice, in the one lmtp process. Ours: 3 lookups
# and one transaction of 3 SETs, then nothing at all; stock: a
# transaction per recipient each time. The
# writes may land after the DATA replies: wait for them (stock), or for
# the skipped events (ours, which decides before the reply).
lmtp_keys=(last-login/lmtp/r1 last-login/lmtp/r2 last-login/lmtp/r3)
# lmtp_sets N: redis has counted N SETs (a wait condition that sends no
# command redis would count).
lmtp_sets() { [[ " $(iv_cmds) " == *" set=$1 "* ]]; }
iv_reset
sql_step lmtp-1 lmtp_deliver r1 r2 r3
expect_ok
wait_until 10 lmtp_sets 3 || fail "lmtp-1: keys not written"
iv_check_cmds lmtp-1 "exec=1 get=3 multi=1 set=3" "exec=3 multi=3 set=3"
dc_wait_service_idle lmtp
check_eq "lmtp: one lmtp process" 1 "$DC_SERVICE_PROCS"
iv_reset
sql_step lmtp-2 lmtp_deliver r1 r2 r3
expect_ok
if [ "$LL_PLUGIN" = ours ]; then
	wait_until 10 iv_skipped_at_least 12 ||
		fail "lmtp-2: no skipped events"
else
	wait_until 10 lmtp_sets 3 || fail "lmtp-2: keys not written"
fi
iv_check_cmds lmtp-2 "" "exec=3 multi=3 set=3"
for k in "${lmtp_keys[@]}"; do
	iv_check_value lmtp-2 "$k" 13d@lmtp-1 13d@lmtp-2
done
iv_check_skipped lmtp-2 12
dc_wait_service_idle lmtp
check_eq "lmtp: still one lmtp process" 1 "$DC_SERVICE_PROCS"
iv_check_log_clean

# 6. What an admin sees with debug logging: the first login writes, the
# second is skipped and says why. Only the plugin's own lines are
# recorded.
# (mail_debug for everything: 2.3.13's mail user events have no user
# field that a log_debug filter could pick.)
extra=$DC_EXTRA extra_24=$DC_EXTRA_24
DC_EXTRA+=$'\n''mail_debug = yes'
DC_EXTRA_24+=$'\n''mail_debug = yes'
dc_restart
iv_login debug-1 imap debug1
iv_login debug-2 imap debug1
dc_settle
sleep 0.2 # the log process writes asynchronously
dc_log_take
# (2.4 also logs the dict driver's debug lines under stock's prefix)
debug_lines=$(grep -a -E 'Debug: last_login_dict: (Write finished|Login time not written)' \
	<<<"$DC_LOG_NEW" || true)
obs_lines debug "$debug_lines"
if [ "$LL_PLUGIN" = ours ]; then
	check_eq "debug: the plugin's debug lines" \
"imap(debug1): Debug: last_login_dict: Write finished: ok
imap(debug1): Debug: last_login_dict: Login time not written: the stored one is younger than last_login_interval
imap(debug1): Debug: last_login_dict: Write finished: ok" "$debug_lines"
else
	check_eq "debug: stock has no debug line of its own" "" "$debug_lines"
fi
DC_LOG_LINES=$DC_LOG_NEW
check_no_log_errors

# 7. last_login_interval = 0: every login written, no lookup: stock's.
settings 0
DC_EXTRA=$extra DC_EXTRA_24=$extra_24
dc_restart
iv_cli FLUSHALL >/dev/null
iv_reset
for i in 1 2 3 4 5 6 7 8; do
	iv_login "zero-$i" imap alice
done
iv_check_cmds interval-0 "exec=8 multi=8 set=8" \
	"exec=8 multi=8 set=8"
iv_check_value interval-0 last-login/alice 13d@zero-8 13d@zero-8
iv_check_skipped interval-0 12
iv_check_log_clean
check_no_crash
