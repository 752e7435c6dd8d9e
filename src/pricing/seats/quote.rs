//! Quoting a seat order (R-SEAT-01 to R-SEAT-07): the order, the quote,
//! and the calculation.
//!
//! The rules this file implements are described in the
//! [pricing module docs](crate::pricing#order-of-operations).

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::policy::{PricingRule, SeatPolicy};
use super::steps::{PriceBasis, Step, StepDetail, Steps};
use crate::error::{ArithmeticError, Error, Figure, InRule, Reason};
use crate::exact;
use crate::money::{Money, RoundingMode};
use crate::pricing::scaled::Scaled;
use crate::rule::RuleId;
use crate::time::{Days, Period, Zone};

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
    /// The first instant no longer covered: `total_days` local days after
    /// `start` at the same local time (for a calendar period, the anchor
    /// day `periods` months or years on, then the bonus days), in
    /// `time_zone`.
    pub end: Option<DateTime<Utc>>,
    /// The zone the days from `start` were counted in (issue 15), given
    /// with a start: a quote read back redoes its end to the instant in
    /// it. Left out of the JSON without a start; a quote with a start and
    /// no zone reads as counted in 24-hour days (a fixed offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<Zone>,
}

impl Validity {
    /// The whole validity, bonus days included, as a period of that many
    /// days (`Period::Days`), e.g. the term of the subscription the quote
    /// pays for. `None` only for a validity of 0 days, which no quote has.
    pub fn as_period(&self) -> Option<Period> {
        Period::days(self.total_days.0)
    }
}

/// The figures a quote's steps are made of, kept compact so that quoting
/// allocates nothing and writes a few hundred bytes; [`Quote::steps`] lays
/// them out as steps when asked. Every figure a step shows is here or in
/// the quote's public fields; the rest (a price before a step, whether the
/// cap applied) follows from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Figures {
    /// R-SEAT-09: the current end and the extension's start.
    pub(super) extension: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// R-SEAT-07: the limits, when the policy has any.
    pub(super) limits: Option<(Option<u32>, Option<u32>)>,
    /// R-SEAT-02 / R-SEAT-03.
    pub(super) basis: PriceBasis,
    pub(super) per_period: Money,
    pub(super) list: Money,
    /// R-SEAT-04: the factor and the discounted price.
    pub(super) discount: Option<(Decimal, Money)>,
    /// R-SEAT-05: true when the duration has bonus days (the days are in
    /// the validity).
    pub(super) bonus: bool,
    /// R-SEAT-06.
    pub(super) cap: Option<Money>,
    pub(super) rounding: RoundingMode,
}

/// R-SEAT-06: whether `price` is above `cap` (same currency, checked when
/// the policy was built).
#[inline]
pub(super) fn above_cap(price: Money, cap: Money) -> bool {
    exact::cmp(price.amount(), cap.amount()).is_gt()
}

/// A priced seat order: the total, the validity, and the steps that
/// produced them in the order they were applied ([`Quote::steps`]).
///
/// A quote keeps the figures of its steps, not the steps: quoting makes no
/// heap allocation, and [`Quote::steps`] lays the steps out (inline, no
/// heap either) when they are wanted.
///
/// ```
/// use billing_rules::pricing::{SeatOrder, StepDetail};
/// use billing_rules::RuleId;
///
/// let policy = billing_rules::presets::app_store_seat_pricing()?;
/// let q = policy.quote(&SeatOrder::new(120, 2))?;
/// // 120 seats in the 51-200 tier at 80.00 = 9600.00 a year; x 2 years;
/// // x 0.85 for 2 years (R-SEAT-04).
/// assert_eq!(q.total.to_string(), "CNY 16320.00");
/// assert_eq!(q.validity.total_days.0, 730);
/// let rules: Vec<String> = q.steps().iter().map(|s| s.rule.to_string()).collect();
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
/// use billing_rules::pricing::{Quote, SeatOrder, SeatPolicy};
/// use serde_json::json;
///
/// let policy: SeatPolicy = serde_json::from_str(
///     r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}, "period": "year", "pricing": {"rule": "unit_price", "unit_price": "100"}}"#,
/// )?;
/// let q = policy.quote(&SeatOrder::new(3, 1))?;
/// let cny = |amount: &str| json!({"amount": amount, "currency": "CNY"});
/// let shape = json!({
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
/// });
/// assert_eq!(serde_json::to_value(&q)?, shape);
/// // Read back, the steps must be the ones the figures give.
/// assert_eq!(serde_json::from_value::<Quote>(shape.clone())?, q);
/// let mut edited = shape;
/// edited["steps"][1]["detail"]["amount"] = cny("200");
/// assert!(serde_json::from_value::<Quote>(edited).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
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
    pub(super) figures: Figures,
}

impl Quote {
    /// The steps, in the order they were applied, each tagged with its
    /// rule. Laid out from the quote's figures on each call, inline (no
    /// heap); keep the result rather than calling this in a loop.
    pub fn steps(&self) -> Steps {
        let f = &self.figures;
        let mut steps = Steps::new();
        // At most 7 steps are pushed into room for 8: `push` cannot fail.
        if let Some((current_end, start)) = f.extension {
            steps.push(RuleId::Seat09, StepDetail::Extension { current_end, start });
        }
        if let Some((min, max)) = f.limits {
            let seats = self.seats;
            steps.push(RuleId::Seat07, StepDetail::SeatLimits { seats, min, max });
        }
        steps.push(
            RuleId::Seat01,
            StepDetail::Periods {
                periods: self.periods,
                period: self.period,
                purchased_days: self.validity.purchased_days,
            },
        );
        let pricing_rule = f.basis.rule();
        steps.push(
            pricing_rule,
            StepDetail::BasePrice {
                seats: self.seats,
                basis: f.basis,
                per_period: f.per_period,
                periods: self.periods,
                amount: f.list,
            },
        );
        let mut price = f.list;
        if let Some((factor, after)) = f.discount {
            let before = price;
            steps.push(
                RuleId::Seat04,
                StepDetail::Discount {
                    factor,
                    before,
                    after,
                },
            );
            price = after;
        }
        if f.bonus {
            let (days, total_days) = (self.validity.bonus_days, self.validity.total_days);
            steps.push(RuleId::Seat05, StepDetail::BonusDays { days, total_days });
        }
        if let Some(cap) = f.cap {
            let applied = above_cap(price, cap);
            let after = if applied { cap } else { price };
            let before = price;
            steps.push(
                RuleId::Seat06,
                StepDetail::Cap {
                    cap,
                    before,
                    applied,
                    after,
                },
            );
            price = after;
        }
        steps.push(
            pricing_rule,
            StepDetail::Rounding {
                mode: f.rounding,
                before: price,
                after: self.total,
            },
        );
        steps
    }

    /// How many days the purchase is valid, bonus days included
    /// (`validity.total_days`).
    pub fn validity_days(&self) -> Days {
        self.validity.total_days
    }

    /// The validity, bonus days included, as a period of that many days
    /// ([`Validity::as_period`]); `None` only for 0 days, which no quote
    /// has.
    ///
    /// ```
    /// use billing_rules::pricing::SeatOrder;
    /// use billing_rules::time::{Days, Period};
    /// use chrono::{TimeZone, Utc};
    ///
    /// let policy = billing_rules::presets::app_store_seat_pricing()?;
    /// let start = Utc.with_ymd_and_hms(2025, 6, 30, 16, 0, 0).unwrap();
    /// let q = policy.quote(&SeatOrder::new(120, 2).starting(start))?;
    /// assert_eq!(q.validity_days(), Days(730));
    /// assert_eq!(q.validity_period(), Period::days(730));
    /// assert_eq!(q.starts_at(), Some(start));
    /// assert_eq!(q.ends_at(), Some(Utc.with_ymd_and_hms(2027, 6, 30, 16, 0, 0).unwrap()));
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn validity_period(&self) -> Option<Period> {
        self.validity.as_period()
    }

    /// The first instant the purchase covers, when the order gave a start.
    pub fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.validity.start
    }

    /// The first instant the purchase no longer covers (the start plus the
    /// validity days x 24 h), when the order gave a start.
    pub fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.validity.end
    }

    /// The first step made by `rule`.
    pub fn step(&self, rule: RuleId) -> Option<Step> {
        self.steps().iter().find(|s| s.rule == rule).copied()
    }
}

impl fmt::Debug for Quote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Quote")
            .field("seats", &self.seats)
            .field("periods", &self.periods)
            .field("period", &self.period)
            .field("total", &self.total)
            .field("validity", &self.validity)
            .field("steps", &self.steps())
            .finish()
    }
}

impl SeatPolicy {
    /// Prices `order` under this policy (R-SEAT-01 to R-SEAT-07): validity
    /// (R-SEAT-01), the unit price (R-SEAT-02) or the tier table (R-SEAT-03),
    /// the duration's discount (R-SEAT-04) or bonus days (R-SEAT-05), the cap
    /// (R-SEAT-06), after checking the seat limits (R-SEAT-07).
    ///
    /// Refusals: R-SEAT-07 for zero seats or seats outside the limits (with the
    /// limits as figures); R-SEAT-01 for zero periods; R-SEAT-03 when no tier
    /// covers the seat count. An amount too large to hold exactly is an
    /// [`Error::Arithmetic`]. See the
    /// [order of operations](crate::pricing#order-of-operations) for the
    /// steps and the one rounding.
    ///
    /// Makes no heap allocation unless it refuses: the quote keeps its steps'
    /// figures, and [`Quote::steps`] lays the steps out inline.
    ///
    /// ```
    /// use billing_rules::pricing::{SeatOrder, SeatPolicy};
    /// use billing_rules::RuleId;
    ///
    /// // 5 to 100 seats at 100.00, capped at 5000.00 an order.
    /// let policy: SeatPolicy = serde_json::from_str(r#"{
    ///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
    ///     "period": "year", "pricing": {"rule": "unit_price", "unit_price": "100"},
    ///     "min_seats": 5, "max_seats": 100, "max_total": "5000.00"
    /// }"#)?;
    /// assert_eq!(policy.quote(&SeatOrder::new(80, 1))?.total.to_string(), "CNY 5000.00"); // R-SEAT-06
    ///
    /// let refused = policy.quote(&SeatOrder::new(120, 1)).unwrap_err();
    /// let refusal = refused.refusal().unwrap();
    /// assert_eq!(refusal.rule(), RuleId::Seat07);
    /// assert_eq!(refusal.figure("max_seats").unwrap().to_string(), "100");
    /// assert_eq!(
    ///     refusal.primary().message,
    ///     "an order of 120 seats is outside the seat limits; order 5 to 100 seats"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quote(&self, order: &SeatOrder) -> Result<Quote, Error> {
        // An arithmetic error names the plan's pricing rule (R-SEAT-02/03).
        price(self, order, None).map_err(|e| e.in_rule(self.pricing().rule()))
    }
}

/// Quotes `order`; `extension` (the current end and the extension's start)
/// records where an extension starts (R-SEAT-09) as the first step.
pub(super) fn price(
    policy: &SeatPolicy,
    order: &SeatOrder,
    extension: Option<(DateTime<Utc>, DateTime<Utc>)>,
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
    // Each figure's overflow names its own rule; `SeatPolicy::quote` names the pricing
    // rule for the rest.
    let zone = policy.locale().time_zone;
    // A calendar period counts its actual days from a known start; without
    // one (and for day-counted periods) `periods x length`.
    let purchased_days = match order.start {
        Some(start) if period.is_calendar() => period.days_after(start, periods, zone),
        _ => period.length().checked_mul(periods),
    }
    .in_rule(RuleId::Seat01)?;
    let discount = policy.discount_for(periods);
    let bonus = policy.bonus_for(periods);
    let limits = (policy.min_seats().is_some() || policy.max_seats().is_some())
        .then(|| (policy.min_seats(), policy.max_seats()));

    let (per_period, basis) = per_period(policy.pricing(), seats)?;
    let (list, discounted) = list_and_discount(per_period, periods, discount)?;
    let mut price = discounted.unwrap_or(list);
    let discount = discount.zip(discounted);
    let bonus_days = bonus.unwrap_or_default();
    let total_days = purchased_days
        .checked_add(bonus_days)
        .in_rule(RuleId::Seat05)?;
    let cap = policy.max_total();
    if let Some(cap) = cap
        && above_cap(price, cap)
    {
        price = cap;
    }
    let rounding = policy.locale().rounding;
    let total = round_total(price, rounding);

    let end = match order.start {
        Some(start) => Some(
            validity_end(period, start, periods, bonus_days, total_days, zone)
                .in_rule(RuleId::Seat01)?,
        ),
        None => None,
    };
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
            time_zone: order.start.map(|_| zone),
        },
        figures: Figures {
            extension,
            limits,
            basis,
            per_period,
            list,
            discount,
            bonus: bonus.is_some(),
            cap,
            rounding,
        },
    })
}

/// R-SEAT-07: zero seats is always refused; outside [min, max] is refused,
/// never clamped.
#[inline]
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

/// R-SEAT-01 / R-SEAT-04: the list price `per_period x periods`, and with a
/// discount factor the discounted price `list x factor`, both exact. On the
/// integer fast path ([`Scaled`]) when every figure stays on it, otherwise
/// with [`Money::checked_mul`], which gives the same figures or the error.
#[inline]
pub(super) fn list_and_discount(
    per_period: Money,
    periods: u32,
    factor: Option<Decimal>,
) -> Result<(Money, Option<Money>), ArithmeticError> {
    let currency = per_period.currency();
    let fast = || {
        let list = Scaled::of(per_period.amount()).mul(Scaled::whole(u64::from(periods)))?;
        let discounted = match factor {
            Some(factor) => Some(list.mul(Scaled::of(factor))?.decimal()?),
            None => None,
        };
        Some((list.decimal()?, discounted))
    };
    if let Some((list, discounted)) = fast() {
        let money = |amount| Money::new(amount, currency);
        return Ok((money(list), discounted.map(money)));
    }
    let list = per_period.checked_mul(Decimal::from(periods))?;
    let discounted = factor.map(|factor| list.checked_mul(factor)).transpose()?;
    Ok((list, discounted))
}

/// The one rounding. A price already at the minor unit (the usual case:
/// whole-cent prices times whole seats) is its own rounding, as
/// `Rounding::apply` would find after a rescale and a comparison; skip them.
#[inline]
pub(super) fn round_total(price: Money, rounding: RoundingMode) -> Money {
    if price.amount().scale() == price.currency().scale() {
        price
    } else {
        price.round_to_minor(rounding)
    }
}

/// The price of one period for `seats` seats, and how it was found.
#[inline]
fn per_period(pricing: &PricingRule, seats: u32) -> Result<(Money, PriceBasis), Error> {
    match pricing {
        PricingRule::UnitPrice(unit_price) => Ok((
            match Scaled::of(unit_price.amount())
                .mul(Scaled::whole(u64::from(seats)))
                .and_then(Scaled::decimal)
            {
                Some(amount) => Money::new(amount, unit_price.currency()),
                None => unit_price.checked_mul(Decimal::from(seats))?,
            },
            PriceBasis::UnitPrice {
                unit_price: *unit_price,
            },
        )),
        PricingRule::Tiered(table) => {
            let (price, tier) = table.price_whole(u64::from(seats))?;
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

/// The end of a validity of `periods` periods and `bonus_days` (in all
/// `total_days`) from `start` in `zone`: what a quote computes and what a
/// quote read back must say.
pub(super) fn validity_end(
    period: Period,
    start: DateTime<Utc>,
    periods: u32,
    bonus_days: Days,
    total_days: Days,
    zone: Zone,
) -> Result<DateTime<Utc>, ArithmeticError> {
    match period {
        // Days counted from the anchor, then the bonus days.
        Period::Calendar(_) => period
            .end_after(start, periods, zone)
            .and_then(|end| zone.plus_days(end, bonus_days)),
        // One conversion: every day of the validity at once.
        _ => zone.plus_days(start, total_days),
    }
}
