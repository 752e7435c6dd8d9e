//! What-ifs of the per-use area: the package planner (R-USE-08) and a day
//! of live traffic (R-USE-09).
//!
//! ```text
//! cargo run --example whatif -- packages --calls 1200000
//! cargo run --example whatif -- traffic --tb 250 --region mainland
//! cargo run --example whatif -- packages --print-policy > usage.json
//! cargo run --example whatif -- packages --calls 1200000 --policy usage.json
//! cargo run --example whatif -- traffic --tb 12 --policy traffic.json
//! ```

use billing_rules::NaiveDate;
use billing_rules::prelude::*;
use billing_rules::usage::{BillingMethod, Component, DayUsage, PlanLine, Region, TrafficPolicy};

use crate::args::{self, PolicyFile};
use crate::out::{self, Output, Result};
use crate::picture;

/// The component to plan for.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ComponentArg {
    /// Quick verification (0.03 a call).
    Quick,
    /// Real-time verification (0.04 a call).
    RealTime,
}

/// The region of the traffic.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum RegionArg {
    /// Mainland China.
    Mainland,
    /// International, and Hong Kong, Macao and Taiwan.
    International,
}

/// What a day is billed by.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum MethodArg {
    /// The day's traffic.
    Traffic,
    /// The day's peak bandwidth.
    Bandwidth,
}

/// Subcommands of this area.
#[derive(clap::Subcommand)]
pub enum Command {
    /// R-USE-08: the cheapest packages and per-call overage for a forecast,
    /// with the saving against paying per call.
    Packages {
        /// Calls forecast over the horizon.
        #[arg(long, required_unless_present = "print_policy", allow_negative_numbers = true, value_parser = args::calls)]
        calls: Option<u64>,
        /// Days the calls are spread over (one validity window: at most 365).
        #[arg(long, default_value_t = 365, allow_negative_numbers = true, value_parser = args::count)]
        days: u32,
        /// The component called.
        #[arg(long, value_enum, default_value = "quick")]
        component: ComponentArg,
        /// Plan every call as paid: the account has no trial calls left
        /// (by default a new account's trial quota, R-USE-02, is used first).
        #[arg(long)]
        no_trial: bool,
        /// Also draw cost against calls (the cheapest plan beside paying
        /// per call, up to 1.25 times the forecast) into this SVG file.
        #[arg(long, value_name = "FILE")]
        svg: Option<std::path::PathBuf>,
        /// `--policy FILE`: a `UsagePolicySpec` (default: the verification
        /// component's preset); `--print-policy`.
        #[command(flatten)]
        file: PolicyFile,
    },
    /// R-USE-09: one day's graduated traffic (or bandwidth) charge, tier by
    /// tier, at the illustrative live-plugin prices.
    Traffic {
        /// The day's traffic in TB (1 TB = 1000 GB).
        #[arg(
            long,
            required_unless_present = "print_policy", allow_negative_numbers = true, value_parser = args::amount)]
        tb: Option<Decimal>,
        /// The region it was served in.
        #[arg(long, value_enum, default_value = "mainland")]
        region: RegionArg,
        /// Bill by traffic, or by a peak bandwidth given with --mbps.
        #[arg(long, value_enum, default_value = "traffic")]
        by: MethodArg,
        /// The day's peak bandwidth in Mbps (for --by bandwidth).
        #[arg(long, allow_negative_numbers = true, value_parser = args::amount)]
        mbps: Option<Decimal>,
        /// `--policy FILE`: a `TrafficPolicySpec` (default: the live
        /// plugin's illustrative preset); `--print-policy`.
        #[command(flatten)]
        file: PolicyFile,
    },
}

/// Runs one subcommand.
pub fn run(command: Command, out: &Output) -> Result {
    match command {
        Command::Packages {
            calls,
            days,
            component,
            no_trial,
            svg,
            file,
        } => {
            let Some((policy, _)) = args::policy_or::<_, UsagePolicy>(
                &file,
                || Ok(presets::verification_usage_spec()),
                "verification preset",
                "UsagePolicySpec",
                "whatif packages --print-policy",
                out,
            )?
            else {
                return Ok(());
            };
            let calls = calls.ok_or_else(|| args::Usage("give --calls N".to_owned()))?;
            let trial = if no_trial { 0 } else { policy.trial_quota() };
            if let Some(path) = &svg {
                picture(path, &policy, calls, days, trial, component)?;
                if !out.json {
                    out::emit(format_args!("Picture: {}", path.display()));
                }
            }
            packages(&policy, calls, days, trial, component, out)
        }
        Command::Traffic {
            tb,
            region,
            by,
            mbps,
            file,
        } => {
            let Some((policy, _)) = args::policy_or::<_, _>(
                &file,
                || Ok(presets::live_traffic_spec()),
                "live traffic preset",
                "TrafficPolicySpec",
                "whatif traffic --print-policy",
                out,
            )?
            else {
                return Ok(());
            };
            let illustrative = file.policy.is_none();
            // Billing by bandwidth without one would silently bill 0 Mbps.
            let mbps = match (by, mbps) {
                (MethodArg::Bandwidth, None) => {
                    return Err(args::Usage(
                        "--by bandwidth bills the day's peak bandwidth: give it with --mbps N \
                         (e.g. --mbps 800), or bill by traffic (--by traffic)"
                            .to_owned(),
                    )
                    .into());
                }
                (_, mbps) => mbps.unwrap_or_default(),
            };
            traffic(
                &policy,
                illustrative,
                tb.ok_or_else(|| args::Usage("give --tb N".to_owned()))?,
                region,
                by,
                mbps,
                out,
            )
        }
    }
}

/// The SVG of `--svg`: the cheapest plan's cost and the pay-per-call cost
/// against calls, from 0 to 1.25 times the forecast, the forecast marked.
fn picture(
    path: &std::path::Path,
    policy: &UsagePolicy,
    calls: u64,
    days: u32,
    trial: u64,
    component: ComponentArg,
) -> Result {
    let component = match component {
        ComponentArg::Quick => Component::QuickVerification,
        ComponentArg::RealTime => Component::RealTimeVerification,
    };
    let currency = policy.locale().currency;
    let last = calls.saturating_add(calls / 4);
    const POINTS: u64 = 250;
    let mut plan = Vec::new();
    let mut per_call = Vec::new();
    for i in 0..=POINTS {
        // Exact integer steps; the last point is `last` itself.
        let n = last / POINTS * i + (last % POINTS) * i / POINTS;
        let best = policy.plan(&Forecast::new(component, n, Days(days)).with_trial(trial))?;
        let x = picture::coordinate(Decimal::from(n));
        plan.push((x, picture::coordinate(best.total.amount())));
        per_call.push((x, picture::coordinate(best.pay_per_call.amount())));
    }
    let trial_note = if trial > 0 {
        format!(", after {trial} free trial calls")
    } else {
        String::new()
    };
    let panel = picture::Panel {
        title: format!("Cost against {component} calls over {days} days{trial_note}"),
        x_desc: "calls".to_owned(),
        y_desc: format!("cost ({currency})"),
        series: vec![
            picture::Series {
                name: "cheapest plan (packages and overage, R-USE-08)".to_owned(),
                points: plan,
            },
            picture::Series {
                name: "pay per call (R-USE-01)".to_owned(),
                points: per_call,
            },
        ],
        marks: vec![picture::Mark {
            x: picture::coordinate(Decimal::from(calls)),
            label: format!("forecast: {calls} calls"),
        }],
    };
    picture::draw(path, &[panel])?;
    Ok(())
}

fn packages(
    policy: &UsagePolicy,
    calls: u64,
    days: u32,
    trial: u64,
    component: ComponentArg,
    out: &Output,
) -> Result {
    let component = match component {
        ComponentArg::Quick => Component::QuickVerification,
        ComponentArg::RealTime => Component::RealTimeVerification,
    };
    let best = policy.plan(&Forecast::new(component, calls, Days(days)).with_trial(trial))?;
    if out.json {
        return out.json(&best);
    }
    out.heading(&format!(
        "R-USE-08: {calls} {component} calls over {days} days"
    ));
    let rows = best
        .lines
        .iter()
        .map(|line| match *line {
            PlanLine::Package {
                calls,
                validity,
                price,
                count,
                subtotal,
            } => vec![
                format!("package of {calls} calls, {validity}"),
                count.to_string(),
                price.to_string(),
                subtotal.to_string(),
            ],
            PlanLine::Custom {
                calls,
                validity,
                unit_price,
                subtotal,
            } => vec![
                format!("custom package of {calls} calls, {validity}"),
                "1".to_owned(),
                format!("{unit_price} a call"),
                subtotal.to_string(),
            ],
            PlanLine::Trial { calls, subtotal } => vec![
                format!("{calls} free trial calls (R-USE-02; --no-trial if used up)"),
                "-".to_owned(),
                "free".to_owned(),
                subtotal.to_string(),
            ],
            PlanLine::PerCall {
                calls,
                unit_price,
                subtotal,
            } => vec![
                format!("{calls} calls billed per call"),
                "-".to_owned(),
                format!("{unit_price} a call"),
                subtotal.to_string(),
            ],
        })
        .collect();
    out.table(&["buy", "count", "price", "subtotal"], rows);
    out.line(&format!(
        "Plan: {} for {} calls covered; per call: {}",
        best.total,
        best.covered,
        best.per_call_cost.map_or_else(
            || "-".to_owned(),
            |c| format!("{} {c}", best.total.currency())
        )
    ));
    out.line(&format!(
        "Paying per call: {}; saving: {}",
        best.pay_per_call, best.saving
    ));
    out.line(
        "Exact, not greedy: see the planner's docs (billing_rules::usage::UsagePolicy::plan).",
    );
    Ok(())
}

fn traffic(
    policy: &TrafficPolicy,
    illustrative: bool,
    tb: Decimal,
    region: RegionArg,
    by: MethodArg,
    mbps: Decimal,
    out: &Output,
) -> Result {
    let region = match region {
        RegionArg::Mainland => Region::Mainland,
        RegionArg::International => Region::International,
    };
    let method = match by {
        MethodArg::Traffic => BillingMethod::Traffic,
        MethodArg::Bandwidth => BillingMethod::PeakBandwidth,
    };
    let usage = DayUsage {
        // Any day: a day's charge depends only on its quantity and region.
        date: NaiveDate::from_ymd_opt(2025, 7, 1).ok_or("a valid date")?,
        region,
        traffic: Quantity::new(tb, Unit::Terabyte),
        peak_bandwidth: Quantity::new(mbps, Unit::Megabit),
    };
    let charge = policy.settle_day(method, &usage)?;
    if out.json {
        return out.json(&charge);
    }
    let unit = charge.quantity.unit();
    out.heading(&format!(
        "R-USE-09: one {} day billed by {}: {} = {}",
        region.name(),
        method.name(),
        match method {
            BillingMethod::Traffic => usage.traffic,
            BillingMethod::PeakBandwidth => usage.peak_bandwidth,
        },
        charge.quantity
    ));
    let rows = charge
        .parts
        .iter()
        .map(|p| {
            let bounds = match p.to {
                Some(to) => format!("{}-{} {unit}", p.from.normalize(), to.normalize()),
                None => format!("{}+ {unit}", p.from.normalize()),
            };
            vec![
                bounds,
                format!("{} {unit}", p.quantity.normalize()),
                format!("{} per {unit}", p.unit_price),
                p.amount.to_string(),
            ]
        })
        .collect();
    out.table(&["tier", "inside", "price", "amount"], rows);
    out.line(&format!(
        "Day's charge: {} (exact {}, rounded once)",
        charge.total, charge.exact
    ));
    if illustrative {
        out.line(
            "Prices are ILLUSTRATIVE (presets::live_traffic): replace them with the \
             platform's price list (--policy FILE).",
        );
    }
    Ok(())
}
