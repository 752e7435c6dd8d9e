//! Money, currencies and explicit rounding.
//!
//! A [`Money`] is an exact [`Decimal`] amount tagged with a [`Currency`]. All
//! arithmetic is checked: an overflow or a sum of two currencies is an
//! [`ArithmeticError`], never a panic and never a wrapped value. Nothing is
//! rounded behind your back: intermediate results keep every digit, and a
//! [`Rounding`] is applied where a rule says so.
//!
//! ```
//! use billing_rules::money::{Money, Rounding, RoundingMode};
//! use rust_decimal::Decimal;
//!
//! let paid = Money::cny(Decimal::from(1000));
//! // 1000 x 100 / 365 = 273.972602..., rounded down to the fen.
//! let exact = paid.checked_mul(Decimal::from(100))?.checked_div(Decimal::from(365))?;
//! let credit = exact.round(Rounding::minor_unit(paid.currency(), RoundingMode::TowardZero));
//! assert_eq!(credit.to_string(), "CNY 273.97");
//! # Ok::<(), billing_rules::ArithmeticError>(())
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::ArithmeticError;
use crate::exact;

/// The largest scale (digits after the point) a [`Decimal`] can carry.
pub const MAX_SCALE: u32 = 28;

/// A currency: a three-letter code and the scale of its minor unit.
///
/// CNY (yuan, minor unit 0.01) is the preset of every published policy.
/// Known ISO codes serialize as their code (`"CNY"`); a custom currency
/// serializes as `{"code": "XTS", "scale": 3}`.
///
/// ```
/// use billing_rules::money::Currency;
/// assert_eq!(Currency::CNY.code(), "CNY");
/// assert_eq!(Currency::CNY.scale(), 2);
/// assert_eq!(Currency::JPY.scale(), 0);
/// assert_eq!("USD".parse::<Currency>()?, Currency::USD);
/// # Ok::<(), billing_rules::ArithmeticError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    scale: u8,
}

/// Currencies whose code alone names them (ISO 4217 minor-unit scales).
const KNOWN: [Currency; 6] = [
    Currency::CNY,
    Currency::USD,
    Currency::EUR,
    Currency::GBP,
    Currency::HKD,
    Currency::JPY,
];

impl Currency {
    /// Chinese yuan, minor unit 0.01 (fen). The preset currency.
    pub const CNY: Currency = Currency::known(*b"CNY", 2);
    /// US dollar, minor unit 0.01.
    pub const USD: Currency = Currency::known(*b"USD", 2);
    /// Euro, minor unit 0.01.
    pub const EUR: Currency = Currency::known(*b"EUR", 2);
    /// Pound sterling, minor unit 0.01.
    pub const GBP: Currency = Currency::known(*b"GBP", 2);
    /// Hong Kong dollar, minor unit 0.01.
    pub const HKD: Currency = Currency::known(*b"HKD", 2);
    /// Japanese yen, no minor unit.
    pub const JPY: Currency = Currency::known(*b"JPY", 0);

    const fn known(code: [u8; 3], scale: u8) -> Currency {
        Currency { code, scale }
    }

    /// A currency with its own code (three ASCII capital letters) and minor
    /// unit scale (at most 28).
    ///
    /// ```
    /// use billing_rules::money::Currency;
    /// let points = Currency::new("XPT", 3)?;
    /// assert_eq!(points.scale(), 3);
    /// assert!(Currency::new("cny", 2).is_err());
    /// # Ok::<(), billing_rules::ArithmeticError>(())
    /// ```
    pub fn new(code: &str, scale: u32) -> Result<Currency, ArithmeticError> {
        let bytes = code.as_bytes();
        let valid_code = bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase);
        if !valid_code || scale > MAX_SCALE {
            return Err(ArithmeticError::InvalidCurrency {
                code: code.to_owned(),
                scale,
            });
        }
        Ok(Currency {
            code: [bytes[0], bytes[1], bytes[2]],
            scale: scale as u8,
        })
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // The constructor only admits ASCII capitals, so this cannot fail.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Digits after the decimal point of the minor unit (2 for CNY).
    pub fn scale(&self) -> u32 {
        u32::from(self.scale)
    }

    /// The minor unit as an amount (0.01 for CNY).
    pub fn minor_unit(&self) -> Decimal {
        Decimal::new(1, self.scale())
    }

    fn is_known(&self) -> bool {
        KNOWN.contains(self)
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::CNY
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_known() {
            write!(f, "{}", self.code())
        } else {
            write!(f, "{}(scale {})", self.code(), self.scale)
        }
    }
}

impl FromStr for Currency {
    type Err = ArithmeticError;

    /// Parses a known ISO code (CNY, USD, EUR, GBP, HKD, JPY). Other
    /// currencies are built with [`Currency::new`], which needs their scale.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KNOWN
            .iter()
            .copied()
            .find(|c| c.code() == s)
            .ok_or_else(|| ArithmeticError::InvalidCurrency {
                code: s.to_owned(),
                scale: 0,
            })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum CurrencyRepr {
    Code(String),
    Custom { code: String, scale: u32 },
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let repr = if self.is_known() {
            CurrencyRepr::Code(self.code().to_owned())
        } else {
            CurrencyRepr::Custom {
                code: self.code().to_owned(),
                scale: self.scale(),
            }
        };
        repr.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match CurrencyRepr::deserialize(deserializer)? {
            CurrencyRepr::Code(code) => code.parse().map_err(serde::de::Error::custom),
            CurrencyRepr::Custom { code, scale } => {
                Currency::new(&code, scale).map_err(serde::de::Error::custom)
            }
        }
    }
}

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

/// An exact amount of money in one currency.
///
/// The amount keeps every digit it is given; use [`Money::round`] or
/// [`Money::round_to_minor`] where a rule rounds.
///
/// # JSON
///
/// `{"amount": "273.97", "currency": "CNY"}`: the amount is written as a
/// decimal string with every digit and its scale (`"7.50"` stays `7.50`).
/// It is read strictly (see [`decimal_serde`](crate::decimal_serde)): a
/// decimal string with at most 28 digits after the point, or a whole JSON
/// number, is read exactly; anything that would be rounded
/// (`"0.12345678901234567890123456789"`, 29 digits after the point), an
/// exponent (`"1e3"`), or a JSON float (`0.1`, which the JSON parser has
/// already turned into binary) is refused with an error naming the value
/// and saying what to send instead.
///
/// ```
/// use billing_rules::money::Money;
/// let read: Money = serde_json::from_str(r#"{"amount": "7.50", "currency": "CNY"}"#)?;
/// assert_eq!(serde_json::to_string(&read)?, r#"{"amount":"7.50","currency":"CNY"}"#);
/// assert!(serde_json::from_str::<Money>(r#"{"amount": 7.5, "currency": "CNY"}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Arithmetic
///
/// Checked and exact; currencies never mix.
///
/// ```
/// use billing_rules::money::{Currency, Money};
/// use rust_decimal::Decimal;
///
/// let a = Money::cny(Decimal::new(1050, 2));
/// let b = Money::cny(Decimal::from(2));
/// assert_eq!(a.checked_add(b)?.to_string(), "CNY 12.50");
///
/// let usd = Money::new(Decimal::ONE, Currency::USD);
/// assert!(a.checked_add(usd).is_err()); // currencies never mix
/// # Ok::<(), billing_rules::ArithmeticError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    #[serde(with = "crate::decimal_serde::strict")]
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount in `currency`, kept exactly as given.
    pub const fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// An amount in yuan.
    pub const fn cny(amount: Decimal) -> Money {
        Money::new(amount, Currency::CNY)
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Money {
        Money::new(Decimal::ZERO, currency)
    }

    /// The amount.
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// True when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// True when the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Rounds the amount with `rounding`.
    pub fn round(self, rounding: Rounding) -> Money {
        Money::new(rounding.apply(self.amount), self.currency)
    }

    /// Rounds the amount to the currency's minor unit with `mode`.
    pub fn round_to_minor(self, mode: RoundingMode) -> Money {
        self.round(Rounding::minor_unit(self.currency, mode))
    }

    fn same_currency(&self, other: &Money) -> Result<(), ArithmeticError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(ArithmeticError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// `self + other`; an error when the currencies differ or on overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, ArithmeticError> {
        self.same_currency(&other)?;
        let amount = exact::add(self.amount, other.amount)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self - other`; an error when the currencies differ or on overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, ArithmeticError> {
        self.same_currency(&other)?;
        let amount = exact::sub(self.amount, other.amount)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self x factor`, exactly; an error on overflow or when the exact
    /// product needs more than 28 decimal places.
    pub fn checked_mul(self, factor: Decimal) -> Result<Money, ArithmeticError> {
        let amount = exact::mul(self.amount, factor)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self / divisor` to the precision a `Decimal` holds (28 or 29
    /// significant digits: 1000 x 100 / 365 is 273.97260273972602739726027397);
    /// round it explicitly afterwards. An error on a zero divisor or
    /// overflow.
    pub fn checked_div(self, divisor: Decimal) -> Result<Money, ArithmeticError> {
        let amount = exact::div(self.amount, divisor)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Sums amounts of one currency; the empty sum is zero in `currency`.
    ///
    /// ```
    /// use billing_rules::money::{Currency, Money};
    /// use rust_decimal::Decimal;
    /// let parts = [Money::cny(Decimal::ONE), Money::cny(Decimal::TWO)];
    /// assert_eq!(Money::checked_sum(Currency::CNY, parts)?, Money::cny(Decimal::from(3)));
    /// # Ok::<(), billing_rules::ArithmeticError>(())
    /// ```
    pub fn checked_sum<I>(currency: Currency, items: I) -> Result<Money, ArithmeticError>
    where
        I: IntoIterator<Item = Money>,
    {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// The smaller of two amounts of one currency.
    pub fn checked_min(self, other: Money) -> Result<Money, ArithmeticError> {
        self.same_currency(&other)?;
        Ok(if other.amount < self.amount {
            other
        } else {
            self
        })
    }

    /// The larger of two amounts of one currency.
    pub fn checked_max(self, other: Money) -> Result<Money, ArithmeticError> {
        self.same_currency(&other)?;
        Ok(if other.amount > self.amount {
            other
        } else {
            self
        })
    }

    /// Compares two amounts of one currency; `None` when currencies differ.
    pub fn checked_cmp(&self, other: &Money) -> Option<Ordering> {
        (self.currency == other.currency).then(|| self.amount.cmp(&other.amount))
    }
}

impl fmt::Display for Money {
    /// `CNY 273.97`. The amount shows at least the currency's minor-unit
    /// digits and every further digit it carries (nothing is hidden).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.amount;
        if shown.scale() < self.currency.scale() {
            shown.rescale(self.currency.scale());
        }
        // Padding never changes the value; near the Decimal maximum it could
        // not be done exactly, and then the amount is shown as it is.
        if shown != self.amount {
            shown = self.amount;
        }
        write!(f, "{} {}", self.currency, shown)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
