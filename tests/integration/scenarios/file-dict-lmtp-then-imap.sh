# One file dict shared by every service (file:PATH in a directory of the
# mail users' uid), LMTP running as root (its default) and the mail
# users as nobody: the first write of all comes from an LMTP delivery,
# then IMAP, POP3 and dovecot-lda logins. Each write lands in the file,
# and the file the delivery created belongs to the recipient's uid, as
# with stock (its commit runs while LMTP acts as the recipient), so that
# the later sessions, which run as the user, can write it too. The
# directory is the users' own, mode 0700: the file dict gives a new file
# its directory's mode (without x), 0600 here, so that a file root
# created could not even be read by the users' sessions.
for u in alice bob carol dan erin; do dc_add_user "$u"; done
DC_LL_PROTOCOLS="imap pop3 lmtp lda"
DICT_DIR=$LL_WORK/dict
mkdir -p "$DICT_DIR"
chown "$DC_UID:$DC_GID" "$DICT_DIR"
chmod 700 "$DICT_DIR"
DICT_FILE=$DICT_DIR/last-login.db
DC_PLUGIN_SETTINGS="last_login_dict = file:$DICT_FILE"
dc_start

# fd_value KEY: the value the dict file holds for shared/KEY (empty if
# none).
fd_value() {
	[ -f "$DICT_FILE" ] || return 0
	awk -v k="shared/$1" 'NR % 2 == 1 { key = $0; next }
		key == k { v = $0 } END { print v }' "$DICT_FILE"
}
fd_has() { [ -n "$(fd_value "$1")" ]; }

# fd_check_written USER...: each user's key holds a time (10 digits)
# from the last step's window; waits (bounded) for it, as the write may
# land after the client's last reply.
fd_check_written() {
	local u v
	for u; do
		wait_until 10 fd_has "last-login/$u" || true
		v=$(fd_value "last-login/$u")
		ll_value_obs "last-login/$u" "$v"
		check_eq "$STEP: last-login/$u digits" 10 "$(value_digits "$v")"
		check_eq "$STEP: last-login/$u in the step's window" yes \
			"$(value_in_window "$v")"
	done
}

# fd_check_owner: the dict file belongs to the mail users' uid, mode
# 0600.
fd_check_owner() {
	local owner mode
	owner=$(stat -c %u "$DICT_FILE" 2>/dev/null || echo missing)
	mode=$(stat -c %a "$DICT_FILE" 2>/dev/null || echo missing)
	[ "$owner" = "$DC_UID" ] && owner="mail user ($DC_UID)"
	obs "$STEP: dict file owner: $owner, mode $mode"
	check_eq "$STEP: dict file owner" "mail user ($DC_UID)" "$owner"
	check_eq "$STEP: dict file mode" 600 "$mode"
}

# 1. LMTP to alice and bob: the file is created by the delivery.
run_step lmtp lmtp_deliver alice bob
expect_ok
fd_check_written alice bob
fd_check_owner
wait_until 10 dc_no_process lmtp || true
dc_log_obs
check_log_count last_login 0
check_no_log_errors

# 2. Then the others, each as the mail user, into the same file.
run_step imap imap_login carol
expect_ok
fd_check_written carol
dc_log_obs
check_log_count last_login 0
check_no_log_errors

run_step pop3 pop3_login dan
expect_ok
fd_check_written dan
dc_log_obs
check_log_count last_login 0
check_no_log_errors

run_step lda lda_deliver erin
expect_ok
fd_check_written erin
dc_log_obs
# dovecot-lda logs to its stderr, kept in clients.log
lda_lines=$(sed -n '/^--- lda: /,$p' "$LL_WORK/clients.log" |
	dc_log_norm | dc_log_interesting)
obs_lines "lda-log" "$lda_lines"
check_eq "lda: log lines" "" "$lda_lines"
check_log_count last_login 0
check_no_log_errors

# Every user's key is still there: no write replaced the file's content.
STEP=end
for u in alice bob carol dan erin; do
	v=$(fd_value "last-login/$u")
	obs "end: last-login/$u digits=$(value_digits "$v")"
	check_eq "end: last-login/$u digits" 10 "$(value_digits "$v")"
done
fd_check_owner
check_no_crash
