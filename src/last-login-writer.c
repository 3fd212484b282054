/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The process's writers (last-login-writer.h). A login never calls the
   dict: it queues a job, and the writer submits from the ioloop. The one
   dict call that can block for long, redis' wait for its TCP connect, is
   made only once a probe has shown the server accepts connections; the
   others are asynchronous. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "llist.h"
#include "ioloop.h"
#include "time-util.h"
#include "dict.h"
#include "last-login-glue.h"
#include "last-login-job.h"
#include "last-login-key.h"
#include "last-login-probe.h"
#include "last-login-redact.h"
#include "last-login-retry.h"
#include "last-login-writer.h"

#include <sys/time.h>

/* Logins waiting in one writer while its backend is down; beyond this
   the oldest is given up, so that memory stays bounded. */
#define LAST_LOGIN_QUEUE_MAX 10000
/* Stored values a writer remembers for last_login_interval; when full,
   it forgets them all (a forgotten one costs one lookup). */
#define LAST_LOGIN_STORED_MAX 10000

enum last_login_writer_state {
	/* nothing sent yet: the backend may be down, probe first */
	LAST_LOGIN_WRITER_STATE_UNKNOWN = 0,
	/* the last attempt was written: no probe needed */
	LAST_LOGIN_WRITER_STATE_HEALTHY,
	/* the last attempt failed: probe before the next one */
	LAST_LOGIN_WRITER_STATE_FAILING,
};

struct last_login_writer {
	struct last_login_writer *prev, *next;
	pool_t pool;
	struct last_login_dict_target target;
	unsigned int timeout_msecs;
	/* the dict's parent event */
	struct event *event;
	struct dict *dict;

	/* jobs waiting for the next attempt, oldest first */
	ARRAY_TYPE(last_login_job) queue;
	/* For jobs with an interval: key -> the value the backend had or
	   was given last, as far as this process knows. The backend's may
	   only be newer, so a value here that makes a write unneeded is
	   right; one that doesn't is checked with a lookup. */
	HASH_TABLE(char *, char *) stored;
	/* jobs of the attempt under way */
	ARRAY_TYPE(last_login_job) batch;
	enum last_login_writer_state state;
	unsigned int retry_msecs;

	/* the next attempt: at once, or after the backoff */
	struct timeout *to_submit;
	struct last_login_probe *probe;
	unsigned int lookups_pending;
	char *lookup_error;
	bool committing;

	/* the process is ending (last_login_writers_deinit()) */
	bool final;
	/* a commit never finished: the dict and the ioloop it runs in are
	   never freed (dict_deinit() would abort the process) */
	bool leaked;
	struct ioloop *leaked_ioloop;
};

/* The process's writers. The one state beside the hook table: a writer
   outlives the users it writes for. */
static struct last_login_writer *last_login_writers = NULL;
/* While the process ends: its private ioloop and deadline. */
static struct ioloop *last_login_final_ioloop = NULL;
static struct timeval last_login_final_deadline;

static void last_login_writer_submit(struct last_login_writer *writer);

static bool last_login_writer_busy(const struct last_login_writer *writer)
{
	return writer->probe != NULL || writer->committing ||
		writer->lookups_pending > 0;
}

/* In the final phase: stops the private ioloop once no writer has
   anything left to do. */
static void last_login_writers_check_done(void)
{
	struct last_login_writer *writer;

	if (last_login_final_ioloop == NULL)
		return;
	for (writer = last_login_writers; writer != NULL;
	     writer = writer->next) {
		if (last_login_writer_busy(writer) ||
		    writer->to_submit != NULL)
			return;
	}
	io_loop_stop(last_login_final_ioloop);
}

static bool last_login_final_deadline_passed(void)
{
	struct timeval now;

	if (gettimeofday(&now, NULL) < 0)
		i_fatal("gettimeofday() failed: %m");
	return timeval_cmp(&now, &last_login_final_deadline) >= 0;
}

/* How a job whose attempt failed in the final phase ends: a failure
   that came at the deadline is the driver's timeout, which the glue set
   to last_login_timeout (redis): the plugin gave up. */
static enum last_login_job_result
last_login_final_result(const struct last_login_writer *writer,
			bool uncertain, const char *error)
{
	/* Redis' request timeout is last_login_timeout, counted from the
	   commit (2.4) or from the wait (2.3): either way its timeout
	   ends the plugin's wait, even before the deadline. */
	if (last_login_final_deadline_passed() ||
	    (writer->target.kind == LAST_LOGIN_DICT_KIND_REDIS &&
	     strstr(error, "timed out") != NULL))
		return LAST_LOGIN_JOB_RESULT_ABANDONED;
	return uncertain ? LAST_LOGIN_JOB_RESULT_UNCERTAIN :
		LAST_LOGIN_JOB_RESULT_FAILED;
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

	if (job->interval == 0)
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

/* Whether the stored value makes the job's write unneeded: it is at
   least as new (a write never moves the value back), or younger than
   the job's interval. A value that is no number is overwritten. */
static bool
last_login_job_check_stored(struct last_login_job *job, const char *stored)
{
	uint64_t s, o;

	if (str_to_uint64(stored, &s) < 0 ||
	    str_to_uint64(job->value, &o) < 0)
		return FALSE;
	if (s >= o)
		job->superseded = TRUE;
	else if (o - s < job->interval)
		job->fresh = TRUE;
	return job->superseded || job->fresh;
}

static void last_login_writer_schedule(struct last_login_writer *writer,
				       unsigned int msecs)
{
	timeout_remove(&writer->to_submit);
	writer->to_submit = msecs == 0 ?
		timeout_add_short(0, last_login_writer_submit, writer) :
		timeout_add(msecs, last_login_writer_submit, writer);
}

/* The backend refused a batch with fields (e.g. a key no dict-sql map
   knows, a column that does not exist): the time matters most, so the
   batch is tried again at once with the times alone. The fields are
   in the batch's one transaction, so one user's fields may have failed
   every job: all of them go again. Returns FALSE if no job had fields. */
static bool
last_login_writer_drop_fields(struct last_login_writer *writer,
			      const char *error)
{
	struct last_login_job *const *jobp;
	bool dropped = FALSE;

	array_foreach(&writer->batch, jobp) {
		if (last_login_job_drop_fields(*jobp, error))
			dropped = TRUE;
	}
	if (!dropped)
		return FALSE;
	/* the batch goes in front of what came meanwhile */
	array_append_array(&writer->batch, &writer->queue);
	array_clear(&writer->queue);
	array_append_array(&writer->queue, &writer->batch);
	array_clear(&writer->batch);
	last_login_writer_schedule(writer, 0);
	return TRUE;
}

/* The attempt of the batch failed: in the final phase, or when no retry
   can succeed, its jobs end; otherwise they wait for a retry after the
   backoff. */
static void
last_login_writer_attempt_failed(struct last_login_writer *writer,
				 const char *error, bool uncertain)
{
	struct last_login_job *const *jobp, *job;
	unsigned int i, count;
	bool transient;
	int idx;

	transient = last_login_retry_is_transient(writer->target.kind,
						  uncertain, error);
	/* also at process end, while the budget lasts */
	if (!transient &&
	    !(writer->final && last_login_final_deadline_passed()) &&
	    last_login_writer_drop_fields(writer, error))
		return;

	writer->state = LAST_LOGIN_WRITER_STATE_FAILING;
	jobp = array_get(&writer->batch, &count);
	for (i = count; i > 0; i--) {
		job = jobp[i - 1];
		/* The times alone were refused too: the refusal with the
		   fields is the one the configuration asked for, and may
		   name the real cause (e.g. a duplicate key, where the time
		   alone fails a NOT NULL column). */
		last_login_job_set_error(job, !transient &&
					 job->fields_error != NULL ?
					 job->fields_error : error,
					 uncertain);
		if (writer->final) {
			last_login_job_end(job,
				last_login_final_result(writer, uncertain,
							error));
			continue;
		}
		if (!transient) {
			last_login_job_end(job, LAST_LOGIN_JOB_RESULT_FAILED);
			continue;
		}
		last_login_job_log_failure(job);
		/* A newer login of the same key came meanwhile: it is
		   written instead. */
		idx = last_login_jobs_find(&writer->queue, job->key);
		if (idx >= 0) {
			job->superseded = job->replaced = TRUE;
			last_login_job_end(job, LAST_LOGIN_JOB_RESULT_OK);
		} else {
			array_insert(&writer->queue, 0, &job, 1);
		}
	}
	array_clear(&writer->batch);
	if (writer->final) {
		last_login_writers_check_done();
		return;
	}
	writer->retry_msecs = last_login_retry_next_msecs(writer->retry_msecs);
	if (array_count(&writer->queue) > 0)
		last_login_writer_schedule(writer, writer->retry_msecs);
}

static void
last_login_writer_commit_callback(const struct dict_commit_result *result,
				  void *context)
{
	struct last_login_writer *writer = context;
	struct last_login_job *const *jobp;

	writer->committing = FALSE;
	switch (result->ret) {
	case DICT_COMMIT_RET_OK:
	case DICT_COMMIT_RET_NOTFOUND:
		writer->state = LAST_LOGIN_WRITER_STATE_HEALTHY;
		writer->retry_msecs = 0;
		array_foreach(&writer->batch, jobp) {
			last_login_writer_remember(writer, *jobp,
						   (*jobp)->value);
			last_login_job_end(*jobp, LAST_LOGIN_JOB_RESULT_OK);
		}
		array_clear(&writer->batch);
		/* Logins that came during the commit. A dict must not be
		   used from inside its own callback. */
		if (array_count(&writer->queue) > 0)
			last_login_writer_schedule(writer, 0);
		last_login_writers_check_done();
		break;
	case DICT_COMMIT_RET_FAILED:
		last_login_writer_attempt_failed(writer,
			last_login_redact_secrets(result->error), FALSE);
		break;
	case DICT_COMMIT_RET_WRITE_UNCERTAIN:
		last_login_writer_attempt_failed(writer,
			last_login_redact_secrets(result->error), TRUE);
		break;
	}
}

/* In the final phase: redis can't be moved to the private ioloop, but
   its dict_wait() is bounded by the request timeout the glue set. */
static void last_login_writer_wait(struct last_login_writer *writer)
{
	timeout_remove(&writer->to_submit);
	dict_wait(writer->dict);
	last_login_writers_check_done();
}

static void last_login_writer_commit(struct last_login_writer *writer)
{
	struct dict_transaction_context *trans;
	struct last_login_job *const *jobp;

	if (array_count(&writer->batch) == 0) {
		/* every retry found a newer value: nothing to write */
		writer->state = LAST_LOGIN_WRITER_STATE_HEALTHY;
		writer->retry_msecs = 0;
		if (array_count(&writer->queue) > 0)
			last_login_writer_schedule(writer, 0);
		last_login_writers_check_done();
		return;
	}
	trans = last_login_glue_transaction_begin(writer->dict);
	array_foreach(&writer->batch, jobp) {
		const struct last_login_job *job = *jobp;
		char *const *fields;
		unsigned int i, count;

		/* Together, so that dict-sql makes one statement of a row's
		   time and fields (the maps share the table and key). */
		dict_set(trans, job->key, job->value);
		fields = array_get(&job->fields, &count);
		for (i = 0; i + 1 < count; i += 2)
			dict_set(trans, fields[i], fields[i + 1]);
	}
	writer->committing = TRUE;
	dict_transaction_commit_async(&trans,
				      last_login_writer_commit_callback,
				      (void *)writer);
	if (writer->final && writer->committing &&
	    writer->target.kind == LAST_LOGIN_DICT_KIND_REDIS) {
		writer->to_submit = timeout_add_short(0,
			last_login_writer_wait, writer);
	}
}

static void last_login_writer_lookups_done(struct last_login_writer *writer)
{
	struct last_login_job *const *jobp, *job;
	unsigned int i, count;
	char *error = writer->lookup_error;

	writer->lookup_error = NULL;
	if (error != NULL) {
		last_login_writer_attempt_failed(writer, error, FALSE);
		i_free(error);
		return;
	}
	jobp = array_get(&writer->batch, &count);
	for (i = count; i > 0; i--) {
		job = jobp[i - 1];
		if (job->superseded || job->fresh) {
			array_delete(&writer->batch, i - 1, 1);
			last_login_job_end(job, LAST_LOGIN_JOB_RESULT_OK);
		}
	}
	last_login_writer_commit(writer);
}

static void
last_login_job_lookup_callback(const struct dict_lookup_result *result,
			       void *context)
{
	struct last_login_job *job = context;
	struct last_login_writer *writer = job->writer;

	if (result->ret < 0 && writer->lookup_error == NULL) {
		/* the line says "Failed to write value": say it was the
		   read before the write */
		writer->lookup_error = i_strdup_printf(
			"Lookup of %s failed: %s",
			job->key + strlen(LAST_LOGIN_KEY_NAMESPACE),
			last_login_redact_secrets(result->error));
	} else if (result->ret > 0) {
		last_login_writer_remember(writer, job, result->value);
		(void)last_login_job_check_stored(job, result->value);
	}
	i_assert(writer->lookups_pending > 0);
	if (--writer->lookups_pending == 0)
		last_login_writer_lookups_done(writer);
}

/* A retry looks its keys up first: another session may have written a
   newer time meanwhile, and a retry must not move the value back. With
   last_login_interval every attempt does: the backend's value is the
   one all processes and hosts share. */
static void last_login_writer_lookup(struct last_login_writer *writer)
{
	struct last_login_job *const *jobp;

	/* held at 1 while looking up: a lookup may answer at once */
	writer->lookups_pending = 1;
	array_foreach(&writer->batch, jobp) {
		if ((*jobp)->attempts <= 1 && (*jobp)->interval == 0)
			continue;
		writer->lookups_pending++;
		last_login_glue_lookup_async(writer->dict, (*jobp)->key,
					     last_login_job_lookup_callback,
					     *jobp);
	}
	if (--writer->lookups_pending == 0)
		last_login_writer_lookups_done(writer);
}

static void last_login_writer_probed(const char *error, void *context)
{
	struct last_login_writer *writer = context;

	writer->probe = NULL;
	if (error != NULL)
		last_login_writer_attempt_failed(writer, error, FALSE);
	else
		last_login_writer_lookup(writer);
}

static unsigned int
last_login_writer_probe_msecs(const struct last_login_writer *writer)
{
	struct timeval now;
	long long left;

	if (!writer->final)
		return writer->timeout_msecs;
	if (gettimeofday(&now, NULL) < 0)
		i_fatal("gettimeofday() failed: %m");
	left = timeval_diff_msecs(&last_login_final_deadline, &now);
	return left <= 0 ? 1 : (unsigned int)left;
}

/* Start an attempt with every queued job. */
static void last_login_writer_submit(struct last_login_writer *writer)
{
	struct last_login_job *const *jobp;

	timeout_remove(&writer->to_submit);
	if (last_login_writer_busy(writer) ||
	    array_count(&writer->queue) == 0)
		return;
	array_append_array(&writer->batch, &writer->queue);
	array_clear(&writer->queue);
	array_foreach(&writer->batch, jobp)
		(*jobp)->attempts++;

	/* Only a TCP connect can hang (redis waits for it). A unix socket
	   connects or fails at once, but for the proxy's retries of a
	   full listen queue (up to 1 s); probing it would take one of the
	   dict server's connection slots, and with client_limit 1 make the
	   master start a second dict process for the write. */
	if (writer->target.host == NULL ||
	    writer->state == LAST_LOGIN_WRITER_STATE_HEALTHY) {
		last_login_writer_lookup(writer);
		return;
	}
	writer->probe = last_login_probe_start(&writer->target,
		last_login_writer_probe_msecs(writer),
		last_login_writer_probed, writer);
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
	stored = record->interval == 0 ? NULL :
		hash_table_lookup(writer->stored, record->key);
	if (stored != NULL && last_login_job_check_stored(job, stored)) {
		/* known to be written recently enough: no backend call */
		last_login_job_end(job, LAST_LOGIN_JOB_RESULT_OK);
		return;
	}

	idx = last_login_jobs_find(&writer->queue, record->key);
	if (idx >= 0) {
		/* not written yet, and this login is newer */
		old = *array_idx(&writer->queue, idx);
		array_delete(&writer->queue, idx, 1);
		old->superseded = old->replaced = TRUE;
		last_login_job_end(old, LAST_LOGIN_JOB_RESULT_OK);
	}

	array_push_back(&writer->queue, &job);

	if (array_count(&writer->queue) > LAST_LOGIN_QUEUE_MAX) {
		old = *array_idx(&writer->queue, 0);
		array_delete(&writer->queue, 0, 1);
		last_login_job_set_error(old, t_strdup_printf(
			"more than %u logins waiting for the dict",
			LAST_LOGIN_QUEUE_MAX), FALSE);
		last_login_job_end(old, LAST_LOGIN_JOB_RESULT_ABANDONED);
	}
	/* A writer that waits for its backoff keeps waiting. */
	if (!last_login_writer_busy(writer) && writer->to_submit == NULL)
		last_login_writer_schedule(writer, 0);
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
	for (writer = last_login_writers; writer != NULL;
	     writer = writer->next) {
		if (strcmp(writer->target.id, target.id) == 0)
			return writer;
	}

	pool = pool_alloconly_create("last_login writer", 512);
	writer = p_new(pool, struct last_login_writer, 1);
	writer->pool = pool;
	writer->timeout_msecs = set->timeout_msecs;
	writer->target = target;
	writer->target.id = p_strdup(pool, target.id);
	writer->target.socket_path = p_strdup(pool, target.socket_path);
	writer->target.host = p_strdup(pool, target.host);
	/* No user's log prefix: the dict serves them all. The driver's own
	   lines start like stock's: "last_login_dict: dict(redis): ". */
	writer->event = event_create(NULL);
	event_set_append_log_prefix(writer->event, "last_login_dict: ");
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
	DLLIST_PREPEND(&last_login_writers, writer);
	return writer;
}

/* Gives up what is left of the writer at the deadline, and frees it
   unless a commit is still pending in its dict. */
static void last_login_writer_final_end(struct last_login_writer *writer)
{
	struct last_login_job *const *jobp;

	if (writer->probe != NULL) {
		/* the deadline came before the probe's own timeout */
		array_foreach(&writer->batch, jobp) {
			last_login_job_set_error(*jobp,
				last_login_probe_timeout_error(writer->probe),
				FALSE);
		}
		last_login_probe_free(&writer->probe);
	}
	timeout_remove(&writer->to_submit);
	array_foreach(&writer->batch, jobp)
		last_login_job_end(*jobp, LAST_LOGIN_JOB_RESULT_ABANDONED);
	array_foreach(&writer->queue, jobp)
		last_login_job_end(*jobp, LAST_LOGIN_JOB_RESULT_ABANDONED);
	array_clear(&writer->batch);
	array_clear(&writer->queue);
	i_free(writer->lookup_error);

	if (writer->committing || writer->lookups_pending > 0) {
		writer->leaked = TRUE;
		writer->leaked_ioloop = last_login_final_ioloop;
		return;
	}
	DLLIST_REMOVE(&last_login_writers, writer);
	last_login_writer_forget(writer);
	hash_table_destroy(&writer->stored);
	dict_deinit(&writer->dict);
	event_unref(&writer->event);
	pool_unref(&writer->pool);
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

	if (gettimeofday(&now, NULL) < 0)
		i_fatal("gettimeofday() failed: %m");
	for (i = array_count(&writer->queue); i > 0; i--) {
		job = *array_idx(&writer->queue, i - 1);
		if (job->attempts == 0 ||
		    timeval_diff_msecs(&now, &job->failed_at) >=
		    LAST_LOGIN_RETRY_FIRST_MSECS)
			continue;
		array_delete(&writer->queue, i - 1, 1);
		last_login_job_end(job, job->uncertain ?
				   LAST_LOGIN_JOB_RESULT_UNCERTAIN :
				   LAST_LOGIN_JOB_RESULT_FAILED);
	}
}

static void last_login_writer_final_begin(struct last_login_writer *writer)
{
	struct last_login_job *const *jobp;

	writer->final = TRUE;
	timeout_remove(&writer->to_submit);
	if (writer->probe != NULL) {
		/* It runs in the main ioloop: start it again here. The
		   attempt it was part of never happened, so the jobs are
		   no retries (which would look their keys up first). */
		last_login_probe_free(&writer->probe);
		array_foreach(&writer->batch, jobp)
			(*jobp)->attempts--;
		array_append_array(&writer->queue, &writer->batch);
		array_clear(&writer->batch);
	}
	last_login_writer_final_drop_recent(writer);
	/* the proxy's connection and the dict's delayed callbacks */
	(void)dict_switch_ioloop(writer->dict);
	if (writer->committing &&
	    writer->target.kind == LAST_LOGIN_DICT_KIND_REDIS) {
		writer->to_submit = timeout_add_short(0,
			last_login_writer_wait, writer);
	} else if (!last_login_writer_busy(writer) &&
		   array_count(&writer->queue) > 0) {
		last_login_writer_schedule(writer, 0);
	}
}

void last_login_writers_deinit(void)
{
	struct last_login_writer *writer, *next;
	struct ioloop *prev_ioloop = current_ioloop;
	struct timeout *to;
	unsigned int msecs = 0;
	bool busy = FALSE, leaked = FALSE;

	if (last_login_writers == NULL)
		return;
	for (writer = last_login_writers; writer != NULL;
	     writer = writer->next)
		msecs = I_MAX(msecs, writer->timeout_msecs);
	if (gettimeofday(&last_login_final_deadline, NULL) < 0)
		i_fatal("gettimeofday() failed: %m");
	timeval_add_msecs(&last_login_final_deadline, msecs);

	/* A private ioloop: nothing else of the ending process runs. */
	last_login_final_ioloop = io_loop_create();
	for (writer = last_login_writers; writer != NULL;
	     writer = writer->next) {
		last_login_writer_final_begin(writer);
		busy = busy || last_login_writer_busy(writer) ||
			writer->to_submit != NULL;
	}
	if (busy) {
		to = timeout_add(msecs, io_loop_stop,
				 last_login_final_ioloop);
		io_loop_run(last_login_final_ioloop);
		timeout_remove(&to);
	}

	for (writer = last_login_writers; writer != NULL; writer = next) {
		next = writer->next;
		last_login_writer_final_end(writer);
	}
	for (writer = last_login_writers; writer != NULL;
	     writer = writer->next)
		leaked = leaked || writer->leaked;
	if (!leaked)
		io_loop_destroy(&last_login_final_ioloop);
	else {
		/* Its ios belong to a dict that is never freed. */
		io_loop_set_current(prev_ioloop);
		last_login_final_ioloop = NULL;
	}
}
