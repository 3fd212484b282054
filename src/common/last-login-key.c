/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "dict.h"
#include "last-login-key.h"

const char *last_login_key_build(const char *configured_key,
				 const char *username)
{
	if (configured_key == NULL) {
		return t_strconcat(DICT_PATH_SHARED,
				   LAST_LOGIN_KEY_DEFAULT_PREFIX, username,
				   NULL);
	}
	if (*configured_key == '\0')
		return NULL;
	return t_strconcat(DICT_PATH_SHARED, configured_key, NULL);
}
