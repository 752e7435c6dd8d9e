//! Extension (R-SEAT-09): more time for the current seat count.
//!
//! The rules this file implements are described in the
//! [pricing module docs](crate::pricing#extension).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::policy::SeatPolicy;
use super::quote::{Quote, SeatOrder, price};
use crate::error::Error;
use crate::rule::RuleId;

/// An order to extend a current term (R-SEAT-09).
///
/// Serialized as `{"seats": 120, "periods": 1, "current_end": "..."}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExtensionOrder {
    /// The current seat count.
    pub seats: u32,
    /// How many more periods.
    pub periods: u32,
    /// The first instant the current term no longer covers.
    pub current_end: DateTime<Utc>,
}

impl SeatPolicy {
    /// Prices an extension at `now` (R-SEAT-09): a quote for `order.seats`
    /// seats and `order.periods` periods whose validity starts at the current
    /// end (or at `now` when the term has already ended). Its first step, tagged
    /// R-SEAT-09, records both instants.
    /// Makes no heap allocation unless it refuses.
    ///
    /// ```
    /// use billing_rules::pricing::ExtensionOrder;
    /// use chrono::{TimeZone, Utc};
    ///
    /// let policy = billing_rules::presets::app_store_seat_pricing()?;
    /// let current_end = Utc.with_ymd_and_hms(2026, 3, 31, 16, 0, 0).unwrap();
    /// let now = Utc.with_ymd_and_hms(2026, 1, 10, 2, 0, 0).unwrap();
    /// let q = policy.extend(&ExtensionOrder { seats: 120, periods: 1, current_end }, now)?;
    /// assert_eq!(q.validity.start, Some(current_end));
    /// assert_eq!(q.validity.end, Some(Utc.with_ymd_and_hms(2027, 3, 31, 16, 0, 0).unwrap()));
    /// assert_eq!(q.total.to_string(), "CNY 9600.00");
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn extend(&self, order: &ExtensionOrder, now: DateTime<Utc>) -> Result<Quote, Error> {
        let start = order.current_end.max(now);
        let new_order = SeatOrder::new(order.seats, order.periods).starting(start);
        price(self, &new_order, Some((order.current_end, start)))
            .map_err(|e| e.in_rule(RuleId::Seat09))
    }
}
