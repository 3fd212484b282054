/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The behaviour core: when Dovecot creates a user for a login, write the
   login time to the configured dict, asynchronously, and never let a
   failure of the dict affect the login. Everything that depends on the
   Dovecot version is behind last-login-glue.h. */

#include "lib.h"
#include "ioloop.h"
#include "module-context.h"
#include "dict.h"
#include "mail-user.h"
#include "mail-storage-hooks.h"
#include "last-login-glue.h"
#include "last-login-key.h"
#include "last-login-redact.h"
#include "last-login-timestamp.h"
#include "last-login-plugin.h"

#define LAST_LOGIN_USER_CONTEXT(obj) \
	MODULE_CONTEXT_REQUIRE(obj, last_login_user_module)

struct last_login_user {
	union mail_user_module_context module_ctx;
	struct mail_user *user;

	struct dict *dict;
	/* Frees the dict as soon as its commit has finished, so that a
	   long session does not hold a backend connection open. */
	struct timeout *to_dict_deinit;

	/* Created when the write begins, so that the finishing event's
	   duration (which stats takes from the creation time) is the
	   write's; sent and freed when the commit has finished. */
	struct event *write_event;
	/* The key as configured, without the dict's shared/ namespace. */
	const char *key;
};

const char *last_login_plugin_version = DOVECOT_ABI_VERSION;

static MODULE_CONTEXT_DEFINE_INIT(last_login_user_module,
				  &mail_user_module_register);

static void last_login_dict_deinit(struct last_login_user *luser)
{
	if (luser->dict != NULL) {
		dict_wait(luser->dict);
		dict_deinit(&luser->dict);
	}
	timeout_remove(&luser->to_dict_deinit);
}

/* Sends last_login_write_finished for the write, for stats' metrics.
   A debug event: stats still gets it when a metric wants it (the stats
   client's global debug send filter), and nothing is logged unless
   debug logging is on. error is NULL on success. */
static void
last_login_write_finished(struct last_login_user *luser, const char *result,
			  const char *error)
{
	struct event_passthrough *e;

	e = event_create_passthrough(luser->write_event)->
		set_name(LAST_LOGIN_EVENT_WRITE_FINISHED)->
		add_str("user", luser->user->username)->
		add_str("key", luser->key)->
		add_str("result", result);
	if (error != NULL)
		e->add_str("error", error);
	e_debug(e->event(), "last_login_dict: Write finished: %s", result);
	event_unref(&luser->write_event);
}

static void
last_login_dict_commit(const struct dict_commit_result *result,
		       void *context)
{
	struct last_login_user *luser = context;
	struct event *event = luser->user->event;
	const char *error = NULL, *status = "ok";

	switch (result->ret) {
	case DICT_COMMIT_RET_OK:
	case DICT_COMMIT_RET_NOTFOUND:
		break;
	case DICT_COMMIT_RET_FAILED:
		status = "failed";
		error = last_login_redact_secrets(result->error);
		e_error(event, "last_login_dict: Failed to write value: %s",
			error);
		break;
	case DICT_COMMIT_RET_WRITE_UNCERTAIN:
		status = "uncertain";
		error = last_login_redact_secrets(result->error);
		e_error(event, "last_login_dict: "
			"Write was unconfirmed (timeout or disconnect): %s",
			error);
		break;
	}
	last_login_write_finished(luser, status, error);
	/* A dict can't be freed from inside its own callback. */
	if (luser->to_dict_deinit == NULL) {
		luser->to_dict_deinit =
			timeout_add_short(0, last_login_dict_deinit, luser);
	}
}

static void last_login_user_deinit(struct mail_user *user)
{
	struct last_login_user *luser = LAST_LOGIN_USER_CONTEXT(user);

	/* Wait for the commit, so that its result is logged and the
	   login time is not lost when the session is short. */
	last_login_dict_deinit(luser);
	/* Still set only if the commit never reported back. */
	event_unref(&luser->write_event);
	luser->module_ctx.super.deinit(user);
}

static void
last_login_write(struct last_login_user *luser, const char *key,
		 const char *value)
{
	struct dict_transaction_context *trans;

	/* The event names the key as configured: last_login_key_build()
	   put the namespace in front of it. */
	luser->key = p_strdup(luser->user->pool,
			      key + strlen(LAST_LOGIN_KEY_NAMESPACE));
	luser->write_event = event_create(luser->user->event);
	/* The glue also tells the dict not to warn about a slow commit:
	   the login does not wait for it. */
	trans = last_login_glue_transaction_begin(luser->user, luser->dict);
	dict_set(trans, key, value);
	/* void *: 2.3.13's dict_transaction_commit_async() is no macro
	   that adapts the callback's type. */
	dict_transaction_commit_async(&trans, last_login_dict_commit,
				      (void *)luser);
}

static void last_login_mail_user_created(struct mail_user *user)
{
	struct mail_user_vfuncs *v = user->vlast;
	struct last_login_user *luser;
	struct last_login_settings set;
	enum last_login_precision precision;
	struct timespec now;
	struct dict *dict;
	const char *key, *error;
	int ret;

	/* Users Dovecot creates by itself (dovecot-lda's raw user, the
	   owner of a shared mailbox) and restored IMAP sessions are no
	   logins. */
	if (user->autocreated || user->session_restored)
		return;

	if ((ret = last_login_glue_settings_get(user, &set, &error)) <= 0) {
		if (ret < 0)
			e_error(user->event, "last_login_dict: %s", error);
		return;
	}
	if (last_login_precision_parse(set.precision, &precision) < 0) {
		e_error(user->event, "last_login_dict: Invalid "
			"last_login_precision '%s' (accepted values: "
			LAST_LOGIN_PRECISION_NAMES "): login not recorded",
			set.precision);
		return;
	}
	key = last_login_key_build(set.key, user->username);
	if (key == NULL) {
		e_error(user->event, "last_login_dict: last_login_key "
			"expands to an empty string: login not recorded");
		return;
	}
	if (last_login_glue_dict_init(user, &set, &dict, &error) < 0) {
		e_error(user->event, "last_login_dict: %s", error);
		return;
	}
	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		i_fatal("clock_gettime(CLOCK_REALTIME) failed: %m");

	luser = p_new(user->pool, struct last_login_user, 1);
	luser->module_ctx.super = *v;
	user->vlast = &luser->module_ctx.super;
	v->deinit = last_login_user_deinit;
	luser->user = user;
	luser->dict = dict;
	MODULE_CONTEXT_SET(user, last_login_user_module, luser);

	last_login_write(luser, key,
			 last_login_timestamp_format(&now, precision));
}

static struct mail_storage_hooks last_login_mail_storage_hooks = {
	.mail_user_created = last_login_mail_user_created,
};

void last_login_plugin_init(struct module *module)
{
	mail_storage_hooks_add(module, &last_login_mail_storage_hooks);
}

void last_login_plugin_deinit(void)
{
	mail_storage_hooks_remove(&last_login_mail_storage_hooks);
}
