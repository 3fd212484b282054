/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "last-login-redact.h"
#include "test-common.h"

static void test_redact_leaves_uris_without_secrets(void **state)
{
	const char *uri = "redis:host=127.0.0.1:port=6379:timeout_msecs=500";

	(void)state;
	assert_string_equal(last_login_redact_secrets(uri), uri);
	assert_string_equal(last_login_redact_secrets("proxy::sql"),
			    "proxy::sql");
	assert_string_equal(last_login_redact_secrets(""), "");
}

static void test_redact_hides_password_values(void **state)
{
	(void)state;
	assert_string_equal(last_login_redact_secrets(
		"redis:host=127.0.0.1:password=s3cr3t:port=6379"),
		"redis:host=127.0.0.1:password=<hidden>:port=6379");
	assert_string_equal(last_login_redact_secrets(
		"redis:host=127.0.0.1:port=6379:password=s3cr3t"),
		"redis:host=127.0.0.1:port=6379:password=<hidden>");
	/* any case, and an error message quoting a connect string */
	assert_string_equal(last_login_redact_secrets(
		"Invalid parameter PASSWORD=x:y Password=z w"),
		"Invalid parameter PASSWORD=<hidden>:y Password=<hidden> w");
	/* an empty password still shows that one was set */
	assert_string_equal(last_login_redact_secrets("a:password=:b"),
			    "a:password=<hidden>:b");
}

static void test_redact_hides_every_occurrence(void **state)
{
	const char *out;

	(void)state;
	out = last_login_redact_secrets(
		"password=one password=two:password=three");
	assert_string_equal(out, "password=<hidden> password=<hidden>:"
			    "password=<hidden>");
	assert_null(strstr(out, "one"));
	assert_null(strstr(out, "two"));
	assert_null(strstr(out, "three"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact_leaves_uris_without_secrets),
		cmocka_unit_test(test_redact_hides_password_values),
		cmocka_unit_test(test_redact_hides_every_occurrence),
	};
	return LAST_LOGIN_RUN_TESTS(tests);
}
