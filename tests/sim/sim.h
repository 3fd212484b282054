#ifndef SIM_H
#define SIM_H

/* The write path's simulation: what its files share. Times are virtual
   microseconds since the Unix epoch (sim-clock.c). */

#include <stdint.h>

#define SIM_MSECS(n) ((uint64_t)(n) * 1000)
#define SIM_NEVER UINT64_MAX

/* What the backend does at a moment (sim-backend.c) */
enum sim_state {
	/* answers after a few ms */
	SIM_UP = 0,
	/* connection refused, or its SQL server down: fails at once */
	SIM_DOWN,
	/* accepts, never answers (a stopped server) */
	SIM_SILENT,
	/* a connect never completes (a host that drops packets) */
	SIM_HUNG,
	/* answers after about last_login_timeout */
	SIM_SLOW,
	SIM_STATE_COUNT
};

/* Which real driver the fake one behaves like (sim-driver.c) */
enum sim_driver_kind {
	SIM_DRIVER_REDIS23 = 0,
	SIM_DRIVER_REDIS24,
	SIM_DRIVER_PROXY,
	SIM_DRIVER_FILE,
	SIM_DRIVER_COUNT
};

enum sim_proc_kind {
	SIM_PROC_IMAP = 0,
	SIM_PROC_LMTP,
	SIM_PROC_DOVEADM,
	SIM_PROC_KIND_COUNT
};

#define SIM_EVENTS_MAX 64
#define SIM_PROCS_MAX 8
#define SIM_USERS_MAX 12000

struct sim_backend_event {
	uint64_t at;
	enum sim_state state;
};

/* One simulated process: what the generator decided. */
struct sim_proc {
	enum sim_proc_kind kind;
	/* idle time before the process starts, its life until its end */
	uint64_t gap, life;
	/* imap: logins (service_count); lmtp: deliveries; doveadm: users */
	unsigned int count;
	/* lmtp: recipients per delivery */
	unsigned int rcpts;
	/* 0: one dict for all, 1: a dict per user */
	int per_user_uri;
	unsigned int interval_secs;
	/* enum last_login_precision */
	int precision;
	int fields;
	unsigned int timeout_msecs;
	uint64_t seed;
};

struct sim_schedule {
	uint64_t seed;
	enum sim_driver_kind driver;
	unsigned int slow_msecs;
	unsigned int users;
	unsigned int event_count;
	struct sim_backend_event events[SIM_EVENTS_MAX];
	unsigned int proc_count;
	struct sim_proc procs[SIM_PROCS_MAX];
	/* per user: its time key refused, its field key refused */
	uint8_t refuse_time[SIM_USERS_MAX], refuse_field[SIM_USERS_MAX];
	/* a refusal does not say which key (dict-sql's does): the writer
	   must find it by halving the batch */
	int refusal_unnamed;
	/* per user: whether something is stored under the key at the
	   start, and what */
	uint8_t seeded_set[SIM_USERS_MAX];
	char seeded[SIM_USERS_MAX][24];
};

#define SIM_LOGINS_MAX 40000
#define SIM_TRACE_LINES 48
#define SIM_SLOTS 65536

/* One login, for the stored-value invariant checked at the end. */
struct sim_login {
	uint32_t user, proc;
	uint64_t at;
	unsigned int interval_secs;
};

struct sim_slot {
	char key[40];
	char value[32];
};

/* Shared by the main program and its simulated processes (children):
   the clock at a process's end, the backend, the logins, the first
   violation and the last trace lines. */
struct sim_shared {
	uint64_t now;
	int verbose;
	unsigned int invariant;
	char failure[512];
	/* the first violation of each invariant */
	char also[10][256];
	unsigned int trace_next;
	char trace[SIM_TRACE_LINES][200];
	uint64_t begin[SIM_PROCS_MAX];
	uint64_t end_begin[SIM_PROCS_MAX], end_done[SIM_PROCS_MAX];
	/* the server answers in the order it was asked: when it answers
	   the last request it has */
	uint64_t backend_last_done;
	unsigned int login_count;
	struct sim_login logins[SIM_LOGINS_MAX];
	unsigned int used_count;
	uint32_t used[SIM_SLOTS];
	struct sim_slot slots[SIM_SLOTS];
};
extern struct sim_shared *sim_shared;

/* sim-prng.c: the schedule's own generator */
uint64_t sim_rand(uint64_t *state);
/* a number in [0, n) */
unsigned int sim_rand_n(uint64_t *state, unsigned int n);

/* sim-schedule.c */
void sim_schedule_generate(struct sim_schedule *sched, uint64_t seed);
const char *sim_state_name(enum sim_state state);
const char *sim_driver_name(enum sim_driver_kind kind);
const char *sim_proc_kind_name(enum sim_proc_kind kind);

/* sim-clock.c */
void sim_clock_set(uint64_t now);
uint64_t sim_clock_now(void);
/* A synchronous wait inside a callback: the ioloop is blocked. */
void sim_clock_block(uint64_t usecs);
/* Pass accounting: each wait of the ioloop calls the hook with the
   virtual time that went by outside waits since the last one. */
void sim_clock_set_pass_hook(void (*hook)(uint64_t blocked));
void sim_clock_pass_reset(void);
uint64_t sim_clock_ticks(void);
uint64_t sim_clock_waited_since(uint64_t begin, uint64_t ticks);

/* sim-backend.c: the server all processes of a schedule share */
void sim_backend_reset(const struct sim_schedule *sched);
enum sim_state sim_backend_state_at(uint64_t t);
/* whether the state is SIM_UP over [from, to] */
int sim_backend_up_over(uint64_t from, uint64_t to);
/* The outcome of a connect begun at t, or of a request sent at t on
   an open connection: 1 ok, 0 failed; *done_r when (SIM_NEVER). */
int sim_backend_connect(uint64_t t, uint64_t *done_r);
int sim_backend_request(uint64_t t, uint64_t *done_r);
/* The stored value of key, NULL if none. */
const char *sim_backend_get(const char *key);
/* A write the server applies at land_at (now or later while the
   process lives). */
void sim_backend_write(uint64_t land_at, const char *const *pairs,
		       unsigned int count);
/* Applies what is due by now. */
void sim_backend_advance(uint64_t now);
void sim_backend_drop_pending(void);
/* whether the backend refuses key (dict-sql's unmapped key) */
int sim_backend_refuses(const char *key);
/* the backend's answer when it refuses key */
const char *sim_backend_refusal(const char *key);
/* a stored value as a real time in usecs (its precision from its
   size), or -1 when it is no time */
int sim_value_to_usecs(const char *value, uint64_t *usecs_r,
		       uint64_t *unit_r);

/* the user of a key ("shared/last-login/u12" is 12), or -1 */
int sim_key_user(const char *key);

/* sim-driver.c */
void sim_driver_register(void);
void sim_driver_unregister(void);
/* open a "connection" fd and count dicts, for invariant 5 */
unsigned int sim_driver_live_dicts(void);

/* sim-check.c: violations and the trace */
void sim_violation(unsigned int invariant, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sim_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int sim_failed(void);

/* sim-process.c: runs one simulated process (in a child) */
void sim_process_run(const struct sim_schedule *sched, unsigned int idx);

#endif
