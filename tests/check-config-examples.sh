#!/usr/bin/env bash
# The example configuration for the installed Dovecot must be one its
# config parser accepts, with the plugin's settings where an admin would
# look for them in `doveconf -n`. A make check test (exit 77 = skipped).
set -euo pipefail

srcdir=${srcdir:-$(dirname "$0")}
top=$(cd "$srcdir/.." && pwd)
command -v doveconf >/dev/null || { echo "no doveconf"; exit 77; }

version=$(dovecot --version | sed 's/[- ].*//')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case $version in
2.4*)
	example=$top/dovecot-last-login-2.4.conf.example
	# 2.4 wants the config's version before anything else.
	printf 'dovecot_config_version = %s\n' "$version" >"$work/dovecot.conf"
	printf 'dovecot_storage_version = %s\n' "$version" >>"$work/dovecot.conf"
	want=(
		'    last_login = yes'
		'  precision = ms'
		'  dict redis {'
		'    redis_host = 127.0.0.1'
		'    redis_port = 6379'
	)
	;;
*)
	example=$top/dovecot-last-login.conf.example
	: >"$work/dovecot.conf"
	want=(
		'  mail_plugins = " last_login"'
		'  last_login_dict = redis:host=127.0.0.1:port=6379'
	)
	;;
esac
printf '!include %s\n' "$example" >>"$work/dovecot.conf"

if ! doveconf -c "$work/dovecot.conf" -n >"$work/out" 2>&1; then
	echo "FAIL: doveconf $version rejects $(basename "$example"):"
	cat "$work/out"
	exit 1
fi
rc=0
for line in "${want[@]}"; do
	grep -qxF -- "$line" "$work/out" || {
		echo "FAIL: doveconf -n lacks: $line"
		rc=1
	}
done
[ $rc -eq 0 ] || cat "$work/out"
echo "$(basename "$example") on Dovecot $version: $([ $rc -eq 0 ] &&
	echo ok || echo FAILED)"
exit $rc
