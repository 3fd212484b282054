/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* One simulated process, run in a child of the main program so that
   the writer's process-wide state starts empty and ends with the
   process, as in Dovecot. Users log in (imap: one after another with
   the ioloop running between; lmtp: many recipients created and freed
   in one ioloop callback; doveadm: all of them without the ioloop ever
   running), and the process ends with last_login_writers_deinit().
   Checked here: invariants 1 (blocking), 4 (lines and events) and 5
   (fds and dicts). */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "ioloop.h"
#include "event-filter.h"
#include "lib-event-private.h"
#include "mail-user.h"
#include "last-login-key.h"
#include "last-login-job.h"
#include "last-login-timestamp.h"
#include "last-login-glue.h"
#include "last-login-writer.h"
#include "last-login-retry.h"
#include "sim.h"
#include "test-events.h"

#include <dirent.h>

#define SIM_MARGIN_USECS SIM_MSECS(10)
/* invariant 5: dicts of users seen this long ago must be gone: a
   writer waits up to the longest backoff for its retry, is then idle
   for up to 60 s before it is closed, and 10 s more for slack */
#define SIM_IDLE_WINDOW_USECS \
	SIM_MSECS(LAST_LOGIN_RETRY_MAX_MSECS + 60000 + 10000)
#define SIM_IDLE_SLACK 8

struct sim_user {
	struct mail_user *user;
	struct last_login_job *link;
	struct timeout *to_free;
};

struct sim_proc_state {
	const struct sim_schedule *sched;
	const struct sim_proc *proc;
	unsigned int idx;
	uint64_t rand;
	struct ioloop *ioloop;
	/* a pipe no one writes to: the ioloop has an fd to wait on, as a
	   real process has, so each of its passes ends in epoll_wait(),
	   where the clock sees it (without fds Dovecot skips a 0 ms wait) */
	int pass_fds[2];
	struct io *pass_io;
	struct timeout *to_next, *to_end;
	unsigned int done;
	bool final;
	/* per user: logins, finished events, error lines, last login */
	unsigned int *logins, *finished, *errors;
	uint64_t *last_login;
	int fd_baseline;
	ARRAY(struct sim_user *) users;
	ARRAY_TYPE(string) error_lines;
};

static struct sim_proc_state sp;

static void sim_never(void *context ATTR_UNUSED)
{
	i_panic("sim: the pass pipe became readable");
}

static int sim_count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	if (dir == NULL)
		i_fatal("opendir(/proc/self/fd) failed: %m");
	while (readdir(dir) != NULL)
		n++;
	(void)closedir(dir);
	return n;
}

static void ATTR_FORMAT(2, 0)
sim_error_handler(const struct failure_context *ctx, const char *format,
		  va_list args)
{
	const char *line = t_strdup_vprintf(format, args);
	char *copy;

	if (ctx->log_prefix != NULL)
		line = t_strconcat(ctx->log_prefix, line, NULL);
	if (ctx->type == LOG_TYPE_ERROR) {
		sim_trace("error: %s", line);
		line = t_strdup_printf("%s%s", sp.final ? "F" : "-", line);
		copy = i_strdup(line);
		array_push_back(&sp.error_lines, &copy);
	} else if (ctx->type != LOG_TYPE_DEBUG) {
		sim_trace("log: %s", line);
	}
	if (ctx->type == LOG_TYPE_FATAL || ctx->type == LOG_TYPE_PANIC)
		sim_violation(9, "%s", line);
}

static int sim_username_idx(const char *name)
{
	return name != NULL && name[0] == 'u' ? atoi(name + 1) : -1;
}

/* A string field of the event or its parents (the name of the
   function that does this differs between Dovecot's releases). */
static const char *sim_event_field(struct event *event, const char *key)
{
	const struct event_field *fields;
	unsigned int i, count;

	for (; event != NULL; event = event_get_parent(event)) {
		fields = event_get_fields(event, &count);
		for (i = 0; i < count; i++) {
			if (strcmp(fields[i].key, key) == 0 &&
			    fields[i].value_type == EVENT_FIELD_VALUE_TYPE_STR)
				return fields[i].value.str;
		}
	}
	return NULL;
}


static bool
sim_event_callback(struct event *event, enum event_callback_type type,
		   struct failure_context *ctx ATTR_UNUSED,
		   const char *fmt ATTR_UNUSED, va_list args ATTR_UNUSED)
{
	int user;

	if (type != EVENT_CALLBACK_TYPE_SEND ||
	    null_strcmp(event->sending_name, "last_login_write_finished") != 0)
		return TRUE;
	user = sim_username_idx(sim_event_field(event, "user"));
	sim_trace("finished: u%d %s", user, sim_event_field(event, "result"));
	if (user >= 0 && (unsigned int)user < sp.sched->users)
		sp.finished[user]++;
	else
		sim_violation(4, "last_login_write_finished without a user");
	return TRUE;
}

static void sim_pass_hook(uint64_t blocked)
{
	uint64_t limit = SIM_MSECS(sp.proc->timeout_msecs) + SIM_MARGIN_USECS;

	if (blocked > limit) {
		sim_violation(1, "one ioloop pass blocked for %llu ms "
			      "(last_login_timeout %u ms)",
			      (unsigned long long)(blocked / 1000),
			      sp.proc->timeout_msecs);
	}
}

/* Invariant 5: a long-lived process keeps no dict (and no fd) of users
   that have been idle for a while on a healthy backend. */
static void sim_check_resources(void)
{
	uint64_t now = sim_clock_now();
	unsigned int i, recent = 0, live;
	int fds;

	if (now < SIM_IDLE_WINDOW_USECS ||
	    !sim_backend_up_over(now - SIM_IDLE_WINDOW_USECS, now))
		return;
	for (i = 0; i < sp.sched->users; i++) {
		if (sp.last_login[i] != 0 &&
		    sp.last_login[i] + SIM_IDLE_WINDOW_USECS >= now)
			recent++;
	}
	if (!sp.proc->per_user_uri)
		recent = recent > 0 ? 1 : 0;
	live = sim_driver_live_dicts();
	fds = sim_count_fds();
	if (live > recent + SIM_IDLE_SLACK ||
	    fds > sp.fd_baseline + (int)(recent + SIM_IDLE_SLACK)) {
		sim_violation(5, "%u dicts and %d fds open (baseline %d) "
			      "with %u users active in the last %u s",
			      live, fds, sp.fd_baseline, recent,
			      (unsigned int)(SIM_IDLE_WINDOW_USECS / 1000000));
	}
}

static void sim_user_free(struct sim_user *su)
{
	struct sim_user *const *sup;

	array_foreach(&sp.users, sup) {
		if (*sup == su) {
			array_delete(&sp.users, array_foreach_idx(&sp.users,
								  sup), 1);
			break;
		}
	}
	timeout_remove(&su->to_free);
	last_login_job_user_gone(&su->link);
	event_unref(&su->user->event);
	i_free(su->user);
	i_free(su);
}

static const char *sim_dict_uri(unsigned int user)
{
	const char *kind = sim_driver_name(sp.sched->driver);

	return sp.proc->per_user_uri ?
		t_strdup_printf("sim:%s:u%u", kind, user) :
		t_strdup_printf("sim:%s:shared", kind);
}

/* What the plugin's mail_user_created hook does. */
static struct sim_user *sim_login(unsigned int idx)
{
	static const char *const precisions[] = { "s", "ms", "us", "ns" };
	struct last_login_settings set;
	struct last_login_record record;
	struct last_login_field field;
	struct last_login_writer *writer;
	struct sim_user *su;
	struct mail_user *user;
	struct timespec now;
	const char *error;
	struct sim_login *login;

	su = i_new(struct sim_user, 1);
	user = su->user = i_new(struct mail_user, 1);
	user->username = t_strdup_printf("u%u", idx);
	user->event = event_create(NULL);
	event_set_append_log_prefix(user->event,
				    t_strdup_printf("user u%u: ", idx));
	array_push_back(&sp.users, &su);

	i_zero(&set);
	set.dict_uri = sim_dict_uri(idx);
	set.precision = precisions[sp.proc->precision];
	set.timeout_msecs = sp.proc->timeout_msecs;
	set.interval_secs = sp.proc->interval_secs;
	t_array_init(&set.fields, 1);
	if (sp.proc->fields) {
		field.key = t_strdup_printf("last-login-ip/u%u", idx);
		field.value = t_strdup_printf("10.0.%u.%u", idx / 250,
					      idx % 250);
		array_push_back(&set.fields, &field);
	}
	writer = last_login_writer_get(user, &set, &error);
	if (writer == NULL) {
		sim_violation(9, "last_login_writer_get() failed: %s", error);
		return su;
	}
	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		i_fatal("clock_gettime() failed: %m");
	i_zero(&record);
	record.key = last_login_key_build(NULL, user->username);
	record.value = last_login_timestamp_format(&now, sp.proc->precision);
	record.fields = &set.fields;
	record.interval_secs = set.interval_secs;
	sim_trace("login: u%u %s%s", idx, record.value,
		  sp.sched->refuse_time[idx] ? " (key refused)" : "");
	last_login_writer_add(writer, user, &record, &su->link);

	/* the login's time, not when the add returned: it may flush */
	sp.logins[idx]++;
	sp.last_login[idx] = sim_clock_now();
	if (sim_shared->login_count < SIM_LOGINS_MAX) {
		login = &sim_shared->logins[sim_shared->login_count++];
		login->user = idx;
		login->proc = sp.idx;
		login->at = (uint64_t)now.tv_sec * 1000000 +
			(uint64_t)now.tv_nsec / 1000;
		login->interval_secs = sp.proc->interval_secs;
	}
	return su;
}

static unsigned int sim_pick_user(void)
{
	return sim_rand_n(&sp.rand, sp.sched->users);
}

static void sim_imap_next(void *context ATTR_UNUSED);

static void sim_schedule_next(void)
{
	uint64_t left, at;

	timeout_remove(&sp.to_next);
	if (sp.done >= sp.proc->count)
		return;
	/* spread over what is left of the process's life */
	left = sp.proc->life / (sp.proc->count - sp.done + 1);
	at = left == 0 ? 0 : sim_rand(&sp.rand) % (2 * left);
	sp.to_next = timeout_add((unsigned int)(at / 1000), sim_imap_next,
				 (void *)NULL);
}

/* imap: one login; the session lasts a while. lmtp: one delivery, its
   recipients created and freed in this one callback. */
static void sim_imap_next(void *context ATTR_UNUSED)
{
	struct sim_user *su;
	unsigned int i, idx;

	sim_check_resources();
	if (sp.proc->kind == SIM_PROC_LMTP) {
		for (i = 0; i < sp.proc->rcpts; i++) {
			su = sim_login(sim_pick_user());
			sim_user_free(su);
		}
	} else {
		idx = sp.proc->count == sp.sched->users ? sp.done :
			sim_pick_user();
		su = sim_login(idx);
		su->to_free = timeout_add(sim_rand_n(&sp.rand, 20000),
					  sim_user_free, su);
	}
	sp.done++;
	sim_schedule_next();
}

/* doveadm never runs its ioloop, so it has no passes: each user's
   login and logout, which may flush, is held to last_login_timeout. */
static void sim_doveadm_run(void)
{
	struct sim_user *su;
	uint64_t begin, ticks, took;
	unsigned int i;

	for (i = 0; i < sp.proc->count; i++) {
		begin = sim_clock_now();
		ticks = sim_clock_ticks();
		sim_clock_pass_reset();
		/* doveadm names the user in the process's log prefix */
		i_set_failure_prefix("doveadm(u%u): ", i);
		su = sim_login(i);
		sim_user_free(su);
		i_set_failure_prefix("doveadm: ");
		took = sim_clock_waited_since(begin, ticks);
		if (took > SIM_MSECS(sp.proc->timeout_msecs) +
		    SIM_MARGIN_USECS) {
			sim_violation(1, "doveadm's user u%u took %llu ms "
				      "(last_login_timeout %u ms)", i,
				      (unsigned long long)(took / 1000),
				      sp.proc->timeout_msecs);
		}
	}
}

static void sim_process_end(void)
{
	struct sim_user *const *sup;
	uint64_t begin, ticks, took;

	while (array_count(&sp.users) > 0) {
		sup = array_front(&sp.users);
		sim_user_free(*sup);
	}
	begin = sim_clock_now();
	ticks = sim_clock_ticks();
	sim_shared->end_begin[sp.idx] = begin;
	sim_trace("process end");
	sp.final = TRUE;
	sim_clock_pass_reset();
	last_login_writers_deinit();
	sp.final = FALSE;
	took = sim_clock_waited_since(begin, ticks);
	sim_shared->end_done[sp.idx] = sim_clock_now();
	if (took > SIM_MSECS(sp.proc->timeout_msecs) + SIM_MARGIN_USECS) {
		sim_violation(1, "the process end took %llu ms "
			      "(last_login_timeout %u ms)",
			      (unsigned long long)(took / 1000),
			      sp.proc->timeout_msecs);
	}
}

/* Invariant 4: at most one error line per login, naming its own user
   and its own key; "abandoned after last_login_timeout" only when the
   timeout at process end was the cause; one finished event per login. */
static void sim_check_lines(void)
{
	char *const *linep;
	const char *line, *p;
	unsigned int i;
	int user, other;

	array_foreach(&sp.error_lines, linep) {
		line = *linep + 1;
		p = strstr(line, "user u");
		if (p == NULL) {
			sim_violation(4, "error line of no user: %s", line);
			continue;
		}
		user = atoi(p + 6);
		if (user < 0 || (unsigned int)user >= sp.sched->users)
			continue;
		sp.errors[user]++;
		for (p = strstr(line, "last-login"); p != NULL;
		     p = strstr(p + 1, "last-login")) {
			const char *slash = strchr(p, '/');

			if (slash == NULL || slash[1] != 'u')
				continue;
			other = atoi(slash + 2);
			if (other != user) {
				sim_violation(4, "u%d's error line names the "
					      "key of u%d: %s", user, other,
					      line);
			}
		}
		if (strstr(line, "abandoned after last_login_timeout") !=
		    NULL && (*linep)[0] != 'F') {
			sim_violation(4, "a write abandoned before the "
				      "process end blames last_login_timeout:"
				      " %s", line);
		}
	}
	for (i = 0; i < sp.sched->users; i++) {
		if (sp.errors[i] > sp.logins[i]) {
			sim_violation(4, "u%u has %u error lines for %u "
				      "logins", i, sp.errors[i],
				      sp.logins[i]);
		}
		if (sp.finished[i] != sp.logins[i]) {
			sim_violation(4, "u%u has %u write_finished events "
				      "for %u logins", i, sp.finished[i],
				      sp.logins[i]);
		}
	}
}

static void sim_stop(void *context ATTR_UNUSED)
{
	io_loop_stop(current_ioloop);
}

void sim_process_run(const struct sim_schedule *sched, unsigned int idx)
{
	const struct sim_proc *proc = &sched->procs[idx];
	char *line;

	i_zero(&sp);
	sp.sched = sched;
	sp.proc = proc;
	sp.idx = idx;
	sp.rand = proc->seed;
	sp.logins = i_new(unsigned int, sched->users);
	sp.finished = i_new(unsigned int, sched->users);
	sp.errors = i_new(unsigned int, sched->users);
	sp.last_login = i_new(uint64_t, sched->users);
	i_array_init(&sp.users, 64);
	i_array_init(&sp.error_lines, 16);
	i_set_failure_prefix("%s: ", sim_proc_kind_name(proc->kind));
	i_set_error_handler(sim_error_handler);
	i_set_info_handler(sim_error_handler);
	last_login_test_send_debug_events(
		"event=last_login_write_finished");
	event_register_callback(sim_event_callback);

	sim_trace("process %u: %s count=%u rcpts=%u uri=%s interval=%u "
		  "precision=%d fields=%d timeout=%u life=%llu ms", idx,
		  sim_proc_kind_name(proc->kind), proc->count, proc->rcpts,
		  proc->per_user_uri ? "per-user" : "shared",
		  proc->interval_secs, proc->precision, proc->fields,
		  proc->timeout_msecs,
		  (unsigned long long)(proc->life / 1000));
	sim_shared->begin[idx] = sim_clock_now();
	sp.ioloop = io_loop_create();
	if (pipe(sp.pass_fds) < 0)
		i_fatal("pipe() failed: %m");
	sp.pass_io = io_add(sp.pass_fds[0], IO_READ, sim_never, (void *)NULL);
	sp.fd_baseline = sim_count_fds();
	sim_clock_set_pass_hook(sim_pass_hook);
	if (proc->kind == SIM_PROC_DOVEADM) {
		sim_doveadm_run();
	} else {
		sim_schedule_next();
		sp.to_end = timeout_add((unsigned int)(proc->life / 1000),
					sim_stop, (void *)NULL);
		io_loop_run(sp.ioloop);
		timeout_remove(&sp.to_end);
		timeout_remove(&sp.to_next);
	}
	sim_process_end();
	sim_clock_set_pass_hook(NULL);
	sim_check_lines();
	sim_shared->now = sim_clock_now();

	event_unregister_callback(sim_event_callback);
	last_login_test_send_debug_events(NULL);
	array_foreach_elem(&sp.error_lines, line)
		i_free(line);
	array_free(&sp.error_lines);
	array_free(&sp.users);
	i_free(sp.logins);
	i_free(sp.finished);
	i_free(sp.errors);
	i_free(sp.last_login);
	sim_backend_drop_pending();
	io_remove(&sp.pass_io);
	i_close_fd(&sp.pass_fds[0]);
	i_close_fd(&sp.pass_fds[1]);
	io_loop_destroy(&sp.ioloop);
}
