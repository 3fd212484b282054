# shellcheck shell=bash
# Dovecot 2.4's config process accepts last_login_timeout only with the
# plugin's settings module (liblast_login_settings.so) in its settings
# module dir, which is fixed at Dovecot's compile time (MODULEDIR/settings,
# /usr/lib/dovecot/modules/settings on Debian); no option or environment
# variable names another. The chroot's system dir must stay as Debian
# ships it (the stock plugin is compared against), so the module is never
# installed there: a command runs in a private mount namespace in which a
# copy of the dir, plus the module, is bind-mounted over it. The mount is
# made from outside the chroot (inside one, unshare cannot make the mounts
# private) and goes away with the namespace's last process.
# Source after chroot.sh.

SETTINGS_MODULE_DIR=/usr/lib/dovecot/modules

# settings_module_run CHROOT SO [--no-stock] -- CMD...: runs CMD in the
# chroot (as chroot_run) with SO (a path outside the chroot) added to the
# settings module dir. --no-stock also hides the stock plugin's file
# lib10_last_login_plugin.so, for which the config process checks the
# module dir, by covering the whole module dir with a copy without it.
settings_module_run() {
	local dir=$1 so=$2 stock=yes copy target rc=0
	shift 2
	if [ "$1" = --no-stock ]; then
		stock=no
		shift
	fi
	[ "$1" = -- ] && shift
	# In the chroot's /tmp, where run.sh clears what an interrupted
	# run left.
	copy=$(mktemp -d "$dir/tmp/dll-settings-module.XXXXXX") || return 1
	chmod 755 "$copy"
	if [ $stock = no ]; then
		cp -a "$dir$SETTINGS_MODULE_DIR/." "$copy/" &&
			rm -f "$copy/lib10_last_login_plugin.so"
	else
		cp -a "$dir$SETTINGS_MODULE_DIR/settings/." "$copy/"
	fi || { rm -rf "$copy"; return 1; }
	if [ $stock = no ]; then
		install -m 644 "$so" "$copy/settings/"
	else
		install -m 644 "$so" "$copy/"
	fi || { rm -rf "$copy"; return 1; }
	target=$dir$SETTINGS_MODULE_DIR
	[ $stock = no ] || target=$target/settings
	# The mount lives in the new namespace only; everything it runs
	# inherits it, nothing outside sees it.
	# shellcheck disable=SC2016 # expanded by the inner bash
	SM_DIR=$dir SM_COPY=$copy SM_TARGET=$target \
		SM_LIB=$(dirname "${BASH_SOURCE[0]}")/chroot.sh \
		unshare -m --propagation private -- bash -c '
		set -e
		# shellcheck source=tests/versions/chroot.sh
		source "$SM_LIB"
		mount --bind "$SM_COPY" "$SM_TARGET"
		chroot_run "$SM_DIR" "$@"' bash "$@" || rc=$?
	rm -rf "$copy"
	return $rc
}

# settings_module_check CHROOT SO: doveconf accepts the plugin's own
# settings with the module, with and without the stock plugin's file,
# shows a default, and rejects bad values with a clear error.
settings_module_check() {
	local dir=$1 so=$2 conf=/tmp/dll-settings-check.conf out fails=0
	local version
	version=$(chroot_run "$dir" dovecot --version | sed 's/[- ].*//')
	out=$(mktemp) || return 1
	# sm_conf TIMEOUT-LINE: a minimal config, written into the chroot.
	sm_conf() {
		cat >"$dir$conf" <<CONF
dovecot_config_version = $version
dovecot_storage_version = $version
protocols =
$1
last_login {
  precision = ms
  dict redis {
    redis_host = 127.0.0.1
  }
}
CONF
	}
	# sm_expect NAME PATTERN [--no-stock] [--no-module] [-a]: doveconf -n
	# (or -a) output must match PATTERN (grep -E).
	sm_expect() {
		local name=$1 pattern=$2 stock='' module=yes flag=-n
		shift 2
		while [ $# -gt 0 ]; do
			case $1 in
			--no-stock) stock=--no-stock ;;
			--no-module) module=no ;;
			-a) flag=-a ;;
			esac
			shift
		done
		if [ $module = yes ]; then
			settings_module_run "$dir" "$so" $stock -- \
				doveconf -c "$conf" $flag >"$out" 2>&1 || true
		else
			chroot_run "$dir" doveconf -c "$conf" $flag \
				>"$out" 2>&1 || true
		fi
		if grep -qE -- "$pattern" "$out"; then
			echo "ok: $name"
		else
			echo "FAIL: $name: no line matching: $pattern"
			grep -vE '^#|^ *$' "$out" | head -n 8 | sed 's/^/  /'
			fails=$((fails + 1))
		fi
	}
	sm_conf 'last_login_timeout = 500ms'
	sm_expect "accepted with the stock plugin" \
		'^  timeout = 500ms$'
	sm_expect "accepted without the stock plugin" \
		'^  timeout = 500ms$' --no-stock
	sm_expect "refused without the module" \
		'Unknown setting: last_login_timeout' --no-module
	sm_conf 'last_login_timeout = soon'
	sm_expect "a bad value is refused" \
		'last_login_timeout: Invalid time interval: soon'
	sm_conf 'last_login_timeout = 0'
	sm_expect "zero is refused" \
		'last_login_timeout must be greater than 0'
	sm_conf ''
	sm_expect "the default is 1 s" \
		'^last_login_timeout = 1 secs$' -a
	# The list's keys hold "/" and variables, unquoted.
	sm_conf 'last_login_dict_fields {
  last-login-ip/%{service}/%{user} = %{remote_ip}
}'
	sm_expect "dict_fields accepted with the stock plugin" \
		'^    last-login-ip/%\{service\}/%\{user\} = %\{remote_ip\}$'
	sm_expect "dict_fields accepted without the stock plugin" \
		'^    last-login-ip/%\{service\}/%\{user\} = %\{remote_ip\}$' \
		--no-stock
	sm_conf 'last_login_interval = 1h'
	sm_expect "interval accepted" '^  interval = 1h$' --no-stock
	sm_conf 'last_login_interval = soon'
	sm_expect "a bad interval is refused" \
		'last_login_interval: Invalid time interval: soon'
	sm_conf 'last_login_ignore_master_users = yes'
	sm_expect "ignore_master_users accepted" \
		'^  ignore_master_users = yes$' --no-stock
	sm_conf 'last_login_ignore_master_users = maybe'
	sm_expect "a bad boolean is refused" \
		'last_login_ignore_master_users: Invalid boolean value: maybe'
	rm -f "$out" "$dir$conf"
	[ $fails -eq 0 ]
}
