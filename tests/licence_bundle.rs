//! R-LIC-06 across apps (issue 19): a traffic package's free licence term
//! is granted once in all, not once per app. The package's claim is its own
//! aggregate (`BundleClaim`); the licence grants only against its receipt.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};
use std::thread;

use billing_rules::Decider;
use billing_rules::engine::{
    Aggregate, AggregateId, Engine, EngineError, IdempotencyKey, MemoryStore, Outcome,
};
use billing_rules::lifecycle::{
    AccountId, AppId, BundleClaim, BundleClaimCommand, BundleClaimEvent, BundleClaimState,
    BundleReceipt, CLAIMS_PER_PACKAGE, Licence, LicenceCommand, LicenceEvent, LicencePolicy,
    LicenceState, Subscription, TrafficPackage,
};
use billing_rules::payment::EnvironmentPayment;
use billing_rules::presets;
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::OrderLedger;
use billing_rules::time::FixedClock;
use billing_rules::usage::PackageWallet;
use billing_rules::{Error, FigureValue, Refusal, RuleId};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

/// 2025-06-01 10:00 in Beijing.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap()
}

fn policy() -> LicencePolicy {
    presets::live_plugin_licence().unwrap()
}

fn alice() -> AccountId {
    AccountId::new("alice")
}

fn tb(value: i64) -> Quantity {
    Quantity::new(Decimal::from(value), Unit::Terabyte)
}

fn package(id: &str, size: Quantity, buyer: AccountId) -> TrafficPackage {
    TrafficPackage {
        id: id.into(),
        size,
        buyer,
    }
}

fn pkg_200tb() -> TrafficPackage {
    package("pkg-200tb", tb(200), alice())
}

fn claim(app: &str, account: AccountId, package: TrafficPackage) -> BundleClaimCommand {
    BundleClaimCommand::Claim {
        app: AppId::new(app),
        account,
        package,
    }
}

fn grant(app: &str, account: AccountId, receipt: BundleReceipt) -> LicenceCommand {
    LicenceCommand::ClaimBundled {
        app: AppId::new(app),
        account,
        receipt,
    }
}

/// The refusal in a decider's answer (an `Error`) or the engine's (an
/// `EngineError`).
fn refusal<T: std::fmt::Debug, E: Into<EngineError>>(answer: Result<T, E>) -> Refusal {
    match answer.map_err(Into::into) {
        Err(EngineError::Command(Error::Refused(refusal))) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn text(value: &str) -> Option<FigureValue> {
    Some(FigureValue::Text(value.to_owned().into()))
}

/// The R-LIC-06 refusal of a claim for `requested` of a package `holder`
/// holds, with its figures.
fn assert_held_by(refusal: &Refusal, holder: &str, requested: &str) {
    assert_eq!(refusal.rule(), RuleId::Lic06);
    assert_eq!(refusal.reasons().len(), 1, "{refusal}");
    assert_eq!(refusal.figure("holder_app").cloned(), text(holder));
    assert_eq!(refusal.figure("requested_app").cloned(), text(requested));
    assert_eq!(refusal.figure("package").cloned(), text("pkg-200tb"));
    assert_eq!(refusal.figure("claims_used"), Some(&FigureValue::Count(1)));
    assert_eq!(
        refusal.figure("claims_allowed"),
        Some(&FigureValue::Count(1))
    );
    assert_eq!(refusal.figure("free_terms"), Some(&FigureValue::Count(1)));
}

/// The free terms every licence of `licences` was granted for `package`.
fn granted_terms(licences: &BTreeMap<String, Vec<LicenceEvent>>, package: &str) -> u32 {
    licences
        .values()
        .flatten()
        .map(|event| match event {
            LicenceEvent::BundledGranted {
                package_id, terms, ..
            } if package_id == package => *terms,
            _ => 0,
        })
        .sum()
}

// ------------------------------------------------------------ the rule

#[test]
fn r_lic_06_bundled_term_granted_once_across_apps() {
    let policy = policy();
    let mut claims = BundleClaim::initial();
    let mut licences: BTreeMap<String, Vec<LicenceEvent>> = BTreeMap::new();
    for (i, app) in ["app-1", "app-2", "app-3"].into_iter().enumerate() {
        let now = t0() + Duration::days(i as i64);
        // The service's two steps: the package's claim, then the licence.
        match BundleClaim::run(&claims, &claim(app, alice(), pkg_200tb()), now, &policy) {
            Ok((next, _)) => claims = next,
            Err(err) => {
                assert_held_by(&refusal::<(), _>(Err(err)), "app-1", app);
                continue;
            }
        }
        let receipt = claims.receipt().unwrap().clone();
        let (_, events) = Licence::run(
            &Licence::initial(),
            &grant(app, alice(), receipt),
            now,
            &policy,
        )
        .unwrap();
        licences.insert(app.to_owned(), events);
    }
    assert_eq!(licences.keys().collect::<Vec<_>>(), ["app-1"]);
    assert_eq!(granted_terms(&licences, "pkg-200tb"), 1);
    assert!(matches!(
        licences["app-1"].as_slice(),
        [LicenceEvent::Bound { .. }, LicenceEvent::BundledGranted { start, end, terms: 1, .. }]
            if *start == t0() && *end == t0() + Duration::days(365)
    ));

    // app-1's receipt does not open app-2's licence either.
    let receipt = claims.receipt().unwrap().clone();
    assert_eq!(receipt.app(), &AppId::new("app-1"));
    assert_eq!(receipt.claimed_at(), t0());
    let refused = refusal(Licence::decide(
        &Licence::initial(),
        &grant("app-2", alice(), receipt),
        t0(),
        &policy,
    ));
    assert_eq!(refused.rule(), RuleId::Lic06);
    assert_eq!(refused.figure("holder_app").cloned(), text("app-1"));
    assert_eq!(refused.figure("requested_app").cloned(), text("app-2"));
}

#[test]
fn r_lic_06_the_holder_applying_again_is_accepted_with_nothing_new() {
    let policy = policy();
    let (claims, events) = BundleClaim::run(
        &BundleClaim::initial(),
        &claim("app-1", alice(), pkg_200tb()),
        t0(),
        &policy,
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    let later = t0() + Duration::days(3);
    let (again, events) = BundleClaim::run(
        &claims,
        &claim("app-1", alice(), pkg_200tb()),
        later,
        &policy,
    )
    .unwrap();
    assert!(events.is_empty());
    assert_eq!(again, claims);
    // The receipt keeps the first claim's instant.
    assert_eq!(again.receipt().unwrap().claimed_at(), t0());
}

#[test]
fn r_lic_06_a_claim_names_its_package_and_its_facts() {
    let policy = policy();
    let (claims, _) = BundleClaim::run(
        &BundleClaim::initial(),
        &claim("app-1", alice(), pkg_200tb()),
        t0(),
        &policy,
    )
    .unwrap();
    // Another package sent to this package's aggregate.
    let other = package("pkg-other", tb(300), alice());
    let refused = refusal(BundleClaim::decide(
        &claims,
        &claim("app-1", alice(), other),
        t0(),
        &policy,
    ));
    assert_eq!(refused.rule(), RuleId::Lic06);
    assert_eq!(refused.figure("package").cloned(), text("pkg-200tb"));
    assert_eq!(
        refused.figure("requested_package").cloned(),
        text("pkg-other")
    );
    // The holder stating other facts for the same package.
    let bigger = package("pkg-200tb", tb(250), alice());
    let refused = refusal(BundleClaim::decide(
        &claims,
        &claim("app-1", alice(), bigger),
        t0(),
        &policy,
    ));
    assert_eq!(refused.rule(), RuleId::Lic06);
    assert_eq!(
        refused.figure("claimed_size"),
        Some(&FigureValue::Quantity(tb(200)))
    );
    // Empty ids name their rules.
    let refused = refusal(BundleClaim::decide(
        &BundleClaim::initial(),
        &claim("", alice(), pkg_200tb()),
        t0(),
        &policy,
    ));
    assert_eq!(refused.rule(), RuleId::Lic02);
    let refused = refusal(BundleClaim::decide(
        &BundleClaim::initial(),
        &claim("app-1", alice(), package("", tb(200), alice())),
        t0(),
        &policy,
    ));
    assert_eq!(refused.rule(), RuleId::Lic06);
}

#[test]
fn r_lic_06_another_app_of_another_account_is_refused_with_every_reason() {
    let policy = policy();
    let (claims, _) = BundleClaim::run(
        &BundleClaim::initial(),
        &claim("app-1", alice(), pkg_200tb()),
        t0(),
        &policy,
    )
    .unwrap();
    let refused = refusal(BundleClaim::decide(
        &claims,
        &claim("app-9", AccountId::new("bob"), pkg_200tb()),
        t0(),
        &policy,
    ));
    assert_eq!(refused.reasons().len(), 2, "{refused}");
    assert!(refused.rules().all(|rule| rule == RuleId::Lic06));
    assert_eq!(refused.figure("buyer").cloned(), text("alice"));
    assert_eq!(refused.figure("holder_app").cloned(), text("app-1"));
}

// ------------------------------------------------------- through the engine

type TestEngine = Engine<FixedClock, Arc<MemoryStore>>;

/// What a service does for one application (see `bundle_claim`'s docs):
/// the package's claim with its key, then the licence with the receipt and
/// a key of its own.
fn apply(
    engine: &TestEngine,
    app: &str,
    package: &TrafficPackage,
) -> Result<Outcome<LicenceEvent>, EngineError> {
    let policy = policy();
    let claim_id = AggregateId::from(package.id.as_str());
    let claim_key = IdempotencyKey::from(format!("claim:{}:{app}", package.id));
    engine.execute::<BundleClaim>(
        &claim_id,
        &claim(app, package.buyer.clone(), package.clone()),
        &policy,
        Some(&claim_key),
    )?;
    let claims = engine.state::<BundleClaim>(&claim_id)?;
    let receipt = claims
        .receipt()
        .cloned()
        .expect("an accepted claim has a receipt");
    let grant_key = IdempotencyKey::from(format!("grant:{}", package.id));
    engine.execute::<Licence>(
        &AggregateId::from(app),
        &grant(app, package.buyer.clone(), receipt),
        &policy,
        Some(&grant_key),
    )
}

fn new_engine() -> TestEngine {
    Engine::new(FixedClock::new(t0()), Arc::new(MemoryStore::new()))
}

#[test]
fn r_lic_06_through_the_engine_one_app_gets_the_term_and_retries_converge() {
    let engine = new_engine();
    let package = pkg_200tb();
    let first = apply(&engine, "app-1", &package).unwrap();
    assert!(matches!(
        first.events.as_slice(),
        [
            LicenceEvent::Bound { .. },
            LicenceEvent::BundledGranted { terms: 1, .. }
        ]
    ));
    for app in ["app-2", "app-3"] {
        assert_held_by(&refusal(apply(&engine, app, &package)), "app-1", app);
    }
    // The whole application sent again converges on the first answer.
    assert_eq!(apply(&engine, "app-1", &package).unwrap(), first);
    // Without the licence's key, the second grant is refused as granted.
    let receipt = engine
        .state::<BundleClaim>(&AggregateId::from("pkg-200tb"))
        .unwrap()
        .receipt()
        .cloned()
        .unwrap();
    let refused = refusal(engine.execute::<Licence>(
        &AggregateId::from("app-1"),
        &grant("app-1", alice(), receipt),
        &policy(),
        None,
    ));
    assert_eq!(refused.rule(), RuleId::Lic06);
    assert_eq!(refused.figure("package").cloned(), text("pkg-200tb"));
    // One claim event and one grant in the store, whatever was retried.
    let store = engine.store();
    assert_eq!(
        store
            .events::<BundleClaim>(&AggregateId::from("pkg-200tb"))
            .len(),
        1
    );
    for app in ["app-2", "app-3"] {
        assert!(store.events::<Licence>(&AggregateId::from(app)).is_empty());
    }
    let held = match engine
        .state::<Licence>(&AggregateId::from("app-1"))
        .unwrap()
    {
        LicenceState::Available(held) => held,
        other => panic!("not granted: {other:?}"),
    };
    assert_eq!(held.bundled_packages, ["pkg-200tb"]);
    assert_eq!(held.end, t0() + Duration::days(365));
}

#[test]
fn r_lic_06_a_grant_that_never_ran_leaves_the_term_with_its_app() {
    let engine = new_engine();
    let package = pkg_200tb();
    // Step 1 ran, then the service crashed before step 3.
    engine
        .execute::<BundleClaim>(
            &AggregateId::from("pkg-200tb"),
            &claim("app-1", alice(), package.clone()),
            &policy(),
            Some(&IdempotencyKey::from("claim:pkg-200tb:app-1")),
        )
        .unwrap();
    // Another app cannot take the term meanwhile...
    assert_held_by(
        &refusal(apply(&engine, "app-2", &package)),
        "app-1",
        "app-2",
    );
    // ...and the retried application grants it to app-1, once.
    let granted = apply(&engine, "app-1", &package).unwrap();
    assert!(matches!(
        granted.events.as_slice(),
        [
            LicenceEvent::Bound { .. },
            LicenceEvent::BundledGranted { .. }
        ]
    ));
    assert_eq!(apply(&engine, "app-1", &package).unwrap(), granted);
}

/// Two services race to claim one package for two apps, from two threads
/// sharing one store; a fresh package and fresh apps every round.
#[test]
fn r_lic_06_racing_claims_for_two_apps_one_wins_every_round() {
    let store = Arc::new(MemoryStore::new());
    let rounds = 200;
    let barrier = Arc::new(Barrier::new(2));
    let answers: Vec<Vec<Result<Outcome<BundleClaimEvent>, EngineError>>> = (0..2)
        .map(|side| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            thread::spawn(move || {
                let engine = Engine::new(FixedClock::new(t0()), store);
                let policy = policy();
                (0..rounds)
                    .map(|round| {
                        let package = package(&format!("pkg-{round}"), tb(200), alice());
                        let app = format!("app-{round}-{side}");
                        let key = IdempotencyKey::from(format!("claim:{}:{app}", package.id));
                        barrier.wait();
                        engine.execute::<BundleClaim>(
                            &AggregateId::from(package.id.as_str()),
                            &claim(&app, alice(), package),
                            &policy,
                            Some(&key),
                        )
                    })
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect();
    for (round, (left, right)) in answers[0].iter().zip(&answers[1]).enumerate() {
        let (won, lost, winner, loser) = match (left, right) {
            (Ok(won), Err(lost)) => (won, lost, 0, 1),
            (Err(lost), Ok(won)) => (won, lost, 1, 0),
            other => panic!("round {round}: not one winner: {other:?}"),
        };
        let (winner, loser) = (
            format!("app-{round}-{winner}"),
            format!("app-{round}-{loser}"),
        );
        assert!(
            matches!(won.events.as_slice(), [BundleClaimEvent::Claimed(receipt)] if receipt.app().0 == winner),
            "round {round}: {won:?}"
        );
        let refused = lost
            .refusal()
            .unwrap_or_else(|| panic!("round {round}: the loser got {lost}, not a refusal"));
        assert_eq!(refused.rule(), RuleId::Lic06);
        assert_eq!(refused.figure("holder_app").cloned(), text(&winner));
        assert_eq!(refused.figure("requested_app").cloned(), text(&loser));
        let id = AggregateId::from(format!("pkg-{round}"));
        assert_eq!(store.events::<BundleClaim>(&id).len(), 1);
    }
}

// ------------------------------------------------------- any sequence

#[derive(Debug, Clone)]
struct Application {
    package: usize,
    app: usize,
    account: usize,
    size: Quantity,
    /// Present the package's current receipt to this app's licence,
    /// whoever holds it (what a confused or hostile caller might send).
    any_receipt: bool,
}

fn application() -> impl Strategy<Value = Application> {
    let size = prop::sample::select(vec![tb(199), tb(200), tb(500)]);
    (
        0..3usize,
        0..4usize,
        0..2usize,
        size,
        prop::bool::weighted(0.3),
    )
        .prop_map(|(package, app, account, size, any_receipt)| Application {
            package,
            app,
            account,
            size,
            any_receipt,
        })
}

proptest! {
    /// R-LIC-06: for any sequence of claims of any packages for any apps,
    /// the free terms granted per package never exceed the policy's free
    /// terms (one app's worth), and a package claimed while it qualified
    /// grants exactly those.
    #[test]
    fn r_lic_06_free_terms_per_package_never_exceed_the_policy(
        terms in 1u32..=3,
        applications in prop::collection::vec(application(), 1..40),
    ) {
        let mut spec = presets::live_plugin_licence_spec();
        spec.bundled_terms = terms;
        let policy = LicencePolicy::try_from(spec).unwrap();
        let accounts = [alice(), AccountId::new("bob")];
        let mut claims: BTreeMap<String, BundleClaimState> = BTreeMap::new();
        let mut licences: BTreeMap<String, LicenceState> = BTreeMap::new();
        let mut events: BTreeMap<String, Vec<LicenceEvent>> = BTreeMap::new();
        let mut now = t0();
        for a in &applications {
            now += Duration::days(1);
            let id = format!("pkg-{}", a.package);
            let app = format!("app-{}", a.app);
            // Each package belongs to alice, whatever size is stated.
            let package = package(&id, a.size, alice());
            let account = accounts[a.account].clone();
            let state = claims.entry(id.clone()).or_insert_with(BundleClaim::initial);
            if let Ok((next, _)) =
                BundleClaim::run(state, &claim(&app, account.clone(), package), now, &policy)
            {
                *state = next;
            } else if !a.any_receipt {
                continue;
            }
            let Some(receipt) = state.receipt().cloned() else { continue };
            let licence = licences.entry(app.clone()).or_insert_with(Licence::initial);
            if let Ok((next, new)) = Licence::run(licence, &grant(&app, account, receipt), now, &policy) {
                *licence = next;
                events.entry(app).or_default().extend(new);
            }
        }
        for (id, state) in &claims {
            let granted = granted_terms(&events, id);
            prop_assert!(granted <= terms * CLAIMS_PER_PACKAGE, "{id}: {granted} of {terms}");
            // Alice's claims are granted at once, so a claimed package
            // granted its terms, and an unclaimed one none.
            let expected = if state.receipt().is_some() { terms } else { 0 };
            prop_assert_eq!(granted, expected, "{}", id);
            // Every grant of the package went to its holder.
            for (app, app_events) in &events {
                let here = granted_terms(&BTreeMap::from([(app.clone(), app_events.clone())]), id);
                if here > 0 {
                    prop_assert_eq!(state.receipt().map(|r| r.app().0.as_str()), Some(app.as_str()));
                }
            }
        }
    }
}

// ------------------------------------------------------------ data

#[test]
fn bundle_claim_kind_is_stable_and_distinct() {
    assert_eq!(BundleClaim::KIND, "bundle_claim");
    let others = [
        Subscription::KIND,
        PackageWallet::KIND,
        Licence::KIND,
        EnvironmentPayment::KIND,
        OrderLedger::KIND,
    ];
    assert!(!others.contains(&BundleClaim::KIND));
}

#[test]
fn bundle_claim_commands_events_states_and_receipts_round_trip_through_json() {
    let policy = policy();
    let command = claim("app-1", alice(), pkg_200tb());
    let package_json =
        json!({"id": "pkg-200tb", "size": {"value": "200", "unit": "TB"}, "buyer": "alice"});
    let command_json =
        json!({"command": "claim", "app": "app-1", "account": "alice", "package": package_json});
    assert_eq!(serde_json::to_value(&command).unwrap(), command_json);
    assert_eq!(
        serde_json::from_value::<BundleClaimCommand>(command_json).unwrap(),
        command
    );

    let (state, events) =
        BundleClaim::run(&BundleClaim::initial(), &command, t0(), &policy).unwrap();
    let receipt_json =
        json!({"package": package_json, "app": "app-1", "claimed_at": "2025-06-01T02:00:00Z"});
    let receipt = state.receipt().unwrap();
    assert_eq!(serde_json::to_value(receipt).unwrap(), receipt_json);
    assert_eq!(
        &serde_json::from_value::<BundleReceipt>(receipt_json.clone()).unwrap(),
        receipt
    );

    let mut event_json = receipt_json.clone();
    event_json["event"] = json!("claimed");
    assert_eq!(serde_json::to_value(&events).unwrap(), json!([event_json]));
    assert_eq!(
        serde_json::from_value::<Vec<BundleClaimEvent>>(json!([event_json])).unwrap(),
        events
    );

    let mut state_json = receipt_json.clone();
    state_json["state"] = json!("claimed");
    assert_eq!(serde_json::to_value(&state).unwrap(), state_json);
    assert_eq!(
        serde_json::from_value::<BundleClaimState>(state_json).unwrap(),
        state
    );
    let unclaimed = json!({"state": "unclaimed"});
    assert_eq!(
        serde_json::to_value(BundleClaim::initial()).unwrap(),
        unclaimed
    );
    assert_eq!(
        serde_json::from_value::<BundleClaimState>(unclaimed).unwrap(),
        BundleClaimState::Unclaimed
    );
    // Replaying the stored events gives the state back.
    assert_eq!(BundleClaim::replay(events.iter()), state);

    // The licence command carries the receipt.
    let command = grant("app-1", alice(), receipt.clone());
    let json = json!({"command": "claim_bundled", "app": "app-1", "account": "alice", "receipt": receipt_json});
    assert_eq!(serde_json::to_value(&command).unwrap(), json);
    assert_eq!(
        serde_json::from_value::<LicenceCommand>(json).unwrap(),
        command
    );

    // A refusal round-trips with its figures.
    let refused = BundleClaim::decide(&state, &claim("app-2", alice(), pkg_200tb()), t0(), &policy)
        .unwrap_err();
    let back: Error = serde_json::from_value(serde_json::to_value(&refused).unwrap()).unwrap();
    assert_eq!(back, refused);
}
