//! The package planner (R-USE-05, R-USE-08): the exact cheapest mix of the
//! published call packages and per-call overage for a forecast, with the
//! saving against paying per call.
//!
//! ```text
//! cargo run --example package_plan
//! ```

use billing_rules::prelude::*;
use billing_rules::usage::{Component, PackageOrder, PlanLine};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 0.03 a quick verification, 1000 free trial calls, the published
    // 365-day package table and custom packages at 0.03 a call.
    let policy = presets::verification_usage()?;

    // One listed package, priced from the catalogue (R-USE-05).
    let million = policy
        .catalogue()
        .quote(&PackageOrder::listed(1_000_000, 365))?;
    let list = million
        .list_price
        .map_or(String::new(), |l| format!(" (list {l})"));
    println!("1,000,000 calls for 365 days: {}{list}", million.price);

    // Forecasts over a year: the planner searches every mix exactly rather
    // than greedily (R-USE-08). Below a million calls the packages cost
    // 0.03 a call, as paying per call does; the discounted sizes save.
    for calls in [1_200_000, 40_000, 2_500_000] {
        let forecast = Forecast::new(Component::QuickVerification, calls, Days(365));
        let best = policy.plan(&forecast)?;
        println!("\n{calls} calls over 365 days:");
        for line in &best.lines {
            match line {
                PlanLine::Package {
                    calls,
                    count,
                    subtotal,
                    ..
                } => {
                    println!("  {count} x package of {calls} calls  {subtotal}")
                }
                PlanLine::Custom {
                    calls, subtotal, ..
                } => {
                    println!("  custom package of {calls} calls  {subtotal}")
                }
                PlanLine::PerCall {
                    calls,
                    unit_price,
                    subtotal,
                } => {
                    println!("  {calls} calls at {unit_price}  {subtotal}")
                }
                PlanLine::Trial { calls, subtotal } => {
                    println!("  {calls} free trial calls  {subtotal}")
                }
            }
        }
        println!(
            "  total {} against {} per call: saving {}",
            best.total, best.pay_per_call, best.saving
        );
    }
    Ok(())
}
