# Private SQL backends for the SQL scenarios: a MariaDB, a PostgreSQL
# (15 on Debian 12, 13 on 11) and SQLite files, each in $LL_WORK/sql, on
# 127.0.0.1 at ports of the scenario's block; Dovecot reaches them
# through its dict proxy (dict-sql: lib/sql-dict.sh). Sourced by the
# scenarios themselves, after the libraries of lib/scenario-main.sh. Every
# server started here is recorded with ll_track, so the runner's exit trap
# stops exactly those.

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
	for ((i = 1; i <= 150; i++)); do
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
	for ((i = 1; i <= 600; i++)); do
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
	for ((i = 1; i <= 150; i++)); do
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
