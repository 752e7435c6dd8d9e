//! Commands/s through the PostgreSQL store at 1, 4 and 16 clients, beside
//! `pgbench` running the same statements per transaction at the same client
//! counts in the same run; then the due-work claim of 1,000 due out of
//! 1,000,000 aggregates. Needs a server (DATABASE_URL, `source
//! .ci/postgres-up`) and `pgbench` on the PATH:
//!
//! ```text
//! cargo run --release --features postgres --example postgres_bench
//! ```

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use billing_rules::engine::{Aggregate, AggregateId, AsyncEngine, IdempotencyKey};
use billing_rules::postgres::PgStore;
use billing_rules::time::SystemClock;
use billing_rules::{Decider, Error};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Seconds each measurement runs.
const SECONDS: u64 = 5;
const SCHEMA: &str = "bench";

/// A counter: each command appends one event.
struct Counter;

#[derive(Clone, Serialize, Deserialize)]
struct Count {
    total: i64,
}

impl Decider for Counter {
    type State = Count;
    type Command = i64;
    type Event = i64;
    type Policy = ();
    fn initial() -> Count {
        Count { total: 0 }
    }
    fn decide(_: &Count, add: &i64, _: DateTime<Utc>, _: &()) -> Result<Vec<i64>, Error> {
        Ok(vec![*add])
    }
    fn evolve(state: Count, add: &i64) -> Count {
        Count {
            total: state.total + add,
        }
    }
}

impl Aggregate for Counter {
    const KIND: &'static str = "counter";
}

/// The store's statements for one keyed command (see src/postgres/ops.rs):
/// the key lookup and the load, then the commit's transaction.
const PGBENCH_SCRIPT: &str = r#"\set k random(1, 2000000000)
SELECT command, policy, answer FROM idempotency WHERE kind = 'counter' AND aggregate_id = 'pgb' || :client_id AND key = 'k' || :k;
SELECT version, state, last_recorded_at FROM aggregates WHERE kind = 'counter' AND aggregate_id = 'pgb' || :client_id;
BEGIN;
SELECT version, state FROM aggregates WHERE kind = 'counter' AND aggregate_id = 'pgb' || :client_id FOR UPDATE;
UPDATE aggregates SET version = version + 1, state = '{"total": 1}', last_recorded_at = GREATEST(last_recorded_at, now()), next_due = NULL, claimed_until = NULL WHERE kind = 'counter' AND aggregate_id = 'pgb' || :client_id;
INSERT INTO events (kind, aggregate_id, version, payload, recorded_at, policy) SELECT 'counter', 'pgb' || :client_id, a.version, '1', now(), '00000000000000000000000000000000' FROM aggregates a WHERE kind = 'counter' AND aggregate_id = 'pgb' || :client_id;
INSERT INTO idempotency (kind, aggregate_id, key, command, policy, answer) VALUES ('counter', 'pgb' || :client_id, 'k' || :k, '00000000000000000000000000000000', '00000000000000000000000000000000', '{"answer": "accepted"}') ON CONFLICT (kind, aggregate_id, key) DO NOTHING;
END;
"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url =
        std::env::var("DATABASE_URL").map_err(|_| "set DATABASE_URL (source .ci/postgres-up)")?;
    let store = PgStore::with_schema(&url, SCHEMA, 16)?;
    let admin = store.pool().get().await?;
    admin
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        .await?;
    drop(admin);
    store.migrate().await?;

    println!("| clients | store commands/s | pgbench tx/s (same statements) | store / pgbench |");
    println!("|---|---|---|---|");
    for clients in [1usize, 4, 16] {
        let ours = store_rate(&store, clients).await?;
        let theirs = pgbench_rate(&url, &store, clients).await?;
        println!(
            "| {clients} | {ours:.0} | {theirs:.0} | {:.0}% |",
            100.0 * ours / theirs
        );
    }

    claim_timing(&store).await?;
    Ok(())
}

/// Keyed commands/s through the async engine, one aggregate per client.
async fn store_rate(store: &PgStore, clients: usize) -> Result<f64, Box<dyn std::error::Error>> {
    let engine = Arc::new(AsyncEngine::new(SystemClock, store.clone()));
    let until = Instant::now() + Duration::from_secs(SECONDS);
    let mut tasks = Vec::new();
    for client in 0..clients {
        let engine = Arc::clone(&engine);
        tasks.push(tokio::spawn(async move {
            let id = AggregateId::from(format!("c{clients}-{client}"));
            let mut done = 0u64;
            while Instant::now() < until {
                let key = IdempotencyKey::from(format!("k{done}"));
                engine.execute::<Counter>(&id, &1, &(), Some(&key)).await?;
                done += 1;
            }
            Ok::<u64, billing_rules::engine::EngineError>(done)
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total as f64 / SECONDS as f64)
}

/// pgbench's transactions/s on the same statements.
async fn pgbench_rate(
    url: &str,
    store: &PgStore,
    clients: usize,
) -> Result<f64, Box<dyn std::error::Error>> {
    let admin = store.pool().get().await?;
    admin
        .batch_execute(&format!(
            "DELETE FROM aggregates WHERE aggregate_id LIKE 'pgb%'; \
             DELETE FROM events WHERE aggregate_id LIKE 'pgb%'; \
             DELETE FROM idempotency WHERE aggregate_id LIKE 'pgb%'; \
             INSERT INTO aggregates (kind, aggregate_id, version, state) \
             SELECT 'counter', 'pgb' || g, 0, '{{\"total\": 0}}' FROM generate_series(0, {}) g",
            clients - 1
        ))
        .await?;
    drop(admin);
    let script = std::env::temp_dir().join("billing_rules_pgbench.sql");
    std::fs::write(&script, PGBENCH_SCRIPT)?;
    let output = Command::new("pgbench")
        .env("PGOPTIONS", format!("-c search_path={SCHEMA}"))
        .args(["-n", "-M", "prepared", "-T", &SECONDS.to_string()])
        .args(["-c", &clients.to_string(), "-j", &clients.to_string(), "-f"])
        .arg(&script)
        .arg(url)
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| {
            line.strip_prefix("tps = ")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|tps| tps.parse().ok())
        })
        .ok_or_else(|| {
            format!(
                "pgbench printed no tps: {text} {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into()
        })
}

/// The due-work claim of 1,000 due out of 1,000,000 aggregates.
async fn claim_timing(store: &PgStore) -> Result<(), Box<dyn std::error::Error>> {
    let admin = store.pool().get().await?;
    admin
        .batch_execute(
            "INSERT INTO aggregates (kind, aggregate_id, version, state, next_due) \
             SELECT 'scheduled', 'a' || g, 1, '{}', \
                    CASE WHEN g % 1000 = 0 THEN now() - interval '1 hour' ELSE now() + interval '30 days' END \
             FROM generate_series(1, 1000000) g; \
             ANALYZE aggregates",
        )
        .await?;
    let now = Utc::now();
    let mut times = Vec::new();
    for _ in 0..9 {
        admin.batch_execute("UPDATE aggregates SET claimed_until = NULL WHERE kind = 'scheduled' AND claimed_until IS NOT NULL").await?;
        let start = Instant::now();
        let claimed = store
            .claim_due::<Scheduled>(now, 1_000, chrono::Duration::minutes(5))
            .await?;
        times.push(start.elapsed());
        assert_eq!(claimed.len(), 1_000);
    }
    times.sort();
    println!();
    println!("| due-work claim | aggregates | due | median of 9 | min |");
    println!("|---|---|---|---|---|");
    println!(
        "| claim_due (FOR UPDATE SKIP LOCKED + lease) | 1,000,000 | 1,000 | {:.2} ms | {:.2} ms |",
        times[4].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3
    );
    Ok(())
}

/// The kind the claim is timed on (rows written by SQL above).
struct Scheduled;

impl Decider for Scheduled {
    type State = ();
    type Command = ();
    type Event = ();
    type Policy = ();
    fn initial() {}
    fn decide(_: &(), _: &(), _: DateTime<Utc>, _: &()) -> Result<Vec<()>, Error> {
        Ok(Vec::new())
    }
    fn evolve(_: (), _: &()) {}
}

impl Aggregate for Scheduled {
    const KIND: &'static str = "scheduled";
}
