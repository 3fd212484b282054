/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* splitmix64: the same numbers for a seed on every libc and host. */

#include "sim.h"

uint64_t sim_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

unsigned int sim_rand_n(uint64_t *state, unsigned int n)
{
	return n == 0 ? 0 : (unsigned int)(sim_rand(state) % n);
}
