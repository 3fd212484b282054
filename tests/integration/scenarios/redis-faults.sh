# Faults: the backend refuses, accepts and stays silent, the URI names an
# unknown driver, a SQL driver without the proxy, a missing proxy socket,
# an unknown proxy dict name, a wrong redis password. Each time the login
# still works and the plugin logs exactly one clear line.
rd_start
dc_add_user alice
DC_LL_PROTOCOLS="imap pop3 lmtp lda doveadm"
# The dict service knows one name, "known".
rd_dict_server known
DC_EXTRA=$RD_DICT_SERVER
DC_EXTRA_24=$RD_DICT_SERVER_24
# One process per LMTP connection (2.4.1's default): ours retries a
# failed write while the process lives, and a later delivery for the same
# user in that process would replace it; each step here is one job.
DC_EXTRA+="
service lmtp {
  service_count = 1
}"

next_port
closed_port=$PORT
next_port
silent_port=$PORT
listener_start silent "$silent_port"
# A second redis that wants a password we do not give.
next_port
auth_port=$PORT
mkdir -p "$LL_WORK/redis-auth"
redis-server --port "$auth_port" --bind 127.0.0.1 --dir "$LL_WORK/redis-auth" \
	--save '' --appendonly no --requirepass right-password \
	--logfile "$LL_WORK/redis-auth/redis.log" &
ll_track $! redis-auth
wait_port 127.0.0.1 "$auth_port" || die "redis-auth did not start"

# fault_case NAME DICT-URI ERE...: login with that dict; exactly one
# plugin log line per ERE, each matching its ERE (the whole line after
# "imap(alice): Error: ").
fault_case() {
	local c=$1 uri=$2 line
	shift 2
	DC_PLUGIN_SETTINGS="last_login_dict = $uri"
	dc_restart
	run_step "$c" imap_login alice
	expect_ok
	rd_step_obs
	check_only_written
	dc_log_obs 1
	[ -z "${FAULT_LINES_VARY:-}" ] || return 0
	check_log_count last_login $#
	for line; do
		case $line in Warning:*) ;; *) line="Error: $line" ;; esac
		check_log_count "^imap\(alice\): $line\$" 1
	done
}

# A closed port: 2.4's redis driver logs the failed connect() itself,
# through the plugin's event, before the commit fails. Ours keeps the
# driver's own lines out of the log (intended difference 7).
refused=('last_login_dict: Failed to write value: Disconnected during transaction')
if dc_v24; then
	refused=('last_login_dict: dict\(redis\): conn 127\.0\.0\.1:X: connect\(\) failed: Connection refused'
		'last_login_dict: Failed to write value: connect\(127\.0\.0\.1:X\) failed: Connection refused')
fi
[ "$LL_PLUGIN" = ours ] && refused=("${refused[-1]}")
fault_case refused "redis:host=127.0.0.1:port=$closed_port" "${refused[@]}"
# The same refused backend from every other kind of session: the line has
# the same form (the session's log prefix, then last_login_dict: ...).
for c in pop3_login lmtp_deliver lmtp_deliver_unix lda_deliver doveadm_list; do
	run_step "refused-$c" "$c" alice
	expect_ok
	rd_step_obs
	check_only_written
	wait_until 10 dc_no_process lmtp || fail "$STEP: lmtp still running"
	dc_log_obs 0.5
	# doveadm logs to its stderr
	[ "$c" = doveadm_list ] && doveadm_log_obs
	for line in "${refused[@]}"; do
		check_log_count "(^|: )$line\$" 1
	done
	check_log_count last_login ${#refused[@]}
done
# Ours: the commit fails with the redis timeout (forced to
# last_login_timeout) or is abandoned at process end (intended difference
# 8): either line, once.
silent='last_login_dict: Failed to write value: redis: Commit timed out in N secs'
[ "$LL_PLUGIN" = ours ] &&
	silent='last_login_dict: (Failed to write value: redis: Commit timed out in N secs|Write abandoned after last_login_timeout \(1000 ms\): .+)'
fault_case silent "redis:host=127.0.0.1:port=$silent_port:timeout_msecs=500" \
	"$silent"
# 2.4 names no URI: the reason alone. Its mail processes have no SQL
# dict either: dict sql { sql_driver = mysql } there (see dc_dict_24).
if dc_v24; then
	fault_case unknown-driver "nosuchdriver:whatever" \
		'last_login_dict: Unknown dict module: nosuchdriver'
	fault_case sql-without-proxy "mysql:host=127.0.0.1 dbname=mail" \
		'last_login_dict: Unknown dict module: sql'
else
	fault_case unknown-driver "nosuchdriver:whatever" \
		'last_login_dict: dict_init\(nosuchdriver:whatever\) failed: Unknown dict module: nosuchdriver'
	fault_case sql-without-proxy "mysql:host=127.0.0.1 dbname=mail" \
		'last_login_dict: dict_init\(mysql:host=127.0.0.1 dbname=mail\) failed: Unknown dict module: mysql'
fi
fault_case proxy-socket-missing "proxy:/nonexistent/socket:x" \
	'last_login_dict: Failed to write value: net_connect_unix\(/nonexistent/socket\) failed: No such file or directory \(reply took .*\)'
dc_hangup_lines
FAULT_LINES_VARY=$DC_HANGUP_VARIES fault_case proxy-unknown-name \
	"proxy::nosuchname" "${DC_HANGUP[@]#Error: }"
# Wrong password: redis refuses AUTH. The secret must not reach our log
# (intended difference 3); for stock we only record what happens. Redis
# 6.0 (bullseye) words the refusal without "or user is disabled." (6.2
# added it; bookworm has 7.0).
wrongpass='-WRONGPASS invalid username-password pair or user is disabled\.'
case $(redis-server --version) in
*' v=6.0.'*) wrongpass='-WRONGPASS invalid username-password pair' ;;
esac
fault_case wrong-password "redis:host=127.0.0.1:port=$auth_port:password=secret123" \
	"last_login_dict: Failed to write value: redis: Unexpected input \\(state=0\\): $wrongpass"
# A URI with a password that dict_init() rejects (unknown parameter): the
# error line names the URI, stock's with the password in clear. In 2.4 an
# unknown dict setting is the config process's error: Dovecot refuses to
# start (with either plugin) and its complaint has no password.
bogus_uri="redis:host=127.0.0.1:port=$auth_port:password=secret123:bogus=1"
if dc_v24; then
	DC_PLUGIN_SETTINGS="last_login_dict = $bogus_uri"
	dc_start_refused
	want='^doveconf: Fatal: Error in configuration file '
	want+='WORK/dovecot/dovecot.conf line [0-9]+: redis_bogus: '
	want+='Unknown setting: redis_bogus \(dict_redis_bogus or '
	want+='dict_redis_redis_bogus not found either\.\)$'
	check_match "init-fails-with-password: Dovecot's complaint" "$want" \
		"$DC_REFUSED"
else
	fault_case init-fails-with-password "$bogus_uri" \
		'last_login_dict: dict_init\(redis:host=127.0.0.1:port=X:password=[^:]*:bogus=1\) failed: dict redis: Unknown parameter: bogus=1'
fi
leak=no
grep -qs secret123 "$DC_LOG" "$DC_DIR"/stdout* && leak=yes
obs "password-in-log: $leak"
if [ "$LL_PLUGIN" = ours ]; then
	check_eq "password kept out of the log" no "$leak"
fi

# And the working proxy name, so the proxy cases above fail for the
# reason they name and not because the dict service is unusable.
DC_PLUGIN_SETTINGS="last_login_dict = proxy::known"
dc_restart
run_step proxy-known imap_login alice
expect_ok
rd_step_obs
check_written last-login/alice 10
dc_log_obs
check_log_count last_login 0
