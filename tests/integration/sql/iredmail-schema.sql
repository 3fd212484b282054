-- MariaDB/MySQL table of the iRedMail recipe: one row per user, one column
-- per service (imap, pop3, lda), filled by iredmail-map.conf.ext with
--   last_login_key = last-login/%s/%u/%d
-- and last_login_precision = s (INT holds 10-digit seconds only).
-- Proven by scenario sql-mariadb-iredmail.
CREATE TABLE last_login (
  username VARCHAR(255) NOT NULL DEFAULT '',
  domain VARCHAR(255) NOT NULL DEFAULT '',
  imap INT(11) DEFAULT NULL,
  pop3 INT(11) DEFAULT NULL,
  lda INT(11) DEFAULT NULL,
  PRIMARY KEY (username),
  INDEX (domain),
  INDEX (imap),
  INDEX (pop3),
  INDEX (lda)
);
