//! Upgrade credit (R-SEAT-08): the unused part of the current purchase,
//! credited against a new order. First the platform's published example
//! (1000 paid for 365 days, 100 days left: at most 273.97), then a real
//! upgrade from 120 to 300 seats in month 5 of a 2-year purchase.
//!
//! ```text
//! cargo run --example upgrade_credit
//! ```

use billing_rules::NaiveDate;
use billing_rules::prelude::*;

/// Local midnight (UTC+08:00) of a calendar day.
fn day(y: i32, m: u32, d: u32) -> Result<DateTime<Utc>, Box<dyn std::error::Error>> {
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or("not a date")?;
    Ok(Zone::BEIJING.start_of_day(date)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = presets::app_store_seat_pricing()?; // whole days, credit rounded down
    let zone = policy.locale().time_zone;

    // The published example: 1000 paid for 365 days, upgraded 100 days
    // before the end, to 20 seats for a year (20 x 100.00 = 2000.00).
    let start = day(2025, 1, 1)?;
    let end = zone.plus_days(start, Days(365))?;
    let now = zone.minus_days(end, Days(100))?;
    let paid = Money::cny(Decimal::from(1000));
    let current = CurrentPurchase { paid, start, end };
    let up = policy.upgrade(&current, &SeatOrder::new(20, 1), now)?;
    let c = &up.credit;
    println!(
        "published: {} x {}/{} days = {}",
        paid, c.remaining, c.total, c.exact
    );
    println!(
        "  credit {} (rounded down), new order {}, due {}",
        c.amount, up.quote.total, up.amount_due
    );
    assert_eq!(c.amount.to_string(), "CNY 273.97"); // R-SEAT-08's figure

    // 120 seats for 2 years from 1 January: what was paid is the quote.
    let bought = policy.quote(&SeatOrder::new(120, 2).starting(start))?;
    let current = CurrentPurchase {
        paid: bought.total,
        start,
        end: bought.validity.end.ok_or("a dated order has an end")?,
    };
    println!("120 seats x 2 years: {}", bought.total);

    // Month 5 begins on 1 May: move to 300 seats for a new 2 years.
    let up = policy.upgrade(&current, &SeatOrder::new(300, 2), day(2025, 5, 1)?)?;
    let c = &up.credit;
    println!(
        "300 seats x 2 years from 2025-05-01: {}; credit {} ({} of {} days unused); due {}",
        up.quote.total, c.amount, c.remaining, c.total, up.amount_due
    );
    Ok(())
}
