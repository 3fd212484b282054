# File dict: `file:PATH` as the mail user sees it. Keys appear as
# "shared/<key>" lines, each followed by its value line; parallel logins
# lose no update; a directory the mail user cannot write logs one line and
# the login still works; %h puts one file in each home.
dc_add_user alice
dc_add_user bob
for i in $(seq -w 1 40); do dc_add_user "user$i"; done
DC_LL_PROTOCOLS="imap pop3"
# Mail processes run as nobody: the dict dir must be theirs.
DICT_DIR=$LL_WORK/dict
mkdir -p "$DICT_DIR"
chown "$DC_UID:$DC_GID" "$DICT_DIR"
DICT_FILE=$DICT_DIR/last-login.db

# file_step_obs FILE: like rd_step_obs for a dict file: records each
# key/value pair in FILE, fills RD_WRITTEN, then empties the file.
declare -A RD_WRITTEN
file_step_obs() {
	local f=$1 key val n=0
	RD_WRITTEN=()
	dc_settle
	if [ -f "$f" ]; then
		while IFS= read -r key && IFS= read -r val; do
			RD_WRITTEN[$key]=$val
			ll_value_obs "$key" "$val"
			n=$((n + 1))
		done <"$f"
		: >"$f"
	fi
	[ "$n" = 0 ] && obs "step $STEP wrote nothing"
	return 0
}

# 1. IMAP and POP3, default key and precision ms.
DC_PLUGIN_SETTINGS="last_login_dict = file:$DICT_FILE
last_login_precision = ms"
dc_start
run_step imap imap_login alice
expect_ok
file_step_obs "$DICT_FILE"
check_written shared/last-login/alice 13
check_only_written shared/last-login/alice
run_step pop3 pop3_login bob
expect_ok
file_step_obs "$DICT_FILE"
check_written shared/last-login/bob 13
check_only_written shared/last-login/bob
dc_log_obs
check_log_count last_login 0
check_no_log_errors

# 2. 40 users, 10 logins at a time, one file: every user is in it.
step_begin parallel-40
res=$(running=0
	for i in $(seq -w 1 40); do
		{ imap_login "user$i" && echo ok || echo bad; } &
		# keep at most 10 clients running
		running=$((running + 1))
		[ "$running" -lt 10 ] || { wait -n; running=$((running - 1)); }
	done; wait)
step_end
ok=$(grep -c '^ok$' <<<"$res" || true)
obs "step parallel-40: $ok/40 ok"
check_eq "parallel-40: logins that worked" 40 "$ok"
dc_settle
fresh=0
while IFS= read -r key && IFS= read -r val; do
	[[ $key == shared/last-login/user* ]] &&
		[ "$(value_in_window "$val")" = yes ] && fresh=$((fresh + 1))
done <"$DICT_FILE"
obs "parallel-40: users in the file with a fresh value: $fresh"
check_eq "parallel-40: users in the file (lost updates?)" 40 "$fresh"
: >"$DICT_FILE"
dc_log_obs
check_no_log_errors

# 3. A directory the mail user may not write: one clear line, login works.
mkdir -p "$LL_WORK/rootdir"
DC_PLUGIN_SETTINGS="last_login_dict = file:$LL_WORK/rootdir/last-login.db"
dc_restart
run_step unwritable-dir imap_login alice
expect_ok
[ -e "$LL_WORK/rootdir/last-login.db" ] && fail "unwritable-dir: file created"
dc_log_obs
check_log_count 'last_login_dict: Failed to write value: .*Permission denied' 1
check_log_count last_login 1

# ... and a directory that does not exist under one it may not write.
DC_PLUGIN_SETTINGS="last_login_dict = file:$LL_WORK/rootdir/sub/last-login.db"
dc_restart
run_step missing-dir imap_login alice
expect_ok
[ -e "$LL_WORK/rootdir/sub" ] && fail "missing-dir: directory created"
dc_log_obs
check_log_count 'last_login_dict: Failed to write value: mkdir_parents.*Permission denied' 1
check_log_count last_login 1

# 4. %h in the path: each user's own file in the home.
DC_PLUGIN_SETTINGS="last_login_dict = file:%h/last-login.db"
dc_restart
run_step per-home imap_login alice
expect_ok
file_step_obs "$DC_HOME/alice/last-login.db"
check_written shared/last-login/alice 10
check_only_written shared/last-login/alice
dc_log_obs
check_log_count last_login 0
check_no_log_errors
