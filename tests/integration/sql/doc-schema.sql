-- The table of Dovecot's own last_login documentation example: one row per
-- user and service. Valid SQL on MariaDB, PostgreSQL and SQLite alike, but
-- only MariaDB/MySQL can write to it through dict-sql: there the upsert is
-- INSERT ... ON DUPLICATE KEY UPDATE, which uses whatever key exists. On
-- PostgreSQL and SQLite dict-sql writes ON CONFLICT (service,userid,last_ip)
-- and that needs a unique key over exactly those columns (see
-- portable-schema.sql). Proven by scenarios sql-mariadb-doc, sql-pgsql and
-- sql-sqlite.
CREATE TABLE last_login (
  userid VARCHAR(255) NOT NULL,
  service VARCHAR(10) NOT NULL,
  last_access BIGINT NOT NULL,
  last_ip VARCHAR(40) NOT NULL,
  PRIMARY KEY (userid, service)
);
