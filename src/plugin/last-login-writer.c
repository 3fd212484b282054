/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The process's writers (last-login-writer.h). Each writer is one state
   machine; doc/write-path.md has its table of states and transitions.

   What the writer promises, and how:
   - A login never waits for a network backend: it only queues a job,
     and the writer works from the ioloop. A local dict (file) is
     written at once, under the privileges of the user who logged in,
     as the stock plugin does.
   - No pass of the ioloop blocks longer than last_login_timeout: a
     blocking driver (redis, memcached) is called at most once per pass,
     and its request timeout is half of last_login_timeout.
   - Process end and a flush take at most last_login_timeout: a
     blocking call starts only while half of it is left.
   - A process whose ioloop does not run between logins (doveadm -A,
     LMTP with many recipients) writes every LAST_LOGIN_FLUSH_JOBS
     logins rather than keep them all to its end. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "llist.h"
#include "ioloop.h"
#include "time-util.h"
#include "dict.h"
#include "last-login-glue.h"
#include "last-login-job.h"
#include "last-login-probe.h"
#include "last-login-redact.h"
#include "last-login-retry.h"
#include "last-login-writer.h"

/* Logins waiting in one writer while its backend is down; beyond this
   the oldest is given up, so that memory stays bounded. */
#define LAST_LOGIN_QUEUE_MAX 10000
/* Stored values a writer remembers for last_login_interval; when full,
   it forgets them all (a forgotten one costs one lookup). */
#define LAST_LOGIN_STORED_MAX 10000
/* Logins queued without the ioloop running in between, after which
   the writers write them at once: few enough that a flush's blocking
   lookups (one per login with an interval, on redis) fit in it. */
#define LAST_LOGIN_FLUSH_JOBS 16
/* Writers open at once: beyond this, idle ones are closed first. */
#define LAST_LOGIN_WRITERS_MAX 16
/* A writer with nothing to do closes its dict after this long. */
#define LAST_LOGIN_IDLE_MSECS (60 * 1000)

enum last_login_writer_state {
	/* nothing queued, nothing under way */
	LAST_LOGIN_WRITER_IDLE = 0,
	/* jobs queued: an attempt starts when the timer fires (at once,
	   or when the backoff ends) */
	LAST_LOGIN_WRITER_WAITING,
	/* the batch waits for the probe of a failing backend */
	LAST_LOGIN_WRITER_PROBING,
	/* the batch's stored values are to be read, from lookup_next on */
	LAST_LOGIN_WRITER_LOOKUP,
	/* lookups sent, answers awaited */
	LAST_LOGIN_WRITER_LOOKUP_PENDING,
	/* the batch is to be committed */
	LAST_LOGIN_WRITER_COMMIT,
	/* the commit sent, its answer awaited */
	LAST_LOGIN_WRITER_COMMIT_PENDING,
	/* the process ended with a lookup or commit pending: the dict and
	   its ioloop are never freed (dict_deinit() would abort) */
	LAST_LOGIN_WRITER_STUCK,
};

/* Whether to probe before the next attempt. Kept per server, not per
   writer: users with a dict each (a per-user URI) share what one of
   them found, and don't each wait for the same dead server. */
enum last_login_backend {
	/* connects have worked, or none was tried: no probe */
	LAST_LOGIN_BACKEND_ANSWERING = 0,
	/* the last attempt failed: probe first */
	LAST_LOGIN_BACKEND_FAILING,
};

/* Who drives the writers: the main ioloop, or a bounded run that ends
   by a deadline (a flush, or the process's end). */
enum last_login_phase {
	LAST_LOGIN_PHASE_IOLOOP = 0,
	LAST_LOGIN_PHASE_FLUSH,
	LAST_LOGIN_PHASE_FINAL,
};

struct last_login_writer {
	struct last_login_writer *prev, *next;
	pool_t pool;
	struct last_login_dict_target target;
	unsigned int timeout_msecs;
	/* the dict's parent event */
	struct event *event;
	struct dict *dict;

	enum last_login_writer_state state;
	/* where the backend listens (last_login_server_get()) */
	const char *server_name;

	/* jobs waiting for the next attempt, oldest first */
	ARRAY_TYPE(last_login_job) queue;
	/* jobs of the attempt under way */
	ARRAY_TYPE(last_login_job) batch;
	/* For jobs with an interval: key -> the value the backend had or
	   was given last, as far as this process knows. The backend's may
	   only be newer, so a value here that makes a write unneeded is
	   right; one that doesn't is checked with a lookup. */
	HASH_TABLE(char *, char *) stored;

	/* the timer the state needs (last_login_writer_arm()) */
	struct timeout *to;
	struct last_login_probe *probe;
	/* LOOKUP: the next job of the batch to look up; LOOKUP_PENDING:
	   the answers awaited, and the first failure's text */
	unsigned int lookup_next, lookups_pending;
	char *lookup_error;

	/* After a refusal that named no key: the first suspects jobs of
	   the queue hold a refused one, and an attempt takes half of them
	   (a bisection). 0: an attempt takes the whole queue. */
	unsigned int suspects;
	/* the jobs the attempt under way took from the queue */
	unsigned int batch_taken;
	/* a bounded run (flush, process end) has no budget left for this
	   writer's next blocking call */
	bool out_of_budget;
};

ARRAY_DEFINE_TYPE(last_login_writer, struct last_login_writer *);

/* What the process knows of a backend server. */
struct last_login_server {
	char *name;
	enum last_login_backend backend;
	/* the backoff: its length, and when it ends */
	unsigned int retry_msecs;
	struct timeval retry_at;
};
/* Servers the process remembers; beyond this many it forgets them. */
#define LAST_LOGIN_SERVERS_MAX 64
static HASH_TABLE(const char *, struct last_login_server *)
	last_login_servers;

/* The process's writers, by target id. A writer outlives the users it
   writes for. */
static HASH_TABLE(const char *, struct last_login_writer *)
	last_login_writers;
/* The same writers, oldest first: they are served in this order, not
   in the hash's, whose order changes from process to process. */
static struct last_login_writer *last_login_writers_head;
static struct last_login_writer *last_login_writers_tail;
/* Writers the process's end left with a request pending in their dict,
   and the ioloop their dicts' ios are in: never freed (dict_deinit()
   would abort), but kept, not lost. */
static struct last_login_writer *last_login_writers_stuck;
static struct ioloop *last_login_stuck_ioloop = NULL;
static enum last_login_phase last_login_phase = LAST_LOGIN_PHASE_IOLOOP;
/* A bounded run's ioloop and deadline, and the ioloop it runs in. */
static struct ioloop *last_login_run_ioloop = NULL;
static struct ioloop *last_login_main_ioloop = NULL;
static struct timeval last_login_run_deadline;
/* Whether this pass of the main ioloop has blocked, and the logins
   queued in it; the timer clears both on the next pass. (Not told by
   ioloop_timeval: any nested ioloop, as a driver's wait, moves it.) */
static bool last_login_pass_blocked = FALSE;
static unsigned int last_login_jobs_since_pass = 0;
static struct timeout *last_login_pass_to = NULL;

static void last_login_writer_arm(struct last_login_writer *writer);
static void last_login_writer_step(struct last_login_writer *writer);

/* Whether the dict answers before its calls return, waiting for the
   backend if it must (redis, memcached, file), rather than from the
   ioloop (the dict proxy). */
static bool last_login_writer_blocks(const struct last_login_writer *writer)
{
	return writer->target.kind != LAST_LOGIN_DICT_KIND_PROXY;
}

/* ---- the ioloop's passes ---- */

static void last_login_pass_end(void *context ATTR_UNUSED)
{
	timeout_remove(&last_login_pass_to);
	last_login_pass_blocked = FALSE;
	last_login_jobs_since_pass = 0;
}

static void last_login_pass_watch(void)
{
	if (last_login_pass_to == NULL) {
		last_login_pass_to = timeout_add_short(0, last_login_pass_end,
						       (void *)NULL);
	}
}

/* Whether this pass of the main ioloop may block, and if so it has:
   once per pass. A process that does not run its ioloop (doveadm,
   dovecot-lda) has no passes and no one waiting on them. */
static bool last_login_pass_block(void)
{
	if (!io_loop_is_running(current_ioloop))
		return TRUE;
	if (last_login_pass_blocked)
		return FALSE;
	last_login_pass_blocked = TRUE;
	return TRUE;
}

/* After a call that may have blocked: the pass ends with the timer
   added now. One added before the call is due from before it, and the
   ioloop would run it in this same pass once the call has made the
   clock pass the time the pass began with. */
static void last_login_pass_blocked_done(void)
{
	if (!last_login_pass_blocked ||
	    last_login_phase != LAST_LOGIN_PHASE_IOLOOP)
		return;
	timeout_remove(&last_login_pass_to);
	last_login_pass_watch();
}

/* Whether the writer may make its next blocking call now. In the
   ioloop: one per pass for the whole process. In a bounded run: while
   half of last_login_timeout is left, which the call may take. */
static bool last_login_writer_may_block(struct last_login_writer *writer)
{
	struct timeval now;

	if (!last_login_writer_blocks(writer))
		return TRUE;
	if (last_login_phase == LAST_LOGIN_PHASE_IOLOOP)
		return last_login_pass_block();
	i_gettimeofday(&now);
	if (timeval_diff_msecs(&last_login_run_deadline, &now) <
	    (long long)last_login_request_msecs(writer->timeout_msecs)) {
		writer->out_of_budget = TRUE;
		return FALSE;
	}
	return TRUE;
}

/* In a bounded run: make the ioloop current that the next calls must
   use. A blocking driver's connection stays in the main ioloop (the
   redis driver has no switch_ioloop, and the run's ioloop is freed);
   what answers from an ioloop (the proxy, a probe) does so in the
   run's. Outside a run the main ioloop is current anyway. */
static void last_login_run_enter(bool private_ioloop)
{
	if (last_login_phase == LAST_LOGIN_PHASE_IOLOOP)
		return;
	io_loop_set_current(private_ioloop ? last_login_run_ioloop :
			    last_login_main_ioloop);
}

static bool last_login_run_deadline_passed(void)
{
	struct timeval now;

	i_gettimeofday(&now);
	return timeval_cmp(&now, &last_login_run_deadline) >= 0;
}

/* ---- what the writer remembers ---- */

static void last_login_writer_forget(struct last_login_writer *writer)
{
	struct hash_iterate_context *iter;
	char *key, *value;

	iter = hash_table_iterate_init(writer->stored);
	while (hash_table_iterate(iter, writer->stored, &key, &value)) {
		i_free(key);
		i_free(value);
	}
	hash_table_iterate_deinit(&iter);
	hash_table_clear(writer->stored, FALSE);
}

/* What the backend holds for the job's key, from now on. */
static void
last_login_writer_remember(struct last_login_writer *writer,
			   const struct last_login_job *job, const char *value)
{
	char *old_key, *old_value;

	if (job->interval_secs == 0)
		return;
	if (hash_table_lookup_full(writer->stored, job->key,
				   &old_key, &old_value)) {
		hash_table_update(writer->stored, old_key, i_strdup(value));
		i_free(old_value);
		return;
	}
	if (hash_table_count(writer->stored) >= LAST_LOGIN_STORED_MAX)
		last_login_writer_forget(writer);
	hash_table_insert(writer->stored, i_strdup(job->key), i_strdup(value));
}

/* The index of a job for key in jobs, or -1. */
static int
last_login_jobs_find(const ARRAY_TYPE(last_login_job) *jobs,
		     const char *key)
{
	struct last_login_job *const *jobp;

	array_foreach(jobs, jobp) {
		if (strcmp((*jobp)->key, key) == 0)
			return array_foreach_idx(jobs, jobp);
	}
	return -1;
}

/* ---- servers ---- */

static void last_login_servers_forget(void)
{
	struct hash_iterate_context *iter;
	struct last_login_server *server;
	const char *name;

	iter = hash_table_iterate_init(last_login_servers);
	while (hash_table_iterate(iter, last_login_servers, &name, &server)) {
		i_free(server->name);
		i_free(server);
	}
	hash_table_iterate_deinit(&iter);
	hash_table_clear(last_login_servers, FALSE);
}

/* The writer's server, as far as the process knows it. */
static struct last_login_server *
last_login_writer_server(const struct last_login_writer *writer)
{
	struct last_login_server *server;

	if (!hash_table_is_created(last_login_servers)) {
		hash_table_create(&last_login_servers, default_pool, 0,
				  str_hash, strcmp);
	}
	server = hash_table_lookup(last_login_servers, writer->server_name);
	if (server != NULL)
		return server;
	if (hash_table_count(last_login_servers) >= LAST_LOGIN_SERVERS_MAX)
		last_login_servers_forget();
	server = i_new(struct last_login_server, 1);
	server->name = i_strdup(writer->server_name);
	hash_table_insert(last_login_servers,
			  (const char *)server->name, server);
	return server;
}

/* Whether the writer's server is in its backoff. */
static bool last_login_writer_backing_off(struct last_login_writer *writer)
{
	struct timeval now;

	i_gettimeofday(&now);
	return timeval_cmp(&now,
			   &last_login_writer_server(writer)->retry_at) < 0;
}

/* ---- state changes ---- */

/* The batch goes back to the queue, in front of what came meanwhile. */
static void last_login_writer_requeue(struct last_login_writer *writer)
{
	array_append_array(&writer->batch, &writer->queue);
	array_clear(&writer->queue);
	array_append_array(&writer->queue, &writer->batch);
	array_clear(&writer->batch);
}

static void last_login_writer_set_state(struct last_login_writer *writer,
					enum last_login_writer_state state)
{
	writer->state = state;
	last_login_writer_arm(writer);
}

/* After an attempt: the next one, or nothing to do. */
static void last_login_writer_next(struct last_login_writer *writer)
{
	last_login_writer_set_state(writer, array_count(&writer->queue) > 0 ?
				    LAST_LOGIN_WRITER_WAITING :
				    LAST_LOGIN_WRITER_IDLE);
}

/* How a job whose attempt failed at the process's end ends: a failure
   at the deadline, or the blocking driver's own timeout (the glue set
   it from last_login_timeout), is the plugin giving up. */
static enum last_login_job_result
last_login_final_result(const struct last_login_writer *writer,
			bool uncertain, const char *error)
{
	if (last_login_run_deadline_passed() ||
	    (last_login_writer_blocks(writer) &&
	     strstr(error, "timed out") != NULL))
		return LAST_LOGIN_JOB_RESULT_ABANDONED;
	return uncertain ? LAST_LOGIN_JOB_RESULT_UNCERTAIN :
		LAST_LOGIN_JOB_RESULT_FAILED;
}

/* One failed job of the batch: ended, or queued again for a retry. */
static void
last_login_writer_job_failed(struct last_login_writer *writer,
			     struct last_login_job *job, bool transient,
			     bool uncertain, const char *error)
{
	if (last_login_phase == LAST_LOGIN_PHASE_FINAL) {
		last_login_job_end(job, last_login_final_result(writer,
			uncertain, error));
	} else if (!transient) {
		last_login_job_end(job, LAST_LOGIN_JOB_RESULT_FAILED);
	} else if (last_login_jobs_find(&writer->queue, job->key) >= 0) {
		/* a newer login of the same key came meanwhile */
		last_login_job_end_replaced(job);
	} else {
		last_login_job_log_failure(job);
		array_insert(&writer->queue, 0, &job, 1);
	}
}

/* The backend refused a batch with fields (e.g. a key no dict-sql map
   knows, as a rule for every login): the time matters most, so the
   batch goes again at once with the times alone. Returns FALSE if no
   job had fields. */
static bool
last_login_writer_drop_fields(struct last_login_writer *writer,
			      const char *error)
{
	struct last_login_job *const *jobp;
	unsigned int count = array_count(&writer->batch);
	const char *others;
	bool dropped = FALSE;

	/* The refusal may name one login's key: each line names only its
	   own login's. */
	others = t_strdup_printf("the backend refused a transaction with "
				 "the fields of %u logins", count);
	array_foreach(&writer->batch, jobp) {
		if (last_login_job_drop_fields(*jobp, count == 1 ||
				last_login_job_names_own_key(*jobp, error) ?
				error : others))
			dropped = TRUE;
	}
	if (!dropped)
		return FALSE;
	last_login_writer_requeue(writer);
	last_login_writer_set_state(writer, LAST_LOGIN_WRITER_WAITING);
	return TRUE;
}

/* The backend refused the times of a batch of several logins and named
   the one key it refused (dict-sql: "Invalid/unmapped key: KEY"): that
   login ends refused, the refusal as its own line, and the rest goes
   again at once. Halving would find the same key in about log2 of the
   batch more round trips per refused key, which a long queue at the
   process's end cannot afford. Returns FALSE for a batch of one, or a
   refusal that names no login's key or several. */
static bool
last_login_writer_drop_refused(struct last_login_writer *writer,
			       const char *error)
{
	struct last_login_job *const *jobs, *job = NULL;
	unsigned int i, count, idx = 0;

	jobs = array_get(&writer->batch, &count);
	if (count < 2)
		return FALSE;
	for (i = 0; i < count; i++) {
		if (!last_login_job_names_own_key(jobs[i], error))
			continue;
		if (job != NULL)
			return FALSE;
		job = jobs[i];
		idx = i;
	}
	if (job == NULL)
		return FALSE;
	array_delete(&writer->batch, idx, 1);
	/* the refused key is known: full batches again */
	writer->suspects = 0;
	/* as for a batch of one: the refusal with its fields, if any */
	if (job->fields_error != NULL)
		error = t_strdup(job->fields_error);
	last_login_job_set_error(job, error, FALSE);
	last_login_writer_job_failed(writer, job, FALSE, FALSE, error);
	last_login_writer_requeue(writer);
	last_login_writer_set_state(writer, LAST_LOGIN_WRITER_WAITING);
	return TRUE;
}

/* The backend refused the times of a batch of several logins without
   naming the key: one key (e.g. one no dict-sql map pattern matches)
   fails the whole transaction. The batch's first half goes next; once
   a half is written, the refusal is in the other, which is halved in
   turn (last_login_writer_succeeded()), so that the others are written
   and each refusal is one login's. Returns FALSE for a batch of one. */
static bool last_login_writer_split(struct last_login_writer *writer)
{
	unsigned int count = array_count(&writer->batch);

	if (count < 2)
		return FALSE;
	last_login_writer_requeue(writer);
	writer->suspects = count;
	last_login_writer_set_state(writer, LAST_LOGIN_WRITER_WAITING);
	return TRUE;
}

/* The attempt of the batch failed. Each job's error names its own key
   where the error is about a key (lookup_failed). */
static void
last_login_writer_attempt_failed(struct last_login_writer *writer,
				 const char *error, bool uncertain,
				 bool lookup_failed)
{
	struct last_login_server *server;
	struct last_login_job *const *jobp, *job;
	const char *job_error;
	unsigned int i, count;
	bool transient;

	transient = last_login_retry_is_transient(writer->target.kind,
						  uncertain, error);
	/* Also at process end, while the budget lasts: the times alone,
	   then a batch of several in halves. */
	if (!transient && !lookup_failed &&
	    !(last_login_phase == LAST_LOGIN_PHASE_FINAL &&
	      last_login_run_deadline_passed()) &&
	    (last_login_writer_drop_fields(writer, error) ||
	     last_login_writer_drop_refused(writer, error) ||
	     last_login_writer_split(writer)))
		return;
	/* A refused login stands alone now: the rest goes in full batches
	   again (a refusal is a key's, not the batch size's). */
	if (!transient)
		writer->suspects = 0;

	/* A refusal is an answer: the server is up. A failure while the
	   server's backoff runs (another writer's attempt found it down
	   meanwhile) does not lengthen it. */
	if (transient && !last_login_writer_backing_off(writer)) {
		server = last_login_writer_server(writer);
		server->backend = LAST_LOGIN_BACKEND_FAILING;
		server->retry_msecs =
			last_login_retry_next_msecs(server->retry_msecs);
		i_gettimeofday(&server->retry_at);
		timeval_add_msecs(&server->retry_at, server->retry_msecs);
	}

	jobp = array_get(&writer->batch, &count);
	for (i = count; i > 0; i--) {
		job = jobp[i - 1];
		if (lookup_failed) {
			job_error = t_strdup_printf("Lookup of %s failed: %s",
				last_login_job_key(job), error);
		} else if (!transient && job->fields_error != NULL) {
			/* The times alone were refused too: the refusal with
			   the fields is the one the configuration asked for,
			   and may name the real cause. */
			job_error = job->fields_error;
		} else if (!transient && count > 1 &&
			   !last_login_job_names_own_key(job, error)) {
			/* no time left to split the batch: a refusal that
			   names another login's key is not this one's */
			job_error = t_strdup_printf("the backend refused a "
				"transaction of %u logins", count);
		} else {
			job_error = error;
		}
		last_login_job_set_error(job, job_error, uncertain);
		last_login_writer_job_failed(writer, job, transient,
					     uncertain, job_error);
	}
	array_clear(&writer->batch);
	last_login_writer_next(writer);
}

static void last_login_writer_succeeded(struct last_login_writer *writer)
{
	struct last_login_server *server = last_login_writer_server(writer);

	/* in a bisection: the refusal is among the suspects not taken */
	writer->suspects -= I_MIN(writer->suspects, writer->batch_taken);
	server->backend = LAST_LOGIN_BACKEND_ANSWERING;
	server->retry_msecs = 0;
	i_zero(&server->retry_at);
	last_login_writer_next(writer);
}

/* ---- an attempt: probe, lookups, commit ---- */

static void
last_login_writer_commit_callback(const struct dict_commit_result *result,
				  void *context)
{
	struct last_login_writer *writer = context;
	struct last_login_job *const *jobp;

	i_assert(writer->state == LAST_LOGIN_WRITER_COMMIT_PENDING);
	switch (result->ret) {
	case DICT_COMMIT_RET_OK:
	case DICT_COMMIT_RET_NOTFOUND:
		array_foreach(&writer->batch, jobp) {
			last_login_writer_remember(writer, *jobp,
						   (*jobp)->value);
			last_login_job_end(*jobp, LAST_LOGIN_JOB_RESULT_OK);
		}
		array_clear(&writer->batch);
		last_login_writer_succeeded(writer);
		break;
	case DICT_COMMIT_RET_FAILED:
		last_login_writer_attempt_failed(writer,
			last_login_redact_secrets(result->error),
			FALSE, FALSE);
		break;
	case DICT_COMMIT_RET_WRITE_UNCERTAIN:
		last_login_writer_attempt_failed(writer,
			last_login_redact_secrets(result->error),
			TRUE, FALSE);
		break;
	}
}

static void last_login_writer_commit(struct last_login_writer *writer)
{
	struct dict_transaction_context *trans;
	struct last_login_job *const *jobp;
	char *const *fields;
	unsigned int i, count;

	if (array_count(&writer->batch) == 0) {
		/* every lookup made its write unneeded */
		last_login_writer_succeeded(writer);
		return;
	}
	trans = last_login_glue_transaction_begin(writer->dict);
	array_foreach(&writer->batch, jobp) {
		/* Together, so that dict-sql makes one statement of a row's
		   time and fields (the maps share the table and key). */
		dict_set(trans, (*jobp)->key, (*jobp)->value);
		fields = array_get(&(*jobp)->fields, &count);
		for (i = 0; i + 1 < count; i += 2)
			dict_set(trans, fields[i], fields[i + 1]);
	}
	last_login_writer_set_state(writer, LAST_LOGIN_WRITER_COMMIT_PENDING);
	dict_transaction_commit_async(&trans,
				      last_login_writer_commit_callback,
				      (void *)writer);
}

/* The lookups answered so far are all there will be. */
static void last_login_writer_lookups_done(struct last_login_writer *writer)
{
	struct last_login_job *const *jobp, *job;
	unsigned int i, count;
	char *error = writer->lookup_error;

	writer->lookup_error = NULL;
	if (error != NULL) {
		last_login_writer_attempt_failed(writer, error, FALSE, TRUE);
		i_free(error);
		return;
	}
	if (writer->lookup_next < array_count(&writer->batch)) {
		/* a blocking driver: one lookup per step */
		last_login_writer_set_state(writer, LAST_LOGIN_WRITER_LOOKUP);
		return;
	}
	jobp = array_get(&writer->batch, &count);
	for (i = count; i > 0; i--) {
		job = jobp[i - 1];
		if (job->skip != LAST_LOGIN_JOB_SKIP_NONE) {
			array_delete(&writer->batch, i - 1, 1);
			last_login_job_end(job, LAST_LOGIN_JOB_RESULT_OK);
		}
	}
	last_login_writer_set_state(writer, LAST_LOGIN_WRITER_COMMIT);
}

static void
last_login_job_lookup_callback(const struct dict_lookup_result *result,
			       void *context)
{
	struct last_login_job *job = context;
	struct last_login_writer *writer = job->writer;

	if (result->ret < 0 && writer->lookup_error == NULL)
		writer->lookup_error =
			i_strdup(last_login_redact_secrets(result->error));
	else if (result->ret > 0) {
		last_login_writer_remember(writer, job, result->value);
		(void)last_login_job_check_stored(job, result->value);
	}
	i_assert(writer->lookups_pending > 0);
	if (--writer->lookups_pending == 0)
		last_login_writer_lookups_done(writer);
}

/* Sends the lookups of the batch from lookup_next on: all of them to
   an asynchronous driver, the next one to a blocking driver, whose
   lookup answers before it returns. A retry looks its key up: another
   session may have written a newer time meanwhile. With an interval
   every attempt does: the backend's value is the one all share. */
static void last_login_writer_lookup(struct last_login_writer *writer)
{
	struct last_login_job *const *jobs;
	unsigned int count;

	jobs = array_get(&writer->batch, &count);
	/* held at 1 while sending: an answer may come at once */
	writer->lookups_pending = 1;
	last_login_writer_set_state(writer, LAST_LOGIN_WRITER_LOOKUP_PENDING);
	while (writer->lookup_next < count) {
		struct last_login_job *job = jobs[writer->lookup_next++];

		if (!last_login_job_needs_lookup(job))
			continue;
		writer->lookups_pending++;
		last_login_glue_lookup_async(writer->dict, job->key,
					     last_login_job_lookup_callback,
					     job);
		if (last_login_writer_blocks(writer))
			break;
	}
	if (--writer->lookups_pending == 0)
		last_login_writer_lookups_done(writer);
}

static void last_login_writer_probed(const char *error, void *context)
{
	struct last_login_writer *writer = context;

	i_assert(writer->state == LAST_LOGIN_WRITER_PROBING);
	writer->probe = NULL;
	if (error != NULL)
		last_login_writer_attempt_failed(writer, error, FALSE, FALSE);
	else
		last_login_writer_set_state(writer, LAST_LOGIN_WRITER_LOOKUP);
}

static unsigned int
last_login_writer_probe_msecs(const struct last_login_writer *writer)
{
	struct timeval now;
	long long left;

	if (last_login_phase == LAST_LOGIN_PHASE_IOLOOP)
		return writer->timeout_msecs;
	i_gettimeofday(&now);
	left = timeval_diff_msecs(&last_login_run_deadline, &now);
	return left <= 0 ? 1 : (unsigned int)I_MIN(left,
		(long long)writer->timeout_msecs);
}

/* Start an attempt with every queued job. Only a TCP connect can hang
   (a blocking driver waits for it), and only after a failure is there
   reason to expect it: then a probe goes first. A unix socket connects
   or fails at once; probing the dict server's would take one of its
   connection slots. */
static void last_login_writer_attempt(struct last_login_writer *writer)
{
	struct last_login_job *const *jobp;

	unsigned int count = array_count(&writer->queue);

	if (writer->suspects > 0)
		count = I_MIN(count, (writer->suspects + 1) / 2);
	writer->batch_taken = count;
	array_append(&writer->batch, array_front(&writer->queue), count);
	array_delete(&writer->queue, 0, count);
	array_foreach(&writer->batch, jobp)
		(*jobp)->attempts++;
	writer->lookup_next = 0;
	if (last_login_writer_server(writer)->backend ==
	    LAST_LOGIN_BACKEND_ANSWERING ||
	    writer->target.host == NULL) {
		last_login_writer_set_state(writer, LAST_LOGIN_WRITER_LOOKUP);
		return;
	}
	last_login_writer_set_state(writer, LAST_LOGIN_WRITER_PROBING);
	last_login_run_enter(TRUE);
	writer->probe = last_login_probe_start(&writer->target,
		last_login_writer_probe_msecs(writer),
		last_login_writer_probed, writer);
	last_login_run_enter(!last_login_writer_blocks(writer));
}

/* A blocking driver's commit that got no answer: redis on 2.3 puts no
   timeout on it in the caller's ioloop. dict_wait() ends it within the
   driver's request timeout. */
static void last_login_writer_commit_wait(struct last_login_writer *writer)
{
	dict_wait(writer->dict);
}

/* Whether the writer has a step to take now (last_login_writer_step()),
   as opposed to waiting for an answer, a timer or nothing. */
static bool last_login_writer_can_step(struct last_login_writer *writer)
{
	switch (writer->state) {
	case LAST_LOGIN_WRITER_WAITING:
		/* a flush does not cut a backoff short */
		return last_login_phase != LAST_LOGIN_PHASE_FLUSH ||
			!last_login_writer_backing_off(writer);
	case LAST_LOGIN_WRITER_LOOKUP:
	case LAST_LOGIN_WRITER_COMMIT:
		return TRUE;
	case LAST_LOGIN_WRITER_COMMIT_PENDING:
		/* a bounded run waits for a blocking driver's answer */
		return last_login_phase != LAST_LOGIN_PHASE_IOLOOP &&
			last_login_writer_blocks(writer);
	default:
		return FALSE;
	}
}

/* The writer's next step, in the state it is in. */
static void last_login_writer_step(struct last_login_writer *writer)
{
	bool blocking = writer->state != LAST_LOGIN_WRITER_WAITING;

	i_assert(last_login_writer_can_step(writer));
	if (blocking && !last_login_writer_may_block(writer)) {
		/* in the ioloop: the next pass */
		last_login_writer_arm(writer);
		return;
	}
	last_login_run_enter(!last_login_writer_blocks(writer));
	switch (writer->state) {
	case LAST_LOGIN_WRITER_WAITING:
		last_login_writer_attempt(writer);
		break;
	case LAST_LOGIN_WRITER_LOOKUP:
		last_login_writer_lookup(writer);
		break;
	case LAST_LOGIN_WRITER_COMMIT:
		last_login_writer_commit(writer);
		break;
	case LAST_LOGIN_WRITER_COMMIT_PENDING:
		last_login_writer_commit_wait(writer);
		/* a driver that ends a wait without the answer: nothing
		   more can be done in this run */
		if (writer->state == LAST_LOGIN_WRITER_COMMIT_PENDING)
			writer->out_of_budget = TRUE;
		break;
	default:
		i_unreached();
	}
	last_login_pass_blocked_done();
}

/* ---- timers ---- */

static void last_login_writer_close(struct last_login_writer *writer);

static void last_login_writer_timer(struct last_login_writer *writer)
{
	timeout_remove(&writer->to);
	switch (writer->state) {
	case LAST_LOGIN_WRITER_IDLE:
		last_login_writer_close(writer);
		break;
	case LAST_LOGIN_WRITER_COMMIT_PENDING:
		if (!last_login_writer_may_block(writer)) {
			last_login_writer_arm(writer);
			break;
		}
		last_login_writer_commit_wait(writer);
		last_login_pass_blocked_done();
		break;
	default:
		last_login_writer_step(writer);
		break;
	}
}

/* Sets the one timer the writer's state needs, in the main ioloop. A
   bounded run sets none: it steps the writers itself, and is told
   that something changed. */
static void last_login_writer_arm(struct last_login_writer *writer)
{
	const struct timeval *retry_at;
	struct timeval now;
	unsigned int msecs;

	timeout_remove(&writer->to);
	if (last_login_phase != LAST_LOGIN_PHASE_IOLOOP) {
		io_loop_stop(last_login_run_ioloop);
		return;
	}
	switch (writer->state) {
	case LAST_LOGIN_WRITER_IDLE:
		msecs = LAST_LOGIN_IDLE_MSECS;
		break;
	case LAST_LOGIN_WRITER_WAITING:
		retry_at = &last_login_writer_server(writer)->retry_at;
		i_gettimeofday(&now);
		msecs = timeval_cmp(&now, retry_at) >= 0 ? 0 :
			(unsigned int)timeval_diff_msecs(retry_at, &now);
		break;
	case LAST_LOGIN_WRITER_LOOKUP:
	case LAST_LOGIN_WRITER_COMMIT:
		msecs = 0;
		break;
	case LAST_LOGIN_WRITER_COMMIT_PENDING:
		if (!last_login_writer_blocks(writer))
			return;
		msecs = writer->timeout_msecs;
		break;
	default:
		return;
	}
	writer->to = msecs == 0 ?
		timeout_add_short(0, last_login_writer_timer, writer) :
		timeout_add(msecs, last_login_writer_timer, writer);
}

/* ---- bounded runs: a flush, and the process's end ---- */

/* Steps the writers until none has anything left to do or the deadline
   comes. Blocking drivers are driven in the current ioloop: their
   connections must not land in a private one. Asynchronous ones and
   probes answer in the run's ioloop. */
static void
last_login_writers_run(struct last_login_writer *const *writers,
		       unsigned int count)
{
	struct timeout *to;
	unsigned int i;
	bool waiting, stepped;
	long long left;
	struct timeval now;

	for (;;) {
		stepped = FALSE;
		waiting = FALSE;
		for (i = 0; i < count; i++) {
			while (!writers[i]->out_of_budget &&
			       last_login_writer_can_step(writers[i])) {
				last_login_writer_step(writers[i]);
				stepped = TRUE;
			}
			waiting = waiting ||
				writers[i]->state ==
					LAST_LOGIN_WRITER_PROBING ||
				writers[i]->state ==
					LAST_LOGIN_WRITER_LOOKUP_PENDING ||
				(writers[i]->state ==
					LAST_LOGIN_WRITER_COMMIT_PENDING &&
				 !last_login_writer_blocks(writers[i]));
		}
		if (last_login_run_deadline_passed() || (!stepped && !waiting))
			break;
		if (!waiting)
			continue;
		i_gettimeofday(&now);
		left = timeval_diff_msecs(&last_login_run_deadline, &now);
		last_login_run_enter(TRUE);
		to = timeout_add(left <= 0 ? 1 : (unsigned int)left,
				 io_loop_stop, last_login_run_ioloop);
		io_loop_run(last_login_run_ioloop);
		timeout_remove(&to);
	}
	last_login_run_enter(FALSE);
}

/* Starts a bounded run: its ioloop, the deadline, the writers moved
   out of the main ioloop. A probe under way is begun again in the run
   (it was part of an attempt that did not happen). */
static void
last_login_run_begin(struct last_login_writer *const *writers,
		     unsigned int count, enum last_login_phase phase,
		     unsigned int msecs)
{
	struct last_login_writer *writer;
	unsigned int i;

	i_gettimeofday(&last_login_run_deadline);
	timeval_add_msecs(&last_login_run_deadline, msecs);
	last_login_phase = phase;
	last_login_main_ioloop = current_ioloop;
	last_login_run_ioloop = io_loop_create();
	for (i = 0; i < count; i++) {
		writer = writers[i];
		timeout_remove(&writer->to);
		writer->out_of_budget = FALSE;
		if (writer->state == LAST_LOGIN_WRITER_PROBING) {
			last_login_probe_free(&writer->probe);
			last_login_writer_requeue(writer);
			writer->state = LAST_LOGIN_WRITER_WAITING;
		}
		if (!last_login_writer_blocks(writer))
			(void)dict_switch_ioloop(writer->dict);
	}
	last_login_run_enter(FALSE);
}

/* Frees the run's ioloop; the main ioloop is current again. */
static void last_login_run_ioloop_free(void)
{
	/* Dovecot destroys only the current ioloop */
	io_loop_set_current(last_login_run_ioloop);
	io_loop_destroy(&last_login_run_ioloop);
	io_loop_set_current(last_login_main_ioloop);
}

/* A bounded run before the process's end is over: what is under way
   goes on in the main ioloop. A probe the deadline cut short failed
   like one that timed out. */
static void
last_login_run_end(struct last_login_writer *const *writers,
		   unsigned int count)
{
	struct last_login_writer *writer;
	const char *error;
	unsigned int i;

	io_loop_set_current(last_login_main_ioloop);
	last_login_phase = LAST_LOGIN_PHASE_IOLOOP;
	for (i = 0; i < count; i++) {
		writer = writers[i];
		if (!last_login_writer_blocks(writer))
			(void)dict_switch_ioloop(writer->dict);
		if (writer->probe == NULL) {
			last_login_writer_arm(writer);
			continue;
		}
		error = t_strdup(last_login_probe_timeout_error(writer->probe));
		last_login_probe_free(&writer->probe);
		last_login_writer_attempt_failed(writer, error, FALSE, FALSE);
	}
	last_login_run_ioloop_free();
}

/* Every writer, and the largest last_login_timeout among them. */
static unsigned int
last_login_writers_get_all(ARRAY_TYPE(last_login_writer) *writers)
{
	struct last_login_writer *writer;
	unsigned int msecs = 0;

	for (writer = last_login_writers_head; writer != NULL;
	     writer = writer->next) {
		array_push_back(writers, &writer);
		msecs = I_MAX(msecs, writer->timeout_msecs);
	}
	return msecs;
}

/* Writes what is queued now, for at most last_login_timeout: the
   process has queued many logins without running its ioloop (doveadm
   -A, LMTP with many recipients), or has run out of writers. */
static void last_login_writers_flush(void)
{
	ARRAY_TYPE(last_login_writer) writers;
	unsigned int msecs;

	t_array_init(&writers, hash_table_count(last_login_writers) + 1);
	msecs = last_login_writers_get_all(&writers);
	/* a flush blocks: at most one per pass, as any blocking call */
	if (array_count(&writers) == 0 || !last_login_pass_block())
		return;
	last_login_jobs_since_pass = 0;
	last_login_run_begin(array_front(&writers), array_count(&writers),
			     LAST_LOGIN_PHASE_FLUSH, msecs);
	last_login_writers_run(array_front(&writers), array_count(&writers));
	last_login_run_end(array_front(&writers), array_count(&writers));
	last_login_pass_blocked_done();
}

/* ---- adding a login ---- */

/* A local dict is written at once and closed: under the privileges of
   the user who logged in (LMTP switches back to root before its ioloop
   runs), and without keeping a file open per user. */
static void last_login_writer_write_local(struct last_login_writer *writer)
{
	last_login_run_begin(&writer, 1, LAST_LOGIN_PHASE_FLUSH,
			     writer->timeout_msecs);
	last_login_writers_run(&writer, 1);
	last_login_run_end(&writer, 1);
	/* What a driver left unanswered ends with the process. */
	if (writer->state == LAST_LOGIN_WRITER_IDLE)
		last_login_writer_close(writer);
}

void last_login_writer_add(struct last_login_writer *writer,
			   struct mail_user *user,
			   const struct last_login_record *record,
			   struct last_login_job **user_link)
{
	struct last_login_job *job, *old;
	const char *stored;
	int idx;

	job = last_login_job_create(writer, user, record,
				    writer->timeout_msecs, user_link);
	stored = record->interval_secs == 0 ? NULL :
		hash_table_lookup(writer->stored, record->key);
	if (last_login_job_check_stored(job, stored)) {
		/* known to be written recently enough: no backend call */
		last_login_job_end(job, LAST_LOGIN_JOB_RESULT_OK);
		return;
	}

	idx = last_login_jobs_find(&writer->queue, record->key);
	if (idx >= 0) {
		/* not written yet, and this login is newer */
		old = *array_idx(&writer->queue, idx);
		array_delete(&writer->queue, idx, 1);
		old->skip = LAST_LOGIN_JOB_SKIP_REPLACED;
		last_login_job_end(old, LAST_LOGIN_JOB_RESULT_OK);
	}
	array_push_back(&writer->queue, &job);
	if (array_count(&writer->queue) > LAST_LOGIN_QUEUE_MAX) {
		old = *array_idx(&writer->queue, 0);
		array_delete(&writer->queue, 0, 1);
		last_login_job_abandon(old, t_strdup_printf(
			"more than %u logins waiting for the dict",
			LAST_LOGIN_QUEUE_MAX));
	}
	if (writer->state == LAST_LOGIN_WRITER_IDLE)
		last_login_writer_set_state(writer, LAST_LOGIN_WRITER_WAITING);

	if (writer->target.kind == LAST_LOGIN_DICT_KIND_LOCAL) {
		last_login_writer_write_local(writer);
		return;
	}
	last_login_pass_watch();
	if (++last_login_jobs_since_pass >= LAST_LOGIN_FLUSH_JOBS)
		last_login_writers_flush();
}

/* ---- the writers ---- */

static void last_login_writer_free(struct last_login_writer *writer)
{
	last_login_writer_forget(writer);
	hash_table_destroy(&writer->stored);
	dict_deinit(&writer->dict);
	event_unref(&writer->event);
	pool_unref(&writer->pool);
}

/* Closes a writer that has nothing to do. */
static void last_login_writer_close(struct last_login_writer *writer)
{
	i_assert(writer->state == LAST_LOGIN_WRITER_IDLE);
	timeout_remove(&writer->to);
	hash_table_remove(last_login_writers, writer->target.id);
	DLLIST2_REMOVE(&last_login_writers_head, &last_login_writers_tail,
		       writer);
	last_login_writer_free(writer);
}

/* Keeps the number of open writers bounded, whatever the number of
   distinct dicts (a dict per user): idle ones are closed first. */
static void last_login_writers_close_idle(void)
{
	ARRAY_TYPE(last_login_writer) writers;
	struct last_login_writer *writer;

	t_array_init(&writers, hash_table_count(last_login_writers) + 1);
	(void)last_login_writers_get_all(&writers);
	array_foreach_elem(&writers, writer) {
		if (writer->state == LAST_LOGIN_WRITER_IDLE)
			last_login_writer_close(writer);
	}
}

static void last_login_writers_make_room(void)
{
	if (hash_table_count(last_login_writers) < LAST_LOGIN_WRITERS_MAX)
		return;
	last_login_writers_close_idle();
	if (hash_table_count(last_login_writers) < LAST_LOGIN_WRITERS_MAX)
		return;
	/* All busy: in a process that does not run its ioloop they stay
	   so. Unless their backends fail, a flush leaves them idle. */
	last_login_writers_flush();
	last_login_writers_close_idle();
}

struct last_login_writer *
last_login_writer_get(struct mail_user *user,
		      const struct last_login_settings *set,
		      const char **error_r)
{
	struct last_login_writer *writer;
	struct last_login_dict_target target;
	pool_t pool;

	if (last_login_glue_dict_target(user, set, pool_datastack_create(),
					&target, error_r) < 0)
		return NULL;
	if (!hash_table_is_created(last_login_writers)) {
		hash_table_create(&last_login_writers, default_pool, 0,
				  str_hash, strcmp);
	}
	writer = hash_table_lookup(last_login_writers, target.id);
	if (writer != NULL)
		return writer;
	last_login_writers_make_room();

	pool = pool_alloconly_create("last_login writer", 512);
	writer = p_new(pool, struct last_login_writer, 1);
	writer->pool = pool;
	writer->timeout_msecs = set->timeout_msecs;
	writer->target = target;
	writer->target.id = p_strdup(pool, target.id);
	writer->target.socket_path = p_strdup(pool, target.socket_path);
	writer->target.host = p_strdup(pool, target.host);
	if (target.socket_path != NULL)
		writer->server_name = writer->target.socket_path;
	else if (target.host != NULL) {
		writer->server_name = p_strdup_printf(pool, "%s:%u",
			target.host, target.port);
	} else {
		/* nothing to share it with */
		writer->server_name = writer->target.id;
	}
	/* No user's log prefix: the dict serves them all. The driver's own
	   lines start like stock's: "last_login_dict: dict(redis): ". */
	writer->event = event_create(NULL);
	event_set_append_log_prefix(writer->event, "last_login_dict: ");
	/* The driver's own error lines (a refused connect, a timeout) say
	   what the job's one line says again: each login gets one line.
	   Its debug lines still come with mail_debug. */
	event_set_min_log_level(writer->event, LOG_TYPE_FATAL);
	if (last_login_glue_dict_init(user, set, writer->event,
				      &writer->dict, error_r) < 0) {
		event_unref(&writer->event);
		pool_unref(&pool);
		return NULL;
	}
	p_array_init(&writer->queue, pool, 8);
	p_array_init(&writer->batch, pool, 8);
	hash_table_create(&writer->stored, default_pool, 0, str_hash,
			  strcmp);
	hash_table_insert(last_login_writers, writer->target.id, writer);
	DLLIST2_APPEND(&last_login_writers_head, &last_login_writers_tail,
		       writer);
	return writer;
}

/* A job whose last attempt failed less than the first backoff ago gets
   no attempt at the process's end: the backend had no time to come
   back, and a struggling one is spared a request per session. (It also
   keeps Dovecot 2.4.1's dict process from reconnecting, and crashing,
   on a request that comes right after its failed connect.) */
static void
last_login_writer_final_drop_recent(struct last_login_writer *writer)
{
	struct last_login_job *job;
	struct timeval now;
	unsigned int i;

	i_gettimeofday(&now);
	for (i = array_count(&writer->queue); i > 0; i--) {
		job = *array_idx(&writer->queue, i - 1);
		if (job->failures == 0 ||
		    timeval_diff_msecs(&now, &job->failed_at) >=
		    LAST_LOGIN_RETRY_FIRST_MSECS)
			continue;
		array_delete(&writer->queue, i - 1, 1);
		last_login_job_end(job, job->uncertain ?
				   LAST_LOGIN_JOB_RESULT_UNCERTAIN :
				   LAST_LOGIN_JOB_RESULT_FAILED);
	}
	if (writer->state == LAST_LOGIN_WRITER_WAITING &&
	    array_count(&writer->queue) == 0)
		writer->state = LAST_LOGIN_WRITER_IDLE;
}

/* At the deadline: what is left is given up. A writer with a lookup or
   commit still pending in its dict is never freed. */
static bool last_login_writer_final_end(struct last_login_writer *writer)
{
	struct last_login_job *job;
	const char *error;

	if (writer->probe != NULL) {
		error = last_login_probe_timeout_error(writer->probe);
		array_foreach_elem(&writer->batch, job)
			last_login_job_set_error(job, error, FALSE);
		last_login_probe_free(&writer->probe);
	}
	array_foreach_elem(&writer->batch, job)
		last_login_job_end(job, LAST_LOGIN_JOB_RESULT_ABANDONED);
	array_foreach_elem(&writer->queue, job)
		last_login_job_end(job, LAST_LOGIN_JOB_RESULT_ABANDONED);
	array_clear(&writer->batch);
	array_clear(&writer->queue);
	i_free(writer->lookup_error);

	if (writer->state == LAST_LOGIN_WRITER_LOOKUP_PENDING ||
	    writer->state == LAST_LOGIN_WRITER_COMMIT_PENDING) {
		writer->state = LAST_LOGIN_WRITER_STUCK;
		writer->prev = NULL;
		writer->next = last_login_writers_stuck;
		last_login_writers_stuck = writer;
		return FALSE;
	}
	last_login_writer_free(writer);
	return TRUE;
}

/* The process's end: what is queued gets its last attempt, within the
   largest last_login_timeout. */
static void
last_login_writers_final(const ARRAY_TYPE(last_login_writer) *writers_arr,
			 unsigned int msecs)
{
	struct last_login_writer *const *writers, *writer;
	unsigned int i, count;
	bool freed = TRUE;

	writers = array_get(writers_arr, &count);
	last_login_run_begin(writers, count, LAST_LOGIN_PHASE_FINAL, msecs);
	for (i = 0; i < count; i++)
		last_login_writer_final_drop_recent(writers[i]);
	last_login_writers_run(writers, count);
	for (i = 0; i < count; i++) {
		writer = writers[i];
		if (!last_login_writer_final_end(writer))
			freed = FALSE;
	}
	last_login_phase = LAST_LOGIN_PHASE_IOLOOP;
	if (freed)
		last_login_run_ioloop_free();
	else {
		/* Its ios belong to a dict that is never freed. */
		last_login_stuck_ioloop = last_login_run_ioloop;
		last_login_run_ioloop = NULL;
		io_loop_set_current(last_login_main_ioloop);
	}
}

void last_login_writers_deinit(void)
{
	ARRAY_TYPE(last_login_writer) writers;
	unsigned int msecs;

	timeout_remove(&last_login_pass_to);
	if (!hash_table_is_created(last_login_writers))
		return;
	t_array_init(&writers, hash_table_count(last_login_writers) + 1);
	msecs = last_login_writers_get_all(&writers);
	hash_table_destroy(&last_login_writers);
	last_login_writers_head = last_login_writers_tail = NULL;
	if (array_count(&writers) > 0)
		last_login_writers_final(&writers, msecs);
	/* after the last attempts, which probe a server known to fail */
	if (hash_table_is_created(last_login_servers)) {
		last_login_servers_forget();
		hash_table_destroy(&last_login_servers);
	}
}
