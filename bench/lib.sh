# Shared by the benchmarks that run real logins against private Dovecots
# (bench/backend-faults.sh, bench/interval.sh, bench/doveadm.sh). Source
# it with $top (the source tree) set, then call bench_args.

# bench_args [--from] NAME ARG...: the options every such benchmark takes:
# --no-doc (write_doc= instead of 1), --keep (keep=1: keep the run dir),
# --plugin LABEL=PATH (repeatable, into bench_plugin_args; see
# bench_plugin_list) and -h/--help (the script's header comment); with
# --from also --from DIR (from=DIR: figures again from a kept run).
# Anything else, or not root: a message that starts with NAME, exit 2.
bench_args() {
	local from_ok= name
	[ "$1" != --from ] || { from_ok=1; shift; }
	name=$1
	shift
	write_doc=1 keep= from=
	bench_plugin_args=()
	while [ $# -gt 0 ]; do
		case $1 in
		--no-doc) write_doc= ;;
		--keep) keep=1 ;;
		--plugin)
			case ${2:-} in
			?*=?*) bench_plugin_args+=("$2") ;;
			*) bench_usage_error "$name" "$1 ${2:-}" ;;
			esac
			shift
			;;
		--from)
			[ -n "$from_ok" ] || bench_usage_error "$name" "$1"
			from=$(cd "$2" && pwd)
			shift
			;;
		-h | --help)
			# the comment lines after #!, up to the first other line
			sed -n '2,/^[^#]/{/^#/p}' "$0"
			exit 0
			;;
		*) bench_usage_error "$name" "$1" ;;
		esac
		shift
	done
	[ "$(id -u)" = 0 ] || { echo "$name: run as root" >&2; exit 2; }
}
bench_usage_error() {
	echo "$1: unknown argument $2" >&2
	exit 2
}

# bench_plugins: stock_so, ours_so and ours_rev from BENCH_STOCK_SO and
# BENCH_OURS_SO; without BENCH_OURS_SO ours is built in the tree.
bench_plugins() {
	stock_so=${BENCH_STOCK_SO:-/usr/lib/dovecot/modules/lib10_last_login_plugin.so}
	if [ -z "${BENCH_OURS_SO:-}" ]; then
		"$top/tests/lib/build.sh"
		ours_so=$top/src/.libs/lib10_last_login_plugin.so
		ours_rev=$(git -C "$top" describe --always --dirty 2>/dev/null ||
			echo '?')
	else
		ours_so=$BENCH_OURS_SO
		ours_rev=$(git -C "$(dirname "$ours_so")" describe --always \
			--dirty 2>/dev/null || echo '?')
	fi
	if [ -n "$write_doc" ] && ! command -v gnuplot >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			gnuplot-nox >/dev/null
	fi
}

# bench_plugin_list: the plugins a comparison runs, as "LABEL SO" lines
# in bench_plugin_list (an array): those of --plugin LABEL=PATH, where
# PATH is a lib10_last_login_plugin.so or a plugin dir holding one; by
# default "stock $stock_so" and "ours $ours_so" (call bench_plugins
# first). Labels are words; "stock" is what the others are compared to.
bench_plugin_list() {
	local a label path
	bench_plugin_list=()
	if [ ${#bench_plugin_args[@]} -eq 0 ]; then
		bench_plugin_list=("stock $stock_so" "ours $ours_so")
		return 0
	fi
	for a in "${bench_plugin_args[@]}"; do
		label=${a%%=*} path=${a#*=}
		[[ $label =~ ^[A-Za-z0-9_.-]+$ ]] ||
			{ echo "bad plugin label '$label'" >&2; exit 2; }
		[ -d "$path" ] && path=$path/lib10_last_login_plugin.so
		[ -f "$path" ] || { echo "no plugin at $path" >&2; exit 2; }
		bench_plugin_list+=("$label $(cd "$(dirname "$path")" &&
			pwd)/$(basename "$path")")
	done
}

# bench_plugins_record FILE: "LABEL REVISION" per plugin of
# bench_plugin_list (REVISION: git describe of the tree the .so is in,
# or "-"), for bench_plugins_info in a later --from run.
bench_plugins_record() {
	local p label so
	for p in "${bench_plugin_list[@]}"; do
		read -r label so <<<"$p"
		echo "$label $(git -C "$(dirname "$so")" describe --always \
			--dirty 2>/dev/null || echo -)"
	done >"$1"
}
# bench_plugins_info FILE: "LABEL REV, LABEL REV" from such a file.
bench_plugins_info() {
	paste -sd, "$1" | sed 's/,/, /g'
}

# bench_setup NAME: the run dir work=/tmp/ll-bench-NAME.XXXXXX and the
# integration suite's environment in it (tests/integration/README.md):
# its libraries for common things, Dovecot's dict backends; every process
# started is stopped on exit, the dir removed unless $keep.
bench_setup() {
	work=$(mktemp -d "/tmp/ll-bench-$1.XXXXXX")
	chmod 755 "$work"
	export LL_ROOT=$top/tests/integration LL_WORK=$work LL_PLUGIN=bench
	export LL_OBS=$work/observations LL_FAILS=$work/failures LL_BIN=$work/bin
	export LL_PORT_BASE=$((20000 + (RANDOM % 600) * 20))
	: >"$LL_OBS"
	: >"$LL_FAILS"
	source "$LL_ROOT/lib/common.sh"
	trap bench_finish EXIT
	trap 'exit 130' INT TERM
	source "$LL_ROOT/lib/redis.sh"
	source "$LL_ROOT/lib/sql-servers.sh"
	source "$LL_ROOT/lib/sql-dict.sh"
	cd "$work"
}
bench_finish() {
	ll_cleanup
	if [ -n "$keep" ]; then echo "kept: $work" >&2; else rm -rf "$work"; fi
}

# bench_instance NAME SO: the start of a private Dovecot loading SO as
# last_login, from a plugin dir of its own as tests/integration/run.sh
# makes it: LL_WORK=$work/NAME, fresh DC_* variables (lib/dovecot.sh)
# and its own instance_name. The caller sets DC_*, adds users and calls
# dc_start, then sets LL_WORK=$work again.
bench_instance() {
	local name=$1 so=$2 m
	export LL_WORK=$work/$name
	mkdir -p "$LL_WORK/plugins"
	chmod 755 "$LL_WORK" "$LL_WORK/plugins"
	cp "$so" "$LL_WORK/plugins/lib10_last_login_plugin.so"
	for m in /usr/lib/dovecot/modules/lib*_plugin.so; do
		case $m in */lib10_last_login_plugin.so) continue ;; esac
		ln -s "$m" "$LL_WORK/plugins/"
	done
	unset DC_PLUGIN_DIR
	source "$LL_ROOT/lib/dovecot.sh"
	DC_INSTANCE_SUFFIX=-$name
}

# bench_cpu_ticks PID...: utime+stime+cutime+cstime of these processes,
# in clock ticks (their children's once reaped).
bench_cpu_ticks() {
	local p t=0 f
	for p in "$@"; do
		f=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		f=${f##*) }
		# fields after "(comm) ": state is 3, utime 14 ... cstime 17
		# shellcheck disable=SC2086
		set -- $f
		t=$((t + ${12} + ${13} + ${14} + ${15}))
	done
	echo "$t"
}

# bench_pct P [FILE]: the P-th percentile (nearest rank) of the numbers
# in FILE (default stdin); "-" when there are none.
bench_pct() {
	sort -g ${2:+"$2"} | awk -v p="$1" '{ v[NR] = $1 } END {
		if (!NR) { print "-"; exit } r = int(NR * p / 100 + 0.999999)
		print v[r < 1 ? 1 : r] }'
}

# bench_print TABLE INFO: the figures on stdout; then, with --no-doc,
# the end of the script.
bench_print() {
	cat "$1"
	echo
	echo "$2"
	[ -n "$write_doc" ] || exit 0
}

# bench_doc MARKER TABLE INFO: doc/benchmarks.md with INFO and the
# Markdown in file TABLE between "<!-- MARKER: begin -->" and
# "<!-- MARKER: end -->".
bench_doc() {
	local doc=$top/doc/benchmarks.md
	local begin="<!-- $1: begin -->" end="<!-- $1: end -->"
	grep -qF "$begin" "$doc" || die "$doc has no '$begin' marker"
	{
		sed "/^$begin\$/q" "$doc"
		echo
		echo "$3"
		echo
		cat "$2"
		echo
		sed -n "/^$end\$/,\$p" "$doc"
	} >"$work/benchmarks.md"
	cp "$work/benchmarks.md" "$doc"
}
