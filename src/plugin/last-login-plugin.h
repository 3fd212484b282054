#ifndef LAST_LOGIN_PLUGIN_H
#define LAST_LOGIN_PLUGIN_H

struct module;

extern const char *last_login_plugin_version;

void last_login_plugin_init(struct module *module);
void last_login_plugin_deinit(void);

#endif
