# sql-mariadb-iredmail: the iRedMail recipe on MariaDB through the dict
# proxy: one row per user (sql/iredmail-schema.sql, key username), the
# service in the key picks the column (sql/iredmail-map.conf.ext), key
# last-login/%s/%u/%d, precision s. IMAP, POP3 and LMTP (unix socket: this
# key needs no remote address) fill the same row, each its own column;
# another user gets a row of their own.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"

my_start
my_load iredmail-schema.sql
sql_dict sql mysql "$MY_CONNECT" iredmail-map.conf.ext
DC_LL_PROTOCOLS="imap pop3 lmtp"
DC_PLUGIN_SETTINGS="last_login_dict = proxy::sql
last_login_key = last-login/%s/%u/%d
last_login_precision = s"
A=alice@example.org
B=bob@example.net
dc_add_user $A
dc_add_user $B
dc_start

sql_step imap-alice imap_login $A
expect_ok
sql_check_rows imap-alice my_rows last_login \
	"$A	example.org	10d@imap-alice	NULL	NULL"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

# A one-second step window could hold the same second twice: wait for the
# next second so that each column's value names exactly its own step.
sleep 1
sql_step pop3-alice pop3_login $A
expect_ok
sql_check_rows pop3-alice my_rows last_login \
	"$A	example.org	10d@imap-alice	10d@pop3-alice	NULL"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

sleep 1
sql_step lmtp-alice lmtp_deliver_unix $A
expect_ok
sql_check_rows lmtp-alice my_rows last_login \
	"$A	example.org	10d@imap-alice	10d@pop3-alice	10d@lmtp-alice"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

sleep 1
sql_step imap-alice-again imap_login $A
expect_ok
sleep 1
sql_step imap-bob imap_login $B
expect_ok
sql_check_rows imap-bob my_rows last_login \
	"$A	example.org	10d@imap-alice-again	10d@pop3-alice	10d@lmtp-alice" \
	"$B	example.net	10d@imap-bob	NULL	NULL"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

# What a support agent runs: the user's latest access of any kind.
latest=$(my_sql "SELECT username, GREATEST(COALESCE(imap, 0),
	COALESCE(pop3, 0), COALESCE(lda, 0)) FROM last_login
	WHERE username = '$A'")
latest=$(sql_label_rows <<<"$latest")
obs "support query: $latest"
check_eq "support query" "$A	10d@imap-alice-again" "$latest"
