/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "str.h"
#include "last-login-fields.h"
#include "test-common.h"

/* NAME, VALUE, ... NULL: the settings a test's user has. */
static const char *test_fields_getenv(const char *name, void *context)
{
	const char *const *env = context;

	for (; *env != NULL; env += 2) {
		if (strcmp(env[0], name) == 0)
			return env[1];
	}
	return NULL;
}

/* The values last_login_fields_next() gives for env, space-separated,
   each as NAME=VALUE. */
static const char *fields_read(const char *const *env)
{
	string_t *str = t_str_new(128);
	const char *name, *value;
	unsigned int n = 0;

	while ((value = last_login_fields_next(test_fields_getenv,
					       (void *)env, &n,
					       &name)) != NULL)
		str_printfa(str, "%s%s=%s", str_len(str) > 0 ? " " : "",
			    name, value);
	/* the end stays the end */
	assert_null(last_login_fields_next(test_fields_getenv, (void *)env,
					   &n, &name));
	return str_c(str);
}

static void test_fields_next_reads_in_order(void **state)
{
	const char *env[] = {
		"last_login_dict_fields2", "b=2",
		"last_login_dict_fields", "a=1",
		"last_login_dict_fields3", "c=3",
		NULL
	};

	(void)state;
	assert_string_equal(fields_read(env),
		"last_login_dict_fields=a=1 last_login_dict_fields2=b=2 "
		"last_login_dict_fields3=c=3");
}

static void test_fields_next_skips_an_unset_first(void **state)
{
	const char *unset[] = {
		"last_login_dict_fields2", "b=2",
		"last_login_dict_fields3", "c=3",
		NULL
	};
	const char *empty[] = {
		"last_login_dict_fields", "",
		"last_login_dict_fields2", "b=2",
		NULL
	};

	(void)state;
	assert_string_equal(fields_read(unset),
		"last_login_dict_fields2=b=2 last_login_dict_fields3=c=3");
	assert_string_equal(fields_read(empty), "last_login_dict_fields2=b=2");
}

static void test_fields_next_stops_at_a_later_gap(void **state)
{
	const char *env[] = {
		"last_login_dict_fields", "a=1",
		"last_login_dict_fields3", "c=3",
		NULL
	};
	const char *none[] = { NULL };

	(void)state;
	assert_string_equal(fields_read(env), "last_login_dict_fields=a=1");
	assert_string_equal(fields_read(none), "");
}

static void assert_field(const char *str, const char *key, const char *value)
{
	struct last_login_field field;
	const char *error = NULL;

	assert_int_equal(last_login_field_parse(str, &field, &error), 0);
	assert_null(error);
	assert_string_equal(field.key, key);
	assert_string_equal(field.value, value);
}

static void assert_field_refused(const char *str, const char *error)
{
	struct last_login_field field;
	const char *error_r = NULL;

	assert_int_equal(last_login_field_parse(str, &field, &error_r), -1);
	assert_string_equal(error_r, error);
}

static void test_fields_setting_names_are_numbered(void **state)
{
	(void)state;
	/* as quota_rule, quota_rule2: the first has no number */
	assert_string_equal(last_login_fields_setting_name(1),
			    "last_login_dict_fields");
	assert_string_equal(last_login_fields_setting_name(2),
			    "last_login_dict_fields2");
	assert_string_equal(last_login_fields_setting_name(10),
			    "last_login_dict_fields10");
}

static void test_field_splits_at_first_equals(void **state)
{
	(void)state;
	assert_field("last-login-ip/imap/alice=127.0.0.1",
		     "last-login-ip/imap/alice", "127.0.0.1");
	/* a value may hold '=' (a client's ID, a base64 string) */
	assert_field("k=a=b==", "k", "a=b==");
}

static void test_field_trims_spaces_around_equals(void **state)
{
	(void)state;
	assert_field("  last-login-ip/alice  =  ::1  ",
		     "last-login-ip/alice", "::1");
	assert_field("k\t=\tv", "k", "v");
	/* inside key and value, spaces stay */
	assert_field("a b = Mail Client 1.0", "a b", "Mail Client 1.0");
}

static void test_field_empty_value_is_kept(void **state)
{
	(void)state;
	/* dovecot-lda, doveadm, LMTP over a unix socket: no address */
	assert_field("last-login-ip/lda/alice=",
		     "last-login-ip/lda/alice", "");
	assert_field("k = ", "k", "");
}

static void test_field_without_key_or_equals_is_refused(void **state)
{
	(void)state;
	assert_field_refused("last-login-ip/alice",
			     "Missing '=' between key and value");
	assert_field_refused("=127.0.0.1", "The key is empty");
	assert_field_refused("  = x", "The key is empty");
}

static void assert_bool(const char *str, bool default_value, bool expected)
{
	const char *error = NULL;
	bool value = !expected;

	assert_int_equal(last_login_bool_parse(str, default_value, &value,
					       &error), 0);
	assert_int_equal(value, expected);
	assert_null(error);
}

static void test_bool_as_dovecot_settings(void **state)
{
	const char *error = NULL;
	bool value = TRUE;

	(void)state;
	assert_bool("yes", FALSE, TRUE);
	assert_bool("YES", FALSE, TRUE);
	assert_bool("y", FALSE, TRUE);
	assert_bool("1", FALSE, TRUE);
	assert_bool("no", TRUE, FALSE);
	assert_bool("No", TRUE, FALSE);
	/* unset or empty: the default */
	assert_bool(NULL, FALSE, FALSE);
	assert_bool("", TRUE, TRUE);

	/* Dovecot 2.3 refuses these too */
	assert_int_equal(last_login_bool_parse("maybe", FALSE, &value,
					       &error), -1);
	assert_string_equal(error, "Invalid boolean value (use yes or no)");
	assert_int_equal(last_login_bool_parse("0", FALSE, &value,
					       &error), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_setting_names_are_numbered),
		cmocka_unit_test(test_fields_next_reads_in_order),
		cmocka_unit_test(test_fields_next_skips_an_unset_first),
		cmocka_unit_test(test_fields_next_stops_at_a_later_gap),
		cmocka_unit_test(test_field_splits_at_first_equals),
		cmocka_unit_test(test_field_trims_spaces_around_equals),
		cmocka_unit_test(test_field_empty_value_is_kept),
		cmocka_unit_test(test_field_without_key_or_equals_is_refused),
		cmocka_unit_test(test_bool_as_dovecot_settings),
	};
	return LAST_LOGIN_RUN_TESTS(tests);
}
