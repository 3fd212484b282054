dnl LAST_LOGIN_DOVECOT_API: find out which Dovecot plugin API the headers
dnl from DC_DOVECOT offer. Probes look for features, not version numbers,
dnl so that a backport or a distribution patch is judged by what it has.
AC_DEFUN([LAST_LOGIN_DOVECOT_API], [
	AC_REQUIRE([DC_DOVECOT])
	last_login_save_CPPFLAGS=$CPPFLAGS
	CPPFLAGS="$CPPFLAGS -DHAVE_CONFIG_H $LIBDOVECOT_INCLUDE"

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

	LAST_LOGIN_GLUE=2.3
	AC_SUBST([LAST_LOGIN_GLUE])
	AM_CONDITIONAL([LAST_LOGIN_GLUE_2_3], [test "$LAST_LOGIN_GLUE" = 2.3])

	CPPFLAGS=$last_login_save_CPPFLAGS
])
