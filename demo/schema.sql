-- The demo's SQLite schema: the primary key covers exactly the dict map's
-- $variables, which dict-sql's upsert needs.
CREATE TABLE last_login (
	userid TEXT NOT NULL,
	service TEXT NOT NULL,
	last_access INTEGER NOT NULL,
	PRIMARY KEY (userid, service)
);
