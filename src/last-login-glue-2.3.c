/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* Glue for Dovecot 2.3: settings are plugin {} environment values that
   Dovecot has already %-expanded for the user, and the dict is named by
   a URI. Dovecot 2.3.17 moved the username and home directory from
   struct dict_settings to per-operation struct dict_op_settings. */

#include "lib.h"
#include "dict.h"
#include "settings-parser.h"
#include "mail-user.h"
#include "mail-storage-settings.h"
#include "last-login-dict-uri.h"
#include "last-login-redact.h"
#include "last-login-glue.h"

#ifdef HAVE_DICT_OP_SETTINGS
/* Keys are shared/: no operation needs a user. */
static const struct dict_op_settings last_login_dict_op_settings;
#endif

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

/* The numbered last_login_dict_fields, read as quota_rule's are: from
   the second on, the first one missing ends the list. */
static void
last_login_fields_get(struct mail_user *user,
		      ARRAY_TYPE(last_login_field) *fields)
{
	struct last_login_field field;
	const char *name, *value, *error;
	unsigned int n;

	t_array_init(fields, 4);
	for (n = 1; n <= LAST_LOGIN_FIELDS_MAX; n++) {
		name = last_login_fields_setting_name(n);
		value = mail_user_plugin_getenv(user, name);
		if (value == NULL || *value == '\0') {
			if (n == 1)
				continue;
			break;
		}
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

int last_login_glue_dict_target(struct mail_user *user,
				const struct last_login_settings *set,
				pool_t pool,
				struct last_login_dict_target *target_r,
				const char **error_r ATTR_UNUSED)
{
	const char *base_dir = user->set->base_dir;

	last_login_dict_uri_target(set->dict_uri, base_dir, target_r);
	/* The dict server's socket, and a relative proxy path, depend on
	   base_dir; everything else is in the URI. */
	target_r->id = p_strdup(pool, t_strconcat(base_dir, "\n",
						  set->dict_uri, NULL));
	target_r->socket_path = p_strdup(pool, target_r->socket_path);
	target_r->host = p_strdup(pool, target_r->host);
	return 0;
}

int last_login_glue_dict_init(struct mail_user *user,
			      const struct last_login_settings *set,
			      struct event *event,
			      struct dict **dict_r, const char **error_r)
{
	struct last_login_dict_target target;
	struct dict_settings dict_set;
	const char *uri = set->dict_uri, *error;

	last_login_dict_uri_target(uri, user->set->base_dir, &target);
	/* Bounds dict_wait() at process end (doc/write-path.md). */
	if (target.kind == LAST_LOGIN_DICT_KIND_REDIS)
		uri = last_login_dict_uri_redis_timeout(uri,
			last_login_request_msecs(set->timeout_msecs));

	i_zero(&dict_set);
	dict_set.base_dir = user->set->base_dir;
	dict_set.event_parent = event;
#ifndef HAVE_DICT_OP_SETTINGS
	/* The dict serves every user of the process, and its keys are
	   shared/: no user of its own. */
	dict_set.username = "";
#endif
	if (dict_init(uri, &dict_set, dict_r, &error) < 0) {
		*error_r = t_strdup_printf("dict_init(%s) failed: %s",
			last_login_redact_secrets(set->dict_uri),
			last_login_redact_secrets(error));
		return -1;
	}
	return 0;
}

struct dict_transaction_context *
last_login_glue_transaction_begin(struct dict *dict)
{
	struct dict_transaction_context *trans;

#ifdef HAVE_DICT_OP_SETTINGS
	trans = dict_transaction_begin(dict, &last_login_dict_op_settings);
#else
	trans = dict_transaction_begin(dict);
#endif
	/* No one waits for the commit, so a slow backend is no reason for
	   a warning. */
	dict_transaction_no_slowness_warning(trans);
	return trans;
}

void last_login_glue_lookup_async(struct dict *dict, const char *key,
				  dict_lookup_callback_t *callback,
				  void *context)
{
	/* (): the function, not the macro that checks the callback's
	   type against the context's, which void * can't pass. */
#ifdef HAVE_DICT_OP_SETTINGS
	(dict_lookup_async)(dict, &last_login_dict_op_settings, key,
			    callback, context);
#else
	(dict_lookup_async)(dict, key, callback, context);
#endif
}
