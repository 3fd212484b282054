#!/usr/bin/env bash
# The demo: the last_login plugin recording real logins. It installs what
# is missing, builds the plugin, starts a private Dovecot on 127.0.0.1
# with an SQLite backend behind Dovecot's dict proxy, logs alice in over
# IMAP and bob over POP3, prints what was recorded, and stops everything
# it started.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
demo=$top/demo
imap_port=${DEMO_IMAP_PORT:-10143}
pop3_port=${DEMO_POP3_PORT:-10110}
mail_user=nobody   # Dovecot won't run mail processes as root

"$top/tests/lib/install-deps.sh"
echo "Building the plugin..."
"$top/tests/lib/build.sh"

dir=$(mktemp -d /tmp/last-login-demo.XXXXXX)
dovecot_pid=
cleanup() {
	if [ -n "$dovecot_pid" ] && kill -0 "$dovecot_pid" 2>/dev/null; then
		kill "$dovecot_pid"
		# the master stops its children before it exits
		while kill -0 "$dovecot_pid" 2>/dev/null; do sleep 0.1; done
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Login processes (dovenull) and the mail user must reach base_dir.
chmod 755 "$dir"
mkdir -p "$dir/home"
chown "$mail_user:nogroup" "$dir/home"
uid=$(id -u "$mail_user")
gid=$(getent group nogroup | cut -d: -f3)
cat >"$dir/users" <<USERS
alice@example.com:{PLAIN}alice-pass:$uid:$gid::$dir/home/alice::
bob@example.com:{PLAIN}bob-pass:$uid:$gid::$dir/home/bob::
carol@example.com:{PLAIN}carol-pass:$uid:$gid::$dir/home/carol::
USERS

fill() {
	sed -e "s|@DIR@|$dir|g" -e "s|@IMAP_PORT@|$imap_port|g" \
	    -e "s|@POP3_PORT@|$pop3_port|g" \
	    -e "s|@PLUGIN_DIR@|$top/src/.libs|g" \
	    -e "s|@MAIL_USER@|$mail_user|g" "$1"
}
fill "$demo/dovecot.conf.in" >"$dir/dovecot.conf"
fill "$demo/dict-sql.conf.ext.in" >"$dir/dict-sql.conf.ext"
# The dict process runs as Dovecot's internal user and writes the database
# (and its journal, next to it).
mkdir "$dir/db"
sqlite3 "$dir/db/last-login.db" <"$demo/schema.sql"
chown -R dovecot: "$dir/db"

echo "Starting a private Dovecot on 127.0.0.1 (IMAP $imap_port," \
	"POP3 $pop3_port)..."
dovecot -F -c "$dir/dovecot.conf" &
dovecot_pid=$!

# wait_port PORT: until something listens there, or the master died.
wait_port() {
	local i
	for i in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		kill -0 "$dovecot_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "Dovecot did not start; its log:" >&2
	cat "$dir/dovecot.log" >&2 || true
	return 1
}
wait_port "$imap_port"
wait_port "$pop3_port"

# session PORT: a real protocol session. Sends the client lines from
# stdin one at a time, each after the server's final answer to the one
# before (IMAP: the tagged line; POP3: +OK or -ERR), and prints the
# conversation. Fails on the first answer that is not OK.
session() {
	local line reply tag
	exec 3<>"/dev/tcp/127.0.0.1/$1"
	IFS= read -r -t 5 reply <&3
	printf 'S: %s\n' "${reply%$'\r'}"
	while IFS= read -r line; do
		printf 'C: %s\n' "$line"
		printf '%s\r\n' "$line" >&3
		tag=${line%% *}
		while IFS= read -r -t 5 reply <&3; do
			reply=${reply%$'\r'}
			printf 'S: %s\n' "$reply"
			case "$reply" in
			"+OK"*|"$tag OK"*) break ;;
			"-ERR"*|"$tag "*) exec 3>&-; return 1 ;;
			esac
		done
	done
	exec 3>&-
}

echo
echo "alice logs in over IMAP:"
session "$imap_port" <<'IMAP' | sed 's/^/  /'
a LOGIN alice@example.com alice-pass
b SELECT INBOX
c LOGOUT
IMAP
echo "bob logs in over POP3:"
session "$pop3_port" <<'POP3' | sed 's/^/  /'
USER bob@example.com
PASS bob-pass
STAT
QUIT
POP3

# The write is asynchronous: the session has ended, the row follows.
query="SELECT userid AS user, service,
	strftime('%Y-%m-%dT%H:%M:%fZ', last_access / 1000.0, 'unixepoch')
		AS last_login_utc,
	last_access AS raw_value
	FROM last_login ORDER BY userid, service"
for _ in $(seq 1 50); do
	rows=$(sqlite3 "$dir/db/last-login.db" \
		"SELECT count(*) FROM last_login") || rows=0
	[ "$rows" -ge 2 ] && break
	sleep 0.1
done

echo
echo "Last logins recorded by the plugin (SQLite via the dict proxy):"
echo
sqlite3 -header -column "$dir/db/last-login.db" "$query" | sed 's/^/  /'
echo
if grep -q 'last_login' "$dir/dovecot.log"; then
	echo "Plugin messages in Dovecot's log:"
	grep 'last_login' "$dir/dovecot.log" | sed 's/^/  /'
fi
if [ "$rows" -lt 2 ]; then
	echo "demo: expected 2 recorded logins, found $rows" >&2
	exit 1
fi

# What a support agent runs: every user the userdb lists, carol included,
# who never logged in. (doveadm loads the command's plugin from its own
# module dir: the script mounts this build's over it, for this command
# only.)
echo
echo "doveadm last-login get -A:"
echo
"$top/tests/lib/doveadm-last-login.sh" -c "$dir/dovecot.conf" \
	last-login get -A | sed 's/^/  /'
echo
echo "Stopping Dovecot."
