//! One-line `Display` for the payment events, for logs (see
//! `lifecycle`'s events for the pattern): the rule, what happened, when.
//!
//! ```
//! use billing_rules::payment::{PaymentEvent, PaymentMethod};
//! use billing_rules::time::Zone;
//! use chrono::{TimeZone, Utc};
//!
//! let event = PaymentEvent::MethodSwitched {
//!     from: PaymentMethod::PrepaidPersonalWallet,
//!     to: PaymentMethod::PayAsYouGo,
//!     switch_number: 2,
//!     refunded: None,
//!     at: Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap(),
//! };
//! assert_eq!(
//!     event.display_in(Zone::BEIJING).to_string(),
//!     format!("R-PAY-03 switch 2: {} -> {} at 2025-06-01 10:00 +08:00",
//!         PaymentMethod::PrepaidPersonalWallet, PaymentMethod::PayAsYouGo)
//! );
//! ```

use std::fmt;

use crate::display::{instant, one_line};
use crate::payment::PaymentEvent;
use crate::rule::RuleId;
use crate::time::Zone;

fn payment(e: &PaymentEvent, zone: Zone, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match e {
        PaymentEvent::MethodChosen { method, at } => write!(
            f,
            "{} method chosen at the first purchase: {method} at {}",
            RuleId::Pay02,
            instant(*at, zone)
        ),
        PaymentEvent::MethodSwitched {
            from,
            to,
            switch_number,
            refunded,
            at,
        } => {
            write!(
                f,
                "{} switch {switch_number}: {from} -> {to} at {}",
                RuleId::Pay03,
                instant(*at, zone)
            )?;
            match refunded {
                Some(amount) => write!(f, "; {} {amount} refunded", RuleId::Pay06),
                None => Ok(()),
            }
        }
    }
}

one_line!(PaymentEvent, payment);
