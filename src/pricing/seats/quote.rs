//! Quoting a seat order (R-SEAT-01 to R-SEAT-07).
//!
//! The rules this file implements are described in the
//! [seats module docs](crate::pricing::seats#order-of-operations), which readers of
//! the rendered documentation see.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::policy::{PricingRule, SeatPolicy};
use crate::error::{Error, Figure, Reason};
use crate::money::{Money, RoundingMode};
use crate::pricing::tiers::TierMode;
use crate::rule::RuleId;
use crate::time::{Days, Period};

/// An order of seats for a number of periods.
///
/// Serialized as `{"seats": 120, "periods": 2, "start": null}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SeatOrder {
    /// How many seats.
    pub seats: u32,
    /// How many periods of the plan (2 = 2 years on a yearly plan).
    pub periods: u32,
    /// When the validity starts; without it the quote has no start or end
    /// date, only its length.
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
}

impl SeatOrder {
    /// `seats` seats for `periods` periods, with no start instant.
    pub fn new(seats: u32, periods: u32) -> SeatOrder {
        SeatOrder {
            seats,
            periods,
            start: None,
        }
    }

    /// The same order, with its validity starting at `start`.
    pub fn starting(self, start: DateTime<Utc>) -> SeatOrder {
        SeatOrder {
            start: Some(start),
            ..self
        }
    }
}

/// How long a purchase is valid (R-SEAT-01, R-SEAT-05).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    /// periods x period days.
    pub purchased_days: Days,
    /// Bonus days granted for the duration (R-SEAT-05).
    pub bonus_days: Days,
    /// purchased + bonus days.
    pub total_days: Days,
    /// The first instant, when the order gave one.
    pub start: Option<DateTime<Utc>>,
    /// `start + total_days x 24 h`, the first instant no longer covered.
    pub end: Option<DateTime<Utc>>,
}

/// How the base price of one period was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum PriceBasis {
    /// R-SEAT-02: seats x unit price.
    UnitPrice {
        /// The price of one seat for one period.
        unit_price: Money,
    },
    /// R-SEAT-03: a tier table.
    Tier {
        /// Volume (the tier prices every seat) or graduated (the tiers up to
        /// this one each price their seats).
        mode: TierMode,
        /// The index of the tier containing the seat count.
        index: usize,
        /// Its first seat.
        #[serde(with = "crate::decimal_serde::strict")]
        from: Decimal,
        /// Its last seat; `None` when unbounded.
        #[serde(default, with = "crate::decimal_serde::strict_option")]
        to: Option<Decimal>,
        /// Its flat amount (zero when none).
        flat: Money,
        /// Its unit price (zero when none).
        unit_price: Money,
    },
}

/// One step of a quote, tagged with the rule that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The rule that made this step.
    pub rule: RuleId,
    /// What the step did, with its figures.
    pub detail: StepDetail,
}

/// What a quote step did, with its figures.
///
/// Serialized with a `step` tag: `{"step": "discount", "periods": 2, ...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepDetail {
    /// R-SEAT-09: an extension starts at the current end (or at the
    /// extension instant, when the term has already ended).
    Extension {
        /// The end of the current term.
        current_end: DateTime<Utc>,
        /// Where the extension's validity starts.
        start: DateTime<Utc>,
    },
    /// R-SEAT-07: the seat count is within the limits.
    SeatLimits {
        /// Seats ordered.
        seats: u32,
        /// The fewest allowed, when limited.
        min: Option<u32>,
        /// The most allowed, when limited.
        max: Option<u32>,
    },
    /// R-SEAT-01: the purchased days.
    Periods {
        /// Periods bought.
        periods: u32,
        /// The plan's period.
        period: Period,
        /// periods x period days.
        purchased_days: Days,
    },
    /// R-SEAT-02 / R-SEAT-03: the list price of the order.
    BasePrice {
        /// Seats ordered.
        seats: u32,
        /// How one period was priced.
        basis: PriceBasis,
        /// The price of one period.
        per_period: Money,
        /// Periods bought.
        periods: u32,
        /// per_period x periods.
        amount: Money,
    },
    /// R-SEAT-04: the duration's discount.
    Discount {
        /// The factor applied.
        #[serde(with = "crate::decimal_serde::strict")]
        factor: Decimal,
        /// The price before.
        before: Money,
        /// before x factor, exactly.
        after: Money,
    },
    /// R-SEAT-05: the duration's bonus days.
    BonusDays {
        /// The bonus days granted.
        days: Days,
        /// purchased + bonus days.
        total_days: Days,
    },
    /// R-SEAT-06: the cap, applied or not.
    Cap {
        /// The cap.
        cap: Money,
        /// The price before the cap.
        before: Money,
        /// True when the price was above the cap.
        applied: bool,
        /// The smaller of the two.
        after: Money,
    },
    /// The final rounding to the minor unit, tagged with the pricing rule
    /// (R-SEAT-02 or R-SEAT-03) whose price it rounds.
    Rounding {
        /// The rounding mode (the policy's `locale.rounding`).
        mode: RoundingMode,
        /// The exact price.
        before: Money,
        /// The price rounded to the minor unit: the total.
        after: Money,
    },
}

/// A priced seat order: the total, the validity, and the steps that
/// produced them in the order they were applied.
///
/// ```
/// use billing_rules::pricing::seats::{quote, SeatOrder, StepDetail};
/// use billing_rules::RuleId;
///
/// let policy = billing_rules::presets::seat::app_store_seat_plan()?;
/// let q = quote(&policy, &SeatOrder::new(120, 2))?;
/// // 120 seats in the 51-200 tier at 80.00 = 9600.00 a year; x 2 years;
/// // x 0.85 for 2 years (R-SEAT-04).
/// assert_eq!(q.total.to_string(), "CNY 16320.00");
/// assert_eq!(q.validity.total_days.0, 730);
/// let rules: Vec<String> = q.steps.iter().map(|s| s.rule.to_string()).collect();
/// assert_eq!(rules, ["R-SEAT-01", "R-SEAT-03", "R-SEAT-04", "R-SEAT-03"]);
/// assert!(matches!(q.step(RuleId::Seat04).map(|s| s.detail), Some(StepDetail::Discount { .. })));
/// # Ok::<(), billing_rules::Error>(())
/// ```
///
/// # JSON
///
/// Each step is tagged with its rule and, in `detail`, by `step`; amounts
/// are [`Money`] objects, and the total is always at the minor unit. Three
/// seats of a 100.00 plan:
///
/// ```
/// use billing_rules::pricing::seats::{quote, SeatOrder, SeatPolicy};
/// use serde_json::json;
///
/// let policy: SeatPolicy = serde_json::from_str(
///     r#"{"period": "year", "pricing": {"rule": "unit_price", "unit_price": "100"}}"#,
/// )?;
/// let q = quote(&policy, &SeatOrder::new(3, 1))?;
/// let cny = |amount: &str| json!({"amount": amount, "currency": "CNY"});
/// assert_eq!(serde_json::to_value(&q)?, json!({
///     "seats": 3, "periods": 1, "period": "year",
///     "total": cny("300.00"),
///     "validity": {"purchased_days": 365, "bonus_days": 0, "total_days": 365, "start": null, "end": null},
///     "steps": [
///         {"rule": "R-SEAT-01", "detail": {"step": "periods", "periods": 1, "period": "year", "purchased_days": 365}},
///         {"rule": "R-SEAT-02", "detail": {"step": "base_price", "seats": 3,
///             "basis": {"by": "unit_price", "unit_price": cny("100")},
///             "per_period": cny("300"), "periods": 1, "amount": cny("300")}},
///         {"rule": "R-SEAT-02", "detail": {"step": "rounding", "mode": "half_up",
///             "before": cny("300"), "after": cny("300.00")}}
///     ]
/// }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Seats ordered.
    pub seats: u32,
    /// Periods bought.
    pub periods: u32,
    /// The plan's period.
    pub period: Period,
    /// What the customer pays, rounded to the minor unit.
    pub total: Money,
    /// How long the purchase is valid.
    pub validity: Validity,
    /// The steps, in the order they were applied.
    pub steps: Vec<Step>,
}

impl Quote {
    /// The first step made by `rule`.
    pub fn step(&self, rule: RuleId) -> Option<&Step> {
        self.steps.iter().find(|s| s.rule == rule)
    }
}

/// Prices `order` under `policy` (R-SEAT-01 to R-SEAT-07): validity
/// (R-SEAT-01), the unit price (R-SEAT-02) or the tier table (R-SEAT-03),
/// the duration's discount (R-SEAT-04) or bonus days (R-SEAT-05), the cap
/// (R-SEAT-06), after checking the seat limits (R-SEAT-07).
///
/// Refusals: R-SEAT-07 for zero seats or seats outside the limits (with the
/// limits as figures); R-SEAT-01 for zero periods; R-SEAT-03 when no tier
/// covers the seat count. An amount too large to hold exactly is an
/// [`Error::Arithmetic`]. See the
/// [order of operations](crate::pricing::seats#order-of-operations) for the
/// steps and the one rounding.
///
/// Makes one heap allocation (the steps).
///
/// ```
/// use billing_rules::pricing::seats::{quote, SeatOrder, SeatPolicy};
/// use billing_rules::RuleId;
///
/// // 5 to 100 seats at 100.00, capped at 5000.00 an order.
/// let policy: SeatPolicy = serde_json::from_str(r#"{
///     "period": "year", "pricing": {"rule": "unit_price", "unit_price": "100"},
///     "min_seats": 5, "max_seats": 100, "max_total": "5000.00"
/// }"#)?;
/// assert_eq!(quote(&policy, &SeatOrder::new(80, 1))?.total.to_string(), "CNY 5000.00"); // R-SEAT-06
///
/// let refused = quote(&policy, &SeatOrder::new(120, 1)).unwrap_err();
/// let refusal = refused.refusal().unwrap();
/// assert_eq!(refusal.rule(), RuleId::Seat07);
/// assert_eq!(refusal.figure("max_seats").unwrap().to_string(), "100");
/// assert_eq!(
///     refusal.primary().message,
///     "an order of 120 seats is outside the seat limits; order 5 to 100 seats"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn quote(policy: &SeatPolicy, order: &SeatOrder) -> Result<Quote, Error> {
    // An arithmetic error names the plan's pricing rule (R-SEAT-02/03).
    price(policy, order, None).map_err(|e| e.in_rule(policy.pricing().rule()))
}

/// Quotes `order`; `extension` records where an extension starts
/// (R-SEAT-09) as the first step.
pub(crate) fn price(
    policy: &SeatPolicy,
    order: &SeatOrder,
    extension: Option<StepDetail>,
) -> Result<Quote, Error> {
    let seats = order.seats;
    let periods = order.periods;
    check_seats(policy, seats)?;
    if periods == 0 {
        return Err(Reason::new(
            RuleId::Seat01,
            "an order of 0 periods buys nothing; order 1 period or more",
        )
        .with(Figure::count("periods", 0))
        .into());
    }
    let period = policy.period();
    let purchased_days = period.length().checked_mul(periods)?;
    let discount = policy.discount_for(periods);
    let bonus = policy.bonus_for(periods);
    let cap = policy.max_total();
    let limited = policy.min_seats().is_some() || policy.max_seats().is_some();

    let capacity = 3
        + usize::from(extension.is_some())
        + usize::from(limited)
        + usize::from(discount.is_some())
        + usize::from(bonus.is_some())
        + usize::from(cap.is_some());
    let mut steps = Vec::with_capacity(capacity);
    if let Some(detail) = extension {
        steps.push(Step {
            rule: RuleId::Seat09,
            detail,
        });
    }
    if limited {
        steps.push(Step {
            rule: RuleId::Seat07,
            detail: StepDetail::SeatLimits {
                seats,
                min: policy.min_seats(),
                max: policy.max_seats(),
            },
        });
    }
    steps.push(Step {
        rule: RuleId::Seat01,
        detail: StepDetail::Periods {
            periods,
            period,
            purchased_days,
        },
    });

    let pricing_rule = policy.pricing().rule();
    let (per_period, basis) = per_period(policy.pricing(), seats)?;
    let list = per_period.checked_mul(Decimal::from(periods))?;
    steps.push(Step {
        rule: pricing_rule,
        detail: StepDetail::BasePrice {
            seats,
            basis,
            per_period,
            periods,
            amount: list,
        },
    });

    let mut price = list;
    if let Some(factor) = discount {
        let after = price.checked_mul(factor)?;
        steps.push(Step {
            rule: RuleId::Seat04,
            detail: StepDetail::Discount {
                factor,
                before: price,
                after,
            },
        });
        price = after;
    }

    let bonus_days = bonus.unwrap_or_default();
    let total_days = purchased_days.checked_add(bonus_days)?;
    if let Some(days) = bonus {
        steps.push(Step {
            rule: RuleId::Seat05,
            detail: StepDetail::BonusDays { days, total_days },
        });
    }

    if let Some(cap) = cap {
        let applied = price.amount() > cap.amount();
        let after = if applied { cap } else { price };
        steps.push(Step {
            rule: RuleId::Seat06,
            detail: StepDetail::Cap {
                cap,
                before: price,
                applied,
                after,
            },
        });
        price = after;
    }

    let mode = policy.locale().rounding;
    let total = price.round_to_minor(mode);
    steps.push(Step {
        rule: pricing_rule,
        detail: StepDetail::Rounding {
            mode,
            before: price,
            after: total,
        },
    });

    let zone = policy.locale().time_zone;
    let end = order
        .start
        .map(|start| zone.plus_days(start, total_days))
        .transpose()?;
    Ok(Quote {
        seats,
        periods,
        period,
        total,
        validity: Validity {
            purchased_days,
            bonus_days,
            total_days,
            start: order.start,
            end,
        },
        steps,
    })
}

/// R-SEAT-07: zero seats is always refused; outside [min, max] is refused,
/// never clamped.
fn check_seats(policy: &SeatPolicy, seats: u32) -> Result<(), Error> {
    let min = policy.min_seats().unwrap_or(1);
    let max = policy.max_seats();
    if seats >= min && max.is_none_or(|max| seats <= max) {
        return Ok(());
    }
    let range = match max {
        Some(max) => format!("{min} to {max} seats"),
        None => format!("at least {min} seat{}", if min == 1 { "" } else { "s" }),
    };
    let mut reason = Reason::new(
        RuleId::Seat07,
        format!("an order of {seats} seats is outside the seat limits; order {range}"),
    )
    .with(Figure::count("seats", u64::from(seats)))
    .with(Figure::count("min_seats", u64::from(min)));
    if let Some(max) = max {
        reason = reason.with(Figure::count("max_seats", u64::from(max)));
    }
    Err(reason.into())
}

/// The price of one period for `seats` seats, and how it was found.
fn per_period(pricing: &PricingRule, seats: u32) -> Result<(Money, PriceBasis), Error> {
    match pricing {
        PricingRule::UnitPrice(unit_price) => Ok((
            unit_price.checked_mul(Decimal::from(seats))?,
            PriceBasis::UnitPrice {
                unit_price: *unit_price,
            },
        )),
        PricingRule::Tiered(table) => {
            let price = table.price(Decimal::from(seats))?;
            let tier = table.tiers().get(price.tier).ok_or_else(|| {
                // `price` returns the index of one of the table's tiers.
                crate::error::ArithmeticError::out_of_range("tier index")
            })?;
            Ok((
                price.total,
                PriceBasis::Tier {
                    mode: table.mode(),
                    index: price.tier,
                    from: tier.from(),
                    to: tier.to(),
                    flat: tier.flat(),
                    unit_price: tier.unit_price(),
                },
            ))
        }
    }
}
