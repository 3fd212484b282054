/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The backend every process of a schedule talks to, like one redis or
   SQL server: its state over virtual time, and key -> value in shared
   memory. Each write of a login time is checked against the value it
   replaces (invariant 3). */

#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#define SIM_UP_MSECS 2
#define SIM_CONNECT_MSECS 1

struct sim_pending_write {
	uint64_t land_at;
	unsigned int count;
	char **pairs;
};

static const struct sim_schedule *sim_sched;
static struct sim_pending_write *sim_pending;
static unsigned int sim_pending_count, sim_pending_size;

int sim_key_user(const char *key)
{
	const char *p = strrchr(key, '/');

	if (p == NULL || p[1] != 'u')
		return -1;
	return atoi(p + 2);
}

static uint32_t sim_slot_find(const char *key)
{
	uint32_t h = 2166136261u;
	const char *p;

	for (p = key; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h %= SIM_SLOTS;
	while (sim_shared->slots[h].key[0] != '\0' &&
	       strcmp(sim_shared->slots[h].key, key) != 0)
		h = (h + 1) % SIM_SLOTS;
	return h;
}

static void sim_backend_set(const char *key, const char *value)
{
	uint32_t h = sim_slot_find(key);
	struct sim_slot *slot = &sim_shared->slots[h];

	if (slot->key[0] == '\0') {
		if (strlen(key) >= sizeof(slot->key) ||
		    sim_shared->used_count >= SIM_SLOTS / 2) {
			fprintf(stderr, "sim: backend full or key too long: "
				"%s\n", key);
			abort();
		}
		snprintf(slot->key, sizeof(slot->key), "%s", key);
		sim_shared->used[sim_shared->used_count++] = h;
	}
	snprintf(slot->value, sizeof(slot->value), "%s", value);
}

const char *sim_backend_get(const char *key)
{
	struct sim_slot *slot = &sim_shared->slots[sim_slot_find(key)];

	return slot->key[0] == '\0' ? NULL : slot->value;
}

void sim_backend_reset(const struct sim_schedule *sched)
{
	char key[40];
	unsigned int i;

	for (i = 0; i < sim_shared->used_count; i++)
		memset(&sim_shared->slots[sim_shared->used[i]], 0,
		       sizeof(struct sim_slot));
	sim_shared->used_count = 0;
	sim_shared->backend_last_done = 0;
	sim_sched = sched;
	for (i = 0; i < sched->users; i++) {
		if (!sched->seeded_set[i])
			continue;
		snprintf(key, sizeof(key), "shared/last-login/u%u", i);
		sim_backend_set(key, sched->seeded[i]);
	}
}

enum sim_state sim_backend_state_at(uint64_t t)
{
	enum sim_state state = SIM_UP;
	unsigned int i;

	for (i = 0; i < sim_sched->event_count; i++) {
		if (sim_sched->events[i].at > t)
			break;
		state = sim_sched->events[i].state;
	}
	return state;
}

int sim_backend_up_over(uint64_t from, uint64_t to)
{
	unsigned int i;

	if (sim_sched->driver == SIM_DRIVER_FILE)
		return 1;
	if (sim_backend_state_at(from) != SIM_UP)
		return 0;
	for (i = 0; i < sim_sched->event_count; i++) {
		if (sim_sched->events[i].at > from &&
		    sim_sched->events[i].at <= to &&
		    sim_sched->events[i].state != SIM_UP)
			return 0;
	}
	return 1;
}

/* The first moment after t at which the state is no longer one of the
   waiting ones (silent, hung), and what it is then. */
static uint64_t sim_backend_wake(uint64_t t, int hung_only,
				 enum sim_state *state_r)
{
	unsigned int i;

	for (i = 0; i < sim_sched->event_count; i++) {
		const struct sim_backend_event *ev = &sim_sched->events[i];

		if (ev->at <= t)
			continue;
		if (ev->state == SIM_HUNG ||
		    (!hung_only && ev->state == SIM_SILENT))
			continue;
		*state_r = ev->state;
		return ev->at;
	}
	return SIM_NEVER;
}

int sim_backend_connect(uint64_t t, uint64_t *done_r)
{
	enum sim_state state = sim_backend_state_at(t);

	if (state == SIM_HUNG) {
		t = sim_backend_wake(t, 1, &state);
		if (t == SIM_NEVER) {
			*done_r = SIM_NEVER;
			return 0;
		}
	}
	if (state == SIM_DOWN) {
		*done_r = t;
		return 0;
	}
	*done_r = t + SIM_MSECS(SIM_CONNECT_MSECS);
	return 1;
}

int sim_backend_request(uint64_t t, uint64_t *done_r)
{
	enum sim_state state = sim_backend_state_at(t);

	if (state == SIM_HUNG || state == SIM_SILENT) {
		/* answered once the server is back; reset if it dies */
		t = sim_backend_wake(t, 0, &state);
		if (t == SIM_NEVER) {
			*done_r = SIM_NEVER;
			return 0;
		}
	}
	switch (state) {
	case SIM_DOWN:
		*done_r = t;
		return 0;
	case SIM_SLOW:
		t += SIM_MSECS(sim_sched->slow_msecs);
		break;
	default:
		t += SIM_MSECS(SIM_UP_MSECS);
		break;
	}
	/* One thread (redis) or one connection (the dict server) per
	   client: no request is answered before one sent earlier, so a
	   write its client gave up on never lands after a later one. */
	if (t < sim_shared->backend_last_done)
		t = sim_shared->backend_last_done;
	sim_shared->backend_last_done = t;
	*done_r = t;
	return 1;
}

int sim_backend_refuses(const char *key)
{
	int user = sim_key_user(key);

	if (user < 0 || (unsigned int)user >= sim_sched->users ||
	    sim_sched->driver == SIM_DRIVER_REDIS23 ||
	    sim_sched->driver == SIM_DRIVER_REDIS24)
		return 0;
	if (strncmp(key, "shared/last-login/", 18) == 0)
		return sim_sched->refuse_time[user];
	return sim_sched->refuse_field[user];
}

const char *sim_backend_refusal(const char *key)
{
	static char text[128];

	if (sim_sched->refusal_unnamed) {
		snprintf(text, sizeof(text), "%s",
			 sim_sched->driver == SIM_DRIVER_FILE ?
			 "file: can't be written" :
			 "sql dict: statement refused by the database");
	} else if (sim_sched->driver == SIM_DRIVER_FILE) {
		snprintf(text, sizeof(text), "file: %s can't be written", key);
	} else {
		snprintf(text, sizeof(text),
			 "sql dict: Invalid/unmapped key: %s", key);
	}
	return text;
}

int sim_value_to_usecs(const char *value, uint64_t *usecs_r,
		       uint64_t *unit_r)
{
	unsigned long long n;
	char *end;

	if (*value < '0' || *value > '9')
		return -1;
	errno = 0;
	n = strtoull(value, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	/* seconds until 5138, then ms, us, ns */
	if (n < 100000000000ULL) {
		*unit_r = 1000000;
		*usecs_r = n * 1000000;
	} else if (n < 100000000000000ULL) {
		*unit_r = 1000;
		*usecs_r = n * 1000;
	} else if (n < 100000000000000000ULL) {
		*unit_r = 1;
		*usecs_r = n;
	} else {
		*unit_r = 1;
		*usecs_r = n / 1000;
	}
	return 0;
}

/* Invariant 3: a login time never moves back, compared at the coarser
   of the two precisions. */
static void sim_backend_check_write(const char *key, const char *value)
{
	const char *old = sim_backend_get(key);
	uint64_t old_t, new_t, old_unit, new_unit, unit;

	if (sim_value_to_usecs(value, &new_t, &new_unit) < 0) {
		sim_violation(3, "%s written with \"%s\", which is no time",
			      key, value);
		return;
	}
	if (old == NULL || sim_value_to_usecs(old, &old_t, &old_unit) < 0)
		return;
	unit = old_unit > new_unit ? old_unit : new_unit;
	if (new_t / unit < old_t / unit) {
		sim_violation(3, "%s moved back from %s to %s", key, old,
			      value);
	}
}

static void sim_backend_apply(struct sim_pending_write *w)
{
	unsigned int i;

	for (i = 0; i + 1 < w->count; i += 2) {
		if (strncmp(w->pairs[i], "shared/last-login/", 18) == 0)
			sim_backend_check_write(w->pairs[i], w->pairs[i + 1]);
		sim_trace("backend: %s = %s", w->pairs[i], w->pairs[i + 1]);
		sim_backend_set(w->pairs[i], w->pairs[i + 1]);
	}
}

static void sim_pending_free(struct sim_pending_write *w)
{
	unsigned int i;

	for (i = 0; i < w->count; i++)
		free(w->pairs[i]);
	free(w->pairs);
}

void sim_backend_write(uint64_t land_at, const char *const *pairs,
		       unsigned int count)
{
	struct sim_pending_write *w;
	unsigned int i;

	if (sim_pending_count == sim_pending_size) {
		sim_pending_size = sim_pending_size * 2 + 16;
		sim_pending = realloc(sim_pending, sim_pending_size *
				      sizeof(*sim_pending));
		if (sim_pending == NULL)
			abort();
	}
	w = &sim_pending[sim_pending_count++];
	w->land_at = land_at;
	w->count = count;
	w->pairs = calloc(count + 1, sizeof(char *));
	if (w->pairs == NULL)
		abort();
	for (i = 0; i < count; i++)
		w->pairs[i] = strdup(pairs[i]);
	sim_backend_advance(sim_clock_now());
}

void sim_backend_advance(uint64_t now)
{
	unsigned int i = 0;

	/* in the order they were sent: one connection */
	while (i < sim_pending_count) {
		if (sim_pending[i].land_at > now) {
			i++;
			continue;
		}
		sim_backend_apply(&sim_pending[i]);
		sim_pending_free(&sim_pending[i]);
		memmove(&sim_pending[i], &sim_pending[i + 1],
			(sim_pending_count - i - 1) * sizeof(*sim_pending));
		sim_pending_count--;
	}
}

void sim_backend_drop_pending(void)
{
	unsigned int i;

	for (i = 0; i < sim_pending_count; i++)
		sim_pending_free(&sim_pending[i]);
	free(sim_pending);
	sim_pending = NULL;
	sim_pending_count = sim_pending_size = 0;
}
