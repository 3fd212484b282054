#!/usr/bin/env bash
# The unit tests, plugin included, built with AddressSanitizer from the
# release tarball in a temp dir (the source tree keeps its own build).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/last-login-asan.XXXXXX)
trap 'rm -rf "$dir"' EXIT

make -s -C "$top" dist-gzip >/dev/null
tarball=$(ls -t "$top"/dovecot-last-login-*.tar.gz | head -n 1)
tar -xzf "$tarball" -C "$dir"
rm -f "$tarball"
cd "$dir"/dovecot-last-login-*/
./configure --with-dovecot=/usr/lib/dovecot \
	CFLAGS="-g -O1 -fsanitize=address -fno-omit-frame-pointer" \
	LDFLAGS="-fsanitize=address" >/dev/null
make -s >/dev/null
# Dovecot's libraries are not instrumented; their allocations are still
# checked through ASan's malloc. Leak checking covers the whole process.
# The simulation runs 100 schedules here (SIM_COUNT), not make check's
# 500 and its regression seeds: under ASan each costs several times as
# much, and what it looks for is memory errors, not the invariants.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 SIM_COUNT=100 make -s check
