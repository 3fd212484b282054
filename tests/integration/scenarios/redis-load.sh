# Load (redis): 50 IMAP sessions of one user held open together, then two
# rounds of 100 logins over 100 users (10 at a time): every login works,
# every user gets a value from its own round, the log shows no error.
rd_start
dc_add_user alice
for i in $(seq -w 1 100); do dc_add_user "user$i"; done
DC_LL_PROTOCOLS="imap"
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_precision = ms"
# Dovecot allows 10 sessions per user and address by default.
DC_EXTRA="mail_max_userip_connections = 100"
dc_start

# 1. 50 parallel sessions of alice, each holding after SELECT until all
#    are counted.
step_begin parallel-50
pids=()
release=$LL_WORK/parallel-50.release
for ((i = 1; i <= 50; i++)); do
	imap_hold alice pass "$release" &
	pids+=($!)
done
# While they hold (until released, so a slow machine can't end the first
# before the last begins): count the imap processes (only alice logs in
# now), for up to 60 s.
most=0
for ((i = 1; i <= 600; i++)); do
	n=$(ps --ppid "$DC_PID" -o comm= | grep -cx imap || true)
	[ "$n" -gt "$most" ] && most=$n
	[ "$most" -ge 50 ] && break
	sleep 0.1
done
touch "$release"
ok=0
for p in "${pids[@]}"; do wait "$p" && ok=$((ok + 1)); done
step_end
obs "step parallel-50: $ok/50 ok, held together: $([ "$most" -ge 50 ] && echo yes || echo no)"
check_eq "parallel-50: sessions that worked" 50 "$ok"
check_eq "parallel-50: imap processes at once" 50 "$most"
rd_step_obs
check_written last-login/alice 13
check_only_written last-login/alice
dc_log_obs
check_no_log_errors

# 2. Two rounds of 100 users, 10 logins at a time.
login_user() { imap_login "$1" pass >/dev/null 2>&1 && echo ok || echo bad; }
for round in 1 2; do
	step_begin "round-$round"
	res=$(running=0
		for i in $(seq -w 1 100); do
			login_user "user$i" &
			# keep at most 10 clients running
			running=$((running + 1))
			[ "$running" -lt 10 ] || { wait -n; running=$((running - 1)); }
		done; wait)
	step_end
	ok=$(grep -c '^ok$' <<<"$res" || true)
	obs "step round-$round: $ok/100 ok"
	check_eq "round-$round: logins that worked" 100 "$ok"
	rd_step_obs
	fresh=0
	for i in $(seq -w 1 100); do
		v=${RD_WRITTEN[last-login/user$i]:-}
		if [ "$(value_digits "$v")" = 13 ] &&
			[ "$(value_in_window "$v")" = yes ]; then
			fresh=$((fresh + 1))
		fi
	done
	obs "round-$round: users with a fresh value: $fresh/100, keys: ${#RD_WRITTEN[@]}"
	check_eq "round-$round: users with a fresh 13-digit value" 100 "$fresh"
	check_eq "round-$round: keys written" 100 "${#RD_WRITTEN[@]}"
	dc_log_obs
	check_no_log_errors
done
