//! Checks shared by the policy builders; each returns a [`PolicyError`]
//! naming the field.

use std::fmt::Display;

use rust_decimal::Decimal;

use crate::error::PolicyError;
use crate::money::{Currency, Money};
use crate::rule::RuleId;

/// `value >= 0`.
pub fn non_negative(field: &str, value: Decimal) -> Result<(), PolicyError> {
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
pub fn positive(field: &str, value: Decimal) -> Result<(), PolicyError> {
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
pub fn in_range<T: PartialOrd + Display>(
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
pub fn ordered<T: PartialOrd + Display>(
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
pub fn amount(field: &str, value: Decimal, currency: Currency) -> Result<Money, PolicyError> {
    non_negative(field, value)?;
    Ok(Money::new(value, currency))
}
