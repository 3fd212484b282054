# sql-mariadb-fields: the table of Dovecot's documentation
# (sql/doc-schema.sql) on MariaDB, filled with the time and the client
# address of each login (last_login_dict_fields, sql/fields-map.conf.ext;
# see lib/sql-fields.sh). dict-sql merges the two sets into one INSERT ...
# ON DUPLICATE KEY UPDATE last_access=...,last_ip=...: one row per user
# and service, the address moving with each login; no address (LMTP over
# the unix socket, dovecot-lda, doveadm) stores an empty one. Stock knows
# no last_login_dict_fields: each of its writes fails on NOT NULL.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"
source "$LL_ROOT/lib/sql-portable.sh"
source "$LL_ROOT/lib/sql-fields.sh"

my_start
my_load doc-schema.sql
sql_fields_setup my
sql_fields_steps my
