#ifndef LAST_LOGIN_DOVEADM_GLUE_H
#define LAST_LOGIN_DOVEADM_GLUE_H

/* What `doveadm last-login` needs that differs between Dovecot
   versions: how a mail command is wired into doveadm, where a user's
   settings are found as written (unexpanded), and how they are expanded
   for a service other than doveadm's own. One implementation per API:
   last-login-doveadm-glue-<version>.c. */

#include "dict.h"

struct doveadm_mail_cmd_context;
struct mail_storage_service_user;
struct mail_user;

/* A user's templates, as written in the config or the userdb, before
   any %-expansion: the mail plugin expands them with the logging-in
   process's service, the command with each service it reports. */
struct last_login_templates {
	/* last_login_key; NULL when unset (the default key) */
	const char *key;
	/* last_login_dict_fields' keys, in order */
	ARRAY_TYPE(const_string) field_keys;
};

/* Give the command's context the vfuncs that differ per version: the
   option parser and init() signature of 2.3, 2.4's init(ctx). Both
   call last_login_doveadm_init(). */
void last_login_doveadm_glue_set_vfuncs(struct doveadm_mail_cmd_context *ctx);

/* Before a mail user exists (the command's prerun): the user's
   templates with the userdb's overrides, from the pool. Returns 0, or
   -1 with error_r set. */
int last_login_doveadm_glue_templates(struct mail_storage_service_user *suser,
				      pool_t pool,
				      struct last_login_templates *tmpl_r,
				      const char **error_r);

/* The templates doveadm's own settings hold: the report's columns,
   which must be known before the first user, come from them. */
void last_login_doveadm_glue_global_templates(
	struct doveadm_mail_cmd_context *ctx, pool_t pool,
	struct last_login_templates *tmpl_r);

/* Expand a template for the user as the mail plugin would in a
   process of the service, every per-login value (client and server
   address and port, session) replaced by LAST_LOGIN_REPORT_MARKER.
   Returns 0, or -1 with error_r set. Data stack. */
int last_login_doveadm_glue_expand(struct mail_user *user, const char *tmpl,
				   const char *service, const char **result_r,
				   const char **error_r);

#endif
