-- last_login tables for doc-map.conf.ext + local-map.conf.ext that work on
-- MariaDB/MySQL, PostgreSQL and SQLite alike. Each unique key covers
-- exactly the fields of its map's pattern, which is what dict-sql's
-- PostgreSQL/SQLite upsert "ON CONFLICT (<pattern fields>)" needs.
-- Proven by scenarios sql-pgsql, sql-sqlite and sql-mariadb-portable.

-- IMAP/POP3 (and LMTP over TCP): one row per user, service and client
-- address; every address keeps its own time, so last_ip is never stale.
CREATE TABLE last_login (
  userid VARCHAR(255) NOT NULL,
  service VARCHAR(10) NOT NULL,
  last_access BIGINT NOT NULL,
  last_ip VARCHAR(40) NOT NULL,
  PRIMARY KEY (userid, service, last_ip)
);
CREATE INDEX last_login_access ON last_login (userid, last_access);

-- Entry points without a client address (LMTP over a unix socket,
-- dovecot-lda): their key ends in "/"; one row per user and service.
CREATE TABLE last_login_local (
  userid VARCHAR(255) NOT NULL,
  service VARCHAR(10) NOT NULL,
  last_access BIGINT NOT NULL,
  PRIMARY KEY (userid, service)
);
