//! The subscription's types: its terms, phases and state, and the
//! commands and events of [`Subscription`](crate::lifecycle::Subscription).
//! Every other file of the subscription imports these; they import none of
//! them, so the decider, the status, the schedule and the sweep stay
//! acyclic.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::policy::Lapse;
use crate::lifecycle::notices::{Notice, Reminder, Role, TermKind};
use crate::money::Money;
use crate::rule::RuleId;
use crate::time::Period;

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
    /// Where the run of back-to-back paid terms this term continues began,
    /// when before `since` (an auto-renewal or a renewal from the end):
    /// calendar periods count from it, so renewing a calendar month keeps
    /// the purchase's day of the month (Kill Bill #127). `None`: the run
    /// began at `since`. Left out of the JSON when `None`, and states
    /// recorded without it load as `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<DateTime<Utc>>,
}

impl Term {
    /// A term from `since` to `end` with nothing sent yet, starting a run.
    pub fn new(since: DateTime<Utc>, end: DateTime<Utc>) -> Term {
        Term {
            since,
            end,
            notified: false,
            reminded_through: None,
            anchor: None,
        }
    }

    /// A term from `since` to `end` that continues the run of `previous`.
    pub fn continuing(previous: &Term, since: DateTime<Utc>, end: DateTime<Utc>) -> Term {
        Term {
            anchor: Some(previous.run_start()),
            ..Term::new(since, end)
        }
    }

    /// The instant the run of back-to-back terms this term belongs to
    /// began: [`Term::anchor`], else `since`.
    pub fn run_start(&self) -> DateTime<Utc> {
        self.anchor.unwrap_or(self.since)
    }
}

/// The recorded phase of a subscription.
/// [`Subscription::status`](crate::TimeDriven::status) tells the phase at an
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
    pub(super) fn paid_term(&self) -> Option<&Term> {
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
/// use billing_rules::lifecycle::{Subscription, SubscriptionCommand};
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::chat_service_subscription()?;
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
    /// (see [`Subscription::due_events_bounded`]): never refused for how much is due.
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
    /// ([`Subscription::due_events_with_funds`]).
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
    /// [`Subscription::due_events_bounded`]: crate::lifecycle::Subscription::due_events_bounded
    /// [`Subscription::due_events_with_funds`]: crate::lifecycle::Subscription::due_events_with_funds
    /// [`MAX_EVENTS_PER_ADVANCE`]: crate::lifecycle::MAX_EVENTS_PER_ADVANCE
    /// [`MAX_AUTO_RENEWALS_PER_SWEEP`]: crate::lifecycle::MAX_AUTO_RENEWALS_PER_SWEEP
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
