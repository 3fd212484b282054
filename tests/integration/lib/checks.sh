# Assertions for every scenario: each records one failure with fail and
# never ends the scenario. The log checks read DC_LOG_LINES (left by
# dc_log_obs or sql_log_obs) or the whole DC_LOG. Requires lib/common.sh.
# Checks tied to one backend's reader stay with it (check_written in
# lib/redis.sh, sql_check_rows in lib/sql-observe.sh).

check_eq() { # WHAT EXPECTED ACTUAL
	[ "$2" == "$3" ] || fail "$1: expected '$2', got '$3'"
}

check_match() { # WHAT ERE ACTUAL
	[[ "$3" =~ $2 ]] || fail "$1: '$3' does not match /$2/"
}

# ll_lines_matching ERE TEXT: REPLY = the lines of TEXT that match ERE
# (as grep -E would: in the C locale, the empty TEXT as one empty line);
# REPLY_COUNT = how many. In bash: no process per check.
ll_lines_matching() {
	local LC_ALL=C l
	REPLY= REPLY_COUNT=0
	while IFS= read -r l; do
		[[ $l =~ $1 ]] || continue
		REPLY+=$l$'\n'
		REPLY_COUNT=$((REPLY_COUNT + 1))
	done <<<"$2"
	REPLY=${REPLY%$'\n'}
}

# check_log_count ERE N: exactly N of the new lines match ERE.
check_log_count() {
	ll_lines_matching "$1" "$DC_LOG_LINES"
	check_eq "$STEP: log lines matching /$1/" "$2" "$REPLY_COUNT"
}

# check_no_crash: no process of this Dovecot crashed so far (whole log).
check_no_crash() {
	local bad
	bad=$(grep -E 'Panic|Fatal|killed with signal|core dumped' "$DC_LOG" |
		grep -v 'Killed with signal 15' || true)
	[ -z "$bad" ] || fail "${STEP:-}: crash in the log: $bad"
}

# check_no_log_errors: no Error/Fatal/Panic among the new lines.
check_no_log_errors() {
	ll_lines_matching 'Error|Fatal|Panic' "$DC_LOG_LINES"
	[ -z "$REPLY" ] || fail "$STEP: unexpected log errors: $REPLY"
}

# check_log_line TEXT: exactly one of the new lines equals TEXT.
check_log_line() {
	local l n=0
	while IFS= read -r l; do
		[ "$l" != "$1" ] || n=$((n + 1))
	done <<<"$DC_LOG_LINES"
	check_eq "$STEP: log lines equal to '$1'" 1 "$n"
}
