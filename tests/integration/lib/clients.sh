# Client actions against the scenario's Dovecot. Each returns the client's
# exit status (0 success, 1 refused, 2 trouble) and appends its transcript
# to $LL_WORK/clients.log. CLIENT_SRC=127.0.0.2 binds the client side to
# another loopback address; CLIENT_HOST overrides the server address.
# Requires lib/common.sh and lib/dovecot.sh (with lib/dovecot-log.sh).

LL_MAILCLIENT=$LL_ROOT/tools/mailclient.pl
CLIENT_SRC=${CLIENT_SRC:-}
CLIENT_HOST=${CLIENT_HOST:-127.0.0.1}

# CLIENT_TIMEOUT=SECS bounds every client (also dovecot-lda and doveadm):
# one that takes longer is stopped and returns timeout(1)'s 124 (137 when
# it had to be killed).
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-}
_bounded() {
	if [ -n "$CLIENT_TIMEOUT" ]; then
		timeout -k 2 "$CLIENT_TIMEOUT" "$@"
	else
		"$@"
	fi
}

# CLIENT_ID='("name" "x" ...)': IMAP clients send "ID <that>" before login.
CLIENT_ID=${CLIENT_ID:-}
# CLIENT_MARKS=FILE: the LMTP clients append "NAME MS" lines to FILE
# (data-sent, data-replied, quit-sent, quit-replied; see mark_ms).
CLIENT_MARKS=${CLIENT_MARKS:-}

_mc() {
	local src=()
	[ -n "$CLIENT_SRC" ] && src=(--src "$CLIENT_SRC")
	[ -n "$CLIENT_ID" ] && src+=(--id "$CLIENT_ID")
	[ -n "$CLIENT_MARKS" ] && src+=(--marks "$CLIENT_MARKS")
	echo "--- ${STEP:-}: $*" >>"$LL_WORK/clients.log"
	_bounded perl "$LL_MAILCLIENT" "${src[@]}" "$@" \
		2>>"$LL_WORK/clients.log"
}

imap_login() { # USER [PASS [HOLD_SECONDS]]
	_mc "$CLIENT_HOST" "$DC_IMAP_PORT" imap-login "$1" "${2:-pass}" ${3:+"$3"}
}
# imap_hold USER PASS FILE: LOGIN, SELECT, then hold the session open
# until FILE exists (at most 120 s), NOOP, LOGOUT. Create FILE to end it.
imap_hold() {
	_mc "$CLIENT_HOST" "$DC_IMAP_PORT" imap-hold "$1" "$2" "$3"
}
imap_auth() { # USER [PASS]: AUTHENTICATE PLAIN
	_mc "$CLIENT_HOST" "$DC_IMAP_PORT" imap-auth "$1" "${2:-pass}"
}
imap_idle() { # USER PASS SECONDS
	_mc "$CLIENT_HOST" "$DC_IMAP_PORT" imap-idle "$1" "$2" "$3"
}
imap_select() { # USER PASS MAILBOX
	_mc "$CLIENT_HOST" "$DC_IMAP_PORT" imap-select "$1" "$2" "$3"
}
pop3_login() { # USER [PASS]
	_mc "$CLIENT_HOST" "$DC_POP3_PORT" pop3-login "$1" "${2:-pass}"
}
lmtp_deliver() { # RCPT...: one transaction over TCP
	_mc "$CLIENT_HOST" "$DC_LMTP_PORT" lmtp-deliver "$@"
}
lmtp_deliver_unix() { # RCPT...: over the lmtp unix socket
	_mc --unix "$DC_LMTP_SOCKET" - - lmtp-deliver "$@"
}
# lmtp_hold FILE RCPT...: lmtp_deliver, but the connection is held open
# after the DATA replies until FILE exists (at most 120 s), then QUIT.
lmtp_hold() {
	_mc "$CLIENT_HOST" "$DC_LMTP_PORT" lmtp-hold "$@"
}
# mark_ms FILE NAME: the time (ms) of the last mark NAME in FILE, or
# nothing.
mark_ms() {
	awk -v n="$2" '$1 == n { t = $2 } END { if (t != "") print t }' \
		"$1" 2>/dev/null || true
}

# lda_deliver USER: dovecot-lda -d USER with a small message on stdin.
lda_deliver() {
	echo "--- ${STEP:-}: dovecot-lda -d $1" >>"$LL_WORK/clients.log"
	printf 'From: sender@example.test\nSubject: lda test\n\nhello\n' |
		_bounded /usr/lib/dovecot/dovecot-lda -c "$DC_CONF" -d "$1" \
			-f sender@example.test >>"$LL_WORK/clients.log" 2>&1
}

# doveadm_list USER: doveadm mailbox list -u USER (runs as a mail user).
# doveadm logs to its stderr, not to Dovecot's log: the output of the last
# call is kept in $LL_WORK/doveadm.out (see doveadm_log_obs).
doveadm_list() {
	local rc=0
	echo "--- ${STEP:-}: doveadm mailbox list -u $1" >>"$LL_WORK/clients.log"
	_bounded doveadm -c "$DC_CONF" mailbox list -u "$1" \
		>"$LL_WORK/doveadm.out" 2>&1 ||
		rc=$?
	cat "$LL_WORK/doveadm.out" >>"$LL_WORK/clients.log"
	return "$rc"
}

# doveadm_log_obs: like dc_log_obs, for the log lines the last doveadm
# command printed (recorded as "doveadm-log: LINE", kept in DC_LOG_LINES).
doveadm_log_obs() {
	DC_LOG_LINES=$(dc_log_norm <"$LL_WORK/doveadm.out" | dc_log_interesting)
	obs_lines "doveadm-log" "$DC_LOG_LINES"
}

# run_step NAME CMD...: one client action bracketed by its wall-clock
# window; records "step NAME: ok|refused|error" and sets STEP_RC.
run_step() {
	local name=$1
	shift
	step_begin "$name"
	STEP_RC=0
	"$@" || STEP_RC=$?
	step_end
	local res=ok
	[ "$STEP_RC" = 1 ] && res=refused
	[ "$STEP_RC" -gt 1 ] && res="error"
	obs "step $name: $res"
	return 0
}

# expect_ok: the last run_step succeeded (login/delivery worked).
expect_ok() {
	[ "$STEP_RC" = 0 ] || fail "$STEP: client failed (rc=$STEP_RC)"
}
