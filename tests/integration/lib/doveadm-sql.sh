# The doveadm-sql-* scenarios: lib/doveadm.sh's cases on one SQL backend
# (sql/doveadm-schema.sql, sql/doveadm-map.conf.ext) behind Dovecot's
# dict proxy. Sourced after lib/sql-servers.sh, lib/sql-dict.sh and
# lib/doveadm.sh.

# dv_sql_set TABLE COLUMN VALUE KEY-COLUMN=VALUE...: one upsert.
dv_sql_set() {
	local table=$1 col=$2 val=$3 kv cols= vals= conflict=
	shift 3
	for kv in "$@"; do
		cols+="${kv%%=*}, " vals+="'${kv#*=}', " conflict+="${kv%%=*}, "
	done
	conflict=${conflict%, }
	case $DV_B in
	my) my_sql "INSERT INTO $table ($cols$col) VALUES ($vals'$val')
		ON DUPLICATE KEY UPDATE $col = VALUES($col)" ;;
	*) "${DV_B}_sql" "INSERT INTO $table ($cols$col) VALUES ($vals'$val')
		ON CONFLICT ($conflict) DO UPDATE SET $col = excluded.$col" \
		>/dev/null ;;
	esac
}

# dv_seed KEY VALUE: by the map's patterns.
dv_seed() {
	local k=$1 v=$2 IFS=/
	local -a p
	read -r -a p <<<"$k"
	case ${p[0]}:${#p[@]} in
	last-login:3) dv_sql_set last_login last_access "$v" \
		"userid=${p[2]}" "service=${p[1]}" ;;
	last-login-ip:3) dv_sql_set last_login last_ip "$v" \
		"userid=${p[2]}" "service=${p[1]}" ;;
	logins:4) dv_sql_set last_login_ip last_access "$v" \
		"userid=${p[2]}" "service=${p[1]}" "last_ip=${p[3]}" ;;
	other:2) dv_sql_set last_login_other last_access "$v" \
		"userid=${p[1]}" ;;
	*) die "dv_seed: no map for $k" ;;
	esac
}

# dv_wait_written: dave's row is there (the mail process may commit
# after its client has gone).
dv_wait_written() {
	wait_until 5 dv_dave_row || fail "dave-imap: no row of dave"
}
dv_dave_row() {
	[ "$("${DV_B}_sql" "SELECT COUNT(*) FROM last_login
		WHERE userid = 'dave' AND last_access IS NOT NULL")" = 1 ]
}

# dv_sql B: the scenario on backend B (my|pg|lite).
dv_sql() {
	DV_B=$1
	case $1 in
	my) my_start; my_load doveadm-schema.sql ;;
	pg) pg_start; pg_load doveadm-schema.sql ;;
	lite) lite_create doveadm-schema.sql ;;
	esac
	sql_dict_on "$1" sql doveadm-map.conf.ext
	DV_DICT=proxy::sql
	dv_setup
	dc_start
	dv_backend_cases
	# the dict server out of reach: its socket gone (doveadm reads as
	# root, so closing it by its mode would not do)
	mv "$DC_DIR/run/dict" "$DC_DIR/run/dict.away"
	DV_EACH_ERR=
	DV_LOOKUP_ERR="net_connect_unix(WORK/dovecot/run/dict) failed: No such file or directory"
	dv_unreachable "$(dv_unreachable_err)"
	mv "$DC_DIR/run/dict.away" "$DC_DIR/run/dict"
}
