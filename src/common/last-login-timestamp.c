/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "str.h"
#include "strnum.h"
#include "last-login-timestamp.h"

#include <time.h>

/* 9999-12-31T23:59:59Z: beyond it the year has five digits, which
   ISO 8601 doesn't allow without an agreement, and 32-bit tm_year
   still holds it everywhere. */
#define LAST_LOGIN_TIMESTAMP_MAX_SEC 253402300799ULL

struct last_login_precision_def {
	const char *name;
	/* 10^digits of the sub-second part */
	uint64_t units_per_sec;
};

static const struct last_login_precision_def last_login_precisions[] = {
	[LAST_LOGIN_PRECISION_S] = { "s", 1 },
	[LAST_LOGIN_PRECISION_MS] = { "ms", 1000 },
	[LAST_LOGIN_PRECISION_US] = { "us", 1000000 },
	[LAST_LOGIN_PRECISION_NS] = { "ns", 1000000000 },
};

int last_login_precision_parse(const char *str,
			       enum last_login_precision *precision_r)
{
	unsigned int i;

	if (str == NULL || *str == '\0') {
		*precision_r = LAST_LOGIN_PRECISION_S;
		return 0;
	}
	for (i = 0; i < N_ELEMENTS(last_login_precisions); i++) {
		if (strcmp(str, last_login_precisions[i].name) == 0) {
			*precision_r = i;
			return 0;
		}
	}
	return -1;
}

const char *
last_login_timestamp_format(const struct timespec *ts,
			    enum last_login_precision precision)
{
	uint64_t units = last_login_precisions[precision].units_per_sec;
	uint64_t ns_per_unit = 1000000000 / units;

	i_assert(precision < N_ELEMENTS(last_login_precisions));
	i_assert(ts->tv_sec >= 0);
	i_assert(ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000);

	/* Integer arithmetic truncates like the stock plugin does; uint64
	   holds nanoseconds until the year 2554. */
	return dec2str((uint64_t)ts->tv_sec * units +
		       (uint64_t)ts->tv_nsec / ns_per_unit);
}

uint64_t last_login_timestamp_units(unsigned int secs,
				    enum last_login_precision precision)
{
	i_assert(precision < N_ELEMENTS(last_login_precisions));
	return (uint64_t)secs * last_login_precisions[precision].units_per_sec;
}

/* 2000-01-01 and 2100-01-01 in Unix seconds: the times a stored value
   may hold. */
#define LAST_LOGIN_TIME_MIN_SECS 946684800ULL
#define LAST_LOGIN_TIME_END_SECS 4102444800ULL

int last_login_timestamp_parse(const char *value, struct timespec *ts_r)
{
	enum last_login_precision precision;

	return last_login_timestamp_parse_precision(value, ts_r, &precision);
}

/* A stored value as a number: decimal digits only (str_to_uint64()
   takes no sign or space either; say it here). */
static int last_login_timestamp_number(const char *value, uint64_t *num_r)
{
	const char *p;

	for (p = value; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
	}
	return str_to_uint64(value, num_r);
}

/* num in units of 1/units seconds as a time */
static void last_login_timestamp_split(uint64_t num, uint64_t units,
				       struct timespec *ts_r)
{
	ts_r->tv_sec = (time_t)(num / units);
	ts_r->tv_nsec = (long)(num % units * (1000000000 / units));
}

int last_login_timestamp_parse_precision(const char *value,
					 struct timespec *ts_r,
					 enum last_login_precision *precision_r)
{
	uint64_t num, units;
	unsigned int i;

	if (last_login_timestamp_number(value, &num) < 0)
		return -1;
	for (i = 0; i < N_ELEMENTS(last_login_precisions); i++) {
		units = last_login_precisions[i].units_per_sec;
		if (num >= LAST_LOGIN_TIME_MIN_SECS * units &&
		    num < LAST_LOGIN_TIME_END_SECS * units) {
			last_login_timestamp_split(num, units, ts_r);
			*precision_r = (enum last_login_precision)i;
			return 0;
		}
	}
	return -1;
}

int last_login_timestamp_cmp(const struct timespec *a,
			     const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	if (a->tv_nsec != b->tv_nsec)
		return a->tv_nsec < b->tv_nsec ? -1 : 1;
	return 0;
}

bool last_login_timestamp_within(const struct timespec *a,
				 const struct timespec *b, unsigned int secs)
{
	struct timespec end = *a;

	end.tv_sec += secs;
	return last_login_timestamp_cmp(b, &end) < 0;
}

int last_login_timestamp_parse_at(const char *value,
				  enum last_login_precision precision,
				  struct timespec *ts_r)
{
	uint64_t num, units = last_login_timestamp_units(1, precision);

	if (last_login_timestamp_number(value, &num) < 0 ||
	    num / units > LAST_LOGIN_TIMESTAMP_MAX_SEC)
		return -1;
	last_login_timestamp_split(num, units, ts_r);
	return 0;
}

const char *
last_login_timestamp_iso8601(const struct timespec *ts,
			     enum last_login_precision precision)
{
	struct tm tm;
	char buf[64];
	string_t *str;

	i_assert(precision <= LAST_LOGIN_PRECISION_NS);
	i_assert(ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000);

	/* parse_at() keeps parsed times in range; anything else that
	   gmtime_r() can't take is shown as what it is */
	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return t_strdup_printf("%lld", (long long)ts->tv_sec);

	str = t_str_new(sizeof(buf));
	str_append(str, buf);
	switch (precision) {
	case LAST_LOGIN_PRECISION_S:
		break;
	case LAST_LOGIN_PRECISION_MS:
		str_printfa(str, ".%03ld", (long)ts->tv_nsec / 1000000);
		break;
	case LAST_LOGIN_PRECISION_US:
		str_printfa(str, ".%06ld", (long)ts->tv_nsec / 1000);
		break;
	case LAST_LOGIN_PRECISION_NS:
		str_printfa(str, ".%09ld", (long)ts->tv_nsec);
		break;
	}
	str_append_c(str, 'Z');
	return str_c(str);
}
