# shellcheck shell=bash
# Functions to build and use Debian chroots for the Dovecot version matrix.
# Source this file; run.sh is the driver.  Every mount made here is
# recorded in CHROOT_MOUNTS and undone by chroot_umount_all, which the
# caller runs from an EXIT trap, so a failure never leaves mounts behind.

CHROOT_BASE=${DLL_CHROOT_BASE:-/var/tmp/dll-chroots}
CHROOT_MOUNTS=()

# Packages installed into every chroot: the same Dovecot and backends the
# host has, plus the build tools and the package tools.
CHROOT_PACKAGES=(
	dovecot-core dovecot-dev dovecot-imapd dovecot-pop3d dovecot-lmtpd
	dovecot-sqlite dovecot-mysql dovecot-pgsql
	redis-server mariadb-server postgresql sqlite3
	libhiredis-dev default-libmysqlclient-dev libpq-dev libcmocka-dev
	autoconf automake libtool pkg-config make gcc valgrind
	# the integration suite's dc_settle uses ps; its doveadm HTTP API
	# scenario curl
	procps curl
	# tests/packages builds the Debian package in the same chroots:
	# installed with the rest (one apt run, while the unit tests run)
	build-essential debhelper dpkg-dev fakeroot lintian
)

# The mirror the host's apt uses, so the chroots need no other host.
chroot_mirror() {
	local uri
	uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources |
		awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
	if [ -z "$uri" ]; then
		uri=$(grep -hs '^deb ' /etc/apt/sources.list |
			awk '{print $2}' | grep -E '/debian/?$' |
			head -n1 || true)
	fi
	echo "${uri:-http://deb.debian.org/debian}"
}

chroot_dir() { echo "$CHROOT_BASE/$1"; }

# The marker records the package list, so a changed list rebuilds.
chroot_marker_text() { echo "${CHROOT_PACKAGES[*]}"; }

chroot_is_complete() {
	local dir=$1
	[ -f "$dir/.dll-complete" ] &&
		[ "$(cat "$dir/.dll-complete")" = "$(chroot_marker_text)" ]
}

# Runs a command inside the chroot with a clean environment. It runs in
# the background and is waited for, so that a TERM or INT sent to the
# script runs its trap at once (bash would wait for a foreground child).
chroot_run() {
	local dir=$1
	shift
	chroot "$dir" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
		${CI:+CI=$CI} "$@" &
	wait $!
}

# Each mount is recorded before the next is tried. The explicit returns
# matter: callers run this in an || list, where set -e does not apply.
chroot_mount() {
	local dir=$1
	# The chroot dir bound onto itself, private: its / is then a mount
	# point, so that `unshare -m --propagation private` works inside
	# (tests/lib/doveadm-last-login.sh), and nothing mounted below it
	# reaches the host's mount table. Unmounted last (-R: all below).
	mount --bind "$dir" "$dir" || return 1
	CHROOT_MOUNTS+=("$dir")
	mount --make-private "$dir" || return 1
	mount -t proc proc "$dir/proc" || return 1
	CHROOT_MOUNTS+=("$dir/proc")
	mount -t sysfs sysfs "$dir/sys" || return 1
	CHROOT_MOUNTS+=("$dir/sys")
	# /dev with its submounts (pts, shm: PostgreSQL needs /dev/shm);
	# rslave keeps anything mounted below it from reaching the host.
	mount --rbind /dev "$dir/dev" || return 1
	CHROOT_MOUNTS+=("$dir/dev")
	mount --make-rslave "$dir/dev" || return 1
	chroot_hosts "$dir"
}

# chroot_hosts DIR: the machine's name (the chroot shares its UTS name)
# in the chroot's hosts file, as in the host's. Dovecot looks it up for
# GUIDs (my_hostdomain()); without it, a DNS server that drops a query
# holds the process for resolv.conf's 5 s timeout.
chroot_hosts() {
	local name
	name=$(hostname)
	awk -v n="$name" '$1 !~ /^#/ { for (i = 2; i <= NF; i++)
		if ($i == n) found = 1 } END { exit !found }' \
		"$1/etc/hosts" 2>/dev/null ||
		printf '127.0.1.1\t%s\n' "$name" >>"$1/etc/hosts"
}

# Stops, by PID, every process whose root is this chroot: the safety net
# behind the test scripts' own cleanup (which should leave none).
chroot_kill_procs() {
	local dir root p pids=()
	dir=$(readlink -f "$1")
	for p in /proc/[0-9]*; do
		root=$(readlink "$p/root" 2>/dev/null) || continue
		[ "$root" = "$dir" ] && pids+=("${p#/proc/}")
	done
	[ ${#pids[@]} -eq 0 ] && return 0
	echo "chroot: stopping leftover processes in $dir: ${pids[*]}" >&2
	kill -TERM "${pids[@]}" 2>/dev/null || true
	sleep 2
	kill -KILL "${pids[@]}" 2>/dev/null || true
}

chroot_umount_all() {
	local i m
	for ((i = ${#CHROOT_MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${CHROOT_MOUNTS[i]}
		chroot_kill_procs "${m%/*}"
		umount -R "$m" 2>/dev/null || umount -R -l "$m" ||
			echo "chroot: could not unmount $m" >&2
	done
	CHROOT_MOUNTS=()
}

# chroot_reusable DIR: a complete chroot that this run may use. Under CI
# only one made during this run: after DLL_RUN_STAMP, a file that
# tests/run-all.sh touches when it starts.
chroot_reusable() {
	chroot_is_complete "$1" || return 1
	[ -z "${CI:-}" ] && return 0
	[ -n "${DLL_RUN_STAMP:-}" ] && [ "$1/.dll-complete" -nt "$DLL_RUN_STAMP" ]
}

# chroot_create SUITE [NAME]: creates the chroot for SUITE in NAME
# (default SUITE) under CHROOT_BASE, or reuses one (chroot_reusable).
chroot_create() {
	local suite=$1 dir mirror
	dir=$(chroot_dir "${2:-$suite}")
	if chroot_reusable "$dir"; then
		echo "chroot: reusing $dir"
		return 0
	fi
	mirror=$(chroot_mirror)
	# A half-built chroot may still have mounts from a killed run.
	if grep -qs " $dir/" /proc/mounts; then
		echo "chroot: $dir has mounts, refusing to delete it" >&2
		return 1
	fi
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	echo "chroot: debootstrap $(chroot_base_suite "$suite") from $mirror"
	debootstrap --variant=minbase "$(chroot_base_suite "$suite")" "$dir" \
		"$mirror" \
		>"$dir.debootstrap.log" 2>&1 || {
		tail -n 20 "$dir.debootstrap.log" >&2
		return 1
	}
	chroot_configure "$suite" "$dir" "$mirror" || return 1
	# Services must never start inside the chroot (exit 101 = refused).
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d" &&
		chmod 755 "$dir/usr/sbin/policy-rc.d" || return 1
	chroot_mount "$dir" || return 1
	chroot_run "$dir" apt-get update -q >/dev/null || return 1
	if ! chroot_install "$dir"; then
		# The mirror may lack a security update's files (seen for
		# bullseye's dovecot-dev); the release's own version has the
		# same API, so pin Dovecot to the release and try once more.
		echo "chroot: install failed, pinning dovecot to $suite"
		chroot_pin_dovecot "$suite" "$dir"
		chroot_install "$dir" || {
			tail -n 30 "$dir.install.log" >&2
			chroot_umount_all
			return 1
		}
	fi
	chroot_run "$dir" apt-get clean
	chroot_umount_all
	chroot_marker_text >"$dir/.dll-complete"
}

chroot_install() {
	chroot_run "$1" apt-get install -y -q --no-install-recommends \
		"${CHROOT_PACKAGES[@]}" >"$1.install.log" 2>&1
}

chroot_pin_dovecot() {
	cat >"$2/etc/apt/preferences.d/dovecot-release" <<PIN
Package: dovecot-*
Pin: release n=$1
Pin-Priority: 1001
PIN
}

# A suite is a Debian release, or RELEASE-backports: that release with
# Dovecot from its backports (bookworm-backports: 2.3.21.1).
chroot_base_suite() { echo "${1%-backports}"; }

# apt sources inside: the release, its updates and its security suite,
# from the same hosts as the host's own sources; sid has neither. The
# mirror's sid may be past its Release file's Valid-Until date.
chroot_configure() {
	local suite=$1 dir=$2 mirror=$3 base
	base=$(chroot_base_suite "$suite")
	if [ "$base" = sid ]; then
		echo "deb $mirror sid main" >"$dir/etc/apt/sources.list"
		echo 'Acquire::Check-Valid-Until "false";' \
			>"$dir/etc/apt/apt.conf.d/99dll-valid-until"
	else
		cat >"$dir/etc/apt/sources.list" <<SRC
deb $mirror $base main
deb $mirror $base-updates main
deb ${mirror%/debian}/debian-security $base-security main
SRC
	fi
	if [ "$suite" != "$base" ]; then
		echo "deb $mirror $suite main" >>"$dir/etc/apt/sources.list"
		chroot_pin_dovecot "$suite" "$dir"
	fi
	cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
	echo "dll-$suite" >"$dir/etc/hostname"
}

# Copies the project's files (tracked and new, not ignored) into DIR/build.
chroot_copy_source() {
	local src=$1 dir=$2
	rm -rf "$dir/build"
	mkdir -p "$dir/build/src"
	(cd "$src" &&
		git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) |
		tar -C "$dir/build/src" -xf -
}

# chroot_jobs EXIT_TRAP JOB NAME...: runs JOB NAME for every NAME side by
# side, at most CHROOT_JOBS_MAX (default: all) at once, in the order
# given, each in a subshell with EXIT_TRAP on its exit (so its mounts are
# its own, and undone by it) and its output in a log of its own, printed
# when it is done, in the order given. JOB counts its steps in passed,
# failed and failures; each job's counts are added to the caller's.
# While they run, CHROOT_JOB_LOGS is the logs' dir.
CHROOT_JOB_LOGS=
CHROOT_JOB_PIDS=()
chroot_jobs() {
	local exit_trap=$1 job=$2 names i name p f more
	shift 2
	names=("$@")
	CHROOT_JOB_LOGS=$(mktemp -d /tmp/dll-jobs.XXXXXX)
	CHROOT_JOB_PIDS=()
	local max=${CHROOT_JOBS_MAX:-${#names[@]}} running=0
	trap chroot_jobs_stop INT TERM
	echo "side by side, $max at once: ${names[*]} (logs in $CHROOT_JOB_LOGS)"
	for i in "${!names[@]}"; do
		name=${names[i]}
		# The next job starts when any running one ends (the jobs
		# are this shell's only children).
		if [ "$running" -ge "$max" ]; then
			wait -n || true
			running=$((running - 1))
		fi
		running=$((running + 1))
		(
			# shellcheck disable=SC2064 # the caller's command, as given
			trap "$exit_trap" EXIT
			trap 'exit 130' INT TERM
			passed=0 failed=0 failures=()
			"$job" "$name"
			{
				echo "$passed $failed"
				[ ${#failures[@]} -eq 0 ] ||
					printf '%s\n' "${failures[@]}"
			} >"$CHROOT_JOB_LOGS/$name.counts"
		) >"$CHROOT_JOB_LOGS/$name.log" 2>&1 &
		CHROOT_JOB_PIDS+=($!)
	done
	for i in "${!names[@]}"; do
		name=${names[i]}
		wait "${CHROOT_JOB_PIDS[i]}" || true
		cat "$CHROOT_JOB_LOGS/$name.log"
		if [ -f "$CHROOT_JOB_LOGS/$name.counts" ]; then
			read -r p f <"$CHROOT_JOB_LOGS/$name.counts"
			passed=$((passed + p))
			failed=$((failed + f))
			mapfile -t -s 1 more <"$CHROOT_JOB_LOGS/$name.counts"
			failures+=("${more[@]}")
		else
			failed=$((failed + 1))
			failures+=("$name: did not finish")
		fi
	done
	trap 'exit 130' INT TERM
	rm -rf "$CHROOT_JOB_LOGS"
	CHROOT_JOB_LOGS=
}
# Interrupted: stop the jobs (their traps unmount), show their logs.
chroot_jobs_stop() {
	kill -TERM "${CHROOT_JOB_PIDS[@]}" 2>/dev/null || true
	wait
	cat "$CHROOT_JOB_LOGS"/*.log
	rm -rf "$CHROOT_JOB_LOGS"
	exit 130
}
