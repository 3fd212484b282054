#ifndef LAST_LOGIN_KEY_H
#define LAST_LOGIN_KEY_H

/* The key used when last_login_key is unset: this, then the username. */
#define LAST_LOGIN_KEY_DEFAULT_PREFIX "last-login/"

/* Build the full dict key from last_login_key as Dovecot expanded it
   (NULL when unset) and the username, under DICT_PATH_SHARED, so that
   every user of the dict (e.g. redis, or a dict-sql map's pattern) sees
   the same key. Returns NULL if the key would be
   empty, since no backend can store a login under an empty name. The
   result is allocated from the data stack. */
const char *last_login_key_build(const char *configured_key,
				 const char *username);

#endif
