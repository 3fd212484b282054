#!/usr/bin/env bash
# How fast `doveadm last-login get -A --older-than 365d` reports the idle
# accounts of a large userdb (issue 12's speed requirement), against the
# shell loop an admin writes without it: `doveadm user '*'` (2.3 has no
# `doveadm user -A`), then per user `doveadm dict get URI
# shared/last-login/SERVICE/USER` for imap and pop3 and the age test in
# shell. N users (default 100,000) in a passwd-file userdb, half of them
# with records seeded straight into the backend (imap only, pop3 only or
# both, ages 0-799 days), on a private redis-server and on a private
# MariaDB through Dovecot's dict proxy (dict-sql, a (userid, service)
# table), each behind a private Dovecot of its own: protocols imap and
# pop3, last_login in both, so the command reads 2 keys per user.
# The loop is timed on its first BENCH_LOOP_USERS users (default 1,000)
# and extrapolated linearly (its listing of all N users is timed whole);
# command and loop run alternately, BENCH_REPS times (default 3), the
# backends in an order that alternates with the repetition.
# Asserted, not assumed: every timed command's output (all N users) holds
# exactly the seeded idle users, each with its two rows; the command
# without a filter on a sample prints exactly the seeded values; the
# loop finds the same idle users on its sample.
# Prints a Markdown table; unless --no-doc, also writes it into
# doc/benchmarks.md ("doveadm last-login get") and plots doc/doveadm.svg.
#
# usage: bench/doveadm.sh [--no-doc] [--keep] [--from DIR]   (as root)
#   --from DIR: no run, the figures (and plot, doc) again from the
#   samples.tsv and run.env of a run kept with --keep
# env:   BENCH_USERS       users in the userdb (default 100000)
#        BENCH_LOOP_USERS  users the shell loop is timed on (default 1000)
#        BENCH_CHECK_USERS users of the unfiltered sample check (default 1000)
#        BENCH_REPS        repetitions (default 3)
#        BENCH_PERF        non-empty: profile one run per backend first
#        BENCH_OURS_SO     the mail plugin (default: built here); the
#                          doveadm plugin is LL_DOVEADM_SO or built here
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bench=$top/bench
source "$bench/lib.sh"
bench_args --from doveadm "$@"

users_n=${BENCH_USERS:-100000}
loop_n=${BENCH_LOOP_USERS:-1000}
check_n=${BENCH_CHECK_USERS:-1000}
reps=${BENCH_REPS:-3}
backends=(redis sql)
[ "$loop_n" -le "$users_n" ] && [ "$check_n" -le "$users_n" ] ||
	{ echo "doveadm: more sample users than users" >&2; exit 2; }
bench_plugins
bench_setup doveadm
data=${from:-$work}
# the doveadm plugin of this tree (bench_plugins built it with the rest)
doveadm_ll() { "$top/tests/lib/doveadm-last-login.sh" "$@"; }

if [ -z "$from" ]; then
	[ -f "${LL_DOVEADM_SO:-$top/src/.libs/lib10_doveadm_last_login_plugin.so}" ] ||
		die "no doveadm plugin built"
	# ---- the users and what they stored ----
	# users.lst: every user, in userdb order. seeds.tsv: "user service
	# value" per stored record (ms since the epoch), half of the users
	# (the odd ones): imap only, pop3 only or both, an age of 0-799 days
	# plus half a day (so that no record is within hours of the 365 d
	# limit). idle.lst: the users whose newest record is 365 d old or
	# older, sorted: what --older-than 365d must find.
	now_ms=$(($(date +%s) * 1000))
	awk -v n="$users_n" -v now="$now_ms" -v dir="$work" 'BEGIN {
		day = 86400000
		for (i = 1; i <= n; i++) {
			u = sprintf("u%06d@bench.example", i)
			print u > (dir "/users.lst")
			if (i % 2 == 0)
				continue
			a1 = (i * 37) % 800; a2 = (i * 53 + 11) % 800
			k = int(i / 2) % 3
			newest = 100000
			if (k != 2) {
				printf "%s\timap\t%d\n", u, now - a1 * day - day / 2 > (dir "/seeds.tsv")
				newest = a1
			}
			if (k != 1) {
				printf "%s\tpop3\t%d\n", u, now - a2 * day - day / 2 > (dir "/seeds.tsv")
				if (a2 < newest) newest = a2
			}
			if (newest >= 365)
				print u > (dir "/idle.unsorted")
		}
	}'
	LC_ALL=C sort "$work/idle.unsorted" >"$work/idle.lst"
	seeded=$(grep -c . "$work/seeds.tsv")
	idle_n=$(grep -c . "$work/idle.lst")

	# ---- backends ----
	rd_start
	my_start
	# The table and map of the issue's layout: one row per user and
	# service, last_login_key = last-login/%s/%u.
	SQL_FILES=$work/sql-files
	mkdir -p "$SQL_FILES"
	cat >"$SQL_FILES/schema.sql" <<'SQL'
CREATE TABLE last_login (
  userid VARCHAR(255) NOT NULL,
  service VARCHAR(10) NOT NULL,
  last_access BIGINT NOT NULL,
  PRIMARY KEY (userid, service)
);
SQL
	cat >"$SQL_FILES/map.conf.ext" <<'MAP'
map {
  pattern = shared/last-login/$service/$user
  table = last_login
  value_field = last_access
  value_type = uint

  fields {
    userid = $user
    service = $service
  }
}
MAP
	my_load schema.sql
	# seeding: redis by pipelined SETs, MariaDB by LOAD DATA
	awk -F '\t' '{ k = "last-login/" $2 "/" $1
		printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n",
			length(k), k, length($3), $3 }' "$work/seeds.tsv" |
		redis-cli -p "$RD_PORT" --pipe >"$work/redis-pipe.log" ||
		die "redis-cli --pipe failed: $(cat "$work/redis-pipe.log")"
	mariadb --no-defaults -S "$MY_SOCK" -uroot --local-infile=1 "$SQL_DB" -e \
		"LOAD DATA LOCAL INFILE '$work/seeds.tsv' INTO TABLE last_login
		 FIELDS TERMINATED BY '\t' (userid, service, last_access)"
	[ "$(redis-cli -p "$RD_PORT" DBSIZE)" = "$seeded" ] ||
		die "redis holds $(redis-cli -p "$RD_PORT" DBSIZE) keys, seeded $seeded"
	[ "$(my_sql "SELECT COUNT(*) FROM last_login")" = "$seeded" ] ||
		die "MariaDB holds another number of rows than the $seeded seeded"

	# ---- one private Dovecot per backend, the same N users ----
	declare -gA CONF DICT_URI
	dovecot_for() {
		local b=$1
		bench_instance "$b" "$ours_so"
		DC_PROTOCOLS="imap pop3"
		DC_LL_PROTOCOLS="imap pop3"
		if [ "$b" = redis ]; then
			DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT"
			DICT_URI[$b]=$RD_DICT
		else
			sql_dict sql mysql "$MY_CONNECT" map.conf.ext
			DC_PLUGIN_SETTINGS="last_login_dict = proxy::sql"
			DICT_URI[$b]=proxy:$DC_DIR/run/dict:sql
		fi
		DC_PLUGIN_SETTINGS+="
last_login_key = last-login/%s/%u
last_login_precision = ms"
		awk -v uid="$DC_UID" -v gid="$DC_GID" -v home="$work/home" \
			'{ printf "%s:{PLAIN}pass:%s:%s::%s/%s::\n", $1, uid, gid, home, $1 }' \
			"$work/users.lst" >"$DC_USERS"
		dc_start
		CONF[$b]=$DC_CONF
		export LL_WORK=$work
	}
	mkdir -p "$work/home"
	chown 65534:65534 "$work/home"
	for b in "${backends[@]}"; do dovecot_for "$b"; done

	# ---- what is run ----
	# timed OUT CMD...: CMD's stdout into OUT, its stderr into OUT.err;
	# sets wall and cpu (seconds; CPU: CMD's process and the children it
	# waited for, as /usr/bin/time sees them).
	timed() {
		local out=$1 t0 t1
		shift
		t0=$(now_ns)
		/usr/bin/time -f '%U %S' -o "$out.time" "$@" >"$out" 2>"$out.err" ||
			die "$* failed: $(tail -n 3 "$out.err")"
		t1=$(now_ns)
		read -r wall cpu < <(awk -v a="$t0" -v b="$t1" \
			'{ printf "%.3f %.3f\n", (b - a) / 1e9, $1 + $2 }' "$out.time")
	}
	# The admin's loop, as a script of its own (what they would save and
	# run): list the users, then per user both keys and the age test.
	cat >"$work/admin-loop.sh" <<'LOOP'
#!/bin/bash
# admin-loop.sh CONF DICT_URI MAX_USERS: the idle (365 d) users, the
# hard way. The user list is written to users.out.
conf=$1 uri=$2 max=$3
limit=$(( $(date +%s) * 1000 - 365 * 86400 * 1000 ))
doveadm -c "$conf" user '*' >users.out
head -n "$max" users.out | while read -r u; do
	newest=
	for s in imap pop3; do
		v=$(doveadm -c "$conf" dict get "$uri" "shared/last-login/$s/$u" 2>/dev/null) || v=
		[ -n "$v" ] && { [ -z "$newest" ] || [ "$v" -gt "$newest" ]; } && newest=$v
	done
	if [ -n "$newest" ] && [ "$newest" -le "$limit" ]; then
		echo "$u"
	fi
done
LOOP
	chmod +x "$work/admin-loop.sh"

	# ---- correctness, before anything is timed ----
	head -n "$check_n" "$work/users.lst" >"$work/check.lst"
	awk -F '\t' 'NR == FNR { s[$1] = 1; next } $1 in s' "$work/check.lst" \
		"$work/seeds.tsv" | LC_ALL=C sort >"$work/check.want"
	for b in "${backends[@]}"; do
		# the command without a filter: two rows per user, exactly the
		# seeded values, "never" for the rest
		doveadm_ll -c "${CONF[$b]}" -f tab last-login get -F "$work/check.lst" \
			>"$work/check.$b" 2>"$work/check.$b.err" ||
			die "$b: last-login get -F failed: $(tail -n 3 "$work/check.$b.err")"
		rows=$(tail -n +2 "$work/check.$b" | grep -c .)
		[ "$rows" = $((2 * check_n)) ] ||
			die "$b: $rows rows for $check_n users, want $((2 * check_n))"
		tail -n +2 "$work/check.$b" | awk -F '\t' '$3 != "never" { print $1 "\t" $2 "\t" $5 }' |
			LC_ALL=C sort | cmp -s - "$work/check.want" ||
			die "$b: the values read are not those seeded ($work/check.$b)"
		[ "$(tail -n +2 "$work/check.$b" | awk -F '\t' '$3 == "never"' | grep -c .)" = \
			$((2 * check_n - $(grep -c . "$work/check.want"))) ] ||
			die "$b: the rows without a record are not all 'never'"
	done
	# idle.check OUT BACKEND: the timed command's output (-f tab) lists
	# exactly the idle users, each with an imap and a pop3 row.
	check_idle() {
		local out=$1 b=$2
		head -n 1 "$out" | grep -q $'^Username\t' || die "$b: no header in $out"
		tail -n +2 "$out" | cut -f 1,2 | LC_ALL=C sort >"$out.pairs"
		awk '{ print $1 "\timap"; print $1 "\tpop3" }' "$work/idle.lst" |
			LC_ALL=C sort | cmp -s - "$out.pairs" ||
			die "$b: --older-than 365d did not list exactly the $idle_n idle users ($out)"
	}
	# check_loop OUT USERS: the loop found the idle users of its sample,
	# the first loop_n of USERS (its listing)
	check_loop() {
		[ "$(grep -c . "$2")" = "$users_n" ] ||
			die "the admin loop listed $(grep -c . "$2") users"
		head -n "$loop_n" "$2" | LC_ALL=C sort |
			LC_ALL=C comm -12 - "$work/idle.lst" | cmp -s - <(LC_ALL=C sort "$1") ||
			die "the admin loop's idle users differ from the seeded ($1)"
	}

	# BENCH_PERF: one untimed run per backend under perf, its report
	# in perf.BACKEND.txt of the run dir (with --keep)
	if [ -n "${BENCH_PERF:-}" ]; then
		for b in "${backends[@]}"; do
			perf record -F 999 -g -o "$work/perf.$b.data" -- \
				"$top/tests/lib/doveadm-last-login.sh" -c "${CONF[$b]}" -f tab \
				last-login get -A --older-than 365d >/dev/null 2>"$work/perf.$b.err" ||
				die "$b: perf record failed: $(tail -n 3 "$work/perf.$b.err")"
			perf report -i "$work/perf.$b.data" --stdio --no-children \
				--sort dso,sym -g none 2>/dev/null >"$work/perf.$b.txt" || true
			perf report -i "$work/perf.$b.data" --stdio --no-children \
				--sort comm,dso -g none 2>/dev/null >"$work/perf.$b.comm.txt" || true
		done
	fi

	# ---- the interleaved run ----
	samples=$work/samples.tsv
	: >"$samples"
	mkdir -p "$work/out"
	t_start=$(date +%s)
	for r in $(seq "$reps"); do
		order=("${backends[@]}")
		[ $((r % 2)) = 0 ] && order=("${backends[1]}" "${backends[0]}")
		for b in "${order[@]}"; do
			o=$work/out/cmd.$b.$r
			timed "$o" "$top/tests/lib/doveadm-last-login.sh" \
				-c "${CONF[$b]}" -f tab last-login get -A --older-than 365d
			check_idle "$o" "$b"
			printf 'command\t%s\t%s\t%s\t%s\t%s\n' "$b" "$r" "$users_n" "$wall" \
				"$cpu" >>"$samples"
			rm -f "$o" "$o.pairs"
			o=$work/out/list.$b.$r
			# the admin's first line alone
			timed "$o" doveadm -c "${CONF[$b]}" user '*'
			[ "$(grep -c . "$o")" = "$users_n" ] ||
				die "$b: doveadm user '*' listed $(grep -c . "$o") users"
			printf 'list\t%s\t%s\t%s\t%s\t%s\n' "$b" "$r" "$users_n" "$wall" \
				"$cpu" >>"$samples"
			rm -f "$o"
			o=$work/out/loop.$b.$r
			cd "$work/out"
			timed "$o" "$work/admin-loop.sh" "${CONF[$b]}" "${DICT_URI[$b]}" "$loop_n"
			cd "$work"
			check_loop "$o" "$work/out/users.out"
			# the loop's own listing is in its time: counted as per-user
			# work of the sample, the extrapolation adds list time apart
			printf 'loop\t%s\t%s\t%s\t%s\t%s\n' "$b" "$r" "$loop_n" "$wall" \
				"$cpu" >>"$samples"
			echo "rep $r $b done" >&2
		done
	done
	t_run=$(($(date +%s) - t_start))
	[ -s "$LL_FAILS" ] && { cat "$LL_FAILS" >&2; die "the run failed"; }
	declare -p t_run ours_rev users_n loop_n check_n reps seeded idle_n \
		>"$work/run.env"
fi
# shellcheck source=/dev/null
source "$data/run.env"
samples=$data/samples.tsv

# ---- figures ----
# med WHAT BACKEND FIELD: median over the repetitions of field 5 (wall)
# or 6 (CPU)
med() {
	awk -F '\t' -v w="$1" -v b="$2" -v f="$3" '$1 == w && $2 == b { print $f }' \
		"$samples" | bench_pct 50
}
bname() { if [ "$1" = redis ]; then echo redis; else echo "MariaDB (proxy)"; fi; }
table=$data/table.md
plotdata=$data/plot.dat
: >"$plotdata"
{
	echo "| backend | command, $users_n users (median wall) | command CPU (doveadm) | per user | target 60 s | shell loop per user ($loop_n users) | \`doveadm user '*'\`, $users_n users | shell loop, $users_n users (extrapolated) | loop / command |"
	echo "|---|---:|---:|---:|---|---:|---:|---:|---:|"
	for b in "${backends[@]}"; do
		cw=$(med command "$b" 5) cc=$(med command "$b" 6)
		lw=$(med loop "$b" 5) tw=$(med list "$b" 5)
		# the loop's sample time includes its own listing of all users:
		# per user = (loop - list) / sample; extrapolated = list + N x that
		# (each repetition's list time is its own: medians of the parts)
		awk -v b="$(bname "$b")" -v n="$users_n" -v ln="$loop_n" -v cw="$cw" \
			-v cc="$cc" -v lw="$lw" -v tw="$tw" 'BEGIN {
			pu = (lw - tw) / ln; ex = tw + n * pu
			printf "| %s | %.1f s | %.1f s | %.3f ms | %s | %.1f ms | %.1f s | %.0f s (%.0f min) | %.0f |\n",
				b, cw, cc, 1000 * cw / n, cw <= 60 ? "met" : "missed",
				1000 * pu, tw, ex, ex / 60, ex / cw }'
		awk -v b="$b" -v n="$users_n" -v ln="$loop_n" -v cw="$cw" -v lw="$lw" \
			-v tw="$tw" 'BEGIN { pu = (lw - tw) / ln
			printf "%s %.3f %.3f %.4f %.3f\n", b, cw, tw + n * pu,
				1000 * cw / n, 1000 * pu }' >>"$plotdata"
	done
	echo
	echo "Every repetition (wall s / CPU s of the process timed):"
	echo
	echo "| what | backend | repetition | users | wall | CPU |"
	echo "|---|---|---:|---:|---:|---:|"
	awk -F '\t' '{ printf "| %s | %s | %d | %d | %.2f s | %.2f s |\n",
		$1, $2, $3, $4, $5, $6 }' "$samples" |
		sed -e 's/^| command | redis/| command | redis/' \
			-e "s/| list |/| \`doveadm user '*'\` |/" \
			-e 's/| loop |/| shell loop (sample, with its listing) |/' \
			-e 's/| sql |/| MariaDB (proxy) |/'
} >"$table"
dc_version=$(dovecot --version | sed 's/ .*//')
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
info="Dovecot $dc_version, $(nproc) cores ($cpu_model; shared with other"
info+=" work while it ran), ours $ours_rev; $users_n users, $seeded records"
info+=" seeded, $idle_n users idle 365 d or more; $reps repetitions, loop"
info+=" sample $loop_n users; run took ${t_run} s, $(date -u +%Y-%m-%d)."
bench_print "$table" "$info"
gnuplot <<GP
set terminal svg size 900,700 dynamic font "sans,11" noenhanced
set output "$top/doc/doveadm.svg"
set multiplot layout 2,1 title "doveadm last-login get -A --older-than 365d, $users_n users, Dovecot $dc_version (ours: $ours_rev)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set key outside right top
set xtics nomirror
set logscale y
set ylabel "seconds (log scale)"
set yrange [1:*]
set arrow 1 from graph 0, first 60 to graph 1, first 60 nohead dt 2 lw 1.5 lc rgb "black"
set label 1 "target 60 s" at graph 0.01, first 75 left
set title "time for all users (median of $reps; shell loop extrapolated from $loop_n users)"
plot "$plotdata" using 2:xtic(strcol(1) eq "sql" ? "MariaDB (proxy)" : "redis") title "last-login get" lc rgb "#4f81bd", \
     "" using 3 title "shell loop" lc rgb "#c0504d"
unset arrow 1
unset label 1
set title "per user"
set ylabel "ms per user (log scale)"
set yrange [0.01:*]
plot "$plotdata" using 4:xtic(strcol(1) eq "sql" ? "MariaDB (proxy)" : "redis") title "last-login get" lc rgb "#4f81bd", \
     "" using 5 title "shell loop" lc rgb "#c0504d"
unset multiplot
GP
bench_doc doveadm "$table" "$info"
echo "wrote doc/benchmarks.md and doc/doveadm.svg"
