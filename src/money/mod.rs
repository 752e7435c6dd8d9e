//! Money, currencies and explicit rounding.
//!
//! A [`Money`] is an exact [`Decimal`](crate::Decimal) amount tagged with a
//! [`Currency`]. All arithmetic is checked: an overflow or a sum of two
//! currencies is an [`ArithmeticError`](crate::ArithmeticError), never a
//! panic and never a wrapped value. Nothing is rounded behind your back:
//! intermediate results keep every digit, and a [`Rounding`] is applied
//! where a rule says so.
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

mod allocate;
mod amount;
mod currency;
mod parse;
mod rounding;

pub use amount::Money;
pub use currency::Currency;
pub use rounding::{MAX_SCALE, Rounding, RoundingMode};
