//! Package, percentage, Kill Bill block tiers and overflow.

use super::*;

#[test]
fn stripe_zero_usage_bills_the_first_flat_tier() {
    for mode in TierMode::ALL {
        let table = continuous(mode);
        let price = table.price(Decimal::ZERO).unwrap();
        assert_eq!((price.total, price.tier), (usd("10"), 0), "{mode}");
        let parts: Vec<_> = table.parts(Decimal::ZERO).unwrap().collect();
        assert_eq!(parts.len(), 1);
        // Below zero is still refused, with a range that does not contain it.
        let err = table.price(d("-1")).unwrap_err();
        assert!(
            err.to_string()
                .contains("covers a quantity of -1; the tiers cover 0 and above")
        );
    }
}

#[test]
fn r_seat_07_zero_seats_are_still_refused() {
    let plan = billing_rules::presets::app_store_seat_pricing().unwrap();
    let err = plan.quote(&SeatOrder::new(0, 1)).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Seat07));
    // The whole axis starts at 1: its message names a range without 0.
    let whole = TierTable::try_from(
        TierTableSpec {
            mode: TierMode::Volume,
            tiers: vec![TierSpec::unit(1, None, d("1"))],
        }
        .on(Axis::Whole, Currency::CNY),
    )
    .unwrap();
    let err = whole.price(Decimal::ZERO).unwrap_err();
    assert_eq!(err.rule(), Some(RuleId::Seat03));
    assert!(
        err.to_string().contains("the tiers cover 1 and above"),
        "{err}"
    );
}

// ---- 2. Package ----------------------------------------------------------

#[test]
fn lago_package_121_units_at_100_per_10() {
    // lago-api spec/services/charge_models/package_service_spec.rb:
    // 121 units, 100 a package of 10: 1300; 10 free units: 1200; 200 free: 0.
    let q = lago_package("0").quote(d("121")).unwrap();
    assert_eq!(q.total, usd("1300.00"));
    assert_eq!(q.steps.len(), 1);
    assert_eq!(
        (q.steps[0].model, q.steps[0].kind),
        (ModelId::Package, StepKind::Packages)
    );
    assert_eq!(q.steps[0].quantity, d("13"));
    let q = lago_package("10").quote(d("121")).unwrap();
    assert_eq!(q.total, usd("1200.00"));
    assert_eq!(
        (q.steps[0].kind, q.steps[0].quantity),
        (StepKind::FreeUnits, d("10"))
    );
    assert_eq!(lago_package("200").price(d("121")).unwrap(), usd("0.00"));
}

#[test]
fn stripe_transform_quantity_divides_and_rounds_up() {
    // Stripe's transform_quantity docs: 10 a package of 5, rounded up:
    // 1, 3 and 5 units cost 10; 6 and 7 cost 20.
    let up = model(r#"{"package": {"size": "5", "amount": "10"}}"#, "");
    for (units, total) in [
        ("1", "10"),
        ("3", "10"),
        ("5", "10"),
        ("6", "20"),
        ("7", "20"),
    ] {
        assert_eq!(up.price(d(units)).unwrap(), usd(&format!("{total}.00")));
    }
    // `round: down` bills only full packages: 7 units are one package.
    let down = model(
        r#"{"package": {"size": "5", "amount": "10", "rounding": "down"}}"#,
        "",
    );
    assert_eq!(down.price(d("7")).unwrap(), usd("10.00"));
    assert_eq!(down.price(d("4")).unwrap(), usd("0.00"));
}

#[test]
fn openmeter_package_counts() {
    // openmeter lineservice/pricepackage_test.go, TestGetNumberOfPackages:
    // packages of 10: 0 -> 0, 1 -> 1, 9 -> 1, 10 -> 1, 11 -> 2; at 15 each.
    let m = model(r#"{"package": {"size": "10", "amount": "15"}}"#, "");
    for (units, packages) in [("0", "0"), ("1", "1"), ("9", "1"), ("10", "1"), ("11", "2")] {
        let q = m.quote(d(units)).unwrap();
        assert_eq!(q.steps[0].quantity, d(packages), "{units} units");
        assert_eq!(q.exact.amount(), d("15") * d(packages));
    }
}

#[test]
fn lago_percentage_free_units_by_count_and_total() {
    // lago-api spec/services/charge_models/percentage_service_spec.rb.
    let tx = transactions(&LAGO_TRANSACTIONS);
    let cases = [
        // Both free limits: (800 - 250) x 1.3% + (4 - 2) x 2 = 11.15.
        ("3", r#""250.0""#, r#""2.0""#, "11.15"),
        // No free count: the same 250 free.
        ("null", r#""250.0""#, r#""2.0""#, "11.15"),
        // No free total: 3 free events, 400 free: 400 x 1.3% + 1 x 2 = 7.2.
        ("3", "null", r#""2.0""#, "7.2"),
        // A free total above the 3 events' running total: still 7.2.
        ("3", r#""500.0""#, r#""2.0""#, "7.2"),
        // No free units: 800 x 1.3% + 4 x 2 = 18.4.
        ("null", "null", r#""2.0""#, "18.4"),
    ];
    for (events, total, fixed, expected) in cases {
        let q = lago_percentage(events, total, fixed)
            .quote_transactions(&tx)
            .unwrap();
        assert_eq!(exact(&q), d(expected), "{events} free events, {total} free");
    }
    // More free events than events: 0.
    let q = lago_percentage("5", "null", r#""2.0""#)
        .quote_transactions(&transactions(&["50", "100", "250"]))
        .unwrap();
    assert_eq!(q.total, usd("0.00"));
    // Rate 0: only the fixed fees, 4 x 2 = 8.
    let zero_rate = model(
        r#"{"percentage": {"rate": "0", "fixed_amount": "2.0"}}"#,
        "",
    );
    assert_eq!(exact(&zero_rate.quote_transactions(&tx).unwrap()), d("8"));
}

#[test]
fn lago_percentage_steps_name_free_paid_and_fees() {
    let q = lago_percentage("3", r#""250.0""#, r#""2.0""#)
        .quote_transactions(&transactions(&LAGO_TRANSACTIONS))
        .unwrap();
    let kinds: Vec<_> = q
        .steps
        .iter()
        .map(|s| (s.kind, s.quantity, s.amount))
        .collect();
    assert_eq!(
        kinds,
        [
            (StepKind::FreeUnits, d("250.0"), usd("0")),
            (StepKind::Rate, d("550.0"), usd("7.150")),
            (StepKind::FixedFees, d("2"), usd("4.0")),
        ]
    );
    assert!(q.steps.iter().all(|s| s.model == ModelId::Percentage));
}

#[test]
fn lago_percentage_small_amount_is_exact_then_rounded_once() {
    // Lago: 4 units at 2.9% = 0.116, exact; the total rounds once to 0.12.
    let m = model(r#"{"percentage": {"rate": "2.9"}}"#, "");
    let q = m
        .quote_transactions(&transactions(&["1", "1", "1", "1"]))
        .unwrap();
    assert_eq!(exact(&q), d("0.116"));
    assert_eq!(q.total, usd("0.12"));
}

#[test]
fn lago_percentage_min_and_max_per_transaction() {
    // Lago's premium case: transactions 10, 80, 10000 at 2.99%, min 1.75, max 12.
    let tx = transactions(&["10", "80", "10000"]);
    let case = |fixed: &str, events: &str, free: Option<&str>| {
        let free = free.map_or("null".to_owned(), |f| format!("\"{f}\""));
        let m = model(
            &format!(
                r#"{{"percentage": {{"rate": "2.99", "fixed_amount": "{fixed}",
                   "free_transactions": {events}, "free_amount": {free},
                   "min_per_transaction": "1.75", "max_per_transaction": "12"}}}}"#
            ),
            "",
        );
        exact(&m.quote_transactions(&tx).unwrap())
    };
    // 1.75 (min) + 2.392 + 12 (max) = 16.142.
    assert_eq!(case("0", "null", Some("0")), d("16.142"));
    // With a fixed fee of 2: 2.299 + 4.392 + 12 = 18.691.
    assert_eq!(case("2.0", "null", Some("0")), d("18.691"));
    // 2 free events: only the 10000 pays, cut to 12. (Lago's spec also
    // sets a free total of "0", which it reads as no total limit; here a
    // free total of 0 frees nothing, so the case leaves it out.)
    assert_eq!(case("0", "2", None), d("12"));
    assert_eq!(case("0", "2", Some("0")), d("16.142"));
    // 30 free: 10 free, 60 of the 80 pay 1.794, then 12.
    assert_eq!(case("0", "null", Some("30")), d("13.794"));
    // 3 free events and 10000 free: 90 of the last pay, 2.691.
    assert_eq!(case("0", "3", Some("10000")), d("2.691"));
}

#[test]
fn killbill_all_tiers_fills_each_tier_in_blocks() {
    // TestContiguousIntervalConsumableInArrear.testComputeBilledUsageWith_ALL_TIERS:
    // blocks of 100 (10 of them) at 1, then of 1000 (100) at 1; 5325 units:
    // 10 blocks + 5 blocks (4325 units, the started block whole) = 15.
    let m = kill_bill_blocks(
        "all_tiers",
        "refuse",
        &[("100", "10", "1"), ("1000", "100", "1")],
    );
    let q = m.quote(d("5325")).unwrap();
    let blocks: Vec<_> = q
        .steps
        .iter()
        .map(|s| (s.tier, s.quantity, s.amount))
        .collect();
    assert_eq!(
        blocks,
        [(Some(0), d("10"), usd("10")), (Some(1), d("5"), usd("5"))]
    );
    assert_eq!(q.total, usd("15.00"));
    // testComputeBilledUsageSizeOne...: blocks of 1, 111 units =
    // 10 x 1.5 + 100 x 1 + 1 x 0.5 = 115.5.
    let ones = kill_bill_blocks(
        "all_tiers",
        "refuse",
        &[
            ("1", "10", "1.5"),
            ("1", "100", "1.0"),
            ("1", "1000", "0.5"),
        ],
    );
    assert_eq!(exact(&ones.quote(d("111")).unwrap()), d("115.5"));
    // testComputeMissingItems: 401 units in blocks of 100 at 1 = 5.
    let single = kill_bill_blocks("all_tiers", "refuse", &[("100", "10", "1")]);
    assert_eq!(single.price(d("401")).unwrap(), usd("5.00"));
}

#[test]
fn killbill_top_tier_prices_every_unit_at_the_reached_tier() {
    // testComputeBilledUsageWith_TOP_TIER: 1000 -> 10, 101000 -> 101,
    // 101001 -> 102 blocks at 0.5 = 51, 300000 (above the last tier) -> 150.
    let tiers = [
        ("100", "10", "1"),
        ("1000", "100", "1"),
        ("1000", "100", "0.5"),
    ];
    let m = kill_bill_blocks("top_tier", "top_tier", &tiers);
    for (units, total) in [
        ("1000", "10"),
        ("101000", "101"),
        ("101001", "51"),
        ("300000", "150"),
    ] {
        assert_eq!(
            exact(&m.quote(d(units)).unwrap()),
            d(total),
            "{units} units"
        );
    }
    // testComputeBilledUsageSizeOneWith_TOP_TIER: 111 units x 0.5 = 55.5.
    let ones = kill_bill_blocks(
        "top_tier",
        "refuse",
        &[
            ("1", "10", "1.5"),
            ("1", "100", "1.0"),
            ("1", "1000", "0.5"),
        ],
    );
    assert_eq!(exact(&ones.quote(d("111")).unwrap()), d("55.5"));
}

#[test]
fn overflow_refuses_by_default_naming_the_bound() {
    let tiers = [
        ("100", "10", "1"),
        ("1000", "100", "1"),
        ("1000", "100", "0.5"),
    ];
    let m = kill_bill_blocks("top_tier", "refuse", &tiers);
    let Err(Error::Data(err)) = m.price(d("300000")) else {
        panic!("refused")
    };
    assert_eq!(err.field, "quantity");
    assert!(
        err.problem
            .contains("300000 is above the last tier, which ends at 201000"),
        "{err}"
    );
    assert!(err.allowed.contains("top_tier"), "{err}");
    // The same for all tiers, and for a plain tier table.
    let all = kill_bill_blocks("all_tiers", "refuse", &[("100", "10", "1")]);
    assert!(matches!(all.price(d("1001")), Err(Error::Data(_))));
    let tiered = model(
        r#"{"tiered": {"mode": "graduated", "tiers": [{"from": "0", "to": "10", "unit_price": "2"}]}}"#,
        "",
    );
    assert!(matches!(tiered.price(d("10.5")), Err(Error::Data(_))));
    assert_eq!(tiered.price(d("10")).unwrap(), usd("20.00"));
}

#[test]
fn overflow_top_tier_prices_at_the_last_tier() {
    let tiers = r#"[{"from": "0", "to": "10", "flat": "5", "unit_price": "2"},
                    {"from": "10", "to": "20", "unit_price": "1"}]"#;
    let graduated = model(
        &format!(
            r#"{{"tiered": {{"mode": "graduated", "overflow": "top_tier", "tiers": {tiers}}}}}"#
        ),
        "",
    );
    // 5 + 10 x 2 + 10 x 1, then 5 more at 1: 40.
    let q = graduated.quote(d("25")).unwrap();
    assert_eq!(exact(&q), d("40"));
    assert_eq!(
        q.steps.last().map(|s| (s.tier, s.quantity)),
        Some((Some(1), d("5")))
    );
    let volume = model(
        &format!(r#"{{"tiered": {{"mode": "volume", "overflow": "top_tier", "tiers": {tiers}}}}}"#),
        "",
    );
    assert_eq!(exact(&volume.quote(d("25")).unwrap()), d("25"));
}
