//! JSON money, bad input, and the property tests.

use super::*;

#[test]
fn json_money_is_written_at_the_minor_unit_and_read_back_checked() {
    let (from, to) = july();
    let events = [
        add_on(1, utc(2025, 7, 3), 750),
        refund(2, utc(2025, 7, 4), &[1], 250),
    ];
    let statement = Statement::build(&events, from, to, &Locale::default()).unwrap();
    let json = serde_json::to_value(&statement).unwrap();
    assert_eq!(json["currency"], "CNY");
    assert_eq!(json["total"], "5.00");
    assert_eq!(json["lines"][0]["amount"], "7.50");
    assert_eq!(json["lines"][0]["rule"], "R-USE-10");
    assert_eq!(json["lines"][1]["amount"], "-2.50");
    let back: Statement = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, statement);

    // An edited total no longer adds up: refused on reading, naming both.
    let mut edited = json.clone();
    edited["total"] = "5.01".into();
    let err = serde_json::from_value::<Statement>(edited)
        .unwrap_err()
        .to_string();
    assert!(err.contains("5.01") && err.contains("5.00"), "{err}");
    // Events read back from JSON, and an unknown field refused.
    let text = serde_json::to_string(&events).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<StatementEvent>>(&text).unwrap(),
        events
    );
    let unknown = text.replacen("\"quantity\"", "\"discount\":\"1\",\"quantity\"", 1);
    let err = serde_json::from_str::<Vec<StatementEvent>>(&unknown)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `discount`"), "{err}");
    let unknown_line = serde_json::to_string(&statement).unwrap().replacen(
        "\"kind\"",
        "\"note\":\"x\",\"kind\"",
        1,
    );
    let err = serde_json::from_str::<Statement>(&unknown_line)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `note`"), "{err}");
}

#[test]
fn a_period_that_does_not_run_forward_is_an_error() {
    let (from, to) = july();
    for (a, b) in [(from, from), (to, from)] {
        let (field, problem) = data_error(Statement::build(&[], a, b, &Locale::default()));
        assert_eq!(field, "period");
        assert!(problem.contains("is not before"), "{problem}");
    }
}

#[test]
fn two_currencies_are_an_error_naming_both() {
    let (from, to) = july();
    let usd = StatementEvent::PackagePurchase {
        at: utc(2025, 7, 2),
        source: SourceRef::new("wallet", 1),
        calls: 1000,
        price: Money::new(Decimal::from(30), Currency::USD),
    };
    let events = [add_on(1, utc(2025, 7, 1), 100), usd];
    let (field, problem) = data_error(Statement::build(&events, from, to, &Locale::default()));
    assert_eq!(field, "events[1].price");
    assert!(
        problem.contains("USD") && problem.contains("CNY"),
        "{problem}"
    );
}

/// A refund larger than what is left of its items is an error, not a
/// negative net line: it would pay back money that was never charged, a
/// recording error a statement must not hide (R-REF-01 pays back what an
/// order paid, never more).
#[test]
fn a_refund_larger_than_what_it_refunds_is_an_error() {
    let (from, to) = july();
    let events = [
        add_on(1, utc(2025, 7, 1), 10000),
        refund(2, utc(2025, 7, 2), &[1], 10001),
    ];
    let (field, problem) = data_error(Statement::build(&events, from, to, &Locale::default()));
    assert_eq!(field, "events[1].amount");
    assert!(
        problem.contains("100.01") && problem.contains("100.00"),
        "{problem}"
    );
    // Two refunds: 60.00 then 50.00 of the 40.00 left.
    let events = [
        add_on(1, utc(2025, 7, 1), 10000),
        refund(2, utc(2025, 7, 2), &[1], 6000),
        refund(3, utc(2025, 7, 3), &[1], 5000),
    ];
    let (field, problem) = data_error(Statement::build(&events, from, to, &Locale::default()));
    assert_eq!(field, "events[2].amount");
    assert!(problem.contains("40.00"), "{problem}");
}

#[test]
fn refunds_of_what_is_no_charge_and_repeated_sources_are_errors() {
    let (from, to) = july();
    let day = utc(2025, 7, 2);
    let cases = [
        (vec![refund(1, day, &[], 100)], "events[0].items"),
        (vec![refund(1, day, &[9], 100)], "events[0].items[0]"),
        (
            vec![add_on(1, day, 100), refund(2, day, &[1, 1], 100)],
            "events[1].items[1]",
        ),
        // A refund before the charge it names.
        (
            vec![
                add_on(1, day, 100),
                refund(2, day - TimeDelta::days(1), &[1], 100),
            ],
            "events[1].items[0]",
        ),
        (
            vec![add_on(1, day, 100), add_on(1, day, 100)],
            "events[1].source",
        ),
    ];
    for (events, expected) in cases {
        let (field, _) = data_error(Statement::build(&events, from, to, &Locale::default()));
        assert_eq!(field, expected);
    }
    // A per-call charge is settled on the statement: not an item to refund.
    let events = [
        calls(1, day, 10, Decimal::new(3, 2)),
        StatementEvent::Refund {
            at: day + TimeDelta::days(1),
            source: SourceRef::new("acct", 2),
            items: vec![SourceRef::new("wallet", 1)],
            amount: cny(10),
        },
    ];
    let (field, problem) = data_error(Statement::build(&events, from, to, &Locale::default()));
    assert_eq!(field, "events[1].items[0]");
    assert!(problem.contains("is not a charge"), "{problem}");
    // An amount its rule rounds, given with digits below the fen.
    let finer = StatementEvent::AddOn {
        at: day,
        source: SourceRef::new("acct", 1),
        quantity: Decimal::ONE,
        unit_price: None,
        amount: Money::cny(Decimal::new(1005, 3)),
    };
    let (field, problem) = data_error(Statement::build(&[finer], from, to, &Locale::default()));
    assert_eq!(field, "events[0].amount");
    assert!(problem.contains("minor unit"), "{problem}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// For any events, the lines add up to the total exactly; over the
    /// account's whole life the total is what was charged, less credits and
    /// refunds, plus each component's per-call charges at each price
    /// summed exactly and rounded once (half-up, the preset locale).
    #[test]
    fn lines_add_up_to_the_total(events in account()) {
        let (from, to) = whole_life();
        let statement = Statement::build(&events, from, to, &Locale::default()).unwrap();
        prop_assert_eq!(lines_sum(&statement), statement.total);
        prop_assert!(statement.check().is_ok());
        let mut expected = Decimal::ZERO;
        let mut groups = std::collections::BTreeMap::<(Component, Decimal), Decimal>::new();
        for event in &events {
            match event {
                StatementEvent::Refund { amount, .. } => expected -= amount.amount(),
                StatementEvent::Calls { component, unit_price, charge, .. } => {
                    *groups.entry((*component, unit_price.amount())).or_default() += charge.amount();
                }
                other => expected += due(other),
            }
        }
        for exact in groups.values() {
            expected += Money::cny(*exact).round_to_minor(RoundingMode::HalfUp).amount();
        }
        prop_assert_eq!(statement.total, expected);
        // No item is paid back more than was charged for it.
        for event in &events {
            let refunded: Decimal = statement.lines.iter()
                .filter(|l| l.kind == LineKind::Refund && l.sources[1] == *event.source())
                .map(|l| -l.amount)
                .sum();
            prop_assert!(refunded <= due(event), "{:?}: {} refunded", event.source(), refunded);
        }
        // Every refund's lines add up to the refund exactly.
        for event in &events {
            if let StatementEvent::Refund { source, amount, .. } = event {
                let shares: Decimal = statement.lines.iter()
                    .filter(|l| l.kind == LineKind::Refund && l.sources[0] == *source)
                    .map(|l| l.amount)
                    .sum();
                prop_assert_eq!(shares, -amount.amount());
            }
        }
    }

    /// A period split at any instant: the two statements' totals add up to
    /// the whole period's, and their lines' sources together are the
    /// whole's.
    #[test]
    fn sub_periods_add_up_to_the_period(events in account(), split in 1..YEAR_MINUTES) {
        let (from, to) = whole_life();
        let mid = from + TimeDelta::minutes(split);
        let locale = Locale::default();
        let whole = Statement::build(&events, from, to, &locale).unwrap();
        let first = Statement::build(&events, from, mid, &locale).unwrap();
        let second = Statement::build(&events, mid, to, &locale).unwrap();
        prop_assert_eq!(first.total + second.total, whole.total);
        let count = |s: &Statement| s.lines.iter().map(|l| l.sources.len()).sum::<usize>();
        prop_assert_eq!(count(&first) + count(&second), count(&whole));
    }

    /// The same events in any order give the same statement.
    #[test]
    fn order_of_the_events_does_not_matter(
        (events, shuffled) in account().prop_flat_map(|e| (Just(e.clone()), Just(e).prop_shuffle())),
        start in 0..YEAR_MINUTES,
    ) {
        let from = base() + TimeDelta::minutes(start);
        let to = from + TimeDelta::days(31);
        let locale = Locale::default();
        prop_assert_eq!(
            Statement::build(&events, from, to, &locale).unwrap(),
            Statement::build(&shuffled, from, to, &locale).unwrap()
        );
    }
}
