# sql-mariadb-iredmail-fields: the iRedMail recipe (sql-mariadb-iredmail)
# with the client address of the latest login: a last_ip column (sql/
# iredmail-fields-schema.sql, NOT NULL DEFAULT '') filled through
# last_login_dict_fields = last-login-ip/%u/%d=%{rip} (sql/
# iredmail-fields-map.conf.ext). dict-sql writes the service's column and
# last_ip in one INSERT ... ON DUPLICATE KEY UPDATE, so the address moves
# with every login of the user, whatever the service; a delivery over
# LMTP's unix socket has none and empties it. Stock knows no
# last_login_dict_fields before 2.4.5: the times are stored, last_ip
# stays ''; from 2.4.5 it writes last_ip as ours does.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"

my_start
my_load iredmail-schema.sql
my_load iredmail-fields-schema.sql
sql_dict sql mysql "$MY_CONNECT" iredmail-map.conf.ext \
	iredmail-fields-map.conf.ext
DC_LL_PROTOCOLS="imap pop3 lmtp"
DC_PLUGIN_SETTINGS="last_login_dict = proxy::sql
last_login_key = last-login/%s/%u/%d
last_login_dict_fields = last-login-ip/%u/%d=%{rip}
last_login_precision = s"
A=alice@example.org
B=bob@example.net
dc_add_user $A
dc_add_user $B
dc_start

# ip ADDRESS: last_ip as the plugin leaves it (stock before 2.4.5: the
# column default)
ip() {
	if ll_writes_fields; then echo "$1"; else echo '<empty>'; fi
}

# step NAME CMD... ROW...: the login, then exactly these rows, no line.
# A one-second step window could hold the same second twice: each step
# waits for the next second, so that each value names its own step.
step() {
	local name=$1 cmd=$2 user=$3
	shift 3
	sleep 1
	sql_step "$name" "$cmd" "$user"
	expect_ok
	sql_check_rows "$name" my_rows last_login "$@"
	sql_log_obs
	check_log_count last_login 0
	check_no_log_errors
}

step imap-alice imap_login $A \
	"$A	example.org	10d@imap-alice	NULL	NULL	$(ip 127.0.0.1)"
CLIENT_SRC=127.0.0.2 step pop3-alice-from-127.0.0.2 pop3_login $A \
	"$A	example.org	10d@imap-alice	10d@pop3-alice-from-127.0.0.2	NULL	$(ip 127.0.0.2)"
# no client address: the delivery empties last_ip
step lmtp-alice lmtp_deliver_unix $A \
	"$A	example.org	10d@imap-alice	10d@pop3-alice-from-127.0.0.2	10d@lmtp-alice	<empty>"
step imap-alice-again imap_login $A \
	"$A	example.org	10d@imap-alice-again	10d@pop3-alice-from-127.0.0.2	10d@lmtp-alice	$(ip 127.0.0.1)"
CLIENT_SRC=127.0.0.2 step imap-bob-from-127.0.0.2 imap_login $B \
	"$A	example.org	10d@imap-alice-again	10d@pop3-alice-from-127.0.0.2	10d@lmtp-alice	$(ip 127.0.0.1)" \
	"$B	example.net	10d@imap-bob-from-127.0.0.2	NULL	NULL	$(ip 127.0.0.2)"

# What a support agent runs: the latest access and where it came from.
latest=$(my_sql "SELECT username, GREATEST(COALESCE(imap, 0),
	COALESCE(pop3, 0), COALESCE(lda, 0)), last_ip FROM last_login
	WHERE username = '$A'")
latest=$(sql_label_rows <<<"$latest")
obs "support query: ${latest//$'\t'/ | }"
check_eq "support query" "$A	10d@imap-alice-again	$(ip 127.0.0.1)" \
	"$latest"
