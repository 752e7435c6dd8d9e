//! Issue 18: every pricing model the peers have, checked against their own
//! worked examples (Lago's charge-model specs, Stripe's docs, Kill Bill's
//! consumable-usage tests, OpenMeter's rating tests), cited per test.
//! `specs.rs`: the specs, bad input and the sample policies.

#[path = "../common/mod.rs"]
mod common;
mod specs;

use billing_rules::money::{Currency, Money};
use billing_rules::pricing::{
    Axis, ModelId, ModelQuote, PricingModel, ProratedUnits, SeatOrder, StepKind, TierMode,
    TierSpec, TierTable, TierTableSpec,
};
use billing_rules::{Decimal, Error, RuleId};
use common::d;

const LOCALE: &str =
    r#""locale": {"currency": "USD", "time_zone": "+00:00", "rounding": "half_up"}"#;

/// A model from the JSON of its `model` object (and optional extra fields).
fn model(model: &str, extra: &str) -> PricingModel {
    let json = format!(r#"{{{LOCALE}, "model": {model}{extra}}}"#);
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn usd(s: &str) -> Money {
    Money::new(d(s), Currency::USD)
}

fn exact(quote: &ModelQuote) -> Decimal {
    quote.exact.amount().normalize()
}

fn lago_package(free_units: &str) -> PricingModel {
    model(
        &format!(
            r#"{{"package": {{"size": "10", "amount": "100", "free_units": "{free_units}"}}}}"#
        ),
        "",
    )
}

// ---- 1. Zero usage -------------------------------------------------------

fn continuous(mode: TierMode) -> TierTable {
    // Stripe's tiered-pricing docs: a flat-rate first tier is billed even
    // at quantity 0 ("always bills the first flat rate tier when quantity=0").
    TierTable::try_from(
        TierTableSpec {
            mode,
            tiers: vec![
                TierSpec {
                    from: d("0"),
                    to: Some(d("5")),
                    flat: Some(d("10")),
                    unit_price: None,
                },
                TierSpec {
                    from: d("5"),
                    to: None,
                    flat: None,
                    unit_price: Some(d("1")),
                },
            ],
        }
        .on(Axis::Continuous, Currency::USD),
    )
    .unwrap()
}

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

// ---- 3. Percentage -------------------------------------------------------

/// Lago's percentage spec: 4 transactions summing to 800, whose running
/// totals are 50, 150, 400 (so 50, 100, 250, 400).
const LAGO_TRANSACTIONS: [&str; 4] = ["50", "100", "250", "400"];

fn lago_percentage(free_events: &str, free_total: &str, fixed: &str) -> PricingModel {
    model(
        &format!(
            r#"{{"percentage": {{"rate": "1.3", "fixed_amount": {fixed},
                 "free_transactions": {free_events}, "free_amount": {free_total}}}}}"#
        ),
        "",
    )
}

fn transactions(amounts: &[&str]) -> Vec<Decimal> {
    amounts.iter().map(|a| d(a)).collect()
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

// ---- 4, 5. Blocks and overflow -------------------------------------------

fn kill_bill_blocks(mode: &str, overflow: &str, tiers: &[(&str, &str, &str)]) -> PricingModel {
    let tiers: Vec<String> = tiers
        .iter()
        .map(|(size, max, price)| {
            format!(r#"{{"size": "{size}", "max_blocks": {max}, "price": "{price}"}}"#)
        })
        .collect();
    model(
        &format!(
            r#"{{"block_tiers": {{"mode": "{mode}", "overflow": "{overflow}", "tiers": [{}]}}}}"#,
            tiers.join(",")
        ),
        "",
    )
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

// ---- 7. Prorated ---------------------------------------------------------

fn lago_prorated(tiers: &str, tier_by: &str, mode: &str) -> PricingModel {
    model(
        &format!(
            r#"{{"prorated": {{"mode": "{mode}", "tier_by": "{tier_by}", "tiers": {tiers}}}}}"#
        ),
        "",
    )
}

/// Lago's prorated graduated ranges 0-5 at 10 + 100 flat, 6- at 5 + 50
/// flat; on the continuous axis, `0-5, 5-`.
const LAGO_TWO_RANGES: &str = r#"[{"from": "0", "to": "5", "flat": "100", "unit_price": "10"},
                                  {"from": "5", "flat": "50", "unit_price": "5"}]"#;

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

/// Lago's volume ranges 0-100 at 2 + 10 flat, 101-200 at 1, 201- at 0.5 +
/// 50 flat; on the continuous axis, `0-100, 100-200, 200-`.
const LAGO_VOLUME: &str = r#"[{"from": "0", "to": "100", "flat": "10", "unit_price": "2"},
                              {"from": "100", "to": "200", "flat": "0", "unit_price": "1"},
                              {"from": "200", "flat": "50", "unit_price": "0.5"}]"#;

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
