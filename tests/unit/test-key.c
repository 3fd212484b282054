/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "last-login-key.h"
#include "test-common.h"

static void test_key_default_is_last_login_username(void **state)
{
	(void)state;
	assert_string_equal(last_login_key_build(NULL, "alice@example.com"),
			    "shared/last-login/alice@example.com");
	assert_string_equal(last_login_key_build(NULL, "bob"),
			    "shared/last-login/bob");
}

static void test_key_configured_is_written_under_shared(void **state)
{
	(void)state;
	/* Dovecot has already expanded the %-variables */
	assert_string_equal(
		last_login_key_build("last-login/imap/alice/127.0.0.1",
				     "alice"),
		"shared/last-login/imap/alice/127.0.0.1");
	assert_string_equal(last_login_key_build("x", "alice"), "shared/x");
}

static void test_key_is_not_escaped_or_changed(void **state)
{
	(void)state;
	/* what the admin's template produced is what the backend gets */
	assert_string_equal(last_login_key_build("ll/a b/%/ü/", "u"),
			    "shared/ll/a b/%/ü/");
	assert_string_equal(last_login_key_build(NULL, "we/ird%user"),
			    "shared/last-login/we/ird%user");
	assert_string_equal(last_login_key_build("ll/%u", "alice"),
			    "shared/ll/%u");
}

static void test_key_empty_is_refused(void **state)
{
	(void)state;
	assert_null(last_login_key_build("", "alice"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_default_is_last_login_username),
		cmocka_unit_test(test_key_configured_is_written_under_shared),
		cmocka_unit_test(test_key_is_not_escaped_or_changed),
		cmocka_unit_test(test_key_empty_is_refused),
	};
	return LAST_LOGIN_RUN_TESTS(tests);
}
