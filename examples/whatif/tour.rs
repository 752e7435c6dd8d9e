//! The guided tour (`whatif` with no subcommand): every preset, one stop
//! after another.
//!
//! Each stop is a command line, parsed by the same clap definitions and run
//! by the same code as when a user types it, so the tour shows exactly
//! what the subcommands answer, and prints the line that reproduces it.
//! With `--json` the stops' documents are gathered into one object keyed by
//! section: `{"overview": {...}, "seat_quote": {"about", "command",
//! "result"}, ...}`.

use clap::Parser;

use crate::out::{self, Output, emit, indent};
use crate::{Cli, execute, overview};

/// One stop: a key for the JSON object, a title, a sentence saying what it
/// shows, and the arguments of the subcommand that shows it (none for the
/// overview).
struct Stop {
    key: &'static str,
    title: &'static str,
    about: &'static str,
    args: &'static [&'static str],
}

const TOUR: &[Stop] = &[
    Stop {
        key: "overview",
        title: "Overview",
        about: "Every answer below is exact (no floats, one explicit rounding), names the rule \
                behind it, and comes from a policy built from a spec: the published presets \
                here, your own JSON file with --policy FILE. The rules come in six families:",
        args: &[],
    },
    Stop {
        key: "seat_quote",
        title: "A seat quote",
        about: "What do 120 seats cost for 2 years? The seat count picks a volume tier, the \
                2-year duration earns its discount, and every step names its rule \
                (R-SEAT-01..07).",
        args: &[
            "seats",
            "--seats",
            "120",
            "--years",
            "2",
            "--start",
            "2025-01-01",
        ],
    },
    Stop {
        key: "upgrade_published_example",
        title: "Upgrade credit: the published example",
        about: "R-SEAT-08's own example: 1000 paid for 365 days with 100 days left earns at \
                most 273.97 (whole days, rounded down), here against a new order of 20 seats \
                for a year.",
        args: &[
            "upgrade",
            "--paid",
            "1000",
            "--days-total",
            "365",
            "--days-left",
            "100",
            "--seats",
            "20",
        ],
    },
    Stop {
        key: "upgrade_120_to_300_seats",
        title: "Upgrade: 120 to 300 seats in month 5",
        about: "What does 120 seats for 2 years cost, and what if we move to 300 seats in \
                month 5? The unused days of the 2 years are credited against a new 2-year \
                order of 300 seats (R-SEAT-08).",
        args: &[
            "upgrade",
            "--current-seats",
            "120",
            "--current-periods",
            "2",
            "--start",
            "2025-01-01",
            "--now",
            "2025-05-01",
            "--seats",
            "300",
            "--years",
            "2",
        ],
    },
    Stop {
        key: "tiers",
        title: "The tier table and the volume price cliff",
        about: "Volume tiers price every seat at the tier the count falls in, so one more \
                seat across a boundary can cost less in all; graduated tiers, beside them, \
                never fall (R-SEAT-03).",
        args: &["tiers"],
    },
    Stop {
        key: "package_plan",
        title: "A package plan",
        about: "1.2 million quick verifications over a year for a new account: its 1000 \
                free trial calls first, then the exact cheapest mix of the published \
                packages and per-call overage, against paying per call (R-USE-02, R-USE-05, \
                R-USE-08).",
        args: &["packages", "--calls", "1200000"],
    },
    Stop {
        key: "traffic_charge",
        title: "A day of live traffic",
        about: "12 TB of mainland playback traffic in one day, settled at graduated tiers \
                (R-USE-09). The preset's traffic prices are illustrative: bring yours with \
                --policy FILE.",
        args: &["traffic", "--tb", "12", "--region", "mainland"],
    },
    Stop {
        key: "lifecycle_timeline",
        title: "A lifecycle timeline (chat service)",
        about: "A chat-service plan valid through 30 June: a reminder a day in the 7 days up \
                to expiry and on the day after, 24 hours of grace, then suspension \
                (R-LIFE-05, R-LIFE-06).",
        args: &["timeline", "--preset", "chat", "--expires", "2025-06-30"],
    },
    Stop {
        key: "payment_switches",
        title: "Payment-method switches",
        about: "A cloud environment switches payment method four times, the last to \
                pay-as-you-go. The fifth switch meets every obstacle at once and is refused \
                by each rule that applies, with its figures (R-PAY-03..08).",
        args: &[
            "switch",
            "--first",
            "wallet",
            "--to",
            "cloud,wallet,cloud,payg,wallet",
            "--isolated",
            "--unsupported-context",
            "--open-invoicing",
            "100",
            "--refund",
            "150",
            "--facts-from",
            "5",
        ],
    },
    Stop {
        key: "refund_at_10_days",
        title: "Refunds: exactly 10 days after payment",
        about: "Two app orders, paid on 1 and 5 June. At 15 June 00:00, exactly 10 days after \
                the second, it is still refundable; the first waits behind it (latest first) \
                and its own window has closed (R-REF-01, R-REF-02).",
        args: &[
            "refund",
            "--orders",
            "2025-06-01:300,2025-06-05:500",
            "--now",
            "2025-06-15",
        ],
    },
    Stop {
        key: "refund_one_second_later",
        title: "Refunds: one second later",
        about: "One second later the window of the second order has closed too: no refund \
                (R-REF-01).",
        args: &[
            "refund",
            "--orders",
            "2025-06-01:300,2025-06-05:500",
            "--now",
            "2025-06-15T00:00:01",
        ],
    },
    Stop {
        key: "licence_refund",
        title: "A licence refund at both limits",
        about: "A plugin licence, 14 days after the account's first licence purchase, with \
                exactly 20 GB of playback traffic: both limits still qualify (R-REF-03).",
        args: &[
            "licence-refund",
            "--first-purchase",
            "2025-06-01",
            "--now",
            "2025-06-15",
            "--traffic",
            "20GB",
        ],
    },
    Stop {
        key: "statement",
        title: "A statement whose lines add up",
        about: "A month of one account itemized: each line rounded once, a refund of 241.67 \
                spread over its three items by largest remainder (R-REF-01), the total the \
                exact sum of the lines.",
        args: &["statement"],
    },
];

/// Runs the tour: tables and sentences, or one JSON object with `--json`.
pub fn run(out: &Output) -> out::Result {
    if out.json {
        let mut sections = Vec::with_capacity(TOUR.len());
        for stop in TOUR {
            let captured = Output::capturing();
            visit(stop, &captured)?;
            let command = if stop.args.is_empty() {
                "null".to_owned()
            } else {
                serde_json::to_string(&command_line(stop))?
            };
            let section = format!(
                "{{\n  \"about\": {},\n  \"command\": {command},\n  \"result\": {}\n}}",
                serde_json::to_string(&squeeze(stop.about))?,
                indent(&captured.into_json())
            );
            sections.push(format!("{}: {section}", serde_json::to_string(stop.key)?));
        }
        // Written by hand rather than through a `serde_json::Value`, whose
        // maps sort their keys: the sections and the fields inside them
        // keep their order. Every part is valid JSON, so the whole is.
        out.raw(format!("{{\n  {}\n}}", indent(&sections.join(",\n"))));
        return Ok(());
    }
    for (i, stop) in TOUR.iter().enumerate() {
        emit(format_args!(
            "\n━━━ {}/{} · {} ━━━",
            i + 1,
            TOUR.len(),
            stop.title
        ));
        emit(wrap(&squeeze(stop.about), 100));
        if !stop.args.is_empty() {
            emit(format_args!("$ {}", command_line(stop)));
        }
        visit(stop, out)?;
    }
    emit(
        "\nEvery subcommand takes --json, --policy FILE (your own policy) and --print-policy \
         (the preset as a file to edit); `whatif --help` lists them.",
    );
    Ok(())
}

/// Runs a stop's command line through the program's own parser and
/// dispatcher.
fn visit(stop: &Stop, out: &Output) -> out::Result {
    if stop.args.is_empty() {
        return overview(out);
    }
    let cli = Cli::try_parse_from(std::iter::once("whatif").chain(stop.args.iter().copied()))?;
    match cli.command {
        Some(command) => execute(command, out),
        None => Err(format!("tour stop `{}` names no subcommand", stop.key).into()),
    }
}

/// The command line that reproduces a stop.
fn command_line(stop: &Stop) -> String {
    format!("cargo run --example whatif -- {}", stop.args.join(" "))
}

/// The sentence with the source's line-continuation spaces collapsed.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` wrapped at `width` columns, between words.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.join("\n")
}
