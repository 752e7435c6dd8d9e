//! The minimum commitment: a period's charge is at least a stated minimum,
//! and the shortfall is its own step (OpenMeter's minimum spend, Lago's
//! minimum commitment with its true-up).

use serde::{Deserialize, Serialize};

use super::{ModelId, ModelStep, StepKind};
use crate::error::{ArithmeticError, PolicyError};
use crate::money::Money;
use crate::policy::check;

/// A minimum a period's charge is raised to.
///
/// Apply it to one model's charge (a [`ModelSpec`](crate::pricing::ModelSpec)'s
/// `minimum`) or to the sum of a period's charges (Lago's plan-level
/// commitment): [`MinimumCommitment::apply`] gives the charge raised to the
/// minimum and the shortfall step. It never lowers a charge.
///
/// Serialized as its amount: `{"amount": "50", "currency": "USD"}`.
///
/// ```
/// use billing_rules::money::{Currency, Money};
/// use billing_rules::pricing::MinimumCommitment;
/// use billing_rules::Decimal;
///
/// let usd = |n: i64| Money::new(Decimal::from(n), Currency::USD);
/// // OpenMeter's minimum spend: 30 of usage against a minimum of 50.
/// let minimum = MinimumCommitment::new(usd(50))?;
/// let (charge, shortfall) = minimum.apply(usd(30))?;
/// assert_eq!(charge.to_string(), "USD 50.00");
/// assert_eq!(shortfall.map(|s| s.amount.to_string()), Some("USD 20.00".to_owned()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Money", into = "Money")]
pub struct MinimumCommitment {
    minimum: Money,
}

impl MinimumCommitment {
    /// A minimum of `minimum`: zero or more, in whole minor units (so a
    /// charge raised to it needs no rounding, and the rounded total never
    /// falls below it).
    pub fn new(minimum: Money) -> Result<MinimumCommitment, PolicyError> {
        check::non_negative("minimum", minimum.amount())?;
        let scale = minimum.currency().scale();
        if minimum.amount().normalize().scale() > scale {
            return Err(PolicyError::new(
                "minimum",
                format!("{minimum} is not in whole minor units"),
                format!("at most {scale} decimal places"),
            ));
        }
        Ok(MinimumCommitment { minimum })
    }

    /// The minimum.
    pub fn minimum(&self) -> Money {
        self.minimum
    }

    /// `charge` raised to the minimum, and the step that raised it (`None`
    /// when the charge meets the minimum). An error when the currencies
    /// differ.
    pub fn apply(&self, charge: Money) -> Result<(Money, Option<ModelStep>), ArithmeticError> {
        let raised = charge.checked_max(self.minimum)?;
        if raised == charge {
            return Ok((charge, None));
        }
        let shortfall = self.minimum.checked_sub(charge)?;
        Ok((
            self.minimum,
            Some(ModelStep {
                model: ModelId::MinimumCommitment,
                kind: StepKind::Shortfall,
                tier: None,
                quantity: self.minimum.amount(),
                amount: shortfall,
            }),
        ))
    }
}

impl TryFrom<Money> for MinimumCommitment {
    type Error = PolicyError;

    fn try_from(minimum: Money) -> Result<MinimumCommitment, PolicyError> {
        MinimumCommitment::new(minimum)
    }
}

impl From<MinimumCommitment> for Money {
    fn from(commitment: MinimumCommitment) -> Money {
        commitment.minimum
    }
}
