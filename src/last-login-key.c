/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "last-login-key.h"

const char *last_login_key_build(const char *configured_key,
				 const char *username)
{
	const char *key = configured_key;

	if (key == NULL)
		key = t_strdup_printf(LAST_LOGIN_KEY_DEFAULT_FMT, username);
	if (*key == '\0')
		return NULL;
	return t_strconcat(LAST_LOGIN_KEY_NAMESPACE, key, NULL);
}
