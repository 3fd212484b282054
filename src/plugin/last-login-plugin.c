/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The behaviour core: when Dovecot creates a user for a login, hand the
   login time to the process's writer for the configured dict
   (last-login-writer.h), so that nothing the dict does can delay or
   fail the login. Everything that depends on the Dovecot version is
   behind last-login-glue.h. */

#include "lib.h"
#include "module-context.h"
#include "mail-user.h"
#include "mail-storage-hooks.h"
#include "last-login-glue.h"
#include "last-login-job.h"
#include "last-login-key.h"
#include "last-login-timestamp.h"
#include "last-login-writer.h"
#include "last-login-plugin.h"

#define LAST_LOGIN_USER_CONTEXT(obj) \
	MODULE_CONTEXT_REQUIRE(obj, last_login_user_module)

struct last_login_user {
	union mail_user_module_context module_ctx;
	/* the login's write, until it ends */
	struct last_login_job *job;
};

const char *last_login_plugin_version = DOVECOT_ABI_VERSION;

static MODULE_CONTEXT_DEFINE_INIT(last_login_user_module,
				  &mail_user_module_register);

static void last_login_user_deinit(struct mail_user *user)
{
	struct last_login_user *luser = LAST_LOGIN_USER_CONTEXT(user);

	/* No waiting here: the write goes on without the user. */
	last_login_job_user_gone(&luser->job);
	luser->module_ctx.super.deinit(user);
}

/* The master user who logged in as this user, else NULL. Auth adds
   master_user to the userdb reply of such a login. Read from there on
   every version: 2.4.1 fills user->master_user from a "master" field,
   which auth sends only to a proxy. */
static const char *last_login_master_user(struct mail_user *user)
{
	static const char prefix[] = "master_user=";
	const char *const *field, *value;

	if (user->userdb_fields == NULL)
		return NULL;
	/* not str_begins(): its arguments differ between 2.3 and 2.4 */
	for (field = user->userdb_fields; *field != NULL; field++) {
		if (strncmp(*field, prefix, sizeof(prefix) - 1) == 0) {
			value = *field + sizeof(prefix) - 1;
			return *value == '\0' ? NULL : value;
		}
	}
	return NULL;
}

static void last_login_mail_user_created(struct mail_user *user)
{
	struct mail_user_vfuncs *v = user->vlast;
	struct last_login_settings set;
	struct last_login_user *luser;
	struct last_login_writer *writer;
	struct last_login_record record;
	enum last_login_precision precision;
	struct timespec now;
	const char *key, *master_user, *error;
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
	/* A support agent's look into the mailbox is not the customer's
	   login. */
	if (set.ignore_master_users &&
	    (master_user = last_login_master_user(user)) != NULL) {
		e_debug(user->event, "last_login_dict: Login by master user "
			"%s not recorded (last_login_ignore_master_users)",
			master_user);
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
	if ((writer = last_login_writer_get(user, &set, &error)) == NULL) {
		e_error(user->event, "last_login_dict: %s", error);
		return;
	}
	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		i_fatal("clock_gettime(CLOCK_REALTIME) failed: %m");
	luser = p_new(user->pool, struct last_login_user, 1);
	luser->module_ctx.super = *v;
	user->vlast = &luser->module_ctx.super;
	v->deinit = last_login_user_deinit;
	MODULE_CONTEXT_SET(user, last_login_user_module, luser);

	/* Queued: the login goes on, the writer writes from the ioloop. */
	i_zero(&record);
	record.key = key;
	record.value = last_login_timestamp_format(&now, precision);
	record.fields = &set.fields;
	record.interval_secs = set.interval_secs;
	last_login_writer_add(writer, user, &record, &luser->job);
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
	/* The process ends: every user is gone, the ioloop still works. */
	last_login_writers_deinit();
	mail_storage_hooks_remove(&last_login_mail_storage_hooks);
}
