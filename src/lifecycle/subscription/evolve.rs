//! How each event moves a subscription's state (what
//! [`Decider::evolve`](crate::decider::Decider::evolve) does for
//! [`Subscription`](crate::lifecycle::Subscription)), apart from the decider so the sweep
//! can apply the events it builds without importing it.

use chrono::{DateTime, Utc};

use super::policy::Lapse;
use super::state::{Phase, SubscriptionEvent, SubscriptionState, Term};
use crate::lifecycle::notices::{Reminder, TermKind};

/// The state after `event`. Total: an event that no longer matches the
/// state changes nothing.
pub(super) fn evolve(state: SubscriptionState, event: &SubscriptionEvent) -> SubscriptionState {
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
        // A renewal from the running term's end continues its run: a
        // calendar period keeps counting from the run's anchor.
        (Phase::Active(term), E::Renewed { at, start, end }) if *start == term.end => {
            with(Phase::Active(Term::continuing(&term, *at, *end)))
        }
        (_, E::Purchased { at, end }) | (_, E::Renewed { at, end, .. }) => {
            with(Phase::Active(Term::new(*at, *end)))
        }
        (_, E::AutoRenewalSet { on, .. }) => SubscriptionState {
            auto_renew: *on,
            ..state
        },
        (Phase::Active(term), E::AutoRenewed { at, end, .. }) if term.end == *at => {
            with(Phase::Active(Term::continuing(&term, *at, *end)))
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
