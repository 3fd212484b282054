# Steps shared by the sql-*-fields scenarios, sourced by them after
# lib/sql-servers.sh, lib/sql-dict.sh, lib/sql-observe.sh and
# lib/sql-portable.sh (the user $SQL_U). The table of Dovecot's
# documentation (sql/doc-schema.sql: key userid, service; last_access and
# last_ip NOT NULL without a default) filled through sql/fields-map.conf.ext by
#   last_login_key = last-login/%s/%u
#   last_login_dict_fields = last-login-ip/%s/%u=%{rip}
# Ours sets the time and the address in one transaction, and dict-sql
# turns two consecutive sets into the same table with the same key values
# into one INSERT: a row, with both NOT NULL columns, is the proof. The
# stock plugin has no last_login_dict_fields before 2.4.5: its INSERT
# lacks last_ip and fails on NOT NULL, every time. From 2.4.5 it writes
# both in one transaction, as ours does.

# sql_fields_setup B: dict "sql" on backend B (my|pg|lite, started and
# its table loaded by the caller) with sql/fields-map.conf.ext, the
# plugin loaded for every entry point, user $SQL_U; Dovecot started.
sql_fields_setup() {
	sql_dict_on "$1" sql fields-map.conf.ext
	DC_LL_PROTOCOLS="imap pop3 lmtp lda doveadm"
	DC_PLUGIN_SETTINGS="last_login_dict = proxy::sql
last_login_key = last-login/%s/%u
last_login_dict_fields = last-login-ip/%s/%u=%{rip}
last_login_precision = ms
last_login_timeout = 5s"
	dc_add_user "$SQL_U"
	dc_start
}

# The rows ours has stored so far, by service.
declare -A SQL_FIELDS_ROWS=()

# sql_fields_commit_failed SERVICE: the start of the plugin's line for a
# commit that the backend refused, in SERVICE's process.
sql_fields_commit_failed() {
	local p="$1($SQL_U): Error: "
	# stock's LMTP line has the process prefix, which names the user on
	# 2.4 only; ours' the recipient's event
	if [ "$1" = lmtp ] && ! dc_v24; then
		p="lmtp(X): Error: "
		[ "$LL_PLUGIN" = ours ] &&
			p+="lmtp-server: conn unix:pid=X,uid=0 [N]: rcpt $SQL_U: "
	fi
	echo "${p}last_login_dict: Failed to write value: dict-server" \
		"returned failure: sql dict: commit failed:"
}

# sql_fields_detail SERVICE TEXT...: PostgreSQL's DETAIL, the second line
# of its message. 2.4 gives it the process's prefix; 2.3's log process
# "SERVICE: Error: ", while dovecot-lda writes it bare (no line the suite
# keeps: no last_login, no level). doveadm's names no last_login: not
# kept from clients.log.
sql_fields_detail() {
	local svc=$1
	shift
	if [ "$svc" = doveadm ]; then
		return
	elif dc_v24; then
		echo "$svc($SQL_U): Error: DETAIL:  $*"
	elif [ "$svc" != lda ]; then
		echo "$svc: Error: DETAIL:  $*"
	fi
}

# sql_fields_stock_lines B SERVICE STEP: the lines of stock's INSERT
# without last_ip in STEP.
sql_fields_stock_lines() {
	local b=$1 svc=$2 step=$3 l
	l=$(sql_fields_commit_failed "$svc")
	case $b in
	my) echo "$l Field 'last_ip' doesn't have a default value" ;;
	pg)
		echo "$l ERROR:  null value in column \"last_ip\" of relation" \
			"\"last_login\" violates not-null constraint"
		sql_fields_detail "$svc" "Failing row contains ($SQL_U, $svc," \
			"13d@$step, null)." ;;
	lite)
		local err="NOT NULL constraint failed: last_login.last_ip" q
		# 2.4 quotes the query and adds SQLite's error code
		if dc_v24; then
			q="INSERT INTO last_login (last_access,service,userid)"
			q+=" VALUES (13d@$step,'$svc','$SQL_U') ON CONFLICT"
			q+=" (service,userid) DO UPDATE SET last_access=13d@$step"
			err="Query '$q': $err (19)"
		fi
		echo "$l $err" ;;
	esac
}

# sql_fields_dup_lines B SERVICE: the lines of ours' plain INSERT (no
# upsert, PostgreSQL and SQLite before 2.3.16) into SERVICE's existing row.
sql_fields_dup_lines() {
	local b=$1 svc=$2 l
	l=$(sql_fields_commit_failed "$svc")
	case $b in
	pg)
		echo "$l ERROR:  duplicate key value violates unique" \
			"constraint \"last_login_pkey\""
		sql_fields_detail "$svc" "Key (userid, service)=($SQL_U, $svc)" \
			"already exists." ;;
	lite)
		echo "$l UNIQUE constraint failed: last_login.userid," \
			"last_login.service" ;;
	esac
}

# The connection's number in ours' LMTP prefix depends on which process
# took it: "[N]".
SQL_FIELDS_CONN_N='s/^(lmtp\(X\): Error: lmtp-server: conn [^[]*)'
SQL_FIELDS_CONN_N+='\[[0-9]+\]:/\1[N]:/'

# sql_fields_login B STEP SERVICE ADDRESS CMD...: one login; asserts the
# exact rows of the table and the exact log lines. Ours stores the time
# and ADDRESS (empty: none) in SERVICE's row, or, without an upsert, fails
# on a row that exists; stock before 2.4.5 stores nothing.
sql_fields_login() {
	local b=$1 step=$2 svc=$3 addr=$4 want=
	shift 4
	sql_step "$step" "$@"
	expect_ok
	if ! ll_writes_fields; then
		want=$(sql_fields_stock_lines "$b" "$svc" "$step")
	elif [ -n "${SQL_FIELDS_ROWS[$svc]:-}" ] && ! sql_has_upsert "$b"; then
		want=$(sql_fields_dup_lines "$b" "$svc")
	else
		SQL_FIELDS_ROWS[$svc]="$SQL_U	$svc	13d@$step	${addr:-<empty>}"
	fi
	sql_check_rows "$step" "${b}_rows" last_login "${SQL_FIELDS_ROWS[@]}"
	# doveadm logs to its stderr (kept in clients.log), not to log_path
	if [ "$svc" = doveadm ]; then
		sql_clients_log_obs
	else
		sql_log_obs
	fi
	DC_LOG_LINES=$(sed -E "$SQL_FIELDS_CONN_N" <<<"$DC_LOG_LINES")
	check_eq "$step: log lines" "$want" "$DC_LOG_LINES"
	if [ "$svc" = doveadm ]; then
		sql_log_obs
		check_log_count last_login 0
		check_no_log_errors
	fi
}

# sql_fields_steps B: every entry point, one after the other.
sql_fields_steps() {
	local b=$1 u=$SQL_U
	sql_fields_login "$b" imap-1 imap 127.0.0.1 imap_login "$u"
	sql_fields_login "$b" pop3-1 pop3 127.0.0.1 pop3_login "$u"
	# a login from another address moves last_ip
	CLIENT_SRC=127.0.0.2 sql_fields_login "$b" imap-2-from-127.0.0.2 \
		imap 127.0.0.2 imap_login "$u"
	# LMTP over TCP has an address; over the unix socket none, and the
	# same row's last_ip becomes empty
	sql_fields_login "$b" lmtp-tcp lmtp 127.0.0.1 lmtp_deliver "$u"
	sql_fields_login "$b" lmtp-unix lmtp "" lmtp_deliver_unix "$u"
	sql_fields_login "$b" lda lda "" lda_deliver "$u"
	sql_fields_login "$b" doveadm doveadm "" doveadm_list "$u"
}
