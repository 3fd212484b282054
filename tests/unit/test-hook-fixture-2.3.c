/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The hook test's fixture for Dovecot 2.3: the module names are one
   space-separated string, and the plugin's settings are userdb fields,
   which Dovecot 2.3 puts into plugin { }. Users come from the storage
   service, as in Dovecot's own test storage (which 2.3.13's dovecot-dev
   does not install), so this works the same on 2.3.13 and 2.3.19.
   What 2.4 does alike is in test-hook-fixture.c. */

#include "lib.h"
#include "array.h"
#include "module-dir.h"
#include "master-service.h"
#include "mail-storage-service.h"
#include "test-hook-fixture-private.h"

const char *const test_hook_variables_key =
	"ll/%{service}/%{user}/%n/%d/%s";

struct mail_storage_service_ctx *
test_hook_api_storage_init(enum mail_storage_service_flags flags)
{
	return mail_storage_service_init(master_service, NULL, flags);
}

struct module *
test_hook_api_modules_load(const char *plugin_dir, const char *name,
			   const struct module_dir_load_settings *mod_set)
{
	return module_dir_load(plugin_dir, name, mod_set);
}

/* Numbered settings: last_login_dict_fields, last_login_dict_fields2 */
static void
test_hook_add_dict_fields(ARRAY_TYPE(const_string) *fields,
			  const char *const *dict_fields)
{
	unsigned int i;

	for (i = 0; dict_fields != NULL && dict_fields[i] != NULL; i += 2) {
		test_hook_add_field(fields,
			i == 0 ? "last_login_dict_fields" :
			t_strdup_printf("last_login_dict_fields%u", i / 2 + 1),
			t_strconcat(dict_fields[i], "=", dict_fields[i + 1],
				    NULL));
	}
}

void test_hook_api_add_settings(struct test_hook_fixture *fix ATTR_UNUSED,
				ARRAY_TYPE(const_string) *fields,
				const char *home ATTR_UNUSED,
				const struct test_hook_settings *set)
{
	test_hook_add_field(fields, "mail", "sdbox:~/mail");
	switch (set->dict) {
	case TEST_HOOK_DICT_NONE:
		break;
	case TEST_HOOK_DICT_EMPTY:
		test_hook_add_field(fields, "last_login_dict", "");
		break;
	case TEST_HOOK_DICT_FILE:
		test_hook_add_field(fields, "last_login_dict",
			t_strconcat("file:", set->dict_path, NULL));
		break;
	case TEST_HOOK_DICT_UNKNOWN_DRIVER:
		test_hook_add_field(fields, "last_login_dict",
				    "nosuch:host=h:password=s3cr3t");
		break;
	}
	if (set->key != NULL)
		test_hook_add_field(fields, "last_login_key", set->key);
	test_hook_add_dict_fields(fields, set->fields);
}

int test_hook_api_lookup(struct test_hook_fixture *fix,
			 const struct mail_storage_service_input *input,
			 const char **error_r)
{
	return mail_storage_service_lookup_next(fix->storage_service, input,
						&fix->service_user, &fix->user,
						error_r);
}

void test_hook_api_logout(struct test_hook_fixture *fix)
{
	mail_storage_service_user_unref(&fix->service_user);
}
