#ifndef LAST_LOGIN_SETTINGS_INFOS_H
#define LAST_LOGIN_SETTINGS_INFOS_H

/* The plugin's settings on Dovecot 2.4, shared by the mail plugin and
   the settings module (liblast_login_settings.so) that makes Dovecot's
   config process accept them: settings_get() checks that the plugin's
   info has the keys the config process wrote, in the same order, so
   both must be compiled from the same definitions
   (doc/compatibility.md, "Settings of an out-of-tree plugin in 2.4"). */

#include "settings-parser.h"

/* The filter that holds the plugin's settings and its dict:
   last_login { dict NAME { ... } } */
#define LAST_LOGIN_FILTER_NAME "last_login"

struct last_login_ext_settings {
	pool_t pool;
	const char *last_login_key;
	const char *last_login_precision;
	unsigned int last_login_timeout;
	unsigned int last_login_interval;
	bool last_login_ignore_master_users;
	/* from the userdb: this account's logins are not recorded */
	bool last_login_disable;
	/* KEY, VALUE, KEY, VALUE, ...: the values expanded, the keys as
	   written (the glue expands them) */
	ARRAY_TYPE(const_string) last_login_dict_fields;
};

/* Named "last_login_ext": the stock plugin's info, compiled into the
   config process, is named "last_login", and two infos must not share
   a name. Both define last_login_key and last_login_precision the same
   way, so either may be present alone or with the other. */
extern const struct setting_parser_info last_login_ext_setting_parser_info;

/* The stock plugin's keys alone, under its name, as each release
   defines them (newest first, NULL-terminated): what the plugin reads
   when the settings module is not installed and the config process
   knows only the stock info. Never registered by the module. */
extern const struct setting_parser_info *const
	last_login_stock_setting_parser_infos[];

#endif
