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

/// Lago's volume ranges 0-100 at 2 + 10 flat, 101-200 at 1, 201- at 0.5 +
/// 50 flat; on the continuous axis, `0-100, 100-200, 200-`.
const LAGO_VOLUME: &str = r#"[{"from": "0", "to": "100", "flat": "10", "unit_price": "2"},
                              {"from": "100", "to": "200", "flat": "0", "unit_price": "1"},
                              {"from": "200", "flat": "50", "unit_price": "0.5"}]"#;

mod minimums_and_prorated;
mod package_percentage_blocks;
