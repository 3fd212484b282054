#ifndef LAST_LOGIN_PROBE_H
#define LAST_LOGIN_PROBE_H

/* A connect() to a dict's server that never blocks: the writer probes
   a backend it does not know to be up before it lets the dict driver
   connect, because the redis driver waits for its connect, and the
   proxy's retries a full socket for a second, with the ioloop blocked
   (doc/write-path.md). The probe connection carries nothing and is
   closed at once. */

#include "last-login-glue.h"

struct last_login_probe;

/* error is NULL when the server accepted the connection. */
typedef void last_login_probe_callback_t(const char *error, void *context);

/* Start probing target in the current ioloop; the callback is called
   once, never from inside this function, unless the probe is freed
   first. A target without an address succeeds at once. */
struct last_login_probe *
last_login_probe_start(const struct last_login_dict_target *target,
		       unsigned int timeout_msecs,
		       last_login_probe_callback_t *callback, void *context);
void last_login_probe_free(struct last_login_probe **probe);
/* The error the probe reports when its timeout ends it: for a probe
   that is given up before that. */
const char *last_login_probe_timeout_error(struct last_login_probe *probe);

#endif
