# sql-sqlite-fields: the table of Dovecot's documentation
# (sql/doc-schema.sql) in SQLite, filled with the time and the client
# address of each login (last_login_dict_fields, sql/fields-map.conf.ext;
# see lib/sql-fields.sh). As on PostgreSQL (sql-pgsql-fields): one merged
# INSERT ... ON CONFLICT (service,userid) DO UPDATE per login, one row per
# user and service; before Dovecot 2.3.16 each row's later writes fail on
# the key. Stock: each write fails on NOT NULL.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"
source "$LL_ROOT/lib/sql-portable.sh"
source "$LL_ROOT/lib/sql-fields.sh"

lite_create doc-schema.sql
sql_fields_setup lite
sql_fields_steps lite
