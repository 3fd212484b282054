/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The hook test's fixture for Dovecot 2.3: the module names are one
   space-separated string, and the plugin's settings are userdb fields,
   which Dovecot 2.3 puts into plugin { }. Users come from the storage
   service, as in Dovecot's own test storage (which 2.3.13's dovecot-dev
   does not install), so this works the same on 2.3.13 and 2.3.19. */

#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "module-dir.h"
#include "master-service.h"
#include "mail-storage-service.h"
#include "mail-user.h"
#include "test-hook-fixture.h"

struct test_hook_fixture {
	struct module *modules;
	struct ioloop *ioloop;
	struct mail_storage_service_ctx *storage_service;
	struct mail_storage_service_user *service_user;
	struct mail_user *user;
	char *home_root;
};

const char *const test_hook_variables_key =
	"ll/%{service}/%{user}/%n/%d/%s";

struct test_hook_fixture *
test_hook_fixture_init(const char *plugin_dir, const char *home_root)
{
	struct test_hook_fixture *fix = i_new(struct test_hook_fixture, 1);
	struct module_dir_load_settings mod_set;

	fix->home_root = i_strdup(home_root);
	fix->ioloop = io_loop_create();
	/* NO_PLUGINS: mail_plugins only selects the hooks of the module
	   loaded here. */
	fix->storage_service = mail_storage_service_init(master_service, NULL,
		MAIL_STORAGE_SERVICE_FLAG_NO_RESTRICT_ACCESS |
		MAIL_STORAGE_SERVICE_FLAG_NO_CHDIR |
		MAIL_STORAGE_SERVICE_FLAG_NO_LOG_INIT |
		MAIL_STORAGE_SERVICE_FLAG_NO_PLUGINS);

	i_zero(&mod_set);
	mod_set.abi_version = DOVECOT_ABI_VERSION;
	mod_set.require_init_funcs = TRUE;
	fix->modules = module_dir_load(plugin_dir, "last_login", &mod_set);
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

static void
test_hook_add_field(ARRAY_TYPE(const_string) *fields, const char *name,
		    const char *value)
{
	const char *field = t_strconcat(name, "=", value, NULL);

	array_push_back(fields, &field);
}

/* Numbered settings: last_login_dict_fields, last_login_dict_fields2 */
static void
test_hook_add_common(ARRAY_TYPE(const_string) *fields,
		     const struct test_hook_settings *set)
{
	unsigned int i;

	for (i = 0; set->fields != NULL && set->fields[i] != NULL; i += 2) {
		test_hook_add_field(fields,
			i == 0 ? "last_login_dict_fields" :
			t_strdup_printf("last_login_dict_fields%u", i / 2 + 1),
			t_strconcat(set->fields[i], "=", set->fields[i + 1],
				    NULL));
	}
	if (set->interval != NULL) {
		test_hook_add_field(fields, "last_login_interval",
				    set->interval);
	}
	if (set->ignore_master_users != NULL) {
		test_hook_add_field(fields, "last_login_ignore_master_users",
				    set->ignore_master_users);
	}
	if (set->master_user != NULL)
		test_hook_add_field(fields, "master_user", set->master_user);
	if (set->disable != NULL) {
		test_hook_add_field(fields, "last_login_disable",
				    set->disable);
	}
}

struct mail_user *
test_hook_login(struct test_hook_fixture *fix, const char *username,
		const struct test_hook_settings *set)
{
	struct mail_storage_service_input input;
	ARRAY_TYPE(const_string) fields;
	const char *error;

	i_assert(fix->user == NULL);
	t_array_init(&fields, 8);
	test_hook_add_field(&fields, "home",
		t_strconcat(fix->home_root, "/", username, NULL));
	test_hook_add_field(&fields, "mail", "sdbox:~/mail");
	test_hook_add_field(&fields, "mail_plugins", "last_login");
	switch (set->dict) {
	case TEST_HOOK_DICT_NONE:
		break;
	case TEST_HOOK_DICT_EMPTY:
		test_hook_add_field(&fields, "last_login_dict", "");
		break;
	case TEST_HOOK_DICT_FILE:
		test_hook_add_field(&fields, "last_login_dict",
			t_strconcat("file:", set->dict_path, NULL));
		break;
	case TEST_HOOK_DICT_UNKNOWN_DRIVER:
		test_hook_add_field(&fields, "last_login_dict",
				    "nosuch:host=h:password=s3cr3t");
		break;
	}
	if (set->key != NULL)
		test_hook_add_field(&fields, "last_login_key", set->key);
	if (set->precision != NULL) {
		test_hook_add_field(&fields, "last_login_precision",
				    set->precision);
	}
	test_hook_add_common(&fields, set);
	array_append_zero(&fields);

	i_zero(&input);
	input.username = username;
	input.userdb_fields = array_front(&fields);
	input.no_userdb_lookup = TRUE;
	if (mail_storage_service_lookup_next(fix->storage_service, &input,
					     &fix->service_user, &fix->user,
					     &error) < 0) {
		i_fatal("mail_storage_service_lookup_next(%s) failed: %s",
			username, error);
	}
	return fix->user;
}

void test_hook_logout(struct test_hook_fixture *fix)
{
	mail_user_deinit(&fix->user);
	mail_storage_service_user_unref(&fix->service_user);
}
