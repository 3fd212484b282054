#ifndef TEST_COMMON_H
#define TEST_COMMON_H

/* cmocka needs these before its own header. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* A standalone master service that reads no config: 2.4.2 renamed the
   flag. */
#ifdef HAVE_MASTER_SERVICE_FLAG_CONFIG_BUILTIN
#  define LAST_LOGIN_TEST_FLAG_NO_CONFIG MASTER_SERVICE_FLAG_CONFIG_BUILTIN
#else
#  define LAST_LOGIN_TEST_FLAG_NO_CONFIG \
	MASTER_SERVICE_FLAG_NO_CONFIG_SETTINGS
#endif

/* Run a cmocka group with Dovecot's lib initialized around it, so that
   the code under test can use the data stack. */
#define LAST_LOGIN_RUN_TESTS(tests) \
	last_login_test_run(#tests, tests, sizeof(tests) / sizeof((tests)[0]))

int last_login_test_run(const char *name, const struct CMUnitTest *tests,
			size_t count);

/* The same with a standalone master service named service around the
   group, for tests of code that needs one (Dovecot's storage, settings):
   it initializes lib and sets the global master_service. */
#define LAST_LOGIN_RUN_SERVICE_TESTS(service, name, tests, argc, argv) \
	last_login_test_run_service(service, name, tests, \
		sizeof(tests) / sizeof((tests)[0]), argc, argv)

int last_login_test_run_service(const char *service, const char *name,
				const struct CMUnitTest *tests, size_t count,
				int *argc, char ***argv);

#endif
