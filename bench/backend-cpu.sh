#!/usr/bin/env bash
# What one login costs the backend when every process serves one login
# (imap's service_count = 1): IMAP LOGIN/LOGOUT cycles from parallel
# clients (bench/login-cycles.pl, one user each) against a private
# Dovecot per plugin, all writing to one private redis-server, in rounds
# of fixed length that alternate the plugins (stock, ours, stock, ours...
# in the order given, rotated per round), with an idle round (no logins)
# among them. Per round: the logins done, redis-server's CPU time as
# /proc/PID/stat counts it (utime+stime, clock ticks; it has no
# children) and as redis's INFO cpu counts it (getrusage, microseconds),
# redis's total_connections_received (less the reading's own
# connection), and the Dovecot's CPU (master and children, reaped ones
# included). A round ends when its Dovecot has no imap process left, so
# its writes are in. Per login: the sums over the rounds, less what
# redis used in the idle rounds for as long (its own housekeeping). The
# machine may be busy with other work: a ratio within one interleaved
# run is the figure, not an absolute time.
# Prints Markdown tables; unless --no-doc, also writes them into
# doc/benchmarks.md ("One login per process: backend CPU") and plots
# doc/backend-cpu.svg.
#
# usage: bench/backend-cpu.sh [--no-doc] [--keep] [--from DIR]
#            [--plugin LABEL=PATH]...   (as root)
#   --plugin LABEL=PATH  a plugin to compare (a .so or a plugin dir);
#                   default: stock (Debian's) and ours (built here).
#   --from DIR      figures (and plot, doc) again from a run kept with
#                   --keep (its samples.tsv and run.env)
# env:   BENCH_ROUNDS   rounds per plugin (default 5)
#        BENCH_SECONDS  length of a round (default 10)
#        BENCH_CLIENTS  parallel clients (default 8)
#        BENCH_OURS_SO, BENCH_STOCK_SO  as in bench/lib.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bench=$top/bench
source "$bench/lib.sh"
bench_args --from backend-cpu "$@"

rounds=${BENCH_ROUNDS:-5}
secs=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-8}
if [ -z "$from" ]; then
	bench_plugins
	bench_plugin_list
fi
bench_setup backend-cpu
data=${from:-$work}
if [ -z "$from" ]; then
	rd_start
	declare -A IMAP_PORT MASTER
	labels=() users=()
	for i in $(seq "$clients"); do users+=("user$i"); done
	mkdir -p "$work/home"
	chown 65534:65534 "$work/home"
	for p in "${bench_plugin_list[@]}"; do
		read -r label so <<<"$p"
		labels+=("$label")
		bench_instance "$label" "$so"
		DC_PROTOCOLS=imap
		DC_LL_PROTOCOLS=imap
		DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_key = last-login/$label/%u"
		# one login per process, whatever the packaged default
		DC_EXTRA="service imap {
  service_count = 1
}"
		for u in "${users[@]}"; do dc_add_user "$u" pass "$work/home/$u"; done
		dc_start
		IMAP_PORT[$label]=$DC_IMAP_PORT
		MASTER[$label]=$DC_PID
		export LL_WORK=$work
	done

	# redis_stats: "connections cpu_us": connections redis has accepted
	# so far (this reading's own included) and its CPU time as it counts
	# it (getrusage: microseconds, where /proc counts clock ticks)
	redis_stats() {
		redis-cli -p "$RD_PORT" INFO everything | tr -d '\r' | awk -F: '
			$1 == "total_connections_received" { c = $2 }
			$1 == "used_cpu_sys" || $1 == "used_cpu_user" { u += $2 }
			END { printf "%d %.0f\n", c, u * 1000000 }'
	}
	dovecot_ticks() {
		local m=${MASTER[$1]}
		# shellcheck disable=SC2046
		bench_cpu_ticks "$m" $(ps --ppid "$m" -o pid=)
	}
	no_imap() { ! ps --ppid "${MASTER[$1]}" -o comm= | grep -qx imap; }

	# every plugin writes each user's login (and the chain works)
	for l in "${labels[@]}"; do
		perl "$bench/login-cycles.pl" "${IMAP_PORT[$l]}" pass 0.1 \
			"${users[@]}" >/dev/null || die "$l: login failed"
		wait_until 10 no_imap "$l" || die "$l: imap processes left"
		for u in "${users[@]}"; do
			[ -n "$(redis-cli -p "$RD_PORT" GET "last-login/$l/$u")" ] ||
				die "$l: no login of $u in redis"
		done
	done

	samples=$work/samples.tsv
	: >"$samples"
	# "idle" rounds, interleaved too: no logins, what redis spends on
	# its own housekeeping meanwhile, to subtract
	variants=("${labels[@]}" idle)
	nv=${#variants[@]}
	t_start=$(date +%s)
	for r in $(seq "$rounds"); do
		for i in $(seq 0 $((nv - 1))); do
			l=${variants[(r - 1 + i) % nv]}
			read -r c0 u0 < <(redis_stats)
			b0=$(bench_cpu_ticks "$RD_PID")
			d0=0 n=0
			[ "$l" = idle ] || d0=$(dovecot_ticks "$l")
			w0=$(date +%s%N)
			if [ "$l" = idle ]; then
				sleep "$secs"
			else
				n=$(perl "$bench/login-cycles.pl" "${IMAP_PORT[$l]}" \
					pass "$secs" "${users[@]}") || die "$l: a login failed"
				wait_until 30 no_imap "$l" ||
					die "$l: imap processes left"
			fi
			w1=$(date +%s%N)
			b1=$(bench_cpu_ticks "$RD_PID")
			d1=0
			[ "$l" = idle ] || d1=$(dovecot_ticks "$l")
			read -r c1 u1 < <(redis_stats)
			# round plugin logins redis_ticks connections dovecot_ticks
			# wall_ms redis_cpu_us
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$l" "$n" \
				$((b1 - b0)) $((c1 - c0 - 1)) $((d1 - d0)) \
				$(((w1 - w0) / 1000000)) $((u1 - u0)) >>"$samples"
		done
	done
	t_run=$(($(date +%s) - t_start))
	[ -s "$LL_FAILS" ] && { cat "$LL_FAILS" >&2; die "the run failed"; }
	declare -p t_run labels rounds secs clients bench_plugin_list \
		>"$work/run.env"
	bench_plugins_record "$work/plugins.txt"
fi
# shellcheck source=/dev/null
source "$data/run.env"
samples=$data/samples.tsv

# ---- figures ----
tck=$(getconf CLK_TCK)
# sums LABEL: "logins redis_ticks connections dovecot_ticks wall_ms
# redis_us"
sums() {
	awk -F '\t' -v l="$1" '$2 == l { n += $3; b += $4; c += $5; d += $6
		w += $7; u += $8 }
		END { print n + 0, b + 0, c + 0, d + 0, w + 0, u + 0 }' "$samples"
}
# redis's own use per wall second, from the idle rounds (ticks, us)
read -r _ ib _ _ iw iu < <(sums idle)
# per_login LABEL: "redis_ms redis_ms_less_idle redis_info_ms_less_idle
# connections dovecot_ms logins"
per_login() {
	local n b c d w u
	read -r n b c d w u < <(sums "$1")
	awk -v n="$n" -v b="$b" -v c="$c" -v d="$d" -v w="$w" -v u="$u" \
		-v ib="$ib" -v iw="$iw" -v iu="$iu" -v t="$tck" 'BEGIN {
		bi = iw ? ib * w / iw : 0; ui = iw ? iu * w / iw : 0
		printf "%.4f %.4f %.4f %.3f %.3f %d\n", 1000 * b / t / n,
			1000 * (b - bi) / t / n, (u - ui) / 1000 / n, c / n,
			1000 * d / t / n, n }'
}
stock=
for l in "${labels[@]}"; do [ "$l" != stock ] || stock=$(per_login stock); done
# vs A B: A / B, "-" without B
vs() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "") print "-"; else printf "%.2f", a / b }'; }
table=$work/table.md
plotdata=$work/plot.dat
: >"$plotdata"
read -r s_b s_bi s_ui _ s_d _ <<<"${stock:-}"
{
	echo "| plugin | logins | redis CPU per login (/proc) | less redis's idle use | vs stock | the same from INFO cpu (µs) | vs stock | connections per login | Dovecot CPU per login | vs stock |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for l in "${labels[@]}"; do
		read -r b bi ui c d n < <(per_login "$l")
		printf '| %s | %d | %.3f ms | %.3f ms | %s | %.3f ms | %s | %.2f | %.1f ms | %s |\n' \
			"$l" "$n" "$b" "$bi" "$(vs "$bi" "${s_bi:-}")" "$ui" \
			"$(vs "$ui" "${s_ui:-}")" "$c" "$d" "$(vs "$d" "${s_d:-}")"
		echo "$l $bi $ui $c" >>"$plotdata"
	done
	echo
	echo "Every round (in the order run; idle: no logins):"
	echo
	echo "| round | plugin | logins | wall | redis CPU (/proc) | redis CPU (INFO) | connections |"
	echo "|---:|---|---:|---:|---:|---:|---:|"
	awk -F '\t' -v t="$tck" '{ printf "| %d | %s | %d | %.1f s | %.2f s | %.3f s | %d |\n",
		$1, $2, $3, $7 / 1000, $4 / t, $8 / 1000000, $5 }' "$samples"
} >"$table"
dc_version=$(dovecot --version | sed 's/ .*//')
info="Dovecot $dc_version, redis $(redis-server --version |
	sed 's/.* v=\([^ ]*\).*/\1/'), $(nproc) cores (shared with other work"
info+=" while it ran); $clients clients, $rounds rounds of $secs s per"
info+=" plugin, interleaved; plugins: $(bench_plugins_info \
	"$data/plugins.txt"); run took ${t_run} s, $(date -u +%Y-%m-%d)."
bench_print "$table" "$info"
gnuplot <<GP
set terminal svg size 900,360 dynamic font "sans,11" noenhanced
set output "$top/doc/backend-cpu.svg"
set multiplot layout 1,2 title "One login per imap process, redis backend (Dovecot $dc_version)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.7
set grid ytics
set yrange [0:*]
set title "redis-server CPU per login, less its idle use"
set ylabel "ms"
set key top left
plot "$plotdata" using 2:xtic(1) title "/proc/PID/stat (10 ms ticks)" lc rgb "#8064a2", \
     "" using 3 title "INFO cpu (getrusage, µs)" lc rgb "#9bbb59"
set key off
set title "redis connections per login"
set ylabel "connections"
plot "$plotdata" using 4:xtic(1) lc rgb "#4f81bd"
unset multiplot
GP
bench_doc backend-cpu "$table" "$info"
echo "wrote doc/benchmarks.md and doc/backend-cpu.svg"
