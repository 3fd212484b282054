/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The seam the writer calls, for the simulation: the glue of
   include/last-login-glue.h and the probe of last-login-probe.h, on the
   fake driver and backend. A dict URI is "sim:KIND:ID": KIND the
   driver the fake behaves like (sim-driver.c), ID one dict of the
   process (one for all users, or one per user). */

#include "lib.h"
#include "ioloop.h"
#include "dict.h"
#include "last-login-glue.h"
#include "last-login-probe.h"
#include "sim.h"

#define SIM_HOST "sim-backend"
#define SIM_PORT 6379

#ifdef HAVE_SETTINGS_GET
int sim_driver_dict_init(const char *args, struct event *event_parent,
			 struct dict **dict_r, const char **error_r);
#endif
#ifdef HAVE_DICT_OP_SETTINGS
static const struct dict_op_settings sim_op_settings;
#endif

int last_login_glue_dict_target(struct mail_user *user ATTR_UNUSED,
				const struct last_login_settings *set,
				pool_t pool,
				struct last_login_dict_target *target_r,
				const char **error_r ATTR_UNUSED)
{
	const char *kind = set->dict_uri + strlen("sim:");

	i_zero(target_r);
	target_r->id = p_strdup(pool, set->dict_uri);
	if (strncmp(kind, "redis", 5) == 0) {
		target_r->kind = LAST_LOGIN_DICT_KIND_REDIS;
		target_r->host = SIM_HOST;
		target_r->port = SIM_PORT;
	} else if (strncmp(kind, "proxy", 5) == 0) {
		target_r->kind = LAST_LOGIN_DICT_KIND_PROXY;
		target_r->socket_path = "/sim/dict";
	} else {
		target_r->kind = LAST_LOGIN_DICT_KIND_LOCAL;
	}
	return 0;
}

int last_login_glue_dict_init(struct mail_user *user ATTR_UNUSED,
			      const struct last_login_settings *set,
			      struct event *event,
			      struct dict **dict_r, const char **error_r)
{
	/* as the real glue: a blocking driver's request timeout */
	const char *uri = t_strdup_printf("%s:timeout_msecs=%u",
		set->dict_uri, last_login_request_msecs(set->timeout_msecs));
	const char *error;
	int ret;

#ifdef HAVE_SETTINGS_GET
	ret = sim_driver_dict_init(uri + strlen("sim:"), event, dict_r,
				   &error);
#else
	struct dict_settings dict_set;

	i_zero(&dict_set);
	dict_set.base_dir = "/sim";
	dict_set.event_parent = event;
#ifndef HAVE_DICT_OP_SETTINGS
	dict_set.username = "";
#endif
	ret = dict_init(uri, &dict_set, dict_r, &error);
#endif
	if (ret < 0) {
		*error_r = t_strdup_printf("dict_init(%s) failed: %s",
					   set->dict_uri, error);
		return -1;
	}
	return 0;
}

struct dict_transaction_context *
last_login_glue_transaction_begin(struct dict *dict)
{
	struct dict_transaction_context *trans;

#ifdef HAVE_DICT_OP_SETTINGS
	trans = dict_transaction_begin(dict, &sim_op_settings);
#else
	trans = dict_transaction_begin(dict);
#endif
#ifndef HAVE_SETTINGS_GET
	dict_transaction_no_slowness_warning(trans);
#endif
	return trans;
}

void last_login_glue_lookup_async(struct dict *dict, const char *key,
				  dict_lookup_callback_t *callback,
				  void *context)
{
#ifdef HAVE_DICT_OP_SETTINGS
	(dict_lookup_async)(dict, &sim_op_settings, key, callback, context);
#else
	(dict_lookup_async)(dict, key, callback, context);
#endif
}

/* The probe: a connect to the simulated backend. */
struct last_login_probe {
	unsigned int timeout_msecs;
	struct timeout *to;
	char *error;
	last_login_probe_callback_t *callback;
	void *context;
};

static void sim_probe_done(struct last_login_probe *probe)
{
	last_login_probe_callback_t *callback = probe->callback;
	void *context = probe->context;
	const char *error = t_strdup(probe->error);

	sim_trace("probe: %s", error == NULL ? "connected" : error);
	last_login_probe_free(&probe);
	callback(error, context);
}

const char *last_login_probe_timeout_error(struct last_login_probe *probe)
{
	return t_strdup_printf("connect(%s:%u) timed out after %u ms",
			       SIM_HOST, SIM_PORT, probe->timeout_msecs);
}

struct last_login_probe *
last_login_probe_start(const struct last_login_dict_target *target,
		       unsigned int timeout_msecs,
		       last_login_probe_callback_t *callback, void *context)
{
	struct last_login_probe *probe;
	uint64_t now = sim_clock_now(), done, msecs;
	int ok = 1;

	probe = i_new(struct last_login_probe, 1);
	probe->timeout_msecs = timeout_msecs;
	probe->callback = callback;
	probe->context = context;
	done = now;
	if (target->host != NULL || target->socket_path != NULL)
		ok = sim_backend_connect(now, &done);
	if (done == SIM_NEVER || done - now > SIM_MSECS(timeout_msecs)) {
		msecs = timeout_msecs;
		probe->error = i_strdup(
			last_login_probe_timeout_error(probe));
	} else {
		msecs = (done - now) / 1000;
		if (!ok) {
			probe->error = i_strdup_printf(
				"connect(%s:%u) failed: Connection refused",
				SIM_HOST, SIM_PORT);
		}
	}
	probe->to = msecs == 0 ?
		timeout_add_short(0, sim_probe_done, probe) :
		timeout_add((unsigned int)msecs, sim_probe_done, probe);
	return probe;
}

void last_login_probe_free(struct last_login_probe **_probe)
{
	struct last_login_probe *probe = *_probe;

	if (probe == NULL)
		return;
	*_probe = NULL;
	timeout_remove(&probe->to);
	i_free(probe->error);
	i_free(probe);
}
