//! What-ifs of payment methods and refunds (R-PAY-01..09, R-REF-01..04).
//!
//! ```text
//! cargo run --example whatif -- switch
//! cargo run --example whatif -- switch --to cloud,payg,wallet --open-invoicing 100 --refund 150
//! cargo run --example whatif -- switch --first none --to payg --isolated
//! cargo run --example whatif -- switch --to cloud,wallet,cloud,payg,wallet --isolated --facts-from 5
//! cargo run --example whatif -- refund --orders '2025-06-01:300,2025-06-05:500' --now 2025-06-12
//! cargo run --example whatif -- refund --ledger-json ledger.json --now 2025-06-12T08:00
//! cargo run --example whatif -- licence-refund --first-purchase 2025-06-01 --now 2025-06-15 --traffic 0.02TB
//! cargo run --example whatif -- refund --print-policy > refund.json
//! ```
//!
//! Dates and times are local to the policy's zone (the presets': UTC+08:00).

use billing_rules::payment::{InvoiceSource, PaymentEvent, PaymentPolicy, PaymentState};
use billing_rules::prelude::*;
use billing_rules::refund::{
    AppRefundPolicy, Eligibility, LedgerState, LicenceCharge, LicenceRefundPolicy,
    LicenceRefundRequest, Order, OrderStatus,
};
use billing_rules::{NaiveDate, TimeDelta};
use serde::Serialize;

use crate::args::{self, PolicyFile, When};
use crate::out::{Output, Result};

/// Subcommands of this area.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Walk a cloud environment through a series of payment-method switches
    /// and print each answer (R-PAY-01..09).
    Switch(SwitchArgs),
    /// Print the refund eligibility of an app's orders (R-REF-01, R-REF-02,
    /// R-REF-04).
    Refund(RefundArgs),
    /// Print whether a plugin licence can be refunded (R-REF-03, R-REF-04).
    LicenceRefund(LicenceRefundArgs),
}

/// `whatif switch`.
#[derive(clap::Args)]
pub struct SwitchArgs {
    /// The method chosen at the first purchase (wallet, cloud, payg), or
    /// `none` to switch without ever buying prepaid quota.
    #[arg(long, default_value = "wallet", value_parser = first_method)]
    first: FirstMethod,
    /// The methods to switch to, in order (wallet, cloud, payg).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "cloud,wallet,cloud,payg,wallet"
    )]
    to: Vec<PaymentMethod>,
    /// The environment is in isolation (R-LIFE-10).
    #[arg(long)]
    isolated: bool,
    /// The payment context does not support the switch (R-PAY-07).
    #[arg(long)]
    unsupported_context: bool,
    /// The amount open for invoicing (R-PAY-06), in the policy's currency.
    #[arg(long, requires = "refund", allow_negative_numbers = true, value_parser = args::amount)]
    open_invoicing: Option<Decimal>,
    /// The unused prepaid amount a switch refunds (R-PAY-06).
    #[arg(long, requires = "open_invoicing", allow_negative_numbers = true, value_parser = args::amount)]
    refund: Option<Decimal>,
    /// The facts above hold from the Nth switch on (default 1: at every
    /// switch); earlier switches meet none.
    #[arg(long, value_name = "N", default_value_t = 1, allow_negative_numbers = true, value_parser = args::count)]
    facts_from: u32,
    /// Override the policy's switch limit (preset 4, R-PAY-03).
    #[arg(long, allow_negative_numbers = true, value_parser = args::count)]
    switch_limit: Option<u32>,
    /// `--policy FILE`: a `PaymentPolicySpec` (default: the cloud
    /// environment's preset); `--print-policy`.
    #[command(flatten)]
    file: PolicyFile,
}

/// `whatif refund`.
#[derive(clap::Args)]
pub struct RefundArgs {
    /// Orders as `[ID=]DATE:AMOUNT[:invoiced|:refunded]`, comma separated,
    /// e.g. `2025-06-01:300,o2=2025-06-05T10:30:500:invoiced`. Ids default
    /// to o1, o2, ... in the order given (the recording order). Without
    /// this or --ledger-json: `2025-06-01:300,2025-06-05:500`.
    #[arg(
        long,
        conflicts_with = "ledger_json",
        value_delimiter = ',',
        value_parser = order
    )]
    orders: Option<Vec<OrderArg>>,
    /// A ledger as JSON: `{"orders": [{"id", "paid_at", "amount", "status"}]}`.
    #[arg(long, value_name = "FILE")]
    ledger_json: Option<std::path::PathBuf>,
    /// The instant to answer at (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` or
    /// RFC 3339).
    #[arg(long, default_value = "2025-06-12", value_parser = args::when)]
    now: When,
    /// The account is banned for content (R-REF-04).
    #[arg(long)]
    banned: bool,
    /// The refund is flagged abnormal (R-REF-04).
    #[arg(long)]
    abnormal: bool,
    /// `--policy FILE`: an `AppRefundPolicySpec` (default: the app store
    /// preset, 10 days); `--print-policy`.
    #[command(flatten)]
    file: PolicyFile,
}

/// `whatif licence-refund`.
#[derive(clap::Args)]
pub struct LicenceRefundArgs {
    /// The account's first licence purchase.
    #[arg(long, default_value = "2025-06-01", value_parser = args::when)]
    first_purchase: When,
    /// The instant to answer at.
    #[arg(long, default_value = "2025-06-15", value_parser = args::when)]
    now: When,
    /// Playback traffic since the first licence purchase, e.g. `20GB`,
    /// `0.02TB`, `19999MB`.
    #[arg(
        long,
        default_value = "20GB",
        value_parser = args::quantity,
        allow_hyphen_values = true
    )]
    traffic: Quantity,
    /// The amount paid for the licence, in the policy's currency.
    #[arg(long, default_value = "30000", allow_negative_numbers = true, value_parser = args::amount)]
    amount: Decimal,
    /// Ask for a traffic fee instead of a licence (R-REF-04).
    #[arg(long)]
    traffic_fee: bool,
    /// The account is banned for content (R-REF-04).
    #[arg(long)]
    banned: bool,
    /// The refund is flagged abnormal (R-REF-04).
    #[arg(long)]
    abnormal: bool,
    /// `--policy FILE`: a `LicenceRefundPolicySpec` (default: the live
    /// plugin's preset, 14 days and 20 GB); `--print-policy`.
    #[command(flatten)]
    file: PolicyFile,
}

/// `--first`: a method, or none.
#[derive(Debug, Clone, Copy)]
pub struct FirstMethod(Option<PaymentMethod>);

fn first_method(text: &str) -> std::result::Result<FirstMethod, String> {
    match text.trim() {
        "none" => Ok(FirstMethod(None)),
        method => method
            .parse()
            .map(|m| FirstMethod(Some(m)))
            .map_err(|e| format!("{e}; or `none`")),
    }
}

/// One `--orders` entry, before the policy's zone and currency are known.
#[derive(Debug, Clone)]
pub struct OrderArg {
    id: Option<String>,
    paid_at: When,
    amount: Decimal,
    status: OrderStatus,
}

/// One `[ID=]WHEN:AMOUNT[:invoiced|:refunded]` of `--orders`.
fn order(entry: &str) -> std::result::Result<OrderArg, String> {
    let entry = entry.trim();
    let bad = || format!("`{entry}` is not an order; write [ID=]DATE:AMOUNT[:invoiced|:refunded]");
    let (id, rest) = match entry.split_once('=') {
        Some((id, rest)) => (Some(id.trim().to_owned()), rest),
        None => (None, entry),
    };
    let (rest, status) = match rest.rsplit_once(':') {
        Some((head, "invoiced")) => (head, OrderStatus::Invoiced),
        Some((head, "refunded")) => (head, OrderStatus::Refunded),
        // A word where a status goes: a status misspelt, not a bad date.
        Some((_, word)) if word.chars().all(|c| c.is_ascii_alphabetic()) => {
            return Err(format!(
                "`{entry}` has the status `{word}`; write invoiced or refunded, or leave it \
                 out for an open order"
            ));
        }
        _ => (rest, OrderStatus::Open),
    };
    let (when, amount) = rest.rsplit_once(':').ok_or_else(bad)?;
    Ok(OrderArg {
        id,
        paid_at: args::when(when)?,
        amount: args::amount(amount).map_err(|e| format!("{}: {e}", bad()))?,
        status,
    })
}

/// Runs one subcommand.
pub fn run(command: Command, out: &Output) -> Result {
    match command {
        Command::Switch(args) => {
            let (mut spec, name) = args::spec_or(
                &args.file,
                || Ok(presets::cloud_payment_spec()),
                "cloud environment preset",
                "PaymentPolicySpec",
                "whatif switch --print-policy",
            )?;
            if let Some(limit) = args.switch_limit {
                spec.switch_limit = limit;
            }
            if args::printed(&args.file, &spec, out)? {
                return Ok(());
            }
            let policy: PaymentPolicy = args::build(spec, &name)?;
            let currency = policy.locale().currency;
            let mut facts = SwitchFacts {
                isolated: args.isolated,
                context_supported: !args.unsupported_context,
                invoice_balance: None,
            };
            if let (Some(open), Some(refund)) = (args.open_invoicing, args.refund) {
                facts = facts.with_refund(Money::new(refund, currency), Money::new(open, currency));
            }
            switch(
                &policy,
                args.first.0,
                &args.to,
                facts,
                usize::try_from(args.facts_from)?,
                out,
            )
        }
        Command::Refund(args) => {
            let Some((policy, _)) = args::policy_or::<_, AppRefundPolicy>(
                &args.file,
                || Ok(presets::app_store_refunds_spec()),
                "app store preset",
                "AppRefundPolicySpec",
                "whatif refund --print-policy",
                out,
            )?
            else {
                return Ok(());
            };
            let locale = policy.locale();
            let ledger = match (args.orders, &args.ledger_json) {
                (_, Some(path)) => read_ledger(path)?,
                (Some(orders), None) => ledger(orders, locale.time_zone, locale.currency)?,
                (None, None) => ledger(
                    vec![order("2025-06-01:300")?, order("2025-06-05:500")?],
                    locale.time_zone,
                    locale.currency,
                )?,
            };
            let flags = RefundFlags {
                banned_for_content: args.banned,
                flagged_abnormal: args.abnormal,
            };
            refund(&policy, &ledger, args.now.at(locale.time_zone)?, flags, out)
        }
        Command::LicenceRefund(args) => {
            let Some((policy, _)) = args::policy_or::<_, LicenceRefundPolicy>(
                &args.file,
                || Ok(presets::live_plugin_licence_refunds_spec()),
                "live plugin preset",
                "LicenceRefundPolicySpec",
                "whatif licence-refund --print-policy",
                out,
            )?
            else {
                return Ok(());
            };
            let locale = policy.locale();
            let request = LicenceRefundRequest {
                order: "licence".into(),
                amount: Money::new(args.amount, locale.currency),
                charge: if args.traffic_fee {
                    LicenceCharge::TrafficFee
                } else {
                    LicenceCharge::Licence
                },
                first_licence_purchase: args.first_purchase.at(locale.time_zone)?,
                traffic: args.traffic,
                flags: RefundFlags {
                    banned_for_content: args.banned,
                    flagged_abnormal: args.abnormal,
                },
            };
            licence_refund(&policy, &request, args.now.at(locale.time_zone)?, out)
        }
    }
}

// ---------------------------------------------------------------- switch

#[derive(Serialize)]
struct Step {
    step: usize,
    command: PaymentCommand,
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<PaymentEvent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<Refusal>,
    state: PaymentState,
    method: PaymentMethod,
    invoices_from: InvoiceSource,
}

fn switch(
    policy: &PaymentPolicy,
    first: Option<PaymentMethod>,
    series: &[PaymentMethod],
    facts: SwitchFacts,
    facts_from: usize,
    out: &Output,
) -> Result {
    let zone = policy.locale().time_zone;
    let start = zone.start_of_day(NaiveDate::from_ymd_opt(2025, 6, 1).ok_or("bad date")?)?;
    let commands = first
        .map(|method| PaymentCommand::FirstPurchase { method })
        .into_iter()
        .chain(series.iter().enumerate().map(|(i, &to)| {
            let facts = if i + 1 >= facts_from {
                facts
            } else {
                SwitchFacts::default()
            };
            PaymentCommand::switch(to, facts)
        }));
    let mut state = EnvironmentPayment::initial();
    let mut steps = Vec::new();
    for (i, command) in commands.enumerate() {
        // One step a day, so the events' instants tell the steps apart.
        let at = start + TimeDelta::days(i64::try_from(i)?);
        let (events, refused) = match EnvironmentPayment::run(&state, &command, at, policy) {
            Ok((next, events)) => {
                state = next;
                (Some(events), None)
            }
            Err(err) => match err.refusal() {
                Some(refusal) => (None, Some(refusal.clone())),
                None => return Err(err.into()),
            },
        };
        steps.push(Step {
            step: i + 1,
            command,
            events,
            refused,
            state,
            method: policy.method_in_use(&state),
            invoices_from: policy.invoice_source(&state),
        });
    }

    if out.json {
        return out.json(&steps);
    }
    out.heading("Payment-method switches (R-PAY-01..09)");
    let from = if facts_from > 1 {
        format!(" from switch {facts_from} on")
    } else {
        String::new()
    };
    out.line(&format!(
        "Policy: at most {} switches; default method {}; facts{from}: {}.",
        policy.switch_limit(),
        short(policy.default_method()),
        describe_facts(&facts)
    ));
    let rows = steps
        .iter()
        .map(|s| {
            let command = match s.command {
                PaymentCommand::FirstPurchase { method } => {
                    format!("first purchase: {}", short(method))
                }
                PaymentCommand::Switch { to, .. } => format!("switch to {}", short(to)),
            };
            let answer = match &s.refused {
                None => "ok".to_owned(),
                Some(refusal) => refusal
                    .reasons()
                    .iter()
                    .map(|r| format!("{}: {}", r.rule, r.message))
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            vec![
                s.step.to_string(),
                command,
                answer,
                match s.state {
                    PaymentState::NotChosen => format!("{} (default)", short(s.method)),
                    _ => short(s.method).to_owned(),
                },
                format!("{} of {}", s.state.switches_used(), policy.switch_limit()),
                match s.invoices_from {
                    InvoiceSource::EnvironmentConsole => "console",
                    InvoiceSource::CloudAccountBillingCentre => "billing centre",
                }
                .to_owned(),
            ]
        })
        .collect();
    out.line(&format!(
        "Dates (assumed): one step a day from {}.",
        zone.local_date(start)
    ));
    out.table(
        &[
            "step",
            "command",
            "answer",
            "method after",
            "switches",
            "invoices (R-PAY-09)",
        ],
        rows,
    );
    Ok(())
}

/// The short name `--to` accepts.
fn short(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::PrepaidPersonalWallet => "wallet",
        PaymentMethod::PrepaidCloudAccount => "cloud",
        PaymentMethod::PayAsYouGo => "payg",
    }
}

fn describe_facts(facts: &SwitchFacts) -> String {
    let mut parts = Vec::new();
    if facts.isolated {
        parts.push("isolated".to_owned());
    }
    if !facts.context_supported {
        parts.push("unsupported context".to_owned());
    }
    if let Some(b) = facts.invoice_balance {
        parts.push(format!(
            "refund {} with {} open for invoicing",
            b.unused_prepaid, b.open_for_invoicing
        ));
    }
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

// ---------------------------------------------------------------- refund

#[derive(Serialize)]
struct OrderAnswer<'a> {
    order: &'a Order,
    window_closes_at: Option<DateTime<Utc>>,
    eligibility: Eligibility,
}

#[derive(Serialize)]
struct RefundReport<'a> {
    now: DateTime<Utc>,
    window_days: u32,
    orders: Vec<OrderAnswer<'a>>,
    next_refund: Eligibility,
}

fn refund(
    policy: &AppRefundPolicy,
    ledger: &LedgerState,
    now: DateTime<Utc>,
    flags: RefundFlags,
    out: &Output,
) -> Result {
    let window = policy.window();
    let zone = policy.locale().time_zone;
    let report = RefundReport {
        now,
        window_days: window.days().0,
        orders: ledger
            .orders()
            .iter()
            .map(|order| OrderAnswer {
                order,
                window_closes_at: window.closes_at(order.paid_at, zone),
                eligibility: policy.eligibility(ledger, &order.id, flags, now),
            })
            .collect(),
        next_refund: policy.next_refund(ledger, flags, now),
    };
    if out.json {
        return out.json(&report);
    }
    out.heading("Refund eligibility of an app's orders (R-REF-01, R-REF-02, R-REF-04)");
    out.line(&format!(
        "At {}: refundable within {} of payment (up to and including the closing instant), \
         never once invoiced, latest order first.",
        local_seconds(zone, now),
        window.days()
    ));
    let rows = report
        .orders
        .iter()
        .map(|a| {
            vec![
                a.order.id.to_string(),
                local(zone, a.order.paid_at),
                a.order.amount.to_string(),
                status(a.order.status).to_owned(),
                a.window_closes_at
                    .map(|t| local(zone, t))
                    .unwrap_or_default(),
                answer(&a.eligibility),
            ]
        })
        .collect();
    out.table(
        &[
            "order",
            "paid at",
            "amount",
            "status",
            "window closes",
            "refund now?",
        ],
        rows,
    );
    match &report.next_refund {
        Eligibility::Eligible { order, amount } => {
            out.line(&format!("Next refund: order {order}, {amount}."))
        }
        Eligibility::Refused(refusal) => {
            out.line("No refund now:");
            for reason in refusal.reasons() {
                out.line(&format!("  - {}: {}", reason.rule, reason.message));
            }
        }
    }
    Ok(())
}

fn licence_refund(
    policy: &LicenceRefundPolicy,
    request: &LicenceRefundRequest,
    now: DateTime<Utc>,
    out: &Output,
) -> Result {
    let zone = policy.locale().time_zone;
    let eligibility = policy.eligibility(request, now)?;
    if out.json {
        #[derive(Serialize)]
        struct Report<'a> {
            now: DateTime<Utc>,
            request: &'a LicenceRefundRequest,
            eligibility: &'a Eligibility,
        }
        return out.json(&Report {
            now,
            request,
            eligibility: &eligibility,
        });
    }
    out.heading("Licence refund (R-REF-03, R-REF-04)");
    out.line(&format!(
        "Refundable within {} of the account's first licence purchase with at most {} of \
         playback traffic (the limits themselves qualify); traffic fees never.",
        policy.window().days(),
        policy.traffic_limit()
    ));
    let charge = match request.charge {
        LicenceCharge::Licence => "licence",
        LicenceCharge::TrafficFee => "traffic fee",
    };
    out.table(
        &[
            "charge",
            "amount",
            "first licence purchase",
            "now",
            "traffic",
            "refund?",
        ],
        vec![vec![
            charge.to_owned(),
            request.amount.to_string(),
            local(zone, request.first_licence_purchase),
            local_seconds(zone, now),
            request.traffic.to_string(),
            answer(&eligibility),
        ]],
    );
    Ok(())
}

fn answer(eligibility: &Eligibility) -> String {
    match eligibility {
        Eligibility::Eligible { amount, .. } => format!("yes: {amount}"),
        Eligibility::Refused(refusal) => refusal
            .reasons()
            .iter()
            .map(|r| format!("{}: {}", r.rule, r.message))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn status(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Open => "open",
        OrderStatus::Invoiced => "invoiced",
        OrderStatus::Refunded => "refunded",
    }
}

// ---------------------------------------------------------------- parsing

fn local(zone: Zone, instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&zone.offset_at(instant))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn local_seconds(zone: Zone, instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&zone.offset_at(instant))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The ledger of `--orders`, read in the policy's zone and currency.
fn ledger(
    orders: Vec<OrderArg>,
    zone: Zone,
    currency: Currency,
) -> std::result::Result<LedgerState, Box<dyn std::error::Error>> {
    let mut built = Vec::with_capacity(orders.len());
    for (i, o) in orders.into_iter().enumerate() {
        let id = o.id.unwrap_or_else(|| format!("o{}", i + 1));
        let mut order = Order::new(id, o.paid_at.at(zone)?, Money::new(o.amount, currency));
        order.status = o.status;
        built.push(order);
    }
    Ok(LedgerState::from_orders(built)?)
}

fn read_ledger(
    path: &std::path::Path,
) -> std::result::Result<LedgerState, Box<dyn std::error::Error>> {
    Ok(args::read_json(
        path,
        "JSON of a ledger: {\"orders\": [{\"id\", \"paid_at\", \"amount\", \"status\"}]}",
    )?)
}
