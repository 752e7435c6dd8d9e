//! Periods, whole days, the policy time zone, and the injected clock.
//!
//! A "day" in the rules is a calendar day in the policy's time zone (preset
//! UTC+08:00). [`Zone`] answers the calendar questions: which local day an
//! instant falls on, how many days lie between two instants, what instant is
//! N days later. A zone is a fixed offset (a local day is always 24 hours)
//! or an IANA zone with daylight saving (a local day may be 23 or 25 hours;
//! [`Zone`] states the rule at a transition). [`CalendarPeriod`] counts
//! calendar months and years from a purchase day.
//!
//! The library never reads the system clock by itself: callers pass `now`,
//! or inject a [`Clock`] into the engine.
//!
//! ```
//! use billing_rules::time::Zone;
//! use chrono::{NaiveDate, TimeZone, Utc};
//!
//! let zone = Zone::BEIJING;
//! let before = Utc.with_ymd_and_hms(2025, 6, 30, 15, 59, 59).unwrap();
//! let after = Utc.with_ymd_and_hms(2025, 6, 30, 16, 0, 0).unwrap();
//! assert_eq!(zone.local_date(before), NaiveDate::from_ymd_opt(2025, 6, 30).unwrap());
//! assert_eq!(zone.local_date(after), NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
//! ```

mod calendar;
mod transitions;
mod zone;
mod zone_parse;

use std::fmt;
use std::num::NonZeroU32;
use std::sync::RwLock;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ArithmeticError;

pub use calendar::CalendarPeriod;
pub use zone::Zone;

/// A count of whole days.
///
/// ```
/// use billing_rules::time::Days;
/// assert_eq!(Days(365).checked_mul(2)?, Days(730));
/// assert!(Days(u32::MAX).checked_add(Days(1)).is_err());
/// # Ok::<(), billing_rules::ArithmeticError>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Days(pub u32);

impl Days {
    /// `self + other`, or an overflow error.
    pub fn checked_add(self, other: Days) -> Result<Days, ArithmeticError> {
        self.0
            .checked_add(other.0)
            .map(Days)
            .ok_or(ArithmeticError::overflow("add days"))
    }

    /// `self x n`, or an overflow error.
    pub fn checked_mul(self, n: u32) -> Result<Days, ArithmeticError> {
        self.0
            .checked_mul(n)
            .map(Days)
            .ok_or(ArithmeticError::overflow("multiply days"))
    }

    /// The length as a duration of `self x 24 h`.
    pub fn duration(self) -> Duration {
        Duration::days(i64::from(self.0))
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 1 {
            f.write_str("1 day")
        } else {
            write!(f, "{} days", self.0)
        }
    }
}

/// A pricing period (R-SEAT-01): a year of 365 days, a month of 31 days, a
/// set number of days, or a calendar month or year anchored on the
/// purchase day ([`CalendarPeriod`]).
///
/// Serialized as `"year"`, `"month"`, `{"days": 90}` or
/// `{"calendar": "month"}`; zero days cannot be built or deserialized.
///
/// ```
/// use billing_rules::time::{Days, Period};
/// assert_eq!(Period::Year.length(), Days(365));
/// assert_eq!(Period::Month.length(), Days(31));
/// assert_eq!(Period::days(90).map(|p| p.length()), Some(Days(90)));
/// assert_eq!(Period::days(0), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// 365 days.
    Year,
    /// 31 days.
    Month,
    /// A set number of days (at least one).
    Days(NonZeroU32),
    /// A calendar month or year from the purchase day.
    Calendar(CalendarPeriod),
}

impl Period {
    /// A period of `n` days; `None` for zero.
    pub fn days(n: u32) -> Option<Period> {
        NonZeroU32::new(n).map(Period::Days)
    }

    /// The period's length in days; for a calendar period the fewest days
    /// it holds ([`CalendarPeriod::shortest`]): where the start is known,
    /// [`Period::days_after`] counts the actual days.
    pub fn length(&self) -> Days {
        match self {
            Period::Year => Days(365),
            Period::Month => Days(31),
            Period::Days(n) => Days(n.get()),
            Period::Calendar(calendar) => calendar.shortest(),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year => f.write_str("year (365 days)"),
            Period::Month => f.write_str("month (31 days)"),
            Period::Days(n) => write!(f, "{} days", n),
            Period::Calendar(calendar) => write!(f, "{calendar}"),
        }
    }
}

/// A source of the current instant, injected by the caller.
///
/// The library's calculators and deciders take `now` as an argument; only
/// the engine holds a `Clock`. Use [`SystemClock`] in production and
/// [`FixedClock`] in tests and what-ifs.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says what it is told; safe to share between threads.
///
/// ```
/// use billing_rules::time::{Clock, FixedClock};
/// use chrono::{Duration, TimeZone, Utc};
///
/// let clock = FixedClock::new(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
/// clock.advance(Duration::days(31))?;
/// assert_eq!(clock.now(), Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap());
/// # Ok::<(), billing_rules::ArithmeticError>(())
/// ```
#[derive(Debug)]
pub struct FixedClock {
    now: RwLock<DateTime<Utc>>,
}

impl FixedClock {
    /// A clock stopped at `now`.
    pub fn new(now: DateTime<Utc>) -> FixedClock {
        FixedClock {
            now: RwLock::new(now),
        }
    }

    /// Sets the time.
    pub fn set(&self, now: DateTime<Utc>) {
        // A poisoned lock still holds a valid instant: nothing can leave it
        // half-written.
        let mut guard = self.now.write().unwrap_or_else(|e| e.into_inner());
        *guard = now;
    }

    /// Moves the time by `by` (backwards when negative), or an error outside
    /// chrono's range, leaving the clock unchanged.
    pub fn advance(&self, by: Duration) -> Result<(), ArithmeticError> {
        let mut guard = self.now.write().unwrap_or_else(|e| e.into_inner());
        *guard = guard
            .checked_add_signed(by)
            .ok_or(ArithmeticError::out_of_range("advance the clock"))?;
        Ok(())
    }
}

impl Clone for FixedClock {
    fn clone(&self) -> Self {
        FixedClock::new(self.now())
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.read().unwrap_or_else(|e| e.into_inner())
    }
}
