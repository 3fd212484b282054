/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "master-service.h"
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

int last_login_test_run_service(const char *service, const char *name,
				const struct CMUnitTest *tests, size_t count,
				int *argc, char ***argv)
{
	int ret;

	master_service = master_service_init(service,
		MASTER_SERVICE_FLAG_STANDALONE |
		MASTER_SERVICE_FLAG_DONT_SEND_STATS |
		LAST_LOGIN_TEST_FLAG_NO_CONFIG |
		MASTER_SERVICE_FLAG_NO_SSL_INIT |
		MASTER_SERVICE_FLAG_NO_INIT_DATASTACK_FRAME,
		argc, argv, "");
	ret = _cmocka_run_group_tests(name, tests, count, NULL, NULL);
	master_service_deinit(&master_service);
	return ret;
}
