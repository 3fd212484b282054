# Redis: the default key, then `last-login/%{service}/%{user}/%{rip}`
# at every precision, written by IMAP (LOGIN and AUTHENTICATE), POP3, LMTP
# (TCP and unix socket), dovecot-lda and doveadm; a login from 127.0.0.2
# gets its own key. %{rip} is the documentation's %{remote_ip}, which
# 2.3.13 does not know (dc_render_24 writes %{remote_ip} for 2.4).
rd_start
dc_add_user alice
DC_LL_PROTOCOLS="imap pop3 lmtp lda doveadm"

# 1. No last_login_key: the default `last-login/<user>`, precision s.
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT"
dc_start
run_step default-imap imap_login alice
expect_ok
rd_step_obs
check_written last-login/alice 10
check_only_written last-login/alice
dc_log_obs
check_log_count last_login 0
check_no_log_errors

# 2. Every precision with a key naming service, user and client address.
key='last-login/%{service}/%{user}/%{rip}'
declare -A digits=([s]=10 [ms]=13 [us]=16 [ns]=19)
ns_real=no
# imap_step NAME KEY CLIENT...: one IMAP login that must write only KEY
# with $d digits; an ns value not ending in 000 shows real nanoseconds.
imap_step() {
	local name=$1 written=$2
	shift 2
	run_step "$name" "$@"
	expect_ok
	rd_step_obs
	check_written "$written" "$d"
	check_only_written "$written"
	if [ "$prec" = ns ] && [[ ${RD_WRITTEN[$written]} != *000 ]]; then
		ns_real=yes
	fi
}
for prec in s ms us ns; do
	DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT
last_login_key = $key
last_login_precision = $prec"
	dc_restart
	d=${digits[$prec]}

	imap_step "$prec-imap-login" last-login/imap/alice/127.0.0.1 \
		imap_login alice
	imap_step "$prec-imap-authenticate" last-login/imap/alice/127.0.0.1 \
		imap_auth alice
	CLIENT_SRC=127.0.0.2 imap_step "$prec-imap-from-127.0.0.2" \
		last-login/imap/alice/127.0.0.2 imap_login alice

	run_step "$prec-pop3" pop3_login alice
	expect_ok
	rd_step_obs
	check_written last-login/pop3/alice/127.0.0.1 "$d"
	check_only_written last-login/pop3/alice/127.0.0.1

	dc_log_obs
	check_log_count last_login 0
	check_no_log_errors
done
# ns: ours writes real nanoseconds, stock microseconds followed by "000"
# before 2.4.5 (intended difference 1), from 2.4.5 real nanoseconds too
# (i_nanoseconds()). Three ns values ending in 000 by chance: 1e-9.
obs "ns-real-nanoseconds: $ns_real"
if [ "$LL_PLUGIN" = ours ] || dc_version_ge 2.4.5; then
	check_eq "ns precision writes real nanoseconds" yes "$ns_real"
else
	check_eq "stock ns precision is microseconds+000" no "$ns_real"
fi

# 3. Deliveries and doveadm (precision ns still configured: digits 19).
run_step lmtp-tcp lmtp_deliver alice
expect_ok
rd_step_obs
check_written last-login/lmtp/alice/127.0.0.1 19
check_only_written last-login/lmtp/alice/127.0.0.1

run_step lmtp-unix lmtp_deliver_unix alice
expect_ok
rd_step_obs
# No client address over a unix socket: %{rip} expands empty.
check_written last-login/lmtp/alice/ 19
check_only_written last-login/lmtp/alice/

run_step lda lda_deliver alice
expect_ok
rd_step_obs
check_written last-login/lda/alice/ 19
check_only_written last-login/lda/alice/

run_step doveadm doveadm_list alice
expect_ok
rd_step_obs
check_written last-login/doveadm/alice/ 19
check_only_written last-login/doveadm/alice/

dc_log_obs
check_log_count last_login 0
check_no_log_errors
