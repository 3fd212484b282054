# doveadm last-login get through Dovecot's doveadm HTTP API, as an admin
# panel calls it (lib/doveadm.sh): the command runs in the doveadm server
# process, which finds the services that record logins from the config
# too. The file dict; the real login; one user; every user idle for a
# year; those who never logged in; an unknown user; the file out of
# reach. The body of each answer is compared exactly.
source "$LL_ROOT/lib/doveadm.sh"
dv_file_dict
dv_seed() { dv_file_seed "$@"; }
dv_setup
dv_http_start
dv_real_login
dv_seed_all

alice=$(dv_row alice imap alice 192.0.2.7)$'\n'$(dv_row alice pop3)$'\n'
dv_http_case one-user 200 "$(dv_http_rows t1 "$alice")" \
	'[["lastLoginGet",{"user":"alice"},"t1"]]'
dv_http_case idle-365d 200 "$(dv_http_rows t2 "$alice")" \
	'[["lastLoginGet",{"allUsers":true,"olderThan":"365d"},"t2"]]'
dv_http_case never 200 "$(dv_http_rows t3 "$(dv_row bob imap)"$'\n' \
	"$(dv_row bob pop3)"$'\n')" \
	'[["lastLoginGet",{"allUsers":true,"never":true},"t3"]]'
dv_http_case unknown-user 200 "$(dv_http_exit t4 67)" \
	'[["lastLoginGet",{"user":"nobody-such"},"t4"]]'
# the file out of reach (the server reads as root: a mode would not do)
mv "$DICT_DIR" "$DICT_DIR.away"
touch "$DICT_DIR"
dv_http_case unreachable 200 "$(dv_http_exit t5 75)" \
	'[["lastLoginGet",{"user":"alice"},"t5"]]'
