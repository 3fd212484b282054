#!/usr/bin/env bash
# What a broken backend costs the mail client, stock plugin against ours
# (issue 9). Two private Dovecots on loopback, one loading Debian's stock
# lib10_last_login_plugin.so and one ours, both from a private plugin dir
# as the integration suite loads them, serve the same users; each user's
# last_login_dict (a userdb field) points at one fault kind:
#   healthy        redis that works
#   redis-refused  redis URI on a closed port
#   redis-hang     redis whose TCP connect hangs (hanging-listener.pl)
#   redis-silent   accepts, never answers (silent-listener.pl)
#   proxy-missing  proxy dict whose socket does not exist
#   proxy-silent   proxy socket that accepts, never answers
#                  (silent-listener.pl --unix)
#   sql-stopped    MariaDB behind Dovecot's dict proxy, mariadbd stopped
# One sample = an IMAP session (LOGIN latency; linger = LOGOUT reply until
# the imap process has exited) and an LMTP transaction to 3 recipients
# (DATA reply latency; backend connections it made). Samples alternate
# stock/ours. The kinds where stock waits 30 s run their samples in
# parallel; the others one after the other. Prints Markdown tables; unless
# --no-doc, also writes them into doc/benchmarks.md ("Backend faults") and
# plots doc/backend-faults.svg with gnuplot.
#
# usage: bench/backend-faults.sh [--no-doc] [--keep]   (as root)
# env:   BENCH_OURS_SO    our plugin (default: src/.libs/..., built here)
#        BENCH_STOCK_SO   stock plugin (default: Debian's)
#        BENCH_FAST_SAMPLES   samples per plugin, fast kinds (default 30)
#        BENCH_STALL_SAMPLES  samples per plugin, stalling kinds (default 10)
#        BENCH_KINDS      kinds to run (default: all, in the order above)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bench=$top/bench
source "$bench/lib.sh"
bench_args backend-faults "$@"

fast_n=${BENCH_FAST_SAMPLES:-30}
stall_n=${BENCH_STALL_SAMPLES:-10}
bench_plugins
all_kinds="healthy redis-refused redis-hang redis-silent proxy-missing"
all_kinds+=" proxy-silent sql-stopped"
read -r -a kinds <<<"${BENCH_KINDS:-$all_kinds}"
# where stock waits its 30 s timeouts: samples in parallel
is_stall() { case $1 in redis-hang | redis-silent | proxy-silent) ;; *) false ;; esac; }

bench_setup faults

# ---- backends (shared by both Dovecots) ----
rd_start
next_port
refused_port=$PORT
next_port
hang_port=$PORT
perl "$LL_ROOT/tools/hanging-listener.pl" "$hang_port" >"$work/hang.out" &
ll_track $! hanging-listener
for _ in $(seq 100); do
	grep -q ready "$work/hang.out" 2>/dev/null && break
	sleep 0.1
done
grep -q ready "$work/hang.out" || die "hanging listener not ready"
my_start
my_load portable-schema.sql

# silent KIND S: a silent listener of its own for sample S of KIND (so
# that parallel samples count their connections apart); sets URI.
silent() {
	local kind=$1 s=$2 count=$work/$1-$2.count
	if [ "$kind" = redis-silent ]; then
		next_port
		perl "$LL_ROOT/tools/silent-listener.pl" --count "$count" "$PORT" &
		ll_track $! "silent-$s"
		wait_port 127.0.0.1 "$PORT" || die "silent listener did not start"
		URI="redis:host=127.0.0.1:port=$PORT"
	else
		perl "$LL_ROOT/tools/silent-listener.pl" --count "$count" \
			--unix "$work/$kind-$s.sock" &
		ll_track $! "silent-$s"
		for _ in $(seq 100); do [ -S "$work/$kind-$s.sock" ] && break; sleep 0.05; done
		URI="proxy:$work/$kind-$s.sock:x"
	fi
}

# The users: KIND-S-R for slot S and recipient R (1-3; IMAP logs in as
# R=1). Stalling kinds: one slot per sample and plugin (slot 2s-1 for
# stock's sample s, 2s for ours), each with its own silent listener;
# the other kinds: slot 0.
users=$work/users.txt
: >"$users"
add_users() { # PREFIX URI [KEY]
	local r extra="userdb_last_login_dict=$2"
	[ -z "${3:-}" ] || extra+=" userdb_last_login_key=$3"
	for r in 1 2 3; do echo "$1-$r $extra" >>"$users"; done
}
for kind in "${kinds[@]}"; do
	case $kind in
	healthy) add_users healthy-0 "$RD_DICT" ;;
	redis-refused) add_users "$kind-0" "redis:host=127.0.0.1:port=$refused_port" ;;
	redis-hang) ;;
	proxy-missing) add_users "$kind-0" "proxy:$work/no-such-dir/dict:x" ;;
	sql-stopped)
		# the portable schema's key; auth expands it (the same text)
		add_users "$kind-0" "proxy:$work/dict-relay:sql" \
			"last-login/%s/%u/%{rip}" ;;
	esac
	if is_stall "$kind"; then
		for s in $(seq $((2 * stall_n))); do
			case $kind in
			redis-hang) URI="redis:host=127.0.0.1:port=$hang_port" ;;
			*) silent "$kind" "$s" ;;
			esac
			add_users "$kind-$s" "$URI"
		done
	fi
done
add_users sqlup-0 "proxy:$work/dict-relay:sql" "last-login/%s/%u/%{rip}"

# ---- two Dovecots, same users, one plugin each ----
declare -A IMAP_PORT LMTP_PORT
# dovecot_for NAME SO: a private Dovecot loading SO as last_login, with
# its plugin dir as tests/integration/run.sh makes it.
dovecot_for() {
	local name=$1 so=$2 u extra
	bench_instance "$name" "$so"
	DC_PROTOCOLS="imap lmtp"
	DC_LL_PROTOCOLS="imap lmtp"
	# a fresh lmtp process per transaction (2.4's default too), so that
	# each sample counts the connections of a process that starts anew
	DC_EXTRA="service lmtp {
  service_count = 1
}"
	[ "$name" = stock ] && sql_dict sql mysql "$MY_CONNECT" \
		doc-map.conf.ext local-map.conf.ext
	while read -r u extra; do
		dc_add_user "$u" pass "" "$extra"
	done <"$users"
	dc_start
	IMAP_PORT[$name]=$DC_IMAP_PORT
	LMTP_PORT[$name]=$DC_LMTP_PORT
	export LL_WORK=$work
}
dovecot_for stock "$stock_so"
# the dict service of the stock instance serves both (one SQL pool)
perl "$bench/counting-relay.pl" "$work/dict-relay" "$DC_DIR/run/dict" \
	"$work/sql-stopped-0.count" &
ll_track $! counting-relay
dovecot_for ours "$ours_so"

session() { # PLUGIN imap|lmtp ARGS...: fault-session.pl's line
	local plugin=$1 proto=$2 port
	shift 2
	if [ "$proto" = imap ]; then port=${IMAP_PORT[$plugin]}; else port=${LMTP_PORT[$plugin]}; fi
	perl "$bench/fault-session.pl" "$proto" "$port" "$@"
}

# The chain works before anything is broken: both plugins write to redis
# and through the dict proxy into MariaDB.
for p in stock ours; do
	session $p imap healthy-0-1 pass >/dev/null || die "$p: healthy login failed"
	session $p imap sqlup-0-1 pass >/dev/null || die "$p: sql login failed"
	[ "$(redis-cli -p "$RD_PORT" EXISTS last-login/healthy-0-1)" = 1 ] ||
		die "$p: nothing written to redis"
	redis-cli -p "$RD_PORT" DEL last-login/healthy-0-1 >/dev/null
	[ "$(my_sql "SELECT COUNT(*) FROM last_login WHERE userid = 'sqlup-0-1'")" = 1 ] ||
		die "$p: nothing written to MariaDB"
	my_sql "DELETE FROM last_login" >/dev/null
done
my_stop

# conns KIND S: the backend's accept count so far ("-" where none can be).
conns() {
	local n
	case $1 in
	healthy)
		# INFO's own connection is counted too: one per reading
		n=$(redis-cli -p "$RD_PORT" INFO stats | tr -d '\r' |
			sed -n 's/^total_connections_received://p') ;;
	redis-silent | proxy-silent | sql-stopped) n=$(cat "$work/$1-$2.count") ;;
	*) n=- ;;
	esac
	echo "$n"
}

samples=$work/samples.tsv
: >"$samples"
# sample KIND S PLUGIN: one IMAP session and one LMTP transaction; one
# line "KIND PLUGIN login imap_linger data lmtp_linger conns" (ms).
sample() {
	local kind=$1 s=$2 plugin=$3 u=$1-$2 imap lmtp c0 c1 c=-
	imap=$(session "$plugin" imap "$u-1" pass) ||
		{ fail "$kind $plugin: IMAP session failed"; return 0; }
	c0=$(conns "$kind" "$s")
	lmtp=$(session "$plugin" lmtp "$u-1" "$u-2" "$u-3") ||
		{ fail "$kind $plugin: LMTP session failed"; return 0; }
	sleep 0.05 # an accept just made reaches the count file
	c1=$(conns "$kind" "$s")
	if [ "$c0" != - ]; then
		c=$((c1 - c0))
		[ "$kind" = healthy ] && c=$((c - 1))
	fi
	imap=${imap//=/ } lmtp=${lmtp//=/ }
	# shellcheck disable=SC2086
	set -- $imap $lmtp
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$plugin" "$2" "$4" \
		"$8" "${10}" "$c" >>"$samples"
}

order() { # ROUND: stock first in odd rounds, ours first in even ones
	if (($1 % 2)); then echo stock ours; else echo ours stock; fi
}

t_start=$(date +%s)
# Stalling kinds: every sample at once (stock waits 30 s per fault, up to
# 90 s per LMTP transaction), started alternately.
pids=()
for s in $(seq "$stall_n"); do
	for kind in "${kinds[@]}"; do
		is_stall "$kind" || continue
		for p in $(order "$s"); do
			slot=$((2 * s))
			[ "$p" = stock ] && slot=$((slot - 1))
			sample "$kind" "$slot" "$p" &
			pids+=($!)
			sleep 0.2
		done
	done
done
for pid in "${pids[@]}"; do wait "$pid"; done
# The other kinds one sample after the other.
for s in $(seq "$fast_n"); do
	for kind in "${kinds[@]}"; do
		is_stall "$kind" && continue
		for p in $(order "$s"); do sample "$kind" 0 "$p"; done
	done
done
t_run=$(($(date +%s) - t_start))
[ -s "$LL_FAILS" ] && { cat "$LL_FAILS" >&2; die "samples failed"; }

# ---- figures ----
col() { # KIND PLUGIN COLUMN: that column of the matching samples
	awk -F '\t' -v k="$1" -v p="$2" -v c="$3" '$1 == k && $2 == p { print $c }' "$samples"
}
fmt() { # MS: readable time
	awk -v v="$1" 'BEGIN { if (v == "-") print "-";
		else if (v >= 1000) printf "%.1f s\n", v / 1000;
		else if (v >= 10) printf "%.0f ms\n", v;
		else if (v >= 1) printf "%.1f ms\n", v;
		else printf "%.2f ms\n", v }'
}
span() { # KIND PLUGIN: the connection counts, "n" or "min-max"
	local v
	v=$(col "$1" "$2" 7 | sort -n | uniq)
	[ "$v" = - ] && { echo "-"; return; }
	if [ "$(wc -l <<<"$v")" = 1 ]; then echo "$v"
	else echo "$(head -n1 <<<"$v")-$(tail -n1 <<<"$v")"; fi
}
plotdata=$work/plot.dat
: >"$plotdata"
table=$work/table.md
{
	echo "| fault | plugin | samples | LOGIN p50 | LOGIN p99 | LMTP DATA p50 | LMTP DATA p99 | linger p50 | linger p99 | connections per LMTP transaction |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for kind in "${kinds[@]}"; do
		line="$kind"
		for p in stock ours; do
			row="| $kind | $p | $(col "$kind" $p 3 | wc -l)"
			for c in 3 5 4; do
				for q in 50 99; do
					v=$(col "$kind" $p $c | bench_pct $q)
					row+=" | $(fmt "$v")"
					line+=" $v"
				done
			done
			echo "$row | $(span "$kind" $p) |"
		done
		echo "$line" >>"$plotdata"
	done
	echo
	echo "Stock divided by ours, p50 (above 1: ours is faster; a time below"
	echo "1 ms counts as 1 ms, where scheduling noise is all there is):"
	echo
	echo "| fault | LOGIN | LMTP DATA | linger |"
	echo "|---|---:|---:|---:|"
	# plot.dat: kind, stock (login p50 p99, data p50 p99, linger p50 p99),
	# ours (the same)
	awk 'function f(v) { return v < 1 ? 1 : v }
		function g(q) { return sprintf(q >= 100 ? "%.0f" : q >= 1 ? "%.1f" : "%.2g", q) }
		{ r = "| " $1
		for (i = 2; i <= 6; i += 2) r = r " | " g(f($(i)) / f($(i + 6)))
		print r " |" }' "$plotdata"
} >"$table"
dc_version=$(dovecot --version | sed 's/ .*//')
info="Dovecot $dc_version, $(nproc) cores,"
info+=" ours $ours_rev, $stall_n samples per plugin for redis-hang,"
info+=" redis-silent and proxy-silent (run in parallel), $fast_n for the"
info+=" others; last_login_timeout not set; run took ${t_run} s,"
info+=" $(date -u +%Y-%m-%d)."
cat "$table"
echo
echo "$info"

[ -n "$write_doc" ] || exit 0
# the plot: per figure stock beside ours, p50 bars, whiskers up to p99
gnuplot <<GP
set terminal svg size 1000,1000 dynamic font "sans,11"
set output "$top/doc/backend-faults.svg"
set multiplot layout 3,1 title "Backend faults, Dovecot $dc_version: stock plugin vs ours ($ours_rev); bars p50, whiskers p99"
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.01:200000]
set ytics ("0.01 ms" 0.01, "0.1 ms" 0.1, "1 ms" 1, "10 ms" 10, "100 ms" 100, "1 s" 1000, "10 s" 10000, "100 s" 100000)
set grid ytics
set key outside right top
set xtics nomirror
min(x) = x < 0.01 ? 0.01 : x
set title "IMAP LOGIN reply"
plot "$plotdata" using (min(\$2)):(min(\$2)):(min(\$3)):xtic(1) title "stock" lc rgb "#c0504d", \
     "" using (min(\$8)):(min(\$8)):(min(\$9)) title "ours" lc rgb "#4f81bd"
set title "LMTP DATA reply (3 recipients)"
plot "$plotdata" using (min(\$4)):(min(\$4)):(min(\$5)):xtic(1) title "stock" lc rgb "#c0504d", \
     "" using (min(\$10)):(min(\$10)):(min(\$11)) title "ours" lc rgb "#4f81bd"
set title "imap process linger after the LOGOUT reply"
plot "$plotdata" using (min(\$6)):(min(\$6)):(min(\$7)):xtic(1) title "stock" lc rgb "#c0504d", \
     "" using (min(\$12)):(min(\$12)):(min(\$13)) title "ours" lc rgb "#4f81bd"
unset multiplot
GP
# the figures into doc/benchmarks.md, between its markers
bench_doc backend-faults "$table" "$info"
echo "wrote doc/benchmarks.md and doc/backend-faults.svg"
