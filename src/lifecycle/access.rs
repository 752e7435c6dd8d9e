//! The access check: may the customer use the app now? (R-LIFE-04,
//! R-LIFE-06, R-LIFE-10.)
//!
//! [`access`] answers from the recorded facts and the instant, so it is
//! right even when the scheduler has not applied the due events yet: a term
//! past its end plus grace is never served, whatever was recorded.
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::lifecycle::access::{access, Access};
//! use billing_rules::lifecycle::subscription::{Subscription, SubscriptionCommand};
//! use billing_rules::presets::lifecycle::app_store_seat_plan;
//! use billing_rules::RuleId;
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let policy = app_store_seat_plan()?;
//! let live = Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap();
//! let (state, _) = Subscription::run(&Subscription::initial(), &SubscriptionCommand::GoLive, live, &policy)?;
//! assert_eq!(access(&state, live, &policy), Access::Allowed);
//!
//! let after = live + Duration::days(15);
//! let answer = access(&state, after, &policy);
//! assert_eq!(answer.rule(), Some(RuleId::Life04));
//! assert!(answer.reason().unwrap().contains("trial ended"));
//! # Ok::<(), billing_rules::Error>(())
//! ```

use chrono::{DateTime, Utc};

// Re-exported here only until the lifecycle area moves to flat paths.
pub use crate::decider::Access;
use crate::lifecycle::notices::TermKind;
use crate::lifecycle::policy::SubscriptionPolicy;
use crate::lifecycle::subscription::{Status, SubscriptionState, local, status};
use crate::rule::RuleId;

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
pub fn access(
    state: &SubscriptionState,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> Access {
    let zone = policy.locale().time_zone;
    let (rule, reason) = match status(state, now, policy) {
        Status::Trial { .. }
        | Status::ExtraTrial { .. }
        | Status::Active { .. }
        | Status::Grace { .. } => {
            return Access::Allowed;
        }
        Status::NotLive => match policy.trial() {
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
        Status::Intercepted { since, ended } => {
            let what = match ended {
                TermKind::Trial => "trial",
                TermKind::ExtraTrial => "extra trial",
                TermKind::Paid => "subscription",
            };
            (
                RuleId::Life04,
                format!(
                    "The {what} ended on {}; buy or renew to continue.",
                    local(zone, since)
                ),
            )
        }
        Status::Suspended { since } => (
            RuleId::Life06,
            format!(
                "Suspended since {}: the plan was not renewed within the grace after expiry. \
                 Login and advanced console features are stopped until a plan is bought.",
                local(zone, since)
            ),
        ),
        Status::Isolated { since } => (
            RuleId::Life10,
            format!(
                "Isolated since {}: the prepaid term expired without renewal. \
                 Renew the environment to lift the isolation.",
                local(zone, since)
            ),
        ),
    };
    Access::Intercepted { rule, reason }
}
