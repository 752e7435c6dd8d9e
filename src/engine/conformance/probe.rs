//! [`Probe`]: the conformance suite's own small aggregate.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::engine::aggregate::Aggregate;
use crate::engine::aggregate::Scheduled;
use crate::error::{Error, Reason};
use crate::rule::RuleId;

/// The suite's aggregate: a tally of `(writer, n)` entries, with an alarm
/// time-driven events come due at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe;

/// [`Probe`]'s state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeState {
    /// Every entry, in order.
    pub entries: Vec<(u32, u32)>,
    /// When the alarm is due.
    pub due: Option<DateTime<Utc>>,
}

/// [`Probe`]'s commands and events (the same shape: a command is accepted
/// as its event, except `Refuse`, which is refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeEvent {
    /// An entry by `writer`.
    Entry {
        /// Who wrote it.
        writer: u32,
        /// Its number.
        n: u32,
    },
    /// The alarm set.
    Alarm {
        /// When it is due.
        due: Option<DateTime<Utc>>,
    },
    /// Refused by R-USE-05 (as a command); never an event.
    Refuse,
}

impl Decider for Probe {
    type State = ProbeState;
    type Command = ProbeEvent;
    type Event = ProbeEvent;
    type Policy = ();

    fn initial() -> ProbeState {
        ProbeState::default()
    }

    fn decide(
        _: &ProbeState,
        command: &ProbeEvent,
        _: DateTime<Utc>,
        _: &(),
    ) -> Result<Vec<ProbeEvent>, Error> {
        match command {
            ProbeEvent::Refuse => Err(Reason::new(RuleId::Use05, "the probe refuses").into()),
            command => Ok(vec![command.clone()]),
        }
    }

    fn evolve(mut state: ProbeState, event: &ProbeEvent) -> ProbeState {
        match event {
            ProbeEvent::Entry { writer, n } => state.entries.push((*writer, *n)),
            ProbeEvent::Alarm { due } => state.due = *due,
            ProbeEvent::Refuse => {}
        }
        state
    }
}

impl Aggregate for Probe {
    const KIND: &'static str = "conformance_probe";
    const TIME_DRIVEN: bool = true;

    fn next_due(state: &ProbeState, _: &()) -> Option<DateTime<Utc>> {
        state.due
    }
}

impl Scheduled for Probe {
    fn advance() -> ProbeEvent {
        ProbeEvent::Alarm { due: None }
    }
}
