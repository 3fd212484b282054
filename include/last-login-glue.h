#ifndef LAST_LOGIN_GLUE_H
#define LAST_LOGIN_GLUE_H

/* Everything of the plugin's that depends on the Dovecot version: the
   mail plugin (src/plugin) and the doveadm command (src/doveadm) call
   only these. Each supported Dovecot API has its own folder with the
   same files (src/dovecot-2.3, src/dovecot-2.4): last-login-settings.c
   reads the settings, last-login-dict-target.c finds the dict they
   name, last-login-glue.c opens and uses it; configure picks the folder
   that matches the headers it finds. */

#include "net.h"
#include "dict.h"
#include "last-login-fields.h"

struct mail_user;

/* last_login_timeout's default: how long the plugin waits for its
   outstanding writes when a process ends, and for one probe. */
#define LAST_LOGIN_DEFAULT_TIMEOUT_MSECS 1000

struct last_login_settings {
	/* The key as Dovecot expanded it for this user, NULL if unset. */
	const char *key;
	/* The precision as configured, NULL if unset. */
	const char *precision;
	/* The dict URI, where the Dovecot version names the dict by URI
	   (2.3); NULL where the dict comes from the settings themselves. */
	const char *dict_uri;
	/* last_login_timeout in milliseconds */
	unsigned int timeout_msecs;
	/* last_login_interval in seconds, 0 = write every login */
	unsigned int interval_secs;
	/* last_login_dict_fields as Dovecot expanded them, in order; the
	   valid ones only (the glue logs the others) */
	ARRAY_TYPE(last_login_field) fields;
	bool ignore_master_users;
};

/* How the writer drives a dict: which waits the driver has, and so how
   a probe and the final wait must go (doc/write-path.md). */
enum last_login_dict_kind {
	/* A local driver (file, fs): its operations finish before they
	   return. No probe, nothing to wait for. */
	LAST_LOGIN_DICT_KIND_LOCAL = 0,
	/* A network driver that blocks the process while it connects and
	   looks up (redis; memcached on 2.3), with no switch_ioloop: its
	   request timeout is set by last_login_glue_dict_init() to
	   last_login_request_msecs(), which bounds each call and
	   dict_wait(). */
	LAST_LOGIN_DICT_KIND_REDIS,
	/* The dict proxy (dict-client): asynchronous once connected, can
	   be moved to another ioloop with dict_switch_ioloop(). */
	LAST_LOGIN_DICT_KIND_PROXY,
};

/* The request timeout of a blocking driver: half of
   last_login_timeout, so that a lookup and a write both fit in it when
   the process ends. */
static inline unsigned int
last_login_request_msecs(unsigned int timeout_msecs)
{
	return timeout_msecs < 2 ? 1 : timeout_msecs / 2;
}

/* Which dict a user's settings name, and where its server listens. */
struct last_login_dict_target {
	enum last_login_dict_kind kind;
	/* Users whose ids are equal share one dict and one connection in
	   a process. Compared only, never logged: it may hold a password. */
	const char *id;
	/* Where to probe: a unix socket (redis path=, the dict server's
	   socket), or a TCP host and port. All unset when unknown or when
	   kind is LAST_LOGIN_DICT_KIND_LOCAL. */
	const char *socket_path;
	const char *host;
	in_port_t port;
};

/* Read the plugin's settings for the user, allocated from the data
   stack. Returns 1 if a dict is configured, 0 if the plugin is disabled
   for this user (no dict, or last_login_disable: nothing is to be done
   and nothing is logged but a debug line), -1 with error_r set if the
   settings can't be read. */
int last_login_glue_settings_get(struct mail_user *user,
				 struct last_login_settings *set_r,
				 const char **error_r);

/* Find out which dict the user's settings name. Strings are allocated
   from pool. Returns 0, or -1 with error_r set to a line fit for the
   log (naming the setting, free of secrets). */
int last_login_glue_dict_target(struct mail_user *user,
				const struct last_login_settings *set,
				pool_t pool,
				struct last_login_dict_target *target_r,
				const char **error_r);

/* Open the dict the settings name, for use by every user of the process
   whose target id is the same: the dict must not depend on this user
   staying alive. event is the dict's parent event, owned by the caller
   and outliving the dict. A blocking driver's request timeout is set
   to last_login_request_msecs(set->timeout_msecs). Returns 0 on
   success, -1 with error_r set to a line fit for the log: it already
   names the dict and is free of secrets. */
int last_login_glue_dict_init(struct mail_user *user,
			      const struct last_login_settings *set,
			      struct event *event,
			      struct dict **dict_r, const char **error_r);

/* Begin a transaction that does not warn when its commit is slow (no
   one waits for it) and writes only shared/ keys, so needs no user. */
struct dict_transaction_context *
last_login_glue_transaction_begin(struct dict *dict);

/* dict_lookup_async() of a shared/ key. */
void last_login_glue_lookup_async(struct dict *dict, const char *key,
				  dict_lookup_callback_t *callback,
				  void *context);

/* Iterate over the shared/ keys below prefix (which holds shared/),
   recursively. */
struct dict_iterate_context *
last_login_glue_iterate_init(struct dict *dict, const char *prefix);

#endif
