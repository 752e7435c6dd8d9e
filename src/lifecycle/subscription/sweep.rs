//! Batches of the subscription's time-driven events (R-LIFE-07): what one
//! [`SubscriptionCommand::Advance`](crate::lifecycle::SubscriptionCommand::Advance) applies.
//!
//! One call applies at most [`MAX_EVENTS_PER_ADVANCE`] events, of which at
//! most [`MAX_AUTO_RENEWALS_PER_SWEEP`] auto-renewals. A batch may stop
//! between any two events: each event records what it did in the state, and
//! what is due next is a function of that state alone, so the next call
//! continues exactly where the last one stopped. A scheduler repeats
//! `Advance` until it returns no events.
//!
//! [`Subscription::due_events_bounded`](crate::lifecycle::Subscription::due_events_bounded)
//! and
//! [`Subscription::due_events_with_funds`](crate::lifecycle::Subscription::due_events_with_funds)
//! are the two ways to call it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::evolve::evolve;
use super::policy::SubscriptionPolicy;
use super::schedule::{due_event, next_due};
use super::state::{Funds, SubscriptionEvent, SubscriptionState};
use crate::display::instant;
use crate::error::{Error, Figure, Reason};
use crate::rule::RuleId;

/// One bounded batch of
/// [`Subscription::due_events_with_funds`](crate::lifecycle::Subscription::due_events_with_funds)
/// (R-LIFE-07): what
/// [`Subscription::due_events_bounded`](crate::lifecycle::Subscription::due_events_bounded)
/// applied, and whether that was everything due.
///
/// Serialized as `{"events": [...], "complete": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sweep {
    /// The events, in order: the start of what one unbounded sweep at the
    /// same `now` returns (all of it when `complete`).
    pub events: Vec<SubscriptionEvent>,
    /// `true` when every event due by `now` is in `events`; `false` when
    /// the batch stopped at [`MAX_EVENTS_PER_ADVANCE`] events or before the
    /// auto-renewal past [`MAX_AUTO_RENEWALS_PER_SWEEP`]: apply `events`,
    /// then sweep again (with the balance after this batch's renewals) to
    /// continue.
    pub complete: bool,
}

/// What a sweep does at its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    /// No event bound; refuses the whole sweep at the auto-renewal past
    /// [`MAX_AUTO_RENEWALS_PER_SWEEP`]
    /// ([`Subscription::due_events_with_funds`](crate::lifecycle::Subscription::due_events_with_funds)).
    Refuse,
    /// Stops at [`MAX_EVENTS_PER_ADVANCE`] events or before that renewal
    /// ([`Subscription::due_events_bounded`](crate::lifecycle::Subscription::due_events_bounded)).
    Stop,
}

/// The events due at `now`, appended to `out`; the state after them and
/// whether they are everything due (`false` only when `bound` stopped it).
pub(super) fn sweep(
    state: &SubscriptionState,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
    funds: Option<&Funds>,
    out: &mut Vec<SubscriptionEvent>,
    bound: Bound,
) -> Result<(SubscriptionState, bool), Error> {
    let mut current = *state;
    let mut balance = funds.map(|f| f.balance);
    let mut renewals = 0u32;
    let mut emitted = 0usize;
    while let Some(due) = next_due(&current, policy, now) {
        // Something more is due: a full batch stops here, before building
        // it, so nothing of the next batch (a balance drawn, an error) leaks
        // into this one.
        if bound == Bound::Stop && emitted == MAX_EVENTS_PER_ADVANCE {
            return Ok((current, false));
        }
        // next_due only yields what due_event can build; None would be a
        // candidate without its policy part, and ends the sweep.
        let Some(event) = due_event(&current, due, policy, funds, &mut balance)? else {
            break;
        };
        if let SubscriptionEvent::AutoRenewed { at, .. } = event {
            if renewals == MAX_AUTO_RENEWALS_PER_SWEEP {
                return match bound {
                    Bound::Refuse => Err(too_many_renewals(at, now, policy).into()),
                    // The balance drawn for this renewal is dropped with
                    // it: the next batch decides it on the balance passed.
                    Bound::Stop => Ok((current, false)),
                };
            }
            renewals += 1;
        }
        let next = evolve(current, &event);
        // Every due event moves the state on; one that did not would come
        // due again forever, so stop rather than loop.
        if next == current {
            break;
        }
        out.push(event);
        emitted += 1;
        current = next;
    }
    Ok((current, true))
}

/// The most events one
/// [`SubscriptionCommand::Advance`](crate::lifecycle::SubscriptionCommand::Advance)
/// (one
/// [`Subscription::due_events_bounded`](crate::lifecycle::Subscription::due_events_bounded)
/// batch) returns.
///
/// Not a rule figure: a bound on the size of one answer and of the one
/// store write that records it, whatever `now` is. The renewal bound alone
/// does not bound it: each renewal brings its notice and up to 366
/// reminders, so 1,000 renewals of a yearly plan reminding every day of the
/// year came to 366,365 events (65.5 MB of JSON) in one call.
///
/// Why 4,096 (under 1 MB of JSON): a term brings at most 735 events (a
/// notice, a reminder for each of the 366 + 366 days of the widest window,
/// its expiry and the end of its grace), so five terms of the heaviest
/// policy fit and a subscription swept at least once a term is always
/// caught up in one call; and 1,000 renewals of a daily plan with its
/// notice and up to two reminders a term (4,000 events) still fit, so for
/// such plans the renewal bound decides as before.
///
/// [`Subscription::due_events_with_funds`](crate::lifecycle::Subscription::due_events_with_funds),
/// asked for everything due by a `now` the caller chooses, is not bounded by it
/// (it refuses past [`MAX_AUTO_RENEWALS_PER_SWEEP`] renewals).
pub const MAX_EVENTS_PER_ADVANCE: usize = 4_096;

/// The most auto-renewals (R-LIFE-07) one sweep applies.
///
/// Not a rule figure: a bound on the work and memory of one call, whatever
/// `now` is. Without it a plan that renews daily at no charge, swept once after
/// thousands of years, would produce millions of events in one answer.
/// [`Subscription::due_events_with_funds`](crate::lifecycle::Subscription::due_events_with_funds)
/// refuses a sweep that needs more;
/// [`Subscription::due_events_bounded`](crate::lifecycle::Subscription::due_events_bounded)
/// and the `Advance` command apply it in batches of at most this many renewals.
pub const MAX_AUTO_RENEWALS_PER_SWEEP: u32 = 1_000;

/// R-LIFE-07: the refusal of a sweep that would apply more than
/// [`MAX_AUTO_RENEWALS_PER_SWEEP`] auto-renewals; `next` is the renewal
/// past the bound, so a sweep at any earlier instant is within it.
fn too_many_renewals(
    next: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> Reason {
    let zone = policy.locale().time_zone;
    Reason::new(
        RuleId::Life07,
        format!(
            "more than {MAX_AUTO_RENEWALS_PER_SWEEP} auto-renewals come due by {}; sweep at an \
             instant before {} first, then again, or sweep in batches (due_events_bounded, \
             the Advance command)",
            instant(now, zone),
            instant(next, zone)
        ),
    )
    .with(Figure::count(
        "max_auto_renewals",
        u64::from(MAX_AUTO_RENEWALS_PER_SWEEP),
    ))
    .with(Figure::instant("next_renewal", next))
    .with(Figure::instant("now", now))
}
