//! [`Refusal`]: a rule said no; its [`Reason`]s and the [`Figure`]s that
//! decided it.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::quantity::Quantity;
use crate::rule::RuleId;

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
