#ifndef LAST_LOGIN_SETTINGS_H
#define LAST_LOGIN_SETTINGS_H

/* Reading the plugin's settings on Dovecot 2.4, for the mail plugin's
   glue and the doveadm command's alike. */

#include "settings.h"
#include "last-login-settings-infos.h"

/* An event that sees the settings inside last_login { }. */
struct event *last_login_settings_event_create(struct event *parent);

/* The plugin's settings from event's view (its filter added by the
   caller): ours where the settings module is installed, else the stock
   plugin's keys of this release, with the rest at their defaults.
   error_r names the settings as last_login's. */
int last_login_settings_read(struct event *event,
			     enum settings_get_flags flags,
			     const struct last_login_ext_settings **set_r,
			     const char **error_r);

/* Sets name_r to the first dict inside last_login { } (event's view),
   NULL if there is none. Returns 0, or -1 with error_r set if the
   settings can't be read. */
int last_login_settings_dict_name(struct event *event, pool_t pool,
				  const char **name_r, const char **error_r);

#endif
