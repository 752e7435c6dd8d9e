//! `whatif`: the crate's showcase. Answers pricing and policy what-ifs
//! against the published presets, or against your own policy files.
//!
//! ```text
//! cargo run --example whatif                 # a guided tour of every preset
//! cargo run --example whatif -- --json       # the tour as one JSON object
//! cargo run --example whatif -- rules        # every rule id with its title
//! cargo run --example whatif -- --help       # every subcommand
//! cargo run --example whatif -- seats --print-policy > seat.json
//! cargo run --example whatif -- seats --seats 120 --years 2 --policy seat.json
//! ```
//!
//! Each area of the catalogue adds its subcommands from its own module
//! (seats.rs, usage.rs, timeline.rs, payment.rs); tour.rs runs them one
//! after another; args.rs parses instants and policy files; out.rs prints
//! tables and JSON for all of them.

mod args;
mod out;
mod payment;
mod price;
mod seats;
mod timeline;
mod tour;
mod usage;

use billing_rules::RuleFamily;
use billing_rules::prelude::*;
use clap::{Parser, Subcommand};
use serde::Serialize;

use out::Output;

/// Answers billing what-ifs against the billing-rules presets, or against
/// your own policy files.
#[derive(Parser)]
#[command(
    name = "whatif",
    version,
    about,
    after_help = "\
With no subcommand, whatif runs a guided tour of every preset: a seat quote, an \
upgrade, the tier table, a package plan, a traffic charge, a lifecycle timeline, \
a payment-method switch series and refunds, each with the command that reproduces \
it. With --json the tour is one JSON object keyed by section, each section \
{\"about\", \"command\", \"result\"}.

Every subcommand also takes:
  --json           one JSON document on stdout and nothing else (errors go to stderr)
  --policy FILE    answer against your own policy: JSON of the subcommand's policy spec
  --print-policy   print the policy in use as JSON (a file to start editing from)
A policy file that does not parse or validate prints the field, the problem and \
what is allowed, and whatif exits with status 1 (2 for a malformed argument)."
)]
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
    #[command(flatten)]
    Price(price::Command),
}

fn main() {
    let cli = Cli::parse();
    let out = Output::new(cli.json);
    let result = match cli.command {
        None => tour::run(&out),
        Some(command) => execute(command, &out),
    };
    if let Err(err) = result {
        report(err.as_ref(), cli.json);
        std::process::exit(1);
    }
}

/// Runs one subcommand: from the command line, or from a stop of the tour.
fn execute(command: Command, out: &Output) -> out::Result {
    match command {
        Command::Rules => rules(out),
        Command::Seats(cmd) => seats::run(cmd, out),
        Command::Usage(cmd) => usage::run(cmd, out),
        Command::Timeline(cmd) => timeline::run(cmd, out),
        Command::Payment(cmd) => payment::run(cmd, out),
        Command::Price(cmd) => price::run(cmd, out),
    }
}

/// Prints an error on stderr: a sentence, or with `--json` an object with
/// the sentence and, where there is one, the library's structured error
/// (a `PolicyError` with its field, problem and allowed values, or a
/// refusal with its rules and figures).
fn report(err: &(dyn std::error::Error + 'static), json: bool) {
    if !json {
        eprintln!("whatif: {err}");
        return;
    }
    #[derive(Serialize)]
    struct Report<'a> {
        error: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        policy: Option<&'a args::PolicyFileError>,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<&'a Error>,
    }
    let report = Report {
        error: err.to_string(),
        policy: err.downcast_ref(),
        detail: err.downcast_ref(),
    };
    match serde_json::to_string_pretty(&report) {
        Ok(text) => eprintln!("{text}"),
        Err(_) => eprintln!("whatif: {err}"),
    }
}

/// The tour's first stop: the locale of the presets and the rule families.
fn overview(out: &Output) -> out::Result {
    let locale = presets::locale();
    if out.json {
        #[derive(Serialize)]
        struct Family {
            family: RuleFamily,
            title: &'static str,
            rules: Vec<RuleId>,
        }
        #[derive(Serialize)]
        struct Overview {
            locale: billing_rules::policy::Locale,
            families: Vec<Family>,
        }
        return out.json(&Overview {
            locale,
            families: RuleFamily::ALL
                .iter()
                .map(|&f| Family {
                    family: f,
                    title: f.title(),
                    rules: f.rules().collect(),
                })
                .collect(),
        });
    }
    out.heading("billing-rules: what-ifs against the published presets");
    out.line(&format!(
        "Money in {} (minor unit {}), days counted in UTC{}, final amounts rounded {}.",
        locale.currency,
        locale.currency.minor_unit(),
        locale.time_zone,
        serde_json::to_value(locale.rounding)?
            .as_str()
            .unwrap_or_default()
            .replace('_', "-")
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
    Ok(())
}

fn rules(out: &Output) -> out::Result {
    if out.json {
        #[derive(Serialize)]
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
