//! Commands, idempotency keys and the store's refusals.

use super::*;

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
