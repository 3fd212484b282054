# sql-pgsql: PostgreSQL (15 on Debian 12, 13 on Debian 11) through the
# dict proxy (dict-sql, driver pgsql) with the map of Dovecot's
# documentation (sql/doc-map.conf.ext).
# dict-sql upserts with INSERT ... ON CONFLICT (service,userid,last_ip), so
#  - the documentation's table (sql/doc-schema.sql, key userid, service)
#    gets nothing: the login works and one error line says why;
#  - sql/portable-schema.sql (key userid, service, last_ip) works: one row
#    per user, service and address, updated in place; with
#    sql/local-map.conf.ext, LMTP over the unix socket and dovecot-lda
#    (no client address) land in table last_login_local.
# Before Dovecot 2.3.16 dict-sql has no upsert (see sql_has_upsert): the
# documentation's table gets the first row; each key's later writes fail.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"
source "$LL_ROOT/lib/sql-portable.sh"

pg_start
pg_load doc-schema.sql
sql_portable_setup pg
err="ERROR:  there is no unique or exclusion constraint matching the"
err+=" ON CONFLICT specification"
sql_doc_pk_fails imap-doc-pk pg "$err"

pg_sql "DROP TABLE last_login"
pg_load portable-schema.sql
sql_portable_steps pg
