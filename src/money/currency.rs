//! [`Currency`], the value: a code and a minor-unit scale.
//!
//! The type sits below the crate's errors (an
//! [`ArithmeticError`](crate::ArithmeticError) names the currencies it could
//! not combine), so this file imports none of them; the constructors that
//! check text and can fail live in `parse.rs`, above the errors.

use std::fmt;

use rust_decimal::Decimal;

/// A currency: a three-letter code and the scale of its minor unit.
///
/// CNY (yuan, minor unit 0.01) is the preset of every published policy.
/// Every ISO 4217 currency with a minor unit is known by its code alone,
/// with its ISO scale (JPY 0, CNY 2, BHD 3; the table of the
/// `iso_currency` crate), and serializes as its code (`"CNY"`). Any other
/// currency, or an ISO code at another scale, is built with
/// [`Currency::new`] and serializes as `{"code": "XTS", "scale": 3}`.
///
/// ```
/// use billing_rules::money::Currency;
/// assert_eq!(Currency::CNY.code(), "CNY");
/// assert_eq!(Currency::CNY.scale(), 2);
/// assert_eq!(Currency::JPY.scale(), 0);
/// assert_eq!("USD".parse::<Currency>()?, Currency::USD);
/// assert_eq!("BHD".parse::<Currency>()?.scale(), 3);
/// assert_eq!("CLF".parse::<Currency>()?.scale(), 4);
/// # Ok::<(), billing_rules::ArithmeticError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    scale: u8,
}

impl Currency {
    /// Chinese yuan, minor unit 0.01 (fen). The preset currency.
    pub const CNY: Currency = Currency::from_parts(*b"CNY", 2);
    /// US dollar, minor unit 0.01.
    pub const USD: Currency = Currency::from_parts(*b"USD", 2);
    /// Euro, minor unit 0.01.
    pub const EUR: Currency = Currency::from_parts(*b"EUR", 2);
    /// Pound sterling, minor unit 0.01.
    pub const GBP: Currency = Currency::from_parts(*b"GBP", 2);
    /// Hong Kong dollar, minor unit 0.01.
    pub const HKD: Currency = Currency::from_parts(*b"HKD", 2);
    /// Japanese yen, no minor unit.
    pub const JPY: Currency = Currency::from_parts(*b"JPY", 0);

    /// A currency from checked parts; `Currency::new` checks text.
    pub(super) const fn from_parts(code: [u8; 3], scale: u8) -> Currency {
        Currency { code, scale }
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

    /// The ISO 4217 currency `code` names, with its minor unit; `None`
    /// for a code that is not ISO 4217 or has no minor unit (gold, XTS).
    pub(super) fn iso(code: &str) -> Option<Currency> {
        let iso = iso_currency::Currency::from_code(code)?;
        let scale = u8::try_from(iso.exponent()?).ok()?;
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        Some(Currency::from_parts(bytes, scale))
    }

    /// True for an ISO 4217 currency at its ISO scale, which its code
    /// alone names.
    pub(super) fn is_known(&self) -> bool {
        Currency::iso(self.code()) == Some(*self)
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
