#ifndef LAST_LOGIN_WRITER_H
#define LAST_LOGIN_WRITER_H

/* The process's writers: one per dict configuration, each with one dict
   (so one backend connection) that the logins of every user with that
   configuration are written through. A login becomes a job; a writer
   submits its jobs from the ioloop, never from the login itself, probes
   a backend it does not know to be up, retries with backoff while the
   process lives, and at process end waits for what is outstanding for
   at most last_login_timeout. See doc/write-path.md. */

struct mail_user;
struct last_login_settings;
struct last_login_job;
struct last_login_record;

/* The writer for the dict the user's settings name, created (and its
   dict opened, which does not connect) on first use. Returns NULL with
   error_r set to a line fit for the log if the dict can't be opened. */
struct last_login_writer *
last_login_writer_get(struct mail_user *user,
		      const struct last_login_settings *set,
		      const char **error_r);

/* Write the user's login: the record's value under its key, and in the
   same transaction each of its fields under shared/ and the field's key;
   with an interval, only if the stored value is older than that. Nothing
   of the user is kept: the job (last-login-job.h) logs through a child
   of the user's event, which it references. *user_link is set to the
   job, and back to NULL when the job ends; while it is set, the caller
   must call last_login_job_user_gone() when the user is freed. */
void last_login_writer_add(struct last_login_writer *writer,
			   struct mail_user *user,
			   const struct last_login_record *record,
			   struct last_login_job **user_link);

/* At process end: one last attempt for what is not written, and a wait
   for what is outstanding, together bounded by last_login_timeout; what
   is left then is abandoned. Frees the writers. */
void last_login_writers_deinit(void);

#endif
