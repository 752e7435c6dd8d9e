//! [`PolicyError`]: a policy spec that cannot be built.

use serde::{Deserialize, Serialize};

use crate::rule::RuleId;

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
