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

static void
assert_value(const char *value, enum last_login_precision precision,
	     time_t sec, long nsec)
{
	struct timespec ts = { .tv_sec = -1, .tv_nsec = -1 };

	assert_int_equal(last_login_timestamp_parse_at(value, precision,
						       &ts), 0);
	assert_int_equal(ts.tv_sec, sec);
	assert_int_equal(ts.tv_nsec, nsec);
}

static void
assert_value_refused(const char *value, enum last_login_precision precision)
{
	struct timespec ts = { .tv_sec = 7, .tv_nsec = 8 };

	assert_int_equal(last_login_timestamp_parse_at(value, precision,
						       &ts), -1);
	/* a refused value leaves the output alone */
	assert_int_equal(ts.tv_sec, 7);
	assert_int_equal(ts.tv_nsec, 8);
}

static void test_value_at_each_precision(void **state)
{
	(void)state;
	assert_value("1795262400", LAST_LOGIN_PRECISION_S, TEST_SEC, 0);
	assert_value("1795262400123", LAST_LOGIN_PRECISION_MS,
		     TEST_SEC, 123000000);
	assert_value("1795262400123456", LAST_LOGIN_PRECISION_US,
		     TEST_SEC, 123456000);
	/* 19 digits */
	assert_value("1795262400123456789", LAST_LOGIN_PRECISION_NS,
		     TEST_SEC, 123456789);
	/* the sub-second part keeps its leading zeros' meaning */
	assert_value("1795262400007", LAST_LOGIN_PRECISION_MS,
		     TEST_SEC, 7000000);
	assert_value("1795262400000000001", LAST_LOGIN_PRECISION_NS,
		     TEST_SEC, 1);
}

static void test_value_epoch_and_small(void **state)
{
	(void)state;
	assert_value("0", LAST_LOGIN_PRECISION_S, 0, 0);
	assert_value("0", LAST_LOGIN_PRECISION_NS, 0, 0);
	assert_value("999", LAST_LOGIN_PRECISION_MS, 0, 999000000);
	assert_value("999999999", LAST_LOGIN_PRECISION_NS, 0, 999999999);
	assert_value("1000000000", LAST_LOGIN_PRECISION_NS, 1, 0);
	assert_value("0001", LAST_LOGIN_PRECISION_S, 1, 0);
}

static void test_value_largest(void **state)
{
	(void)state;
	/* ns: all of uint64, in the year 2554 */
	assert_value("18446744073709551615", LAST_LOGIN_PRECISION_NS,
		     18446744073, 709551615);
	assert_value_refused("18446744073709551616", LAST_LOGIN_PRECISION_NS);
	/* s, ms, us: up to the end of the year 9999 */
	assert_value("253402300799", LAST_LOGIN_PRECISION_S,
		     253402300799, 0);
	assert_value_refused("253402300800", LAST_LOGIN_PRECISION_S);
	assert_value("253402300799999", LAST_LOGIN_PRECISION_MS,
		     253402300799, 999000000);
	assert_value_refused("253402300800000", LAST_LOGIN_PRECISION_MS);
	assert_value_refused("253402300800000000", LAST_LOGIN_PRECISION_US);
	assert_value_refused("18446744073709551615", LAST_LOGIN_PRECISION_S);
	assert_value_refused("99999999999999999999999",
			     LAST_LOGIN_PRECISION_S);
}

static void test_value_junk_is_refused(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1.5", "1e9", "0x10", "abc",
		"1795262400\n", "1795262400s", "2026-11-21T12:00:00Z",
		/* a fullwidth digit one */
		"\xef\xbc\x91",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < N_ELEMENTS(bad); i++) {
		assert_value_refused(bad[i], LAST_LOGIN_PRECISION_S);
		assert_value_refused(bad[i], LAST_LOGIN_PRECISION_NS);
	}
}

static const char *
iso(time_t sec, long nsec, enum last_login_precision precision)
{
	struct timespec ts = { .tv_sec = sec, .tv_nsec = nsec };

	return last_login_timestamp_iso8601(&ts, precision);
}

static void test_iso8601_fraction_digits(void **state)
{
	(void)state;
	assert_string_equal(iso(TEST_SEC, 123456789, LAST_LOGIN_PRECISION_S),
			    "2026-11-21T12:00:00Z");
	assert_string_equal(iso(TEST_SEC, 123456789, LAST_LOGIN_PRECISION_MS),
			    "2026-11-21T12:00:00.123Z");
	assert_string_equal(iso(TEST_SEC, 123456789, LAST_LOGIN_PRECISION_US),
			    "2026-11-21T12:00:00.123456Z");
	assert_string_equal(iso(TEST_SEC, 123456789, LAST_LOGIN_PRECISION_NS),
			    "2026-11-21T12:00:00.123456789Z");
	/* truncated, not rounded */
	assert_string_equal(iso(TEST_SEC, 999999999, LAST_LOGIN_PRECISION_MS),
			    "2026-11-21T12:00:00.999Z");
	/* zero-padded on the left */
	assert_string_equal(iso(TEST_SEC, 7000000, LAST_LOGIN_PRECISION_MS),
			    "2026-11-21T12:00:00.007Z");
	assert_string_equal(iso(TEST_SEC, 5000, LAST_LOGIN_PRECISION_US),
			    "2026-11-21T12:00:00.000005Z");
	assert_string_equal(iso(TEST_SEC, 1, LAST_LOGIN_PRECISION_NS),
			    "2026-11-21T12:00:00.000000001Z");
}

static void test_iso8601_epoch(void **state)
{
	(void)state;
	assert_string_equal(iso(0, 0, LAST_LOGIN_PRECISION_S),
			    "1970-01-01T00:00:00Z");
	assert_string_equal(iso(0, 0, LAST_LOGIN_PRECISION_MS),
			    "1970-01-01T00:00:00.000Z");
	assert_string_equal(iso(0, 0, LAST_LOGIN_PRECISION_US),
			    "1970-01-01T00:00:00.000000Z");
	assert_string_equal(iso(0, 0, LAST_LOGIN_PRECISION_NS),
			    "1970-01-01T00:00:00.000000000Z");
}

static void test_iso8601_leap_years(void **state)
{
	(void)state;
	assert_string_equal(iso(1709164800, 0, LAST_LOGIN_PRECISION_S),
			    "2024-02-29T00:00:00Z");
	/* 2000 is a leap year, 2100 isn't */
	assert_string_equal(iso(951827696, 0, LAST_LOGIN_PRECISION_S),
			    "2000-02-29T12:34:56Z");
	assert_string_equal(iso(4107542399, 0, LAST_LOGIN_PRECISION_S),
			    "2100-02-28T23:59:59Z");
	assert_string_equal(iso(4107542400, 0, LAST_LOGIN_PRECISION_S),
			    "2100-03-01T00:00:00Z");
	/* and the last second of a leap year's 366 days */
	assert_string_equal(iso(1735689599, 0, LAST_LOGIN_PRECISION_S),
			    "2024-12-31T23:59:59Z");
}

static void test_iso8601_of_parsed_extremes(void **state)
{
	struct timespec ts;

	(void)state;
	assert_int_equal(last_login_timestamp_parse_at(
		"18446744073709551615", LAST_LOGIN_PRECISION_NS, &ts), 0);
	assert_string_equal(last_login_timestamp_iso8601(
		&ts, LAST_LOGIN_PRECISION_NS),
		"2554-07-21T23:34:33.709551615Z");
	assert_int_equal(last_login_timestamp_parse_at(
		"253402300799", LAST_LOGIN_PRECISION_S, &ts), 0);
	assert_string_equal(last_login_timestamp_iso8601(
		&ts, LAST_LOGIN_PRECISION_S), "9999-12-31T23:59:59Z");
}

static void test_iso8601_beyond_gmtime(void **state)
{
	(void)state;
	if (sizeof(time_t) != 8)
		skip();
	/* not from value_parse(); said as the seconds it is */
	assert_string_equal(iso(INT64_MAX, 5, LAST_LOGIN_PRECISION_NS),
			    "9223372036854775807");
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
		cmocka_unit_test(test_value_at_each_precision),
		cmocka_unit_test(test_value_epoch_and_small),
		cmocka_unit_test(test_value_largest),
		cmocka_unit_test(test_value_junk_is_refused),
		cmocka_unit_test(test_iso8601_fraction_digits),
		cmocka_unit_test(test_iso8601_epoch),
		cmocka_unit_test(test_iso8601_leap_years),
		cmocka_unit_test(test_iso8601_of_parsed_extremes),
		cmocka_unit_test(test_iso8601_beyond_gmtime),
	};
	return LAST_LOGIN_RUN_TESTS(tests);
}
