/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "array.h"
#include "last-login-report.h"
#include "test-common.h"

/* 2026-11-21 12:00:00 UTC */
#define TEST_SEC 1795262400
#define TEST_DAY (24 * 60 * 60)

#define TEST_INTERVAL_HELP \
	"use a number and a unit (s, m, h, d, w), e.g. 365d"

static void assert_interval(const char *str, time_t expected)
{
	const char *error = NULL;
	time_t secs = 0;

	assert_int_equal(last_login_report_interval_parse(str, &secs,
							  &error), 0);
	assert_null(error);
	assert_int_equal(secs, expected);
}

static void assert_interval_refused(const char *str, const char *error)
{
	const char *error_r = NULL;
	time_t secs = 42;

	assert_int_equal(last_login_report_interval_parse(str, &secs,
							  &error_r), -1);
	assert_string_equal(error_r, error);
	assert_int_equal(secs, 42);
}

static void assert_interval_unreadable(const char *str)
{
	assert_interval_refused(str, t_strdup_printf(
		"Invalid --older-than '%s': "TEST_INTERVAL_HELP, str));
}

static void test_interval_units(void **state)
{
	(void)state;
	assert_interval("1s", 1);
	assert_interval("90m", 90 * 60);
	assert_interval("36h", 36 * 60 * 60);
	assert_interval("365d", 365 * TEST_DAY);
	assert_interval("2w", 14 * TEST_DAY);
	/* a number with leading zeros is still that number */
	assert_interval("007d", 7 * TEST_DAY);
}

static void test_interval_units_add_up(void **state)
{
	(void)state;
	assert_interval("1d12h", TEST_DAY + 12 * 60 * 60);
	assert_interval("1w1d1h1m1s", 8 * TEST_DAY + 60 * 60 + 60 + 1);
	/* in any order, repeated, with parts of zero */
	assert_interval("30m1h", 90 * 60);
	assert_interval("1d1d", 2 * TEST_DAY);
	assert_interval("0d1s", 1);
}

static void test_interval_without_unit_is_refused(void **state)
{
	(void)state;
	/* the mistake the message is written for */
	assert_interval_refused("365", "Invalid --older-than '365': "
				"use a number and a unit (s, m, h, d, w), "
				"e.g. 365d");
	assert_interval_unreadable("");
	assert_interval_unreadable("d");
	assert_interval_unreadable("1d12");
	assert_interval_unreadable("1dd");
}

static void test_interval_junk_is_refused(void **state)
{
	(void)state;
	/* units are lowercase; no months or years: their length varies */
	assert_interval_unreadable("1D");
	assert_interval_unreadable("1y");
	assert_interval_unreadable("1M");
	assert_interval_unreadable("1ms");
	assert_interval_unreadable("1day");
	assert_interval_unreadable("-1d");
	assert_interval_unreadable("+1d");
	assert_interval_unreadable(" 1d");
	assert_interval_unreadable("1d ");
	assert_interval_unreadable("1 d");
	assert_interval_unreadable("1d 12h");
	assert_interval_unreadable("1.5d");
	assert_interval_unreadable("0x10s");
}

static void test_interval_zero_is_refused(void **state)
{
	(void)state;
	assert_interval_refused("0d", "Invalid --older-than '0d': "
				"must be above zero");
	assert_interval_refused("0s0m0w", "Invalid --older-than '0s0m0w': "
				"must be above zero");
}

static void test_interval_overflow_is_refused(void **state)
{
	(void)state;
	if (sizeof(time_t) != 8)
		skip();
	/* the largest time_t is still a (silly) interval */
	assert_interval("9223372036854775807s", INT64_MAX);
	assert_interval("15250284452471w", 15250284452471 * 7 * TEST_DAY);
	assert_interval_refused("9223372036854775808s",
		"Invalid --older-than '9223372036854775808s': too long");
	assert_interval_refused("15250284452472w",
		"Invalid --older-than '15250284452472w': too long");
	/* each part fits, the sum doesn't */
	assert_interval_refused("9223372036854775807s1s",
		"Invalid --older-than '9223372036854775807s1s': too long");
	/* more than uint64 holds */
	assert_interval_refused("99999999999999999999999d",
		"Invalid --older-than '99999999999999999999999d': too long");
}


static void test_age_units(void **state)
{
	(void)state;
	assert_string_equal(last_login_report_age(TEST_SEC - 5, TEST_SEC),
			    "5s");
	assert_string_equal(last_login_report_age(TEST_SEC - 725, TEST_SEC),
			    "12m 5s");
	assert_string_equal(last_login_report_age(TEST_SEC - 3 * 3600 - 720,
						  TEST_SEC), "3h 12m");
	assert_string_equal(last_login_report_age(
		TEST_SEC - 412 * TEST_DAY - 3 * 3600, TEST_SEC), "412d 3h");
	/* the smaller units are dropped, not rounded */
	assert_string_equal(last_login_report_age(
		TEST_SEC - 412 * TEST_DAY - 3 * 3600 - 3599, TEST_SEC),
		"412d 3h");
	/* since the epoch: 20778.5 days */
	assert_string_equal(last_login_report_age(0, TEST_SEC), "20778d 12h");
}

static void test_age_boundaries(void **state)
{
	static const struct {
		time_t secs;
		const char *age;
	} tests[] = {
		{ 1, "1s" },
		{ 59, "59s" },
		{ 60, "1m 0s" },
		{ 61, "1m 1s" },
		{ 3599, "59m 59s" },
		{ 3600, "1h 0m" },
		{ 3659, "1h 0m" },
		{ 3660, "1h 1m" },
		{ TEST_DAY - 1, "23h 59m" },
		{ TEST_DAY, "1d 0h" },
		{ TEST_DAY + 3599, "1d 0h" },
		{ TEST_DAY + 3600, "1d 1h" },
		{ 365 * TEST_DAY, "365d 0h" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < N_ELEMENTS(tests); i++) {
		assert_string_equal(last_login_report_age(
			TEST_SEC - tests[i].secs, TEST_SEC), tests[i].age);
	}
}

static void test_age_now_and_future(void **state)
{
	(void)state;
	assert_string_equal(last_login_report_age(TEST_SEC, TEST_SEC), "0s");
	/* another host's clock ahead of ours */
	assert_string_equal(last_login_report_age(TEST_SEC + 1, TEST_SEC),
			    "0s");
	assert_string_equal(last_login_report_age(TEST_SEC + 5 * TEST_DAY,
						  TEST_SEC), "0s");
	if (sizeof(time_t) == 8) {
		/* a difference beyond time_t still comes out right */
		assert_string_equal(last_login_report_age(INT64_MIN + 1,
							  INT64_MAX),
				    "213503982334601d 7h");
	}
}

static void assert_column(const char *key_template, const char *column)
{
	assert_string_equal(last_login_report_field_column(key_template),
			    column);
}

static void test_field_column_before_first_variable(void **state)
{
	(void)state;
	assert_column("last-login-ip/%s/%u", "last-login-ip");
	assert_column("last-login-ip/%{service}/%{user}", "last-login-ip");
	assert_column("last-login-ip/%{user | lower}", "last-login-ip");
	assert_column("shared/last-login-id/%u", "shared/last-login-id");
	assert_column("a/b/%u/c/%s", "a/b");
	/* one variable per user, the text after it isn't the column */
	assert_column("ip-%u-last", "ip");
}

static void test_field_column_drops_separators(void **state)
{
	(void)state;
	assert_column("ll-%u", "ll");
	assert_column("ll_%u", "ll");
	assert_column("ll.%u", "ll");
	assert_column("ll:%u", "ll");
	assert_column("ll@%d", "ll");
	assert_column("ll/-_.:@%u", "ll");
	/* only at the end */
	assert_column("last_login-ip.v4/%u", "last_login-ip.v4");
}

static void test_field_column_empty_gives_template(void **state)
{
	(void)state;
	assert_column("%u/last-login-ip", "%u/last-login-ip");
	assert_column("/%u", "/%u");
	assert_column("%{user}", "%{user}");
	assert_column("", "");
	/* without variables the whole template, its end trimmed */
	assert_column("last-login-ip", "last-login-ip");
	assert_column("last-login-ip/", "last-login-ip");
	assert_column("///", "///");
}

static void
assert_services(ARRAY_TYPE(const_string) *services, const char *str,
		const char *const *expected, unsigned int count)
{
	const char *error = NULL, *const *names;
	char *input = t_strdup_noconst(str);
	unsigned int i, n;

	assert_int_equal(last_login_report_services_parse(input, services,
							  &error), 0);
	assert_null(error);
	/* the names are copies: the caller may free the argument */
	memset(input, 'X', strlen(input));
	names = array_get(services, &n);
	assert_int_equal(n, count);
	for (i = 0; i < n; i++)
		assert_string_equal(names[i], expected[i]);
}

static void test_services_split_and_trimmed(void **state)
{
	static const char *const imap[] = { "imap" };
	static const char *const imap_pop3[] = { "imap", "pop3" };
	ARRAY_TYPE(const_string) services;

	(void)state;
	t_array_init(&services, 4);
	assert_services(&services, "imap", imap, 1);
	array_clear(&services);
	assert_services(&services, "imap,pop3", imap_pop3, 2);
	array_clear(&services);
	assert_services(&services, " imap ,\tpop3 ", imap_pop3, 2);
}

static void test_services_empty_and_repeats_dropped(void **state)
{
	static const char *const imap_pop3[] = { "imap", "pop3" };
	static const char *const three[] = { "imap", "pop3", "lmtp" };
	ARRAY_TYPE(const_string) services;

	(void)state;
	t_array_init(&services, 4);
	assert_services(&services, ",imap,,pop3,", imap_pop3, 2);
	array_clear(&services);
	assert_services(&services, "imap,imap,pop3,imap", imap_pop3, 2);
	array_clear(&services);
	assert_services(&services, "imap , imap", imap_pop3, 1);
	/* a second -s adds to the first */
	assert_services(&services, "pop3", imap_pop3, 2);
	assert_services(&services, "pop3,lmtp,imap", three, 3);
	/* names are case-sensitive, as Dovecot's protocols are */
	array_clear(&services);
	assert_services(&services, "imap,IMAP", (const char *const[]){
		"imap", "IMAP" }, 2);
}

static void test_services_none_is_refused(void **state)
{
	static const char *const bad[] = { "", ",", " ", " , ,\t", ",,," };
	ARRAY_TYPE(const_string) services;
	const char *error;
	unsigned int i;

	(void)state;
	t_array_init(&services, 4);
	for (i = 0; i < N_ELEMENTS(bad); i++) {
		error = NULL;
		assert_int_equal(last_login_report_services_parse(
			bad[i], &services, &error), -1);
		assert_string_equal(error, "-s: no service given");
		assert_int_equal(array_count(&services), 0);
	}
}

static void assert_plugins(const char *output, bool expected)
{
	assert_int_equal(last_login_report_plugins_have_last_login(output),
			 expected);
}

static void test_plugins_2_3_word_list(void **state)
{
	(void)state;
	assert_plugins("quota last_login acl\n", TRUE);
	assert_plugins("last_login", TRUE);
	assert_plugins("last_login\n\n", TRUE);
	assert_plugins("  quota\tlast_login  \n", TRUE);
	assert_plugins("quota,last_login\n", TRUE);
	assert_plugins("quota last_login\r\n", TRUE);
	/* doveconf without -h */
	assert_plugins("mail_plugins = quota last_login\n", TRUE);
	assert_plugins("quota acl\n", FALSE);
	assert_plugins("mail_plugins = quota acl\n", FALSE);
	/* whole words only */
	assert_plugins("last_login_x quota xlast_login last\n", FALSE);
	assert_plugins("lastlogin last-login LAST_LOGIN\n", FALSE);
}

static void test_plugins_2_4_lines(void **state)
{
	(void)state;
	assert_plugins("quota = yes\nlast_login = yes\n", TRUE);
	assert_plugins("last_login = yes", TRUE);
	assert_plugins("last_login=yes\n", TRUE);
	assert_plugins("mail_plugins {\n  quota = yes\n"
		       "  last_login = yes\n}\n", TRUE);
	assert_plugins("quota = yes\nlast_login = no\n", FALSE);
	assert_plugins("quota = yes\nacl = yes\n", FALSE);
	assert_plugins("last_login_x = yes\n", FALSE);
	assert_plugins("last_login = maybe\n", FALSE);
	assert_plugins("last_login = \n", FALSE);
	/* the last mention wins */
	assert_plugins("last_login = yes\nlast_login = no\n", FALSE);
	assert_plugins("last_login = no\nlast_login = yes\n", TRUE);
}

static void test_plugins_empty_output(void **state)
{
	(void)state;
	assert_plugins("", FALSE);
	assert_plugins("\n", FALSE);
	assert_plugins("\n\n\n", FALSE);
	assert_plugins("  \n", FALSE);
}

static void assert_prefix(const char *key, const char *prefix)
{
	const char *prefix_r = NULL;

	assert_int_equal(last_login_report_iterate_prefix(key, &prefix_r), 0);
	assert_string_equal(prefix_r, prefix);
}

static void assert_prefix_refused(const char *key)
{
	const char *prefix_r = NULL;

	assert_int_equal(last_login_report_iterate_prefix(key, &prefix_r), -1);
	assert_null(prefix_r);
}

static void test_iterate_prefix_before_marker(void **state)
{
	(void)state;
	assert_prefix("priv/last-login-ip/imap/alice/"LAST_LOGIN_REPORT_MARKER,
		      "priv/last-login-ip/imap/alice/");
	/* what follows the marker is left to the iteration */
	assert_prefix("shared/last-login/alice/"LAST_LOGIN_REPORT_MARKER
		      "/imap", "shared/last-login/alice/");
	assert_prefix("a/"LAST_LOGIN_REPORT_MARKER"/b/"
		      LAST_LOGIN_REPORT_MARKER, "a/");
	assert_prefix("/"LAST_LOGIN_REPORT_MARKER, "/");
}

static void test_iterate_prefix_refused(void **state)
{
	(void)state;
	/* a dict can't list the keys that start with "alice-" */
	assert_prefix_refused("last-login-ip/alice-"LAST_LOGIN_REPORT_MARKER);
	assert_prefix_refused("last-login-ip/alice"LAST_LOGIN_REPORT_MARKER);
	assert_prefix_refused(LAST_LOGIN_REPORT_MARKER"/alice");
	assert_prefix_refused("");
	/* no marker, or half of it */
	assert_prefix_refused("last-login-ip/alice/");
	assert_prefix_refused("last-login-ip/alice/\001");
	assert_prefix_refused("last-login-ip/alice/\002\001");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_units),
		cmocka_unit_test(test_interval_units_add_up),
		cmocka_unit_test(test_interval_without_unit_is_refused),
		cmocka_unit_test(test_interval_junk_is_refused),
		cmocka_unit_test(test_interval_zero_is_refused),
		cmocka_unit_test(test_interval_overflow_is_refused),
		cmocka_unit_test(test_age_units),
		cmocka_unit_test(test_age_boundaries),
		cmocka_unit_test(test_age_now_and_future),
		cmocka_unit_test(test_field_column_before_first_variable),
		cmocka_unit_test(test_field_column_drops_separators),
		cmocka_unit_test(test_field_column_empty_gives_template),
		cmocka_unit_test(test_services_split_and_trimmed),
		cmocka_unit_test(test_services_empty_and_repeats_dropped),
		cmocka_unit_test(test_services_none_is_refused),
		cmocka_unit_test(test_plugins_2_3_word_list),
		cmocka_unit_test(test_plugins_2_4_lines),
		cmocka_unit_test(test_plugins_empty_output),
		cmocka_unit_test(test_iterate_prefix_before_marker),
		cmocka_unit_test(test_iterate_prefix_refused),
	};
	return LAST_LOGIN_RUN_TESTS(tests);
}
