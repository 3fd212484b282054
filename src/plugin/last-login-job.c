/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "time-util.h"
#include "dict.h"
#include "mail-user.h"
#include "last-login-timestamp.h"
#include "last-login-job.h"

/* The event's result field, by enum last_login_job_result */
static const char *const last_login_job_result_names[] = {
	"ok", "failed", "uncertain", "abandoned"
};

struct last_login_job *
last_login_job_create(struct last_login_writer *writer,
		      struct mail_user *user,
		      const struct last_login_record *record,
		      unsigned int timeout_msecs,
		      struct last_login_job **user_link)
{
	const struct last_login_field *field;
	struct last_login_job *job;
	char *str;

	job = i_new(struct last_login_job, 1);
	job->writer = writer;
	job->event = event_create(user->event);
	job->user_link = user_link;
	*user_link = job;
	job->username = i_strdup(user->username);
	job->key = i_strdup(record->key);
	job->value = i_strdup(record->value);
	/* the plugin formatted it: always a time */
	if (last_login_timestamp_parse(job->value, &job->time) < 0)
		i_unreached();
	job->interval_secs = record->interval_secs;
	i_array_init(&job->fields, array_count(record->fields) * 2 + 1);
	array_foreach(record->fields, field) {
		str = i_strconcat(DICT_PATH_SHARED, field->key, NULL);
		array_push_back(&job->fields, &str);
		str = i_strdup(field->value);
		array_push_back(&job->fields, &str);
	}
	job->timeout_msecs = timeout_msecs;
	return job;
}

/* A job may log after its user is gone, when the process's own log
   prefix has moved on (doveadm and dovecot-lda name the user there, not
   in the user's event): log with the prefix the process had when the
   user was freed, which is when the stock plugin logs. */
static char *last_login_job_prefix_push(const struct last_login_job *job)
{
	char *prev;

	if (job->failure_prefix == NULL)
		return NULL;
	prev = i_strdup(i_get_failure_prefix());
	i_set_failure_prefix("%s", job->failure_prefix);
	return prev;
}

static void last_login_prefix_pop(char **_prev)
{
	if (*_prev == NULL)
		return;
	i_set_failure_prefix("%s", *_prev);
	i_free(*_prev);
}

void last_login_job_user_gone(struct last_login_job **_job)
{
	struct last_login_job *job = *_job;

	if (job == NULL)
		return;
	*_job = NULL;
	job->user_link = NULL;
	job->failure_prefix = i_strdup(i_get_failure_prefix());
}

void last_login_job_log_failure(struct last_login_job *job)
{
	char *prev;

	if (job->error_logged)
		return;
	job->error_logged = TRUE;
	prev = last_login_job_prefix_push(job);
	if (job->uncertain) {
		e_error(job->event, "last_login_dict: Write was unconfirmed "
			"(timeout or disconnect): %s", job->error);
	} else {
		e_error(job->event, "last_login_dict: "
			"Failed to write value: %s", job->error);
	}
	last_login_prefix_pop(&prev);
}

static void
last_login_job_log_abandoned(struct last_login_job *job, const char *reason)
{
	char *prev;

	if (job->error_logged)
		return;
	job->error_logged = TRUE;
	prev = last_login_job_prefix_push(job);
	if (reason != NULL) {
		e_error(job->event, "last_login_dict: Write abandoned: %s",
			reason);
	} else {
		e_error(job->event, "last_login_dict: Write abandoned after "
			"last_login_timeout (%u ms): %s", job->timeout_msecs,
			job->error != NULL ? job->error :
			"the dict did not answer");
	}
	last_login_prefix_pop(&prev);
}

const char *last_login_job_key(const struct last_login_job *job)
{
	return job->key + strlen(DICT_PATH_SHARED);
}

bool last_login_job_needs_lookup(const struct last_login_job *job)
{
	return job->interval_secs > 0 || job->failures > 0;
}

bool last_login_job_check_stored(struct last_login_job *job,
				 const char *stored)
{
	enum last_login_precision stored_precision, precision;
	struct timespec ts, own_ts;

	if (stored == NULL ||
	    last_login_timestamp_parse_precision(stored, &ts,
						 &stored_precision) < 0)
		return FALSE;
	/* in real time: the stored value may be in another precision */
	if (last_login_timestamp_cmp(&ts, &job->time) >= 0)
		job->skip = LAST_LOGIN_JOB_SKIP_SUPERSEDED;
	else if (last_login_timestamp_within(&ts, &job->time,
					     job->interval_secs) &&
		 /* one in another precision is written again in the
		    configured one, as stock overwrites it */
		 last_login_timestamp_parse_precision(job->value, &own_ts,
						      &precision) == 0 &&
		 precision == stored_precision)
		job->skip = LAST_LOGIN_JOB_SKIP_FRESH;
	return job->skip != LAST_LOGIN_JOB_SKIP_NONE;
}

static void last_login_job_free_fields(struct last_login_job *job)
{
	char *str;

	array_foreach_elem(&job->fields, str)
		i_free(str);
	array_clear(&job->fields);
}

/* Whether key stands in text as a whole key, not as the start of a
   longer one (last-login/u1 in last-login/u10). */
static bool last_login_text_has_key(const char *text, const char *key)
{
	size_t len = strlen(key);
	const char *p;

	for (p = strstr(text, key); p != NULL; p = strstr(p + 1, key)) {
		if (p[len] == '\0' || strchr(" \t\n,;:'\")", p[len]) != NULL)
			return TRUE;
	}
	return FALSE;
}

bool last_login_job_names_own_key(const struct last_login_job *job,
				  const char *text)
{
	char *const *fields;
	unsigned int i, count;

	if (last_login_text_has_key(text, job->key))
		return TRUE;
	fields = array_get(&job->fields, &count);
	for (i = 0; i + 1 < count; i += 2) {
		if (last_login_text_has_key(text, fields[i]))
			return TRUE;
	}
	return FALSE;
}

bool last_login_job_drop_fields(struct last_login_job *job,
				const char *error)
{
	if (array_count(&job->fields) == 0)
		return FALSE;
	last_login_job_free_fields(job);
	i_free(job->fields_error);
	job->fields_error = i_strdup(error);
	return TRUE;
}

static void
last_login_job_finish(struct last_login_job *job,
		      enum last_login_job_result result,
		      const char *abandon_reason)
{
	struct event_passthrough *e;
	bool ok = result == LAST_LOGIN_JOB_RESULT_OK;
	char *prev;

	if (result == LAST_LOGIN_JOB_RESULT_ABANDONED)
		last_login_job_log_abandoned(job, abandon_reason);
	else if (!ok)
		last_login_job_log_failure(job);
	prev = last_login_job_prefix_push(job);
	if (ok && job->error_logged &&
	    job->skip == LAST_LOGIN_JOB_SKIP_REPLACED) {
		e_info(job->event, "last_login_dict: Login time not written: "
		       "a newer login of the same key is written instead");
	} else if (ok && job->error_logged &&
		   job->skip == LAST_LOGIN_JOB_SKIP_SUPERSEDED) {
		e_info(job->event, "last_login_dict: Login time not written "
		       "on attempt %u: a newer one is stored", job->attempts);
	} else if (ok && job->error_logged &&
		   job->skip == LAST_LOGIN_JOB_SKIP_FRESH) {
		e_info(job->event, "last_login_dict: Login time not written "
		       "on attempt %u: one within last_login_interval is "
		       "stored", job->attempts);
	} else if (ok && job->error_logged) {
		e_info(job->event, "last_login_dict: Login time written "
		       "on attempt %u", job->attempts);
	} else if (ok && job->fields_error != NULL) {
		/* the job's one error line */
		e_error(job->event, "last_login_dict: Failed to write "
			LAST_LOGIN_FIELDS_SETTING" (the login time was "
			"written alone): %s", job->fields_error);
	} else if (ok && job->skip == LAST_LOGIN_JOB_SKIP_FRESH) {
		e_debug(job->event, "last_login_dict: Login time not "
			"written: the stored one is younger than "
			"last_login_interval");
	}

	e = event_create_passthrough(job->event)->
		set_name(LAST_LOGIN_EVENT_WRITE_FINISHED)->
		add_str("user", job->username)->
		add_str("key", last_login_job_key(job))->
		add_str("result", last_login_job_result_names[result]);
	if (!ok && abandon_reason != NULL)
		e->add_str("error", abandon_reason);
	else if (!ok && job->error != NULL)
		e->add_str("error", job->error);
	e->add_int("attempts", job->attempts);
	if (job->skip == LAST_LOGIN_JOB_SKIP_REPLACED ||
	    job->skip == LAST_LOGIN_JOB_SKIP_SUPERSEDED)
		e->add_str("superseded", "yes");
	if (job->skip == LAST_LOGIN_JOB_SKIP_FRESH)
		e->add_str("skipped", "interval");
	if (job->fields_error != NULL)
		e->add_str("fields", "failed");
	e_debug(e->event(), "last_login_dict: Write finished: %s",
		last_login_job_result_names[result]);
	last_login_prefix_pop(&prev);

	if (job->user_link != NULL)
		*job->user_link = NULL;
	event_unref(&job->event);
	i_free(job->failure_prefix);
	i_free(job->username);
	i_free(job->key);
	i_free(job->value);
	last_login_job_free_fields(job);
	array_free(&job->fields);
	i_free(job->fields_error);
	i_free(job->error);
	i_free(job);
}

void last_login_job_end(struct last_login_job *job,
			enum last_login_job_result result)
{
	last_login_job_finish(job, result, NULL);
}

void last_login_job_end_replaced(struct last_login_job *job)
{
	last_login_job_log_failure(job);
	job->skip = LAST_LOGIN_JOB_SKIP_REPLACED;
	last_login_job_end(job, LAST_LOGIN_JOB_RESULT_OK);
}

void last_login_job_abandon(struct last_login_job *job, const char *reason)
{
	last_login_job_finish(job, LAST_LOGIN_JOB_RESULT_ABANDONED, reason);
}

void last_login_job_set_error(struct last_login_job *job, const char *error,
			      bool uncertain)
{
	i_free(job->error);
	job->error = i_strdup(error);
	job->uncertain = uncertain;
	job->failures++;
	i_gettimeofday(&job->failed_at);
}
