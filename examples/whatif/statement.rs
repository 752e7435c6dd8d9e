//! What-ifs of statements (issue 16): an account's recorded charges over
//! a month, itemized, the lines adding up to the total to the digit.
//!
//! ```text
//! cargo run --example whatif -- statement
//! cargo run --example whatif -- statement --from 2025-07-15 --to 2025-08-01
//! cargo run --example whatif -- statement --print-events > events.json
//! cargo run --example whatif -- statement --events events.json
//! ```

use std::path::PathBuf;

use billing_rules::NaiveDate;
use billing_rules::prelude::*;
use billing_rules::statement::{SourceRef, Statement, StatementEvent};
use billing_rules::usage::{BillingMethod, DayUsage, Region};
use serde::Serialize;

use crate::args;
use crate::out::{Output, Result};

/// Subcommands of this area.
#[derive(clap::Subcommand)]
pub enum Command {
    /// An itemized statement of recorded charges over a period [from, to):
    /// each line's rule, quantity, unit price and amount, the total, and
    /// whether the lines add up to it (they do, by construction). The
    /// default events are a sample month of one account.
    Statement {
        /// The first local day of the period, in the preset's zone.
        #[arg(long, value_parser = args::date, default_value = "2025-07-01")]
        from: NaiveDate,
        /// The first local day after it.
        #[arg(long, value_parser = args::date, default_value = "2025-08-01")]
        to: NaiveDate,
        /// The account's events: a JSON array of statement events (see
        /// `--print-events`).
        #[arg(long, value_name = "FILE")]
        events: Option<PathBuf>,
        /// Print the sample events as JSON (a file to start editing from).
        #[arg(long)]
        print_events: bool,
    },
}

/// The sample month, in the preset locale (yuan, Beijing days): 10 seats
/// for a year (R-SEAT-02: 1000.00), a 10,000-call package (R-USE-05:
/// 300.00) and 12,000 calls (1000 trial + 10,000 package + 1000 at 0.03),
/// three days of mainland traffic settled by the preset tariff (R-USE-09),
/// three add-ons of 100.00, and a refund of 241.67 over those three
/// (R-REF-01): Lago #4313's shape, 80.56 + 80.56 + 80.55.
fn sample() -> std::result::Result<Vec<StatementEvent>, Box<dyn std::error::Error>> {
    let zone = presets::locale().time_zone;
    let day = |d: u32| zone.at(2025, 7, d, 10, 0, 0);
    let cny = |cents: i64| Money::cny(Decimal::new(cents, 2));
    let mut events = vec![
        StatementEvent::SeatPurchase {
            at: day(1)?,
            source: SourceRef::new("seats-1", 1),
            seats: 10,
            periods: 1,
            amount: cny(100_000),
        },
        StatementEvent::PackagePurchase {
            at: day(2)?,
            source: SourceRef::new("wallet-1", 1),
            calls: 10_000,
            price: cny(30_000),
        },
        StatementEvent::Calls {
            at: day(9)?,
            source: SourceRef::new("wallet-1", 2),
            component: billing_rules::usage::Component::QuickVerification,
            drawn: 11_000,
            overage: 1000,
            unit_price: cny(3),
            charge: cny(3000),
        },
    ];
    let traffic = presets::live_traffic()?;
    for (d, tb) in [(3u32, 3), (4, 12), (5, 1)] {
        let usage = DayUsage {
            date: zone.local_date(day(d)?),
            region: Region::Mainland,
            traffic: Quantity::new(Decimal::from(tb), Unit::Terabyte),
            peak_bandwidth: Quantity::new(Decimal::from(800), Unit::Megabit),
        };
        let charge = traffic.settle_day(BillingMethod::Traffic, &usage)?;
        let source = SourceRef::new("traffic-1", u64::from(d) - 2);
        events.push(StatementEvent::traffic_day(source, &charge, &zone)?);
    }
    for v in 1..=3u64 {
        events.push(StatementEvent::AddOn {
            at: day(10 + v as u32)?,
            source: SourceRef::new("addons-1", v),
            quantity: Decimal::from(2000),
            unit_price: Some(Decimal::new(5, 2)),
            amount: cny(10_000),
        });
    }
    events.push(StatementEvent::Refund {
        at: day(20)?,
        source: SourceRef::new("addons-1", 4),
        items: (1..=3).map(|v| SourceRef::new("addons-1", v)).collect(),
        amount: cny(24_167),
    });
    Ok(events)
}

/// Runs one subcommand.
pub fn run(command: Command, out: &Output) -> Result {
    let Command::Statement {
        from,
        to,
        events,
        print_events,
    } = command;
    let events = match events {
        Some(path) => args::read_json::<Vec<StatementEvent>>(
            &path,
            "a JSON array of statement events, as `whatif statement --print-events` prints",
        )?,
        None => sample()?,
    };
    if print_events {
        return out.document(&events);
    }
    if from >= to {
        return Err(args::Usage(format!(
            "--from {from} is not before --to {to}: a statement covers [from, to)"
        ))
        .into());
    }
    let locale = presets::locale();
    let zone = locale.time_zone;
    let statement = Statement::build(
        &events,
        zone.start_of_day(from)?,
        zone.start_of_day(to)?,
        &locale,
    )?;
    let sum: Decimal = statement.lines.iter().map(|l| l.amount).sum();
    let add_up = sum == statement.total && statement.check().is_ok();
    if out.json {
        #[derive(Serialize)]
        struct Answer<'a> {
            statement: &'a Statement,
            lines_add_up: bool,
        }
        return out.json(&Answer {
            statement: &statement,
            lines_add_up: add_up,
        });
    }
    out.heading(&format!(
        "Statement {from} .. {to} (local days, {}), in {}",
        zone, statement.currency
    ));
    let rows = statement
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let kind = serde_json::to_value(line.kind)
                .ok()
                .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                .unwrap_or_default();
            vec![
                format!("{} {kind}", i + 1),
                line.rule.to_string(),
                line.quantity.to_string(),
                line.unit_price.map(|p| p.to_string()).unwrap_or_default(),
                line.amount.to_string(),
            ]
        })
        .collect();
    out.table(&["line", "rule", "qty", "unit", "amount"], rows);
    out.line(&format!("total: {}", statement.total_money()));
    out.line(&format!(
        "lines add up: {}",
        if add_up { "yes" } else { "NO" }
    ));
    Ok(())
}
