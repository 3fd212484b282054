/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The hook test's fixture for Dovecot 2.4: the module names are a
   NULL-terminated array, and settings are typed. Userdb fields override
   them (SETTINGS_OVERRIDE_TYPE_USERDB) but are taken literally, never
   %-expanded, so last_login_key and last_login_dict_fields go where 2.4
   expands them: defaults in the settings root, which settings_get()
   expands per user as it does a dovecot.conf value. The rest are userdb
   fields, the dict a named filter inside last_login, as "last_login {
   dict file { ... } }". An invalid precision reaches the plugin this
   way, not from dovecot.conf, which the config process checks. What 2.3
   does alike is in test-hook-fixture.c. */

#include "lib.h"
#include "array.h"
#include "module-dir.h"
#include "master-service.h"
#include "mail-storage-service.h"
#include "settings.h"
#include "test-hook-fixture-private.h"
#include "test-settings.h"

const char *const test_hook_variables_key =
	"ll/%{service}/%{user}/%{user|username}/%{user|domain}/%{protocol}";

struct mail_storage_service_ctx *
test_hook_api_storage_init(enum mail_storage_service_flags flags)
{
	last_login_test_register_settings();
	return mail_storage_service_init(master_service, flags);
}

struct module *
test_hook_api_modules_load(const char *plugin_dir, const char *name,
			   const struct module_dir_load_settings *mod_set)
{
	const char *const names[] = { name, NULL };

	return module_dir_load(plugin_dir, names, mod_set);
}

/* last_login { dict NAME { dict_driver = NAME; ... } } */
static void
test_hook_add_dict(ARRAY_TYPE(const_string) *fields, const char *name)
{
	test_hook_add_field(fields, "last_login/dict", name);
	test_hook_add_field(fields,
		t_strdup_printf("last_login/dict/%s/dict_driver", name), name);
}

/* A setting in the settings root, as in dovecot.conf: settings_get()
   expands it per user (a userdb field is taken literally). */
static void
test_hook_root_set(struct test_hook_fixture *fix, const char *key,
		   const char *value)
{
	char *key_copy = i_strdup(key);

	settings_root_override(master_service_get_settings_root(master_service),
			       key, value, SETTINGS_OVERRIDE_TYPE_DEFAULT);
	if (!array_is_created(&fix->root_keys))
		i_array_init(&fix->root_keys, 4);
	array_push_back(&fix->root_keys, &key_copy);
}

/* A string list's element: last_login_dict_fields/KEY */
static void
test_hook_add_dict_fields(struct test_hook_fixture *fix,
			  const char *const *dict_fields)
{
	unsigned int i;

	for (i = 0; dict_fields != NULL && dict_fields[i] != NULL; i += 2) {
		test_hook_root_set(fix, t_strconcat(
			"last_login_dict_fields/",
			settings_section_escape(dict_fields[i]), NULL),
			dict_fields[i + 1]);
	}
}

void test_hook_api_add_settings(struct test_hook_fixture *fix,
				ARRAY_TYPE(const_string) *fields,
				const char *home,
				const struct test_hook_settings *set)
{
	test_hook_add_field(fields, "mail_driver", "sdbox");
	test_hook_add_field(fields, "mail_path",
			    t_strconcat(home, "/mail", NULL));
	switch (set->dict) {
	case TEST_HOOK_DICT_NONE:
		break;
	case TEST_HOOK_DICT_EMPTY:
		test_hook_add_field(fields, "last_login/dict", "");
		break;
	case TEST_HOOK_DICT_FILE:
		test_hook_add_dict(fields, "file");
		test_hook_add_field(fields,
				    "last_login/dict/file/dict_file_path",
				    set->dict_path);
		break;
	case TEST_HOOK_DICT_UNKNOWN_DRIVER:
		test_hook_add_dict(fields, "nosuch");
		break;
	}
	if (set->key != NULL)
		test_hook_root_set(fix, "last_login_key", set->key);
	test_hook_add_dict_fields(fix, set->fields);
}

int test_hook_api_lookup(struct test_hook_fixture *fix,
			 const struct mail_storage_service_input *input,
			 const char **error_r)
{
	return mail_storage_service_lookup_next(fix->storage_service, input,
						&fix->user, error_r);
}

void test_hook_api_logout(struct test_hook_fixture *fix)
{
	char *key;

	if (!array_is_created(&fix->root_keys))
		return;
	array_foreach_elem(&fix->root_keys, key) {
		settings_root_override_remove(
			master_service_get_settings_root(master_service),
			key, SETTINGS_OVERRIDE_TYPE_DEFAULT);
		i_free(key);
	}
	array_free(&fix->root_keys);
}
