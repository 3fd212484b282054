/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
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
	const char *p = str, *value, *dest = "";

	/* Rare (an error line with a secret) and short: concatenated piece
	   by piece. */
	while ((value = last_login_find_secret(p)) != NULL) {
		value += strlen(LAST_LOGIN_SECRET_PARAM);
		dest = t_strconcat(dest, t_strdup_until(p, value),
				   LAST_LOGIN_REDACTED, NULL);
		for (p = value; !last_login_secret_value_end(*p); p++) ;
	}
	return p == str ? str : t_strconcat(dest, p, NULL);
}
