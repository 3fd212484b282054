# Reading the scenario's Dovecot log: the lines written since the last
# read, normalized so that ours and stock compare equal, recorded as
# observations. Requires lib/common.sh and lib/dovecot.sh (DC_LOG,
# dc_settle).

# dc_log_norm: Dovecot log lines without time, pids, session ids, ports,
# durations and the work dir, so that two runs compare equal. (2.3.13's
# lmtp prefixes the lines of a delivery with "lmtp(<pid>, <user>): ".)
dc_log_norm() {
	sed -E -e 's/^[0-9]{2}:[0-9]{2}:[0-9]{2} //' \
		-e "s|$LL_WORK|WORK|g" \
		-e 's/^([a-z0-9-]+)\([0-9]+\)/\1(X)/' \
		-e 's/^([a-z0-9-]+)\([0-9]+, /\1(X, /' \
		-e 's/<[0-9]+>//g' \
		-e 's/<[A-Za-z0-9+\/]{8,}(:R[0-9]+)?>//g' \
		-e 's/(session|mpid|pid)=<?[^,>)]*>?/\1=X/g' \
		-e 's/(lport|rport|port)=[0-9]+/\1=X/g' \
		-e 's/(127\.0\.0\.[0-9]+|\[::1\]):[0-9]+/\1:X/g' \
		-e 's/[0-9]+\.[0-9]+ (secs|in )/N \1/g'
}

# dc_log_open: opens the log for reading, once per instance, in the
# scenario's shell (dc_start). The fd's position is the mark: every read,
# in this shell or in a subshell, moves it on.
dc_log_open() {
	[ -z "$DC_LOG_FD" ] || return 0
	: >>"$DC_LOG"
	exec {DC_LOG_FD}<"$DC_LOG"
}

# dc_log_new: prints the normalized lines written since the last call.
dc_log_new() {
	[ -z "$DC_LOG_FD" ] || dc_log_norm <&"$DC_LOG_FD"
}

# dc_log_take: the same lines into DC_LOG_NEW.
dc_log_take() {
	DC_LOG_NEW=$(dc_log_new)
}

# dc_log_interesting: the lines a comparison cares about (plugin lines and
# anything at Warning level or worse, except the master's note that we
# stopped it, and a process's note that the busy machine did not run it
# for a while: "Time moved forwards by 0.28 seconds - adjusting
# timeouts.").
dc_log_interesting() {
	# C locale: a line with bytes that are no text (stock 2.3.19.1 can
	# log freed memory as an error) is still a line
	LC_ALL=C sed -n -E \
		-e '/^master: Warning: Killed with signal 15|: Warning: Time moved forwards by [0-9.]+ seconds - adjusting timeouts\.$/d' \
		-e '/last_login|Warning|Error|Fatal|Panic/p'
}

# dc_log_obs [DELAY]: record the new interesting log lines as observations
# and leave them in DC_LOG_LINES for the scenario's own assertions.
dc_log_obs() {
	dc_settle
	sleep "${1:-0.2}" # the log process writes asynchronously
	dc_log_take
	DC_LOG_LINES=$(dc_log_interesting <<<"$DC_LOG_NEW")
	obs_lines "log" "$DC_LOG_LINES"
}
