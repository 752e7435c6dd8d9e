//! Extremes of seat pricing, usage and subscriptions.

use super::*;

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
