/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The dict on Dovecot 2.4: not a URI but a named filter inside the
   plugin's own filter, e.g.
     last_login { dict redis { redis_host = 127.0.0.1 } }
   opened with dict_init_auto() for every user of the process whose
   dict is the same (last-login-dict-target.c), and used with one
   dict_op_settings. */

#include "lib.h"
#include "var-expand.h"
#include "dict.h"
#include "mail-user.h"
#include "settings.h"
#include "last-login-redact.h"
#include "last-login-glue.h"
#include "last-login-settings.h"

/* Fields that dovecot.conf's local, remote and local_name filters match
   on. A dict opened for many users must see the settings the first of
   them saw, and the filters may select them. */
static const char *const last_login_filter_fields[] = {
	"local_ip", "remote_ip", "local_name", NULL
};

/* %variables in the dict's settings are the user's while the dict is
   opened, as they were when its target id was made. */
static void
last_login_var_expand_callback(void *context,
			       struct var_expand_params *params_r)
{
	struct mail_user *user = context;

	*params_r = *mail_user_var_expand_params(user);
}

/* Copies the user's filter fields (see last_login_filter_fields). */
static void
last_login_copy_filter_fields(struct event *dest, struct mail_user *user)
{
	const char *const *name;
	const struct event_field *field;

	for (name = last_login_filter_fields; *name != NULL; name++) {
		field = event_find_field_recursive(user->event, *name);
		if (field == NULL)
			continue;
		switch (field->value_type) {
		case EVENT_FIELD_VALUE_TYPE_STR:
			event_add_str(dest, field->key, field->value.str);
			break;
		case EVENT_FIELD_VALUE_TYPE_IP:
			event_add_ip(dest, field->key, &field->value.ip);
			break;
		default:
			break;
		}
	}
}

int last_login_glue_dict_init(struct mail_user *user,
			      const struct last_login_settings *set,
			      struct event *event,
			      struct dict **dict_r, const char **error_r)
{
	struct settings_instance *user_instance, *instance;
	struct settings_root *root;
	struct event *dict_event;
	const char *name, *error;
	int ret;

	dict_event = last_login_settings_event_create(user->event);
	ret = last_login_settings_dict_name(dict_event,
					    pool_datastack_create(),
					    &name, &error);
	event_unref(&dict_event);
	if (ret < 0) {
		*error_r = last_login_redact_secrets(error);
		return -1;
	}
	if (name == NULL) {
		/* settings_get() found a dict, so this is not expected */
		*error_r = "No dict in last_login { }";
		return -1;
	}

	/* The dict outlives the user, so its event is a child of the
	   caller's. For dict_init_auto() it carries what settings_get()
	   finds on the user's event: the settings root and a copy of the
	   user's settings instance (userdb overrides), the user's
	   %variables and filter fields. */
	root = settings_root_find(user->event);
	user_instance = settings_instance_find(user->event);
	instance = user_instance != NULL ?
		settings_instance_dup(user_instance) :
		settings_instance_new(root);
	/* A redis commit or lookup fails after half of last_login_timeout
	   rather than after the driver's 30 s, which bounds dict_wait(). The
	   override is in this instance only, i.e. for this dict; other
	   drivers have no such key and ignore it. It names the dict's
	   filter: a plain "redis_request_timeout" loses against one set
	   inside dict NAME { } in dovecot.conf (seen on 2.4.1). */
	settings_override(instance,
		t_strdup_printf("%s/dict/%s/redis_request_timeout",
				LAST_LOGIN_FILTER_NAME,
				settings_section_escape(name)),
		t_strdup_printf("%ums",
				last_login_request_msecs(set->timeout_msecs)),
		SETTINGS_OVERRIDE_TYPE_CODE);

	dict_event = last_login_settings_event_create(event);
	event_set_ptr(dict_event, SETTINGS_EVENT_ROOT, root);
	event_set_ptr(dict_event, SETTINGS_EVENT_INSTANCE, instance);
	event_set_ptr(dict_event, SETTINGS_EVENT_VAR_EXPAND_CALLBACK,
		      last_login_var_expand_callback);
	event_set_ptr(dict_event, SETTINGS_EVENT_VAR_EXPAND_CALLBACK_CONTEXT,
		      user);
	last_login_copy_filter_fields(dict_event, user);

	ret = dict_init_auto(dict_event, dict_r, &error);

	/* The drivers read their settings only in init; what they keep
	   holds its own references. Nothing of the user may stay. */
	event_set_ptr(dict_event, SETTINGS_EVENT_INSTANCE, NULL);
	event_set_ptr(dict_event, SETTINGS_EVENT_VAR_EXPAND_CALLBACK, NULL);
	event_set_ptr(dict_event, SETTINGS_EVENT_VAR_EXPAND_CALLBACK_CONTEXT,
		      NULL);
	settings_instance_free(&instance);
	event_unref(&dict_event);

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

/* The keys are shared/, so no username; no one waits for a commit, so
   a slow one is no reason for a warning. */
static const struct dict_op_settings last_login_op_settings = {
	.no_slowness_warning = TRUE,
};

struct dict_transaction_context *
last_login_glue_transaction_begin(struct dict *dict)
{
	return dict_transaction_begin(dict, &last_login_op_settings);
}

void last_login_glue_lookup_async(struct dict *dict, const char *key,
				  dict_lookup_callback_t *callback,
				  void *context)
{
	(dict_lookup_async)(dict, &last_login_op_settings, key, callback,
			    context);
}

struct dict_iterate_context *
last_login_glue_iterate_init(struct dict *dict, const char *prefix)
{
	return dict_iterate_init(dict, &last_login_op_settings, prefix,
				 DICT_ITERATE_FLAG_RECURSE);
}
