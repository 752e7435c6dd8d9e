//! A day of live playback traffic (R-USE-09): settled daily at graduated
//! regional tiers, by traffic or by peak bandwidth, with units converting
//! exactly in base 1000. The preset's prices are illustrative: replace them
//! with the platform's price list (a `TrafficPolicySpec`).
//!
//! ```text
//! cargo run --example traffic_day
//! ```

use billing_rules::NaiveDate;
use billing_rules::prelude::*;
use billing_rules::usage::{BillingMethod, DayUsage, Region};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Mainland: 0.20 a GB up to 2000 GB, 0.18 to 10,000, 0.15 to 50,000,
    // 0.12 above; bandwidth 0.65 a Mbps up to 500, 0.60 to 5000, 0.55 above.
    let policy = presets::live_traffic()?;
    let date = NaiveDate::from_ymd_opt(2025, 7, 1).ok_or("not a date")?;

    for (region, tb, mbps) in [
        (Region::Mainland, 12, 800),
        (Region::International, 12, 800),
    ] {
        let day = DayUsage {
            date,
            region,
            traffic: Quantity::new(Decimal::from(tb), Unit::Terabyte),
            peak_bandwidth: Quantity::new(Decimal::from(mbps), Unit::Megabit),
        };
        // The same day priced both ways: a customer bills by one of them.
        for method in [BillingMethod::Traffic, BillingMethod::PeakBandwidth] {
            let charge = policy.settle_day(method, &day)?;
            let parts: Vec<String> = charge
                .parts
                .iter()
                .map(|p| format!("{} x {}", p.quantity.normalize(), p.unit_price))
                .collect();
            println!(
                "{} by {}: {} = {} ({})",
                region.name(),
                method.name(),
                charge.quantity,
                charge.total,
                parts.join(" + ")
            );
        }
    }

    // 20 GB is exactly 0.02 TB: base-1000 units never lose a digit.
    let gb = Quantity::new(Decimal::from(20), Unit::Gigabyte);
    println!("{gb} = {}", gb.convert_to(Unit::Terabyte)?);
    Ok(())
}
