/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* Virtual time. The executable defines the clock and wait functions
   that libdovecot calls (linked with -rdynamic, its definitions come
   before libc's, and before those of ASan's runtime), so the ioloop
   runs on a clock that moves only when it waits, or when the fake
   driver blocks: deterministic, and as fast as the CPU. */

#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/epoll.h>

/* 2023-11-14, and where CLOCK_MONOTONIC starts */
#define SIM_EPOCH_USECS (1700000000ULL * 1000000)

static uint64_t sim_now = SIM_EPOCH_USECS;
/* when the last wait of an ioloop returned */
static uint64_t sim_wait_returned = SIM_EPOCH_USECS;
/* clock reads (each a microsecond), and their count when a wait returned */
static uint64_t sim_ticks, sim_ticks_returned;
static void (*sim_pass_hook)(uint64_t blocked);

static void sim_clock_advance(uint64_t usecs)
{
	sim_now += usecs;
	sim_backend_advance(sim_now);
}

void sim_clock_set(uint64_t now)
{
	sim_now = now;
	sim_wait_returned = now;
	sim_ticks_returned = sim_ticks;
}

uint64_t sim_clock_now(void)
{
	return sim_now;
}

void sim_clock_block(uint64_t usecs)
{
	sim_clock_advance(usecs);
}

void sim_clock_set_pass_hook(void (*hook)(uint64_t blocked))
{
	sim_pass_hook = hook;
	sim_wait_returned = sim_now;
	sim_ticks_returned = sim_ticks;
}

void sim_clock_pass_reset(void)
{
	sim_wait_returned = sim_now;
	sim_ticks_returned = sim_ticks;
}

/* An ioloop waits: the pass before it ends, time jumps by the wait. */
static void sim_clock_wait(uint64_t usecs)
{
	if (sim_pass_hook != NULL) {
		sim_pass_hook(sim_now - sim_wait_returned -
			      (sim_ticks - sim_ticks_returned));
	}
	sim_clock_advance(usecs);
	sim_wait_returned = sim_now;
	sim_ticks_returned = sim_ticks;
}

/* Each reading of the clock finds it a microsecond later, as a real
   clock moves while code runs: the ioloop runs a timeout added by a
   timeout's callback in the next pass only when the clock has moved. */
static void sim_clock_tick(void)
{
	sim_now++;
	sim_ticks++;
}

/* The time that went by from BEGIN (a sim_clock_now()) to now, without
   the ticks of clock reads since TICKS (a sim_clock_ticks()): the
   invariants bound waiting, and a real clock read takes no microsecond. */
uint64_t sim_clock_waited_since(uint64_t begin, uint64_t ticks)
{
	return sim_now - begin - (sim_ticks - ticks);
}

uint64_t sim_clock_ticks(void)
{
	return sim_ticks;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	(void)tz;
	sim_clock_tick();
	tv->tv_sec = (time_t)(sim_now / 1000000);
	tv->tv_usec = (suseconds_t)(sim_now % 1000000);
	return 0;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	uint64_t t;

	sim_clock_tick();
	t = sim_now;
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		t -= SIM_EPOCH_USECS - 1000000;
		break;
	default:
		/* CPU time clocks: the real ones */
		return (int)syscall(SYS_clock_gettime, clock, ts);
	}
	ts->tv_sec = (time_t)(t / 1000000);
	ts->tv_nsec = (long)(t % 1000000) * 1000;
	return 0;
}

time_t time(time_t *t)
{
	time_t now = (time_t)(sim_now / 1000000);

	if (t != NULL)
		*t = now;
	return now;
}

/* An ioloop sleeps when it has no io to wait for: the writer's own
   (the process's has one), inside a pass of the process's. */
int nanosleep(const struct timespec *req, struct timespec *rem)
{
	sim_clock_advance((uint64_t)req->tv_sec * 1000000 +
			  (uint64_t)req->tv_nsec / 1000);
	if (rem != NULL) {
		rem->tv_sec = 0;
		rem->tv_nsec = 0;
	}
	return 0;
}

int epoll_wait(int epfd, struct epoll_event *events, int maxevents,
	       int timeout)
{
	int ret;

	/* what is ready now: the simulation's fds never are */
	ret = (int)syscall(SYS_epoll_pwait, epfd, events, maxevents, 0,
			   NULL, (size_t)8);
	if (ret != 0)
		return ret;
	if (timeout < 0) {
		fprintf(stderr, "sim: an ioloop waits forever with nothing "
			"to wake it (a simulation bug)\n");
		abort();
	}
	sim_clock_wait((uint64_t)timeout * 1000);
	return 0;
}
