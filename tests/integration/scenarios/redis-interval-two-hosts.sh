# redis-interval-two-hosts: two hosts, one redis, one interval. Two
# private Dovecots (dc_instance: own base_dir, ports, log; the same
# users) share one redis with last_login_interval = 1h: alice's logins on
# host A, then B, then A again make one write (ours: the one of the first
# login; every later login's lookup finds it younger than the interval),
# whichever host. Once the stored time is older than the interval, a
# login on B writes. Stock writes every login (intended difference 12).
source "$LL_ROOT/lib/sql-observe.sh" # sql_step, sql_ts_label: step windows
source "$LL_ROOT/lib/interval.sh"

rd_start
dc_add_user alice
DC_PROTOCOLS="imap"
DC_LL_PROTOCOLS="imap"
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_precision = ms
last_login_interval = 1h"
DC_EXTRA="log_debug = $IV_LOG_DEBUG"
dc_start
dc_instance b
dc_start
check_eq "host b: a base_dir of its own" "$LL_WORK/dovecot-b/run" \
	"$(doveconf -c "$DC_CONF" -h base_dir)"

# on HOST STEP: one IMAP login of alice on HOST (main = A, b = B).
on() {
	dc_instance "$1"
	iv_login "$2" imap alice
}
# host_logins HOST N: HOST's log has N sessions of alice so far (each
# login really went to the host it was meant for).
host_logins() {
	local n
	dc_instance "$1"
	# "Disconnected: Logged out" (2.3), "Logged out" (2.4)
	n=$(grep -a -c -E '^[0-9:]+ imap\(alice\).*: Logged out ' "$DC_LOG" ||
		true)
	obs "host $1: logins: $n"
	check_eq "host $1: logins of alice" "$2" "$n"
}

iv_reset
on main hosts-a-1
on b hosts-b-1
on main hosts-a-2
iv_check_cmds hosts-a-b-a "exec=1 get=3 multi=1 set=1" \
	"exec=3 multi=3 set=3"
iv_check_value hosts-a-b-a last-login/alice 13d@hosts-a-1 13d@hosts-a-2
host_logins main 2
host_logins b 1

# The stored time older than the interval: the next login, on B, writes.
iv_cli SET last-login/alice "$(($(date +%s%3N) - 3601000))" >/dev/null
iv_reset
on b hosts-b-2
iv_check_cmds hosts-b-2 "exec=1 get=1 multi=1 set=1" "exec=1 multi=1 set=1"
iv_check_value hosts-b-2 last-login/alice 13d@hosts-b-2 13d@hosts-b-2
host_logins b 2

# Skipped: b-1 on B, a-2 on A; each host's log shows its own.
for h in main b; do
	dc_instance "$h"
	iv_check_skipped "hosts-$h" 1
	iv_check_log_clean
	check_no_crash
done
