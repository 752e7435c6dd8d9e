//! One-line `Display` for the per-use events and package ids, for logs:
//! the rule, what happened, when.
//!
//! ```
//! use billing_rules::usage::{BillingMethod, MethodEvent, PackageId};
//! use chrono::NaiveDate;
//!
//! assert_eq!(PackageId(3).to_string(), "package #3");
//! let event = MethodEvent::Opened {
//!     method: BillingMethod::Traffic,
//!     from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
//! };
//! assert_eq!(event.to_string(), "R-USE-09 billing method traffic from 2025-07-01");
//! ```

use std::fmt;

use super::calls::FeatureSwitch;
use super::traffic_methods::MethodEvent;
use super::wallet_events::{PackageId, Waiver, WalletEvent};
use crate::display::{instant, one_line};
use crate::rule::RuleId;
use crate::time::Zone;

impl fmt::Display for PackageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "package #{}", self.0)
    }
}

fn wallet(e: &WalletEvent, zone: Zone, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let t = |t| instant(t, zone);
    match e {
        WalletEvent::Purchased(p) => write!(
            f,
            "{} {} bought: {} calls for {}, valid {} to {}",
            RuleId::Use05,
            p.package,
            p.calls,
            p.price,
            t(p.effective_at),
            t(p.expires_at)
        ),
        WalletEvent::Consumed(c) => {
            write!(
                f,
                "{} {} {} calls at {}: {} failed, {} waived, {} from the trial, ",
                RuleId::Use07,
                c.requested,
                c.component,
                t(c.at),
                c.failed,
                c.waived,
                c.from_trial
            )?;
            let drawn = c
                .draws
                .iter()
                .fold(0u64, |sum, d| sum.saturating_add(d.calls));
            write!(
                f,
                "{drawn} from packages, {} billed per call: {}",
                c.overage, c.charge
            )?;
            match c.waiver {
                Some(Waiver::Exempt { .. }) => write!(f, " (exempt, {})", RuleId::Use03),
                Some(Waiver::BeforeBillingStart { billing_start }) => write!(
                    f,
                    " (before billing starts {}, {})",
                    t(billing_start),
                    RuleId::Use06
                ),
                None => Ok(()),
            }
        }
        WalletEvent::Expired(x) => write!(
            f,
            "{} {} expired {}: {} calls lost",
            RuleId::Use07,
            x.package,
            t(x.expired_at),
            x.lost
        ),
        WalletEvent::FeatureSwitched { switch, at } => {
            let state = match switch {
                FeatureSwitch::On => "on",
                FeatureSwitch::Off => "off",
            };
            write!(
                f,
                "{} feature switched {state} at {}",
                RuleId::Use04,
                t(*at)
            )
        }
        WalletEvent::ProfileSet { profile, at } => write!(
            f,
            "{} profile set at {}: {}, {}",
            RuleId::Use03,
            t(*at),
            profile.organisation.name(),
            profile.category.name()
        ),
    }
}

one_line!(WalletEvent, wallet);

fn method(e: &MethodEvent, zone: Zone, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match e {
        MethodEvent::Opened { method, from } => write!(
            f,
            "{} billing method {} from {from}",
            RuleId::Use09,
            method.name()
        ),
        MethodEvent::SwitchScheduled {
            to,
            requested_at,
            effective_from,
        } => write!(
            f,
            "{} switch to {} requested {}, in force from {effective_from}",
            RuleId::Use09,
            to.name(),
            instant(*requested_at, zone)
        ),
    }
}

one_line!(MethodEvent, method);
