#ifndef LAST_LOGIN_GLUE_H
#define LAST_LOGIN_GLUE_H

/* Everything that depends on the Dovecot version. The behaviour core
   (last-login-plugin.c) calls only these; each supported Dovecot API has
   its own implementation file (last-login-glue-<version>.c), and
   configure picks the one that matches the headers it finds. */

struct mail_user;
struct dict;
struct dict_transaction_context;

struct last_login_settings {
	/* The key as Dovecot expanded it for this user, NULL if unset. */
	const char *key;
	/* The precision as configured, NULL if unset. */
	const char *precision;
	/* The dict URI, where the Dovecot version names the dict by URI
	   (2.3); NULL where the dict comes from the settings themselves. */
	const char *dict_uri;
};

/* Read the plugin's settings for the user. Returns 1 if a dict is
   configured, 0 if the plugin is disabled for this user (nothing is to
   be done and nothing is logged), -1 with error_r set if the settings
   can't be read. */
int last_login_glue_settings_get(struct mail_user *user,
				 struct last_login_settings *set_r,
				 const char **error_r);

/* Open the dict the settings name, in the user's context. Returns 0 on
   success, -1 with error_r set to a line fit for the log: it already
   names the dict and is free of secrets. */
int last_login_glue_dict_init(struct mail_user *user,
			      const struct last_login_settings *set,
			      struct dict **dict_r, const char **error_r);

/* Begin a transaction on the dict on behalf of the user, one that does
   not warn when its commit is slow: the login does not wait for it. */
struct dict_transaction_context *
last_login_glue_transaction_begin(struct mail_user *user, struct dict *dict);

#endif
