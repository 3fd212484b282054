# Stalls (redis): a redis that refuses, one whose TCP connect hangs, one
# that accepts and never answers. While the fault is in place an imap and
# a pop3 session, an LMTP delivery to 3 recipients, dovecot-lda and
# doveadm all complete (each bounded by 10 s), the imap process is gone
# within last_login_timeout (1 s) plus a margin after LOGOUT, and each job
# logs what happened, once. Stock waits 30 s on a hanging or silent redis
# (the redis driver's timeout): those sessions are recorded as "stalled"
# at the bound (intended difference, allowlist.txt). See lib/stall.sh.
source "$LL_ROOT/lib/stall.sh"

next_port
closed_port=$PORT
next_port
hanging_port=$PORT
perl "$LL_ROOT/tools/hanging-listener.pl" "$hanging_port" \
	>"$LL_WORK/hanging.out" 2>&1 &
ll_track $! hanging-listener
wait_until 20 grep -qx ready "$LL_WORK/hanging.out" ||
	die "hanging listener did not fill its queue"
next_port
silent_port=$PORT
listener_start silent "$silent_port"

# Refused: the redis driver logs its failed connect, then the commit
# fails (2.4: with the connect error). Ours keeps the driver's own lines
# out of the log: the one line left is stock's last (intended
# difference 7).
if dc_v24; then
	refused=('last_login_dict: dict\(redis\): conn 127\.0\.0\.1:X: connect\(\) failed: Connection refused'
		'last_login_dict: Failed to write value: connect\(127\.0\.0\.1:X\) failed: Connection refused')
else
	# the driver's prefix names the dict's user up to 2.3.16 (dict.c:
	# "dict(%s)<%s>: "; 2.3.17 dropped it): 2.3.13's stock plugin gives
	# the session's user
	drv='dict\(redis\)'
	dc_version_ge 2.3.17 || drv+='<[a-z]+>'
	refused=("$drv: conn 127\\.0\\.0\\.1:X: connect\\(\\) failed: Connection refused"
		'last_login_dict: Failed to write value: Disconnected during transaction')
fi
[ "$LL_PLUGIN" = ours ] && refused=("${refused[-1]}")
stall_config "redis:host=127.0.0.1:port=$closed_port"
stall_case redis-refused
stall_check_log redis-refused "${refused[@]}"
check_eq "redis-refused: sessions that stalled" "" "$STALL_STALLED"

# Hanging connect: the first attempt goes to the driver, whose connect
# gives up after its request timeout (half of last_login_timeout) and
# says "Disconnected during transaction" (2.4: "redis: Commit timed
# out"); a retry's probe times out after
# last_login_timeout; or the job is abandoned at the end of a shorter
# session: one of these lines, once.
stall_config "redis:host=127.0.0.1:port=$hanging_port"
stall_case redis-hanging
if [ "$LL_PLUGIN" = ours ]; then
	stall_check_log redis-hanging 'last_login_dict: (Failed to write value: (Disconnected during transaction|redis: Commit timed out in N secs|connect\(127\.0\.0\.1:X\) timed out after [0-9]+ ms)|Write abandoned after last_login_timeout \(1000 ms\): .+)'
else
	# every session waits for the driver's connect in the login
	check_eq "redis-hanging: sessions that stalled (stock)" \
		" $STALL_KINDS" "$STALL_STALLED"
fi

# Accepting and silent: the commit never gets an answer; ours' job fails
# with the (forced) redis timeout or is abandoned at process end.
stall_config "redis:host=127.0.0.1:port=$silent_port"
stall_case redis-silent
if [ "$LL_PLUGIN" = ours ]; then
	stall_check_log redis-silent 'last_login_dict: (Failed to write value: redis: Commit timed out in N secs|Write abandoned after last_login_timeout \(1000 ms\): .+)'
else
	# imap and pop3 answer and then linger; the others wait in deinit
	check_eq "redis-silent: sessions that stalled (stock)" \
		" lmtp lda doveadm" "$STALL_STALLED"
fi
check_no_crash
