# Stalls (dict proxy): the proxy socket missing, MariaDB behind Dovecot's
# dict server stopped, a proxy socket that accepts and never answers.
# While the fault is in place an imap and a pop3 session, an LMTP
# delivery to 3 recipients, dovecot-lda and doveadm all complete (each
# bounded by 10 s), the imap process is gone within last_login_timeout
# (1 s) plus a margin after LOGOUT, and each job logs what happened, once.
# Stock waits 30 s (dict-client's request timeout) on the silent socket:
# those sessions are recorded as "stalled" at the bound (intended
# difference, allowlist.txt). See lib/stall.sh.
source "$LL_ROOT/lib/sql-servers.sh"
source "$LL_ROOT/lib/sql-dict.sh"
source "$LL_ROOT/lib/sql-observe.sh"

# One dict process serves every client: it keeps the connection pool that
# lost MariaDB (a fresh one holds writes until MariaDB is back, see
# sql-mariadb-faults), and the master starts no other.
DC_EXTRA="service dict {
  process_limit = 1
  client_limit = 20
  unix_listener dict {
    mode = 0666
  }
}"
my_start
my_load portable-schema.sql
sql_dict sql mysql "$MY_CONNECT" doc-map.conf.ext local-map.conf.ext
source "$LL_ROOT/lib/stall.sh"
key='last_login_key = last-login/%{service}/%{user}/%{rip}'

# Missing socket: dict-client's connect fails at once, with either plugin
# (ours does not probe a unix socket: it connects or fails at once).
stall_config "proxy:$LL_WORK/no-such-dict:x"
stall_case proxy-missing
stall_check_log proxy-missing 'last_login_dict: Failed to write value: net_connect_unix\(WORK/no-such-dict\) failed: No such file or directory'
check_eq "proxy-missing: sessions that stalled" "" "$STALL_STALLED"

# MariaDB stopped: first a write that works, so that the dict process
# holds a connection to lose; then MariaDB stops and the dict process
# answers every write with a failure.
# Dovecot 2.3.13 with MariaDB 10.5 (bullseye) is left out: there the dict
# process blocks for many seconds on the stopped server (its driver-mysql
# keeps the killed connection, doc/backend-mysql.md), so it is a silent
# dict server, which proxy-silent below covers for both plugins. Dovecot
# 2.4.1 too: its dict process crashes when it reconnects after a failed
# connect (doc/backend-mysql.md), so which job sees a dict-server answer
# and which a broken pipe depends on timing.
# 2.3.21's dict process holds the writes while MariaDB is down (see
# sql-mariadb-faults): skipped there too.
if [[ $(my_sql "SELECT VERSION()") == 10.5.* ]] || dc_version_ge 2.3.21; then
	obs "mariadb-stopped: skipped (blocking, holding or crashing dict process)"
else
	stall_config proxy::sql "$key"
	sql_step mariadb-up imap_login alice
	expect_ok
	sql_check_rows mariadb-up my_rows last_login \
		"alice	imap	10d@mariadb-up	127.0.0.1"
	my_stop
	dc_wait_service_idle dict
	stall_case mariadb-stopped
	# The first write finds the connection lost (MariaDB 10.11: "Lost
	# connection ...", 10.5: "Connection was killed", see
	# sql-mariadb-faults), the others find it gone; which of the parallel
	# jobs comes first is open. No stall here for stock either.
	failed='Failed to write value: dict-server returned failure: sql dict: commit failed: '
	STALL_OBS_SED='s/commit failed: .*/commit failed: <MariaDB down>/' \
		stall_check_log mariadb-stopped "last_login_dict: $failed(Lost connection to server during query \(idled for N secs\)|Connection was killed|MySQL server has gone away \(idled for N secs\)|Not connected to database)"
	check_eq "mariadb-stopped: sessions that stalled" "" "$STALL_STALLED"
fi

# A socket that accepts and never answers: ours' jobs are abandoned at
# process end after last_login_timeout, and Dovecot warns at exit that
# the events of the dict left unfreed leaked (documented in doc/failures.md).
listener_start silent-dict --unix "$LL_WORK/silent-dict"
stall_config "proxy:$LL_WORK/silent-dict:x"
stall_case proxy-silent
if [ "$LL_PLUGIN" = ours ]; then
	# the pending commit can't be cancelled: the dict is left unfreed
	stall_check_log proxy-silent 'last_login_dict: Write abandoned after last_login_timeout \(1000 ms\): .+'
else
	# imap and pop3 answer and then linger; the others wait in deinit
	check_eq "proxy-silent: sessions that stalled (stock)" \
		" lmtp lda doveadm" "$STALL_STALLED"
fi
check_no_crash
