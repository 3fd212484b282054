/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The settings module for Dovecot 2.4's config process, installed as
   <moduledir>/settings/liblast_login_settings.so. The config process
   loads every lib<NAME>.so there, checks <NAME>_version against its
   ABI version and adds the NULL-terminated <NAME>_set_infos to the
   settings it accepts; without this, dovecot.conf may not contain
   last_login_timeout. It exports nothing else. */

#include "lib.h"
#include "settings-parser.h"
#include "last-login-settings-infos.h"

extern const char *last_login_settings_version;
extern const struct setting_parser_info *last_login_settings_set_infos[];

const char *last_login_settings_version = DOVECOT_ABI_VERSION;

const struct setting_parser_info *last_login_settings_set_infos[] = {
	&last_login_ext_setting_parser_info,
	NULL
};
