#ifndef TEST_HOOK_FIXTURE_PRIVATE_H
#define TEST_HOOK_FIXTURE_PRIVATE_H

/* Between test-hook-fixture.c, which does what every Dovecot API does
   alike, and the one of test-hook-fixture-2.3.c and -2.4.c that
   configure chose, which does the calls whose signatures differ and
   spells the settings that differ. */

#include "array.h"
#include "module-dir.h"
#include "mail-storage-service.h"
#include "test-hook-fixture.h"

struct test_hook_fixture {
	struct module *modules;
	struct ioloop *ioloop;
	struct mail_storage_service_ctx *storage_service;
	struct mail_user *user;
	char *home_root;
	/* 2.3: the storage service's user of the login, freed at logout */
	struct mail_storage_service_user *service_user;
	/* 2.4: the settings set in the settings root for a login,
	   removed at its logout */
	ARRAY(char *) root_keys;
};

/* Adds the userdb field NAME=VALUE to fields. */
void test_hook_add_field(ARRAY_TYPE(const_string) *fields, const char *name,
			 const char *value);

/* mail_storage_service_init() with flags, in this API's call. */
struct mail_storage_service_ctx *
test_hook_api_storage_init(enum mail_storage_service_flags flags);
/* Loads module NAME from plugin_dir, NAME in this API's form. */
struct module *
test_hook_api_modules_load(const char *plugin_dir, const char *name,
			   const struct module_dir_load_settings *mod_set);
/* The settings spelled differently per API: the mail location below
   home, last_login_dict, last_login_key and last_login_dict_fields. */
void test_hook_api_add_settings(struct test_hook_fixture *fix,
				ARRAY_TYPE(const_string) *fields,
				const char *home,
				const struct test_hook_settings *set);
/* mail_storage_service_lookup_next() into fix->user. */
int test_hook_api_lookup(struct test_hook_fixture *fix,
			 const struct mail_storage_service_input *input,
			 const char **error_r);
/* Frees what test_hook_api_*() kept of the login, after the user. */
void test_hook_api_logout(struct test_hook_fixture *fix);

#endif
