#ifndef LAST_LOGIN_DOVEADM_SERVICES_H
#define LAST_LOGIN_DOVEADM_SERVICES_H

/* Which services a login record can exist for: those whose processes
   load last_login. doveadm sees only its own protocol's settings, so
   the config is asked through doveconf, which sees every protocol's:
   the candidates are the protocols setting plus lda and doveadm, kept
   where `doveconf -f protocol=NAME -h mail_plugins` lists last_login. */

#include "array.h"

/* Fill services (initialised by the caller) from the config at
   config_path. Returns 0, or -1 with error_r set when doveconf can't
   be run or answers nothing. */
int last_login_doveadm_services_get(const char *config_path, pool_t pool,
				    ARRAY_TYPE(const_string) *services,
				    const char **error_r);

#endif
