//! [`RoundingMode`] and [`Rounding`]: how a rule rounds, applied
//! explicitly.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::currency::Currency;

/// The largest scale (digits after the point) a [`Decimal`] can carry: 28.
pub const MAX_SCALE: u32 = 28;

/// How to round a value to a scale.
///
/// `HalfUp` is the commercial rule (ties away from zero); `HalfEven` is
/// banker's rounding; `TowardZero` truncates, which for the non-negative
/// amounts of billing is "round down" (R-SEAT-08 rounds credit this way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Nearest; ties away from zero (2.345 -> 2.35, -2.345 -> -2.35).
    HalfUp,
    /// Nearest; ties to the even digit (2.345 -> 2.34, 2.355 -> 2.36).
    HalfEven,
    /// Drop the extra digits (2.349 -> 2.34, -2.349 -> -2.34).
    TowardZero,
    /// Any extra digit rounds outward (2.341 -> 2.35, -2.341 -> -2.35).
    AwayFromZero,
    /// Toward negative infinity (2.349 -> 2.34, -2.341 -> -2.35).
    Floor,
    /// Toward positive infinity (2.341 -> 2.35, -2.349 -> -2.34).
    Ceiling,
}

impl RoundingMode {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 6] = [
        Self::HalfUp,
        Self::HalfEven,
        Self::TowardZero,
        Self::AwayFromZero,
        Self::Floor,
        Self::Ceiling,
    ];
}

impl fmt::Display for RoundingMode {
    /// The mode's JSON name, so a refusal or a log line reads like the
    /// policy it came from.
    ///
    /// ```
    /// use billing_rules::money::RoundingMode;
    /// assert_eq!(RoundingMode::HalfUp.to_string(), "half_up");
    /// assert_eq!(RoundingMode::TowardZero.to_string(), "toward_zero");
    /// assert_eq!(serde_json::to_string(&RoundingMode::HalfEven).unwrap(), "\"half_even\"");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RoundingMode::HalfUp => "half_up",
            RoundingMode::HalfEven => "half_even",
            RoundingMode::TowardZero => "toward_zero",
            RoundingMode::AwayFromZero => "away_from_zero",
            RoundingMode::Floor => "floor",
            RoundingMode::Ceiling => "ceiling",
        })
    }
}

impl RoundingMode {
    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::TowardZero => RoundingStrategy::ToZero,
            RoundingMode::AwayFromZero => RoundingStrategy::AwayFromZero,
            RoundingMode::Floor => RoundingStrategy::ToNegativeInfinity,
            RoundingMode::Ceiling => RoundingStrategy::ToPositiveInfinity,
        }
    }
}

/// A rounding mode and the scale to round to, applied explicitly.
///
/// ```
/// use billing_rules::money::{Rounding, RoundingMode};
/// use rust_decimal::Decimal;
///
/// let r = Rounding::new(RoundingMode::HalfEven, 2);
/// assert_eq!(r.apply(Decimal::new(2345, 3)), Decimal::new(234, 2));
/// assert_eq!(r.apply(Decimal::new(2355, 3)), Decimal::new(236, 2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rounding {
    /// How ties and extra digits are treated.
    pub mode: RoundingMode,
    /// Digits kept after the decimal point (at most 28; a larger scale keeps
    /// every digit, since a `Decimal` has no more).
    pub scale: u32,
}

impl Rounding {
    /// A rounding to `scale` digits with `mode`.
    pub const fn new(mode: RoundingMode, scale: u32) -> Rounding {
        Rounding { mode, scale }
    }

    /// Rounding to the minor unit of `currency` (0.01 for CNY).
    pub fn minor_unit(currency: Currency, mode: RoundingMode) -> Rounding {
        Rounding::new(mode, currency.scale())
    }

    /// Rounds `value` to exactly `scale` digits after the point: extra
    /// digits are rounded by the mode, missing ones are padded with zeros
    /// (300 becomes 300.00), so a rounded amount always reads, and
    /// serializes, at its minor unit. Padding is skipped only where the
    /// padded value would not fit a `Decimal` (about 28 digits in all); the
    /// value is unchanged then. Idempotent: rounding a rounded value changes
    /// nothing.
    ///
    /// ```
    /// use billing_rules::money::{Rounding, RoundingMode};
    /// use rust_decimal::Decimal;
    /// let r = Rounding::new(RoundingMode::HalfUp, 2);
    /// assert_eq!(r.apply(Decimal::from(300)).to_string(), "300.00");
    /// assert_eq!(r.apply(Decimal::new(27397, 5)).to_string(), "0.27");
    /// ```
    pub fn apply(&self, value: Decimal) -> Decimal {
        let scale = self.scale.min(MAX_SCALE);
        if value.scale() > scale {
            return value.round_dp_with_strategy(scale, self.mode.strategy());
        }
        let mut padded = value;
        padded.rescale(scale);
        // `rescale` rounds when the padded mantissa would overflow; padding
        // must never change the value, so keep the original then.
        if padded == value { padded } else { value }
    }
}

#[cfg(test)]
mod tests {
    use super::RoundingMode;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(
            RoundingMode: HalfUp,
            HalfEven,
            TowardZero,
            AwayFromZero,
            Floor,
            Ceiling,
        );
    }
}
