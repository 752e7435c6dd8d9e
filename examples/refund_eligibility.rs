//! Refund eligibility of an app's orders (R-REF-01, R-REF-02, R-REF-04):
//! within 10 days of payment (the closing instant included), never once
//! invoiced, latest order first; then the order ledger refunds them.
//!
//! ```text
//! cargo run --example refund_eligibility
//! ```

use billing_rules::prelude::*;
use billing_rules::refund::{Eligibility, LedgerState, Order};
use billing_rules::{NaiveDate, TimeDelta};

/// Local midnight (UTC+08:00) of a calendar day.
fn day(y: i32, m: u32, d: u32) -> Result<DateTime<Utc>, Box<dyn std::error::Error>> {
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or("not a date")?;
    Ok(Zone::BEIJING.start_of_day(date)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = presets::app_store_refunds()?; // 10 days, abnormal refused
    let cny = |n: i64| Money::cny(Decimal::from(n));
    let ledger = LedgerState::from_orders(vec![
        Order::new("o1", day(2025, 6, 1)?, cny(300)),
        Order::new("o2", day(2025, 6, 5)?, cny(500)),
    ])?;

    // Exactly 10 days after o2 was paid, and one second later.
    let boundary = day(2025, 6, 15)?;
    for now in [boundary, boundary + TimeDelta::seconds(1)] {
        println!(
            "at {} (local):",
            now.with_timezone(&Zone::BEIJING.offset_at(now))
        );
        for order in ledger.orders() {
            let answer = match policy.eligibility(&ledger, &order.id, RefundFlags::default(), now) {
                Eligibility::Eligible { amount, .. } => format!("refundable, {amount}"),
                // Every rule that refuses, in order: R-REF-01, R-REF-02, R-REF-04.
                Eligibility::Refused(refusal) => refusal
                    .rules()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(" + "),
            };
            println!("  {} paid {}: {answer}", order.id, order.amount);
        }
    }

    // The ledger as a decider: o1 must wait for o2 (latest first), and an
    // account banned for content is never refunded (R-REF-04).
    let refund = |id: &str, flags| LedgerCommand::Refund {
        order: id.into(),
        flags,
    };
    let early = day(2025, 6, 6)?;
    for (id, flags) in [
        ("o1", RefundFlags::default()),
        ("o2", RefundFlags::default().banned()),
    ] {
        if let Err(err) = OrderLedger::run(&ledger, &refund(id, flags), early, &policy) {
            println!("refund {id} on 06-06: {err}");
        }
    }
    let (ledger, _) = OrderLedger::run(
        &ledger,
        &refund("o2", RefundFlags::default()),
        early,
        &policy,
    )?;
    let (ledger, _) = OrderLedger::run(
        &ledger,
        &refund("o1", RefundFlags::default()),
        early,
        &policy,
    )?;
    let currency = policy.locale().currency;
    println!(
        "refunded o2 then o1: {} of {}",
        ledger.total_refunded(currency)?,
        ledger.total_paid(currency)?
    );
    Ok(())
}
