-- Tables for the doveadm-* scenarios (sql/doveadm-map.conf.ext): one row
-- per user and service holding the time and the client address, nullable
-- so that the stock plugin's INSERT (time only) stores a row too; and one
-- row per user, service and address for a key ending in %{remote_ip},
-- which `doveadm last-login get` finds by listing the user's prefix.
CREATE TABLE last_login (
  userid VARCHAR(255) NOT NULL,
  service VARCHAR(10) NOT NULL,
  last_access BIGINT,
  last_ip VARCHAR(40),
  PRIMARY KEY (userid, service)
);
CREATE TABLE last_login_ip (
  userid VARCHAR(255) NOT NULL,
  service VARCHAR(10) NOT NULL,
  last_ip VARCHAR(40) NOT NULL,
  last_access BIGINT NOT NULL,
  PRIMARY KEY (userid, service, last_ip)
);
-- The key a userdb override gives one user: other/<user>.
CREATE TABLE last_login_other (
  userid VARCHAR(255) NOT NULL,
  last_access BIGINT NOT NULL,
  PRIMARY KEY (userid)
);
