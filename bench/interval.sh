#!/usr/bin/env bash
# What last_login_interval saves (issue 11): backend writes and reads per
# 1,000 logins, server CPU per login and LOGIN latency, for Debian's stock
# plugin, ours with last_login_interval = 0 (every login written, as
# stock) and ours with 1h, each in a private Dovecot of its own, on redis
# and on MariaDB through Dovecot's dict proxy, in ONE interleaved run:
#   webmail  one user logging in again and again (back to back, each
#            login after the previous one's process has ended: as a login
#            every 2 s would find it; a minute of them is far below 1h)
#   phones   P users with L logins each, in one random order
#   once     U users logging in once each
# Each workload is cut into chunks (webmail: one login); chunk k runs for
# the three variants in an order that rotates with k, on redis, then on
# MariaDB. Per chunk: redis's commands (INFO commandstats: get, set) or
# MariaDB's statements (SHOW GLOBAL STATUS: Com_select, Com_insert), the
# CPU time of that variant's Dovecot (the master and its children,
# /proc/PID/stat utime+stime+cutime+cstime: imap and imap-login processes
# are reaped by the master, so theirs is included) and of the backend
# server, and each LOGIN's latency (bench/interval-logins.pl).
# Prints Markdown tables; unless --no-doc, also writes them into
# doc/benchmarks.md ("last_login_interval") and plots doc/interval.svg.
#
# usage: bench/interval.sh [--no-doc] [--keep] [--from DIR]   (as root)
#   --from DIR: no run, the figures (and plot, doc) again from the
#   samples.tsv, lat/ and run.env of a run kept with --keep
# env:   BENCH_OURS_SO, BENCH_STOCK_SO  the plugins (default: ours built
#                   here, Debian's stock)
#        BENCH_WEBMAIL  webmail logins (default 30)
#        BENCH_PHONE_USERS, BENCH_PHONE_LOGINS  (default 1000 and 10)
#        BENCH_ONCE_USERS  (default 1000)
#        BENCH_CHUNK    logins per chunk of phones and once (default 100)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bench=$top/bench
source "$bench/lib.sh"
bench_args --from interval "$@"

webmail_n=${BENCH_WEBMAIL:-30}
phone_users=${BENCH_PHONE_USERS:-1000}
phone_logins=${BENCH_PHONE_LOGINS:-10}
once_users=${BENCH_ONCE_USERS:-1000}
chunk=${BENCH_CHUNK:-100}
variants=(stock ours0 ours1h)
backends=(redis sql)
bench_plugins
bench_setup interval
data=${from:-$work}
if [ -z "$from" ]; then
	mkdir -p "$work/lists" "$work/lat"

	# ---- backends, shared by the three Dovecots ----
	rd_start
	my_start
	my_load portable-schema.sql

	# ---- the users and the login lists ----
	# Every user exists on both backends: B-NAME (B = redis or sql) has its
	# last_login_dict (and key) as userdb fields. Each variant writes keys of
	# its own: redis last-login/VARIANT/USER, MariaDB rows whose service
	# column is VARIANT (the portable map's $service), so that no variant
	# finds another's times.
	names=$work/names
	{
		echo webmail
		for i in $(seq -w 1 "$phone_users"); do echo "phone$i"; done
		for i in $(seq -w 1 "$once_users"); do echo "once$i"; done
	} >"$names"
	# one random order, the same for every variant and backend
	for i in $(seq -w 1 "$phone_users"); do
		for _ in $(seq "$phone_logins"); do echo "phone$i"; done
	done | shuf --random-source=<(yes) >"$work/lists/phones"
	grep '^once' "$names" >"$work/lists/once"
	split -d -a 4 -l "$chunk" "$work/lists/phones" "$work/lists/phones."
	split -d -a 4 -l "$chunk" "$work/lists/once" "$work/lists/once."

	declare -gA IMAP_PORT MASTER
	# dovecot_for VARIANT SO [INTERVAL]: a private Dovecot loading SO as
	# last_login, with its plugin dir as tests/integration/run.sh makes it.
	dovecot_for() {
		local v=$1 so=$2 interval=${3:-} n
		bench_instance "$v" "$so"
		DC_PROTOCOLS="imap"
		DC_LL_PROTOCOLS="imap"
		DC_PLUGIN_SETTINGS=${interval:+"last_login_interval = $interval"}
		sql_dict sql mysql "$MY_CONNECT" doc-map.conf.ext local-map.conf.ext
		while read -r n; do
			dc_add_user "redis-$n" pass "$work/home/$n" \
				"userdb_last_login_dict=$RD_DICT userdb_last_login_key=last-login/$v/%u"
			# auth expands %u and %{rip}: the same text as the plugin would
			dc_add_user "sql-$n" pass "$work/home/$n" \
				"userdb_last_login_dict=proxy::sql userdb_last_login_key=last-login/$v/%u/%{rip}"
		done <"$names"
		dc_start
		IMAP_PORT[$v]=$DC_IMAP_PORT
		MASTER[$v]=$DC_PID
		export LL_WORK=$work
	}
	mkdir -p "$work/home"
	chown 65534:65534 "$work/home"
	dovecot_for stock "$stock_so"
	dovecot_for ours0 "$ours_so" 0
	dovecot_for ours1h "$ours_so" 1h

	# ---- what is counted ----
	# redis_counts: "reads writes" (GET and SET calls) so far.
	redis_counts() {
		redis-cli -p "$RD_PORT" INFO commandstats | tr -d '\r' | awk -F '[:=,]' '
			$1 == "cmdstat_get" { g = $3 } $1 == "cmdstat_set" { s = $3 }
			END { print g + 0, s + 0 }'
	}
	# sql_counts: "reads writes" (SELECT and INSERT statements) so far.
	sql_counts() {
		my_sql_root "SHOW GLOBAL STATUS WHERE Variable_name IN
			('Com_select', 'Com_insert')" | awk '
			$1 == "Com_select" { r = $2 } $1 == "Com_insert" { w = $2 }
			END { print r + 0, w + 0 }'
	}
	# dovecot_ticks VARIANT: CPU of that Dovecot's master and its children.
	dovecot_ticks() {
		local m=${MASTER[$1]}
		# shellcheck disable=SC2046
		bench_cpu_ticks "$m" $(ps --ppid "$m" -o pid=)
	}
	backend_pid() { if [ "$1" = redis ]; then echo "$RD_PID"; else echo "$MY_PID"; fi; }
	# no_imap VARIANT: that Dovecot has no imap process left.
	no_imap() { ! ps --ppid "${MASTER[$1]}" -o comm= | grep -qx imap; }

	samples=$work/samples.tsv
	: >"$samples"
	# run_chunk WORKLOAD VARIANT BACKEND LIST [--wait-gone]: the logins of
	# LIST's users; one line "WORKLOAD BACKEND VARIANT logins reads writes
	# dovecot_ticks backend_ticks" in samples.tsv, latencies in lat/.
	run_chunk() {
		local w=$1 v=$2 b=$3 list=$4 wait=() r0 w0 r1 w1 d0 d1 b0 b1 n bp
		[ "${5:-}" = --wait-gone ] && wait=(--wait-gone "${MASTER[$v]}")
		bp=$(backend_pid "$b")
		read -r r0 w0 < <("${b}_counts")
		d0=$(dovecot_ticks "$v")
		b0=$(bench_cpu_ticks "$bp")
		sed "s/^/$b-/" "$list" |
			perl "$bench/interval-logins.pl" "${wait[@]}" "${IMAP_PORT[$v]}" pass \
				>>"$data/lat/$w.$b.$v" || die "$w $b $v: a login failed"
		# every process of the chunk has ended: its writes are done and its
		# CPU is in the master's cutime
		wait_until 30 no_imap "$v" || die "$w $b $v: imap processes left"
		d1=$(dovecot_ticks "$v")
		b1=$(bench_cpu_ticks "$bp")
		read -r r1 w1 < <("${b}_counts")
		n=$(grep -c . "$list")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$b" "$v" "$n" \
			$((r1 - r0)) $((w1 - w0)) $((d1 - d0)) $((b1 - b0)) >>"$samples"
	}
	# order K: the variants, rotated by K
	order() {
		local k=$1 i
		for i in 0 1 2; do echo "${variants[(k + i) % 3]}"; done
	}

	# The chain works: every variant writes to redis and to MariaDB.
	echo webmail >"$work/lists/check"
	for v in "${variants[@]}"; do
		for b in "${backends[@]}"; do
			sed "s/^/$b-/" "$work/lists/check" |
				perl "$bench/interval-logins.pl" "${IMAP_PORT[$v]}" pass \
					>/dev/null || die "$v: login failed"
		done
		wait_until 10 no_imap "$v" || die "$v: imap processes left"
		[ "$(redis-cli -p "$RD_PORT" EXISTS "last-login/$v/redis-webmail")" = 1 ] ||
			die "$v: nothing written to redis"
		[ "$(my_sql "SELECT COUNT(*) FROM last_login WHERE service = '$v'")" = 1 ] ||
			die "$v: nothing written to MariaDB"
	done
	redis-cli -p "$RD_PORT" FLUSHALL >/dev/null
	my_sql "DELETE FROM last_login"

	t_start=$(date +%s)
	k=0
	for i in $(seq "$webmail_n"); do
		for b in "${backends[@]}"; do
			for v in $(order $k); do
				run_chunk webmail "$v" "$b" "$work/lists/check" --wait-gone
			done
		done
		k=$((k + 1))
	done
	for w in phones once; do
		for f in "$work/lists/$w".[0-9]*; do
			for b in "${backends[@]}"; do
				for v in $(order $k); do run_chunk "$w" "$v" "$b" "$f"; done
			done
			k=$((k + 1))
		done
	done
	t_run=$(($(date +%s) - t_start))
	[ -s "$LL_FAILS" ] && { cat "$LL_FAILS" >&2; die "the run failed"; }
	declare -p t_run ours_rev webmail_n phone_users phone_logins once_users \
		chunk >"$work/run.env"
fi
# shellcheck source=/dev/null
source "$data/run.env"
samples=$data/samples.tsv

# ---- figures ----
tck=$(getconf CLK_TCK)
# sums WORKLOAD BACKEND VARIANT: "logins reads writes dticks bticks"
sums() {
	awk -F '\t' -v w="$1" -v b="$2" -v v="$3" '$1 == w && $2 == b && $3 == v {
		n += $4; r += $5; x += $6; d += $7; c += $8 }
		END { print n + 0, r + 0, x + 0, d + 0, c + 0 }' "$samples"
}
name() { case $1 in stock) echo stock ;; ours0) echo "ours, interval 0" ;; ours1h) echo "ours, interval 1h" ;; esac; }
bname() { if [ "$1" = redis ]; then echo redis; else echo "MariaDB (proxy)"; fi; }
plotdata=$work/plot.dat
: >"$plotdata"
table=$work/table.md
{
	echo "| workload | backend | plugin | logins | writes per 1,000 logins | reads per 1,000 logins | Dovecot CPU per login | backend CPU per login | CPU (Dovecot + backend) vs stock | LOGIN p50 | LOGIN p99 | p50 vs stock |"
	echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for w in webmail phones once; do
		for b in "${backends[@]}"; do
			read -r _ _ _ sd sc < <(sums "$w" "$b" stock)
			read -r sn _ _ _ _ < <(sums "$w" "$b" stock)
			sp50=$(bench_pct 50 "$data/lat/$w.$b.stock")
			for v in "${variants[@]}"; do
				read -r n r x d c < <(sums "$w" "$b" "$v")
				p50=$(bench_pct 50 "$data/lat/$w.$b.$v")
				p99=$(bench_pct 99 "$data/lat/$w.$b.$v")
				awk -v w="$w" -v b="$(bname "$b")" -v v="$(name "$v")" \
					-v n="$n" -v r="$r" -v x="$x" -v d="$d" -v c="$c" \
					-v sd="$sd" -v sc="$sc" -v sn="$sn" -v t="$tck" \
					-v p50="$p50" -v p99="$p99" -v sp50="$sp50" 'BEGIN {
					printf "| %s | %s | %s | %d | %.0f | %.0f | %.2f ms | %.2f ms | %.2f | %.1f ms | %.1f ms | %.2f |\n",
						w, b, v, n, 1000 * x / n, 1000 * r / n,
						1000 * d / t / n, 1000 * c / t / n,
						((d + c) / n) / ((sd + sc) / sn),
						p50, p99, p50 / sp50 }'
				echo "$w-$b-$v $(awk -v n="$n" -v r="$r" -v x="$x" \
					-v d="$d" -v c="$c" -v t="$tck" -v p50="$p50" 'BEGIN {
					printf "%.1f %.1f %.3f %.3f %.2f", 1000 * x / n,
						1000 * r / n, 1000 * d / t / n,
						1000 * c / t / n, p50 }')" >>"$plotdata"
			done
		done
	done
} >"$table"
dc_version=$(dovecot --version | sed 's/ .*//')
info="Dovecot $dc_version, $(nproc) cores (shared with other work while"
info+=" it ran), ours $ours_rev; webmail $webmail_n logins, phones"
info+=" $phone_users users x $phone_logins logins, once $once_users users,"
info+=" chunks of $chunk; per variant and backend; run took ${t_run} s,"
info+=" $(date -u +%Y-%m-%d)."
bench_print "$table" "$info"
# the plot: per backend, writes and reads per 1,000 logins for each
# workload and plugin; then CPU per login
redis_rows="$work/plot-redis.dat" sql_rows="$work/plot-sql.dat"
grep -- '-redis-' "$plotdata" | sed 's/-redis-/ /; s/ours0/ours,0/; s/ours1h/ours,1h/' >"$redis_rows"
grep -- '-sql-' "$plotdata" | sed 's/-sql-/ /; s/ours0/ours,0/; s/ours1h/ours,1h/' >"$sql_rows"
gnuplot <<GP
set terminal svg size 1000,1020 dynamic font "sans,11" noenhanced
set output "$top/doc/interval.svg"
set multiplot layout 3,1 title "last_login_interval on Dovecot $dc_version (ours: $ours_rev)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set key outside right top
set xtics nomirror
set bmargin 3.5
set ylabel "per 1,000 logins"
set yrange [0:*]
set title "redis: writes (SET) and reads (GET)"
plot "$redis_rows" using 3:xtic(sprintf("%s\n%s", strcol(1), strcol(2))) title "writes" lc rgb "#c0504d", \
     "" using 4 title "reads" lc rgb "#4f81bd"
set title "MariaDB through the dict proxy: writes (INSERT) and reads (SELECT)"
plot "$sql_rows" using 3:xtic(sprintf("%s\n%s", strcol(1), strcol(2))) title "writes" lc rgb "#c0504d", \
     "" using 4 title "reads" lc rgb "#4f81bd"
set title "CPU per login on redis: Dovecot (all its processes) + redis-server"
set ylabel "ms per login"
set style histogram rowstacked
plot "$redis_rows" using 5:xtic(sprintf("%s\n%s", strcol(1), strcol(2))) title "Dovecot (redis users)" lc rgb "#9bbb59", \
     "" using 6 title "redis-server" lc rgb "#8064a2"
unset multiplot
GP
# the figures into doc/benchmarks.md, between its markers
bench_doc interval "$table" "$info"
echo "wrote doc/benchmarks.md and doc/interval.svg"
