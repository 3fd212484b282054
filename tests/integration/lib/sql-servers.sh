# Private SQL backends for the SQL scenarios: a MariaDB, a PostgreSQL
# (15 on Debian 12, 13 on 11) and SQLite files, each in $LL_WORK/sql, on
# 127.0.0.1 at ports of the scenario's block; Dovecot reaches them
# through its dict proxy (dict-sql). Sourced by the scenarios themselves,
# after lib/common.sh, lib/dovecot.sh and lib/clients.sh. Every server
# started here is recorded with ll_track, so the runner's exit trap stops
# exactly those.

SQL_DIR=$LL_WORK/sql
SQL_FILES=$LL_ROOT/sql         # schemas and dict-sql maps of the suite
SQL_DB=mail                    # database the dict writes into
SQL_USER=dovecot               # account of the dict (password below)
SQL_PASS=ll-dict-secret
mkdir -p "$SQL_DIR"
chmod 755 "$SQL_DIR"

# ---------------------------------------------------------------- MariaDB
MY_DIR=$SQL_DIR/mariadb
MY_SOCK=$MY_DIR/mysqld.sock
MY_PORT= MY_PID=

# my_start: a fresh datadir, the server, database $SQL_DB and the account
# $SQL_USER@127.0.0.1. Sets MY_CONNECT (a dict-sql "connect =" value).
my_start() {
	next_port
	MY_PORT=$PORT
	mkdir -p "$MY_DIR"
	# --user=root: mariadbd refuses to run as root otherwise.
	mariadb-install-db --no-defaults --datadir="$MY_DIR/data" \
		--user=root --auth-root-authentication-method=normal \
		--skip-test-db >"$MY_DIR/install.log" 2>&1 ||
		die "mariadb-install-db failed (see $MY_DIR/install.log)"
	my_run
	my_sql_root "CREATE DATABASE $SQL_DB;
		CREATE USER '$SQL_USER'@'127.0.0.1' IDENTIFIED BY '$SQL_PASS';
		GRANT ALL ON $SQL_DB.* TO '$SQL_USER'@'127.0.0.1';"
	MY_CONNECT="host=127.0.0.1 port=$MY_PORT dbname=$SQL_DB"
	MY_CONNECT+=" user=$SQL_USER password=$SQL_PASS"
}

# my_run: (re)start mariadbd on the existing datadir and wait for it.
my_run() {
	mariadbd --no-defaults --datadir="$MY_DIR/data" --user=root \
		--socket="$MY_SOCK" --port="$MY_PORT" --bind-address=127.0.0.1 \
		--pid-file="$MY_DIR/mariadbd.pid" \
		--log-error="$MY_DIR/mariadbd.err" --skip-name-resolve \
		--innodb-buffer-pool-size=32M --max-connections=300 \
		>>"$MY_DIR/mariadbd.out" 2>&1 &
	MY_PID=$!
	ll_track "$MY_PID" mariadbd
	local i
	for i in $(seq 150); do
		mariadb-admin --no-defaults -S "$MY_SOCK" -uroot ping \
			>/dev/null 2>&1 && return 0
		kill -0 "$MY_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 20 "$MY_DIR/mariadbd.err" >&2 || true
	die "mariadbd did not start"
}

# my_stop: stop our mariadbd (clean shutdown on TERM) and wait for it.
my_stop() {
	[ -n "$MY_PID" ] && ll_stop_pid "$MY_PID"
	MY_PID=
}

# my_wait_dict_reconnected: wait (bounded, 60 s) until Dovecot's dict
# process is connected to MariaDB again, as MariaDB itself sees it. After
# an outage Dovecot 2.3's SQL pool reconnects only from a timer whose
# delay grows with each failed attempt (1 s, 5 s, 25 s; driver-sqlpool.c
# sqlpool_handle_connect_failed), and a write made before it fails with
# "Not connected to database". The dict process connects synchronously,
# so once MariaDB lists the connection, the next write finds it ready.
my_wait_dict_reconnected() {
	local i n
	for i in $(seq 600); do
		n=$(my_sql_root "SELECT COUNT(*) FROM
			information_schema.PROCESSLIST WHERE USER = '$SQL_USER'")
		[ "$n" -gt 0 ] && return 0
		sleep 0.1
	done
	fail "${STEP:-}: the dict process did not reconnect to MariaDB in 60 s"
}

# my_sql_root SQL: statements as root without a database selected.
my_sql_root() {
	mariadb --no-defaults -S "$MY_SOCK" -uroot -N -B -e "$1"
}

# my_sql SQL: statements in $SQL_DB as root; rows as TSV on stdout.
my_sql() {
	mariadb --no-defaults -S "$MY_SOCK" -uroot -N -B "$SQL_DB" -e "$1"
}

# my_load FILE: run a schema file of sql/ in $SQL_DB.
my_load() {
	mariadb --no-defaults -S "$MY_SOCK" -uroot "$SQL_DB" <"$SQL_FILES/$1"
}

# my_rows TABLE: every row as sorted TSV, read by our C reader.
my_rows() {
	"$LL_BIN/mysql-dump" "$MY_SOCK" "$SQL_DB" "$1"
}

# ------------------------------------------------------------- PostgreSQL
# The newest installed server, whatever its major version (15 on Debian
# 12, 13 on Debian 11).
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
PG_DIR=$SQL_DIR/postgresql
PG_PORT= PG_PID=

# pg_as_postgres CMD...: initdb and postgres refuse root. setpriv execs,
# so the PID of a background call is the server's own PID.
pg_as_postgres() {
	setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
}

# pg_start: initdb, the server (trust auth on loopback and its socket dir
# only), role $SQL_USER and database $SQL_DB owned by it. Sets PG_CONNECT.
pg_start() {
	next_port
	PG_PORT=$PORT
	mkdir -p "$PG_DIR/sock"
	chown -R postgres: "$PG_DIR"
	(cd "$PG_DIR" && pg_as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" \
		-A trust -U postgres -E UTF8 --locale=C --no-sync) \
		>"$PG_DIR/initdb.log" 2>&1 ||
		die "initdb failed (see $PG_DIR/initdb.log)"
	(cd "$PG_DIR" && exec setpriv --reuid=postgres --regid=postgres \
		--init-groups -- "$PG_BIN/postgres" -D "$PG_DIR/data" \
		-k "$PG_DIR/sock" -p "$PG_PORT" -c listen_addresses=127.0.0.1 \
		-c fsync=off -c max_connections=300) \
		>>"$PG_DIR/postgres.log" 2>&1 &
	PG_PID=$!
	ll_track "$PG_PID" postgres
	local i
	for i in $(seq 150); do
		"$PG_BIN/pg_isready" -q -h "$PG_DIR/sock" -p "$PG_PORT" &&
			break
		kill -0 "$PG_PID" 2>/dev/null || break
		sleep 0.1
	done
	"$PG_BIN/pg_isready" -q -h "$PG_DIR/sock" -p "$PG_PORT" || {
		tail -n 20 "$PG_DIR/postgres.log" >&2 || true
		die "postgres did not start"
	}
	pg_psql postgres "CREATE ROLE $SQL_USER LOGIN PASSWORD '$SQL_PASS';" \
		>/dev/null
	pg_psql postgres "CREATE DATABASE $SQL_DB OWNER $SQL_USER;" >/dev/null
	PG_CONNECT="host=127.0.0.1 port=$PG_PORT dbname=$SQL_DB"
	PG_CONNECT+=" user=$SQL_USER password=$SQL_PASS"
}

# pg_stop: fast shutdown (INT), so that open dict connections do not
# hold up a smart shutdown; ll_stop_pid then waits for the exit.
pg_stop() {
	[ -n "$PG_PID" ] || return 0
	kill -INT "$PG_PID" 2>/dev/null || true
	ll_stop_pid "$PG_PID"
	PG_PID=
}

# pg_psql DB SQL: statements as $SQL_USER (postgres for DB=postgres);
# rows as TSV, NULL printed as NULL.
pg_psql() {
	local user=$SQL_USER
	[ "$1" = postgres ] && user=postgres
	psql -X -q -h "$PG_DIR/sock" -p "$PG_PORT" -U "$user" -d "$1" \
		-v ON_ERROR_STOP=1 -A -t -F $'\t' -P null=NULL -c "$2"
}

pg_sql() { pg_psql "$SQL_DB" "$1"; }

# pg_load FILE: run a schema file of sql/ in $SQL_DB as $SQL_USER.
pg_load() {
	psql -X -q -h "$PG_DIR/sock" -p "$PG_PORT" -U "$SQL_USER" \
		-d "$SQL_DB" -v ON_ERROR_STOP=1 -f "$SQL_FILES/$1" >/dev/null
}

pg_rows() { pg_sql "SELECT * FROM $1" | LC_ALL=C sort; }

# ----------------------------------------------------------------- SQLite
LITE_DIR=$SQL_DIR/sqlite
LITE_DB=$LITE_DIR/lastlogin.sqlite

# lite_create FILE: a new database from a schema file of sql/. The dict
# process runs as user dovecot and needs to write the file and its
# directory (journal). Sets LITE_CONNECT.
lite_create() {
	mkdir -p "$LITE_DIR"
	rm -f "$LITE_DB"
	sqlite3 -bail "$LITE_DB" <"$SQL_FILES/$1"
	chown -R dovecot: "$LITE_DIR"
	LITE_CONNECT=$LITE_DB
}

# lite_load FILE: run a schema file of sql/ in the existing database.
lite_load() {
	sqlite3 -bail "$LITE_DB" <"$SQL_FILES/$1"
}

lite_sql() {
	sqlite3 -bail -batch -noheader -separator $'\t' -nullvalue NULL \
		"$LITE_DB" "$1"
}

lite_rows() { lite_sql "SELECT * FROM $1" | LC_ALL=C sort; }

# ------------------------------------------------- Dovecot's dict-sql side

# sql_dict NAME DRIVER CONNECT MAPFILE...: adds to DC_EXTRA a dict NAME
# served by Dovecot's dict process (driver mysql|pgsql|sqlite) with the
# maps of sql/MAPFILE, and the dict service's socket open to the mail
# processes (they run as nobody). Use "last_login_dict = proxy::NAME".
sql_dict() {
	local name=$1 driver=$2 connect=$3 conf=$SQL_DIR/$1.conf.ext m
	shift 3
	# Dovecot 2.4 has no .conf.ext: the dict goes into dovecot.conf
	# (dc_render_24 renders proxy::NAME as the plugin's dict proxy).
	if dc_v24; then
		m=$(sql_dict_24 "$name" "$driver" "$connect" "$@") ||
			die "sql_dict: cannot write the 2.4 config"
		DC_EXTRA+=$'\n'"dict_server {"$'\n'"$m"$'\n'"}"
	else
		{
			echo "connect = $connect"
			for m in "$@"; do cat "$SQL_FILES/$m"; done
		} >"$conf"
		chmod 644 "$conf"
		DC_EXTRA+="
dict {
  $name = $driver:$conf
}"
	fi
	# Added once: the dict service with a socket the mail users can use.
	case $DC_EXTRA in *'service dict {'*) ;; *)
		DC_EXTRA+="
service dict {
  unix_listener dict {
    mode = 0666
  }
}" ;;
	esac
}

# sql_dict_on B NAME MAPFILE...: sql_dict for backend B (my|pg|lite),
# started by the caller.
sql_dict_on() {
	local b=$1 name=$2
	shift 2
	case $b in
	my) sql_dict "$name" mysql "$MY_CONNECT" "$@" ;;
	pg) sql_dict "$name" pgsql "$PG_CONNECT" "$@" ;;
	lite) sql_dict "$name" sqlite "$LITE_CONNECT" "$@" ;;
	esac
}

# ------------------------------------------------------ observing the rows
# Stored timestamps are compared by the step whose wall-clock window holds
# them: "13d@imap-1" = 13 digits, written during step imap-1. That is
# exact, and it is the same text for ours and stock.
SQL_STEP_NAMES=() SQL_STEP_T0=() SQL_STEP_T1=()

# sql_step NAME CMD...: run_step, and remember the step's window.
sql_step() {
	run_step "$@"
	SQL_STEP_NAMES+=("$STEP")
	SQL_STEP_T0+=("$STEP_T0")
	SQL_STEP_T1+=("$STEP_T1")
}

# sql_ts_label VALUE: "<digits>d@<step>" for a timestamp (a field of 10 or
# more digits), "<digits>d@outside" when no step's window holds it.
sql_ts_label() {
	local v=$1 i
	for ((i = ${#SQL_STEP_NAMES[@]} - 1; i >= 0; i--)); do
		if [ "$(value_in_window "$v" "${SQL_STEP_T0[i]}" \
			"${SQL_STEP_T1[i]}")" = yes ]; then
			echo "${#v}d@${SQL_STEP_NAMES[i]}"
			return
		fi
	done
	echo "${#v}d@outside"
}

# sql_label_text: stdin lines with every timestamp (10 or more digits)
# labelled; 2.4's SQLite errors quote the query with the value.
sql_label_text() {
	local line v
	while IFS= read -r line; do
		for v in $(grep -oE '[0-9]{10,}' <<<"$line" | sort -ru); do
			line=${line//$v/$(sql_ts_label "$v")}
		done
		printf '%s\n' "$line"
	done
}

# sql_label_rows: stdin TSV rows with every timestamp field labelled and
# every empty field shown as <empty>.
sql_label_rows() {
	local line f out sep
	local -a fields
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		# A separator that is no whitespace keeps empty fields (a tab
		# would merge them); the one added keeps a trailing one.
		IFS=$'\x1f' read -r -a fields <<<"${line//$'\t'/$'\x1f'}"$'\x1f'
		out= sep=
		for f in "${fields[@]}"; do
			[[ "$f" =~ ^[0-9]{10,}$ ]] && f=$(sql_ts_label "$f")
			[ -n "$f" ] || f='<empty>'
			out+="$sep$f"
			sep=$'\t'
		done
		printf '%s\n' "$out"
	done
}

# sql_check_rows WHAT READER TABLE [EXPECTED-ROW...]: the table holds
# exactly these rows (TSV, timestamps labelled, any order); each row is
# also an observation "WHAT row: ...". No expected rows = empty table.
# The mail process may commit just after the client has gone (it waits
# for the dict at the end of the session), so the rows are read again for
# up to 5 s until they are as expected; what is then found is asserted.
sql_check_rows() {
	local what=$1 reader=$2 table=$3 got want rc i line
	shift 3
	want=$(printf '%s\n' "$@" | LC_ALL=C sort)
	[ $# = 0 ] && want=
	for i in $(seq 50); do
		rc=0
		got=$("$reader" "$table" 2>&1) || rc=$?
		[ "$rc" = 0 ] && got=$(sql_label_rows <<<"$got" | LC_ALL=C sort)
		[ "$rc" = 0 ] && [ "$got" == "$want" ] && break
		sleep 0.1
	done
	if [ "$rc" != 0 ]; then
		obs "$what: reading $table failed"
		fail "$what: reading $table failed: $got"
		return
	fi
	if [ -z "$got" ]; then
		obs "$what: $table empty"
	else
		while IFS= read -r line; do
			obs "$what row: ${line//$'\t'/ | }"
		done <<<"$got"
	fi
	check_eq "$what: rows of $table" "$want" "$got"
}

# ------------------------------------------------------- observing the log

# sql_retry_due_at: after a sql_log_obs that saw the dict process fail
# to connect, the Unix time (whole seconds) from which a write makes it
# try again: sql_connect() connects at most once per connect_delay
# seconds of time(NULL), and its failure line says how many ("waiting
# for N seconds before retry"). Every attempt it logged took place before
# the log was read, so now + N is late enough.
sql_retry_due_at() {
	local n
	n=$(grep -oE 'waiting for [0-9]+ seconds before retry$' \
		<<<"$DC_LOG_NEW" | grep -oE '[0-9]+' | sort -n | tail -n1)
	[ -n "$n" ] || fail "$STEP: no connect failure of the dict process"
	echo $(($(date +%s) + ${n:-0}))
}

# sql_wait_until UNIXTIME: wait until the wall clock reaches it.
sql_wait_until() {
	while [ "$(date +%s)" -lt "$1" ]; do
		sleep 0.1
	done
}

# sql_log_norm: log lines (already normalized by dc_log_norm) without the
# dict proxy's "(reply took ...)" timing, the dict's retry delay and the
# idle time of a lost connection, so that scenarios can assert whole lines.
sql_log_norm() {
	sed -E -e 's/ \(reply took .*$//' \
		-e 's/ - waiting for [0-9]+ seconds before retry$//' \
		-e 's/\(idled for [0-9]+ secs\)/(idled for N secs)/'
}

# sql_log_obs [DELAY]: like dc_log_obs, for the SQL scenarios: the new
# interesting lines, normalized; lines of the dict process only once
# each (it repeats connect errors a timing-dependent number of times).
# Leaves them in DC_LOG_LINES for check_log_count / check_no_log_errors.
# With SQL_LOG_DICT=apart the dict process's lines go to SQL_DICT_LINES
# instead and are not observed (their retries spill over into later steps
# at timing-dependent moments); the scenario asserts on them itself.
SQL_LOG_DICT=
sql_log_obs() {
	local all i size
	sleep "${1:-0.3}"
	# A mail process logs a failed write when the dict answers, which can
	# be after its client has gone: wait until the log stops growing.
	for i in $(seq 15); do
		size=$(stat -c %s "$DC_LOG")
		sleep 0.2
		[ "$size" = "$(stat -c %s "$DC_LOG")" ] && break
	done
	dc_log_take
	all=$(dc_log_interesting <<<"$DC_LOG_NEW" | sql_log_norm |
		awk '/^dict\(X\): / && seen[$0]++ { next } { print }' |
		sql_label_text)
	DC_LOG_LINES=$all
	SQL_DICT_LINES=
	if [ "$SQL_LOG_DICT" = apart ]; then
		DC_LOG_LINES=$(grep -v '^dict(X): ' <<<"$all" || true)
		SQL_DICT_LINES=$(grep '^dict(X): ' <<<"$all" || true)
	fi
	obs_lines "log" "$DC_LOG_LINES"
}

# sql_clients_log_obs: last_login lines that a command-line client
# (doveadm logs to its stderr, not to log_path) wrote to clients.log since
# the last call; recorded like log lines (timestamps labelled: 2.4's
# SQLite errors quote the query) and left in DC_LOG_LINES.
SQL_CLIENTS_MARK=0
sql_clients_log_obs() {
	local size=0
	[ -f "$LL_WORK/clients.log" ] &&
		size=$(stat -c %s "$LL_WORK/clients.log")
	DC_LOG_LINES=$(tail -c +"$((SQL_CLIENTS_MARK + 1))" \
		"$LL_WORK/clients.log" 2>/dev/null |
		head -c "$((size - SQL_CLIENTS_MARK))" |
		grep -F 'last_login' | grep -v '^--- ' |
		sql_log_norm | sql_label_text || true)
	SQL_CLIENTS_MARK=$size
	obs_lines "client log" "$DC_LOG_LINES"
}

# ------------------------------------ steps shared by the portable scenarios

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
	DC_PLUGIN_SETTINGS="last_login_dict = proxy::sql
last_login_key = last-login/%{service}/%{user}/%{rip}
last_login_precision = ms"
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

# sql_has_upsert B: dict-sql updates an existing row on backend B
# (my|pg|lite). MySQL always (ON DUPLICATE KEY UPDATE); PostgreSQL and
# SQLite since Dovecot 2.3.16 (its NEWS: "dict-sql now supports the
# UPSERT syntax for SQLite and PostgreSQL"). Before, dict-sql writes with
# a plain INSERT: a key's first write stores its row, each later one
# fails on the table's key.
sql_has_upsert() {
	[ "$1" = my ] || dc_version_ge 2.3.16
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
