# Stalls: what clients wait for while the dict backend misbehaves. Sourced
# by the stall-* scenarios after the libraries of scenario-main.sh.
#
# stall_case runs, at the same time, one session of every kind that loads
# the plugin, each as its own user and each bounded by STALL_BOUND:
#   imap alice (LOGIN, SELECT, LOGOUT)      pop3 bob (USER, PASS, STAT, QUIT)
#   lmtp carol dan erin (one DATA)          dovecot-lda frank
#   doveadm mailbox list -u grace
# and records per session "FAULT KIND: done" or "FAULT KIND: stalled"
# (not done within STALL_BOUND s: the client was stopped), and whether the
# imap process was gone STALL_GONE s after the LOGOUT reply. The bound is
# a bound on waiting, far above a healthy session and far below the 30 s
# that the stock plugin waits on a backend that does not answer; a
# stalled stock session is stopped there instead of waited out.

STALL_BOUND=10
# last_login_timeout (1 s, set below) plus a margin
STALL_GONE=4
STALL_KINDS="imap pop3 lmtp lda doveadm"
for u in alice bob carol dan erin frank grace; do dc_add_user "$u"; done
DC_LL_PROTOCOLS="imap pop3 lmtp lda doveadm"
# One process per LMTP connection (2.4.1's default restart_request_count
# = 1), so that LMTP's jobs end with its session like imap's, and every
# line is in the log when read.
dc_v24 || DC_EXTRA+="
service lmtp {
  service_count = 1
}"

# stall_prefix KIND: ERE for the normalized log prefix of KIND's session
# (the plugin's lines in stock's lmtp have "lmtp(X)", the driver's
# "lmtp(<user>)", 2.3.13's "lmtp(X, <user>)").
stall_prefix() {
	case $1 in
	imap) echo 'imap\(alice\)' ;;
	pop3) echo 'pop3\(bob\)' ;;
	lmtp) echo 'lmtp\((X|carol|dan|erin)(, (carol|dan|erin))?\)' ;;
	lda) echo 'lda\(frank\)' ;;
	doveadm) echo 'doveadm\(grace\)' ;;
	esac
}

# stall_jobs KIND: the number of jobs (recipients) of one session.
stall_jobs() {
	if [ "$1" = lmtp ]; then echo 3; else echo 1; fi
}

# stall_run KIND: one session, bounded; writes "RC MS" to stall.KIND.
stall_run() {
	local kind=$1 t0 rc=0
	t0=$(now_ns)
	case $kind in
	imap) imap_login alice || rc=$? ;;
	pop3) pop3_login bob || rc=$? ;;
	lmtp) lmtp_deliver carol dan erin || rc=$? ;;
	lda) lda_deliver frank || rc=$? ;;
	doveadm) doveadm_list grace || rc=$? ;;
	esac
	echo "$rc $((($(now_ns) - t0) / 1000000))" >"$LL_WORK/stall.$kind"
}

# stall_config DICT-URI [SETTING-LINE...]: restart Dovecot with that
# dict, last_login_timeout = 1s and the further plugin settings given.
stall_config() {
	local l
	DC_PLUGIN_SETTINGS="last_login_dict = $1
last_login_timeout = 1s"
	shift
	for l; do DC_PLUGIN_SETTINGS+=$'\n'$l; done
	dc_restart
}

# stall_case FAULT: run every session at once against the running
# Dovecot and record what each client saw; then (stall_check_log) the
# log. Sets STALL_STALLED (the kinds that stalled).
stall_case() {
	local f=$1 kind rc ms pids=() t_end gone=no leftover
	dc_log_take
	step_begin "$f"
	for kind in $STALL_KINDS; do
		[ "$kind" = imap ] && continue
		CLIENT_TIMEOUT=$STALL_BOUND stall_run "$kind" &
		pids+=($!)
	done
	CLIENT_TIMEOUT=$STALL_BOUND stall_run imap
	t_end=$(now_ns)
	# the imap process ends after the LOGOUT reply (service_count 1)
	while (($(now_ns) - t_end < STALL_GONE * 1000000000)); do
		if dc_no_process imap; then
			gone=yes
			break
		fi
		sleep 0.1
	done
	for p in "${pids[@]}"; do wait "$p" || true; done
	step_end
	STALL_STALLED=
	for kind in $STALL_KINDS; do
		read -r rc ms <"$LL_WORK/stall.$kind"
		note "$f $kind: rc=$rc after $ms ms"
		case $rc in
		0) obs "$f $kind: done" ;;
		124 | 137)
			obs "$f $kind: stalled"
			STALL_STALLED+=" $kind" ;;
		*) obs "$f $kind: failed (rc=$rc)"
			fail "$f $kind: the session failed (rc=$rc)" ;;
		esac
	done
	obs "$f imap: process gone within $STALL_GONE s of logout: $gone"
	if [ "$LL_PLUGIN" = ours ]; then
		check_eq "$f: sessions that stalled" "" "$STALL_STALLED"
		check_eq "$f: imap process gone in $STALL_GONE s" yes "$gone"
	fi
	# The sessions that ended took their jobs with them. A stalled
	# stock session still waits for the backend, deaf to SIGTERM (its
	# dict wait runs its own ioloop): stop Dovecot and kill what is left
	# of it, so that nothing it logs later lands in the next case.
	if [ -n "$STALL_STALLED" ]; then
		leftover=$(ps --ppid "$DC_PID" -o pid=,comm= |
			awk '$2 ~ /^(imap|pop3|lmtp)$/ { print $1 }')
		dc_stop
		for p in $leftover; do
			kill -KILL "$p" 2>/dev/null || true
		done
	else
		wait_until 10 dc_no_process imap pop3 lmtp ||
			fail "$f: mail processes still running after 10 s"
	fi
	sleep 0.2 # the log process writes asynchronously
	dc_log_take
	DC_LOG_LINES=$(dc_log_interesting <<<"$DC_LOG_NEW"
		dc_log_norm <"$LL_WORK/doveadm.out" | dc_log_interesting)
	# Without the dict proxy's timing, and without the dict process's
	# own lines (MariaDB's connect errors, repeated by a timer).
	DC_LOG_LINES=$(sed -E -e 's/ \(reply took .*$//' \
		-e 's/\(idled for [0-9]+ secs\)/(idled for N secs)/' \
		<<<"$DC_LOG_LINES" | LC_ALL=C sort)
	DC_LOG_LINES=$(grep -v '^dict(X): ' <<<"$DC_LOG_LINES" || true)
}

# stall_check_log FAULT ERE...: the log lines of the last stall_case: per
# job exactly one line matching each ERE (the text after "Error: " and, in
# LMTP, the recipient's "lmtp-server: conn ...: rcpt <user>: ") and no
# other line. Records them (sorted) as observations (see STALL_OBS_SED).
# Not for a case in which a session stalled: its lines were not waited
# for.
stall_check_log() {
	local f=$1 kind p n ere want
	shift
	# A process that had to leave a dict with a pending commit unfreed
	# warns at exit that its events (and on 2.4 its settings, on 2.3 a
	# dict's timer) leaked (doc/failures.md, "The process ends"). The
	# warnings are not asserted: their
	# prefix ("imap:", "imap(X):") and whether they reach the log before
	# it is read vary by release.
	local leak='^[^ ]+: Warning: (Event 0x[0-9a-f]+ leaked|Leaked settings:|Timeout leak: 0x[0-9a-f]+ \(dict\.c:[0-9]+\)|Raw backtrace for leaks:)'
	DC_LOG_LINES=$(grep -avE "$leak" \
		<<<"$DC_LOG_LINES" || true)
	# STALL_OBS_SED: a sed script for the observed copy of the lines
	# (for a text that differs by chance between runs)
	obs_lines "$f log" "$(sed -E -e "${STALL_OBS_SED:-}" <<<"$DC_LOG_LINES" |
		LC_ALL=C sort)"
	STEP=$f
	for kind in $STALL_KINDS; do
		p=$(stall_prefix "$kind")
		n=$(stall_jobs "$kind")
		for ere; do
			check_log_count "^$p: Error: (lmtp-server: .*: rcpt [a-z]+: )?$ere\$" "$n"
		done
		want=$((n * $#))
		check_log_count "^$p: " "$want"
	done
	want=0
	for kind in $STALL_KINDS; do
		want=$((want + $(stall_jobs "$kind") * $#))
	done
	check_log_count . "$want"
}
