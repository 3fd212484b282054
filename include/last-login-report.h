#ifndef LAST_LOGIN_REPORT_H
#define LAST_LOGIN_REPORT_H

/* The pure logic of `doveadm last-login get`: reading what the plugin
   stored and saying it the way a support agent reads it. No Dovecot
   API beyond lib (strings, arrays, the data stack). */

#include <time.h>
#include "array.h"
#include "last-login-timestamp.h"

/* What the marker stands for when a key template is expanded with it in
   place of every per-login value (the client's address, the session):
   such a key names one login, not one user, and can't be looked up by
   the user's name alone. Control characters: no expansion of a user's
   name or service gives them. */
#define LAST_LOGIN_REPORT_MARKER "\001\002"

/* Parse --older-than: one or more <number><unit> with unit s, m, h, d
   or w ("365d", "1d12h", "90m"). The total must be above zero and fit
   in time_t. Returns 0, or -1 with error_r set. */
int last_login_report_interval_parse(const char *str, time_t *secs_r,
				     const char **error_r);

/* How long ago, in the two largest units: "412d 3h", "3h 12m",
   "12m 5s", "5s". A time in the future (another host's clock) is
   "0s". Data stack. */
const char *last_login_report_age(time_t then, time_t now);

/* The column a last_login_dict_fields key template is shown under: its
   text before the first variable, without the separators at the end
   ("last-login-ip/%s/%u" and "last-login-ip/%{service}/%{user}" give
   "last-login-ip"); the whole template when that leaves nothing.
   Data stack. */
const char *last_login_report_field_column(const char *key_template);

/* Split -s's comma list ("imap,pop3") into names, dropping empty ones
   and repeats. Returns 0, or -1 with error_r set when no name is
   left. */
int last_login_report_services_parse(const char *str,
				     ARRAY_TYPE(const_string) *services,
				     const char **error_r);

/* Whether doveconf's output for mail_plugins lists last_login: 2.3
   prints the names on one line separated by spaces, 2.4 one
   "NAME = yes|no" line per plugin. */
bool last_login_report_plugins_have_last_login(const char *doveconf_output);

/* The key to iterate for a key whose expansion holds the marker: the
   text before the marker, which must end in '/' (a dict can list the
   keys under a prefix, not match inside a name). Returns 0, or -1 if
   it doesn't (then no dict can find the user's logins). Data stack. */
int last_login_report_iterate_prefix(const char *expanded_key,
				     const char **prefix_r);

#endif
