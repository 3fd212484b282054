#ifndef LAST_LOGIN_TIMESTAMP_H
#define LAST_LOGIN_TIMESTAMP_H

#include <time.h>

/* How finely the login time is written: a decimal Unix timestamp in
   seconds, milliseconds, microseconds or nanoseconds. */
enum last_login_precision {
	LAST_LOGIN_PRECISION_S = 0,
	LAST_LOGIN_PRECISION_MS,
	LAST_LOGIN_PRECISION_US,
	LAST_LOGIN_PRECISION_NS,
};

/* The accepted values of last_login_precision, for error messages. */
#define LAST_LOGIN_PRECISION_NAMES "s, ms, us, ns"

/* Parse a last_login_precision value. NULL or "" means the default, "s".
   Only the four lowercase names are accepted. Returns 0 on success,
   -1 if the value is invalid. */
int last_login_precision_parse(const char *str,
			       enum last_login_precision *precision_r);

/* Format the time as a decimal Unix timestamp at the given precision,
   truncating (never rounding) the sub-second part. The result is
   allocated from the data stack. */
const char *
last_login_timestamp_format(const struct timespec *ts,
			    enum last_login_precision precision);

/* A number of seconds in the precision's units, as the difference of
   two timestamps of that precision. */
uint64_t last_login_timestamp_units(unsigned int secs,
				    enum last_login_precision precision);

/* Read a stored value as a time, whatever precision wrote it (another
   tool, or this plugin before last_login_precision changed): a decimal
   number that is a time between 2000 and 2100 in seconds, milliseconds,
   microseconds or nanoseconds. Those four ranges don't overlap, so the
   number of digits tells the unit. Returns 0, or -1 if the value is no
   such time. */
int last_login_timestamp_parse(const char *value, struct timespec *ts_r);
/* The same, and the precision the value is written in. */
int last_login_timestamp_parse_precision(
	const char *value, struct timespec *ts_r,
	enum last_login_precision *precision_r);

/* Compare two times: <0, 0 or >0 as a is before, at or after b. */
int last_login_timestamp_cmp(const struct timespec *a,
			     const struct timespec *b);

/* Whether b is less than secs seconds after a (b may be before a). */
bool last_login_timestamp_within(const struct timespec *a,
				 const struct timespec *b, unsigned int secs);

/* Parse a value as the plugin writes it: a decimal Unix timestamp at
   the precision. Sets *ts_r. Returns 0, or -1 if the value is not
   such a number (then the report shows it raw only). */
int last_login_timestamp_parse_at(const char *value,
				  enum last_login_precision precision,
				  struct timespec *ts_r);

/* The time in ISO 8601 UTC with as many fraction digits as the
   precision has (0, 3, 6, 9): "2026-12-01T05:26:20.123Z". Data
   stack. */
const char *
last_login_timestamp_iso8601(const struct timespec *ts,
			     enum last_login_precision precision);

#endif
