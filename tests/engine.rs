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

/// One racing thread's deposits: those accepted with their outcomes, and
/// those that lost a race.
type Race = (Vec<(u64, Outcome<AccountEvent>)>, Vec<u64>);

fn engine_state(store: &MemoryStore, account: &AggregateId) -> AccountState {
    Engine::new(FixedClock::new(t0()), store)
        .state::<Account>(account)
        .unwrap()
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

#[path = "engine/commands_and_keys.rs"]
mod commands_and_keys;
#[path = "engine/races_panics_and_serde.rs"]
mod races_panics_and_serde;
