-- The PostgreSQL store's tables (billing_rules::postgres, `PgStore::migrate`).
-- Applied in the store's schema (its connections' search_path); every
-- statement is idempotent, so `migrate()` may run at each start.
--
-- Only SQL that PostgreSQL-compatible distributed databases (CockroachDB,
-- YugabyteDB) also accept: no triggers, no functions, no extensions.
-- Every table leads with (kind, aggregate_id), the distribution key of a
-- sharded deployment: one command touches the rows of one aggregate only.
-- Decimals inside the JSON are strings (never floats).

-- One row per aggregate: the state after its last event (a snapshot, so a
-- command reads one row, never a replay), its version (the number of
-- events; the compare-and-set of optimistic concurrency), and when its next
-- time-driven event is due (the due-work index).
CREATE TABLE IF NOT EXISTS aggregates (
    kind             text        NOT NULL,
    aggregate_id     text        NOT NULL,
    version          bigint      NOT NULL CHECK (version >= 0),
    state            jsonb       NOT NULL,
    last_recorded_at timestamptz,
    next_due         timestamptz,
    -- A scheduler's lease on the due work (PgStore::claim_due): no other
    -- scheduler claims the aggregate before it runs out; a commit clears it.
    claimed_until    timestamptz,
    PRIMARY KEY (kind, aggregate_id)
);

-- "Which aggregates of this kind are due at now", earliest first: one
-- index range scan, whatever the number of aggregates not due.
CREATE INDEX IF NOT EXISTS aggregates_next_due
    ON aggregates (kind, next_due, aggregate_id)
    WHERE next_due IS NOT NULL;

-- The events, one row each, numbered 1, 2, 3, ... within their aggregate:
-- the primary key is the last guard against two writers at one version.
CREATE TABLE IF NOT EXISTS events (
    kind         text        NOT NULL,
    aggregate_id text        NOT NULL,
    version      bigint      NOT NULL CHECK (version >= 1),
    payload      jsonb       NOT NULL,
    recorded_at  timestamptz NOT NULL,
    -- The fingerprint of the policy that decided (32 hex digits).
    policy       text        NOT NULL,
    PRIMARY KEY (kind, aggregate_id, version)
);

-- What a keyed command answered, bound to the command's fingerprint (the
-- same key with another command is refused) and the policy's.
CREATE TABLE IF NOT EXISTS idempotency (
    kind         text        NOT NULL,
    aggregate_id text        NOT NULL,
    key          text        NOT NULL,
    command      text        NOT NULL,
    policy       text        NOT NULL,
    answer       jsonb       NOT NULL,
    PRIMARY KEY (kind, aggregate_id, key)
);
