//! The PostgreSQL store under concurrency and failures, against a live
//! server (DATABASE_URL; a missing one fails these tests).

#[path = "pg_support/mod.rs"]
mod pg_support;

use std::collections::BTreeMap;
use std::sync::Arc;

use billing_rules::engine::{
    AggregateId, AsyncEngine, AsyncStore, EngineError, IdempotencyKey, StoreError, Version,
};
use billing_rules::postgres::PgTransaction;
use billing_rules::time::FixedClock;
use chrono::{Duration, TimeZone, Utc};
use pg_support::{Meter, MeterCommand, MeterEvent, fresh_store};

fn clock() -> FixedClock {
    FixedClock::new(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writers_lose_nothing() {
    const TASKS: i64 = 16;
    const EACH: i64 = 10;
    let store = fresh_store("racing", 16).await;
    let engine = Arc::new(AsyncEngine::new(clock(), store.clone()).with_retries(10_000));
    let id = AggregateId::from("one-account");
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let engine = Arc::clone(&engine);
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let mut versions = Vec::new();
            for i in 0..EACH {
                // Amounts unique per command, so each event names its command.
                let amount = task * 1_000 + i + 1;
                let key = IdempotencyKey::from(format!("w{task}-{i}"));
                let outcome = engine
                    .execute::<Meter>(&id, &MeterCommand::Add(amount), &(), Some(&key))
                    .await
                    .expect("accepted after retrying conflicts");
                versions.push((outcome.version, amount));
            }
            versions
        }));
    }
    let mut accepted = BTreeMap::new();
    for task in tasks {
        for (version, amount) in task.await.unwrap() {
            assert_eq!(
                accepted.insert(version, amount),
                None,
                "two commands at {version}"
            );
        }
    }
    let total = TASKS * EACH;
    let events =
        AsyncStore::<Meter>::events_in(&store, &id, Version::INITIAL, Version::new(total as u64))
            .await
            .unwrap();
    // Versions 1..=160 contiguous, each accepted command's event exactly once
    // at the version it was acknowledged at.
    assert_eq!(events.len() as i64, total);
    for (n, event) in events.iter().enumerate() {
        let version = Version::new(n as u64 + 1);
        assert_eq!(
            Some(event),
            accepted
                .get(&version)
                .map(|a| MeterEvent::Added(*a))
                .as_ref()
        );
    }
    let snapshot = AsyncStore::<Meter>::load(&store, &id).await.unwrap();
    let sum: i64 = (0..TASKS)
        .flat_map(|t| (0..EACH).map(move |i| t * 1_000 + i + 1))
        .sum();
    assert_eq!(
        (snapshot.version.get() as i64, snapshot.state.total),
        (total, sum)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn schedulers_apply_each_due_event_once() {
    const SUBSCRIPTIONS: usize = 10_000;
    let store = fresh_store("schedulers", 16).await;
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    // 10,000 subscriptions, each with a reminder due in the last day.
    let engine = Arc::new(AsyncEngine::new(clock(), store.clone()));
    let mut setup = Vec::new();
    for part in 0..16 {
        let engine = Arc::clone(&engine);
        setup.push(tokio::spawn(async move {
            for n in (part..SUBSCRIPTIONS).step_by(16) {
                let at = now - Duration::seconds(n as i64 + 1);
                engine
                    .execute::<Meter>(
                        &AggregateId::from(format!("sub-{n:05}")),
                        &MeterCommand::Remind(at),
                        &(),
                        None,
                    )
                    .await
                    .unwrap();
            }
        }));
    }
    for task in setup {
        task.await.unwrap();
    }

    let mut schedulers = Vec::new();
    for scheduler in 0..4 {
        let store = store.clone();
        schedulers.push(tokio::spawn(async move {
            let engine = AsyncEngine::new(clock(), store.clone());
            let (mut claimed, mut fired) = (Vec::new(), 0usize);
            loop {
                let batch = store
                    .claim_due::<Meter>(now, 250, Duration::minutes(5))
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return (scheduler, claimed, fired);
                }
                for due in batch {
                    let key = IdempotencyKey::from(format!("advance-{}", due.at.timestamp()));
                    let outcome = engine
                        .execute::<Meter>(&due.id, &MeterCommand::Advance, &(), Some(&key))
                        .await
                        .unwrap();
                    fired += outcome.events.len();
                    claimed.push(due.id);
                }
            }
        }));
    }
    let mut claims = BTreeMap::new();
    let mut fired = 0;
    let mut per_scheduler = Vec::new();
    for scheduler in schedulers {
        let (n, claimed, count) = scheduler.await.unwrap();
        per_scheduler.push((n, claimed.len()));
        fired += count;
        for id in claimed {
            *claims.entry(id).or_insert(0) += 1;
        }
    }
    assert_eq!(claims.len(), SUBSCRIPTIONS);
    assert!(
        claims.values().all(|n| *n == 1),
        "an aggregate was claimed twice"
    );
    assert_eq!(fired, SUBSCRIPTIONS, "{per_scheduler:?}");
    let client = store.pool().get().await.unwrap();
    let row = client
        .query_one(
            "SELECT count(*), count(DISTINCT aggregate_id) FROM events WHERE payload ? 'Fired'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (row.get::<_, i64>(0), row.get::<_, i64>(1)),
        (10_000, 10_000)
    );
    assert!(
        AsyncStore::<Meter>::due(&store, now, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_connection_mid_commit_writes_nothing() {
    let store = fresh_store("killed", 4).await;
    let id = AggregateId::from("acct-1");
    let key = IdempotencyKey::from("pay-1");
    let command = MeterCommand::Add(500);

    let mut client = store.pool().get().await.unwrap();
    let pid: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let transaction = client.transaction().await.unwrap();
    let engine = AsyncEngine::new(clock(), PgTransaction::new(&transaction));
    engine
        .execute::<Meter>(&id, &command, &(), Some(&key))
        .await
        .unwrap();
    // The command's rows are written, not yet committed: kill the backend.
    let admin = store.pool().get().await.unwrap();
    let killed: bool = admin
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap()
        .get(0);
    assert!(killed);
    // Through the store, the failure is a retryable backend error.
    let next = engine
        .execute::<Meter>(&id, &command, &(), Some(&key))
        .await;
    assert!(
        matches!(&next, Err(EngineError::Store(e @ StoreError::Backend { .. })) if e.is_retryable()),
        "{next:?}"
    );
    let commit = transaction.commit().await.unwrap_err();
    assert!(commit.is_closed() || commit.code().is_some(), "{commit}");
    drop(client);
    // Nothing partial is visible.
    for table in ["events", "idempotency", "aggregates"] {
        let row = admin
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, i64>(0), 0, "{table}");
    }
    // The retried keyed command converges to one answer.
    let engine = AsyncEngine::new(clock(), store.clone());
    let first = engine
        .execute::<Meter>(&id, &command, &(), Some(&key))
        .await
        .unwrap();
    let again = engine
        .execute::<Meter>(&id, &command, &(), Some(&key))
        .await
        .unwrap();
    assert_eq!((first.version, &again), (Version::new(1), &first));
    assert_eq!(engine.state::<Meter>(&id).await.unwrap().total, 500);
}
