/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The first violation of a schedule, and its trace: kept in memory
   shared with the main program, which prints them. */

#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct sim_shared *sim_shared;

void sim_violation(unsigned int invariant, const char *fmt, ...)
{
	va_list args;

	char *also = sim_shared->also[invariant % 10];

	if (also[0] == '\0') {
		sim_trace("VIOLATION of invariant %u", invariant);
		va_start(args, fmt);
		vsnprintf(also, sizeof(sim_shared->also[0]), fmt, args);
		va_end(args);
	}
	if (sim_shared->invariant != 0)
		return;
	sim_shared->invariant = invariant;
	va_start(args, fmt);
	vsnprintf(sim_shared->failure, sizeof(sim_shared->failure), fmt,
		  args);
	va_end(args);
}

int sim_failed(void)
{
	return sim_shared->invariant != 0;
}

void sim_trace(const char *fmt, ...)
{
	char *line;
	va_list args;
	uint64_t now = sim_clock_now();
	int usecs;
	int n;

	line = sim_shared->trace[sim_shared->trace_next++ % SIM_TRACE_LINES];
	usecs = getenv("SIM_USECS") != NULL;
	n = snprintf(line, sizeof(sim_shared->trace[0]),
		     usecs ? "%llu.%06llu " : "%llu.%03llu ",
		     (unsigned long long)(now / 1000000 % 100000),
		     (unsigned long long)(usecs ? now % 1000000 :
					  now / 1000 % 1000));
	va_start(args, fmt);
	vsnprintf(line + n, sizeof(sim_shared->trace[0]) - n, fmt, args);
	va_end(args);
	if (sim_shared->verbose)
		fprintf(stderr, "  %s\n", line);
}
