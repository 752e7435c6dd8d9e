//! Checks shared by the policy builders; each returns a [`PolicyError`]
//! naming the field. Crate-private: a policy's own `TryFrom` is the public
//! way to check a spec.

use std::fmt::Display;

use rust_decimal::Decimal;

use crate::error::PolicyError;
use crate::money::{Currency, Money};
use crate::rule::RuleId;

/// `value >= 0`.
pub(crate) fn non_negative(field: &str, value: Decimal) -> Result<(), PolicyError> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(PolicyError::new(
            field,
            format!("{value} is negative"),
            "zero or more",
        ));
    }
    Ok(())
}

/// `value > 0`.
pub(crate) fn positive(field: &str, value: Decimal) -> Result<(), PolicyError> {
    if value <= Decimal::ZERO {
        return Err(PolicyError::new(
            field,
            format!("{value} is not above zero"),
            "more than zero",
        ));
    }
    Ok(())
}

/// `min <= value <= max`, naming `rule` when it sets the range.
pub(crate) fn in_range<T: PartialOrd + Display>(
    field: &str,
    value: T,
    min: T,
    max: T,
    rule: Option<RuleId>,
) -> Result<(), PolicyError> {
    if value < min || value > max {
        let err = PolicyError::new(
            field,
            format!("{value} is out of range"),
            format!("{min} to {max}"),
        );
        return Err(match rule {
            Some(rule) => err.with_rule(rule),
            None => err,
        });
    }
    Ok(())
}

/// `low <= high` for two fields that bound a range.
pub(crate) fn ordered<T: PartialOrd + Display>(
    low_field: &str,
    low: T,
    high_field: &str,
    high: T,
) -> Result<(), PolicyError> {
    if low > high {
        return Err(PolicyError::new(
            low_field,
            format!("{low} is above {high_field} ({high})"),
            format!("at most {high_field}"),
        ));
    }
    Ok(())
}

/// A non-negative amount in the policy's currency, as [`Money`].
///
/// Specs hold amounts as plain decimals in the policy's currency, so one
/// policy cannot mix currencies.
pub(crate) fn amount(
    field: &str,
    value: Decimal,
    currency: Currency,
) -> Result<Money, PolicyError> {
    non_negative(field, value)?;
    Ok(Money::new(value, currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_check_names_the_field_the_bounds_and_the_rule() {
        // R-SEAT-04's floor: a discount factor of 0.65 is outside 0.70 to 1.
        let (floor, factor) = (Decimal::new(70, 2), Decimal::new(65, 2));
        let checked = in_range(
            "discounts[0].factor",
            factor,
            floor,
            Decimal::ONE,
            Some(RuleId::Seat04),
        );
        assert_eq!(
            checked.map_err(|e| e.to_string()),
            Err(
                "invalid policy: `discounts[0].factor`: 0.65 is out of range; allowed: 0.70 to 1 \
                 (R-SEAT-04)"
                    .to_owned()
            )
        );
    }

    #[test]
    fn an_amount_takes_the_policy_currency_and_refuses_a_negative() {
        // Specs hold plain decimals; `amount` tags them with the policy's currency.
        let price = amount("pricing.unit_price", Decimal::from(100), Currency::CNY);
        assert_eq!(price.map(|p| p.to_string()), Ok("CNY 100.00".to_owned()));
        let negative = amount("max_total", Decimal::from(-1), Currency::CNY);
        assert_eq!(negative.map_err(|e| e.field), Err("max_total".to_owned()));
    }
}
