#ifndef LAST_LOGIN_DOVEADM_H
#define LAST_LOGIN_DOVEADM_H

/* `doveadm last-login get`: reads what the mail plugin stored, for
   support agents ("when did this customer last log in?") and for
   reports of accounts nobody uses. A doveadm mail command, so that
   -u, -A and -F select users the doveadm way; loaded from Dovecot's
   doveadm module dir as lib10_doveadm_last_login_plugin.so. */

struct module;
struct doveadm_mail_cmd_context;

/* The command's init(), called by the version glue's: checks the
   options and prints the headers, before the first user. */
void last_login_doveadm_init(struct doveadm_mail_cmd_context *ctx);

extern const char *doveadm_last_login_plugin_version;
void doveadm_last_login_plugin_init(struct module *module);
void doveadm_last_login_plugin_deinit(void);

#endif
