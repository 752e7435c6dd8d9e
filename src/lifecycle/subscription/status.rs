//! Where a subscription stands at an instant, and whether it is served
//! then (R-LIFE-04, R-LIFE-06, R-LIFE-10): answered from the recorded facts
//! and the instant, so right even when the scheduler has not applied the
//! due events yet. A term past its end plus grace is never served,
//! whatever was recorded.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::policy::{Lapse, SubscriptionPolicy};
use super::state::{Phase, SubscriptionState, Term};
use crate::decider::Access;
use crate::display::instant;
use crate::lifecycle::notices::TermKind;
use crate::rule::RuleId;

/// The status of a subscription at an instant, as
/// [`Subscription::status`](crate::TimeDriven::status) derives it from the recorded facts:
/// every `ends`, `until` and `since` is the first instant of the next
/// status.
///
/// A recorded trial or paid term past its end is reported as ended, in grace or
/// lapsed as the policy says, even before the `Advance` that records it. A
/// pending auto-renewal (R-LIFE-07) is not assumed: it needs the balance and
/// happens only through the sweep
/// ([`Subscription::due_events_with_funds`](crate::lifecycle::Subscription::due_events_with_funds),
/// `Advance`).
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SubscriptionStatus {
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

impl SubscriptionStatus {
    /// True while the app is served: a trial, a paid term, or grace.
    pub fn is_served(&self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Trial { .. }
                | SubscriptionStatus::ExtraTrial { .. }
                | SubscriptionStatus::Active { .. }
                | SubscriptionStatus::Grace { .. }
        )
    }
}

impl fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubscriptionStatus::NotLive => "not live",
            SubscriptionStatus::Trial { .. } => "in trial",
            SubscriptionStatus::ExtraTrial { .. } => "in the extra trial",
            SubscriptionStatus::Active { .. } => "active",
            SubscriptionStatus::Grace { .. } => "expired, in grace",
            SubscriptionStatus::Intercepted { .. } => "intercepted",
            SubscriptionStatus::Suspended { .. } => "suspended",
            SubscriptionStatus::Isolated { .. } => "isolated",
        })
    }
}

/// The status at `now` (see [`SubscriptionStatus`] for where each starts
/// and ends).
pub(super) fn status(
    state: &SubscriptionState,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> SubscriptionStatus {
    match state.phase {
        Phase::NotLive => SubscriptionStatus::NotLive,
        Phase::Trial(term) if now < term.end => SubscriptionStatus::Trial { ends: term.end },
        Phase::Trial(term) => SubscriptionStatus::Intercepted {
            since: term.end,
            ended: TermKind::Trial,
        },
        Phase::ExtraTrial(term) if now < term.end => {
            SubscriptionStatus::ExtraTrial { ends: term.end }
        }
        Phase::ExtraTrial(term) => SubscriptionStatus::Intercepted {
            since: term.end,
            ended: TermKind::ExtraTrial,
        },
        Phase::Active(term) if now < term.end => SubscriptionStatus::Active { ends: term.end },
        Phase::Active(term) => match grace_end(term.end, policy) {
            Some(until) if now >= until => lapse_status(policy.lapse(), until),
            until => SubscriptionStatus::Grace {
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
        } if now < term.end => SubscriptionStatus::Active { ends: term.end },
        Phase::Grace {
            term,
            until: None,
            then,
        } => SubscriptionStatus::Grace {
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
) -> SubscriptionStatus {
    if now < term.end {
        return match ended {
            TermKind::Trial => SubscriptionStatus::Trial { ends: term.end },
            TermKind::ExtraTrial => SubscriptionStatus::ExtraTrial { ends: term.end },
            TermKind::Paid => SubscriptionStatus::Active { ends: term.end },
        };
    }
    match ended {
        TermKind::Paid if now < since => SubscriptionStatus::Grace {
            ended: term.end,
            until: Some(since),
            then,
        },
        TermKind::Paid => lapse_status(then, since),
        TermKind::Trial | TermKind::ExtraTrial => SubscriptionStatus::Intercepted { since, ended },
    }
}

fn lapse_status(lapse: Lapse, since: DateTime<Utc>) -> SubscriptionStatus {
    match lapse {
        Lapse::Intercepted => SubscriptionStatus::Intercepted {
            since,
            ended: TermKind::Paid,
        },
        Lapse::Suspended => SubscriptionStatus::Suspended { since },
        Lapse::Isolated => SubscriptionStatus::Isolated { since },
    }
}

/// The end of the grace of a paid term ending at `end`: `end` itself when
/// the policy has none; `None` past the calendar's end (not scheduled).
pub(super) fn grace_end(end: DateTime<Utc>, policy: &SubscriptionPolicy) -> Option<DateTime<Utc>> {
    end.checked_add_signed(policy.grace())
}

/// May the subscription be used at `now`?
///
/// Allowed in a trial, a paid term and its grace (R-LIFE-06: still served).
/// Intercepted otherwise:
/// - not live yet: R-LIFE-01 when the plan has a trial, else R-LIFE-04;
/// - a trial or paid term ended: R-LIFE-04;
/// - suspended after the grace: R-LIFE-06;
/// - isolated: R-LIFE-10.
///
/// A purchase or renewal restores access at once (R-LIFE-04).
pub(super) fn access(
    state: &SubscriptionState,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> Access {
    let zone = policy.locale().time_zone;
    let (rule, reason) = match status(state, now, policy) {
        SubscriptionStatus::Trial { .. }
        | SubscriptionStatus::ExtraTrial { .. }
        | SubscriptionStatus::Active { .. }
        | SubscriptionStatus::Grace { .. } => {
            return Access::Allowed;
        }
        SubscriptionStatus::NotLive => match policy.trial() {
            Some(days) => (
                RuleId::Life01,
                format!(
                    "The app is not live for this account yet; its {days} trial starts when it goes live."
                ),
            ),
            None => (
                RuleId::Life04,
                "This account has no plan yet; buy one to use the app.".to_owned(),
            ),
        },
        SubscriptionStatus::Intercepted { since, ended } => {
            let what = match ended {
                TermKind::Trial => "trial",
                TermKind::ExtraTrial => "extra trial",
                TermKind::Paid => "subscription",
            };
            (
                RuleId::Life04,
                format!(
                    "The {what} ended on {}; buy or renew to continue.",
                    instant(since, zone)
                ),
            )
        }
        SubscriptionStatus::Suspended { since } => (
            RuleId::Life06,
            format!(
                "Suspended since {}: the plan was not renewed within the grace after expiry. \
                 Login and advanced console features are stopped until a plan is bought.",
                instant(since, zone)
            ),
        ),
        SubscriptionStatus::Isolated { since } => (
            RuleId::Life10,
            format!(
                "Isolated since {}: the prepaid term expired without renewal. \
                 Renew the environment to lift the isolation.",
                instant(since, zone)
            ),
        ),
    };
    Access::Intercepted { rule, reason }
}
