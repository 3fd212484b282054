/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "last-login-retry.h"
#include "test-common.h"

#define T(kind, uncertain, error) \
	last_login_retry_is_transient(LAST_LOGIN_DICT_KIND_##kind, \
				      uncertain, error)

static void test_retry_unreachable_backend(void **state)
{
	(void)state;
	/* the plugin's own probe, and what the redis driver says */
	assert_true(T(REDIS, FALSE, "connect(127.0.0.1:1) failed: "
		      "Connection refused"));
	assert_true(T(REDIS, FALSE, "redis: Commit timed out in 1.000 secs"));
	assert_true(T(REDIS, FALSE, "Disconnected during transaction"));
	/* the dict server's connection broke or timed out */
	assert_true(T(PROXY, TRUE, "Connection closed"));
	assert_true(T(LOCAL, TRUE, "anything uncertain"));
	/* the dict server answered that its SQL backend is down */
	assert_true(T(PROXY, FALSE, "dict-server returned failure: "
		      "Not connected to database"));
	assert_true(T(PROXY, FALSE, "dict-server returned failure: "
		      "MySQL server has gone away"));
	assert_true(T(PROXY, FALSE, "dict-server returned failure: "
		      "Lost connection to server during query"));
	assert_true(T(PROXY, FALSE, "dict-server returned failure: "
		      "server closed the connection unexpectedly"));
	assert_true(T(PROXY, FALSE, "dict-server returned failure: "
		      "sql dict: commit failed: Connection was killed"));
}

static void test_retry_refused_write_ends(void **state)
{
	(void)state;
	/* the configuration is wrong: it fails the same way again */
	assert_false(T(PROXY, FALSE, "dict-server returned failure: "
		       "sql dict set: Invalid/unmapped key: shared/x"));
	assert_false(T(PROXY, FALSE, "dict-server returned failure: "
		       "Table 'mail.last_login' doesn't exist"));
	assert_false(T(PROXY, FALSE, "dict-server returned failure: "
		       "Column 'last_ip' cannot be null"));
	assert_false(T(LOCAL, FALSE, "dict-file: file_dotlock_open(/x/dict) "
		       "failed: Not a directory"));
}

static void test_retry_backoff_doubles_to_a_minute(void **state)
{
	unsigned int msecs = 0, i;
	static const unsigned int expected[] = {
		1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000
	};

	(void)state;
	for (i = 0; i < N_ELEMENTS(expected); i++) {
		msecs = last_login_retry_next_msecs(msecs);
		assert_int_equal(msecs, expected[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_unreachable_backend),
		cmocka_unit_test(test_retry_refused_write_ends),
		cmocka_unit_test(test_retry_backoff_doubles_to_a_minute),
	};
	return LAST_LOGIN_RUN_TESTS(tests);
}
