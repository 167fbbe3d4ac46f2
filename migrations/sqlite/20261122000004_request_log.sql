-- μblog's RequestLog, written in batches off the request path (see server/src/request_log.rs).
CREATE TABLE request_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    method      TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    route       TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    duration_us INTEGER NOT NULL,
    user_id     INTEGER,
    client_ip   TEXT    NOT NULL,
    user_agent  TEXT    NOT NULL
);
-- Time ranges, the retention purge, and "the last hour by status".
CREATE INDEX request_log_by_time ON request_log (at);
