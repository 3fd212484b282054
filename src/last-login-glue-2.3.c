/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* Glue for Dovecot 2.3: settings are plugin {} environment values that
   Dovecot has already %-expanded for the user, and the dict is named by
   a URI. Dovecot 2.3.17 moved the username and home directory from
   struct dict_settings to per-operation struct dict_op_settings. */

#include "lib.h"
#include "dict.h"
#include "mail-user.h"
#include "mail-storage-settings.h"
#include "last-login-redact.h"
#include "last-login-glue.h"

int last_login_glue_settings_get(struct mail_user *user,
				 struct last_login_settings *set_r,
				 const char **error_r ATTR_UNUSED)
{
	i_zero(set_r);
	set_r->dict_uri = mail_user_plugin_getenv(user, "last_login_dict");
	if (set_r->dict_uri == NULL || *set_r->dict_uri == '\0')
		return 0;
	set_r->key = mail_user_plugin_getenv(user, "last_login_key");
	set_r->precision = mail_user_plugin_getenv(user,
						   "last_login_precision");
	return 1;
}

int last_login_glue_dict_init(struct mail_user *user,
			      const struct last_login_settings *set,
			      struct dict **dict_r, const char **error_r)
{
	struct dict_settings dict_set;
	const char *error;

	i_zero(&dict_set);
	dict_set.base_dir = user->set->base_dir;
	dict_set.event_parent = user->event;
#ifndef HAVE_DICT_OP_SETTINGS
	dict_set.username = user->username;
	if (mail_user_get_home(user, &dict_set.home_dir) <= 0)
		dict_set.home_dir = NULL;
#endif
	if (dict_init(set->dict_uri, &dict_set, dict_r, &error) < 0) {
		*error_r = t_strdup_printf("dict_init(%s) failed: %s",
			last_login_redact_secrets(set->dict_uri),
			last_login_redact_secrets(error));
		return -1;
	}
	return 0;
}

struct dict_transaction_context *
last_login_glue_transaction_begin(struct mail_user *user, struct dict *dict)
{
	struct dict_transaction_context *trans;

#ifdef HAVE_DICT_OP_SETTINGS
	trans = dict_transaction_begin(dict,
				       mail_user_get_dict_op_settings(user));
#else
	(void)user;
	trans = dict_transaction_begin(dict);
#endif
	/* The login does not wait for the commit, so a slow backend is no
	   reason for a warning. */
	dict_transaction_no_slowness_warning(trans);
	return trans;
}
