#!/usr/bin/env bash
# Builds the plugin in the source tree (configuring it first if needed), so
# that src/.libs/lib10_last_login_plugin.so is current. Used by the demo
# and the test command; extra arguments go to configure.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x configure ]; then
	autoreconf -fi -Wno-obsolete >/dev/null
fi
if [ ! -f Makefile ]; then
	./configure --with-dovecot=/usr/lib/dovecot "$@" >/dev/null
fi
make -s >/dev/null
test -f src/.libs/lib10_last_login_plugin.so
