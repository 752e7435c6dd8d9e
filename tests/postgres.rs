//! The PostgreSQL store against a live server (DATABASE_URL; a missing one
//! fails these tests).

#[path = "pg_support/mod.rs"]
mod pg_support;

use billing_rules::engine::{
    AggregateId, AsyncEngine, AsyncStore, EngineError, IdempotencyKey, StoreError, Version,
};
use billing_rules::postgres::{PgConfigError, PgStore, PgTransaction};
use billing_rules::time::FixedClock;
use chrono::{TimeZone, Utc};
use pg_support::{Meter, MeterCommand, MeterEvent, fresh_store};

fn clock() -> FixedClock {
    FixedClock::new(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
}

/// The engine's conformance suite, unchanged, on a fresh schema per check.
#[cfg(feature = "conformance")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conformance_suite_passes() {
    use billing_rules::engine::conformance::check_async_store;
    let result = check_async_store(|| fresh_store("conformance", 4)).await;
    assert_eq!(
        result.as_ref().err().map(ToString::to_string),
        None,
        "{result:?}"
    );
}

#[tokio::test]
async fn commands_round_trip_through_the_tables() {
    let store = fresh_store("round_trip", 2).await;
    let engine = AsyncEngine::new(clock(), store.clone());
    let id = AggregateId::from("acct-1");
    let key = IdempotencyKey::from("k-1");

    let first = engine
        .execute::<Meter>(&id, &MeterCommand::Add(500), &(), Some(&key))
        .await
        .unwrap();
    assert_eq!(
        (first.events.clone(), first.version),
        (vec![MeterEvent::Added(500)], Version::new(1))
    );
    // The retry returns the first answer, read back from the events table.
    let again = engine
        .execute::<Meter>(&id, &MeterCommand::Add(500), &(), Some(&key))
        .await
        .unwrap();
    assert_eq!(again, first);
    // A refusal is recorded under its key and does not move the version.
    let refused = engine
        .execute::<Meter>(
            &id,
            &MeterCommand::Add(-800),
            &(),
            Some(&IdempotencyKey::from("k-2")),
        )
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("800 asked, 500 left"),
        "{refused}"
    );
    let snapshot = AsyncStore::<Meter>::load(&store, &id).await.unwrap();
    assert_eq!(
        (snapshot.state.total, snapshot.version),
        (500, Version::new(1))
    );
    assert_eq!(engine.state::<Meter>(&id).await.unwrap().total, 500);
    // Unknown id: the initial state at version 0.
    let none = AsyncStore::<Meter>::load(&store, &AggregateId::from("nobody"))
        .await
        .unwrap();
    assert_eq!((none.state.total, none.version), (0, Version::INITIAL));
}

#[tokio::test]
async fn key_reused_with_another_command_is_refused() {
    let store = fresh_store("key_reused", 2).await;
    let engine = AsyncEngine::new(clock(), store.clone());
    let id = AggregateId::from("acct-1");
    let key = IdempotencyKey::from("pay-1");
    engine
        .execute::<Meter>(&id, &MeterCommand::Add(500), &(), Some(&key))
        .await
        .unwrap();

    let reused = engine
        .execute::<Meter>(&id, &MeterCommand::Add(900), &(), Some(&key))
        .await
        .unwrap_err();
    assert!(
        matches!(reused, EngineError::KeyReused { .. }),
        "{reused:?}"
    );
    assert!(reused.to_string().contains("pay-1"), "{reused}");
    // Nothing written: still one event of 500.
    let snapshot = AsyncStore::<Meter>::load(&store, &id).await.unwrap();
    assert_eq!(
        (snapshot.state.total, snapshot.version),
        (500, Version::new(1))
    );
}

#[tokio::test]
async fn a_row_that_no_longer_deserializes_is_a_data_error() {
    let store = fresh_store("bad_row", 2).await;
    let engine = AsyncEngine::new(clock(), store.clone());
    let id = AggregateId::from("acct-9");
    engine
        .execute::<Meter>(
            &id,
            &MeterCommand::Add(5),
            &(),
            Some(&IdempotencyKey::from("a")),
        )
        .await
        .unwrap();
    engine
        .execute::<Meter>(&id, &MeterCommand::Add(7), &(), None)
        .await
        .unwrap();

    let client = store.pool().get().await.unwrap();
    // An old shape of the event at version 2, and of the state.
    client
        .batch_execute(
            "UPDATE events SET payload = '{\"Credited\": \"7\"}' WHERE version = 2; \
             UPDATE aggregates SET state = '{\"balance\": 12}'",
        )
        .await
        .unwrap();
    let error = AsyncStore::<Meter>::load(&store, &id).await.unwrap_err();
    match &error {
        StoreError::Data {
            kind,
            id: bad,
            version,
            ..
        } => {
            assert_eq!(
                (kind.as_str(), bad.as_str(), *version),
                ("meter", "acct-9", Version::new(2))
            );
        }
        other => panic!("expected a data error, got {other:?}"),
    }
    assert!(!error.is_retryable());
    let events = AsyncStore::<Meter>::events_in(&store, &id, Version::INITIAL, Version::new(2))
        .await
        .unwrap_err();
    assert!(
        matches!(events, StoreError::Data { version, .. } if version == Version::new(2)),
        "{events:?}"
    );
    assert!(events.to_string().contains("acct-9"), "{events}");
    // The engine answers with the store's error, never a panic.
    let through_engine = engine
        .execute::<Meter>(&id, &MeterCommand::Add(1), &(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(through_engine, EngineError::Store(StoreError::Data { .. })),
        "{through_engine:?}"
    );
}

#[tokio::test]
async fn in_transaction_rollback_leaves_no_events_no_key_no_state() {
    let store = fresh_store("in_transaction", 2).await;
    let id = AggregateId::from("acct-1");
    let key = IdempotencyKey::from("order-7");
    {
        let mut client = store.pool().get().await.unwrap();
        client
            .batch_execute("CREATE TABLE orders (id text PRIMARY KEY)")
            .await
            .unwrap();
        let transaction = client.transaction().await.unwrap();
        transaction
            .execute("INSERT INTO orders VALUES ('order-7')", &[])
            .await
            .unwrap();
        let engine = AsyncEngine::new(clock(), PgTransaction::new(&transaction));
        let outcome = engine
            .execute::<Meter>(&id, &MeterCommand::Add(300), &(), Some(&key))
            .await
            .unwrap();
        assert_eq!(outcome.version, Version::new(1));
        // Visible inside the transaction, not outside it.
        assert_eq!(engine.state::<Meter>(&id).await.unwrap().total, 300);
        assert_eq!(
            AsyncStore::<Meter>::load(&store, &id)
                .await
                .unwrap()
                .version,
            Version::INITIAL
        );
        transaction.rollback().await.unwrap();
    }
    let client = store.pool().get().await.unwrap();
    for table in ["orders", "events", "idempotency", "aggregates"] {
        let row = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, i64>(0), 0, "{table}");
    }
    assert_eq!(
        AsyncStore::<Meter>::key(&store, &id, &key).await.unwrap(),
        None
    );
    drop(client);

    // Committed, the order and the billing events are there together.
    let mut client = store.pool().get().await.unwrap();
    let transaction = client.transaction().await.unwrap();
    transaction
        .execute("INSERT INTO orders VALUES ('order-7')", &[])
        .await
        .unwrap();
    let engine = AsyncEngine::new(clock(), PgTransaction::new(&transaction));
    engine
        .execute::<Meter>(&id, &MeterCommand::Add(300), &(), Some(&key))
        .await
        .unwrap();
    // A conflicting commit inside it is undone alone (its savepoint) and
    // the transaction stays usable.
    let duplicate = engine
        .execute::<Meter>(&id, &MeterCommand::Add(300), &(), Some(&key))
        .await
        .unwrap();
    assert_eq!(duplicate.version, Version::new(1));
    transaction.commit().await.unwrap();
    drop(client);
    let snapshot = AsyncStore::<Meter>::load(&store, &id).await.unwrap();
    assert_eq!(
        (snapshot.state.total, snapshot.version),
        (300, Version::new(1))
    );
}

#[tokio::test]
async fn due_index_and_partitioned_events() {
    let store = fresh_store("due", 2).await;
    // The partitioned option on its own schema.
    let partitioned =
        PgStore::with_schema(&pg_support::database_url(), "t_partitioned_events", 2).unwrap();
    let client = partitioned.pool().get().await.unwrap();
    client
        .batch_execute("DROP SCHEMA IF EXISTS t_partitioned_events CASCADE")
        .await
        .unwrap();
    drop(client);
    partitioned.migrate_partitioned().await.unwrap();

    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for store in [&store, &partitioned] {
        let engine = AsyncEngine::new(clock(), store.clone());
        for (n, hours) in [(1, -2), (2, -1), (3, 5)] {
            let at = now + chrono::Duration::hours(hours);
            engine
                .execute::<Meter>(
                    &AggregateId::from(format!("m-{n}")),
                    &MeterCommand::Remind(at),
                    &(),
                    None,
                )
                .await
                .unwrap();
        }
        let due = AsyncStore::<Meter>::due(store, now, 10).await.unwrap();
        let ids: Vec<_> = due.iter().map(|d| d.id.as_str().to_owned()).collect();
        assert_eq!(ids, ["m-1", "m-2"]);
        let tick = engine.tick::<Meter>(now, 10, &()).await.unwrap();
        assert_eq!((tick.advanced, tick.events), (2, 2));
        assert!(
            AsyncStore::<Meter>::due(store, now, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
    let client = partitioned.pool().get().await.unwrap();
    let parts = client
        .query_one(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(parts.get::<_, i64>(0), 8);
}

#[test]
fn a_schema_name_that_is_not_an_identifier_is_refused() {
    let error =
        PgStore::with_schema("postgres://u:p@127.0.0.1/db", "x; DROP TABLE events", 1).unwrap_err();
    assert!(matches!(error, PgConfigError::Schema { .. }));
    assert!(error.to_string().contains("x; DROP TABLE events"));
}
