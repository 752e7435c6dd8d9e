//! One-line `Display` for the lifecycle events, for logs: the rule, what
//! happened, and the instants that matter.
//!
//! `Display` writes instants in UTC; `display_in(zone)` writes them in the
//! policy's zone, as the customer sees them:
//!
//! ```
//! use billing_rules::lifecycle::SubscriptionEvent;
//! use billing_rules::time::Zone;
//! use chrono::{TimeZone, Utc};
//!
//! let event = SubscriptionEvent::WentLive {
//!     at: Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap(),
//!     trial_end: Utc.with_ymd_and_hms(2025, 1, 14, 16, 0, 0).unwrap(),
//! };
//! assert_eq!(
//!     event.display_in(Zone::BEIJING).to_string(),
//!     "R-LIFE-01 went live: trial ends 2025-01-15 00:00 +08:00"
//! );
//! assert_eq!(event.to_string(), "R-LIFE-01 went live: trial ends 2025-01-14 16:00 +00:00");
//! ```

use std::fmt;

use crate::display::{instant, one_line};
use crate::lifecycle::{ArrearsCause, LicenceEvent, PostpaidEvent, SubscriptionEvent, TermKind};
use crate::rule::RuleId;
use crate::time::Zone;

fn subscription(e: &SubscriptionEvent, zone: Zone, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let t = |t| instant(t, zone);
    let rule = e.rule();
    match e {
        SubscriptionEvent::WentLive { trial_end, .. } => {
            write!(f, "{rule} went live: trial ends {}", t(*trial_end))
        }
        SubscriptionEvent::ExtraTrialStarted { end, by, .. } => {
            write!(f, "{rule} extra trial started by {by}: ends {}", t(*end))
        }
        SubscriptionEvent::Purchased { at, end } => {
            write!(
                f,
                "{rule} purchased at {}: paid term ends {}",
                t(*at),
                t(*end)
            )
        }
        SubscriptionEvent::Renewed { start, end, .. } => write!(
            f,
            "{rule} renewed: paid term from {} to {}",
            t(*start),
            t(*end)
        ),
        SubscriptionEvent::AutoRenewalSet { on, .. } => {
            let state = if *on { "on" } else { "off" };
            write!(f, "{rule} auto-renewal turned {state}")
        }
        SubscriptionEvent::Notice(n) => write!(
            f,
            "{rule} notice: {} ends {} (to the {} by {})",
            n.term,
            t(n.term_end),
            n.recipient,
            n.channels
        ),
        SubscriptionEvent::Reminder(r) => write!(
            f,
            "{rule} reminder: paid term ends {} (to the {} by {})",
            t(r.term_end),
            r.recipient,
            r.channels
        ),
        SubscriptionEvent::AutoRenewed { end, price, .. } => {
            write!(
                f,
                "{rule} auto-renewed for {price}: paid term ends {}",
                t(*end)
            )
        }
        SubscriptionEvent::Expired {
            at,
            ended,
            grace_until,
            grace_past_calendar,
            then,
            shortfall,
        } => {
            write!(f, "{rule} expired: {ended} ended {}", t(*at))?;
            if let Some(shortfall) = shortfall {
                write!(
                    f,
                    ", auto-renewal not paid (balance {} < price {})",
                    shortfall.balance, shortfall.price
                )?;
            }
            match (ended, grace_until) {
                (TermKind::Paid, Some(until)) => {
                    write!(f, "; served until {}, then {then}", t(*until))
                }
                (TermKind::Paid, None) if *grace_past_calendar => {
                    write!(f, "; served to the calendar's end")
                }
                (TermKind::Paid, None) => write!(f, "; {then}"),
                (TermKind::Trial | TermKind::ExtraTrial, _) => f.write_str("; intercepted"),
            }
        }
        SubscriptionEvent::Lapsed { at, term_end, then } => write!(
            f,
            "{rule} lapsed: {then} from {} (paid term ended {})",
            t(*at),
            t(*term_end)
        ),
    }
}

one_line!(SubscriptionEvent, subscription);

fn cause(cause: &ArrearsCause) -> String {
    match cause {
        ArrearsCause::Bill { month } => format!("the bill for {}", month.format("%Y-%m")),
        ArrearsCause::BalanceRanOut => "the balance ran out".to_owned(),
    }
}

fn postpaid(e: &PostpaidEvent, zone: Zone, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let t = |t| instant(t, zone);
    match e {
        PostpaidEvent::BillIssued {
            at,
            month,
            amount,
            balance,
        } => write!(
            f,
            "{} bill issued {} for {}: {amount}, balance {balance}",
            RuleId::Life08,
            t(*at),
            month.format("%Y-%m")
        ),
        PostpaidEvent::Charged {
            at,
            amount,
            balance,
        } => write!(
            f,
            "{} charged {amount} at {}: balance {balance}",
            RuleId::Life09,
            t(*at)
        ),
        PostpaidEvent::ToppedUp {
            at,
            amount,
            balance,
        } => write!(
            f,
            "{} topped up {amount} at {}: balance {balance}",
            RuleId::Life09,
            t(*at)
        ),
        PostpaidEvent::ArrearsStarted {
            at,
            cause: why,
            balance,
            suspend_at,
        } => write!(
            f,
            "{} in arrears from {} ({}, balance {balance}): services stop {}",
            why.rule(),
            t(*at),
            cause(why),
            suspend_at.map_or_else(|| "past the calendar's end".to_owned(), t)
        ),
        PostpaidEvent::Reminder(r) => write!(
            f,
            "{} arrears reminder {} at {}: balance {} (to the {} by {})",
            RuleId::Life08,
            r.number,
            t(r.due),
            r.balance,
            r.recipient,
            r.channels
        ),
        PostpaidEvent::Suspended {
            at,
            arrears_since,
            cause: why,
        } => write!(
            f,
            "{} suspended {}: in arrears since {} ({})",
            why.rule(),
            t(*at),
            t(*arrears_since),
            cause(why)
        ),
        // The event does not record what caused the arrears it ends.
        PostpaidEvent::Restored { at, balance } => write!(
            f,
            "{}/{} restored {}: balance {balance}",
            RuleId::Life08,
            RuleId::Life09,
            t(*at)
        ),
    }
}

one_line!(PostpaidEvent, postpaid);

fn licence(e: &LicenceEvent, zone: Zone, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let t = |t| instant(t, zone);
    match e {
        LicenceEvent::Bound { app, owner, .. } => {
            write!(f, "{} app {app} bound to account {owner}", RuleId::Lic02)
        }
        LicenceEvent::Purchased {
            price, start, end, ..
        } => write!(
            f,
            "{} licence bought for {price}: valid {} to {}",
            RuleId::Lic03,
            t(*start),
            t(*end)
        ),
        LicenceEvent::BundledGranted {
            package_id,
            size,
            terms,
            start,
            end,
            ..
        } => write!(
            f,
            "{} {terms} free licence term(s) for traffic package {package_id} ({size}): valid {} \
             to {}",
            RuleId::Lic06,
            t(*start),
            t(*end)
        ),
        LicenceEvent::Expired { at } => {
            write!(f, "{} licence expired {}", RuleId::Lic05, t(*at))
        }
    }
}

one_line!(LicenceEvent, licence);
