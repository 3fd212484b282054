/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "last-login-timestamp.h"
#include "test-common.h"

/* 2026-11-21 12:00:00 UTC */
#define TEST_SEC 1795262400

static const char *
fmt(time_t sec, long nsec, enum last_login_precision precision)
{
	struct timespec ts = { .tv_sec = sec, .tv_nsec = nsec };

	return last_login_timestamp_format(&ts, precision);
}

static void test_precision_parse_accepts_the_four_names(void **state)
{
	enum last_login_precision p = LAST_LOGIN_PRECISION_NS;

	(void)state;
	assert_int_equal(last_login_precision_parse("s", &p), 0);
	assert_int_equal(p, LAST_LOGIN_PRECISION_S);
	assert_int_equal(last_login_precision_parse("ms", &p), 0);
	assert_int_equal(p, LAST_LOGIN_PRECISION_MS);
	assert_int_equal(last_login_precision_parse("us", &p), 0);
	assert_int_equal(p, LAST_LOGIN_PRECISION_US);
	assert_int_equal(last_login_precision_parse("ns", &p), 0);
	assert_int_equal(p, LAST_LOGIN_PRECISION_NS);
}

static void test_precision_parse_unset_is_seconds(void **state)
{
	enum last_login_precision p = LAST_LOGIN_PRECISION_NS;

	(void)state;
	assert_int_equal(last_login_precision_parse(NULL, &p), 0);
	assert_int_equal(p, LAST_LOGIN_PRECISION_S);
	p = LAST_LOGIN_PRECISION_NS;
	assert_int_equal(last_login_precision_parse("", &p), 0);
	assert_int_equal(p, LAST_LOGIN_PRECISION_S);
}

static void test_precision_parse_rejects_others(void **state)
{
	static const char *const bad[] = {
		"S", "MS", "Ms", "sec", "seconds", "m", "u", "n",
		"s ", " s", "ms\n", "µs", "0", "1000", "nss",
	};
	enum last_login_precision p = LAST_LOGIN_PRECISION_US;
	unsigned int i;

	(void)state;
	for (i = 0; i < N_ELEMENTS(bad); i++) {
		assert_int_equal(last_login_precision_parse(bad[i], &p), -1);
		/* a rejected value leaves the output alone */
		assert_int_equal(p, LAST_LOGIN_PRECISION_US);
	}
}

static void test_format_seconds(void **state)
{
	(void)state;
	assert_string_equal(fmt(TEST_SEC, 0, LAST_LOGIN_PRECISION_S),
			    "1795262400");
	/* the sub-second part is dropped, not rounded */
	assert_string_equal(fmt(TEST_SEC, 999999999,
				LAST_LOGIN_PRECISION_S), "1795262400");
}

static void test_format_milliseconds(void **state)
{
	(void)state;
	assert_string_equal(fmt(TEST_SEC, 0, LAST_LOGIN_PRECISION_MS),
			    "1795262400000");
	assert_string_equal(fmt(TEST_SEC, 7000000, LAST_LOGIN_PRECISION_MS),
			    "1795262400007");
	assert_string_equal(fmt(TEST_SEC, 999999999,
				LAST_LOGIN_PRECISION_MS), "1795262400999");
}

static void test_format_microseconds(void **state)
{
	(void)state;
	assert_string_equal(fmt(TEST_SEC, 0, LAST_LOGIN_PRECISION_US),
			    "1795262400000000");
	assert_string_equal(fmt(TEST_SEC, 42000, LAST_LOGIN_PRECISION_US),
			    "1795262400000042");
	assert_string_equal(fmt(TEST_SEC, 999999999,
				LAST_LOGIN_PRECISION_US), "1795262400999999");
}

static void test_format_nanoseconds(void **state)
{
	(void)state;
	assert_string_equal(fmt(TEST_SEC, 0, LAST_LOGIN_PRECISION_NS),
			    "1795262400000000000");
	assert_string_equal(fmt(TEST_SEC, 5, LAST_LOGIN_PRECISION_NS),
			    "1795262400000000005");
	assert_string_equal(fmt(TEST_SEC, 999999999,
				LAST_LOGIN_PRECISION_NS),
			    "1795262400999999999");
	/* real nanoseconds, not microseconds padded with "000" */
	assert_string_equal(fmt(TEST_SEC, 123456789,
				LAST_LOGIN_PRECISION_NS),
			    "1795262400123456789");
}

static void test_format_digit_counts(void **state)
{
	(void)state;
	/* what admins see today: 10, 13, 16 and 19 digits */
	assert_int_equal(strlen(fmt(TEST_SEC, 1, LAST_LOGIN_PRECISION_S)), 10);
	assert_int_equal(strlen(fmt(TEST_SEC, 1, LAST_LOGIN_PRECISION_MS)), 13);
	assert_int_equal(strlen(fmt(TEST_SEC, 1, LAST_LOGIN_PRECISION_US)), 16);
	assert_int_equal(strlen(fmt(TEST_SEC, 1, LAST_LOGIN_PRECISION_NS)), 19);
}

static void test_format_epoch_has_no_leading_zeros(void **state)
{
	(void)state;
	assert_string_equal(fmt(0, 0, LAST_LOGIN_PRECISION_NS), "0");
	assert_string_equal(fmt(0, 5000000, LAST_LOGIN_PRECISION_MS), "5");
	assert_string_equal(fmt(1, 5000000, LAST_LOGIN_PRECISION_MS), "1005");
}

static void test_format_largest_time(void **state)
{
	(void)state;
	/* the largest nanosecond timestamp that fits in 64 bits:
	   2554-07-21T23:34:33.709551615Z */
	assert_string_equal(fmt(18446744073LL, 709551615,
				LAST_LOGIN_PRECISION_NS),
			    "18446744073709551615");
}

/* last_login_interval in the stored value's units */
static void test_interval_units(void **state)
{
	(void)state;
	assert_int_equal(last_login_timestamp_units(0,
						    LAST_LOGIN_PRECISION_NS),
			 0);
	assert_int_equal(last_login_timestamp_units(3600,
						    LAST_LOGIN_PRECISION_S),
			 3600);
	assert_int_equal(last_login_timestamp_units(3600,
						    LAST_LOGIN_PRECISION_MS),
			 3600000);
	assert_int_equal(last_login_timestamp_units(60,
						    LAST_LOGIN_PRECISION_US),
			 60000000);
	/* a year of nanoseconds does not overflow */
	assert_true(last_login_timestamp_units(366 * 86400,
					       LAST_LOGIN_PRECISION_NS) ==
		    366ULL * 86400 * 1000000000);
}

/* A stored value is read in whichever precision wrote it. */
static void test_parse_any_precision(void **state)
{
	struct timespec ts;

	(void)state;
	assert_int_equal(last_login_timestamp_parse("1796103225", &ts), 0);
	assert_int_equal(ts.tv_sec, 1796103225);
	assert_int_equal(ts.tv_nsec, 0);
	assert_int_equal(last_login_timestamp_parse("1796103225072", &ts), 0);
	assert_int_equal(ts.tv_sec, 1796103225);
	assert_int_equal(ts.tv_nsec, 72000000);
	assert_int_equal(last_login_timestamp_parse("1796103225072001",
						    &ts), 0);
	assert_int_equal(ts.tv_nsec, 72001000);
	assert_int_equal(last_login_timestamp_parse("1796103225072001009",
						    &ts), 0);
	assert_int_equal(ts.tv_sec, 1796103225);
	assert_int_equal(ts.tv_nsec, 72001009);
	/* 2000-01-01, the first time accepted */
	assert_int_equal(last_login_timestamp_parse("946684800", &ts), 0);
}

/* What is no time between 2000 and 2100 in any precision is no time. */
static void test_parse_rejects_no_time(void **state)
{
	static const char *const values[] = {
		"", "abc", "-5", " 1796103225", "1796103225 ", "+1796103225",
		"0", "946684799", "99999999999", "4102444800",
		"99999999999999999999", "1.5", NULL
	};
	struct timespec ts;
	unsigned int i;

	(void)state;
	for (i = 0; values[i] != NULL; i++)
		assert_int_equal(last_login_timestamp_parse(values[i], &ts),
				 -1);
}

static void test_cmp_and_within(void **state)
{
	struct timespec a = { 1796103225, 500 }, b = { 1796103225, 501 };
	struct timespec c = { 1796106825, 500 };

	(void)state;
	assert_true(last_login_timestamp_cmp(&a, &b) < 0);
	assert_true(last_login_timestamp_cmp(&b, &a) > 0);
	assert_int_equal(last_login_timestamp_cmp(&a, &a), 0);
	/* c is exactly an hour after a: not within it */
	assert_true(last_login_timestamp_within(&a, &b, 3600));
	assert_false(last_login_timestamp_within(&a, &c, 3600));
	assert_true(last_login_timestamp_within(&a, &c, 3601));
	/* an earlier time is within any interval */
	assert_true(last_login_timestamp_within(&c, &a, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precision_parse_accepts_the_four_names),
		cmocka_unit_test(test_precision_parse_unset_is_seconds),
		cmocka_unit_test(test_precision_parse_rejects_others),
		cmocka_unit_test(test_format_seconds),
		cmocka_unit_test(test_format_milliseconds),
		cmocka_unit_test(test_format_microseconds),
		cmocka_unit_test(test_format_nanoseconds),
		cmocka_unit_test(test_format_digit_counts),
		cmocka_unit_test(test_format_epoch_has_no_leading_zeros),
		cmocka_unit_test(test_format_largest_time),
		cmocka_unit_test(test_interval_units),
		cmocka_unit_test(test_parse_any_precision),
		cmocka_unit_test(test_parse_rejects_no_time),
		cmocka_unit_test(test_cmp_and_within),
	};
	return LAST_LOGIN_RUN_TESTS(tests);
}
