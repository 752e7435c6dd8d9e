//! The decider traits, re-exported at the crate root: [`Decider`] (the
//! pattern every state machine follows), [`TimeDriven`] and [`Access`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::rule::RuleId;

/// A state machine as a pair of pure functions, `decide` and `evolve`:
/// the pattern every state machine of this crate follows.
///
/// An aggregate (a subscription, a package wallet, a licence, a payment
/// method, an order ledger) is a type implementing [`Decider`]:
///
/// - [`Decider::decide`] looks at the current state, a command, the instant
///   and the policy, and returns the events the command produces, or an
///   [`Error`] (usually [`Error::Refused`] naming the rule). It never changes
///   anything, so a refused command leaves the state exactly as it was.
/// - [`Decider::evolve`] applies one event to a state. It cannot fail: every
///   check happened in `decide`, and an event is a fact that already
///   happened.
///
/// Replaying the same events from [`Decider::initial`] always gives the same
/// state, which is what lets the engine store only events.
///
/// [`Decider::apply`] runs a command on a state the caller keeps, in place;
/// [`Decider::run`] runs it on a copy. A state may hold a million orders, so
/// a copy is what a command must not pay for: `apply` costs what the command
/// decides and changes.
///
/// ```
/// use billing_rules::{Decider, Error, Reason, RuleId};
/// use chrono::{DateTime, Utc};
///
/// /// A toy counter that refuses to pass a limit.
/// struct Counter;
/// impl Decider for Counter {
///     type State = u32;
///     type Command = u32;
///     type Event = u32;
///     type Policy = u32;
///     fn initial() -> u32 { 0 }
///     fn decide(state: &u32, add: &u32, _now: DateTime<Utc>, limit: &u32) -> Result<Vec<u32>, Error> {
///         match state.checked_add(*add) {
///             Some(total) if total <= *limit => Ok(vec![*add]),
///             _ => Err(Reason::new(RuleId::Pay03, format!("{state} + {add} passes the limit {limit}")).into()),
///         }
///     }
///     fn evolve(state: u32, event: &u32) -> u32 { state + event }
/// }
///
/// let now = DateTime::<Utc>::UNIX_EPOCH;
/// let (state, events) = Counter::run(&Counter::initial(), &3, now, &4)?;
/// assert_eq!((state, events), (3, vec![3]));
/// assert!(Counter::run(&state, &2, now, &4).is_err());
/// assert_eq!(Counter::replay([3u32, 1].iter()), 4);
/// # Ok::<(), Error>(())
/// ```
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

    /// Decides and applies in place: the events, with `state` moved past
    /// them, or the error (and `state` is untouched).
    ///
    /// Nothing is copied, so a command costs what it decides and changes,
    /// however large the aggregate: this is the way to run commands on a
    /// state the caller keeps. Every [`Decider::evolve`] of this crate is
    /// total; one that panicked would leave `state` at
    /// [`Decider::initial`].
    ///
    /// ```
    /// use billing_rules::Decider;
    /// use billing_rules::refund::{LedgerCommand, OrderLedger, RefundFlags};
    /// use billing_rules::money::Money;
    /// use billing_rules::{presets, RuleId};
    /// use chrono::{TimeZone, Utc};
    /// use rust_decimal::Decimal;
    ///
    /// let policy = presets::app_store_refunds()?;
    /// let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
    /// let mut ledger = OrderLedger::initial();
    /// let record = LedgerCommand::RecordOrder { order: "o1".into(), paid_at: now, amount: Money::cny(Decimal::from(300)) };
    /// assert_eq!(OrderLedger::apply(&mut ledger, &record, now, &policy)?.len(), 1);
    /// // Refused: the ledger is as it was.
    /// let again = OrderLedger::apply(&mut ledger, &record, now, &policy).unwrap_err();
    /// assert_eq!(again.refusal().map(|r| r.rule()), Some(RuleId::Ref01));
    /// assert_eq!(ledger.orders().len(), 1);
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    fn apply(
        state: &mut Self::State,
        command: &Self::Command,
        now: DateTime<Utc>,
        policy: &Self::Policy,
    ) -> Result<Vec<Self::Event>, Error> {
        let events = Self::decide(state, command, now, policy)?;
        Self::evolve_in_place(state, &events);
        Ok(events)
    }

    /// Moves `state` past `events` in place, without copying it: `evolve`
    /// takes the state by value, so the state is moved out (leaving
    /// [`Decider::initial`] behind for the time of the fold) and back.
    fn evolve_in_place(state: &mut Self::State, events: &[Self::Event]) {
        if events.is_empty() {
            return;
        }
        let current = std::mem::replace(state, Self::initial());
        *state = events.iter().fold(current, Self::evolve);
    }

    /// Decides and applies on a copy: the new state and the events, or the
    /// error (and `state` is untouched).
    ///
    /// It clones the whole state, which costs in proportion to the
    /// aggregate's size: for a state the caller keeps, prefer
    /// [`Decider::apply`].
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

/// A decider whose state also changes with time alone: terms end, notices
/// and reminders come due, grace runs out, packages expire.
///
/// Every such aggregate answers the same three questions under the same
/// names, from its recorded state and an instant, without any event having
/// been applied yet: so the answers are right even when the scheduler is
/// late.
///
/// - [`TimeDriven::status`]: where the aggregate stands at `now`;
/// - [`TimeDriven::access`]: whether the customer is served at `now`;
/// - [`TimeDriven::due_events`]: the events time alone has made due by
///   `now`, which the decider's `Advance` command records.
pub trait TimeDriven: Decider {
    /// What [`TimeDriven::status`] answers.
    type Status;

    /// Where the aggregate stands at `now`.
    fn status(state: &Self::State, now: DateTime<Utc>, policy: &Self::Policy) -> Self::Status;

    /// Whether the customer is served at `now`, and if not, the rule and a
    /// sentence to show.
    fn access(state: &Self::State, now: DateTime<Utc>, policy: &Self::Policy) -> Access;

    /// The events that time alone has made due by `now`, in order.
    ///
    /// # Errors
    ///
    /// An error naming the rule when a due instant cannot be computed.
    fn due_events(
        state: &Self::State,
        now: DateTime<Utc>,
        policy: &Self::Policy,
    ) -> Result<Vec<Self::Event>, Error>;
}

/// The answer of an access check.
///
/// Serialized as `{"access": "allowed"}` or
/// `{"access": "intercepted", "rule": "R-LIFE-06", "reason": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "access", rename_all = "snake_case")]
pub enum Access {
    /// Served (a trial, a paid term, or grace).
    Allowed,
    /// Refused, with the rule and a sentence the app can show its user.
    Intercepted {
        /// The rule that intercepts.
        rule: RuleId,
        /// What happened and what to do, with dates in the policy's zone.
        reason: String,
    },
}

impl Access {
    /// True when served.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Access::Allowed)
    }

    /// The intercepting rule, if intercepted.
    pub fn rule(&self) -> Option<RuleId> {
        match self {
            Access::Allowed => None,
            Access::Intercepted { rule, .. } => Some(*rule),
        }
    }

    /// The reason to show, if intercepted.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Access::Allowed => None,
            Access::Intercepted { reason, .. } => Some(reason),
        }
    }
}
