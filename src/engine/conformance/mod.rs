//! The store conformance suite (feature `conformance`): one call from a
//! store implementer's own test checks the whole [`Store`] or
//! [`AsyncStore`] contract on fresh stores from a factory.
//!
//! It runs its own small aggregate, [`Probe`]: a store generic over every
//! [`Aggregate`] whose events and states (de)serialize keeps it like any
//! other kind.
//!
//! ```
//! use billing_rules::engine::MemoryStore;
//! use billing_rules::engine::conformance::check_store;
//!
//! check_store(MemoryStore::new)?;
//! # Ok::<(), billing_rules::engine::conformance::Failure>(())
//! ```
//!
//! An async store runs [`check_async_store`] from its async test (with
//! tokio: `check_async_store(|| async { PgStore::connect(..).await }).await`);
//! its concurrency check polls N futures at once in the calling task, so
//! it needs no runtime of its own.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::engine::async_engine::AsyncEngine;
use crate::engine::ids::AggregateId;
use crate::engine::ids::IdempotencyKey;
use crate::engine::ids::Version;
use crate::engine::store::Answer;
use crate::engine::store::AsyncStore;
use crate::engine::store::Commit;
use crate::engine::store::Due;
use crate::engine::store::KeyRecord;
use crate::engine::store::Snapshot;
use crate::engine::store::Store;
use crate::engine::store_error::StoreError;
use crate::error::Reason;
use crate::fingerprint::Fingerprint;
use crate::rule::RuleId;
use crate::time::FixedClock;

mod probe;

pub use probe::{Probe, ProbeEvent, ProbeState};

/// A check of the contract that failed: which, and what was seen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("store conformance: {check}: {detail}")]
pub struct Failure {
    /// The check.
    pub check: &'static str,
    /// What was expected and what the store did.
    pub detail: String,
}

fn ensure(ok: bool, check: &'static str, detail: impl FnOnce() -> String) -> Result<(), Failure> {
    if ok {
        Ok(())
    } else {
        Err(Failure {
            check,
            detail: detail(),
        })
    }
}

fn store_error(check: &'static str) -> impl FnOnce(StoreError) -> Failure {
    move |error| Failure {
        check,
        detail: format!("the store failed: {error}"),
    }
}

/// How many writers race, and how many commands each sends.
const WRITERS: u32 = 8;
const COMMANDS: u32 = 25;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn entry(writer: u32, n: u32) -> ProbeEvent {
    ProbeEvent::Entry { writer, n }
}

fn commit(expected: u64, events: Vec<ProbeEvent>, key: Option<KeyRecord>) -> Commit<ProbeEvent> {
    let next_due = events
        .iter()
        .rev()
        .find_map(|event| match event {
            ProbeEvent::Alarm { due } => Some(*due),
            ProbeEvent::Entry { .. } | ProbeEvent::Refuse => None,
        })
        .flatten();
    Commit {
        expected: Version::new(expected),
        events,
        recorded_at: t0(),
        next_due,
        policy: Fingerprint::ZERO,
        key,
    }
}

fn record(key: &str, answer: Answer) -> KeyRecord {
    KeyRecord {
        key: IdempotencyKey::from(key),
        command: Fingerprint::from_u128(7),
        policy: Fingerprint::from_u128(11),
        answer,
    }
}

fn accepted(after: u64, version: u64) -> Answer {
    Answer::Accepted {
        after: Version::new(after),
        version: Version::new(version),
        decided_at: t0(),
    }
}

/// A sync store seen through the async contract: every answer ready at
/// once, so one suite checks both.
struct Ready<'a, S>(&'a S);

impl<S: Store<Probe> + Sync> AsyncStore<Probe> for Ready<'_, S> {
    fn load(
        &self,
        id: &AggregateId,
    ) -> impl Future<Output = Result<Snapshot<ProbeState>, StoreError>> + Send {
        std::future::ready(self.0.load(id))
    }
    fn key(
        &self,
        id: &AggregateId,
        key: &IdempotencyKey,
    ) -> impl Future<Output = Result<Option<KeyRecord>, StoreError>> + Send {
        std::future::ready(self.0.key(id, key))
    }
    fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> impl Future<Output = Result<Vec<ProbeEvent>, StoreError>> + Send {
        std::future::ready(self.0.events_in(id, after, through))
    }
    fn append(
        &self,
        id: &AggregateId,
        commit: Commit<ProbeEvent>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        std::future::ready(self.0.append(id, commit))
    }
    fn record_refusal(
        &self,
        id: &AggregateId,
        record: KeyRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        std::future::ready(self.0.record_refusal(id, record))
    }
    fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Due>, StoreError>> + Send {
        std::future::ready(self.0.due(now, limit))
    }
}

/// Polls a future whose answers are all ready to completion.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// Checks the whole [`Store`] contract on stores from `fresh` (each check
/// on a new one): load of an unknown id, append at the right and wrong
/// version, key recorded / duplicate / refusal recorded, atomicity, the
/// due index, and [`WRITERS`](self) threads racing on one aggregate
/// through the [`Engine`](crate::engine::Engine) (no event lost or
/// duplicated, versions contiguous).
///
/// # Errors
/// The first check that failed.
pub fn check_store<S, F>(fresh: F) -> Result<(), Failure>
where
    S: Store<Probe> + Sync,
    F: Fn() -> S,
{
    for check in CHECKS {
        let store = fresh();
        block_on(check.run(&Ready(&store)))?;
    }
    let store = fresh();
    let id = AggregateId::from("raced");
    let engine = crate::engine::Engine::new(FixedClock::new(t0()), &store).with_retries(u32::MAX);
    let answers: Vec<Result<(), Failure>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let (engine, id) = (&engine, &id);
                scope.spawn(move || {
                    for n in 0..COMMANDS {
                        engine
                            .execute::<Probe>(id, &entry(writer, n), &(), None)
                            .map_err(|error| Failure {
                                check: "concurrency",
                                detail: format!("writer {writer}, command {n}: {error}"),
                            })?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(Failure {
                        check: "concurrency",
                        detail: "a writer thread panicked".to_owned(),
                    })
                })
            })
            .collect()
    });
    for answer in answers {
        answer?;
    }
    check_raced(&store.load(&id).map_err(store_error("concurrency"))?)
}

/// Checks the whole [`AsyncStore`] contract on stores from `fresh`: the
/// checks of [`check_store`], the race as [`WRITERS`](self) futures polled
/// at once in the calling task through the
/// [`AsyncEngine`](crate::engine::AsyncEngine).
///
/// # Errors
/// The first check that failed.
pub async fn check_async_store<S, F, Fut>(fresh: F) -> Result<(), Failure>
where
    S: AsyncStore<Probe>,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    for check in CHECKS {
        let store = fresh().await;
        check.run(&store).await?;
    }
    let store = fresh().await;
    let id = AggregateId::from("raced");
    let engine = AsyncEngine::new(FixedClock::new(t0()), &store).with_retries(u32::MAX);
    let writers: Vec<Writer<'_>> = (0..WRITERS)
        .map(|writer| {
            let (engine, id) = (&engine, &id);
            let future: Writer<'_> = Box::pin(async move {
                for n in 0..COMMANDS {
                    engine
                        .execute::<Probe>(id, &entry(writer, n), &(), None)
                        .await
                        .map_err(|error| Failure {
                            check: "concurrency",
                            detail: format!("writer {writer}, command {n}: {error}"),
                        })?;
                }
                Ok(())
            });
            future
        })
        .collect();
    for answer in JoinAll::new(writers).await {
        answer?;
    }
    check_raced(&store.load(&id).await.map_err(store_error("concurrency"))?)
}

/// One racing writer's commands, as a future.
type Writer<'a> = Pin<Box<dyn Future<Output = Result<(), Failure>> + Send + 'a>>;

/// Every writer's commands are in the stream once, each writer's in order,
/// and the version counts them all.
fn check_raced(snapshot: &Snapshot<ProbeState>) -> Result<(), Failure> {
    let total = u64::from(WRITERS * COMMANDS);
    ensure(
        snapshot.version == Version::new(total),
        "concurrency",
        || {
            format!(
                "{total} commands raced, the stream is at version {}",
                snapshot.version
            )
        },
    )?;
    for writer in 0..WRITERS {
        let mine: Vec<u32> = snapshot
            .state
            .entries
            .iter()
            .filter(|(w, _)| *w == writer)
            .map(|(_, n)| *n)
            .collect();
        ensure(
            mine == (0..COMMANDS).collect::<Vec<_>>(),
            "concurrency",
            || {
                format!(
                    "writer {writer}'s entries are {mine:?}, expected 0..{COMMANDS} once each, in order"
                )
            },
        )?;
    }
    Ok(())
}

/// Polls every future in turn with the caller's context until all are
/// ready: concurrency in one task, without a runtime.
struct JoinAll<'a, T> {
    futures: Vec<Option<Pin<Box<dyn Future<Output = T> + Send + 'a>>>>,
    answers: Vec<Option<T>>,
}

impl<'a, T> JoinAll<'a, T> {
    fn new(futures: Vec<Pin<Box<dyn Future<Output = T> + Send + 'a>>>) -> JoinAll<'a, T> {
        let answers = futures.iter().map(|_| None).collect();
        JoinAll {
            futures: futures.into_iter().map(Some).collect(),
            answers,
        }
    }
}

impl<T> Future for JoinAll<'_, T> {
    type Output = Vec<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<T>> {
        let this = self.get_mut();
        let mut pending = false;
        for (slot, answer) in this.futures.iter_mut().zip(this.answers.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        *answer = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            return Poll::Pending;
        }
        Poll::Ready(this.answers.iter_mut().filter_map(Option::take).collect())
    }
}

impl<T> Unpin for JoinAll<'_, T> {}

/// One check of the contract, run on a fresh store.
#[derive(Debug, Clone, Copy)]
enum Check {
    UnknownId,
    Versions,
    Keys,
    Atomicity,
    DueIndex,
}

const CHECKS: [Check; 5] = [
    Check::UnknownId,
    Check::Versions,
    Check::Keys,
    Check::Atomicity,
    Check::DueIndex,
];

impl Check {
    async fn run<S: AsyncStore<Probe>>(self, store: &S) -> Result<(), Failure> {
        match self {
            Check::UnknownId => unknown_id(store).await,
            Check::Versions => versions(store).await,
            Check::Keys => keys(store).await,
            Check::Atomicity => atomicity(store).await,
            Check::DueIndex => due_index(store).await,
        }
    }
}

async fn unknown_id<S: AsyncStore<Probe>>(store: &S) -> Result<(), Failure> {
    const CHECK: &str = "load of an unknown id";
    let id = AggregateId::from("nobody");
    let snapshot = store.load(&id).await.map_err(store_error(CHECK))?;
    ensure(
        snapshot == Snapshot::empty(ProbeState::default()),
        CHECK,
        || format!("expected the initial state at version 0, got {snapshot:?}"),
    )?;
    let key = store
        .key(&id, &IdempotencyKey::from("k"))
        .await
        .map_err(store_error(CHECK))?;
    ensure(key.is_none(), CHECK, || {
        format!("an unknown id holds key record {key:?}")
    })?;
    let due = store
        .due(t0() + Duration::days(36_500), 10)
        .await
        .map_err(store_error(CHECK))?;
    ensure(due.is_empty(), CHECK, || {
        format!("an empty store has due aggregates {due:?}")
    })
}

async fn versions<S: AsyncStore<Probe>>(store: &S) -> Result<(), Failure> {
    const CHECK: &str = "append at the right and wrong version";
    let id = AggregateId::from("a");
    store
        .append(&id, commit(0, vec![entry(0, 0), entry(0, 1)], None))
        .await
        .map_err(store_error(CHECK))?;
    for expected in [0, 1, 3] {
        let answer = store
            .append(&id, commit(expected, vec![entry(9, 9)], None))
            .await;
        ensure(
            answer
                == Err(StoreError::Conflict {
                    expected: Version::new(expected),
                    actual: Version::new(2),
                }),
            CHECK,
            || {
                format!(
                    "append at version {expected} of a stream at 2 answered {answer:?}, expected a conflict naming both"
                )
            },
        )?;
    }
    let later = Commit {
        recorded_at: t0() + Duration::hours(1),
        ..commit(2, vec![entry(0, 2)], None)
    };
    store.append(&id, later).await.map_err(store_error(CHECK))?;
    let snapshot = store.load(&id).await.map_err(store_error(CHECK))?;
    let expected = ProbeState {
        entries: vec![(0, 0), (0, 1), (0, 2)],
        due: None,
    };
    ensure(
        snapshot.state == expected
            && snapshot.version == Version::new(3)
            && snapshot.last_recorded_at == Some(t0() + Duration::hours(1)),
        CHECK,
        || format!("after 3 events, got {snapshot:?}"),
    )?;
    let events = store
        .events_in(&id, Version::new(1), Version::new(3))
        .await
        .map_err(store_error(CHECK))?;
    ensure(events == vec![entry(0, 1), entry(0, 2)], CHECK, || {
        format!("events at versions 2..=3 read back as {events:?}")
    })
}

async fn keys<S: AsyncStore<Probe>>(store: &S) -> Result<(), Failure> {
    const CHECK: &str = "idempotency key records";
    let id = AggregateId::from("a");
    let first = record("k", accepted(0, 1));
    store
        .append(&id, commit(0, vec![entry(0, 0)], Some(first.clone())))
        .await
        .map_err(store_error(CHECK))?;
    let read = store
        .key(&id, &first.key)
        .await
        .map_err(store_error(CHECK))?;
    ensure(read.as_ref() == Some(&first), CHECK, || {
        format!("recorded {first:?}, read back {read:?}")
    })?;
    let again = store
        .append(
            &id,
            commit(1, vec![entry(0, 1)], Some(record("k", accepted(1, 2)))),
        )
        .await;
    ensure(
        again
            == Err(StoreError::Duplicate {
                key: first.key.clone(),
            }),
        CHECK,
        || format!("a second commit under a recorded key answered {again:?}, expected Duplicate"),
    )?;
    let refusal = record(
        "r",
        Answer::Refused {
            error: Reason::new(RuleId::Use05, "refused").into(),
            decided_at: t0(),
        },
    );
    store
        .record_refusal(&id, refusal.clone())
        .await
        .map_err(store_error(CHECK))?;
    let twice = store.record_refusal(&id, refusal.clone()).await;
    ensure(
        twice
            == Err(StoreError::Duplicate {
                key: refusal.key.clone(),
            }),
        CHECK,
        || format!("a refusal recorded twice answered {twice:?}, expected Duplicate"),
    )?;
    let snapshot = store.load(&id).await.map_err(store_error(CHECK))?;
    ensure(snapshot.version == Version::new(1), CHECK, || {
        format!(
            "a recorded refusal or a duplicate moved the version to {}",
            snapshot.version
        )
    })?;
    let read = store
        .key(&id, &refusal.key)
        .await
        .map_err(store_error(CHECK))?;
    ensure(read.as_ref() == Some(&refusal), CHECK, || {
        format!("recorded {refusal:?}, read back {read:?}")
    })?;
    // Keys are scoped to their aggregate.
    let other = store
        .key(&AggregateId::from("b"), &first.key)
        .await
        .map_err(store_error(CHECK))?;
    ensure(other.is_none(), CHECK, || {
        format!("another aggregate sees key record {other:?}")
    })
}

async fn atomicity<S: AsyncStore<Probe>>(store: &S) -> Result<(), Failure> {
    const CHECK: &str = "atomicity";
    let id = AggregateId::from("a");
    store
        .append(
            &id,
            commit(0, vec![entry(0, 0)], Some(record("k", accepted(0, 1)))),
        )
        .await
        .map_err(store_error(CHECK))?;
    // A conflict writes neither events nor key; a duplicate writes no events.
    let _ = store
        .append(
            &id,
            commit(0, vec![entry(1, 0)], Some(record("new", accepted(0, 1)))),
        )
        .await;
    let _ = store
        .append(
            &id,
            commit(
                1,
                vec![entry(2, 0), ProbeEvent::Alarm { due: Some(t0()) }],
                Some(record("k", accepted(1, 3))),
            ),
        )
        .await;
    let snapshot = store.load(&id).await.map_err(store_error(CHECK))?;
    ensure(
        snapshot.version == Version::new(1) && snapshot.state.entries == vec![(0, 0)],
        CHECK,
        || format!("refused commits left {snapshot:?}"),
    )?;
    let key = store
        .key(&id, &IdempotencyKey::from("new"))
        .await
        .map_err(store_error(CHECK))?;
    ensure(key.is_none(), CHECK, || {
        format!("a conflicting commit recorded its key: {key:?}")
    })?;
    let due = store.due(t0(), 10).await.map_err(store_error(CHECK))?;
    ensure(due.is_empty(), CHECK, || {
        format!("a refused commit indexed its next_due: {due:?}")
    })
}

async fn due_index<S: AsyncStore<Probe>>(store: &S) -> Result<(), Failure> {
    const CHECK: &str = "due index";
    let at = |minutes: i64| t0() + Duration::minutes(minutes);
    for (name, minutes) in [("c", 30), ("a", 10), ("b", 20), ("d", 20)] {
        let alarm = ProbeEvent::Alarm {
            due: Some(at(minutes)),
        };
        store
            .append(&AggregateId::from(name), commit(0, vec![alarm], None))
            .await
            .map_err(store_error(CHECK))?;
    }
    let due = |now: i64, limit: usize| async move {
        store.due(at(now), limit).await.map(|due| {
            due.into_iter()
                .map(|due| format!("{}@{}", due.id, (due.at - t0()).num_minutes()))
                .collect::<Vec<_>>()
        })
    };
    let seen = due(20, 10).await.map_err(store_error(CHECK))?;
    ensure(seen == ["a@10", "b@20", "d@20"], CHECK, || {
        format!(
            "due at +20 min: expected a@10, b@20, d@20 (earliest first, ties by id), got {seen:?}"
        )
    })?;
    let seen = due(60, 2).await.map_err(store_error(CHECK))?;
    ensure(seen == ["a@10", "b@20"], CHECK, || {
        format!("limit 2: got {seen:?}")
    })?;
    // A commit moves or clears the aggregate's entry.
    store
        .append(
            &AggregateId::from("a"),
            commit(1, vec![ProbeEvent::Alarm { due: None }], None),
        )
        .await
        .map_err(store_error(CHECK))?;
    store
        .append(
            &AggregateId::from("b"),
            commit(1, vec![ProbeEvent::Alarm { due: Some(at(40)) }], None),
        )
        .await
        .map_err(store_error(CHECK))?;
    let seen = due(60, 10).await.map_err(store_error(CHECK))?;
    ensure(seen == ["d@20", "c@30", "b@40"], CHECK, || {
        format!("after clearing a and moving b to +40 min: got {seen:?}")
    })
}
