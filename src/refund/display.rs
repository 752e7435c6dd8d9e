//! One-line `Display` for the order ledger's events, for logs: the rule,
//! the order, what happened, when.
//!
//! ```
//! use billing_rules::money::Money;
//! use billing_rules::refund::LedgerEvent;
//! use billing_rules::time::Zone;
//! use chrono::{TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let event = LedgerEvent::OrderRefunded {
//!     order: "o2".into(),
//!     amount: Money::cny(Decimal::from(500)),
//!     at: Utc.with_ymd_and_hms(2025, 6, 3, 16, 0, 0).unwrap(),
//! };
//! assert_eq!(
//!     event.display_in(Zone::BEIJING).to_string(),
//!     "R-REF-02 order o2 refunded CNY 500.00 at 2025-06-04 00:00 +08:00"
//! );
//! ```

use std::fmt;

use crate::display::{instant, one_line};
use crate::refund::LedgerEvent;
use crate::rule::RuleId;
use crate::time::Zone;

fn ledger(e: &LedgerEvent, zone: Zone, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match e {
        LedgerEvent::OrderRecorded {
            order,
            paid_at,
            amount,
            ..
        } => write!(
            f,
            "{} order {order} recorded: {amount} paid at {}",
            RuleId::Ref01,
            instant(*paid_at, zone)
        ),
        LedgerEvent::OrderInvoiced { order, at } => write!(
            f,
            "{} order {order} invoiced at {}: no longer refundable",
            RuleId::Ref01,
            instant(*at, zone)
        ),
        LedgerEvent::OrderRefunded { order, amount, at } => write!(
            f,
            "{} order {order} refunded {amount} at {}",
            RuleId::Ref02,
            instant(*at, zone)
        ),
    }
}

one_line!(LedgerEvent, ledger);
