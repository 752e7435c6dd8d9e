//! Your own policy from JSON: a seat plan written as a `SeatPolicySpec`,
//! validated into a `SeatPolicy` and priced; then a broken spec, refused
//! with a `PolicyError` naming the field, the problem, what is allowed and
//! the rule that sets the limit.
//!
//! ```text
//! cargo run --example custom_policy_json
//! ```
//!
//! `cargo run --example whatif -- seats --print-policy` prints the preset's
//! spec as a file to start from.

use billing_rules::prelude::*;
use billing_rules::pricing::SeatPolicySpec;

/// A monthly plan at 12.50 a seat, orders of 20 to 500 seats, no order
/// above 5000.00 (R-SEAT-06), 10% bonus days for a year; every other
/// field takes its published default.
const PLAN: &str = r#"{
    "period": "month",
    "pricing": { "rule": "unit_price", "unit_price": "12.50" },
    "min_seats": 20,
    "max_seats": 500,
    "max_total": "5000.00",
    "bonuses": [{ "periods": 12, "bonus": { "percent": "10" } }]
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The spec is plain data; `try_from` checks every rule limit once.
    let spec: SeatPolicySpec = serde_json::from_str(PLAN)?;
    let policy = SeatPolicy::try_from(spec.clone())?;
    for (seats, months) in [(40, 1), (450, 1), (40, 12)] {
        let q = policy.quote(&SeatOrder::new(seats, months))?;
        println!(
            "{seats} seats x {months} month(s): {} for {}",
            q.total,
            q.validity_days()
        );
    }
    // R-SEAT-07: outside [min, max] is refused, never clamped.
    if let Err(err) = policy.quote(&SeatOrder::new(10, 1)) {
        println!("10 seats: {err}");
    }

    // Broken specs: each refused when the policy is built, never later.
    let mut deep = spec.clone();
    deep.bonuses[0].bonus = billing_rules::pricing::BonusAmount::Days(400);
    let unit = r#"{ "rule": "unit_price", "unit_price": "12.50" }"#;
    let gap = r#"{ "rule": "tiered", "mode": "volume", "tiers": [
        { "from": "1", "to": "50", "unit_price": "10" }, { "from": "60", "unit_price": "8" } ] }"#;
    let gap: SeatPolicySpec = serde_json::from_str(&PLAN.replace(unit, gap))?;
    let broken = [SeatPolicy::try_from(deep), SeatPolicy::try_from(gap)];
    for err in broken.into_iter().filter_map(Result::err) {
        let rule = err.rule.map(|r| r.to_string()).unwrap_or_default();
        println!(
            "\nfield:   {}\nproblem: {}\nallowed: {}\nrule:    {rule}",
            err.field, err.problem, err.allowed
        );
    }

    // Deserializing the policy itself validates too: a policy that breaks a
    // rule cannot exist in a running service.
    let bad = PLAN.replace("\"min_seats\": 20", "\"min_seats\": 0");
    if let Err(err) = serde_json::from_str::<SeatPolicy>(&bad) {
        println!("\nas a SeatPolicy: {err}");
    }
    Ok(())
}
