//! What-ifs of payment methods and refunds (R-PAY-01..09, R-REF-01..04).
//!
//! ```text
//! cargo run --example whatif -- switch
//! cargo run --example whatif -- switch --to cloud,payg,wallet --open-invoicing 100 --refund 150
//! cargo run --example whatif -- switch --first none --to payg --isolated
//! cargo run --example whatif -- refund --orders '2025-06-01:300,2025-06-05:500' --now 2025-06-12
//! cargo run --example whatif -- refund --ledger-json ledger.json --now 2025-06-12T08:00
//! cargo run --example whatif -- licence-refund --first-purchase 2025-06-01 --now 2025-06-15 --traffic 0.02TB
//! ```
//!
//! Dates and times are local to the presets' zone (UTC+08:00).

use billing_rules::decider::Decider;
use billing_rules::money::Money;
use billing_rules::payment::{
    EnvironmentPayment, InvoiceSource, PaymentCommand, PaymentEvent, PaymentMethod, PaymentPolicy,
    PaymentPolicySpec, PaymentState, SwitchFacts,
};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    Eligibility, LedgerState, LicenceCharge, LicenceRefundRequest, Order, OrderStatus, RefundFlags,
    licence_refund_eligibility,
};
use billing_rules::{Refusal, presets};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::out::{Output, Result};

/// Subcommands of this area.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Walk a cloud environment through a series of payment-method switches
    /// and print each answer (R-PAY-01..09).
    Switch {
        /// The method chosen at the first purchase (wallet, cloud, payg), or
        /// `none` to switch without ever buying prepaid quota.
        #[arg(long, default_value = "wallet")]
        first: String,
        /// The methods to switch to, in order.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "cloud,wallet,cloud,payg,wallet"
        )]
        to: Vec<PaymentMethod>,
        /// The environment is in isolation (R-LIFE-10) at every switch.
        #[arg(long)]
        isolated: bool,
        /// The payment context does not support the switches (R-PAY-07).
        #[arg(long)]
        unsupported_context: bool,
        /// The amount open for invoicing at every switch (R-PAY-06), in yuan.
        #[arg(long, requires = "refund")]
        open_invoicing: Option<Decimal>,
        /// The unused prepaid amount each switch refunds (R-PAY-06), in yuan.
        #[arg(long, requires = "open_invoicing")]
        refund: Option<Decimal>,
        /// Override the switch limit (preset 4, R-PAY-03).
        #[arg(long)]
        switch_limit: Option<u32>,
    },
    /// Print the refund eligibility of an app's orders (R-REF-01, R-REF-02,
    /// R-REF-04).
    Refund {
        /// Orders as `[ID=]DATE:AMOUNT[:invoiced|:refunded]`, comma separated,
        /// e.g. `2025-06-01:300,o2=2025-06-05T10:30:500:invoiced`. Ids default
        /// to o1, o2, ... in the order given (the recording order). Without
        /// this or --ledger-json: `2025-06-01:300,2025-06-05:500`.
        #[arg(long, conflicts_with = "ledger_json")]
        orders: Option<String>,
        /// A ledger as JSON: `{"orders": [{"id", "paid_at", "amount", "status"}]}`.
        #[arg(long)]
        ledger_json: Option<std::path::PathBuf>,
        /// The instant to answer at (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]`).
        #[arg(long, default_value = "2025-06-12")]
        now: String,
        /// The account is banned for content (R-REF-04).
        #[arg(long)]
        banned: bool,
        /// The refund is flagged abnormal (R-REF-04).
        #[arg(long)]
        abnormal: bool,
    },
    /// Print whether a plugin licence can be refunded (R-REF-03, R-REF-04).
    LicenceRefund {
        /// The account's first licence purchase.
        #[arg(long, default_value = "2025-06-01")]
        first_purchase: String,
        /// The instant to answer at.
        #[arg(long, default_value = "2025-06-15")]
        now: String,
        /// Playback traffic since the first licence purchase, e.g. `20GB`,
        /// `0.02TB`, `19999MB`.
        #[arg(long, default_value = "20GB")]
        traffic: String,
        /// The amount paid for the licence, in yuan.
        #[arg(long, default_value = "30000")]
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
    },
}

/// Runs one subcommand.
pub fn run(command: Command, out: &Output) -> Result {
    match command {
        Command::Switch {
            first,
            to,
            isolated,
            unsupported_context,
            open_invoicing,
            refund,
            switch_limit,
        } => {
            let mut facts = SwitchFacts {
                isolated,
                context_supported: !unsupported_context,
                invoice_balance: None,
            };
            if let (Some(open), Some(refund)) = (open_invoicing, refund) {
                facts = facts.with_refund(Money::cny(refund), Money::cny(open));
            }
            let first = match first.as_str() {
                "none" => None,
                method => Some(method.parse::<PaymentMethod>()?),
            };
            switch(first, &to, facts, switch_limit, out)
        }
        Command::Refund {
            orders,
            ledger_json,
            now,
            banned,
            abnormal,
        } => {
            let ledger = match (orders, ledger_json) {
                (_, Some(path)) => read_ledger(&path)?,
                (Some(orders), None) => parse_orders(&orders)?,
                (None, None) => parse_orders("2025-06-01:300,2025-06-05:500")?,
            };
            let flags = RefundFlags {
                banned_for_content: banned,
                flagged_abnormal: abnormal,
            };
            refund(&ledger, parse_instant(&now)?, flags, out)
        }
        Command::LicenceRefund {
            first_purchase,
            now,
            traffic,
            amount,
            traffic_fee,
            banned,
            abnormal,
        } => {
            let request = LicenceRefundRequest {
                order: "licence".into(),
                amount: Money::cny(amount),
                charge: if traffic_fee {
                    LicenceCharge::TrafficFee
                } else {
                    LicenceCharge::Licence
                },
                first_licence_purchase: parse_instant(&first_purchase)?,
                traffic: parse_quantity(&traffic)?,
                flags: RefundFlags {
                    banned_for_content: banned,
                    flagged_abnormal: abnormal,
                },
            };
            licence_refund(&request, parse_instant(&now)?, out)
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
    first: Option<PaymentMethod>,
    series: &[PaymentMethod],
    facts: SwitchFacts,
    switch_limit: Option<u32>,
    out: &Output,
) -> Result {
    let mut spec: PaymentPolicySpec = presets::payment::payment_policy_spec();
    if let Some(limit) = switch_limit {
        spec.switch_limit = limit;
    }
    let policy = PaymentPolicy::try_from(spec)?;
    let start = parse_instant("2025-06-01")?;

    let commands = first
        .map(|method| PaymentCommand::FirstPurchase { method })
        .into_iter()
        .chain(series.iter().map(|&to| PaymentCommand::switch(to, facts)));
    let mut state = EnvironmentPayment::initial();
    let mut steps = Vec::new();
    for (i, command) in commands.enumerate() {
        let at = start + Duration::days(i64::try_from(i)?);
        let (events, refused) = match EnvironmentPayment::run(&state, &command, at, &policy) {
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
            method: state.method(&policy),
            invoices_from: state.invoice_source(&policy),
        });
    }

    if out.json {
        return out.json(&steps);
    }
    out.heading("Payment-method switches (R-PAY-01..09)");
    out.line(&format!(
        "Policy: at most {} switches; default method {}; facts at every switch: {}.",
        policy.switch_limit(),
        policy.default_method(),
        describe_facts(&facts)
    ));
    let rows = steps
        .iter()
        .map(|s| {
            let command = match s.command {
                PaymentCommand::FirstPurchase { method } => format!("first purchase: {method}"),
                PaymentCommand::Switch { to, .. } => format!("switch to {to}"),
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
                    PaymentState::NotChosen => format!("{} (default, not chosen)", s.method),
                    _ => s.method.to_string(),
                },
                format!("{} of {}", s.state.switches_used(), policy.switch_limit()),
                s.invoices_from.to_string(),
            ]
        })
        .collect();
    out.table(
        &[
            "step",
            "command",
            "answer",
            "method after",
            "switches used",
            "invoices from (R-PAY-09)",
        ],
        rows,
    );
    Ok(())
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

fn refund(ledger: &LedgerState, now: DateTime<Utc>, flags: RefundFlags, out: &Output) -> Result {
    let policy = presets::payment::app_refund_policy();
    let window = policy.window();
    let report = RefundReport {
        now,
        window_days: window.days().0,
        orders: ledger
            .orders()
            .iter()
            .map(|order| OrderAnswer {
                order,
                window_closes_at: window.closes_at(order.paid_at),
                eligibility: ledger.eligibility(&order.id, flags, now, &policy),
            })
            .collect(),
        next_refund: ledger.next_refund(flags, now, &policy),
    };
    if out.json {
        return out.json(&report);
    }
    out.heading("Refund eligibility of an app's orders (R-REF-01, R-REF-02, R-REF-04)");
    out.line(&format!(
        "At {}: refundable within {} of payment, never once invoiced, latest order first.",
        local(now),
        window.days()
    ));
    let rows = report
        .orders
        .iter()
        .map(|a| {
            vec![
                a.order.id.to_string(),
                local(a.order.paid_at),
                a.order.amount.to_string(),
                status(a.order.status).to_owned(),
                a.window_closes_at.map(local).unwrap_or_default(),
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

fn licence_refund(request: &LicenceRefundRequest, now: DateTime<Utc>, out: &Output) -> Result {
    let policy = presets::payment::licence_refund_policy();
    let eligibility = licence_refund_eligibility(request, now, &policy)?;
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
         playback traffic; traffic fees never.",
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
            local(request.first_licence_purchase),
            local(now),
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

fn local(instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&presets::locale().time_zone.offset())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `YYYY-MM-DD` (local midnight) or `YYYY-MM-DDTHH:MM[:SS]`, local to the
/// presets' zone.
fn parse_instant(text: &str) -> std::result::Result<DateTime<Utc>, String> {
    let zone = presets::locale().time_zone;
    let bad =
        || format!("`{text}` is not a date or time; write YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]");
    let naive = if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        date.and_time(chrono::NaiveTime::MIN)
    } else {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
            .map_err(|_| bad())?
    };
    naive
        .and_local_timezone(zone.offset())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(bad)
}

/// `[ID=]WHEN:AMOUNT[:invoiced|:refunded]`, comma separated.
fn parse_orders(text: &str) -> std::result::Result<LedgerState, Box<dyn std::error::Error>> {
    let mut orders = Vec::new();
    for (i, entry) in text.split(',').map(str::trim).enumerate() {
        let bad =
            || format!("`{entry}` is not an order; write [ID=]DATE:AMOUNT[:invoiced|:refunded]");
        let (id, rest) = match entry.split_once('=') {
            Some((id, rest)) => (id.trim().to_owned(), rest),
            None => (format!("o{}", i + 1), entry),
        };
        let (rest, status) = match rest.rsplit_once(':') {
            Some((head, "invoiced")) => (head, OrderStatus::Invoiced),
            Some((head, "refunded")) => (head, OrderStatus::Refunded),
            _ => (rest, OrderStatus::Open),
        };
        let (when, amount) = rest.rsplit_once(':').ok_or_else(bad)?;
        let amount: Decimal = amount.trim().parse().map_err(|_| bad())?;
        let mut order = Order::new(id, parse_instant(when.trim())?, Money::cny(amount));
        order.status = status;
        orders.push(order);
    }
    Ok(LedgerState::from_orders(orders)?)
}

fn read_ledger(
    path: &std::path::Path,
) -> std::result::Result<LedgerState, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a ledger: {e}", path.display()).into())
}

/// A number followed by a data unit: `20GB`, `0.02 TB`.
fn parse_quantity(text: &str) -> std::result::Result<Quantity, String> {
    let bad = || format!("`{text}` is not an amount of traffic; write e.g. 20GB or 0.02TB");
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(bad)?;
    let (value, unit) = text.split_at(split);
    let value: Decimal = value.trim().parse().map_err(|_| bad())?;
    let unit = match unit.trim().to_ascii_uppercase().as_str() {
        "B" => Unit::Byte,
        "KB" => Unit::Kilobyte,
        "MB" => Unit::Megabyte,
        "GB" => Unit::Gigabyte,
        "TB" => Unit::Terabyte,
        _ => return Err(bad()),
    };
    Ok(Quantity::new(value, unit))
}
