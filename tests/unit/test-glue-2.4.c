/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The 2.4 glue in-process: Dovecot's storage service creates real mail
   users whose settings come from userdb fields, as userdb overrides
   them; the glue (linked in) reads them. Without a config file, every
   registered settings struct is known, so the fallback for a missing
   settings module is checked by tests/versions (the 2.4 chroots), not
   here. */

#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "net.h"
#include "time-util.h"
#include "unlink-directory.h"
#include "dict.h"
#include "master-service.h"
#include "mail-storage-service.h"
#include "mail-user.h"
#include "mail-storage-settings.h"
#include "last-login-glue.h"
#include "test-common.h"
#include "test-settings.h"

#include <unistd.h>

#define TEST_GLUE_SERVICE "test-glue"

struct test_glue_state {
	struct ioloop *ioloop;
	struct mail_storage_service_ctx *storage_service;
	struct mail_user *users[3];
	unsigned int user_count;
	pool_t pool;
	/* the users' homes */
	char *dir;
};

static int test_glue_setup(void **state)
{
	struct test_glue_state *s = i_new(struct test_glue_state, 1);
	char dir[] = "/tmp/test-glue-2.4.XXXXXX";

	if (mkdtemp(dir) == NULL)
		i_fatal("mkdtemp() failed: %m");
	s->dir = i_strdup(dir);
	s->ioloop = io_loop_create();
	last_login_test_register_settings();
	s->storage_service = mail_storage_service_init(master_service,
		MAIL_STORAGE_SERVICE_FLAG_NO_RESTRICT_ACCESS |
		MAIL_STORAGE_SERVICE_FLAG_NO_CHDIR |
		MAIL_STORAGE_SERVICE_FLAG_NO_LOG_INIT |
		MAIL_STORAGE_SERVICE_FLAG_NO_PLUGINS);
	s->pool = pool_alloconly_create("test glue", 1024);
	*state = s;
	return 0;
}

static int test_glue_teardown(void **state)
{
	struct test_glue_state *s = *state;
	const char *error;
	unsigned int i;

	for (i = 0; i < s->user_count; i++) {
		if (s->users[i] != NULL)
			mail_user_deinit(&s->users[i]);
	}
	mail_storage_service_deinit(&s->storage_service);
	pool_unref(&s->pool);
	io_loop_destroy(&s->ioloop);
	if (unlink_directory(s->dir, UNLINK_DIRECTORY_FLAG_RMDIR,
			     &error) < 0)
		i_fatal("unlink_directory(%s) failed: %s", s->dir, error);
	i_free(s->dir);
	i_free(s);
	return 0;
}

/* A user whose userdb fields are the NULL-terminated "key=value" list;
   a dict is a named filter inside last_login { }, as userdb writes it:
   last_login/dict=NAME, last_login/dict/NAME/dict_driver=DRIVER. */
static struct mail_user *
test_glue_user(struct test_glue_state *s, const char *username,
	       const char *const *fields)
{
	struct mail_storage_service_input input;
	ARRAY_TYPE(const_string) all;
	struct mail_user *user;
	const char *error, *field, *home;

	i_assert(s->user_count < N_ELEMENTS(s->users));
	home = t_strconcat(s->dir, "/", username, NULL);
	t_array_init(&all, 8);
	field = t_strconcat("home=", home, NULL);
	array_push_back(&all, &field);
	field = "mail_driver=sdbox";
	array_push_back(&all, &field);
	field = t_strconcat("mail_path=", home, "/mail", NULL);
	array_push_back(&all, &field);
	for (; *fields != NULL; fields++)
		array_push_back(&all, fields);
	array_append_zero(&all);

	i_zero(&input);
	input.username = username;
	input.userdb_fields = array_front(&all);
	input.no_userdb_lookup = TRUE;
	if (mail_storage_service_lookup_next(s->storage_service, &input,
					     &user, &error) < 0)
		i_fatal("mail_storage_service_lookup_next(): %s", error);
	s->users[s->user_count++] = user;
	return user;
}

#define TEST_REDIS(port) \
	"last_login/dict=redis", \
	"last_login/dict/redis/dict_driver=redis", \
	"last_login/dict/redis/redis_port=" port

static void
test_glue_settings(struct mail_user *user, struct last_login_settings *set_r)
{
	const char *error;

	assert_int_equal(last_login_glue_settings_get(user, set_r, &error), 1);
}

static void
test_glue_target(struct test_glue_state *s, struct mail_user *user,
		 struct last_login_dict_target *target_r)
{
	struct last_login_settings set;
	const char *error;

	test_glue_settings(user, &set);
	assert_int_equal(last_login_glue_dict_target(user, &set, s->pool,
						     target_r, &error), 0);
}

static void test_timeout_default(void **state)
{
	const char *const fields[] = { TEST_REDIS("1"), NULL };
	struct mail_user *user = test_glue_user(*state, "alice", fields);
	struct last_login_settings set;

	test_glue_settings(user, &set);
	assert_int_equal(set.timeout_msecs, LAST_LOGIN_DEFAULT_TIMEOUT_MSECS);
	assert_string_equal(set.key, "last-login/alice");
	assert_string_equal(set.precision, "s");
	assert_null(set.dict_uri);
}

static void test_timeout_from_userdb(void **state)
{
	const char *const fields[] = {
		TEST_REDIS("1"), "last_login_timeout=250ms", NULL
	};
	struct mail_user *user = test_glue_user(*state, "alice", fields);
	struct last_login_settings set;

	test_glue_settings(user, &set);
	assert_int_equal(set.timeout_msecs, 250);
}

static void test_timeout_invalid(void **state)
{
	const char *const bogus[] = {
		TEST_REDIS("1"), "last_login_timeout=soon", NULL
	};
	const char *const zero[] = {
		TEST_REDIS("1"), "last_login_timeout=0", NULL
	};
	struct last_login_settings set;
	struct mail_user *user;
	const char *error;

	user = test_glue_user(*state, "alice", bogus);
	assert_int_equal(last_login_glue_settings_get(user, &set, &error), -1);
	assert_non_null(strstr(error, "Invalid last_login_timeout=soon"));
	/* named as the stock plugin's errors are */
	assert_true(str_begins_with(error, "last_login settings: "));
	user = test_glue_user(*state, "bob", zero);
	assert_int_equal(last_login_glue_settings_get(user, &set, &error), -1);
	assert_non_null(strstr(error,
			       "last_login_timeout must be greater than 0"));
}

static void test_no_dict(void **state)
{
	const char *const fields[] = { "last_login_timeout=2s", NULL };
	struct mail_user *user = test_glue_user(*state, "alice", fields);
	struct last_login_settings set;
	const char *error;

	assert_int_equal(last_login_glue_settings_get(user, &set, &error), 0);
}

static void test_target_redis_shared(void **state)
{
	const char *const fields[] = { TEST_REDIS("6380"), NULL };
	struct last_login_dict_target alice, bob;

	test_glue_target(*state, test_glue_user(*state, "alice", fields),
			 &alice);
	test_glue_target(*state, test_glue_user(*state, "bob", fields), &bob);
	assert_int_equal(alice.kind, LAST_LOGIN_DICT_KIND_REDIS);
	assert_string_equal(alice.host, "127.0.0.1");
	assert_int_equal(alice.port, 6380);
	assert_null(alice.socket_path);
	/* the same settings: one dict for both */
	assert_string_equal(alice.id, bob.id);
}

static void test_target_redis_differs(void **state)
{
	const char *const fields1[] = { TEST_REDIS("6380"), NULL };
	const char *const fields2[] = { TEST_REDIS("6381"), NULL };
	const char *const fields3[] = {
		TEST_REDIS("6380"), "last_login_timeout=2s", NULL
	};
	struct last_login_dict_target a, b, c;

	test_glue_target(*state, test_glue_user(*state, "alice", fields1), &a);
	test_glue_target(*state, test_glue_user(*state, "bob", fields2), &b);
	assert_int_equal(b.port, 6381);
	assert_string_not_equal(a.id, b.id);
	/* the timeout is forced into the redis dict: part of its id */
	test_glue_target(*state, test_glue_user(*state, "carol", fields3),
			 &c);
	assert_string_not_equal(a.id, c.id);
}

static void test_target_redis_socket(void **state)
{
	const char *const fields[] = {
		TEST_REDIS("6380"),
		"last_login/dict/redis/redis_socket_path=/run/redis.sock", NULL
	};
	struct last_login_dict_target t;

	test_glue_target(*state, test_glue_user(*state, "alice", fields), &t);
	assert_string_equal(t.socket_path, "/run/redis.sock");
	assert_null(t.host);
}

static void test_target_proxy(void **state)
{
	const char *const fields[] = {
		"last_login/dict=proxy",
		"last_login/dict/proxy/dict_driver=proxy",
		"last_login/dict/proxy/dict_proxy_name=lastlogin", NULL
	};
	const char *const abs_fields[] = {
		"last_login/dict=proxy",
		"last_login/dict/proxy/dict_driver=proxy",
		"last_login/dict/proxy/dict_proxy_name=lastlogin",
		"last_login/dict/proxy/dict_proxy_socket_path=/run/d", NULL
	};
	struct mail_user *user = test_glue_user(*state, "alice", fields);
	struct last_login_dict_target t, abs;

	test_glue_target(*state, user, &t);
	assert_int_equal(t.kind, LAST_LOGIN_DICT_KIND_PROXY);
	/* relative to base_dir, as dict-client takes it */
	assert_string_equal(t.socket_path,
			    t_strconcat(user->set->base_dir, "/dict", NULL));
	assert_null(t.host);
	test_glue_target(*state, test_glue_user(*state, "bob", abs_fields),
			 &abs);
	assert_string_equal(abs.socket_path, "/run/d");
	assert_string_not_equal(t.id, abs.id);
}

static void test_target_file_per_path(void **state)
{
	const char *const fields1[] = {
		"last_login/dict=file",
		"last_login/dict/file/dict_driver=file",
		"last_login/dict/file/dict_file_path=/tmp/a.dict", NULL
	};
	const char *const fields2[] = {
		"last_login/dict=file",
		"last_login/dict/file/dict_driver=file",
		"last_login/dict/file/dict_file_path=/tmp/b.dict", NULL
	};
	struct last_login_dict_target a, b;

	test_glue_target(*state, test_glue_user(*state, "alice", fields1), &a);
	test_glue_target(*state, test_glue_user(*state, "bob", fields2), &b);
	assert_int_equal(a.kind, LAST_LOGIN_DICT_KIND_LOCAL);
	assert_null(a.socket_path);
	assert_null(a.host);
	assert_string_not_equal(a.id, b.id);
}

/* A driver whose settings the glue can't read is never shared. */
static void test_target_unknown_driver(void **state)
{
	const char *const fields[] = {
		"last_login/dict=nosuch",
		"last_login/dict/nosuch/dict_driver=nosuch", NULL
	};
	struct last_login_dict_target a, b;

	test_glue_target(*state, test_glue_user(*state, "alice", fields), &a);
	test_glue_target(*state, test_glue_user(*state, "bob", fields), &b);
	assert_int_equal(a.kind, LAST_LOGIN_DICT_KIND_LOCAL);
	assert_string_not_equal(a.id, b.id);
}

struct test_glue_commit {
	int ret;
	bool done;
};

static void
test_glue_commit_callback(const struct dict_commit_result *result,
			  struct test_glue_commit *commit)
{
	commit->ret = result->ret;
	commit->done = TRUE;
}

/* A redis server that accepts (the kernel completes the handshake) and
   never answers: the commit must fail after last_login_timeout, not the
   driver's 30 s, and the dict must work on after its user is gone. */
static void test_dict_init_redis_timeout(void **state)
{
	struct test_glue_state *s = *state;
	struct ip_addr ip;
	in_port_t port = 0;
	struct last_login_settings set;
	struct test_glue_commit commit = { .done = FALSE };
	struct dict_transaction_context *trans;
	struct event *event;
	struct dict *dict;
	struct timeval start, end;
	const char *error;
	long long msecs;
	int fd;

	assert_int_equal(net_addr2ip("127.0.0.1", &ip), 0);
	fd = net_listen(&ip, &port, 1);
	assert_true(fd >= 0);
	const char *const fields[] = {
		"last_login/dict=redis",
		"last_login/dict/redis/dict_driver=redis",
		t_strdup_printf("last_login/dict/redis/redis_port=%u", port),
		"last_login_timeout=200ms", NULL
	};
	struct mail_user *user = test_glue_user(s, "alice", fields);

	test_glue_settings(user, &set);
	event = event_create(NULL);
	assert_int_equal(last_login_glue_dict_init(user, &set, event, &dict,
						   &error), 0);
	mail_user_deinit(&s->users[0]);

	i_gettimeofday(&start);
	trans = last_login_glue_transaction_begin(dict);
	dict_set(trans, "shared/test-glue", "1");
	dict_transaction_commit_async(&trans, test_glue_commit_callback,
				      &commit);
	dict_wait(dict);
	i_gettimeofday(&end);
	msecs = timeval_diff_msecs(&end, &start);

	assert_true(commit.done);
	assert_int_equal(commit.ret, DICT_COMMIT_RET_FAILED);
	/* the request timeout is half of last_login_timeout (100 ms), not
	   the driver's 30 s */
	assert_true(msecs >= 75);
	assert_true(msecs < 5000);
	dict_deinit(&dict);
	event_unref(&event);
	i_close_fd(&fd);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, test_glue_setup, \
						test_glue_teardown)
		T(test_timeout_default),
		T(test_timeout_from_userdb),
		T(test_timeout_invalid),
		T(test_no_dict),
		T(test_target_redis_shared),
		T(test_target_redis_differs),
		T(test_target_redis_socket),
		T(test_target_proxy),
		T(test_target_file_per_path),
		T(test_target_unknown_driver),
		T(test_dict_init_redis_timeout),
#undef T
	};

	return LAST_LOGIN_RUN_SERVICE_TESTS(TEST_GLUE_SERVICE, "test-glue-2.4",
					    tests, &argc, &argv);
}
