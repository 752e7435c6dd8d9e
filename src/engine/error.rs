//! [`EngineError`]: why the engine answered with an error.
//!
//! The crate's [`Error`] knows nothing of the engine (values and rules sit
//! below it), so the engine joins the two kinds it can meet here: what the
//! decider answered, and what its store failed to do.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::ids::IdempotencyKey;
use crate::engine::store_error::StoreError;
use crate::error::{ArithmeticError, DataError, Error, PolicyError, Reason, Refusal};
use crate::fingerprint::{Fingerprint, FingerprintError};
use crate::rule::RuleId;

/// Why `Engine::execute` or
/// `Engine::state` answered with an error:
/// the command was refused or could not be decided ([`EngineError::Command`],
/// a crate [`Error`]), or the store could not load or append
/// ([`EngineError::Store`]). Nothing was appended in either case.
///
/// The accessors answer the usual questions without a match:
/// [`refusal`](EngineError::refusal), [`rule`](EngineError::rule),
/// [`is_conflict`](EngineError::is_conflict).
///
/// ```
/// use billing_rules::engine::{EngineError, StoreError, Version};
/// use billing_rules::{Error, Reason, RuleId};
///
/// let refused = EngineError::from(Reason::new(RuleId::Pay04, "pay-as-you-go is final"));
/// assert_eq!(refused.rule(), Some(RuleId::Pay04));
/// assert!(matches!(refused, EngineError::Command(Error::Refused(_))));
///
/// let raced = EngineError::from(StoreError::Conflict { expected: Version::new(3), actual: Version::new(4) });
/// assert!(raced.is_conflict() && raced.refusal().is_none());
/// ```
///
/// # JSON
///
/// A command's error reads exactly as the [`Error`] it holds (tagged by
/// `kind`: `refused`, `arithmetic`, `policy`, `data`); a store error is
/// tagged `store`, the store's own error under `error`:
///
/// ```
/// use billing_rules::engine::{EngineError, StoreError, Version};
/// use billing_rules::{Reason, RuleId};
///
/// let raced = EngineError::from(StoreError::Conflict { expected: Version::new(3), actual: Version::new(4) });
/// let json = r#"{"kind":"store","error":{"kind":"conflict","expected":3,"actual":4}}"#;
/// assert_eq!(serde_json::to_string(&raced)?, json);
/// assert_eq!(serde_json::from_str::<EngineError>(json)?, raced);
///
/// let refused = EngineError::from(Reason::new(RuleId::Pay04, "pay-as-you-go is final"));
/// let json = r#"{"kind":"refused","reasons":[{"rule":"R-PAY-04","message":"pay-as-you-go is final","figures":[]}]}"#;
/// assert_eq!(serde_json::to_string(&refused)?, json);
/// assert_eq!(serde_json::from_str::<EngineError>(json)?, refused);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "EngineErrorRepr", from = "EngineErrorRepr")]
#[non_exhaustive]
pub enum EngineError {
    /// The decider refused the command or could not decide it (a refusal,
    /// an arithmetic error, a data error). With a key, this answer is
    /// remembered: the command sent again returns it.
    Command(Error),
    /// The store could not load or append: a conflict that outlasted the
    /// retries, or a database failure. Nothing was decided, so nothing is
    /// remembered: the same command may be sent again.
    Store(StoreError),
    /// The idempotency key is already recorded on this aggregate for
    /// another command (Stripe's rule): nothing was decided or written.
    /// Send the new command under a new key.
    KeyReused {
        /// The key.
        key: IdempotencyKey,
        /// The fingerprint of the command recorded under it.
        recorded: Fingerprint,
        /// The fingerprint of the command sent now.
        sent: Fingerprint,
    },
    /// A keyed command has no fingerprint (its JSON could not be written),
    /// so its key cannot be bound to it: nothing was decided or written.
    Unhashable(FingerprintError),
}

impl EngineError {
    /// The crate error the decider answered with, if it did.
    pub fn command_error(&self) -> Option<&Error> {
        match self {
            EngineError::Command(error) => Some(error),
            EngineError::Store(_) | EngineError::KeyReused { .. } | EngineError::Unhashable(_) => {
                None
            }
        }
    }

    /// The refusal, when a rule refused the command.
    pub fn refusal(&self) -> Option<&Refusal> {
        self.command_error().and_then(Error::refusal)
    }

    /// The arithmetic error, when a value could not be computed.
    pub fn arithmetic(&self) -> Option<&ArithmeticError> {
        self.command_error().and_then(Error::arithmetic)
    }

    /// The rule the error concerns ([`Error::rule`]); `None` for a store
    /// error.
    pub fn rule(&self) -> Option<RuleId> {
        self.command_error().and_then(Error::rule)
    }

    /// The store's error, when the store failed.
    pub fn store(&self) -> Option<&StoreError> {
        match self {
            EngineError::Store(error) => Some(error),
            EngineError::Command(_)
            | EngineError::KeyReused { .. }
            | EngineError::Unhashable(_) => None,
        }
    }

    /// True for [`StoreError::Conflict`]: other writers won the race more
    /// often than the retries allow. Nothing was written: send the command
    /// again.
    pub fn is_conflict(&self) -> bool {
        matches!(self, EngineError::Store(StoreError::Conflict { .. }))
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Command(error) => write!(f, "{error}"),
            EngineError::Store(error) => write!(f, "{error}"),
            EngineError::KeyReused {
                key,
                recorded,
                sent,
            } => write!(
                f,
                "idempotency key `{key}` was already used on this aggregate for another command \
                 (recorded command {recorded}, this one {sent}); nothing was written: send a \
                 new command under a new key"
            ),
            EngineError::Unhashable(error) => write!(
                f,
                "the command's key cannot be bound to it: {error}; nothing was written"
            ),
        }
    }
}

/// No `source`, like [`Error`]: the message already contains the inner
/// error's.
impl std::error::Error for EngineError {}

impl From<StoreError> for EngineError {
    fn from(error: StoreError) -> EngineError {
        EngineError::Store(error)
    }
}

/// `?` on anything that converts into a crate [`Error`], in a function that
/// returns an `EngineError`.
macro_rules! command_error_from {
    ($($from:ty),+) => {$(
        impl From<$from> for EngineError {
            fn from(error: $from) -> EngineError {
                EngineError::Command(Error::from(error))
            }
        }
    )+};
}

impl From<FingerprintError> for EngineError {
    fn from(error: FingerprintError) -> EngineError {
        EngineError::Unhashable(error)
    }
}

command_error_from!(
    Error,
    ArithmeticError,
    PolicyError,
    DataError,
    Refusal,
    Reason
);

/// [`EngineError`]'s JSON: a command's error as the [`Error`] it holds
/// (the same tags and fields), a store error under its own tag. Spelled out
/// rather than an untagged fallback, whose errors say only that nothing
/// matched.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum EngineErrorRepr {
    Refused(Refusal),
    Arithmetic {
        #[serde(default)]
        rule: Option<RuleId>,
        error: ArithmeticError,
    },
    Policy(PolicyError),
    Data(DataError),
    Store {
        error: StoreError,
    },
    KeyReused {
        key: IdempotencyKey,
        recorded: Fingerprint,
        sent: Fingerprint,
    },
    Unhashable {
        error: FingerprintError,
    },
}

impl From<EngineError> for EngineErrorRepr {
    fn from(error: EngineError) -> EngineErrorRepr {
        match error {
            EngineError::Command(Error::Refused(refusal)) => EngineErrorRepr::Refused(refusal),
            EngineError::Command(Error::Arithmetic { rule, error }) => {
                EngineErrorRepr::Arithmetic { rule, error }
            }
            EngineError::Command(Error::Policy(error)) => EngineErrorRepr::Policy(error),
            EngineError::Command(Error::Data(error)) => EngineErrorRepr::Data(error),
            EngineError::Store(error) => EngineErrorRepr::Store { error },
            EngineError::KeyReused {
                key,
                recorded,
                sent,
            } => EngineErrorRepr::KeyReused {
                key,
                recorded,
                sent,
            },
            EngineError::Unhashable(error) => EngineErrorRepr::Unhashable { error },
        }
    }
}

impl From<EngineErrorRepr> for EngineError {
    fn from(repr: EngineErrorRepr) -> EngineError {
        match repr {
            EngineErrorRepr::Refused(refusal) => Error::Refused(refusal).into(),
            EngineErrorRepr::Arithmetic { rule, error } => Error::Arithmetic { rule, error }.into(),
            EngineErrorRepr::Policy(error) => Error::Policy(error).into(),
            EngineErrorRepr::Data(error) => Error::Data(error).into(),
            EngineErrorRepr::Store { error } => EngineError::Store(error),
            EngineErrorRepr::KeyReused {
                key,
                recorded,
                sent,
            } => EngineError::KeyReused {
                key,
                recorded,
                sent,
            },
            EngineErrorRepr::Unhashable { error } => EngineError::Unhashable(error),
        }
    }
}
