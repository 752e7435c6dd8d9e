//! [`ArithmeticError`]: a value that could not be computed exactly.
//!
//! It names currencies and units, so those values sit below it and this
//! file imports nothing else of the crate.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::money::Currency;
use crate::quantity::Unit;

/// A value could not be computed exactly.
///
/// It names no rule itself: the calculator or decider that met it names the
/// rule whose computation failed, in
/// [`Error::Arithmetic`](crate::Error::Arithmetic) (see
/// [`InRule`](crate::InRule)).
///
/// # JSON
///
/// Tagged by `kind` in snake_case, the variant's fields beside it:
///
/// ```
/// use billing_rules::ArithmeticError;
///
/// let err = ArithmeticError::overflow("seat quote total");
/// let json = r#"{"kind":"overflow","operation":"seat quote total"}"#;
/// assert_eq!(serde_json::to_string(&err)?, json);
/// assert_eq!(serde_json::from_str::<ArithmeticError>(json)?, err);
/// assert_eq!(serde_json::to_string(&ArithmeticError::DivisionByZero)?, r#"{"kind":"division_by_zero"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ArithmeticError {
    /// The result does not fit a `Decimal` (about 7.9 x 10^28) or the integer
    /// type that holds it.
    #[error("arithmetic overflow in {operation}: the result is too large to represent exactly")]
    Overflow {
        /// What was being computed.
        operation: Cow<'static, str>,
    },
    /// The exact result needs more than 28 digits after the point.
    #[error("precision loss in {operation}: the exact result needs more than 28 decimal places")]
    PrecisionLoss {
        /// What was being computed.
        operation: Cow<'static, str>,
    },
    /// A division by zero.
    #[error("division by zero")]
    DivisionByZero,
    /// An instant or date outside the supported range (chrono's, about
    /// +/- 262,000 years).
    #[error("{operation}: the instant is out of the supported date range")]
    OutOfRange {
        /// What was being computed.
        operation: Cow<'static, str>,
    },
    /// Two amounts of different currencies were combined.
    #[error("cannot combine {left} and {right}: amounts of different currencies never mix")]
    CurrencyMismatch {
        /// The left operand's currency.
        left: Currency,
        /// The right operand's currency.
        right: Currency,
    },
    /// A currency code or scale is not valid.
    #[error(
        "`{code}` (scale {scale}) is not a valid currency: a code is three capital letters \
         (an ISO 4217 code such as EUR, or your own) and a scale is at most 28"
    )]
    InvalidCurrency {
        /// The code given.
        code: String,
        /// The scale given.
        scale: u32,
    },
    /// A code alone that names no ISO 4217 currency with a minor unit.
    #[error(
        "`{code}` is not an ISO 4217 currency code with a minor unit: give an ISO code such as \
         CNY, EUR, JPY or BHD, or your own currency with its scale, as {{\"code\": \"{code}\", \
         \"scale\": 2}}"
    )]
    UnknownCurrency {
        /// The code given.
        code: String,
    },
    /// A local date and time that does not exist (the 30th of February,
    /// 24:00) or lies outside the supported range; see
    /// [`Zone::at`](crate::time::Zone::at).
    #[error(
        "`{value}` is not a valid date and time: months run 1-12, days to the month's \
         last, hours 0-23, minutes and seconds 0-59"
    )]
    InvalidDateTime {
        /// The date and time given, with the zone's offset
        /// (`2025-02-30 10:00:00 +08:00`).
        value: String,
    },
    /// A quantity was converted to a unit of another dimension.
    #[error("cannot convert {from} to {to}: they measure different things")]
    IncompatibleUnits {
        /// The unit converted from.
        from: Unit,
        /// The unit asked for.
        to: Unit,
    },
    /// An amount could not be allocated by the weights given
    /// ([`Money::allocate`](crate::money::Money::allocate)): no weights, a
    /// negative weight, all weights zero, or an amount finer than its
    /// currency's minor unit.
    #[error("cannot allocate {amount}: {problem}")]
    InvalidAllocation {
        /// The amount to allocate, as written (`CNY 241.67`).
        amount: String,
        /// What is wrong and what would work.
        problem: String,
    },
}

impl ArithmeticError {
    /// An overflow while computing `operation`.
    pub fn overflow(operation: impl Into<Cow<'static, str>>) -> ArithmeticError {
        ArithmeticError::Overflow {
            operation: operation.into(),
        }
    }

    /// A result that needs more than 28 decimal places, while computing
    /// `operation`.
    pub fn precision_loss(operation: impl Into<Cow<'static, str>>) -> ArithmeticError {
        ArithmeticError::PrecisionLoss {
            operation: operation.into(),
        }
    }

    /// An instant out of range, while computing `operation`.
    pub fn out_of_range(operation: impl Into<Cow<'static, str>>) -> ArithmeticError {
        ArithmeticError::OutOfRange {
            operation: operation.into(),
        }
    }
}
