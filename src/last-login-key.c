/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "last-login-key.h"

const char *last_login_key_build(const char *configured_key,
				 const char *username)
{
	if (configured_key == NULL) {
		return t_strconcat(LAST_LOGIN_KEY_NAMESPACE,
				   LAST_LOGIN_KEY_DEFAULT_PREFIX, username,
				   NULL);
	}
	if (*configured_key == '\0')
		return NULL;
	return t_strconcat(LAST_LOGIN_KEY_NAMESPACE, configured_key, NULL);
}
