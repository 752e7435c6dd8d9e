//! Quantities with units that convert exactly.
//!
//! Data and bandwidth convert in base 1000 (1 TB = 1000 GB, R-USE-09). A
//! conversion either gives the exact value or an
//! [`ArithmeticError`](crate::ArithmeticError): it never rounds, so 20 GB
//! is exactly 0.02 TB (R-REF-03's threshold).
//!
//! ```
//! use billing_rules::quantity::{Quantity, Unit};
//! use rust_decimal::Decimal;
//!
//! let traffic = Quantity::new(Decimal::from(20), Unit::Gigabyte);
//! assert_eq!(traffic.convert_to(Unit::Terabyte)?.value(), Decimal::new(2, 2));
//! assert_eq!(traffic.to_string(), "20 GB");
//! assert!(traffic.convert_to(Unit::Call).is_err()); // no such conversion
//! # Ok::<(), billing_rules::ArithmeticError>(())
//! ```

mod measure;
mod unit;

pub use measure::Quantity;
pub use unit::{Dimension, Unit};
