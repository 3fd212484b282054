#ifndef TEST_EVENTS_H
#define TEST_EVENTS_H

/* What the stats client does for a metric: debug events that match
   query are sent to the event callbacks even with debug logging off.
   Replaces the query set before; NULL sends none again. */
void last_login_test_send_debug_events(const char *query);

#endif
