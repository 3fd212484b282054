#ifndef TEST_SETTINGS_H
#define TEST_SETTINGS_H

/* Dovecot 2.4 without a config process knows only the settings of
   registered infos (from 2.4.2 it refuses a userdb field naming any
   other): registers the plugin's and the dicts' before a test creates
   users whose userdb fields set them. */
void last_login_test_register_settings(void);

#endif
