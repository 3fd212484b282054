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
/* Expanded in place of the service, to see whether a key depends on
   it. */
#define LAST_LOGIN_DOVEADM_SERVICE_MARKER "\003"

/* One dict, shared by the users whose settings name the same one. */
struct last_login_doveadm_dict {
	struct dict *dict;
	struct event *event;
	enum last_login_dict_kind kind;
	/* The first failure: later keys are not asked again, so that a
	   dead backend costs one timeout, not one per user. */
	const char *error;
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

	/* The current user's templates, read before the mail user exists */
	pool_t user_pool;
	struct last_login_templates tmpl;
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
   its cause goes to stderr, and the exit code says it. */
static void last_login_doveadm_row_error(struct last_login_doveadm_cmd *cmd,
					 struct last_login_doveadm_row *row,
					 const char *error)
{
	if (row->state != LAST_LOGIN_DOVEADM_ERROR) {
		i_error("last-login: %s (%s): %s", row->user, row->service,
			error);
	}
	row->state = LAST_LOGIN_DOVEADM_ERROR;
	last_login_doveadm_failed(cmd, EX_TEMPFAIL);
}

static void
last_login_doveadm_lookup_callback(const struct dict_lookup_result *result,
				   struct last_login_doveadm_lookup *lookup)
{
	struct last_login_doveadm_cmd *cmd = lookup->cmd;
	struct last_login_doveadm_row *row = lookup->row;
	const char *value = NULL;

	if (result->ret < 0) {
		if (lookup->ldict->error == NULL) {
			lookup->ldict->error = p_strdup(cmd->ctx.pool,
							result->error);
		}
		last_login_doveadm_row_error(cmd, row, t_strdup_printf(
			"Lookup of %s failed: %s", lookup->key,
			result->error));
		return;
	}
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
	if (ldict->error != NULL) {
		last_login_doveadm_row_error(cmd, row, t_strdup_printf(
			"Lookup of %s not tried: the dict failed before: %s",
			key, ldict->error));
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

	if (last_login_report_iterate_prefix(key, &prefix) < 0) {
		last_login_doveadm_row_error(cmd, row,
			"last_login_key holds a value of the login (e.g. "
			"%{remote_ip}) that is not after a '/': "
			"no dict can list its keys");
		return;
	}
	if (ldict->error != NULL) {
		last_login_doveadm_row_error(cmd, row, t_strdup_printf(
			"Listing %s not tried: the dict failed before: %s",
			prefix, ldict->error));
		return;
	}
	i_zero(&newest);
	iter = last_login_doveadm_glue_iterate_init(ldict->dict, prefix);
	while (dict_iterate(iter, &ikey, &value)) {
		if (last_login_report_value_parse(value, row->precision,
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

/* Rows and lookups of one user and service. */
static void last_login_doveadm_user_service(
	struct last_login_doveadm_cmd *cmd, struct mail_user *user,
	struct last_login_doveadm_dict *ldict,
	enum last_login_precision precision, const char *service)
{
	struct last_login_doveadm_row *row;
	const char *expanded, *key, *tmpl, *error;
	int column;

	row = last_login_doveadm_row_add(cmd, user->username, service);
	row->precision = precision;
	if (cmd->tmpl.key == NULL)
		expanded = NULL;
	else if (last_login_doveadm_glue_expand(user, cmd->tmpl.key, service,
						&expanded, &error) < 0) {
		last_login_doveadm_row_error(cmd, row, t_strdup_printf(
			"Invalid last_login_key '%s': %s", cmd->tmpl.key,
			error));
		return;
	}
	key = last_login_key_build(expanded, user->username);
	if (key == NULL) {
		last_login_doveadm_row_error(cmd, row,
			"last_login_key expands to an empty string");
		return;
	}
	if (strstr(key, LAST_LOGIN_REPORT_MARKER) == NULL)
		last_login_doveadm_lookup(cmd, ldict, row, key, -1);
	else if (ldict->kind != LAST_LOGIN_DICT_KIND_REDIS)
		last_login_doveadm_iterate(cmd, ldict, row, key);
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

	array_foreach_elem(&cmd->tmpl.field_keys, tmpl) {
		column = last_login_doveadm_column(cmd, tmpl);
		if (column < 0)
			continue;
		if (last_login_doveadm_glue_expand(user, tmpl, service,
						   &expanded, &error) < 0) {
			last_login_doveadm_row_error(cmd, row,
				t_strdup_printf("Invalid "
				"last_login_dict_fields key '%s': %s",
				tmpl, error));
			continue;
		}
		/* A field per login can't be found by the user's name. */
		if (strstr(expanded, LAST_LOGIN_REPORT_MARKER) != NULL ||
		    *expanded == '\0')
			continue;
		last_login_doveadm_lookup(cmd, ldict, row, t_strconcat(
			LAST_LOGIN_KEY_NAMESPACE, expanded, NULL), column);
	}
}

/* Whether the user's key or fields differ per service: expanded with
   a marker for the service, they show it. */
static bool
last_login_doveadm_per_service(struct last_login_doveadm_cmd *cmd,
			       struct mail_user *user)
{
	const char *tmpl, *expanded, *error;

	if (cmd->tmpl.key != NULL &&
	    last_login_doveadm_glue_expand(user, cmd->tmpl.key,
			LAST_LOGIN_DOVEADM_SERVICE_MARKER,
			&expanded, &error) == 0 &&
	    strstr(expanded, LAST_LOGIN_DOVEADM_SERVICE_MARKER) != NULL)
		return TRUE;
	array_foreach_elem(&cmd->tmpl.field_keys, tmpl) {
		if (last_login_doveadm_glue_expand(user, tmpl,
				LAST_LOGIN_DOVEADM_SERVICE_MARKER,
				&expanded, &error) == 0 &&
		    strstr(expanded, LAST_LOGIN_DOVEADM_SERVICE_MARKER) != NULL)
			return TRUE;
	}
	return FALSE;
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
		} else if (last_login_report_value_parse(row->value,
				row->precision, &ts) < 0) {
			doveadm_print("unreadable");
			doveadm_print("");
		} else {
			doveadm_print(last_login_report_iso8601(
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
		if (last_login_report_value_parse(rows[i]->value,
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

static int
last_login_doveadm_prerun(struct doveadm_mail_cmd_context *ctx,
			  struct mail_storage_service_user *suser,
			  const char **error_r ATTR_UNUSED)
{
	struct last_login_doveadm_cmd *cmd = last_login_doveadm_cmd(ctx);

	p_clear(cmd->user_pool);
	cmd->tmpl_error = NULL;
	if (last_login_doveadm_glue_templates(suser, cmd->user_pool,
					      &cmd->tmpl,
					      &cmd->tmpl_error) < 0) {
		cmd->tmpl_error = p_strdup(cmd->user_pool, cmd->tmpl_error);
		i_zero(&cmd->tmpl);
		p_array_init(&cmd->tmpl.field_keys, cmd->user_pool, 1);
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
	const char *service, *error = NULL;
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
	if (!last_login_doveadm_per_service(cmd, user)) {
		service = LAST_LOGIN_DOVEADM_ANY_SERVICE;
		last_login_doveadm_user_service(cmd, user, ldict, precision,
						service);
	} else {
		array_foreach_elem(&cmd->services, service) {
			last_login_doveadm_user_service(cmd, user, ldict,
							precision, service);
			/* said once, not once per service */
			if (cmd->refused)
				break;
		}
	}
	if (cmd->refused) {
		/* None of this user's rows is shown; the users before
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
		MAIL_STORAGE_SERVICE_FLAG_NO_NAMESPACES;

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

	p_array_init(&cmd->columns, ctx->pool, 4);
	{
		ARRAY_TYPE(const_string) keys;

		last_login_doveadm_glue_global_fields(ctx, ctx->pool, &keys);
		array_foreach_elem(&keys, tmpl) {
			name = p_strdup(ctx->pool,
				last_login_report_field_column(tmpl));
			if (array_lsearch(&cmd->columns, &name,
					  i_strcmp_p) == NULL)
				array_push_back(&cmd->columns, &name);
		}
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

	/* Before doveadm flushes its output: the last batch, also when a
	   user's key was refused (the users before it were read). */
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
