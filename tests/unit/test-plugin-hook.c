/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The plugin's hook in-process: Dovecot's own module loader loads the
   built lib10_last_login_plugin.so (with its ABI check), and Dovecot's
   storage service creates real mail users whose plugin settings come from
   userdb fields (on 2.4 the key from the settings root, as from
   dovecot.conf). What the plugin writes lands in Dovecot's file dict;
   what it logs is caught by an error handler, the events it sends by an
   event callback. What differs between
   Dovecot APIs is in the fixture (test-hook-fixture.h); the cases and
   their expectations are here. */

#include "lib.h"
#include "ioloop.h"
#include "str.h"
#include "unlink-directory.h"
#include "event-filter.h"
#include "lib-event-private.h"
#include "master-service.h"
#include "mail-user.h"
#include "last-login-job.h"
#include "last-login-plugin.h"
#include "test-hook-fixture.h"
#include "test-common.h"
#include "test-events.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEST_USER TEST_HOOK_USER
/* The fields of the event that ends TEST_USER's write of KEY (without
   the dict's shared/), for a write that ended with RESULT: the strings,
   then the attempts. */
#define TEST_FINISHED(key, result) \
	"user=" TEST_USER " key=" key " result=" result
#define TEST_FINISHED_OK(key) TEST_FINISHED(key, "ok") " attempts=1\n"

struct test_hook_state {
	struct test_hook_fixture *fixture;
	char *dir, *dict_path;
	string_t *errors;
	/* one line per last_login_write_finished sent: its fields */
	string_t *events;
	struct timespec before, after;
};

static struct test_hook_state *test_state;
static failure_callback_t *test_orig_error_handler;

static void ATTR_FORMAT(2, 0)
test_error_handler(const struct failure_context *ctx, const char *format,
		   va_list args)
{
	str_vprintfa(test_state->errors, format, args);
	str_append_c(test_state->errors, '\n');
	(void)ctx;
}

/* Records each last_login_write_finished that is sent as one line of
   its own fields, "key=value" in the order the plugin added them. */
static bool
test_event_callback(struct event *event, enum event_callback_type type,
		    struct failure_context *ctx ATTR_UNUSED,
		    const char *fmt ATTR_UNUSED, va_list args ATTR_UNUSED)
{
	const struct event_field *fields;
	const char *value;
	unsigned int i, count;

	if (type != EVENT_CALLBACK_TYPE_SEND ||
	    null_strcmp(event->sending_name,
			LAST_LOGIN_EVENT_WRITE_FINISHED) != 0)
		return TRUE;
	fields = event_get_fields(event, &count);
	for (i = 0; i < count; i++) {
		switch (fields[i].value_type) {
		case EVENT_FIELD_VALUE_TYPE_STR:
			value = fields[i].value.str;
			break;
		case EVENT_FIELD_VALUE_TYPE_INTMAX:
			value = t_strdup_printf("%jd",
						fields[i].value.intmax);
			break;
		default:
			value = "<not a string or number>";
			break;
		}
		str_printfa(test_state->events, "%s%s=%s", i == 0 ? "" : " ",
			    fields[i].key, value);
	}
	str_append_c(test_state->events, '\n');
	return TRUE;
}

static int test_setup(void **state)
{
	struct test_hook_state *s = i_new(struct test_hook_state, 1);
	char dir[] = "/tmp/test-last-login-XXXXXX";

	if (mkdtemp(dir) == NULL)
		i_fatal("mkdtemp() failed: %m");
	s->dir = i_strdup(dir);
	s->dict_path = i_strconcat(dir, "/last-login.dict", NULL);
	s->errors = str_new(default_pool, 256);
	s->events = str_new(default_pool, 256);
	s->fixture = test_hook_fixture_init(LAST_LOGIN_PLUGIN_DIR, dir);

	failure_callback_t *fatal, *info, *debug;
	i_get_failure_handlers(&fatal, &test_orig_error_handler,
			       &info, &debug);
	i_set_error_handler(test_error_handler);
	last_login_test_send_debug_events(
		"event=" LAST_LOGIN_EVENT_WRITE_FINISHED);
	event_register_callback(test_event_callback);
	test_state = s;
	*state = s;
	return 0;
}

static int test_teardown(void **state)
{
	struct test_hook_state *s = *state;
	const char *error;

	i_set_error_handler(test_orig_error_handler);
	event_unregister_callback(test_event_callback);
	last_login_test_send_debug_events(NULL);
	test_hook_fixture_deinit(&s->fixture);
	if (unlink_directory(s->dir, UNLINK_DIRECTORY_FLAG_RMDIR,
			     &error) < 0)
		i_error("%s", error);
	str_free(&s->errors);
	str_free(&s->events);
	i_free(s->dict_path);
	i_free(s->dir);
	i_free(s);
	test_state = NULL;
	return 0;
}

static void test_now(struct timespec *ts)
{
	if (clock_gettime(CLOCK_REALTIME, ts) < 0)
		i_fatal("clock_gettime() failed: %m");
}

/* The process ends: Dovecot unloads the plugin, which gives its writes
   their last chance. Then a new one starts. */
static void test_process_restart(struct test_hook_state *s)
{
	test_hook_fixture_deinit(&s->fixture);
	s->fixture = test_hook_fixture_init(LAST_LOGIN_PLUGIN_DIR, s->dir);
}

/* Log in as TEST_USER with the given plugin settings, log out, and end
   the process, as dovecot-lda does: the write happens at its end. */
static void
test_login(struct test_hook_state *s, const struct test_hook_settings *set)
{
	test_now(&s->before);
	(void)test_hook_login(s->fixture, TEST_USER, set);
	test_now(&s->after);
	test_hook_logout(s->fixture);
	test_process_restart(s);
}

static void test_poll_events(struct test_hook_state *s)
{
	if (str_len(s->events) > 0)
		io_loop_stop(current_ioloop);
}

static void test_events_timeout(struct test_hook_state *s ATTR_UNUSED)
{
	fail_msg("no last_login_write_finished within 10 s");
}

/* Run the process's ioloop until a write has finished (bounded). */
static void test_run_until_finished(struct test_hook_state *s)
{
	struct timeout *to_poll, *to_fail;

	to_poll = timeout_add_short(10, test_poll_events, s);
	to_fail = timeout_add(10 * 1000, test_events_timeout, s);
	io_loop_run(current_ioloop);
	timeout_remove(&to_poll);
	timeout_remove(&to_fail);
}

/* The settings with the file dict at s->dict_path. */
static struct test_hook_settings test_file_dict(struct test_hook_state *s)
{
	return (struct test_hook_settings){
		.dict = TEST_HOOK_DICT_FILE,
		.dict_path = s->dict_path,
	};
}

/* A file dict's content: key and value lines, alternating; NULL if
   the file is missing. */
static const char *test_read_file(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return t_strdup(buf);
}

static const char *test_read_dict(struct test_hook_state *s)
{
	return test_read_file(s->dict_path);
}

/* The value of key in the file dict, NULL if it has none. */
static const char *
test_dict_value(struct test_hook_state *s, const char *key)
{
	const char *content = test_read_dict(s), *const *lines;
	unsigned int i;

	if (content == NULL)
		return NULL;
	lines = t_strsplit(content, "\n");
	for (i = 0; lines[i] != NULL && lines[i + 1] != NULL; i += 2) {
		if (strcmp(lines[i], key) == 0)
			return lines[i + 1];
	}
	return NULL;
}

static bool test_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Assert the dict holds exactly one key with a timestamp of the given
   number of digits taken between s->before and s->after. */
static void
test_assert_written(struct test_hook_state *s, const char *key,
		    unsigned int digits)
{
	static const uint64_t scale[] = { 1, 1000, 1000000, 1000000000 };
	const char *content = test_read_dict(s), *const *lines;
	uint64_t value, low, high, units;

	assert_non_null(content);
	lines = t_strsplit(content, "\n");
	assert_int_equal(str_array_length(lines), 3);
	assert_string_equal(lines[0], key);
	assert_string_equal(lines[2], "");
	assert_int_equal(strlen(lines[1]), digits);
	assert_int_equal(str_to_uint64(lines[1], &value), 0);

	units = scale[(digits - 10) / 3];
	low = s->before.tv_sec * units +
		s->before.tv_nsec / (1000000000 / units);
	high = s->after.tv_sec * units +
		s->after.tv_nsec / (1000000000 / units);
	/* not assert_in_range(): cmocka 2 deprecates it, cmocka 1.1 has
	   no other */
	assert_true(value >= low && value <= high);
}

/* A login the plugin refuses to record: nothing written, no event, and
   exactly this error line. */
static void
test_assert_refused(struct test_hook_state *s, const char *error)
{
	assert_false(test_file_exists(s->dict_path));
	assert_string_equal(str_c(s->events), "");
	assert_string_equal(str_c(s->errors), error);
}

static void test_default_key(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);

	test_login(s, &set);
	test_assert_written(s, "shared/last-login/" TEST_USER, 10);
	assert_string_equal(str_c(s->errors), "");
	assert_string_equal(str_c(s->events),
			    TEST_FINISHED_OK("last-login/" TEST_USER));
}

/* A local dict (file) is written by the login itself, as the stock
   plugin writes it: under the privileges of the user who logged in
   (LMTP runs its ioloop as root), and with nothing to wait for. */
static void test_local_written_at_login(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);

	test_now(&s->before);
	(void)test_hook_login(s->fixture, TEST_USER, &set);
	test_now(&s->after);
	/* the login itself wrote it */
	test_assert_written(s, "shared/last-login/" TEST_USER, 10);
	test_hook_logout(s->fixture);
	assert_string_equal(str_c(s->errors), "");
	assert_string_equal(str_c(s->events),
			    TEST_FINISHED_OK("last-login/" TEST_USER));
}

/* Users of one process share the writer of their dict; a user whose
   settings name another dict gets a writer of its own. */
static void test_writer_per_dict(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);
	const char *other_path = t_strconcat(s->dir, "/other.dict", NULL);
	const char *content;

	set.precision = "ns";
	(void)test_hook_login(s->fixture, "bob", &set);
	test_hook_logout(s->fixture);
	(void)test_hook_login(s->fixture, "carol", &set);
	test_hook_logout(s->fixture);
	set.dict_path = other_path;
	(void)test_hook_login(s->fixture, "dave", &set);
	test_hook_logout(s->fixture);
	test_process_restart(s);

	/* bob and carol in one transaction, dave in the other file */
	content = test_read_dict(s);
	assert_non_null(content);
	assert_int_equal(str_array_length(t_strsplit(content, "\n")), 5);
	assert_non_null(strstr(content, "shared/last-login/bob\n"));
	assert_non_null(strstr(content, "shared/last-login/carol\n"));
	content = test_read_file(other_path);
	assert_non_null(content);
	/* not str_begins(): it takes a third argument on 2.4 */
	assert_int_equal(strncmp(content, "shared/last-login/dave\n",
				 strlen("shared/last-login/dave\n")), 0);
	assert_int_equal(str_array_length(t_strsplit(content, "\n")), 3);
	assert_string_equal(str_c(s->errors), "");
}

/* Two logins of one key in one process: each is written at once to a
   local dict, the newer time last. (A queued write that a newer login
   replaces is the simulation's, tests/sim.) */
static void test_local_each_login_written(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);

	/* ns: the two logins' times differ */
	set.precision = "ns";
	(void)test_hook_login(s->fixture, TEST_USER, &set);
	test_hook_logout(s->fixture);
	test_login(s, &set);
	/* the second login's time, not the first's */
	test_assert_written(s, "shared/last-login/" TEST_USER, 19);
	assert_string_equal(str_c(s->errors), "");
	assert_string_equal(str_c(s->events),
		TEST_FINISHED_OK("last-login/" TEST_USER)
		TEST_FINISHED_OK("last-login/" TEST_USER));
}

static void test_key_with_variables(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);

	/* %{service}, %{user}, the user's name and domain, the protocol */
	set.key = test_hook_variables_key;
	test_login(s, &set);
	test_assert_written(s, "shared/" TEST_HOOK_VARIABLES_KEY, 10);
	assert_string_equal(str_c(s->errors), "");
	assert_string_equal(str_c(s->events),
			    TEST_FINISHED_OK(TEST_HOOK_VARIABLES_KEY));
}

static void
test_precision(struct test_hook_state *s, const char *name,
	       unsigned int digits)
{
	struct test_hook_settings set = test_file_dict(s);

	set.precision = name;
	test_login(s, &set);
	test_assert_written(s, "shared/last-login/" TEST_USER, digits);
	assert_string_equal(str_c(s->errors), "");
	assert_string_equal(str_c(s->events),
			    TEST_FINISHED_OK("last-login/" TEST_USER));
	str_truncate(s->events, 0);
	i_unlink(s->dict_path);
}

static void test_each_precision(void **state)
{
	struct test_hook_state *s = *state;

	test_precision(s, "s", 10);
	test_precision(s, "ms", 13);
	test_precision(s, "us", 16);
	test_precision(s, "ns", 19);
}

static void test_no_dict_does_nothing(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set;

	i_zero(&set);
	test_login(s, &set);
	set.dict = TEST_HOOK_DICT_EMPTY;
	test_login(s, &set);
	/* the other settings alone don't enable the plugin */
	set.dict = TEST_HOOK_DICT_NONE;
	set.key = "ll/%{user}";
	set.precision = "ms";
	test_login(s, &set);
	assert_false(test_file_exists(s->dict_path));
	assert_string_equal(str_c(s->errors), "");
	assert_string_equal(str_c(s->events), "");
}

/* A user Dovecot creates by itself (the owner of a shared mailbox,
   dovecot-lda's raw user) or restores (IMAP unhibernation) is not a
   login. */
static void test_created_user_is_skipped(void **state, bool autocreated)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);
	struct mail_user *user;
	const char *error;

	test_now(&s->before);
	user = test_hook_login(s->fixture, TEST_USER, &set);
	test_now(&s->after);

	user = mail_user_dup(user);
	if (autocreated)
		user->autocreated = TRUE;
	else
		user->session_restored = TRUE;
	assert_int_equal(mail_user_init(user, &error), 0);
	mail_user_deinit(&user);
	test_hook_logout(s->fixture);
	test_process_restart(s);

	/* the real login's write alone */
	test_assert_written(s, "shared/last-login/" TEST_USER, 10);
	assert_string_equal(str_c(s->errors), "");
	assert_string_equal(str_c(s->events),
			    TEST_FINISHED_OK("last-login/" TEST_USER));
}

static void test_autocreated_user_is_skipped(void **state)
{
	test_created_user_is_skipped(state, TRUE);
}

static void test_restored_session_is_skipped(void **state)
{
	test_created_user_is_skipped(state, FALSE);
}

static void test_invalid_precision(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);

	set.precision = "MS";
	test_login(s, &set);
#ifdef HAVE_SETTINGS_GET
	/* 2.4's settings parser rejects the value before the plugin sees
	   it; the plugin logs the parser's error and records nothing. */
	test_assert_refused(s,
		"last_login_dict: last_login settings: Failed to override "
		"configuration from userdb: Invalid last_login_precision=MS: "
		"Invalid value: MS\n");
#else
	test_assert_refused(s,
		"last_login_dict: Invalid last_login_precision 'MS' "
		"(accepted values: s, ms, us, ns): login not recorded\n");
#endif
}

static void test_unknown_dict_driver(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set;

	i_zero(&set);
	set.dict = TEST_HOOK_DICT_UNKNOWN_DRIVER;
	test_login(s, &set);
	assert_string_equal(str_c(s->events), "");
#ifdef HAVE_SETTINGS_GET
	/* 2.4 has no URI to name: the reason alone, as the stock plugin */
	assert_string_equal(str_c(s->errors),
		"last_login_dict: Unknown dict module: nosuch\n");
#else
	assert_string_equal(str_c(s->errors),
		"last_login_dict: dict_init(nosuch:host=h:password=<hidden>) "
		"failed: Unknown dict module: nosuch\n");
#endif
}

static void test_failing_commit(void **state)
{
	struct test_hook_state *s = *state;
	const char *file = t_strconcat(s->dir, "/not-a-dir", NULL);
	struct test_hook_settings set = test_file_dict(s);

	/* a dict file below a regular file can't be written, even by
	   root */
	i_close_fd(&(int){ creat(file, 0600) });
	set.dict_path = t_strconcat(file, "/dict", NULL);
	test_login(s, &set);
	/* the file driver's dotlock logs its own lstat() error first */
	assert_string_equal(str_c(s->errors), t_strdup_printf(
		"lstat(%s/dict.lock) failed: Not a directory\n"
		"last_login_dict: Failed to write value: "
		"dict-file: file_dotlock_open(%s/dict) failed: "
		"Not a directory\n", file, file));
	/* the error as logged, without the prefix; a file that can't be
	   written is not retried */
	assert_string_equal(str_c(s->events), t_strdup_printf(
		TEST_FINISHED("last-login/" TEST_USER, "failed")
		" error=dict-file: file_dotlock_open(%s/dict) failed: "
		"Not a directory attempts=1\n", file));
}

static void test_empty_key(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);

	set.key = "%{userdb:nosuchfield}";
	test_login(s, &set);
	test_assert_refused(s,
		"last_login_dict: last_login_key expands to an empty string: "
		"login not recorded\n");
}

/* last_login_dict_fields: each field under its own key, with the time;
   a value that is empty (no address) is written empty. */
static void test_fields_written_with_the_time(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);
	const char *const fields[] = {
		"ll-client/%{user}", "Mail Client 1.0",
		"ll-ip/%{user}", "",
		NULL
	};
	const char *content;

	set.fields = fields;
	test_login(s, &set);
	assert_string_equal(test_dict_value(s, "shared/ll-client/" TEST_USER),
			    "Mail Client 1.0");
	assert_string_equal(test_dict_value(s, "shared/ll-ip/" TEST_USER),
			    "");
	assert_non_null(test_dict_value(s, "shared/last-login/" TEST_USER));
	/* three keys and values, nothing else */
	content = test_read_dict(s);
	assert_int_equal(str_array_length(t_strsplit(content, "\n")), 7);
	assert_string_equal(str_c(s->errors), "");
	assert_string_equal(str_c(s->events),
			    TEST_FINISHED_OK("last-login/" TEST_USER));
}

/* A master user's login counts as the user's, as with the stock plugin,
   unless last_login_ignore_master_users is set. */
static void test_master_user_login(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);

	set.master_user = "boss";
	test_login(s, &set);
	test_assert_written(s, "shared/last-login/" TEST_USER, 10);
	i_unlink(s->dict_path);

	set.ignore_master_users = "yes";
	test_login(s, &set);
	assert_false(test_file_exists(s->dict_path));

	/* the user's own login still counts */
	set.master_user = NULL;
	test_login(s, &set);
	test_assert_written(s, "shared/last-login/" TEST_USER, 10);
	assert_string_equal(str_c(s->errors), "");
	assert_string_equal(str_c(s->events),
			    TEST_FINISHED_OK("last-login/" TEST_USER)
			    TEST_FINISHED_OK("last-login/" TEST_USER));
}

/* last_login_disable from the userdb: nothing written, nothing logged */
static void test_disabled_account(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);

	set.disable = "yes";
	test_login(s, &set);
	test_assert_refused(s, "");

	set.disable = "no";
	test_login(s, &set);
	test_assert_written(s, "shared/last-login/" TEST_USER, 10);
	assert_string_equal(str_c(s->errors), "");
}

static void test_invalid_bool(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);

	set.ignore_master_users = "maybe";
	test_login(s, &set);
#ifdef HAVE_SETTINGS_GET
	test_assert_refused(s,
		"last_login_dict: last_login settings: Failed to override "
		"configuration from userdb: Invalid "
		"last_login_ignore_master_users=maybe: Invalid boolean "
		"value: maybe (use yes or no)\n");
#else
	test_assert_refused(s,
		"last_login_dict: Invalid last_login_ignore_master_users "
		"'maybe': Invalid boolean value (use yes or no): login not "
		"recorded\n");
#endif
}

/* Overwrites the file dict's value of the first key with a time in
   ns precision. */
static void test_store_value(struct test_hook_state *s, time_t value)
{
	const char *content = test_read_dict(s), *const *lines;
	FILE *f;

	assert_non_null(content);
	lines = t_strsplit(content, "\n");
	f = fopen(s->dict_path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n%ld000000000\n", lines[0], (long)value);
	fclose(f);
}

/* last_login_interval: a login whose stored time is younger than the
   interval writes nothing (a local dict is closed after each write, so
   each login looks the value up); an older one is overwritten. */
static void test_interval(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);
	const char *key = "shared/last-login/" TEST_USER;
	time_t old_time = time(NULL) - 3600 - 60;

	set.interval = "1h";
	/* ns: each login's time is newer than the one before */
	set.precision = "ns";
	/* the first login is written */
	(void)test_hook_login(s->fixture, TEST_USER, &set);
	test_hook_logout(s->fixture);
	test_run_until_finished(s);
	test_store_value(s, old_time + 120);

	/* fresh: no write */
	(void)test_hook_login(s->fixture, TEST_USER, &set);
	test_hook_logout(s->fixture);
	/* another process looks it up */
	test_process_restart(s);
	test_login(s, &set);
	assert_string_equal(test_dict_value(s, key), t_strconcat(
		dec2str(old_time + 120), "000000000", NULL));

	/* older than the interval: written */
	test_store_value(s, old_time);
	test_login(s, &set);
	test_assert_written(s, key, 19);
	assert_string_equal(str_c(s->errors), "");
	assert_string_equal(str_c(s->events),
		TEST_FINISHED_OK("last-login/" TEST_USER)
		TEST_FINISHED("last-login/" TEST_USER, "ok")
		" attempts=1 skipped=interval\n"
		TEST_FINISHED("last-login/" TEST_USER, "ok")
		" attempts=1 skipped=interval\n"
		TEST_FINISHED_OK("last-login/" TEST_USER));
}

static void test_invalid_interval(void **state)
{
	struct test_hook_state *s = *state;
	struct test_hook_settings set = test_file_dict(s);

	set.interval = "soon";
	test_login(s, &set);
#ifdef HAVE_SETTINGS_GET
	test_assert_refused(s,
		"last_login_dict: last_login settings: Failed to override "
		"configuration from userdb: Invalid "
		"last_login_interval=soon: Invalid time interval: soon\n");
#else
	test_assert_refused(s,
		"last_login_dict: Invalid last_login_interval 'soon': "
		"Invalid time interval: soon: login not recorded\n");
#endif
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, test_setup, \
						test_teardown)
		T(test_default_key),
		T(test_local_written_at_login),
		T(test_writer_per_dict),
		T(test_local_each_login_written),
		T(test_key_with_variables),
		T(test_each_precision),
		T(test_no_dict_does_nothing),
		T(test_autocreated_user_is_skipped),
		T(test_restored_session_is_skipped),
		T(test_invalid_precision),
		T(test_unknown_dict_driver),
		T(test_failing_commit),
		T(test_empty_key),
		T(test_fields_written_with_the_time),
		T(test_master_user_login),
		T(test_disabled_account),
		T(test_invalid_bool),
		T(test_interval),
		T(test_invalid_interval),
#undef T
	};

	return LAST_LOGIN_RUN_SERVICE_TESTS(TEST_HOOK_SERVICE,
					    "test-plugin-hook", tests,
					    &argc, &argv);
}
