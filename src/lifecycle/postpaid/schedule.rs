//! What time brings a postpaid account (R-LIFE-08, R-LIFE-09): the arrears
//! reminders and the suspension, each due at an instant computed from the
//! recorded arrears, never from `now`.

use chrono::{DateTime, TimeDelta, Utc};

use super::evolve::evolve;
use super::policy::PostpaidPolicy;
use super::state::{ArrearsReminder, PostpaidEvent, PostpaidState, Standing};
use crate::error::Error;

pub fn due_events_into(
    state: &PostpaidState,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
    out: &mut Vec<PostpaidEvent>,
) -> Result<PostpaidState, Error> {
    let mut current = *state;
    while let Some(event) = next_due(&current, now, policy) {
        let next = evolve(current, &event);
        if next == current {
            break;
        }
        out.push(event);
        current = next;
    }
    Ok(current)
}

/// The first event of `state` due by `now`, if any.
fn next_due(
    state: &PostpaidState,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Option<PostpaidEvent> {
    let (arrears, suspended) = match state.standing {
        Standing::Good => return None,
        Standing::InArrears(arrears) => (arrears, false),
        Standing::Suspended { arrears, .. } => (arrears, true),
    };
    // A reminder or suspension past the calendar's end is not scheduled: `None`, never an error, so the commands that catch up
    // first still work. Reminders come in ascending hours, so none after an
    // unscheduled one would be either.
    let zone = policy.locale().time_zone;
    let reminder = policy.reminders().and_then(|spec| {
        let index = usize::try_from(arrears.reminders_sent).unwrap_or(usize::MAX);
        let hours = spec.after_hours.get(index)?;
        let at = arrears
            .since
            .checked_add_signed(TimeDelta::hours(i64::from(*hours)))?;
        let date = zone.checked_local_date(at).ok()?;
        Some((at, date, spec))
    });
    let suspension = if suspended {
        None
    } else {
        arrears.since.checked_add_signed(policy.suspend_after())
    };
    // Ties: the reminder goes first.
    match (reminder, suspension) {
        (Some((at, date, spec)), s) if at <= now && s.is_none_or(|s| at <= s) => {
            Some(PostpaidEvent::Reminder(ArrearsReminder {
                due: at,
                date,
                number: arrears.reminders_sent.saturating_add(1),
                arrears_since: arrears.since,
                balance: state.balance,
                channels: spec.channels,
                recipient: spec.recipient,
            }))
        }
        (_, Some(at)) if at <= now => Some(PostpaidEvent::Suspended {
            at,
            arrears_since: arrears.since,
            cause: arrears.cause,
        }),
        _ => None,
    }
}

/// When the account is next due (for the engine's due-work index): the
/// instant of its next reminder or suspension, whatever `now` is.
impl PostpaidState {
    pub(crate) fn next_due_at(&self, policy: &PostpaidPolicy) -> Option<DateTime<Utc>> {
        next_due(self, DateTime::<Utc>::MAX_UTC, policy).map(|event| event.at())
    }
}
