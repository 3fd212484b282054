# sql-mariadb-faults: SQL faults behind the dict proxy never cost a login.
# MariaDB stopped while Dovecot runs: each login works and the plugin logs
# exactly one line for it (first "Lost connection to server during query",
# as the dict process still held its connection, then "Not connected to
# database"; with MariaDB 10.5 "Connection was killed", then "MySQL server
# has gone away"); MariaDB started again: the next login writes again. A
# missing table: one line naming the table; the table back: writes again.
# Tables sql/portable-schema.sql, maps sql/doc-map.conf.ext and
# sql/local-map.conf.ext.
source "$LL_ROOT/lib/sql-servers.sh"

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
# With 10.5 the second write races the dict process's reconnect: when
# its pool still holds a connection it thinks alive, the write fails
# ("gone away"); when every connection is already retrying, Dovecot holds
# the write until the server is back and then stores it. Either is
# Dovecot's, not the plugin's: both are checked exactly (held_ok), and
# the step's log lines are not compared between ours and stock.
held_ok=
case $(my_sql "SELECT VERSION()") in
10.5.*)
	lost="Connection was killed"
	still_down="MySQL server has gone away (idled for N secs)"
	held_ok=1 ;;
*)
	lost="Lost connection to server during query (idled for N secs)"
	still_down="Not connected to database" ;;
esac

sql_step imap-up imap_login $U
expect_ok
sql_check_rows imap-up my_rows last_login "$U	imap	13d@imap-up	127.0.0.1"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

my_stop
# The dict process still holds its connection: the first write finds it
# lost.
sql_step imap-mariadb-down imap_login $U
expect_ok
sql_log_obs
check_log_count last_login 1
check_log_line "imap($U): $failed $lost"
down_dict_lines=$SQL_DICT_LINES
# Now the dict process is (10.5: finds itself) disconnected and cannot
# connect.
sql_step imap-mariadb-still-down imap_login $U
expect_ok
held=
if [ -n "$held_ok" ]; then
	LL_OBS=/dev/null sql_log_obs
	grep -q last_login <<<"$DC_LOG_LINES" || held=1
else
	sql_log_obs
fi
if [ -z "$held" ]; then
	check_log_count last_login 1
	check_log_line "imap($U): $failed $still_down"
fi
# Dovecot's dict process says why (its own lines, not the plugin's; when
# exactly its reconnect attempts are logged depends on its retry timer).
down_dict_lines+=$'\n'$SQL_DICT_LINES
n=yes
grep -qF "Connect failed to database ($SQL_DB)" <<<"$down_dict_lines" ||
	n=no
check_eq "mariadb down: dict process logged its connect failure" yes "$n"
obs "dict process logged connect failure: $n"

my_run
# A held write is stored once the server is back: wait for it, so that it
# cannot overwrite the next step's row.
[ -z "$held" ] || LL_OBS=/dev/null sql_check_rows imap-mariadb-held \
	my_rows last_login "$U	imap	13d@imap-mariadb-still-down	127.0.0.1"
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
