/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "str.h"
#include "last-login-redact.h"

#define LAST_LOGIN_SECRET_PARAM "password="

/* The next "password=" in str, in any case, or NULL. */
static const char *last_login_find_secret(const char *str)
{
	const size_t len = strlen(LAST_LOGIN_SECRET_PARAM);

	for (; *str != '\0'; str++) {
		if (strncasecmp(str, LAST_LOGIN_SECRET_PARAM, len) == 0)
			return str;
	}
	return NULL;
}

static bool last_login_secret_value_end(char c)
{
	return c == '\0' || c == ':' || c == ' ' || c == '\t' ||
		c == '\r' || c == '\n';
}

const char *last_login_redact_secrets(const char *str)
{
	const char *p = str, *value;
	string_t *dest;

	if (last_login_find_secret(str) == NULL)
		return str;

	dest = t_str_new(strlen(str) + 16);
	while ((value = last_login_find_secret(p)) != NULL) {
		value += strlen(LAST_LOGIN_SECRET_PARAM);
		str_append_data(dest, p, value - p);
		str_append(dest, LAST_LOGIN_REDACTED);
		for (p = value; !last_login_secret_value_end(*p); p++) ;
	}
	str_append(dest, p);
	return str_c(dest);
}
