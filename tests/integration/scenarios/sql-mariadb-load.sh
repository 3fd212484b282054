# sql-mariadb-load: load on MariaDB through the dict proxy. 50 IMAP
# sessions of one user held open together (each logs in, selects INBOX,
# waits until all 50 are seen, logs out), then 200 logins over 100 users
# (two rounds of 100,
# 10 clients at a time). Every login succeeds, every user's row carries a
# value of the latest round, and the log has no error and no plugin line.
# Tables sql/portable-schema.sql, maps sql/doc-map.conf.ext and
# sql/local-map.conf.ext.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"
source "$LL_ROOT/lib/sql-portable.sh"

my_start
my_load portable-schema.sql
# Dovecot allows 10 sessions per user and address by default.
DC_EXTRA="mail_max_userip_connections = 100"
USERS=()
for i in $(seq -w 0 99); do
	USERS+=("u$i@example.org")
	dc_add_user "u$i@example.org"
done
sql_portable_setup my
U=$SQL_U

# parallel_logins RCFILE USER...: one imap_login per user ($HOLD set:
# held open until the file $HOLD exists), $PAR at a time; every exit
# status goes to RCFILE. Returns 1 when any login failed.
parallel_logins() {
	local rcfile=$1 u
	local -a pids=()
	shift
	: >"$rcfile"
	for u in "$@"; do
		{ rc=0
		  if [ -n "$HOLD" ]; then imap_hold "$u" pass "$HOLD"
		  else imap_login "$u" pass; fi || rc=$?
		  echo "$u $rc" >>"$rcfile"; } &
		pids+=($!)
		# Only our clients: a bare "wait" would wait for the servers too.
		if [ ${#pids[@]} -ge "$PAR" ]; then
			wait "${pids[@]}"
			pids=()
		fi
	done
	[ ${#pids[@]} = 0 ] || wait "${pids[@]}"
	! grep -qv ' 0$' "$rcfile"
}

# most_sessions USER OUTFILE RELEASE: while the held sessions run, the
# highest number of IMAP sessions of USER that Dovecot lists at once
# (doveadm who -1: one line per connection), written to OUTFILE; then
# RELEASE is created, which ends the sessions. Waits for all 50 (at most
# about a minute: on a loaded machine the logins take a while to start).
most_sessions() {
	local user=$1 out=$2 n max=0 i
	for ((i = 1; i <= 600; i++)); do
		n=$(doveadm -c "$DC_CONF" who -1 "$user" 2>/dev/null |
			grep -c "^$user " || true)
		[ "$n" -gt "$max" ] && max=$n
		[ "$max" -ge 50 ] && break
		sleep 0.1
	done
	echo "$max" >"$out"
	touch "$3"
}

# 50 sessions of one user at once, each held open until all 50 are seen.
HOLD=$LL_WORK/release-50 PAR=50
same_user=()
for ((i = 1; i <= 50; i++)); do same_user+=("$U"); done
most_sessions "$U" "$LL_WORK/most-sessions" "$HOLD" &
watcher=$!
sql_step parallel-50-sessions parallel_logins "$LL_WORK/rc-50" \
	"${same_user[@]}"
expect_ok
wait "$watcher"
check_eq "parallel-50-sessions: logins that succeeded" 50 \
	"$(grep -c ' 0$' "$LL_WORK/rc-50" || true)"
check_eq "parallel-50-sessions: sessions open at once" 50 \
	"$(cat "$LL_WORK/most-sessions")"
obs "parallel-50-sessions: sessions open at once:" \
	"$(cat "$LL_WORK/most-sessions")"
sql_check_rows parallel-50-sessions my_rows last_login \
	"$U	imap	13d@parallel-50-sessions	127.0.0.1"
sql_log_obs
check_log_count last_login 0
check_no_log_errors

# 200 logins over 100 users: two rounds; after each, every user's value
# lies in that round's window (fresh, not the round before).
HOLD= PAR=10
for round in 1 2; do
	sql_step "round-$round-100-users" parallel_logins \
		"$LL_WORK/rc-round-$round" "${USERS[@]}"
	expect_ok
	check_eq "round-$round: logins that succeeded" 100 \
		"$(grep -c ' 0$' "$LL_WORK/rc-round-$round" || true)"
	want=("$U	imap	13d@parallel-50-sessions	127.0.0.1")
	for u in "${USERS[@]}"; do
		want+=("$u	imap	13d@round-$round-100-users	127.0.0.1")
	done
	sql_check_rows "round-$round" my_rows last_login "${want[@]}"
	sql_log_obs
	check_log_count last_login 0
	check_no_log_errors
done
