//! The decider pattern every state machine of this crate follows.
//!
//! An aggregate (a subscription, a package wallet, a licence, a payment
//! method, an order ledger) is a type implementing [`Decider`]:
//!
//! - [`Decider::decide`] looks at the current state, a command, the instant
//!   and the policy, and returns the events the command produces, or an
//!   [`Error`] (usually [`Error::Refused`] naming the rule). It never changes
//!   anything, so a refused command leaves the state exactly as it was.
//! - [`Decider::evolve`] applies one event to a state. It cannot fail: every
//!   check happened in `decide`, and an event is a fact that already
//!   happened.
//!
//! Replaying the same events from [`Decider::initial`] always gives the same
//! state, which is what lets the engine store only events.
//!
//! ```
//! use billing_rules::decider::Decider;
//! use billing_rules::{Error, Reason, RuleId};
//! use chrono::{DateTime, Utc};
//!
//! /// A toy counter that refuses to pass a limit.
//! struct Counter;
//! impl Decider for Counter {
//!     type State = u32;
//!     type Command = u32;
//!     type Event = u32;
//!     type Policy = u32;
//!     fn initial() -> u32 { 0 }
//!     fn decide(state: &u32, add: &u32, _now: DateTime<Utc>, limit: &u32) -> Result<Vec<u32>, Error> {
//!         match state.checked_add(*add) {
//!             Some(total) if total <= *limit => Ok(vec![*add]),
//!             _ => Err(Reason::new(RuleId::Pay03, format!("{state} + {add} passes the limit {limit}")).into()),
//!         }
//!     }
//!     fn evolve(state: u32, event: &u32) -> u32 { state + event }
//! }
//!
//! let now = DateTime::<Utc>::UNIX_EPOCH;
//! let (state, events) = Counter::run(&Counter::initial(), &3, now, &4)?;
//! assert_eq!((state, events), (3, vec![3]));
//! assert!(Counter::run(&state, &2, now, &4).is_err());
//! assert_eq!(Counter::replay([3u32, 1].iter()), 4);
//! # Ok::<(), Error>(())
//! ```

use chrono::{DateTime, Utc};

use crate::error::Error;

/// A state machine as a pair of pure functions: `decide` and `evolve`.
pub trait Decider {
    /// The aggregate's state: an enum, so impossible states do not exist.
    type State: Clone;
    /// What a caller asks for.
    type Command;
    /// What happened: the facts that are stored and replayed.
    type Event: Clone;
    /// The validated policy the rules read their figures from.
    type Policy;

    /// The state before any event.
    fn initial() -> Self::State;

    /// The events `command` produces at `now`, or why it is refused.
    fn decide(
        state: &Self::State,
        command: &Self::Command,
        now: DateTime<Utc>,
        policy: &Self::Policy,
    ) -> Result<Vec<Self::Event>, Error>;

    /// The state after `event`.
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// The state after every event of `events`, from [`Decider::initial`].
    fn replay<'a, I>(events: I) -> Self::State
    where
        I: IntoIterator<Item = &'a Self::Event>,
        Self::Event: 'a,
    {
        events.into_iter().fold(Self::initial(), Self::evolve)
    }

    /// Decides and applies: the new state and the events, or the error (and
    /// `state` is untouched).
    fn run(
        state: &Self::State,
        command: &Self::Command,
        now: DateTime<Utc>,
        policy: &Self::Policy,
    ) -> Result<(Self::State, Vec<Self::Event>), Error> {
        let events = Self::decide(state, command, now, policy)?;
        let next = events.iter().fold(state.clone(), Self::evolve);
        Ok((next, events))
    }
}
