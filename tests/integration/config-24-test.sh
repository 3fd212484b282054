#!/usr/bin/env bash
# Tests of the suite's Dovecot 2.4 renderer (lib/config-24.sh): each
# fixtures/config-24/CASE.in is run with lib/config.sh and
# lib/config-24.sh loaded and must print exactly CASE.conf. Needs neither
# Dovecot nor root: the version and the paths are fixed here. A make
# check test; alone: bash tests/integration/config-24-test.sh
set -euo pipefail

root=$(cd "$(dirname "$0")" && pwd)
fixtures=$root/fixtures/config-24
# C24_LIBS: the files a case runs with (space-separated); a way to run the
# cases against other code, e.g. to write the .conf files from it.
libs=${C24_LIBS:-$root/lib/config.sh $root/lib/config-24.sh}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# c24_case FILE: one case in a subshell, with what lib/dovecot.sh and
# lib/sql-servers.sh would have set for a scenario on Dovecot 2.4.1.
c24_case() (
	LL_ROOT=$root
	LL_WORK=/tmp/ll-integration.fixture/scenario.ours
	LL_PORT_BASE=21000
	LL_SELFTEST_ALTER=
	DC_VERSION=2.4.1 DC_SYNTAX=2.4
	DC_DIR=$LL_WORK/dovecot DC_INSTANCE_SUFFIX=
	DC_CONF=$DC_DIR/dovecot.conf DC_LOG=$DC_DIR/dovecot.log
	DC_USERS=$DC_DIR/users DC_PLUGIN_DIR=$LL_WORK/plugins
	DC_UID=65534 DC_GID=65534
	unset DC_EXTRA_24
	SQL_FILES=$root/sql
	local lib
	for lib in $libs; do
		source "$lib"
	done
	source "$1"
)

failed=0 n=0
for in in "$fixtures"/*.in; do
	case=${in%.in}
	n=$((n + 1))
	rc=0
	c24_case "$in" >"$out" || rc=$?
	if [ "$rc" != 0 ]; then
		echo "FAIL ${case##*/}: exit status $rc"
		failed=$((failed + 1))
	elif ! diff -u --label "${case##*/}.conf (expected)" \
		--label "${case##*/} (rendered)" "$case.conf" "$out"; then
		echo "FAIL ${case##*/}: rendered text differs (above)"
		failed=$((failed + 1))
	fi
done
echo "config-24: $((n - failed)) of $n cases as expected"
[ "$failed" = 0 ] && [ "$n" -gt 0 ]
