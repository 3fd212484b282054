# Shared steps of the doveadm-* scenarios: `doveadm last-login get` (our
# doveadm plugin, through tests/lib/doveadm-last-login.sh) against a
# private Dovecot, reading what the mail plugin (ours or stock) and the
# scenario stored. Sourced by the scenarios after the backend's library.
#
# Every backend holds the same records, seeded through the backend with
# times relative to the scenario's start whose age reads the same for
# 30 minutes either side (a whole number of hours plus 30 minutes), so
# that every formatter's output is exact; ISO strings and raw values are
# computed from the seeded times and observed as labels (<alice-imap>).
# One real IMAP login per backend (dave) proves the chain; its values
# are checked against the step's window and then seeded over.
#
# Users: alice (imap 400d ago, client address field; pop3 never), bob
# (never), carol (a userdb override of last_login_key: other/carol),
# dave (the real login), erin (added last: a key ending in %{rip}).
# Settings: last_login_key = last-login/%s/%u, last_login_dict_fields =
# last-login-ip/%s/%u=%{rip}, precision ms, last_login loaded for imap
# and pop3 only (so lmtp, served too, gets no rows by default).
#
# A backend provides dv_seed KEY VALUE (KEY without shared/).

DV_WRAPPER=$LL_ROOT/../lib/doveadm-last-login.sh
DV_NOW=$(date +%s)
declare -A DV_RAW=() DV_ISO=() DV_AGE=() DV_LABEL=()
DV_HEADER=$'Username\tservice\tlast_login\tage\traw\tlast-login-ip'

# dv_userdb_key TEMPLATE: a passwd-file extra field overriding
# last_login_key (2.3 variables, written for the release; %% so that the
# auth process leaves the variables to the mail side).
dv_userdb_key() {
	local t=$1
	dc_v24 && t=$(dc_vars_24 "$t")
	echo "userdb_last_login_key=${t//%/%%}"
}

# dv_setup: users and settings; the caller has set DV_DICT (the
# last_login_dict URI) and DC_EXTRA/DC_EXTRA_24, and starts Dovecot.
dv_setup() {
	dc_add_user alice
	dc_add_user bob
	dc_add_user carol pass "" "$(dv_userdb_key other/%u)"
	dc_add_user dave
	DC_LL_PROTOCOLS="imap pop3"
	DC_PLUGIN_SETTINGS="last_login_dict = $DV_DICT
last_login_key = last-login/%s/%u
last_login_dict_fields = last-login-ip/%s/%u=%{rip}
last_login_precision = ms"
}

# dv_time NAME DAYS HOURS: a time DAYS days, HOURS hours and 30 minutes
# before the start, at ms precision: DV_RAW, DV_ISO, DV_AGE of NAME.
dv_time() {
	local name=$1 s
	s=$((DV_NOW - $2 * 86400 - $3 * 3600 - 1800))
	DV_RAW[$name]=$((s * 1000 + 123))
	DV_ISO[$name]=$(date -u -d "@$s" +%Y-%m-%dT%H:%M:%S.123Z)
	DV_AGE[$name]="$2d $3h"
	DV_LABEL[${DV_RAW[$name]}]="<$name-raw>"
	DV_LABEL[${DV_ISO[$name]}]="<$name-iso>"
}

# dv_seed_time KEY NAME DAYS HOURS: dv_time, stored at KEY.
dv_seed_time() {
	dv_time "$2" "$3" "$4"
	dv_seed "$1" "${DV_RAW[$2]}"
}

# dv_run ARGS...: doveadm -c $DC_CONF ARGS with our doveadm plugin.
# Output in DV_OUT, stderr (normalized) in DV_ERR, exit status in DV_RC.
dv_run() {
	local t0
	DV_RC=0
	t0=$(now_ns)
	echo "--- ${STEP:-}: doveadm $*" >>"$LL_WORK/clients.log"
	_bounded "$DV_WRAPPER" -c "$DC_CONF" "$@" >"$LL_WORK/dv.out" \
		2>"$LL_WORK/dv.err" || DV_RC=$?
	cat "$LL_WORK/dv.out" "$LL_WORK/dv.err" >>"$LL_WORK/clients.log"
	DV_OUT=$(cat "$LL_WORK/dv.out")
	# the dict proxy's timing ends a failed lookup's line
	DV_ERR=$(dc_log_norm <"$LL_WORK/dv.err" | sed -E 's/ \(reply took .*$//')
	note "doveadm $*: exit $DV_RC, $((($(now_ns) - t0) / 1000000)) ms"
}

# dv_label TEXT: TEXT with every seeded ISO string and raw value
# replaced by its label.
dv_label() {
	local t=$1 v
	for v in "${!DV_LABEL[@]}"; do
		t=${t//$v/${DV_LABEL[$v]}}
	done
	printf '%s' "$t"
}

# dv_case NAME RC OUT ERR ARGS...: one command; its exit status, output
# and stderr must be exactly RC, OUT and ERR. These cases read records
# the scenario seeded, which no mail plugin wrote: they run with ours
# only (the stock run would repeat them to the byte and cost as much
# time again), and are noted, not observed. The comparison sees what
# involves the mail plugin: dv_real_login, and what a scenario records.
dv_case() {
	local name=$1 rc=$2 out=$3 err=$4
	shift 4
	[ "$LL_PLUGIN" = ours ] || return 0
	STEP=$name
	dv_run "$@"
	note "doveadm $name: exit $DV_RC"
	note "$(dv_label "$DV_OUT")"
	note "$(dv_label "$DV_ERR")"
	check_eq "$name: exit status" "$rc" "$DV_RC"
	if [ -n "${DV_FILTER:-}" ]; then
		check_eq "$name: output" "$out" "$($DV_FILTER <<<"$DV_OUT")"
	else
		check_eq "$name: output" "$out" "$DV_OUT"
	fi
	check_eq "$name: stderr" "$err" "$DV_ERR"
}

# dv_row USER SERVICE [NAME [FIELD]]: a row of the tab format: the
# seeded time NAME (none: never) and the field column.
dv_row() {
	if [ -n "${3:-}" ]; then
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${DV_ISO[$3]}" \
			"${DV_AGE[$3]}" "${DV_RAW[$3]}" "${4:-}"
	else
		printf '%s\t%s\tnever\t\t\t\n' "$1" "$2"
	fi
}

# dv_tab ROW...: the whole tab output.
dv_tab() {
	printf '%s\n' "$DV_HEADER"
	[ $# = 0 ] || printf '%s' "$@"
}

# dv_as_table / dv_as_json / dv_as_flow: the tab output on stdin as
# doveadm's other formatters print it.
dv_as_table() {
	awk -F '\t' '{ for (i = 1; i <= NF; i++) { c[NR, i] = $i
			if (length($i) > w[i]) w[i] = length($i) }
		if (NF > nf) nf = NF }
	END { for (r = 1; r <= NR; r++) { line = ""
		for (i = 1; i <= nf; i++)
			line = line sprintf("%-" w[i] "s ", c[r, i])
		print line } }'
}
# 2.4.5's table formatter prints an empty value as "-" and narrows
# columns to fit 80 by rules of its own: there a table is compared cell
# by cell, each row's cells one space apart (dv_cells on the output).
dv_as_cells() {
	awk -F '\t' '{ line = ""
		for (i = 1; i <= NF; i++) {
			v = $i
			if (v == "" && NR > 1) v = "-"
			line = line (i > 1 ? " " : "") v
		}
		print line }'
}
dv_cells() { sed -E 's/ +/ /g; s/ $//'; }
dv_as_json() {
	awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i
		h[1] = "username"; printf "["; next }
	{ printf "%s{", (NR > 2 ? "," : "")
	  for (i = 1; i <= NF; i++)
		printf "%s\"%s\":\"%s\"", (i > 1 ? "," : ""), h[i], $i
	  printf "}" }
	END { printf "]" }'
}
dv_as_flow() {
	awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next }
	{ line = $1
	  for (i = 2; i <= NF; i++) line = line " " h[i] "=" $i
	  print line }'
}

# dv_formats NAME TAB ARGS...: the command in each formatter; TAB is the
# expected tab output, from which the others are derived.
dv_formats() {
	local name=$1 tab=$2
	shift 2
	dv_case "$name-tab" 0 "$tab" "" -f tab "$@"
	if dc_version_ge 2.4.5; then
		DV_FILTER=dv_cells dv_case "$name-table" 0 \
			"$(dv_as_cells <<<"$tab")" "" -f table "$@"
	else
		dv_case "$name-table" 0 "$(dv_as_table <<<"$tab")" "" \
			-f table "$@"
	fi
	dv_case "$name-json" 0 "$(dv_as_json <<<"$tab")" "" -f json "$@"
	dv_case "$name-flow" 0 "$(dv_as_flow <<<"$tab")" "" -f flow "$@"
}

# dv_age_s AGE: seconds of an age of less than an hour ("5s", "2m 3s").
dv_age_s() {
	local a=$1 m=0
	if [[ $a =~ ^([0-9]+)m\ ([0-9]+)s$ ]]; then
		m=${BASH_REMATCH[1]} a=${BASH_REMATCH[2]}s
	fi
	[[ $a =~ ^([0-9]+)s$ ]] || { echo -1; return; }
	echo $((m * 60 + ${BASH_REMATCH[1]}))
}

# dv_real_login: dave logs in over IMAP; the command shows that login:
# raw inside the step's window, its ISO string, an age between what the
# clock said before and after the command, and (ours) the client address
# of last_login_dict_fields. Then dave's record is seeded over (1d 2h).
dv_real_login() {
	local t0 t1 raw iso age ip s want_ip= w0 w1
	run_step dave-imap imap_login dave
	expect_ok
	w0=$STEP_T0 w1=$STEP_T1
	dc_settle
	[ "$(type -t dv_wait_written)" = function ] && dv_wait_written
	t0=$(date +%s)
	STEP=dave-get
	dv_run -f tab last-login get -u dave -s imap
	t1=$(date +%s)
	check_eq "dave-get: exit status" 0 "$DV_RC"
	check_eq "dave-get: stderr" "" "$DV_ERR"
	IFS=$'\t' read -r _ _ iso age raw ip < <(sed -n 2p <<<"$DV_OUT")
	s=${raw:0:10}
	check_eq "dave-get: raw $raw in the login's window" yes \
		"$(value_in_window "$raw" "$w0" "$w1")"
	check_eq "dave-get: ISO of $raw" \
		"$(date -u -d "@$s" +%Y-%m-%dT%H:%M:%S).${raw:10:3}Z" "$iso"
	age=$(dv_age_s "$age")
	check_eq "dave-get: age ${age}s within [$((t0 - s)), $((t1 - s))]" yes \
		"$([ "$age" -ge $((t0 - s)) ] && [ "$age" -le $((t1 - s)) ] &&
			echo yes || echo no)"
	# the stock plugin has last_login_dict_fields from 2.4.5 on
	if [ "$LL_PLUGIN" = ours ] || dc_version_ge 2.4.5; then
		want_ip=127.0.0.1
	fi
	check_eq "dave-get: client address field" "$want_ip" "$ip"
	obs "dave-get: header $(head -n1 <<<"$DV_OUT" | tr '\t' ' ')"
	obs "dave-get: $(sed -n 2p <<<"$DV_OUT" | cut -f1,2 | tr '\t' ' ')" \
		"rows: $(wc -l <<<"$DV_OUT")"
	dv_seed_time last-login/imap/dave dave 1 2
	dv_seed last-login-ip/imap/dave 127.0.0.1
}

# dv_seed_all: alice and carol's records.
dv_seed_all() {
	dv_seed_time last-login/imap/alice alice 400 10
	dv_seed last-login-ip/imap/alice 192.0.2.7
	dv_seed_time other/carol carol 5 0
}

# dv_cases: what every backend shows alike, after dv_real_login and
# dv_seed_all.
dv_cases() {
	local all c
	c=$(dv_row carol imap carol)$'\n'
	all=$(dv_tab "$(dv_row alice imap alice 192.0.2.7)"$'\n' \
		"$(dv_row alice pop3)"$'\n' "$(dv_row bob imap)"$'\n' \
		"$(dv_row bob pop3)"$'\n' "$c" "$(dv_row carol pop3 carol)"$'\n' \
		"$(dv_row dave imap dave 127.0.0.1)"$'\n' "$(dv_row dave pop3)"$'\n')
	# every user, the default services (imap, pop3: lmtp is served but
	# does not load last_login), each formatter
	dv_formats all "$all" last-login get -A
	# the filters: a user is as old as the newest login of any service
	dv_case older-365d 0 "$(dv_tab "$(dv_row alice imap alice 192.0.2.7)"$'\n' \
		"$(dv_row alice pop3)"$'\n')" "" \
		-f tab last-login get -A --older-than 365d
	dv_case older-1d12h 0 "$(dv_tab "$(dv_row alice imap alice 192.0.2.7)"$'\n' \
		"$(dv_row alice pop3)"$'\n' "$c" "$(dv_row carol pop3 carol)"$'\n')" \
		"" -f tab last-login get -A --older-than 1d12h
	dv_case never 0 "$(dv_tab "$(dv_row bob imap)"$'\n' "$(dv_row bob pop3)"$'\n')" \
		"" -f tab last-login get -A --never
	dv_case older-4w-or-never 0 "$(dv_tab "$(dv_row alice imap alice 192.0.2.7)"$'\n' \
		"$(dv_row alice pop3)"$'\n' "$(dv_row bob imap)"$'\n' \
		"$(dv_row bob pop3)"$'\n')" "" \
		-f tab last-login get -A --older-than 4w --never
	# -s (lmtp asked for: never), -u with a wildcard, -F
	dv_case wildcard-s 0 "$(dv_tab "$(dv_row alice imap alice 192.0.2.7)"$'\n' \
		"$(dv_row alice lmtp)"$'\n')" "" \
		-f tab last-login get -u 'a*' -s imap,lmtp
	printf 'bob\ncarol\n' >"$LL_WORK/users.txt"
	dv_case user-file 0 "$(dv_tab "$(dv_row bob imap)"$'\n' \
		"$(dv_row bob pop3)"$'\n' "$c" "$(dv_row carol pop3 carol)"$'\n')" \
		"" -f tab last-login get -F "$LL_WORK/users.txt"
	# the errors
	local unknown="User doesn't exist"
	# 2.4 names the command
	dc_v24 && unknown="cmd last-login get: $unknown"
	dv_case unknown-user 67 "$DV_HEADER" \
		"doveadm(nobody-such): Error: $unknown" \
		-f tab last-login get -u nobody-such
	dv_case bad-interval 64 "" "Fatal: last-login get: Invalid --older-than '365': use a number and a unit (s, m, h, d, w), e.g. 365d" \
		-f tab last-login get -A --older-than 365
	# 2.4's doveadm refuses it itself, before the command runs
	if dc_v24; then
		dv_case no-user-selection 75 "" \
			"Fatal: One of -u, -F, -A or --no-userdb-lookup must be provided" \
			-f tab last-login get
	else
		dv_case no-user-selection 64 "" \
			"Fatal: last-login get: One of -u, -F or -A is needed" \
			-f tab last-login get
	fi
}

# dv_erin_add: erin's key ends in the client address: found by listing the
# prefix (the newest of her two addresses), except on redis (refused).
dv_erin_add() {
	dc_add_user erin pass "" "$(dv_userdb_key logins/%s/%u/%{rip})"
	DV_USERS+=" erin"
	# the auth process reads the changed passwd-file at a later lookup
	wait_until 10 dv_user_known erin || fail "erin: not in the userdb"
	dv_time erin-old 3 4
	dv_time erin 2 1
	dv_seed logins/imap/erin/192.0.2.1 "${DV_RAW[erin-old]}"
	dv_seed logins/imap/erin/192.0.2.2 "${DV_RAW[erin]}"
}

# dv_unreachable ERR: with the backend out of reach, every user is still
# listed, each row says error, stderr names each, exit 75.
DV_USERS="alice bob carol dave"
DV_SERVICES="imap pop3"
dv_unreachable() {
	local rows= u s
	for u in $DV_USERS; do
		for s in $DV_SERVICES; do
			rows+="$u	$s	error			"$'\n'
		done
	done
	dv_case unreachable 75 "$(dv_tab "$rows")" "$1" \
		-f tab last-login get -A
}

# dv_erin_remove: erin out of the userdb again.
dv_erin_remove() {
	sed -i '/^erin:/d' "$DC_USERS"
	DV_USERS=${DV_USERS% erin}
}

# dv_unreachable_err: the stderr lines of dv_unreachable: per row, the
# backend's own line DV_EACH_ERR (if any) and the failed lookup with its
# error DV_LOOKUP_ERR; after ten failures in a row the command says it
# gives up on the dict, and the later rows fail without a line.
dv_unreachable_err() {
	local u s k n=0
	for u in $DV_USERS; do
		for s in $DV_SERVICES; do
			n=$((n + 1))
			[ $n -le 10 ] || continue
			k=shared/last-login/$s/$u
			[ "$u" = carol ] && k=shared/other/carol
			[ -z "$DV_EACH_ERR" ] ||
				echo "doveadm($u): Error: $DV_EACH_ERR"
			if [ "$u" = erin ]; then
				echo "doveadm($u): Error: last-login: $u ($s): Listing shared/logins/$s/$u/ failed: $DV_LOOKUP_ERR"
			else
				echo "doveadm($u): Error: last-login: $u ($s): Lookup of $k failed: $DV_LOOKUP_ERR"
			fi
			[ $n -lt 10 ] ||
				echo "doveadm($u): Error: last-login: 10 lookups failed in a row: the dict is not asked again, the remaining rows say error"
		done
	done
}

# dv_backend_cases: what the SQL and file scenarios run on their
# backend: the real login, every formatter, the filters, erin's key per
# login found by listing her prefix (the newest of two addresses).
dv_backend_cases() {
	dv_real_login
	dv_seed_all
	local all
	all=$(dv_tab "$(dv_row alice imap alice 192.0.2.7)"$'\n' \
		"$(dv_row alice pop3)"$'\n' "$(dv_row bob imap)"$'\n' \
		"$(dv_row bob pop3)"$'\n' "$(dv_row carol imap carol)"$'\n' \
		"$(dv_row carol pop3 carol)"$'\n' \
		"$(dv_row dave imap dave 127.0.0.1)"$'\n' "$(dv_row dave pop3)"$'\n')
	dv_formats all "$all" last-login get -A
	dv_case older-4w-or-never 0 "$(dv_tab "$(dv_row alice imap alice 192.0.2.7)"$'\n' \
		"$(dv_row alice pop3)"$'\n' "$(dv_row bob imap)"$'\n' \
		"$(dv_row bob pop3)"$'\n')" "" \
		-f tab last-login get -A --older-than 4w --never
	dv_erin_add
	dv_case erin-listed 0 "$(dv_tab "$(dv_row erin imap erin)"$'\n' \
		"$(dv_row erin pop3)"$'\n')" "" -f tab last-login get -u erin
}

# dv_user_known USER: the userdb finds USER (wait_until condition).
dv_user_known() {
	doveadm -c "$DC_CONF" user "$1" >/dev/null 2>&1
}

# dv_file_dict: the file dict as the scenario's backend: DICT_DIR,
# DICT_FILE and DV_DICT set, and its dv_seed.
dv_file_dict() {
	DICT_DIR=$LL_WORK/dict
	mkdir -p "$DICT_DIR"
	chown "$DC_UID:$DC_GID" "$DICT_DIR"
	DICT_FILE=$DICT_DIR/last-login.db
	DV_DICT=file:$DICT_FILE
}
# dv_seed KEY VALUE for the file dict: "shared/KEY" and value lines.
dv_file_seed() {
	touch "$DICT_FILE"
	awk -v k="shared/$1" -v v="$2" 'NR % 2 == 1 { key = $0; next }
		key != k { print key; print } END { print k; print v }' \
		"$DICT_FILE" >"$DICT_FILE.new"
	mv "$DICT_FILE.new" "$DICT_FILE"
	chown "$DC_UID:$DC_GID" "$DICT_FILE"
}

# ---- the doveadm HTTP API, as an admin panel calls it ----

DV_API_KEY=ll-api-secret
DV_HTTP_PORT=

# dv_http_start: Dovecot with the doveadm HTTP API on a port of the
# scenario's block, its doveadm server loading our doveadm plugin:
# the master runs in a mount namespace of its own in which a dir with
# our plugin and links to the system's other doveadm plugins is mounted
# over doveadm's module dir (as tests/lib/doveadm-last-login.sh does for
# one command); the system's dir is untouched.
dv_http_start() {
	local moddir=/usr/lib/dovecot/modules/doveadm dir f
	local so=$LL_ROOT/../../src/.libs/lib10_doveadm_last_login_plugin.so
	dir=$LL_WORK/doveadm-modules
	mkdir -p "$dir" "$moddir"
	for f in "$moddir"/*.so; do
		[ -e "$f" ] && [ "${f##*/}" != "${so##*/}" ] && ln -s "$f" "$dir/"
	done
	cp "$so" "$dir/"
	chmod 755 "$dir"
	next_port
	DV_HTTP_PORT=$PORT
	DC_EXTRA+="
doveadm_api_key = $DV_API_KEY
service doveadm {
  inet_listener http {
    port = $DV_HTTP_PORT
  }
}"
	[ -z "${DC_EXTRA_24+set}" ] || DC_EXTRA_24+="
doveadm_api_key = $DV_API_KEY
service doveadm {
  inet_listener http {
    port = $DV_HTTP_PORT
  }
}"
	# shellcheck disable=SC2016 # for sh
	DC_EXEC_PREFIX=(unshare -m --propagation private sh -c
		'mount --bind "$0" /usr/lib/dovecot/modules/doveadm && exec "$@"'
		"$dir")
	dc_start
	wait_port 127.0.0.1 "$DV_HTTP_PORT" 100 ||
		die "the doveadm HTTP API does not listen"
}

# dv_http NAME JSON-REQUEST: POSTs the request to /doveadm/v1 with the
# API key, as a panel does; the response body in DV_HTTP_OUT, the HTTP
# status in DV_HTTP_STATUS.
dv_http() {
	local out=$LL_WORK/http.$1
	echo "--- ${STEP:-}: POST /doveadm/v1 $2" >>"$LL_WORK/clients.log"
	DV_HTTP_STATUS=$(_bounded curl -sS -o "$out" -w '%{http_code}' \
		-H "Authorization: X-Dovecot-API $(printf %s "$DV_API_KEY" |
			base64)" \
		-H 'Content-Type: application/json' --data-binary "$2" \
		"http://127.0.0.1:$DV_HTTP_PORT/doveadm/v1" \
		2>>"$LL_WORK/clients.log") || DV_HTTP_STATUS=curl-failed
	DV_HTTP_OUT=$(cat "$out" 2>/dev/null || true)
	cat "$out" >>"$LL_WORK/clients.log" 2>/dev/null || true
}

# dv_http_case NAME STATUS BODY REQUEST: one request (ours only, as
# dv_case); its HTTP status and body must be exactly STATUS and BODY.
dv_http_case() {
	local name=$1 status=$2 body=$3
	[ "$LL_PLUGIN" = ours ] || return 0
	STEP=$name
	dv_http "$name" "$4"
	note "http $name: $DV_HTTP_STATUS $(dv_label "$DV_HTTP_OUT")"
	check_eq "$name: HTTP status" "$status" "$DV_HTTP_STATUS"
	check_eq "$name: body" "$body" "$DV_HTTP_OUT"
}

# dv_http_rows TAG ROW...: the body of a command that printed these rows
# (dv_row), as the API wraps doveadm's JSON.
dv_http_rows() {
	local tag=$1
	shift
	printf '[["doveadmResponse",%s,"%s"]]' \
		"$(dv_tab "$@" | dv_as_json)" "$tag"
}

# dv_http_exit TAG CODE: the body of a command that ended with CODE.
dv_http_exit() {
	local sep=' '
	# 2.3's API puts a space after the comma, 2.4's JSON writer none
	dc_v24 && sep=
	printf '[["error",{"type":"exitCode",%s"exitCode":%s},"%s"]]' \
		"$sep" "$2" "$1"
}
