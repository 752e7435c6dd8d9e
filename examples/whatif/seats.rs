//! What-ifs of the seat plans (R-SEAT-01 to R-SEAT-10).
//!
//! ```text
//! whatif seats --seats 120 --years 2          # a quote and its steps
//! whatif seats --seats 30 --months 3          # a monthly variant of the preset
//! whatif upgrade --paid 1000 --days-total 365 --days-left 100 --seats 20
//! whatif upgrade --current-seats 120 --current-periods 2 --start 2025-01-01 \
//!                --now 2025-05-01 --seats 300 --years 2
//! whatif tiers                                # price against seat count, volume and graduated
//! whatif seats --print-policy > seat.json     # the preset as a file to edit
//! whatif seats --seats 120 --policy seat.json
//! ```

use billing_rules::NaiveDate;
use billing_rules::prelude::*;
use billing_rules::pricing::{
    CreditGranularity, PriceBasis, PricingSpec, SeatPolicySpec, Step, StepDetail, TierMode,
};
use serde::Serialize;

use crate::args::{self, PolicyFile, When};
use crate::out::{Output, Result};

/// A value, or an error to print.
pub(crate) type Fallible<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Subcommands of this area.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Quote an order of seats: total, validity and every step (R-SEAT-01..07).
    Seats(SeatsArgs),
    /// Credit for the current purchase against a new order, and the amount due (R-SEAT-08).
    Upgrade(UpgradeArgs),
    /// Price against seat count across the tier boundaries, volume beside graduated (R-SEAT-03).
    Tiers(TiersArgs),
}

/// Which policy to use, and overrides of the preset.
#[derive(clap::Args)]
pub struct PolicyArgs {
    /// `--policy FILE` (a `SeatPolicySpec`; default: the app store preset)
    /// and `--print-policy`.
    #[command(flatten)]
    pub(crate) file: PolicyFile,
    /// Price in graduated mode instead of the policy's tier mode.
    #[arg(long)]
    graduated: bool,
    /// A maximum total price (R-SEAT-06), e.g. 15000.
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true, value_parser = args::amount)]
    cap: Option<Decimal>,
    /// The fewest seats an order may have (R-SEAT-07).
    #[arg(long, allow_negative_numbers = true, value_parser = args::count)]
    min_seats: Option<u32>,
    /// The most seats an order may have (R-SEAT-07).
    #[arg(long, allow_negative_numbers = true, value_parser = args::count)]
    max_seats: Option<u32>,
}

/// How long: `--years N` or `--months N` (default one year).
#[derive(clap::Args)]
#[group(multiple = false)]
pub struct DurationArgs {
    /// Years to buy.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = args::count)]
    years: Option<u32>,
    /// Months to buy (without --policy: a monthly variant of the preset).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = args::count)]
    months: Option<u32>,
}

/// `whatif seats`.
#[derive(clap::Args)]
pub struct SeatsArgs {
    /// Seats to order.
    #[arg(long, required_unless_present = "print_policy", allow_negative_numbers = true, value_parser = args::count)]
    seats: Option<u32>,
    #[command(flatten)]
    duration: DurationArgs,
    /// When the validity starts: YYYY-MM-DD (local midnight),
    /// YYYY-MM-DDTHH:MM (local) or RFC 3339.
    #[arg(long, value_name = "WHEN", value_parser = args::when)]
    start: Option<When>,
    #[command(flatten)]
    policy: PolicyArgs,
}

/// `whatif upgrade`.
///
/// The current purchase is given by its figures (`--paid`, `--days-total`,
/// `--days-left`), by its dates (`--paid --start --end`), or as an order
/// priced under the same policy (`--current-seats --current-periods
/// --start`).
#[derive(clap::Args)]
#[command(group = clap::ArgGroup::new("current_end").args(["end", "current_seats"]))]
pub struct UpgradeArgs {
    /// What the customer paid for the current purchase.
    #[arg(
        long,
        default_value = "1000",
        conflicts_with = "current_seats", allow_negative_numbers = true, value_parser = args::amount)]
    paid: Decimal,
    /// Days of the current purchase's validity, bonus days included.
    #[arg(long, default_value_t = 365, conflicts_with = "start", allow_negative_numbers = true, value_parser = args::count)]
    days_total: u32,
    /// Days of it not yet started at the upgrade.
    #[arg(long, default_value_t = 100, conflicts_with = "start", allow_negative_numbers = true, value_parser = args::count)]
    days_left: u32,
    /// The current purchase's start (YYYY-MM-DD, YYYY-MM-DDTHH:MM or RFC
    /// 3339); with --end or --current-seats, replaces --days-total and
    /// --days-left.
    #[arg(long, value_name = "WHEN", value_parser = args::when, requires = "current_end")]
    start: Option<When>,
    /// The current purchase's end, bonus days included.
    #[arg(long, value_name = "WHEN", value_parser = args::when, requires = "start")]
    end: Option<When>,
    /// The current purchase was this many seats, priced under the same
    /// policy from --start (its price is what was paid, its validity's end
    /// the end).
    #[arg(long, value_name = "N", requires = "start", allow_negative_numbers = true, value_parser = args::count)]
    current_seats: Option<u32>,
    /// Periods of the current purchase, with --current-seats (years under
    /// the preset).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        requires = "current_seats", allow_negative_numbers = true, value_parser = args::count)]
    current_periods: u32,
    /// The upgrade instant (default 2025-06-01, local midnight).
    #[arg(long, value_name = "WHEN", value_parser = args::when)]
    now: Option<When>,
    /// Seats of the new order.
    #[arg(long, required_unless_present = "print_policy", allow_negative_numbers = true, value_parser = args::count)]
    seats: Option<u32>,
    #[command(flatten)]
    duration: DurationArgs,
    /// Prorate by the second instead of by whole days.
    #[arg(long)]
    seconds: bool,
    #[command(flatten)]
    policy: PolicyArgs,
}

/// `whatif tiers`.
#[derive(clap::Args)]
pub struct TiersArgs {
    /// Further seat counts to show.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "N,N,..",
        allow_negative_numbers = true,
        value_parser = args::count
    )]
    pub(crate) seats: Vec<u32>,
    /// Also draw the curves (total and per-seat price against seat count,
    /// boundaries labelled) into this SVG file.
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub(crate) duration: DurationArgs,
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
}

/// Runs one subcommand.
pub fn run(command: Command, out: &Output) -> Result {
    match command {
        Command::Seats(args) => seats(args, out),
        Command::Upgrade(args) => upgrade_credit(args, out),
        Command::Tiers(args) => crate::tiers::run(args, out),
    }
}

// ------------------------------------------------------------ policies

/// The policy the what-if runs against, its name, and the periods to buy.
pub(crate) fn load(
    policy: &PolicyArgs,
    duration: &DurationArgs,
) -> Fallible<(SeatPolicy, String, u32)> {
    let (mut spec, mut name) = args::spec_or(
        &policy.file,
        || Ok(presets::app_store_seat_pricing_spec()),
        "app store preset",
        "SeatPolicySpec",
        "whatif seats --print-policy",
    )?;
    let periods = match (duration.years, duration.months) {
        (_, Some(months)) => {
            if policy.file.policy.is_none() {
                monthly_variant(&mut spec);
                name = "monthly variant of the app store preset".to_owned();
            }
            if spec.period != Period::Month {
                return Err(format!("{name} is priced by the {}; use --years", spec.period).into());
            }
            months
        }
        (years, None) => {
            if spec.period != Period::Year {
                return Err(
                    format!("{name} is priced by the {}; use --months", spec.period).into(),
                );
            }
            years.unwrap_or(1)
        }
    };
    if let (true, PricingSpec::Tiered(table)) = (policy.graduated, &mut spec.pricing) {
        table.mode = TierMode::Graduated;
        name.push_str(", graduated");
    }
    if policy.cap.is_some() {
        spec.max_total = policy.cap;
    }
    if policy.min_seats.is_some() {
        spec.min_seats = policy.min_seats;
    }
    if policy.max_seats.is_some() {
        spec.max_seats = policy.max_seats;
    }
    let overridden =
        policy.cap.is_some() || policy.min_seats.is_some() || policy.max_seats.is_some();
    let source = if overridden {
        format!("{name} with --cap/--min-seats/--max-seats")
    } else {
        name.clone()
    };
    Ok((args::build(spec, &source)?, name, periods))
}

/// The preset's tiers priced per seat-month at a tenth of the yearly price,
/// without the duration discount (illustrative: nothing monthly is
/// published).
fn monthly_variant(spec: &mut SeatPolicySpec) {
    spec.period = Period::Month;
    spec.discounts.clear();
    if let PricingSpec::Tiered(table) = &mut spec.pricing {
        for tier in &mut table.tiers {
            tier.unit_price = tier.unit_price.map(|p| p / Decimal::TEN);
            tier.flat = tier.flat.map(|p| p / Decimal::TEN);
        }
    }
}

fn local(t: DateTime<Utc>, zone: Zone) -> String {
    t.with_timezone(&zone.offset_at(t))
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

pub(crate) fn per(period: Period) -> &'static str {
    match period {
        Period::Month => "month",
        _ => "year",
    }
}

// ------------------------------------------------------------ seats

fn seats(args: SeatsArgs, out: &Output) -> Result {
    let (policy, name, periods) = load(&args.policy, &args.duration)?;
    if args::printed(&args.policy.file, &policy.to_spec(), out)? {
        return Ok(());
    }
    let zone = policy.locale().time_zone;
    let mut order = SeatOrder::new(
        args.seats
            .ok_or_else(|| args::Usage("give --seats N".to_owned()))?,
        periods,
    );
    if let Some(start) = args.start {
        order = order.starting(start.at(zone)?);
    }
    let q = policy.quote(&order)?;
    if out.json {
        return out.json(&q);
    }
    out.heading(&format!(
        "{} seats x {} {}{} ({name})",
        q.seats,
        q.periods,
        per(q.period),
        if q.periods == 1 { "" } else { "s" }
    ));
    print_quote(&q, zone, out);
    Ok(())
}

fn print_quote(q: &Quote, zone: Zone, out: &Output) {
    let rows = q
        .steps()
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let (name, figures) = describe(step);
            vec![
                (i + 1).to_string(),
                step.rule.to_string(),
                name.to_owned(),
                figures,
            ]
        })
        .collect();
    out.table(&["#", "rule", "step", "figures"], rows);
    out.line(&format!("Total: {}", q.total));
    let v = &q.validity;
    let mut validity = format!(
        "Validity: {} purchased + {} bonus = {}",
        v.purchased_days.0, v.bonus_days.0, v.total_days
    );
    if let (Some(start), Some(end)) = (v.start, v.end) {
        validity.push_str(&format!(
            ", from {} to {}",
            local(start, zone),
            local(end, zone)
        ));
    }
    out.line(&validity);
}

fn describe(step: &Step) -> (&'static str, String) {
    match step.detail {
        StepDetail::Extension { current_end, start } => (
            "extension",
            format!(
                "current end {}, extension starts {}",
                current_end.to_rfc3339(),
                start.to_rfc3339()
            ),
        ),
        StepDetail::SeatLimits { seats, min, max } => (
            "seat limits",
            format!(
                "{seats} seats within {} to {}",
                min.map_or("1".to_owned(), |m| m.to_string()),
                max.map_or("unlimited".to_owned(), |m| m.to_string())
            ),
        ),
        StepDetail::Periods {
            periods,
            period,
            purchased_days,
        } => (
            "periods",
            format!("{periods} x {period} = {purchased_days}"),
        ),
        StepDetail::BasePrice {
            seats,
            basis,
            per_period,
            periods,
            amount,
        } => {
            let how = match basis {
                PriceBasis::UnitPrice { unit_price } => {
                    format!("{seats} seats x {unit_price} = {per_period}")
                }
                PriceBasis::Tier {
                    mode,
                    index,
                    from,
                    to,
                    flat,
                    unit_price,
                } => {
                    let bounds = match to {
                        Some(to) => format!("{from}-{to}"),
                        None => format!("{from}+"),
                    };
                    match mode {
                        TierMode::Volume => format!(
                            "tier {} ({bounds}) prices all seats: {seats} x {unit_price}{} = {per_period}",
                            index + 1,
                            if flat.is_zero() {
                                String::new()
                            } else {
                                format!(" + {flat}")
                            }
                        ),
                        TierMode::Graduated => format!(
                            "graduated, tiers 1 to {} ({bounds}) each price their seats = {per_period}",
                            index + 1
                        ),
                    }
                }
            };
            (
                "base price",
                format!("{how} a period; x {periods} = {amount}"),
            )
        }
        StepDetail::Discount {
            factor,
            before,
            after,
        } => ("discount", format!("{before} x {factor} = {after}")),
        StepDetail::BonusDays { days, total_days } => {
            ("bonus days", format!("+{days}: {total_days} valid in all"))
        }
        StepDetail::Cap {
            cap,
            before,
            applied,
            after,
        } => (
            "cap",
            if applied {
                format!("{before} is above the cap {cap}: pay {after}")
            } else {
                format!("{before} is within the cap {cap}: not applied")
            },
        ),
        StepDetail::Rounding {
            mode,
            before,
            after,
        } => (
            "rounding",
            format!("{before} rounded {mode} to the minor unit = {after}"),
        ),
        _ => ("other", format!("{:?}", step.detail)),
    }
}

// ------------------------------------------------------------ upgrade

fn upgrade_credit(args: UpgradeArgs, out: &Output) -> Result {
    let (mut policy, name, periods) = load(&args.policy, &args.duration)?;
    if args.seconds {
        let mut spec = policy.to_spec();
        spec.upgrade.granularity = CreditGranularity::Second;
        policy = args::build(spec, &name)?;
    }
    if args::printed(&args.policy.file, &policy.to_spec(), out)? {
        return Ok(());
    }
    let zone = policy.locale().time_zone;
    let assumed = args.now.is_none();
    let now = match args.now {
        Some(now) => now.at(zone)?,
        None => zone.start_of_day(NaiveDate::from_ymd_opt(2025, 6, 1).ok_or("bad date")?)?,
    };
    let mut current_order = None;
    // From --days-total and --days-left the current validity's dates are
    // invented around --now: shown as assumptions.
    let derived = args.start.is_none();
    let current = match (args.start, args.end, args.current_seats) {
        (Some(start), _, Some(seats)) => {
            // The current purchase priced under the same policy: what was
            // paid is its total, its end its validity's end.
            let start = start.at(zone)?;
            let q = policy.quote(&SeatOrder::new(seats, args.current_periods).starting(start))?;
            let end = q.validity.end.ok_or("the current order has no end")?;
            let current = CurrentPurchase {
                paid: q.total,
                start,
                end,
            };
            current_order = Some(q);
            current
        }
        (Some(start), Some(end), None) => CurrentPurchase {
            paid: Money::new(args.paid, policy.locale().currency),
            start: start.at(zone)?,
            end: end.at(zone)?,
        },
        _ => {
            // More days left than bought would be credited as more than was
            // paid (the cap would hide it): refused, not silently capped.
            if args.days_left > args.days_total {
                return Err(args::Usage(format!(
                    "--days-left {} is above --days-total {}: at most {} days of a \
                     {}-day purchase can be left",
                    args.days_left, args.days_total, args.days_total, args.days_total
                ))
                .into());
            }
            // Ends `days_left` midnights after `now`, so exactly that many
            // days have not started (when `now` is a local midnight).
            let end = zone.plus_days(zone.start_of_local_day(now)?, Days(args.days_left))?;
            CurrentPurchase {
                paid: Money::new(args.paid, policy.locale().currency),
                start: zone.minus_days(end, Days(args.days_total))?,
                end,
            }
        }
    };
    let (start, end) = (current.start, current.end);
    let seats = args
        .seats
        .ok_or_else(|| args::Usage("give --seats N".to_owned()))?;
    let up = policy.upgrade(&current, &SeatOrder::new(seats, periods), now)?;
    if out.json {
        #[derive(Serialize)]
        struct Report<'a> {
            /// The current purchase as priced, with --current-seats.
            current_order: Option<&'a Quote>,
            current: &'a CurrentPurchase,
            now: DateTime<Utc>,
            upgrade: &'a billing_rules::pricing::Upgrade,
        }
        return out.json(&Report {
            current_order: current_order.as_ref(),
            current: &current,
            now,
            upgrade: &up,
        });
    }
    if let Some(q) = &current_order {
        out.heading(&format!(
            "Current purchase: {} seats x {} {}{} ({name})",
            q.seats,
            q.periods,
            per(q.period),
            if q.periods == 1 { "" } else { "s" }
        ));
        print_quote(q, zone, out);
    }
    let c = &up.credit;
    let unit = match c.granularity {
        CreditGranularity::Day => "days",
        CreditGranularity::Second => "seconds",
    };
    out.heading(&format!("Upgrade credit (R-SEAT-08, {name})"));
    let capped = match c.capped_by {
        Some(cap) => format!(
            "capped by the {}",
            serde_json::to_value(cap)?
                .as_str()
                .unwrap_or_default()
                .replace('_', " ")
        ),
        None => "not capped".to_owned(),
    };
    out.table(
        &["figure", "value"],
        vec![
            vec!["paid".into(), current.paid.to_string()],
            vec![
                "current validity".into(),
                format!(
                    "{} to {}{}",
                    local(start, zone),
                    local(end, zone),
                    if derived {
                        " (assumed from --days-total/--days-left)"
                    } else {
                        ""
                    }
                ),
            ],
            vec![
                "upgrade at".into(),
                format!(
                    "{}{}",
                    local(now, zone),
                    if assumed { " (assumed; set --now)" } else { "" }
                ),
            ],
            vec![
                format!("remaining / total {unit}"),
                format!("{} / {}", c.remaining, c.total),
            ],
            vec![
                "paid x remaining / total".into(),
                format!("{}", c.exact.amount().round_dp(6)),
            ],
            vec![
                "credit".into(),
                format!(
                    "{} (rounded {}, {capped})",
                    c.amount,
                    serde_json::to_value(c.rounding)?
                        .as_str()
                        .unwrap_or_default()
                ),
            ],
            vec!["new order".into(), up.quote.total.to_string()],
            vec!["amount due".into(), up.amount_due.to_string()],
        ],
    );
    out.heading(&format!(
        "New order: {} seats x {} {}{}",
        up.quote.seats,
        up.quote.periods,
        per(up.quote.period),
        if up.quote.periods == 1 { "" } else { "s" }
    ));
    print_quote(&up.quote, zone, out);
    Ok(())
}
