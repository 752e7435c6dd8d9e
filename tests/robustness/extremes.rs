//! Extremes are error values or exact answers, never wraps or panics:
//! amounts near `Decimal::MAX`, 10^9 seats, periods of 10^6 days and huge
//! period counts, 10^6 tiers, chrono's first and last instants.

use billing_rules::Decider;
use billing_rules::lifecycle::{
    AccountId, AppId, BundleClaim, BundleClaimCommand, BundleReceipt, Funds, Licence,
    LicenceCommand, LicenceEvent, LicencePolicy, LicenceState, PostpaidAccount, PostpaidCommand,
    PostpaidEvent, Subscription, SubscriptionCommand, SubscriptionEvent, SubscriptionStatus,
    TrafficPackage,
};
use billing_rules::money::{Currency, Money};
use billing_rules::payment::{
    EnvironmentPayment, PaymentCommand, PaymentMethod, PaymentPolicy, PaymentState, SwitchFacts,
};
use billing_rules::presets;
use billing_rules::pricing::{
    Axis, CurrentPurchase, DiscountSpec, ExtensionOrder, PricingSpec, SeatOrder, SeatPolicy,
    TierMode, TierSpec, TierTable, TierTableSpec,
};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    Eligibility, LedgerCommand, LicenceRefundRequest, OrderLedger, RefundFlags,
};
use billing_rules::time::{Days, Period, Zone};
use billing_rules::{ArithmeticError, Error};
use billing_rules::{RuleId, TimeDriven};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

fn max_utc() -> DateTime<Utc> {
    DateTime::<Utc>::MAX_UTC
}

fn min_utc() -> DateTime<Utc> {
    DateTime::<Utc>::MIN_UTC
}

fn t2025() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()
}

fn is_overflow(err: &Error) -> bool {
    matches!(
        err,
        Error::Arithmetic {
            error: ArithmeticError::Overflow { .. },
            ..
        }
    )
}

/// Too large to hold exactly: an overflow, or a result that would need
/// more digits than a `Decimal` has.
fn is_too_large(err: &Error) -> bool {
    matches!(
        err,
        Error::Arithmetic {
            error: ArithmeticError::Overflow { .. } | ArithmeticError::PrecisionLoss { .. },
            ..
        }
    )
}

fn is_out_of_range(err: &Error) -> bool {
    matches!(
        err,
        Error::Arithmetic {
            error: ArithmeticError::OutOfRange { .. },
            ..
        }
    )
}

fn unit_price_policy(unit_price: Decimal) -> SeatPolicy {
    let mut spec = presets::app_store_seat_pricing_spec();
    spec.pricing = PricingSpec::UnitPrice { unit_price };
    spec.discounts.clear();
    SeatPolicy::try_from(spec).unwrap()
}

// ------------------------------------------------------------ seat plans

#[test]
fn extremes_seat_unit_price_at_decimal_max_prices_one_seat_and_overflows_on_two() {
    let policy = unit_price_policy(Decimal::MAX);
    let one = policy.quote(&SeatOrder::new(1, 1)).unwrap();
    assert_eq!(one.total, Money::cny(Decimal::MAX));
    let two = policy.quote(&SeatOrder::new(2, 1)).unwrap_err();
    assert!(is_overflow(&two), "{two}");
    let periods = policy.quote(&SeatOrder::new(1, 2)).unwrap_err();
    assert!(is_overflow(&periods), "{periods}");
}

#[test]
fn extremes_seat_a_billion_seats_for_a_million_periods_prices_exactly() {
    // 10^9 seats fall in the 201- tier at 60.00: 6 x 10^10 a year, for
    // 10^6 years: 6 x 10^16, with no discount for that duration.
    let policy = presets::app_store_seat_pricing().unwrap();
    let q = policy
        .quote(&SeatOrder::new(1_000_000_000, 1_000_000))
        .unwrap();
    assert_eq!(q.total.to_string(), "CNY 60000000000000000.00");
    assert_eq!(q.validity.purchased_days, Days(365_000_000));
    // The end of such a purchase is past chrono's range: an error value.
    let dated = policy
        .quote(&SeatOrder::new(1_000_000_000, 1_000_000).starting(t2025()))
        .unwrap_err();
    assert!(is_out_of_range(&dated), "{dated}");
}

#[test]
fn extremes_seat_a_period_of_a_million_days_is_refused_by_r_seat_01() {
    let mut spec = presets::app_store_seat_pricing_spec();
    spec.period = Period::days(1_000_000).unwrap();
    let err = SeatPolicy::try_from(spec).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("period", Some(RuleId::Seat01))
    );
}

#[test]
fn extremes_seat_periods_past_u32_days_overflow_as_an_error() {
    let policy = presets::app_store_seat_pricing().unwrap();
    // 365 x 4294967295 days does not fit a day count.
    let err = policy.quote(&SeatOrder::new(1, u32::MAX)).unwrap_err();
    assert!(is_overflow(&err), "{err}");
    let err = policy
        .extend(
            &ExtensionOrder {
                seats: 1,
                periods: u32::MAX,
                current_end: t2025(),
            },
            t2025(),
        )
        .unwrap_err();
    assert!(is_overflow(&err), "{err}");
}

#[test]
fn extremes_seat_u32_max_seats_under_a_bounded_tier_table_are_refused_by_r_seat_03() {
    let mut spec = presets::app_store_seat_pricing_spec();
    spec.pricing = PricingSpec::Tiered(TierTableSpec {
        mode: TierMode::Graduated,
        tiers: vec![TierSpec::unit(1, Some(1_000_000_000), Decimal::ONE)],
    });
    let policy = SeatPolicy::try_from(spec).unwrap();
    let err = policy.quote(&SeatOrder::new(u32::MAX, 1)).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Seat03));
    let q = policy.quote(&SeatOrder::new(1_000_000_000, 1)).unwrap();
    assert_eq!(q.total.to_string(), "CNY 1000000000.00");
}

#[test]
fn extremes_seat_cap_at_decimal_max_never_binds_and_a_cap_of_zero_always_does() {
    let mut spec = presets::app_store_seat_pricing_spec();
    spec.max_total = Some(Decimal::MAX);
    let policy = SeatPolicy::try_from(spec.clone()).unwrap();
    let q = policy.quote(&SeatOrder::new(u32::MAX, 1)).unwrap();
    // 4294967295 seats x 60.00.
    assert_eq!(q.total.to_string(), "CNY 257698037700.00");
    spec.max_total = Some(Decimal::ZERO);
    let free = SeatPolicy::try_from(spec).unwrap();
    let q = free.quote(&SeatOrder::new(u32::MAX, 1_000_000)).unwrap();
    assert_eq!(q.total, Money::cny(Decimal::ZERO));
}

#[test]
fn extremes_seat_a_28_digit_discount_factor_is_exact_or_a_precision_error() {
    let policy_with = |factor: &str| {
        let mut spec = presets::app_store_seat_pricing_spec();
        spec.discounts = vec![DiscountSpec {
            periods: 2,
            factor: factor.parse().unwrap(),
        }];
        SeatPolicy::try_from(spec).unwrap()
    };
    // 120 x 80.00 x 2 = 19200 x 0.70000000000000000001 is exact, then
    // rounded once to the fen.
    let twenty = policy_with("0.70000000000000000001");
    let q = twenty.quote(&SeatOrder::new(120, 2)).unwrap();
    assert_eq!(q.total.to_string(), "CNY 13440.00");
    // With 28 digits the exact product needs more than a Decimal holds: a
    // precision error, never a silently rounded price.
    let full = policy_with("0.7000000000000000000000000001");
    let err = full.quote(&SeatOrder::new(120, 2)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Arithmetic {
                error: ArithmeticError::PrecisionLoss { .. },
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn extremes_seat_upgrade_credit_of_a_price_near_decimal_max() {
    let policy = presets::app_store_seat_pricing().unwrap();
    let start = t2025();
    let current = CurrentPurchase {
        paid: Money::cny(Decimal::MAX),
        start,
        end: start + Duration::days(365),
    };
    // Before the start, the whole price paid is the credit: no arithmetic.
    let before = policy
        .credit(&current, Money::cny(Decimal::MAX), start)
        .unwrap();
    assert_eq!(before.amount, Money::cny(Decimal::MAX));
    // Mid-term, MAX x remaining days does not fit: an overflow, not a wrap.
    let mid = policy
        .credit(
            &current,
            Money::cny(Decimal::MAX),
            start + Duration::days(100),
        )
        .unwrap_err();
    assert!(is_overflow(&mid), "{mid}");
    // Capped by the new order's price: never more than it (R-SEAT-08).
    let up = policy
        .upgrade(&current, &SeatOrder::new(20, 1), start)
        .unwrap();
    assert_eq!(up.amount_due, Money::cny(Decimal::ZERO));
    assert_eq!(up.credit.amount.to_string(), "CNY 2000.00");
}

#[test]
fn extremes_seat_upgrade_credit_over_chrono_whole_range() {
    let policy = presets::app_store_seat_pricing().unwrap();
    let current = CurrentPurchase {
        paid: Money::cny(Decimal::from(1000)),
        start: min_utc(),
        end: max_utc(),
    };
    let c = policy
        .credit(&current, Money::cny(Decimal::from(5000)), t2025())
        .unwrap();
    assert!(c.total > c.remaining && c.remaining > 0);
    assert!(c.amount.amount() > Decimal::ZERO && c.amount.amount() < Decimal::from(1000));
}

// ------------------------------------------------------------------ tiers

/// 10^6 tiers of 10 units: `1-10, 11-20, ...`, the last unbounded, tier i
/// priced `(i mod 7) + 1` a unit.
fn million_tiers(mode: TierMode) -> TierTableSpec {
    let n = 1_000_000u64;
    TierTableSpec {
        mode,
        tiers: (0..n)
            .map(|i| {
                let to = (i + 1 < n).then_some(i * 10 + 10);
                TierSpec::unit(i * 10 + 1, to, Decimal::from(i % 7 + 1))
            })
            .collect(),
    }
}

#[test]
fn extremes_tiers_a_million_volume_tiers_build_and_price() {
    let table = TierTable::try_from(million_tiers(TierMode::Volume).on(Axis::Whole, Currency::CNY))
        .unwrap();
    assert_eq!(table.tiers().len(), 1_000_000);
    for (q, tier, unit) in [
        (1u64, 0usize, 1u64),
        (5_000_000, 499_999, 499_999 % 7 + 1),
        // 999_999 is a multiple of 7: the last tier's price is 1.
        (10_000_000, 999_999, 1),
        (u64::MAX, 999_999, 1),
    ] {
        let price = table.price(Decimal::from(q)).unwrap();
        assert_eq!(price.tier, tier);
        assert_eq!(
            price.total,
            Money::cny(Decimal::from(q) * Decimal::from(unit))
        );
    }
    let err = table.price(Decimal::ZERO).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Seat03));
}

#[test]
fn extremes_tiers_a_million_graduated_tiers_build_and_price() {
    let table =
        TierTable::try_from(million_tiers(TierMode::Graduated).on(Axis::Whole, Currency::CNY))
            .unwrap();
    // The graduated price of q, summed tier by tier (the reference).
    let reference = |q: u64| -> Decimal {
        let mut total = 0u64;
        let mut from = 1u64;
        let mut i = 0u64;
        while from <= q {
            let top = if i + 1 < 1_000_000 {
                (from + 9).min(q)
            } else {
                q
            };
            total += (top - from + 1) * (i % 7 + 1);
            from = top + 1;
            i += 1;
        }
        Decimal::from(total)
    };
    for q in [1u64, 15, 4_999_995, 9_999_990, 9_999_991, 12_345_678] {
        let price = table.price(Decimal::from(q)).unwrap();
        assert_eq!(price.total.amount(), reference(q), "quantity {q}");
    }
    let parts = table.parts(Decimal::from(10_000_000u64)).unwrap();
    let summed = parts
        .map(|p| p.unwrap().amount.amount())
        .fold(Decimal::ZERO, |a, b| a + b);
    assert_eq!(summed, reference(10_000_000));
}

#[test]
fn extremes_tiers_a_gap_at_the_millionth_tier_is_refused_naming_it() {
    let mut spec = million_tiers(TierMode::Volume);
    spec.tiers[999_999].from += Decimal::ONE;
    let err = TierTable::try_from(spec.clone().on(Axis::Whole, Currency::CNY)).unwrap_err();
    assert_eq!(err.field, "tiers[999999].from");
    assert_eq!(err.rule, Some(RuleId::Seat03));
    assert!(err.problem.contains("a gap"), "{err}");
}

#[test]
fn extremes_tiers_bounds_and_prices_at_decimal_max() {
    // A tier ending at the maximum leaves no room for a next one.
    let spec = TierTableSpec {
        mode: TierMode::Volume,
        tiers: vec![
            TierSpec {
                from: Decimal::ONE,
                to: Some(Decimal::MAX),
                flat: None,
                unit_price: Some(Decimal::ONE),
            },
            TierSpec::unit(2, None, Decimal::ONE),
        ],
    };
    let err = TierTable::try_from(spec.clone().on(Axis::Whole, Currency::CNY)).unwrap_err();
    assert_eq!(err.field, "tiers[0].to");
    // The maximum quantity at 1 a unit is the maximum; at 2 it overflows.
    for mode in TierMode::ALL {
        let one = TierTable::try_from(
            TierTableSpec {
                mode,
                tiers: vec![TierSpec::unit(1, None, Decimal::ONE)],
            }
            .on(Axis::Whole, Currency::CNY),
        )
        .unwrap();
        assert_eq!(
            one.price(Decimal::MAX).unwrap().total,
            Money::cny(Decimal::MAX)
        );
        let two = TierTable::try_from(
            TierTableSpec {
                mode,
                tiers: vec![TierSpec::unit(1, None, Decimal::TWO)],
            }
            .on(Axis::Whole, Currency::CNY),
        )
        .unwrap();
        assert!(is_overflow(&two.price(Decimal::MAX).unwrap_err()));
    }
}

#[test]
fn extremes_tiers_an_empty_table_is_refused() {
    let spec = TierTableSpec {
        mode: TierMode::Graduated,
        tiers: Vec::new(),
    };
    let err = TierTable::try_from(spec.clone().on(Axis::Continuous, Currency::CNY)).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("tiers", Some(RuleId::Seat03))
    );
}

// -------------------------------------------------------------- lifecycle

#[test]
fn extremes_subscription_terms_of_a_million_days_and_of_u32_max_days() {
    let policy = presets::chat_service_subscription().unwrap();
    let million = Period::days(1_000_000).unwrap();
    let (state, events) = Subscription::run(
        &Subscription::initial(),
        &SubscriptionCommand::Purchase { validity: million },
        t2025(),
        &policy,
    )
    .unwrap();
    let end = t2025() + Duration::days(1_000_000);
    assert_eq!(events, [SubscriptionEvent::Purchased { at: t2025(), end }]);
    assert_eq!(
        Subscription::status(&state, t2025(), &policy),
        SubscriptionStatus::Active { ends: end }
    );
    // A renewal of u32::MAX days ends past chrono's range: an error, and
    // the state is unchanged.
    let huge = Period::days(u32::MAX).unwrap();
    let err = Subscription::run(
        &state,
        &SubscriptionCommand::Renew { validity: huge },
        t2025(),
        &policy,
    )
    .unwrap_err();
    assert!(is_out_of_range(&err), "{err}");
    // Renewing a million more days starts at the end (R-SEAT-09).
    let (renewed, _) = Subscription::run(
        &state,
        &SubscriptionCommand::Renew { validity: million },
        t2025(),
        &policy,
    )
    .unwrap();
    assert_eq!(
        Subscription::status(&renewed, t2025(), &policy),
        SubscriptionStatus::Active {
            ends: end + Duration::days(1_000_000)
        }
    );
}

#[test]
fn extremes_subscription_auto_renewal_with_a_balance_and_price_at_decimal_max() {
    let policy = presets::chat_service_subscription().unwrap();
    let start = t2025();
    let mut state = Subscription::run(
        &Subscription::initial(),
        &SubscriptionCommand::Purchase {
            validity: Period::Month,
        },
        start,
        &policy,
    )
    .unwrap()
    .0;
    state = Subscription::run(
        &state,
        &SubscriptionCommand::SetAutoRenewal { on: true },
        start,
        &policy,
    )
    .unwrap()
    .0;
    let funds = Funds {
        balance: Money::cny(Decimal::MAX),
        renewal_price: Money::cny(Decimal::MAX),
    };
    // The balance covers one renewal exactly, then falls short.
    let events = Subscription::due_events_with_funds(
        &state,
        start + Duration::days(70),
        &policy,
        Some(&funds),
    )
    .unwrap();
    let renewals = events
        .iter()
        .filter(|e| matches!(e, SubscriptionEvent::AutoRenewed { .. }))
        .count();
    assert_eq!(renewals, 1);
    let shortfall = events.iter().find_map(|e| match e {
        SubscriptionEvent::Expired { shortfall, .. } => *shortfall,
        _ => None,
    });
    assert_eq!(
        shortfall.map(|s| s.balance),
        Some(Money::cny(Decimal::ZERO))
    );
}

#[test]
fn extremes_subscription_at_chrono_first_and_last_instants() {
    for policy in [
        presets::app_store_subscription().unwrap(),
        presets::chat_service_subscription().unwrap(),
        presets::cloud_environment_subscription().unwrap(),
    ] {
        // A trial or term starting at the last instant cannot end: an error.
        for command in [
            SubscriptionCommand::GoLive,
            SubscriptionCommand::Purchase {
                validity: Period::Year,
            },
        ] {
            if let Err(err) =
                Subscription::run(&Subscription::initial(), &command, max_utc(), &policy)
            {
                assert!(err.refusal().is_some() || is_out_of_range(&err), "{err}");
            }
        }
        // A term bought at chrono's first instant works, and every question
        // about it has an answer at either end of time.
        let (state, _) = Subscription::run(
            &Subscription::initial(),
            &SubscriptionCommand::Purchase {
                validity: Period::Year,
            },
            min_utc(),
            &policy,
        )
        .unwrap();
        assert!(Subscription::access(&state, min_utc(), &policy).is_allowed());
        assert!(!Subscription::access(&state, max_utc(), &policy).is_allowed());
        // Every event between the first and the last instant is due at once.
        let events = Subscription::due_events(&state, max_utc(), &policy).unwrap();
        assert!(
            events
                .iter()
                .any(|e| matches!(e, SubscriptionEvent::Expired { .. }))
        );
        assert!(
            Subscription::next_due_at(&state, &policy)
                .unwrap()
                .is_some()
        );
    }
}

#[test]
fn extremes_local_dates_at_chrono_ends_are_clamped_or_errors() {
    // MAX_UTC is already 262143-01-01 in +08:00, past NaiveDate::MAX.
    assert_eq!(Zone::BEIJING.local_date(max_utc()), NaiveDate::MAX);
    assert!(Zone::BEIJING.checked_local_date(max_utc()).is_err());
    assert_eq!(
        Zone::UTC.checked_local_date(max_utc()).unwrap(),
        NaiveDate::MAX
    );
    let west: Zone = "-08:00".parse().unwrap();
    assert_eq!(west.local_date(min_utc()), NaiveDate::MIN);
    assert!(west.start_of_local_day(min_utc()).is_err());
    assert_eq!(
        Zone::BEIJING.calendar_days_between(min_utc(), max_utc()),
        (NaiveDate::MAX - NaiveDate::MIN).num_days()
    );
}

#[test]
fn extremes_postpaid_balance_near_decimal_max_overflows_as_an_error() {
    let policy = presets::live_plugin_postpaid().unwrap();
    let now = t2025();
    let (state, _) = PostpaidAccount::run(
        &PostpaidAccount::initial(),
        &PostpaidCommand::TopUp {
            amount: Money::cny(Decimal::MAX),
        },
        now,
        &policy,
    )
    .unwrap();
    assert_eq!(state.balance.amount(), Decimal::MAX);
    let err = PostpaidAccount::run(
        &state,
        &PostpaidCommand::TopUp {
            amount: Money::cny(Decimal::new(1, 2)),
        },
        now,
        &policy,
    )
    .unwrap_err();
    assert!(is_too_large(&err), "{err}");
    // A charge of the whole balance runs it out (R-LIFE-09) exactly.
    let (drained, events) = PostpaidAccount::run(
        &state,
        &PostpaidCommand::Charge {
            amount: Money::cny(Decimal::MAX),
        },
        now,
        &policy,
    )
    .unwrap();
    assert_eq!(drained.balance.amount(), Decimal::ZERO);
    assert_eq!(events.len(), 2, "charged, then in arrears");
    // Below zero by the maximum, one more charge would pass the minimum.
    let (deep, _) = PostpaidAccount::run(
        &drained,
        &PostpaidCommand::Charge {
            amount: Money::cny(Decimal::MAX),
        },
        now,
        &policy,
    )
    .unwrap();
    assert_eq!(deep.balance.amount(), Decimal::MIN);
    let err = PostpaidAccount::run(
        &deep,
        &PostpaidCommand::Charge {
            amount: Money::cny(Decimal::ONE),
        },
        now,
        &policy,
    )
    .unwrap_err();
    assert!(is_overflow(&err), "{err}");
}

#[test]
fn extremes_postpaid_at_chrono_first_and_last_instants() {
    let policy = presets::cloud_environment_postpaid().unwrap();
    // The last instant's local day is past chrono's range: no bill day.
    let err = PostpaidAccount::run(
        &PostpaidAccount::initial(),
        &PostpaidCommand::IssueBill {
            amount: Money::cny(Decimal::ONE),
        },
        max_utc(),
        &policy,
    )
    .unwrap_err();
    assert!(is_out_of_range(&err), "{err}");
    // Arrears that start an hour before the end cannot reach the suspension
    // 24 h later: it is not scheduled (issue 19), never a wrap, and the
    // charge that does not need it is settled.
    let plugin = presets::live_plugin_postpaid().unwrap();
    let late = max_utc() - Duration::hours(1);
    let (_, events) = PostpaidAccount::run(
        &PostpaidAccount::initial(),
        &PostpaidCommand::Charge {
            amount: Money::cny(Decimal::ONE),
        },
        late,
        &plugin,
    )
    .unwrap();
    assert!(
        matches!(
            events.last(),
            Some(PostpaidEvent::ArrearsStarted {
                suspend_at: None,
                ..
            })
        ),
        "{events:?}"
    );
    for now in [min_utc(), max_utc()] {
        let state = PostpaidAccount::initial();
        assert!(PostpaidAccount::access(&state, now, &policy).is_allowed());
        assert!(
            PostpaidAccount::due_events(&state, now, &policy)
                .unwrap()
                .is_empty()
        );
    }
}

fn licence_policy(price: Decimal, term: Period, terms: u32) -> LicencePolicy {
    let mut spec = presets::live_plugin_licence_spec();
    spec.price_per_term = price;
    spec.term = term;
    spec.bundled_terms = terms;
    LicencePolicy::try_from(spec).unwrap()
}

/// The receipt `BundleClaim` issues for `package`'s free term (R-LIC-06).
fn claimed(app: &AppId, package: TrafficPackage, policy: &LicencePolicy) -> BundleReceipt {
    let claim = BundleClaimCommand::Claim {
        app: app.clone(),
        account: package.buyer.clone(),
        package,
    };
    let (state, _) = BundleClaim::run(&BundleClaim::initial(), &claim, t2025(), policy).unwrap();
    state.receipt().unwrap().clone()
}

#[test]
fn extremes_licence_price_at_decimal_max_and_terms_of_a_million_days() {
    let policy = licence_policy(Decimal::MAX, Period::days(1_000_000).unwrap(), 10);
    let app = AppId::new("app-1");
    let alice = AccountId::new("alice");
    let buy = LicenceCommand::Purchase {
        app: app.clone(),
        account: alice.clone(),
    };
    let (state, events) = Licence::run(&Licence::initial(), &buy, t2025(), &policy).unwrap();
    assert!(events.iter().any(|e| matches!(
        e,
        LicenceEvent::Purchased { price, .. } if *price == Money::cny(Decimal::MAX)
    )));
    // Ten free terms of 10^6 days each stack from the end (R-LIC-03, R-LIC-06).
    let package = TrafficPackage {
        id: "p1".into(),
        size: Quantity::new(Decimal::from(200), Unit::Terabyte),
        buyer: alice.clone(),
    };
    let claim = LicenceCommand::ClaimBundled {
        receipt: claimed(&app, package, &policy),
        app,
        account: alice,
    };
    let (state, _) = Licence::run(&state, &claim, t2025(), &policy).unwrap();
    let LicenceState::Available(held) = &state else {
        panic!("available")
    };
    assert_eq!(held.end, t2025() + Duration::days(11_000_000));
    assert_eq!(held.granted(&policy).unwrap(), Days(11_000_000));
    // Stacking goes on until the end would pass chrono's range; that
    // purchase is an error and the licence keeps its end.
    let room = (max_utc() - held.end).num_days() / 1_000_000;
    let mut state = state;
    let mut stacked = 0;
    loop {
        match Licence::run(&state, &buy, t2025(), &policy) {
            Ok((next, _)) => {
                state = next;
                stacked += 1;
                assert!(stacked <= room);
            }
            Err(err) => {
                assert!(is_out_of_range(&err), "{err}");
                break;
            }
        }
    }
    assert_eq!(stacked, room);
    let LicenceState::Available(last) = &state else {
        panic!("available")
    };
    assert_eq!(
        last.end,
        t2025() + Duration::days(11_000_000 + 1_000_000 * room)
    );
}

#[test]
fn extremes_licence_of_u32_max_days_is_an_error_value() {
    let policy = licence_policy(Decimal::ONE, Period::days(u32::MAX).unwrap(), 10);
    let buy = LicenceCommand::Purchase {
        app: AppId::new("app-1"),
        account: AccountId::new("alice"),
    };
    let err = Licence::run(&Licence::initial(), &buy, t2025(), &policy).unwrap_err();
    assert!(is_out_of_range(&err), "{err}");
    let package = TrafficPackage {
        id: "p1".into(),
        size: Quantity::new(Decimal::MAX, Unit::Terabyte),
        buyer: AccountId::new("alice"),
    };
    let claim = LicenceCommand::ClaimBundled {
        app: AppId::new("app-1"),
        account: AccountId::new("alice"),
        receipt: claimed(&AppId::new("app-1"), package, &policy),
    };
    // 10 x u32::MAX days does not fit a day count.
    let err = Licence::run(&Licence::initial(), &claim, t2025(), &policy).unwrap_err();
    assert!(is_overflow(&err), "{err}");
}

// ------------------------------------------------------ payment, refunds

#[test]
fn extremes_payment_invoice_balances_at_decimal_max_and_min() {
    let policy = presets::cloud_payment().unwrap();
    let state = PaymentState::Prepaid {
        source: billing_rules::payment::PrepaidSource::PersonalWallet,
        switches_used: 0,
    };
    let cny = Money::cny;
    let switch = |refund: Decimal, open: Decimal| {
        PaymentCommand::switch(
            PaymentMethod::PrepaidCloudAccount,
            SwitchFacts::default().with_refund(cny(refund), cny(open)),
        )
    };
    // Enough open for invoicing: accepted, the refund recorded exactly.
    let (_, events) = EnvironmentPayment::run(
        &state,
        &switch(Decimal::MAX, Decimal::MAX),
        t2025(),
        &policy,
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    // Not enough: R-PAY-06 with the figures.
    let err = EnvironmentPayment::run(
        &state,
        &switch(Decimal::MAX, Decimal::MAX - Decimal::ONE),
        t2025(),
        &policy,
    )
    .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Pay06));
    // Negative amounts: one R-PAY-06 reason each.
    let err = EnvironmentPayment::run(
        &state,
        &switch(Decimal::MIN, Decimal::MIN),
        t2025(),
        &policy,
    )
    .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.reasons().len()), Some(2));
}

#[test]
fn extremes_payment_switch_limit_at_u32_max() {
    let mut spec = presets::cloud_payment_spec();
    spec.switch_limit = u32::MAX;
    let policy = PaymentPolicy::try_from(spec).unwrap();
    let state = PaymentState::Prepaid {
        source: billing_rules::payment::PrepaidSource::PersonalWallet,
        switches_used: u32::MAX - 1,
    };
    let to = PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, SwitchFacts::default());
    let (state, _) = EnvironmentPayment::run(&state, &to, t2025(), &policy).unwrap();
    assert_eq!(state.switches_used(), u32::MAX);
    let back = PaymentCommand::switch(PaymentMethod::PrepaidPersonalWallet, SwitchFacts::default());
    let err = EnvironmentPayment::run(&state, &back, t2025(), &policy).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Pay03));
}

#[test]
fn extremes_ledger_totals_near_decimal_max() {
    let policy = presets::app_store_refunds().unwrap();
    let now = t2025();
    let record = |id: &str, amount: Decimal| LedgerCommand::RecordOrder {
        order: id.into(),
        paid_at: now,
        amount: Money::cny(amount),
    };
    let (state, _) = OrderLedger::run(
        &OrderLedger::initial(),
        &record("o1", Decimal::MAX),
        now,
        &policy,
    )
    .unwrap();
    // The total paid would pass the maximum: refused as an overflow, and
    // the ledger keeps its one order.
    let err =
        OrderLedger::run(&state, &record("o2", Decimal::new(1, 2)), now, &policy).unwrap_err();
    assert!(is_too_large(&err), "{err}");
    assert_eq!(state.orders().len(), 1);
    // A zero order still fits, and refunds go latest first (R-REF-02).
    let (state, _) = OrderLedger::run(&state, &record("o2", Decimal::ZERO), now, &policy).unwrap();
    let next = policy.next_refund(&state, RefundFlags::default(), now);
    assert_eq!(
        next,
        Eligibility::Eligible {
            order: "o2".into(),
            amount: Money::cny(Decimal::ZERO)
        }
    );
    let refund = |id: &str| LedgerCommand::Refund {
        order: id.into(),
        flags: RefundFlags::default(),
    };
    let (state, _) = OrderLedger::run(&state, &refund("o2"), now, &policy).unwrap();
    let (state, _) = OrderLedger::run(&state, &refund("o1"), now, &policy).unwrap();
    assert_eq!(
        state.total_refunded(Currency::CNY).unwrap(),
        Money::cny(Decimal::MAX)
    );
}

#[test]
fn extremes_ledger_window_across_chrono_whole_range() {
    let mut spec = presets::app_store_refunds_spec();
    spec.window_days = u32::MAX;
    let policy = billing_rules::refund::AppRefundPolicy::try_from(spec).unwrap();
    let (state, _) = OrderLedger::run(
        &OrderLedger::initial(),
        &LedgerCommand::RecordOrder {
            order: "o1".into(),
            paid_at: min_utc(),
            amount: Money::cny(Decimal::ONE),
        },
        max_utc(),
        &policy,
    )
    .unwrap();
    // 4294967295 days (11.7 million years) from chrono's first instant
    // closes after its last: still inside at the last instant.
    assert!(
        policy
            .next_refund(&state, RefundFlags::default(), max_utc())
            .is_eligible()
    );
    // The preset's 10 days closed long before.
    let preset = presets::app_store_refunds().unwrap();
    let answer = preset.next_refund(&state, RefundFlags::default(), max_utc());
    assert_eq!(answer.refusal().map(|r| r.rule()), Some(RuleId::Ref01));
}

#[test]
fn extremes_licence_refund_traffic_near_decimal_max() {
    let policy = presets::live_plugin_licence_refunds().unwrap();
    let first = t2025();
    let request = |traffic: Quantity| {
        LicenceRefundRequest::licence("lic-1", Money::cny(Decimal::MAX), first, traffic)
    };
    // The maximum in GB is compared exactly with 20 GB: over the limit.
    let over = policy
        .eligibility(&request(Quantity::new(Decimal::MAX, Unit::Gigabyte)), first)
        .unwrap();
    assert_eq!(over.refusal().map(|r| r.rule()), Some(RuleId::Ref03));
    // The maximum in TB cannot be written in GB, but the comparison does
    // not need to: it is over the limit too, never an overflow or a wrap.
    let over = policy
        .eligibility(&request(Quantity::new(Decimal::MAX, Unit::Terabyte)), first)
        .unwrap();
    assert_eq!(over.refusal().map(|r| r.rule()), Some(RuleId::Ref03));
    // The smallest positive amount of bytes qualifies, at chrono's last
    // instant the window is closed.
    let tiny = request(Quantity::new(Decimal::new(1, 28), Unit::Byte));
    assert!(policy.eligibility(&tiny, first).unwrap().is_eligible());
    let late = policy.eligibility(&tiny, max_utc()).unwrap();
    assert_eq!(late.refusal().map(|r| r.rule()), Some(RuleId::Ref03));
}
