/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* Glue for Dovecot 2.4: settings are typed and come from settings_get(),
   already %{variable}-expanded for the user; the dict is not a URI but
   a named filter inside the plugin's own filter, e.g.
     last_login { dict redis { redis_host = 127.0.0.1 } }
   and is opened with dict_init_auto().

   The settings struct is registered under the same name, with the same
   keys, types and defaults as the stock plugin's, because Dovecot's
   config process knows these settings only from its built-in list
   (see doc/compatibility.md): our struct must match that list. */

#include "lib.h"
#include "array.h"
#include "dict.h"
#include "mail-user.h"
#include "settings.h"
#include "settings-parser.h"
#include "last-login-redact.h"
#include "last-login-glue.h"

/* The filter that holds the plugin's settings and its dict. */
#define LAST_LOGIN_FILTER_NAME "last_login"

struct last_login_2_4_settings {
	pool_t pool;
	const char *last_login_key;
	const char *last_login_precision;
};

#undef DEF
#define DEF(type, name) \
	SETTING_DEFINE_STRUCT_##type(#name, name, \
				     struct last_login_2_4_settings)

static const struct setting_define last_login_setting_defines[] = {
	{ .type = SET_FILTER_NAME, .key = LAST_LOGIN_FILTER_NAME },
	DEF(STR, last_login_key),
	DEF(ENUM, last_login_precision),
	SETTING_DEFINE_LIST_END
};

static const struct last_login_2_4_settings last_login_default_settings = {
	.last_login_key = "last-login/%{user}",
	/* An enum's default is its first value. */
	.last_login_precision = "s:ms:us:ns",
};

static const struct setting_parser_info last_login_setting_parser_info = {
	.name = "last_login",
	.defines = last_login_setting_defines,
	.defaults = &last_login_default_settings,
	.struct_size = sizeof(struct last_login_2_4_settings),
	.pool_offset1 = 1 + offsetof(struct last_login_2_4_settings, pool),
};

/* An event that sees the settings inside last_login { }. Its log
   prefix is what the dict driver's own log lines start with, as with
   the stock plugin. */
static struct event *last_login_event_create(struct mail_user *user)
{
	struct event *event = event_create(user->event);

	settings_event_add_filter_name(event, LAST_LOGIN_FILTER_NAME);
	event_set_append_log_prefix(event, "last_login_dict: ");
	return event;
}

/* Sets have_r to whether a dict is configured inside last_login { }.
   Returns 0, or -1 with error_r set if the settings can't be read. */
static int
last_login_have_dict(struct event *event, bool *have_r, const char **error_r)
{
	const struct dict_settings *dict_set;

	if (settings_get(event, &dict_setting_parser_info, 0,
			 &dict_set, error_r) < 0)
		return -1;
	*have_r = array_is_created(&dict_set->dicts) &&
		array_count(&dict_set->dicts) > 0;
	settings_free(dict_set);
	return 0;
}

int last_login_glue_settings_get(struct mail_user *user,
				 struct last_login_settings *set_r,
				 const char **error_r)
{
	const struct last_login_2_4_settings *set;
	struct event *event;
	bool have_dict = FALSE;
	int ret = 1;

	i_zero(set_r);
	event = last_login_event_create(user);
	/* The plugin's own settings first: a key that fails to expand is
	   reported even when no dict is configured, as by the stock plugin. */
	if (settings_get(event, &last_login_setting_parser_info, 0,
			 &set, error_r) < 0)
		ret = -1;
	else {
		/* Copied, so that the settings can be freed at once. */
		set_r->key = p_strdup(user->pool, set->last_login_key);
		set_r->precision = p_strdup(user->pool,
					    set->last_login_precision);
		settings_free(set);
		if (last_login_have_dict(event, &have_dict, error_r) < 0)
			ret = -1;
		else if (!have_dict)
			ret = 0;
	}
	event_unref(&event);
	return ret;
}

int last_login_glue_dict_init(struct mail_user *user,
			      const struct last_login_settings *set ATTR_UNUSED,
			      struct dict **dict_r, const char **error_r)
{
	struct event *event;
	const char *error;
	int ret;

	event = last_login_event_create(user);
	ret = dict_init_auto(event, dict_r, &error);
	event_unref(&event);
	if (ret < 0) {
		/* The reason alone, as the stock 2.4 plugin logs it (e.g.
		   "Unknown dict module: x"): 2.4 has no URI to name. */
		*error_r = last_login_redact_secrets(error);
		return -1;
	}
	if (ret == 0) {
		/* settings_get() found a dict, so this is not expected */
		*error_r = "No dict in last_login { }";
		return -1;
	}
	return 0;
}

struct dict_transaction_context *
last_login_glue_transaction_begin(struct mail_user *user, struct dict *dict)
{
	struct dict_op_settings *op_set;

	/* The login does not wait for the commit, so a slow backend is no
	   reason for a warning; 2.4 has this as an operation setting. */
	op_set = p_new(user->pool, struct dict_op_settings, 1);
	*op_set = *mail_user_get_dict_op_settings(user);
	op_set->no_slowness_warning = TRUE;
	return dict_transaction_begin(dict, op_set);
}
