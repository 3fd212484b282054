# Dovecot's dict-sql side of the SQL scenarios: a dict served by
# Dovecot's dict process on one of lib/sql-servers.sh's backends, with
# the maps of sql/, added to DC_EXTRA (a .conf.ext file for 2.3, a
# dict_server { } block from lib/config-24.sh's sql_dict_24 for 2.4).
# Requires lib/sql-servers.sh (SQL_DIR, SQL_FILES, *_CONNECT).

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

# sql_has_upsert B: dict-sql updates an existing row on backend B
# (my|pg|lite). MySQL always (ON DUPLICATE KEY UPDATE); PostgreSQL and
# SQLite since Dovecot 2.3.16 (its NEWS: "dict-sql now supports the
# UPSERT syntax for SQLite and PostgreSQL"). Before, dict-sql writes with
# a plain INSERT: a key's first write stores its row, each later one
# fails on the table's key.
sql_has_upsert() {
	[ "$1" = my ] || dc_version_ge 2.3.16
}
