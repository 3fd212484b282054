/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "test-common.h"

int last_login_test_run(const char *name, const struct CMUnitTest *tests,
			size_t count)
{
	int ret;

	lib_init();
	ret = _cmocka_run_group_tests(name, tests, count, NULL, NULL);
	lib_deinit();
	return ret;
}
