#!/usr/bin/env bash
# doveadm with this build's doveadm plugin, for the demo, the tests and
# the benchmarks. doveadm loads plugins only from its compiled-in module
# dir (<moduledir>/doveadm), and nothing here may write into the
# system's: the command runs in a private mount namespace in which a
# temp dir holding our plugin and links to the system's other doveadm
# plugins is bind-mounted over that dir. The system dir is untouched and
# the mount ends with the command.
# Usage: doveadm-last-login.sh [doveadm args...]
#   LL_DOVEADM_SO  the plugin (default: src/.libs of this tree)
#   LL_CHROOT      run doveadm inside this chroot (made by
#                  tests/versions/chroot.sh, its /proc etc. mounted);
#                  the namespace is made outside it, since a chroot's /
#                  is no mount point and can't change propagation
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
so=${LL_DOVEADM_SO:-$top/src/.libs/lib10_doveadm_last_login_plugin.so}
root=${LL_CHROOT:-}
moddir=/usr/lib/dovecot/modules/doveadm

[ -f "$so" ] || { echo "doveadm-last-login.sh: no $so" >&2; exit 2; }
[ -d "$root$moddir" ] || mkdir -p "$root$moddir"
dir=$(mktemp -d "$root/tmp/ll-doveadm.XXXXXX")
trap 'rm -rf "$dir"' EXIT
for f in "$root$moddir"/*.so; do
	[ -e "$f" ] || continue
	[ "$(basename "$f")" = "$(basename "$so")" ] && continue
	ln -s "${f#"$root"}" "$dir/"
done
cp "$so" "$dir/"
chmod 755 "$dir"

if [ -z "$root" ]; then
	unshare -m --propagation private sh -c \
		'mount --bind "$1" "$2" && shift 2 && exec doveadm "$@"' \
		sh "$dir" "$moddir" "$@"
else
	unshare -m --propagation private sh -c \
		'mount --bind "$1" "$2$3" && root=$2 && shift 3 &&
		exec chroot "$root" /usr/bin/env -i \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 doveadm "$@"' \
		sh "$dir" "$root" "$moddir" "$@"
fi
