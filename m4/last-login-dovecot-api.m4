dnl LAST_LOGIN_DOVECOT_API: find out which Dovecot plugin API the headers
dnl from DC_DOVECOT offer. Probes look for features, not version numbers,
dnl so that a backport or a distribution patch is judged by what it has.
AC_DEFUN([LAST_LOGIN_DOVECOT_API], [
	AC_REQUIRE([DC_DOVECOT])
	last_login_save_CPPFLAGS=$CPPFLAGS
	CPPFLAGS="$CPPFLAGS -DHAVE_CONFIG_H $LIBDOVECOT_INCLUDE"

	dnl The oldest release the plugin is built and tested against. Read
	dnl from Dovecot's config.h: 2.3.13 has no DOVECOT_VERSION_MICRO.
	AC_MSG_CHECKING([for the Dovecot version])
	last_login_dovecot_version=`sed -n \
		's/^@%:@define DOVECOT_VERSION "\([[0-9.]]*\)".*/\1/p' \
		"$dovecot_pkgincludedir/config.h" 2>/dev/null`
	AS_IF([test -z "$last_login_dovecot_version"], [
		AC_MSG_RESULT([unknown])
	], [
		AC_MSG_RESULT([$last_login_dovecot_version])
		AS_VERSION_COMPARE([$last_login_dovecot_version], [2.3.13], [
			AC_MSG_ERROR(m4_normalize([Dovecot
				$last_login_dovecot_version is older than
				2.3.13, the oldest release dovecot-last-login
				builds against]))
		])
	])

	AC_CACHE_CHECK([for struct dict_op_settings (Dovecot 2.3.17+)],
		[last_login_cv_dict_op_settings], [
		AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[
#include "lib.h"
#include "dict.h"
]], [[
	struct dict_op_settings set;
	(void)dict_transaction_begin(NULL, &set);
]])], [last_login_cv_dict_op_settings=yes],
		[last_login_cv_dict_op_settings=no])
	])
	LAST_LOGIN_API_CPPFLAGS=
	AS_IF([test "$last_login_cv_dict_op_settings" = yes], [
		LAST_LOGIN_API_CPPFLAGS="$LAST_LOGIN_API_CPPFLAGS -DHAVE_DICT_OP_SETTINGS"
	])
	AC_SUBST([LAST_LOGIN_API_CPPFLAGS])

	dnl 2.4 replaced plugin {} settings and dict URIs with typed settings
	dnl (settings_get) and dicts configured as named filters.
	AC_CACHE_CHECK([for settings_get and dict_init_auto (Dovecot 2.4+)],
		[last_login_cv_settings_get], [
		AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[
#include "lib.h"
#include "dict.h"
#include "settings.h"
]], [[
	struct dict *dict;
	const char *error;
	const struct dict_settings *set;
	(void)settings_get(NULL, &dict_setting_parser_info, 0, &set, &error);
	(void)dict_init_auto(NULL, &dict, &error);
]])], [last_login_cv_settings_get=yes],
		[last_login_cv_settings_get=no])
	])
	AS_IF([test "$last_login_cv_settings_get" = yes], [
		LAST_LOGIN_API_CPPFLAGS="$LAST_LOGIN_API_CPPFLAGS -DHAVE_SETTINGS_GET"
	])

	dnl 2.4's dict drivers keep their settings private, but libdovecot
	dnl exports their parser infos; the 2.4 glue reads them to find
	dnl where to probe and which users may share a dict. Without them
	dnl the plugin still works, with one dict per user and no probe.
	AS_IF([test "$last_login_cv_settings_get" = yes], [
		AC_CACHE_CHECK([for the dict drivers' settings infos],
			[last_login_cv_dict_driver_infos], [
			last_login_save_LIBS=$LIBS
			LIBS="$LIBS $LIBDOVECOT"
			AC_LINK_IFELSE([AC_LANG_PROGRAM([[
#include "lib.h"
#include "settings-parser.h"
extern const struct setting_parser_info redis_setting_parser_info;
extern const struct setting_parser_info dict_proxy_setting_parser_info;
extern const struct setting_parser_info dict_file_setting_parser_info;
]], [[
	const struct setting_parser_info *infos[] = {
		&redis_setting_parser_info,
		&dict_proxy_setting_parser_info,
		&dict_file_setting_parser_info,
	};
	return infos[0]->defines == NULL;
]])], [last_login_cv_dict_driver_infos=yes],
			[last_login_cv_dict_driver_infos=no])
			LIBS=$last_login_save_LIBS
		])
		AS_IF([test "$last_login_cv_dict_driver_infos" = yes], [
			AS_VAR_APPEND([LAST_LOGIN_API_CPPFLAGS],
				[" -DHAVE_DICT_DRIVER_INFOS"])
		], [
			AC_MSG_WARN(m4_normalize([libdovecot lacks the dict
				drivers' settings infos: every user gets a
				dict of its own, and no probe]))
		])
	])

	dnl A standalone service without a config process (the tests, the
	dnl benchmark): 2.4.2 replaced NO_CONFIG_SETTINGS with CONFIG_BUILTIN.
	AC_CACHE_CHECK([for MASTER_SERVICE_FLAG_CONFIG_BUILTIN (Dovecot 2.4.2+)],
		[last_login_cv_config_builtin], [
		AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[
#include "lib.h"
#include "master-service.h"
]], [[
	enum master_service_flags flags = MASTER_SERVICE_FLAG_CONFIG_BUILTIN;
	return (int)flags;
]])], [last_login_cv_config_builtin=yes],
		[last_login_cv_config_builtin=no])
	])
	AS_IF([test "$last_login_cv_config_builtin" = yes], [
		AS_VAR_APPEND([LAST_LOGIN_API_CPPFLAGS],
			[" -DHAVE_MASTER_SERVICE_FLAG_CONFIG_BUILTIN"])
	])

	dnl The stats client's filter of debug events to send: one global
	dnl filter before 2.4.5, a registered slot in a list since.
	AC_CACHE_CHECK([for event_global_debug_send_filter_register (Dovecot 2.4.5+)],
		[last_login_cv_debug_send_filter_register], [
		last_login_save_LIBS=$LIBS
		LIBS="$LIBS $LIBDOVECOT"
		AC_LINK_IFELSE([AC_LANG_PROGRAM([[
#include "lib.h"
#include "lib-event.h"
]], [[
	struct event_filter **slot = event_global_debug_send_filter_register();
	event_global_debug_send_filter_updated();
	return slot == NULL;
]])], [last_login_cv_debug_send_filter_register=yes],
		[last_login_cv_debug_send_filter_register=no])
		LIBS=$last_login_save_LIBS
	])
	AS_IF([test "$last_login_cv_debug_send_filter_register" = yes], [
		AS_VAR_APPEND([LAST_LOGIN_API_CPPFLAGS],
			[" -DHAVE_EVENT_GLOBAL_DEBUG_SEND_FILTER_REGISTER"])
	])

	# Where libdovecot is, for the test programs' rpath: from the -L of
	# LIBDOVECOT, which stays right when make distcheck changes
	# dovecot_pkglibdir.
	LAST_LOGIN_DOVECOT_LIBDIR=`echo "$LIBDOVECOT" | sed -n 's/.*-L *\([[^ ]]*\).*/\1/p'`
	AS_IF([test -z "$LAST_LOGIN_DOVECOT_LIBDIR"], [
		LAST_LOGIN_DOVECOT_LIBDIR=$dovecotdir
	])
	AC_SUBST([LAST_LOGIN_DOVECOT_LIBDIR])

	LAST_LOGIN_GLUE=2.3
	AS_IF([test "$last_login_cv_settings_get" = yes], [LAST_LOGIN_GLUE=2.4])
	AC_SUBST([LAST_LOGIN_GLUE])
	AM_CONDITIONAL([LAST_LOGIN_GLUE_2_3], [test "$LAST_LOGIN_GLUE" = 2.3])
	AM_CONDITIONAL([LAST_LOGIN_GLUE_2_4], [test "$LAST_LOGIN_GLUE" = 2.4])

	CPPFLAGS=$last_login_save_CPPFLAGS
])
