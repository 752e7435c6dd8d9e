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
pub(super) const KNOWN: [Currency; 6] = [
    Currency::CNY,
    Currency::USD,
    Currency::EUR,
    Currency::GBP,
    Currency::HKD,
    Currency::JPY,
];

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

    pub(super) fn is_known(&self) -> bool {
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
