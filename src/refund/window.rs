//! "Within N days" refund windows (R-REF-01, R-REF-03).
//!
//! ```
//! use billing_rules::presets::{app_store_refunds, live_plugin_licence_refunds};
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let paid = Utc.with_ymd_and_hms(2025, 6, 1, 9, 30, 0).unwrap();
//! let app = app_store_refunds()?.window(); // R-REF-01: 10 days
//! assert_eq!(app.closes_at(paid), Some(Utc.with_ymd_and_hms(2025, 6, 11, 9, 30, 0).unwrap()));
//! assert!(app.contains(paid, paid + Duration::days(10)));
//! assert!(!app.contains(paid, paid + Duration::days(10) + Duration::seconds(1)));
//! // R-REF-03: 14 days from the account's first licence purchase.
//! assert!(live_plugin_licence_refunds()?.window().contains(paid, paid + Duration::days(14)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::time::Days;

/// A window of N days that opens at an instant and is closed at its end:
/// eligible while `now <= start + N x 24 h` (R-REF-01's decision, which
/// R-REF-03 follows).
///
/// So exactly N days after the start is still inside; one second later is
/// not. An instant before the start is inside too: the rule only bounds the
/// end. Whole days of 24 hours are the same in every fixed-offset zone, so
/// the window does not depend on the policy's time zone.
///
/// Serialized as the number of days.
///
/// ```
/// use billing_rules::refund::RefundWindow;
/// use billing_rules::time::Days;
/// use chrono::{Duration, TimeZone, Utc};
///
/// let window = RefundWindow::new(Days(10));
/// let paid = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
/// assert!(window.contains(paid, paid + Duration::days(10)));
/// assert!(!window.contains(paid, paid + Duration::days(10) + Duration::seconds(1)));
/// assert_eq!(window.closes_at(paid), Some(Utc.with_ymd_and_hms(2025, 6, 11, 0, 0, 0).unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RefundWindow {
    days: Days,
}

impl RefundWindow {
    /// A window of `days` days.
    pub const fn new(days: Days) -> RefundWindow {
        RefundWindow { days }
    }

    /// The window's length.
    pub const fn days(&self) -> Days {
        self.days
    }

    /// True while `now <= start + N x 24 h`.
    pub fn contains(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        // The difference of two chrono instants always fits a TimeDelta
        // (chrono's range is far below i64 milliseconds), and N days of a
        // u32 do too, so this comparison cannot overflow even where
        // `start + N days` would leave chrono's range.
        now.signed_duration_since(start) <= self.days.duration()
    }

    /// The last instant inside the window, `start + N x 24 h`; `None` when
    /// it lies beyond chrono's range (the window then never closes).
    pub fn closes_at(&self, start: DateTime<Utc>) -> Option<DateTime<Utc>> {
        start.checked_add_signed(self.days.duration())
    }
}
