/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* doveadm glue for Dovecot 2.3: a mail command's own options reach it
   through parse_arg() (getopt letters), settings are plugin {} values,
   and a template is expanded with var_expand() and the mail user's
   table. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "var-expand.h"
#include "mail-user.h"
#include "mail-storage-settings.h"
#include "mail-storage-service.h"
#include "doveadm.h"
#include "doveadm-mail.h"
#include "doveadm-util.h"
#include "last-login-fields.h"
#include "last-login-report.h"
#include "last-login-doveadm.h"
#include "last-login-doveadm-glue.h"

/* 2.3 hands a mail command only the options that have a getopt
   letter; their values are read back from the command context. */
static bool
last_login_doveadm_parse_arg(struct doveadm_mail_cmd_context *ctx
			     ATTR_UNUSED, int c)
{
	return c == 's' || c == 'O' || c == 'N';
}

static void
last_login_doveadm_init_2_3(struct doveadm_mail_cmd_context *ctx,
			    const char *const args[] ATTR_UNUSED)
{
	last_login_doveadm_init(ctx);
}

void last_login_doveadm_glue_set_vfuncs(struct doveadm_mail_cmd_context *ctx)
{
	ctx->getopt_args = "s:O:N";
	ctx->v.parse_arg = last_login_doveadm_parse_arg;
	ctx->v.init = last_login_doveadm_init_2_3;
	/* One column set in every mode, -u alone included. */
	ctx->add_username_header = TRUE;
}

/* A user's plugin {} settings: name, value pairs. */
struct last_login_doveadm_envs {
	const char *const *strs;
	unsigned int count;
};

/* The plugin {} value of name. */
static const char *
last_login_doveadm_env(const struct last_login_doveadm_envs *envs,
		       const char *name)
{
	const char *const *strs = envs->strs;
	unsigned int i, count = envs->count;

	for (i = 0; i + 1 < count; i += 2) {
		if (strcmp(strs[i], name) == 0)
			return strs[i + 1];
	}
	return NULL;
}

/* The keys of the numbered last_login_dict_fields settings. */
static void
last_login_doveadm_field_keys(last_login_fields_getenv_t *env_get,
			      void *context, pool_t pool,
			      ARRAY_TYPE(const_string) *field_keys)
{
	struct last_login_field field;
	const char *value, *name, *key, *error;
	unsigned int n = 0;

	p_array_init(field_keys, pool, 4);
	while ((value = last_login_fields_next(env_get, context, &n,
					       &name)) != NULL) {
		/* The mail plugin logs a bad entry; it has no column. */
		if (last_login_field_parse(value, &field, &error) < 0)
			continue;
		key = p_strdup(pool, field.key);
		array_push_back(field_keys, &key);
	}
}

static const char *last_login_doveadm_envs_getenv(const char *name,
						  void *context)
{
	return last_login_doveadm_env(context, name);
}

int last_login_doveadm_glue_templates(struct mail_storage_service_user *suser,
				      pool_t pool,
				      struct last_login_templates *tmpl_r,
				      const char **error_r ATTR_UNUSED)
{
	/* Before mail_storage_service_next(): the mail user expands these
	   in place, with doveadm's service. The userdb's overrides are
	   applied already. */
	const struct mail_user_settings *set =
		mail_storage_service_user_get_set(suser)[0];
	struct last_login_doveadm_envs envs;

	i_zero(&envs);
	if (array_is_created(&set->plugin_envs))
		envs.strs = array_get(&set->plugin_envs, &envs.count);
	i_zero(tmpl_r);
	tmpl_r->key = p_strdup(pool, last_login_doveadm_env(&envs,
							  "last_login_key"));
	last_login_doveadm_field_keys(last_login_doveadm_envs_getenv, &envs,
				      pool, &tmpl_r->field_keys);
	return 0;
}

static const char *last_login_doveadm_plugin_getenv(const char *name,
						    void *context ATTR_UNUSED)
{
	return doveadm_plugin_getenv(name);
}

void last_login_doveadm_glue_global_templates(
	struct doveadm_mail_cmd_context *ctx ATTR_UNUSED, pool_t pool,
	struct last_login_templates *tmpl_r)
{
	i_zero(tmpl_r);
	tmpl_r->key = p_strdup(pool, doveadm_plugin_getenv("last_login_key"));
	last_login_doveadm_field_keys(last_login_doveadm_plugin_getenv, NULL,
				      pool, &tmpl_r->field_keys);
}

int last_login_doveadm_glue_expand(struct mail_user *user, const char *tmpl,
				   const char *service, const char **result_r,
				   const char **error_r)
{
	const struct var_expand_table *user_tab;
	struct var_expand_table *tab;
	const char *home;
	unsigned int i, count;
	string_t *str;

	/* %h as the mail plugin saw it: looked up when the user's settings
	   were expanded. */
	if (var_has_key(tmpl, 'h', "home"))
		(void)mail_user_get_home(user, &home);
	user_tab = mail_user_var_expand_table(user);
	for (count = 0; user_tab[count].key != '\0' ||
	     user_tab[count].long_key != NULL; count++) ;
	tab = t_new(struct var_expand_table, count + 1);
	memcpy(tab, user_tab, sizeof(*tab) * count);
	for (i = 0; i < count; i++) {
		const char *name = tab[i].long_key == NULL ? "" :
			tab[i].long_key;

		if (tab[i].key == 's')
			tab[i].value = service;
		else if (tab[i].key == 'l' || tab[i].key == 'r' ||
			 strcmp(name, "session") == 0 ||
			 strcmp(name, "local_ip") == 0 ||
			 strcmp(name, "remote_ip") == 0)
			tab[i].value = LAST_LOGIN_REPORT_MARKER;
	}
	str = t_str_new(128);
	if (var_expand_with_funcs(str, tmpl, tab,
				  mail_user_var_expand_func_table, user,
				  error_r) <= 0)
		return -1;
	*result_r = str_c(str);
	return 0;
}
