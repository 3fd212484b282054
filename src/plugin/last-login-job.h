#ifndef LAST_LOGIN_JOB_H
#define LAST_LOGIN_JOB_H

/* One login's write, from the login until it ends: what to write, how
   its attempts went, and everything it says about itself: at most one
   error line, an info line when a retry succeeds, and the event
   LAST_LOGIN_EVENT_WRITE_FINISHED. The writer (last-login-writer.c)
   decides when a job ends; the job says how. */

#include "array.h"
#include "last-login-fields.h"

#include <sys/time.h>

/* The event that ends every write, with the fields user, key (as
   configured, without the dict's shared/ namespace), result (ok,
   failed, uncertain, abandoned) and, unless ok, error. */
#define LAST_LOGIN_EVENT_WRITE_FINISHED "last_login_write_finished"

struct mail_user;
struct last_login_writer;

/* What a login writes. */
struct last_login_record {
	/* the time's key, with the dict's shared/, and its value */
	const char *key, *value;
	/* last_login_dict_fields, keys without shared/ */
	const ARRAY_TYPE(last_login_field) *fields;
	/* last_login_interval: a stored time younger than this is not
	   overwritten; 0 for none */
	unsigned int interval_secs;
};

enum last_login_job_result {
	/* stored, or needed no write (see enum last_login_job_skip) */
	LAST_LOGIN_JOB_RESULT_OK,
	/* refused, or unreachable until the process ended */
	LAST_LOGIN_JOB_RESULT_FAILED,
	/* the last attempt timed out or lost its connection */
	LAST_LOGIN_JOB_RESULT_UNCERTAIN,
	/* given up: no answer within last_login_timeout at the process's
	   end, or too many logins waiting */
	LAST_LOGIN_JOB_RESULT_ABANDONED,
};

/* Why a job that ended well wrote nothing. */
enum last_login_job_skip {
	LAST_LOGIN_JOB_SKIP_NONE = 0,
	/* a newer login of the same key waits in the same writer and is
	   written instead */
	LAST_LOGIN_JOB_SKIP_REPLACED,
	/* the backend holds a time at least as new */
	LAST_LOGIN_JOB_SKIP_SUPERSEDED,
	/* the backend's time is younger than last_login_interval */
	LAST_LOGIN_JOB_SKIP_FRESH,
};

struct last_login_job {
	/* the writer the job waits in */
	struct last_login_writer *writer;
	/* child of the user's event: the user's log prefix */
	struct event *event;
	/* while the user lives: where the plugin keeps this job, cleared
	   when the job ends. Once the user is gone: the process's log
	   prefix at that moment. */
	struct last_login_job **user_link;
	char *failure_prefix;
	char *username, *key, *value;
	/* the login's time, as value says it */
	struct timespec time;
	/* last_login_dict_fields: full key, value, full key, value, ... */
	ARRAY_TYPE(string) fields;
	/* why the fields were dropped: the backend refused a write with
	   them, and the time is written alone */
	char *fields_error;
	unsigned int interval_secs;
	/* last_login_timeout, for the line of a job given up at the end */
	unsigned int timeout_msecs;

	/* attempts begun, and how many failed */
	unsigned int attempts, failures;
	/* the error and time of the last failed attempt */
	char *error;
	struct timeval failed_at;
	bool uncertain;
	/* the one error line of this job has been logged */
	bool error_logged;
	enum last_login_job_skip skip;
};
ARRAY_DEFINE_TYPE(last_login_job, struct last_login_job *);

/* A job for the user's login. *user_link is set to the job, and back
   to NULL when the job ends; while it is set, last_login_job_user_gone()
   must be called when the user is freed. */
struct last_login_job *
last_login_job_create(struct last_login_writer *writer,
		      struct mail_user *user,
		      const struct last_login_record *record,
		      unsigned int timeout_msecs,
		      struct last_login_job **user_link);
/* The job's user is being freed: *job is set to NULL, and the job logs
   from now on with the process's log prefix as it is now. */
void last_login_job_user_gone(struct last_login_job **job);

/* The key as configured, without the dict's shared/. */
const char *last_login_job_key(const struct last_login_job *job);
/* Whether the job must read the stored value before it writes: it has
   an interval, or it failed before (another login may have written a
   newer time meanwhile, and a retry must not move it back). */
bool last_login_job_needs_lookup(const struct last_login_job *job);
/* Whether the stored value (NULL: none) makes the job's write
   unneeded: a time at least as new, whatever precision wrote it, or
   one younger than the interval in the configured precision. Sets
   job->skip if so. A value that is no time is overwritten. */
bool last_login_job_check_stored(struct last_login_job *job,
				 const char *stored);

/* Whether text (a backend's error) names one of the job's keys. */
bool last_login_job_names_own_key(const struct last_login_job *job,
				  const char *text);
/* The backend refused a write with the job's fields: drop them, so that
   the time can be written alone. Returns FALSE if the job had none. */
bool last_login_job_drop_fields(struct last_login_job *job,
				const char *error);
/* Record why the last attempt failed, and when (now). */
void last_login_job_set_error(struct last_login_job *job, const char *error,
			      bool uncertain);
/* The job's error line, unless it has had it. */
void last_login_job_log_failure(struct last_login_job *job);
/* End the job: its line if still owed, the event, and the job freed. */
void last_login_job_end(struct last_login_job *job,
			enum last_login_job_result result);
/* End a failed job that a newer login of the same key replaces: its
   error line now, then the end of a job that needed no write. */
void last_login_job_end_replaced(struct last_login_job *job);
/* End the job as abandoned for a reason other than the timeout at the
   process's end, which the line names. */
void last_login_job_abandon(struct last_login_job *job, const char *reason);

#endif
