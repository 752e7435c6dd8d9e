//! Periods, whole days, the policy time zone, and the injected clock.
//!
//! A "day" in the rules is a calendar day in the policy's time zone (preset
//! UTC+08:00). [`Zone`] answers the calendar questions: which local day an
//! instant falls on, how many days lie between two instants, what instant is
//! N days later. Fixed offsets have no daylight saving, so a local day is
//! always exactly 24 hours.
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

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::RwLock;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ArithmeticError;

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

/// A pricing period (R-SEAT-01): a year of 365 days, a month of 31 days, or
/// a set number of days.
///
/// Serialized as `"year"`, `"month"` or `{"days": 90}`; zero days cannot be
/// built or deserialized.
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
}

impl Period {
    /// A period of `n` days; `None` for zero.
    pub fn days(n: u32) -> Option<Period> {
        NonZeroU32::new(n).map(Period::Days)
    }

    /// The period's length in days.
    pub fn length(&self) -> Days {
        match self {
            Period::Year => Days(365),
            Period::Month => Days(31),
            Period::Days(n) => Days(n.get()),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year => f.write_str("year (365 days)"),
            Period::Month => f.write_str("month (31 days)"),
            Period::Days(n) => write!(f, "{} days", n),
        }
    }
}

/// The time zone a policy counts calendar days in: a fixed UTC offset.
///
/// Serialized as `"+08:00"`.
///
/// ```
/// use billing_rules::time::Zone;
/// let zone: Zone = "+08:00".parse()?;
/// assert_eq!(zone, Zone::BEIJING);
/// assert_eq!(zone.to_string(), "+08:00");
/// # Ok::<(), billing_rules::PolicyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Zone {
    // Seconds east of UTC, always within chrono's +/- 24 h: every
    // constructor checks it.
    seconds_east: i32,
}

impl Zone {
    /// UTC+08:00, the preset of every published policy.
    pub const BEIJING: Zone = Zone {
        seconds_east: 8 * 3600,
    };

    /// UTC.
    pub const UTC: Zone = Zone { seconds_east: 0 };

    /// A zone at `offset` from UTC.
    pub fn new(offset: FixedOffset) -> Zone {
        Zone {
            seconds_east: offset.local_minus_utc(),
        }
    }

    /// The offset from UTC.
    pub fn offset(&self) -> FixedOffset {
        // The field is checked on construction, so the fallback is never
        // taken; it keeps this total without a panic path.
        FixedOffset::east_opt(self.seconds_east).unwrap_or_else(|| Utc.fix())
    }

    /// The instant of the local date and time `year-month-day
    /// hour:min:sec` in this zone, or
    /// [`ArithmeticError::InvalidDateTime`] when there is no such date or
    /// time (February 30, hour 24) or it lies outside chrono's range. Never
    /// a panic: the arguments are often read from outside.
    ///
    /// A fixed offset has no daylight saving, so every valid local date and
    /// time names exactly one instant: there is no gap to skip and no
    /// repeated hour to choose from. Should zones with daylight saving be
    /// added, a local time a change skips will be this same error, never a
    /// guess.
    ///
    /// ```
    /// use billing_rules::time::Zone;
    /// use billing_rules::ArithmeticError;
    ///
    /// // Midnight in Beijing is 16:00 UTC the day before.
    /// let start = Zone::BEIJING.at(2025, 1, 1, 0, 0, 0)?;
    /// assert_eq!(start, Zone::UTC.at(2024, 12, 31, 16, 0, 0)?);
    /// assert_eq!(start.to_rfc3339(), "2024-12-31T16:00:00+00:00");
    ///
    /// let err = Zone::BEIJING.at(2025, 2, 30, 10, 0, 0).unwrap_err();
    /// assert_eq!(err, ArithmeticError::InvalidDateTime { value: "2025-02-30 10:00:00 +08:00".into() });
    /// assert!(Zone::UTC.at(2025, 6, 1, 24, 0, 0).is_err());
    /// # Ok::<(), ArithmeticError>(())
    /// ```
    pub fn at(
        &self,
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        min: u32,
        sec: u32,
    ) -> Result<DateTime<Utc>, ArithmeticError> {
        let invalid = || ArithmeticError::InvalidDateTime {
            value: format!("{year:04}-{month:02}-{day:02} {hour:02}:{min:02}:{sec:02} {self}"),
        };
        let local = NaiveDate::from_ymd_opt(year, month, day)
            .and_then(|date| date.and_hms_opt(hour, min, sec))
            .ok_or_else(invalid)?;
        self.offset()
            .from_local_datetime(&local)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(invalid)
    }

    /// The local calendar day `instant` falls on.
    ///
    /// Within a day of chrono's first or last instant the local day can lie
    /// outside [`NaiveDate`]'s range (`DateTime::<Utc>::MAX_UTC` is already
    /// the next year in +08:00); it is then clamped to `NaiveDate::MAX` or
    /// `NaiveDate::MIN`. Use [`Zone::checked_local_date`] where such an
    /// instant must be an error instead.
    ///
    /// ```
    /// use billing_rules::time::Zone;
    /// use chrono::{DateTime, NaiveDate, Utc};
    /// assert_eq!(Zone::BEIJING.local_date(DateTime::<Utc>::MAX_UTC), NaiveDate::MAX);
    /// assert!(Zone::BEIJING.checked_local_date(DateTime::<Utc>::MAX_UTC).is_err());
    /// ```
    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        self.checked_local_date(instant)
            .unwrap_or(if self.seconds_east > 0 {
                NaiveDate::MAX
            } else {
                NaiveDate::MIN
            })
    }

    /// The local calendar day `instant` falls on, or an error when it lies
    /// outside chrono's date range (only within a day of chrono's first or
    /// last instant).
    pub fn checked_local_date(&self, instant: DateTime<Utc>) -> Result<NaiveDate, ArithmeticError> {
        // `DateTime::date_naive` panics on such an instant; adding the
        // offset to the UTC time checks the range instead.
        instant
            .naive_utc()
            .checked_add_offset(self.offset())
            .map(|local| local.date())
            .ok_or(ArithmeticError::out_of_range("local date"))
    }

    /// The instant local day `date` starts (local midnight), or an error
    /// outside chrono's range.
    pub fn start_of_day(&self, date: NaiveDate) -> Result<DateTime<Utc>, ArithmeticError> {
        self.offset()
            .from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
            .single()
            .map(|local| local.with_timezone(&Utc))
            .ok_or(ArithmeticError::out_of_range("start of local day"))
    }

    /// The instant the local day containing `instant` started.
    pub fn start_of_local_day(
        &self,
        instant: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, ArithmeticError> {
        self.start_of_day(self.checked_local_date(instant)?)
    }

    /// Calendar days from the local day of `from` to the local day of `to`
    /// (negative when `to` is on an earlier day). Times of day are ignored:
    /// 23:59 to 00:01 the next day is one calendar day. Local days are
    /// those of [`Zone::local_date`] (clamped at chrono's ends).
    pub fn calendar_days_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        (self.local_date(to) - self.local_date(from)).num_days()
    }

    /// Whole elapsed days of 24 hours from `from` to `to`, rounded toward
    /// zero (negative when `to` is earlier). 23 h 59 min is zero days.
    pub fn whole_days_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        (to - from).num_days()
    }

    /// `instant + days x 24 h`, which in a fixed-offset zone is the same local
    /// time `days` calendar days later. An error outside chrono's range.
    pub fn plus_days(
        &self,
        instant: DateTime<Utc>,
        days: Days,
    ) -> Result<DateTime<Utc>, ArithmeticError> {
        instant
            .checked_add_signed(days.duration())
            .ok_or(ArithmeticError::out_of_range("add days to an instant"))
    }

    /// `instant - days x 24 h`, or an error outside chrono's range.
    pub fn minus_days(
        &self,
        instant: DateTime<Utc>,
        days: Days,
    ) -> Result<DateTime<Utc>, ArithmeticError> {
        instant
            .checked_sub_signed(days.duration())
            .ok_or(ArithmeticError::out_of_range(
                "subtract days from an instant",
            ))
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone::BEIJING
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // FixedOffset displays as "+08:00".
        write!(f, "{}", self.offset())
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.offset())
    }
}

impl FromStr for Zone {
    type Err = crate::error::PolicyError;

    /// Parses `+HH:MM` or `-HH:MM`, `+HH:MM:SS` (how a zone built with
    /// seconds displays, so every zone reads back), and `Z` for UTC.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || {
            crate::error::PolicyError::new(
                "time_zone",
                format!("`{s}` is not a UTC offset"),
                "an offset from -23:59 to +23:59 written +HH:MM (or +HH:MM:SS), or Z",
            )
        };
        if s == "Z" {
            return Ok(Zone::UTC);
        }
        let bytes = s.as_bytes();
        // Digits are read one by one: `str::parse` would also take a sign,
        // and read "+08:-5" as +07:55.
        let digit = |i: usize| {
            bytes
                .get(i)
                .filter(|b| b.is_ascii_digit())
                .map(|b| i32::from(b - b'0'))
        };
        let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
        let sign = match bytes.first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(invalid()),
        };
        let parts = match (bytes.len(), bytes.get(3), bytes.get(6)) {
            (6, Some(b':'), _) => (two(1), two(4), Some(0)),
            (9, Some(b':'), Some(b':')) => (two(1), two(4), two(7)),
            _ => return Err(invalid()),
        };
        let (Some(hours), Some(minutes), Some(seconds)) = parts else {
            return Err(invalid());
        };
        if hours > 23 || minutes > 59 || seconds > 59 {
            return Err(invalid());
        }
        FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60 + seconds))
            .map(Zone::new)
            .ok_or_else(invalid)
    }
}

impl Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl From<Zone> for FixedOffset {
    fn from(zone: Zone) -> FixedOffset {
        zone.offset()
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
