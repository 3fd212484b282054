# The IMAP client's ID (sent before LOGIN) recorded next to the login time
# with last_login_dict_fields, by the recipe of doc/compatibility.md ("The
# client's ID"): imap-login keeps the ID (imap_id_retain = yes) and hands
# it to auth as %{client_id}; no mail process variable holds it, so the
# userdb carries it over. 2.3: an SQLite userdb returns the whole
# last_login_dict_fields entry with every '%' doubled, since the mail
# process %-expands settings from the userdb once more (the passwd-file
# variant without the doubling is shown failing at the end). 2.4: the
# passwd-file userdb's fields { } return the ID in a field of its own,
# read by the config's %{userdb:last_login_client_id}; 2.4 takes userdb
# values literally.
# Exact values: the ID as imap-login re-quotes it, NIL kept, pairs past
# 256 bytes dropped; no ID, ID NIL and POP3 write the empty value.
# Stock has last_login_dict_fields from 2.4.5 on; before, it writes only
# the time key.
rd_start
dc_add_user alice
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_key = last-login/%u"
# 2.3: the passwd-file userdb finds the user, then the SQLite userdb adds
# its field; the query reads no table, the database file only has to open.
cat >"$DC_DIR/client-id-sql.conf.ext" <<SQL
driver = sqlite
connect = $DC_DIR/client-id.db
user_query = SELECT replace('last-login-client/%u=%{client_id}', '%%', '%%%%') AS last_login_dict_fields
SQL
DC_USERDB_SETTINGS="result_success = continue-ok"
dc_v24 && DC_USERDB_SETTINGS="fields {
  last_login_client_id = %{client_id}
}"
DC_EXTRA="imap_id_retain = yes
userdb {
  driver = sql
  args = $DC_DIR/client-id-sql.conf.ext
}"
DC_EXTRA_24="imap_id_retain = yes
last_login_dict_fields {
  last-login-client/%{user} = %{userdb:last_login_client_id}
}"
dc_start

# id_step NAME ID EXPECTED [CLIENT]: an IMAP login of alice sending ID
# (empty: none) before LOGIN; ours writes EXPECTED under
# last-login-client/alice next to the time key, stock the time key alone.
id_step() {
	local name=$1 want=$3
	CLIENT_ID=$2 run_step "$name" "${4:-imap_login}" alice
	expect_ok
	rd_step_obs
	check_written last-login/alice 10
	obs "step $name client-id: ${RD_WRITTEN[last-login-client/alice]-<none>}"
	if ll_writes_fields; then
		check_only_written last-login/alice last-login-client/alice
		check_eq "$name: client id" "$want" \
			"${RD_WRITTEN[last-login-client/alice]-<none>}"
	else
		check_only_written last-login/alice
	fi
}

id_step thunderbird '("name" "Thunderbird" "version" "115.0")' \
	'"name" "Thunderbird" "version" "115.0"'
# Percent signs and variables of both syntaxes stay as they were sent.
id_step percent '("name" "50% x%u %{user} %%")' \
	'"name" "50% x%u %{user} %%"'
# Quotes and backslashes come back IMAP-quoted, as sent; NIL stays NIL.
id_step quotes '("name" "O'"'"'Brien \"q\" \\ b" "os" NIL)' \
	'"name" "O'"'"'Brien \"q\" \\ b" "os" NIL'
# imap-login keeps at most 256 bytes: a pair that does not fit is dropped.
long=$(printf 'x%.0s' $(seq 240))
id_step too-long "(\"name\" \"$long\" \"version\" \"1\")" "\"name\" \"$long\""
id_step no-id '' ''
id_step id-nil 'NIL' ''
id_step pop3 '' '' pop3_login
dc_log_obs
check_log_count last_login 0
check_no_log_errors

# 2.3 only: the same field straight from the passwd-file userdb, without
# the doubling. The mail process expands what the userdb returned: %u in
# the ID becomes the user, and a '%' before a character that names no
# variable fails the session (the IMAP client gets "* BYE Internal error
# occurred"), for either plugin. 2.4 has no such second expansion.
if ! dc_v24; then
	dc_add_user naive pass "" \
		'userdb_last_login_dict_fields=last-login-client/%u=%{client_id}'
	DC_USERDB_SETTINGS=""
	DC_EXTRA="imap_id_retain = yes"
	dc_restart
	CLIENT_ID='("name" "x%uy")' run_step naive-variable imap_login naive
	expect_ok
	rd_step_obs
	obs "step naive-variable client-id:" \
		"${RD_WRITTEN[last-login-client/naive]-<none>}"
	if [ "$LL_PLUGIN" = ours ]; then
		check_eq "naive-variable: client id" '"name" "xnaivey"' \
			"${RD_WRITTEN[last-login-client/naive]-<none>}"
	fi
	CLIENT_ID='("name" "50%")' run_step naive-percent imap_login naive
	check_eq "naive-percent: the session fails" 2 "$STEP_RC"
	rd_step_obs
	check_only_written
	dc_log_obs
	# 2.3.13 logs it under the user's name, 2.3.19.1 under the pid only
	# (seen on both; the user's log prefix is set later there).
	want="imap(naive): Error: Failed to expand plugin setting "
	dc_version_ge 2.3.19 &&
		want="imap(X): Error: Failed to expand plugin setting "
	want+="last_login_dict_fields = 'last-login-client/naive=\"name\" "
	want+="\"50%\"': Unknown variable '%\"'"
	check_eq "naive-percent: the session's error" "$want" "$DC_LOG_LINES"
fi
