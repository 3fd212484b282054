/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* `doveadm last-login get`. doveadm finds the users (-u, -A, -F) and
   creates each one's mail user without plugins or namespaces, so that
   reading a login never records one. For each user the command expands
   the key as the mail plugin would in each service's process, asks the
   dict for every key of a batch of users at once, and prints the batch
   when the answers are in: row order is user order, and a dict that
   answers asynchronously (the proxy) gets a batch, not one key at a
   time. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "str.h"
#include "dict.h"
#include "master-service.h"
#include "mail-user.h"
#include "mail-storage-service.h"
#include "doveadm.h"
#include "doveadm-mail.h"
#include "doveadm-print.h"
#include "last-login-glue.h"
#include "last-login-key.h"
#include "last-login-report.h"
#include "last-login-doveadm-glue.h"
#include "last-login-doveadm-services.h"
#include "last-login-doveadm.h"

#include <sysexits.h>

/* Users per batch: enough to keep the dict proxy busy, few enough to
   print soon. */
#define LAST_LOGIN_DOVEADM_BATCH 100
/* The service of a key that holds no service variable: every service
   writes the same record. */
#define LAST_LOGIN_DOVEADM_ANY_SERVICE "*"
/* A service name no service has, see last_login_doveadm_user_rows() */
#define LAST_LOGIN_DOVEADM_NO_SERVICE "\003"
/* Failed lookups in a row after which a dict counts as down. One
   failure may be one user's key (a key no dict-sql map knows). */
#define LAST_LOGIN_DOVEADM_MAX_FAILURES 10

/* One dict, shared by the users whose settings name the same one. */
struct last_login_doveadm_dict {
	struct dict *dict;
	struct event *event;
	enum last_login_dict_kind kind;
	/* Lookups that failed since the last one that did not. */
	unsigned int failures;
	/* Set after LAST_LOGIN_DOVEADM_MAX_FAILURES failures in a row:
	   later keys are not asked, so that a dead backend costs a few
	   timeouts, not one per user. */
	bool down;
};

enum last_login_doveadm_state {
	LAST_LOGIN_DOVEADM_OK = 0,
	/* no dict, or last_login_disable: logins are not recorded */
	LAST_LOGIN_DOVEADM_DISABLED,
	LAST_LOGIN_DOVEADM_ERROR,
};

struct last_login_doveadm_row {
	const char *user, *service;
	enum last_login_precision precision;
	enum last_login_doveadm_state state;
	/* the stored time, NULL if there is none */
	const char *value;
	/* per column of cmd->columns, NULL if none */
	const char **field_values;
};

struct last_login_doveadm_lookup {
	struct last_login_doveadm_cmd *cmd;
	struct last_login_doveadm_dict *ldict;
	struct last_login_doveadm_row *row;
	const char *key;
	/* index into row->field_values, or -1 for the time */
	int field;
};

struct last_login_doveadm_cmd {
	struct doveadm_mail_cmd_context ctx;

	/* options */
	ARRAY_TYPE(const_string) services;
	time_t older_than;
	bool never;

	/* The field columns: the names, and the templates they came from */
	ARRAY_TYPE(const_string) columns;
	HASH_TABLE(const char *, void *) warned_columns;
	HASH_TABLE(const char *, struct last_login_doveadm_dict *) dicts;

	/* The templates in doveadm's own settings */
	struct last_login_templates global_tmpl;
	/* The current user's templates, read before the mail user exists:
	   as doveadm's userdb lookup gave them, and where the userdb
	   overrides them, per service of services (auth expands the
	   userdb's %s with the lookup's service); else NULL */
	pool_t user_pool;
	struct last_login_templates tmpl;
	struct last_login_templates *service_tmpls;
	const char *tmpl_error;

	/* The batch: rows in print order, from batch_pool */
	pool_t batch_pool;
	ARRAY(struct last_login_doveadm_row *) rows;
	unsigned int batch_users;

	/* A user's key can't be read on this dict at all: stop. */
	bool refused;
};

static struct last_login_doveadm_cmd *
last_login_doveadm_cmd(struct doveadm_mail_cmd_context *ctx)
{
	return container_of(ctx, struct last_login_doveadm_cmd, ctx);
}

static void last_login_doveadm_failed(struct last_login_doveadm_cmd *cmd,
				      int exit_code)
{
	/* As doveadm_mail_failed_error(): a temporary failure wins. */
	if (cmd->ctx.exit_code == 0 || exit_code == EX_TEMPFAIL)
		cmd->ctx.exit_code = exit_code;
}

static struct last_login_doveadm_row *
last_login_doveadm_row_add(struct last_login_doveadm_cmd *cmd,
			   const char *user, const char *service)
{
	struct last_login_doveadm_row *row;

	row = p_new(cmd->batch_pool, struct last_login_doveadm_row, 1);
	row->user = p_strdup(cmd->batch_pool, user);
	row->service = p_strdup(cmd->batch_pool, service);
	row->field_values = p_new(cmd->batch_pool, const char *,
				  array_count(&cmd->columns) + 1);
	array_push_back(&cmd->rows, &row);
	return row;
}

/* A row that could not be read: it is printed whatever the filters,
   its cause (unless NULL: said already) goes to stderr, and the exit
   code says it. */
static void last_login_doveadm_row_error(struct last_login_doveadm_cmd *cmd,
					 struct last_login_doveadm_row *row,
					 const char *error)
{
	if (row->state != LAST_LOGIN_DOVEADM_ERROR && error != NULL) {
		i_error("last-login: %s (%s): %s", row->user, row->service,
			error);
	}
	row->state = LAST_LOGIN_DOVEADM_ERROR;
	last_login_doveadm_failed(cmd, EX_TEMPFAIL);
}

/* A lookup or listing failed: the tenth in a row takes the dict out. */
static void
last_login_doveadm_dict_failed(struct last_login_doveadm_dict *ldict)
{
	if (++ldict->failures == LAST_LOGIN_DOVEADM_MAX_FAILURES) {
		i_error("last-login: %u lookups failed in a row: the dict "
			"is not asked again, the remaining rows say error",
			LAST_LOGIN_DOVEADM_MAX_FAILURES);
		ldict->down = TRUE;
	}
}

static void
last_login_doveadm_lookup_callback(const struct dict_lookup_result *result,
				   struct last_login_doveadm_lookup *lookup)
{
	struct last_login_doveadm_cmd *cmd = lookup->cmd;
	struct last_login_doveadm_row *row = lookup->row;
	const char *value = NULL;

	if (result->ret < 0) {
		const char *error = t_strdup_printf("Lookup of %s failed: %s",
						    lookup->key,
						    result->error);
		last_login_doveadm_row_error(cmd, row, error);
		last_login_doveadm_dict_failed(lookup->ldict);
		return;
	}
	lookup->ldict->failures = 0;
	if (result->ret > 0)
		value = p_strdup(cmd->batch_pool, result->value);
	if (lookup->field < 0)
		row->value = value;
	else
		row->field_values[lookup->field] = value;
}

static void last_login_doveadm_lookup(struct last_login_doveadm_cmd *cmd,
				      struct last_login_doveadm_dict *ldict,
				      struct last_login_doveadm_row *row,
				      const char *key, int field)
{
	struct last_login_doveadm_lookup *lookup;

	if (row->state == LAST_LOGIN_DOVEADM_ERROR)
		return;
	if (ldict->down) {
		last_login_doveadm_row_error(cmd, row, NULL);
		return;
	}
	lookup = p_new(cmd->batch_pool, struct last_login_doveadm_lookup, 1);
	lookup->cmd = cmd;
	lookup->ldict = ldict;
	lookup->row = row;
	lookup->key = p_strdup(cmd->batch_pool, key);
	lookup->field = field;
	last_login_glue_lookup_async(ldict->dict, lookup->key,
		(dict_lookup_callback_t *)last_login_doveadm_lookup_callback,
		lookup);
}

/* A key holding a per-login value (the client's address): the user's
   logins are the keys below the part before it; the newest counts. */
static void last_login_doveadm_iterate(struct last_login_doveadm_cmd *cmd,
				       struct last_login_doveadm_dict *ldict,
				       struct last_login_doveadm_row *row,
				       const char *key)
{
	struct dict_iterate_context *iter;
	struct timespec ts, newest;
	const char *prefix, *ikey, *value, *error;

	if (ldict->down) {
		last_login_doveadm_row_error(cmd, row, NULL);
		return;
	}
	if (last_login_report_iterate_prefix(key, &prefix) < 0) {
		last_login_doveadm_row_error(cmd, row,
			"last_login_key holds a value of the login (e.g. "
			"%{remote_ip}) that is not after a '/': "
			"no dict can list its keys");
		return;
	}
	i_zero(&newest);
	iter = last_login_glue_iterate_init(ldict->dict, prefix);
	while (dict_iterate(iter, &ikey, &value)) {
		if (last_login_timestamp_parse_at(value, row->precision,
						  &ts) < 0)
			continue;
		if (row->value == NULL || ts.tv_sec > newest.tv_sec ||
		    (ts.tv_sec == newest.tv_sec &&
		     ts.tv_nsec > newest.tv_nsec)) {
			newest = ts;
			row->value = p_strdup(cmd->batch_pool, value);
		}
	}
	if (dict_iterate_deinit(&iter, &error) < 0) {
		last_login_doveadm_row_error(cmd, row, t_strdup_printf(
			"Listing %s failed: %s", prefix, error));
		last_login_doveadm_dict_failed(ldict);
	} else {
		ldict->failures = 0;
	}
}

static struct last_login_doveadm_dict *
last_login_doveadm_dict_get(struct last_login_doveadm_cmd *cmd,
			    struct mail_user *user,
			    const struct last_login_settings *set,
			    const char **error_r)
{
	struct last_login_doveadm_dict *ldict;
	struct last_login_dict_target target;
	const char *id;

	if (last_login_glue_dict_target(user, set, pool_datastack_create(),
					&target, error_r) < 0)
		return NULL;
	ldict = hash_table_lookup(cmd->dicts, target.id);
	if (ldict != NULL)
		return ldict;

	ldict = p_new(cmd->ctx.pool, struct last_login_doveadm_dict, 1);
	ldict->kind = target.kind;
	ldict->event = event_create(NULL);
	if (last_login_glue_dict_init(user, set, ldict->event, &ldict->dict,
				      error_r) < 0) {
		event_unref(&ldict->event);
		return NULL;
	}
	id = p_strdup(cmd->ctx.pool, target.id);
	hash_table_insert(cmd->dicts, id, ldict);
	return ldict;
}

/* The column a field key template belongs to, -1 if none. */
static int
last_login_doveadm_column(struct last_login_doveadm_cmd *cmd,
			  const char *key_template)
{
	const char *name = last_login_report_field_column(key_template);
	const char *const *columns;
	unsigned int i, count;

	columns = array_get(&cmd->columns, &count);
	for (i = 0; i < count; i++) {
		if (strcmp(columns[i], name) == 0)
			return (int)i;
	}
	/* A field only this user's userdb adds: no column was printed
	   for it. Said once per name. */
	if (hash_table_lookup(cmd->warned_columns, name) == NULL) {
		name = p_strdup(cmd->ctx.pool, name);
		hash_table_insert(cmd->warned_columns, name, (void *)name);
		i_warning("last-login: last_login_dict_fields key %s of "
			  "some users is not in doveadm's settings: "
			  "not shown", key_template);
	}
	return -1;
}

/* The keys the mail plugin writes for a user in one service's
   processes. */
struct last_login_doveadm_keys {
	/* the time's key, NULL if error is set */
	const char *key;
	const char *error;
	/* per column: the field's key, NULL if the user has none there
	   or it holds a per-login value */
	const char **fields;
};

static void
last_login_doveadm_keys_get(struct last_login_doveadm_cmd *cmd,
			    struct mail_user *user,
			    const struct last_login_templates *tmpl,
			    const char *service,
			    struct last_login_doveadm_keys *keys_r)
{
	const char *expanded = NULL, *field_tmpl, *error;
	int column;

	i_zero(keys_r);
	keys_r->fields = t_new(const char *, array_count(&cmd->columns) + 1);
	if (tmpl->key != NULL &&
	    last_login_doveadm_glue_expand(user, tmpl->key, service,
					   &expanded, &error) < 0) {
		keys_r->error = t_strdup_printf(
			"Invalid last_login_key '%s': %s", tmpl->key, error);
		return;
	}
	keys_r->key = last_login_key_build(expanded, user->username);
	if (keys_r->key == NULL) {
		keys_r->error = "last_login_key expands to an empty string";
		return;
	}
	array_foreach_elem(&tmpl->field_keys, field_tmpl) {
		column = last_login_doveadm_column(cmd, field_tmpl);
		if (column < 0)
			continue;
		if (last_login_doveadm_glue_expand(user, field_tmpl, service,
						   &expanded, &error) < 0) {
			keys_r->error = t_strdup_printf("Invalid "
				"last_login_dict_fields key '%s': %s",
				field_tmpl, error);
			return;
		}
		/* A field per login can't be found by the user's name. */
		if (strstr(expanded, LAST_LOGIN_REPORT_MARKER) != NULL ||
		    *expanded == '\0')
			continue;
		keys_r->fields[column] = t_strconcat(
			DICT_PATH_SHARED, expanded, NULL);
	}
}

static bool
last_login_doveadm_keys_equal(struct last_login_doveadm_cmd *cmd,
			      const struct last_login_doveadm_keys *a,
			      const struct last_login_doveadm_keys *b)
{
	unsigned int i, count = array_count(&cmd->columns);

	if (null_strcmp(a->key, b->key) != 0 ||
	    null_strcmp(a->error, b->error) != 0)
		return FALSE;
	for (i = 0; i < count; i++) {
		if (null_strcmp(a->fields[i], b->fields[i]) != 0)
			return FALSE;
	}
	return TRUE;
}

/* The row of one user and service, and its lookups. */
static void last_login_doveadm_user_row(
	struct last_login_doveadm_cmd *cmd, const char *username,
	struct last_login_doveadm_dict *ldict,
	enum last_login_precision precision, const char *service,
	const struct last_login_doveadm_keys *keys)
{
	struct last_login_doveadm_row *row;
	unsigned int i, count = array_count(&cmd->columns);

	row = last_login_doveadm_row_add(cmd, username, service);
	row->precision = precision;
	if (keys->error != NULL) {
		last_login_doveadm_row_error(cmd, row, keys->error);
		return;
	}
	if (strstr(keys->key, LAST_LOGIN_REPORT_MARKER) == NULL)
		last_login_doveadm_lookup(cmd, ldict, row, keys->key, -1);
	else if (ldict->kind != LAST_LOGIN_DICT_KIND_REDIS)
		last_login_doveadm_iterate(cmd, ldict, row, keys->key);
	else {
		/* Said once, before any row: no user's login can be found. */
		i_error("last-login: last_login_key '%s' holds a value of "
			"each login (e.g. %%{remote_ip}), and redis can't "
			"list keys: keep the key per user and put that value "
			"in last_login_dict_fields instead", cmd->tmpl.key);
		last_login_doveadm_failed(cmd, EX_USAGE);
		cmd->refused = TRUE;
		return;
	}
	for (i = 0; i < count; i++) {
		if (keys->fields[i] != NULL) {
			last_login_doveadm_lookup(cmd, ldict, row,
						  keys->fields[i], (int)i);
		}
	}
}

/* The user's rows: one per service, or one for all (service "*") when
   every service writes the same keys: the keys of a service by a name
   no service has show whether the name matters. */
static void
last_login_doveadm_user_rows(struct last_login_doveadm_cmd *cmd,
			     struct mail_user *user,
			     struct last_login_doveadm_dict *ldict,
			     enum last_login_precision precision)
{
	const char *const *services;
	struct last_login_doveadm_keys *keys, any_keys;
	unsigned int i, count;
	bool same = TRUE;

	last_login_doveadm_keys_get(cmd, user, &cmd->tmpl,
				    LAST_LOGIN_DOVEADM_NO_SERVICE, &any_keys);
	services = array_get(&cmd->services, &count);
	keys = t_new(struct last_login_doveadm_keys, count);
	for (i = 0; i < count; i++) {
		last_login_doveadm_keys_get(cmd, user,
			cmd->service_tmpls != NULL ?
			&cmd->service_tmpls[i] : &cmd->tmpl,
			services[i], &keys[i]);
		if (!last_login_doveadm_keys_equal(cmd, &any_keys, &keys[i]))
			same = FALSE;
	}
	if (same) {
		last_login_doveadm_user_row(cmd, user->username, ldict,
			precision, LAST_LOGIN_DOVEADM_ANY_SERVICE, &any_keys);
		return;
	}
	for (i = 0; i < count && !cmd->refused; i++) {
		last_login_doveadm_user_row(cmd, user->username, ldict,
					    precision, services[i], &keys[i]);
	}
}

/* Rows for a user whose record can't be read at all. */
static void
last_login_doveadm_user_failed(struct last_login_doveadm_cmd *cmd,
			       const char *username,
			       enum last_login_doveadm_state state,
			       const char *error)
{
	struct last_login_doveadm_row *row;

	row = last_login_doveadm_row_add(cmd, username,
					 LAST_LOGIN_DOVEADM_ANY_SERVICE);
	if (state == LAST_LOGIN_DOVEADM_ERROR)
		last_login_doveadm_row_error(cmd, row, error);
	row->state = state;
}

/* Print the row's columns, after doveadm's username. */
static void
last_login_doveadm_row_print(struct last_login_doveadm_cmd *cmd,
			     const struct last_login_doveadm_row *row,
			     time_t now)
{
	struct timespec ts;
	unsigned int i, count = array_count(&cmd->columns);

	doveadm_print_sticky("username", row->user);
	doveadm_print(row->service);
	switch (row->state) {
	case LAST_LOGIN_DOVEADM_ERROR:
		doveadm_print("error");
		doveadm_print("");
		break;
	case LAST_LOGIN_DOVEADM_DISABLED:
		doveadm_print("disabled");
		doveadm_print("");
		break;
	case LAST_LOGIN_DOVEADM_OK:
		if (row->value == NULL) {
			doveadm_print("never");
			doveadm_print("");
		} else if (last_login_timestamp_parse_at(row->value,
				row->precision, &ts) < 0) {
			doveadm_print("unreadable");
			doveadm_print("");
		} else {
			doveadm_print(last_login_timestamp_iso8601(
				&ts, row->precision));
			doveadm_print(last_login_report_age(ts.tv_sec, now));
		}
		break;
	}
	doveadm_print(row->value == NULL ? "" : row->value);
	for (i = 0; i < count; i++) {
		doveadm_print(row->field_values[i] == NULL ? "" :
			      row->field_values[i]);
	}
}

/* Whether the filters keep the user whose rows these are: a user is
   idle as long ago as their newest login over all services. */
static bool
last_login_doveadm_user_kept(struct last_login_doveadm_cmd *cmd,
			     struct last_login_doveadm_row *const *rows,
			     unsigned int count, time_t now)
{
	struct timespec ts;
	bool found = FALSE;
	time_t newest = 0;
	unsigned int i;

	if (cmd->older_than == 0 && !cmd->never)
		return TRUE;
	for (i = 0; i < count; i++) {
		/* never hidden: the report would look complete */
		if (rows[i]->state == LAST_LOGIN_DOVEADM_ERROR)
			return TRUE;
		/* not recorded on purpose: neither idle nor unused */
		if (rows[i]->state == LAST_LOGIN_DOVEADM_DISABLED)
			return FALSE;
		if (rows[i]->value == NULL)
			continue;
		if (last_login_timestamp_parse_at(rows[i]->value,
				rows[i]->precision, &ts) < 0)
			return TRUE;
		if (!found || ts.tv_sec > newest)
			newest = ts.tv_sec;
		found = TRUE;
	}
	if (!found)
		return cmd->never;
	return cmd->older_than > 0 && now - newest >= cmd->older_than;
}

/* Wait for the batch's answers, print its rows, start a new batch. */
static void last_login_doveadm_flush(struct last_login_doveadm_cmd *cmd)
{
	struct hash_iterate_context *iter;
	struct last_login_doveadm_dict *ldict;
	struct last_login_doveadm_row *const *rows;
	const char *id;
	unsigned int i, j, count;
	time_t now = time(NULL);

	iter = hash_table_iterate_init(cmd->dicts);
	while (hash_table_iterate(iter, cmd->dicts, &id, &ldict))
		dict_wait(ldict->dict);
	hash_table_iterate_deinit(&iter);

	rows = array_get(&cmd->rows, &count);
	for (i = 0; i < count; i = j) {
		for (j = i + 1; j < count; j++) {
			if (strcmp(rows[j]->user, rows[i]->user) != 0)
				break;
		}
		if (!last_login_doveadm_user_kept(cmd, rows + i, j - i, now))
			continue;
		for (; i < j; i++)
			last_login_doveadm_row_print(cmd, rows[i], now);
	}
	array_clear(&cmd->rows);
	p_clear(cmd->batch_pool);
	p_array_init(&cmd->rows, cmd->batch_pool, 256);
	cmd->batch_users = 0;
}

static bool
last_login_doveadm_templates_equal(const struct last_login_templates *a,
				   const struct last_login_templates *b)
{
	const char *const *a_keys, *const *b_keys;
	unsigned int i, a_count, b_count;

	if (null_strcmp(a->key, b->key) != 0)
		return FALSE;
	a_keys = array_get(&a->field_keys, &a_count);
	b_keys = array_get(&b->field_keys, &b_count);
	if (a_count != b_count)
		return FALSE;
	for (i = 0; i < a_count; i++) {
		if (strcmp(a_keys[i], b_keys[i]) != 0)
			return FALSE;
	}
	return TRUE;
}

/* The userdb overrides the templates: ask it again as each service's
   process does, since auth expanded its %s with doveadm's. */
static int
last_login_doveadm_service_templates(struct last_login_doveadm_cmd *cmd,
				     struct mail_storage_service_user *suser,
				     const char **error_r)
{
	struct mail_storage_service_input input;
	struct mail_storage_service_user *service_user;
	const char *const *services;
	unsigned int i, count;
	int ret;

	services = array_get(&cmd->services, &count);
	cmd->service_tmpls = p_new(cmd->user_pool,
				   struct last_login_templates, count);
	for (i = 0; i < count; i++) {
		input = *mail_storage_service_user_get_input(suser);
		input.service = services[i];
		ret = mail_storage_service_lookup(cmd->ctx.storage_service,
						  &input, &service_user,
						  error_r);
		if (ret <= 0) {
			if (ret == 0)
				*error_r = "User no longer exists";
			return -1;
		}
		ret = last_login_doveadm_glue_templates(service_user,
			cmd->user_pool, &cmd->service_tmpls[i], error_r);
		mail_storage_service_user_unref(&service_user);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static int
last_login_doveadm_prerun(struct doveadm_mail_cmd_context *ctx,
			  struct mail_storage_service_user *suser,
			  const char **error_r ATTR_UNUSED)
{
	struct last_login_doveadm_cmd *cmd = last_login_doveadm_cmd(ctx);
	const char *error;
	int ret;

	/* no user is read any more (and there may be no services) */
	if (cmd->refused)
		return 0;
	p_clear(cmd->user_pool);
	cmd->tmpl_error = NULL;
	cmd->service_tmpls = NULL;
	ret = last_login_doveadm_glue_templates(suser, cmd->user_pool,
						&cmd->tmpl, &error);
	if (ret == 0 &&
	    !last_login_doveadm_templates_equal(&cmd->tmpl,
						&cmd->global_tmpl))
		ret = last_login_doveadm_service_templates(cmd, suser, &error);
	if (ret < 0) {
		cmd->tmpl_error = p_strdup(cmd->user_pool, error);
		i_zero(&cmd->tmpl);
		p_array_init(&cmd->tmpl.field_keys, cmd->user_pool, 1);
		cmd->service_tmpls = NULL;
	}
	return 0;
}

static int last_login_doveadm_run(struct doveadm_mail_cmd_context *ctx,
				  struct mail_user *user)
{
	struct last_login_doveadm_cmd *cmd = last_login_doveadm_cmd(ctx);
	struct last_login_settings set;
	struct last_login_doveadm_dict *ldict;
	enum last_login_precision precision;
	const char *error = NULL;
	unsigned int first_row;
	int ret;

	if (cmd->refused)
		return -1;
	cmd->batch_users++;
	if (cmd->tmpl_error != NULL) {
		last_login_doveadm_user_failed(cmd, user->username,
			LAST_LOGIN_DOVEADM_ERROR, cmd->tmpl_error);
		return 0;
	}
	ret = last_login_glue_settings_get(user, &set, &error);
	if (ret <= 0) {
		last_login_doveadm_user_failed(cmd, user->username,
			ret < 0 ? LAST_LOGIN_DOVEADM_ERROR :
			LAST_LOGIN_DOVEADM_DISABLED, error);
		return 0;
	}
	if (last_login_precision_parse(set.precision, &precision) < 0) {
		last_login_doveadm_user_failed(cmd, user->username,
			LAST_LOGIN_DOVEADM_ERROR, t_strdup_printf(
			"Invalid last_login_precision '%s' (accepted values: "
			LAST_LOGIN_PRECISION_NAMES ")", set.precision));
		return 0;
	}
	ldict = last_login_doveadm_dict_get(cmd, user, &set, &error);
	if (ldict == NULL) {
		last_login_doveadm_user_failed(cmd, user->username,
			LAST_LOGIN_DOVEADM_ERROR, error);
		return 0;
	}

	first_row = array_count(&cmd->rows);
	last_login_doveadm_user_rows(cmd, user, ldict, precision);
	if (cmd->refused) {
		/* None of this user's rows is shown; the users read before
		   are, by deinit's flush. */
		array_delete(&cmd->rows, first_row,
			     array_count(&cmd->rows) - first_row);
		return -1;
	}
	if (cmd->batch_users >= LAST_LOGIN_DOVEADM_BATCH)
		last_login_doveadm_flush(cmd);
	return 0;
}

static void last_login_doveadm_usage(const char *error) ATTR_NORETURN;
static void last_login_doveadm_usage(const char *error)
{
	i_fatal_status(EX_USAGE, "last-login get: %s", error);
}

/* The options, checked before any user is looked up; and what makes
   reading a user record no login. */
static void last_login_doveadm_preinit(struct doveadm_mail_cmd_context *ctx)
{
	struct last_login_doveadm_cmd *cmd = last_login_doveadm_cmd(ctx);
	const char *str, *error;
	struct istream *input;
	bool all;

	/* No plugin hook runs for the users (the mail plugin would record
	   a doveadm login), and no storage is needed. */
	ctx->service_flags |= MAIL_STORAGE_SERVICE_FLAG_NO_PLUGINS |
		MAIL_STORAGE_SERVICE_FLAG_NO_NAMESPACES |
		MAIL_STORAGE_SERVICE_FLAG_NO_RESTRICT_ACCESS |
		MAIL_STORAGE_SERVICE_FLAG_NO_CHDIR;

	if (!doveadm_cmd_param_str(ctx->cctx, "user", &str) &&
	    !(doveadm_cmd_param_bool(ctx->cctx, "all-users", &all) && all) &&
	    !doveadm_cmd_param_istream(ctx->cctx, "user-file", &input))
		last_login_doveadm_usage("One of -u, -F or -A is needed");
	if (doveadm_cmd_param_str(ctx->cctx, "older-than", &str) &&
	    last_login_report_interval_parse(str, &cmd->older_than,
					     &error) < 0)
		last_login_doveadm_usage(error);
	(void)doveadm_cmd_param_bool(ctx->cctx, "never", &cmd->never);

	p_array_init(&cmd->services, ctx->pool, 8);
	if (doveadm_cmd_param_str(ctx->cctx, "service", &str)) {
		ARRAY_TYPE(const_string) names;
		const char *name;

		t_array_init(&names, 8);
		if (last_login_report_services_parse(str, &names,
						     &error) < 0)
			last_login_doveadm_usage(error);
		array_foreach_elem(&names, name) {
			name = p_strdup(ctx->pool, name);
			array_push_back(&cmd->services, &name);
		}
	}
}

void last_login_doveadm_init(struct doveadm_mail_cmd_context *ctx)
{
	struct last_login_doveadm_cmd *cmd = last_login_doveadm_cmd(ctx);
	const char *tmpl, *name, *error;

	if (array_is_empty(&cmd->services) &&
	    last_login_doveadm_services_get(
		master_service_get_config_path(master_service), ctx->pool,
		&cmd->services, &error) < 0) {
		i_error("last-login: Can't tell which services record "
			"logins (%s): give them with -s", error);
		/* 2.4 stops at the exit code, 2.3 at run()'s -1 */
		ctx->exit_code = EX_TEMPFAIL;
		cmd->refused = TRUE;
	}

	last_login_doveadm_glue_global_templates(ctx, ctx->pool,
						 &cmd->global_tmpl);
	p_array_init(&cmd->columns, ctx->pool, 4);
	array_foreach_elem(&cmd->global_tmpl.field_keys, tmpl) {
		name = p_strdup(ctx->pool,
				last_login_report_field_column(tmpl));
		if (array_lsearch(&cmd->columns, &name, i_strcmp_p) == NULL)
			array_push_back(&cmd->columns, &name);
	}

	doveadm_print_header_simple("service");
	doveadm_print_header_simple("last_login");
	doveadm_print_header_simple("age");
	doveadm_print_header_simple("raw");
	array_foreach_elem(&cmd->columns, name)
		doveadm_print_header_simple(name);
}

static void last_login_doveadm_deinit(struct doveadm_mail_cmd_context *ctx)
{
	struct last_login_doveadm_cmd *cmd = last_login_doveadm_cmd(ctx);
	struct hash_iterate_context *iter;
	struct last_login_doveadm_dict *ldict;
	const char *id;

	/* Before doveadm flushes its output: the last batch, also after a
	   refused key (the users before it were read). */
	if (cmd->batch_pool != NULL)
		last_login_doveadm_flush(cmd);
	if (hash_table_is_created(cmd->dicts)) {
		iter = hash_table_iterate_init(cmd->dicts);
		while (hash_table_iterate(iter, cmd->dicts, &id, &ldict)) {
			dict_deinit(&ldict->dict);
			event_unref(&ldict->event);
		}
		hash_table_iterate_deinit(&iter);
		hash_table_destroy(&cmd->dicts);
	}
	if (hash_table_is_created(cmd->warned_columns))
		hash_table_destroy(&cmd->warned_columns);
	pool_unref(&cmd->batch_pool);
	pool_unref(&cmd->user_pool);
}

static struct doveadm_mail_cmd_context *last_login_doveadm_alloc(void)
{
	struct last_login_doveadm_cmd *cmd;

	cmd = doveadm_mail_cmd_alloc(struct last_login_doveadm_cmd);
	cmd->ctx.v.preinit = last_login_doveadm_preinit;
	cmd->ctx.v.prerun = last_login_doveadm_prerun;
	cmd->ctx.v.run = last_login_doveadm_run;
	cmd->ctx.v.deinit = last_login_doveadm_deinit;
	last_login_doveadm_glue_set_vfuncs(&cmd->ctx);

	cmd->user_pool = pool_alloconly_create("last-login user", 1024);
	cmd->batch_pool = pool_alloconly_create("last-login batch", 16384);
	p_array_init(&cmd->rows, cmd->batch_pool, 256);
	hash_table_create(&cmd->dicts, cmd->ctx.pool, 0, str_hash, strcmp);
	hash_table_create(&cmd->warned_columns, cmd->ctx.pool, 0,
			  str_hash, strcmp);
	doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
	return &cmd->ctx;
}

static struct doveadm_cmd_ver2 last_login_doveadm_cmd_get = {
	.name = "last-login get",
	.mail_cmd = last_login_doveadm_alloc,
	.usage = "[-u <user>|-A|-F <file>] [-s <service>[,<service>...]] "
		"[--older-than <interval>] [--never]",
DOVEADM_CMD_PARAMS_START
DOVEADM_CMD_PARAM('A', "all-users", CMD_PARAM_BOOL, 0)
DOVEADM_CMD_PARAM('u', "user", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAM('F', "user-file", CMD_PARAM_ISTREAM, 0)
/* 2.3 passes a mail command only options with a letter */
DOVEADM_CMD_PARAM('s', "service", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAM('O', "older-than", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAM('N', "never", CMD_PARAM_BOOL, 0)
DOVEADM_CMD_PARAMS_END
};

const char *doveadm_last_login_plugin_version = DOVECOT_ABI_VERSION;

void doveadm_last_login_plugin_init(struct module *module ATTR_UNUSED)
{
	doveadm_cmd_register_ver2(&last_login_doveadm_cmd_get);
}

void doveadm_last_login_plugin_deinit(void)
{
}
