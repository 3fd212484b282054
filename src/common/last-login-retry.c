/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "last-login-retry.h"

/* What the dict server answers when its SQL backend is unreachable:
   lib-sql's own text for a database it is not connected to (every
   driver, 2.3 and 2.4), and what MySQL/MariaDB and PostgreSQL say when
   the connection breaks during a query (MariaDB 10.5 when the server
   shuts down: "Connection was killed"). */
static const char *const last_login_sql_unreachable[] = {
	"Not connected to database",
	"server has gone away",
	"Lost connection to",
	"Connection was killed",
	"server closed the connection",
	"no connection to the server",
	NULL
};

bool last_login_retry_is_transient(enum last_login_dict_kind kind,
				   bool uncertain, const char *error)
{
	const char *const *text;

	if (uncertain)
		return TRUE;
	switch (kind) {
	case LAST_LOGIN_DICT_KIND_LOCAL:
		/* file: the same file fails again */
		return FALSE;
	case LAST_LOGIN_DICT_KIND_REDIS:
		/* redis fails a write only for its connection: refused,
		   closed, or no reply in time */
		return TRUE;
	case LAST_LOGIN_DICT_KIND_PROXY:
		break;
	}
	/* The dict server answered: retry only if its backend is down. */
	for (text = last_login_sql_unreachable; *text != NULL; text++) {
		if (strstr(error, *text) != NULL)
			return TRUE;
	}
	return FALSE;
}

unsigned int last_login_retry_next_msecs(unsigned int prev_msecs)
{
	if (prev_msecs == 0)
		return LAST_LOGIN_RETRY_FIRST_MSECS;
	return I_MIN(prev_msecs * 2, LAST_LOGIN_RETRY_MAX_MSECS);
}
