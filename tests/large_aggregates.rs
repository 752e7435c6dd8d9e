//! Commands on large aggregates cost what they change (issue 19).
//!
//! - `Decider::apply` is `Decider::run` without the copy: the same events,
//!   the same state, the same refusals (and a refusal changes nothing), for
//!   any sequence of commands on the wallet and the ledger.
//! - The wallet's index gives the draws and the expiries a scan of every
//!   package gives (the R-USE-07 order), on wallets the decider built and on
//!   wallets read from JSON with any ids and statuses; a wallet or a ledger
//!   read back from JSON (its index rebuilt) answers every command the same.

use billing_rules::Decider;
use billing_rules::Error;
use billing_rules::money::Money;
use billing_rules::presets;
use billing_rules::refund::{LedgerCommand, LedgerState, OrderId, OrderLedger, RefundFlags};
use billing_rules::usage::{
    AccountProfile, CallCounts, Category, Component, Draw, Expiry, FeatureSwitch, HeldPackage,
    Organisation, PackageOrder, PackageStatus, PackageWallet, UsagePolicy, WalletCommand,
    WalletEvent, WalletState,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

const QUICK: Component = Component::QuickVerification;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap()
}

fn json_round_trip<T: Serialize + DeserializeOwned>(value: &T) -> T {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

/// Runs `command` three ways: `run` on a copy, `apply` in place, and
/// `apply` on a state read back from JSON. All three answer alike, and a
/// refusal leaves the state as it was.
fn three_ways<D>(
    copied: &mut D::State,
    in_place: &mut D::State,
    command: &D::Command,
    now: DateTime<Utc>,
    policy: &D::Policy,
) -> Result<Result<Vec<D::Event>, Error>, TestCaseError>
where
    D: Decider,
    D::State: PartialEq + std::fmt::Debug + Serialize + DeserializeOwned,
    D::Event: PartialEq + std::fmt::Debug,
{
    let before = copied.clone();
    let mut read_back: D::State = json_round_trip(&*in_place);
    prop_assert_eq!(&read_back, &*in_place);
    let ran = D::run(copied, command, now, policy);
    let applied = D::apply(in_place, command, now, policy);
    let from_json = D::apply(&mut read_back, command, now, policy);
    let ran = match ran {
        Ok((next, events)) => {
            *copied = next;
            Ok(events)
        }
        Err(error) => {
            prop_assert_eq!(&*in_place, &before, "a refusal changed the state");
            Err(error)
        }
    };
    prop_assert_eq!(&applied, &ran);
    prop_assert_eq!(&from_json, &ran);
    prop_assert_eq!(&*in_place, &*copied);
    prop_assert_eq!(&read_back, &*copied);
    Ok(ran)
}

// ------------------------------------------------------------ references

/// The R-USE-07 draws by a scan of every package: the valid ones, by
/// (expiry, id), the first bought of each such key, until `left` is drawn.
fn reference_draws(state: &WalletState, at: DateTime<Utc>, mut left: u64) -> Vec<Draw> {
    let mut valid: Vec<&HeldPackage> = state
        .packages()
        .iter()
        .filter(|p| p.drawable_at(at))
        .collect();
    valid.sort_by_key(|p| (p.expires_at(), p.id()));
    valid.dedup_by_key(|p| (p.expires_at(), p.id()));
    let mut draws = Vec::new();
    for p in valid {
        if left == 0 {
            break;
        }
        let calls = left.min(p.remaining());
        draws.push(Draw {
            package: p.id(),
            calls,
        });
        left -= calls;
    }
    draws
}

/// What Advance closes, by a scan: every open package expired by `now`, in
/// purchase order.
fn reference_expiries(state: &WalletState, now: DateTime<Utc>) -> Vec<WalletEvent> {
    state
        .packages()
        .iter()
        .filter(|p| p.status() == PackageStatus::Open && p.expires_at() <= now)
        .map(|p| {
            WalletEvent::Expired(Expiry {
                package: p.id(),
                expired_at: p.expires_at(),
                lost: p.remaining(),
            })
        })
        .collect()
}

/// The draws and expiries of an accepted wallet command are the scan's.
fn check_against_scan(
    before: &WalletState,
    command: &WalletCommand,
    now: DateTime<Utc>,
    events: &[WalletEvent],
) -> Result<(), TestCaseError> {
    match (command, events) {
        (WalletCommand::Consume { at, .. }, [WalletEvent::Consumed(c)]) if c.waiver.is_none() => {
            let left = c.requested - c.from_trial;
            prop_assert_eq!(&c.draws, &reference_draws(before, *at, left));
        }
        (WalletCommand::Advance, _) => {
            prop_assert_eq!(events, &reference_expiries(before, now)[..]);
        }
        _ => {}
    }
    Ok(())
}

// ------------------------------------------------------------ the wallet

fn wallet_command() -> impl Strategy<Value = (u32, WalletCommand)> {
    let order = prop_oneof![
        prop::sample::select(vec![1_000u64, 5_000, 10_000])
            .prop_map(|calls| { PackageOrder::listed(calls, 365) }),
        (0u64..3_000, prop::sample::select(vec![90u32, 180, 365, 7]))
            .prop_map(|(calls, days)| PackageOrder::custom(calls, days)),
    ];
    let profile = (0usize..4, 0usize..3).prop_map(|(o, c)| AccountProfile {
        organisation: [
            Organisation::Enterprise,
            Organisation::Individual,
            Organisation::Government,
            Organisation::Enterprise,
        ][o],
        category: [
            Category::Other,
            Category::GovernmentServices,
            Category::Other,
        ][c],
    });
    let command = prop_oneof![
        4 => order.prop_map(|order| WalletCommand::Purchase { order }),
        6 => (0u64..4_000, 0u64..3, 0i64..20 * 24, any::<bool>()).prop_map(
            |(succeeded, failed, hours_late, future)| WalletCommand::Consume {
                component: QUICK,
                calls: CallCounts { succeeded, failed },
                // Hours before now; a few commands date calls after now
                // (refused) by a negative offset, marked below.
                at: start() + Duration::hours(if future { -1 } else { hours_late }),
            }
        ),
        2 => Just(WalletCommand::Advance),
        1 => prop::bool::weighted(0.8).prop_map(|on| WalletCommand::SwitchFeature {
            switch: if on { FeatureSwitch::On } else { FeatureSwitch::Off },
        }),
        1 => profile.prop_map(|profile| WalletCommand::SetProfile { profile }),
    ];
    (0u32..40 * 24, command)
}

/// Dates a consume relative to `now`: its `at` was encoded as hours late
/// after `start()` (or -1 for an hour after now).
fn dated(command: WalletCommand, now: DateTime<Utc>) -> WalletCommand {
    match command {
        WalletCommand::Consume {
            component,
            calls,
            at,
        } => {
            let hours = (at - start()).num_hours();
            WalletCommand::Consume {
                component,
                calls,
                at: now - Duration::hours(hours),
            }
        }
        other => other,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `apply` gives the events and state `run` gives, on any wallet
    /// history; a wallet read back from JSON answers alike; the draws and
    /// expiries are the scan's.
    #[test]
    fn wallet_apply_matches_run(steps in prop::collection::vec(wallet_command(), 0..60)) {
        let policy = presets::verification_usage().unwrap();
        let mut now = start();
        let (mut copied, mut in_place) = (PackageWallet::initial(), PackageWallet::initial());
        for (hours, command) in steps {
            now += Duration::hours(i64::from(hours));
            let command = dated(command, now);
            let before = copied.clone();
            if let Ok(events) = three_ways::<PackageWallet>(&mut copied, &mut in_place, &command, now, &policy)? {
                check_against_scan(&before, &command, now, &events)?;
            }
        }
        prop_assert_eq!(&in_place, &copied);
    }
}

/// A package of a wallet read from elsewhere: any id, remainder, validity
/// and status.
fn foreign_package() -> impl Strategy<Value = serde_json::Value> {
    (
        0u32..6,
        0u64..2_000,
        0i64..100,
        -20i64..200,
        prop::option::weighted(0.2, 0u64..50),
    )
        .prop_map(|(id, remaining, effective, valid_for, lost)| {
            let effective_at = start() + Duration::hours(effective);
            let expires_at = effective_at + Duration::hours(valid_for);
            json!({
                "id": id,
                "order": {"kind": "custom", "calls": 2000, "validity_days": 90},
                "calls": 2000,
                "remaining": remaining,
                "price": {"amount": "60", "currency": "CNY"},
                "validity": 90,
                "paid_at": effective_at,
                "effective_at": effective_at,
                "expires_at": expires_at,
                "status": match lost {
                    Some(lost) => json!({"status": "expired", "lost": lost}),
                    None => json!({"status": "open"}),
                },
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// On a wallet read from JSON with any packages (duplicate ids, closed
    /// packages holding calls, validities ending before they start), the
    /// indexed consume and expire give the scan's draws and expiries, and
    /// `apply` gives what `run` gives.
    #[test]
    fn foreign_wallet_draws_and_expiries_match_a_scan(
        packages in prop::collection::vec(foreign_package(), 0..14),
        consumes in prop::collection::vec((0i64..300, 0u64..6_000), 1..6),
        expire_at in 0i64..300,
    ) {
        let policy: UsagePolicy = presets::verification_usage().unwrap();
        let wallet = json!({
            "feature": "on",
            "profile": {"organisation": "enterprise", "category": "other"},
            "trial_used": 1000,
            "packages": packages,
        });
        let state: WalletState = serde_json::from_value(wallet).unwrap();
        let (mut copied, mut in_place) = (state.clone(), state);
        let latest = start() + Duration::hours(400);
        for (hour, succeeded) in consumes {
            let command = WalletCommand::Consume {
                component: QUICK,
                calls: CallCounts::succeeded(succeeded),
                at: start() + Duration::hours(hour),
            };
            let before = copied.clone();
            if let Ok(events) = three_ways::<PackageWallet>(&mut copied, &mut in_place, &command, latest, &policy)? {
                check_against_scan(&before, &command, latest, &events)?;
            }
        }
        // Twice: an event closes the first package of its id, so with
        // duplicate ids the second expire still finds open ones.
        let now = start() + Duration::hours(expire_at);
        for _ in 0..2 {
            let before = copied.clone();
            let events = three_ways::<PackageWallet>(&mut copied, &mut in_place, &WalletCommand::Advance, now, &policy)?;
            prop_assert!(events.is_ok());
            check_against_scan(&before, &WalletCommand::Advance, now, &events.unwrap_or_default())?;
        }
    }
}

// ------------------------------------------------------------ the ledger

fn ledger_command() -> impl Strategy<Value = (u32, LedgerCommand)> {
    let order = (0u32..24).prop_map(|k| OrderId::from(format!("o{k}")));
    let command = prop_oneof![
        5 => (order.clone(), 0i64..15 * 24, -5i64..1_000).prop_map(|(order, hours_ago, yuan)| {
            LedgerCommand::RecordOrder {
                order,
                // Hours before `start()`, turned into hours before now by
                // `paid`.
                paid_at: start() - Duration::hours(hours_ago),
                amount: Money::cny(Decimal::from(yuan)),
            }
        }),
        2 => order.clone().prop_map(|order| LedgerCommand::MarkInvoiced { order }),
        4 => (order, prop::bool::weighted(0.9)).prop_map(|(order, good)| LedgerCommand::Refund {
            order,
            flags: if good { RefundFlags::default() } else { RefundFlags::default().banned() },
        }),
    ];
    (0u32..3 * 24, command)
}

/// Dates an order's payment relative to `now`.
fn paid(command: LedgerCommand, now: DateTime<Utc>) -> LedgerCommand {
    match command {
        LedgerCommand::RecordOrder {
            order,
            paid_at,
            amount,
        } => LedgerCommand::RecordOrder {
            order,
            paid_at: now - (start() - paid_at),
            amount,
        },
        other => other,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `apply` gives the events and state `run` gives, on any ledger
    /// history; a ledger read back from JSON answers alike.
    #[test]
    fn ledger_apply_matches_run(steps in prop::collection::vec(ledger_command(), 0..80)) {
        let policy = presets::app_store_refunds().unwrap();
        let mut now = start();
        let (mut copied, mut in_place): (LedgerState, LedgerState) =
            (OrderLedger::initial(), OrderLedger::initial());
        let mut accepted = 0usize;
        for (hours, command) in steps {
            now += Duration::hours(i64::from(hours));
            let command = paid(command, now);
            if three_ways::<OrderLedger>(&mut copied, &mut in_place, &command, now, &policy)?.is_ok() {
                accepted += 1;
            }
        }
        prop_assert!(in_place.orders().len() <= accepted);
        prop_assert_eq!(&in_place, &copied);
    }
}

// ------------------------------------------------------------ at scale

/// A consume on a wallet of 10^5 packages draws from the one that expires
/// first, wherever it was bought, and an expire closes exactly the expired
/// ones; `apply` moves the wallet in place.
#[test]
fn a_large_wallet_draws_and_expires_in_r_use_07_order() {
    let policy = presets::verification_usage().unwrap();
    let now = start();
    let mut wallet = PackageWallet::initial();
    let size = 100_000u32;
    for i in 0..size {
        // Every 1000th package is bought a year earlier, so it expires
        // first; the rest expire in reverse order of purchase.
        let at = if i % 1000 == 0 {
            now - Duration::days(300) - Duration::seconds(i64::from(i))
        } else {
            now - Duration::seconds(i64::from(i))
        };
        let buy = WalletCommand::Purchase {
            order: PackageOrder::listed(1_000, 365),
        };
        PackageWallet::apply(&mut wallet, &buy, at, &policy).unwrap();
    }
    // 1000 trial calls, then 2500 more: package 99000 (bought earliest of
    // the early ones) gives 1000, 98000 gives 1000, 97000 gives 500.
    let consume = WalletCommand::Consume {
        component: QUICK,
        calls: CallCounts::succeeded(3_500),
        at: now,
    };
    let events = PackageWallet::apply(&mut wallet, &consume, now, &policy).unwrap();
    let [WalletEvent::Consumed(c)] = &events[..] else {
        panic!("one consumption: {events:?}")
    };
    assert_eq!(c.from_trial, 1_000);
    let draws: Vec<(u32, u64)> = c.draws.iter().map(|d| (d.package.0, d.calls)).collect();
    assert_eq!(draws, [(99_000, 1_000), (98_000, 1_000), (97_000, 500)]);
    assert_eq!(
        wallet.package_calls_at(now),
        u64::from(size) * 1_000 - 2_500
    );
    // 70 days on, the 100 early packages have expired (two of them empty).
    let later = now + Duration::days(70);
    let events =
        PackageWallet::apply(&mut wallet, &WalletCommand::Advance, later, &policy).unwrap();
    assert_eq!(events.len(), 100);
    let lost: u64 = events
        .iter()
        .map(|e| match e {
            WalletEvent::Expired(x) => x.lost,
            other => panic!("not an expiry: {other:?}"),
        })
        .sum();
    assert_eq!(lost, 100 * 1_000 - 2_500);
    assert_eq!(
        events.first(),
        Some(&WalletEvent::Expired(Expiry {
            package: billing_rules::usage::PackageId(0),
            expired_at: wallet.packages()[0].expires_at(),
            lost: 1_000,
        }))
    );
    assert_eq!(
        wallet.package_calls_at(later),
        u64::from(size - 100) * 1_000
    );
    // Read back from JSON, the wallet draws the same next call.
    let next = WalletCommand::Consume {
        component: QUICK,
        calls: CallCounts::succeeded(1),
        at: later,
    };
    let mut read_back = json_round_trip(&wallet);
    assert_eq!(
        PackageWallet::apply(&mut read_back, &next, later, &policy).unwrap(),
        PackageWallet::apply(&mut wallet, &next, later, &policy).unwrap()
    );
    assert_eq!(read_back, wallet);
}
