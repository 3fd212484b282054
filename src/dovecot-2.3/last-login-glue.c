/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The dict on Dovecot 2.3: named by a URI (last_login_dict), opened
   with dict_init() for every user of the process whose dict is the same
   (last-login-dict-target.c). Dovecot 2.3.17 moved the username and
   home directory from struct dict_settings to per-operation struct
   dict_op_settings. */

#include "lib.h"
#include "dict.h"
#include "mail-user.h"
#include "mail-storage-settings.h"
#include "last-login-redact.h"
#include "last-login-dict-target.h"

#ifdef HAVE_DICT_OP_SETTINGS
/* Keys are shared/: no operation needs a user. */
static const struct dict_op_settings last_login_dict_op_settings;
#endif

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

struct dict_iterate_context *
last_login_glue_iterate_init(struct dict *dict, const char *prefix)
{
#ifdef HAVE_DICT_OP_SETTINGS
	return dict_iterate_init(dict, &last_login_dict_op_settings, prefix,
				 DICT_ITERATE_FLAG_RECURSE);
#else
	return dict_iterate_init(dict, prefix, DICT_ITERATE_FLAG_RECURSE);
#endif
}
