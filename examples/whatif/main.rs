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
//! (seats.rs, tiers.rs, usage.rs, timeline.rs, payment.rs, replay.rs,
//! statement.rs): a
//! subcommand is one variant of [`Command`], one line of [`execute`] and
//! its own file. tour.rs runs them one after another; args.rs parses
//! arguments (one date parser, strict decimals) and input files (errors
//! with the field path); out.rs prints tables; envelope.rs prints the
//! `--json` envelope and maps every outcome to its exit status;
//! picture.rs draws `--svg` files.

mod args;
mod envelope;
mod out;
mod payment;
mod picture;
mod price;
mod replay;
mod seats;
mod statement;
mod tiers;
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
a payment-method switch series, refunds and a statement, each with the command that reproduces \
it. With --json the tour is one JSON object keyed by section, each section \
{\"about\", \"command\", \"result\"}.

Every subcommand also takes:
  --json           one JSON document on stdout and nothing else (see below)
  --policy FILE    answer against your own policy: JSON of the subcommand's policy spec
  --print-policy   print the policy in use as JSON (a file to start editing from)

Exit status, the same for every subcommand:
  0  answered; a refusal by a rule (R-SEAT-07, R-PAY-03, ...) is an answer
  2  usage error: a bad argument (1e3, 1_000, -5 where negative means nothing, \
a date that does not exist) or arguments that do not fit together
  1  a bad input file (a policy, a ledger, a history: the field path, the problem \
and what is allowed), or a failure computing the answer

With --json, stdout holds exactly one JSON document, whatever happens:
  {\"version\": 1, \"result\": ...}                        (exit 0)
  {\"version\": 1, \"error\": {\"kind\", \"message\", \"detail\"?}}  (exit 1 or 2)
where kind is usage, policy, input or failure. Money is {\"amount\": \"80.00\", \"currency\": \"CNY\"}: a string with at least the currency's minor-unit digits. \
Durations carry their unit in their name (purchased_days, validity_days, remaining_seconds)."
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
    #[command(flatten)]
    Replay(replay::Command),
    #[command(flatten)]
    Statement(statement::Command),
}

fn main() {
    // Known before parsing, so that argument errors are JSON too.
    let json = std::env::args_os().skip(1).any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => {
            // --help and --version: printed on stdout, exit 0.
            let _ = err.print();
            std::process::exit(envelope::ANSWERED);
        }
        Err(err) => {
            // clap's text without its `error: ` prefix and trailing hint.
            let rendered = err.render().to_string();
            let message = rendered
                .split("\n\n")
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_owned();
            std::process::exit(envelope::report_error(
                envelope::Kind::Usage,
                &message,
                Some(&err),
                json,
            ));
        }
    };
    std::process::exit(run(cli));
}

/// Runs the command line and prints its answer or error; the exit status.
fn run(cli: Cli) -> i32 {
    let out = if cli.json {
        Output::capturing()
    } else {
        Output::new(false)
    };
    let result = match cli.command {
        None => tour::run(&out),
        Some(command) => execute(command, &out),
    };
    if let Err(err) = result {
        return match envelope::classify(err.as_ref()) {
            envelope::Outcome::Refused(refusal) => refused(refusal, cli.json),
            envelope::Outcome::Failed(kind) => {
                envelope::report_error(kind, &err.to_string(), Some(err.as_ref()), cli.json)
            }
        };
    }
    if cli.json
        && let Err(err) = envelope::print_result(&out.into_json())
    {
        return envelope::report_error(
            envelope::Kind::Failure,
            &format!("cannot write the JSON answer: {err}"),
            None,
            true,
        );
    }
    envelope::ANSWERED
}

/// A refusal by a rule: the answer, on stdout, exit 0.
fn refused(refusal: &Refusal, json: bool) -> i32 {
    if json {
        #[derive(Serialize)]
        struct Answer<'a> {
            refused: &'a Refusal,
        }
        let printed = serde_json::to_string(&Answer { refused: refusal })
            .map_err(|e| e.to_string())
            .and_then(|text| envelope::print_result(&text).map_err(|e| e.to_string()));
        if let Err(err) = printed {
            return envelope::report_error(envelope::Kind::Failure, &err, None, true);
        }
        return envelope::ANSWERED;
    }
    out::emit("Refused:");
    for reason in refusal.reasons() {
        out::emit(format_args!("  - {}: {}", reason.rule, reason.message));
    }
    envelope::ANSWERED
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
        Command::Replay(cmd) => replay::run(cmd, out),
        Command::Statement(cmd) => statement::run(cmd, out),
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
