//! A small time-driven test aggregate shared by the engine service tests:
//! a balance that can be spent (refusing overdrafts), and one alarm that
//! fires when due (recorded by `Advance`).

use billing_rules::engine::{Aggregate, Scheduled};
use billing_rules::{Decider, Error, Figure, Reason, RuleId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub struct Alarm;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmState {
    pub balance: u64,
    pub pending: Option<DateTime<Utc>>,
    pub fired: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlarmCommand {
    Deposit(u64),
    Spend(u64),
    Set(DateTime<Utc>),
    Advance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlarmEvent {
    Deposited {
        amount: u64,
        at: DateTime<Utc>,
    },
    Spent {
        amount: u64,
        at: DateTime<Utc>,
    },
    Set {
        due: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    Fired {
        due: DateTime<Utc>,
    },
}

impl AlarmEvent {
    /// The instant the event was recorded at (a fired alarm: when it came due).
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            AlarmEvent::Deposited { at, .. }
            | AlarmEvent::Spent { at, .. }
            | AlarmEvent::Set { at, .. } => *at,
            AlarmEvent::Fired { due } => *due,
        }
    }
}

impl Decider for Alarm {
    type State = AlarmState;
    type Command = AlarmCommand;
    type Event = AlarmEvent;
    type Policy = ();

    fn initial() -> AlarmState {
        AlarmState::default()
    }

    fn decide(
        state: &AlarmState,
        command: &AlarmCommand,
        now: DateTime<Utc>,
        _: &(),
    ) -> Result<Vec<AlarmEvent>, Error> {
        match command {
            AlarmCommand::Deposit(amount) => Ok(vec![AlarmEvent::Deposited {
                amount: *amount,
                at: now,
            }]),
            AlarmCommand::Spend(amount) if *amount > state.balance => {
                Err(Reason::new(RuleId::Use05, "not enough balance")
                    .with(Figure::count("balance", state.balance))
                    .with(Figure::count("asked", *amount))
                    .into())
            }
            AlarmCommand::Spend(amount) => Ok(vec![AlarmEvent::Spent {
                amount: *amount,
                at: now,
            }]),
            AlarmCommand::Set(due) => Ok(vec![AlarmEvent::Set { due: *due, at: now }]),
            AlarmCommand::Advance => Ok(match state.pending {
                Some(due) if due <= now => vec![AlarmEvent::Fired { due }],
                _ => Vec::new(),
            }),
        }
    }

    fn evolve(mut state: AlarmState, event: &AlarmEvent) -> AlarmState {
        match event {
            AlarmEvent::Deposited { amount, .. } => {
                state.balance = state.balance.saturating_add(*amount)
            }
            AlarmEvent::Spent { amount, .. } => {
                state.balance = state.balance.saturating_sub(*amount)
            }
            AlarmEvent::Set { due, .. } => state.pending = Some(*due),
            AlarmEvent::Fired { .. } => {
                state.pending = None;
                state.fired = state.fired.saturating_add(1);
            }
        }
        state
    }
}

impl Aggregate for Alarm {
    const KIND: &'static str = "alarm";
    const TIME_DRIVEN: bool = true;

    fn next_due(state: &AlarmState, _: &()) -> Option<DateTime<Utc>> {
        state.pending
    }
}

impl Scheduled for Alarm {
    fn advance() -> AlarmCommand {
        AlarmCommand::Advance
    }
}
