# sql-pgsql-fields: the table of Dovecot's documentation
# (sql/doc-schema.sql) on PostgreSQL, filled with the time and the client
# address of each login (last_login_dict_fields, sql/fields-map.conf.ext;
# see lib/sql-fields.sh). dict-sql merges the two sets into one INSERT ...
# ON CONFLICT (service,userid) DO UPDATE SET last_access=...,last_ip=...,
# whose conflict target is the table's key (the trap of sql-pgsql, a key
# with the address in it, is gone): one row per user and service, the
# address moving with each login; no address stores an empty one. Before
# Dovecot 2.3.16 (no upsert) each row's first write is stored and each
# later one fails on the key. Stock: each write fails on NOT NULL.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"
source "$LL_ROOT/lib/sql-portable.sh"
source "$LL_ROOT/lib/sql-fields.sh"

pg_start
pg_load doc-schema.sql
sql_fields_setup pg
sql_fields_steps pg
