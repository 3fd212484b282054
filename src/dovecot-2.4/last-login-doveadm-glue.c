/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* doveadm glue for Dovecot 2.4: a mail command reads its own options
   from the command context, settings come from settings_get() without
   expansion, and a template is expanded with t_var_expand() and the
   mail user's parameters. */

#include "lib.h"
#include "array.h"
#include "var-expand.h"
#include "mail-user.h"
#include "mail-storage-service.h"
#include "settings.h"
#include "doveadm.h"
#include "doveadm-mail.h"
#include "doveadm-print.h"
#include "last-login-settings.h"
#include "last-login-report.h"
#include "last-login-doveadm.h"
#include "last-login-doveadm-glue.h"

/* The per-login values of a mail user's variables. */
static const char *const last_login_doveadm_per_login[] = {
	"local_ip", "remote_ip", "local_port", "remote_port", "session",
	NULL
};

static void last_login_doveadm_init_2_4(struct doveadm_mail_cmd_context *ctx)
{
	/* Multi-user modes have doveadm's username column; -u alone gets
	   the same, so that every mode prints the same columns. */
	if (ctx->iterate_single_user) {
		doveadm_print_header("username", "Username",
				     DOVEADM_PRINT_HEADER_FLAG_STICKY |
				     DOVEADM_PRINT_HEADER_FLAG_HIDE_TITLE);
	}
	last_login_doveadm_init(ctx);
}

void last_login_doveadm_glue_set_vfuncs(struct doveadm_mail_cmd_context *ctx)
{
	ctx->v.init = last_login_doveadm_init_2_4;
}

/* The plugin's settings, unexpanded, from the event's view; the stock
   plugin's keys alone where the settings module is not installed. */
static int
last_login_doveadm_settings_read(struct event *parent,
				 const struct last_login_ext_settings **set_r,
				 const char **error_r)
{
	struct event *event = event_create(parent);
	int ret;

	settings_event_add_filter_name(event, LAST_LOGIN_FILTER_NAME);
	ret = last_login_settings_read(event, SETTINGS_GET_FLAG_NO_EXPAND,
				       set_r, error_r);
	event_unref(&event);
	return ret;
}

/* last_login_dict_fields is KEY, VALUE, KEY, VALUE, ... */
static void
last_login_doveadm_field_keys(const struct last_login_ext_settings *set,
			      pool_t pool,
			      ARRAY_TYPE(const_string) *field_keys)
{
	const char *const *strs, *key;
	unsigned int i, count;

	p_array_init(field_keys, pool, 4);
	if (!array_is_created(&set->last_login_dict_fields))
		return;
	strs = array_get(&set->last_login_dict_fields, &count);
	for (i = 0; i + 1 < count; i += 2) {
		key = p_strdup(pool, strs[i]);
		array_push_back(field_keys, &key);
	}
}

int last_login_doveadm_glue_templates(struct mail_storage_service_user *suser,
				      pool_t pool,
				      struct last_login_templates *tmpl_r,
				      const char **error_r)
{
	const struct last_login_ext_settings *set;

	i_zero(tmpl_r);
	if (last_login_doveadm_settings_read(
		mail_storage_service_user_get_event(suser), &set,
		error_r) < 0)
		return -1;
	tmpl_r->key = p_strdup(pool, set->last_login_key);
	last_login_doveadm_field_keys(set, pool, &tmpl_r->field_keys);
	settings_free(set);
	return 0;
}

void last_login_doveadm_glue_global_templates(
	struct doveadm_mail_cmd_context *ctx, pool_t pool,
	struct last_login_templates *tmpl_r)
{
	const struct last_login_ext_settings *set;
	const char *error;

	i_zero(tmpl_r);
	if (last_login_doveadm_settings_read(ctx->cctx->event, &set,
					     &error) < 0) {
		/* Each user's own read reports it. */
		p_array_init(&tmpl_r->field_keys, pool, 1);
		return;
	}
	tmpl_r->key = p_strdup(pool, set->last_login_key);
	last_login_doveadm_field_keys(set, pool, &tmpl_r->field_keys);
	settings_free(set);
}

int last_login_doveadm_glue_expand(struct mail_user *user, const char *tmpl,
				   const char *service, const char **result_r,
				   const char **error_r)
{
	const struct var_expand_params *user_params =
		mail_user_var_expand_params(user);
	struct var_expand_params params = *user_params;
	struct var_expand_table *tab;
	unsigned int i, count;

	for (count = 0; user_params->table[count].key != NULL; count++) ;
	tab = t_new(struct var_expand_table, count + 1);
	memcpy(tab, user_params->table, sizeof(*tab) * count);
	for (i = 0; i < count; i++) {
		if (strcmp(tab[i].key, "service") == 0 ||
		    strcmp(tab[i].key, "protocol") == 0)
			tab[i].value = service;
		else if (str_array_find(last_login_doveadm_per_login,
					tab[i].key))
			tab[i].value = LAST_LOGIN_REPORT_MARKER;
	}
	params.table = tab;
	return t_var_expand(tmpl, &params, result_r, error_r);
}
