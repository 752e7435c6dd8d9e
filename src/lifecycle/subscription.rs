//! The subscription lifecycle decider (R-LIFE-01..07, R-LIFE-10).
//!
//! ```text
//! NotLive --GoLive--> Trial --expiry--> Intercepted(trial) --StartExtraTrial--> ExtraTrial
//!                                                                                   |
//!   Purchase / Renew from ANY state ----> Active <------------------------ expiry --+
//!                                           |  \--auto-renewal covered--> Active (one more period)
//!                                           +--expiry--> Grace --end of grace--> Suspended | Intercepted | Isolated
//!                                           +--expiry, no grace-------------> Intercepted | Suspended | Isolated
//! ```
//!
//! Commands ([`SubscriptionCommand`]) are decided by [`Subscription`] (a
//! [`Decider`]); time-driven transitions (notices, reminders, expiry,
//! auto-renewal, end of grace) come from [`due_events`], a pure function of
//! the recorded state, the policy and `now`:
//!
//! - every event it returns carries the instant it came due, computed from
//!   recorded facts only (term end, the instant the term was set, the grace
//!   recorded at expiry), never from `now`; so a scheduler polling every
//!   minute, every day, or once gets the same events in the same order;
//! - applying an event that was already applied changes nothing: each one
//!   names the term it belongs to, and the state records what was emitted;
//! - the `Advance` command applies them in batches of at most
//!   [`MAX_EVENTS_PER_ADVANCE`] events, of which at most
//!   [`MAX_AUTO_RENEWALS_PER_SWEEP`] auto-renewals (R-LIFE-07,
//!   [`due_events_bounded`]), so it is never refused for volume and never
//!   answers more than that: a scheduler repeats it until it returns no
//!   events. A batch may stop between any two events; the next call
//!   continues exactly there.
//!
//! [`status`] and [`crate::lifecycle::access::access`] derive the status at
//! `now` from the recorded facts, so they are right even when the scheduler
//! has not run yet (except for an auto-renewal, which needs the balance and
//! therefore only happens through [`due_events`]).
//!
//! **At the calendar's end** (chrono's last instant,
//! `DateTime::<Utc>::MAX_UTC`): a notice, reminder or end of grace whose
//! instant or local day would fall past it is not scheduled. It never
//! comes due, a grace that would end past it is served to the end
//! ([`Phase::Grace`] and [`Status::Grace`] have `until: None`), and no
//! command is refused for it. What a command needs is still refused when
//! it does not fit: the end of a purchased, renewed or auto-renewed term
//! (paid validity is never dropped) and the end of a trial.
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::lifecycle::access::{access, Access};
//! use billing_rules::lifecycle::subscription::{
//!     due_events, status, Status, Subscription, SubscriptionCommand, SubscriptionEvent,
//! };
//! use billing_rules::presets::lifecycle::chat_service;
//! use billing_rules::time::Period;
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let policy = chat_service()?;
//! let bought = Utc.with_ymd_and_hms(2025, 5, 30, 16, 0, 0).unwrap(); // 2025-05-31 00:00 +08:00
//! let (state, _) = Subscription::run(
//!     &Subscription::initial(),
//!     &SubscriptionCommand::Purchase { validity: Period::Month },
//!     bought,
//!     &policy,
//! )?;
//! let end = bought + Duration::days(31); // expires on 2025-06-30, local
//!
//! // Two days after the end: 7 reminders, the expiry, the day-after reminder
//! // and the suspension (24 h grace, R-LIFE-06) have come due.
//! let events = due_events(&state, end + Duration::days(2), &policy, None)?;
//! assert_eq!(events.len(), 10);
//! assert!(matches!(events.last(), Some(SubscriptionEvent::Lapsed { .. })));
//!
//! // Within the grace the app is still served; after it, it is suspended.
//! assert!(access(&state, end + Duration::hours(23), &policy).is_allowed());
//! assert!(matches!(status(&state, end + Duration::hours(24), &policy), Status::Suspended { .. }));
//! assert_eq!(access(&state, end + Duration::hours(24), &policy).rule().map(|r| r.to_string()),
//!            Some("R-LIFE-06".to_owned()));
//! # Ok::<(), billing_rules::Error>(())
//! ```

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{ArithmeticError, Error, Figure, InRule, Reason, Refusal};
use crate::lifecycle::notices::{
    Notice, Reminder, ReminderWindow, Role, TermKind, checked_expiry_day,
};
use crate::lifecycle::policy::{Lapse, ReminderSpec, SubscriptionPolicy};
use crate::lifecycle::sweep::{Bound, sweep};
pub use crate::lifecycle::sweep::{
    MAX_AUTO_RENEWALS_PER_SWEEP, MAX_EVENTS_PER_ADVANCE, Sweep, due_events_bounded,
};
use crate::money::Money;
use crate::rule::RuleId;
use crate::time::{Period, Zone};

/// One trial or paid term: when it was set, when it ends, and what was
/// already sent about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Term {
    /// The instant the term was set: the go-live, the extra trial's start,
    /// the purchase, the renewal or the auto-renewal. A notice or reminder
    /// that would fall before it is due at this instant instead.
    pub since: DateTime<Utc>,
    /// The exclusive end: the term serves every instant before it.
    pub end: DateTime<Utc>,
    /// R-LIFE-03: the expiry notice of this term was emitted.
    #[serde(default)]
    pub notified: bool,
    /// R-LIFE-05: the last local day whose reminder was emitted.
    #[serde(default)]
    pub reminded_through: Option<NaiveDate>,
}

impl Term {
    /// A term from `since` to `end` with nothing sent yet.
    pub fn new(since: DateTime<Utc>, end: DateTime<Utc>) -> Term {
        Term {
            since,
            end,
            notified: false,
            reminded_through: None,
        }
    }
}

/// The recorded phase of a subscription. [`status`] tells the phase at an
/// instant, which may be further along when due events were not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// The app has not gone live for the customer and nothing was bought.
    NotLive,
    /// R-LIFE-01: the trial, started when the app went live.
    Trial(Term),
    /// R-LIFE-02: the one extra trial.
    ExtraTrial(Term),
    /// A bought, renewed or auto-renewed term.
    Active(Term),
    /// R-LIFE-06: a paid term ended and is still served until `until`.
    Grace {
        /// The ended term.
        term: Term,
        /// The end of the grace; `None` when it would be past the
        /// calendar's end: then it never lapses.
        until: Option<DateTime<Utc>>,
        /// What follows the grace (recorded at expiry).
        then: Lapse,
    },
    /// R-LIFE-04: access is intercepted until the customer buys or renews.
    Intercepted {
        /// The ended term.
        term: Term,
        /// Whether a trial, the extra trial or a paid term ended.
        ended: TermKind,
        /// Since when.
        since: DateTime<Utc>,
    },
    /// R-LIFE-06: suspended, not renewed within the grace.
    Suspended {
        /// The ended paid term.
        term: Term,
        /// Since when.
        since: DateTime<Utc>,
    },
    /// R-LIFE-10: isolated after a prepaid term expired without renewal.
    Isolated {
        /// The ended paid term.
        term: Term,
        /// Since when.
        since: DateTime<Utc>,
    },
}

impl Phase {
    /// The current or last term, if any.
    pub fn term(&self) -> Option<&Term> {
        match self {
            Phase::NotLive => None,
            Phase::Trial(term) | Phase::ExtraTrial(term) | Phase::Active(term) => Some(term),
            Phase::Grace { term, .. }
            | Phase::Intercepted { term, .. }
            | Phase::Suspended { term, .. }
            | Phase::Isolated { term, .. } => Some(term),
        }
    }

    /// The paid term this phase is about, if it is one (reminders, R-LIFE-05,
    /// follow paid terms only).
    fn paid_term(&self) -> Option<&Term> {
        match self {
            Phase::Active(term)
            | Phase::Grace { term, .. }
            | Phase::Suspended { term, .. }
            | Phase::Isolated { term, .. }
            | Phase::Intercepted {
                term,
                ended: TermKind::Paid,
                ..
            } => Some(term),
            Phase::NotLive | Phase::Trial(_) | Phase::ExtraTrial(_) | Phase::Intercepted { .. } => {
                None
            }
        }
    }
}

/// The state of one subscription: its phase and the settings and facts that
/// outlive a term.
///
/// # JSON
///
/// A month bought on 2025-06-01:
///
/// ```json
/// {
///   "phase": {
///     "phase": "active",
///     "since": "2025-06-01T00:00:00Z",
///     "end": "2025-07-02T00:00:00Z",
///     "notified": false,
///     "reminded_through": null
///   },
///   "auto_renew": false,
///   "extra_trial_started": null
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SubscriptionState {
    /// The recorded phase.
    pub phase: Phase,
    /// R-LIFE-07: the customer turned auto-renewal on.
    #[serde(default)]
    pub auto_renew: bool,
    /// R-LIFE-02: when the extra trial was started (it is granted once).
    #[serde(default)]
    pub extra_trial_started: Option<DateTime<Utc>>,
}

/// R-LIFE-07: the balance fact the caller passes for an auto-renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Funds {
    /// The account balance now.
    pub balance: Money,
    /// The price of one auto-renewal period for this subscription (priced by
    /// the seat plan, not by the lifecycle).
    pub renewal_price: Money,
}

/// Why an auto-renewal did not happen (R-LIFE-07): the balance did not
/// cover the price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shortfall {
    /// The balance at expiry (after any earlier renewal of the same sweep).
    pub balance: Money,
    /// The price of the renewal.
    pub price: Money,
}

/// What a caller asks of a subscription.
///
/// # JSON
///
/// Tagged by `command`; the events it produces ([`SubscriptionEvent`]) are tagged by
/// `event`:
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::lifecycle::subscription::{Subscription, SubscriptionCommand};
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::lifecycle::chat_service()?;
/// let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
/// let json = r#"{"command":"purchase","validity":"month"}"#;
/// let command: SubscriptionCommand = serde_json::from_str(json)?;
/// assert_eq!(serde_json::to_string(&command)?, json);
/// let (_, events) = Subscription::run(&Subscription::initial(), &command, now, &policy)?;
/// assert_eq!(serde_json::to_string(&events)?, r#"[{"event":"purchased","at":"2025-06-01T00:00:00Z","end":"2025-07-02T00:00:00Z"}]"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum SubscriptionCommand {
    /// R-LIFE-01: the app goes live for the customer; the trial starts now.
    /// Refused when the plan has no trial or the app is already live.
    GoLive,
    /// R-LIFE-02: the customer's admin starts the one extra trial after the
    /// trial expired.
    StartExtraTrial {
        /// Who asks (only [`Role::Admin`] may).
        by: Role,
    },
    /// Buys a paid term starting now, from any state (R-LIFE-04: access is
    /// restored at once). A running trial gives way to it, and so does a
    /// running paid term (an upgrade whose remaining value the seat plan
    /// credited, R-SEAT-08); use `Renew` to add validity after the end.
    Purchase {
        /// How long the term lasts (periods and bonus days as priced by the
        /// seat plan, R-SEAT-01).
        validity: Period,
    },
    /// Renews: extends a running paid term from its end (R-SEAT-09);
    /// otherwise (trial, grace, lapsed) starts a paid term now, restoring
    /// access at once (R-LIFE-04, R-LIFE-06).
    Renew {
        /// How much validity is added.
        validity: Period,
    },
    /// R-LIFE-07: turns auto-renewal on or off. Turning it on is refused when
    /// the plan has no auto-renewal.
    SetAutoRenewal {
        /// On or off.
        on: bool,
    },
    /// Applies the time-driven events due at `now`, in bounded batches
    /// (see [`due_events_bounded`]): never refused for how much is due.
    ///
    /// One call returns at most [`MAX_EVENTS_PER_ADVANCE`] events, of
    /// which at most [`MAX_AUTO_RENEWALS_PER_SWEEP`] auto-renewals
    /// (R-LIFE-07): the first events due, stopping at the event bound or
    /// before the renewal past the renewal bound. A scheduler cannot choose
    /// `now` (the [`Engine`] reads it from its clock), so a long-dormant
    /// account catches up over several calls: **repeat `Advance` until it
    /// returns no events**. Each call leaves a consistent state and the
    /// next continues exactly where it stopped; once caught up, the state
    /// and the concatenated events are exactly those of one unbounded sweep
    /// ([`due_events`]).
    ///
    /// Funds across calls: each renewal of a batch draws its price from
    /// `funds.balance`, and the batch's [`SubscriptionEvent::AutoRenewed`]
    /// events name every price drawn. Pass the balance as it is at each
    /// call, after those prices were charged: then the batches renew, and
    /// fall short, exactly where one sweep would (a batch ends just before
    /// a renewal, so the next batch decides that renewal on the balance
    /// one sweep would have left). Passing the same balance again would let
    /// it be spent twice; the balance is the caller's fact, which the
    /// subscription does not record.
    ///
    /// [`Engine`]: crate::engine::Engine
    Advance {
        /// The balance fact for an auto-renewal (R-LIFE-07); needed only
        /// when one comes due.
        funds: Option<Funds>,
    },
}

/// What happened to a subscription.
///
/// # JSON
///
/// Tagged by `event`; see [`SubscriptionCommand`]'s JSON section for events as a
/// command produces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SubscriptionEvent {
    /// R-LIFE-01: the app went live; the trial runs until `trial_end`.
    WentLive {
        /// The go-live instant.
        at: DateTime<Utc>,
        /// The trial's exclusive end.
        trial_end: DateTime<Utc>,
    },
    /// R-LIFE-02: the extra trial started.
    ExtraTrialStarted {
        /// The start.
        at: DateTime<Utc>,
        /// Its exclusive end.
        end: DateTime<Utc>,
        /// Who started it.
        by: Role,
    },
    /// A paid term was bought at `at` and runs until `end`.
    Purchased {
        /// The purchase instant (and start of the term).
        at: DateTime<Utc>,
        /// The exclusive end.
        end: DateTime<Utc>,
    },
    /// The paid term was renewed at `at`; the added validity runs from
    /// `start` (the old end, or `at`) to `end`.
    Renewed {
        /// The renewal instant.
        at: DateTime<Utc>,
        /// Where the added validity starts.
        start: DateTime<Utc>,
        /// The new exclusive end.
        end: DateTime<Utc>,
    },
    /// R-LIFE-07: auto-renewal was turned on or off.
    AutoRenewalSet {
        /// When.
        at: DateTime<Utc>,
        /// On or off.
        on: bool,
    },
    /// R-LIFE-03: an expiry notice came due.
    Notice(Notice),
    /// R-LIFE-05: a daily reminder came due.
    Reminder(Reminder),
    /// R-LIFE-07: at expiry the balance covered the renewal; the term now
    /// runs until `end`.
    AutoRenewed {
        /// The old end, when the renewal happened.
        at: DateTime<Utc>,
        /// The new exclusive end.
        end: DateTime<Utc>,
        /// The price drawn from the balance.
        price: Money,
    },
    /// A trial or paid term ended at `at`.
    Expired {
        /// The end of the term.
        at: DateTime<Utc>,
        /// Which term ended.
        ended: TermKind,
        /// R-LIFE-06: the end of the grace, when the term is still served.
        grace_until: Option<DateTime<Utc>>,
        /// R-LIFE-06: the term is served in a grace that would end past
        /// the calendar's end, so no end is scheduled (`grace_until` is
        /// `None`). Left out of the JSON when false.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        grace_past_calendar: bool,
        /// What the term turns into (at once, or when the grace ends).
        then: Lapse,
        /// R-LIFE-07: auto-renewal was on but the balance fell short.
        shortfall: Option<Shortfall>,
    },
    /// The grace ended at `at`; the subscription is now `then`.
    Lapsed {
        /// The end of the grace.
        at: DateTime<Utc>,
        /// The end of the term that lapsed.
        term_end: DateTime<Utc>,
        /// What it turned into.
        then: Lapse,
    },
}

impl SubscriptionEvent {
    /// The instant the event happened or came due.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            SubscriptionEvent::WentLive { at, .. }
            | SubscriptionEvent::ExtraTrialStarted { at, .. }
            | SubscriptionEvent::Purchased { at, .. }
            | SubscriptionEvent::Renewed { at, .. }
            | SubscriptionEvent::AutoRenewalSet { at, .. }
            | SubscriptionEvent::AutoRenewed { at, .. }
            | SubscriptionEvent::Expired { at, .. }
            | SubscriptionEvent::Lapsed { at, .. } => *at,
            SubscriptionEvent::Notice(n) => n.due,
            SubscriptionEvent::Reminder(r) => r.due,
        }
    }

    /// The rule behind the event.
    pub fn rule(&self) -> RuleId {
        match self {
            SubscriptionEvent::WentLive { .. } => RuleId::Life01,
            SubscriptionEvent::ExtraTrialStarted { .. } => RuleId::Life02,
            SubscriptionEvent::Purchased { .. } | SubscriptionEvent::Renewed { .. } => {
                RuleId::Life04
            }
            SubscriptionEvent::AutoRenewalSet { .. } | SubscriptionEvent::AutoRenewed { .. } => {
                RuleId::Life07
            }
            SubscriptionEvent::Notice(_) => Notice::RULE,
            SubscriptionEvent::Reminder(_) => Reminder::RULE,
            SubscriptionEvent::Expired {
                ended,
                grace_until,
                grace_past_calendar,
                then,
                shortfall,
                ..
            } => match (
                ended,
                grace_until.is_some() || *grace_past_calendar,
                shortfall,
            ) {
                (_, _, Some(_)) => RuleId::Life07,
                (TermKind::Paid, true, None) => RuleId::Life06,
                (TermKind::Paid, false, None) => then.rule(),
                (TermKind::Trial | TermKind::ExtraTrial, _, None) => RuleId::Life04,
            },
            SubscriptionEvent::Lapsed { then, .. } => then.rule(),
        }
    }
}

/// The subscription lifecycle as a [`Decider`] (R-LIFE-01..07,
/// R-LIFE-10), with [`due_events`] for what time brings:
///
/// - R-LIFE-01: `GoLive` starts the trial when the app goes live.
/// - R-LIFE-02: the admin's `StartExtraTrial`, once, after the trial expired.
/// - R-LIFE-03: a [`Notice`] `lead_days` before a trial or paid term ends.
/// - R-LIFE-04: an ended trial or term is intercepted; `Purchase` or
///   `Renew` restores access at once.
/// - R-LIFE-05: one [`Reminder`] a day in the window around a paid term's
///   expiry day.
/// - R-LIFE-06: a lapsed paid term is served through the grace, then
///   suspended.
/// - R-LIFE-07: with auto-renewal on and the balance covering it, the term
///   renews at expiry ([`Funds`], [`Shortfall`]).
/// - R-LIFE-10: a lapsed prepaid term of an isolating plan is isolated.
///
/// Refusals: `GoLive` (R-LIFE-01) when the app is already live or the plan
/// has no trial; `StartExtraTrial` (R-LIFE-02) when the plan has none (then
/// nothing else is checked), otherwise with every reason that applies, in
/// this order: the asker is not the admin; the extra trial was used
/// already, or else the trial has not expired;
/// `SetAutoRenewal { on: true }` (R-LIFE-07) when the plan has none.
/// `Purchase` and `Renew` are accepted in every state.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subscription;

impl Decider for Subscription {
    type State = SubscriptionState;
    type Command = SubscriptionCommand;
    type Event = SubscriptionEvent;
    type Policy = SubscriptionPolicy;

    fn initial() -> SubscriptionState {
        SubscriptionState {
            phase: Phase::NotLive,
            auto_renew: false,
            extra_trial_started: None,
        }
    }

    fn decide(
        state: &SubscriptionState,
        command: &SubscriptionCommand,
        now: DateTime<Utc>,
        policy: &SubscriptionPolicy,
    ) -> Result<Vec<SubscriptionEvent>, Error> {
        let zone = policy.locale().time_zone;
        let decided = || match command {
            SubscriptionCommand::GoLive => go_live(state, now, policy),
            SubscriptionCommand::StartExtraTrial { by } => {
                start_extra_trial(state, *by, now, policy)
            }
            SubscriptionCommand::Purchase { validity } => {
                let end = zone.plus_days(now, validity.length())?;
                Ok(vec![SubscriptionEvent::Purchased { at: now, end }])
            }
            SubscriptionCommand::Renew { validity } => {
                // R-SEAT-09: a running paid term is extended from its end;
                // anything else starts the paid term now (grace is free).
                let start = match status(state, now, policy) {
                    Status::Active { ends } => ends,
                    _ => now,
                };
                let end = zone.plus_days(start, validity.length())?;
                Ok(vec![SubscriptionEvent::Renewed {
                    at: now,
                    start,
                    end,
                }])
            }
            SubscriptionCommand::SetAutoRenewal { on } => {
                if *on && policy.auto_renewal().is_none() {
                    return Err(Reason::new(
                        RuleId::Life07,
                        "this plan offers no auto-renewal; renew by hand before the term ends",
                    )
                    .into());
                }
                if state.auto_renew == *on {
                    return Ok(Vec::new());
                }
                Ok(vec![SubscriptionEvent::AutoRenewalSet { at: now, on: *on }])
            }
            SubscriptionCommand::Advance { funds } => {
                Ok(due_events_bounded(state, now, policy, funds.as_ref())?.events)
            }
        };
        decided().map_err(|e: Error| e.in_rule(command_rule(command)))
    }

    fn evolve(state: SubscriptionState, event: &SubscriptionEvent) -> SubscriptionState {
        use SubscriptionEvent as E;
        let with = |phase: Phase| SubscriptionState { phase, ..state };
        // Time-driven events name the term they belong to; one that no
        // longer matches (already applied, or overtaken by a purchase) is a
        // no-op, which is what makes applying due events twice harmless.
        match (state.phase, event) {
            (Phase::NotLive, E::WentLive { at, trial_end }) => {
                with(Phase::Trial(Term::new(*at, *trial_end)))
            }
            (_, E::WentLive { .. }) => state,
            (_, E::ExtraTrialStarted { at, end, .. }) => SubscriptionState {
                phase: Phase::ExtraTrial(Term::new(*at, *end)),
                extra_trial_started: Some(*at),
                ..state
            },
            (_, E::Purchased { at, end }) | (_, E::Renewed { at, end, .. }) => {
                with(Phase::Active(Term::new(*at, *end)))
            }
            (_, E::AutoRenewalSet { on, .. }) => SubscriptionState {
                auto_renew: *on,
                ..state
            },
            (Phase::Active(term), E::AutoRenewed { at, end, .. }) if term.end == *at => {
                with(Phase::Active(Term::new(*at, *end)))
            }
            (_, E::AutoRenewed { .. }) => state,
            (Phase::Trial(term), E::Notice(n))
                if n.term == TermKind::Trial && term.end == n.term_end =>
            {
                with(Phase::Trial(notified(term)))
            }
            (Phase::ExtraTrial(term), E::Notice(n))
                if n.term == TermKind::ExtraTrial && term.end == n.term_end =>
            {
                with(Phase::ExtraTrial(notified(term)))
            }
            (Phase::Active(term), E::Notice(n))
                if n.term == TermKind::Paid && term.end == n.term_end =>
            {
                with(Phase::Active(notified(term)))
            }
            (_, E::Notice(_)) => state,
            (phase, E::Reminder(r)) => with(reminded(phase, r)),
            (Phase::Trial(term), E::Expired { at, ended, .. })
                if *ended == TermKind::Trial && term.end == *at =>
            {
                with(Phase::Intercepted {
                    term,
                    ended: TermKind::Trial,
                    since: *at,
                })
            }
            (Phase::ExtraTrial(term), E::Expired { at, ended, .. })
                if *ended == TermKind::ExtraTrial && term.end == *at =>
            {
                with(Phase::Intercepted {
                    term,
                    ended: TermKind::ExtraTrial,
                    since: *at,
                })
            }
            (
                Phase::Active(term),
                E::Expired {
                    at,
                    ended: TermKind::Paid,
                    grace_until,
                    grace_past_calendar,
                    then,
                    ..
                },
            ) if term.end == *at => with(match (grace_until, grace_past_calendar) {
                (None, false) => lapsed(term, *then, *at),
                (until, _) => Phase::Grace {
                    term,
                    until: *until,
                    then: *then,
                },
            }),
            (_, E::Expired { .. }) => state,
            (
                Phase::Grace {
                    term,
                    until: Some(until),
                    ..
                },
                E::Lapsed {
                    at, term_end, then, ..
                },
            ) if until == *at && term.end == *term_end => with(lapsed(term, *then, *at)),
            (_, E::Lapsed { .. }) => state,
        }
    }
}

fn notified(term: Term) -> Term {
    Term {
        notified: true,
        ..term
    }
}

/// The phase with `reminder` recorded on its paid term, or unchanged when
/// the reminder belongs to another term.
fn reminded(phase: Phase, reminder: &Reminder) -> Phase {
    let record = |term: Term| -> Term {
        if term.end != reminder.term_end {
            return term;
        }
        let through = match term.reminded_through {
            Some(day) if day >= reminder.date => day,
            _ => reminder.date,
        };
        Term {
            reminded_through: Some(through),
            ..term
        }
    };
    match phase {
        Phase::Active(term) => Phase::Active(record(term)),
        Phase::Grace { term, until, then } => Phase::Grace {
            term: record(term),
            until,
            then,
        },
        Phase::Suspended { term, since } => Phase::Suspended {
            term: record(term),
            since,
        },
        Phase::Isolated { term, since } => Phase::Isolated {
            term: record(term),
            since,
        },
        Phase::Intercepted {
            term,
            ended: TermKind::Paid,
            since,
        } => Phase::Intercepted {
            term: record(term),
            ended: TermKind::Paid,
            since,
        },
        other @ (Phase::NotLive
        | Phase::Trial(_)
        | Phase::ExtraTrial(_)
        | Phase::Intercepted { .. }) => other,
    }
}

fn lapsed(term: Term, then: Lapse, since: DateTime<Utc>) -> Phase {
    match then {
        Lapse::Intercepted => Phase::Intercepted {
            term,
            ended: TermKind::Paid,
            since,
        },
        Lapse::Suspended => Phase::Suspended { term, since },
        Lapse::Isolated => Phase::Isolated { term, since },
    }
}

fn go_live(
    state: &SubscriptionState,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> Result<Vec<SubscriptionEvent>, Error> {
    if !matches!(state.phase, Phase::NotLive) {
        return Err(Reason::new(
            RuleId::Life01,
            format!(
                "the app is already live (now {}); the trial starts only once, when it first goes live",
                status(state, now, policy)
            ),
        )
        .into());
    }
    let Some(trial) = policy.trial() else {
        return Err(Reason::new(
            RuleId::Life01,
            "this plan has no trial; buy a term (Purchase) to start using the app",
        )
        .into());
    };
    let trial_end = policy.locale().time_zone.plus_days(now, trial)?;
    Ok(vec![SubscriptionEvent::WentLive { at: now, trial_end }])
}

fn start_extra_trial(
    state: &SubscriptionState,
    by: Role,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> Result<Vec<SubscriptionEvent>, Error> {
    let zone = policy.locale().time_zone;
    let Some(length) = policy.extra_trial() else {
        return Err(Reason::new(RuleId::Life02, "this plan offers no extra trial").into());
    };
    let mut reasons = Vec::new();
    if by != Role::Admin {
        reasons.push(
            Reason::new(
                RuleId::Life02,
                format!("only the customer's admin may start the extra trial, not a {by}"),
            )
            .with(Figure::text("role", by.to_string())),
        );
    }
    if let Some(started) = state.extra_trial_started {
        reasons.push(
            Reason::new(
                RuleId::Life02,
                format!(
                    "the extra trial was already started on {}; it is granted once",
                    local(zone, started)
                ),
            )
            .with(Figure::instant("extra_trial_started", started)),
        );
    } else {
        match status(state, now, policy) {
            Status::Intercepted {
                ended: TermKind::Trial,
                ..
            } => {}
            Status::Trial { ends } => reasons.push(
                Reason::new(
                    RuleId::Life02,
                    format!(
                        "the trial runs until {}; the extra trial can start once it has expired",
                        local(zone, ends)
                    ),
                )
                .with(Figure::instant("trial_end", ends)),
            ),
            Status::NotLive => reasons.push(Reason::new(
                RuleId::Life02,
                "the app is not live yet: the trial starts when it goes live (R-LIFE-01) \
                 and the extra trial only after that trial expired",
            )),
            other => reasons.push(
                Reason::new(
                    RuleId::Life02,
                    format!(
                        "the extra trial only follows an expired trial; this subscription is {other}"
                    ),
                )
                .with(Figure::text("status", other.to_string())),
            ),
        }
    }
    if let Some(refusal) = Refusal::from_reasons(reasons) {
        return Err(refusal.into());
    }
    let end = zone.plus_days(now, length)?;
    Ok(vec![SubscriptionEvent::ExtraTrialStarted {
        at: now,
        end,
        by,
    }])
}

/// `2025-07-01 00:00 +08:00`: an instant as the customer reads it.
pub(crate) fn local(zone: Zone, instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&zone.offset())
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

/// The status of a subscription at an instant, derived from the recorded
/// facts by [`status`], which says exactly where each status starts and
/// ends (every `ends`, `until` and `since` is the first instant of the
/// next status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Not live and nothing bought.
    NotLive,
    /// In the trial (R-LIFE-01).
    Trial {
        /// Its exclusive end.
        ends: DateTime<Utc>,
    },
    /// In the extra trial (R-LIFE-02).
    ExtraTrial {
        /// Its exclusive end.
        ends: DateTime<Utc>,
    },
    /// In a paid term.
    Active {
        /// Its exclusive end.
        ends: DateTime<Utc>,
    },
    /// R-LIFE-06: ended but still served until `until`.
    Grace {
        /// When the paid term ended.
        ended: DateTime<Utc>,
        /// The end of the grace; `None` when it would be past the
        /// calendar's end: served to the end.
        until: Option<DateTime<Utc>>,
        /// What follows.
        then: Lapse,
    },
    /// R-LIFE-04: intercepted.
    Intercepted {
        /// Since when.
        since: DateTime<Utc>,
        /// Which term ended.
        ended: TermKind,
    },
    /// R-LIFE-06: suspended.
    Suspended {
        /// Since when.
        since: DateTime<Utc>,
    },
    /// R-LIFE-10: isolated.
    Isolated {
        /// Since when.
        since: DateTime<Utc>,
    },
}

impl Status {
    /// True while the app is served: a trial, a paid term, or grace.
    pub fn is_served(&self) -> bool {
        matches!(
            self,
            Status::Trial { .. }
                | Status::ExtraTrial { .. }
                | Status::Active { .. }
                | Status::Grace { .. }
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::NotLive => "not live",
            Status::Trial { .. } => "in trial",
            Status::ExtraTrial { .. } => "in the extra trial",
            Status::Active { .. } => "active",
            Status::Grace { .. } => "expired, in grace",
            Status::Intercepted { .. } => "intercepted",
            Status::Suspended { .. } => "suspended",
            Status::Isolated { .. } => "isolated",
        })
    }
}

/// The status at `now`, from the recorded facts: a recorded trial or paid
/// term past its end is reported as ended, in grace or lapsed as the
/// policy says, even before [`due_events`] recorded it. A pending
/// auto-renewal (R-LIFE-07) is not assumed: it needs the balance and
/// happens only through [`due_events`].
///
/// # At the boundaries
///
/// Every term is half-open, `[start, end)`: the `end` an event records is
/// the first instant *not* covered.
///
/// - Before `end`: `Trial`, `ExtraTrial` or `Active { ends: end }`.
/// - At `end` exactly: already ended. A trial or extra trial is
///   `Intercepted { since: end }` (R-LIFE-04; trials get no grace). A paid
///   term is `Grace { ended: end, until }` when the policy has a grace
///   (R-LIFE-06), where `until = end + grace` is again exclusive;
///   otherwise it is lapsed at once: `Intercepted`, `Suspended` or
///   `Isolated` with `since: end`, as the policy's lapse says (R-LIFE-04,
///   R-LIFE-06, R-LIFE-10).
/// - At `until` exactly: lapsed, `since: until`.
///
/// Between an end and the `Advance` that records it, the status is
/// already the ended one above: it never waits for the event. Until it is
/// recorded, the grace is computed from the policy passed in; once an
/// `Expired` event is recorded, its recorded `grace_until` is used. A
/// paid term whose auto-renewal is due still reads `Grace` or lapsed at
/// `end` until the `Advance` with the balance records `AutoRenewed`;
/// from then on the renewed term runs from the old `end`, so the status
/// at that instant and after is `Active` again.
///
/// A recorded end does not reach back: asked about an instant before a
/// recorded expiry or lapse (a command stamped earlier than facts already
/// recorded), the status is the one the term had then, so a renewal then
/// still starts at the term's end (R-SEAT-09) and nothing paid is lost.
///
/// Replaying the same events and asking at the same instant always gives
/// the same answer.
pub fn status(
    state: &SubscriptionState,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> Status {
    match state.phase {
        Phase::NotLive => Status::NotLive,
        Phase::Trial(term) if now < term.end => Status::Trial { ends: term.end },
        Phase::Trial(term) => Status::Intercepted {
            since: term.end,
            ended: TermKind::Trial,
        },
        Phase::ExtraTrial(term) if now < term.end => Status::ExtraTrial { ends: term.end },
        Phase::ExtraTrial(term) => Status::Intercepted {
            since: term.end,
            ended: TermKind::ExtraTrial,
        },
        Phase::Active(term) if now < term.end => Status::Active { ends: term.end },
        Phase::Active(term) => match grace_end(term.end, policy) {
            Some(until) if now >= until => lapse_status(policy.lapse(), until),
            until => Status::Grace {
                ended: term.end,
                until,
                then: policy.lapse(),
            },
        },
        Phase::Grace {
            term,
            until: Some(until),
            then,
        } => ended_status(&term, TermKind::Paid, until, then, now),
        Phase::Grace {
            term, until: None, ..
        } if now < term.end => Status::Active { ends: term.end },
        Phase::Grace {
            term,
            until: None,
            then,
        } => Status::Grace {
            ended: term.end,
            until: None,
            then,
        },
        Phase::Intercepted { term, ended, since } => {
            ended_status(&term, ended, since, Lapse::Intercepted, now)
        }
        Phase::Suspended { term, since } => {
            ended_status(&term, TermKind::Paid, since, Lapse::Suspended, now)
        }
        Phase::Isolated { term, since } => {
            ended_status(&term, TermKind::Paid, since, Lapse::Isolated, now)
        }
    }
}

/// The status at `now` of a recorded `ended` term that turns into `then`
/// at `since`: still running before its end, in grace (paid terms) until
/// `since`, then lapsed.
fn ended_status(
    term: &Term,
    ended: TermKind,
    since: DateTime<Utc>,
    then: Lapse,
    now: DateTime<Utc>,
) -> Status {
    if now < term.end {
        return match ended {
            TermKind::Trial => Status::Trial { ends: term.end },
            TermKind::ExtraTrial => Status::ExtraTrial { ends: term.end },
            TermKind::Paid => Status::Active { ends: term.end },
        };
    }
    match ended {
        TermKind::Paid if now < since => Status::Grace {
            ended: term.end,
            until: Some(since),
            then,
        },
        TermKind::Paid => lapse_status(then, since),
        TermKind::Trial | TermKind::ExtraTrial => Status::Intercepted { since, ended },
    }
}

fn lapse_status(lapse: Lapse, since: DateTime<Utc>) -> Status {
    match lapse {
        Lapse::Intercepted => Status::Intercepted {
            since,
            ended: TermKind::Paid,
        },
        Lapse::Suspended => Status::Suspended { since },
        Lapse::Isolated => Status::Isolated { since },
    }
}

/// The end of the grace of a paid term ending at `end`: `end` itself when
/// the policy has none; `None` past the calendar's end (not scheduled).
fn grace_end(end: DateTime<Utc>, policy: &SubscriptionPolicy) -> Option<DateTime<Utc>> {
    end.checked_add_signed(policy.grace())
}

/// What comes due next, before it is turned into an event.
#[derive(Debug, Clone, Copy)]
enum DueKind {
    Notice(TermKind),
    Reminder(NaiveDate),
    Expiry,
    EndOfGrace,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Due {
    at: DateTime<Utc>,
    kind: DueKind,
}

/// The earlier of two candidates; on a tie the first (callers pass them in
/// the documented order: notice, reminder, expiry, end of grace).
fn earlier(a: Option<Due>, b: Option<Due>) -> Option<Due> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.at.cmp(&x.at) == Ordering::Less {
            y
        } else {
            x
        }),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The next time-driven event of `state` due at or before `horizon`.
pub(crate) fn next_due(
    state: &SubscriptionState,
    policy: &SubscriptionPolicy,
    horizon: DateTime<Utc>,
) -> Option<Due> {
    let zone = policy.locale().time_zone;
    let within = |due: Option<Due>| due.filter(|d| d.at <= horizon);
    let reminders = |term: &Term| {
        policy
            .reminders()
            .and_then(|spec| next_reminder(term, spec, zone, horizon))
    };
    let due = match &state.phase {
        Phase::NotLive => None,
        Phase::Trial(term) => earlier(
            notice_due(term, TermKind::Trial, policy),
            Some(Due {
                at: term.end,
                kind: DueKind::Expiry,
            }),
        ),
        Phase::ExtraTrial(term) => earlier(
            notice_due(term, TermKind::ExtraTrial, policy),
            Some(Due {
                at: term.end,
                kind: DueKind::Expiry,
            }),
        ),
        Phase::Active(term) => {
            let first = earlier(
                notice_due(term, TermKind::Paid, policy),
                within(reminders(term)),
            );
            earlier(
                first,
                Some(Due {
                    at: term.end,
                    kind: DueKind::Expiry,
                }),
            )
        }
        Phase::Grace { term, until, .. } => earlier(
            within(reminders(term)),
            until.map(|at| Due {
                at,
                kind: DueKind::EndOfGrace,
            }),
        ),
        phase @ (Phase::Intercepted { .. } | Phase::Suspended { .. } | Phase::Isolated { .. }) => {
            phase.paid_term().and_then(reminders)
        }
    };
    within(due)
}

/// R-LIFE-03: `max(since, end - lead)`, unless already sent or its local
/// day lies past the calendar's end (not scheduled).
fn notice_due(term: &Term, kind: TermKind, policy: &SubscriptionPolicy) -> Option<Due> {
    let spec = policy.notice()?;
    if term.notified {
        return None;
    }
    let lead = TimeDelta::days(i64::from(spec.lead_days));
    // A term shorter than the lead gets its notice at once, at its start.
    let at = match term.end.checked_sub_signed(lead) {
        Some(at) if at > term.since => at,
        _ => term.since,
    };
    policy.locale().time_zone.checked_local_date(at).ok()?;
    Some(Due {
        at,
        kind: DueKind::Notice(kind),
    })
}

/// R-LIFE-05: the next reminder day of `term` not yet sent, if its instant
/// can be at or before `horizon`.
///
/// A reminder whose day or instant lies outside the calendar, or of a term
/// whose expiry day does (its [`Reminder`] could not name it), is not
/// scheduled. Days only grow, so past the calendar's end no later one
/// would be either.
fn next_reminder(
    term: &Term,
    spec: &ReminderSpec,
    zone: Zone,
    horizon: DateTime<Utc>,
) -> Option<Due> {
    // Cheap bound first: no reminder of this term is due before
    // end - (days up to expiry + 1) x 24 h, so most subscriptions of a sweep
    // stop here without any calendar arithmetic.
    let before = TimeDelta::days(i64::from(spec.days_up_to_expiry) + 1);
    if let Some(bound) = term.end.checked_sub_signed(before)
        && bound > horizon
    {
        return None;
    }
    let window = ReminderWindow::within_calendar(
        checked_expiry_day(term.end, zone).ok()?,
        spec.days_up_to_expiry,
        spec.days_after_expiry,
    )?;
    let mut day = window
        .first()
        .max(zone.checked_local_date(term.since).ok()?);
    if let Some(sent) = term.reminded_through {
        day = day.max(sent.succ_opt()?);
    }
    if day > window.last() {
        return None;
    }
    let at = zone
        .offset()
        .from_local_datetime(&day.and_time(spec.send_at))
        .single()?
        .with_timezone(&Utc);
    Some(Due {
        at: at.max(term.since),
        kind: DueKind::Reminder(day),
    })
}

/// Every time-driven event due at `now`, in order: expiry notices
/// (R-LIFE-03), daily reminders (R-LIFE-05), auto-renewal or expiry
/// (R-LIFE-07, R-LIFE-04), end of grace (R-LIFE-06) into suspension,
/// interception or isolation (R-LIFE-10).
///
/// Events that came due earlier and were never applied are included, each
/// with its own due instant, so the result does not depend on how often
/// the caller polls: polling at `t1` then `t2` (applying the first batch)
/// gives exactly the events of one poll at `t2`. Ties are ordered notice,
/// reminder, expiry, end of grace.
///
/// `funds` (R-LIFE-07) is needed only when an auto-renewal comes due; each
/// renewal of the sweep draws its price from the balance passed in.
///
/// Errors: [`Error::Refused`] (R-LIFE-07) when an auto-renewal is due and
/// `funds` is `None` or its price is negative, when it would end past the
/// calendar's end, or when more than [`MAX_AUTO_RENEWALS_PER_SWEEP`]
/// auto-renewals come due by `now`; [`Error::Arithmetic`] when the balance
/// and price have different currencies. A notice, reminder or end of grace
/// past the calendar's end is not scheduled, never an error (module docs).
///
/// **Decision:** asked for everything due by `now`, this function answers
/// everything or refuses; it never returns part of it silently. A caller
/// that cannot choose `now` (a scheduler, the `Advance` command) uses
/// [`due_events_bounded`], which says whether its batch is complete.
///
/// Allocation: none when nothing is due (an empty `Vec` does not allocate);
/// use [`due_events_into`] to reuse a buffer.
pub fn due_events(
    state: &SubscriptionState,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
    funds: Option<&Funds>,
) -> Result<Vec<SubscriptionEvent>, Error> {
    let mut out = Vec::new();
    due_events_into(state, now, policy, funds, &mut out)?;
    Ok(out)
}

/// [`due_events`] appending into `out`; returns the state after them. On an
/// error nothing is appended.
pub fn due_events_into(
    state: &SubscriptionState,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
    funds: Option<&Funds>,
    out: &mut Vec<SubscriptionEvent>,
) -> Result<SubscriptionState, Error> {
    let start = out.len();
    // An arithmetic error on the expiry path names R-LIFE-04.
    let result = sweep(state, now, policy, funds, out, Bound::Refuse)
        .map(|(state, _)| state)
        .map_err(|e| e.in_rule(RuleId::Life04));
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// The instant the next time-driven event comes due, for a scheduler that
/// wants to sleep until then; `None` when nothing will come due without a
/// command.
pub fn next_due_at(
    state: &SubscriptionState,
    policy: &SubscriptionPolicy,
) -> Result<Option<DateTime<Utc>>, Error> {
    Ok(next_due(state, policy, DateTime::<Utc>::MAX_UTC).map(|d| d.at))
}

/// `due` as the event it brings, drawing an auto-renewal's price from
/// `balance`; `None` when the policy lacks its part.
pub(crate) fn due_event(
    state: &SubscriptionState,
    due: Due,
    policy: &SubscriptionPolicy,
    funds: Option<&Funds>,
    balance: &mut Option<Money>,
) -> Result<Option<SubscriptionEvent>, Error> {
    let zone = policy.locale().time_zone;
    let event = match (due.kind, &state.phase) {
        (DueKind::Notice(kind), phase) => {
            let (Some(spec), Some(term)) = (policy.notice(), phase.term()) else {
                return Ok(None);
            };
            SubscriptionEvent::Notice(Notice {
                due: due.at,
                date: zone.checked_local_date(due.at).in_rule(RuleId::Life03)?,
                term: kind,
                term_end: term.end,
                channels: spec.channels,
                recipient: spec.recipient,
            })
        }
        (DueKind::Reminder(date), phase) => {
            let (Some(spec), Some(term)) = (policy.reminders(), phase.paid_term()) else {
                return Ok(None);
            };
            SubscriptionEvent::Reminder(Reminder {
                due: due.at,
                date,
                expiry_day: checked_expiry_day(term.end, zone).in_rule(RuleId::Life05)?,
                term_end: term.end,
                channels: spec.channels,
                recipient: spec.recipient,
            })
        }
        (DueKind::Expiry, Phase::Trial(term)) => trial_expired(term, TermKind::Trial),
        (DueKind::Expiry, Phase::ExtraTrial(term)) => trial_expired(term, TermKind::ExtraTrial),
        (DueKind::Expiry, Phase::Active(term)) => paid_expiry(state, term, policy, funds, balance)?,
        (
            DueKind::EndOfGrace,
            Phase::Grace {
                term,
                until: Some(until),
                then,
            },
        ) => SubscriptionEvent::Lapsed {
            at: *until,
            term_end: term.end,
            then: *then,
        },
        (DueKind::Expiry | DueKind::EndOfGrace, _) => return Ok(None),
    };
    Ok(Some(event))
}

fn trial_expired(term: &Term, kind: TermKind) -> SubscriptionEvent {
    // Trials get no grace: R-LIFE-04 intercepts at the end.
    SubscriptionEvent::Expired {
        at: term.end,
        ended: kind,
        grace_until: None,
        grace_past_calendar: false,
        then: Lapse::Intercepted,
        shortfall: None,
    }
}

fn paid_expiry(
    state: &SubscriptionState,
    term: &Term,
    policy: &SubscriptionPolicy,
    funds: Option<&Funds>,
    balance: &mut Option<Money>,
) -> Result<SubscriptionEvent, Error> {
    let zone = policy.locale().time_zone;
    let mut shortfall = None;
    if let (true, Some(period)) = (state.auto_renew, policy.auto_renewal()) {
        let (Some(funds), Some(available)) = (funds, *balance) else {
            return Err(Reason::new(
                RuleId::Life07,
                format!(
                    "auto-renewal is due at {}: pass the account balance and the renewal price \
                     (Funds) to decide it",
                    local(zone, term.end)
                ),
            )
            .with(Figure::instant("term_end", term.end))
            .into());
        };
        let price = funds.renewal_price;
        if price.is_negative() {
            return Err(Reason::new(
                RuleId::Life07,
                format!("the renewal price {price} is negative; pass the price of one period"),
            )
            .with(Figure::money("renewal_price", price))
            .into());
        }
        let covered = available
            .checked_cmp(&price)
            .ok_or(ArithmeticError::CurrencyMismatch {
                left: available.currency(),
                right: price.currency(),
            })
            .in_rule(RuleId::Life07)?
            != Ordering::Less;
        if covered {
            // Paid validity, not a schedule: a renewal that would end past
            // the calendar is refused, never cut short.
            let end = zone
                .plus_days(term.end, period.length())
                .map_err(|_| renewal_past_calendar(term.end, period, zone))?;
            *balance = Some(available.checked_sub(price).in_rule(RuleId::Life07)?);
            return Ok(SubscriptionEvent::AutoRenewed {
                at: term.end,
                end,
                price,
            });
        }
        shortfall = Some(Shortfall {
            balance: available,
            price,
        });
    }
    let grace = policy.grace() > TimeDelta::zero();
    let grace_until = grace.then(|| grace_end(term.end, policy)).flatten();
    Ok(SubscriptionEvent::Expired {
        at: term.end,
        ended: TermKind::Paid,
        grace_until,
        grace_past_calendar: grace && grace_until.is_none(),
        then: policy.lapse(),
        shortfall,
    })
}

/// R-LIFE-07: the refusal of an auto-renewal at `term_end` whose new end
/// would lie past the calendar's end.
fn renewal_past_calendar(term_end: DateTime<Utc>, period: Period, zone: Zone) -> Reason {
    Reason::new(
        RuleId::Life07,
        format!(
            "the auto-renewal due at {} for {period} would end past the calendar's last \
             instant; paid validity is not cut short: turn auto-renewal off to let the term \
             expire, or buy a term that fits",
            local(zone, term_end)
        ),
    )
    .with(Figure::instant("term_end", term_end))
    .with(Figure::count("renewal_days", u64::from(period.length().0)))
}

/// The rule an arithmetic error of `command` is reported under: the rule
/// whose computation the command performs.
fn command_rule(command: &SubscriptionCommand) -> RuleId {
    match command {
        SubscriptionCommand::GoLive => RuleId::Life01,
        SubscriptionCommand::StartExtraTrial { .. } => RuleId::Life02,
        SubscriptionCommand::Purchase { .. } => RuleId::Seat01,
        SubscriptionCommand::Renew { .. } => RuleId::Seat09,
        SubscriptionCommand::SetAutoRenewal { .. } => RuleId::Life07,
        // The sweep names the rule of each due event (notice R-LIFE-03,
        // reminder R-LIFE-05, renewal R-LIFE-07, grace R-LIFE-06); what is
        // left is the expiry's.
        SubscriptionCommand::Advance { .. } => RuleId::Life04,
    }
}
