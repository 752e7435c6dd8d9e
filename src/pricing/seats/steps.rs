//! The explanation of a seat quote (R-SEAT-01 to R-SEAT-09): its steps,
//! each tagged with the rule that made it, and how each reads.
//!
//! The rules are described in the
//! [pricing module docs](crate::pricing#order-of-operations).

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Money, RoundingMode};
use crate::pricing::TierMode;
use crate::rule::RuleId;
use crate::time::{Days, Period};

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
    pub(super) fn rule(&self) -> RuleId {
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
    /// use billing_rules::pricing::SeatOrder;
    ///
    /// let policy = billing_rules::presets::app_store_seat_pricing()?;
    /// let q = policy.quote(&SeatOrder::new(120, 2))?;
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
    /// use billing_rules::pricing::StepDetail;
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

/// The steps of a [`Quote`](crate::pricing::Quote), in the order they were applied: at most eight
/// [`Step`]s held inline (no heap), used as a slice (`Deref<Target =
/// [Step]>`). Serialized as a JSON array of steps.
///
/// ```
/// use billing_rules::pricing::SeatOrder;
/// use billing_rules::RuleId;
///
/// let policy = billing_rules::presets::app_store_seat_pricing()?;
/// let steps = policy.quote(&SeatOrder::new(120, 2))?.steps();
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
    pub(super) fn new() -> Steps {
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
    pub(super) fn push(&mut self, rule: RuleId, detail: StepDetail) -> bool {
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
