# sql-sqlite: SQLite through the dict proxy (dict-sql, driver sqlite; the
# dict process, user dovecot, owns the file) with the map of Dovecot's
# documentation (sql/doc-map.conf.ext). dict-sql upserts with INSERT ...
# ON CONFLICT (service,userid,last_ip), so
#  - the documentation's table (sql/doc-schema.sql, key userid, service)
#    gets nothing: the login works and one error line says why;
#  - sql/portable-schema.sql (key userid, service, last_ip) works: one row
#    per user, service and address, updated in place; with
#    sql/local-map.conf.ext, LMTP over the unix socket and dovecot-lda
#    (no client address) land in table last_login_local;
#  - but only after Dovecot restarts: the running dict process keeps the
#    old schema of an open SQLite file (a write right after the swap still
#    fails the same way).
# Before Dovecot 2.3.16 dict-sql has no upsert (see sql_has_upsert): each
# key's first write is stored in either table, each later one fails.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"
source "$LL_ROOT/lib/sql-portable.sh"

err="ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE"
err+=" constraint"
# lite_doc_err STEP: the error of STEP's write. 2.4.1 quotes the query
# (with the step's timestamp) and adds SQLite's error code; 2.4.5 gives
# the codes alone: rc, the extended rc and the OS errno of the failed
# call (none: no file operation failed).
lite_doc_err() {
	local ts=13d@$1
	dc_v24 || { echo "$err"; return; }
	if dc_version_ge 2.4.5; then
		echo "$err (rc=1, extended_rc=1, errno=0)"
		return
	fi
	echo "Query 'INSERT INTO last_login" \
		"(last_access,service,userid,last_ip) VALUES" \
		"($ts,'imap','$SQL_U','127.0.0.1') ON CONFLICT" \
		"(service,userid,last_ip) DO UPDATE SET" \
		"last_access=$ts': $err (1)"
}
lite_create doc-schema.sql
sql_portable_setup lite
sql_doc_pk_fails imap-doc-pk lite "$(lite_doc_err imap-doc-pk)"

lite_sql "DROP TABLE last_login"
lite_load portable-schema.sql
sql_doc_pk_fails imap-after-swap lite "$(lite_doc_err imap-after-swap)"
# the row a plain INSERT (before 2.3.16) stored there
lite_sql "DELETE FROM last_login"
dc_restart
sql_portable_steps lite
