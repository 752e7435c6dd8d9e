//! [`Money`]: an exact amount tagged with its currency, with checked
//! arithmetic.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::currency::Currency;
use super::rounding::{Rounding, RoundingMode};
use crate::error::ArithmeticError;
use crate::exact;

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

/// Compares the amount with a plain [`Decimal`], exactly (`7.50` equals
/// `7.5`). **The currency is not compared**: `Money::cny(x) == x` and
/// `Money::new(x, Currency::USD) == x` both hold. It is meant for checking
/// an amount where the currency is known, as in tests; compare two `Money`
/// values to check the currency too. The `Money` goes on the left: there
/// is no `Decimal == Money`, so that a `Decimal` compared with a value
/// still to be inferred (`"1".parse().unwrap()`) stays unambiguous.
///
/// ```
/// use billing_rules::money::{Currency, Money};
/// use billing_rules::Decimal;
///
/// let total = Money::cny(Decimal::new(1632000, 2));
/// assert_eq!(total, Decimal::from(16320));
/// assert_eq!(Money::new(Decimal::ONE, Currency::USD), Decimal::ONE); // currency ignored
/// assert_ne!(Money::new(Decimal::ONE, Currency::USD), Money::cny(Decimal::ONE));
/// ```
impl PartialEq<Decimal> for Money {
    fn eq(&self, amount: &Decimal) -> bool {
        self.amount == *amount
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
