//! How a seat quote is written and read back: the JSON shape, and the
//! re-check that a quote read from JSON is one the calculation gives.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::quote::{
    Figures, Quote, Validity, above_cap, list_and_discount, round_total, validity_end,
};
use super::steps::{PriceBasis, StepDetail, Steps};
use crate::money::Money;
use crate::pricing::TierMode;
use crate::time::{Days, Period, Zone};

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

impl<'de> Deserialize<'de> for Quote {
    /// Reads a quote's fields and steps, then checks them as
    /// `TryFrom<QuoteRepr>` says.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Quote, D::Error> {
        let repr = QuoteRepr::deserialize(deserializer)?;
        Quote::try_from(repr).map_err(serde::de::Error::custom)
    }
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
    let periods = quote.periods;
    // Days are counted from the start in the quote's zone (24-hour days
    // where it names none: a fixed offset), so its days and its end are
    // redone exactly, to the instant, daylight-saving days included.
    let zone = validity.time_zone.unwrap_or(Zone::UTC);
    if validity.start.is_none() && validity.time_zone.is_some() {
        return Err(wrong(
            "validity.time_zone (a quote without a start counts no local days)",
        ));
    }
    let purchased = match (quote.period, validity.start) {
        (Period::Calendar(_), Some(start)) => quote.period.days_after(start, periods, zone),
        _ => quote.period.length().checked_mul(periods),
    }
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
    let end = match validity.start {
        Some(start) => Some(
            validity_end(
                quote.period,
                start,
                periods,
                validity.bonus_days,
                validity.total_days,
                zone,
            )
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
