//! Daily settlement of live traffic (R-USE-09): a day's traffic or peak
//! bandwidth priced at its region's graduated tariff.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{ArithmeticError, Error, Figure, InRule, Reason};
use crate::money::Money;
use crate::pricing::{TierMode, TierTable};
use crate::quantity::Quantity;
use crate::rule::RuleId;

use super::traffic_methods::MethodState;
use super::traffic_policy::{BillingMethod, Region, TrafficPolicy};

/// One local day's measured usage in one region.
///
/// # JSON
///
/// ```json
/// {
///   "date": "2025-07-01",
///   "region": "mainland",
///   "traffic": {"value": "3", "unit": "TB"},
///   "peak_bandwidth": {"value": "800", "unit": "Mbps"}
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayUsage {
    /// The local day (in the policy's time zone).
    pub date: NaiveDate,
    /// The region the traffic was served in.
    pub region: Region,
    /// Playback traffic that day (a data quantity).
    pub traffic: Quantity,
    /// The day's peak bandwidth (a bandwidth quantity).
    pub peak_bandwidth: Quantity,
}

/// The part of a day's charge inside one tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargePart {
    /// The tier's index in its table.
    pub tier: usize,
    /// The tier's lower bound, in the tariff's unit.
    #[serde(with = "crate::decimal_serde::strict")]
    pub from: Decimal,
    /// The tier's upper bound; `None` when unbounded.
    #[serde(default, with = "crate::decimal_serde::strict_option")]
    pub to: Option<Decimal>,
    /// The quantity inside the tier.
    #[serde(with = "crate::decimal_serde::strict")]
    pub quantity: Decimal,
    /// The tier's price per unit.
    pub unit_price: Money,
    /// `quantity x unit_price` (plus the tier's flat amount, if any), exact.
    pub amount: Money,
}

/// One day's settled charge (R-USE-09).
///
/// # JSON
///
/// 3 TB in the mainland, by traffic (illustrative tiers):
///
/// ```json
/// {
///   "date": "2025-07-01",
///   "region": "mainland",
///   "method": "traffic",
///   "quantity": {"value": "3000", "unit": "GB"},
///   "parts": [
///     {
///       "tier": 0,
///       "from": "0",
///       "to": "2000",
///       "quantity": "2000",
///       "unit_price": {"amount": "0.20", "currency": "CNY"},
///       "amount": {"amount": "400.00", "currency": "CNY"}
///     },
///     {
///       "tier": 1,
///       "from": "2000",
///       "to": "10000",
///       "quantity": "1000",
///       "unit_price": {"amount": "0.18", "currency": "CNY"},
///       "amount": {"amount": "180.00", "currency": "CNY"}
///     }
///   ],
///   "exact": {"amount": "580.00", "currency": "CNY"},
///   "total": {"amount": "580.00", "currency": "CNY"}
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyCharge {
    /// The local day.
    pub date: NaiveDate,
    /// The region.
    pub region: Region,
    /// The method it was billed by.
    pub method: BillingMethod,
    /// The billed quantity, in the tariff's unit.
    pub quantity: Quantity,
    /// The graduated parts, one per tier reached.
    pub parts: Vec<ChargePart>,
    /// The sum of the parts, exact.
    pub exact: Money,
    /// `exact` rounded to the minor unit with the policy's rounding.
    pub total: Money,
}

impl TrafficPolicy {
    /// Settles one day by `method` (R-USE-09): the day's traffic or peak
    /// bandwidth, in the region's graduated tariff. The charge depends only
    /// on that day's quantity, its region and `method`, so days settle in
    /// any order, and again, with the same result.
    ///
    /// ```
    /// use billing_rules::quantity::{Quantity, Unit};
    /// use billing_rules::usage::{BillingMethod, DayUsage, Region};
    /// use chrono::NaiveDate;
    /// use rust_decimal::Decimal;
    ///
    /// let policy = billing_rules::presets::live_traffic()?;
    /// let day = DayUsage {
    ///     date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
    ///     region: Region::Mainland,
    ///     traffic: Quantity::new(Decimal::from(3), Unit::Terabyte),
    ///     peak_bandwidth: Quantity::new(Decimal::from(800), Unit::Megabit),
    /// };
    /// let charge = policy.settle_day(BillingMethod::Traffic, &day)?;
    /// // Illustrative tiers: 2000 GB x 0.20 + 1000 GB x 0.18 = 580
    /// assert_eq!(charge.total.to_string(), "CNY 580.00");
    /// assert_eq!(charge.parts.len(), 2);
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A refusal naming R-USE-09 for a negative quantity or a region the
    /// policy does not serve; an arithmetic error when the quantity is not
    /// of the tariff's dimension or does not convert exactly.
    pub fn settle_day(
        &self,
        method: BillingMethod,
        usage: &DayUsage,
    ) -> Result<DailyCharge, Error> {
        settle_day_unruled(self, method, usage).in_rule(RuleId::Use09)
    }

    /// Settles one day by the method `state` holds for it (R-USE-09), or a
    /// refusal naming R-USE-09 when no method was in force that day.
    ///
    /// ```
    /// use billing_rules::Decider;
    /// use billing_rules::quantity::{Quantity, Unit};
    /// use billing_rules::usage::{BillingMethod, BillingMethods, DayUsage, MethodCommand, Region};
    /// use billing_rules::RuleId;
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use rust_decimal::Decimal;
    ///
    /// let policy = billing_rules::presets::live_traffic()?;
    /// let opened = Utc.with_ymd_and_hms(2025, 7, 1, 4, 0, 0).unwrap(); // 2025-07-01 12:00 +08:00
    /// let open = MethodCommand::Open { method: BillingMethod::PeakBandwidth };
    /// let (state, _) = BillingMethods::run(&BillingMethods::initial(), &open, opened, &policy)?;
    ///
    /// let day = |month, day| DayUsage {
    ///     date: NaiveDate::from_ymd_opt(2025, month, day).unwrap(),
    ///     region: Region::Mainland,
    ///     traffic: Quantity::new(Decimal::from(3), Unit::Terabyte),
    ///     peak_bandwidth: Quantity::new(Decimal::from(800), Unit::Megabit),
    /// };
    /// // Illustrative tiers: 500 Mbps x 0.65 + 300 Mbps x 0.60 = 505.
    /// assert_eq!(policy.settle(&state, &day(7, 2))?.total.to_string(), "CNY 505.00");
    /// // June 30 came before the account opened: no method was in force.
    /// let err = policy.settle(&state, &day(6, 30)).unwrap_err();
    /// assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Use09));
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`TrafficPolicy::settle_day`].
    pub fn settle(&self, state: &MethodState, usage: &DayUsage) -> Result<DailyCharge, Error> {
        let method = state.method_on(usage.date).ok_or_else(|| {
            Error::from(
                Reason::new(
                    RuleId::Use09,
                    format!(
                        "no billing method was in force on {}; open the account first",
                        usage.date
                    ),
                )
                .with(Figure::text("date", usage.date.to_string())),
            )
        })?;
        self.settle_day(method, usage)
    }
}

/// [`TrafficPolicy::settle_day`] before it names R-USE-09 on an arithmetic error.
fn settle_day_unruled(
    policy: &TrafficPolicy,
    method: BillingMethod,
    usage: &DayUsage,
) -> Result<DailyCharge, Error> {
    let tariff = policy.tariff(usage.region, method)?;
    let measured = match method {
        BillingMethod::Traffic => usage.traffic,
        BillingMethod::PeakBandwidth => usage.peak_bandwidth,
    };
    // Negative in any unit: refused before converting, which could
    // overflow and hide the reason.
    if measured.value().is_sign_negative() && !measured.value().is_zero() {
        return Err(Reason::new(
            RuleId::Use09,
            format!(
                "a day's {} cannot be negative ({measured}); report what was measured",
                method.name()
            ),
        )
        .with(Figure::quantity("quantity", measured))
        .into());
    }
    let quantity = measured.convert_to(tariff.unit())?;
    let value = quantity.value();
    let currency = policy.locale().currency;
    let mut parts = Vec::new();
    // Every part is in the table's currency: sum the amounts directly.
    let mut sum = Decimal::ZERO;
    if !value.is_zero() {
        let table = tariff.table();
        parts.reserve_exact(table.tiers().len());
        if table.mode() == TierMode::Graduated {
            graduated_parts(table, value, &mut parts)?;
        } else {
            for part in table.parts(value)? {
                let part = part?;
                let tier = table
                    .tiers()
                    .get(part.tier)
                    .ok_or_else(|| ArithmeticError::overflow("find a tier"))?;
                parts.push(ChargePart {
                    tier: part.tier,
                    from: tier.from(),
                    to: tier.to(),
                    quantity: part.quantity,
                    unit_price: tier.unit_price(),
                    amount: part.amount,
                });
            }
        }
        for part in &parts {
            sum = crate::exact::add(sum, part.amount.amount())?;
        }
    }
    let exact = Money::new(sum, currency);
    Ok(DailyCharge {
        date: usage.date,
        region: usage.region,
        method,
        quantity,
        parts,
        exact,
        total: exact.round_to_minor(policy.locale().rounding),
    })
}

/// The graduated parts of `quantity` (> 0) on a continuous axis: what
/// [`TierTable::parts`] gives, computed in one pass over the tiers. Daily
/// settlement runs for every customer every day, and the shared iterator
/// (a chain of optional iterators, and a flat amount added to every part
/// even when the tier has none) costs about a third of a settlement. A
/// property test (`r_use_09_settlement_parts_match_the_tier_table`) holds
/// the two equal, so the tier semantics stay in [`TierTable`].
fn graduated_parts(
    table: &TierTable,
    quantity: Decimal,
    parts: &mut Vec<ChargePart>,
) -> Result<(), Error> {
    for (i, tier) in table.tiers().iter().enumerate() {
        // On a continuous axis a tier holds the quantities above `from` up
        // to `to` (inclusive); the table is contiguous from 0.
        let top = tier.to().map_or(quantity, |to| to.min(quantity));
        let inside = crate::exact::sub(top, tier.from())?;
        let mut amount = tier.unit_price().checked_mul(inside)?;
        if !tier.flat().is_zero() {
            amount = amount.checked_add(tier.flat())?;
        }
        parts.push(ChargePart {
            tier: i,
            from: tier.from(),
            to: tier.to(),
            quantity: inside,
            unit_price: tier.unit_price(),
            amount,
        });
        if tier.to().is_none_or(|to| quantity <= to) {
            break;
        }
    }
    Ok(())
}
