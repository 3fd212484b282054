/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The hook test's fixture for Dovecot 2.4: the module names are a
   NULL-terminated array, and settings are typed. Userdb fields override
   them (SETTINGS_OVERRIDE_TYPE_USERDB) but are taken literally, never
   %-expanded, so last_login_key goes where 2.4 expands it: a default in
   the settings root, which settings_get() expands per user as it does a
   dovecot.conf value. The rest are userdb fields, the dict a named
   filter inside last_login, as "last_login { dict file { ... } }". An
   invalid precision reaches the plugin this way, not from dovecot.conf,
   which the config process checks. */

#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "module-dir.h"
#include "master-service.h"
#include "mail-storage-service.h"
#include "mail-user.h"
#include "settings.h"
#include "test-hook-fixture.h"

struct test_hook_fixture {
	struct module *modules;
	struct ioloop *ioloop;
	struct mail_storage_service_ctx *storage_service;
	struct mail_user *user;
	bool key_set;
	char *home_root;
};

const char *const test_hook_variables_key =
	"ll/%{service}/%{user}/%{user|username}/%{user|domain}/%{protocol}";

struct test_hook_fixture *
test_hook_fixture_init(const char *plugin_dir, const char *home_root)
{
	struct test_hook_fixture *fix = i_new(struct test_hook_fixture, 1);
	struct module_dir_load_settings mod_set;
	const char *const names[] = { "last_login", NULL };

	fix->home_root = i_strdup(home_root);
	fix->ioloop = io_loop_create();
	/* NO_PLUGINS: mail_plugins only selects the hooks of the module
	   loaded here. */
	fix->storage_service = mail_storage_service_init(master_service,
		MAIL_STORAGE_SERVICE_FLAG_NO_RESTRICT_ACCESS |
		MAIL_STORAGE_SERVICE_FLAG_NO_CHDIR |
		MAIL_STORAGE_SERVICE_FLAG_NO_LOG_INIT |
		MAIL_STORAGE_SERVICE_FLAG_NO_PLUGINS);

	i_zero(&mod_set);
	mod_set.abi_version = DOVECOT_ABI_VERSION;
	mod_set.require_init_funcs = TRUE;
	fix->modules = module_dir_load(plugin_dir, names, &mod_set);
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

/* last_login { dict NAME { dict_driver = NAME; ... } } */
static void
test_hook_add_dict(ARRAY_TYPE(const_string) *fields, const char *name)
{
	test_hook_add_field(fields, "last_login/dict", name);
	test_hook_add_field(fields,
		t_strdup_printf("last_login/dict/%s/dict_driver", name), name);
}

/* A string list's element: last_login_dict_fields/KEY */
static void
test_hook_add_common(ARRAY_TYPE(const_string) *fields,
		     const struct test_hook_settings *set)
{
	unsigned int i;

	for (i = 0; set->fields != NULL && set->fields[i] != NULL; i += 2) {
		test_hook_add_field(fields, t_strconcat(
			"last_login_dict_fields/",
			settings_section_escape(set->fields[i]), NULL),
			set->fields[i + 1]);
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
	const char *home, *error;

	i_assert(fix->user == NULL);
	home = t_strconcat(fix->home_root, "/", username, NULL);
	t_array_init(&fields, 8);
	test_hook_add_field(&fields, "home", home);
	test_hook_add_field(&fields, "mail_driver", "sdbox");
	test_hook_add_field(&fields, "mail_path", t_strconcat(home, "/mail",
							      NULL));
	test_hook_add_field(&fields, "mail_plugins", "last_login");
	switch (set->dict) {
	case TEST_HOOK_DICT_NONE:
		break;
	case TEST_HOOK_DICT_EMPTY:
		test_hook_add_field(&fields, "last_login/dict", "");
		break;
	case TEST_HOOK_DICT_FILE:
		test_hook_add_dict(&fields, "file");
		test_hook_add_field(&fields,
				    "last_login/dict/file/dict_file_path",
				    set->dict_path);
		break;
	case TEST_HOOK_DICT_UNKNOWN_DRIVER:
		test_hook_add_dict(&fields, "nosuch");
		break;
	}
	if (set->key != NULL) {
		settings_root_override(
			master_service_get_settings_root(master_service),
			"last_login_key", set->key,
			SETTINGS_OVERRIDE_TYPE_DEFAULT);
		fix->key_set = TRUE;
	}
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
					     &fix->user, &error) < 0) {
		i_fatal("mail_storage_service_lookup_next(%s) failed: %s",
			username, error);
	}
	return fix->user;
}

void test_hook_logout(struct test_hook_fixture *fix)
{
	mail_user_deinit(&fix->user);
	if (fix->key_set) {
		settings_root_override_remove(
			master_service_get_settings_root(master_service),
			"last_login_key", SETTINGS_OVERRIDE_TYPE_DEFAULT);
		fix->key_set = FALSE;
	}
}
