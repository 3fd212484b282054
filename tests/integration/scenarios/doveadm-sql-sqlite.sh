# doveadm last-login get on sqlite through the dict proxy (lib/doveadm.sh,
# lib/doveadm-sql.sh): the real login, every formatter, the filters, a
# key ending in %{rip} found by listing the user's prefix; the backend
# out of reach: every row error, exit 75.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/doveadm.sh"
source "$LL_ROOT/lib/doveadm-sql.sh"
dv_sql lite
