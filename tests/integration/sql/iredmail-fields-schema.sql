-- The iRedMail table (iredmail-schema.sql) with the client address of the
-- latest login, added as an iRedMail administrator would: a column in
-- iRedMail's style for strings, NOT NULL DEFAULT '', so that rows written
-- without it (the stock plugin, which knows no last_login_dict_fields)
-- still go in, with an empty address. Filled by iredmail-fields-map.conf.ext
-- with
--   last_login_dict_fields = last-login-ip/%u/%d=%{rip}
-- Proven by scenario sql-mariadb-iredmail-fields.
ALTER TABLE last_login ADD COLUMN last_ip VARCHAR(40) NOT NULL DEFAULT '';
