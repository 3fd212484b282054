# Events: every write ends with the event last_login_write_finished,
# which Dovecot's stats process counts: a metric grouped by its result
# field, and one that filters on its user and key fields. N logins with
# redis up are "ok", M more with redis stopped (its port refuses)
# "failed"; with a redis that never answers and last_login_timeout 1s a
# short session's write is "abandoned"; a dict server that hangs up on
# the write gives "uncertain". Read back with `doveadm stats dump`
# (a restart for a new dict starts the counts again). The stock plugin
# sends no such event: its counts stay 0 (intended difference,
# allowlist.txt).
rd_start
dc_add_user alice
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT"
# The dict server (for case 4) knows one name, "known".
rd_dict_server known
# Dovecot's default service stats does: mail processes send their events
# to stats-writer (group dovecot, imap's extra group), doveadm (root)
# reads the metrics from stats-reader (0600) below the private base_dir.
filter_alice='event=last_login_write_finished AND user=alice AND key="last-login/alice"'
DC_EXTRA="metric last_login_write {
  filter = event=last_login_write_finished
  group_by = result
}
metric last_login_write_alice {
  filter = $filter_alice
}
$RD_DICT_SERVER"
# 2.4: group_by is a block; without a method it groups by each value.
DC_EXTRA_24="metric last_login_write {
  filter = event=last_login_write_finished
  group_by result {
  }
}
metric last_login_write_alice {
  filter = $filter_alice
}
$RD_DICT_SERVER_24"
dc_start

# ev_counts: the metrics' counts from `doveadm stats dump` as
# "total=T ok=O failed=F uncertain=U abandoned=B alice=A" (0 for a
# missing row; a group_by value appears as the row
# last_login_write_VALUE).
ev_counts() {
	doveadm -c "$DC_CONF" -f tab stats dump |
		awk -F '\t' '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["field"] == "duration" { n[$c["metric_name"]] = $c["count"] }
		END {
			p = "last_login_write"
			printf "total=%d ok=%d failed=%d uncertain=%d " \
				"abandoned=%d alice=%d\n", n[p], n[p "_ok"],
				n[p "_failed"], n[p "_uncertain"],
				n[p "_abandoned"], n[p "_alice"]
		}'
}

# ev_step_obs NAME EXPECTED: waits (bounded, 10 s) until stats has
# counted as many writes as EXPECTED's total (or more), as the mail
# processes send their events asynchronously; then the counts must be
# exactly EXPECTED for ours, and all 0 for stock, which sends no event.
ev_step_obs() {
	local name=$1 want=$2 want_total got total i
	[ "$LL_PLUGIN" = ours ] ||
		want='total=0 ok=0 failed=0 uncertain=0 abandoned=0 alice=0'
	want_total=${want%% *}
	dc_settle
	for ((i = 1; i <= 100; i++)); do
		got=$(ev_counts)
		total=${got%% *}
		[ "${total#total=}" -ge "${want_total#total=}" ] && break
		sleep 0.1
	done
	obs "stats after $name: $got"
	check_eq "stats after $name" "$want" "$got"
}

# 1. N=3 logins, redis up: three writes that end "ok".
for i in 1 2 3; do
	run_step "ok-$i" imap_login alice
	expect_ok
done
rd_step_obs
check_written last-login/alice 10
ev_step_obs ok 'total=3 ok=3 failed=0 uncertain=0 abandoned=0 alice=3'
dc_log_obs
check_log_count last_login 0
check_no_log_errors

# 2. M=2 logins with redis stopped: the logins work, the writes fail.
rd_stop
for i in 1 2; do
	run_step "failed-$i" imap_login alice
	expect_ok
done
ev_step_obs failed 'total=5 ok=3 failed=2 uncertain=0 abandoned=0 alice=5'
dc_log_obs
check_log_count '^imap\(alice\): Error: last_login_dict: Failed to write value: ' 2

# 3. A redis that accepts and never answers, a short session: ours ends
# the write when the process ends, after last_login_timeout. (Stock's
# redis timeout is 500 ms here, so that its process does not linger
# 30 s; ours sets the driver's timeout to last_login_timeout itself.)
next_port
listener_start silent "$PORT"
DC_PLUGIN_SETTINGS="last_login_dict = redis:host=127.0.0.1:port=$PORT:timeout_msecs=500
last_login_timeout = 1s"
dc_restart
run_step abandoned imap_login alice
expect_ok
ev_step_obs abandoned 'total=1 ok=0 failed=0 uncertain=0 abandoned=1 alice=1'
dc_log_obs 1
check_log_count '^imap\(alice\): Error: last_login_dict: ' 1

# 4. The dict server hangs up on a dict name it does not know: the proxy
# client cannot know whether the write happened ("uncertain"), as after
# its 30 s request timeout, only sooner.
DC_PLUGIN_SETTINGS="last_login_dict = proxy::nosuchname
last_login_timeout = 1s"
dc_restart
run_step uncertain imap_login alice
expect_ok
ev_step_obs uncertain 'total=1 ok=0 failed=0 uncertain=1 abandoned=0 alice=1'
dc_log_obs
dc_hangup_lines
if [ -z "$DC_HANGUP_VARIES" ]; then
	for line in "${DC_HANGUP[@]}"; do
		check_log_count "^imap\(alice\): $line\$" 1
	done
	check_log_count last_login ${#DC_HANGUP[@]}
fi
check_no_crash
