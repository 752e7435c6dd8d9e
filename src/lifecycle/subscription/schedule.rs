//! What time brings a subscription (R-LIFE-03..07, R-LIFE-10): the next
//! due notice, reminder, expiry or end of grace, and the event it becomes.
//! Every due instant is computed from recorded facts only (term end, the
//! instant the term was set, the grace recorded at expiry), never from
//! `now`, so any polling cadence sees the same events in the same order.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::policy::{Lapse, ReminderSpec, SubscriptionPolicy};
use super::state::{Funds, Phase, Shortfall, SubscriptionEvent, SubscriptionState, Term};
use super::status::grace_end;
use crate::display::instant;
use crate::error::{ArithmeticError, Error, Figure, InRule, Reason};
use crate::lifecycle::notices::{Notice, Reminder, ReminderWindow, TermKind, checked_expiry_day};
use crate::money::Money;
use crate::rule::RuleId;
use crate::time::{Days, Period, Zone};

/// What comes due next, before it is turned into an event.
#[derive(Debug, Clone, Copy)]
enum DueKind {
    Notice(TermKind),
    Reminder(NaiveDate),
    Expiry,
    EndOfGrace,
}

/// A due instant and what comes due then.
#[derive(Debug, Clone, Copy)]
pub(super) struct Due {
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
pub(super) fn next_due(
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
    let zone = policy.locale().time_zone;
    // Calendar days in the policy's zone: the same local time `lead` days
    // before the end, also across a daylight-saving change. A term shorter
    // than the lead gets its notice at once, at its start.
    let at = match zone.minus_days(term.end, Days(spec.lead_days)) {
        Ok(at) if at > term.since => at,
        _ => term.since,
    };
    zone.checked_local_date(at).ok()?;
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
    // end - (days up to expiry + 2) x 24 h (one day more than the calendar
    // needs, for the hours a daylight-saving change adds), so most
    // subscriptions of a sweep stop here without any calendar arithmetic.
    let before = TimeDelta::days(i64::from(spec.days_up_to_expiry) + 2);
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
    let at = zone.from_local(day.and_time(spec.send_at)).ok()?;
    Some(Due {
        at: at.max(term.since),
        kind: DueKind::Reminder(day),
    })
}

/// The instant the next time-driven event of `state` comes due; `None`
/// when nothing will come due without a command.
pub(super) fn next_due_at(
    state: &SubscriptionState,
    policy: &SubscriptionPolicy,
) -> Option<DateTime<Utc>> {
    next_due(state, policy, DateTime::<Utc>::MAX_UTC).map(|d| d.at)
}

pub(super) fn due_event(
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
                    instant(term.end, zone)
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
            // From the run's anchor: a calendar month bought on the 31st
            // renews to the 31st wherever the month has one (Kill Bill #127).
            let end = period
                .end_after_anchored(term.run_start(), term.end, 1, zone)
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
            instant(term_end, zone)
        ),
    )
    .with(Figure::instant("term_end", term_end))
    .with(Figure::count("renewal_days", u64::from(period.length().0)))
}
