# Steps shared by the portable SQL scenarios (sql-mariadb-portable,
# sql-pgsql, sql-sqlite): the same dict, key, maps and logins on each
# backend, and what a backend without an upsert does instead. Requires
# lib/sql-servers.sh, lib/sql-dict.sh and lib/sql-observe.sh.

# sql_portable_setup B: dict "sql" on backend B (my|pg|lite) with
# sql/doc-map.conf.ext and sql/local-map.conf.ext, key
# last-login/%{service}/%{user}/%{rip}, precision ms, plugin loaded
# for imap, pop3, lmtp and lda, user $SQL_U; Dovecot started. The tables
# are loaded by the caller (B_load / lite_create).
SQL_U=alice@example.org
sql_portable_setup() {
	sql_dict_on "$1" sql doc-map.conf.ext local-map.conf.ext
	DC_LL_PROTOCOLS="imap pop3 lmtp lda"
	# %{rip}: the same key as the documentation's %{remote_ip}, and also
	# known to older Dovecot 2.3 (2.3.13 rejects %{remote_ip}).
	# last_login_timeout: a dict process's first answer (it starts, then
	# connects) can take more than the default 1 s on a busy machine, and
	# ours would then abandon the write the step asserts on.
	DC_PLUGIN_SETTINGS="last_login_dict = proxy::sql
last_login_key = last-login/%{service}/%{user}/%{rip}
last_login_precision = ms
last_login_timeout = 5s"
	dc_add_user "$SQL_U"
	dc_start
}

# sql_portable_steps B: with sql/portable-schema.sql loaded: one row per
# user, service and address, each upserted with its own time; and the
# support query (latest access of the user, with its service and address).
sql_portable_steps() {
	local b=$1 u=$SQL_U latest at=imap-3
	# without an upsert the row of 127.0.0.1 keeps imap-1's time
	sql_has_upsert "$b" || at=imap-1
	sql_step imap-1 imap_login "$u"
	expect_ok
	sql_check_rows imap-1 "${b}_rows" last_login \
		"$u	imap	13d@imap-1	127.0.0.1"
	sql_log_obs
	check_log_count last_login 0
	check_no_log_errors

	sql_step pop3-1 pop3_login "$u"
	expect_ok
	CLIENT_SRC=127.0.0.2 sql_step imap-2-from-127.0.0.2 imap_login "$u"
	expect_ok
	sql_check_rows imap-2 "${b}_rows" last_login \
		"$u	imap	13d@imap-1	127.0.0.1" \
		"$u	imap	13d@imap-2-from-127.0.0.2	127.0.0.2" \
		"$u	pop3	13d@pop3-1	127.0.0.1"
	sql_log_obs
	check_log_count last_login 0
	check_no_log_errors

	# The upsert really updates the existing row of 127.0.0.1; a plain
	# INSERT (sql_has_upsert) fails on it and logs why.
	sql_step imap-3 imap_login "$u"
	expect_ok
	sql_check_rows imap-3 "${b}_rows" last_login \
		"$u	imap	13d@$at	127.0.0.1" \
		"$u	imap	13d@imap-2-from-127.0.0.2	127.0.0.2" \
		"$u	pop3	13d@pop3-1	127.0.0.1"
	sql_log_obs
	if sql_has_upsert "$b"; then
		check_log_count last_login 0
		check_no_log_errors
	else
		check_eq "imap-3: log lines" "$(sql_dup_lines "$b")" \
			"$DC_LOG_LINES"
	fi

	# No client address: the key ends in "/", local-map.conf.ext puts it
	# into last_login_local.
	sql_step lmtp-unix lmtp_deliver_unix "$u"
	expect_ok
	sql_step lda lda_deliver "$u"
	expect_ok
	sql_check_rows lda "${b}_rows" last_login_local \
		"$u	lda	13d@lda" \
		"$u	lmtp	13d@lmtp-unix"
	sql_check_rows lda "${b}_rows" last_login \
		"$u	imap	13d@$at	127.0.0.1" \
		"$u	imap	13d@imap-2-from-127.0.0.2	127.0.0.2" \
		"$u	pop3	13d@pop3-1	127.0.0.1"
	sql_log_obs
	check_log_count last_login 0
	check_no_log_errors

	# What a support agent runs (same SQL on all three backends).
	latest=$("${b}_sql" "SELECT service, last_ip, last_access
		FROM last_login WHERE userid = '$u'
		ORDER BY last_access DESC LIMIT 1")
	latest=$(sql_label_rows <<<"$latest")
	obs "support query: ${latest//$'\t'/ | }"
	if sql_has_upsert "$b"; then
		check_eq "support query" "imap	127.0.0.1	13d@imap-3" "$latest"
	else
		check_eq "support query" \
			"imap	127.0.0.2	13d@imap-2-from-127.0.0.2" "$latest"
	fi
}

# sql_dup_lines B: the log lines of such a failed INSERT (pg|lite) of
# $SQL_U's imap row for 127.0.0.1 into sql/portable-schema.sql's table.
sql_dup_lines() {
	local l="imap($SQL_U): Error: last_login_dict: Failed to write value:"
	l+=" dict-server returned failure: sql dict: commit failed:"
	case $1 in
	pg)
		echo "$l ERROR:  duplicate key value violates unique" \
			"constraint \"last_login_pkey\""
		# PostgreSQL's DETAIL: the message's second line
		echo "imap: Error: DETAIL:  Key (userid, service, last_ip)=($SQL_U," \
			"imap, 127.0.0.1) already exists." ;;
	lite)
		echo "$l UNIQUE constraint failed: last_login.userid," \
			"last_login.service, last_login.last_ip" ;;
	esac
}

# sql_doc_pk_fails STEP B ERROR: the documentation's table (key userid,
# service) on PostgreSQL/SQLite: the login works, nothing is stored, and
# the plugin logs exactly one line with the backend's ERROR. Without an
# upsert (sql_has_upsert) the plain INSERT needs no matching key: the row
# is stored and nothing is logged.
sql_doc_pk_fails() {
	local step=$1 b=$2 err=$3
	sql_step "$step" imap_login "$SQL_U"
	expect_ok
	if ! sql_has_upsert "$b"; then
		sql_check_rows "$step" "${b}_rows" last_login \
			"$SQL_U	imap	13d@$step	127.0.0.1"
		sql_log_obs
		check_log_count last_login 0
		check_no_log_errors
		return
	fi
	sql_check_rows "$step" "${b}_rows" last_login
	sql_log_obs
	check_log_count last_login 1
	local line="imap($SQL_U): Error: last_login_dict: Failed to write value:"
	line+=" dict-server returned failure: sql dict: commit failed: $err"
	check_log_line "$line"
}
