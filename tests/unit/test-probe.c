/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The probe against real sockets on loopback: a listener, a closed
   port, a listener whose accept queue is full (connect() hangs), a
   missing unix socket. */

#include "lib.h"
#include "ioloop.h"
#include "net.h"
#include "last-login-probe.h"
#include "test-common.h"

#include <sys/select.h>

struct test_probe_result {
	bool called;
	char *error;
};

static void test_probe_callback(const char *error, void *context)
{
	struct test_probe_result *result = context;

	assert_false(result->called);
	result->called = TRUE;
	result->error = i_strdup(error);
	io_loop_stop(current_ioloop);
}

/* Probe target and run the ioloop until the probe answers; returns its
   error (NULL: connected), allocated from the data stack. */
static const char *
test_probe(const struct last_login_dict_target *target,
	   unsigned int timeout_msecs)
{
	struct ioloop *ioloop = io_loop_create();
	struct test_probe_result result;
	struct last_login_probe *probe;
	const char *error;

	i_zero(&result);
	probe = last_login_probe_start(target, timeout_msecs,
				       test_probe_callback, &result);
	/* never from inside last_login_probe_start() */
	assert_false(result.called);
	io_loop_run(ioloop);
	assert_true(result.called);
	/* the probe freed itself before calling back */
	(void)probe;
	io_loop_destroy(&ioloop);
	error = t_strdup(result.error);
	i_free(result.error);
	return error;
}

/* A TCP listener on 127.0.0.1 with the given backlog; its port. */
static int test_listen(int backlog, in_port_t *port_r)
{
	struct ip_addr ip;
	int fd;

	assert_int_equal(net_addr2ip("127.0.0.1", &ip), 0);
	*port_r = 0;
	fd = net_listen(&ip, port_r, backlog);
	assert_true(fd >= 0);
	return fd;
}

static struct last_login_dict_target test_tcp(in_port_t port)
{
	struct last_login_dict_target target;

	i_zero(&target);
	target.kind = LAST_LOGIN_DICT_KIND_REDIS;
	target.host = "127.0.0.1";
	target.port = port;
	return target;
}

static void test_probe_listener_accepts(void **state)
{
	in_port_t port;
	int fd = test_listen(16, &port);
	struct last_login_dict_target target = test_tcp(port);

	(void)state;
	assert_null(test_probe(&target, 5000));
	i_close_fd(&fd);
}

static void test_probe_closed_port_is_refused(void **state)
{
	/* port 1 (tcpmux) has no listener on loopback */
	struct last_login_dict_target target = test_tcp(1);

	(void)state;
	assert_string_equal(test_probe(&target, 5000),
		"connect(127.0.0.1:1) failed: Connection refused");
}

/* With its accept queue full, a listener's kernel drops new SYNs: the
   connect stays in progress until the probe's timeout. */
static void test_probe_hanging_connect_times_out(void **state)
{
	struct last_login_dict_target target;
	int fillers[64], fd, filler_count = 0;
	struct ioloop *ioloop = io_loop_create();
	in_port_t port;
	bool full = FALSE;

	(void)state;
	fd = test_listen(0, &port);
	target = test_tcp(port);
	while (!full && filler_count < (int)N_ELEMENTS(fillers)) {
		struct ip_addr ip;
		fd_set wfds;
		struct timeval tv = { 0, 200 * 1000 };
		int c;

		assert_int_equal(net_addr2ip("127.0.0.1", &ip), 0);
		c = net_connect_ip(&ip, port, NULL);
		assert_true(c >= 0);
		fillers[filler_count++] = c;
		FD_ZERO(&wfds);
		FD_SET(c, &wfds);
		full = select(c + 1, NULL, &wfds, NULL, &tv) == 0;
	}
	assert_true(full);
	io_loop_destroy(&ioloop);

	assert_string_equal(test_probe(&target, 100),
		t_strdup_printf("connect(127.0.0.1:%u) timed out "
				"after 100 ms", port));
	while (filler_count > 0)
		i_close_fd(&fillers[--filler_count]);
	i_close_fd(&fd);
}

static void test_probe_missing_socket(void **state)
{
	struct last_login_dict_target target;

	(void)state;
	i_zero(&target);
	target.kind = LAST_LOGIN_DICT_KIND_REDIS;
	target.socket_path = "/nonexistent/last-login-test.sock";
	assert_string_equal(test_probe(&target, 5000),
		"connect(/nonexistent/last-login-test.sock) failed: "
		"No such file or directory");
}

static void test_probe_without_address_succeeds(void **state)
{
	struct last_login_dict_target target;

	(void)state;
	/* the driver reports a bad address itself */
	i_zero(&target);
	target.kind = LAST_LOGIN_DICT_KIND_REDIS;
	assert_null(test_probe(&target, 5000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_listener_accepts),
		cmocka_unit_test(test_probe_closed_port_is_refused),
		cmocka_unit_test(test_probe_hanging_connect_times_out),
		cmocka_unit_test(test_probe_missing_socket),
		cmocka_unit_test(test_probe_without_address_succeeds),
	};
	return LAST_LOGIN_RUN_TESTS(tests);
}
