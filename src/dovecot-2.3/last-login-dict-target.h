#ifndef LAST_LOGIN_DICT_TARGET_H
#define LAST_LOGIN_DICT_TARGET_H

/* What a Dovecot 2.3 dict URI (last_login_dict) says about where its
   server listens, read the way Dovecot's own drivers read it, so that
   the plugin can probe the server before the driver connects. */

#include "last-login-glue.h"

/* Fill target_r (strings from the data stack) from uri; base_dir is
   where a proxy's relative socket path lives. The id is left unset. A
   URI whose address the driver would reject itself gets no probe
   target: dict_init() reports it. */
void last_login_dict_uri_target(const char *uri, const char *base_dir,
				struct last_login_dict_target *target_r);

/* The redis URI with its request timeout set to timeout_msecs: the
   driver reads its arguments in order, so an appended one wins. */
const char *last_login_dict_uri_redis_timeout(const char *uri,
					      unsigned int timeout_msecs);

#endif
