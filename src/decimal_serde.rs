//! Strict reading of decimals: an amount is read exactly, or refused.
//!
//! `rust_decimal`'s own `Deserialize` is lenient: it rounds a string with
//! more than 28 digits after the point (`"0.12345678901234567890123456789"`
//! becomes `0.1234567890123456789012345679`), reads a JSON float through
//! `f64` (`1e-30` becomes `0`, and the JSON number
//! `0.12345678901234567890123456789` becomes `0.12345678901234568`), and
//! accepts `"1e3"`, `"1_000"` and `".5"`. A billing library must not guess,
//! so every `Decimal` this crate reads from outside (the amount of a
//! [`Money`](crate::money::Money), the value of a
//! [`Quantity`](crate::quantity::Quantity), every `Decimal` field of a
//! policy spec, command, event, state or quote) goes through this module.
//!
//! # The policy
//!
//! | Input | Read as | Why |
//! |---|---|---|
//! | `"273.97"`, `"-1"`, `"+0.5"`, `"007.50"` | exactly that, scale kept (`7.50`) | a plain decimal string is the documented shape |
//! | `"0.1234567890123456789012345678"` (28 digits after the point) | exactly that | a `Decimal` holds 28 |
//! | `"0.12345678901234567890123456789"` (29 digits) | refused | it would be rounded |
//! | `"1.00000000000000000000000000000"` (29 digits, trailing zeros) | refused | more than 28 digits after the point, whatever they are |
//! | `"79228162514264337593543950336"`, `"12345678901234567890123456789.5"` | refused | beyond the 96-bit mantissa: it would overflow or be rounded |
//! | `"1e3"`, `"1E-2"` | refused | no exponents: one plain notation, read one way |
//! | `""`, `" 1"`, `"1 "`, `"1_000"`, `"1."`, `".5"`, `"0x10"`, `"NaN"`, `"inf"` | refused | not a plain decimal |
//! | JSON whole number `100`, `-5` (fits `i64`/`u64`) | exactly that | the parser hands over the exact integer |
//! | JSON number with a fraction or exponent (`0.1`, `1e3`, `1e-30`), or a whole number beyond `u64` | refused | `serde_json` has already turned it into an `f64`: the digits that were sent are lost, and `0.10000000000000000001` and `0.1` arrive as the same float, so no check can tell a right number from a wrong one |
//!
//! Floats are worse than they look: `serde_json`'s default float parser
//! (without its `float_roundtrip` feature) does not always return the
//! nearest double, so `1e-30` arrives as `9.999999999999999e-31`.
//!
//! Under `serde_json`'s `arbitrary_precision` feature (this crate does not
//! enable it, but another crate in a binary may, and features unify) a JSON
//! number reaches the deserializer as its exact text; it is then read by the
//! string rules above, so `0.1` is accepted and `1e3` is refused.
//!
//! Writing is unchanged: a `Decimal` is written as its decimal string with
//! every digit and its scale (`"7.50"`), which this module reads back to
//! the identical value.
//!
//! Every refusal names the value and says what to send instead.
//!
//! ```
//! use billing_rules::money::Money;
//!
//! let json = r#"{"amount": "0.12345678901234567890123456789", "currency": "CNY"}"#;
//! let err = serde_json::from_str::<Money>(json).unwrap_err();
//! assert!(err.to_string().starts_with(
//!     "\"0.12345678901234567890123456789\" has 29 digits after the point, \
//!      more than the 28 a Decimal holds, so it would be rounded; send amounts as \
//!      decimal strings with at most 28 digits after the point, such as \"273.97\""
//! ));
//!
//! let float = r#"{"amount": 0.1, "currency": "CNY"}"#;
//! let err = serde_json::from_str::<Money>(float).unwrap_err();
//! assert!(err.to_string().starts_with("the JSON number 0.1 has a fraction or an exponent"));
//!
//! let ok: Money = serde_json::from_str(r#"{"amount": "273.970", "currency": "CNY"}"#)?;
//! assert_eq!(ok.amount().to_string(), "273.970");
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Use it on a field of your own type with
//! `#[serde(with = "billing_rules::decimal_serde::strict")]` (or
//! `strict_option` for an `Option<Decimal>`, with `#[serde(default)]`), or
//! call [`parse`] on a text.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::money::MAX_SCALE;

/// What to send instead; the end of every refusal.
const ADVICE: &str =
    "send amounts as decimal strings with at most 28 digits after the point, such as \"273.97\"";

/// The key under which `serde_json`'s `arbitrary_precision` feature hands a
/// number's exact text to `deserialize_any`.
const JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Why an input is not an exact [`Decimal`]. Its message names the value
/// and says what to send instead.
///
/// ```
/// use billing_rules::decimal_serde::{parse, InexactDecimal};
/// let err = parse("1e3").unwrap_err();
/// assert!(matches!(err, InexactDecimal::NotPlain { .. }));
/// assert!(err.to_string().starts_with("\"1e3\" is not a plain decimal"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InexactDecimal {
    /// Not digits with an optional sign and decimal point: empty, spaces,
    /// an exponent, underscores, `NaN`, `inf`, `"1."`, `".5"`.
    NotPlain {
        /// The text as given.
        text: String,
    },
    /// More than 28 digits after the point.
    TooManyFractionDigits {
        /// The text as given.
        text: String,
        /// Digits after the point.
        digits: usize,
    },
    /// Beyond the 96-bit mantissa of a `Decimal`: too large, or too many
    /// significant digits to keep without rounding.
    OutOfRange {
        /// The text or number as given.
        text: String,
    },
    /// A number the format had already turned into a binary float.
    Float {
        /// The float, in Rust's shortest notation.
        value: String,
    },
}

impl fmt::Display for InexactDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InexactDecimal::NotPlain { text } => write!(
                f,
                "{text:?} is not a plain decimal (digits with an optional sign and \
                 decimal point; no spaces, exponents, underscores, NaN or infinity); {ADVICE}"
            ),
            InexactDecimal::TooManyFractionDigits { text, digits } => write!(
                f,
                "{text:?} has {digits} digits after the point, more than the \
                 {MAX_SCALE} a Decimal holds, so it would be rounded; {ADVICE}"
            ),
            InexactDecimal::OutOfRange { text } => write!(
                f,
                "{text} does not fit a Decimal without rounding (at most \
                 79228162514264337593543950335 in magnitude, 28 or 29 significant digits); {ADVICE}"
            ),
            InexactDecimal::Float { value } => write!(
                f,
                "the JSON number {value} has a fraction or an exponent (or is -0, or a whole number \
                 beyond 64 bits), so the JSON parser has already turned it into a binary float \
                 and the digits sent cannot be known exactly; {ADVICE}"
            ),
        }
    }
}

impl std::error::Error for InexactDecimal {}

/// Reads a plain decimal text exactly: an optional `-` or `+`, digits, and
/// optionally a point followed by at most 28 digits. The scale is kept
/// (`"7.50"` has scale 2). Anything that would be rounded, and any other
/// notation, is an [`InexactDecimal`].
///
/// ```
/// use billing_rules::decimal_serde::parse;
/// assert_eq!(parse("7.50")?.to_string(), "7.50");
/// assert_eq!(parse("-0.0000000000000000000000000001")?.scale(), 28);
/// assert!(parse("0.00000000000000000000000000001").is_err()); // 29 digits
/// assert!(parse("79228162514264337593543950336").is_err()); // past Decimal::MAX
/// assert!(parse("1e3").is_err());
/// # Ok::<(), billing_rules::decimal_serde::InexactDecimal>(())
/// ```
pub fn parse(text: &str) -> Result<Decimal, InexactDecimal> {
    let not_plain = || InexactDecimal::NotPlain {
        text: text.to_owned(),
    };
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (unsigned, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let has_point = unsigned.len() != whole.len();
    if !digits(whole) || (has_point && !digits(fraction)) {
        return Err(not_plain());
    }
    if fraction.len() > MAX_SCALE as usize {
        return Err(InexactDecimal::TooManyFractionDigits {
            text: text.to_owned(),
            digits: fraction.len(),
        });
    }
    let out_of_range = || InexactDecimal::OutOfRange {
        text: format!("{text:?}"),
    };
    // Built from the digits checked above rather than by
    // `Decimal::from_str_exact`, whose parser recurses once per leading zero
    // (a long run of zeros overflowed the stack) and drops the sign of zero.
    // Leading zeros do not grow the accumulator; more than 96 bits of
    // significant digits is out of range.
    let sent = whole
        .bytes()
        .chain(fraction.bytes())
        .try_fold(0u128, |acc, b| {
            acc.checked_mul(10)?.checked_add(u128::from(b - b'0'))
        })
        .ok_or_else(out_of_range)?;
    let mantissa = i128::try_from(sent).map_err(|_| out_of_range())?;
    let scale = u32::try_from(fraction.len()).map_err(|_| out_of_range())?;
    let mut value =
        Decimal::try_from_i128_with_scale(if negative { -mantissa } else { mantissa }, scale)
            .map_err(|_| out_of_range())?;
    // A zero keeps the sign it was sent with ("-0.00"), so whatever a
    // `Decimal` writes reads back identical.
    if negative {
        value.set_sign_negative(true);
    }
    Ok(value)
}

/// The visitor behind [`strict`] and [`strict_option`].
struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a decimal string with at most 28 digits after the point (\"273.97\") \
             or a whole JSON number",
        )
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
        parse(text).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Decimal, E> {
        Decimal::try_from_i128_with_scale(value, 0).map_err(|_| {
            E::custom(InexactDecimal::OutOfRange {
                text: value.to_string(),
            })
        })
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Decimal, E> {
        let out_of_range = || {
            E::custom(InexactDecimal::OutOfRange {
                text: value.to_string(),
            })
        };
        let value = i128::try_from(value).map_err(|_| out_of_range())?;
        Decimal::try_from_i128_with_scale(value, 0).map_err(|_| out_of_range())
    }

    fn visit_f32<E: de::Error>(self, value: f32) -> Result<Decimal, E> {
        Err(E::custom(InexactDecimal::Float {
            value: format!("{value:?}"),
        }))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        Err(E::custom(InexactDecimal::Float {
            value: format!("{value:?}"),
        }))
    }

    /// `serde_json` with `arbitrary_precision` hands a number over as a
    /// one-entry map holding its exact text; read that text like a string.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        let not_a_number = || de::Error::invalid_type(de::Unexpected::Map, &StrictVisitor);
        match map.next_key::<String>()? {
            Some(key) if key == JSON_NUMBER_TOKEN => {
                let text: String = map.next_value()?;
                parse(&text).map_err(de::Error::custom)
            }
            _ => Err(not_a_number()),
        }
    }
}

/// `#[serde(with = "billing_rules::decimal_serde::strict")]` for a
/// `Decimal` field: written as a decimal string (as `rust_decimal` writes
/// it), read by the module's strict policy.
///
/// ```
/// use rust_decimal::Decimal;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Fee {
///     #[serde(with = "billing_rules::decimal_serde::strict")]
///     price: Decimal,
/// }
///
/// let fee: Fee = serde_json::from_str(r#"{"price": "0.10"}"#)?;
/// assert_eq!(serde_json::to_string(&fee)?, r#"{"price":"0.10"}"#);
/// assert!(serde_json::from_str::<Fee>(r#"{"price": 0.1}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod strict {
    use super::*;

    /// Writes the decimal string, every digit and the scale kept.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    /// Reads a decimal exactly, or refuses it (see the [module](super) docs).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

/// `#[serde(default, with = "billing_rules::decimal_serde::strict_option")]`
/// for an `Option<Decimal>` field: `null` (or, with `default`, a missing
/// field) is `None`; a value is read like [`strict`].
///
/// ```
/// use rust_decimal::Decimal;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Cap {
///     #[serde(default, with = "billing_rules::decimal_serde::strict_option")]
///     max: Option<Decimal>,
/// }
///
/// assert_eq!(serde_json::from_str::<Cap>("{}")?.max, None);
/// assert_eq!(serde_json::from_str::<Cap>(r#"{"max": null}"#)?.max, None);
/// assert_eq!(serde_json::from_str::<Cap>(r#"{"max": "5"}"#)?.max, Some(Decimal::from(5)));
/// assert!(serde_json::from_str::<Cap>(r#"{"max": "5e0"}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod strict_option {
    use super::*;

    /// Writes `null` or the decimal string.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.serialize_some(&Written(*value)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` as `None`, anything else like [`strict`].
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        deserializer.deserialize_option(OptionVisitor)
    }

    struct Written(Decimal);

    impl serde::Serialize for Written {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            strict::serialize(&self.0, serializer)
        }
    }

    struct OptionVisitor;

    impl<'de> Visitor<'de> for OptionVisitor {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("null or ")?;
            StrictVisitor.expecting(f)
        }

        fn visit_none<E: de::Error>(self) -> Result<Option<Decimal>, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Option<Decimal>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Option<Decimal>, D::Error> {
            strict::deserialize(deserializer).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as ValueError, MapDeserializer};

    fn from_json_number_text(text: &str) -> Result<Decimal, ValueError> {
        let entries = [(JSON_NUMBER_TOKEN.to_owned(), text.to_owned())];
        strict::deserialize(MapDeserializer::<_, ValueError>::new(entries.into_iter()))
    }

    #[test]
    fn arbitrary_precision_number_text_is_read_by_the_string_rules() {
        assert_eq!(from_json_number_text("0.1"), Ok(Decimal::new(1, 1)));
        assert!(from_json_number_text("1e3").is_err());
        assert!(from_json_number_text("0.12345678901234567890123456789").is_err());
    }

    #[test]
    fn any_other_map_is_refused() {
        let entries = [("amount".to_owned(), "1".to_owned())];
        let read = strict::deserialize(MapDeserializer::<_, ValueError>::new(entries.into_iter()));
        assert!(read.is_err());
    }
}
