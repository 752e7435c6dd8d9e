//! Deciding one aggregate's commands again under two policies, command by
//! command.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{Error, Refusal};
use crate::money::Currency;

use super::ReplayError;
use super::flows::{Flows, Moves};

/// One recorded command: the instant the engine decided it at, and the
/// command (its fields inline: `{"decided_at": "...", "command":
/// "record_order", ...}`). Not `at`: some commands have an `at` of their
/// own (a consumption's, when the calls were made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry<C> {
    /// When the command was decided (the engine's `clock.now()`).
    pub decided_at: DateTime<Utc>,
    /// The command, as the engine received it.
    #[serde(flatten)]
    pub command: C,
}

/// What a policy answered to one command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Outcome<E> {
    /// Accepted: the events it produced and the money they moved.
    Accepted {
        /// The events, in order.
        events: Vec<E>,
        /// Money moved by them.
        flows: Flows,
    },
    /// Refused by a rule: the state stays as it was.
    Refused {
        /// The rules that refused, with their figures.
        refusal: Refusal,
    },
}

impl<E> Outcome<E> {
    fn flows(&self, currency: Currency) -> Flows {
        match self {
            Outcome::Accepted { flows, .. } => *flows,
            Outcome::Refused { .. } => Flows::zero(currency),
        }
    }
}

/// How the new policy's answer to a command differs from the base's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The same events (or the same refusal).
    Same,
    /// Accepted before, refused now.
    RefusalAppears,
    /// Refused before, accepted now.
    RefusalDisappears,
    /// Accepted by both, with different events (amounts, instants, ...).
    EventsDiffer,
    /// Refused by both, for different reasons.
    RefusalsDiffer,
}

/// One command replayed under both policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step<C, E> {
    /// 1 for the first command.
    pub step: usize,
    /// When it was decided.
    pub decided_at: DateTime<Utc>,
    /// The command.
    pub command: C,
    /// The base policy's answer.
    pub base: Outcome<E>,
    /// The new policy's answer.
    pub new: Outcome<E>,
    /// How they differ.
    pub change: Change,
    /// `new flows - base flows`.
    pub difference: Flows,
}

/// A history decided again under a new policy: every step, and the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replay<C, E> {
    /// Every command, in the recorded order.
    pub steps: Vec<Step<C, E>>,
    /// Money moved under the base policy.
    pub base_total: Flows,
    /// Money moved under the new policy.
    pub new_total: Flows,
    /// `new_total - base_total`: what the new policy changes.
    pub difference: Flows,
}

impl<C, E> Replay<C, E> {
    /// The steps whose answer changed.
    pub fn changed(&self) -> impl Iterator<Item = &Step<C, E>> {
        self.steps.iter().filter(|s| s.change != Change::Same)
    }
}

/// Replays `entries` of the decider `D` from its initial state under `base`
/// and under `new`, each policy keeping its own state (a command refused
/// under one policy changes nothing under it, and may change the state
/// under the other).
pub(crate) fn replay<D>(
    entries: &[Entry<D::Command>],
    base: &D::Policy,
    new: &D::Policy,
    currency: Currency,
) -> Result<Replay<D::Command, D::Event>, ReplayError>
where
    D: Decider,
    D::Command: Clone,
    D::Event: Moves + PartialEq,
{
    let mut base_state = D::initial();
    let mut new_state = D::initial();
    let mut steps = Vec::with_capacity(entries.len());
    let mut base_total = Flows::zero(currency);
    let mut new_total = Flows::zero(currency);
    for (i, entry) in entries.iter().enumerate() {
        let step = i + 1;
        let answer = |state: &mut D::State, policy: &D::Policy| {
            decide::<D>(state, &entry.command, entry.decided_at, policy, currency)
                .map_err(|error| ReplayError::Failed { step, error })
        };
        let base_answer = answer(&mut base_state, base)?;
        let new_answer = answer(&mut new_state, new)?;
        let change = match (&base_answer, &new_answer) {
            (Outcome::Accepted { events: b, .. }, Outcome::Accepted { events: n, .. }) => {
                if b == n {
                    Change::Same
                } else {
                    Change::EventsDiffer
                }
            }
            (Outcome::Accepted { .. }, Outcome::Refused { .. }) => Change::RefusalAppears,
            (Outcome::Refused { .. }, Outcome::Accepted { .. }) => Change::RefusalDisappears,
            (Outcome::Refused { refusal: b }, Outcome::Refused { refusal: n }) => {
                if b == n {
                    Change::Same
                } else {
                    Change::RefusalsDiffer
                }
            }
        };
        let (base_flows, new_flows) = (base_answer.flows(currency), new_answer.flows(currency));
        let fail = |e| ReplayError::Failed {
            step,
            error: Error::from(e),
        };
        base_total = base_total.plus(&base_flows).map_err(fail)?;
        new_total = new_total.plus(&new_flows).map_err(fail)?;
        steps.push(Step {
            step,
            decided_at: entry.decided_at,
            command: entry.command.clone(),
            difference: new_flows.minus(&base_flows).map_err(fail)?,
            base: base_answer,
            new: new_answer,
            change,
        });
    }
    let difference = new_total
        .minus(&base_total)
        .map_err(|e| ReplayError::Failed {
            step: entries.len(),
            error: Error::from(e),
        })?;
    Ok(Replay {
        steps,
        base_total,
        new_total,
        difference,
    })
}

/// One command under one policy: its outcome, with `state` moved past the
/// events when accepted. A refusal is an outcome; any other error ends the
/// replay.
fn decide<D>(
    state: &mut D::State,
    command: &D::Command,
    at: DateTime<Utc>,
    policy: &D::Policy,
    currency: Currency,
) -> Result<Outcome<D::Event>, Error>
where
    D: Decider,
    D::Event: Moves,
{
    match D::apply(state, command, at, policy) {
        Ok(events) => {
            let flows = Flows::of(currency, &events)?;
            Ok(Outcome::Accepted { events, flows })
        }
        Err(Error::Refused(refusal)) => Ok(Outcome::Refused { refusal }),
        Err(other) => Err(other),
    }
}
