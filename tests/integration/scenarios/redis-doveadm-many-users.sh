# doveadm over every user: last_login in the global mail_plugins (so that
# doveadm's mail commands load it, doc/which-logins.md), a
# passwd-file userdb of 20000 users and `doveadm mailbox list -A`: one
# process that creates and frees one user after the other. Every user's
# key is written with a time from the command's run, and doveadm logs
# nothing: no write is given up, however many users one process serves.
# The same for stock, which writes each user's login before the next.
# To keep it short, the users share one home with an empty Maildir and
# keep their indexes in memory: a user costs a userdb lookup and the
# mailbox list (about 1 ms here, 20 s for all with stock; 3.5 ms with a
# home and indexes of each user's own).
DM_USERS=20000
# 2.4.1's doveadm -A ends with status 75 after 4,000 to 5,000 users here,
# with either plugin (seen in the trixie chroot, about 7 ms a user): its
# user iteration does not outlast that. Fewer users there; the flush
# that keeps doveadm from abandoning logins comes every 16 users anyway.
dc_version_ge 2.4 && DM_USERS=3000
rd_start
mkdir -p "$DC_HOME/shared/Maildir"
chown -R "$DC_UID:$DC_GID" "$DC_HOME/shared"
for i in $(seq -w 1 "$DM_USERS"); do
	dc_add_user "u$i" pass "$DC_HOME/shared"
done
DC_MAIL_LOCATION='maildir:~/Maildir:INDEX=MEMORY'
DC_LL_PROTOCOLS=""
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT"
DC_EXTRA="mail_plugins = \$mail_plugins last_login"
DC_EXTRA_24="mail_plugins {
  last_login = yes
}"
dc_start

# The list itself is only counted; doveadm's log lines (its stderr) are
# recorded once per text, with the user's name in the prefix replaced.
step_begin list-all
rc=0
doveadm -c "$DC_CONF" mailbox list -A >"$LL_WORK/list-all.out" \
	2>"$LL_WORK/list-all.err" || rc=$?
step_end
note "list-all: $(((STEP_T1 - STEP_T0) / 1000000)) ms"
obs "step list-all: exit status $rc"
check_eq "list-all: doveadm's exit status" 0 "$rc"
users_listed=$(cut -f1 -d' ' "$LL_WORK/list-all.out" | sort -u | wc -l)
check_eq "list-all: users listed" "$DM_USERS" "$users_listed"

# Every user's key, each a time (10 digits) from the command's window.
rd keys 'last-login/*' >"$LL_WORK/keys.tsv"
keys=$(wc -l <"$LL_WORK/keys.tsv")
fresh=$(awk -F '\t' -v t0="$((STEP_T0 / 1000000000))" \
	-v t1="$((STEP_T1 / 1000000000))" \
	'$2 ~ /^[0-9]{10}$/ && $2 >= t0 && $2 <= t1 { n++ } END { print n + 0 }' \
	"$LL_WORK/keys.tsv")
obs "list-all: keys written: $keys, with a time from the run: $fresh"
check_eq "list-all: keys written" "$DM_USERS" "$keys"
check_eq "list-all: keys with a time from the run" "$DM_USERS" "$fresh"

DC_LOG_LINES=$(dc_log_norm <"$LL_WORK/list-all.err" | dc_log_interesting |
	sed -E 's/^doveadm\(u[0-9]+\)/doveadm(U)/')
[ -z "$DC_LOG_LINES" ] ||
	obs_lines "doveadm-log" "$(sort <<<"$DC_LOG_LINES" | uniq -c |
		sed -E 's/^ *([0-9]+) /\1x /')"
check_log_count last_login 0
check_log_count abandoned 0
# (not check_no_log_errors: it would quote thousands of lines)
check_log_count 'Error|Fatal|Panic' 0
