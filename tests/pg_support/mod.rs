//! Shared by the PostgreSQL tests: the live server's URL (a missing
//! DATABASE_URL fails the test: these tests never skip), a fresh schema per
//! test so they run in parallel, and a small scheduled decider.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use billing_rules::engine::{Aggregate, Scheduled};
use billing_rules::postgres::PgStore;
use billing_rules::{Decider, Error, Reason, RuleId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The server's URL; `.ci/postgres-up` starts one and prints it.
pub fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "DATABASE_URL is not set: the `postgres` feature's tests need a live server. \
             Run `source .ci/postgres-up` (or point DATABASE_URL at your own server)"
        )
    })
}

/// A store in a schema no other test uses, migrated.
pub async fn fresh_store(test: &str, connections: usize) -> PgStore {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let schema = format!(
        "t_{test}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let store = PgStore::with_schema(&database_url(), &schema, connections).expect("store");
    // Drop what an earlier run with the same pid left.
    let client = store.pool().get().await.expect("connection");
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .await
        .expect("drop schema");
    drop(client);
    store.migrate().await.expect("migrate");
    store
}

/// A meter: amounts added (refusing a negative total), and one reminder
/// that fires when due.
pub struct Meter;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeterState {
    pub total: i64,
    pub due: Option<DateTime<Utc>>,
    pub fired: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeterCommand {
    Add(i64),
    Remind(DateTime<Utc>),
    Advance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeterEvent {
    Added(i64),
    Reminder(DateTime<Utc>),
    Fired(DateTime<Utc>),
}

impl Decider for Meter {
    type State = MeterState;
    type Command = MeterCommand;
    type Event = MeterEvent;
    type Policy = ();

    fn initial() -> MeterState {
        MeterState::default()
    }

    fn decide(
        state: &MeterState,
        command: &MeterCommand,
        now: DateTime<Utc>,
        _: &(),
    ) -> Result<Vec<MeterEvent>, Error> {
        match command {
            MeterCommand::Add(n) if state.total + n < 0 => {
                Err(Reason::new(RuleId::Use05, format!("{n} asked, {} left", state.total)).into())
            }
            MeterCommand::Add(n) => Ok(vec![MeterEvent::Added(*n)]),
            MeterCommand::Remind(at) => Ok(vec![MeterEvent::Reminder(*at)]),
            MeterCommand::Advance => Ok(state
                .due
                .filter(|due| *due <= now)
                .map(MeterEvent::Fired)
                .into_iter()
                .collect()),
        }
    }

    fn evolve(mut state: MeterState, event: &MeterEvent) -> MeterState {
        match event {
            MeterEvent::Added(n) => state.total += n,
            MeterEvent::Reminder(at) => state.due = Some(*at),
            MeterEvent::Fired(_) => {
                state.due = None;
                state.fired += 1;
            }
        }
        state
    }
}

impl Aggregate for Meter {
    const KIND: &'static str = "meter";
    const TIME_DRIVEN: bool = true;

    fn next_due(state: &MeterState, _: &()) -> Option<DateTime<Utc>> {
        state.due
    }
}

impl Scheduled for Meter {
    fn advance() -> MeterCommand {
        MeterCommand::Advance
    }
}
