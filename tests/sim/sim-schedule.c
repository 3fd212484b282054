/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* A schedule from a seed: the driver, the backend's states over time,
   what is stored at the start, and the processes that log users in. */

#include "sim.h"

#include <stdio.h>
#include <string.h>

#define SIM_START_USECS (1700000000ULL * 1000000)

static const char *const sim_state_names[] = {
	"up", "down", "silent", "hung", "slow"
};
static const char *const sim_driver_names[] = {
	"redis-2.3", "redis-2.4", "proxy", "file"
};
static const char *const sim_proc_kind_names[] = {
	"imap", "lmtp", "doveadm"
};
/* values a backend may hold that are no time of this plugin */
static const char *const sim_garbage[] = {
	"abc", "", "-5", "99999999999999999999"
};

const char *sim_state_name(enum sim_state state)
{
	return sim_state_names[state];
}

const char *sim_driver_name(enum sim_driver_kind kind)
{
	return sim_driver_names[kind];
}

const char *sim_proc_kind_name(enum sim_proc_kind kind)
{
	return sim_proc_kind_names[kind];
}

/* percent chance */
static int sim_chance(uint64_t *r, unsigned int percent)
{
	return sim_rand_n(r, 100) < percent;
}

static void sim_generate_timeline(struct sim_schedule *s, uint64_t *r)
{
	static const unsigned int weights[SIM_STATE_COUNT] = {
		40, 20, 15, 10, 15
	};
	uint64_t t = SIM_START_USECS;
	unsigned int i, n, w;

	s->event_count = 0;
	if (sim_chance(r, 25))
		return;
	n = 1 + sim_rand_n(r, 20);
	for (i = 0; i < n && i + 1 < SIM_EVENTS_MAX; i++) {
		t += SIM_MSECS(200 + sim_rand_n(r, sim_chance(r, 50) ?
						 3000 : 40000));
		w = sim_rand_n(r, 100);
		s->events[i].state = SIM_UP;
		while (w >= weights[s->events[i].state]) {
			w -= weights[s->events[i].state];
			s->events[i].state++;
		}
		s->events[i].at = t;
	}
	/* back up for good */
	s->events[i].at = t + SIM_MSECS(1000 + sim_rand_n(r, 20000));
	s->events[i].state = SIM_UP;
	s->event_count = i + 1;
}

static void sim_generate_seeded(struct sim_schedule *s, uint64_t *r)
{
	static const uint64_t units[] = {
		1, 1000, 1000000, 1000000000
	};
	uint64_t secs, unit;
	unsigned int i;

	if (!sim_chance(r, 30))
		return;
	for (i = 0; i < s->users; i++) {
		if (!sim_chance(r, 40))
			continue;
		if (sim_chance(r, 30)) {
			s->seeded_set[i] = 1;
			snprintf(s->seeded[i], sizeof(s->seeded[i]), "%s",
				 sim_garbage[sim_rand_n(r, 4)]);
			continue;
		}
		/* an older login, in any precision */
		secs = SIM_START_USECS / 1000000 - 1 -
			sim_rand_n(r, 86400 * 30);
		unit = units[sim_rand_n(r, 4)];
		s->seeded_set[i] = 1;
		snprintf(s->seeded[i], sizeof(s->seeded[i]), "%llu",
			 (unsigned long long)(secs * unit +
					      sim_rand_n(r, unit)));
	}
}

static void sim_generate_proc(struct sim_schedule *s, struct sim_proc *p,
			      uint64_t *r, unsigned int base_timeout)
{
	unsigned int k = sim_rand_n(r, 100);

	p->kind = k < 50 ? SIM_PROC_IMAP :
		k < 80 ? SIM_PROC_LMTP : SIM_PROC_DOVEADM;
	p->gap = SIM_MSECS(sim_rand_n(r, 20000));
	p->per_user_uri = sim_chance(r, 30);
	p->interval_secs = sim_chance(r, 60) ? 0 :
		sim_chance(r, 50) ? 60 : 3600;
	p->precision = sim_chance(r, 40) ? 0 : (int)sim_rand_n(r, 4);
	p->fields = sim_chance(r, 40);
	p->timeout_msecs = base_timeout;
	p->seed = sim_rand(r);
	switch (p->kind) {
	case SIM_PROC_IMAP:
		p->life = SIM_MSECS(sim_rand_n(r, sim_chance(r, 80) ?
					       60000 : 300000));
		p->count = sim_chance(r, 60) ? 1 : 2 + sim_rand_n(r, 30);
		/* a long-lived process of many distinct users */
		if (s->users >= 300 && sim_chance(r, 50))
			p->count = s->users;
		break;
	case SIM_PROC_LMTP:
		p->life = SIM_MSECS(sim_rand_n(r, 60000));
		p->count = 1 + sim_rand_n(r, 5);
		p->rcpts = 1 + sim_rand_n(r, 40);
		break;
	case SIM_PROC_DOVEADM:
		p->life = 0;
		k = sim_rand_n(r, 100);
		p->count = k < 2 ? 10001 + sim_rand_n(r, 500) :
			k < 6 ? 2000 + sim_rand_n(r, 3000) :
			1 + sim_rand_n(r, 200);
		if (p->count > s->users)
			s->users = p->count;
		break;
	case SIM_PROC_KIND_COUNT:
		break;
	}
}

void sim_schedule_generate(struct sim_schedule *s, uint64_t seed)
{
	uint64_t r = seed;
	unsigned int i, k, base_timeout;

	memset(s, 0, sizeof(*s));
	s->seed = seed;
	k = sim_rand_n(&r, 100);
	s->driver = k < 30 ? SIM_DRIVER_REDIS23 : k < 60 ?
		SIM_DRIVER_REDIS24 : k < 90 ? SIM_DRIVER_PROXY :
		SIM_DRIVER_FILE;
	k = sim_rand_n(&r, 100);
	base_timeout = k < 60 ? 1000 : k < 80 ? 300 : 2000;
	s->slow_msecs = base_timeout * (80 + sim_rand_n(&r, 41)) / 100;
	s->users = sim_chance(&r, 90) ? 4 + sim_rand_n(&r, 37) :
		300 + sim_rand_n(&r, 100);
	sim_generate_timeline(s, &r);

	s->proc_count = 1 + sim_rand_n(&r, 6);
	for (i = 0; i < s->proc_count; i++)
		sim_generate_proc(s, &s->procs[i], &r, base_timeout);

	if (sim_chance(&r, 15)) {
		for (i = 0; i < s->users; i++)
			s->refuse_field[i] = sim_chance(&r, 20);
	}
	if (sim_chance(&r, 10)) {
		for (i = 0; i < s->users; i++)
			s->refuse_time[i] = sim_chance(&r, 10);
	}
	sim_generate_seeded(s, &r);
	/* drawn last: the schedules drawn before it stay as they were */
	s->refusal_unnamed = sim_chance(&r, 25);
}
