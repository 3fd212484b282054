/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The plugin's setting definitions on Dovecot 2.4. This file is linked
   into the mail plugin and into the settings module, so that both see
   the same keys in the same order. It must stay free of anything but
   definitions: the settings module runs in the config process, which
   has no libdovecot-storage. */

#include "lib.h"
#include "settings-parser.h"
#include "last-login-glue.h"
#include "last-login-settings-infos.h"

#undef DEF
#define DEF(type, name) \
	SETTING_DEFINE_STRUCT_##type(#name, name, \
				     struct last_login_ext_settings)

static bool
last_login_settings_check(void *_set, pool_t pool, const char **error_r);

/* last_login_key and last_login_precision exactly as the stock plugin
   defines them: the config process panics on a key that two infos
   define with different types. */
static const struct setting_define last_login_ext_setting_defines[] = {
	{ .type = SET_FILTER_NAME, .key = LAST_LOGIN_FILTER_NAME },
	DEF(STR, last_login_key),
	DEF(ENUM, last_login_precision),
	DEF(TIME_MSECS, last_login_timeout),
	DEF(TIME, last_login_interval),
	DEF(BOOL, last_login_ignore_master_users),
	DEF(BOOL, last_login_disable),
	DEF(STRLIST, last_login_dict_fields),
	SETTING_DEFINE_LIST_END
};

/* The stock plugin's keys: 2.4.5 added last_login_dict_fields. */
static const struct setting_define last_login_stock_fields_setting_defines[] = {
	{ .type = SET_FILTER_NAME, .key = LAST_LOGIN_FILTER_NAME },
	DEF(STR, last_login_key),
	DEF(ENUM, last_login_precision),
	DEF(STRLIST, last_login_dict_fields),
	SETTING_DEFINE_LIST_END
};

static const struct setting_define last_login_stock_setting_defines[] = {
	{ .type = SET_FILTER_NAME, .key = LAST_LOGIN_FILTER_NAME },
	DEF(STR, last_login_key),
	DEF(ENUM, last_login_precision),
	SETTING_DEFINE_LIST_END
};

static const struct last_login_ext_settings last_login_default_settings = {
	.last_login_key = "last-login/%{user}",
	/* An enum's default is its first value. */
	.last_login_precision = "s:ms:us:ns",
	.last_login_timeout = LAST_LOGIN_DEFAULT_TIMEOUT_MSECS,
	.last_login_interval = 0,
	.last_login_ignore_master_users = FALSE,
	.last_login_disable = FALSE,
	.last_login_dict_fields = ARRAY_INIT,
};

const struct setting_parser_info last_login_ext_setting_parser_info = {
	.name = "last_login_ext",
	.defines = last_login_ext_setting_defines,
	.defaults = &last_login_default_settings,
	.struct_size = sizeof(struct last_login_ext_settings),
	.pool_offset1 = 1 + offsetof(struct last_login_ext_settings, pool),
	.check_func = last_login_settings_check,
};

/* The same struct: the settings the stock plugin lacks keep their
   defaults. */
static const struct setting_parser_info
last_login_stock_fields_setting_parser_info = {
	.name = "last_login",
	.defines = last_login_stock_fields_setting_defines,
	.defaults = &last_login_default_settings,
	.struct_size = sizeof(struct last_login_ext_settings),
	.pool_offset1 = 1 + offsetof(struct last_login_ext_settings, pool),
};

static const struct setting_parser_info last_login_stock_setting_parser_info = {
	.name = "last_login",
	.defines = last_login_stock_setting_defines,
	.defaults = &last_login_default_settings,
	.struct_size = sizeof(struct last_login_ext_settings),
	.pool_offset1 = 1 + offsetof(struct last_login_ext_settings, pool),
};

const struct setting_parser_info *const
last_login_stock_setting_parser_infos[] = {
	&last_login_stock_fields_setting_parser_info,
	&last_login_stock_setting_parser_info,
	NULL
};

static bool
last_login_settings_check(void *_set, pool_t pool ATTR_UNUSED,
			  const char **error_r)
{
	const struct last_login_ext_settings *set = _set;

	/* The timeout bounds a probe and the wait at process end: zero
	   would make every probe fail and never wait for a write. Checked
	   here, so that the config process refuses it in dovecot.conf. */
	if (set->last_login_timeout == 0) {
		*error_r = "last_login_timeout must be greater than 0";
		return FALSE;
	}
	return TRUE;
}
