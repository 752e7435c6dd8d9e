//! Racing engines, panics inside the store or the decider, store errors,
//! serde, and the property tests.

use super::*;

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
