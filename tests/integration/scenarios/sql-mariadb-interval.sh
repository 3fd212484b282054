# sql-mariadb-interval: last_login_interval = 1h through the dict proxy
# on MariaDB (dict-sql; tables sql/portable-schema.sql, maps
# sql/doc-map.conf.ext and sql/local-map.conf.ext). MariaDB counts the
# statements it runs (SHOW GLOBAL STATUS LIKE 'Com_%', deltas), so each
# part asserts them:
#  1. a burst of 8 IMAP logins of alice, bob's among them: ours looks the
#     key up at every login (a SELECT) and INSERTs once per user; stock
#     INSERTs (ON DUPLICATE KEY UPDATE) every login;
#  2. a stored time older than the interval: the login writes;
#  3. a stored time newer than the login: ours leaves it, stock moves it
#     back;
#  4. last_login_interval = 0: exactly stock's statements.
# Stock knows no last_login_interval (intended difference 12).
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"
source "$LL_ROOT/lib/interval.sh" # iv_login, iv_check_*

my_start
my_load portable-schema.sql
sql_dict sql mysql "$MY_CONNECT" doc-map.conf.ext local-map.conf.ext
DC_PROTOCOLS="imap"
DC_LL_PROTOCOLS="imap"
DC_EXTRA+="
log_debug = $IV_LOG_DEBUG"
A=alice@example.org B=bob@example.org
dc_add_user "$A"
dc_add_user "$B"
# settings INTERVAL
settings() {
	DC_PLUGIN_SETTINGS="last_login_dict = proxy::sql
last_login_key = last-login/%{service}/%{user}/%{rip}
last_login_precision = ms
last_login_interval = $1"
}

# Statements MariaDB ran, from its global counters: my_reset takes the
# counters, my_cmds prints "name=delta" (Com_ without the prefix) for
# the reads and writes that grew. Not the transaction's own statements:
# 2.3.13's dict-sql sends BEGIN and COMMIT around each write, 2.3.19's
# does not.
my_com() { my_sql_root "SHOW GLOBAL STATUS LIKE 'Com\_%'"; }
my_reset() { MY_COM0=$(my_com); }
my_cmds() {
	awk -F '\t' 'NR == FNR { c[$1] = $2; next }
		$2 > c[$1] &&
		$1 ~ /^Com_(select|insert|update|delete|replace)$/ {
			print tolower(substr($1, 5)) "=" $2 - c[$1] }' \
		<(printf '%s\n' "$MY_COM0") <(my_com) | sort | paste -s -d ' ' - ||
		true
}
# my_check_cmds WHAT OURS STOCK: MariaDB's statements since my_reset.
my_check_cmds() {
	iv_check_counted "$1" "SQL statements" my_cmds "$2" "$3"
}
row() { # USER STEP: the row of USER's IMAP logins from 127.0.0.1
	printf '%s\timap\t13d@%s\t127.0.0.1' "$1" "$2"
}
ours_stock() { # OURS STOCK: the word for this side
	if [ "$LL_PLUGIN" = ours ]; then echo "$1"; else echo "$2"; fi
}

settings 1h
dc_start
# The dict process connects to MariaDB on its first use: a login before
# counting, so that its connection's statements are not counted.
sql_step warm-up imap_login "$B"
expect_ok
sql_check_rows warm-up my_rows last_login "$(row "$B" warm-up)"
my_sql "DELETE FROM last_login"

# 1. The burst.
my_reset
for i in 1 2 3 4 5 6 7 8; do
	iv_login "burst-$i" imap "$A"
	[ "$i" = 4 ] && iv_login burst-bob imap "$B"
done
my_check_cmds burst "insert=2 select=9" "insert=9"
sql_check_rows burst my_rows last_login \
	"$(row "$A" "$(ours_stock burst-1 burst-8)")" "$(row "$B" burst-bob)"
iv_check_skipped burst 7
iv_check_log_clean sql_log_obs

# 2. The stored time one second older than the interval: written.
my_sql "UPDATE last_login SET last_access = $(($(date +%s%3N) - 3601000))
	WHERE userid = '$A'"
my_reset
iv_login after-interval imap "$A"
my_check_cmds after-interval "insert=1 select=1" "insert=1"
sql_check_rows after-interval my_rows last_login \
	"$(row "$A" after-interval)" "$(row "$B" burst-bob)"
iv_check_log_clean sql_log_obs

# 3. A stored time newer than the login: ours leaves it.
my_sql "UPDATE last_login SET last_access = $(($(date +%s%3N) + 3600000))
	WHERE userid = '$A'"
my_reset
iv_login newer-stored imap "$A"
my_check_cmds newer-stored "select=1" "insert=1"
sql_check_rows newer-stored my_rows last_login \
	"$(row "$A" "$(ours_stock outside newer-stored)")" \
	"$(row "$B" burst-bob)"
iv_check_skipped newer-stored 7
iv_check_log_clean sql_log_obs

# 4. last_login_interval = 0: as stock, an INSERT per login, no SELECT.
settings 0
dc_restart
my_sql "DELETE FROM last_login"
sql_step warm-up-0 imap_login "$B"
expect_ok
sql_check_rows warm-up-0 my_rows last_login "$(row "$B" warm-up-0)"
my_reset
for i in 1 2 3 4 5 6 7 8; do
	iv_login "zero-$i" imap "$A"
done
my_check_cmds interval-0 "insert=8" "insert=8"
sql_check_rows interval-0 my_rows last_login "$(row "$A" zero-8)" \
	"$(row "$B" warm-up-0)"
iv_check_skipped interval-0 7
iv_check_log_clean sql_log_obs
check_no_crash
