//! [`Quantity`]: an exact value in a unit, converted and compared without
//! rounding.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::unit::Unit;
use crate::error::ArithmeticError;
use crate::exact;
use crate::money::MAX_SCALE;

/// An exact amount of something, in a unit.
///
/// Serialized as `{"value": "20", "unit": "GB"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Quantity {
    #[serde(with = "crate::decimal_serde::strict")]
    value: Decimal,
    unit: Unit,
}

impl Quantity {
    /// `value` of `unit`, kept exactly.
    pub const fn new(value: Decimal, unit: Unit) -> Quantity {
        Quantity { value, unit }
    }

    /// The value, in [`Quantity::unit`].
    pub const fn value(&self) -> Decimal {
        self.value
    }

    /// The unit.
    pub const fn unit(&self) -> Unit {
        self.unit
    }

    /// The same quantity in `unit`, exactly.
    ///
    /// Errors: [`ArithmeticError::IncompatibleUnits`] across dimensions;
    /// [`ArithmeticError::Overflow`] when the value does not fit a `Decimal`;
    /// [`ArithmeticError::PrecisionLoss`] when it would need more than 28
    /// digits after the point.
    pub fn convert_to(&self, unit: Unit) -> Result<Quantity, ArithmeticError> {
        if self.unit.dimension() != unit.dimension() {
            return Err(ArithmeticError::IncompatibleUnits {
                from: self.unit,
                to: unit,
            });
        }
        let from = self.unit.exponent();
        let to = unit.exponent();
        let value = match from.cmp(&to) {
            Ordering::Equal => self.value,
            Ordering::Greater => shift_up(self.value, from - to)?,
            Ordering::Less => shift_down(self.value, to - from)?,
        };
        Ok(Quantity::new(value, unit))
    }

    /// Compares two quantities of one dimension exactly, whatever their units
    /// and however large or small: the comparison never converts into a
    /// value that could overflow, so `Decimal::MAX` TB is greater than 20 GB
    /// and 10^-28 B is less than 1 TB.
    ///
    /// Errors: [`ArithmeticError::IncompatibleUnits`] across dimensions, the
    /// only case with no answer.
    ///
    /// ```
    /// use billing_rules::quantity::{Quantity, Unit};
    /// use rust_decimal::Decimal;
    /// use std::cmp::Ordering;
    /// let a = Quantity::new(Decimal::from(20), Unit::Gigabyte);
    /// let b = Quantity::new(Decimal::new(2, 2), Unit::Terabyte);
    /// assert_eq!(a.checked_cmp(&b)?, Ordering::Equal);
    /// let huge = Quantity::new(Decimal::MAX, Unit::Terabyte);
    /// assert_eq!(huge.checked_cmp(&a)?, Ordering::Greater);
    /// assert!(a.checked_cmp(&Quantity::new(Decimal::ONE, Unit::Call)).is_err());
    /// # Ok::<(), billing_rules::ArithmeticError>(())
    /// ```
    pub fn checked_cmp(&self, other: &Quantity) -> Result<Ordering, ArithmeticError> {
        if self.unit.dimension() != other.unit.dimension() {
            return Err(ArithmeticError::IncompatibleUnits {
                from: other.unit,
                to: self.unit,
            });
        }
        let (a, b) = (self.value, other.value);
        let sign = |d: Decimal| match (d.is_zero(), d.is_sign_negative()) {
            (true, _) => 0i8,
            (false, true) => -1,
            (false, false) => 1,
        };
        let (sign_a, sign_b) = (sign(a), sign(b));
        if sign_a != sign_b || sign_a == 0 {
            return Ok(sign_a.cmp(&sign_b));
        }
        // value x 10^exponent = mantissa x 10^(exponent - scale); both powers
        // are small (units go to 10^12, scales to 28), so their difference
        // fits an i64 and only the mantissas need scaling.
        let power = |d: Decimal, unit: Unit| i64::from(unit.exponent()) - i64::from(d.scale());
        let shift = power(a, self.unit) - power(b, other.unit);
        let (ma, mb) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
        let magnitude = if shift >= 0 {
            cmp_shifted(ma, shift.unsigned_abs(), mb)
        } else {
            cmp_shifted(mb, shift.unsigned_abs(), ma).reverse()
        };
        Ok(if sign_a < 0 {
            magnitude.reverse()
        } else {
            magnitude
        })
    }

    /// `self + other`, in `self`'s unit.
    pub fn checked_add(&self, other: &Quantity) -> Result<Quantity, ArithmeticError> {
        let other = other.convert_to(self.unit)?;
        let value = exact::add(self.value, other.value)?;
        Ok(Quantity::new(value, self.unit))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value.normalize(), self.unit)
    }
}

/// Compares `a x 10^shift` with `b`, for non-zero `a`. A product past
/// `u128` is greater than any `b` (a mantissa has 96 bits).
fn cmp_shifted(a: u128, shift: u64, b: u128) -> Ordering {
    let product = u32::try_from(shift)
        .ok()
        .and_then(|shift| 10u128.checked_pow(shift))
        .and_then(|factor| a.checked_mul(factor));
    match product {
        Some(product) => product.cmp(&b),
        None => Ordering::Greater,
    }
}

/// `value x 10^exp`, exactly or an overflow error.
fn shift_up(value: Decimal, exp: u32) -> Result<Decimal, ArithmeticError> {
    let overflow = ArithmeticError::overflow("convert units");
    let scale = value.scale();
    if scale >= exp {
        let mut shifted = value;
        // Lowering the scale keeps the mantissa: exact.
        shifted
            .set_scale(scale - exp)
            .map_err(|_| overflow.clone())?;
        return Ok(shifted);
    }
    let factor = 10i128.checked_pow(exp - scale).ok_or(overflow.clone())?;
    let mantissa = value
        .mantissa()
        .checked_mul(factor)
        .ok_or(overflow.clone())?;
    Decimal::try_from_i128_with_scale(mantissa, 0).map_err(|_| overflow)
}

/// `value / 10^exp`, exactly or a precision-loss error.
fn shift_down(value: Decimal, exp: u32) -> Result<Decimal, ArithmeticError> {
    let value = if value.scale() + exp > MAX_SCALE {
        value.normalize()
    } else {
        value
    };
    let scale = value.scale() + exp;
    if scale > MAX_SCALE {
        return Err(ArithmeticError::precision_loss("convert units"));
    }
    let mut shifted = value;
    // Raising the scale keeps the mantissa: exact.
    shifted
        .set_scale(scale)
        .map_err(|_| ArithmeticError::precision_loss("convert units"))?;
    Ok(shifted)
}
