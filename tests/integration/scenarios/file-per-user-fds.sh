# A dict per user (file:%h/last-login) and one long-lived lmtp process:
# LMTP to 60 recipients in three transactions writes each recipient's
# file, and afterwards the idle process has as many files open as after
# a delivery to one recipient. A process that kept each user's dict open
# would hold one more file per recipient it ever served, and run out of
# descriptors on a busy server. Stock opens and frees a dict per
# recipient.
rcpts=()
for i in $(seq -w 1 61); do
	dc_add_user "user$i"
	rcpts+=("user$i")
done
DC_PROTOCOLS="imap lmtp"
DC_LL_PROTOCOLS="lmtp"
DC_PLUGIN_SETTINGS="last_login_dict = file:%h/last-login"
# One lmtp process serving every connection.
DC_EXTRA="service lmtp {
  service_count = 0
  process_limit = 1
}"
DC_EXTRA_24="service lmtp {
  restart_request_count = unlimited
  process_limit = 1
}"
dc_start

# pf_has USER: USER's own file holds its key.
pf_has() {
	grep -qx "shared/last-login/$1" "$DC_HOME/$1/last-login" 2>/dev/null
}
# pf_all_written USER...: every one of them (a wait condition).
pf_all_written() {
	local u
	for u; do pf_has "$u" || return 1; done
}

# pf_deliver NAME RCPT...: one transaction; every recipient's file
# written; then the lmtp process idle. Sets PF_PID and PF_FDS (its
# open files).
pf_deliver() {
	local name=$1 pids
	shift
	run_step "$name" lmtp_deliver "$@"
	expect_ok
	wait_until 20 pf_all_written "$@" ||
		fail "$name: not every recipient's file written after 20 s"
	dc_wait_service_idle lmtp
	pids=$(ps --ppid "$DC_PID" -o pid=,comm= |
		awk '$2 == "lmtp" { print $1 }')
	check_eq "$name: lmtp processes" 1 "$(wc -w <<<"$pids")"
	PF_PID=${pids%% *}
	PF_FDS=$(find "/proc/$PF_PID/fd" -mindepth 1 -maxdepth 1 | wc -l)
	note "$name: lmtp process $PF_PID has $PF_FDS open files"
}

# 1. One recipient: the baseline.
pf_deliver one "${rcpts[0]}"
base_pid=$PF_PID base_fds=$PF_FDS

# 2. 60 others, in three transactions of 20.
pf_deliver many-1 "${rcpts[@]:1:20}"
pf_deliver many-2 "${rcpts[@]:21:20}"
pf_deliver many-3 "${rcpts[@]:41:20}"
check_eq "many: the same lmtp process" "$base_pid" "$PF_PID"
same=no
[ "$PF_FDS" = "$base_fds" ] && same=yes
obs "after 60 recipients: open files as after one: $same"
check_eq "after 60 recipients: open files ($PF_FDS) as after one" \
	"$base_fds" "$PF_FDS"

written=0
for u in "${rcpts[@]}"; do pf_has "$u" && written=$((written + 1)); done
obs "recipients whose file holds their key: $written"
check_eq "recipients whose file holds their key" 61 "$written"
dc_log_obs
check_log_count last_login 0
check_no_log_errors
