# Dovecot 2.4's syntax, from the same DC_* variables, 2.3 plugin settings,
# dict URIs and dict-sql map files that the scenarios write: dc_render_24
# (dc_render's branch when DC_SYNTAX is 2.4) and its pieces, and
# sql_dict_24 for lib/sql-dict.sh. config-24-test.sh tests it with fixed
# inputs (fixtures/config-24/). Requires lib/config.sh
# (dc_render_listeners); sql_dict_24 reads the maps in $SQL_FILES.

# dc_mail_location_24 LOCATION: 2.3's mail_location DRIVER:PATH[:INDEX=X]
# as 2.4's mail_driver, mail_path and mail_index_path (INDEX=MEMORY:
# indexes in memory). Other parameters stay in the path.
dc_mail_location_24() {
	local path=${1#*:} index=
	if [[ $path =~ ^(.*):INDEX=([^:]*)$ ]]; then
		path=${BASH_REMATCH[1]} index=${BASH_REMATCH[2]}
	fi
	printf 'mail_driver = %s\nmail_path = %s\n' "${1%%:*}" "$path"
	[ -z "$index" ] || printf 'mail_index_path = %s\n' "$index"
}

# dc_render_24 SETTINGS: dc_render's branch for Dovecot 2.4, from the same
# DC_* variables. The 2.3 plugin { } lines are translated: last_login_dict
# becomes a dict filter inside last_login { } (dc_dict_24), %u-style
# variables in last_login_key become %{user}-style, the numbered
# last_login_dict_fields* lines one string list (dc_fields_24), other lines
# go to the top level. DC_EXTRA_24, if set, replaces DC_EXTRA (whose 2.3
# text, e.g. dict { } or namespace locations, 2.4 rejects).
dc_render_24() {
	local line name value p dict=
	local -a top=() fields=()
	while IFS= read -r line; do
		line=${line#"${line%%[! ]*}"}
		[ -n "$line" ] || continue
		name=${line%% =*}
		value=${line#*=}
		value=${value# }
		case $name in
		last_login_dict) dict=$value ;;
		last_login_key) top+=("$name = $(dc_vars_24 "$value")") ;;
		last_login_dict_fields | last_login_dict_fields[0-9]*)
			fields+=("$(dc_fields_24 "$value")") ;;
		*) top+=("$name = $value") ;;
		esac
	done <<<"$1"
	if [ ${#fields[@]} -gt 0 ]; then
		top+=("last_login_dict_fields {")
		top+=("${fields[@]/#/  }")
		top+=("}")
	fi
	cat <<CONF
# Rendered by tests/integration/lib/config-24.sh for one scenario.
dovecot_config_version = $DC_VERSION
dovecot_storage_version = $DC_VERSION
base_dir = $DC_DIR/run
state_dir = $DC_DIR/state
instance_name = lltest-$LL_PORT_BASE$DC_INSTANCE_SUFFIX
log_path = $DC_LOG
log_timestamp = "%H:%M:%S "
protocols = $DC_PROTOCOLS
listen = $DC_LISTEN
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $DC_UID
last_valid_uid = $DC_UID
$(dc_mail_location_24 "$DC_MAIL_LOCATION")
mail_plugin_dir = $DC_PLUGIN_DIR
imap_hibernate_timeout = 0
passdb passwd-file {
  passwd_file_path = $DC_USERS
}
userdb passwd-file {
  passwd_file_path = $DC_USERS
${DC_USERDB_SETTINGS:+$DC_USERDB_SETTINGS
}}
$(dc_render_listeners)
CONF
	for p in $DC_LL_PROTOCOLS; do
		printf 'protocol %s {\n  mail_plugins {\n    last_login = yes\n  }\n}\n' "$p"
	done
	[ ${#top[@]} -eq 0 ] || printf '%s\n' "${top[@]}"
	if [ -n "$dict" ]; then
		printf 'last_login {\n'
		dc_dict_24 "$dict" | sed 's/^/  /'
		printf '}\n'
	fi
	local extra=${DC_EXTRA_24-$DC_EXTRA}
	[ -z "$extra" ] || printf '%s\n' "$extra"
	return 0
}

# dc_vars_24 TEXT: 2.3's %u-style variables in 2.4's %{name} form.
dc_vars_24() {
	sed -e 's/%u/%{user}/g' -e 's/%n/%{user|username}/g' \
		-e 's/%d/%{user|domain}/g' -e 's/%s/%{protocol}/g' \
		-e 's/%r/%{remote_ip}/g' -e 's/%h/%{home}/g' \
		-e 's/%{rip}/%{remote_ip}/g' <<<"$1"
}

# dc_fields_24 KEY=VALUE: one 2.3 last_login_dict_fields value as a line
# of 2.4's string list: split at the first "=", spaces around it trimmed,
# both sides in 2.4's variables.
dc_fields_24() {
	local key=${1%%=*} value=${1#*=}
	key=${key%"${key##*[! ]}"}
	value=${value#"${value%%[! ]*}"}
	printf '%s = %s\n' "$(dc_vars_24 "$key")" "$(dc_vars_24 "$value")"
}

# dc_dict_24 URI: a 2.3 dict URI as a 2.4 dict filter. Parameters without
# a 2.4 name keep theirs behind the driver's prefix (redis bogus=1 becomes
# redis_bogus = 1), so that Dovecot judges them as it judged the URI.
# The mail process has no SQL dict in 2.4 either: mysql:, pgsql: and
# sqlite: become a sql dict with that driver and no connection.
dc_dict_24() {
	local driver=${1%%:*} args=${1#*:} p
	case $driver in
	redis)
		printf 'dict redis {\n'
		tr ':' '\n' <<<"$args" | while IFS= read -r p; do
			case $p in
			'') ;;
			timeout_msecs=*)
				printf '  redis_request_timeout = %sms\n' "${p#*=}" ;;
			*) printf '  redis_%s\n' "${p/=/ = }" ;;
			esac
		done
		printf '}\n' ;;
	file)
		printf 'dict file {\n  file_path = %s\n}\n' "$(dc_vars_24 "$args")" ;;
	proxy)
		# proxy:[SOCKET]:NAME; no socket means base_dir's "dict"
		printf 'dict proxy {\n'
		[ -z "${args%%:*}" ] ||
			printf '  dict_proxy_socket_path = %s\n' "${args%%:*}"
		printf '  dict_proxy_name = %s\n}\n' "${args#*:}" ;;
	mysql | pgsql | sqlite)
		printf 'dict sql {\n  sql_driver = %s\n}\n' "$driver" ;;
	*)
		# an unknown driver: its arguments mean nothing to Dovecot
		printf 'dict %s {\n}\n' "$driver" ;;
	esac
}

# sql_dict_24 NAME DRIVER CONNECT MAPFILE...: the 2.4 text of one dict
# inside dict_server { }: the 2.3 connect string as the driver's settings,
# each 2.3 map of sql/MAPFILE as a dict_map (the map files stay the one
# description of the maps).
sql_dict_24() {
	local name=$1 driver=$2 connect=$3 kv host= m
	local -a opts=()
	shift 3
	printf '  dict %s {\n    driver = sql\n    sql_driver = %s\n' \
		"$name" "$driver"
	if [ "$driver" = sqlite ]; then
		printf '    sqlite_path = %s\n' "$connect"
	else
		for kv in $connect; do
			case $kv in
			host=*) host=${kv#host=} ;;
			*) opts+=("${kv%%=*} = ${kv#*=}") ;;
			esac
		done
		printf '    %s %s {\n' "$driver" "$host"
		# pgsql passes libpq's parameters through, mysql has settings
		if [ "$driver" = pgsql ]; then
			printf '      parameters {\n'
			printf '        %s\n' "${opts[@]}"
			printf '      }\n'
		else
			printf '      %s\n' "${opts[@]}"
		fi
		printf '    }\n'
	fi
	for m in "$@"; do sql_map_24 <"$SQL_FILES/$m" || return 1; done
	printf '  }\n'
}

# sql_map_24: a 2.3 map file (map { pattern table value_field value_type
# fields { } }) on stdin as 2.4 dict_map blocks on stdout.
sql_map_24() {
	awk '
	{ sub(/#.*/, ""); gsub(/^[ \t]+|[ \t]+$/, "") }
	$0 == "" { next }
	$0 == "map {" { inmap = 1; nk = 0; vtype = ""; next }
	$0 == "fields {" { infields = 1; next }
	$0 == "}" && infields { infields = 0; next }
	$0 == "}" && inmap {
		printf "    dict_map \"%s\" {\n", pattern
		printf "      sql_table = %s\n", table
		printf "      value_field %s {\n", vfield
		if (vtype != "")
			printf "        type = %s\n", vtype
		printf "      }\n"
		for (i = 1; i <= nk; i++)
			printf "      key_field %s {\n        value = %s\n" \
			       "      }\n", kname[i], kvalue[i]
		printf "    }\n"
		inmap = 0
		next
	}
	{
		n = index($0, "=")
		k = substr($0, 1, n - 1); v = substr($0, n + 1)
		gsub(/[ \t]+$/, "", k); gsub(/^[ \t]+/, "", v)
		if (infields) { kname[++nk] = k; kvalue[nk] = v }
		else if (k == "pattern") pattern = v
		else if (k == "table") table = v
		else if (k == "value_field") vfield = v
		else if (k == "value_type") vtype = v
		else { print "sql_map_24: unknown map line: " $0 > "/dev/stderr"
		       exit 1 }
	}'
}
