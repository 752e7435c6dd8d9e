//! Policies: plain data, validated once when built ("parse, don't validate").
//!
//! Every policy of this crate follows one pattern:
//!
//! 1. A `...Spec` type with public fields derives `Serialize` and
//!    `Deserialize`. It is what a service keeps in its configuration, and it
//!    may hold anything the format allows.
//! 2. The policy type is built from it with `TryFrom<...Spec, Error =
//!    PolicyError>`, which checks every rule limit and names the offending
//!    field. A policy that breaks a rule therefore cannot exist, and the
//!    calculators never re-check it.
//! 3. The policy itself (de)serializes through its spec
//!    (`#[serde(try_from = "...Spec", into = "...Spec")]`), so deserializing
//!    a policy validates it, and serializing it gives back the spec.
//! 4. The published figures live in [`crate::presets`], as specs or policies
//!    built from them; the code holds no rule figure as a constant.
//!
//! The [`check`] module holds the small checks the builders share.
//!
//! ```
//! use billing_rules::policy::check;
//! use billing_rules::PolicyError;
//! use serde::{Deserialize, Serialize};
//!
//! /// The spec: anything a config file may say.
//! #[derive(Clone, Serialize, Deserialize)]
//! struct SeatLimitsSpec { min: u32, max: u32 }
//!
//! /// The policy: only what the rules allow.
//! #[derive(Clone, Serialize, Deserialize)]
//! #[serde(try_from = "SeatLimitsSpec", into = "SeatLimitsSpec")]
//! struct SeatLimits { min: u32, max: u32 }
//!
//! impl TryFrom<SeatLimitsSpec> for SeatLimits {
//!     type Error = PolicyError;
//!     fn try_from(spec: SeatLimitsSpec) -> Result<Self, PolicyError> {
//!         check::ordered("min", spec.min, "max", spec.max)?;
//!         Ok(SeatLimits { min: spec.min, max: spec.max })
//!     }
//! }
//! impl From<SeatLimits> for SeatLimitsSpec {
//!     fn from(p: SeatLimits) -> Self { SeatLimitsSpec { min: p.min, max: p.max } }
//! }
//!
//! let err = SeatLimits::try_from(SeatLimitsSpec { min: 10, max: 5 }).err().unwrap();
//! assert_eq!(err.field, "min");
//! ```

pub mod check;
mod locale;

pub use locale::Locale;
