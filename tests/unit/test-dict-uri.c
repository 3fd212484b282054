/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* Dovecot 2.3's dict URIs, read for the probe as the drivers read
   them. */

#include "lib.h"
#include "last-login-dict-target.h"
#include "test-common.h"

static struct last_login_dict_target test_target(const char *uri)
{
	struct last_login_dict_target target;

	last_login_dict_uri_target(uri, "/run/dovecot", &target);
	return target;
}

static void test_dict_uri_redis_tcp(void **state)
{
	struct last_login_dict_target t;

	(void)state;
	t = test_target("redis:host=127.0.0.2:port=16379:password=x");
	assert_int_equal(t.kind, LAST_LOGIN_DICT_KIND_REDIS);
	assert_string_equal(t.host, "127.0.0.2");
	assert_int_equal(t.port, 16379);
	assert_null(t.socket_path);
	/* the driver's defaults */
	t = test_target("redis:");
	assert_string_equal(t.host, "127.0.0.1");
	assert_int_equal(t.port, 6379);
}

/* 2.3's memcached drivers block like redis, on port 11211. */
static void test_dict_uri_memcached(void **state)
{
	struct last_login_dict_target t;

	(void)state;
	t = test_target("memcached_ascii:host=127.0.0.3:prefix=ll/");
	assert_int_equal(t.kind, LAST_LOGIN_DICT_KIND_REDIS);
	assert_string_equal(t.host, "127.0.0.3");
	assert_int_equal(t.port, 11211);
	t = test_target("memcached:port=11222");
	assert_int_equal(t.kind, LAST_LOGIN_DICT_KIND_REDIS);
	assert_string_equal(t.host, "127.0.0.1");
	assert_int_equal(t.port, 11222);
	assert_string_equal(last_login_dict_uri_redis_timeout(
		"memcached_ascii:", 500), "memcached_ascii:timeout_msecs=500");
}

static void test_dict_uri_redis_unix(void **state)
{
	struct last_login_dict_target t;

	(void)state;
	t = test_target("redis:path=/run/redis.sock:db=2");
	assert_int_equal(t.kind, LAST_LOGIN_DICT_KIND_REDIS);
	assert_string_equal(t.socket_path, "/run/redis.sock");
	assert_null(t.host);
}

static void test_dict_uri_redis_invalid_has_no_target(void **state)
{
	struct last_login_dict_target t;

	(void)state;
	/* the driver reports these itself at dict_init() */
	t = test_target("redis:host=mail.example.com");
	assert_int_equal(t.kind, LAST_LOGIN_DICT_KIND_REDIS);
	assert_null(t.host);
	t = test_target("redis:port=70000");
	assert_null(t.host);
	/* ':' separates arguments: 2.3 redis takes no IPv6 address */
	t = test_target("redis:host=::1:port=1");
	assert_null(t.host);
}

static void test_dict_uri_proxy(void **state)
{
	struct last_login_dict_target t;

	(void)state;
	t = test_target("proxy::sql");
	assert_int_equal(t.kind, LAST_LOGIN_DICT_KIND_PROXY);
	assert_string_equal(t.socket_path, "/run/dovecot/dict");
	t = test_target("proxy:dict-async:cassandra");
	assert_string_equal(t.socket_path, "/run/dovecot/dict-async");
	t = test_target("proxy:/var/run/d.sock:sql");
	assert_string_equal(t.socket_path, "/var/run/d.sock");
	t = test_target("proxy:idle_msecs=100:warn_slow_msecs=5:x:sql");
	assert_string_equal(t.socket_path, "/run/dovecot/x");
	t = test_target("proxy:nodictname");
	assert_int_equal(t.kind, LAST_LOGIN_DICT_KIND_PROXY);
	assert_null(t.socket_path);
}

static void test_dict_uri_local(void **state)
{
	struct last_login_dict_target t;

	(void)state;
	t = test_target("file:/var/lib/dovecot/last-login");
	assert_int_equal(t.kind, LAST_LOGIN_DICT_KIND_LOCAL);
	assert_null(t.socket_path);
	assert_null(t.host);
}

static void test_dict_uri_redis_timeout_is_appended(void **state)
{
	(void)state;
	assert_string_equal(
		last_login_dict_uri_redis_timeout("redis:host=127.0.0.1", 500),
		"redis:host=127.0.0.1:timeout_msecs=500");
	assert_string_equal(last_login_dict_uri_redis_timeout("redis:", 1000),
			    "redis:timeout_msecs=1000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dict_uri_redis_tcp),
		cmocka_unit_test(test_dict_uri_redis_unix),
		cmocka_unit_test(test_dict_uri_memcached),
		cmocka_unit_test(test_dict_uri_redis_invalid_has_no_target),
		cmocka_unit_test(test_dict_uri_proxy),
		cmocka_unit_test(test_dict_uri_local),
		cmocka_unit_test(test_dict_uri_redis_timeout_is_appended),
	};
	return LAST_LOGIN_RUN_TESTS(tests);
}
