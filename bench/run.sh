#!/usr/bin/env bash
# What the plugin costs a login, measured in-process: bench-login logs N
# users in and out through Dovecot's test storage, once with the plugin
# disabled (no last_login_dict) and once per backend, for this plugin and
# for Debian's stock one. callgrind counts instructions (repeatable,
# whatever else the machine does) and memcheck sums the heap; the
# difference to the disabled run, divided by N, is the cost of one login.
# Usage: bench/run.sh [N]   (prints a Markdown table)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-200}
ours=$top/src/.libs
stock=/usr/lib/dovecot/modules
redis_port=${BENCH_REDIS_PORT:-16399}

"$top/tests/lib/build.sh"
make -s -C "$top/bench" bench >/dev/null

dir=$(mktemp -d /tmp/last-login-bench.XXXXXX)
redis_pid=
cleanup() {
	if [ -n "$redis_pid" ]; then
		kill "$redis_pid" 2>/dev/null || true
		wait "$redis_pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' \
	--appendonly no --dir "$dir" --logfile "$dir/redis.log" &
redis_pid=$!
for _ in $(seq 1 50); do
	redis-cli -p "$redis_port" PING >/dev/null 2>&1 && break
	sleep 0.1
done

# instructions PLUGIN_DIR URI: total instructions of one bench run
instructions() {
	valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
		"$top/bench/bench-login" "$1" "$n" "$2" 2>"$dir/cg.log"
	sed -n 's/^summary: *//p' "$dir/cg.out"
}
# heap PLUGIN_DIR URI: total bytes allocated on the heap by one run
heap() {
	valgrind --tool=memcheck "$top/bench/bench-login" "$1" "$n" "$2" \
		2>&1 | sed -n 's/.*total heap usage: .* frees, \([0-9,]*\) bytes.*/\1/p' |
		tr -d ,
}

base_i=$(instructions "$ours" -)
base_h=$(heap "$ours" -)
echo "Per login, over $n logins (plugin disabled: $((base_i / n))" \
	"instructions, $((base_h / n)) heap bytes per login):"
echo
echo "| plugin | backend | instructions per login | heap bytes per login |"
echo "|---|---|---:|---:|"
for backend in file redis; do
	case $backend in
	file) uri="file:$dir/last-login.dict" ;;
	redis) uri="redis:host=127.0.0.1:port=$redis_port" ;;
	esac
	for plugin in ours stock; do
		[ $plugin = ours ] && pdir=$ours || pdir=$stock
		i=$(instructions "$pdir" "$uri")
		h=$(heap "$pdir" "$uri")
		echo "| $plugin | $backend | $(((i - base_i) / n)) |" \
			"$(((h - base_h) / n)) |"
	done
done
# the writes really happened
test "$(redis-cli -p "$redis_port" GET "last-login/user$((n - 1))@example.com" |
	wc -c)" -eq 14
