-- Optional migration (PgStore::migrate_partitioned): the events table
-- hash-partitioned by aggregate id with PostgreSQL's native partitioning,
-- the distribution key a Citus or CockroachDB deployment would use. Run it
-- on an empty schema, before schema.sql (whose `CREATE TABLE IF NOT
-- EXISTS events` then keeps this one). PostgreSQL only: CockroachDB
-- distributes by primary-key ranges (or a hash-sharded index) instead.
CREATE TABLE IF NOT EXISTS events (
    kind         text        NOT NULL,
    aggregate_id text        NOT NULL,
    version      bigint      NOT NULL CHECK (version >= 1),
    payload      jsonb       NOT NULL,
    recorded_at  timestamptz NOT NULL,
    policy       text        NOT NULL,
    PRIMARY KEY (kind, aggregate_id, version)
) PARTITION BY HASH (aggregate_id);

CREATE TABLE IF NOT EXISTS events_p0 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 0);
CREATE TABLE IF NOT EXISTS events_p1 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 1);
CREATE TABLE IF NOT EXISTS events_p2 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 2);
CREATE TABLE IF NOT EXISTS events_p3 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 3);
CREATE TABLE IF NOT EXISTS events_p4 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 4);
CREATE TABLE IF NOT EXISTS events_p5 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 5);
CREATE TABLE IF NOT EXISTS events_p6 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 6);
CREATE TABLE IF NOT EXISTS events_p7 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 7);
