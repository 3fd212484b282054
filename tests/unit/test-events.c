/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

/* The global filter of debug events to send, on every release: one
   filter before 2.4.5, a slot in a list of them since. */

#include "lib.h"
#include "event-filter.h"
#include "test-events.h"

#ifdef HAVE_EVENT_GLOBAL_DEBUG_SEND_FILTER_REGISTER
/* registered once: Dovecot's list keeps the slot until lib_deinit() */
static struct event_filter **test_send_filter;
#endif

static void test_send_filter_set(struct event_filter *filter)
{
#ifdef HAVE_EVENT_GLOBAL_DEBUG_SEND_FILTER_REGISTER
	if (test_send_filter == NULL)
		test_send_filter = event_global_debug_send_filter_register();
	event_filter_unref(test_send_filter);
	*test_send_filter = filter;
	event_global_debug_send_filter_updated();
#else
	if (filter == NULL)
		event_unset_global_debug_send_filter();
	else {
		event_set_global_debug_send_filter(filter);
		event_filter_unref(&filter);
	}
#endif
}

void last_login_test_send_debug_events(const char *query)
{
	struct event_filter *filter;
	const char *error;

	if (query == NULL) {
		test_send_filter_set(NULL);
		return;
	}
	filter = event_filter_create();
	if (event_filter_parse(query, filter, &error) < 0)
		i_fatal("event_filter_parse(%s) failed: %s", query, error);
	test_send_filter_set(filter);
}
