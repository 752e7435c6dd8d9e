//! Minimum spend, prorated and volume/graduated ranges, and the anchors'
//! regressions.

use super::*;

// ---- 6. Minimum commitment -----------------------------------------------

#[test]
fn openmeter_minimum_spend_with_no_usage() {
    // openmeter lineservice/pricepackage_test.go: packages of 10 at 15, a
    // minimum spend of 100: no usage bills the minimum as its own line;
    // 10 units bill one package (15), raised to 100 by an 85 shortfall.
    let m = model(
        r#"{"package": {"size": "10", "amount": "15"}}"#,
        r#", "minimum": "100""#,
    );
    let q = m.quote(Decimal::ZERO).unwrap();
    assert_eq!(q.total, usd("100.00"));
    let last = q.steps.last().unwrap();
    assert_eq!(
        (last.model, last.kind, last.amount),
        (ModelId::MinimumCommitment, StepKind::Shortfall, usd("100"))
    );
    let q = m.quote(d("10")).unwrap();
    assert_eq!(q.steps.last().map(|s| s.amount), Some(usd("85")));
    // Usage above the minimum: no shortfall step.
    let q = m.quote(d("100")).unwrap();
    assert_eq!(q.total, usd("150.00"));
    assert!(q.steps.iter().all(|s| s.kind != StepKind::Shortfall));
}

#[test]
fn lago_prorated_graduated_cases() {
    // lago-api spec/services/charge_models/prorated_graduated_service_spec.rb.
    let m = lago_prorated(LAGO_TWO_RANGES, "full", "graduated");
    let at = |records: &[(&str, &str)]| {
        let usage: Vec<_> = records
            .iter()
            .map(|(q, f)| ProratedUnits::new(d(q), d(f)))
            .collect();
        m.quote_prorated(&usage).unwrap()
    };
    // Zero usage: the first tier's flat amount, 100.
    assert_eq!(exact(&at(&[])), d("100"));
    // One unit at 0.7 of the period: 100 + 0.7 x 10 = 107.
    assert_eq!(exact(&at(&[("1", "0.7")])), d("107"));
    // The spec's first case without its negative event: 5 units at 0.7,
    // 5 at 0.533334 (2.66667 prorated), 10 at 0.2: 100 + 35 + 50 +
    // 13.33335 + 10 = 208.33335 (Lago's 197.33 adds -6 units, -11).
    let q = at(&[("5", "0.7"), ("5", "0.533334"), ("10", "0.2")]);
    assert_eq!(exact(&q), d("208.33335"));
    assert_eq!(q.total, usd("208.33"));
    let flats: Vec<_> = q
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::TierFlat)
        .map(|s| s.tier)
        .collect();
    assert_eq!(flats, [Some(0), Some(1)]);
}

#[test]
fn lago_prorated_graduated_first_unit_fills_the_first_range() {
    // Ranges 0-1 at 10 + 100, 2- at 5 + 50: one unit at 0.7 is 107; the
    // second flat fee is not applied.
    let tiers = r#"[{"from": "0", "to": "1", "flat": "100", "unit_price": "10"},
                    {"from": "1", "flat": "50", "unit_price": "5"}]"#;
    let m = lago_prorated(tiers, "full", "graduated");
    let q = m
        .quote_prorated(&[ProratedUnits::new(d("1"), d("0.7"))])
        .unwrap();
    assert_eq!(exact(&q), d("107"));
    // Three ranges, 75 units for the whole period: 50 + 100 + 50 + 50 + 120 = 370.
    let three = r#"[{"from": "0", "to": "5", "flat": "100", "unit_price": "10"},
                    {"from": "5", "to": "15", "flat": "50", "unit_price": "5"},
                    {"from": "15", "flat": "0", "unit_price": "2"}]"#;
    let m = lago_prorated(three, "full", "graduated");
    assert_eq!(m.price(d("75")).unwrap(), usd("370.00"));
}

#[test]
fn prorated_volume_tier_by_full_or_prorated() {
    // 10 seats for half the period. By the full 10 units the 5- tier
    // prices them: 50 + 5 x 5 = 75. By the 5 prorated units the 0-5 tier
    // does: 100 + 5 x 10 = 150.
    let usage = [ProratedUnits::new(d("10"), d("0.5"))];
    let full = lago_prorated(LAGO_TWO_RANGES, "full", "volume");
    assert_eq!(exact(&full.quote_prorated(&usage).unwrap()), d("75"));
    let prorated = lago_prorated(LAGO_TWO_RANGES, "prorated", "volume");
    assert_eq!(exact(&prorated.quote_prorated(&usage).unwrap()), d("150"));
}

#[test]
fn lago_volume_ranges_zero_usage_and_boundaries() {
    // lago-api spec/services/charge_models/volume_service_spec.rb:
    // 0 -> 10 (the first range's flat amount), 1 -> 12, 100 -> 210,
    // 100.5 -> 100.5, 101 -> 101, 200 -> 200, 300 -> 200.
    let m = model(
        &format!(r#"{{"tiered": {{"mode": "volume", "tiers": {LAGO_VOLUME}}}}}"#),
        "",
    );
    for (units, total) in [
        ("0", "10"),
        ("1", "12"),
        ("100", "210"),
        ("100.5", "100.5"),
        ("101", "101"),
        ("200", "200"),
        ("300", "200"),
    ] {
        assert_eq!(
            exact(&m.quote(d(units)).unwrap()),
            d(total),
            "{units} units"
        );
    }
    // A first range with no flat amount: zero usage costs nothing.
    let free_first = model(
        r#"{"tiered": {"mode": "volume", "tiers": [{"from": "0", "to": "1", "flat": "0", "unit_price": "0"},
            {"from": "1", "flat": "10", "unit_price": "2"}]}}"#,
        "",
    );
    assert_eq!(free_first.price(Decimal::ZERO).unwrap(), usd("0.00"));
    // Lago charges nothing for -5 units; here negative usage is an error.
    assert!(matches!(m.price(d("-5")), Err(Error::Data(_))));
}

#[test]
fn lago_volume_prorated_tier_chosen_by_full_units() {
    // Lago's volume spec, "when charge is prorated": 300 full units, 198.6
    // prorated: the third range prices them, 50 + 198.6 x 0.5 = 149.3.
    let m = lago_prorated(LAGO_VOLUME, "full", "volume");
    let q = m
        .quote_prorated(&[ProratedUnits::new(d("300"), d("0.662"))])
        .unwrap();
    assert_eq!(exact(&q), d("149.3"));
    assert!(q.steps.iter().all(|s| s.tier == Some(2)));
}

#[test]
fn lago_graduated_ranges_zero_usage_and_steps() {
    // lago-api spec/services/charge_models/graduated_service_spec.rb:
    // ranges 0-10 at 10 + 2 flat, 11-20 at 5 + 3, 21- at 5 + 3:
    // 0 -> 2, 1 -> 12, 10 -> 102, 11 -> 110, 12 -> 115, 21 -> 163.
    let m = model(
        r#"{"tiered": {"mode": "graduated", "tiers": [
            {"from": "0", "to": "10", "flat": "2", "unit_price": "10"},
            {"from": "10", "to": "20", "flat": "3", "unit_price": "5"},
            {"from": "20", "flat": "3", "unit_price": "5"}]}}"#,
        "",
    );
    for (units, total) in [
        ("0", "2"),
        ("1", "12"),
        ("10", "102"),
        ("11", "110"),
        ("12", "115"),
        ("21", "163"),
    ] {
        assert_eq!(
            exact(&m.quote(d(units)).unwrap()),
            d(total),
            "{units} units"
        );
    }
    // Each range reached is a step with its units (Lago's amount_details).
    let q = m.quote(d("21")).unwrap();
    let parts: Vec<_> = q
        .steps
        .iter()
        .map(|s| (s.tier, s.quantity, s.amount))
        .collect();
    assert_eq!(
        parts,
        [
            (Some(0), d("10"), usd("102")),
            (Some(1), d("10"), usd("53")),
            (Some(2), d("1"), usd("8"))
        ]
    );
    // Decimal adjacent ranges 0-0.1 at 10, 0.1-1 at 5, 1- at 2: 0.05 -> 0.5, 0.5 -> 3.0.
    let fine = model(
        r#"{"tiered": {"mode": "graduated", "tiers": [
            {"from": "0", "to": "0.1", "flat": "0", "unit_price": "10"},
            {"from": "0.1", "to": "1", "flat": "0", "unit_price": "5"},
            {"from": "1", "flat": "0", "unit_price": "2"}]}}"#,
        "",
    );
    assert_eq!(exact(&fine.quote(d("0.05")).unwrap()), d("0.5"));
    assert_eq!(exact(&fine.quote(d("0.5")).unwrap()), d("3"));
}

// ---- Regressions named after the peers' bugs -----------------------------

#[test]
fn lago_648_zero_usage_bills_the_first_volume_flat_fee() {
    // getlago/lago#648 (fixed by lago-api#5760): a volume charge whose
    // first row (0 to 1 unit) has a 50 flat fee billed nothing without
    // usage. Here zero usage is in the first tier: 50 in both modes.
    for mode in ["volume", "graduated"] {
        let m = model(
            &format!(
                r#"{{"tiered": {{"mode": "{mode}", "tiers": [{{"from": "0", "to": "1", "flat": "50"}},
                    {{"from": "1", "flat": "60", "unit_price": "1"}}]}}}}"#
            ),
            "",
        );
        assert_eq!(m.price(Decimal::ZERO).unwrap(), usd("50.00"), "{mode}");
    }
}

#[test]
fn lago_api_209_package_free_units_above_usage_are_never_negative() {
    // getlago/lago-api#209: a package charge with more free units than
    // usage returned a negative amount. Here: 0, and one free-units step.
    let q = lago_package("200").quote(d("121")).unwrap();
    assert_eq!(q.exact.amount(), Decimal::ZERO);
    assert_eq!(q.steps[0].kind, StepKind::FreeUnits);
    assert_eq!(q.steps[0].quantity, d("121"));
}

#[test]
fn lago_api_562_percentage_free_events_not_reached_is_zero() {
    // getlago/lago-api#562: a percentage charge with a fixed fee and free
    // events not all used could come out negative. 2 events of 3 free: 0.
    let m = lago_percentage("3", "null", r#""2.0""#);
    let q = m.quote_transactions(&transactions(&["50", "100"])).unwrap();
    assert_eq!(q.total, usd("0.00"));
    assert!(q.steps.iter().all(|s| !s.amount.is_negative()));
}

#[test]
fn lago_minimum_commitment_trues_up_a_periods_charges() {
    // Lago's plan-level minimum commitment: the period's charges together
    // are raised to the commitment, the true-up its own step. Two charges
    // (the package and percentage examples above) against 1400.
    let package = lago_package("10").price(d("121")).unwrap(); // 1200.00
    let percentage = lago_percentage("3", r#""250.0""#, r#""2.0""#)
        .quote_transactions(&transactions(&LAGO_TRANSACTIONS))
        .unwrap()
        .total; // 11.15
    let commitment = billing_rules::pricing::MinimumCommitment::new(usd("1400")).unwrap();
    let (charged, true_up) = commitment
        .apply(package.checked_add(percentage).unwrap())
        .unwrap();
    assert_eq!(charged, usd("1400"));
    let step = true_up.unwrap();
    assert_eq!(
        (step.model, step.kind, step.amount),
        (
            ModelId::MinimumCommitment,
            StepKind::Shortfall,
            usd("188.85")
        )
    );
    // A minimum in another currency is an error, not a silent mix.
    let yuan = billing_rules::pricing::MinimumCommitment::new(Money::cny(d("1"))).unwrap();
    assert!(yuan.apply(package).is_err());
}
