//! Upgrade credit, extensions, payment channels, presets and JSON shapes
//! (R-SEAT-08..10).

use super::*;

// ------------------------------------------------------------ R-SEAT-08

#[test]
fn r_seat_08_published_example_1000_paid_365_days_100_left_is_273_97() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    // 100 days left: the last 100 local days have not started.
    let now = bj(2025, 9, 22, 12, 0, 0);
    let c = preset().credit(&current, cny("5000"), now).unwrap();
    assert_eq!((c.remaining, c.total), (100, 365));
    assert_eq!(c.amount, cny("273.97"));
    assert_eq!(c.exact.amount().round_dp(6), d("273.972603"));
    assert_eq!(c.rounding, RoundingMode::TowardZero);
    assert_eq!(c.capped_by, None);
}

#[test]
fn r_seat_08_a_day_that_has_started_counts_as_used() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let remaining = |now| {
        preset()
            .credit(&current, cny("5000"), now)
            .unwrap()
            .remaining
    };
    assert_eq!(remaining(start), 365);
    assert_eq!(remaining(start + Duration::seconds(1)), 364);
    assert_eq!(remaining(bj(2025, 1, 1, 23, 59, 59)), 364);
    assert_eq!(remaining(bj(2025, 1, 2, 0, 0, 0)), 364);
    assert_eq!(remaining(bj(2025, 1, 2, 0, 0, 1)), 363);
    assert_eq!(remaining(bj(2025, 12, 31, 0, 0, 1)), 0);
}

#[test]
fn r_seat_08_days_are_counted_in_the_policy_zone() {
    let start = bj(2025, 1, 1, 0, 0, 0); // 2024-12-31 16:00 UTC
    let current = year_purchase("1000", start);
    let now = bj(2025, 1, 1, 4, 0, 0); // 2024-12-31 20:00 UTC
    let beijing = CreditRule::default();
    let c = beijing
        .credit(Zone::BEIJING, &current, cny("5000"), now)
        .unwrap();
    assert_eq!((c.remaining, c.total), (364, 365));
    // In UTC the purchase's first day (1 January, UTC) has not started yet.
    let c = beijing
        .credit(Zone::UTC, &current, cny("5000"), now)
        .unwrap();
    assert_eq!((c.remaining, c.total), (365, 365));
}

#[test]
fn r_seat_08_a_purchase_starting_mid_day_keeps_its_total_days() {
    let start = bj(2025, 1, 1, 10, 0, 0);
    let current = year_purchase("1000", start);
    let c = preset()
        .credit(&current, cny("5000"), bj(2025, 1, 1, 15, 0, 0))
        .unwrap();
    assert_eq!((c.remaining, c.total), (365, 365));
    let c = preset()
        .credit(&current, cny("5000"), bj(2025, 1, 2, 0, 0, 1))
        .unwrap();
    assert_eq!((c.remaining, c.total), (364, 365));
}

#[test]
fn r_seat_08_total_days_include_bonus_days() {
    let policy = build(with_bonus(1, BonusAmount::Days(35)));
    let start = bj(2025, 1, 1, 0, 0, 0);
    let bought = policy
        .quote(&SeatOrder::new(10, 1).starting(start))
        .unwrap();
    let current = CurrentPurchase {
        paid: bought.total,
        start,
        end: bought.validity.end.unwrap(),
    };
    let now = current.end - Duration::days(100);
    let c = policy.credit(&current, cny("5000"), now).unwrap();
    assert_eq!((c.remaining, c.total), (100, 400));
    assert_eq!(c.amount, cny("250.00")); // 1000 x 100 / 400
}

#[test]
fn r_seat_08_second_granularity_is_an_option() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let now = current.end - Duration::days(100) - Duration::hours(1);
    let rule = CreditRule {
        granularity: CreditGranularity::Second,
        ..CreditRule::default()
    };
    let c = rule
        .credit(Zone::BEIJING, &current, cny("5000"), now)
        .unwrap();
    assert_eq!((c.remaining, c.total), (8_643_600, 31_536_000));
    // 1000 x 8643600 / 31536000 = 274.0867...
    assert_eq!(c.amount, cny("274.08"));
    // The same instant in days: the started day is used, 100 remain.
    let days = CreditRule::default()
        .credit(Zone::BEIJING, &current, cny("5000"), now)
        .unwrap();
    assert_eq!(days.amount, cny("273.97"));
}

#[test]
fn r_seat_08_rounding_is_a_policy_parameter() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let now = current.end - Duration::days(200); // 1000 x 200 / 365 = 547.945...
    let down = CreditRule::default()
        .credit(Zone::BEIJING, &current, cny("5000"), now)
        .unwrap();
    assert_eq!(down.amount, cny("547.94"));
    let mut spec = app_store_seat_pricing_spec();
    spec.upgrade.rounding = RoundingMode::HalfUp;
    let half_up = build(spec).credit(&current, cny("5000"), now).unwrap();
    assert_eq!(half_up.amount, cny("547.95"));
}

#[test]
fn r_seat_08_credit_is_capped_by_the_new_price_and_by_what_was_paid() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let c = preset()
        .credit(&current, cny("200"), start + Duration::days(265))
        .unwrap();
    assert_eq!(c.amount, cny("200"));
    assert_eq!(c.capped_by, Some(CreditCap::NewPrice));

    // Rounding up a paid amount finer than the fen would pass what was paid.
    let odd = CurrentPurchase {
        paid: cny("10.005"),
        ..current
    };
    let up = CreditRule {
        rounding: RoundingMode::Ceiling,
        ..CreditRule::default()
    };
    let c = up.credit(Zone::BEIJING, &odd, cny("5000"), start).unwrap();
    assert_eq!(c.amount, cny("10.005"));
    assert_eq!(c.capped_by, Some(CreditCap::Paid));
}

#[test]
fn r_seat_08_the_pro_rata_credit_is_the_upgrade_credit_before_the_new_price_cap() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let now = bj(2025, 9, 22, 12, 0, 0); // 100 days left: 273.97
    let policy = preset();
    let pro_rata = policy.pro_rata_credit(&current, now).unwrap();
    assert_eq!((pro_rata.remaining, pro_rata.total), (100, 365));
    assert_eq!((pro_rata.amount, pro_rata.capped_by), (cny("273.97"), None));
    // Against a dearer order the upgrade credit is the same credit...
    assert_eq!(policy.credit(&current, cny("5000"), now).unwrap(), pro_rata);
    // ...against a cheaper one it stops at the new price; the pro-rata
    // credit does not.
    let capped = policy.credit(&current, cny("200"), now).unwrap();
    assert_eq!(
        (capped.amount, capped.capped_by),
        (cny("200"), Some(CreditCap::NewPrice))
    );
    assert_eq!(capped.exact, pro_rata.exact);
    let rule = policy.credit_rule();
    assert_eq!(
        rule.pro_rata(Zone::BEIJING, &current, now).unwrap(),
        pro_rata
    );

    // Still never more than what was paid.
    let odd = CurrentPurchase {
        paid: cny("10.005"),
        ..current
    };
    let up = CreditRule {
        rounding: RoundingMode::Ceiling,
        ..CreditRule::default()
    };
    let c = up.pro_rata(Zone::BEIJING, &odd, start).unwrap();
    assert_eq!(
        (c.amount, c.capped_by),
        (cny("10.005"), Some(CreditCap::Paid))
    );

    // Refused as the upgrade credit is, naming R-SEAT-08.
    let backwards = CurrentPurchase {
        end: start - Duration::days(1),
        ..current
    };
    let err = policy.pro_rata_credit(&backwards, now).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat08);
}

#[test]
fn r_seat_08_before_the_start_all_remains_and_from_the_end_nothing() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let before = preset()
        .credit(&current, cny("5000"), start - Duration::days(3))
        .unwrap();
    assert_eq!((before.remaining, before.amount), (365, cny("1000")));
    for after in [current.end, current.end + Duration::days(30)] {
        let c = preset().credit(&current, cny("5000"), after).unwrap();
        assert_eq!((c.remaining, c.amount), (0, cny("0")));
    }
}

#[test]
fn r_seat_08_an_impossible_current_purchase_is_refused() {
    let start = bj(2025, 1, 1, 10, 0, 0);
    let policy = preset();
    let backwards = CurrentPurchase {
        paid: cny("1000"),
        start,
        end: start - Duration::days(1),
    };
    let err = policy.credit(&backwards, cny("5000"), start).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat08);
    let negative = CurrentPurchase {
        paid: cny("-1"),
        ..year_purchase("0", start)
    };
    let err = policy.credit(&negative, cny("5000"), start).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat08);
    // 10:00 to 20:00 holds no local midnight: nothing to prorate by days,
    // but seconds work.
    let short = CurrentPurchase {
        paid: cny("10"),
        start,
        end: start + Duration::hours(10),
    };
    let err = policy.credit(&short, cny("5000"), start).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat08);
    let seconds = CreditRule {
        granularity: CreditGranularity::Second,
        ..CreditRule::default()
    };
    let c = seconds
        .credit(
            Zone::BEIJING,
            &short,
            cny("5000"),
            start + Duration::hours(5),
        )
        .unwrap();
    assert_eq!(c.amount, cny("5.00"));
}

#[test]
fn r_seat_08_upgrade_subtracts_the_credit_from_the_new_order() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let now = current.end - Duration::days(100);
    let up = preset()
        .upgrade(&current, &SeatOrder::new(60, 1), now)
        .unwrap();
    assert_eq!(up.quote.total, cny("4800.00")); // 60 x 80
    assert_eq!(up.quote.validity.start, Some(now));
    assert_eq!(up.credit.amount, cny("273.97"));
    assert_eq!(up.amount_due, cny("4526.03"));

    // A new order cheaper than the credit: nothing is due, never less.
    let up = preset()
        .upgrade(&current, &SeatOrder::new(2, 1), start)
        .unwrap();
    assert_eq!(up.quote.total, cny("200.00"));
    assert_eq!(up.credit.amount, cny("200.00"));
    assert_eq!(up.amount_due, cny("0.00"));
}

// ------------------------------------------------------------ R-SEAT-09

#[test]
fn r_seat_09_an_extension_starts_at_the_current_end() {
    let current_end = bj(2026, 4, 1, 0, 0, 0);
    let now = bj(2026, 1, 10, 10, 0, 0);
    let order = ExtensionOrder {
        seats: 120,
        periods: 2,
        current_end,
    };
    let q = preset().extend(&order, now).unwrap();
    assert_eq!(q.validity.start, Some(current_end));
    assert_eq!(q.validity.end, Some(bj(2028, 3, 31, 0, 0, 0))); // 730 days later
    // Priced as a new 2-year purchase of 120 seats, discount included.
    assert_eq!(
        q.total,
        preset().quote(&SeatOrder::new(120, 2)).unwrap().total
    );
    assert_eq!(q.total, cny("16320.00"));
    assert_eq!(q.steps()[0].rule, RuleId::Seat09);
    assert!(matches!(
        q.steps()[0].detail,
        StepDetail::Extension { current_end: e, start: s } if e == current_end && s == current_end
    ));
}

#[test]
fn r_seat_09_a_lapsed_term_extends_from_now() {
    let current_end = bj(2026, 4, 1, 0, 0, 0);
    let now = bj(2026, 4, 20, 9, 0, 0);
    let order = ExtensionOrder {
        seats: 10,
        periods: 1,
        current_end,
    };
    let q = preset().extend(&order, now).unwrap();
    assert_eq!(q.validity.start, Some(now));
    assert_eq!(q.validity.end, Some(now + Duration::days(365)));
}

#[test]
fn r_seat_09_an_extension_obeys_the_seat_limits() {
    let policy = build(limited(Some(5), None));
    let order = ExtensionOrder {
        seats: 3,
        periods: 1,
        current_end: bj(2026, 4, 1, 0, 0, 0),
    };
    let err = policy.extend(&order, bj(2026, 1, 1, 0, 0, 0)).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat07);
}

// ------------------------------------------------------------ R-SEAT-10

#[test]
fn r_seat_10_mobile_offers_the_wallet_desktop_also_bank_transfer() {
    let policy = preset();
    assert_eq!(policy.channels(Platform::Mobile), [PaymentChannel::Wallet]);
    assert_eq!(
        policy.channels(Platform::Desktop),
        [
            PaymentChannel::Wallet,
            PaymentChannel::CorporateBankTransfer
        ]
    );
    assert!(
        policy
            .check_channel(Platform::Mobile, PaymentChannel::Wallet)
            .is_ok()
    );
    assert!(
        policy
            .check_channel(Platform::Desktop, PaymentChannel::CorporateBankTransfer)
            .is_ok()
    );
    let err = policy
        .check_channel(Platform::Mobile, PaymentChannel::CorporateBankTransfer)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "refused: R-SEAT-10: corporate_bank_transfer is not offered on mobile; pay with wallet \
         (platform = mobile, channel = corporate_bank_transfer)"
    );
}

#[test]
fn r_seat_10_channels_are_policy_data() {
    let mut spec = app_store_seat_pricing_spec();
    spec.channels = ChannelSpec {
        mobile: vec![
            PaymentChannel::Wallet,
            PaymentChannel::CorporateBankTransfer,
        ],
        desktop: vec![PaymentChannel::CorporateBankTransfer],
    };
    let policy = build(spec.clone());
    assert!(
        policy
            .check_channel(Platform::Mobile, PaymentChannel::CorporateBankTransfer)
            .is_ok()
    );
    assert!(
        policy
            .check_channel(Platform::Desktop, PaymentChannel::Wallet)
            .is_err()
    );

    spec.channels.desktop.clear();
    let err = policy_error(spec.clone());
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("channels.desktop", Some(RuleId::Seat10))
    );
    spec.channels.desktop = vec![PaymentChannel::Wallet, PaymentChannel::Wallet];
    assert_eq!(policy_error(spec).field, "channels.desktop[1]");
}

// ------------------------------------------------------------ preset, serde

#[test]
fn preset_holds_the_published_figures() {
    let policy = preset();
    assert_eq!(policy.period(), Period::Year);
    assert_eq!(policy.locale(), Locale::default());
    assert_eq!(policy.discount_floor(), d("0.70"));
    assert_eq!(policy.bonus_cap_percent(), d("35"));
    assert_eq!(policy.discount_for(2), Some(d("0.85")));
    assert_eq!(policy.credit_rule().granularity, CreditGranularity::Day);
    assert_eq!(policy.credit_rule().rounding, RoundingMode::TowardZero);
    assert_eq!(
        (policy.min_seats(), policy.max_seats(), policy.max_total()),
        (None, None, None)
    );
    assert_eq!(policy.pricing().rule(), RuleId::Seat03);
}

#[test]
fn the_published_figures_are_constants_of_the_pricing_types() {
    assert_eq!(SeatPolicy::DISCOUNT_FLOOR.to_string(), "0.70");
    assert_eq!(SeatPolicy::BONUS_CAP_PERCENT.to_string(), "35");
    assert_eq!(CreditRule::DAYS_ROUNDED_DOWN, CreditRule::default());
    assert_eq!(
        CreditRule::DAYS_ROUNDED_DOWN,
        CreditRule {
            granularity: CreditGranularity::Day,
            rounding: RoundingMode::TowardZero
        }
    );
    assert_eq!(ChannelSpec::APP_STORE_MOBILE, [PaymentChannel::Wallet]);
    assert_eq!(
        ChannelSpec::APP_STORE_DESKTOP,
        [
            PaymentChannel::Wallet,
            PaymentChannel::CorporateBankTransfer
        ]
    );
    let spec = app_store_seat_pricing_spec();
    assert_eq!(spec.discount_floor, SeatPolicy::DISCOUNT_FLOOR);
    assert_eq!(spec.bonus_cap_percent, SeatPolicy::BONUS_CAP_PERCENT);
    assert_eq!(spec.upgrade, CreditRule::DAYS_ROUNDED_DOWN);
    assert_eq!(spec.channels, ChannelSpec::default());
}

#[test]
fn a_minimal_json_spec_takes_the_published_defaults() {
    let json = r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}, "period": "month", "pricing": {"rule": "unit_price", "unit_price": "9.9"}}"#;
    let policy: SeatPolicy = serde_json::from_str(json).unwrap();
    let spec = policy.to_spec();
    assert_eq!(spec.discount_floor, d("0.70"));
    assert_eq!(spec.bonus_cap_percent, d("35"));
    assert_eq!(spec.upgrade, CreditRule::default());
    assert_eq!(spec.channels, ChannelSpec::default());
    assert_eq!(spec.locale.currency, Currency::CNY);
    assert_eq!(
        policy.quote(&SeatOrder::new(3, 2)).unwrap().total,
        cny("59.40")
    );
}

#[test]
fn policy_and_quote_json_shapes() {
    let json = serde_json::to_value(preset()).unwrap();
    assert_eq!(json["period"], "year");
    assert_eq!(json["pricing"]["rule"], "tiered");
    assert_eq!(json["pricing"]["mode"], "volume");
    assert_eq!(json["discounts"][0]["factor"], "0.85");
    assert_eq!(json["upgrade"]["granularity"], "day");
    assert_eq!(json["channels"]["mobile"][0], "wallet");

    let q = preset().quote(&SeatOrder::new(120, 2)).unwrap();
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(json["total"]["amount"], "16320.00");
    assert_eq!(json["steps"][1]["rule"], "R-SEAT-03");
    assert_eq!(json["steps"][1]["detail"]["step"], "base_price");
    assert_eq!(json["steps"][1]["detail"]["basis"]["by"], "tier");
    assert_eq!(json["steps"][2]["detail"]["step"], "discount");
    let back: Quote = serde_json::from_value(json).unwrap();
    assert_eq!(back, q);
}

/// A quote read back must be one `quote` computed: a consistent hand edit
/// of a figure (total and discount together, a base price, the validity, a
/// figure's scale) is refused, naming the figure.
#[test]
fn r_seat_02_to_06_an_edited_quote_does_not_deserialize() {
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let q = preset()
        .quote(&SeatOrder::new(120, 2).starting(start))
        .unwrap();
    let json = serde_json::to_value(&q).unwrap();
    let read = |json: &serde_json::Value| serde_json::from_value::<Quote>(json.clone());
    assert_eq!(read(&json).unwrap(), q);

    let edit = |pointer: &str, value: serde_json::Value| {
        let mut json = json.clone();
        *json.pointer_mut(pointer).unwrap() = value;
        json
    };
    // R-SEAT-04: total and the discount's result lowered together.
    let mut cheap = edit("/total/amount", "1.00".into());
    for pointer in [
        "/steps/2/detail/after/amount",
        "/steps/3/detail/before/amount",
        "/steps/3/detail/after/amount",
    ] {
        *cheap.pointer_mut(pointer).unwrap() = "1.00".into();
    }
    let err = read(&cheap).unwrap_err().to_string();
    assert!(err.contains("discounted price does not follow"), "{err}");
    // R-SEAT-03: a per-period price the tier does not give.
    let mut base = edit("/steps/1/detail/per_period/amount", "1".into());
    *base.pointer_mut("/steps/1/detail/amount/amount").unwrap() = "2".into();
    *base.pointer_mut("/steps/2/detail/before/amount").unwrap() = "2".into();
    let err = read(&base).unwrap_err().to_string();
    assert!(
        err.contains("base price per period does not follow"),
        "{err}"
    );
    // R-SEAT-01: days the periods do not give, an end the days do not give.
    let mut days = edit("/validity/total_days", 9999.into());
    *days.pointer_mut("/validity/purchased_days").unwrap() = 9999.into();
    *days.pointer_mut("/steps/0/detail/purchased_days").unwrap() = 9999.into();
    let err = read(&days).unwrap_err().to_string();
    assert!(
        err.contains("validity.purchased_days does not follow"),
        "{err}"
    );
    let end = edit("/validity/end", "2099-01-01T00:00:00Z".into());
    let err = read(&end).unwrap_err().to_string();
    assert!(err.contains("validity.end does not follow"), "{err}");
    // The same value at another scale is another figure.
    let mut scale = edit("/steps/1/detail/amount/amount", "19200.0000".into());
    *scale.pointer_mut("/steps/2/detail/before/amount").unwrap() = "19200.0000".into();
    let err = read(&scale).unwrap_err().to_string();
    assert!(err.contains("base price amount does not follow"), "{err}");
}

#[test]
fn an_invalid_policy_does_not_deserialize() {
    let json = r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}, "period": "year", "pricing": {"rule": "unit_price", "unit_price": "10"},
                   "min_seats": 10, "max_seats": 5}"#;
    let err = serde_json::from_str::<SeatPolicy>(json).unwrap_err();
    assert!(err.to_string().contains("`min_seats`"), "{err}");
    assert!(err.to_string().contains("(R-SEAT-07)"), "{err}");
}

#[test]
fn amounts_too_large_are_an_arithmetic_error_not_a_panic() {
    let policy = build(unit_price_spec(
        Period::Year,
        "79228162514264337593543950335",
    ));
    let err = policy.quote(&SeatOrder::new(2, 1)).unwrap_err();
    assert!(matches!(err, Error::Arithmetic { .. }), "{err:?}");
    let err = preset().quote(&SeatOrder::new(1, u32::MAX)).unwrap_err();
    assert!(matches!(err, Error::Arithmetic { .. }), "{err:?}");
}
