//! `timeline`: the dated lifecycle of a subscription, a trial or a postpaid
//! account under a preset (R-LIFE-01..10), in local time (+08:00).
//!
//! ```text
//! cargo run --example whatif -- timeline --preset chat --expires 2025-06-30
//! cargo run --example whatif -- timeline --preset chat --expires 2025-06-30 --auto-renew --balance 150 --renewal-price 100
//! cargo run --example whatif -- timeline --preset app-store --trial-from 2025-06-01 --extra-trial
//! cargo run --example whatif -- timeline --preset cloud --expires 2025-06-30
//! cargo run --example whatif -- timeline --preset plugin --ran-out 2025-06-30T12:00 --top-up-at 2025-07-02T09:00
//! cargo run --example whatif -- timeline --preset cloud-postpaid --billed 2025-07-02 --bill 120
//! cargo run --example whatif -- timeline --preset chat --print-policy > chat.json
//! cargo run --example whatif -- timeline --preset chat --policy chat.json --expires 2025-06-30
//! ```
//!
//! `--policy FILE` takes the spec of the chosen preset's kind: a
//! `SubscriptionPolicySpec` for app-store, chat and cloud, a
//! `PostpaidPolicySpec` for cloud-postpaid and plugin (whose scenario then
//! follows the file's `trigger`: a monthly bill, or a balance that runs
//! out).

use billing_rules::lifecycle::{
    ArrearsCause, ArrearsTrigger, Funds, PostpaidEvent, PostpaidPolicy, PostpaidPolicySpec,
    SubscriptionEvent, SubscriptionPolicy, SubscriptionPolicySpec, SubscriptionState, TermKind,
};
use billing_rules::prelude::*;
use billing_rules::{NaiveDate, TimeDelta};
use chrono::NaiveDateTime;
use serde::Serialize;

use crate::args::{self, PolicyFile};
use crate::out::{Output, Result};

/// Subcommands of this area.
#[derive(clap::Subcommand)]
pub enum Command {
    /// A dated timeline of reminders, notices, expiry, grace, suspension,
    /// interception or isolation (R-LIFE-01..10), in local time.
    Timeline(TimelineArgs),
}

/// The preset a timeline runs under.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Preset {
    /// App store seat plan: trial, extra trial, 7-day notice, interception.
    AppStore,
    /// Chat service: daily reminders, 24 h grace, suspension, auto-renewal.
    Chat,
    /// Cloud environment, prepaid: isolation after an unrenewed term.
    Cloud,
    /// Cloud environment, pay-as-you-go: monthly bill, arrears, stop after 24 h.
    CloudPostpaid,
    /// Live plugin, postpaid: 24 h after the balance ran out, paused.
    Plugin,
}

/// Arguments of `timeline`.
#[derive(clap::Args)]
pub struct TimelineArgs {
    /// The platform preset.
    #[arg(long, value_enum, default_value = "chat")]
    preset: Preset,
    /// The local day a paid term expires on (valid through the end of that
    /// day), e.g. 2025-06-30.
    #[arg(long, allow_negative_numbers = true, value_parser = args::date)]
    expires: Option<NaiveDate>,
    /// The local day the app goes live and its trial starts (R-LIFE-01).
    #[arg(long, allow_negative_numbers = true, value_parser = args::date)]
    trial_from: Option<NaiveDate>,
    /// Start the extra trial (R-LIFE-02) as soon as the trial expired.
    #[arg(long)]
    extra_trial: bool,
    /// Turn auto-renewal on (R-LIFE-07).
    #[arg(long)]
    auto_renew: bool,
    /// The account balance at expiry, for auto-renewal (yuan).
    #[arg(long, default_value = "0", allow_negative_numbers = true, value_parser = args::decimal)]
    balance: Decimal,
    /// The price of one auto-renewal month (yuan).
    #[arg(long, default_value = "100", allow_negative_numbers = true, value_parser = args::amount)]
    renewal_price: Decimal,
    /// Plugin: the local instant the balance ran out, e.g. 2025-06-30T12:00.
    #[arg(long, allow_negative_numbers = true, value_parser = args::local)]
    ran_out: Option<NaiveDateTime>,
    /// Cloud postpaid: the local day last month's bill is issued (day 1-3).
    #[arg(long, allow_negative_numbers = true, value_parser = args::date)]
    billed: Option<NaiveDate>,
    /// Cloud postpaid: the bill's amount (yuan); the balance before it is 0.
    #[arg(long, default_value = "120", allow_negative_numbers = true, value_parser = args::amount)]
    bill: Decimal,
    /// Postpaid: a local instant the account is topped up, e.g. 2025-07-02T09:00.
    #[arg(long, allow_negative_numbers = true, value_parser = args::local)]
    top_up_at: Option<NaiveDateTime>,
    /// `--policy FILE`: the lifecycle spec of the preset's kind (see the
    /// module docs); `--print-policy`.
    #[command(flatten)]
    file: PolicyFile,
}

/// One line of a timeline.
#[derive(Serialize)]
struct Row {
    /// Local time in the preset's zone.
    local: String,
    /// The instant, UTC.
    at: DateTime<Utc>,
    rule: RuleId,
    what: String,
    detail: String,
}

/// Runs one subcommand.
pub fn run(command: Command, out: &Output) -> Result {
    let Command::Timeline(args) = command;
    match args.preset {
        Preset::AppStore => subscription_preset(
            &args,
            presets::app_store_subscription_spec(),
            "app store seat plan",
            out,
        ),
        Preset::Chat => subscription_preset(
            &args,
            presets::chat_service_subscription_spec(),
            "chat service",
            out,
        ),
        Preset::Cloud => subscription_preset(
            &args,
            presets::cloud_environment_subscription_spec(),
            "cloud environment",
            out,
        ),
        Preset::CloudPostpaid => postpaid_preset(
            &args,
            presets::cloud_environment_postpaid_spec(),
            "cloud environment, pay-as-you-go",
            out,
        ),
        Preset::Plugin => postpaid_preset(
            &args,
            presets::live_plugin_postpaid_spec(),
            "live plugin, postpaid",
            out,
        ),
    }
}

/// The timeline of a subscription preset, or of `--policy FILE` read as a
/// `SubscriptionPolicySpec`.
fn subscription_preset(
    args: &TimelineArgs,
    preset: SubscriptionPolicySpec,
    name: &str,
    out: &Output,
) -> Result {
    let Some((policy, name)) = args::policy_or::<_, SubscriptionPolicy>(
        &args.file,
        || Ok(preset),
        name,
        "SubscriptionPolicySpec",
        "whatif timeline --preset chat --print-policy",
        out,
    )?
    else {
        return Ok(());
    };
    subscription(args, policy, &name, out)
}

/// The timeline of a postpaid preset, or of `--policy FILE` read as a
/// `PostpaidPolicySpec`: a monthly bill or a balance that runs out, as its
/// trigger says.
fn postpaid_preset(
    args: &TimelineArgs,
    preset: PostpaidPolicySpec,
    name: &str,
    out: &Output,
) -> Result {
    let Some((policy, name)) = args::policy_or::<_, PostpaidPolicy>(
        &args.file,
        || Ok(preset),
        name,
        "PostpaidPolicySpec",
        "whatif timeline --preset plugin --print-policy",
        out,
    )?
    else {
        return Ok(());
    };
    match policy.trigger() {
        ArrearsTrigger::MonthlyBill => postpaid_bill(args, &policy, &name, out),
        ArrearsTrigger::BalanceRunsOut => postpaid_ran_out(args, &policy, &name, out),
    }
}

fn local(zone: Zone, at: DateTime<Utc>) -> String {
    at.with_timezone(&zone.offset_at(at))
        .format("%Y-%m-%d %a %H:%M")
        .to_string()
}

fn instant(zone: Zone, at: NaiveDateTime) -> std::result::Result<DateTime<Utc>, String> {
    zone.from_local(at)
        .map_err(|_| format!("{at} is out of range"))
}

/// `at` moved by `days` whole days, or an error past chrono's range.
fn shift(at: DateTime<Utc>, days: i64) -> std::result::Result<DateTime<Utc>, String> {
    at.checked_add_signed(TimeDelta::days(days))
        .ok_or_else(|| format!("{at} moved by {days} days is out of range"))
}

fn subscription(
    args: &TimelineArgs,
    policy: SubscriptionPolicy,
    name: &str,
    out: &Output,
) -> Result {
    let zone = policy.locale().time_zone;
    let mut state = Subscription::initial();
    let mut events: Vec<SubscriptionEvent> = Vec::new();
    let mut apply = |state: &mut SubscriptionState, new: Vec<SubscriptionEvent>| {
        *state = new.iter().fold(*state, Subscription::evolve);
        events.extend(new);
    };
    let currency = policy.locale().currency;
    let funds = Funds {
        balance: Money::new(args.balance, currency),
        renewal_price: Money::new(args.renewal_price, currency),
    };
    let (start, end) = match (args.trial_from, args.expires) {
        (Some(day), None) => {
            let live = zone.start_of_day(day)?;
            let (next, new) =
                Subscription::run(&state, &SubscriptionCommand::GoLive, live, &policy)?;
            let end = next.phase.term().map(|t| t.end).unwrap_or(live);
            apply(&mut state, new);
            (live, end)
        }
        (None, Some(day)) => {
            // Valid through the whole expiry day: the term ends at the next
            // local midnight. Shown as bought one month (31 days) before.
            let end = zone.start_of_day(day.succ_opt().ok_or("date out of range")?)?;
            let bought = shift(end, -31)?;
            apply(
                &mut state,
                vec![SubscriptionEvent::Purchased { at: bought, end }],
            );
            (bought, end)
        }
        _ => {
            return Err(args::Usage(
                "give either --expires DATE (a paid term) or --trial-from DATE (a trial)"
                    .to_owned(),
            )
            .into());
        }
    };
    if args.auto_renew {
        let new = Subscription::decide(
            &state,
            &SubscriptionCommand::SetAutoRenewal { on: true },
            start,
            &policy,
        )?;
        apply(&mut state, new);
    }
    // Far enough past the end for grace, the day-after reminder and one
    // auto-renewal's own expiry.
    let horizon = shift(end, 45)?;
    let new = Subscription::due_events_with_funds(&state, horizon, &policy, Some(&funds))?;
    if args.extra_trial {
        // Stop at the trial's expiry, start the extra trial there, go on.
        let cut = new
            .iter()
            .position(|e| {
                matches!(
                    e,
                    SubscriptionEvent::Expired {
                        ended: TermKind::Trial,
                        ..
                    }
                )
            })
            .map_or(new.len(), |i| i + 1);
        let mut new = new;
        new.truncate(cut);
        apply(&mut state, new);
        let command = SubscriptionCommand::StartExtraTrial {
            by: billing_rules::lifecycle::Role::Admin,
        };
        match Subscription::decide(&state, &command, end, &policy) {
            Ok(started) => apply(&mut state, started),
            Err(Error::Refused(refusal)) => out.line(&format!("extra trial refused: {refusal}")),
            Err(other) => return Err(other.into()),
        }
        let rest = Subscription::due_events_with_funds(&state, horizon, &policy, Some(&funds))?;
        apply(&mut state, rest);
    } else {
        apply(&mut state, new);
    }

    let rows: Vec<Row> = events.iter().map(|e| subscription_row(zone, e)).collect();
    let final_status = Subscription::status(&state, horizon, &policy);
    let final_access = Subscription::access(&state, horizon, &policy);
    if out.json {
        #[derive(Serialize)]
        struct Timeline<'a> {
            preset: &'a str,
            time_zone: Zone,
            rows: &'a [Row],
            events: &'a [SubscriptionEvent],
            status_at_end: billing_rules::lifecycle::SubscriptionStatus,
            access_at_end: Access,
        }
        return out.json(&Timeline {
            preset: name,
            time_zone: zone,
            rows: &rows,
            events: &events,
            status_at_end: final_status,
            access_at_end: final_access,
        });
    }
    out.heading(&format!("timeline: {name} (local time, UTC{zone})"));
    table(out, rows);
    out.line(&format!(
        "At {}: {final_status}; access: {}",
        local(zone, horizon),
        match &final_access {
            Access::Allowed => "allowed".to_owned(),
            Access::Intercepted { rule, reason } => format!("{rule}: {reason}"),
        }
    ));
    Ok(())
}

fn subscription_row(zone: Zone, event: &SubscriptionEvent) -> Row {
    let when = |at| local(zone, at);
    let (what, detail) = match event {
        SubscriptionEvent::WentLive { trial_end, .. } => (
            "went live: trial starts".to_owned(),
            format!("trial ends {}", when(*trial_end)),
        ),
        SubscriptionEvent::ExtraTrialStarted { end, by, .. } => (
            format!("extra trial started by the {by}"),
            format!("ends {}", when(*end)),
        ),
        SubscriptionEvent::Purchased { end, .. } => (
            // The only purchase a timeline shows is the one it invents.
            "term bought (assumed date)".to_owned(),
            format!("valid until {}", when(*end)),
        ),
        SubscriptionEvent::Renewed { start, end, .. } => (
            "renewed".to_owned(),
            format!("from {} until {}", when(*start), when(*end)),
        ),
        SubscriptionEvent::AutoRenewalSet { on, .. } => (
            format!("auto-renewal {}", if *on { "on" } else { "off" }),
            String::new(),
        ),
        SubscriptionEvent::Notice(n) => (
            format!("expiry notice ({} ends {})", n.term, when(n.term_end)),
            format!("{} to the {}", n.channels, n.recipient),
        ),
        SubscriptionEvent::Reminder(r) => (
            format!(
                "reminder, day {:+} of expiry day {}",
                r.days_from_expiry(),
                r.expiry_day
            ),
            format!("{} to the {}", r.channels, r.recipient),
        ),
        SubscriptionEvent::AutoRenewed { end, price, .. } => (
            "auto-renewed for a month".to_owned(),
            format!("{price} drawn from the balance; valid until {}", when(*end)),
        ),
        SubscriptionEvent::Expired {
            ended,
            grace_until,
            then,
            shortfall,
            ..
        } => {
            let mut detail = match grace_until {
                Some(until) => format!("still served until {} (grace), then {then}", when(*until)),
                None => format!("{then} at once"),
            };
            if let Some(s) = shortfall {
                detail = format!(
                    "auto-renewal declined: balance {} < price {}; {detail}",
                    s.balance, s.price
                );
            }
            (format!("{ended} expired"), detail)
        }
        SubscriptionEvent::Lapsed { then, .. } => (
            format!("grace over: {then}"),
            match then {
                billing_rules::lifecycle::Lapse::Suspended => {
                    "login and advanced console features stop until a plan is bought".to_owned()
                }
                billing_rules::lifecycle::Lapse::Intercepted => {
                    "access intercepted until bought".to_owned()
                }
                billing_rules::lifecycle::Lapse::Isolated => "isolated until renewed".to_owned(),
            },
        ),
    };
    Row {
        local: local(zone, event.at()),
        at: event.at(),
        rule: event.rule(),
        what,
        detail,
    }
}

fn table(out: &Output, rows: Vec<Row>) {
    let rows = rows
        .into_iter()
        .map(|r| vec![r.local, r.rule.to_string(), r.what, r.detail])
        .collect();
    out.table(&["local time", "rule", "event", "detail"], rows);
}

fn postpaid_bill(args: &TimelineArgs, policy: &PostpaidPolicy, name: &str, out: &Output) -> Result {
    let zone = policy.locale().time_zone;
    let Some(day) = args.billed else {
        return Err(args::Usage(
            "give --billed DATE: the local day (1-3 of the month) last month's bill is issued"
                .to_owned(),
        )
        .into());
    };
    let at = zone.start_of_day(day)?;
    let command = PostpaidCommand::IssueBill {
        amount: Money::new(args.bill, policy.locale().currency),
    };
    postpaid_timeline(args, policy, name, vec![(at, command)], out)
}

fn postpaid_ran_out(
    args: &TimelineArgs,
    policy: &PostpaidPolicy,
    name: &str,
    out: &Output,
) -> Result {
    let zone = policy.locale().time_zone;
    let Some(ran_out) = args.ran_out else {
        return Err(args::Usage(
            "give --ran-out DATE[THH:MM]: the local instant the balance ran out".to_owned(),
        )
        .into());
    };
    let at = instant(zone, ran_out)?;
    // A balance of 50 used up by a settlement of 50 + the --bill amount.
    let currency = policy.locale().currency;
    let balance = Money::new(Decimal::from(50), currency);
    let commands = vec![
        (shift(at, -1)?, PostpaidCommand::TopUp { amount: balance }),
        (
            at,
            PostpaidCommand::Charge {
                amount: balance.checked_add(Money::new(args.bill, currency))?,
            },
        ),
    ];
    postpaid_timeline(args, policy, name, commands, out)
}

fn postpaid_timeline(
    args: &TimelineArgs,
    policy: &PostpaidPolicy,
    name: &str,
    mut commands: Vec<(DateTime<Utc>, PostpaidCommand)>,
    out: &Output,
) -> Result {
    let zone = policy.locale().time_zone;
    let last = commands
        .last()
        .map(|(at, _)| *at)
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    if let Some(top_up) = args.top_up_at {
        // Enough to clear the arrears: the bill and 100 more.
        let currency = policy.locale().currency;
        let amount = Money::new(args.bill, currency)
            .checked_add(Money::new(Decimal::from(100), currency))?;
        commands.push((instant(zone, top_up)?, PostpaidCommand::TopUp { amount }));
    }
    let mut state = PostpaidAccount::initial();
    let mut events = Vec::new();
    for (at, command) in &commands {
        let (next, new) = PostpaidAccount::run(&state, command, *at, policy)?;
        state = next;
        events.extend(new);
    }
    let horizon = shift(commands.last().map(|(at, _)| *at).unwrap_or(last), 3)?;
    let (next, new) = PostpaidAccount::run(&state, &PostpaidCommand::Advance, horizon, policy)?;
    state = next;
    events.extend(new);

    let trigger = policy.trigger().rule();
    // The scenario's opening top-up (a balance of 50 the day before it
    // runs out) is invented: labelled as such.
    let invented = commands
        .first()
        .filter(|(_, c)| matches!(c, PostpaidCommand::TopUp { .. }))
        .map(|(at, _)| *at);
    let rows: Vec<Row> = events
        .iter()
        .map(|e| {
            let mut row = postpaid_row(zone, trigger, e);
            if matches!(e, PostpaidEvent::ToppedUp { .. }) && Some(e.at()) == invented {
                row.what.push_str(" (assumed)");
            }
            row
        })
        .collect();
    let final_access = PostpaidAccount::access(&state, horizon, policy);
    let recordings = PostpaidAccount::recording_access(&state, horizon, policy);
    if out.json {
        #[derive(Serialize)]
        struct Timeline<'a> {
            preset: &'a str,
            time_zone: Zone,
            rows: &'a [Row],
            events: &'a [PostpaidEvent],
            access_at_end: Access,
            recordings_at_end: Access,
        }
        return out.json(&Timeline {
            preset: name,
            time_zone: zone,
            rows: &rows,
            events: &events,
            access_at_end: final_access,
            recordings_at_end: recordings,
        });
    }
    out.heading(&format!("timeline: {name} (local time, UTC{zone})"));
    table(out, rows);
    let show = |a: &Access| match a.reason() {
        None => "allowed".to_owned(),
        Some(reason) => format!(
            "{}: {reason}",
            a.rule().map(|r| r.to_string()).unwrap_or_default()
        ),
    };
    out.line(&format!(
        "At {}: services {}",
        local(zone, horizon),
        show(&final_access)
    ));
    out.line(&format!("Recordings: {}", show(&recordings)));
    Ok(())
}

fn postpaid_row(zone: Zone, trigger: RuleId, event: &PostpaidEvent) -> Row {
    let (rule, what, detail) = match event {
        PostpaidEvent::BillIssued {
            month,
            amount,
            balance,
            ..
        } => (
            RuleId::Life08,
            format!("bill for {} issued", month.format("%Y-%m")),
            format!("{amount}; balance {balance}"),
        ),
        PostpaidEvent::Charged {
            amount, balance, ..
        } => (
            RuleId::Life09,
            "charge settled".to_owned(),
            format!("{amount}; balance {balance}"),
        ),
        PostpaidEvent::ToppedUp {
            amount, balance, ..
        } => (
            trigger,
            "topped up".to_owned(),
            format!("{amount}; balance {balance}"),
        ),
        PostpaidEvent::ArrearsStarted {
            cause,
            balance,
            suspend_at,
            ..
        } => (
            cause.rule(),
            "in arrears".to_owned(),
            format!(
                "balance {balance}; services stop {} unless topped up",
                suspend_at.map_or_else(
                    || "past the calendar's end".to_owned(),
                    |at| local(zone, at)
                )
            ),
        ),
        PostpaidEvent::Reminder(r) => (
            RuleId::Life08,
            format!("arrears reminder #{}", r.number),
            format!(
                "{} to the {}; balance {}",
                r.channels, r.recipient, r.balance
            ),
        ),
        PostpaidEvent::Suspended { cause, .. } => match cause {
            ArrearsCause::Bill { .. } => (
                cause.rule(),
                "services stopped".to_owned(),
                "every service of the account stops until topped up".to_owned(),
            ),
            ArrearsCause::BalanceRanOut => (
                cause.rule(),
                "service paused".to_owned(),
                "recordings unreadable while paused, until topped up".to_owned(),
            ),
        },
        PostpaidEvent::Restored { balance, .. } => (
            trigger,
            "service restored".to_owned(),
            format!("balance {balance}"),
        ),
    };
    Row {
        local: local(zone, event.at()),
        at: event.at(),
        rule,
        what,
        detail,
    }
}
