# sql-mariadb-faults: SQL faults behind the dict proxy never cost a login.
# MariaDB stopped while Dovecot runs: each login works and the plugin logs
# exactly one line for it (first "Lost connection to server during query",
# as the dict process still held its connection, then "Not connected to
# database"; with MariaDB 10.5 "Connection was killed", then "MySQL server
# has gone away"); MariaDB started again: once the dict process is
# connected again, the next login writes again. On Dovecot 2.4.1 the dict
# process crashes on that reconnect and the write that caused it is lost
# (see doc/backend-mysql.md); 2.4.5 sends it again to the new process.
# 2.3.21's pool holds a write while MariaDB is down: no answer (ours gives
# up after last_login_timeout), and Dovecot is restarted for the pool to
# connect again. A missing table: one line naming the table;
# the table back: writes again.
# Tables sql/portable-schema.sql, maps sql/doc-map.conf.ext and
# sql/local-map.conf.ext.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"
source "$LL_ROOT/lib/sql-portable.sh"

my_start
my_load portable-schema.sql
sql_portable_setup my
U=$SQL_U
# The dict process's own connect errors repeat with its retry timer.
SQL_LOG_DICT=apart
failed="Error: last_login_dict: Failed to write value: dict-server"
failed+=" returned failure: sql dict: commit failed:"
# The two errors of a stopped server, as MariaDB words them (the server
# and the client library Dovecot links come from one MariaDB release):
# 10.5 (bullseye) kills the idle connection, so the next query still
# tries it; 10.11 (bookworm) loses it and the dict disconnects at once.
# 10.5 with Dovecot 2.3.13: "Connection was killed" is no disconnect for
# driver-mysql (only CR_SERVER_GONE_ERROR and CR_SERVER_LOST are), so
# the dict process keeps the dead connection as ready; the second write
# fails on it with "gone away", and the one retry of the commit cannot
# connect.
case $(my_sql "SELECT VERSION()") in
10.5.*)
	lost="Connection was killed"
	still_down="MySQL server has gone away (idled for N secs)" ;;
*)
	lost="Lost connection to server during query (idled for N secs)"
	still_down="Not connected to database" ;;
esac

# one_dict_step NAME: before a step whose write must reach the dict
# process that lived through the outage, wait until the master counts it
# free again (dc_wait_service_idle), so that it starts no second one; its
# count is recorded: 1, the one started for imap-up. A dict process with
# a fresh pool behaves otherwise: it holds a write until MariaDB is back
# (2.3), or connects without crashing (2.4.1).
one_dict_step() {
	dc_wait_service_idle dict
	obs "$1: dict processes: $DC_SERVICE_PROCS"
	check_eq "$1: dict processes" 1 "$DC_SERVICE_PROCS"
}

sql_step imap-up imap_login $U
expect_ok
sql_check_rows imap-up my_rows last_login "$U	imap	13d@imap-up	127.0.0.1"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

my_stop
# The dict process still holds its connection: the first write finds it
# lost.
one_dict_step imap-mariadb-down
sql_step imap-mariadb-down imap_login $U
expect_ok
sql_log_obs
check_log_count last_login 1
check_log_line "imap($U): $failed $lost"
down_dict_lines=$SQL_DICT_LINES
# Now the dict process is (10.5: finds itself) disconnected and cannot
# connect.
one_dict_step imap-mariadb-still-down
sql_step imap-mariadb-still-down imap_login $U
expect_ok
# 2.3.21's sql pool holds a transaction while it has no connection (at
# most 60 s: "Transaction timed out (no free connections for 60 secs)"):
# the write gets no answer. Ours gives up after last_login_timeout, stock
# when the dict client's 30 s are up, while its process waits.
pool_holds=no
dc_version_ge 2.3.21 && ! dc_v24 && pool_holds=yes
if [ $pool_holds = yes ]; then
	if [ "$LL_PLUGIN" = ours ]; then
		held="Error: last_login_dict: Write abandoned after"
		held+=" last_login_timeout (5000 ms): the dict did not answer"
	else
		held="Error: last_login_dict: Write was unconfirmed (timeout or"
		held+=" disconnect): Dict server timeout: No input for "
	fi
	mf_held() { grep -qF "imap($U)" "$DC_LOG" && grep -qF "$held" "$DC_LOG"; }
	wait_until 60 mf_held || fail "$STEP: no line for the held write"
fi
sql_log_obs
check_log_count last_login 1
if [ $pool_holds = yes ]; then
	check_eq "$STEP: the held write's line" 1 \
		"$(grep -cF "imap($U): $held" <<<"$DC_LOG_LINES" || true)"
else
	check_log_line "imap($U): $failed $still_down"
fi
dc_v24 && retry_at=$(sql_retry_due_at)
# Dovecot's dict process says why (its own lines, not the plugin's; when
# exactly its reconnect attempts are logged depends on its retry timer).
down_dict_lines+=$'\n'$SQL_DICT_LINES
n=yes
grep -qF "Connect failed to database ($SQL_DB)" <<<"$down_dict_lines" ||
	n=no
check_eq "mariadb down: dict process logged its connect failure" yes "$n"
obs "dict process logged connect failure: $n"

my_run
if dc_v24; then
	# 2.4.1 reconnects only when a write comes (its failed connect calls
	# sql_disconnect(), which drops the pool's reconnect timer), at most
	# once per retry delay. Its driver-mysql connects again with the
	# MYSQL handle that mysql_close() has freed: the dict process dies
	# of SIGSEGV in mysql_optionsv(), and the write that made it connect
	# is lost. The master starts a new dict process for the next one.
	sql_wait_until "$retry_at"
	one_dict_step imap-mariadb-back-crash
	sql_step imap-mariadb-back-crash imap_login $U
	expect_ok
	sql_log_obs
	crash='^dict\(X\): Fatal: master: service\(dict\): '
	crash+='child [0-9]+ killed with signal 11 '
	n=$(grep -cE "$crash" <<<"$SQL_DICT_LINES" || true)
	check_eq "$STEP: dict process killed with signal 11" 1 "$n"
	obs "dict process killed with signal 11: $n"
	if dc_version_ge 2.4.5; then
		# 2.4.5's dict client sends the pending write again to the
		# new dict process: it lands. Stock lets the client's warning
		# through (ours keeps the driver's lines out).
		dc_hangup_lines
		if [ "$LL_PLUGIN" = ours ]; then
			check_log_count last_login 0
		else
			check_log_count last_login 1
			check_log_count "^imap\\($U\\): ${DC_HANGUP[0]}\$" 1
		fi
		sql_check_rows imap-mariadb-back-crash my_rows last_login \
			"$U	imap	13d@imap-mariadb-back-crash	127.0.0.1"
	else
		check_log_count last_login 1
		check_log_line "imap($U): Error: last_login_dict: Write was \
unconfirmed (timeout or disconnect): Connection closed"
		# Read after the plugin's line: the write can no longer land.
		sql_check_rows imap-mariadb-back-crash my_rows last_login \
			"$U	imap	13d@imap-up	127.0.0.1"
	fi
elif [ $pool_holds = yes ]; then
	# 2.3.21's dict process, whose pool held the write, did not
	# connect again within 2 minutes of MariaDB's return (seen on
	# 2.3.21.1): a Dovecot restart gives it a fresh pool.
	dc_restart
else
	my_wait_dict_reconnected
fi
sql_step imap-mariadb-back imap_login $U
expect_ok
sql_check_rows imap-mariadb-back my_rows last_login \
	"$U	imap	13d@imap-mariadb-back	127.0.0.1"
sql_log_obs
check_log_count last_login 0

my_sql "RENAME TABLE last_login TO last_login_away"
sql_step imap-no-table imap_login $U
expect_ok
sql_log_obs
check_log_count last_login 1
check_log_line "imap($U): $failed Table '$SQL_DB.last_login' doesn't exist"
check_eq "imap-no-table: lines of the dict process" "" "$SQL_DICT_LINES"
my_sql "RENAME TABLE last_login_away TO last_login"
sql_check_rows imap-no-table my_rows last_login \
	"$U	imap	13d@imap-mariadb-back	127.0.0.1"

sql_step imap-table-back imap_login $U
expect_ok
sql_check_rows imap-table-back my_rows last_login \
	"$U	imap	13d@imap-table-back	127.0.0.1"
sql_log_obs
check_log_count last_login 0
check_no_log_errors
check_eq "imap-table-back: lines of the dict process" "" "$SQL_DICT_LINES"
