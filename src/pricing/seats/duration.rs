//! Duration offers: a price discount (R-SEAT-04) or bonus days (R-SEAT-05)
//! keyed by the number of periods bought.
//!
//! The rules this file implements are described in the
//! [pricing module docs](crate::pricing#duration-offers).

use std::collections::HashMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::error::PolicyError;
use crate::exact;
use crate::rule::RuleId;
use crate::time::{Days, Period};

/// A price discount for a purchased duration (R-SEAT-04): the order costs
/// `factor` x its list price.
///
/// Serialized as `{"periods": 2, "factor": "0.85"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscountSpec {
    /// The purchased duration, in periods of the plan (2 = 2 years on a
    /// yearly plan).
    pub periods: u32,
    /// The share of the list price paid: from the policy's
    /// `discount_floor` (preset 0.70) to 1.
    #[serde(with = "crate::decimal_serde::strict")]
    pub factor: Decimal,
}

/// How many bonus days a duration earns (R-SEAT-05).
///
/// Serialized as `{"days": 30}` or `{"percent": "10"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BonusAmount {
    /// A number of days.
    Days(u32),
    /// A percentage of the purchased days, rounded down to whole days
    /// (365 x 35% = 127.75 -> 127), so the R-SEAT-05 cap always holds.
    #[serde(with = "crate::decimal_serde::strict")]
    Percent(Decimal),
}

/// Bonus days for a purchased duration (R-SEAT-05).
///
/// Serialized as `{"periods": 1, "bonus": {"days": 30}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BonusSpec {
    /// The purchased duration, in periods of the plan.
    pub periods: u32,
    /// The bonus, in days or as a percentage of the purchased days.
    pub bonus: BonusAmount,
}

/// A validated bonus: its spec and the whole days it grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bonus {
    pub(crate) spec: BonusSpec,
    pub(crate) days: Days,
}

fn periods_at_least_one(field: &str, periods: u32, rule: RuleId) -> Result<(), PolicyError> {
    if periods == 0 {
        return Err(PolicyError::new(
            field,
            "a duration of 0 periods is never bought",
            "1 period or more",
        )
        .with_rule(rule));
    }
    Ok(())
}

/// Validates the discounts: durations of at least one period, each listed
/// once, factors from `floor` to 1 (R-SEAT-04).
pub(crate) fn validate_discounts(
    discounts: &[DiscountSpec],
    floor: Decimal,
) -> Result<(), PolicyError> {
    // The first index of each duration: a linear check, so a policy with a
    // million discounts builds as fast as one with three.
    let mut first = HashMap::with_capacity(discounts.len());
    for (i, d) in discounts.iter().enumerate() {
        let field = |name: &str| format!("discounts[{i}].{name}");
        periods_at_least_one(&field("periods"), d.periods, RuleId::Seat04)?;
        if let Some(&j) = first.get(&d.periods) {
            return Err(PolicyError::new(
                field("periods"),
                format!(
                    "{} periods already has a discount (discounts[{j}])",
                    d.periods
                ),
                "one discount per duration",
            )
            .with_rule(RuleId::Seat04));
        }
        first.insert(d.periods, i);
        let problem = if d.factor < floor {
            Some(format!(
                "{} is below the floor of {floor}: a discount that deep is not allowed",
                d.factor
            ))
        } else if d.factor > Decimal::ONE {
            Some(format!(
                "{} is above 1: a discount never raises the price",
                d.factor
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(
                PolicyError::new(field("factor"), problem, format!("{floor} to 1"))
                    .with_rule(RuleId::Seat04),
            );
        }
    }
    Ok(())
}

/// Validates the bonuses against `cap_percent` of the purchased days
/// (R-SEAT-05) and against the discounts (one offer per duration), and
/// works out each bonus in whole days.
pub(crate) fn validate_bonuses(
    bonuses: &[BonusSpec],
    discounts: &[DiscountSpec],
    period: Period,
    cap_percent: Decimal,
) -> Result<Vec<Bonus>, PolicyError> {
    let rule = |e: PolicyError| e.with_rule(RuleId::Seat05);
    let hundred = Decimal::ONE_HUNDRED;
    let mut out = Vec::with_capacity(bonuses.len());
    // The first index of each duration, of the bonuses and of the discounts.
    let mut first = HashMap::with_capacity(bonuses.len());
    let mut discounted = HashMap::with_capacity(discounts.len());
    for (j, d) in discounts.iter().enumerate().rev() {
        discounted.insert(d.periods, j);
    }
    for (i, b) in bonuses.iter().enumerate() {
        let field = |name: &str| format!("bonuses[{i}].{name}");
        periods_at_least_one(&field("periods"), b.periods, RuleId::Seat05)?;
        if let Some(&j) = first.get(&b.periods) {
            return Err(rule(PolicyError::new(
                field("periods"),
                format!(
                    "{} periods already has bonus days (bonuses[{j}])",
                    b.periods
                ),
                "one bonus per duration",
            )));
        }
        first.insert(b.periods, i);
        if let Some(&j) = discounted.get(&b.periods) {
            return Err(rule(PolicyError::new(
                field("periods"),
                format!(
                    "{} periods already has a price discount (discounts[{j}]); bonus days are \
                     the alternative to a discount, not an addition",
                    b.periods
                ),
                "a duration without a discount",
            )));
        }
        let too_long = || {
            rule(PolicyError::new(
                field("periods"),
                format!("{} periods is too long to count in days", b.periods),
                "a duration of at most 4294967295 days",
            ))
        };
        let purchased = period
            .length()
            .checked_mul(b.periods)
            .map_err(|_| too_long())?;
        let purchased_dec = Decimal::from(purchased.0);
        // The cap in days, exactly (365 x 35% = 127.75): comparing against
        // the exact value keeps "at most 35%" literal.
        let cap_days = exact::mul(purchased_dec, cap_percent)
            .and_then(|v| exact::div(v, hundred))
            .map_err(|_| too_long())?;
        let days = match b.bonus {
            BonusAmount::Days(days) => {
                if Decimal::from(days) > cap_days {
                    return Err(rule(PolicyError::new(
                        field("bonus.days"),
                        format!(
                            "{days} bonus days exceed {cap_percent}% of the {} purchased days \
                             ({cap_days})",
                            purchased.0
                        ),
                        format!("0 to {} days", cap_days.floor()),
                    )));
                }
                days
            }
            BonusAmount::Percent(percent) => {
                if percent.is_sign_negative() && !percent.is_zero() || percent > cap_percent {
                    return Err(rule(PolicyError::new(
                        field("bonus.percent"),
                        format!("{percent}% is out of range"),
                        format!("0 to {cap_percent}"),
                    )));
                }
                // Rounded down (R-SEAT-05 decision): at most `purchased`
                // days since the percentage is at most 100, so it fits u32.
                exact::mul(purchased_dec, percent)
                    .and_then(|v| exact::div(v, hundred))
                    .ok()
                    .and_then(|v| v.floor().to_u32())
                    .ok_or_else(too_long)?
            }
        };
        out.push(Bonus {
            spec: *b,
            days: Days(days),
        });
    }
    Ok(out)
}
