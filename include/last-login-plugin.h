#ifndef LAST_LOGIN_PLUGIN_H
#define LAST_LOGIN_PLUGIN_H

struct module;

/* The event that ends every write, with the fields user, key (as
   configured, without the dict's shared/ namespace), result (ok, failed,
   uncertain) and, unless ok, error. */
#define LAST_LOGIN_EVENT_WRITE_FINISHED "last_login_write_finished"

extern const char *last_login_plugin_version;

void last_login_plugin_init(struct module *module);
void last_login_plugin_deinit(void);

#endif
