//! Upgrade credit (R-SEAT-08): the unused value of the current purchase,
//! credited against a new order.
//!
//! The rules this file implements are described in the
//! [pricing module docs](crate::pricing#upgrade-credit).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::policy::{CreditGranularity, CreditRule, SeatPolicy};
use super::quote::{Quote, SeatOrder};
use crate::error::{ArithmeticError, Error, Figure, Reason};
use crate::exact;
use crate::money::{Money, Rounding, RoundingMode};
use crate::rule::RuleId;
use crate::time::Zone;

/// The purchase being upgraded (R-SEAT-08).
///
/// # JSON
///
/// ```json
/// {
///   "paid": {"amount": "1000", "currency": "CNY"},
///   "start": "2024-12-31T16:00:00Z",
///   "end": "2025-12-31T16:00:00Z"
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentPurchase {
    /// What the customer paid for it.
    pub paid: Money,
    /// The first instant it covers.
    pub start: DateTime<Utc>,
    /// The first instant it no longer covers, bonus days included.
    pub end: DateTime<Utc>,
}

/// Which bound limited a credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditCap {
    /// The credit would have exceeded what was paid.
    Paid,
    /// The credit would have exceeded the new order's price.
    NewPrice,
}

impl CreditCap {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::Paid, Self::NewPrice];
}

/// An upgrade credit with the figures that produced it (R-SEAT-08).
///
/// # JSON
///
/// The published example (1000 paid for 365 days, 100 days left):
///
/// ```json
/// {
///   "granularity": "day",
///   "remaining": 100,
///   "total": 365,
///   "exact": {"amount": "273.97260273972602739726027397", "currency": "CNY"},
///   "rounding": "toward_zero",
///   "capped_by": null,
///   "amount": {"amount": "273.97", "currency": "CNY"}
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// What `remaining` and `total` count.
    pub granularity: CreditGranularity,
    /// Days (or seconds) of the current purchase not yet used.
    pub remaining: u64,
    /// Days (or seconds) of the current purchase's whole validity.
    pub total: u64,
    /// `paid x remaining / total`, before rounding: exact, or cut at the
    /// places a `Decimal` holds with a sticky last digit
    /// ([`exact::mul_div`]).
    pub exact: Money,
    /// The rounding of the true `paid x remaining / total` to the minor
    /// unit, applied once ([`exact::mul_div_round`]).
    pub rounding: RoundingMode,
    /// The bound that limited the credit, if any (never `NewPrice` for a
    /// pro-rata credit, which has no new price).
    pub capped_by: Option<CreditCap>,
    /// The credit granted.
    pub amount: Money,
}

impl CreditRule {
    /// The upgrade credit `current` earns against a new order priced
    /// `new_price`, at `now`, counting days in `zone` (R-SEAT-08), as
    /// described in [upgrade credit](crate::pricing#upgrade-credit): the
    /// [pro-rata credit](CreditRule::pro_rata) capped by `new_price`, so
    /// the amount due is never negative.
    ///
    /// Refused (R-SEAT-08) when the price paid is negative, when the
    /// purchase does not end after it starts, or when it spans no whole
    /// unit of the granularity (no local midnight, or under a second).
    /// Makes no heap allocation unless it refuses.
    pub fn credit(
        &self,
        zone: Zone,
        current: &CurrentPurchase,
        new_price: Money,
        now: DateTime<Utc>,
    ) -> Result<Credit, Error> {
        self.credit_capped(zone, current, Some(new_price), now)
    }

    /// The pro-rata credit of `current` at `now`, counting days in `zone`
    /// (R-SEAT-08): `paid x remaining / total`, rounded with this rule and
    /// never more than what was paid, but **not** capped by a new order's
    /// price, since there is none. What the unused time is worth, e.g. to
    /// show before the customer picks a new order. [`CreditRule::credit`]
    /// is this amount capped by the new price; the two differ only when the
    /// new order costs less than this credit.
    ///
    /// Refused as [`CreditRule::credit`] is. Makes no heap allocation unless
    /// it refuses.
    ///
    /// ```
    /// use billing_rules::money::Money;
    /// use billing_rules::pricing::{CreditCap, CreditRule, CurrentPurchase};
    /// use billing_rules::time::{Days, Zone};
    /// use chrono::{TimeZone, Utc};
    /// use rust_decimal::Decimal;
    ///
    /// let zone = Zone::BEIJING;
    /// let start = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap();
    /// let end = zone.plus_days(start, Days(365))?;
    /// let now = zone.minus_days(end, Days(100))?;
    /// let current = CurrentPurchase { paid: Money::cny(Decimal::from(1000)), start, end };
    /// let rule = CreditRule::default();
    /// assert_eq!(rule.pro_rata(zone, &current, now)?.amount.to_string(), "CNY 273.97");
    /// // Against a new order of 200.00 the upgrade credit stops at its price.
    /// let capped = rule.credit(zone, &current, Money::cny(Decimal::from(200)), now)?;
    /// assert_eq!(capped.amount.to_string(), "CNY 200.00");
    /// assert_eq!(capped.capped_by, Some(CreditCap::NewPrice));
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn pro_rata(
        &self,
        zone: Zone,
        current: &CurrentPurchase,
        now: DateTime<Utc>,
    ) -> Result<Credit, Error> {
        self.credit_capped(zone, current, None, now)
    }

    /// The pro-rata credit, capped by what was paid and, when given, by the
    /// new order's price.
    fn credit_capped(
        &self,
        zone: Zone,
        current: &CurrentPurchase,
        new_price: Option<Money>,
        now: DateTime<Utc>,
    ) -> Result<Credit, Error> {
        let paid = current.paid;
        if paid.is_negative() {
            return Err(Reason::new(
                RuleId::Seat08,
                format!("the price paid, {paid}, is negative; give what the customer paid"),
            )
            .with(Figure::money("paid", paid))
            .into());
        }
        if current.end <= current.start {
            return Err(Reason::new(
                RuleId::Seat08,
                format!(
                    "the current purchase ends at {}, not after its start at {}",
                    current.end.to_rfc3339(),
                    current.start.to_rfc3339()
                ),
            )
            .with(Figure::instant("start", current.start))
            .with(Figure::instant("end", current.end))
            .into());
        }
        let from = now.max(current.start);
        let (remaining, total) = match self.granularity {
            CreditGranularity::Day => {
                // Each instant's local day once: in an IANA zone every one
                // is an offset lookup.
                let end = first_midnight_day(zone, current.end)?;
                (
                    days_before(end, first_midnight_day(zone, from)?)?,
                    days_before(end, first_midnight_day(zone, current.start)?)?,
                )
            }
            CreditGranularity::Second => (
                whole_seconds_between(from, current.end),
                whole_seconds_between(current.start, current.end),
            ),
        };
        if total == 0 {
            return Err(Reason::new(
                RuleId::Seat08,
                format!(
                    "the current purchase ({} to {}) spans no whole {:?} to prorate over; \
                     use second granularity for so short a purchase",
                    current.start.to_rfc3339(),
                    current.end.to_rfc3339(),
                    self.granularity
                ),
            )
            .with(Figure::instant("start", current.start))
            .with(Figure::instant("end", current.end))
            .into());
        }
        let rounding = Rounding::minor_unit(paid.currency(), self.rounding);
        let (exact, rounded) = if remaining >= total {
            (paid, paid.round(rounding))
        } else if remaining == 0 {
            let zero = Money::zero(paid.currency());
            (zero, zero.round(rounding))
        } else {
            // Multiplied first, divided once, and the true quotient rounded
            // once: rounding a 28-digit quotient is a fen off for amounts
            // near 10^23 (two roundings of one amount).
            let (paid_amount, remaining, total) = (paid.amount(), remaining.into(), total.into());
            let shown = exact::mul_div(paid_amount, remaining, total)?;
            let amount = exact::mul_div_round(paid_amount, remaining, total, rounding)?;
            (
                Money::new(shown, paid.currency()),
                Money::new(amount, paid.currency()),
            )
        };
        let limit = match new_price {
            Some(new_price) => paid.checked_min(new_price)?,
            None => paid,
        };
        let (amount, capped_by) = if rounded.amount() > limit.amount() {
            let cap = match new_price {
                Some(new_price) if new_price.amount() <= paid.amount() => CreditCap::NewPrice,
                _ => CreditCap::Paid,
            };
            (limit, Some(cap))
        } else {
            (rounded, None)
        };
        // A negative new price could only come from a caller; a credit is
        // never below zero.
        let amount = amount.checked_max(Money::zero(paid.currency()))?;
        Ok(Credit {
            granularity: self.granularity,
            remaining,
            total,
            exact,
            rounding: self.rounding,
            capped_by,
            amount,
        })
    }
}

/// Local midnights in `[from, to)` (the local days that begin in it), from
/// the day numbers of [`first_midnight_day`] of `to` and `from`.
fn days_before(to: i64, from: i64) -> Result<u64, Error> {
    let days = to
        .checked_sub(from)
        .ok_or(ArithmeticError::overflow("count days"))?;
    // A negative count means `from` is after `to`: no day lies between.
    Ok(u64::try_from(days).unwrap_or(0))
}

/// The local day number (days since 1970-01-01 local) of the first local
/// midnight at or after `instant`.
fn first_midnight_day(zone: Zone, instant: DateTime<Utc>) -> Result<i64, ArithmeticError> {
    const DAY: i64 = 86_400;
    // One offset lookup: the offset in force at `instant` gives its local
    // day in every zone, fixed or IANA.
    let local = instant
        .timestamp()
        .checked_add(i64::from(zone.offset_at(instant).local_minus_utc()))
        .ok_or(ArithmeticError::overflow("local time"))?;
    let day = local.div_euclid(DAY);
    let mut into_day = local.rem_euclid(DAY) != 0 || instant.timestamp_subsec_nanos() != 0;
    // A day whose midnight the clocks jumped over starts at the end of the
    // jump, not at 00:00: only then can a start not at 00:00 be a start.
    if into_day && zone.fixed_offset().is_none() && local.rem_euclid(DAY) < 3 * 3600 {
        into_day = zone.start_of_local_day(instant)? != instant;
    }
    day.checked_add(i64::from(into_day))
        .ok_or(ArithmeticError::overflow("local day"))
}

/// Whole seconds from `from` to `to`, 0 when `to` is not later.
fn whole_seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    u64::try_from((to - from).num_seconds()).unwrap_or(0)
}

/// An upgrade priced: the new order's quote, the credit, and what is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upgrade {
    /// The new order, priced as a new purchase.
    pub quote: Quote,
    /// The credit for the current purchase (R-SEAT-08).
    pub credit: Credit,
    /// `quote.total - credit.amount`, never negative.
    pub amount_due: Money,
}

impl SeatPolicy {
    /// The upgrade credit `current` earns under this policy's credit rule
    /// and zone against a new order priced `new_price`, at `now`
    /// (R-SEAT-08): [`CreditRule::credit`], capped by `new_price`.
    /// [`SeatPolicy::pro_rata_credit`] is the same credit before that cap.
    pub fn credit(
        &self,
        current: &CurrentPurchase,
        new_price: Money,
        now: DateTime<Utc>,
    ) -> Result<Credit, Error> {
        self.credit_rule()
            .credit(self.locale().time_zone, current, new_price, now)
            .map_err(|e| e.in_rule(RuleId::Seat08))
    }

    /// The pro-rata credit of `current` at `now` under this policy's credit
    /// rule and zone (R-SEAT-08), **before** the cap by a new order's price
    /// ([`CreditRule::pro_rata`]): what the unused time is worth, with no
    /// new order to invent. [`SeatPolicy::credit`] and
    /// [`SeatPolicy::upgrade`] cap it by the new order's price.
    ///
    /// ```
    /// use billing_rules::money::Money;
    /// use billing_rules::pricing::CurrentPurchase;
    /// use billing_rules::time::Days;
    /// use chrono::{TimeZone, Utc};
    /// use rust_decimal::Decimal;
    ///
    /// let policy = billing_rules::presets::app_store_seat_pricing()?;
    /// let zone = policy.locale().time_zone;
    /// let start = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap();
    /// let end = zone.plus_days(start, Days(365))?;
    /// let current = CurrentPurchase { paid: Money::cny(Decimal::from(1000)), start, end };
    /// let credit = policy.pro_rata_credit(&current, zone.minus_days(end, Days(100))?)?;
    /// assert_eq!((credit.remaining, credit.total), (100, 365));
    /// assert_eq!(credit.amount.to_string(), "CNY 273.97");
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn pro_rata_credit(
        &self,
        current: &CurrentPurchase,
        now: DateTime<Utc>,
    ) -> Result<Credit, Error> {
        self.credit_rule()
            .pro_rata(self.locale().time_zone, current, now)
            .map_err(|e| e.in_rule(RuleId::Seat08))
    }

    /// Prices an upgrade at `now` (R-SEAT-08): `new_order` is quoted as a new
    /// purchase (starting at `now` unless it says otherwise), and the current
    /// purchase's credit, capped by the new order's total
    /// ([`SeatPolicy::credit`]), is subtracted from that total.
    /// Makes no heap allocation unless it refuses.
    ///
    /// ```
    /// use billing_rules::money::Money;
    /// use billing_rules::pricing::{CurrentPurchase, SeatOrder};
    /// use billing_rules::time::Days;
    /// use chrono::{TimeZone, Utc};
    /// use rust_decimal::Decimal;
    ///
    /// let policy = billing_rules::presets::app_store_seat_pricing()?;
    /// let zone = policy.locale().time_zone;
    /// let start = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap();
    /// let end = zone.plus_days(start, Days(365))?;
    /// let current = CurrentPurchase { paid: Money::cny(Decimal::from(1000)), start, end };
    /// let now = zone.minus_days(end, Days(100))?;
    /// let up = policy.upgrade(&current, &SeatOrder::new(20, 1), now)?;
    /// assert_eq!(up.quote.total.to_string(), "CNY 2000.00"); // 20 x 100.00
    /// assert_eq!(up.credit.amount.to_string(), "CNY 273.97");
    /// assert_eq!(up.amount_due.to_string(), "CNY 1726.03");
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn upgrade(
        &self,
        current: &CurrentPurchase,
        new_order: &SeatOrder,
        now: DateTime<Utc>,
    ) -> Result<Upgrade, Error> {
        let order = SeatOrder {
            start: new_order.start.or(Some(now)),
            ..*new_order
        };
        let quote = self.quote(&order)?;
        let credit = self.credit(current, quote.total, now)?;
        let amount_due = quote
            .total
            .checked_sub(credit.amount)
            .map_err(|e| Error::from(e).in_rule(RuleId::Seat08))?;
        Ok(Upgrade {
            quote,
            credit,
            amount_due,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::CreditCap;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(CreditCap: Paid, NewPrice);
    }
}
