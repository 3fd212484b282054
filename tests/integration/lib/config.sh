# The config text of the scenario's Dovecot: the DC_* variables that
# scenarios set, and dc_render, the one function that turns them into
# dovecot.conf (2.3 syntax; 2.4 is lib/config-24.sh). Requires the paths,
# DC_UID and DC_SYNTAX of lib/dovecot.sh, which sources it
# (config-24-test.sh sets them itself).

# What scenarios usually change:
DC_PROTOCOLS="imap pop3 lmtp"     # served protocols
DC_LISTEN="127.0.0.1"             # listen = ... for every inet listener
DC_LL_PROTOCOLS="imap pop3"       # protocol blocks that load last_login
                                  # (imap pop3 lmtp lda doveadm)
DC_PLUGIN_SETTINGS=""             # lines inside plugin { }, e.g.
                                  # "last_login_dict = redis:..."
DC_EXTRA=""                       # any further top-level config text
                                  # (dict { }, namespace { }, service { })
DC_MAIL_LOCATION='maildir:~/Maildir'
DC_USERDB_SETTINGS=""             # lines inside the passwd-file userdb
                                  # block (2.3 and 2.4 name them alike)
DC_IMAP_PORT='' DC_POP3_PORT='' DC_LMTP_PORT=''

# dc_render_listeners: the listeners, written alike in 2.3 and 2.4 syntax:
# the scenario's ports, and no listener on a default port.
dc_render_listeners() {
	cat <<CONF
service imap-login {
  inet_listener imap {
    port = ${DC_IMAP_PORT:-0}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${DC_POP3_PORT:-0}
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    port = ${DC_LMTP_PORT:-0}
  }
  unix_listener lmtp {
    mode = 0666
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
CONF
}

# dc_render: the ONE place that turns the DC_* variables into config text.
dc_render() {
	local p
	# LL_SELFTEST_ALTER makes this side write another key: the runner's
	# self-test proves the side-by-side comparison notices.
	local settings=$DC_PLUGIN_SETTINGS
	if [ -n "${LL_SELFTEST_ALTER:-}" ]; then
		settings+=$'\n''last_login_key = altered/%u'
	fi
	case $DC_SYNTAX in
	2.3) ;;
	2.4) dc_render_24 "$settings"; return ;;
	*) echo "dc_render: unsupported syntax $DC_SYNTAX" >&2; return 1 ;;
	esac
	cat <<CONF
# Rendered by tests/integration/lib/config.sh for one scenario.
base_dir = $DC_DIR/run
state_dir = $DC_DIR/state
instance_name = lltest-$LL_PORT_BASE$DC_INSTANCE_SUFFIX
log_path = $DC_LOG
log_timestamp = "%H:%M:%S "
protocols = $DC_PROTOCOLS
listen = $DC_LISTEN
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $DC_UID
last_valid_uid = $DC_UID
mail_location = $DC_MAIL_LOCATION
mail_plugin_dir = $DC_PLUGIN_DIR
# The scenario's own plugin dir: no module from the system dir sneaks in.
mail_plugins =
imap_hibernate_timeout = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DC_USERS
}
userdb {
  driver = passwd-file
  args = $DC_USERS
${DC_USERDB_SETTINGS:+$DC_USERDB_SETTINGS
}}
$(dc_render_listeners)
service managesieve-login {
  inet_listener sieve {
    port = 0
  }
}
CONF
	for p in $DC_LL_PROTOCOLS; do
		printf 'protocol %s {\n  mail_plugins = $mail_plugins last_login\n}\n' "$p"
	done
	printf 'plugin {\n'
	[ -n "$settings" ] && printf '%s\n' "$settings" | sed 's/^/  /'
	printf '}\n'
	[ -n "$DC_EXTRA" ] && printf '%s\n' "$DC_EXTRA"
	return 0
}
