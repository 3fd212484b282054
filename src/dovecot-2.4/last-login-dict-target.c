/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* Which dict a user's settings name on Dovecot 2.4, and where its
   server listens: the dict is a named filter inside last_login { },
   and its driver's settings are read through the driver's settings
   info, so that the writer can probe the server before the driver
   connects, and can tell which users share one dict. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "strescape.h"
#include "dict.h"
#include "mail-user.h"
#include "mail-storage-settings.h"
#include "settings.h"
#include "settings-parser.h"
#include "last-login-redact.h"
#include "last-login-glue.h"
#include "last-login-settings.h"

#ifdef HAVE_DICT_DRIVER_INFOS
/* The settings infos of the dict drivers whose settings the plugin must
   see: where a probe connects, and what makes two users' dicts the
   same. libdovecot exports them (nm -D shows them as data symbols), but
   no installed header declares them and the structs they describe are
   private, so they are read only through info->defines (key, type,
   offset). configure checks that libdovecot has them. */
extern const struct setting_parser_info redis_setting_parser_info;
extern const struct setting_parser_info dict_proxy_setting_parser_info;
extern const struct setting_parser_info dict_file_setting_parser_info;
#endif

/* Dict drivers whose kind the writer must know (doc/write-path.md). */
#define LAST_LOGIN_DRIVER_REDIS "redis"
#define LAST_LOGIN_DRIVER_PROXY "proxy"

/* The driver's settings, for a driver whose info the plugin knows. */
struct last_login_driver_settings {
	const struct setting_parser_info *info;
	const void *set;
};

static const struct setting_parser_info *
last_login_driver_info(const char *driver ATTR_UNUSED)
{
#ifdef HAVE_DICT_DRIVER_INFOS
	if (strcmp(driver, LAST_LOGIN_DRIVER_REDIS) == 0)
		return &redis_setting_parser_info;
	if (strcmp(driver, LAST_LOGIN_DRIVER_PROXY) == 0)
		return &dict_proxy_setting_parser_info;
	if (strcmp(driver, "file") == 0)
		return &dict_file_setting_parser_info;
#endif
	return NULL;
}

/* settings_get() for an info whose struct is not known here; the
   macro's type check needs the struct. */
static int
last_login_driver_settings_get(struct event *event,
			       const struct setting_parser_info *info,
			       struct last_login_driver_settings *dset_r,
			       const char **error_r)
{
	dset_r->info = info;
	return (settings_get)(event, info, 0, __FILE__, __LINE__,
			      &dset_r->set, error_r);
}

static void
last_login_driver_settings_free(struct last_login_driver_settings *dset)
{
	pool_t pool;

	pool = *(const pool_t *)CONST_PTR_OFFSET(
		dset->set, dset->info->pool_offset1 - 1);
	pool_unref(&pool);
	dset->set = NULL;
}

/* The setting named key if the driver defines it with this type, else
   NULL: a later Dovecot may rename or retype it, and then the plugin
   does without it rather than read the wrong bytes. */
static const void *
last_login_driver_setting(const struct last_login_driver_settings *dset,
			  const char *key, enum setting_type type)
{
	const struct setting_define *def;

	for (def = dset->info->defines; def->key != NULL; def++) {
		if (strcmp(def->key, key) == 0) {
			return def->type != type ? NULL :
				CONST_PTR_OFFSET(dset->set, def->offset);
		}
	}
	return NULL;
}

static const char *
last_login_driver_setting_str(const struct last_login_driver_settings *dset,
			      const char *key)
{
	const char *const *value =
		last_login_driver_setting(dset, key, SET_STR);

	return value == NULL || *value == NULL ? "" : *value;
}

static void
last_login_append_list(string_t *str, const ARRAY_TYPE(const_string) *list)
{
	const char *value;

	if (!array_is_created(list))
		return;
	array_foreach_elem(list, value) {
		str_append_c(str, ',');
		str_append_tabescaped(str, value);
	}
}

/* Appends every setting of the driver as key=value (tab-escaped, one
   per tab). Returns FALSE if a setting has a type this code does not
   know how to read. */
static bool
last_login_append_settings(string_t *str,
			   const struct last_login_driver_settings *dset)
{
	const struct setting_define *def;

	for (def = dset->info->defines; def->key != NULL; def++) {
		const void *value = CONST_PTR_OFFSET(dset->set, def->offset);

		switch (def->type) {
		case SET_ALIAS:
		case SET_FILTER_NAME:
			/* no value of their own */
			continue;
		default:
			break;
		}
		str_printfa(str, "\t%s=", def->key);
		switch (def->type) {
		case SET_BOOL:
			str_append_c(str, *(const bool *)value ? '1' : '0');
			break;
		case SET_UINTMAX:
			str_printfa(str, "%ju", *(const uintmax_t *)value);
			break;
		case SET_UINT:
		case SET_UINT_OCT:
		case SET_TIME:
		case SET_TIME_MSECS:
			str_printfa(str, "%u", *(const unsigned int *)value);
			break;
		case SET_SIZE:
			str_printfa(str, "%"PRIuUOFF_T,
				    *(const uoff_t *)value);
			break;
		case SET_IN_PORT:
			str_printfa(str, "%u",
				    (unsigned int)*(const in_port_t *)value);
			break;
		case SET_STR:
		case SET_STR_NOVARS:
		case SET_ENUM:
		case SET_FILE:
			if (*(const char *const *)value != NULL) {
				str_append_tabescaped(str,
					*(const char *const *)value);
			}
			break;
		case SET_STRLIST:
		case SET_BOOLLIST:
		case SET_FILTER_ARRAY:
			last_login_append_list(str, value);
			break;
		default:
			return FALSE;
		}
	}
	return TRUE;
}

/* Where the dict server listens: dict-client takes a relative
   dict_proxy_socket_path as relative to base_dir. It reads base_dir
   from the master service's settings, which the user's settings read
   from the same base_dir setting (and which a process without config
   settings does not have). */
static const char *
last_login_proxy_socket_path(struct mail_user *user, const char *path)
{
	if (path[0] == '/')
		return path;
	return t_strconcat(user->set->base_dir, "/", path, NULL);
}

static void
last_login_target_probe(struct mail_user *user,
			const struct last_login_driver_settings *dset,
			pool_t pool, struct last_login_dict_target *target)
{
	const in_port_t *port;
	const char *path, *host;

	switch (target->kind) {
	case LAST_LOGIN_DICT_KIND_LOCAL:
		break;
	case LAST_LOGIN_DICT_KIND_REDIS:
		path = last_login_driver_setting_str(dset,
						     "redis_socket_path");
		host = last_login_driver_setting_str(dset, "redis_host");
		port = last_login_driver_setting(dset, "redis_port",
						 SET_IN_PORT);
		/* as redis_dict_init(): the socket if one is set */
		if (path[0] != '\0')
			target->socket_path = p_strdup(pool, path);
		else if (host[0] != '\0' && port != NULL) {
			target->host = p_strdup(pool, host);
			target->port = *port;
		}
		break;
	case LAST_LOGIN_DICT_KIND_PROXY:
		path = last_login_driver_setting_str(dset,
						     "dict_proxy_socket_path");
		if (path[0] != '\0') {
			target->socket_path = p_strdup(pool,
				last_login_proxy_socket_path(user, path));
		}
		break;
	}
}

/* Appends the driver's settings to id and sets the probe target, from
   the driver's own settings. Returns 1 if all of them are in id, 0 if
   the plugin can't read them all, -1 with error_r set if they are
   invalid. */
static int
last_login_target_driver(struct mail_user *user, struct event *event,
			 const char *driver, pool_t pool, string_t *id,
			 struct last_login_dict_target *target,
			 const char **error_r)
{
	struct last_login_driver_settings dset;
	const struct setting_parser_info *info;
	const char *error;
	bool all;

	info = last_login_driver_info(driver);
	if (info == NULL)
		return 0;
	if (last_login_driver_settings_get(event, info, &dset, &error) < 0) {
		/* the driver refuses them as well, when the dict is opened */
		*error_r = last_login_redact_secrets(error);
		return -1;
	}
	all = last_login_append_settings(id, &dset);
	last_login_target_probe(user, &dset, pool, target);
	last_login_driver_settings_free(&dset);
	return all ? 1 : 0;
}

int last_login_glue_dict_target(struct mail_user *user,
				const struct last_login_settings *set,
				pool_t pool,
				struct last_login_dict_target *target_r,
				const char **error_r)
{
	const struct dict_settings *dict_set;
	const char *name, *error;
	struct event *event;
	string_t *id;
	int ret;

	i_zero(target_r);
	event = last_login_settings_event_create(user->event);
	if (last_login_settings_dict_name(event, pool_datastack_create(),
					  &name, &error) < 0) {
		*error_r = last_login_redact_secrets(error);
		event_unref(&event);
		return -1;
	}
	if (name == NULL) {
		*error_r = "No dict in last_login { }";
		event_unref(&event);
		return -1;
	}
	/* The dict's own settings, looked up as dict_init_filter_auto()
	   does. */
	event_add_str(event, "dict", name);
	settings_event_add_list_filter_name(event, "dict", name);
	if (settings_get(event, &dict_setting_parser_info, 0,
			 &dict_set, &error) < 0) {
		*error_r = last_login_redact_secrets(error);
		event_unref(&event);
		return -1;
	}

	if (strcmp(dict_set->dict_driver, LAST_LOGIN_DRIVER_REDIS) == 0)
		target_r->kind = LAST_LOGIN_DICT_KIND_REDIS;
	else if (strcmp(dict_set->dict_driver, LAST_LOGIN_DRIVER_PROXY) == 0)
		target_r->kind = LAST_LOGIN_DICT_KIND_PROXY;
	else
		target_r->kind = LAST_LOGIN_DICT_KIND_LOCAL;

	id = t_str_new(256);
	str_append(id, "driver=");
	str_append_tabescaped(id, dict_set->dict_driver);
	str_append(id, "\tname=");
	str_append_tabescaped(id, name);
	/* The dict is opened with its request timeout forced to this. */
	if (target_r->kind == LAST_LOGIN_DICT_KIND_REDIS)
		str_printfa(id, "\ttimeout=%u", set->timeout_msecs);

	ret = last_login_target_driver(user, event, dict_set->dict_driver,
				       pool, id, target_r, error_r);
	if (ret == 0) {
		/* Settings the plugin can't see: the user's own dict, never
		   shared with another user. */
		str_append(id, "\tuser=");
		str_append_tabescaped(id, user->username);
	}
	target_r->id = p_strdup(pool, str_c(id));
	settings_free(dict_set);
	event_unref(&event);
	return ret < 0 ? -1 : 0;
}
