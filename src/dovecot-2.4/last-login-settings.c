/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The plugin's settings on Dovecot 2.4: typed, from settings_get(),
   already %{variable}-expanded for the user, inside the plugin's own
   filter (last_login { ... }). They are defined in
   last-login-settings-infos.c, which the settings module
   (liblast_login_settings.so) registers with the config process; see
   doc/compatibility.md. Without the module the plugin reads the stock
   plugin's settings alone, as before it existed. */

#include "lib.h"
#include "array.h"
#include "var-expand.h"
#include "dict.h"
#include "mail-user.h"
#include "settings.h"
#include "settings-parser.h"
#include "last-login-glue.h"
#include "last-login-settings.h"

struct event *last_login_settings_event_create(struct event *parent)
{
	struct event *event = event_create(parent);

	settings_event_add_filter_name(event, LAST_LOGIN_FILTER_NAME);
	return event;
}

/* Whether settings_get() failed only because the config process has no
   settings struct of this name: 2.4.1 says "<name> settings: Failed to
   parse configuration: BUG: Configuration has no settings struct named
   '<name>'" (settings.c, settings_mmap_apply()). Only the end of the
   text is compared, which names the struct. */
static bool
last_login_info_is_unknown(const struct setting_parser_info *info,
			   const char *error)
{
	const char *tail = t_strdup_printf(
		"Configuration has no settings struct named '%s'", info->name);
	size_t error_len = strlen(error), tail_len = strlen(tail);

	return error_len >= tail_len &&
		strcmp(error + error_len - tail_len, tail) == 0;
}

/* settings_get()'s errors start with the struct's name ("<name>
   settings: ..."). The plugin's struct is named last_login_ext only
   because the stock one is named last_login; its errors read as the
   stock plugin's, which are about the same settings. */
static const char *last_login_settings_error(const char *error)
{
	const char *rest;

	if (str_begins(error, last_login_ext_setting_parser_info.name,
		       &rest) && str_begins_with(rest, " settings")) {
		return t_strconcat(LAST_LOGIN_FILTER_NAME, rest, NULL);
	}
	return error;
}

/* Whether settings_get() failed because the config process's struct of
   this name has other keys ("settings struct <name> count mismatch" or
   "#<n> key mismatch", settings.c, settings_mmap_validate()): the
   stock plugin of another release. */
static bool
last_login_info_is_other(const struct setting_parser_info *info,
			 const char *error)
{
	const char *head = t_strdup_printf("settings struct %s ", info->name);
	const char *p = strstr(error, head);

	return p != NULL && strstr(p, " mismatch ") != NULL;
}

/* The stock plugin's info that this process's config matches: found at
   the first read, kept for the process's life. */
static const struct setting_parser_info *last_login_stock_info;

/* Without the settings module the config process knows only the stock
   plugin's keys, which depend on the release: tries each, newest
   first, until one matches. */
static int
last_login_stock_settings_read(struct event *event,
			       enum settings_get_flags flags,
			       const struct last_login_ext_settings **set_r,
			       const char **error_r)
{
	const struct setting_parser_info *const *info;

	if (last_login_stock_info != NULL) {
		return settings_get(event, last_login_stock_info, flags,
				    set_r, error_r);
	}
	for (info = last_login_stock_setting_parser_infos; ; info++) {
		if (settings_get(event, *info, flags, set_r, error_r) == 0) {
			last_login_stock_info = *info;
			return 0;
		}
		if (info[1] == NULL ||
		    !last_login_info_is_other(*info, *error_r))
			return -1;
	}
}

int last_login_settings_read(struct event *event,
			     enum settings_get_flags flags,
			     const struct last_login_ext_settings **set_r,
			     const char **error_r)
{
	const char *error;

	if (settings_get(event, &last_login_ext_setting_parser_info, flags,
			 set_r, &error) == 0)
		return 0;
	if (!last_login_info_is_unknown(&last_login_ext_setting_parser_info,
					error)) {
		*error_r = last_login_settings_error(error);
		return -1;
	}
	e_debug(event, "last_login_dict: settings module not installed, "
		"last_login_timeout is %u ms",
		LAST_LOGIN_DEFAULT_TIMEOUT_MSECS);
	return last_login_stock_settings_read(event, flags, set_r, error_r);
}

int last_login_settings_dict_name(struct event *event, pool_t pool,
				  const char **name_r, const char **error_r)
{
	const struct dict_settings *dict_set;

	if (settings_get(event, &dict_setting_parser_info, 0,
			 &dict_set, error_r) < 0)
		return -1;
	/* Only the first: dict_init_auto() refuses more than one, and says
	   so when the dict is opened. */
	*name_r = array_is_empty(&dict_set->dicts) ? NULL :
		p_strdup(pool, array_idx_elem(&dict_set->dicts, 0));
	settings_free(dict_set);
	return 0;
}

/* A key of last_login_dict_fields, expanded once: Dovecot expands a
   string list's values, and from 2.4.5 (lib-settings, "Expand
   %variables in strlist and boollist keys") its keys too; before that
   the keys are expanded here with the user's variables, as the values
   were. Returns the key, or NULL after logging why it is not written. */
static const char *
last_login_field_key(struct mail_user *user, const char *template)
{
	const char *key = template;
#if !DOVECOT_PREREQ(2, 4, 5)
	const char *error;

	if (t_var_expand(template, mail_user_var_expand_params(user),
			 &key, &error) < 0) {
		e_error(user->event, "last_login_dict: Invalid "
			LAST_LOGIN_FIELDS_SETTING" key '%s': %s: "
			"field not written", template, error);
		return NULL;
	}
#endif
	if (key[0] == '\0') {
		e_error(user->event, "last_login_dict: "
			LAST_LOGIN_FIELDS_SETTING" key '%s' expands "
			"to an empty string: field not written", template);
		return NULL;
	}
	/* from the data stack: the settings are freed before it is used */
	return t_strdup(key);
}

static void
last_login_fields_get(struct mail_user *user,
		      const ARRAY_TYPE(const_string) *list,
		      ARRAY_TYPE(last_login_field) *fields)
{
	struct last_login_field field;
	const char *const *strs;
	unsigned int i, count;

	t_array_init(fields, 4);
	if (!array_is_created(list))
		return;
	strs = array_get(list, &count);
	for (i = 0; i + 1 < count; i += 2) {
		field.key = last_login_field_key(user, strs[i]);
		if (field.key == NULL)
			continue;
		field.value = t_strdup(strs[i + 1]);
		array_push_back(fields, &field);
	}
}

int last_login_glue_settings_get(struct mail_user *user,
				 struct last_login_settings *set_r,
				 const char **error_r)
{
	const struct last_login_ext_settings *set;
	const char *dict_name;
	struct event *event;
	int ret = 1;

	i_zero(set_r);
	event = last_login_settings_event_create(user->event);
	/* The plugin's own settings first: a key that fails to expand is
	   reported even when no dict is configured, as by the stock plugin. */
	if (last_login_settings_read(event, 0, &set, error_r) < 0) {
		event_unref(&event);
		return -1;
	}
	if (set->last_login_disable) {
		/* from the userdb, for accounts whose logins don't count */
		e_debug(user->event, "last_login_dict: last_login_disable "
			"is set: login not recorded");
		settings_free(set);
		event_unref(&event);
		return 0;
	}
	/* Copied, so that the settings can be freed at once. */
	set_r->key = t_strdup(set->last_login_key);
	set_r->precision = t_strdup(set->last_login_precision);
	set_r->timeout_msecs = set->last_login_timeout;
	set_r->interval_secs = set->last_login_interval;
	set_r->ignore_master_users = set->last_login_ignore_master_users;
	if (last_login_settings_dict_name(event, pool_datastack_create(),
					  &dict_name, error_r) < 0)
		ret = -1;
	else if (dict_name == NULL)
		ret = 0;
	else {
		last_login_fields_get(user, &set->last_login_dict_fields,
				      &set_r->fields);
	}
	settings_free(set);
	event_unref(&event);
	return ret;
}
