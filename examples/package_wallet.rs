//! The package wallet of one app account (R-USE-01..07), a decider: buy
//! packages, consume calls (trial quota first, then the package that
//! expires first, then per call), and advance to close what expired.
//!
//! ```text
//! cargo run --example package_wallet
//! ```

use billing_rules::NaiveDate;
use billing_rules::prelude::*;
use billing_rules::usage::{CallCounts, Component, PackageOrder, WalletEvent};

/// Local midnight (UTC+08:00) of a calendar day.
fn day(y: i32, m: u32, d: u32) -> Result<DateTime<Utc>, Box<dyn std::error::Error>> {
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or("not a date")?;
    Ok(Zone::BEIJING.start_of_day(date)?)
}

/// `succeeded` quick verifications made (and reported) at `at`.
fn calls(succeeded: u64, at: DateTime<Utc>) -> WalletCommand {
    let calls = CallCounts {
        succeeded,
        failed: 0,
    };
    WalletCommand::Consume {
        component: Component::QuickVerification,
        calls,
        at,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = presets::verification_usage()?;
    let local = |t| Zone::BEIJING.local_date(t);

    // A listed 10,000-call package for a year and a custom 5,000 for 90 days.
    let mut wallet = PackageWallet::initial();
    let jan = day(2025, 1, 1)?;
    for order in [
        PackageOrder::listed(10_000, 365),
        PackageOrder::custom(5_000, 90),
    ] {
        wallet = PackageWallet::run(&wallet, &WalletCommand::Purchase { order }, jan, &policy)?.0;
    }
    for p in wallet.packages() {
        let (n, price, until) = (p.calls(), p.price(), local(p.expires_at()));
        println!(
            "package #{}: {n} calls for {price}, valid until {until}",
            p.id().0
        );
    }

    // Each step: a command at an instant, and what the wallet recorded.
    let steps = [
        (calls(3_000, day(2025, 2, 1)?), day(2025, 2, 1)?),
        (WalletCommand::Advance, day(2025, 4, 1)?),
        (calls(12_000, day(2025, 6, 1)?), day(2025, 6, 1)?),
    ];
    for (command, now) in steps {
        let (next, events) = PackageWallet::run(&wallet, &command, now, &policy)?;
        wallet = next;
        for event in events {
            let when = local(now);
            match event {
                // R-USE-02, R-USE-07: trial, the package expiring first, per call.
                WalletEvent::Consumed(c) => {
                    let d: Vec<_> = c.draws.iter().map(|d| (d.package.0, d.calls)).collect();
                    let (n, trial, over, charge) = (c.requested, c.from_trial, c.overage, c.charge);
                    println!(
                        "{when}: {n} calls: {trial} trial, (package, calls) {d:?}, {over} billed = {charge}"
                    );
                }
                WalletEvent::Expired(e) => {
                    println!("{when}: #{} expired, {} lost", e.package.0, e.lost)
                }
                _ => {}
            }
        }
    }
    Ok(())
}
