#ifndef LAST_LOGIN_REDACT_H
#define LAST_LOGIN_REDACT_H

/* What a secret is replaced with in log lines. */
#define LAST_LOGIN_REDACTED "<hidden>"

/* Return str with the value of every "password=" parameter (any case)
   replaced by LAST_LOGIN_REDACTED, so that a dict URI or a backend's
   error message can be logged without leaking credentials. A value ends
   at ':' (the dict URI separator), whitespace or the end of the string.
   The result is allocated from the data stack. */
const char *last_login_redact_secrets(const char *str);

#endif
