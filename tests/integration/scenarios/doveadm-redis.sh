# doveadm last-login get on redis (lib/doveadm.sh): every formatter,
# the filters, -s, -u with a wildcard, -F, the userdb's key, the field
# column, the default services, the errors; a key ending in %{rip}
# refused (redis can't list keys: exit 64, once, the users before it
# shown); reading records no login, even with last_login in the global
# mail_plugins (doveadm mailbox list does record one); redis stopped:
# every row says error, exit 75.
source "$LL_ROOT/lib/doveadm.sh"
rd_start
dv_seed() { redis-cli -p "$RD_PORT" SET "$1" "$2" >/dev/null; }
DV_DICT=$RD_DICT
dv_setup
dc_start

dv_real_login
dv_seed_all
dv_cases

# A key per login: redis can't list keys, so no such user can be read.
dv_erin_add
key='logins/%s/%u/%{rip}'
dc_v24 && key=$(dc_vars_24 "$key")
refused="doveadm(erin): Error: last-login: last_login_key '$key' holds a value of each login (e.g. %{remote_ip}), and redis can't list keys: keep the key per user and put that value in last_login_dict_fields instead"
dv_case erin-refused 64 "$DV_HEADER" "$refused" -f tab last-login get -u erin
# -A: the users before erin are shown, then the command stops
dv_case erin-refused-all 64 "$(dv_tab "$(dv_row alice imap alice 192.0.2.7)"$'\n' \
	"$(dv_row alice pop3)"$'\n' "$(dv_row bob imap)"$'\n' \
	"$(dv_row bob pop3)"$'\n' "$(dv_row carol imap carol)"$'\n' \
	"$(dv_row carol pop3 carol)"$'\n' "$(dv_row dave imap dave 127.0.0.1)"$'\n' \
	"$(dv_row dave pop3)"$'\n')" "$refused" -f tab last-login get -A
dv_erin_remove

# Reading records no login: last_login in the global mail_plugins, so
# that doveadm's own mail users would load it; the default services are
# then every protocol, lda and doveadm.
DC_LL_PROTOCOLS=""
DC_EXTRA="mail_plugins = \$mail_plugins last_login"
DC_EXTRA_24="mail_plugins {
  last_login = yes
}"
dc_restart
DV_SERVICES="imap pop3 lmtp lda doveadm"
before=$(rd keys '*')
STEP=global-read
dv_run -f tab last-login get -A
check_eq "global-read: exit" 0 "$DV_RC"
check_eq "global-read: stderr" "" "$DV_ERR"
svc=$(awk -F '\t' '$1 == "alice" { printf "%s ", $2 }' <<<"$DV_OUT")
obs "global-read: services of alice: $svc"
check_eq "global-read: services of alice" "$DV_SERVICES " "$svc"
after=$(rd keys '*')
obs "global-read: keys unchanged: $([ "$before" = "$after" ] && echo yes || echo no)"
check_eq "global-read: keys after reading" "$before" "$after"
# doveadm's mail commands do load it: mailbox list records a login
run_step global-mailbox-list doveadm_list alice
expect_ok
after=$(rd keys 'last-login/doveadm/*' | cut -f1)
obs "global-mailbox-list: wrote $after"
check_eq "global-mailbox-list: key written" last-login/doveadm/alice "$after"

rd_stop
# Before 2.3.17 the dict had a username, empty here, in its log prefix.
redis_prefix="dict(redis)"
dc_version_ge 2.3.17 || redis_prefix="dict(redis)<>"
DV_EACH_ERR="$redis_prefix: conn 127.0.0.1:X: connect() failed: Connection refused"
DV_LOOKUP_ERR="redis: Communication failure (last reply: )"
dv_unreachable "$(dv_unreachable_err)"
