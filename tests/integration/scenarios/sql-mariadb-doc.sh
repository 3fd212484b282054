# sql-mariadb-doc: Dovecot's documentation example for last_login on
# MariaDB through the dict proxy (proxy::sql -> dict-sql -> mysql), as it
# really behaves: the schema of sql/doc-schema.sql (key userid, service),
# the map of sql/doc-map.conf.ext, key last-login/%{service}/%{user}/
# %{remote_ip} (written %{rip}, the same variable under the name 2.3.13
# also knows), precision ms. Records the two traps:
#  - a second login from another address updates last_access but leaves
#    last_ip at the first address (ON DUPLICATE KEY UPDATE sets only the
#    value field);
#  - entry points without a remote address (LMTP over the unix socket,
#    dovecot-lda, doveadm) make a key ending in "/", which dict-sql rejects
#    as unmapped: one error line each, nothing stored, delivery still works.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"

my_start
my_load doc-schema.sql
sql_dict sql mysql "$MY_CONNECT" doc-map.conf.ext
DC_LL_PROTOCOLS="imap pop3 lmtp lda doveadm"
DC_PLUGIN_SETTINGS="last_login_dict = proxy::sql
last_login_key = last-login/%{service}/%{user}/%{rip}
last_login_precision = ms"
U=alice@example.org
dc_add_user $U
dc_start

unmapped="Error: last_login_dict: Failed to write value: dict-server"
unmapped+=" returned failure: sql dict set: Invalid/unmapped key:"

sql_step imap-1 imap_login $U
expect_ok
sql_check_rows imap-1 my_rows last_login \
	"$U	imap	13d@imap-1	127.0.0.1"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

sql_step pop3-1 pop3_login $U
expect_ok
sql_check_rows pop3-1 my_rows last_login \
	"$U	imap	13d@imap-1	127.0.0.1" \
	"$U	pop3	13d@pop3-1	127.0.0.1"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

# Trap 1: new time, old address.
CLIENT_SRC=127.0.0.2 sql_step imap-2-from-127.0.0.2 imap_login $U
expect_ok
sql_check_rows imap-2 my_rows last_login \
	"$U	imap	13d@imap-2-from-127.0.0.2	127.0.0.1" \
	"$U	pop3	13d@pop3-1	127.0.0.1"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

# LMTP over TCP has a remote address: its row is written.
sql_step lmtp-tcp lmtp_deliver $U
expect_ok
sql_check_rows lmtp-tcp my_rows last_login \
	"$U	imap	13d@imap-2-from-127.0.0.2	127.0.0.1" \
	"$U	lmtp	13d@lmtp-tcp	127.0.0.1" \
	"$U	pop3	13d@pop3-1	127.0.0.1"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

# Trap 2: no remote address, key "last-login/<service>/<user>/".
rows_before=("$U	imap	13d@imap-2-from-127.0.0.2	127.0.0.1"
	"$U	lmtp	13d@lmtp-tcp	127.0.0.1"
	"$U	pop3	13d@pop3-1	127.0.0.1")

sql_step lmtp-unix lmtp_deliver_unix $U
expect_ok
sql_check_rows lmtp-unix my_rows last_login "${rows_before[@]}"
sql_log_obs
check_log_count last_login 1
# ours logs through the user's event, which in lmtp names the recipient
# (from 2.3.21 in the prefix); 2.4's lmtp process prefix names the user,
# for ours and stock alike
if dc_v24 || { [ "$LL_PLUGIN" = ours ] && dc_lmtp_user_prefix; }; then
	check_log_line "lmtp($U): $unmapped shared/last-login/lmtp/$U/"
elif [ "$LL_PLUGIN" = ours ]; then
	check_log_line "lmtp(X): Error: lmtp-server: conn unix:pid=X,uid=0 [2]: rcpt $U: last_login_dict: Failed to write value: dict-server returned failure: sql dict set: Invalid/unmapped key: shared/last-login/lmtp/$U/"
else
	check_log_line "lmtp(X): $unmapped shared/last-login/lmtp/$U/"
fi

sql_step lda lda_deliver $U
expect_ok
sql_check_rows lda my_rows last_login "${rows_before[@]}"
sql_log_obs
check_log_count last_login 1
check_log_line "lda($U): $unmapped shared/last-login/lda/$U/"

# doveadm logs to its stderr (kept in clients.log), not to log_path.
sql_step doveadm doveadm_list $U
expect_ok
sql_check_rows doveadm my_rows last_login "${rows_before[@]}"
sql_clients_log_obs
check_log_count last_login 1
check_log_line "doveadm($U): $unmapped shared/last-login/doveadm/$U/"
sql_log_obs
check_log_count last_login 0
check_no_log_errors
