//! The server restarted during a run of keyed commands loses nothing
//! (DATABASE_URL and BILLING_RULES_PG_RESTART, the command that restarts
//! the server: `.ci/postgres-up` sets both; missing ones fail the test).

#[path = "pg_support/mod.rs"]
mod pg_support;

use std::collections::BTreeMap;

use billing_rules::engine::{AggregateId, AsyncEngine, EngineError, IdempotencyKey, StoreError};
use billing_rules::time::FixedClock;
use chrono::{TimeZone, Utc};
use pg_support::{Meter, MeterCommand, fresh_store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_server_loses_nothing() {
    let restart = std::env::var("BILLING_RULES_PG_RESTART").unwrap_or_else(|_| {
        panic!("BILLING_RULES_PG_RESTART is not set: `source .ci/postgres-up` sets it")
    });
    let store = fresh_store("restart", 4).await;
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    let engine = AsyncEngine::new(clock, store.clone());
    let id = AggregateId::from("acct-1");

    let restarting = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let status = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(&restart)
            .status()
            .await;
        assert!(status.is_ok_and(|s| s.success()), "`{restart}` failed");
    });

    let mut acknowledged = BTreeMap::new();
    let mut failed_retryably = 0;
    let mut n = 0u32;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    // Keyed commands until well after the restart; a failed one is retried
    // with its key, as a client would.
    while (n < 200 || !restarting.is_finished()) && std::time::Instant::now() < deadline {
        let key = IdempotencyKey::from(format!("c-{n}"));
        match engine
            .execute::<Meter>(&id, &MeterCommand::Add(1), &(), Some(&key))
            .await
        {
            Ok(outcome) => {
                acknowledged.insert(key, outcome);
                n += 1;
            }
            Err(EngineError::Store(e @ StoreError::Backend { .. })) => {
                assert!(e.is_retryable(), "in-flight command failed for good: {e}");
                failed_retryably += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    restarting.await.unwrap();
    assert!(failed_retryably > 0, "the restart interrupted no command");
    assert_eq!(acknowledged.len(), n as usize);
    // Every acknowledged command is there, once; retries converge to the
    // first answer.
    for (key, outcome) in &acknowledged {
        let again = engine
            .execute::<Meter>(&id, &MeterCommand::Add(1), &(), Some(key))
            .await
            .unwrap();
        assert_eq!(&again, outcome, "{key}");
    }
    let state = engine.state::<Meter>(&id).await.unwrap();
    assert_eq!(state.total, i64::from(n));
}
