/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "dict.h"
#include "settings.h"
#include "last-login-settings-infos.h"
#include "test-settings.h"

#ifdef HAVE_DICT_DRIVER_INFOS
extern const struct setting_parser_info redis_setting_parser_info;
extern const struct setting_parser_info dict_proxy_setting_parser_info;
extern const struct setting_parser_info dict_file_setting_parser_info;
#endif

void last_login_test_register_settings(void)
{
	settings_info_register(&last_login_ext_setting_parser_info);
	settings_info_register(&dict_setting_parser_info);
#ifdef HAVE_DICT_DRIVER_INFOS
	settings_info_register(&redis_setting_parser_info);
	settings_info_register(&dict_proxy_setting_parser_info);
	settings_info_register(&dict_file_setting_parser_info);
#endif
}
