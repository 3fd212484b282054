/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* Which dict a user's settings name on Dovecot 2.3, and where its
   server listens: read from the dict URI the way Dovecot's own drivers
   read it, so that the writer can probe the server before the driver
   connects, and can tell which users share one dict. */

#include "lib.h"
#include "net.h"
#include "mail-user.h"
#include "mail-storage-settings.h"
#include "last-login-dict-target.h"

/* Dovecot's defaults: redis_dict_init(), memcached_dict_init() and
   client_dict_init() */
#define LAST_LOGIN_REDIS_DEFAULT_HOST "127.0.0.1"
#define LAST_LOGIN_REDIS_DEFAULT_PORT 6379
#define LAST_LOGIN_MEMCACHED_DEFAULT_PORT 11211
#define LAST_LOGIN_DICT_SERVER_SOCKET "dict"

/* The value of the NAME=VALUE argument at arg, which ends at end (NULL:
   at the end of the string). */
static const char *last_login_dict_uri_arg(const char *arg, const char *end)
{
	arg = strchr(arg, '=') + 1;
	return end == NULL ? arg : t_strdup_until(arg, end);
}

/* redis:[host=IP:][port=PORT:][path=SOCKET:]..., and the same for
   memcached and memcached_ascii (2.3), which have no path=. */
static void
last_login_dict_uri_redis(const char *args, in_port_t port,
			  struct last_login_dict_target *target_r)
{
	const char *arg, *end, *host = LAST_LOGIN_REDIS_DEFAULT_HOST;
	struct ip_addr ip;

	target_r->kind = LAST_LOGIN_DICT_KIND_REDIS;
	/* ':'-separated; only the three arguments read here are copied */
	for (arg = args; arg != NULL; arg = end == NULL ? NULL : end + 1) {
		end = strchr(arg, ':');
		if (str_begins(arg, "path=")) {
			target_r->socket_path =
				last_login_dict_uri_arg(arg, end);
		} else if (str_begins(arg, "host="))
			host = last_login_dict_uri_arg(arg, end);
		else if (str_begins(arg, "port=")) {
			if (net_str2port(last_login_dict_uri_arg(arg, end),
					 &port) < 0)
				return;
		}
	}
	if (target_r->socket_path != NULL)
		return;
	if (net_addr2ip(host, &ip) < 0)
		return;
	target_r->host = host;
	target_r->port = port;
}

/* proxy:[idle_msecs=N:][warn_slow_msecs=N:][SOCKET]:NAME */
static void
last_login_dict_uri_proxy(const char *args, const char *base_dir,
			  struct last_login_dict_target *target_r)
{
	const char *p;

	target_r->kind = LAST_LOGIN_DICT_KIND_PROXY;
	while (str_begins(args, "idle_msecs=") ||
	       str_begins(args, "warn_slow_msecs=")) {
		if ((p = strchr(args, ':')) == NULL)
			return;
		args = p + 1;
	}
	if ((p = strchr(args, ':')) == NULL)
		return;
	if (p == args) {
		target_r->socket_path = t_strconcat(base_dir, "/",
			LAST_LOGIN_DICT_SERVER_SOCKET, NULL);
	} else if (args[0] == '/') {
		target_r->socket_path = t_strdup_until(args, p);
	} else {
		target_r->socket_path = t_strconcat(base_dir, "/",
			t_strdup_until(args, p), NULL);
	}
}

void last_login_dict_uri_target(const char *uri, const char *base_dir,
				struct last_login_dict_target *target_r)
{
	i_zero(target_r);
	if (str_begins(uri, "redis:")) {
		last_login_dict_uri_redis(uri + 6,
			LAST_LOGIN_REDIS_DEFAULT_PORT, target_r);
	} else if (str_begins(uri, "memcached:")) {
		last_login_dict_uri_redis(uri + 10,
			LAST_LOGIN_MEMCACHED_DEFAULT_PORT, target_r);
	} else if (str_begins(uri, "memcached_ascii:")) {
		last_login_dict_uri_redis(uri + 16,
			LAST_LOGIN_MEMCACHED_DEFAULT_PORT, target_r);
	}
	else if (str_begins(uri, "proxy:"))
		last_login_dict_uri_proxy(uri + 6, base_dir, target_r);
}

const char *last_login_dict_uri_redis_timeout(const char *uri,
					      unsigned int timeout_msecs)
{
	/* "redis:" alone has no argument to follow */
	return t_strconcat(uri, uri[strlen(uri) - 1] == ':' ? "" : ":",
			   "timeout_msecs=", dec2str(timeout_msecs), NULL);
}

int last_login_glue_dict_target(struct mail_user *user,
				const struct last_login_settings *set,
				pool_t pool,
				struct last_login_dict_target *target_r,
				const char **error_r ATTR_UNUSED)
{
	const char *base_dir = user->set->base_dir;

	last_login_dict_uri_target(set->dict_uri, base_dir, target_r);
	/* The dict server's socket, and a relative proxy path, depend on
	   base_dir; everything else is in the URI. */
	target_r->id = p_strdup(pool, t_strconcat(base_dir, "\n",
						  set->dict_uri, NULL));
	target_r->socket_path = p_strdup(pool, target_r->socket_path);
	target_r->host = p_strdup(pool, target_r->host);
	return 0;
}
