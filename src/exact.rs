//! Exact decimal arithmetic: a result is either exact or an error.
//!
//! `rust_decimal`'s `checked_*` operations return `None` on overflow, but
//! when an exact result needs more than 96 bits of mantissa they round it to
//! fit, silently. These functions detect that and return
//! [`ArithmeticError::PrecisionLoss`], so no amount in this crate is ever
//! rounded by accident. Division is the one inexact operation: it keeps as
//! many digits as a `Decimal` holds (28 or 29 significant digits), and a
//! rule then rounds explicitly.
//!
//! The check is conservative at the very edge of the type: an exact result
//! that fits only after dropping trailing zeros that the operands did not
//! have (values with 28 significant digits) is also reported as a precision
//! loss. It is an error value, never a wrong number.
//!
//! ```
//! use billing_rules::exact;
//! use rust_decimal::Decimal;
//!
//! assert_eq!(exact::add(Decimal::new(1, 1), Decimal::new(2, 1))?, Decimal::new(3, 1));
//! // The exact sum needs 29 digits: an error, not a rounded number.
//! let big: Decimal = "7922816251887602361197133824".parse().unwrap();
//! assert!(exact::add(Decimal::new(-1, 1), big).is_err());
//! # Ok::<(), billing_rules::ArithmeticError>(())
//! ```

use rust_decimal::Decimal;

use crate::error::ArithmeticError;

/// The largest scale (digits after the point) a [`Decimal`] can carry: 28.
pub const MAX_SCALE: u32 = 28;

/// Compares two decimals. Values of one scale (tier bounds and seat counts
/// are whole numbers) compare by mantissa in a few instructions;
/// `Decimal::cmp` rescales first and costs about a hundred, which showed as
/// a third of a seat quote in a profile. Others fall back to `Decimal::cmp`.
///
/// ```
/// use billing_rules::exact;
/// use rust_decimal::Decimal;
/// use std::cmp::Ordering;
/// assert_eq!(exact::cmp(Decimal::from(50), Decimal::from(51)), Ordering::Less);
/// assert_eq!(exact::cmp(Decimal::new(500, 1), Decimal::from(50)), Ordering::Equal);
/// ```
pub fn cmp(a: Decimal, b: Decimal) -> std::cmp::Ordering {
    if a.scale() == b.scale() {
        a.mantissa().cmp(&b.mantissa())
    } else {
        a.cmp(&b)
    }
}

/// `a + b`, exactly.
pub fn add(a: Decimal, b: Decimal) -> Result<Decimal, ArithmeticError> {
    additive(a, b, Decimal::checked_add, "add")
}

/// `a - b`, exactly.
pub fn sub(a: Decimal, b: Decimal) -> Result<Decimal, ArithmeticError> {
    additive(a, b, Decimal::checked_sub, "subtract")
}

/// `a x b`, exactly.
pub fn mul(a: Decimal, b: Decimal) -> Result<Decimal, ArithmeticError> {
    // `rust_decimal` returns a zero product with scale 0, which the scale
    // check below would take for lost digits (0 x 0.1 is exactly 0).
    if a.is_zero() || b.is_zero() {
        return Ok(Decimal::ZERO);
    }
    let scale_of = |a: Decimal, b: Decimal| a.scale() + b.scale();
    checked(a, b, Decimal::checked_mul, scale_of, "multiply")
}

/// `a / b` to the precision a `Decimal` holds (28 or 29 significant
/// digits); an error on a zero divisor or overflow.
pub fn div(a: Decimal, b: Decimal) -> Result<Decimal, ArithmeticError> {
    if b.is_zero() {
        return Err(ArithmeticError::DivisionByZero);
    }
    a.checked_div(b)
        .ok_or_else(|| ArithmeticError::overflow("divide"))
}

fn additive(
    a: Decimal,
    b: Decimal,
    op: fn(Decimal, Decimal) -> Option<Decimal>,
    name: &'static str,
) -> Result<Decimal, ArithmeticError> {
    let scale_of = |a: Decimal, b: Decimal| a.scale().max(b.scale());
    checked(a, b, op, scale_of, name)
}

/// Runs `op`; the result is exact when it kept the scale the exact result
/// has. Only when the scale dropped are the operands normalized (trailing
/// zeros stripped) and the check repeated, so the common case costs one
/// comparison.
fn checked(
    a: Decimal,
    b: Decimal,
    op: fn(Decimal, Decimal) -> Option<Decimal>,
    exact_scale: fn(Decimal, Decimal) -> u32,
    name: &'static str,
) -> Result<Decimal, ArithmeticError> {
    let result = op(a, b).ok_or_else(|| ArithmeticError::overflow(name))?;
    if result.scale() >= exact_scale(a, b) {
        return Ok(result);
    }
    let (a, b) = (a.normalize(), b.normalize());
    let result = op(a, b).ok_or_else(|| ArithmeticError::overflow(name))?;
    if result.scale() >= exact_scale(a, b) {
        Ok(result)
    } else {
        Err(ArithmeticError::precision_loss(name))
    }
}
