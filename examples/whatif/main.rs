//! `whatif`: answers pricing and policy what-ifs against the presets.
//!
//! ```text
//! cargo run --example whatif                 # overview of the rule families and presets
//! cargo run --example whatif -- rules        # every rule id with its title
//! cargo run --example whatif -- --help       # every subcommand
//! ```
//!
//! Each area of the catalogue adds its subcommands from its own module
//! (seats.rs, usage.rs, timeline.rs, payment.rs); out.rs prints tables and
//! JSON for all of them.

mod out;
mod payment;
mod seats;
mod timeline;
mod usage;

use billing_rules::{RuleFamily, RuleId, presets};
use clap::{Parser, Subcommand};

use out::Output;

/// Answers billing what-ifs with the billing-rules presets.
#[derive(Parser)]
#[command(name = "whatif", version, about)]
struct Cli {
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Every rule of the catalogue, with its id and title.
    Rules,
    #[command(flatten)]
    Seats(seats::Command),
    #[command(flatten)]
    Usage(usage::Command),
    #[command(flatten)]
    Timeline(timeline::Command),
    #[command(flatten)]
    Payment(payment::Command),
}

fn main() {
    let cli = Cli::parse();
    let out = Output { json: cli.json };
    let result = match cli.command {
        None => overview(&out),
        Some(Command::Rules) => rules(&out),
        Some(Command::Seats(cmd)) => seats::run(cmd, &out),
        Some(Command::Usage(cmd)) => usage::run(cmd, &out),
        Some(Command::Timeline(cmd)) => timeline::run(cmd, &out),
        Some(Command::Payment(cmd)) => payment::run(cmd, &out),
    };
    if let Err(err) = result {
        eprintln!("whatif: {err}");
        std::process::exit(1);
    }
}

fn overview(out: &Output) -> out::Result {
    let locale = presets::locale();
    out.heading("billing-rules: what-ifs against the published presets");
    out.line(&format!(
        "Money in {} (minor unit {}), days counted in UTC{}, final amounts rounded {:?}.",
        locale.currency,
        locale.currency.minor_unit(),
        locale.time_zone,
        locale.rounding
    ));
    let rows = RuleFamily::ALL
        .iter()
        .map(|f| {
            let ids: Vec<RuleId> = f.rules().collect();
            let first = ids.first().map(|r| r.to_string()).unwrap_or_default();
            let last = ids.last().map(|r| r.to_string()).unwrap_or_default();
            vec![format!("{first} .. {last}"), f.title().to_owned()]
        })
        .collect();
    out.table(&["rules", "family"], rows);
    out.line("Run `whatif --help` for the subcommands.");
    Ok(())
}

fn rules(out: &Output) -> out::Result {
    if out.json {
        #[derive(serde::Serialize)]
        struct Rule {
            id: RuleId,
            family: RuleFamily,
            title: &'static str,
        }
        let rules: Vec<Rule> = RuleId::ALL
            .iter()
            .map(|&id| Rule {
                id,
                family: id.family(),
                title: id.title(),
            })
            .collect();
        return out.json(&rules);
    }
    let rows = RuleId::ALL
        .iter()
        .map(|r| vec![r.to_string(), r.title().to_owned()])
        .collect();
    out.table(&["id", "title"], rows);
    Ok(())
}
