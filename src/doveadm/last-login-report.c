/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "strnum.h"
#include "last-login-report.h"

/* time_t is a signed integer type on every platform Dovecot builds on. */
#define LAST_LOGIN_TIME_T_MAX \
	(((uint64_t)1 << (sizeof(time_t) * CHAR_BIT - 1)) - 1)

#define LAST_LOGIN_INTERVAL_HELP \
	"use a number and a unit (s, m, h, d, w), e.g. 365d"

static uint64_t last_login_interval_unit(char unit)
{
	switch (unit) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 60 * 60;
	case 'd':
		return 24 * 60 * 60;
	case 'w':
		return 7 * 24 * 60 * 60;
	}
	return 0;
}

static int
last_login_interval_too_long(const char *str, const char **error_r)
{
	*error_r = t_strdup_printf("Invalid --older-than '%s': too long", str);
	return -1;
}

int last_login_report_interval_parse(const char *str, time_t *secs_r,
				     const char **error_r)
{
	const char *p = str, *end;
	uint64_t num, unit, total = 0;

	/* a sign, a space or a unit without a number stops the loop */
	while (*p >= '0' && *p <= '9') {
		/* with a digit first, only overflow makes the parse fail */
		if (str_parse_uint64(p, &num, &end) < 0)
			return last_login_interval_too_long(str, error_r);
		unit = last_login_interval_unit(*end);
		if (unit == 0)
			break;
		if (num > (LAST_LOGIN_TIME_T_MAX - total) / unit)
			return last_login_interval_too_long(str, error_r);
		total += num * unit;
		p = end + 1;
	}
	if (p == str || *p != '\0') {
		*error_r = t_strdup_printf("Invalid --older-than '%s': "
					   LAST_LOGIN_INTERVAL_HELP, str);
		return -1;
	}
	if (total == 0) {
		*error_r = t_strdup_printf(
			"Invalid --older-than '%s': must be above zero", str);
		return -1;
	}
	*secs_r = (time_t)total;
	return 0;
}

const char *last_login_report_age(time_t then, time_t now)
{
	uint64_t diff;

	if (then >= now)
		return "0s";
	/* unsigned: the true difference always fits, a signed one may not */
	diff = (uint64_t)now - (uint64_t)then;

	/* the second unit is shown even when 0, so that the columns of a
	   report line up and "1d 0h" isn't read as "about a day" */
	if (diff >= 24 * 60 * 60) {
		return t_strdup_printf("%"PRIu64"d %"PRIu64"h",
				       diff / (24 * 60 * 60),
				       diff % (24 * 60 * 60) / (60 * 60));
	}
	if (diff >= 60 * 60) {
		return t_strdup_printf("%"PRIu64"h %"PRIu64"m",
				       diff / (60 * 60),
				       diff % (60 * 60) / 60);
	}
	if (diff >= 60) {
		return t_strdup_printf("%"PRIu64"m %"PRIu64"s",
				       diff / 60, diff % 60);
	}
	return t_strdup_printf("%"PRIu64"s", diff);
}

const char *last_login_report_field_column(const char *key_template)
{
	const char *end = strchr(key_template, '%');

	if (end == NULL)
		end = key_template + strlen(key_template);
	while (end > key_template && strchr("/-_.:@", end[-1]) != NULL)
		end--;
	if (end == key_template)
		return key_template;
	return t_strdup_until(key_template, end);
}

static bool last_login_report_is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool
last_login_report_services_have(const ARRAY_TYPE(const_string) *services,
				const char *name)
{
	const char *old;

	array_foreach_elem(services, old) {
		if (strcmp(old, name) == 0)
			return TRUE;
	}
	return FALSE;
}

static const char *last_login_report_trim(const char *start, const char *end)
{
	while (start < end && last_login_report_is_space(*start))
		start++;
	while (end > start && last_login_report_is_space(end[-1]))
		end--;
	return t_strdup_until(start, end);
}

int last_login_report_services_parse(const char *str,
				     ARRAY_TYPE(const_string) *services,
				     const char **error_r)
{
	const char *const *names, *name;
	bool any = FALSE;

	for (names = t_strsplit(str, ","); *names != NULL; names++) {
		name = last_login_report_trim(*names, *names + strlen(*names));
		if (*name == '\0')
			continue;
		any = TRUE;
		/* checked against the whole array, so a second -s adds
		   only the names the first didn't give */
		if (!last_login_report_services_have(services, name))
			array_push_back(services, &name);
	}
	if (!any) {
		*error_r = "-s: no service given";
		return -1;
	}
	return 0;
}

static bool last_login_report_has_word(const char *str)
{
	const char *const *words;

	/* module_dir_load() splits mail_plugins at commas too */
	for (words = t_strsplit_spaces(str, " \t,"); *words != NULL; words++) {
		if (strcmp(*words, "last_login") == 0)
			return TRUE;
	}
	return FALSE;
}

bool last_login_report_plugins_have_last_login(const char *doveconf_output)
{
	const char *const *lines, *eq, *name, *value;
	bool found = FALSE;

	/* the last mention wins, as the last setting does in a config */
	for (lines = t_strsplit(doveconf_output, "\r\n"); *lines != NULL;
	     lines++) {
		eq = strchr(*lines, '=');
		if (eq == NULL) {
			/* 2.3 -h: "quota last_login" */
			if (last_login_report_has_word(*lines))
				found = TRUE;
			continue;
		}
		name = last_login_report_trim(*lines, eq);
		value = last_login_report_trim(eq + 1, eq + strlen(eq));
		if (strcmp(name, "last_login") == 0) {
			/* 2.4: "last_login = yes" */
			found = strcmp(value, "yes") == 0;
		} else if (last_login_report_has_word(value)) {
			/* 2.3 without -h: "mail_plugins = quota last_login" */
			found = TRUE;
		}
	}
	return found;
}

int last_login_report_iterate_prefix(const char *expanded_key,
				     const char **prefix_r)
{
	const char *marker = strstr(expanded_key, LAST_LOGIN_REPORT_MARKER);

	if (marker == NULL || marker == expanded_key || marker[-1] != '/')
		return -1;
	*prefix_r = t_strdup_until(expanded_key, marker);
	return 0;
}
