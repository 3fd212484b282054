/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* sim-write-path [--seed N] [--count N] [--start N] [-v]: runs the
   schedules of seeds start .. start+count-1 (or the one seed), each
   simulated process in a child, and checks what the backend holds at
   the end (invariant 2). A failing schedule prints one line that
   replays it, and the trace of its last moments. See README.md. */

#include "lib.h"
#include "dict.h"
#include "last-login-retry.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIM_DEFAULT_COUNT 500

/* Seeds the default run (make check) adds to 1..500: schedules of a
   kind its range does not draw, kept once they found a defect.
   18751: an imap process of 10,127 logins on the proxy with 10% of the
   time keys refused, whose queue each refusal used to halve 13 times
   over (the process's end ran out of last_login_timeout). */
static const uint64_t sim_regression_seeds[] = { 18751 };

#define SIM_START_USECS (1700000000ULL * 1000000)

static struct sim_schedule sim_sched;

/* Invariant 2: a login on a backend that was up from the login until
   after the process's end is stored: the value, read as a time, is no
   older than the login (minus the interval), at the precision of
   seconds. The backend must also have been up since the process began,
   or for the longest backoff and 2 s before its end: a process that saw
   the backend fail waits for its backoff to end before it tries again,
   and its end has last_login_timeout for what is still queued. */
static void sim_check_stored(void)
{
	const struct sim_login *login;
	uint64_t from, stored, unit, login_secs;
	const char *value, *key;
	unsigned int i;

	for (i = 0; i < sim_shared->login_count; i++) {
		login = &sim_shared->logins[i];
		from = sim_shared->end_begin[login->proc] -
			SIM_MSECS(LAST_LOGIN_RETRY_MAX_MSECS + 2000);
		if (from < sim_shared->begin[login->proc])
			from = sim_shared->begin[login->proc];
		if (login->at < from)
			from = login->at;
		if (sim_sched.refuse_time[login->user] ||
		    !sim_backend_up_over(from,
					 sim_shared->end_done[login->proc]))
			continue;
		key = t_strdup_printf("shared/last-login/u%u", login->user);
		value = sim_backend_get(key);
		login_secs = login->at / 1000000;
		if (value == NULL ||
		    sim_value_to_usecs(value, &stored, &unit) < 0) {
			sim_violation(2, "u%u logged in at %llu (process %u), "
				      "backend up, but %s holds %s",
				      login->user,
				      (unsigned long long)login_secs,
				      login->proc, key, value == NULL ?
				      "nothing" : t_strdup_printf("\"%s\"",
								  value));
			return;
		}
		if (stored / 1000000 + login->interval_secs < login_secs) {
			sim_violation(2, "u%u logged in at %llu (process %u, "
				      "interval %u s), backend up, but %s "
				      "holds %s", login->user,
				      (unsigned long long)login_secs,
				      login->proc, login->interval_secs, key,
				      value);
			return;
		}
	}
}

static void sim_print_schedule(void)
{
	unsigned int i;

	sim_trace("schedule %llu: driver %s, %u users, slow %u ms%s",
		  (unsigned long long)sim_sched.seed,
		  sim_driver_name(sim_sched.driver), sim_sched.users,
		  sim_sched.slow_msecs, sim_sched.refusal_unnamed ?
		  ", refusals name no key" : "");
	for (i = 0; i < sim_sched.event_count; i++) {
		sim_trace("backend at %llu.%03llu: %s",
			  (unsigned long long)
			  (sim_sched.events[i].at / 1000000 % 100000),
			  (unsigned long long)
			  (sim_sched.events[i].at / 1000 % 1000),
			  sim_state_name(sim_sched.events[i].state));
	}
}

/* Returns 0 when the schedule of seed keeps every invariant. */
static int sim_run_schedule(uint64_t seed)
{
	unsigned int i;
	pid_t pid;
	int status;

	sim_schedule_generate(&sim_sched, seed);
	sim_backend_reset(&sim_sched);
	sim_shared->invariant = 0;
	sim_shared->failure[0] = '\0';
	memset(sim_shared->also, 0, sizeof(sim_shared->also));
	sim_shared->trace_next = 0;
	sim_shared->login_count = 0;
	sim_shared->now = SIM_START_USECS;
	sim_print_schedule();

	for (i = 0; i < sim_sched.proc_count; i++) {
		sim_shared->now += sim_sched.procs[i].gap;
		sim_clock_set(sim_shared->now);
		fflush(stdout);
		fflush(stderr);
		pid = fork();
		if (pid < 0)
			i_fatal("fork() failed: %m");
		if (pid == 0) {
			/* no lib_deinit(): a dict the writer abandons is
			   never freed, on purpose, as in a real process */
			sim_process_run(&sim_sched, i);
			fflush(stderr);
			_exit(sim_failed() ? 1 : 0);
		}
		if (waitpid(pid, &status, 0) < 0)
			i_fatal("waitpid() failed: %m");
		if (WIFSIGNALED(status)) {
			sim_violation(9, "process %u died of signal %d", i,
				      WTERMSIG(status));
		} else if (WEXITSTATUS(status) != 0 && !sim_failed()) {
			sim_violation(9, "process %u exited with %d", i,
				      WEXITSTATUS(status));
		}
	}
	/* also after a violation: what else went wrong */
	if (i == sim_sched.proc_count)
		sim_check_stored();
	return sim_failed() ? -1 : 0;
}

static void sim_print_failure(const char *argv0, uint64_t seed)
{
	unsigned int i, n = sim_shared->trace_next;

	printf("%s --seed %llu (invariant %u: %s)\n", argv0,
	       (unsigned long long)seed, sim_shared->invariant,
	       sim_shared->failure);
	for (i = 0; i < 10; i++) {
		if (i != sim_shared->invariant && sim_shared->also[i][0] != 0)
			printf("  also invariant %u: %s\n", i,
			       sim_shared->also[i]);
	}
	if (sim_shared->verbose)
		return;
	i = n > SIM_TRACE_LINES ? n - SIM_TRACE_LINES : 0;
	for (; i < n; i++)
		printf("    %s\n", sim_shared->trace[i % SIM_TRACE_LINES]);
}

static uint64_t sim_arg_number(const char *str)
{
	char *end;
	unsigned long long n = strtoull(str, &end, 10);

	if (*str == '\0' || *end != '\0') {
		fprintf(stderr, "sim-write-path: not a number: %s\n", str);
		exit(2);
	}
	return n;
}

int main(int argc, char *argv[])
{
	uint64_t start = 1, count = SIM_DEFAULT_COUNT, seed, i;
	unsigned int failed = 0, by_invariant[10];
	unsigned int regressions = N_ELEMENTS(sim_regression_seeds);
	const char *env;
	int argi;

	memset(by_invariant, 0, sizeof(by_invariant));
	/* GUIDs hash the host's domain name; resolving it could wait for a
	   DNS server (2.4.5 makes GUIDs in the write path) */
	if (setenv("DOVECOT_HOSTDOMAIN", "sim.invalid", 1) < 0) {
		perror("setenv");
		return 2;
	}
	if ((env = getenv("SIM_COUNT")) != NULL && *env != '\0') {
		count = sim_arg_number(env);
		regressions = 0;
	}
	sim_shared = mmap(NULL, sizeof(*sim_shared), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sim_shared == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	for (argi = 1; argi < argc; argi++) {
		if (strcmp(argv[argi], "-v") == 0)
			sim_shared->verbose = 1;
		else if (strcmp(argv[argi], "--seed") == 0 && argi + 1 < argc) {
			start = sim_arg_number(argv[++argi]);
			count = 1;
			regressions = 0;
		} else if (strcmp(argv[argi], "--count") == 0 &&
			   argi + 1 < argc) {
			count = sim_arg_number(argv[++argi]);
			regressions = 0;
		} else if (strcmp(argv[argi], "--start") == 0 &&
			   argi + 1 < argc) {
			start = sim_arg_number(argv[++argi]);
			regressions = 0;
		} else {
			fprintf(stderr, "Usage: %s [--seed N] [--count N] "
				"[--start N] [-v]\n", argv[0]);
			return 2;
		}
	}

	lib_init();
	sim_driver_register();
	for (i = 0; i < count + regressions; i++) {
		seed = i < count ? start + i : sim_regression_seeds[i - count];
		if (sim_run_schedule(seed) == 0)
			continue;
		failed++;
		by_invariant[sim_shared->invariant % 10]++;
		sim_print_failure("tests/sim-write-path", seed);
	}
	printf("sim-write-path: %llu schedules from seed %llu",
	       (unsigned long long)count, (unsigned long long)start);
	if (regressions > 0)
		printf(" and %u regression seeds", regressions);
	printf(", %u failed", failed);
	for (i = 0; i < 10; i++) {
		if (by_invariant[i] > 0)
			printf(", invariant %llu: %u",
			       (unsigned long long)i, by_invariant[i]);
	}
	printf("\n");
	sim_driver_unregister();
	lib_deinit();
	(void)munmap(sim_shared, sizeof(*sim_shared));
	return failed == 0 ? 0 : 1;
}
