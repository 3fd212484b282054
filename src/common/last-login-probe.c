/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "ioloop.h"
#include "net.h"
#include "last-login-probe.h"

#include <unistd.h>

struct last_login_probe {
	/* host:port or the socket path, for the error */
	char *name;
	unsigned int timeout_msecs;
	int fd;
	struct io *io;
	struct timeout *to;
	/* set when the result is known before any io happened */
	char *result_error;

	last_login_probe_callback_t *callback;
	void *context;
};

static void last_login_probe_finish(struct last_login_probe *probe,
				    const char *error)
{
	last_login_probe_callback_t *callback = probe->callback;
	void *context = probe->context;

	last_login_probe_free(&probe);
	callback(error, context);
}

static void last_login_probe_connected(struct last_login_probe *probe)
{
	int err = net_geterror(probe->fd);

	if (err == 0)
		last_login_probe_finish(probe, NULL);
	else {
		last_login_probe_finish(probe, t_strdup_printf(
			"connect(%s) failed: %s", probe->name,
			err < 0 ? "getsockopt() failed" : strerror(err)));
	}
}

const char *last_login_probe_timeout_error(struct last_login_probe *probe)
{
	return t_strdup_printf("connect(%s) timed out after %u ms",
			       probe->name, probe->timeout_msecs);
}

static void last_login_probe_timeout(struct last_login_probe *probe)
{
	last_login_probe_finish(probe, last_login_probe_timeout_error(probe));
}

/* Reports a result known at start, from the ioloop like any other. */
static void last_login_probe_known(struct last_login_probe *probe)
{
	const char *error = t_strdup(probe->result_error);

	last_login_probe_finish(probe, error);
}

static int last_login_probe_connect(struct last_login_probe *probe,
				    const struct last_login_dict_target *t)
{
	struct ip_addr ip;

	if (t->socket_path != NULL) {
		probe->name = i_strdup(t->socket_path);
		/* A unix socket connects or fails at once, EAGAIN when
		   its listen queue is full. */
		return net_connect_unix(t->socket_path);
	}
	probe->name = i_strdup_printf("%s:%u", t->host, t->port);
	if (net_addr2ip(t->host, &ip) < 0) {
		errno = EINVAL;
		return -1;
	}
	return net_connect_ip(&ip, t->port, NULL);
}

struct last_login_probe *
last_login_probe_start(const struct last_login_dict_target *target,
		       unsigned int timeout_msecs,
		       last_login_probe_callback_t *callback, void *context)
{
	struct last_login_probe *probe;

	probe = i_new(struct last_login_probe, 1);
	probe->timeout_msecs = timeout_msecs;
	probe->callback = callback;
	probe->context = context;
	probe->fd = -1;

	if (target->socket_path == NULL && target->host == NULL) {
		probe->to = timeout_add_short(0, last_login_probe_known,
					      probe);
		return probe;
	}
	probe->fd = last_login_probe_connect(probe, target);
	if (probe->fd == -1) {
		probe->result_error = i_strdup_printf(
			"connect(%s) failed: %m", probe->name);
		probe->to = timeout_add_short(0, last_login_probe_known,
					      probe);
		return probe;
	}
	/* TCP is in progress even on loopback; writable means done. */
	probe->io = io_add(probe->fd, IO_WRITE,
			   last_login_probe_connected, probe);
	probe->to = timeout_add(timeout_msecs, last_login_probe_timeout,
				probe);
	return probe;
}

void last_login_probe_free(struct last_login_probe **_probe)
{
	struct last_login_probe *probe = *_probe;

	if (probe == NULL)
		return;
	*_probe = NULL;
	io_remove(&probe->io);
	timeout_remove(&probe->to);
	i_close_fd(&probe->fd);
	i_free(probe->result_error);
	i_free(probe->name);
	i_free(probe);
}
