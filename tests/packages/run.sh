#!/usr/bin/env bash
# The Debian package of debian/, as an admin gets it: built with
# dpkg-buildpackage -us -uc -b in the chroots of tests/versions
# (bullseye: Dovecot 2.3.13, bookworm-backports: 2.3.21.1, trixie: 2.4.1,
# sid: 2.4.5) and on the host (bookworm, 2.3.19.1), checked with lintian, then installed with
# `apt-get install ./dovecot-last-login_*.deb` in a chroot of the same
# release (the host's package in a bookworm chroot of its own: the host's
# stock module must stay). There:
#   - the package depends on the ABI its chroot's dovecot-core provides;
#   - the module dir holds ours, dovecot-core's moved aside unchanged;
#   - a real IMAP login through a private Dovecot (loopback, its own
#     base_dir) that loads the plugin from the system module dir is
#     recorded in a file dict by ours (a debug line only ours logs; on
#     2.4 the config has last_login_timeout, which only the package's
#     settings module makes Dovecot accept);
#   - after `apt-get install --reinstall dovecot-core` ours is still the
#     file there and the one that records the login, and so after a
#     reinstall of ours;
#   - after `apt-get purge` dovecot-core's file is back, same checksum,
#     and no diversion is left.
# Every install happens in an overlay over the chroot, so that the chroots
# stay as Debian ships them (the version matrix compares against their
# stock plugin) and can be reused. The chroots of tests/versions come
# with the package tools (debhelper, lintian).
# Usage: tests/packages/run.sh [TARGET...]
#   (default: bullseye bookworm-backports trixie sid host)
# Chroots live under $DLL_CHROOT_BASE (default /var/tmp/dll-chroots) as for
# tests/versions/run.sh; reused when complete, except under CI.
# Targets run side by side, each printing its log when it is done.
# DLL_PKG_OUT=DIR keeps each target's package there, as TARGET/*.deb.
# DLL_CHROOTS_ONLY=1 only makes the targets' chroots (tests/run-all.sh,
# while the unit tests run).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=tests/versions/chroot.sh
source "$src/tests/versions/chroot.sh"
# wait_until, wait_port
# shellcheck source=tests/integration/lib/common.sh
source "$src/tests/integration/lib/common.sh"

[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (chroot, mount)" >&2; exit 2; }
command -v lintian >/dev/null || "$src/tests/lib/install-deps.sh"

targets=("$@")
[ ${#targets[@]} -gt 0 ] ||
	targets=(bullseye bookworm-backports trixie sid host)

MOD=/usr/lib/dovecot/modules/lib10_last_login_plugin.so
MAILCLIENT=$src/tests/integration/tools/mailclient.pl
# unsafe-io: dpkg without an fsync for each file; the overlay is thrown
# away anyway.
APT_OPTS="-y -q -o Dpkg::Options::=--force-unsafe-io"

passed=0
failed=0
failures=()

# check NAME CMD...: one counted check; its output goes to $DETAIL, and
# its last lines to the log when it fails.
check() {
	local name=$1 t0 rc=0
	shift
	t0=$(date +%s)
	echo "--- $name" >>"$DETAIL"
	"$@" >>"$DETAIL" 2>&1 || rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "$T: ok: $name ($(($(date +%s) - t0))s)"
	else
		failed=$((failed + 1))
		failures+=("$T: $name")
		echo "$T: FAILED: $name (rc=$rc)"
		sed -n '/^--- /h; //!H; ${x; p}' "$DETAIL" | tail -n 25 |
			sed 's/^/    /'
	fi
	return $rc
}

sha() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }

# overlay_up DIR: mounts an overlay over the chroot DIR, and /proc, /sys
# and /dev in it; OV is its root. What is written there is lost at
# overlay_down.
OV=
OV_TMP=
overlay_up() {
	OV_TMP=$(mktemp -d "$CHROOT_BASE/pkg-overlay.XXXXXX") || return 1
	mkdir "$OV_TMP/upper" "$OV_TMP/work" "$OV_TMP/root"
	mount -t overlay overlay -o "lowerdir=$1,upperdir=$OV_TMP/upper,workdir=$OV_TMP/work" \
		"$OV_TMP/root" || return 1
	CHROOT_MOUNTS+=("$OV_TMP/root")
	OV=$OV_TMP/root
	chroot_mount "$OV"
}

# overlay_dir_remove DIR: removes an overlay's dir, never one with a mount.
overlay_dir_remove() {
	if grep -qs " $1/" /proc/mounts; then
		echo "packages: $1 still has mounts, left in place" >&2
		return 1
	fi
	rm -rf "$1"
}

CHROOT_JOB=
cleanup() {
	if [ -n "$CHROOT_JOB" ]; then
		kill -TERM "$CHROOT_JOB" 2>/dev/null || true
		wait "$CHROOT_JOB" 2>/dev/null || true
	fi
	chroot_umount_all
	[ -z "$OV_TMP" ] || overlay_dir_remove "$OV_TMP" || true
	[ -z "${HOST_BUILD:-}" ] || rm -rf "$HOST_BUILD"
}

# build_in_chroot DIR: the package from a copy of the tree in DIR/build.
# Without make check: the version matrix runs the unit tests there, and
# the host's build runs them as part of the package build.
build_in_chroot() {
	chroot_copy_source "$src" "$1"
	chroot_run "$1" env DEB_BUILD_OPTIONS=nocheck \
		bash -c 'cd /build/src && dpkg-buildpackage -us -uc -b'
}

keep() {
	[ -z "${DLL_PKG_OUT:-}" ] ||
		{ mkdir -p "$DLL_PKG_OUT/$T" && cp "$1" "$DLL_PKG_OUT/$T/"; }
}

# the_deb DIR: the package dpkg-buildpackage left in DIR (not -dbgsym).
the_deb() {
	local f
	for f in "$1"/dovecot-last-login_*.deb; do
		[ -f "$f" ] && echo "$f" && return 0
	done
	return 1
}

# lint DEB [CHROOT]: lintian on the package (in CHROOT, where given):
# no error, no warning. Its lines, info included, go to the log.
lint() {
	local deb=$1 dir=${2:-} out
	if [ -n "$dir" ]; then
		out=$(chroot_run "$dir" lintian -I "${deb#"$dir"}" 2>&1) || true
	else
		out=$(lintian -I "$deb" 2>&1) || true
	fi
	out=$(grep -v 'running with root privileges' <<<"$out" || true)
	echo "$T: lintian $(lintian_version "$dir"): ${out:-no tags}" |
		sed '2,$s/^/    /' >&3
	! grep -qE '^[EW]: ' <<<"$out"
}
lintian_version() {
	if [ -n "$1" ]; then
		chroot_run "$1" lintian --version
	else
		lintian --version
	fi | awk '{print $NF}'
}

# abi_depends DEB CHROOT: the package depends on the dovecot-abi-* that
# the chroot's dovecot-core provides.
abi_depends() {
	local abi
	abi=$(chroot "$2" dpkg-query -W -f='${Provides}' dovecot-core |
		grep -o 'dovecot-abi-[^ ,]*')
	echo "dovecot-core provides $abi; Depends: $(dpkg-deb -f "$1" Depends)"
	[ -n "$abi" ] && dpkg-deb -f "$1" Depends | tr ',' '\n' |
		grep -qx " *$abi"
}

# dc_conf VERSION DIR PORT: a private Dovecot in DIR (inside the chroot),
# IMAP on 127.0.0.1:PORT, the plugin loaded from the system module dir,
# writing to a file dict and logging its write_finished event.
dc_conf() {
	local version=$1 d=$2 port=$3
	if [[ $version == 2.3* ]]; then
		cat <<CONF
auth_mechanisms = plain
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = $d/users
}
userdb {
  driver = passwd-file
  args = $d/users
}
protocol imap {
  mail_plugins = \$mail_plugins last_login
}
plugin {
  last_login_dict = file:$d/dict/last-login.db
  last_login_key = last-login/%u
  last_login_timeout = 2s
}
CONF
	else
		cat <<CONF
dovecot_config_version = $version
dovecot_storage_version = $version
auth_mechanisms = plain
auth_allow_cleartext = yes
mail_driver = maildir
mail_path = ~/Maildir
passdb passwd-file {
  passwd_file_path = $d/users
}
userdb passwd-file {
  passwd_file_path = $d/users
}
protocol imap {
  mail_plugins {
    last_login = yes
  }
}
last_login_key = last-login/%{user}
last_login_timeout = 2s
last_login {
  dict file {
    file_path = $d/dict/last-login.db
  }
}
CONF
	fi
	cat <<CONF
base_dir = $d/run
state_dir = $d/state
instance_name = dll-pkg-$port
log_path = $d/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 65534
last_valid_uid = 65534
log_debug = event=last_login_write_finished
service imap-login {
  inet_listener imap {
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
CONF
}

# login_check CHROOT: a private Dovecot in the chroot, an IMAP login from
# outside it, and the login's key in the dict file, written by ours.
login_check() {
	local ov=$1 d=/tmp/dll-pkg/dovecot version port pid='' rc=0
	rm -rf "${ov:?}$d"
	mkdir -p "$ov$d/home/alice" "$ov$d/dict"
	chmod 755 "$ov/tmp/dll-pkg" "$ov$d"
	chown 65534:65534 "$ov$d/home/alice" "$ov$d/dict"
	echo "alice:{PLAIN}pass:65534:65534::$d/home/alice" >"$ov$d/users"
	version=$(chroot_run "$ov" dovecot --version | sed 's/[- ].*//')
	for _ in 1 2 3; do # another port when Dovecot lost a bind race
		port=$((20000 + RANDOM % 12000))
		dc_conf "$version" "$d" "$port" >"$ov$d/dovecot.conf"
		chroot "$ov" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			/usr/sbin/dovecot -F -c "$d/dovecot.conf" \
			>>"$ov$d/stdout" 2>&1 &
		pid=$!
		wait_port 127.0.0.1 "$port" 100 "$pid" && break
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=
	done
	if [ -z "$pid" ]; then
		echo "Dovecot did not start:"
		cat "$ov$d/stdout" "$ov$d/dovecot.log" 2>/dev/null
		return 1
	fi
	perl "$MAILCLIENT" 127.0.0.1 "$port" imap-login alice pass || rc=$?
	# The write follows the login's reply: wait for it.
	[ $rc -ne 0 ] ||
		wait_until 5 grep -qx 'shared/last-login/alice' \
			"$ov$d/dict/last-login.db" || rc=1
	[ $rc -ne 0 ] ||
		wait_until 5 grep -q 'last_login_dict: Write finished: ok' \
			"$ov$d/dovecot.log" || rc=1
	[ $rc -ne 0 ] || doveadm_check "$ov" "$d" || rc=1
	kill -TERM "$pid"
	wait "$pid" || true
	echo "dict file:"
	cat "$ov$d/dict/last-login.db" 2>/dev/null || true
	echo "Dovecot's log:"
	cat "$ov$d/dovecot.log"
	return $rc
}

# doveadm_check CHROOT DIR: the package's doveadm plugin reads the
# login back, as support agents will.
doveadm_check() {
	local ov=$1 d=$2 out raw
	raw=$(grep -A1 -x 'shared/last-login/alice' "$ov$d/dict/last-login.db" |
		tail -n 1)
	out=$(chroot "$ov" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		doveadm -c "$d/dovecot.conf" -f flow last-login get -u alice 2>&1) ||
		{ echo "doveadm last-login get failed: $out"; return 1; }
	echo "doveadm last-login get -u alice: $out"
	case $out in
	"alice service=* last_login="*"Z age="*" raw=$raw") ;;
	*) echo "expected the raw value $raw"; return 1 ;;
	esac
}

# same FILE SHA: FILE has that checksum.
same() {
	local got
	got=$(sha "$1")
	echo "$1: ${got:-missing}, want $2"
	[ "$got" = "$2" ]
}
same2() {
	same "$1$MOD" "$2" && same "$1$MOD.distrib" "$3"
}
no_diversion() {
	! chroot "$1" dpkg-divert --list | grep 'lib10_last_login_plugin'
}
# Nothing of the package is left in the module dir.
no_leftovers() {
	! find "$1/usr/lib/dovecot/modules" -name '*last_login*' \
		! -path "*$MOD" | grep .
}

# install_check CHROOT DEB: the package's life in the chroot.
install_check() {
	local ov=$1 deb=$2 name stock ours
	name=$(basename "$deb")
	stock=$(sha "$ov$MOD")
	ours=$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ".$MOD" |
		sha256sum | cut -d' ' -f1)
	check "depends on the chroot's Dovecot ABI" abi_depends "$deb" "$ov" ||
		true
	mkdir -p "$ov/tmp/dll-pkg"
	cp "$deb" "$ov/tmp/dll-pkg/"
	check "apt-get install ./$name" chroot_run "$ov" bash -c \
		"cd /tmp/dll-pkg && apt-get install $APT_OPTS --no-install-recommends ./$name" ||
		return 0
	check "ours in the module dir" same "$ov$MOD" "$ours" || true
	check "the doveadm plugin and its manual page installed" test -f \
		"$ov/usr/lib/dovecot/modules/doveadm/lib10_doveadm_last_login_plugin.so" \
		-a -f "$ov/usr/share/man/man1/doveadm-last-login.1.gz" || true
	check "the stock file diverted unchanged" same "$ov$MOD.distrib" \
		"$stock" || true
	check "a login recorded by ours" login_check "$ov" || true
	# Where the mirror no longer has the chroot's dovecot-core, its lists
	# are older than the mirror: the newer one then, as an upgrade.
	check "apt-get install --reinstall dovecot-core" chroot_run "$ov" \
		bash -c "apt-get install $APT_OPTS --reinstall dovecot-core ||
			{ apt-get update -q &&
			apt-get install $APT_OPTS --reinstall dovecot-core; }" ||
		true
	check "ours still in the module dir" same "$ov$MOD" "$ours" || true
	check "a login recorded by ours after the reinstall" login_check "$ov" ||
		true
	# An upgrade of ours (preinst upgrade) keeps the one diversion.
	check "apt-get install --reinstall ./$name" chroot_run "$ov" bash -c \
		"cd /tmp/dll-pkg && apt-get install $APT_OPTS --reinstall ./$name" ||
		true
	check "ours and the stock file after it" same2 "$ov" "$ours" "$stock" ||
		true
	check "apt-get purge dovecot-last-login" chroot_run "$ov" \
		apt-get purge $APT_OPTS dovecot-last-login || return 0
	check "the stock file back, same checksum" same "$ov$MOD" "$stock" ||
		true
	check "no diversion left" no_diversion "$ov" || true
	check "nothing of ours left in the module dir" no_leftovers "$ov" ||
		true
}

# target_chroot SUITE: build, lint and install in the suite's chroot.
target_chroot() {
	local dir deb
	dir=$(chroot_dir "$T")
	# The version matrix, which runs before, made them (fresh under CI).
	chroot_is_complete "$dir" || check "chroot" chroot_create "$T" ||
		return 0
	[ -z "${DLL_CHROOTS_ONLY:-}" ] || return 0
	check "overlay" overlay_up "$dir" || return 0
	echo "$T: Dovecot $(chroot_run "$OV" dovecot --version)"
	check "dpkg-buildpackage -us -uc -b" build_in_chroot "$OV" || return 0
	deb=$(the_deb "$OV/build")
	keep "$deb"
	check "lintian" lint "$deb" "$OV" || true
	install_check "$OV" "$deb"
}

# The host's package goes into a bookworm chroot with no more than
# Dovecot's IMAP server.
bookworm_chroot() {
	# shellcheck disable=SC2034 # read by chroot_create
	local CHROOT_PACKAGES=(dovecot-core dovecot-imapd)
	chroot_create bookworm bookworm-pkg
}

build_on_host() {
	chroot_copy_source "$src" "$HOST_BUILD"
	(cd "$HOST_BUILD/build/src" && dpkg-buildpackage -us -uc -b)
}

# The chroot is made (downloads, dpkg) while the package builds (CPU).
target_host() {
	local deb rc=0
	if [ -n "${DLL_CHROOTS_ONLY:-}" ]; then
		check "bookworm chroot" bookworm_chroot
		return
	fi
	echo "host: Dovecot $(dovecot --version)"
	HOST_BUILD=$(mktemp -d /tmp/dll-pkg-host.XXXXXX)
	(
		trap chroot_umount_all EXIT
		trap 'exit 130' INT TERM
		bookworm_chroot
	) >"$HOST_BUILD/chroot.log" 2>&1 &
	CHROOT_JOB=$!
	check "dpkg-buildpackage -us -uc -b" build_on_host || rc=1
	deb=$(the_deb "$HOST_BUILD/build") || rc=1
	[ $rc -ne 0 ] || keep "$deb"
	[ $rc -ne 0 ] || check "lintian" lint "$deb" || true
	check "bookworm chroot" chroot_job_wait || rc=1
	[ $rc -eq 0 ] || return 0
	check "overlay" overlay_up "$(chroot_dir bookworm-pkg)" || return 0
	install_check "$OV" "$deb"
}
chroot_job_wait() {
	local rc=0
	wait "$CHROOT_JOB" || rc=$?
	CHROOT_JOB=
	cat "$HOST_BUILD/chroot.log"
	return $rc
}

# What an interrupted run left: overlays without mounts.
for d in "$CHROOT_BASE"/pkg-overlay.*; do
	[ -d "$d" ] && { overlay_dir_remove "$d" || true; }
done

# target T: every check of one target, its details in a file of its own.
target() {
	local t0
	T=$1
	DETAIL=$CHROOT_JOB_LOGS/$T.detail
	t0=$(date +%s)
	exec 3>&1
	case $T in
	host) target_host ;;
	*) target_chroot ;;
	esac
	echo "$T: $(($(date +%s) - t0))s"
}
chroot_jobs cleanup target "${targets[@]}"

[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
