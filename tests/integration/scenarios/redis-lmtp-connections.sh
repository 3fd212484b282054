# LMTP to 3 and to 50 recipients in one transaction, redis healthy: every
# recipient's key is written with a time from its delivery. Ours uses one
# dict connection per process, plus the one probe connection before it:
# redis counts 2 new connections per delivery. Stock opens one per
# recipient (intended difference, allowlist.txt).
rd_start
rcpts=()
for i in $(seq -w 1 50); do
	dc_add_user "rcpt$i"
	rcpts+=("rcpt$i")
done
DC_PROTOCOLS="imap lmtp"
DC_LL_PROTOCOLS="lmtp"
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT"
# One process per LMTP connection (2.4's default): each delivery starts
# with a new process, whose first write probes.
DC_EXTRA="service lmtp {
  service_count = 1
}"
DC_EXTRA_24=""
dc_start

# rd_counted VAR ARGS...: VAR=$(rd ARGS...), counting the call in
# RD_CALLS: every call is a connection of its own that redis counts.
RD_CALLS=0
rd_counted() {
	local -n out=$1
	shift
	RD_CALLS=$((RD_CALLS + 1))
	out=$(rd "$@")
}

# keys_written N: redis holds N keys (a wait condition).
keys_written() {
	local keys
	rd_counted keys keys '*'
	[ "$(grep -c . <<<"$keys")" = "$1" ]
}

# deliver NAME N: one LMTP transaction to the first N recipients.
deliver() {
	local name=$1 n=$2 before after conns k
	rd_counted before connections
	RD_CALLS=0
	run_step "$name" lmtp_deliver "${rcpts[@]:0:n}"
	expect_ok
	# the writes may land after the DATA replies: wait for them, and for
	# the process to end (nothing more can connect after it)
	wait_until 10 keys_written "$n" ||
		fail "$name: not every key written after 10 s"
	wait_until 10 dc_no_process lmtp ||
		fail "$name: the lmtp process did not end"
	rd_counted after connections
	# without the connections of redis-dump's calls after "before"
	conns=$((after - before - RD_CALLS))
	obs "$name: redis connections: $conns"
	if [ "$LL_PLUGIN" = ours ]; then
		check_eq "$name: redis connections (one per process)" 1 \
			"$conns"
	else
		check_eq "$name: redis connections (one per recipient)" \
			"$n" "$conns"
	fi
	rd_step_obs
	for k in "${rcpts[@]:0:n}"; do
		check_written "last-login/$k" 10
	done
	check_eq "$name: keys written" "$n" "${#RD_WRITTEN[@]}"
	dc_log_obs
	check_no_log_errors
}

deliver lmtp-3-recipients 3
deliver lmtp-50-recipients 50
