//! Quoting a seat order (R-SEAT-01 to R-SEAT-07).
//!
//! The rules this file implements are described in the
//! [seats module docs](crate::pricing::seats#order-of-operations), which readers of
//! the rendered documentation see.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::policy::{PricingRule, SeatPolicy};
use crate::error::{ArithmeticError, Error, Figure, InRule, Reason};
use crate::exact;
use crate::money::{Money, RoundingMode};
use crate::pricing::scaled::Scaled;
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

impl PriceBasis {
    /// The rule that priced the period: R-SEAT-02 or R-SEAT-03.
    fn rule(&self) -> RuleId {
        match self {
            PriceBasis::UnitPrice { .. } => RuleId::Seat02,
            PriceBasis::Tier { .. } => RuleId::Seat03,
        }
    }
}

impl fmt::Display for PriceBasis {
    /// `at CNY 100.00 a seat`, or `tier 2 (51-200, volume): CNY 80.00 a
    /// seat` (tiers counted from 1, with their flat amount when they have
    /// one).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriceBasis::UnitPrice { unit_price } => write!(f, "at {unit_price} a seat"),
            PriceBasis::Tier {
                mode,
                index,
                from,
                to,
                flat,
                unit_price,
            } => {
                write!(f, "tier {} ({}-", index.saturating_add(1), from.normalize())?;
                if let Some(to) = to {
                    write!(f, "{}", to.normalize())?;
                }
                write!(f, ", {mode}): ")?;
                if !flat.is_zero() {
                    write!(f, "{flat} + ")?;
                }
                write!(f, "{unit_price} a seat")
            }
        }
    }
}

impl fmt::Display for Step {
    /// `R-SEAT-04: discount 0.85: CNY 19200.00 -> CNY 16320.00`: the rule,
    /// then the [`StepDetail`].
    ///
    /// ```
    /// use billing_rules::pricing::seats::{quote, SeatOrder};
    ///
    /// let policy = billing_rules::presets::seat::app_store_seat_plan()?;
    /// let q = quote(&policy, &SeatOrder::new(120, 2))?;
    /// let lines: Vec<String> = q.steps().iter().map(|s| s.to_string()).collect();
    /// assert_eq!(lines, [
    ///     "R-SEAT-01: 2 periods of a year (365 days): 730 days",
    ///     "R-SEAT-03: 120 seats, tier 2 (51-200, volume): CNY 80.00 a seat: \
    ///      CNY 9600.00 a period x 2 = CNY 19200.00",
    ///     "R-SEAT-04: discount 0.85: CNY 19200.00 -> CNY 16320.00",
    ///     "R-SEAT-03: rounding half_up: CNY 16320.00 -> CNY 16320.00",
    /// ]);
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.detail)
    }
}

impl fmt::Display for StepDetail {
    /// One line with the step's figures, amounts as [`Money`] shows them.
    ///
    /// ```
    /// use billing_rules::money::Money;
    /// use billing_rules::pricing::seats::StepDetail;
    /// use rust_decimal::Decimal;
    ///
    /// let cny = |n: i64| Money::cny(Decimal::from(n));
    /// let cap = StepDetail::Cap { cap: cny(5000), before: cny(8000), applied: true, after: cny(5000) };
    /// assert_eq!(cap.to_string(), "cap CNY 5000.00 applied: CNY 8000.00 -> CNY 5000.00");
    /// let limits = StepDetail::SeatLimits { seats: 80, min: Some(5), max: None };
    /// assert_eq!(limits.to_string(), "80 seats within the limits (5 to any)");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            StepDetail::Extension { current_end, start } => write!(
                f,
                "extension from {} (current end {})",
                start.to_rfc3339(),
                current_end.to_rfc3339()
            ),
            StepDetail::SeatLimits { seats, min, max } => {
                write!(f, "{seats} seats within the limits (")?;
                match min {
                    Some(min) => write!(f, "{min}")?,
                    None => f.write_str("1")?,
                }
                match max {
                    Some(max) => write!(f, " to {max})"),
                    None => f.write_str(" to any)"),
                }
            }
            StepDetail::Periods {
                periods,
                period,
                purchased_days,
            } => {
                let plural = if periods == 1 { "" } else { "s" };
                write!(
                    f,
                    "{periods} period{plural} of a {period}: {purchased_days}"
                )
            }
            StepDetail::BasePrice {
                seats,
                basis,
                per_period,
                periods,
                amount,
            } => write!(
                f,
                "{seats} seats, {basis}: {per_period} a period x {periods} = {amount}"
            ),
            StepDetail::Discount {
                factor,
                before,
                after,
            } => write!(f, "discount {factor}: {before} -> {after}"),
            StepDetail::BonusDays { days, total_days } => {
                write!(f, "bonus {days}: {total_days} in all")
            }
            StepDetail::Cap {
                cap,
                before,
                applied: true,
                after,
            } => write!(f, "cap {cap} applied: {before} -> {after}"),
            StepDetail::Cap {
                cap,
                before,
                applied: false,
                ..
            } => write!(f, "cap {cap} not reached: {before}"),
            StepDetail::Rounding {
                mode,
                before,
                after,
            } => {
                write!(f, "rounding {mode}: {before} -> {after}")
            }
        }
    }
}

/// The most steps a quote has: extension, seat limits, periods, base
/// price, discount or bonus days (at most one of the two, but room is kept
/// for both), cap, rounding.
const MAX_STEPS: usize = 8;

/// The steps of a [`Quote`], in the order they were applied: at most eight
/// [`Step`]s held inline (no heap), used as a slice (`Deref<Target =
/// [Step]>`). Serialized as a JSON array of steps.
///
/// ```
/// use billing_rules::pricing::seats::{quote, SeatOrder};
/// use billing_rules::RuleId;
///
/// let policy = billing_rules::presets::seat::app_store_seat_plan()?;
/// let steps = quote(&policy, &SeatOrder::new(120, 2))?.steps();
/// assert_eq!(steps.len(), 4);
/// assert_eq!(steps[2].rule, RuleId::Seat04);
/// for step in &steps {
///     assert!(!step.to_string().is_empty());
/// }
/// # Ok::<(), billing_rules::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    len: usize,
    steps: [Step; MAX_STEPS],
}

impl Steps {
    /// No steps yet; the unused room holds a placeholder never shown.
    fn new() -> Steps {
        const ROOM: Step = Step {
            rule: RuleId::Seat01,
            detail: StepDetail::Periods {
                periods: 0,
                period: Period::Year,
                purchased_days: Days(0),
            },
        };
        Steps {
            len: 0,
            steps: [ROOM; MAX_STEPS],
        }
    }

    /// Appends `step`; false when there is no room left.
    fn push(&mut self, rule: RuleId, detail: StepDetail) -> bool {
        match self.steps.get_mut(self.len) {
            Some(slot) => {
                *slot = Step { rule, detail };
                self.len += 1;
                true
            }
            None => false,
        }
    }
}

impl std::ops::Deref for Steps {
    type Target = [Step];

    fn deref(&self) -> &[Step] {
        self.steps.get(..self.len).unwrap_or_default()
    }
}

impl<'a> IntoIterator for &'a Steps {
    type Item = &'a Step;
    type IntoIter = std::slice::Iter<'a, Step>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for Steps {
    type Item = Step;
    type IntoIter = std::iter::Take<std::array::IntoIter<Step, MAX_STEPS>>;

    fn into_iter(self) -> Self::IntoIter {
        self.steps.into_iter().take(self.len)
    }
}

impl fmt::Debug for Steps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Steps {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Steps {
    /// An array of at most eight steps.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Steps, D::Error> {
        let given = Vec::<Step>::deserialize(deserializer)?;
        let mut steps = Steps::new();
        for step in &given {
            if !steps.push(step.rule, step.detail) {
                return Err(serde::de::Error::invalid_length(
                    given.len(),
                    &"at most 8 steps",
                ));
            }
        }
        Ok(steps)
    }
}

/// The figures a quote's steps are made of, kept compact so that quoting
/// allocates nothing and writes a few hundred bytes; [`Quote::steps`] lays
/// them out as steps when asked. Every figure a step shows is here or in
/// the quote's public fields; the rest (a price before a step, whether the
/// cap applied) follows from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Figures {
    /// R-SEAT-09: the current end and the extension's start.
    extension: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// R-SEAT-07: the limits, when the policy has any.
    limits: Option<(Option<u32>, Option<u32>)>,
    /// R-SEAT-02 / R-SEAT-03.
    basis: PriceBasis,
    per_period: Money,
    list: Money,
    /// R-SEAT-04: the factor and the discounted price.
    discount: Option<(Decimal, Money)>,
    /// R-SEAT-05: true when the duration has bonus days (the days are in
    /// the validity).
    bonus: bool,
    /// R-SEAT-06.
    cap: Option<Money>,
    rounding: RoundingMode,
}

/// R-SEAT-06: whether `price` is above `cap` (same currency, checked when
/// the policy was built).
fn above_cap(price: Money, cap: Money) -> bool {
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
/// use billing_rules::pricing::seats::{quote, SeatOrder, StepDetail};
/// use billing_rules::RuleId;
///
/// let policy = billing_rules::presets::seat::app_store_seat_plan()?;
/// let q = quote(&policy, &SeatOrder::new(120, 2))?;
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
/// use billing_rules::pricing::seats::{quote, Quote, SeatOrder, SeatPolicy};
/// use serde_json::json;
///
/// let policy: SeatPolicy = serde_json::from_str(
///     r#"{"period": "year", "pricing": {"rule": "unit_price", "unit_price": "100"}}"#,
/// )?;
/// let q = quote(&policy, &SeatOrder::new(3, 1))?;
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
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "QuoteRepr")]
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
    figures: Figures,
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

impl Serialize for Quote {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Quote", 6)?;
        s.serialize_field("seats", &self.seats)?;
        s.serialize_field("periods", &self.periods)?;
        s.serialize_field("period", &self.period)?;
        s.serialize_field("total", &self.total)?;
        s.serialize_field("validity", &self.validity)?;
        s.serialize_field("steps", &self.steps())?;
        s.end()
    }
}

/// How a [`Quote`] is written: its fields and its steps.
#[derive(Deserialize)]
#[serde(rename = "Quote")]
struct QuoteRepr {
    seats: u32,
    periods: u32,
    period: Period,
    total: Money,
    validity: Validity,
    steps: Steps,
}

impl TryFrom<QuoteRepr> for Quote {
    type Error = String;

    /// Takes the figures from the steps, checks that they give back exactly
    /// the steps written, then redoes the arithmetic from them (days,
    /// validity end, base price where its basis determines it, discount,
    /// cap, rounding): a quote read from JSON says what a quote computed
    /// would, and an edited figure is refused. A graduated base price is
    /// not re-derived (it depends on tiers the quote does not carry).
    fn try_from(repr: QuoteRepr) -> Result<Quote, String> {
        let (mut extension, mut limits, mut base, mut discount) = (None, None, None, None);
        let (mut bonus, mut cap, mut rounding) = (false, None, None);
        for step in &repr.steps {
            match step.detail {
                StepDetail::Extension { current_end, start } => {
                    extension = Some((current_end, start));
                }
                StepDetail::SeatLimits { min, max, .. } => limits = Some((min, max)),
                StepDetail::Periods { .. } => {}
                StepDetail::BasePrice {
                    basis,
                    per_period,
                    amount,
                    ..
                } => base = Some((basis, per_period, amount)),
                StepDetail::Discount { factor, after, .. } => discount = Some((factor, after)),
                StepDetail::BonusDays { .. } => bonus = true,
                StepDetail::Cap { cap: c, .. } => cap = Some(c),
                StepDetail::Rounding { mode, .. } => rounding = Some(mode),
            }
        }
        let (Some((basis, per_period, list)), Some(rounding)) = (base, rounding) else {
            return Err(
                "a quote's steps must include its base_price and rounding steps; \
                        write the steps as a quote serialized them"
                    .to_owned(),
            );
        };
        let quote = Quote {
            seats: repr.seats,
            periods: repr.periods,
            period: repr.period,
            total: repr.total,
            validity: repr.validity,
            figures: Figures {
                extension,
                limits,
                basis,
                per_period,
                list,
                discount,
                bonus,
                cap,
                rounding,
            },
        };
        if quote.steps() != repr.steps {
            return Err(
                "the quote's steps do not follow from one another and from its \
                        seats, periods, total and validity; write the steps as a quote \
                        serialized them"
                    .to_owned(),
            );
        }
        check_arithmetic(&quote)?;
        Ok(quote)
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
/// Makes no heap allocation unless it refuses: the quote keeps its steps'
/// figures, and [`Quote::steps`] lays the steps out inline.
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

/// Quotes `order`; `extension` (the current end and the extension's start)
/// records where an extension starts (R-SEAT-09) as the first step.
pub(crate) fn price(
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
    // Each figure's overflow names its own rule; `quote` names the pricing
    // rule for the rest.
    let purchased_days = period
        .length()
        .checked_mul(periods)
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
            policy
                .locale()
                .time_zone
                .plus_days(start, total_days)
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
fn list_and_discount(
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
fn round_total(price: Money, rounding: RoundingMode) -> Money {
    if price.amount().scale() == price.currency().scale() {
        price
    } else {
        price.round_to_minor(rounding)
    }
}

/// Same value written the same way (`300.00` is not `300.0000` here: a
/// figure read back must be the figure computed).
fn same(a: Money, b: Money) -> bool {
    a == b && a.amount().scale() == b.amount().scale()
}

/// Redoes a deserialized quote's arithmetic from its own figures: the
/// days, the validity's end, the base price where its basis determines it
/// (a unit price, a volume tier; a graduated price depends on tiers the
/// quote does not carry), the periods, the discount, the cap and the
/// rounding. What a computed quote would say, or which figure does not.
fn check_arithmetic(quote: &Quote) -> Result<(), String> {
    let wrong = |figure: &str| {
        format!(
            "the quote's {figure} does not follow from its other figures; \
             a quote read back must be one `quote` computed: quote again instead of editing"
        )
    };
    let validity = &quote.validity;
    let purchased = quote
        .period
        .length()
        .checked_mul(quote.periods)
        .map_err(|e| e.to_string())?;
    if purchased != validity.purchased_days {
        return Err(wrong("validity.purchased_days"));
    }
    if !quote.figures.bonus && validity.bonus_days != Days(0) {
        return Err(wrong("validity.bonus_days"));
    }
    if purchased.checked_add(validity.bonus_days).ok() != Some(validity.total_days) {
        return Err(wrong("validity.total_days"));
    }
    // A fixed-offset zone adds days as 24-hour spans, so the end needs no
    // zone.
    let end = match validity.start {
        Some(start) => Some(
            crate::time::Zone::UTC
                .plus_days(start, validity.total_days)
                .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    if end != validity.end {
        return Err(wrong("validity.end"));
    }
    let figures = &quote.figures;
    let seats = Decimal::from(quote.seats);
    let per_period = match figures.basis {
        PriceBasis::UnitPrice { unit_price } => Some(unit_price.checked_mul(seats)),
        PriceBasis::Tier {
            mode: TierMode::Volume,
            flat,
            unit_price,
            ..
        } => Some(
            unit_price
                .checked_mul(seats)
                .and_then(|amount| flat.checked_add(amount)),
        ),
        PriceBasis::Tier {
            mode: TierMode::Graduated,
            ..
        } => None,
    };
    if let Some(per_period) = per_period {
        let per_period = per_period.map_err(|e| e.to_string())?;
        if per_period != figures.per_period {
            return Err(wrong("base price per period"));
        }
    }
    let factor = figures.discount.map(|(factor, _)| factor);
    let (list, discounted) =
        list_and_discount(figures.per_period, quote.periods, factor).map_err(|e| e.to_string())?;
    if !same(list, figures.list) {
        return Err(wrong("base price amount"));
    }
    if let (Some(discounted), Some((_, after))) = (discounted, figures.discount)
        && !same(discounted, after)
    {
        return Err(wrong("discounted price"));
    }
    let mut price = discounted.unwrap_or(list);
    if let Some(cap) = figures.cap
        && above_cap(price, cap)
    {
        price = cap;
    }
    if !same(round_total(price, figures.rounding), quote.total) {
        return Err(wrong("total"));
    }
    Ok(())
}

/// The price of one period for `seats` seats, and how it was found.
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
