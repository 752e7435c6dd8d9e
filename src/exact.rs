//! Exact decimal arithmetic: a result is either exact or an error.
//!
//! `rust_decimal`'s `checked_*` operations return `None` on overflow, but
//! when an exact result needs more than 96 bits of mantissa they round it to
//! fit, silently. These functions detect that and return
//! [`ArithmeticError::PrecisionLoss`], so no amount in this crate is ever
//! rounded by accident. Division is the one inexact operation: [`div`]
//! keeps as many digits as a `Decimal` holds (28 or 29 significant digits),
//! and a rule then rounds explicitly. Where a rule divides and rounds,
//! [`mul_div_round`] (and [`div_round`]) multiply first, divide once and
//! round the true quotient once, on the integer mantissas, so no cut digit
//! can tip the rounding.
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
use crate::money::MAX_SCALE;
use crate::money::Rounding;
use crate::money::RoundingMode;

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

/// `a x b / c`, rounded once, exactly, to `rounding.scale` places with
/// `rounding.mode`: the true quotient is rounded, not a 28-digit cut of it.
///
/// Why multiply before dividing, and why round the true value: `a / c`
/// first keeps 28 or 29 digits, and the product of that cut carries its
/// error (`1 / 3 x 3` is 0.9999..., which a floor rounds to 0.99). Here the
/// quotient is computed on the integer mantissas (with 384 bits when they
/// do not fit 128), so the rounding sees the exact remainder.
///
/// The result has exactly `rounding.scale` places, padded with zeros
/// (`Rounding::apply` does the same); a scale above 28 rounds to 28, the
/// most a `Decimal` holds. Where the rounded value does not fit at that
/// scale, it is returned unpadded when it is exact at a smaller scale, and
/// is an overflow otherwise.
///
/// Errors: [`ArithmeticError::DivisionByZero`] for `c = 0`; an overflow
/// when the rounded quotient does not fit a `Decimal`.
///
/// ```
/// use billing_rules::exact;
/// use billing_rules::money::{Rounding, RoundingMode};
/// use rust_decimal::Decimal;
///
/// let floor = Rounding::new(RoundingMode::Floor, 2);
/// // 3 x 1 / 3 is 1: dividing first would give 0.99.
/// let one = exact::mul_div_round(Decimal::from(3), Decimal::ONE, Decimal::from(3), floor)?;
/// assert_eq!(one.to_string(), "1.00");
/// // 2 x 1 / 3 = 0.666..., to the fen in each direction.
/// let up = Rounding::new(RoundingMode::Ceiling, 2);
/// assert_eq!(exact::mul_div_round(Decimal::TWO, Decimal::ONE, Decimal::from(3), floor)?.to_string(), "0.66");
/// assert_eq!(exact::mul_div_round(Decimal::TWO, Decimal::ONE, Decimal::from(3), up)?.to_string(), "0.67");
/// # Ok::<(), billing_rules::ArithmeticError>(())
/// ```
pub fn mul_div_round(
    a: Decimal,
    b: Decimal,
    c: Decimal,
    rounding: Rounding,
) -> Result<Decimal, ArithmeticError> {
    let ratio = Ratio::new(a, b, c)?;
    let scale = rounding.scale.min(MAX_SCALE);
    if let Some((q, rest)) = ratio.at(scale)? {
        let q = if rounds_away(rounding.mode, ratio.negative, q, rest) {
            q + 1
        } else {
            q
        };
        return ratio.decimal(q, scale).ok_or_else(overflow);
    }
    // Too large to carry `scale` places: exact at the most places it fits,
    // or not representable once rounded.
    for s in (0..scale).rev() {
        match ratio.at(s)? {
            Some((q, Rest::Zero)) => return ratio.decimal(q, s).ok_or_else(overflow),
            Some(_) => return Err(overflow()),
            None => {}
        }
    }
    Err(overflow())
}

/// `a / b`, rounded once, exactly: [`mul_div_round`] with `1` for `b`'s
/// place. The rounding sees the true quotient, so a floor of `0.29 / 0.01`
/// is 29 and a half-even of a true tie is the even neighbour.
///
/// ```
/// use billing_rules::exact;
/// use billing_rules::money::{Rounding, RoundingMode};
/// use rust_decimal::Decimal;
///
/// let half_even = Rounding::new(RoundingMode::HalfEven, 2);
/// // 0.125 is a true tie: to the even fen.
/// assert_eq!(exact::div_round(Decimal::ONE, Decimal::from(8), half_even)?.to_string(), "0.12");
/// # Ok::<(), billing_rules::ArithmeticError>(())
/// ```
pub fn div_round(a: Decimal, b: Decimal, rounding: Rounding) -> Result<Decimal, ArithmeticError> {
    mul_div_round(a, Decimal::ONE, b, rounding)
}

/// `a x b / c`, multiplied before it is divided, as a figure to show before
/// a rule rounds it.
///
/// When the quotient ends within the places a `Decimal` holds, it is exact,
/// written with the places of `a x b / c`'s operands (`0.035 x 600 / 1` is
/// 21.000) or more where it needs them. Otherwise it is cut to the most
/// places that fit (28 for a quotient below 7.9) and its last digit is made
/// odd: a *sticky* digit, the "round to odd" rule. So a cut figure never
/// ends in 0 and never sits on a half-way point two or more places up, and
/// rounding it to two or more places fewer, in any mode, gives what
/// rounding the true quotient gives ([`mul_div_round`] of the same
/// operands). Round with that function, or check that the figure has two
/// places more than the rounding keeps.
///
/// Errors: [`ArithmeticError::DivisionByZero`] for `c = 0`; an overflow
/// when the quotient does not fit a `Decimal`.
///
/// ```
/// use billing_rules::exact;
/// use rust_decimal::Decimal;
///
/// let exact = exact::mul_div(Decimal::new(35, 3), Decimal::from(600), Decimal::ONE)?;
/// assert_eq!(exact.to_string(), "21.000");
/// // 2 x 1 / 3 = 0.666...: cut at 28 places, ...666, and the last made odd.
/// let third = exact::mul_div(Decimal::TWO, Decimal::ONE, Decimal::from(3))?;
/// assert_eq!(third.to_string(), "0.6666666666666666666666666667");
/// let thirtieth = exact::mul_div(Decimal::ONE, Decimal::ONE, Decimal::from(30))?;
/// assert_eq!(thirtieth.to_string(), "0.0333333333333333333333333333");
/// # Ok::<(), billing_rules::ArithmeticError>(())
/// ```
pub fn mul_div(a: Decimal, b: Decimal, c: Decimal) -> Result<Decimal, ArithmeticError> {
    let ratio = Ratio::new(a, b, c)?;
    // The integer part's digits bound the places that fit: a value below
    // 10^d carries 28 - d places for certain, and perhaps one more.
    let (whole, _) = ratio.at(0)?.ok_or_else(overflow)?;
    let digits = if whole == 0 { 0 } else { whole.ilog10() + 1 };
    let most = MAX_SCALE.min((MAX_SCALE + 1).saturating_sub(digits));
    for scale in (0..=most).rev() {
        let Some((q, rest)) = ratio.at(scale)? else {
            continue;
        };
        if rest != Rest::Zero {
            return ratio.decimal(q | 1, scale).ok_or_else(overflow);
        }
        let (mut q, mut scale) = (q, scale);
        while scale > ratio.preferred_scale && q % 10 == 0 {
            q /= 10;
            scale -= 1;
        }
        return ratio.decimal(q, scale).ok_or_else(overflow);
    }
    Err(overflow())
}

fn overflow() -> ArithmeticError {
    ArithmeticError::overflow("divide and round")
}

/// Where the part of a quotient below its last kept place lies, against
/// half of that place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rest {
    Zero,
    BelowHalf,
    Half,
    AboveHalf,
}

/// Whether rounding adds one to the magnitude `q` in `mode`, given the rest
/// below it and the sign of the value.
fn rounds_away(mode: RoundingMode, negative: bool, q: u128, rest: Rest) -> bool {
    let inexact = rest != Rest::Zero;
    match mode {
        RoundingMode::TowardZero => false,
        RoundingMode::AwayFromZero => inexact,
        RoundingMode::Floor => negative && inexact,
        RoundingMode::Ceiling => !negative && inexact,
        RoundingMode::HalfUp => rest >= Rest::Half,
        RoundingMode::HalfEven => rest == Rest::AboveHalf || (rest == Rest::Half && q % 2 == 1),
    }
}

/// `|a x b / c|` as integers: `ab x 10^exp / c`, with the value's sign.
struct Ratio {
    negative: bool,
    ab_lo: u128,
    ab_hi: u128,
    c: u128,
    /// `c`'s scale less `a`'s and `b`'s.
    exp: i64,
    /// The scale of `a x b / c` as `Decimal` writes a quotient of exact
    /// operands: `a`'s and `b`'s places less `c`'s, at least 0.
    preferred_scale: u32,
}

impl Ratio {
    fn new(a: Decimal, b: Decimal, c: Decimal) -> Result<Ratio, ArithmeticError> {
        if c.is_zero() {
            return Err(ArithmeticError::DivisionByZero);
        }
        let (ab_hi, ab_lo) = widening_mul(a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
        let negative = (a.is_sign_negative() != b.is_sign_negative()) != c.is_sign_negative();
        let places = i64::from(a.scale()) + i64::from(b.scale());
        Ok(Ratio {
            negative: negative && !a.is_zero() && !b.is_zero(),
            ab_lo,
            ab_hi,
            c: c.mantissa().unsigned_abs(),
            exp: i64::from(c.scale()) - places,
            preferred_scale: u32::try_from(places - i64::from(c.scale())).unwrap_or(0),
        })
    }

    /// The quotient's magnitude times `10^scale`: its whole part and the
    /// rest, or `None` when the whole part is 2^96 or more (no `Decimal`
    /// holds it at that scale).
    fn at(&self, scale: u32) -> Result<Option<(u128, Rest)>, ArithmeticError> {
        let e = self.exp + i64::from(scale);
        let (up, down) = (
            u32::try_from(e).unwrap_or(0),
            u32::try_from(-e).unwrap_or(0),
        );
        // Operands that fit 128 bits take one native division.
        if self.ab_hi == 0
            && let Some(n) = 10u128
                .checked_pow(up)
                .and_then(|p| p.checked_mul(self.ab_lo))
            && let Some(d) = 10u128.checked_pow(down).and_then(|p| p.checked_mul(self.c))
        {
            let q = n / d;
            if q > MAX_MANTISSA {
                return Ok(None);
            }
            let r = n % d;
            return Ok(Some((q, rest_of(r.cmp(&(d - r)), r == 0))));
        }
        let n = Wide::from_parts(self.ab_lo, self.ab_hi)
            .times_ten_to(up)
            .ok_or_else(overflow)?;
        let d = Wide::from_parts(self.c, 0)
            .times_ten_to(down)
            .ok_or_else(overflow)?;
        Ok(n.div_rem(&d)?.map(|(q, r)| {
            let zero = r == Wide::ZERO;
            let other = d.minus(&r);
            (q, rest_of(r.cmp(&other), zero))
        }))
    }

    fn decimal(&self, q: u128, scale: u32) -> Option<Decimal> {
        if q > MAX_MANTISSA {
            return None;
        }
        let word = |shift: u32| u32::try_from((q >> shift) & 0xFFFF_FFFF).ok();
        Some(Decimal::from_parts(
            word(0)?,
            word(32)?,
            word(64)?,
            self.negative && q != 0,
            scale,
        ))
    }
}

/// The rest from how `r` compares with `d - r` (that is, `r` with half of
/// `d`), and whether `r` is zero.
fn rest_of(against_half: std::cmp::Ordering, zero: bool) -> Rest {
    match (zero, against_half) {
        (true, _) => Rest::Zero,
        (false, std::cmp::Ordering::Less) => Rest::BelowHalf,
        (false, std::cmp::Ordering::Equal) => Rest::Half,
        (false, std::cmp::Ordering::Greater) => Rest::AboveHalf,
    }
}

/// The largest mantissa a `Decimal` holds: 2^96 - 1.
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// `a x b` as (high, low) 128-bit halves.
fn widening_mul(a: u128, b: u128) -> (u128, u128) {
    const LOW: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> 64, a & LOW);
    let (b_hi, b_lo) = (b >> 64, b & LOW);
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    let middle = (lo_lo >> 64) + (hi_lo & LOW) + (lo_hi & LOW);
    let low = (middle << 64) | (lo_lo & LOW);
    let high = hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (middle >> 64);
    (high, low)
}

/// An unsigned integer of 384 bits, little-endian 64-bit limbs: enough for
/// two 96-bit mantissas times 10^56 (the widest scale gap), and for a
/// divisor of 96 bits times 10^56 shifted by the 96 bits of a quotient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Wide([u64; 6]);

impl Wide {
    const ZERO: Wide = Wide([0; 6]);

    fn from_parts(low: u128, high: u128) -> Wide {
        let limb = |v: u128, shift: u32| (v >> shift) as u64;
        Wide([
            limb(low, 0),
            limb(low, 64),
            limb(high, 0),
            limb(high, 64),
            0,
            0,
        ])
    }

    /// `self x m`, or `None` past 384 bits.
    fn times(self, m: u64) -> Option<Wide> {
        let mut out = [0u64; 6];
        let mut carry = 0u128;
        for (o, &limb) in out.iter_mut().zip(&self.0) {
            let v = u128::from(limb) * u128::from(m) + carry;
            *o = v as u64;
            carry = v >> 64;
        }
        (carry == 0).then_some(Wide(out))
    }

    /// `self x 10^e`, or `None` past 384 bits.
    fn times_ten_to(self, mut e: u32) -> Option<Wide> {
        let mut v = self;
        while e > 0 {
            let step = e.min(19);
            v = v.times(10u64.pow(step))?;
            e -= step;
        }
        Some(v)
    }

    /// `self - other`; `other` is not larger.
    fn minus(&self, other: &Wide) -> Wide {
        let mut out = [0u64; 6];
        let mut borrow = false;
        for (i, o) in out.iter_mut().enumerate() {
            let (v, b1) = self.0[i].overflowing_sub(other.0[i]);
            let (v, b2) = v.overflowing_sub(u64::from(borrow));
            *o = v;
            borrow = b1 || b2;
        }
        Wide(out)
    }

    /// `self x 2^bits`, or `None` past 384 bits.
    fn shifted_left(&self, bits: u32) -> Option<Wide> {
        let used = self.bits();
        if used + bits > 384 {
            return None;
        }
        let (words, bits) = ((bits / 64) as usize, bits % 64);
        let mut out = [0u64; 6];
        for (i, o) in out.iter_mut().enumerate().skip(words) {
            let from = i - words;
            let mut v = self.0[from] << bits;
            if bits > 0 && from > 0 {
                v |= self.0[from - 1] >> (64 - bits);
            }
            *o = v;
        }
        Some(Wide(out))
    }

    /// The number of significant bits.
    fn bits(&self) -> u32 {
        let mut bits = 384;
        for &limb in self.0.iter().rev() {
            if limb != 0 {
                return bits - limb.leading_zeros();
            }
            bits -= 64;
        }
        0
    }

    fn halved(&self) -> Wide {
        let mut out = [0u64; 6];
        for (i, o) in out.iter_mut().enumerate() {
            let high = self.0.get(i + 1).map_or(0, |h| h << 63);
            *o = (self.0[i] >> 1) | high;
        }
        Wide(out)
    }

    /// `self / d` and the remainder when the quotient is below 2^96;
    /// `None` when it is not. Restoring division, one quotient bit a step.
    fn div_rem(&self, d: &Wide) -> Result<Option<(u128, Wide)>, ArithmeticError> {
        if *d == Wide::ZERO {
            return Err(ArithmeticError::DivisionByZero);
        }
        let mut shifted = d.shifted_left(96).ok_or_else(overflow)?;
        if *self >= shifted {
            return Ok(None);
        }
        let mut rest = *self;
        let mut q = 0u128;
        for bit in (0..96).rev() {
            shifted = shifted.halved();
            if rest >= shifted {
                rest = rest.minus(&shifted);
                q |= 1 << bit;
            }
        }
        Ok(Some((q, rest)))
    }
}

impl PartialOrd for Wide {
    fn partial_cmp(&self, other: &Wide) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Wide {
    fn cmp(&self, other: &Wide) -> std::cmp::Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}
