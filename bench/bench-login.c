/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* Logs N users in, in-process, through Dovecot's test storage with the
   built plugin loaded by Dovecot's module loader, and logs them out.
   Run it under valgrind's callgrind or memcheck (bench/run.sh) with and
   without a last_login_dict: the difference is what the plugin costs a
   login, in instructions and in heap. */

#include "lib.h"
#include "module-dir.h"
#include "master-service.h"
#include "mail-user.h"
#include "test-mail-storage-common.h"

#include <stdio.h>

/* 2.4.2 renamed the flag of a service that reads no config. */
#ifdef HAVE_MASTER_SERVICE_FLAG_CONFIG_BUILTIN
#  define BENCH_FLAG_NO_CONFIG MASTER_SERVICE_FLAG_CONFIG_BUILTIN
#else
#  define BENCH_FLAG_NO_CONFIG MASTER_SERVICE_FLAG_NO_CONFIG_SETTINGS
#endif

int main(int argc, char **argv)
{
	struct module_dir_load_settings mod_set;
	struct test_mail_storage_settings set;
	struct test_mail_storage_ctx *storage;
	struct module *modules;
	const char *plugin_dir, *dict_setting;
	unsigned int i, count;

	if (argc != 4 || str_to_uint(argv[2], &count) < 0) {
		fprintf(stderr, "usage: %s PLUGIN_DIR COUNT DICT_URI|-\n",
			argv[0]);
		return 2;
	}
	plugin_dir = argv[1];
	dict_setting = strcmp(argv[3], "-") == 0 ? "last_login_dict=" :
		t_strconcat("last_login_dict=", argv[3], NULL);

	master_service = master_service_init("bench-last-login",
		MASTER_SERVICE_FLAG_STANDALONE |
		MASTER_SERVICE_FLAG_DONT_SEND_STATS |
		BENCH_FLAG_NO_CONFIG |
		MASTER_SERVICE_FLAG_NO_SSL_INIT |
		MASTER_SERVICE_FLAG_NO_INIT_DATASTACK_FRAME,
		&argc, &argv, "");
	storage = test_mail_storage_init();
	i_zero(&mod_set);
	mod_set.abi_version = DOVECOT_ABI_VERSION;
	mod_set.require_init_funcs = TRUE;
	modules = module_dir_load(plugin_dir, "last_login", &mod_set);
	module_dir_init(modules);

	for (i = 0; i < count; i++) T_BEGIN {
		i_zero(&set);
		set.username = t_strdup_printf("user%u@example.com", i);
		set.driver = "sdbox";
		set.extra_input = (const char *const []){
			"mail_plugins=last_login", dict_setting,
			"last_login_precision=ms", NULL };
		test_mail_storage_init_user(storage, &set);
		test_mail_storage_deinit_user(storage);
	} T_END;

	module_dir_unload(&modules);
	test_mail_storage_deinit(&storage);
	master_service_deinit(&master_service);
	return 0;
}
