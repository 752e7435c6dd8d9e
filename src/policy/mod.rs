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
//!    calculators never re-check it. `to_spec()` is the inverse:
//!    `Policy::try_from(p.to_spec())` gives back `p`.
//! 3. The policy itself (de)serializes through its spec, so deserializing
//!    a policy validates it (a refusal reads as the
//!    [`PolicyError`](crate::PolicyError)'s
//!    message), and serializing it gives back the spec.
//! 4. The published figures are constants of the policy they belong to
//!    (such as [`SeatPolicy::DISCOUNT_FLOOR`](crate::pricing::SeatPolicy::DISCOUNT_FLOOR)),
//!    used as its spec's serde defaults and validation bounds;
//!    [`crate::presets`] composes them into the platforms' specs.
//!
//! [`Locale`] is the currency, zone and rounding every policy embeds.
//!
//! The same pattern for a policy of your own, with serde's `try_from` and
//! `into` attributes:
//!
//! ```
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
//!         if spec.min > spec.max {
//!             let problem = format!("{} is above max ({})", spec.min, spec.max);
//!             return Err(PolicyError::new("min", problem, "at most max"));
//!         }
//!         Ok(SeatLimits { min: spec.min, max: spec.max })
//!     }
//! }
//! impl From<SeatLimits> for SeatLimitsSpec {
//!     fn from(p: SeatLimits) -> Self { SeatLimitsSpec { min: p.min, max: p.max } }
//! }
//!
//! let err = SeatLimits::try_from(SeatLimitsSpec { min: 10, max: 5 }).err().unwrap();
//! assert_eq!(err.field, "min");
//! let read = serde_json::from_str::<SeatLimits>(r#"{"min": 10, "max": 5}"#);
//! assert!(read.is_err_and(|e| e.to_string().starts_with("invalid policy: `min`")));
//! ```

// Inside the crate, a policy writes only its spec, its `TryFrom<Spec>`
// (the checks, with the shared ones in `check`) and, when it keeps derived
// data, its `to_spec`; `policy_spec!` writes the rest (serde both ways,
// `From<Policy> for Spec`, and `to_spec` when the policy keeps its spec):
//
//     crate::policy::policy_spec!(PaymentPolicy => PaymentPolicySpec, kept in spec);
//     crate::policy::policy_spec!(SeatPolicy => SeatPolicySpec); // its own to_spec
//
// The policy then derives neither `Serialize` nor `Deserialize`.

pub(crate) mod check;
mod locale;
mod spec;

pub use locale::Locale;
pub(crate) use spec::policy_spec;
