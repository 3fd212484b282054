/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The dict driver "sim", registered with Dovecot's dict.c, behaving
   like one of the real drivers the writer meets (doc/write-path.md
   section 1) against the simulated backend:
   - redis-2.3/-2.4: no lookup_async (dict.c falls back to the
     synchronous lookup), a synchronous connect when not connected,
     asynchronous commits once connected; 2.4 fails a commit of a
     silent server after the request timeout in the caller's ioloop,
     2.3 only in wait(); every error is FAILED; no switch_ioloop.
   - proxy: lookups and commits asynchronous, answered from the
     current ioloop, a silent server is WRITE_UNCERTAIN after 30 s.
   - file: local, synchronous, its errors final.
   The request timeout is the one the glue passes: the URI's
   timeout_msecs=, as the real glue appends it for redis. */

#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "dict-private.h"
#include "sim.h"

#include <fcntl.h>
#include <unistd.h>

#define SIM_PROXY_TIMEOUT_MSECS 30000

struct sim_req;
ARRAY_DEFINE_TYPE(sim_req, struct sim_req *);

struct sim_dict {
	struct dict dict;
	enum sim_driver_kind kind;
	unsigned int timeout_msecs;
	/* the "connection": a real fd, so that fds are counted */
	int fd;
	ARRAY_TYPE(sim_req) reqs;
};

struct sim_req {
	struct sim_dict *dict;
	/* the backend's answer: ok, and when (SIM_NEVER) */
	int ok;
	uint64_t done_at;
	/* when the client gives up (SIM_NEVER) */
	uint64_t deadline;
	struct timeout *to;
	/* a refusal the backend answers with */
	char *refused;
	char *key;
	dict_transaction_commit_callback_t *commit_cb;
	dict_lookup_callback_t *lookup_cb;
	void *context;
};

struct sim_transaction {
	struct dict_transaction_context ctx;
	pool_t pool;
	ARRAY_TYPE(const_string) pairs;
	/* redis: the connect at the transaction's start failed */
	char *error;
};

static const char *const sim_kind_names[] = {
	"redis-2.3", "redis-2.4", "proxy", "file"
};

static unsigned int sim_live_dicts;
extern struct dict sim_dict_driver;

unsigned int sim_driver_live_dicts(void)
{
	return sim_live_dicts;
}

static bool sim_dict_is_redis(const struct sim_dict *d)
{
	return d->kind == SIM_DRIVER_REDIS23 || d->kind == SIM_DRIVER_REDIS24;
}

/* args: KIND:ID[:timeout_msecs=N] */
static int sim_dict_create(const char *args, struct dict **dict_r,
			   const char **error_r)
{
	struct sim_dict *d;
	const char *p;
	unsigned int i;

	d = i_new(struct sim_dict, 1);
	d->dict = sim_dict_driver;
	d->kind = SIM_DRIVER_COUNT;
	for (i = 0; i < N_ELEMENTS(sim_kind_names); i++) {
		if (strncmp(args, sim_kind_names[i],
			    strlen(sim_kind_names[i])) == 0 &&
		    args[strlen(sim_kind_names[i])] == ':')
			d->kind = i;
	}
	if (d->kind == SIM_DRIVER_COUNT) {
		i_free(d);
		*error_r = t_strdup_printf("unknown kind in %s", args);
		return -1;
	}
	d->timeout_msecs = 30000;
	p = strstr(args, ":timeout_msecs=");
	if (p != NULL &&
	    str_to_uint(p + strlen(":timeout_msecs="), &d->timeout_msecs) < 0) {
		i_free(d);
		*error_r = "invalid timeout_msecs";
		return -1;
	}
	if (d->kind == SIM_DRIVER_PROXY)
		d->timeout_msecs = SIM_PROXY_TIMEOUT_MSECS;
	else
		d->dict.v.lookup_async = NULL;
	if (d->kind != SIM_DRIVER_PROXY)
		d->dict.v.switch_ioloop = NULL;
	d->fd = -1;
	i_array_init(&d->reqs, 4);
	sim_live_dicts++;
	*dict_r = &d->dict;
	return 0;
}

static void sim_dict_deinit(struct dict *_dict)
{
	struct sim_dict *d = (struct sim_dict *)_dict;

	i_assert(array_count(&d->reqs) == 0);
	array_free(&d->reqs);
	i_close_fd(&d->fd);
	sim_live_dicts--;
	i_free(d);
}

static void sim_req_free(struct sim_req *req)
{
	timeout_remove(&req->to);
	i_free(req->refused);
	i_free(req->key);
	i_free(req);
}

/* The request ends: its callback with ret (a commit's dict_commit_ret,
   a lookup's -1/0/1) and error. */
static void sim_req_finish(struct sim_req *req, int ret, const char *error)
{
	struct sim_dict *d = req->dict;
	struct sim_req *const *reqs;
	unsigned int i, count;

	reqs = array_get(&d->reqs, &count);
	for (i = 0; i < count; i++) {
		if (reqs[i] == req) {
			array_delete(&d->reqs, i, 1);
			break;
		}
	}
	timeout_remove(&req->to);
	if (req->commit_cb != NULL) {
		struct dict_commit_result result;

		i_zero(&result);
		result.ret = ret;
		result.error = error;
		sim_trace("driver: commit ends %d %s", ret,
			  error == NULL ? "" : error);
		req->commit_cb(&result, req->context);
	} else {
		struct dict_lookup_result result;
		const char *values[2] = { NULL, NULL };

		i_zero(&result);
		result.ret = ret;
		result.error = error;
		if (ret > 0) {
			values[0] = t_strdup(sim_backend_get(req->key));
			result.value = values[0];
			result.values = values;
		}
		sim_trace("driver: lookup of %s ends %d %s", req->key, ret,
			  error == NULL ? "" : error);
		req->lookup_cb(&result, req->context);
	}
	sim_req_free(req);
}

/* The connection is gone: every request on it fails. */
static void sim_dict_disconnect(struct sim_dict *d, bool uncertain,
				const char *error)
{
	struct sim_req *req;

	i_close_fd(&d->fd);
	while (array_count(&d->reqs) > 0) {
		req = *array_front(&d->reqs);
		sim_req_finish(req, req->commit_cb == NULL ? -1 :
			       uncertain ? DICT_COMMIT_RET_WRITE_UNCERTAIN :
			       DICT_COMMIT_RET_FAILED, error);
	}
}

static const char *sim_dict_timeout_error(struct sim_dict *d)
{
	if (sim_dict_is_redis(d)) {
		return t_strdup_printf("redis: Commit timed out in "
				       "%u.%03u secs", d->timeout_msecs / 1000,
				       d->timeout_msecs % 1000);
	}
	return "Dict server timeout: no reply for 30 secs";
}

/* The backend answered the request, or its client gave up. */
static void sim_req_answer(struct sim_req *req)
{
	struct sim_dict *d = req->dict;
	const char *error;

	/* what the server did before it answered (the clock may have
	   reached it by ticks alone) */
	sim_backend_advance(sim_clock_now());
	if (req->done_at == SIM_NEVER || req->done_at > req->deadline) {
		sim_dict_disconnect(d, d->kind == SIM_DRIVER_PROXY,
				    sim_dict_timeout_error(d));
	} else if (!req->ok && sim_dict_is_redis(d)) {
		sim_dict_disconnect(d, FALSE,
				    "redis: Disconnected during transaction");
	} else if (!req->ok) {
		/* the dict server is up, its SQL server is not */
		sim_req_finish(req, req->commit_cb == NULL ? -1 :
			       DICT_COMMIT_RET_FAILED,
			       "sql: Not connected to database");
	} else if (req->refused != NULL) {
		error = t_strdup(req->refused);
		sim_req_finish(req, req->commit_cb == NULL ? -1 :
			       DICT_COMMIT_RET_FAILED, error);
	} else if (req->commit_cb != NULL) {
		sim_req_finish(req, DICT_COMMIT_RET_OK, NULL);
	} else {
		sim_req_finish(req, sim_backend_get(req->key) == NULL ? 0 : 1,
			       NULL);
	}
}

static uint64_t sim_req_fire_at(const struct sim_req *req)
{
	return req->done_at < req->deadline ? req->done_at : req->deadline;
}

static void sim_req_timeout(struct sim_req *req);

/* A timer's start is the ioloop's cached time, which may lag the
   clock: the answer is armed for whatever is left until it is due. */
static void sim_req_arm(struct sim_req *req)
{
	uint64_t now = sim_clock_now(), fire = sim_req_fire_at(req);

	timeout_remove(&req->to);
	req->to = timeout_add(fire <= now ? 0 :
			      (unsigned int)((fire - now + 999) / 1000),
			      sim_req_timeout, req);
}

static void sim_req_timeout(struct sim_req *req)
{
	if (sim_clock_now() < sim_req_fire_at(req))
		sim_req_arm(req);
	else
		sim_req_answer(req);
}

/* Sends a request on the connection: the answer, or the client's
   timeout, comes from the current ioloop. */
static struct sim_req *
sim_req_start(struct sim_dict *d, const char *refused_key)
{
	struct sim_req *req;
	uint64_t now = sim_clock_now();

	if (d->fd == -1)
		d->fd = open("/dev/null", O_RDONLY);
	req = i_new(struct sim_req, 1);
	req->dict = d;
	req->ok = sim_backend_request(now, &req->done_at);
	if (refused_key != NULL) {
		req->refused = i_strdup(sim_backend_refusal(refused_key));
	}
	switch (d->kind) {
	case SIM_DRIVER_REDIS23:
		req->deadline = SIM_NEVER;
		break;
	case SIM_DRIVER_REDIS24:
	case SIM_DRIVER_PROXY:
		req->deadline = now + SIM_MSECS(d->timeout_msecs);
		break;
	default:
		i_unreached();
	}
	if (sim_req_fire_at(req) != SIM_NEVER)
		sim_req_arm(req);
	array_push_back(&d->reqs, &req);
	return req;
}

/* redis: the synchronous connect, bounded by the request timeout. */
static int sim_dict_connect(struct sim_dict *d, const char **error_r)
{
	uint64_t now = sim_clock_now(), done;
	int ok;

	if (d->fd != -1)
		return 0;
	ok = sim_backend_connect(now, &done);
	if (done == SIM_NEVER ||
	    done - now > SIM_MSECS(d->timeout_msecs)) {
		sim_clock_block(SIM_MSECS(d->timeout_msecs));
		sim_trace("driver: connect timed out");
		*error_r = t_strdup_printf("redis: Connect timed out in "
			"%u.%03u secs", d->timeout_msecs / 1000,
			d->timeout_msecs % 1000);
		return -1;
	}
	sim_clock_block(done - now);
	if (!ok) {
		*error_r = "connect(sim-backend:6379) failed: "
			"Connection refused";
		return -1;
	}
	d->fd = open("/dev/null", O_RDONLY);
	return 0;
}

/* A synchronous lookup: redis' GET, the file's read. */
static int sim_dict_lookup_real(struct dict *_dict, pool_t pool,
				const char *key, const char **value_r,
				const char **error_r)
{
	struct sim_dict *d = (struct sim_dict *)_dict;
	uint64_t now, done;
	const char *value;
	int ok;

	if (d->kind != SIM_DRIVER_FILE) {
		if (d->kind == SIM_DRIVER_PROXY)
			i_panic("sim: the proxy's lookups are asynchronous");
		if (sim_dict_connect(d, error_r) < 0)
			return -1;
		now = sim_clock_now();
		ok = sim_backend_request(now, &done);
		if (done == SIM_NEVER ||
		    done - now > SIM_MSECS(d->timeout_msecs)) {
			sim_clock_block(SIM_MSECS(d->timeout_msecs));
			sim_trace("driver: lookup of %s timed out", key);
			i_close_fd(&d->fd);
			*error_r = t_strdup_printf("redis: Lookup timed out "
				"in %u.%03u secs", d->timeout_msecs / 1000,
				d->timeout_msecs % 1000);
			return -1;
		}
		sim_clock_block(done - now);
		if (!ok) {
			i_close_fd(&d->fd);
			*error_r = "redis: Disconnected during lookup";
			return -1;
		}
	}
	value = sim_backend_get(key);
	sim_trace("driver: lookup of %s gives %s", key,
		  value == NULL ? "nothing" : value);
	if (value == NULL)
		return 0;
	*value_r = p_strdup(pool, value);
	return 1;
}

static void
sim_dict_lookup_async_real(struct dict *_dict, const char *key,
			   dict_lookup_callback_t *callback, void *context)
{
	struct sim_dict *d = (struct sim_dict *)_dict;
	struct sim_req *req;

	req = sim_req_start(d, NULL);
	req->key = i_strdup(key);
	req->lookup_cb = callback;
	req->context = context;
}

static struct dict_transaction_context *
sim_dict_transaction_init(struct dict *_dict)
{
	struct sim_dict *d = (struct sim_dict *)_dict;
	struct sim_transaction *trans;
	const char *error;
	pool_t pool;

	pool = pool_alloconly_create("sim transaction", 1024);
	trans = p_new(pool, struct sim_transaction, 1);
	trans->pool = pool;
	trans->ctx.dict = _dict;
	p_array_init(&trans->pairs, pool, 8);
	if (sim_dict_is_redis(d) && sim_dict_connect(d, &error) < 0)
		trans->error = p_strdup(pool, error);
	return &trans->ctx;
}

static void sim_dict_set(struct dict_transaction_context *ctx,
			 const char *key, const char *value)
{
	struct sim_transaction *trans = (struct sim_transaction *)ctx;
	const char *str;

	str = p_strdup(trans->pool, key);
	array_push_back(&trans->pairs, &str);
	str = p_strdup(trans->pool, value);
	array_push_back(&trans->pairs, &str);
	ctx->changed = TRUE;
}

static void sim_dict_wait(struct dict *_dict);

static void
sim_dict_transaction_commit(struct dict_transaction_context *ctx,
			    bool async,
			    dict_transaction_commit_callback_t *callback,
			    void *context)
{
	struct sim_transaction *trans = (struct sim_transaction *)ctx;
	struct sim_dict *d = (struct sim_dict *)ctx->dict;
	struct dict_commit_result result;
	const char *const *pairs, *refused = NULL;
	unsigned int i, count;
	struct sim_req *req;

	pairs = array_get(&trans->pairs, &count);
	for (i = 0; i < count && refused == NULL; i += 2) {
		if (sim_backend_refuses(pairs[i]))
			refused = pairs[i];
	}
	i_zero(&result);
	if (trans->error != NULL) {
		result.ret = DICT_COMMIT_RET_FAILED;
		result.error = t_strdup(trans->error);
	} else if (d->kind == SIM_DRIVER_FILE && refused != NULL) {
		result.ret = DICT_COMMIT_RET_FAILED;
		result.error = t_strdup(sim_backend_refusal(refused));
	} else if (d->kind == SIM_DRIVER_FILE) {
		sim_backend_write(sim_clock_now(), pairs, count);
		result.ret = DICT_COMMIT_RET_OK;
	} else {
		req = sim_req_start(d, refused);
		req->commit_cb = callback;
		req->context = context;
		/* what the server does, whether or not the client waits */
		if (req->ok && refused == NULL && req->done_at != SIM_NEVER)
			sim_backend_write(req->done_at, pairs, count);
		sim_trace("driver: commit of %u keys sent", count / 2);
		pool_unref(&trans->pool);
		if (!async)
			sim_dict_wait(&d->dict);
		return;
	}
	pool_unref(&trans->pool);
	callback(&result, context);
}

static void sim_dict_transaction_rollback(struct dict_transaction_context *ctx)
{
	struct sim_transaction *trans = (struct sim_transaction *)ctx;

	pool_unref(&trans->pool);
}

/* Until every request is answered or timed out; redis 2.3 starts the
   request timeout here, the others keep the one from the request. */
static void sim_dict_wait(struct dict *_dict)
{
	struct sim_dict *d = (struct sim_dict *)_dict;
	struct sim_req *const *reqs, *next;
	uint64_t now = sim_clock_now(), fire, best;
	unsigned int i, count;

	reqs = array_get(&d->reqs, &count);
	for (i = 0; i < count; i++) {
		if (reqs[i]->deadline == SIM_NEVER)
			reqs[i]->deadline = now + SIM_MSECS(d->timeout_msecs);
	}
	while (array_count(&d->reqs) > 0) {
		reqs = array_get(&d->reqs, &count);
		next = NULL;
		best = SIM_NEVER;
		for (i = 0; i < count; i++) {
			fire = sim_req_fire_at(reqs[i]);
			if (next == NULL || fire < best) {
				next = reqs[i];
				best = fire;
			}
		}
		if (best == SIM_NEVER)
			i_panic("sim: dict_wait() would never end");
		now = sim_clock_now();
		if (best > now)
			sim_clock_block(best - now);
		sim_req_answer(next);
	}
}

static bool sim_dict_switch_ioloop(struct dict *_dict)
{
	struct sim_dict *d = (struct sim_dict *)_dict;
	struct sim_req *const *reqp;

	array_foreach(&d->reqs, reqp) {
		if ((*reqp)->to != NULL)
			(*reqp)->to = io_loop_move_timeout(&(*reqp)->to);
	}
	return array_count(&d->reqs) > 0;
}

/* What differs between the dict APIs: the vfuncs' signatures. */
#ifdef HAVE_SETTINGS_GET
static const char *sim_next_args;

static int sim_dict_init(const struct dict *driver ATTR_UNUSED,
			 struct event *event ATTR_UNUSED,
			 struct dict **dict_r, const char **error_r)
{
	return sim_dict_create(sim_next_args, dict_r, error_r);
}

/* 2.4 opens dicts from settings: the glue opens a sim dict as
   dict_init_filter_auto() does, without them. */
int sim_driver_dict_init(const char *args, struct event *event_parent,
			 struct dict **dict_r, const char **error_r);
int sim_driver_dict_init(const char *args, struct event *event_parent,
			 struct dict **dict_r, const char **error_r)
{
	struct event *event = event_create(event_parent);

	event_set_append_log_prefix(event, "dict(sim): ");
	sim_next_args = args;
	if (sim_dict_init(&sim_dict_driver, event, dict_r, error_r) < 0) {
		event_unref(&event);
		return -1;
	}
	(*dict_r)->refcount++;
	(*dict_r)->event = event;
	return 0;
}

static int sim_dict_lookup(struct dict *dict,
			   const struct dict_op_settings *set ATTR_UNUSED,
			   pool_t pool, const char *key,
			   const char *const **values_r, const char **error_r)
{
	const char **values = p_new(pool, const char *, 2);
	int ret;

	ret = sim_dict_lookup_real(dict, pool, key, &values[0], error_r);
	*values_r = values;
	return ret;
}
#else
static int sim_dict_init(struct dict *driver ATTR_UNUSED, const char *uri,
			 const struct dict_settings *set ATTR_UNUSED,
			 struct dict **dict_r, const char **error_r)
{
	return sim_dict_create(uri, dict_r, error_r);
}
#endif

#ifdef HAVE_DICT_OP_SETTINGS
#ifndef HAVE_SETTINGS_GET
static int sim_dict_lookup(struct dict *dict,
			   const struct dict_op_settings *set ATTR_UNUSED,
			   pool_t pool, const char *key, const char **value_r,
			   const char **error_r)
{
	return sim_dict_lookup_real(dict, pool, key, value_r, error_r);
}
#endif
static void
sim_dict_lookup_async(struct dict *dict,
		      const struct dict_op_settings *set ATTR_UNUSED,
		      const char *key, dict_lookup_callback_t *callback,
		      void *context)
{
	sim_dict_lookup_async_real(dict, key, callback, context);
}
#else
static int sim_dict_lookup(struct dict *dict, pool_t pool, const char *key,
			   const char **value_r, const char **error_r)
{
	return sim_dict_lookup_real(dict, pool, key, value_r, error_r);
}
#define sim_dict_lookup_async sim_dict_lookup_async_real
#endif

struct dict sim_dict_driver = {
	.name = "sim",
	.v = {
		.init = sim_dict_init,
		.deinit = sim_dict_deinit,
		.wait = sim_dict_wait,
		.lookup = sim_dict_lookup,
		.transaction_init = sim_dict_transaction_init,
		.transaction_commit = sim_dict_transaction_commit,
		.transaction_rollback = sim_dict_transaction_rollback,
		.set = sim_dict_set,
		.lookup_async = sim_dict_lookup_async,
		.switch_ioloop = sim_dict_switch_ioloop,
	},
};

void sim_driver_register(void)
{
	dict_driver_register(&sim_dict_driver);
}

void sim_driver_unregister(void)
{
	dict_driver_unregister(&sim_dict_driver);
}
