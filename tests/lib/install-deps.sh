#!/usr/bin/env bash
# Installs every Debian package that the build, the demo and the tests need.
# Safe to run again: it calls apt only when something is missing.
# System services are never started: a temporary policy-rc.d refuses them,
# because the tests run their own private servers on loopback.
set -euo pipefail

packages=(
	# build
	autoconf automake libtool pkg-config make gcc clang
	libcmocka-dev dovecot-dev valgrind
	# the Dovecot that the demo and the tests run
	dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd
	dovecot-sqlite dovecot-mysql dovecot-pgsql
	# backends, and the client libraries that read back what was written
	redis-server mariadb-server postgresql sqlite3
	libhiredis-dev default-libmysqlclient-dev libpq-dev
	# the doveadm HTTP API, called as a panel calls it
	curl
	# chroots of other Debian releases (the Dovecot version matrix)
	debootstrap
	# the Debian package (tests/packages/run.sh)
	debhelper dpkg-dev fakeroot lintian
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root to install them" >&2
	exit 1
fi

policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	made_policy=1
fi
cleanup() { [ -z "$made_policy" ] || rm -f "$policy"; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
