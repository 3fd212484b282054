# Observing what the SQL scenarios did: step windows and the labels of
# stored timestamps (also used by the redis-interval scenarios), the rows
# of a table, and the log lines of Dovecot and of command-line clients,
# normalized for the side-by-side comparison. Requires the libraries of
# lib/scenario-main.sh.

# ---- step windows and rows

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
	for ((i = 1; i <= 50; i++)); do
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

# ---- the log

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
	for ((i = 1; i <= 15; i++)); do
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
