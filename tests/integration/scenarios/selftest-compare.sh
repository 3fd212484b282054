# The smallest end-to-end check, also used by the runner's self-test of
# the ours-vs-stock comparison: one IMAP login, default key, redis.
rd_start
DC_PLUGIN_SETTINGS="last_login_dict = $RD_DICT"
dc_add_user alice
dc_start

run_step imap-login imap_login alice
expect_ok
rd_step_obs
check_written last-login/alice 10
check_only_written last-login/alice
dc_log_obs
check_log_count last_login 0
check_no_log_errors
