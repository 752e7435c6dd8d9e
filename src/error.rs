//! Errors, one kind per layer.
//!
//! - [`ArithmeticError`]: a value could not be computed exactly (overflow,
//!   two currencies, a unit that does not convert).
//! - [`PolicyError`]: a policy spec cannot be built; names the field, what
//!   was wrong and what is allowed.
//! - [`DataError`]: recorded data (a history, a deserialized state) breaks
//!   an invariant, such as two orders with one id; repair it at the source.
//! - [`Refusal`]: a rule said no. Names every rule that refused, a sentence a
//!   person can read, and the figures that decided it.
//! - [`StoreError`](crate::engine::StoreError): the engine's store could not
//!   load or append (it lives with the engine).
//! - [`Error`]: any of these, for functions that can meet more than one.
//!   Every error a calculator or decider returns names the rule it
//!   concerns where there is one ([`Error::rule`]); an arithmetic error is
//!   reported under the rule whose computation failed ([`InRule`]).
//!
//! Every error (de)serializes in snake_case, enums tagged by `kind`, like
//! every other enum of the crate; each type's docs show its JSON.
//!
//! ```
//! use billing_rules::{Figure, Reason, Refusal, RuleId};
//!
//! let refusal = Refusal::new(
//!     Reason::new(RuleId::Pay03, "4 of 4 switches used; no further switch is allowed")
//!         .with(Figure::count("switches_used", 4))
//!         .with(Figure::count("switch_limit", 4)),
//! );
//! assert_eq!(refusal.rule(), RuleId::Pay03);
//! assert_eq!(refusal.figure("switches_used").map(|f| f.to_string()).as_deref(), Some("4"));
//! assert_eq!(
//!     refusal.to_string(),
//!     "R-PAY-03: 4 of 4 switches used; no further switch is allowed \
//!      (switches_used = 4, switch_limit = 4)"
//! );
//! ```

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};
use crate::quantity::{Quantity, Unit};
use crate::rule::RuleId;

/// A value could not be computed exactly.
///
/// It names no rule itself: the calculator or decider that met it names the
/// rule whose computation failed, in [`Error::Arithmetic`] (see [`InRule`]).
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
        "`{code}` (scale {scale}) is not a valid currency: use three capital letters and a \
         scale of at most 28; known codes are CNY, USD, EUR, GBP, HKD, JPY"
    )]
    InvalidCurrency {
        /// The code given.
        code: String,
        /// The scale given.
        scale: u32,
    },
    /// A quantity was converted to a unit of another dimension.
    #[error("cannot convert {from} to {to}: they measure different things")]
    IncompatibleUnits {
        /// The unit converted from.
        from: Unit,
        /// The unit asked for.
        to: Unit,
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

/// Recorded data that cannot be read as it is: a history handed to a
/// constructor (or deserialized) that breaks an invariant the crate relies
/// on, such as two orders with one id.
///
/// Unlike a [`Refusal`], no rule said no to a command: the data itself is
/// inconsistent and must be repaired where it is stored. Names where
/// (`orders[17].id`), what is wrong, and what the data must look like.
///
/// ```
/// use billing_rules::DataError;
///
/// let err = DataError::new(
///     "orders[17].id",
///     "order id A-1 is already used by orders[3]",
///     "one order per id",
/// );
/// assert_eq!(
///     err.to_string(),
///     "invalid data: `orders[17].id`: order id A-1 is already used by orders[3]; \
///      allowed: one order per id"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("invalid data: `{field}`: {problem}; allowed: {allowed}")]
#[non_exhaustive]
pub struct DataError {
    /// The path of the offending entry, e.g. `orders[17].id`.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
    /// What the data must look like instead.
    pub allowed: String,
}

impl DataError {
    /// A data error at `field`.
    pub fn new(
        field: impl Into<String>,
        problem: impl Into<String>,
        allowed: impl Into<String>,
    ) -> DataError {
        DataError {
            field: field.into(),
            problem: problem.into(),
            allowed: allowed.into(),
        }
    }
}

/// A policy spec that cannot be built into a policy.
///
/// Names the field (a path like `tiers[2].up_to`), what was wrong with it,
/// what is allowed, and the rule that sets the limit where there is one.
///
/// ```
/// use billing_rules::{PolicyError, RuleId};
///
/// let err = PolicyError::new("discounts[0].factor", "0.65 is below the floor", "0.70 to 1")
///     .with_rule(RuleId::Seat04);
/// assert_eq!(
///     err.to_string(),
///     "invalid policy: `discounts[0].factor`: 0.65 is below the floor; allowed: 0.70 to 1 (R-SEAT-04)"
/// );
/// ```
///
/// # JSON
///
/// Its four fields; `rule` is `null` where no rule sets the limit:
///
/// ```
/// use billing_rules::{PolicyError, RuleId};
///
/// let err = PolicyError::new("window_days", "a window of 0 days refunds nothing", "1 day or more")
///     .with_rule(RuleId::Ref01);
/// let json = concat!(
///     r#"{"field":"window_days","problem":"a window of 0 days refunds nothing","#,
///     r#""allowed":"1 day or more","rule":"R-REF-01"}"#,
/// );
/// assert_eq!(serde_json::to_string(&err)?, json);
/// assert_eq!(serde_json::from_str::<PolicyError>(json)?, err);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("invalid policy: `{field}`: {problem}; allowed: {allowed}{}", rule_suffix(.rule))]
#[non_exhaustive]
pub struct PolicyError {
    /// The path of the offending field, e.g. `tiers[2].up_to`.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
    /// What would be accepted.
    pub allowed: String,
    /// The rule that sets the limit, where one does.
    pub rule: Option<RuleId>,
}

fn rule_suffix(rule: &Option<RuleId>) -> String {
    rule.map(|r| format!(" ({r})")).unwrap_or_default()
}

impl PolicyError {
    /// A problem with `field`.
    pub fn new(
        field: impl Into<String>,
        problem: impl Into<String>,
        allowed: impl Into<String>,
    ) -> PolicyError {
        PolicyError {
            field: field.into(),
            problem: problem.into(),
            allowed: allowed.into(),
            rule: None,
        }
    }

    /// Names the rule that sets the limit.
    pub fn with_rule(mut self, rule: RuleId) -> PolicyError {
        self.rule = Some(rule);
        self
    }

    /// Prefixes the field path, for a spec nested in another:
    /// `up_to` inside `tiers[2]` becomes `tiers[2].up_to`.
    pub fn within(mut self, parent: &str) -> PolicyError {
        self.field = if self.field.is_empty() {
            parent.to_owned()
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

/// The value of a [`Figure`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FigureValue {
    /// A count (switches used, seats, calls).
    Count(u64),
    /// A signed whole number (days left, which may be negative).
    Integer(i64),
    /// An exact number (a factor, a percentage).
    #[serde(with = "crate::decimal_serde::strict")]
    Decimal(Decimal),
    /// An amount of money.
    Money(Money),
    /// A quantity in a unit (traffic).
    Quantity(Quantity),
    /// An instant.
    Instant(DateTime<Utc>),
    /// A rule-specific word (a payment method, a state).
    Text(Cow<'static, str>),
}

impl fmt::Display for FigureValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FigureValue::Count(n) => write!(f, "{n}"),
            FigureValue::Integer(n) => write!(f, "{n}"),
            FigureValue::Decimal(d) => write!(f, "{d}"),
            FigureValue::Money(m) => write!(f, "{m}"),
            FigureValue::Quantity(q) => write!(f, "{q}"),
            FigureValue::Instant(t) => write!(f, "{}", t.to_rfc3339()),
            FigureValue::Text(t) => f.write_str(t),
        }
    }
}

/// A named figure that decided a refusal: `switches_used = 4`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// A snake_case name, stable across versions (services may key on it).
    pub name: Cow<'static, str>,
    /// The value.
    pub value: FigureValue,
}

impl Figure {
    /// A figure with any value.
    pub fn new(name: impl Into<Cow<'static, str>>, value: FigureValue) -> Figure {
        Figure {
            name: name.into(),
            value,
        }
    }

    /// A count.
    pub fn count(name: impl Into<Cow<'static, str>>, value: u64) -> Figure {
        Figure::new(name, FigureValue::Count(value))
    }

    /// A signed whole number.
    pub fn integer(name: impl Into<Cow<'static, str>>, value: i64) -> Figure {
        Figure::new(name, FigureValue::Integer(value))
    }

    /// An exact number.
    pub fn decimal(name: impl Into<Cow<'static, str>>, value: Decimal) -> Figure {
        Figure::new(name, FigureValue::Decimal(value))
    }

    /// An amount of money.
    pub fn money(name: impl Into<Cow<'static, str>>, value: Money) -> Figure {
        Figure::new(name, FigureValue::Money(value))
    }

    /// A quantity.
    pub fn quantity(name: impl Into<Cow<'static, str>>, value: Quantity) -> Figure {
        Figure::new(name, FigureValue::Quantity(value))
    }

    /// An instant.
    pub fn instant(name: impl Into<Cow<'static, str>>, value: DateTime<Utc>) -> Figure {
        Figure::new(name, FigureValue::Instant(value))
    }

    /// A word.
    pub fn text(name: impl Into<Cow<'static, str>>, value: impl Into<Cow<'static, str>>) -> Figure {
        Figure::new(name, FigureValue::Text(value.into()))
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.name, self.value)
    }
}

/// One rule's reason for refusing: the rule, a sentence, and its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The rule that refused.
    pub rule: RuleId,
    /// A sentence a person can read, with the deciding figures in it
    /// ("4 of 4 switches used").
    pub message: String,
    /// The figures that decided it, for programs.
    pub figures: Vec<Figure>,
}

impl Reason {
    /// A reason with no figures yet.
    pub fn new(rule: RuleId, message: impl Into<String>) -> Reason {
        Reason {
            rule,
            message: message.into(),
            figures: Vec::new(),
        }
    }

    /// Adds a figure.
    pub fn with(mut self, figure: Figure) -> Reason {
        self.figures.push(figure);
        self
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.message)?;
        if let Some((first, rest)) = self.figures.split_first() {
            write!(f, " ({first}")?;
            for figure in rest {
                write!(f, ", {figure}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A rule said no. Holds at least one [`Reason`]; where several rules refuse
/// the same command, every one is listed, in the order the deciding module
/// documents.
///
/// Serialized as `{"reasons": [{"rule": "R-PAY-03", "message": ..., "figures": [...]}]}`;
/// an empty list does not deserialize.
///
/// # JSON
///
/// Each figure's value is tagged by `kind` (`count`, `integer`, `decimal`,
/// `money`, `quantity`, `instant`, `text`):
///
/// ```
/// use billing_rules::money::Money;
/// use billing_rules::{Figure, Reason, Refusal, RuleId};
/// use rust_decimal::Decimal;
///
/// let refusal = Refusal::new(
///     Reason::new(RuleId::Pay03, "4 of 4 switches used; no further switch is allowed")
///         .with(Figure::count("switches_used", 4))
///         .with(Figure::count("switch_limit", 4)),
/// )
/// .and(
///     Reason::new(RuleId::Pay06, "open for invoicing CNY 100.00 < refund CNY 150.00")
///         .with(Figure::money("open_for_invoicing", Money::cny(Decimal::new(10000, 2)))),
/// );
/// let json = concat!(
///     r#"{"reasons":["#,
///     r#"{"rule":"R-PAY-03","message":"4 of 4 switches used; no further switch is allowed","figures":["#,
///     r#"{"name":"switches_used","value":{"kind":"count","value":4}},"#,
///     r#"{"name":"switch_limit","value":{"kind":"count","value":4}}]},"#,
///     r#"{"rule":"R-PAY-06","message":"open for invoicing CNY 100.00 < refund CNY 150.00","figures":["#,
///     r#"{"name":"open_for_invoicing","value":{"kind":"money","value":{"amount":"100.00","currency":"CNY"}}}]}"#,
///     r#"]}"#,
/// );
/// assert_eq!(serde_json::to_string(&refusal)?, json);
/// assert_eq!(serde_json::from_str::<Refusal>(json)?, refusal);
/// assert!(serde_json::from_str::<Refusal>(r#"{"reasons":[]}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RefusalRepr")]
pub struct Refusal {
    reasons: Vec<Reason>,
}

#[derive(Deserialize)]
struct RefusalRepr {
    reasons: Vec<Reason>,
}

impl TryFrom<RefusalRepr> for Refusal {
    type Error = String;

    fn try_from(repr: RefusalRepr) -> Result<Self, Self::Error> {
        Refusal::from_reasons(repr.reasons)
            .ok_or_else(|| "a refusal needs at least one reason".to_owned())
    }
}

impl Refusal {
    /// A refusal for one reason.
    pub fn new(reason: Reason) -> Refusal {
        Refusal {
            reasons: vec![reason],
        }
    }

    /// A refusal for every reason in `reasons`, in order; `None` when there
    /// is none (nothing refused).
    pub fn from_reasons(reasons: Vec<Reason>) -> Option<Refusal> {
        (!reasons.is_empty()).then_some(Refusal { reasons })
    }

    /// Adds a further reason.
    pub fn and(mut self, reason: Reason) -> Refusal {
        self.reasons.push(reason);
        self
    }

    /// The first rule that refused.
    pub fn rule(&self) -> RuleId {
        self.primary().rule
    }

    /// The first reason.
    pub fn primary(&self) -> &Reason {
        // The constructors guarantee at least one reason; index 0 exists.
        &self.reasons[0]
    }

    /// Every reason, in order.
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }

    /// Every rule that refused, in order.
    pub fn rules(&self) -> impl Iterator<Item = RuleId> + '_ {
        self.reasons.iter().map(|r| r.rule)
    }

    /// True when `rule` is among the reasons.
    pub fn refused_by(&self, rule: RuleId) -> bool {
        self.rules().any(|r| r == rule)
    }

    /// The first figure named `name`, in any reason.
    pub fn figure(&self, name: &str) -> Option<&FigureValue> {
        self.reasons
            .iter()
            .flat_map(|r| r.figures.iter())
            .find(|f| f.name == name)
            .map(|f| &f.value)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for reason in &self.reasons {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{reason}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

impl From<Reason> for Refusal {
    fn from(reason: Reason) -> Refusal {
        Refusal::new(reason)
    }
}

/// Any error of this crate.
///
/// Calculators and deciders return `Result<_, Error>`: a rule may refuse
/// ([`Error::Refused`]) or an input may be too large to compute exactly
/// ([`Error::Arithmetic`]). Match on the variant to tell a "no" from a fault.
///
/// Every error a calculator or decider returns names the rule it concerns
/// where there is one ([`Error::rule`]): a refusal its rules, an arithmetic
/// error the rule whose computation failed, so a log line reads
/// `R-SEAT-05: arithmetic overflow in ...`.
///
/// # JSON
///
/// Tagged by `kind` (`refused`, `arithmetic`, `policy`, `data`, `store`) in
/// snake_case, like every enum of the crate. A refusal, a policy error and
/// a data error put their fields beside the tag; an arithmetic or store error, itself
/// tagged by `kind`, sits under `error`:
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
/// a data error `{"kind":"data","field":...,"problem":...,"allowed":...}`;
/// a store error `{"kind":"store","error":{"kind":"conflict","expected":3,"actual":4}}`.
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
        /// such as [`Money::checked_add`].
        rule: Option<RuleId>,
        /// What could not be computed.
        error: ArithmeticError,
    },
    /// A policy could not be built.
    Policy(PolicyError),
    /// Recorded data (a history, a deserialized state) is inconsistent.
    Data(DataError),
    /// The engine's store could not load or append (a conflict that
    /// outlasted the retries, or a database failure); nothing was written.
    Store(crate::engine::StoreError),
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
            Error::Store(error) => write!(f, "{error}"),
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
    /// data or store error (no rule is involved) or an arithmetic error no
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
            Error::Data(_) | Error::Store(_) => None,
        }
    }

    /// Names `rule` as the rule whose computation failed, unless an inner
    /// computation named a (more precise) rule already. Only arithmetic
    /// errors change: a refusal and a policy error name their rules
    /// themselves, and a store error concerns no rule.
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

impl From<crate::engine::StoreError> for Error {
    fn from(error: crate::engine::StoreError) -> Error {
        Error::Store(error)
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
    Store {
        error: crate::engine::StoreError,
    },
}

impl From<Error> for ErrorRepr {
    fn from(error: Error) -> ErrorRepr {
        match error {
            Error::Refused(refusal) => ErrorRepr::Refused(refusal),
            Error::Arithmetic { rule, error } => ErrorRepr::Arithmetic { rule, error },
            Error::Policy(error) => ErrorRepr::Policy(error),
            Error::Data(error) => ErrorRepr::Data(error),
            Error::Store(error) => ErrorRepr::Store { error },
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
            ErrorRepr::Store { error } => Error::Store(error),
        }
    }
}
