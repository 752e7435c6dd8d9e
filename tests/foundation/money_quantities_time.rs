//! Money, rounding, quantities, calendar days, zones, clocks, rule ids and
//! locales.

use super::*;

// ---------------------------------------------------------------- Money

#[test]
fn money_displays_with_code_and_minor_unit() {
    assert_eq!(Money::cny(d("273.97")).to_string(), "CNY 273.97");
    assert_eq!(Money::cny(d("1000")).to_string(), "CNY 1000.00");
    assert_eq!(Money::cny(d("0.035")).to_string(), "CNY 0.035");
    assert_eq!(Money::new(d("5"), Currency::JPY).to_string(), "JPY 5");
    assert_eq!(
        Money::cny(Decimal::MAX).to_string(),
        format!("CNY {}", Decimal::MAX)
    );
}

#[test]
fn money_serializes_amount_as_decimal_string() {
    let m = Money::cny(d("273.97"));
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, r#"{"amount":"273.97","currency":"CNY"}"#);
    assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    let custom = Money::new(d("1.234"), Currency::new("XPT", 3).unwrap());
    let json = serde_json::to_string(&custom).unwrap();
    assert_eq!(
        json,
        r#"{"amount":"1.234","currency":{"code":"XPT","scale":3}}"#
    );
    assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), custom);
    assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"XXX"}"#).is_err());
}

#[test]
fn money_mixed_currencies_are_an_error() {
    let a = Money::cny(Decimal::ONE);
    let b = Money::new(Decimal::ONE, Currency::USD);
    let expected = ArithmeticError::CurrencyMismatch {
        left: Currency::CNY,
        right: Currency::USD,
    };
    assert_eq!(a.checked_add(b), Err(expected.clone()));
    assert_eq!(a.checked_sub(b), Err(expected.clone()));
    assert_eq!(a.checked_min(b), Err(expected));
    assert_eq!(a.checked_cmp(&b), None);
}

#[test]
fn money_never_rounds_silently() {
    let big = d("7922816251887602361197133824");
    assert!(matches!(
        Money::cny(d("-0.1")).checked_add(Money::cny(big)),
        Err(ArithmeticError::PrecisionLoss { .. })
    ));
    assert!(matches!(
        Money::cny(d("0.0000000000001")).checked_mul(d("0.0000000000000001")),
        Err(ArithmeticError::PrecisionLoss { .. })
    ));
    // Trailing zeros are not precision: they may be dropped.
    let padded = d("1.000000000000000000000000000");
    assert_eq!(
        Money::cny(padded).checked_mul(d("1.00")).unwrap().amount(),
        Decimal::ONE
    );
}

#[test]
fn money_overflow_at_the_extremes_is_an_error() {
    let max = Money::cny(Decimal::MAX);
    let min = Money::cny(Decimal::MIN);
    assert!(matches!(
        max.checked_add(Money::cny(Decimal::ONE)),
        Err(ArithmeticError::Overflow { .. })
    ));
    assert!(matches!(
        min.checked_sub(Money::cny(Decimal::ONE)),
        Err(ArithmeticError::Overflow { .. })
    ));
    assert!(matches!(
        max.checked_mul(Decimal::TWO),
        Err(ArithmeticError::Overflow { .. })
    ));
    assert!(matches!(
        max.checked_div(d("0.5")),
        Err(ArithmeticError::Overflow { .. })
    ));
    assert_eq!(
        max.checked_div(Decimal::ZERO),
        Err(ArithmeticError::DivisionByZero)
    );
}

#[test]
fn r_seat_08_published_credit_rounds_down_to_273_97() {
    let exact = Money::cny(d("1000"))
        .checked_mul(d("100"))
        .unwrap()
        .checked_div(d("365"))
        .unwrap();
    assert_eq!(
        exact.round_to_minor(RoundingMode::TowardZero),
        Money::cny(d("273.97"))
    );
    assert_eq!(
        exact.round_to_minor(RoundingMode::HalfUp),
        Money::cny(d("273.97"))
    );
    assert_eq!(
        exact.round_to_minor(RoundingMode::AwayFromZero),
        Money::cny(d("273.98"))
    );
}

#[test]
fn rounding_modes_on_ties_and_negatives() {
    let r = |mode| Rounding::new(mode, 2);
    let cases = [
        (RoundingMode::HalfUp, "2.345", "2.35"),
        (RoundingMode::HalfUp, "-2.345", "-2.35"),
        (RoundingMode::HalfEven, "2.345", "2.34"),
        (RoundingMode::HalfEven, "2.355", "2.36"),
        (RoundingMode::TowardZero, "2.349", "2.34"),
        (RoundingMode::TowardZero, "-2.349", "-2.34"),
        (RoundingMode::AwayFromZero, "2.341", "2.35"),
        (RoundingMode::AwayFromZero, "-2.341", "-2.35"),
        (RoundingMode::Floor, "-2.341", "-2.35"),
        (RoundingMode::Ceiling, "-2.349", "-2.34"),
        (RoundingMode::HalfUp, "2.3", "2.3"),
    ];
    for (mode, input, expected) in cases {
        assert_eq!(r(mode).apply(d(input)), d(expected), "{mode:?} {input}");
    }
    // A scale beyond a Decimal's keeps every digit.
    assert_eq!(
        Rounding::new(RoundingMode::HalfUp, 40).apply(d("1.5")),
        d("1.5")
    );
}

proptest! {
    #[test]
    fn rounding_is_idempotent(value in any_decimal(), mode in any_mode(), scale in 0u32..=30) {
        let r = Rounding::new(mode, scale);
        let once = r.apply(value);
        prop_assert_eq!(r.apply(once), once);
        prop_assert!(once.scale() <= scale.max(value.scale()));
    }

    #[test]
    fn rounding_moves_less_than_one_step(value in amount(), mode in any_mode(), scale in 0u32..=4) {
        let rounded = Rounding::new(mode, scale).apply(value);
        let step = Decimal::new(1, scale);
        prop_assert!((rounded - value).abs() < step);
    }

    #[test]
    fn addition_is_commutative(a in amount(), b in amount()) {
        let (a, b) = (Money::cny(a), Money::cny(b));
        prop_assert_eq!(a.checked_add(b), b.checked_add(a));
    }

    #[test]
    fn addition_is_associative(a in amount(), b in amount(), c in amount()) {
        let (a, b, c) = (Money::cny(a), Money::cny(b), Money::cny(c));
        let left = a.checked_add(b).and_then(|ab| ab.checked_add(c)).unwrap();
        let right = b.checked_add(c).and_then(|bc| a.checked_add(bc)).unwrap();
        prop_assert_eq!(left, right);
    }

    #[test]
    fn mixed_currencies_never_combine(a in amount(), b in amount()) {
        let err = Money::cny(a).checked_add(Money::new(b, Currency::EUR));
        let is_mismatch = matches!(err, Err(ArithmeticError::CurrencyMismatch { .. }));
        prop_assert!(is_mismatch);
    }

    #[test]
    fn arithmetic_never_panics_across_the_whole_range(a in any_decimal(), b in any_decimal()) {
        let (ma, mb) = (Money::cny(a), Money::cny(b));
        // Each is Ok or an error value; computing them must not panic.
        let _ = ma.checked_add(mb);
        let _ = ma.checked_sub(mb);
        let _ = ma.checked_mul(b);
        let _ = ma.checked_div(b);
        let _ = ma.to_string();
        // Whatever succeeds is exact: undoing it gives the operand back, or
        // (at the 28-digit edge) an error value, never another number.
        if let Ok(back) = ma.checked_add(mb).and_then(|sum| sum.checked_sub(mb)) {
            prop_assert_eq!(back.amount(), a);
        }
        if let Ok(back) = ma.checked_sub(mb).and_then(|diff| diff.checked_add(mb)) {
            prop_assert_eq!(back.amount(), a);
        }
        if let (Ok(product), false) = (ma.checked_mul(b), b.is_zero()) {
            // Division keeps 28 significant digits, so compare at that depth.
            let back = product.checked_div(b).map(|m| m.amount());
            if let Ok(back) = back {
                prop_assert!((back - a).abs() <= Decimal::new(1, 28).max(a.abs() * Decimal::new(1, 26)));
            }
        }
    }

    #[test]
    fn money_round_trips_through_json(a in any_decimal()) {
        let m = Money::cny(a);
        let json = serde_json::to_string(&m).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    }
}

// ---------------------------------------------------------------- Quantity

#[test]
fn r_use_09_units_convert_in_base_1000() {
    let tb = Quantity::new(d("1"), Unit::Terabyte);
    assert_eq!(tb.convert_to(Unit::Gigabyte).unwrap().value(), d("1000"));
    assert_eq!(
        tb.convert_to(Unit::Byte).unwrap().value(),
        d("1000000000000")
    );
    let gb = Quantity::new(d("20"), Unit::Gigabyte);
    assert_eq!(gb.convert_to(Unit::Terabyte).unwrap().value(), d("0.02"));
    let mbps = Quantity::new(d("2500"), Unit::Megabit);
    assert_eq!(mbps.convert_to(Unit::Gigabit).unwrap().value(), d("2.5"));
    assert_eq!(
        gb.convert_to(Unit::Call),
        Err(ArithmeticError::IncompatibleUnits {
            from: Unit::Gigabyte,
            to: Unit::Call
        })
    );
    assert_eq!(Quantity::new(d("250"), Unit::Call).to_string(), "250 calls");
}

#[test]
fn r_ref_03_twenty_gb_equals_two_hundredths_of_a_tb() {
    let a = Quantity::new(d("20"), Unit::Gigabyte);
    let b = Quantity::new(d("0.02"), Unit::Terabyte);
    assert_eq!(a.checked_cmp(&b), Ok(Ordering::Equal));
    let over = Quantity::new(d("20000000001"), Unit::Byte);
    assert_eq!(over.checked_cmp(&b), Ok(Ordering::Greater));
}

#[test]
fn quantity_conversion_errors_instead_of_losing_digits() {
    let tiny = Quantity::new(Decimal::new(1, 28), Unit::Byte);
    assert!(matches!(
        tiny.convert_to(Unit::Kilobyte),
        Err(ArithmeticError::PrecisionLoss { .. })
    ));
    let huge = Quantity::new(Decimal::MAX, Unit::Terabyte);
    assert!(matches!(
        huge.convert_to(Unit::Byte),
        Err(ArithmeticError::Overflow { .. })
    ));
    // Trailing zeros make room: 1.000...0 (28 places) bytes is 0.001 KB.
    let padded = Quantity::new(d("1.0000000000000000000000000000"), Unit::Byte);
    assert_eq!(
        padded.convert_to(Unit::Kilobyte).unwrap().value(),
        d("0.001")
    );
}

proptest! {
    #[test]
    fn quantity_conversions_are_exact_and_round_trip(
        value in amount(), from in data_unit(), to in data_unit()
    ) {
        let q = Quantity::new(value, from);
        if let Ok(converted) = q.convert_to(to) {
            let back = converted.convert_to(from).unwrap();
            prop_assert_eq!(back.value(), value);
            prop_assert_eq!(q.checked_cmp(&converted), Ok(Ordering::Equal));
        }
    }

    #[test]
    fn quantity_conversion_never_panics(value in any_decimal(), from in data_unit(), to in data_unit()) {
        let _ = Quantity::new(value, from).convert_to(to);
    }
}

#[test]
fn r_ref_03_quantity_comparison_is_total_at_the_extremes() {
    let twenty_gb = Quantity::new(d("20"), Unit::Gigabyte);
    // Decimal::MAX TB cannot be converted to GB, but it is plainly more.
    let huge = Quantity::new(Decimal::MAX, Unit::Terabyte);
    assert_eq!(huge.checked_cmp(&twenty_gb), Ok(Ordering::Greater));
    assert_eq!(twenty_gb.checked_cmp(&huge), Ok(Ordering::Less));
    let most_negative = Quantity::new(Decimal::MIN, Unit::Terabyte);
    assert_eq!(most_negative.checked_cmp(&twenty_gb), Ok(Ordering::Less));
    assert_eq!(most_negative.checked_cmp(&huge), Ok(Ordering::Less));
    // 10^-28 B cannot be converted to TB (40 places), but it is less than 1 TB
    // and more than -10^-28 TB.
    let tiny = Quantity::new(Decimal::new(1, 28), Unit::Byte);
    let one_tb = Quantity::new(Decimal::ONE, Unit::Terabyte);
    assert_eq!(tiny.checked_cmp(&one_tb), Ok(Ordering::Less));
    let minus_tiny_tb = Quantity::new(Decimal::new(-1, 28), Unit::Terabyte);
    assert_eq!(tiny.checked_cmp(&minus_tiny_tb), Ok(Ordering::Greater));
    assert_eq!(minus_tiny_tb.checked_cmp(&tiny), Ok(Ordering::Less));
    // Negative tiny quantities: -10^-28 TB is -10^-16 B, below -10^-28 B.
    let minus_tiny_b = Quantity::new(Decimal::new(-1, 28), Unit::Byte);
    assert_eq!(minus_tiny_tb.checked_cmp(&minus_tiny_b), Ok(Ordering::Less));
    // Equal across units and scales, at the edge of the type: 1 B is
    // 0.000000000001 TB, and Decimal::MAX B is Decimal::MAX / 10^12 TB.
    let one_b = Quantity::new(Decimal::ONE, Unit::Byte);
    let one_b_in_tb = Quantity::new(d("0.000000000001"), Unit::Terabyte);
    assert_eq!(one_b.checked_cmp(&one_b_in_tb), Ok(Ordering::Equal));
    let max_b = Quantity::new(Decimal::MAX, Unit::Byte);
    let max_b_in_tb = Quantity::new(d("79228162514264337.593543950335"), Unit::Terabyte);
    assert_eq!(max_b.checked_cmp(&max_b_in_tb), Ok(Ordering::Equal));
    let just_below = Quantity::new(d("79228162514264337.593543950334"), Unit::Terabyte);
    assert_eq!(max_b.checked_cmp(&just_below), Ok(Ordering::Greater));
    // Zero has no sign: -0 GB equals 0 TB.
    let minus_zero = Quantity::new(Decimal::from_parts(0, 0, 0, true, 3), Unit::Gigabyte);
    let zero = Quantity::new(Decimal::ZERO, Unit::Terabyte);
    assert_eq!(minus_zero.checked_cmp(&zero), Ok(Ordering::Equal));
    // Across dimensions there is no answer.
    let calls = Quantity::new(Decimal::ONE, Unit::Call);
    assert!(matches!(
        twenty_gb.checked_cmp(&calls),
        Err(ArithmeticError::IncompatibleUnits { .. })
    ));
}

proptest! {
    #[test]
    fn r_ref_03_quantity_comparison_is_total_and_agrees_with_exact_conversion(
        a in prop_oneof![any_decimal(), amount()],
        b in prop_oneof![any_decimal(), amount()],
        unit_a in data_unit(),
        unit_b in data_unit(),
    ) {
        let (qa, qb) = (Quantity::new(a, unit_a), Quantity::new(b, unit_b));
        // Never an error within one dimension, and antisymmetric.
        let order = qa.checked_cmp(&qb).unwrap();
        prop_assert_eq!(qb.checked_cmp(&qa).unwrap(), order.reverse());
        prop_assert_eq!(qa.checked_cmp(&qa).unwrap(), Ordering::Equal);
        // Wherever one side converts exactly, the comparison agrees with it.
        if let Ok(b_as_a) = qb.convert_to(unit_a) {
            prop_assert_eq!(order, a.cmp(&b_as_a.value()));
        }
        if let Ok(a_as_b) = qa.convert_to(unit_b) {
            prop_assert_eq!(order, a_as_b.value().cmp(&b));
        }
    }
}

#[test]
fn rounding_mode_displays_its_json_name() {
    for mode in RoundingMode::ALL {
        let json = serde_json::to_string(&mode).unwrap();
        assert_eq!(format!("\"{mode}\""), json);
    }
    assert_eq!(RoundingMode::AwayFromZero.to_string(), "away_from_zero");
}

// ---------------------------------------------------------------- Time

#[test]
fn calendar_day_turns_at_local_midnight_in_plus_eight() {
    let zone = Zone::BEIJING;
    let before = utc(2025, 6, 30, 15, 59, 59);
    let after = utc(2025, 6, 30, 16, 0, 0);
    assert_eq!(zone.local_date(before), date(2025, 6, 30));
    assert_eq!(zone.local_date(after), date(2025, 7, 1));
    assert_eq!(zone.calendar_days_between(before, after), 1);
    assert_eq!(zone.whole_days_between(before, after), 0);
    assert_eq!(
        zone.start_of_local_day(before).unwrap(),
        utc(2025, 6, 29, 16, 0, 0)
    );
    assert_eq!(zone.start_of_local_day(after).unwrap(), after);
}

#[test]
fn r_seat_01_periods_are_365_and_31_days() {
    assert_eq!(Period::Year.length(), Days(365));
    assert_eq!(Period::Month.length(), Days(31));
    assert_eq!(Period::days(90).unwrap().length(), Days(90));
    assert_eq!(Period::days(0), None);
    let json =
        serde_json::to_string(&[Period::Year, Period::Month, Period::days(90).unwrap()]).unwrap();
    assert_eq!(json, r#"["year","month",{"days":90}]"#);
    assert!(serde_json::from_str::<Period>(r#"{"days":0}"#).is_err());
    let start = utc(2025, 1, 1, 0, 0, 0);
    assert_eq!(
        Zone::BEIJING
            .plus_days(start, Period::Year.length())
            .unwrap(),
        utc(2026, 1, 1, 0, 0, 0)
    );
}

#[test]
fn day_arithmetic_out_of_range_is_an_error() {
    let far = DateTime::<Utc>::MAX_UTC;
    assert!(matches!(
        Zone::BEIJING.plus_days(far, Days(1)),
        Err(ArithmeticError::OutOfRange { .. })
    ));
    assert!(matches!(
        Zone::BEIJING.minus_days(DateTime::<Utc>::MIN_UTC, Days(1)),
        Err(ArithmeticError::OutOfRange { .. })
    ));
    assert!(Days(u32::MAX).checked_mul(2).is_err());
}

#[test]
fn zone_parses_and_serializes_as_offset() {
    assert_eq!("+08:00".parse::<Zone>().unwrap(), Zone::BEIJING);
    assert_eq!("Z".parse::<Zone>().unwrap(), Zone::UTC);
    assert_eq!("-05:30".parse::<Zone>().unwrap().to_string(), "-05:30");
    for bad in ["+24:00", "8", "+8:00", "+08:60", "++8:00", "+0a:00", ""] {
        let err = bad.parse::<Zone>().unwrap_err();
        assert_eq!(err.field, "time_zone", "{bad}");
    }
    assert_eq!(
        serde_json::to_string(&Zone::BEIJING).unwrap(),
        r#""+08:00""#
    );
}

#[test]
fn fixed_clock_is_settable_and_advances() {
    let clock = FixedClock::new(utc(2025, 1, 1, 0, 0, 0));
    clock.advance(Duration::hours(25)).unwrap();
    assert_eq!(clock.now(), utc(2025, 1, 2, 1, 0, 0));
    clock.set(utc(2030, 5, 5, 5, 5, 5));
    let by_ref: &dyn Clock = &clock;
    assert_eq!(by_ref.now(), utc(2030, 5, 5, 5, 5, 5));
    let before = clock.now();
    assert!(clock.advance(Duration::MAX).is_err());
    assert_eq!(
        clock.now(),
        before,
        "a failed advance leaves the clock as it was"
    );
}

proptest! {
    #[test]
    fn local_date_matches_offset_arithmetic(secs in -2_000_000_000i64..32_000_000_000) {
        let t = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
        let shifted = DateTime::<Utc>::from_timestamp(secs + 8 * 3600, 0).unwrap();
        prop_assert_eq!(Zone::BEIJING.local_date(t), shifted.date_naive());
    }

    #[test]
    fn plus_days_is_n_local_days_later(secs in 0i64..4_000_000_000, n in 0u32..100_000) {
        let t = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
        let later = Zone::BEIJING.plus_days(t, Days(n)).unwrap();
        prop_assert_eq!(Zone::BEIJING.calendar_days_between(t, later), i64::from(n));
        prop_assert_eq!(Zone::BEIJING.whole_days_between(t, later), i64::from(n));
    }
}

// ---------------------------------------------------------------- Rule ids

#[test]
fn rule_ids_display_exactly_as_the_catalogue() {
    let families: Vec<(RuleFamily, usize, &str)> = vec![
        (RuleFamily::Seat, 10, "R-SEAT-"),
        (RuleFamily::Life, 10, "R-LIFE-"),
        (RuleFamily::Use, 10, "R-USE-"),
        (RuleFamily::Lic, 6, "R-LIC-"),
        (RuleFamily::Pay, 9, "R-PAY-"),
        (RuleFamily::Ref, 4, "R-REF-"),
    ];
    for (family, count, prefix) in families {
        let ids: Vec<String> = family.rules().map(|r| r.to_string()).collect();
        let expected: Vec<String> = (1..=count).map(|n| format!("{prefix}{n:02}")).collect();
        assert_eq!(ids, expected);
    }
    assert_eq!(RuleId::ALL.len(), 49);
    for rule in RuleId::ALL {
        assert_eq!(rule.to_string().parse::<RuleId>(), Ok(rule));
        let json = serde_json::to_string(&rule).unwrap();
        assert_eq!(json, format!("\"{rule}\""));
        assert_eq!(serde_json::from_str::<RuleId>(&json).unwrap(), rule);
    }
    assert!("R-SEAT-11".parse::<RuleId>().is_err());
}

#[test]
fn every_rule_id_is_in_the_catalogue_text() {
    // The source catalogue sits beside the repository in shared/ (always so
    // in CI); every id and title we define must be in it. A missing or
    // unreadable file fails the test rather than skipping it silently.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/RULES.md");
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| {
        panic!("cannot read the rule catalogue `{path}` (expected beside the repository): {err}")
    });
    for rule in RuleId::ALL {
        let heading = format!("**{} {}.**", rule, rule.title());
        assert!(text.contains(&heading), "catalogue lacks `{heading}`");
    }
}

// ---------------------------------------------------------------- Errors

#[test]
fn r_pay_03_refusal_names_rule_and_figures() {
    let refusal = Refusal::new(
        Reason::new(RuleId::Pay03, "4 of 4 switches used")
            .with(Figure::count("switches_used", 4))
            .with(Figure::count("switch_limit", 4)),
    )
    .and(Reason::new(RuleId::Pay08, "the environment is isolated"));
    assert_eq!(refusal.rule(), RuleId::Pay03);
    assert_eq!(
        refusal.rules().collect::<Vec<_>>(),
        vec![RuleId::Pay03, RuleId::Pay08]
    );
    assert!(refusal.refused_by(RuleId::Pay08));
    assert_eq!(refusal.figure("switch_limit"), Some(&FigureValue::Count(4)));
    assert_eq!(
        refusal.to_string(),
        "R-PAY-03: 4 of 4 switches used (switches_used = 4, switch_limit = 4); \
         R-PAY-08: the environment is isolated"
    );
    let json = serde_json::to_string(&refusal).unwrap();
    assert_eq!(serde_json::from_str::<Refusal>(&json).unwrap(), refusal);
    assert!(serde_json::from_str::<Refusal>(r#"{"reasons":[]}"#).is_err());
    let err: Error = refusal.clone().into();
    assert_eq!(err.refusal(), Some(&refusal));
}

#[test]
fn policy_error_names_field_problem_and_allowed() {
    let err = PolicyError::new("factor", "0.65 is below the floor", "0.70 to 1")
        .with_rule(RuleId::Seat04)
        .within("discounts[0]");
    assert_eq!(err.field, "discounts[0].factor");
    assert_eq!(
        err.to_string(),
        "invalid policy: `discounts[0].factor`: 0.65 is below the floor; allowed: 0.70 to 1 (R-SEAT-04)"
    );
}

#[test]
fn locale_default_is_the_published_preset_and_json_names_it_all() {
    // Issue 15: JSON never defaults a locale's currency or zone.
    let err = serde_json::from_str::<Locale>("{}").unwrap_err();
    assert!(
        err.to_string().starts_with("`locale.currency` is missing"),
        "{err}"
    );
    let locale = Locale::default();
    assert_eq!(locale, billing_rules::presets::locale());
    assert_eq!(
        serde_json::to_string(&locale).unwrap(),
        r#"{"currency":"CNY","time_zone":"+08:00","rounding":"half_up"}"#
    );
}
