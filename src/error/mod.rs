//! The crate's errors, one small type per kind under one [`Error`] (the
//! shape of the `time` crate's errors), re-exported at the crate root.
//!
//! Files, bottom up: `arithmetic.rs` names currencies and units, so it
//! imports only those two value files; `data.rs` imports nothing;
//! `policy.rs` imports the rule ids; `refusal.rs` the values its figures
//! hold. This file joins them. Nothing here imports the engine: the engine
//! wraps [`Error`] in its own error, beside its store's.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rule::RuleId;

mod arithmetic;
mod data;
mod policy;
mod refusal;

pub use arithmetic::ArithmeticError;
pub use data::DataError;
pub use policy::PolicyError;
pub use refusal::{Figure, FigureValue, Reason, Refusal};

/// Any error of this crate's calculators, deciders and policies.
///
/// Each kind is a small type of its own, for functions that meet only that
/// kind:
///
/// - [`ArithmeticError`]: a value could not be computed exactly (overflow,
///   two currencies, a unit that does not convert).
/// - [`PolicyError`]: a policy spec cannot be built; names the field, what
///   was wrong and what is allowed.
/// - [`DataError`]: recorded data (a history, a deserialized state) breaks
///   an invariant, such as two orders with one id; repair it at the source.
/// - [`Refusal`]: a rule said no. Names every rule that refused, a sentence a
///   person can read, and the figures that decided it.
///
/// `Error` is any of these, for functions that can meet more than one.
/// Calculators and deciders return `Result<_, Error>`: a rule may refuse
/// ([`Error::Refused`]) or an input may be too large to compute exactly
/// ([`Error::Arithmetic`]). Match on the variant to tell a "no" from a fault.
/// The engine returns an [`EngineError`](crate::engine::EngineError): one of
/// these, or its store's error.
///
/// Every error a calculator or decider returns names the rule it concerns
/// where there is one ([`Error::rule`]): a refusal its rules, an arithmetic
/// error the rule whose computation failed ([`InRule`]), so a log line reads
/// `R-SEAT-05: arithmetic overflow in ...`.
///
/// ```
/// use billing_rules::{Figure, Reason, Refusal, RuleId};
///
/// let refusal = Refusal::new(
///     Reason::new(RuleId::Pay03, "4 of 4 switches used; no further switch is allowed")
///         .with(Figure::count("switches_used", 4))
///         .with(Figure::count("switch_limit", 4)),
/// );
/// assert_eq!(refusal.rule(), RuleId::Pay03);
/// assert_eq!(refusal.figure("switches_used").map(|f| f.to_string()).as_deref(), Some("4"));
/// assert_eq!(
///     refusal.to_string(),
///     "R-PAY-03: 4 of 4 switches used; no further switch is allowed \
///      (switches_used = 4, switch_limit = 4)"
/// );
/// ```
///
/// # JSON
///
/// Every error (de)serializes in snake_case, enums tagged by `kind`, like
/// every other enum of the crate; each type's docs show its JSON.
///
/// `Error` is tagged by `kind` (`refused`, `arithmetic`, `policy`, `data`).
/// A refusal, a policy error and a data error put their fields beside the
/// tag; an arithmetic error, itself tagged by `kind`, sits under `error`:
///
/// ```
/// use billing_rules::{ArithmeticError, Error, Reason, RuleId};
///
/// let err = Error::from(ArithmeticError::overflow("bonus days")).in_rule(RuleId::Seat05);
/// assert_eq!(err.rule(), Some(RuleId::Seat05));
/// assert_eq!(
///     err.to_string(),
///     "R-SEAT-05: arithmetic overflow in bonus days: the result is too large to represent exactly"
/// );
/// let json = concat!(
///     r#"{"kind":"arithmetic","rule":"R-SEAT-05","#,
///     r#""error":{"kind":"overflow","operation":"bonus days"}}"#,
/// );
/// assert_eq!(serde_json::to_string(&err)?, json);
/// assert_eq!(serde_json::from_str::<Error>(json)?, err);
///
/// let refused = Error::from(Reason::new(RuleId::Pay04, "pay-as-you-go is final"));
/// let json = concat!(
///     r#"{"kind":"refused","reasons":[{"rule":"R-PAY-04","#,
///     r#""message":"pay-as-you-go is final","figures":[]}]}"#,
/// );
/// assert_eq!(serde_json::to_string(&refused)?, json);
/// assert_eq!(serde_json::from_str::<Error>(json)?, refused);
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// A policy error is `{"kind":"policy","field":...,"problem":...,"allowed":...,"rule":...}`;
/// a data error `{"kind":"data","field":...,"problem":...,"allowed":...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ErrorRepr", from = "ErrorRepr")]
#[non_exhaustive]
pub enum Error {
    /// A rule refused.
    Refused(Refusal),
    /// A value could not be computed exactly.
    Arithmetic {
        /// The rule whose computation failed, where the calculator or
        /// decider knows it (see [`InRule`]); `None` for a bare computation
        /// such as
        /// [`Money::checked_add`](crate::money::Money::checked_add).
        rule: Option<RuleId>,
        /// What could not be computed.
        error: ArithmeticError,
    },
    /// A policy could not be built.
    Policy(PolicyError),
    /// Recorded data (a history, a deserialized state) is inconsistent.
    Data(DataError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Refused(refusal) => write!(f, "refused: {refusal}"),
            Error::Arithmetic {
                rule: Some(rule),
                error,
            } => write!(f, "{rule}: {error}"),
            Error::Arithmetic { rule: None, error } => write!(f, "{error}"),
            Error::Policy(error) => write!(f, "{error}"),
            Error::Data(error) => write!(f, "{error}"),
        }
    }
}

/// No `source`: the message already contains the inner error's, so a
/// reporter that walks the chain would print it twice.
impl std::error::Error for Error {}

impl Error {
    /// The refusal, when a rule refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::Refused(r) => Some(r),
            _ => None,
        }
    }

    /// The arithmetic error, when a value could not be computed.
    pub fn arithmetic(&self) -> Option<&ArithmeticError> {
        match self {
            Error::Arithmetic { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The rule the error concerns: a refusal's first rule, the rule whose
    /// computation failed, the rule that sets a policy's limit; `None` for a
    /// data error (no rule is involved) or an arithmetic error no
    /// rule claimed.
    ///
    /// ```
    /// use billing_rules::{ArithmeticError, Error, Reason, RuleId};
    ///
    /// assert_eq!(Error::from(Reason::new(RuleId::Pay03, "4 of 4")).rule(), Some(RuleId::Pay03));
    /// assert_eq!(Error::from(ArithmeticError::DivisionByZero).rule(), None);
    /// ```
    pub fn rule(&self) -> Option<RuleId> {
        match self {
            Error::Refused(refusal) => Some(refusal.rule()),
            Error::Arithmetic { rule, .. } => *rule,
            Error::Policy(error) => error.rule,
            Error::Data(_) => None,
        }
    }

    /// Names `rule` as the rule whose computation failed, unless an inner
    /// computation named a (more precise) rule already. Only arithmetic
    /// errors change: a refusal and a policy error name their rules
    /// themselves, and a data error concerns no rule.
    pub fn in_rule(self, rule: RuleId) -> Error {
        match self {
            Error::Arithmetic { rule: None, error } => Error::Arithmetic {
                rule: Some(rule),
                error,
            },
            other => other,
        }
    }
}

/// Names the rule whose computation failed, on a result; see
/// [`Error::in_rule`]. The innermost rule wins: a rule already named is
/// kept.
///
/// ```
/// use billing_rules::{ArithmeticError, Error, InRule, RuleId};
///
/// let total: Result<u32, ArithmeticError> = Err(ArithmeticError::overflow("seat total"));
/// let err = total.in_rule(RuleId::Seat02).in_rule(RuleId::Seat06).unwrap_err();
/// assert_eq!(err.rule(), Some(RuleId::Seat02));
/// assert!(matches!(err, Error::Arithmetic { error: ArithmeticError::Overflow { .. }, .. }));
/// ```
pub trait InRule {
    /// The result with the rule named.
    type Output;

    /// Names `rule` on an arithmetic error that names none yet.
    fn in_rule(self, rule: RuleId) -> Self::Output;
}

impl<T> InRule for Result<T, Error> {
    type Output = Result<T, Error>;

    fn in_rule(self, rule: RuleId) -> Result<T, Error> {
        self.map_err(|e| e.in_rule(rule))
    }
}

impl<T> InRule for Result<T, ArithmeticError> {
    type Output = Result<T, Error>;

    fn in_rule(self, rule: RuleId) -> Result<T, Error> {
        self.map_err(|error| Error::Arithmetic {
            rule: Some(rule),
            error,
        })
    }
}

impl From<ArithmeticError> for Error {
    /// An arithmetic error no rule claimed yet.
    fn from(error: ArithmeticError) -> Error {
        Error::Arithmetic { rule: None, error }
    }
}

impl From<PolicyError> for Error {
    fn from(error: PolicyError) -> Error {
        Error::Policy(error)
    }
}

impl From<DataError> for Error {
    fn from(error: DataError) -> Error {
        Error::Data(error)
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Error {
        Error::Refused(refusal)
    }
}

impl From<Reason> for Error {
    fn from(reason: Reason) -> Error {
        Error::Refused(Refusal::new(reason))
    }
}

/// [`Error`]'s JSON shape: tagged by `kind`, nested errors under `error`
/// (an internally tagged newtype cannot hold another internally tagged
/// enum, whose `kind` would clash).
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ErrorRepr {
    Refused(Refusal),
    Arithmetic {
        #[serde(default)]
        rule: Option<RuleId>,
        error: ArithmeticError,
    },
    Policy(PolicyError),
    Data(DataError),
}

impl From<Error> for ErrorRepr {
    fn from(error: Error) -> ErrorRepr {
        match error {
            Error::Refused(refusal) => ErrorRepr::Refused(refusal),
            Error::Arithmetic { rule, error } => ErrorRepr::Arithmetic { rule, error },
            Error::Policy(error) => ErrorRepr::Policy(error),
            Error::Data(error) => ErrorRepr::Data(error),
        }
    }
}

impl From<ErrorRepr> for Error {
    fn from(repr: ErrorRepr) -> Error {
        match repr {
            ErrorRepr::Refused(refusal) => Error::Refused(refusal),
            ErrorRepr::Arithmetic { rule, error } => Error::Arithmetic { rule, error },
            ErrorRepr::Policy(error) => Error::Policy(error),
            ErrorRepr::Data(error) => Error::Data(error),
        }
    }
}
