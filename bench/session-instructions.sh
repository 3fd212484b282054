#!/usr/bin/env bash
# What the plugin adds to a process that serves one login, in exact
# instructions: callgrind counts one real `imap -u USER` session (the
# imap binary run directly, preauthenticated, an IMAP script on stdin,
# default "a logout") with the plugin's redis dict up, once with no
# last_login (the baseline) and once per plugin compared. Each plugin
# runs from a copy of Dovecot's whole module dir whose
# lib10_last_login_plugin.so is replaced by that plugin's
# (mail_plugin_dir), so that loading it costs what it costs there.
# Rounds interleave the variants, in an order that rotates per round;
# every plugin run must write the login to redis (checked). Counts are
# load-independent: the rounds agree to a few hundred instructions.
# Prints Markdown tables; unless --no-doc, also writes them into
# doc/benchmarks.md ("One login per process: instructions") and plots
# doc/session-instructions.svg.
#
# usage: bench/session-instructions.sh [--no-doc] [--keep] [--from DIR]
#            [--plugin LABEL=PATH]...   (as root)
#   --plugin LABEL=PATH  a plugin to compare (a .so or a plugin dir);
#                   default: stock (Debian's) and ours (built here).
#                   "stock" is what the others are compared to.
#   --from DIR      figures (and plot, doc) again from a run kept with
#                   --keep (its samples.tsv and run.env)
# env:   BENCH_ROUNDS  rounds (default 5)
#        BENCH_IMAP_SCRIPT  the session's commands, one a line (default
#                   "a logout")
#        BENCH_OURS_SO, BENCH_STOCK_SO  as in bench/lib.sh
# A kept run has every callgrind file (cg/LABEL.ROUND.out): read them
# with callgrind_annotate --inclusive=yes --tree=calling.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bench=$top/bench
source "$bench/lib.sh"
bench_args --from session "$@"

rounds=${BENCH_ROUNDS:-5}
imap_script=${BENCH_IMAP_SCRIPT:-a logout}
if [ -z "$from" ]; then
	bench_plugins
	bench_plugin_list
fi
bench_setup session
data=${from:-$work}
if [ -z "$from" ]; then
	command -v valgrind >/dev/null || die "valgrind is not installed"
	rd_start
	labels=()
	mods=/usr/lib/dovecot/modules
	mod_entries=$(find "$mods" -mindepth 1 -maxdepth 1 | wc -l)
	# a copy of Dovecot's module dir per plugin, ours or stock inside
	for p in "${bench_plugin_list[@]}"; do
		read -r label so <<<"$p"
		labels+=("$label")
		mkdir -p "$work/mods/$label"
		cp -a "$mods/." "$work/mods/$label/"
		cp "$so" "$work/mods/$label/lib10_last_login_plugin.so"
	done
	chmod -R a+rX "$work/mods"

	# A private Dovecot for what imap -u needs around it: the userdb
	# lookup (auth-userdb) and the config (its config socket; a config
	# file would make imap exec doveconf, and callgrind would lose it).
	# The plugin and its dir are set per run (-o).
	export LL_WORK=$work/dovecot-run
	mkdir -p "$LL_WORK"
	chmod 755 "$LL_WORK"
	DC_PLUGIN_DIR=$work/mods/${labels[0]}
	source "$LL_ROOT/lib/dovecot.sh"
	DC_PROTOCOLS=imap
	DC_LL_PROTOCOLS=
	DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT"
	dc_add_user bench
	dc_start
	export LL_WORK=$work
	config_socket=$DC_DIR/run/config

	mkdir -p "$work/cg"
	chmod 1777 "$work/cg"
	printf '%s\r\n' "$imap_script" >"$work/imap-script"
	samples=$work/samples.tsv
	: >"$samples"
	# session VARIANT ROUND: one callgrind'ed imap session; appends
	# "ROUND VARIANT instructions dlopen_instructions" to samples.tsv.
	session() {
		local v=$1 r=$2 out=$work/cg/$1.$2.out plugins=last_login dir
		local t0 t1 value ir dl
		if [ "$v" = none ]; then
			plugins= dir=$work/mods/${labels[0]}
		else
			dir=$work/mods/$v
		fi
		redis-cli -p "$RD_PORT" DEL last-login/bench >/dev/null
		# imap writes it as the mail user: the file must be theirs
		install -m 644 -o "$DC_UID" /dev/null "$out"
		t0=$(date +%s)
		# a pipe: imap's ioloop can't watch a file
		cat "$work/imap-script" | valgrind --tool=callgrind --vgdb=no --callgrind-out-file="$out" \
			--log-file="$work/cg/$v.$r.log" \
			/usr/lib/dovecot/imap -c "$config_socket" \
			-o mail_plugin_dir="$dir" -o mail_plugins="$plugins" \
			-u bench >"$work/cg/$v.$r.imap" 2>&1 ||
			die "$v: imap failed (round $r)"
		t1=$(date +%s)
		grep -q "^a OK" "$work/cg/$v.$r.imap" ||
			die "$v: the session did not log out (round $r)"
		value=$(redis-cli -p "$RD_PORT" GET last-login/bench)
		if [ "$v" = none ]; then
			[ -z "$value" ] || die "none: a login was written"
		elif [ -z "$value" ] || [ "$value" -lt "$t0" ] ||
			[ "$value" -gt "$t1" ]; then
			die "$v: login not written (round $r: '$value')"
		fi
		ir=$(sed -n 's/^summary: *//p' "$out")
		[ -n "$ir" ] || die "$v: no callgrind summary (round $r)"
		# Dovecot's loading of mail_plugins (the module dir's scan and
		# the dlopen), and within it the dlopen with its symbol binding
		read -r load dl < <(callgrind_annotate --inclusive=yes \
			--threshold=100 --auto=no "$out" 2>/dev/null | awk '
			/:module_dir_try_load_missing / { gsub(",", "", $1); m += $1 }
			/dlopen\.c:dlopen@@/ { gsub(",", "", $1); d += $1 }
			END { print m + 0, d + 0 }')
		printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$v" "$ir" "$load" "$dl" \
			>>"$samples"
	}
	variants=(none "${labels[@]}")
	nv=${#variants[@]}
	t_start=$(date +%s)
	for r in $(seq "$rounds"); do
		for i in $(seq 0 $((nv - 1))); do
			session "${variants[(r + i) % nv]}" "$r"
		done
	done
	t_run=$(($(date +%s) - t_start))
	declare -p t_run labels rounds imap_script mod_entries \
		bench_plugin_list >"$work/run.env"
	bench_plugins_record "$work/plugins.txt"
fi
# shellcheck source=/dev/null
source "$data/run.env"
samples=$data/samples.tsv

# ---- figures ----
# med VARIANT COLUMN: the median of a column (3: instructions, 4: loading
# of mail_plugins, 5: dlopen)
med() {
	awk -F '\t' -v v="$1" -v c="$2" '$2 == v { print $c }' "$samples" |
		bench_pct 50
}
# spread VARIANT: max - min of the instructions over the rounds
spread() {
	awk -F '\t' -v v="$1" '$2 == v { if (min == "" || $3 < min) min = $3
		if ($3 > max) max = $3 } END { print max - min }' "$samples"
}
# th N: N with thousands separators
th() { echo "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; }
base=$(med none 3)
stock_added= stock_own=
for l in "${labels[@]}"; do
	[ "$l" = stock ] || continue
	stock_added=$(($(med stock 3) - base))
	stock_own=$((stock_added - $(med stock 4)))
done
# ratio A B: A / B, or - without B
ratio() {
	[ -n "$2" ] || { echo -; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}
table=$work/table.md
plotdata=$work/plot.dat
: >"$plotdata"
{
	echo "| plugin | instructions, whole session | added by the plugin | Dovecot's module dir scan | loading the .so (dlopen) | the plugin's own work | added vs stock | own work vs stock | spread over the rounds |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	echo "| none (baseline) | $(th "$base") | - | - | - | - | - | - | $(spread none) |"
	for l in "${labels[@]}"; do
		t=$(med "$l" 3) load=$(med "$l" 4) dl=$(med "$l" 5)
		added=$((t - base))
		own=$((added - load))
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$l" \
			"$(th "$t")" "$(th "$added")" "$(th $((load - dl)))" \
			"$(th "$dl")" "$(th "$own")" \
			"$(ratio "$added" "$stock_added")" \
			"$(ratio "$own" "$stock_own")" "$(spread "$l")"
		echo "$l $((load - dl)) $dl $own" >>"$plotdata"
	done
} >"$table"
dc_version=$(dovecot --version | sed 's/ .*//')
info="Dovecot $dc_version, valgrind $(valgrind --version | sed 's/valgrind-//')"
info+=" (callgrind, instructions); $rounds rounds, medians; module dir of"
info+=" $mod_entries entries; session: $(echo "$imap_script" | paste -sd';');"
info+=" plugins: $(bench_plugins_info "$data/plugins.txt"); run took"
info+=" ${t_run} s, $(date -u +%Y-%m-%d)."
bench_print "$table" "$info"
gnuplot <<GP
set terminal svg size 800,$((160 + 60 * ${#labels[@]})) dynamic font "sans,11" noenhanced
set output "$top/doc/session-instructions.svg"
set title "What last_login adds to one imap session (callgrind, Dovecot $dc_version)"
set style data histogram
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set grid ytics
set key outside right top
set ylabel "instructions added to the process"
set yrange [0:*]
set format y "%.0s%c"
plot "$plotdata" using 2:xtic(1) title "Dovecot's module dir scan" lc rgb "#9bbb59", \
     "" using 3 title "loading the .so (dlopen, symbol binding)" lc rgb "#c0504d", \
     "" using 4 title "the plugin's own work (hook, write, deinit)" lc rgb "#4f81bd"
GP
bench_doc session-instructions "$table" "$info"
echo "wrote doc/benchmarks.md and doc/session-instructions.svg"
