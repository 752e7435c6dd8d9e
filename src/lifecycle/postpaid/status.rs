//! Where a postpaid account stands at an instant, and whether its services
//! and recordings are served then (R-LIFE-08, R-LIFE-09), from the
//! recorded facts: arrears past the policy's delay count as suspended even
//! before the suspension is recorded.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::policy::PostpaidPolicy;
use super::state::{ArrearsCause, PostpaidState, Standing};
use crate::decider::Access;
use crate::display::instant;

/// The standing of an account at an instant, derived from the recorded
/// facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PostpaidStatus {
    /// Not in arrears.
    Good,
    /// In arrears; services stop at `suspend_at` unless topped up first.
    InArrears {
        /// When the arrears began.
        since: DateTime<Utc>,
        /// When services stop; `None` when that would be past the
        /// calendar's end (they are then not stopped).
        suspend_at: Option<DateTime<Utc>>,
        /// Why.
        cause: ArrearsCause,
    },
    /// Services stopped or paused.
    Suspended {
        /// Since when.
        since: DateTime<Utc>,
        /// Why.
        cause: ArrearsCause,
    },
}

impl fmt::Display for PostpaidStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PostpaidStatus::Good => "in good standing",
            PostpaidStatus::InArrears { .. } => "in arrears",
            PostpaidStatus::Suspended { .. } => "suspended",
        })
    }
}

/// The standing at `now`: arrears older than the policy's delay count as
/// suspended even before the `Advance` that records it.
pub(super) fn status(
    state: &PostpaidState,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> PostpaidStatus {
    match state.standing {
        Standing::Good => PostpaidStatus::Good,
        Standing::InArrears(arrears) => {
            match arrears.since.checked_add_signed(policy.suspend_after()) {
                Some(at) if now >= at => PostpaidStatus::Suspended {
                    since: at,
                    cause: arrears.cause,
                },
                suspend_at => PostpaidStatus::InArrears {
                    since: arrears.since,
                    suspend_at,
                    cause: arrears.cause,
                },
            }
        }
        Standing::Suspended { arrears, since } => PostpaidStatus::Suspended {
            since,
            cause: arrears.cause,
        },
    }
}

/// May the account's services be used at `now`? Intercepted with R-LIFE-08
/// (all services stopped after a bill) or R-LIFE-09 (paused after the
/// balance ran out) until a top-up clears the arrears.
pub(super) fn access(state: &PostpaidState, now: DateTime<Utc>, policy: &PostpaidPolicy) -> Access {
    let zone = policy.locale().time_zone;
    match status(state, now, policy) {
        PostpaidStatus::Good | PostpaidStatus::InArrears { .. } => Access::Allowed,
        PostpaidStatus::Suspended { since, cause } => Access::Intercepted {
            rule: cause.rule(),
            reason: match cause {
                ArrearsCause::Bill { month } => format!(
                    "All services of this account stopped on {}: the bill for {} left it in arrears \
                     (balance {}). Top up to restore them.",
                    instant(since, zone),
                    month.format("%Y-%m"),
                    state.balance
                ),
                ArrearsCause::BalanceRanOut => format!(
                    "The service is paused since {}: the balance ran out and was not topped up \
                     in time (balance {}). Top up to resume it.",
                    instant(since, zone),
                    state.balance
                ),
            },
        },
    }
}

/// R-LIFE-09: may recordings made by the service be read at `now`? Not
/// while the service is paused (or, after a bill, while every service is
/// stopped, R-LIFE-08).
pub(super) fn recording_access(
    state: &PostpaidState,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Access {
    let zone = policy.locale().time_zone;
    match status(state, now, policy) {
        PostpaidStatus::Good | PostpaidStatus::InArrears { .. } => Access::Allowed,
        PostpaidStatus::Suspended { since, cause } => Access::Intercepted {
            rule: cause.rule(),
            reason: format!(
                "Recordings are unreadable while {} (since {}). Top up to read them again.",
                match cause {
                    ArrearsCause::Bill { .. } => "the account's services are stopped",
                    ArrearsCause::BalanceRanOut => "the service is paused",
                },
                instant(since, zone)
            ),
        },
    }
}
