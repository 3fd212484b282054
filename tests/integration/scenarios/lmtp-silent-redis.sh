# LMTP to 20 recipients in one transaction while redis accepts and never
# answers, last_login_interval = 1h, last_login_timeout = 1s (the URI's
# timeout_msecs too, so that stock gives up after 1 s per recipient and
# not 30 s). No client waits for the backend: the DATA replies come
# within the timeout plus a margin of the final ".", the QUIT reply
# within that of QUIT, the lmtp process ends within that of the QUIT
# reply, and Dovecot stopped right after the DATA replies is gone (with
# its lmtp process) within that too. Each recipient gets one error line,
# and a line that names a key names its own recipient's.
# The bound is generous: a healthy delivery to 20 recipients takes well
# under a second, a client that waits for each recipient's write waits
# 20 x 1 s.
# Stock writes each recipient's login in its deinit, before the DATA
# replies: its DATA reply comes after 20 x 1 s (intended difference,
# allowlist.txt); its lines name no recipient.
SL_TIMEOUT_MS=1000
SL_BOUND_MS=$((SL_TIMEOUT_MS + 5000))
rd_uri_timeout=$SL_TIMEOUT_MS

rcpts=()
for i in $(seq -w 1 20); do
	dc_add_user "rcpt$i"
	rcpts+=("rcpt$i")
done
DC_PROTOCOLS="imap lmtp"
DC_LL_PROTOCOLS="lmtp"
# One process per LMTP connection (2.4's default): the process's end is
# the end of the delivery's session.
DC_EXTRA="service lmtp {
  service_count = 1
}"
DC_EXTRA_24=""
next_port
listener_start silent "$PORT"
DC_PLUGIN_SETTINGS="last_login_dict = redis:host=127.0.0.1:port=$PORT:timeout_msecs=$rd_uri_timeout
last_login_timeout = ${SL_TIMEOUT_MS}ms
last_login_interval = 1h"
dc_start

# sl_within WHAT FROM-MS TO-MS WANT-OURS WANT-STOCK: records whether TO
# came within SL_BOUND_MS of FROM ("yes"/"no"; "missing" when either
# mark is missing) and checks it against the plugin's expectation.
sl_within() {
	local what=$1 from=$2 to=$3 got=missing want=$4
	[ "$LL_PLUGIN" = ours ] || want=$5
	if [ -n "$from" ] && [ -n "$to" ]; then
		got=no
		(( to - from <= SL_BOUND_MS )) && got=yes
		note "$what: $((to - from)) ms"
	fi
	obs "$STEP: $what within last_login_timeout + margin: $got"
	check_eq "$STEP: $what within $SL_BOUND_MS ms" "$want" "$got"
}

now_ms() { echo $(($(now_ns) / 1000000)); }

# 1. The delivery, its QUIT and the process's end.
marks=$LL_WORK/marks.deliver
CLIENT_MARKS=$marks CLIENT_TIMEOUT=60 run_step deliver lmtp_deliver \
	"${rcpts[@]}"
expect_ok
wait_until 60 dc_no_process lmtp || fail "deliver: lmtp still running"
ended=$(now_ms)
sl_within "DATA replies" "$(mark_ms "$marks" data-sent)" \
	"$(mark_ms "$marks" data-replied)" yes no
sl_within "QUIT reply" "$(mark_ms "$marks" quit-sent)" \
	"$(mark_ms "$marks" quit-replied)" yes yes
sl_within "lmtp process end" "$(mark_ms "$marks" quit-replied)" \
	"$ended" yes yes
note "deliver: connections to the silent redis: $(listener_accepts silent)"

# The lines: one error per recipient; a key named is the recipient's own.
dc_log_obs 0.5
check_log_count 'last_login' 20
# (2.3.13's lmtp names the recipient in the prefix: "lmtp(X, rcpt01)";
# a line logged while another recipient's user is set up, as by the
# flush after 16 queued logins, carries that user's process prefix:
# "lmtp(rcpt16)"; its own recipient follows in "rcpt rcpt01:")
pfx='^lmtp\((X|rcpt[0-9]+)(, rcpt[0-9]+)?\): Error: '
check_log_count "$pfx" 20
if [ "$LL_PLUGIN" = ours ]; then
	# Where the line names its recipient: 2.3.21's and 2.4's lmtp put
	# the user in the prefix ("lmtp(rcpt01): "), 2.3's before in the
	# lmtp-server part.
	if dc_lmtp_user_prefix; then
		own='^lmtp\(@\): Error: last_login_dict: '
		who='s/^lmtp\((rcpt[0-9]+)\): .*last-login\/(rcpt[0-9]+).*/\1 \2/'
	else
		own="${pfx}lmtp-server: conn .*: rcpt @: last_login_dict: "
		who='s/.*rcpt (rcpt[0-9]+): .*last-login\/(rcpt[0-9]+).*/\1 \2/'
	fi
	for r in "${rcpts[@]}"; do
		check_log_count "${own//@/$r}" 1
	done
	wrong=$(grep -a -E 'last-login/rcpt[0-9]+' <<<"$DC_LOG_LINES" |
		sed -E "$who" | awk 'NF == 2 && $1 != $2' | wc -l)
	check_eq "deliver: error lines naming another recipient's key" 0 "$wrong"
else
	check_log_count "${pfx}last_login_dict: Failed to write value: redis: Commit timed out in N secs\$" 20
fi

# 2. Dovecot stopped while the connection is held after the DATA replies:
# master and lmtp process gone within the bound.
marks=$LL_WORK/marks.stop
hold=$LL_WORK/hold.stop
step_begin stop
CLIENT_MARKS=$marks CLIENT_TIMEOUT=90 lmtp_hold "$hold" "${rcpts[@]}" &
client=$!
sl_replied() { [ -n "$(mark_ms "$marks" data-replied)" ]; }
wait_until 60 sl_replied || fail "stop: no DATA replies"
lmtp_pids=$(ps --ppid "$DC_PID" -o pid=,comm= | awk '$2 == "lmtp" { print $1 }')
check_eq "stop: lmtp processes" 1 "$(wc -w <<<"$lmtp_pids")"
sl_gone() {
	local p
	for p in $DC_PID $lmtp_pids; do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}
t0=$(now_ms)
kill -TERM "$DC_PID"
wait_until 60 sl_gone || fail "stop: Dovecot still running after 60 s"
sl_within "Dovecot's stop" "$t0" "$(now_ms)" yes yes
touch "$hold"
wait "$client" || true
step_end
DC_PID=
check_no_crash
