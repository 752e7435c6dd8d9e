//! Reading a [`Currency`] from text or JSON: [`Currency::new`], `FromStr`
//! and serde.
//!
//! Apart from the type (in `currency.rs`) because reading can fail with an
//! [`ArithmeticError`], and that error names the `Currency` type itself: the
//! type sits below the error, the checked constructors above it.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::currency::Currency;
use crate::error::ArithmeticError;
use crate::money::MAX_SCALE;

impl Currency {
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
        Ok(Currency::from_parts(
            [bytes[0], bytes[1], bytes[2]],
            scale as u8,
        ))
    }
}

impl FromStr for Currency {
    type Err = ArithmeticError;

    /// Parses an ISO 4217 code with a minor unit (CNY, JPY, BHD, ...) at
    /// its ISO scale. Other currencies are built with [`Currency::new`],
    /// which needs their scale.
    ///
    /// ```
    /// use billing_rules::money::Currency;
    /// let err = "ABC".parse::<Currency>().unwrap_err();
    /// assert!(err.to_string().contains(r#"{"code": "ABC", "scale": 2}"#));
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::iso(s).ok_or_else(|| ArithmeticError::UnknownCurrency { code: s.to_owned() })
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
