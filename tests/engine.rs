//! The engine (issue 7, phase 1): injected clock and store, idempotent
//! commands, optimistic concurrency. The aggregates here are test-only
//! deciders; the real ones are wired in phase 2.

use std::collections::HashMap;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use billing_rules::engine::{
    Aggregate, AggregateId, Answer, Commit, Due, Engine, EngineError, IdempotencyKey, KeyRecord,
    MemoryStore, Outcome, Snapshot, Store, StoreError, Version,
};
use billing_rules::time::{Clock, FixedClock};
use billing_rules::{ArithmeticError, Error, Figure, Reason, RuleId};
use billing_rules::{Decider, Fingerprint};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

// ------------------------------------------------------- test deciders

/// A prepaid account: opened once, deposits up to a ceiling (the policy),
/// withdrawals of what is there; closing pays the rest out.
struct Account;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum AccountState {
    Unopened,
    Open {
        balance: u64,
        opened_at: DateTime<Utc>,
    },
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum AccountCommand {
    Open,
    Deposit(u64),
    Withdraw(u64),
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum AccountEvent {
    Opened { at: DateTime<Utc> },
    Deposited(u64),
    Withdrew(u64),
    Closed,
}

use AccountCommand::{Close, Deposit, Open, Withdraw};
use AccountEvent::{Closed, Deposited, Opened, Withdrew};

fn refuse(message: &str) -> Error {
    Reason::new(RuleId::Use05, message).into()
}

impl Aggregate for Account {
    const KIND: &'static str = "account";
}

impl Decider for Account {
    type State = AccountState;
    type Command = AccountCommand;
    type Event = AccountEvent;
    type Policy = u64;

    fn initial() -> AccountState {
        AccountState::Unopened
    }

    fn decide(
        state: &AccountState,
        command: &AccountCommand,
        now: DateTime<Utc>,
        ceiling: &u64,
    ) -> Result<Vec<AccountEvent>, Error> {
        match (state, command) {
            (AccountState::Unopened, Open) => Ok(vec![Opened { at: now }]),
            (AccountState::Unopened, _) => Err(refuse("the account is not open")),
            (AccountState::Closed, _) => Err(refuse("the account is closed")),
            (AccountState::Open { .. }, Open) => Err(refuse("the account is already open")),
            (AccountState::Open { .. }, Deposit(0)) => Ok(vec![]),
            (AccountState::Open { balance, .. }, Deposit(n)) => {
                let total = balance
                    .checked_add(*n)
                    .ok_or(ArithmeticError::overflow("deposit"))?;
                if total > *ceiling {
                    return Err(Reason::new(RuleId::Use05, "the deposit passes the ceiling")
                        .with(Figure::count("balance", *balance))
                        .with(Figure::count("ceiling", *ceiling))
                        .into());
                }
                Ok(vec![Deposited(*n)])
            }
            (AccountState::Open { balance, .. }, Withdraw(n)) if n > balance => {
                Err(Reason::new(RuleId::Use05, "not enough money")
                    .with(Figure::count("balance", *balance))
                    .into())
            }
            (AccountState::Open { .. }, Withdraw(n)) => Ok(vec![Withdrew(*n)]),
            (AccountState::Open { balance: 0, .. }, Close) => Ok(vec![Closed]),
            (AccountState::Open { balance, .. }, Close) => Ok(vec![Withdrew(*balance), Closed]),
        }
    }

    fn evolve(state: AccountState, event: &AccountEvent) -> AccountState {
        match (state, event) {
            (_, Opened { at }) => AccountState::Open {
                balance: 0,
                opened_at: *at,
            },
            (AccountState::Open { balance, opened_at }, Deposited(n)) => AccountState::Open {
                balance: balance.saturating_add(*n),
                opened_at,
            },
            (AccountState::Open { balance, opened_at }, Withdrew(n)) => AccountState::Open {
                balance: balance.saturating_sub(*n),
                opened_at,
            },
            (_, Closed) => AccountState::Closed,
            (state, _) => state,
        }
    }
}

/// A second kind: a counter that always accepts.
struct Counter;

impl Aggregate for Counter {
    const KIND: &'static str = "counter";
}

impl Decider for Counter {
    type State = u64;
    type Command = u64;
    type Event = u64;
    type Policy = ();

    fn initial() -> u64 {
        0
    }

    fn decide(_: &u64, add: &u64, _: DateTime<Utc>, _: &()) -> Result<Vec<u64>, Error> {
        Ok(vec![*add])
    }

    fn evolve(state: u64, add: &u64) -> u64 {
        state.saturating_add(*add)
    }
}

const CEILING: u64 = 1_000;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
}

fn new_engine() -> Engine<FixedClock, MemoryStore> {
    Engine::new(FixedClock::new(t0()), MemoryStore::new())
}

fn id(text: &str) -> AggregateId {
    AggregateId::from(text)
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::from(text)
}

/// A refused answer recorded under `text`, as a hand-made commit carries it.
fn refused_record(text: &str) -> KeyRecord {
    KeyRecord {
        key: key(text),
        command: Fingerprint::of(&Withdraw(1)).unwrap(),
        policy: Fingerprint::ZERO,
        answer: Answer::Refused {
            error: refuse("x"),
            decided_at: t0(),
        },
    }
}

fn balance(state: &AccountState) -> u64 {
    match state {
        AccountState::Open { balance, .. } => *balance,
        _ => 0,
    }
}

/// An open account holding `amount`, at version 2 (version 1 when zero).
fn funded<C: Clock, S: Store<Account>>(engine: &Engine<C, S>, account: &AggregateId, amount: u64) {
    engine
        .execute::<Account>(account, &Open, &CEILING, None)
        .unwrap();
    engine
        .execute::<Account>(account, &Deposit(amount), &CEILING, None)
        .unwrap();
}

// ------------------------------------------------------- loading

#[test]
fn unknown_id_loads_the_initial_state_at_version_zero() {
    let engine = new_engine();
    assert_eq!(
        engine.state::<Account>(&id("nobody")).unwrap(),
        AccountState::Unopened
    );
    assert_eq!(
        Store::<Account>::load(engine.store(), &id("nobody")).unwrap(),
        Snapshot {
            state: AccountState::Unopened,
            version: Version::INITIAL,
            last_recorded_at: None,
        }
    );
    assert!(engine.store().events::<Account>(&id("nobody")).is_empty());
    assert!(engine.store().ids::<Account>().is_empty());
}

// ------------------------------------------------------- appending

#[test]
fn accepted_command_appends_its_events_and_advances_the_version() {
    let engine = new_engine();
    let account = id("a");
    let opened = engine
        .execute::<Account>(&account, &Open, &CEILING, None)
        .unwrap();
    assert_eq!(
        opened,
        Outcome {
            events: vec![Opened { at: t0() }],
            version: Version::new(1),
            decided_at: t0(),
        }
    );
    engine.clock().advance(Duration::hours(1)).unwrap();
    engine
        .execute::<Account>(&account, &Deposit(300), &CEILING, None)
        .unwrap();
    // Closing pays the 300 out: two events from one command.
    let closed = engine
        .execute::<Account>(&account, &Close, &CEILING, None)
        .unwrap();
    assert_eq!(closed.events, vec![Withdrew(300), Closed]);
    assert_eq!(closed.version, Version::new(4));
    assert_eq!(closed.decided_at, t0() + Duration::hours(1));
    assert_eq!(
        engine.store().events::<Account>(&account),
        vec![Opened { at: t0() }, Deposited(300), Withdrew(300), Closed]
    );
    assert_eq!(
        engine.state::<Account>(&account).unwrap(),
        AccountState::Closed
    );
    assert_eq!(engine.store().ids::<Account>(), vec![account]);
}

#[test]
fn the_engine_decides_at_the_injected_clock() {
    let engine = new_engine();
    let account = id("a");
    engine.clock().set(t0() + Duration::days(400));
    engine
        .execute::<Account>(&account, &Open, &CEILING, None)
        .unwrap();
    assert_eq!(
        engine.state::<Account>(&account).unwrap(),
        AccountState::Open {
            balance: 0,
            opened_at: t0() + Duration::days(400)
        }
    );
}

#[test]
fn accepted_command_with_no_events_writes_nothing() {
    let engine = new_engine();
    let account = id("a");
    funded(&engine, &account, 100);
    let nothing = engine
        .execute::<Account>(&account, &Deposit(0), &CEILING, None)
        .unwrap();
    assert_eq!((nothing.events, nothing.version), (vec![], Version::new(2)));
    assert_eq!(engine.store().events::<Account>(&account).len(), 2);
}

#[test]
fn aggregates_of_two_kinds_with_one_id_are_separate_streams() {
    let engine = new_engine();
    let shared = id("account-42");
    funded(&engine, &shared, 100);
    let counted = engine.execute::<Counter>(&shared, &7, &(), None).unwrap();
    // The counter's stream starts at 1, not after the account's 2 events.
    assert_eq!(counted.version, Version::new(1));
    assert_eq!(engine.state::<Counter>(&shared).unwrap(), 7);
    assert_eq!(balance(&engine.state::<Account>(&shared).unwrap()), 100);
    assert_eq!(engine.store().events::<Counter>(&shared), vec![7]);
    assert_eq!(engine.store().events::<Account>(&shared).len(), 2);
}

// ------------------------------------------------------- refusals

#[test]
fn refused_command_leaves_the_stream_unchanged() {
    let engine = new_engine();
    let account = id("a");
    funded(&engine, &account, 100);
    let before = engine.store().events::<Account>(&account);

    let error = engine
        .execute::<Account>(&account, &Withdraw(150), &CEILING, None)
        .unwrap_err();
    let refusal = error.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use05);
    assert_eq!(refusal.figure("balance").unwrap().to_string(), "100");

    // With a key, only the key's record is written, never an event.
    engine
        .execute::<Account>(&account, &Deposit(901), &CEILING, Some(&key("k")))
        .unwrap_err();
    assert_eq!(engine.store().events::<Account>(&account), before);
    assert_eq!(
        Store::<Account>::load(engine.store(), &account)
            .unwrap()
            .version,
        Version::new(2)
    );
    assert_eq!(balance(&engine.state::<Account>(&account).unwrap()), 100);
}

#[test]
fn refused_command_on_an_unknown_id_leaves_it_unknown() {
    let engine = new_engine();
    engine
        .execute::<Account>(&id("ghost"), &Deposit(5), &CEILING, None)
        .unwrap_err();
    assert!(engine.store().ids::<Account>().is_empty());
    assert_eq!(
        engine.state::<Account>(&id("ghost")).unwrap(),
        AccountState::Unopened
    );
}

// ------------------------------------------------------- idempotency

#[test]
fn retried_command_returns_the_first_result_and_writes_nothing() {
    let engine = new_engine();
    let account = id("a");
    funded(&engine, &account, 100);
    let pay = key("pay-1");
    let first = engine
        .execute::<Account>(&account, &Deposit(50), &CEILING, Some(&pay))
        .unwrap();
    assert_eq!(first.events, vec![Deposited(50)]);
    assert_eq!(first.version, Version::new(3));

    // Other commands run, the clock moves, then the retry comes.
    engine.clock().advance(Duration::days(3)).unwrap();
    engine
        .execute::<Account>(&account, &Withdraw(30), &CEILING, None)
        .unwrap();
    let events = engine.store().events::<Account>(&account);

    let retry = engine
        .execute::<Account>(&account, &Deposit(50), &CEILING, Some(&pay))
        .unwrap();
    assert_eq!(retry, first);
    assert_eq!(retry.decided_at, t0());
    assert_eq!(engine.store().events::<Account>(&account), events);
    assert_eq!(balance(&engine.state::<Account>(&account).unwrap()), 120);
}

#[test]
fn retried_refusal_stays_refused_after_the_state_changes() {
    let engine = new_engine();
    let account = id("a");
    funded(&engine, &account, 100);
    let spend = key("spend-1");
    let first = engine
        .execute::<Account>(&account, &Withdraw(150), &CEILING, Some(&spend))
        .unwrap_err();
    // Enough money arrives; the retry would now be accepted, but a retry
    // never changes anything: it returns the first refusal.
    engine
        .execute::<Account>(&account, &Deposit(100), &CEILING, None)
        .unwrap();
    let retry = engine
        .execute::<Account>(&account, &Withdraw(150), &CEILING, Some(&spend))
        .unwrap_err();
    assert_eq!(retry, first);
    assert_eq!(balance(&engine.state::<Account>(&account).unwrap()), 200);
    // A new key is a new command.
    engine
        .execute::<Account>(&account, &Withdraw(150), &CEILING, Some(&key("spend-2")))
        .unwrap();
    assert_eq!(balance(&engine.state::<Account>(&account).unwrap()), 50);
}

#[test]
fn retried_arithmetic_fault_returns_the_first_fault() {
    let engine = new_engine();
    let account = id("a");
    engine
        .execute::<Account>(&account, &Open, &u64::MAX, None)
        .unwrap();
    engine
        .execute::<Account>(&account, &Deposit(u64::MAX), &u64::MAX, None)
        .unwrap();
    let first = engine
        .execute::<Account>(&account, &Deposit(1), &u64::MAX, Some(&key("k")))
        .unwrap_err();
    assert_eq!(
        first,
        EngineError::from(ArithmeticError::overflow("deposit"))
    );
    engine
        .execute::<Account>(&account, &Withdraw(10), &u64::MAX, None)
        .unwrap();
    let retry = engine
        .execute::<Account>(&account, &Deposit(1), &u64::MAX, Some(&key("k")))
        .unwrap_err();
    assert_eq!(retry, first);
    assert_eq!(engine.store().events::<Account>(&account).len(), 3);
}

#[test]
fn accepted_command_with_no_events_is_remembered_under_its_key() {
    let engine = new_engine();
    let account = id("a");
    funded(&engine, &account, 100);
    let first = engine
        .execute::<Account>(&account, &Deposit(0), &CEILING, Some(&key("k")))
        .unwrap();
    assert_eq!(
        Store::<Account>::key(engine.store(), &account, &key("k"))
            .unwrap()
            .map(|record| record.answer),
        Some(Answer::Accepted {
            after: first.version,
            version: first.version,
            decided_at: first.decided_at
        })
    );
    engine.clock().advance(Duration::days(1)).unwrap();
    assert_eq!(
        engine
            .execute::<Account>(&account, &Deposit(0), &CEILING, Some(&key("k")))
            .unwrap(),
        first
    );
    assert_eq!(engine.store().events::<Account>(&account).len(), 2);
}

#[test]
fn idempotency_keys_are_scoped_to_one_aggregate() {
    let engine = new_engine();
    funded(&engine, &id("a"), 100);
    funded(&engine, &id("b"), 100);
    let same = key("deposit");
    engine
        .execute::<Account>(&id("a"), &Deposit(10), &CEILING, Some(&same))
        .unwrap();
    engine
        .execute::<Account>(&id("b"), &Deposit(20), &CEILING, Some(&same))
        .unwrap();
    assert_eq!(balance(&engine.state::<Account>(&id("a")).unwrap()), 110);
    assert_eq!(balance(&engine.state::<Account>(&id("b")).unwrap()), 120);
}

#[test]
fn concurrent_copies_of_one_command_append_once() {
    let store = Arc::new(MemoryStore::new());
    let account = id("shared");
    funded(&Engine::new(FixedClock::new(t0()), &*store), &account, 0);
    let threads = 4;
    let barrier = Arc::new(Barrier::new(threads));
    let answers: Vec<_> = (0..threads)
        .map(|_| {
            let (store, barrier, account) =
                (Arc::clone(&store), Arc::clone(&barrier), account.clone());
            thread::spawn(move || {
                let engine = Engine::new(FixedClock::new(t0()), store);
                barrier.wait();
                engine
                    .execute::<Account>(&account, &Deposit(5), &CEILING, Some(&key("once")))
                    .unwrap()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect();
    assert!(answers.iter().all(|answer| *answer == answers[0]));
    assert_eq!(answers[0].events, vec![Deposited(5)]);
    assert_eq!(
        store.events::<Account>(&account),
        vec![Opened { at: t0() }, Deposited(5)]
    );
}

// ------------------------------------------------------- optimistic concurrency

#[test]
fn store_refuses_a_stale_commit_and_writes_nothing() {
    let store = MemoryStore::new();
    let account = id("a");
    funded(&Engine::new(FixedClock::new(t0()), &store), &account, 100);
    let stale = Commit {
        expected: Version::new(1),
        events: vec![Deposited(1)],
        recorded_at: t0(),
        next_due: None,
        policy: Fingerprint::ZERO,
        key: Some(refused_record("k")),
    };
    assert_eq!(
        Store::<Account>::append(&store, &account, stale),
        Err(StoreError::Conflict {
            expected: Version::new(1),
            actual: Version::new(2)
        })
    );
    assert_eq!(store.events::<Account>(&account).len(), 2);
    assert_eq!(
        Store::<Account>::key(&store, &account, &key("k")).unwrap(),
        None
    );
    assert_eq!(
        balance(&Store::<Account>::load(&store, &account).unwrap().state),
        100
    );
}

#[test]
fn store_refuses_a_recorded_key_and_writes_nothing() {
    let store = MemoryStore::new();
    let account = id("a");
    let engine = Engine::new(FixedClock::new(t0()), &store);
    funded(&engine, &account, 100);
    let first = engine
        .execute::<Account>(&account, &Deposit(1), &CEILING, Some(&key("k")))
        .unwrap();
    let again = Commit {
        expected: Version::new(3),
        events: vec![Deposited(1)],
        recorded_at: t0(),
        next_due: None,
        policy: Fingerprint::ZERO,
        key: Some(refused_record("k")),
    };
    assert_eq!(
        Store::<Account>::append(&store, &account, again),
        Err(StoreError::Duplicate { key: key("k") })
    );
    assert_eq!(store.events::<Account>(&account).len(), 3);
    assert_eq!(
        Store::<Account>::key(&store, &account, &key("k"))
            .unwrap()
            .map(|record| record.answer),
        Some(Answer::Accepted {
            after: Version::new(2),
            version: first.version,
            decided_at: first.decided_at
        })
    );
}

/// Forwards to a `MemoryStore`, but lets a competitor deposit land between
/// the engine's load and its first append, as another engine would.
struct Racing<'a> {
    inner: &'a MemoryStore,
    competitor: Mutex<Option<u64>>,
}

impl Store<Account> for Racing<'_> {
    fn load(&self, id: &AggregateId) -> Result<Snapshot<AccountState>, StoreError> {
        Store::<Account>::load(self.inner, id)
    }

    fn key(&self, id: &AggregateId, key: &IdempotencyKey) -> Result<Option<KeyRecord>, StoreError> {
        Store::<Account>::key(self.inner, id, key)
    }

    fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> Result<Vec<AccountEvent>, StoreError> {
        Store::<Account>::events_in(self.inner, id, after, through)
    }

    fn record_refusal(&self, id: &AggregateId, record: KeyRecord) -> Result<(), StoreError> {
        Store::<Account>::record_refusal(self.inner, id, record)
    }

    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Due>, StoreError> {
        Store::<Account>::due(self.inner, now, limit)
    }

    fn append(&self, id: &AggregateId, commit: Commit<AccountEvent>) -> Result<(), StoreError> {
        if let Some(amount) = self.competitor.lock().unwrap().take() {
            let now = Store::<Account>::load(self.inner, id)?;
            Store::<Account>::append(
                self.inner,
                id,
                Commit {
                    expected: now.version,
                    events: vec![Deposited(amount)],
                    recorded_at: t0(),
                    next_due: None,
                    policy: Fingerprint::ZERO,
                    key: None,
                },
            )?;
        }
        Store::<Account>::append(self.inner, id, commit)
    }
}

#[test]
fn engine_without_retries_returns_the_conflict_and_writes_nothing() {
    let store = MemoryStore::new();
    let account = id("a");
    funded(&Engine::new(FixedClock::new(t0()), &store), &account, 100);
    let racing = Racing {
        inner: &store,
        competitor: Mutex::new(Some(900)),
    };
    let engine = Engine::new(FixedClock::new(t0()), &racing).with_retries(0);
    let error = engine
        .execute::<Account>(&account, &Withdraw(100), &CEILING, Some(&key("w")))
        .unwrap_err();
    assert_eq!(
        error,
        EngineError::Store(StoreError::Conflict {
            expected: Version::new(2),
            actual: Version::new(3)
        })
    );
    assert!(error.is_conflict());
    // Only the competitor's deposit landed; the key was not recorded, so the
    // command may be sent again with it.
    assert_eq!(
        store.events::<Account>(&account),
        vec![Opened { at: t0() }, Deposited(100), Deposited(900)]
    );
    assert_eq!(
        Store::<Account>::key(&store, &account, &key("w")).unwrap(),
        None
    );
    let sent_again = engine
        .execute::<Account>(&account, &Withdraw(100), &CEILING, Some(&key("w")))
        .unwrap();
    assert_eq!(sent_again.version, Version::new(4));
}

/// The engine reads a key's record only when the store refuses the key
/// (or after a conflict), not before every command: a retry that loses a
/// race with no retries left must still get its first answer, not the
/// conflict, and write nothing.
#[test]
fn retried_command_losing_a_race_without_retries_returns_its_first_answer() {
    let store = MemoryStore::new();
    let account = id("a");
    let plain = Engine::new(FixedClock::new(t0()), &store);
    funded(&plain, &account, 100);
    let first = plain
        .execute::<Account>(&account, &Deposit(50), &CEILING, Some(&key("d")))
        .unwrap();
    assert_eq!(first.events, vec![Deposited(50)]);
    let racing = Racing {
        inner: &store,
        competitor: Mutex::new(Some(900)),
    };
    let engine = Engine::new(FixedClock::new(t0()), &racing).with_retries(0);
    let retry = engine
        .execute::<Account>(&account, &Deposit(50), &CEILING, Some(&key("d")))
        .unwrap();
    assert_eq!(retry, first);
    // Only the competitor's deposit landed after the first one; the retry
    // decided again (a deposit is accepted) and lost the race.
    assert_eq!(
        store.events::<Account>(&account),
        vec![
            Opened { at: t0() },
            Deposited(100),
            Deposited(50),
            Deposited(900)
        ]
    );
}

#[test]
fn engine_decides_again_on_the_new_state_after_a_conflict() {
    let store = MemoryStore::new();
    let account = id("a");
    funded(&Engine::new(FixedClock::new(t0()), &store), &account, 100);
    let racing = Racing {
        inner: &store,
        competitor: Mutex::new(Some(800)),
    };
    let engine = Engine::new(FixedClock::new(t0()), &racing);
    assert_eq!(Engine::<FixedClock, MemoryStore>::DEFAULT_RETRIES, 3);
    // Decided on 100 it fits under the ceiling of 1000; after the
    // competitor's 800 it does not, and the second decision refuses.
    let error = engine
        .execute::<Account>(&account, &Deposit(200), &CEILING, None)
        .unwrap_err();
    assert_eq!(
        error
            .refusal()
            .unwrap()
            .figure("balance")
            .unwrap()
            .to_string(),
        "900"
    );
    assert_eq!(
        store.events::<Account>(&account),
        vec![Opened { at: t0() }, Deposited(100), Deposited(800)]
    );
}

/// One racing thread's deposits: those accepted with their outcomes, and
/// those that lost a race.
type Race = (Vec<(u64, Outcome<AccountEvent>)>, Vec<u64>);

#[test]
fn racing_engines_lose_no_event_and_conflicts_write_nothing() {
    let store = Arc::new(MemoryStore::new());
    let account = id("shared");
    funded(&Engine::new(FixedClock::new(t0()), &*store), &account, 0);
    let (threads, per_thread) = (4u64, 300u64);
    let barrier = Arc::new(Barrier::new(4));
    let results: Vec<Race> = (0..threads)
        .map(|t| {
            let (store, barrier, account) =
                (Arc::clone(&store), Arc::clone(&barrier), account.clone());
            thread::spawn(move || {
                // No retries: every lost race surfaces as a conflict.
                let engine = Engine::new(FixedClock::new(t0()), store).with_retries(0);
                barrier.wait();
                let (mut accepted, mut conflicted) = (Vec::new(), Vec::new());
                for i in 0..per_thread {
                    let amount = t * per_thread + i + 1;
                    match engine.execute::<Account>(&account, &Deposit(amount), &u64::MAX, None) {
                        Ok(outcome) => accepted.push((amount, outcome)),
                        Err(EngineError::Store(StoreError::Conflict { .. })) => {
                            conflicted.push(amount)
                        }
                        Err(other) => panic!("unexpected error: {other}"),
                    }
                }
                (accepted, conflicted)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect();

    let events = store.events::<Account>(&account);
    let mut accepted_total = 0u64;
    let mut accepted_count = 0usize;
    for (accepted, conflicted) in &results {
        for (amount, outcome) in accepted {
            // Each accepted deposit sits exactly where its outcome says.
            assert_eq!(outcome.events, vec![Deposited(*amount)]);
            let at = usize::try_from(outcome.version.get()).unwrap() - 1;
            assert_eq!(events[at], Deposited(*amount));
            accepted_total += amount;
            accepted_count += 1;
        }
        for amount in conflicted {
            assert!(!events.contains(&Deposited(*amount)));
        }
    }
    assert_eq!(events.len(), 1 + accepted_count);
    assert_eq!(balance(&engine_state(&store, &account)), accepted_total);
    assert_eq!(
        Store::<Account>::load(&*store, &account)
            .unwrap()
            .version
            .get(),
        u64::try_from(events.len()).unwrap()
    );
}

fn engine_state(store: &MemoryStore, account: &AggregateId) -> AccountState {
    Engine::new(FixedClock::new(t0()), store)
        .state::<Account>(account)
        .unwrap()
}

#[test]
fn racing_engines_with_retries_append_every_command() {
    let store = Arc::new(MemoryStore::new());
    let account = id("shared");
    funded(&Engine::new(FixedClock::new(t0()), &*store), &account, 0);
    let (threads, per_thread) = (4u64, 200u64);
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (store, barrier, account) =
                (Arc::clone(&store), Arc::clone(&barrier), account.clone());
            thread::spawn(move || {
                let engine = Engine::new(FixedClock::new(t0()), store).with_retries(10_000);
                barrier.wait();
                for i in 0..per_thread {
                    let amount = t * per_thread + i + 1;
                    engine
                        .execute::<Account>(&account, &Deposit(amount), &u64::MAX, None)
                        .unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let n = threads * per_thread;
    assert_eq!(
        store.events::<Account>(&account).len(),
        1 + usize::try_from(n).unwrap()
    );
    assert_eq!(balance(&engine_state(&store, &account)), n * (n + 1) / 2);
}

// ------------------------------------------------------- the store itself

/// A state whose copy panics once broken: loading it panics while the
/// store's lock is held, which poisons the lock.
#[derive(Debug, PartialEq)]
struct Glass {
    broken: bool,
}

impl Clone for Glass {
    fn clone(&self) -> Self {
        assert!(!self.broken, "broken glass cannot be copied");
        Glass { broken: false }
    }
}

struct Fragile;

impl Aggregate for Fragile {
    const KIND: &'static str = "fragile";
}

impl Decider for Fragile {
    type State = Glass;
    type Command = ();
    type Event = ();
    type Policy = ();

    fn initial() -> Glass {
        Glass { broken: false }
    }

    fn decide(_: &Glass, _: &(), _: DateTime<Utc>, _: &()) -> Result<Vec<()>, Error> {
        Ok(vec![()])
    }

    fn evolve(_: Glass, _: &()) -> Glass {
        Glass { broken: true }
    }
}

#[test]
fn a_thread_panicking_inside_the_store_does_not_break_it() {
    let engine = Arc::new(new_engine());
    engine.execute::<Fragile>(&id("g"), &(), &(), None).unwrap();
    let loader = Arc::clone(&engine);
    let panicked = thread::spawn(move || loader.state::<Fragile>(&id("g"))).join();
    assert!(panicked.is_err());
    // The lock is poisoned now; every other aggregate still loads and
    // appends.
    let account = id("a");
    funded(&*engine, &account, 100);
    engine
        .execute::<Account>(&account, &Withdraw(40), &CEILING, Some(&key("k")))
        .unwrap();
    assert_eq!(balance(&engine.state::<Account>(&account).unwrap()), 60);
    assert_eq!(engine.store().events::<Fragile>(&id("g")), vec![()]);
}

// ------------------------------------------------------- no copies

thread_local! {
    /// How many times a `Tally` was cloned on this thread.
    static CLONES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn clones() -> usize {
    CLONES.with(std::cell::Cell::get)
}

/// A state that counts its copies: the stand-in for a ledger of a million
/// orders, whose copy is what a command must never pay for.
#[derive(Debug, PartialEq, Eq)]
struct Tally {
    entries: Vec<u64>,
}

impl Clone for Tally {
    fn clone(&self) -> Tally {
        CLONES.with(|n| n.set(n.get() + 1));
        Tally {
            entries: self.entries.clone(),
        }
    }
}

/// Appends entries; an entry of 0 is refused, and a command of no entries
/// is accepted with no event.
struct Tallies;

impl Aggregate for Tallies {
    const KIND: &'static str = "tallies";
}

impl Decider for Tallies {
    type State = Tally;
    type Command = Vec<u64>;
    type Event = u64;
    type Policy = ();

    fn initial() -> Tally {
        Tally {
            entries: Vec::new(),
        }
    }

    fn decide(_: &Tally, add: &Vec<u64>, _: DateTime<Utc>, _: &()) -> Result<Vec<u64>, Error> {
        if add.contains(&0) {
            return Err(refuse("an entry of 0"));
        }
        Ok(add.clone())
    }

    fn evolve(mut state: Tally, entry: &u64) -> Tally {
        state.entries.push(*entry);
        state
    }
}

#[test]
fn engine_command_does_not_copy_the_state() {
    let engine = new_engine();
    let tally = id("t");
    let mut direct = Tallies::initial();
    let before = clones();
    for i in 1..=200u64 {
        // Accepted with and without a key, accepted with no event, refused
        // with and without a key; some sent again under their key.
        let command = match i % 5 {
            0 => vec![0],
            4 => vec![],
            _ => vec![i, i + 1],
        };
        let key = (i % 2 == 0).then(|| key(&format!("k{i}")));
        let answer = engine.execute::<Tallies>(&tally, &command, &(), key.as_ref());
        let applied = Tallies::apply(&mut direct, &command, t0(), &());
        assert_eq!(answer.is_ok(), i % 5 != 0, "command {i}");
        assert_eq!(
            answer.as_ref().ok().map(|o| &o.events),
            applied.as_ref().ok()
        );
        if i % 10 == 2 {
            let again = engine.execute::<Tallies>(&tally, &command, &(), key.as_ref());
            assert_eq!(again, answer);
        }
    }
    assert_eq!(clones(), before, "a command copied the whole state");
    // 200 commands: 40 refused, 40 with no entry, 120 of two entries; the
    // retries appended nothing.
    assert_eq!(direct.entries.len(), 240);
    assert_eq!(direct.entries[..4], [1, 2, 2, 3]);
    let stored = engine.store().events::<Tallies>(&tally);
    assert_eq!(stored, direct.entries);
    assert_eq!(
        Store::<Tallies>::load(engine.store(), &tally)
            .unwrap()
            .version
            .get(),
        u64::try_from(stored.len()).unwrap()
    );
}

/// A state whose evolution panics on the event 13, as a buggy decider's
/// would.
struct Unlucky;

impl Aggregate for Unlucky {
    const KIND: &'static str = "unlucky";
}

impl Decider for Unlucky {
    type State = Vec<u64>;
    type Command = u64;
    type Event = u64;
    type Policy = ();

    fn initial() -> Vec<u64> {
        Vec::new()
    }

    fn decide(_: &Vec<u64>, n: &u64, _: DateTime<Utc>, _: &()) -> Result<Vec<u64>, Error> {
        Ok(vec![*n])
    }

    fn evolve(mut state: Vec<u64>, n: &u64) -> Vec<u64> {
        assert_ne!(*n, 13, "unlucky");
        state.push(*n);
        state
    }
}

#[test]
fn a_panicking_evolve_leaves_the_stream_whole() {
    let engine = Arc::new(new_engine());
    let unlucky = id("u");
    for n in [1, 2, 3] {
        engine.execute::<Unlucky>(&unlucky, &n, &(), None).unwrap();
    }
    let runner = Arc::clone(&engine);
    let (who, again) = (unlucky.clone(), unlucky.clone());
    assert!(
        thread::spawn(move || runner.execute::<Unlucky>(&who, &13, &(), None))
            .join()
            .is_err()
    );
    // The commit was not written, and the state is the replay of the stream
    // (not the empty state the evolution had moved it out to).
    assert_eq!(engine.store().events::<Unlucky>(&unlucky), vec![1, 2, 3]);
    assert_eq!(engine.state::<Unlucky>(&again).unwrap(), vec![1, 2, 3]);
    let next = engine.execute::<Unlucky>(&unlucky, &4, &(), None).unwrap();
    assert_eq!(next.version, Version::new(4));
    assert_eq!(engine.state::<Unlucky>(&unlucky).unwrap(), vec![1, 2, 3, 4]);
}

#[test]
fn a_store_works_behind_a_trait_object() {
    let store: Box<dyn Store<Account> + Send + Sync> = Box::new(MemoryStore::new());
    let engine = Engine::new(FixedClock::new(t0()), store);
    let account = id("a");
    funded(&engine, &account, 250);
    assert_eq!(balance(&engine.state::<Account>(&account).unwrap()), 250);
}

#[test]
fn store_errors_tell_the_caller_what_to_do() {
    let conflict = StoreError::Conflict {
        expected: Version::new(4),
        actual: Version::new(6),
    };
    assert_eq!(
        conflict.to_string(),
        "conflict: the command was decided on version 4 but the stream is at version 6; \
         nothing was written: load the aggregate again and decide again"
    );
    assert_eq!(
        EngineError::from(conflict.clone()).to_string(),
        conflict.to_string()
    );
    assert_eq!(
        StoreError::Duplicate { key: key("pay-1") }.to_string(),
        "idempotency key `pay-1` is already recorded on this aggregate; nothing was written: \
         return the recorded answer"
    );
    assert_eq!(
        StoreError::backend("connection reset").to_string(),
        "the store failed: connection reset; nothing was decided, sending the command again is safe"
    );
}

#[test]
fn engine_values_round_trip_through_serde() {
    let outcome = Outcome {
        events: vec![Opened { at: t0() }, Deposited(5)],
        version: Version::new(2),
        decided_at: t0(),
    };
    let json = serde_json::to_string(&outcome).unwrap();
    assert!(json.starts_with(r#"{"events":"#), "{json}");
    assert!(json.contains(r#""version":2"#), "{json}");
    assert_eq!(
        serde_json::from_str::<Outcome<AccountEvent>>(&json).unwrap(),
        outcome
    );
    for record in [
        refused_record("k-1"),
        KeyRecord {
            answer: Answer::Accepted {
                after: Version::new(1),
                version: Version::new(2),
                decided_at: t0(),
            },
            ..refused_record("k-2")
        },
    ] {
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(serde_json::from_str::<KeyRecord>(&json).unwrap(), record);
    }
    let error = EngineError::Store(StoreError::Conflict {
        expected: Version::new(1),
        actual: Version::new(2),
    });
    let json = serde_json::to_string(&error).unwrap();
    assert_eq!(serde_json::from_str::<EngineError>(&json).unwrap(), error);
    assert_eq!(serde_json::to_string(&id("a-1")).unwrap(), r#""a-1""#);
    assert_eq!(serde_json::to_string(&key("k-1")).unwrap(), r#""k-1""#);
}

// ------------------------------------------------------- property

#[derive(Debug, Clone)]
struct Step {
    command: AccountCommand,
    key: Option<u8>,
    minutes_later: u16,
}

fn step() -> impl Strategy<Value = Step> {
    let command = prop_oneof![
        1 => Just(Open),
        4 => (0u64..400).prop_map(Deposit),
        3 => (0u64..400).prop_map(Withdraw),
        1 => Just(Close),
    ];
    (command, prop::option::of(0u8..6), 0u16..600).prop_map(|(command, key, minutes_later)| Step {
        command,
        key,
        minutes_later,
    })
}

proptest! {
    /// Whatever the commands, keys and clock jumps, the engine answers and
    /// ends exactly like folding `Decider::run` over the commands, where a
    /// command sent again under a key returns its first answer.
    #[test]
    fn engine_matches_a_direct_fold_of_decider_run(steps in prop::collection::vec(step(), 0..40)) {
        let engine = new_engine();
        let account = id("p");
        let mut state = Account::initial();
        let mut events: Vec<AccountEvent> = Vec::new();
        let mut first_answers: HashMap<u8, (AccountCommand, Result<Outcome<AccountEvent>, Error>)> = HashMap::new();
        for step in steps {
            engine.clock().advance(Duration::minutes(i64::from(step.minutes_later))).unwrap();
            let now = engine.clock().now();
            let key = step.key.map(|k| key(&format!("k{k}")));
            let expected = match step.key.and_then(|k| first_answers.get(&k).cloned()) {
                Some((command, first)) if command == step.command => first.map_err(EngineError::from),
                // Stripe's rule: the key is bound to its first command.
                Some((command, _)) => Err(EngineError::KeyReused {
                    key: key.clone().unwrap(),
                    recorded: Fingerprint::xxh3_of(&command).unwrap(),
                    sent: Fingerprint::xxh3_of(&step.command).unwrap(),
                }),
                None => {
                    let answer = Account::run(&state, &step.command, now, &CEILING).map(|(next, new)| {
                        state = next;
                        events.extend(new.iter().cloned());
                        Outcome {
                            events: new,
                            version: Version::new(u64::try_from(events.len()).unwrap()),
                            decided_at: now,
                        }
                    });
                    if let Some(k) = step.key {
                        first_answers.insert(k, (step.command.clone(), answer.clone()));
                    }
                    answer.map_err(EngineError::from)
                }
            };
            let answer = engine.execute::<Account>(&account, &step.command, &CEILING, key.as_ref());
            prop_assert_eq!(answer, expected);
            prop_assert_eq!(engine.state::<Account>(&account).unwrap(), state.clone());
        }
        prop_assert_eq!(engine.store().events::<Account>(&account), events.clone());
        prop_assert_eq!(Account::replay(events.iter()), state);
    }
}
