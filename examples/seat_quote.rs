//! A seat quote (R-SEAT-01..07): what 120 seats cost for 2 years under the
//! app store preset, and the steps that produced the total.
//!
//! ```text
//! cargo run --example seat_quote
//! ```

use billing_rules::NaiveDate;
use billing_rules::prelude::*;
use billing_rules::pricing::{PriceBasis, StepDetail};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Volume tiers 1-50 / 51-200 / 201- at the illustrative 100 / 80 / 60
    // a seat a year; 2 years at 0.85 of list.
    let policy = presets::app_store_seat_pricing()?;
    let start = Zone::BEIJING.start_of_day(NaiveDate::from_ymd_opt(2025, 1, 1).ok_or("date")?)?;

    // An order may carry its start; the quote then dates its validity.
    let q = policy.quote(&SeatOrder::new(120, 2).starting(start))?;

    // Every step names the rule that made it, in the order applied.
    for step in q.steps() {
        let what = match step.detail {
            StepDetail::Periods { purchased_days, .. } => format!("{purchased_days} purchased"),
            StepDetail::BasePrice {
                basis:
                    PriceBasis::Tier {
                        from,
                        to,
                        unit_price,
                        ..
                    },
                per_period,
                amount,
                ..
            } => {
                let to = to.map_or(String::new(), |to| to.to_string());
                format!(
                    "tier {from}-{to}: every seat at {unit_price} = {per_period} a year; {amount} list"
                )
            }
            StepDetail::Discount { factor, after, .. } => format!("x {factor} = {after}"),
            StepDetail::Rounding { after, .. } => format!("rounded to the fen: {after}"),
            // StepDetail is non-exhaustive: bonus days, caps and seat
            // limits only appear when the policy has them.
            _ => "(another step)".to_owned(),
        };
        println!("{:<10} {what}", step.rule.to_string());
    }
    println!("total:     {}", q.total);
    if let (Some(from), Some(to)) = (q.starts_at(), q.ends_at()) {
        let zone = policy.locale().time_zone;
        println!(
            "valid:     {}, {} to {} (local)",
            q.validity_days(),
            zone.local_date(from),
            zone.local_date(to)
        );
    }

    // A refusal names its rule: the preset sells no order of 0 seats.
    if let Err(refused) = policy.quote(&SeatOrder::new(0, 1)) {
        let rule = refused.refusal().map(|r| r.rule());
        assert_eq!(rule, Some(RuleId::Seat07));
        println!("0 seats:   {refused}");
    }
    Ok(())
}
