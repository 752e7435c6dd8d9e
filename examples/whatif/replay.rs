//! `whatif replay`: a recorded history decided again under another policy
//! ([`billing_rules::replay`]), command by command.
//!
//! ```text
//! cargo run --example whatif -- replay --history examples/histories/order_ledger.json \
//!     --policy examples/histories/refund-14-days.json
//! cargo run --example whatif -- replay --history H.json --policy NEW.json --base OLD.json --json
//! ```
//!
//! The policy files are specs of the history's kind: an
//! `AppRefundPolicySpec` for an order ledger, a `UsagePolicySpec` for a
//! package wallet, a `SubscriptionPolicySpec` for a subscription, a
//! `PaymentPolicySpec` for a payment method (`whatif refund
//! --print-policy`, `packages`, `timeline`, `switch` print one each).
//! Without --base the history is taken as recorded under the kind's preset
//! (for a subscription: the chat service's).

use std::path::{Path, PathBuf};

use billing_rules::lifecycle::{SubscriptionPolicy, SubscriptionPolicySpec};
use billing_rules::payment::{PaymentPolicy, PaymentPolicySpec};
use billing_rules::prelude::*;
use billing_rules::refund::{AppRefundPolicy, AppRefundPolicySpec};
use billing_rules::replay::{Change, Flows, History, HistoryReplay, Outcome, ReplayPolicy, Step};
use billing_rules::usage::UsagePolicySpec;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::args::{self, InputError};
use crate::out::{Output, Result};

/// Subcommands of this area.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Decide a recorded history again under another policy: per command,
    /// the money charged/credited/refunded and the refusals that appear or
    /// disappear, then the total difference.
    Replay(ReplayArgs),
}

/// `whatif replay`.
#[derive(clap::Args)]
pub struct ReplayArgs {
    /// The history: `{"aggregate": KIND, "commands": [{"decided_at", "command", ...}]}`
    /// (samples in examples/histories/).
    #[arg(long, value_name = "FILE")]
    history: PathBuf,
    /// The new policy: a spec of the history's kind.
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The policy the history was recorded under (default: the kind's preset).
    #[arg(long, value_name = "FILE")]
    base: Option<PathBuf>,
}

/// Runs one subcommand.
pub fn run(command: Command, out: &Output) -> Result {
    let Command::Replay(args) = command;
    let history: History = args::read_json(
        &args.history,
        "JSON of a history: {\"aggregate\": \"order_ledger\" | \"package_wallet\" | \
         \"subscription\" | \"payment_method\", \"commands\": [{\"decided_at\": RFC 3339, \
         \"command\": ..., ...}]}; see examples/histories/",
    )?;
    let new = policy(history.kind(), &args.policy)?;
    let base = match &args.base {
        Some(path) => policy(history.kind(), path)?,
        None => preset(history.kind())?,
    };
    let replay = history.replay(&base, &new)?;
    if out.json {
        return out.json(&replay);
    }
    let base_name = args
        .base
        .as_ref()
        .map_or_else(|| "the preset".to_owned(), |p| p.display().to_string());
    out.heading(&format!(
        "Replay of the {} history ({} commands): {} against {}",
        history.kind().replace('_', " "),
        history.len(),
        args.policy.display(),
        base_name
    ));
    match &replay {
        HistoryReplay::OrderLedger(r) => steps(&r.steps, out),
        HistoryReplay::PackageWallet(r) => steps(&r.steps, out),
        HistoryReplay::Subscription(r) => steps(&r.steps, out),
        HistoryReplay::PaymentMethod(r) => steps(&r.steps, out),
    }
    let (base_total, new_total, difference) = replay.totals();
    let row = |name: &str, f: &Flows| {
        vec![
            name.to_owned(),
            f.charged.to_string(),
            f.credited.to_string(),
            f.refunded.to_string(),
            f.net.to_string(),
        ]
    };
    out.table(
        &["total", "charged", "credited", "refunded", "net"],
        vec![
            row("base", &base_total),
            row("new", &new_total),
            row("difference", &difference),
        ],
    );
    let changed = replay.changes().len();
    out.line(&format!(
        "{changed} of {} commands answered differently; the customer pays {} in all \
         under the new policy ({} under the base).",
        history.len(),
        new_total.net,
        base_total.net
    ));
    Ok(())
}

/// The step table.
fn steps<C: Serialize, E: Serialize>(steps: &[Step<C, E>], out: &Output) {
    let rows = steps
        .iter()
        .map(|s| {
            vec![
                s.step.to_string(),
                s.decided_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                command(&s.command),
                answer(&s.base),
                answer(&s.new),
                change(s.change).to_owned(),
                if s.difference.is_zero() {
                    String::new()
                } else {
                    s.difference.net.to_string()
                },
            ]
        })
        .collect();
    out.table(
        &[
            "#",
            "decided at",
            "command",
            "base",
            "new",
            "change",
            "net change",
        ],
        rows,
    );
}

/// `record order: amount CNY 300.00, order o1, ...`: the command's tag,
/// then its fields (false flags and nulls left out).
fn command<C: Serialize>(command: &C) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(command) else {
        return String::new();
    };
    let name = map
        .get("command")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .replace('_', " ");
    let fields: Vec<String> = map
        .iter()
        .filter(|(key, _)| *key != "command")
        .filter_map(|(key, value)| Some(format!("{key} {}", short(value)?)))
        .collect();
    if fields.is_empty() {
        name
    } else {
        format!("{name}: {}", fields.join(", "))
    }
}

/// A field's value in a few words; `None` for nothing worth showing.
fn short(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Null | Value::Bool(false) => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("yes".to_owned()),
        Value::Array(items) => Some(items.iter().filter_map(short).collect::<Vec<_>>().join(" ")),
        Value::Object(inner) => {
            if let (Some(Value::String(amount)), Some(Value::String(currency))) =
                (inner.get("amount"), inner.get("currency"))
            {
                return Some(format!("{currency} {amount}"));
            }
            let parts: Vec<String> = inner
                .iter()
                .filter_map(|(k, v)| Some(format!("{k} {}", short(v)?)))
                .collect();
            (!parts.is_empty()).then(|| format!("({})", parts.join(", ")))
        }
    }
}

/// `ok: order recorded; charged CNY 300.00` or `refused: R-REF-01`.
fn answer<E: Serialize>(outcome: &Outcome<E>) -> String {
    match outcome {
        Outcome::Accepted { events, flows } => {
            let mut text = format!("ok: {}", event_names(events));
            for (name, amount) in [
                ("charged", flows.charged),
                ("credited", flows.credited),
                ("refunded", flows.refunded),
            ] {
                if !amount.is_zero() {
                    text.push_str(&format!("; {name} {amount}"));
                }
            }
            text
        }
        Outcome::Refused { refusal } => format!(
            "refused: {}",
            refusal
                .reasons()
                .iter()
                .map(|r| r.rule.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `reminder x7, expired`: the events' tags, runs counted.
fn event_names<E: Serialize>(events: &[E]) -> String {
    if events.is_empty() {
        return "no event".to_owned();
    }
    let names: Vec<String> = events
        .iter()
        .map(|e| match serde_json::to_value(e) {
            Ok(serde_json::Value::Object(map)) => map
                .get("event")
                .and_then(|v| v.as_str())
                .unwrap_or("event")
                .replace('_', " "),
            _ => "event".to_owned(),
        })
        .collect();
    let mut runs: Vec<(String, usize)> = Vec::new();
    for name in names {
        match runs.last_mut() {
            Some((last, count)) if *last == name => *count += 1,
            _ => runs.push((name, 1)),
        }
    }
    runs.iter()
        .map(|(name, count)| match count {
            1 => name.clone(),
            n => format!("{name} x{n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn change(change: Change) -> &'static str {
    match change {
        Change::Same => "",
        Change::RefusalAppears => "now refused",
        Change::RefusalDisappears => "now accepted",
        Change::EventsDiffer => "events differ",
        Change::RefusalsDiffer => "refused differently",
    }
}

/// The policy of `kind` read from `path` as its spec.
fn policy(
    kind: &str,
    path: &Path,
) -> std::result::Result<ReplayPolicy, Box<dyn std::error::Error>> {
    fn read<S, P>(
        path: &Path,
        spec: &str,
        hint: &str,
    ) -> std::result::Result<ReplayPolicy, Box<dyn std::error::Error>>
    where
        S: DeserializeOwned + Serialize,
        P: TryFrom<S, Error = PolicyError> + Into<ReplayPolicy>,
    {
        let spec: S = args::read_spec(path, spec, hint)?;
        let policy: P = args::build(spec, &path.display().to_string())?;
        Ok(policy.into())
    }
    match kind {
        "order_ledger" => read::<AppRefundPolicySpec, AppRefundPolicy>(
            path,
            "AppRefundPolicySpec",
            "whatif refund --print-policy",
        ),
        "package_wallet" => read::<UsagePolicySpec, UsagePolicy>(
            path,
            "UsagePolicySpec",
            "whatif packages --print-policy",
        ),
        "subscription" => read::<SubscriptionPolicySpec, SubscriptionPolicy>(
            path,
            "SubscriptionPolicySpec",
            "whatif timeline --preset chat --print-policy",
        ),
        "payment_method" => read::<PaymentPolicySpec, PaymentPolicy>(
            path,
            "PaymentPolicySpec",
            "whatif switch --print-policy",
        ),
        other => Err(InputError {
            source: path.display().to_string(),
            field: "aggregate".to_owned(),
            problem: format!("no policy for a history of a {other}"),
            allowed: "order_ledger, package_wallet, subscription, payment_method".to_owned(),
        }
        .into()),
    }
}

/// The preset a history of `kind` is taken to be recorded under.
fn preset(kind: &str) -> std::result::Result<ReplayPolicy, Box<dyn std::error::Error>> {
    Ok(match kind {
        "order_ledger" => presets::app_store_refunds()?.into(),
        "package_wallet" => presets::verification_usage()?.into(),
        "subscription" => presets::chat_service_subscription()?.into(),
        _ => presets::cloud_payment()?.into(),
    })
}
