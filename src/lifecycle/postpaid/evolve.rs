//! How each event moves a postpaid account's state, apart from the
//! decider so the schedule can apply the events it builds without
//! importing it.

use super::state::{Arrears, PostpaidEvent, PostpaidState, Standing};

/// The state after `event`. Total: an event that no longer matches the
/// arrears it names changes nothing, so applying one twice is harmless.
pub(super) fn evolve(state: PostpaidState, event: &PostpaidEvent) -> PostpaidState {
    use PostpaidEvent as E;
    let with = |standing: Standing| PostpaidState { standing, ..state };
    match (state.standing, event) {
        (_, E::BillIssued { month, balance, .. }) => PostpaidState {
            balance: *balance,
            last_billed: Some(*month),
            ..state
        },
        (_, E::Charged { balance, .. }) | (_, E::ToppedUp { balance, .. }) => PostpaidState {
            balance: *balance,
            ..state
        },
        (Standing::Good, E::ArrearsStarted { at, cause, .. }) => {
            with(Standing::InArrears(Arrears {
                since: *at,
                cause: *cause,
                reminders_sent: 0,
            }))
        }
        (_, E::ArrearsStarted { .. }) => state,
        (Standing::InArrears(arrears), E::Reminder(r))
            if arrears.since == r.arrears_since && r.number > arrears.reminders_sent =>
        {
            with(Standing::InArrears(Arrears {
                reminders_sent: r.number,
                ..arrears
            }))
        }
        (Standing::Suspended { arrears, since }, E::Reminder(r))
            if arrears.since == r.arrears_since && r.number > arrears.reminders_sent =>
        {
            with(Standing::Suspended {
                arrears: Arrears {
                    reminders_sent: r.number,
                    ..arrears
                },
                since,
            })
        }
        (_, E::Reminder(_)) => state,
        (
            Standing::InArrears(arrears),
            E::Suspended {
                at, arrears_since, ..
            },
        ) if arrears.since == *arrears_since => with(Standing::Suspended {
            arrears,
            since: *at,
        }),
        (_, E::Suspended { .. }) => state,
        (_, E::Restored { balance, .. }) => PostpaidState {
            balance: *balance,
            standing: Standing::Good,
            ..state
        },
    }
}
