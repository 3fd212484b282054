/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The plugin's settings on Dovecot 2.3: plugin {} environment values
   that Dovecot has already %-expanded for the user. */

#include "lib.h"
#include "array.h"
#include "settings-parser.h"
#include "mail-user.h"
#include "last-login-glue.h"

/* A time setting in milliseconds (msecs) or seconds; unset or empty is
   default_value. Zero is refused where it makes no sense (min_one). */
static int
last_login_time_get(struct mail_user *user, const char *name, bool msecs,
		    bool min_one, unsigned int default_value,
		    unsigned int *value_r, const char **error_r)
{
	const char *value, *error;
	int ret;

	value = mail_user_plugin_getenv(user, name);
	if (value == NULL || *value == '\0') {
		*value_r = default_value;
		return 0;
	}
	ret = msecs ? settings_get_time_msecs(value, value_r, &error) :
		settings_get_time(value, value_r, &error);
	if (ret == 0) {
		if (*value_r > 0 || !min_one)
			return 0;
		/* as 2.4's settings check */
		error = "must be greater than 0";
	}
	*error_r = t_strdup_printf("Invalid %s '%s': %s: login not recorded",
				   name, value, error);
	return -1;
}

static int
last_login_bool_get(struct mail_user *user, const char *name, bool *value_r,
		    const char **error_r)
{
	const char *value = mail_user_plugin_getenv(user, name), *error;

	if (last_login_bool_parse(value, FALSE, value_r, &error) == 0)
		return 0;
	*error_r = t_strdup_printf("Invalid %s '%s': %s: login not recorded",
				   name, value, error);
	return -1;
}

static const char *last_login_user_getenv(const char *name, void *context)
{
	return mail_user_plugin_getenv(context, name);
}

/* The numbered last_login_dict_fields, in order. */
static void
last_login_fields_get(struct mail_user *user,
		      ARRAY_TYPE(last_login_field) *fields)
{
	struct last_login_field field;
	const char *name, *value, *error;
	unsigned int n = 0;

	t_array_init(fields, 4);
	while ((value = last_login_fields_next(last_login_user_getenv, user,
					       &n, &name)) != NULL) {
		if (last_login_field_parse(value, &field, &error) < 0) {
			/* The other fields and the time are still written. */
			e_error(user->event, "last_login_dict: Invalid %s "
				"'%s': %s: field not written",
				name, value, error);
			continue;
		}
		array_push_back(fields, &field);
	}
}

int last_login_glue_settings_get(struct mail_user *user,
				 struct last_login_settings *set_r,
				 const char **error_r)
{
	bool disable;

	i_zero(set_r);
	set_r->dict_uri = mail_user_plugin_getenv(user, "last_login_dict");
	if (set_r->dict_uri == NULL || *set_r->dict_uri == '\0')
		return 0;
	/* From the userdb, for accounts whose logins don't count. */
	if (last_login_bool_get(user, "last_login_disable", &disable,
				error_r) < 0)
		return -1;
	if (disable) {
		e_debug(user->event, "last_login_dict: last_login_disable "
			"is set: login not recorded");
		return 0;
	}
	set_r->key = mail_user_plugin_getenv(user, "last_login_key");
	set_r->precision = mail_user_plugin_getenv(user,
						   "last_login_precision");
	/* No wait at all would abandon every write that is not done at the
	   end of a session. */
	if (last_login_time_get(user, "last_login_timeout", TRUE, TRUE,
				LAST_LOGIN_DEFAULT_TIMEOUT_MSECS,
				&set_r->timeout_msecs, error_r) < 0)
		return -1;
	if (last_login_time_get(user, "last_login_interval", FALSE, FALSE, 0,
				&set_r->interval_secs, error_r) < 0)
		return -1;
	if (last_login_bool_get(user, "last_login_ignore_master_users",
				&set_r->ignore_master_users, error_r) < 0)
		return -1;
	last_login_fields_get(user, &set_r->fields);
	return 1;
}
