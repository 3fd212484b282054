/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "last-login-fields.h"

const char *last_login_fields_setting_name(unsigned int n)
{
	i_assert(n >= 1);
	if (n == 1)
		return LAST_LOGIN_FIELDS_SETTING;
	return t_strconcat(LAST_LOGIN_FIELDS_SETTING, dec2str(n), NULL);
}

const char *last_login_fields_next(last_login_fields_getenv_t *env_get,
				   void *context, unsigned int *n,
				   const char **name_r)
{
	const char *name, *value;

	while (*n < LAST_LOGIN_FIELDS_MAX) {
		name = last_login_fields_setting_name(++*n);
		value = env_get(name, context);
		if (value != NULL && *value != '\0') {
			*name_r = name;
			return value;
		}
		if (*n > 1)
			break;
	}
	*n = LAST_LOGIN_FIELDS_MAX;
	return NULL;
}

static const char *last_login_trim(const char *start, const char *end)
{
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return t_strdup_until(start, end);
}

int last_login_field_parse(const char *str, struct last_login_field *field_r,
			   const char **error_r)
{
	const char *eq = strchr(str, '=');

	if (eq == NULL) {
		*error_r = "Missing '=' between key and value";
		return -1;
	}
	field_r->key = last_login_trim(str, eq);
	field_r->value = last_login_trim(eq + 1, eq + strlen(eq));
	if (field_r->key[0] == '\0') {
		*error_r = "The key is empty";
		return -1;
	}
	return 0;
}

int last_login_bool_parse(const char *str, bool default_value,
			  bool *value_r, const char **error_r)
{
	if (str == NULL || *str == '\0')
		*value_r = default_value;
	else if (strcasecmp(str, "yes") == 0 || strcasecmp(str, "y") == 0 ||
		 strcmp(str, "1") == 0)
		*value_r = TRUE;
	else if (strcasecmp(str, "no") == 0)
		*value_r = FALSE;
	else {
		*error_r = "Invalid boolean value (use yes or no)";
		return -1;
	}
	return 0;
}
