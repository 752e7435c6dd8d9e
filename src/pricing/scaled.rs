//! Exact decimal products and sums on an `i128` mantissa: the fast path of
//! a seat quote's and a tier table's arithmetic (R-SEAT-02 to R-SEAT-04).
//!
//! Why not [`crate::exact`] alone: a seat quote is three products, and a
//! profile showed most of its time in the calls to `exact::mul`, each of
//! which hands a `Decimal` back through memory written a field at a time and
//! read back whole (a store-forwarding stall on every call). Here the
//! mantissas stay in registers as integers.
//!
//! Exactness is by construction: a product or sum is an integer operation,
//! checked for overflow, and a result a `Decimal` could not hold exactly
//! (more than 96 bits of mantissa, more than 28 decimal places) is `None`.
//! The caller then does the same arithmetic with `exact`, which gives the
//! same answer or the error, so this path never changes a figure: when it
//! answers, it answers what `exact::mul` / `exact::add` would, to the
//! representation (mantissa and scale). The tests below check that for
//! arbitrary operands.

use rust_decimal::Decimal;

/// The largest mantissa a `Decimal` holds: 2^96 - 1.
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// The most decimal places a `Decimal` holds.
const MAX_SCALE: u32 = 28;

/// A decimal `mantissa x 10^-scale` that a `Decimal` can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scaled {
    mantissa: i128,
    scale: u32,
}

impl Scaled {
    /// `value`, as it is written (same mantissa and scale).
    #[inline]
    pub(crate) fn of(value: Decimal) -> Scaled {
        Scaled {
            mantissa: value.mantissa(),
            scale: value.scale(),
        }
    }

    /// A whole number.
    #[inline]
    pub(crate) fn whole(n: u64) -> Scaled {
        Scaled {
            mantissa: i128::from(n),
            scale: 0,
        }
    }

    /// `mantissa x 10^-scale`, when a `Decimal` holds it.
    #[inline]
    fn fits(mantissa: i128, scale: u32) -> Option<Scaled> {
        (mantissa.unsigned_abs() <= MAX_MANTISSA && scale <= MAX_SCALE)
            .then_some(Scaled { mantissa, scale })
    }

    /// `self x other`, as `exact::mul` writes it: the product of the
    /// mantissas at the sum of the scales. `None` when a `Decimal` cannot
    /// hold it as such, and when either operand is zero: `exact` writes a
    /// zero's scale its own way, and a zero price is rare enough to take
    /// the slow path.
    #[inline]
    pub(crate) fn mul(self, other: Scaled) -> Option<Scaled> {
        if self.mantissa == 0 || other.mantissa == 0 {
            return None;
        }
        let (a, b) = (self.mantissa.unsigned_abs(), other.mantissa.unsigned_abs());
        let magnitude = match (u64::try_from(a), u64::try_from(b)) {
            // Prices and counts: one widening multiplication, which cannot
            // overflow (a 128-bit checked multiplication is a library call).
            (Ok(a), Ok(b)) => u128::from(a) * u128::from(b),
            _ => a.checked_mul(b)?,
        };
        let magnitude = i128::try_from(magnitude).ok()?;
        let negative = (self.mantissa < 0) != (other.mantissa < 0);
        let mantissa = if negative { -magnitude } else { magnitude };
        Scaled::fits(mantissa, self.scale.checked_add(other.scale)?)
    }

    /// `self + other`, as `exact::add` writes it: both aligned to the
    /// larger scale, then added. `None` when an aligned operand or the sum
    /// does not fit a `Decimal` at that scale, and when either operand is
    /// zero: `rust_decimal` returns the other operand as it is (`0.00 + 80`
    /// is `80`, not `80.00`), which `exact` follows.
    #[inline]
    pub(crate) fn add(self, other: Scaled) -> Option<Scaled> {
        if self.mantissa == 0 || other.mantissa == 0 {
            return None;
        }
        let scale = self.scale.max(other.scale);
        let a = self.aligned(scale)?;
        let b = other.aligned(scale)?;
        Scaled::fits(a.checked_add(b)?, scale)
    }

    /// The mantissa at `scale` (not below the own scale), when it fits.
    #[inline]
    fn aligned(self, scale: u32) -> Option<i128> {
        if scale == self.scale {
            return Some(self.mantissa);
        }
        let factor = 10i128.checked_pow(scale.checked_sub(self.scale)?)?;
        let mantissa = self.mantissa.checked_mul(factor)?;
        (mantissa.unsigned_abs() <= MAX_MANTISSA).then_some(mantissa)
    }

    /// The `Decimal`, built from its three 32-bit words (cheaper than
    /// `Decimal::try_from_i128_with_scale` in the hot path; the same value
    /// and representation).
    #[inline]
    pub(crate) fn decimal(self) -> Option<Decimal> {
        let m = self.mantissa.unsigned_abs();
        if m > MAX_MANTISSA || self.scale > MAX_SCALE {
            return None;
        }
        let word = |shift: u32| u32::try_from((m >> shift) & 0xFFFF_FFFF).ok();
        Some(Decimal::from_parts(
            word(0)?,
            word(32)?,
            word(64)?,
            self.mantissa < 0,
            self.scale,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact;
    use proptest::prelude::*;

    /// Any decimal: a mantissa of up to 96 bits (small ones more often, as
    /// prices are) at any scale.
    fn decimal() -> impl Strategy<Value = Decimal> {
        // Zero at any scale is drawn often: its scale is where a fast path
        // and `exact` could disagree.
        let mantissa = prop_oneof![
            1 => Just(0i128),
            4 => -10_000i128..=1_000_000,
            4 => -(MAX_MANTISSA as i128)..=(MAX_MANTISSA as i128),
        ];
        (mantissa, 0u32..=MAX_SCALE).prop_map(|(m, s)| Decimal::from_i128_with_scale(m, s))
    }

    /// Same value and same representation.
    fn same(a: Decimal, b: Decimal) -> bool {
        a.mantissa() == b.mantissa() && a.scale() == b.scale() && a.to_string() == b.to_string()
    }

    /// The cases a review found: a zero operand's scale. `0.00 + 80` is
    /// `80` in `exact`, not `80.00`, so the fast path declines.
    #[test]
    fn r_seat_03_a_zero_operand_takes_the_exact_path() {
        let zero = Decimal::new(0, 2);
        let eighty = Decimal::from(80);
        assert_eq!(Scaled::of(zero).add(Scaled::of(eighty)), None);
        assert_eq!(Scaled::of(eighty).add(Scaled::of(zero)), None);
        assert_eq!(Scaled::of(zero).mul(Scaled::whole(5)), None);
        assert_eq!(Scaled::of(eighty).mul(Scaled::whole(0)), None);
        assert!(matches!(exact::add(zero, eighty), Ok(sum) if same(sum, eighty)));
    }

    proptest! {
        #[test]
        fn r_seat_02_fast_products_are_exact_mul(a in decimal(), b in decimal()) {
            let fast = Scaled::of(a).mul(Scaled::of(b)).and_then(Scaled::decimal);
            match (fast, exact::mul(a, b)) {
                (Some(fast), Ok(slow)) => prop_assert!(same(fast, slow), "{a} x {b}: {fast} vs {slow}"),
                (Some(fast), Err(e)) => prop_assert!(false, "{a} x {b}: fast {fast}, exact {e}"),
                // Not on the fast path: the caller asks `exact`.
                (None, _) => {}
            }
        }

        #[test]
        fn r_seat_03_fast_sums_are_exact_add(a in decimal(), b in decimal()) {
            let fast = Scaled::of(a).add(Scaled::of(b)).and_then(Scaled::decimal);
            match (fast, exact::add(a, b)) {
                (Some(fast), Ok(slow)) => prop_assert!(same(fast, slow), "{a} + {b}: {fast} vs {slow}"),
                (Some(fast), Err(e)) => prop_assert!(false, "{a} + {b}: fast {fast}, exact {e}"),
                (None, _) => {}
            }
        }

        #[test]
        fn r_seat_02_prices_stay_on_the_fast_path(
            price in 1i64..=100_000_000, scale in 0u32..=4, count in 1u64..=10_000_000,
        ) {
            // Prices and seat counts of any real plan never leave it.
            let price = Decimal::new(price, scale);
            prop_assert!(Scaled::of(price).mul(Scaled::whole(count)).and_then(Scaled::decimal).is_some());
        }
    }
}
