#ifndef LAST_LOGIN_RETRY_H
#define LAST_LOGIN_RETRY_H

/* Which failed writes are worth retrying: those where the backend could
   not be reached, which may be back a moment later. A write the backend
   refused (a key without a dict-sql map, a missing table, a file that
   can't be written) would fail the same way again, each time with an
   error in the dict server's log: it ends at once, as with the stock
   plugin. */

#include "last-login-glue.h"

/* The retry backoff: from 1 s, doubling, to at most a minute. */
#define LAST_LOGIN_RETRY_FIRST_MSECS 1000
#define LAST_LOGIN_RETRY_MAX_MSECS (60 * 1000)

/* Whether a failed write through a dict of this kind may succeed later.
   uncertain: the dict reported DICT_COMMIT_RET_WRITE_UNCERTAIN (the
   connection to the dict server broke or timed out). */
bool last_login_retry_is_transient(enum last_login_dict_kind kind,
				   bool uncertain, const char *error);

/* The delay before the next retry, after one of prev_msecs (0 for the
   first retry). */
unsigned int last_login_retry_next_msecs(unsigned int prev_msecs);

#endif
