//! The live plugin licence (R-LIC-01..06).

mod common;

use billing_rules::Decider;
use billing_rules::lifecycle::{
    AccountId, AppId, BundleClaim, BundleClaimCommand, BundleReceipt, Licence, LicenceCommand,
    LicenceEvent, LicencePolicy, LicenceState, LicenceStatus, TrafficPackage,
};
use billing_rules::money::Money;
use billing_rules::presets;
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::time::Days;
use billing_rules::{Error, FigureValue, RuleId, TimeDriven};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::refused;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 4, 0, 0).unwrap()
}

fn policy() -> LicencePolicy {
    presets::live_plugin_licence().unwrap()
}

fn app() -> AppId {
    AppId::new("live-app-1")
}

fn alice() -> AccountId {
    AccountId::new("alice")
}

fn buy(account: AccountId) -> LicenceCommand {
    LicenceCommand::Purchase {
        app: app(),
        account,
    }
}

fn run(
    state: &LicenceState,
    command: &LicenceCommand,
    now: DateTime<Utc>,
) -> (LicenceState, Vec<LicenceEvent>) {
    Licence::run(state, command, now, &policy()).unwrap()
}

fn held(state: &LicenceState) -> &billing_rules::lifecycle::Held {
    match state {
        LicenceState::Available(held) | LicenceState::Expired(held) => held,
        other => panic!("not held: {other:?}"),
    }
}

fn package(id: &str, value: Decimal, unit: Unit, buyer: AccountId) -> TrafficPackage {
    TrafficPackage {
        id: id.into(),
        size: Quantity::new(value, unit),
        buyer,
    }
}

/// The receipt the package's claim aggregate issues to `account` for `app`.
fn receipt(app: &AppId, account: &AccountId, package: TrafficPackage) -> BundleReceipt {
    let claim = BundleClaimCommand::Claim {
        app: app.clone(),
        account: account.clone(),
        package,
    };
    let (state, _) = BundleClaim::run(&BundleClaim::initial(), &claim, t0(), &policy()).unwrap();
    state.receipt().unwrap().clone()
}

/// A receipt the claim aggregate would not issue, as edited storage or a
/// forged request could carry it.
fn forged_receipt(app: &AppId, package: TrafficPackage) -> BundleReceipt {
    serde_json::from_value(serde_json::json!({"package": package, "app": app, "claimed_at": t0()}))
        .unwrap()
}

fn claim_bundled(account: AccountId, receipt: BundleReceipt) -> LicenceCommand {
    LicenceCommand::ClaimBundled {
        app: app(),
        account,
        receipt,
    }
}

#[test]
fn preset_is_valid_and_round_trips_through_json() {
    let policy = policy();
    assert_eq!(LicencePolicy::try_from(policy.to_spec()).unwrap(), policy);
    let json = serde_json::to_string(&policy).unwrap();
    assert_eq!(
        serde_json::from_str::<LicencePolicy>(&json).unwrap(),
        policy
    );
    let mut spec = presets::live_plugin_licence_spec();
    spec.bundled_min_traffic = Quantity::new(Decimal::from(200), Unit::Call);
    assert_eq!(
        LicencePolicy::try_from(spec).unwrap_err().rule,
        Some(RuleId::Lic06)
    );
    let mut spec = presets::live_plugin_licence_spec();
    spec.price_per_term = Decimal::from(-1);
    assert_eq!(
        LicencePolicy::try_from(spec).unwrap_err().rule,
        Some(RuleId::Lic01)
    );
}

#[test]
fn r_lic_01_a_licence_costs_30000_and_is_valid_one_year_from_purchase() {
    let (state, events) = run(&LicenceState::Unbound, &buy(alice()), t0());
    assert_eq!(
        events,
        vec![
            LicenceEvent::Bound {
                at: t0(),
                app: app(),
                owner: alice()
            },
            LicenceEvent::Purchased {
                at: t0(),
                price: Money::cny(Decimal::from(30_000)),
                start: t0(),
                end: t0() + Duration::days(365)
            },
        ]
    );
    assert_eq!(
        Licence::status(&state, t0(), &policy()),
        LicenceStatus::Available {
            until: t0() + Duration::days(365)
        }
    );
    assert_eq!(held(&state).first_purchase, t0());
}

#[test]
fn r_lic_02_a_licence_belongs_to_one_app_id() {
    let (state, _) = run(&LicenceState::Unbound, &buy(alice()), t0());
    let other_app = LicenceCommand::Purchase {
        app: AppId::new("live-app-2"),
        account: alice(),
    };
    let refusal = refused::<Licence>(&state, &other_app, t0(), &policy());
    assert_eq!(refusal.rule(), RuleId::Lic02);
    assert_eq!(
        refusal.figure("licensed_app"),
        Some(&FigureValue::Text("live-app-1".into()))
    );
    let empty = LicenceCommand::Bind {
        app: AppId::new(""),
        account: alice(),
    };
    assert_eq!(
        refused::<Licence>(&LicenceState::Unbound, &empty, t0(), &policy()).rule(),
        RuleId::Lic02
    );
}

#[test]
fn r_lic_03_another_licence_extends_from_the_current_end_not_from_today() {
    let (state, _) = run(&LicenceState::Unbound, &buy(alice()), t0());
    let (state, events) = run(&state, &buy(alice()), t0() + Duration::days(200));
    assert!(
        matches!(events.as_slice(), [LicenceEvent::Purchased { start, end, .. }]
        if *start == t0() + Duration::days(365) && *end == t0() + Duration::days(730))
    );
    assert_eq!(held(&state).terms, 2);
    assert_eq!(held(&state).granted(&policy()).unwrap(), Days(730));
}

#[test]
fn r_lic_03_after_expiry_the_new_year_runs_from_the_purchase() {
    let (state, _) = run(&LicenceState::Unbound, &buy(alice()), t0());
    let late = t0() + Duration::days(400);
    assert_eq!(
        Licence::status(&state, late, &policy()),
        LicenceStatus::Expired {
            since: t0() + Duration::days(365)
        }
    );
    let (state, events) = run(&state, &buy(alice()), late);
    assert!(
        matches!(events.as_slice(), [LicenceEvent::Purchased { start, end, .. }]
        if *start == late && *end == late + Duration::days(365))
    );
    assert_eq!(
        Licence::status(&state, late, &policy()),
        LicenceStatus::Available {
            until: late + Duration::days(365)
        }
    );
}

#[test]
fn r_lic_04_a_second_account_cannot_bind_the_app_id() {
    let (bound, _) = run(
        &LicenceState::Unbound,
        &LicenceCommand::Bind {
            app: app(),
            account: alice(),
        },
        t0(),
    );
    let (paid, _) = run(&bound, &buy(alice()), t0());
    let bob = AccountId::new("bob");
    for state in [&bound, &paid] {
        for command in [
            LicenceCommand::Bind {
                app: app(),
                account: bob.clone(),
            },
            buy(bob.clone()),
            claim_bundled(
                bob.clone(),
                receipt(
                    &app(),
                    &bob,
                    package("p", Decimal::from(300), Unit::Terabyte, bob.clone()),
                ),
            ),
        ] {
            let refusal = refused::<Licence>(state, &command, t0(), &policy());
            assert_eq!(refusal.rule(), RuleId::Lic04);
            assert_eq!(
                refusal.figure("owner"),
                Some(&FigureValue::Text("alice".into()))
            );
            assert_eq!(
                refusal.figure("requester"),
                Some(&FigureValue::Text("bob".into()))
            );
        }
    }
    // The owner binding again changes nothing.
    let (_, events) = run(
        &bound,
        &LicenceCommand::Bind {
            app: app(),
            account: alice(),
        },
        t0(),
    );
    assert!(events.is_empty());
}

#[test]
fn r_lic_05_a_licence_can_be_bought_pending_available_or_expired() {
    let (pending, _) = run(
        &LicenceState::Unbound,
        &LicenceCommand::Bind {
            app: app(),
            account: alice(),
        },
        t0(),
    );
    assert_eq!(
        Licence::status(&pending, t0(), &policy()),
        LicenceStatus::PendingPayment
    );
    assert_eq!(
        Licence::access(&pending, t0(), &policy()).rule(),
        Some(RuleId::Lic05)
    );
    let (available, _) = run(&pending, &buy(alice()), t0());
    assert!(matches!(available, LicenceState::Available(_)));
    let (stacked, _) = run(&available, &buy(alice()), t0() + Duration::days(1));
    assert!(matches!(stacked, LicenceState::Available(_)));
    // Expired, recorded by the due event.
    let end = t0() + Duration::days(365);
    assert!(
        Licence::status(&available, end - Duration::seconds(1), &policy())
            == LicenceStatus::Available { until: end }
    );
    assert_eq!(
        Licence::status(&available, end, &policy()),
        LicenceStatus::Expired { since: end }
    );
    assert!(
        Licence::due_events(&available, end - Duration::seconds(1), &policy())
            .unwrap()
            .is_empty()
    );
    let due = Licence::due_events(&available, end, &policy()).unwrap();
    assert_eq!(due, vec![LicenceEvent::Expired { at: end }]);
    let expired = due.iter().fold(available.clone(), Licence::evolve);
    assert!(matches!(expired, LicenceState::Expired(_)));
    assert_eq!(due.iter().fold(expired.clone(), Licence::evolve), expired);
    let answer = Licence::access(&expired, end, &policy());
    assert_eq!(answer.rule(), Some(RuleId::Lic05));
    let (renewed, _) = run(&expired, &buy(alice()), end + Duration::days(2));
    assert!(Licence::access(&renewed, end + Duration::days(2), &policy()).is_allowed());
}

#[test]
fn r_lic_06_a_traffic_package_of_200_tb_or_more_earns_a_free_year() {
    // Exactly 200 TB, given in GB: qualifies.
    let exact = package("pkg-200tb", Decimal::from(200_000), Unit::Gigabyte, alice());
    let claim = claim_bundled(alice(), receipt(&app(), &alice(), exact));
    let (state, events) = run(&LicenceState::Unbound, &claim, t0());
    assert!(
        matches!(events.as_slice(), [LicenceEvent::Bound { .. }, LicenceEvent::BundledGranted { start, end, .. }]
        if *start == t0() && *end == t0() + Duration::days(365))
    );
    assert_eq!(held(&state).bundled_packages, vec!["pkg-200tb".to_owned()]);
    // The same receipt a second time: refused.
    let refusal = refused::<Licence>(&state, &claim, t0(), &policy());
    assert_eq!(refusal.rule(), RuleId::Lic06);
    assert_eq!(refusal.reasons().len(), 1);
    assert_eq!(
        refusal.figure("package"),
        Some(&FigureValue::Text("pkg-200tb".into()))
    );
    // A second qualifying package stacks another year (R-LIC-03).
    let another = package("pkg-b", Decimal::from(200_000_000), Unit::Megabyte, alice());
    let (state, _) = run(
        &state,
        &claim_bundled(alice(), receipt(&app(), &alice(), another)),
        t0(),
    );
    assert_eq!(held(&state).end, t0() + Duration::days(730));
}

#[test]
fn r_lic_06_below_200_tb_or_bought_by_another_account_is_refused_with_every_reason() {
    let just_below = package(
        "pkg-small",
        Decimal::new(199_999_999_999, 9),
        Unit::Terabyte,
        AccountId::new("carol"),
    );
    let policy = policy();
    let check = |refusal: &billing_rules::Refusal| {
        assert_eq!(refusal.reasons().len(), 2);
        assert!(refusal.rules().all(|r| r == RuleId::Lic06));
        assert_eq!(
            refusal.figure("package_size"),
            Some(&FigureValue::Quantity(Quantity::new(
                Decimal::new(199_999_999_999, 9),
                Unit::Terabyte
            )))
        );
        assert_eq!(
            refusal.figure("threshold"),
            Some(&FigureValue::Quantity(Quantity::new(
                Decimal::from(200),
                Unit::Terabyte
            )))
        );
        assert_eq!(
            refusal.figure("buyer"),
            Some(&FigureValue::Text("carol".into()))
        );
    };
    // The claim aggregate issues no receipt for it...
    let claim = BundleClaimCommand::Claim {
        app: app(),
        account: alice(),
        package: just_below.clone(),
    };
    check(&refused::<BundleClaim>(
        &BundleClaim::initial(),
        &claim,
        t0(),
        &policy,
    ));
    // ...and the licence refuses a receipt that says otherwise.
    let forged = claim_bundled(alice(), forged_receipt(&app(), just_below));
    check(&refused::<Licence>(
        &LicenceState::Unbound,
        &forged,
        t0(),
        &policy,
    ));
    // A package measured in something else than data cannot be compared.
    let calls = package("pkg-calls", Decimal::from(1_000_000), Unit::Call, alice());
    let claim = BundleClaimCommand::Claim {
        app: app(),
        account: alice(),
        package: calls.clone(),
    };
    let err = BundleClaim::decide(&BundleClaim::initial(), &claim, t0(), &policy).unwrap_err();
    assert!(matches!(err, Error::Arithmetic { .. }));
    assert_eq!(err.rule(), Some(RuleId::Lic06));
    let forged = claim_bundled(alice(), forged_receipt(&app(), calls));
    let err = Licence::decide(&LicenceState::Unbound, &forged, t0(), &policy).unwrap_err();
    assert!(matches!(err, Error::Arithmetic { .. }));
    assert_eq!(err.rule(), Some(RuleId::Lic06));
}

#[test]
fn licence_state_and_events_round_trip_through_json() {
    let (state, mut events) = run(&LicenceState::Unbound, &buy(alice()), t0());
    events.extend(Licence::due_events(&state, t0() + Duration::days(400), &policy()).unwrap());
    let json = serde_json::to_string(&events).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<LicenceEvent>>(&json).unwrap(),
        events
    );
    let replayed = Licence::replay(events.iter());
    let json = serde_json::to_string(&replayed).unwrap();
    assert!(json.starts_with(r#"{"state":"expired""#), "{json}");
    assert_eq!(
        serde_json::from_str::<LicenceState>(&json).unwrap(),
        replayed
    );
}

proptest! {
    #[test]
    fn r_lic_03_n_stacked_licences_give_exactly_n_years(
        gaps in prop::collection::vec(0i64..(365 * 24 * 60), 1..20),
    ) {
        // Every purchase falls inside the current validity (each gap is
        // under a year after the previous purchase, which is never past the
        // end), so the years stack from the first purchase.
        let mut state = LicenceState::Unbound;
        let mut now = t0();
        for (i, gap) in gaps.iter().enumerate() {
            if i > 0 {
                now += Duration::minutes(*gap);
            }
            state = run(&state, &buy(alice()), now).0;
        }
        let n = i64::try_from(gaps.len()).unwrap();
        prop_assert_eq!(held(&state).end, t0() + Duration::days(365 * n));
        prop_assert_eq!(i64::from(held(&state).terms), n);
    }

    #[test]
    fn r_lic_03_validity_is_never_lost_or_gained(
        gaps in prop::collection::vec(0i64..(800 * 24 * 60), 1..12),
    ) {
        // With gaps that may pass the end: each purchase adds exactly one
        // year after max(previous end, purchase instant).
        let mut state = LicenceState::Unbound;
        let mut now = t0();
        let mut expected_end = t0();
        for gap in &gaps {
            now += Duration::minutes(*gap);
            state = run(&state, &buy(alice()), now).0;
            expected_end = expected_end.max(now) + Duration::days(365);
            prop_assert_eq!(held(&state).end, expected_end);
        }
        prop_assert_eq!(usize::try_from(held(&state).terms).unwrap(), gaps.len());
    }
}
