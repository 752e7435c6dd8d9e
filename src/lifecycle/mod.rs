//! Lifecycle state machines: trials, expiry notices, grace, suspension,
//! auto-renewal, postpaid arrears, isolation and licences (R-LIFE-01..10,
//! R-LIC-01..06).
//!
//! Every aggregate is a [`Decider`](crate::decider::Decider) on a unit
//! struct, with enum states and every transition in one `match`:
//!
//! | aggregate | module | rules |
//! |---|---|---|
//! | [`Subscription`](subscription::Subscription) | [`subscription`] | R-LIFE-01..07, R-LIFE-10 |
//! | [`PostpaidAccount`](postpaid::PostpaidAccount) | [`postpaid`] | R-LIFE-08, R-LIFE-09 |
//! | [`Licence`](licence::Licence) | [`licence`] | R-LIC-01..06 |
//! | [`BundleClaim`](bundle_claim::BundleClaim) (one per traffic package) | [`bundle_claim`] | R-LIC-06 |
//!
//! Time-driven transitions (notices, reminders, expiry, end of grace,
//! suspension) are not commands a clock sends: each module has a pure
//! `due_events(&state, now, ...)` that returns every event that has come
//! due, each with its own due instant, so a scheduler may poll at any
//! cadence, and applying an event twice changes nothing. The `status` and
//! `access` functions derive the answer at `now` from the recorded facts.
//! Each aggregate's `Advance` command applies them. The subscription's
//! returns at most
//! [`MAX_EVENTS_PER_ADVANCE`](subscription::MAX_EVENTS_PER_ADVANCE) events,
//! of which at most
//! [`MAX_AUTO_RENEWALS_PER_SWEEP`](subscription::MAX_AUTO_RENEWALS_PER_SWEEP)
//! auto-renewals (R-LIFE-07), per call, so a scheduler repeats it until it
//! returns no events; each call continues exactly where the last stopped.
//! The others need no batches: a postpaid account's arrears bring at most
//! 24 reminders and one suspension, a licence one expiry.
//!
//! **At the calendar's end** (chrono's last instant,
//! `DateTime::<Utc>::MAX_UTC`), a time-driven event whose instant or local
//! day would fall past it is not scheduled: a notice, reminder, end of
//! grace or suspension simply never comes due (the fields that announce
//! one are `None`), and every command that does not need it still works.
//! An instant a command answers with, the end of a paid term (purchase,
//! renewal, auto-renewal, licence) or of a trial, is still refused under
//! the command's rule: paid validity is never cut short.
//!
//! - [`notices`]: notices (R-LIFE-03) and reminders (R-LIFE-05) as values
//!   with their date, channels and recipient role.
//! - [`policy`]: the subscription policy.
//! - [`access`]: the access check.
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::lifecycle::access::access;
//! use billing_rules::lifecycle::subscription::{
//!     due_events, Subscription, SubscriptionCommand, SubscriptionEvent,
//! };
//! use billing_rules::presets::lifecycle::app_store_seat_plan;
//! use billing_rules::time::Period;
//! use billing_rules::RuleId;
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let policy = app_store_seat_plan()?;
//! let live = Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap();
//! let (trial, _) = Subscription::run(&Subscription::initial(), &SubscriptionCommand::GoLive, live, &policy)?;
//!
//! // R-LIFE-03: the notice 7 days before the 14-day trial ends.
//! let events = due_events(&trial, live + Duration::days(7), &policy, None)?;
//! assert!(matches!(events.as_slice(), [SubscriptionEvent::Notice(n)] if n.due == live + Duration::days(7)));
//!
//! // R-LIFE-04: intercepted after the trial; a purchase restores access at once.
//! let later = live + Duration::days(20);
//! assert_eq!(access(&trial, later, &policy).rule(), Some(RuleId::Life04));
//! let (paid, _) = Subscription::run(&trial, &SubscriptionCommand::Purchase { validity: Period::Year }, later, &policy)?;
//! assert!(access(&paid, later, &policy).is_allowed());
//! # Ok::<(), billing_rules::Error>(())
//! ```

pub mod access;
pub mod bundle_claim;
pub(crate) mod display;
pub mod licence;
pub mod notices;
pub mod policy;
pub mod postpaid;
pub mod subscription;
mod sweep;
