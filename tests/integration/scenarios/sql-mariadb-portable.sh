# sql-mariadb-portable: sql/portable-schema.sql (key userid, service,
# last_ip) with the documentation's map on MariaDB through the dict proxy:
# the same table and map that work on PostgreSQL and SQLite also work
# here, and they keep one row per address, so last_ip is never stale
# (compare sql-mariadb-doc, where it is); with sql/local-map.conf.ext,
# LMTP over the unix socket and dovecot-lda (no client address) land in
# table last_login_local instead of being rejected as unmapped.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"
source "$LL_ROOT/lib/sql-portable.sh"

my_start
my_load portable-schema.sql
sql_portable_setup my
sql_portable_steps my
