#ifndef LAST_LOGIN_FIELDS_H
#define LAST_LOGIN_FIELDS_H

/* last_login_dict_fields: values written in the same transaction as the
   login time, each under its own key (e.g. the client's address). On
   Dovecot 2.3 a plugin {} setting holds one value, so the fields are
   numbered settings, as quota_rule and quota_rule2 are:
     last_login_dict_fields = last-login-ip/%s/%u=%{rip}
     last_login_dict_fields2 = ...
   On 2.4 they are a string list of KEY = VALUE. */

#include "array.h"

/* The setting's name, and how many numbered ones are read at most. */
#define LAST_LOGIN_FIELDS_SETTING "last_login_dict_fields"
#define LAST_LOGIN_FIELDS_MAX 100

struct last_login_field {
	/* as expanded, without the dict's shared/ */
	const char *key;
	/* as expanded; empty where a variable has no value */
	const char *value;
};
ARRAY_DEFINE_TYPE(last_login_field, struct last_login_field);

/* The name of the nth numbered setting (n >= 1): last_login_dict_fields,
   last_login_dict_fields2, ... Allocated from the data stack. */
const char *last_login_fields_setting_name(unsigned int n);

/* A 2.3 setting's value by name: NULL or "" when unset. */
typedef const char *last_login_fields_getenv_t(const char *name,
					       void *context);

/* The next numbered setting that is set, read as Dovecot reads
   quota_rule, quota_rule2, ...: an unset first one is skipped; from the
   second on, the first one unset ends the list. Start with *n at 0;
   returns the value and sets name_r (and *n to its number), or NULL at
   the end. The one reader of the numbered settings, for the mail
   plugin and the doveadm command alike. */
const char *last_login_fields_next(last_login_fields_getenv_t *env_get,
				   void *context, unsigned int *n,
				   const char **name_r);

/* Split a 2.3 "KEY=VALUE" at its first '=', dropping the spaces around
   it. The key must not be empty, the value may be. The strings are
   allocated from the data stack. Returns 0, or -1 with error_r set. */
int last_login_field_parse(const char *str, struct last_login_field *field_r,
			   const char **error_r);

/* Parse a boolean as Dovecot 2.3's settings do: yes, y, 1 or no, any
   case. NULL or "" is default_value. Returns 0, or -1 with error_r
   set. */
int last_login_bool_parse(const char *str, bool default_value,
			  bool *value_r, const char **error_r);

#endif
