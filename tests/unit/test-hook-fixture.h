#ifndef TEST_HOOK_FIXTURE_H
#define TEST_HOOK_FIXTURE_H

/* What test-plugin-hook.c needs from Dovecot where its API differs:
   loading the built module with Dovecot's module loader and logging a
   mail user in with the plugin's settings. test-hook-fixture.c, with
   what differs per API chosen by configure like the plugin's glue:
   test-hook-fixture-2.3.c (userdb fields that become plugin { }
   settings) or test-hook-fixture-2.4.c (userdb fields that override
   typed settings, the dict a filter inside last_login { }). */

struct mail_user;

enum test_hook_dict {
	/* No dict configured at all. */
	TEST_HOOK_DICT_NONE = 0,
	/* A dict setting that is present but empty. */
	TEST_HOOK_DICT_EMPTY,
	/* Dovecot's file dict, writing to dict_path. */
	TEST_HOOK_DICT_FILE,
	/* A dict driver that Dovecot does not have; on 2.3 its URI holds
	   a password, which must not reach the log. */
	TEST_HOOK_DICT_UNKNOWN_DRIVER,
};

/* The plugin's settings of a user, in terms of any Dovecot version. */
struct test_hook_settings {
	enum test_hook_dict dict;
	const char *dict_path;
	/* last_login_key and last_login_precision, NULL for unset */
	const char *key;
	const char *precision;
	/* last_login_dict_fields: KEY, VALUE, ..., NULL; NULL for none.
	   Keys may hold %{user}; values are taken literally. */
	const char *const *fields;
	/* last_login_interval as written, NULL for unset */
	const char *interval;
	/* last_login_ignore_master_users as written, NULL for unset */
	const char *ignore_master_users;
	/* What auth's userdb reply says: a master user's login, an account
	   whose logins don't count (last_login_disable). */
	const char *master_user;
	const char *disable;
};

/* A last_login_key that expands to TEST_HOOK_VARIABLES_KEY for
   TEST_HOOK_USER: the same variables in this API's syntax. */
extern const char *const test_hook_variables_key;
#define TEST_HOOK_USER "alice@example.com"
#define TEST_HOOK_SERVICE "test-last-login"
#define TEST_HOOK_VARIABLES_KEY \
	"ll/" TEST_HOOK_SERVICE "/" TEST_HOOK_USER "/alice/example.com/" \
	TEST_HOOK_SERVICE

/* Loads lib10_last_login_plugin.so from plugin_dir with Dovecot's module
   loader (ABI check included) and starts Dovecot's storage service; the
   users' homes go below home_root. Needs master_service. */
struct test_hook_fixture *
test_hook_fixture_init(const char *plugin_dir, const char *home_root);
void test_hook_fixture_deinit(struct test_hook_fixture **fix);

/* Logs username in: the storage service creates the mail user, which
   runs the plugin's hook. One user at a time. */
struct mail_user *
test_hook_login(struct test_hook_fixture *fix, const char *username,
		const struct test_hook_settings *set);
/* Logs the user of test_hook_login() out (frees it). */
void test_hook_logout(struct test_hook_fixture *fix);

#endif
