/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The hook test's fixture where Dovecot 2.3 and 2.4 work alike: the
   module and the storage service set up and torn down, and a login with
   the settings that both spell the same. The rest is in
   test-hook-fixture-2.3.c or -2.4.c (test-hook-fixture-private.h). */

#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "module-dir.h"
#include "mail-storage-service.h"
#include "mail-user.h"
#include "test-hook-fixture-private.h"

struct test_hook_fixture *
test_hook_fixture_init(const char *plugin_dir, const char *home_root)
{
	struct test_hook_fixture *fix = i_new(struct test_hook_fixture, 1);
	struct module_dir_load_settings mod_set;

	fix->home_root = i_strdup(home_root);
	fix->ioloop = io_loop_create();
	/* NO_PLUGINS: mail_plugins only selects the hooks of the module
	   loaded here. */
	fix->storage_service = test_hook_api_storage_init(
		MAIL_STORAGE_SERVICE_FLAG_NO_RESTRICT_ACCESS |
		MAIL_STORAGE_SERVICE_FLAG_NO_CHDIR |
		MAIL_STORAGE_SERVICE_FLAG_NO_LOG_INIT |
		MAIL_STORAGE_SERVICE_FLAG_NO_PLUGINS);

	i_zero(&mod_set);
	mod_set.abi_version = DOVECOT_ABI_VERSION;
	mod_set.require_init_funcs = TRUE;
	fix->modules = test_hook_api_modules_load(plugin_dir, "last_login",
						  &mod_set);
	module_dir_init(fix->modules);
	return fix;
}

void test_hook_fixture_deinit(struct test_hook_fixture **_fix)
{
	struct test_hook_fixture *fix = *_fix;

	*_fix = NULL;
	/* a failed assertion may have skipped the logout */
	if (fix->user != NULL)
		test_hook_logout(fix);
	module_dir_unload(&fix->modules);
	mail_storage_service_deinit(&fix->storage_service);
	io_loop_destroy(&fix->ioloop);
	i_free(fix->home_root);
	i_free(fix);
}

void test_hook_add_field(ARRAY_TYPE(const_string) *fields, const char *name,
			 const char *value)
{
	const char *field = t_strconcat(name, "=", value, NULL);

	array_push_back(fields, &field);
}

struct mail_user *
test_hook_login(struct test_hook_fixture *fix, const char *username,
		const struct test_hook_settings *set)
{
	struct mail_storage_service_input input;
	ARRAY_TYPE(const_string) fields;
	const char *home, *error;

	i_assert(fix->user == NULL);
	home = t_strconcat(fix->home_root, "/", username, NULL);
	t_array_init(&fields, 8);
	test_hook_add_field(&fields, "home", home);
	test_hook_add_field(&fields, "mail_plugins", "last_login");
	test_hook_api_add_settings(fix, &fields, home, set);
	if (set->precision != NULL) {
		test_hook_add_field(&fields, "last_login_precision",
				    set->precision);
	}
	if (set->interval != NULL) {
		test_hook_add_field(&fields, "last_login_interval",
				    set->interval);
	}
	if (set->ignore_master_users != NULL) {
		test_hook_add_field(&fields, "last_login_ignore_master_users",
				    set->ignore_master_users);
	}
	if (set->master_user != NULL)
		test_hook_add_field(&fields, "master_user", set->master_user);
	if (set->disable != NULL) {
		test_hook_add_field(&fields, "last_login_disable",
				    set->disable);
	}
	array_append_zero(&fields);

	i_zero(&input);
	input.username = username;
	input.userdb_fields = array_front(&fields);
	input.no_userdb_lookup = TRUE;
	if (test_hook_api_lookup(fix, &input, &error) < 0) {
		i_fatal("mail_storage_service_lookup_next(%s) failed: %s",
			username, error);
	}
	return fix->user;
}

void test_hook_logout(struct test_hook_fixture *fix)
{
	mail_user_deinit(&fix->user);
	test_hook_api_logout(fix);
}
