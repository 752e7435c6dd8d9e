//! The engine as a multi-instance service relies on it (issue 13): keys
//! bound to their command, lost acknowledgements, refusals that do not
//! contend, monotonic time under a skewed clock, the due-work index and the
//! scheduler's tick, and the sync and async engines answering alike.

#[path = "support/alarm.rs"]
mod alarm;

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use alarm::{Alarm, AlarmCommand, AlarmEvent};
use billing_rules::engine::{
    Aggregate, AggregateId, AsyncEngine, Commit, Due, Engine, EngineError, IdempotencyKey,
    KeyRecord, MemoryStore, Pinned, Snapshot, Store, StoreError, Version,
};
use billing_rules::lifecycle::{Subscription, SubscriptionCommand};
use billing_rules::time::{FixedClock, Period};
use billing_rules::usage::{PackageOrder, PackageWallet, WalletCommand};
use billing_rules::{Fingerprint, RuleId, presets};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap()
}

fn id(text: &str) -> AggregateId {
    AggregateId::from(text)
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::from(text)
}

/// Polls a future to completion on this thread: MemoryStore's futures are
/// ready at once, so no runtime is needed.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// Forwards to a MemoryStore, with the faults a network brings: an
/// acknowledgement lost after the write, and another writer landing just
/// before a refusal is recorded.
struct Faulty<'a> {
    inner: &'a MemoryStore,
    lose_next_ack: AtomicBool,
    before_refusal: Mutex<Option<AlarmCommand>>,
    appends: AtomicUsize,
}

impl<'a> Faulty<'a> {
    fn new(inner: &'a MemoryStore) -> Faulty<'a> {
        Faulty {
            inner,
            lose_next_ack: AtomicBool::new(false),
            before_refusal: Mutex::new(None),
            appends: AtomicUsize::new(0),
        }
    }
}

impl Store<Alarm> for Faulty<'_> {
    fn load(&self, id: &AggregateId) -> Result<Snapshot<alarm::AlarmState>, StoreError> {
        Store::<Alarm>::load(self.inner, id)
    }
    fn key(&self, id: &AggregateId, key: &IdempotencyKey) -> Result<Option<KeyRecord>, StoreError> {
        Store::<Alarm>::key(self.inner, id, key)
    }
    fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> Result<Vec<AlarmEvent>, StoreError> {
        Store::<Alarm>::events_in(self.inner, id, after, through)
    }
    fn append(&self, id: &AggregateId, commit: Commit<AlarmEvent>) -> Result<(), StoreError> {
        self.appends.fetch_add(1, Ordering::SeqCst);
        Store::<Alarm>::append(self.inner, id, commit)?;
        if self.lose_next_ack.swap(false, Ordering::SeqCst) {
            return Err(StoreError::backend(
                "connection reset after the write, before the acknowledgement",
            ));
        }
        Ok(())
    }
    fn record_refusal(&self, id: &AggregateId, record: KeyRecord) -> Result<(), StoreError> {
        let competitor = self.before_refusal.lock().unwrap().take();
        if let Some(command) = competitor {
            let engine = Engine::new(FixedClock::new(t0()), self.inner);
            engine.execute::<Alarm>(id, &command, &(), None).unwrap();
        }
        Store::<Alarm>::record_refusal(self.inner, id, record)
    }
    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Due>, StoreError> {
        Store::<Alarm>::due(self.inner, now, limit)
    }
}

#[test]
fn key_reused_with_another_command_is_refused() {
    // R-USE-01: the listed 10,000-call package for 365 days costs CNY 300.00
    // (presets::verification_usage); a second order under the same key is
    // another command and must not return the first purchase.
    let policy = presets::verification_usage().unwrap();
    let engine = Engine::new(FixedClock::new(t0()), MemoryStore::new());
    let wallet = id("app-7");
    let order = key("order-1");
    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(10_000, 365),
    };
    let first = engine
        .execute::<PackageWallet>(&wallet, &buy, &policy, Some(&order))
        .unwrap();
    let bigger = WalletCommand::Purchase {
        order: PackageOrder::listed(100_000, 365),
    };
    let error = engine
        .execute::<PackageWallet>(&wallet, &bigger, &policy, Some(&order))
        .unwrap_err();
    assert_eq!(
        error,
        EngineError::KeyReused {
            key: order.clone(),
            recorded: Fingerprint::xxh3_of(&buy).unwrap(),
            sent: Fingerprint::xxh3_of(&bigger).unwrap(),
        }
    );
    assert!(error.to_string().contains("`order-1`"), "{error}");
    // Nothing was written; the same command still gets its first answer.
    assert_eq!(engine.store().events::<PackageWallet>(&wallet).len(), 1);
    assert_eq!(
        engine
            .execute::<PackageWallet>(&wallet, &buy, &policy, Some(&order))
            .unwrap(),
        first
    );
    let state = engine.state::<PackageWallet>(&wallet).unwrap();
    assert_eq!(state.packages()[0].price().to_string(), "CNY 300.00");
}

#[test]
fn retry_after_lost_ack_returns_first_answer() {
    let memory = MemoryStore::new();
    let store = Faulty::new(&memory);
    let engine = Engine::new(FixedClock::new(t0()), &store);
    let account = id("a");
    let pay = key("pay-1");
    store.lose_next_ack.store(true, Ordering::SeqCst);
    let lost = engine
        .execute::<Alarm>(&account, &AlarmCommand::Deposit(500), &(), Some(&pay))
        .unwrap_err();
    assert!(lost.store().is_some_and(StoreError::is_retryable), "{lost}");
    // The write landed; the caller, not knowing, retries with its key later.
    engine.clock().advance(Duration::hours(1)).unwrap();
    let retry = engine
        .execute::<Alarm>(&account, &AlarmCommand::Deposit(500), &(), Some(&pay))
        .unwrap();
    assert_eq!(
        retry.events,
        vec![AlarmEvent::Deposited {
            amount: 500,
            at: t0()
        }]
    );
    assert_eq!((retry.version, retry.decided_at), (Version::new(1), t0()));
    assert_eq!(memory.events::<Alarm>(&account).len(), 1);
    assert_eq!(engine.state::<Alarm>(&account).unwrap().balance, 500);
}

#[test]
fn refusal_with_key_does_not_contend() {
    let memory = MemoryStore::new();
    let store = Faulty::new(&memory);
    let engine = Engine::new(FixedClock::new(t0()), &store).with_retries(0);
    let account = id("a");
    engine
        .execute::<Alarm>(&account, &AlarmCommand::Deposit(100), &(), None)
        .unwrap();
    let appends = store.appends.load(Ordering::SeqCst);
    // Another writer lands between the decision and the refusal's record:
    // with no retries left, an append would be a conflict; the refusal is
    // recorded all the same, without a version.
    *store.before_refusal.lock().unwrap() = Some(AlarmCommand::Deposit(7));
    let refused = engine
        .execute::<Alarm>(
            &account,
            &AlarmCommand::Spend(150),
            &(),
            Some(&key("spend")),
        )
        .unwrap_err();
    assert_eq!(refused.rule(), Some(RuleId::Use05));
    assert_eq!(
        refused
            .refusal()
            .unwrap()
            .figure("balance")
            .unwrap()
            .to_string(),
        "100"
    );
    assert_eq!(store.appends.load(Ordering::SeqCst), appends);
    // Only the competitor's deposit moved the version.
    assert_eq!(
        Store::<Alarm>::load(&memory, &account).unwrap().version,
        Version::new(2)
    );
    let again = engine
        .execute::<Alarm>(
            &account,
            &AlarmCommand::Spend(150),
            &(),
            Some(&key("spend")),
        )
        .unwrap_err();
    assert_eq!(again, refused);
}

#[test]
fn events_never_go_back_in_time_with_a_skewed_clock() {
    let memory = MemoryStore::new();
    let ahead = Engine::new(FixedClock::new(t0() + Duration::minutes(5)), &memory);
    let behind = Engine::new(FixedClock::new(t0()), &memory);
    let account = id("a");
    ahead
        .execute::<Alarm>(&account, &AlarmCommand::Deposit(10), &(), None)
        .unwrap();
    let late = behind
        .execute::<Alarm>(&account, &AlarmCommand::Deposit(20), &(), None)
        .unwrap();
    // The slow instance's command is clamped to the stream's last instant.
    assert_eq!(late.decided_at, t0() + Duration::minutes(5));
    let stamps: Vec<_> = memory
        .events::<Alarm>(&account)
        .iter()
        .map(AlarmEvent::at)
        .collect();
    assert_eq!(stamps, vec![t0() + Duration::minutes(5); 2]);
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]));
    // A clock that is right again is used as it is.
    behind.clock().advance(Duration::minutes(10)).unwrap();
    let on_time = behind
        .execute::<Alarm>(&account, &AlarmCommand::Deposit(30), &(), None)
        .unwrap();
    assert_eq!(on_time.decided_at, t0() + Duration::minutes(10));
}

#[test]
fn due_index_returns_exactly_the_due_aggregates() {
    let engine = Engine::new(FixedClock::new(t0()), MemoryStore::new());
    // Alarms due at t0 + 10, 20, ..., 50 minutes, set in reverse order; one
    // never set.
    for minutes in [50, 40, 30, 20, 10] {
        let alarm = id(&format!("alarm-{minutes}"));
        engine
            .execute::<Alarm>(
                &alarm,
                &AlarmCommand::Set(t0() + Duration::minutes(minutes)),
                &(),
                None,
            )
            .unwrap();
    }
    engine
        .execute::<Alarm>(&id("quiet"), &AlarmCommand::Deposit(1), &(), None)
        .unwrap();
    let store = engine.store();
    let due_at = |minutes: i64, limit: usize| -> Vec<String> {
        Store::<Alarm>::due(store, t0() + Duration::minutes(minutes), limit)
            .unwrap()
            .into_iter()
            .map(|due| format!("{}@{}", due.id, (due.at - t0()).num_minutes()))
            .collect()
    };
    assert!(due_at(9, 10).is_empty());
    assert_eq!(
        due_at(30, 10),
        ["alarm-10@10", "alarm-20@20", "alarm-30@30"]
    );
    assert_eq!(due_at(60, 2), ["alarm-10@10", "alarm-20@20"]);
    // Another kind's index is its own.
    assert!(
        Store::<Subscription>::due(store, t0() + Duration::days(9999), 10)
            .unwrap()
            .is_empty()
    );

    // The tick fires the due ones, at their own instants, and they leave the index.
    let tick = engine
        .tick::<Alarm>(t0() + Duration::minutes(30), 100, &())
        .unwrap();
    assert_eq!((tick.advanced, tick.events, tick.failed.len()), (3, 3, 0));
    assert_eq!(
        store.events::<Alarm>(&id("alarm-20")).last(),
        Some(&AlarmEvent::Fired {
            due: t0() + Duration::minutes(20)
        })
    );
    assert!(due_at(30, 10).is_empty());
    assert_eq!(due_at(60, 10), ["alarm-40@40", "alarm-50@50"]);
}

/// MemoryStore keeps the batch its due index last answered at hand for the
/// scheduler's commands: a command on an aggregate of that batch, on one
/// outside it, and on a new one must all reach the store's own aggregates,
/// and a batch must never answer for an aggregate that moved in the index.
#[test]
fn commands_on_a_due_batch_reach_the_stored_aggregates() {
    let engine = Engine::new(FixedClock::new(t0()), MemoryStore::new());
    let store = engine.store();
    for (name, minutes) in [("a", 10), ("b", 20), ("c", 30)] {
        engine
            .execute::<Alarm>(
                &id(name),
                &AlarmCommand::Set(t0() + Duration::minutes(minutes)),
                &(),
                None,
            )
            .unwrap();
    }
    let due_at = |minutes: i64| -> Vec<String> {
        Store::<Alarm>::due(store, t0() + Duration::minutes(minutes), 2)
            .unwrap()
            .into_iter()
            .map(|due| format!("{}@{}", due.id, (due.at - t0()).num_minutes()))
            .collect()
    };
    assert_eq!(due_at(60), ["a@10", "b@20"]);
    // In the batch (a), outside it (c), and new (d).
    for name in ["a", "c", "d"] {
        engine
            .execute::<Alarm>(&id(name), &AlarmCommand::Deposit(5), &(), None)
            .unwrap();
    }
    for name in ["a", "c", "d"] {
        assert_eq!(
            engine.state::<Alarm>(&id(name)).unwrap().balance,
            5,
            "{name}"
        );
    }
    assert_eq!(store.events::<Alarm>(&id("a")).len(), 2);
    assert_eq!(store.ids::<Alarm>(), [id("a"), id("b"), id("c"), id("d")]);
    // a, in the batch, moves later: the index follows, the batch answers
    // the same aggregate.
    engine
        .execute::<Alarm>(
            &id("a"),
            &AlarmCommand::Set(t0() + Duration::minutes(40)),
            &(),
            None,
        )
        .unwrap();
    assert_eq!(due_at(60), ["b@20", "c@30"]);
    let tick = engine
        .tick::<Alarm>(t0() + Duration::minutes(35), 10, &())
        .unwrap();
    assert_eq!((tick.advanced, tick.events), (2, 2));
    assert_eq!(due_at(60), ["a@40"]);
    assert_eq!(store.events::<Alarm>(&id("a")).len(), 3);
    assert_eq!(engine.state::<Alarm>(&id("a")).unwrap().fired, 0);
}

#[test]
fn subscription_is_indexed_at_its_decider_s_next_due_instant() {
    let policy = presets::chat_service_subscription().unwrap();
    let engine = Engine::new(FixedClock::new(t0()), MemoryStore::new());
    let app = id("app-1");
    engine
        .execute::<Subscription>(
            &app,
            &SubscriptionCommand::Purchase {
                validity: Period::Month,
            },
            &policy,
            None,
        )
        .unwrap();
    let state = engine.state::<Subscription>(&app).unwrap();
    let next = Subscription::next_due(&state, &policy).unwrap();
    assert!(next > t0());
    let due = Store::<Subscription>::due(engine.store(), next, 10).unwrap();
    assert_eq!(
        due,
        vec![Due {
            at: next,
            id: app.clone()
        }]
    );
    assert!(
        Store::<Subscription>::due(engine.store(), next - Duration::seconds(1), 10)
            .unwrap()
            .is_empty()
    );
    // Ticking far ahead records every due event; it is then no longer due there.
    let far = t0() + Duration::days(400);
    let tick = engine.tick::<Subscription>(far, 10, &policy).unwrap();
    assert_eq!(
        (tick.advanced, tick.failed.len(), tick.unfinished.len()),
        (1, 0, 0)
    );
    assert!(
        Store::<Subscription>::due(engine.store(), far, 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn pinned_policy_fingerprint_is_recorded_with_the_key() {
    let spec = presets::verification_usage_spec();
    let pinned = Pinned::from_spec(
        &spec,
        billing_rules::usage::UsagePolicy::try_from(spec.clone()).unwrap(),
    )
    .unwrap();
    let engine = Engine::new(FixedClock::new(t0()), MemoryStore::new());
    let wallet = id("w");
    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(10_000, 365),
    };
    engine
        .execute::<PackageWallet>(&wallet, &buy, &pinned, Some(&key("k")))
        .unwrap();
    let record = Store::<PackageWallet>::key(engine.store(), &wallet, &key("k"))
        .unwrap()
        .unwrap();
    assert_eq!(record.policy, Fingerprint::of(&spec).unwrap());
    assert_eq!(record.command, Fingerprint::xxh3_of(&buy).unwrap());
}

/// A key an earlier build recorded holds the FNV-1a fingerprint of its
/// command: across the deploy, its retry still gets the first answer, and
/// another command under it is still refused.
#[test]
fn key_recorded_by_an_earlier_build_still_matches_its_command() {
    let policy = presets::verification_usage().unwrap();
    let wallet = id("w");
    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(10_000, 365),
    };
    let first = Engine::new(FixedClock::new(t0()), MemoryStore::new());
    let answer = first
        .execute::<PackageWallet>(&wallet, &buy, &policy, Some(&key("k")))
        .unwrap();
    let record = Store::<PackageWallet>::key(first.store(), &wallet, &key("k"))
        .unwrap()
        .unwrap();
    // The same commit, as the earlier build wrote it.
    let earlier = MemoryStore::new();
    let commit = Commit {
        expected: Version::INITIAL,
        events: answer.events.clone(),
        recorded_at: answer.decided_at,
        next_due: None,
        policy: record.policy,
        key: Some(KeyRecord {
            command: Fingerprint::of(&buy).unwrap(),
            ..record.clone()
        }),
    };
    Store::<PackageWallet>::append(&earlier, &wallet, commit).unwrap();
    let later = Engine::new(FixedClock::new(t0() + Duration::minutes(5)), earlier);
    let retry = later
        .execute::<PackageWallet>(&wallet, &buy, &policy, Some(&key("k")))
        .unwrap();
    assert_eq!(retry, answer);
    let other = WalletCommand::Purchase {
        order: PackageOrder::listed(100_000, 365),
    };
    let err = later
        .execute::<PackageWallet>(&wallet, &other, &policy, Some(&key("k")))
        .unwrap_err();
    assert!(matches!(err, EngineError::KeyReused { .. }), "{err}");
    // Nothing was written by either.
    assert_eq!(
        Store::<PackageWallet>::load(later.store(), &wallet)
            .unwrap()
            .version,
        answer.version
    );
}

/// One scenario step: the account, the command, the key (if any), and how
/// far the clock moves before it.
type Step = (&'static str, AlarmCommand, Option<&'static str>, i64);

fn scenarios() -> Vec<(&'static str, Vec<Step>)> {
    use AlarmCommand::{Advance, Deposit, Set, Spend};
    vec![
        (
            "deposit and spend",
            vec![("a", Deposit(100), None, 0), ("a", Spend(40), None, 5)],
        ),
        (
            "overdraft refused",
            vec![("a", Deposit(10), None, 0), ("a", Spend(40), None, 1)],
        ),
        (
            "keyed retry returns the first answer",
            vec![
                ("a", Deposit(10), Some("k"), 0),
                ("a", Deposit(10), Some("k"), 60),
            ],
        ),
        (
            "keyed refusal stays refused",
            vec![
                ("a", Spend(5), Some("s"), 0),
                ("a", Deposit(10), None, 1),
                ("a", Spend(5), Some("s"), 1),
            ],
        ),
        (
            "key reused with another command",
            vec![
                ("a", Deposit(10), Some("k"), 0),
                ("a", Deposit(11), Some("k"), 1),
            ],
        ),
        (
            "keys are scoped to their aggregate",
            vec![
                ("a", Deposit(10), Some("k"), 0),
                ("b", Deposit(11), Some("k"), 1),
            ],
        ),
        (
            "alarm fires once",
            vec![
                ("a", Set(t0() + Duration::minutes(30)), None, 0),
                ("a", Advance, None, 10),
                ("a", Advance, None, 30),
                ("a", Advance, None, 30),
            ],
        ),
    ]
}

#[test]
fn sync_and_async_engines_agree_on_the_same_scenarios() {
    for (name, steps) in scenarios() {
        let sync = Engine::new(FixedClock::new(t0()), MemoryStore::new());
        let asynchronous = AsyncEngine::new(FixedClock::new(t0()), MemoryStore::new());
        for (n, (account, command, k, minutes)) in steps.iter().enumerate() {
            sync.clock().advance(Duration::minutes(*minutes)).unwrap();
            asynchronous
                .clock()
                .advance(Duration::minutes(*minutes))
                .unwrap();
            let k = k.map(key);
            let a = sync.execute::<Alarm>(&id(account), command, &(), k.as_ref());
            let b = block_on(asynchronous.execute::<Alarm>(&id(account), command, &(), k.as_ref()));
            assert_eq!(a, b, "{name}, step {n}");
        }
        for account in ["a", "b"] {
            assert_eq!(
                sync.store().events::<Alarm>(&id(account)),
                asynchronous.store().events::<Alarm>(&id(account)),
                "{name}"
            );
        }
        let later = t0() + Duration::days(1);
        assert_eq!(
            sync.tick::<Alarm>(later, 10, &()).unwrap(),
            block_on(asynchronous.tick::<Alarm>(later, 10, &())).unwrap(),
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_engine_futures_can_be_spawned_on_tokio() {
    let engine = std::sync::Arc::new(AsyncEngine::new(FixedClock::new(t0()), MemoryStore::new()));
    let tasks: Vec<_> = (0..8u64)
        .map(|n| {
            let engine = std::sync::Arc::clone(&engine);
            tokio::spawn(async move {
                let account = id("shared");
                let k = key(&format!("deposit-{n}"));
                engine
                    .execute::<Alarm>(&account, &AlarmCommand::Deposit(n + 1), &(), Some(&k))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let state = engine.state::<Alarm>(&id("shared")).await.unwrap();
    // 1 + 2 + ... + 8, each deposit once.
    assert_eq!(state.balance, 36);
}
