/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* Glue for Dovecot 2.4: settings are typed and come from settings_get(),
   already %{variable}-expanded for the user; the dict is not a URI but
   a named filter inside the plugin's own filter, e.g.
     last_login { dict redis { redis_host = 127.0.0.1 } }
   and is opened with dict_init_auto().

   The plugin's settings are defined in last-login-settings.c, which the
   settings module (liblast_login_settings.so) registers with the config
   process; see doc/compatibility.md. Without the module the plugin
   reads the stock plugin's settings alone, as before it existed. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "strescape.h"
#include "var-expand.h"
#include "dict.h"
#include "mail-user.h"
#include "mail-storage-settings.h"
#include "settings.h"
#include "settings-parser.h"
#include "last-login-redact.h"
#include "last-login-settings.h"
#include "last-login-glue.h"

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

/* Fields that dovecot.conf's local, remote and local_name filters match
   on. A dict opened for many users must see the settings the first of
   them saw, and the filters may select them. */
static const char *const last_login_filter_fields[] = {
	"local_ip", "remote_ip", "local_name", NULL
};

/* An event that sees the settings inside last_login { }. */
static struct event *last_login_event_create(struct event *parent)
{
	struct event *event = event_create(parent);

	settings_event_add_filter_name(event, LAST_LOGIN_FILTER_NAME);
	return event;
}

/* Whether settings_get() failed only because the config process has no
   settings struct of this name: 2.4.1 says "<name> settings: Failed to
   parse configuration: BUG: Configuration has no settings struct named
   '<name>'" (settings.c, settings_mmap_apply()). Only the end of the
   text is compared, which names the struct. */
static bool
last_login_info_is_unknown(const struct setting_parser_info *info,
			   const char *error)
{
	const char *tail = t_strdup_printf(
		"Configuration has no settings struct named '%s'", info->name);
	size_t error_len = strlen(error), tail_len = strlen(tail);

	return error_len >= tail_len &&
		strcmp(error + error_len - tail_len, tail) == 0;
}

/* settings_get()'s errors start with the struct's name ("<name>
   settings: ..."). The plugin's struct is named last_login_ext only
   because the stock one is named last_login; its errors read as the
   stock plugin's, which are about the same settings. */
static const char *last_login_settings_error(const char *error)
{
	const char *rest;

	if (str_begins(error, last_login_ext_setting_parser_info.name,
		       &rest) && str_begins_with(rest, " settings")) {
		return t_strconcat(LAST_LOGIN_FILTER_NAME, rest, NULL);
	}
	return error;
}

/* Whether settings_get() failed because the config process's struct of
   this name has other keys ("settings struct <name> count mismatch" or
   "#<n> key mismatch", settings.c, settings_mmap_validate()): the
   stock plugin of another release. */
static bool
last_login_info_is_other(const struct setting_parser_info *info,
			 const char *error)
{
	const char *head = t_strdup_printf("settings struct %s ", info->name);
	const char *p = strstr(error, head);

	return p != NULL && strstr(p, " mismatch ") != NULL;
}

/* The stock plugin's info that this process's config matches: found at
   the first read, kept for the process's life. */
static const struct setting_parser_info *last_login_stock_info;

/* Without the settings module the config process knows only the stock
   plugin's keys, which depend on the release: tries each, newest
   first, until one matches. */
static int
last_login_stock_settings_read(struct event *event,
			       enum settings_get_flags flags,
			       const struct last_login_ext_settings **set_r,
			       const char **error_r)
{
	const struct setting_parser_info *const *info;

	if (last_login_stock_info != NULL) {
		return settings_get(event, last_login_stock_info, flags,
				    set_r, error_r);
	}
	for (info = last_login_stock_setting_parser_infos; ; info++) {
		if (settings_get(event, *info, flags, set_r, error_r) == 0) {
			last_login_stock_info = *info;
			return 0;
		}
		if (info[1] == NULL ||
		    !last_login_info_is_other(*info, *error_r))
			return -1;
	}
}

int last_login_settings_read(struct event *event,
			     enum settings_get_flags flags,
			     const struct last_login_ext_settings **set_r,
			     const char **error_r)
{
	const char *error;

	if (settings_get(event, &last_login_ext_setting_parser_info, flags,
			 set_r, &error) == 0)
		return 0;
	if (!last_login_info_is_unknown(&last_login_ext_setting_parser_info,
					error)) {
		*error_r = last_login_settings_error(error);
		return -1;
	}
	e_debug(event, "last_login_dict: settings module not installed, "
		"last_login_timeout is %u ms",
		LAST_LOGIN_DEFAULT_TIMEOUT_MSECS);
	return last_login_stock_settings_read(event, flags, set_r, error_r);
}

/* Sets name_r to the first dict inside last_login { }, NULL if there is
   none. Returns 0, or -1 with error_r set if the settings can't be
   read. */
static int
last_login_dict_name(struct event *event, pool_t pool, const char **name_r,
		     const char **error_r)
{
	const struct dict_settings *dict_set;

	if (settings_get(event, &dict_setting_parser_info, 0,
			 &dict_set, error_r) < 0)
		return -1;
	/* Only the first: dict_init_auto() refuses more than one, and says
	   so when the dict is opened. */
	*name_r = array_is_empty(&dict_set->dicts) ? NULL :
		p_strdup(pool, array_idx_elem(&dict_set->dicts, 0));
	settings_free(dict_set);
	return 0;
}

/* A key of last_login_dict_fields, expanded once: Dovecot expands a
   string list's values, and from 2.4.5 (lib-settings, "Expand
   %variables in strlist and boollist keys") its keys too; before that
   the keys are expanded here with the user's variables, as the values
   were. Returns the key, or NULL after logging why it is not written. */
static const char *
last_login_field_key(struct mail_user *user, const char *template)
{
	const char *key = template;
#if !DOVECOT_PREREQ(2, 4, 5)
	const char *error;

	if (t_var_expand(template, mail_user_var_expand_params(user),
			 &key, &error) < 0) {
		e_error(user->event, "last_login_dict: Invalid "
			LAST_LOGIN_FIELDS_SETTING" key '%s': %s: "
			"field not written", template, error);
		return NULL;
	}
#endif
	if (key[0] == '\0') {
		e_error(user->event, "last_login_dict: "
			LAST_LOGIN_FIELDS_SETTING" key '%s' expands "
			"to an empty string: field not written", template);
		return NULL;
	}
	/* from the data stack: the settings are freed before it is used */
	return t_strdup(key);
}

static void
last_login_fields_get(struct mail_user *user,
		      const ARRAY_TYPE(const_string) *list,
		      ARRAY_TYPE(last_login_field) *fields)
{
	struct last_login_field field;
	const char *const *strs;
	unsigned int i, count;

	t_array_init(fields, 4);
	if (!array_is_created(list))
		return;
	strs = array_get(list, &count);
	for (i = 0; i + 1 < count; i += 2) {
		field.key = last_login_field_key(user, strs[i]);
		if (field.key == NULL)
			continue;
		field.value = t_strdup(strs[i + 1]);
		array_push_back(fields, &field);
	}
}

int last_login_glue_settings_get(struct mail_user *user,
				 struct last_login_settings *set_r,
				 const char **error_r)
{
	const struct last_login_ext_settings *set;
	const char *dict_name;
	struct event *event;
	int ret = 1;

	i_zero(set_r);
	event = last_login_event_create(user->event);
	/* The plugin's own settings first: a key that fails to expand is
	   reported even when no dict is configured, as by the stock plugin. */
	if (last_login_settings_read(event, 0, &set, error_r) < 0) {
		event_unref(&event);
		return -1;
	}
	if (set->last_login_disable) {
		/* from the userdb, for accounts whose logins don't count */
		e_debug(user->event, "last_login_dict: last_login_disable "
			"is set: login not recorded");
		settings_free(set);
		event_unref(&event);
		return 0;
	}
	/* Copied, so that the settings can be freed at once. */
	set_r->key = t_strdup(set->last_login_key);
	set_r->precision = t_strdup(set->last_login_precision);
	set_r->timeout_msecs = set->last_login_timeout;
	set_r->interval_secs = set->last_login_interval;
	set_r->ignore_master_users = set->last_login_ignore_master_users;
	if (last_login_dict_name(event, pool_datastack_create(),
				 &dict_name, error_r) < 0)
		ret = -1;
	else if (dict_name == NULL)
		ret = 0;
	else {
		last_login_fields_get(user, &set->last_login_dict_fields,
				      &set_r->fields);
	}
	settings_free(set);
	event_unref(&event);
	return ret;
}

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
	event = last_login_event_create(user->event);
	if (last_login_dict_name(event, pool_datastack_create(),
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

/* %variables in the dict's settings are the user's while the dict is
   opened, as they were when its target id was made. */
static void
last_login_var_expand_callback(void *context,
			       struct var_expand_params *params_r)
{
	struct mail_user *user = context;

	*params_r = *mail_user_var_expand_params(user);
}

/* Copies the user's filter fields (see last_login_filter_fields). */
static void
last_login_copy_filter_fields(struct event *dest, struct mail_user *user)
{
	const char *const *name;
	const struct event_field *field;

	for (name = last_login_filter_fields; *name != NULL; name++) {
		field = event_find_field_recursive(user->event, *name);
		if (field == NULL)
			continue;
		switch (field->value_type) {
		case EVENT_FIELD_VALUE_TYPE_STR:
			event_add_str(dest, field->key, field->value.str);
			break;
		case EVENT_FIELD_VALUE_TYPE_IP:
			event_add_ip(dest, field->key, &field->value.ip);
			break;
		default:
			break;
		}
	}
}

int last_login_glue_dict_init(struct mail_user *user,
			      const struct last_login_settings *set,
			      struct event *event,
			      struct dict **dict_r, const char **error_r)
{
	struct settings_instance *user_instance, *instance;
	struct settings_root *root;
	struct event *dict_event;
	const char *name, *error;
	int ret;

	dict_event = last_login_event_create(user->event);
	ret = last_login_dict_name(dict_event, pool_datastack_create(),
				   &name, &error);
	event_unref(&dict_event);
	if (ret < 0) {
		*error_r = last_login_redact_secrets(error);
		return -1;
	}
	if (name == NULL) {
		/* settings_get() found a dict, so this is not expected */
		*error_r = "No dict in last_login { }";
		return -1;
	}

	/* The dict outlives the user, so its event is a child of the
	   caller's. For dict_init_auto() it carries what settings_get()
	   finds on the user's event: the settings root and a copy of the
	   user's settings instance (userdb overrides), the user's
	   %variables and filter fields. */
	root = settings_root_find(user->event);
	user_instance = settings_instance_find(user->event);
	instance = user_instance != NULL ?
		settings_instance_dup(user_instance) :
		settings_instance_new(root);
	/* A redis commit or lookup fails after half of last_login_timeout
	   rather than after the driver's 30 s, which bounds dict_wait(). The
	   override is in this instance only, i.e. for this dict; other
	   drivers have no such key and ignore it. It names the dict's
	   filter: a plain "redis_request_timeout" loses against one set
	   inside dict NAME { } in dovecot.conf (seen on 2.4.1). */
	settings_override(instance,
		t_strdup_printf("%s/dict/%s/redis_request_timeout",
				LAST_LOGIN_FILTER_NAME,
				settings_section_escape(name)),
		t_strdup_printf("%ums",
				last_login_request_msecs(set->timeout_msecs)),
		SETTINGS_OVERRIDE_TYPE_CODE);

	dict_event = last_login_event_create(event);
	event_set_ptr(dict_event, SETTINGS_EVENT_ROOT, root);
	event_set_ptr(dict_event, SETTINGS_EVENT_INSTANCE, instance);
	event_set_ptr(dict_event, SETTINGS_EVENT_VAR_EXPAND_CALLBACK,
		      last_login_var_expand_callback);
	event_set_ptr(dict_event, SETTINGS_EVENT_VAR_EXPAND_CALLBACK_CONTEXT,
		      user);
	last_login_copy_filter_fields(dict_event, user);

	ret = dict_init_auto(dict_event, dict_r, &error);

	/* The drivers read their settings only in init; what they keep
	   holds its own references. Nothing of the user may stay. */
	event_set_ptr(dict_event, SETTINGS_EVENT_INSTANCE, NULL);
	event_set_ptr(dict_event, SETTINGS_EVENT_VAR_EXPAND_CALLBACK, NULL);
	event_set_ptr(dict_event, SETTINGS_EVENT_VAR_EXPAND_CALLBACK_CONTEXT,
		      NULL);
	settings_instance_free(&instance);
	event_unref(&dict_event);

	if (ret < 0) {
		/* The reason alone, as the stock 2.4 plugin logs it (e.g.
		   "Unknown dict module: x"): 2.4 has no URI to name. */
		*error_r = last_login_redact_secrets(error);
		return -1;
	}
	if (ret == 0) {
		/* settings_get() found a dict, so this is not expected */
		*error_r = "No dict in last_login { }";
		return -1;
	}
	return 0;
}

/* The writes are of shared/ keys, so no username; no one waits for the
   commit, so a slow one is no reason for a warning. */
static const struct dict_op_settings last_login_op_settings = {
	.no_slowness_warning = TRUE,
};

struct dict_transaction_context *
last_login_glue_transaction_begin(struct dict *dict)
{
	return dict_transaction_begin(dict, &last_login_op_settings);
}

void last_login_glue_lookup_async(struct dict *dict, const char *key,
				  dict_lookup_callback_t *callback,
				  void *context)
{
	(dict_lookup_async)(dict, &last_login_op_settings, key, callback,
			    context);
}
