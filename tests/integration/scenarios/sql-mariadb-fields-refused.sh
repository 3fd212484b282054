# sql-mariadb-fields-refused: a field the backend refuses must not cost a
# login its time. The iRedMail table with last_ip (sql-mariadb-iredmail-
# fields) and a second field, nomap/%u, that no dict-sql map knows: the
# dict server refuses the transaction ("Invalid/unmapped key"). Ours then
# writes the times again without the fields: each login's time is stored,
# with one error line naming the setting. Two LMTP recipients share one
# transaction, so the one refusal cost both their fields; both times are
# stored. Stock before 2.4.5 ignores last_login_dict_fields: the same
# rows, no line. Stock from 2.4.5 writes the fields in the time's
# transaction, as upstream's documentation shows them: the refusal costs
# every login its time, one line each (the "documented SQL example").
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"

my_start
my_load iredmail-schema.sql
my_load iredmail-fields-schema.sql
sql_dict sql mysql "$MY_CONNECT" iredmail-map.conf.ext \
	iredmail-fields-map.conf.ext
DC_LL_PROTOCOLS="imap lmtp"
DC_PLUGIN_SETTINGS="last_login_dict = proxy::sql
last_login_key = last-login/%s/%u/%d
last_login_dict_fields = last-login-ip/%u/%d=%{rip}
last_login_dict_fields2 = nomap/%u=x
last_login_precision = s"
A=alice@example.org
B=bob@example.net
dc_add_user $A
dc_add_user $B
dc_start

# refused USER FIRST: ours' line for USER's login, whose batch's first
# unmapped key was FIRST's
refused() {
	echo "last_login_dict: Failed to write last_login_dict_fields" \
		"(the login time was written alone): dict-server returned" \
		"failure: sql dict set: Invalid/unmapped key: shared/nomap/$2"
}

# stock_refused USER: 2.4.5 stock's line for USER's login
stock_refused() {
	echo "last_login_dict: Failed to write value: dict-server returned" \
		"failure: sql dict set: Invalid/unmapped key: shared/nomap/$1"
}
stock_loses=no
[ "$LL_PLUGIN" = stock ] && dc_version_ge 2.4.5 && stock_loses=yes

sql_step imap-alice imap_login $A
expect_ok
if [ $stock_loses = yes ]; then
	sql_check_rows imap-alice my_rows last_login
else
	sql_check_rows imap-alice my_rows last_login \
		"$A	example.org	10d@imap-alice	NULL	NULL	<empty>"
fi
sql_log_obs
if [ "$LL_PLUGIN" = ours ]; then
	check_log_count last_login 1
	check_log_line "imap($A): Error: $(refused $A $A)"
elif [ $stock_loses = yes ]; then
	check_log_count last_login 1
	check_log_line "imap($A): Error: $(stock_refused $A)"
else
	check_log_count last_login 0
fi

# One LMTP transaction, two recipients: one dict transaction.
sleep 1
sql_step lmtp-both lmtp_deliver $A $B
expect_ok
if [ $stock_loses = yes ]; then
	sql_check_rows lmtp-both my_rows last_login
else
	sql_check_rows lmtp-both my_rows last_login \
		"$A	example.org	10d@imap-alice	NULL	10d@lmtp-both	<empty>" \
		"$B	example.net	NULL	NULL	10d@lmtp-both	<empty>"
fi
sql_log_obs
if [ $stock_loses = yes ]; then
	check_log_count last_login 2
	check_log_line "lmtp($A): Error: $(stock_refused $A)"
	check_log_line "lmtp($B): Error: $(stock_refused $B)"
elif [ "$LL_PLUGIN" = ours ]; then
	check_log_count last_login 2
	check_log_count "last_login_dict: Failed to write last_login_dict_fields \(the login time was written alone\): " 2
else
	check_log_count last_login 0
fi
