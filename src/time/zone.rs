//! [`Zone`]: a fixed UTC offset or an IANA zone, and the calendar questions
//! every day-counting rule asks it.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc,
};
use chrono_tz::{GapInfo, Tz};

use super::Days;
use super::transitions::{Resolved, Table};
use crate::error::ArithmeticError;

/// The time zone a policy counts calendar days in: a fixed UTC offset
/// (`"+08:00"`, the preset) or an IANA zone with its daylight-saving rules
/// (`"Europe/Berlin"`, `"America/Juneau"`), from the tz database of the
/// `chrono-tz` crate.
///
/// Serialized as its name: `"+08:00"` for a fixed offset, `"Europe/Berlin"`
/// for an IANA zone.
///
/// # Calendar days and transitions
///
/// A rule's "day" is a local calendar day, so in an IANA zone a day can last
/// 23 or 25 hours (or 23.5 hours at Lord Howe). [`Zone::plus_days`] keeps
/// the local time of day and moves the calendar; [`Zone::whole_days_between`]
/// counts 24-hour spans; a grace given as a [`TimeDelta`] stays elapsed time.
/// Where a daylight-saving change makes a local time ambiguous, the rule is:
///
/// - **A local midnight that does not exist** (the clocks jump over it):
///   the day starts at the first instant of that local day, the end of the
///   jump ([`Zone::start_of_day`]).
/// - **A local time that exists twice** (the clocks fall back over it):
///   the earlier of the two instants.
/// - **Any other local time that does not exist** (a day-shifted time such
///   as 02:30 on a spring-forward night): read with the offset in force
///   before the jump, so it lands as far past the jump as it was into it
///   (02:30 becomes 03:30 in Berlin) ([`Zone::from_local`]).
///
/// [`Zone::at`], which reads a date and time given from outside, refuses a
/// local time that does not exist rather than moving it.
///
/// Every answer costs a few offset lookups, never a search over days, so no
/// transition can make a calculation loop (Kill Bill #445). In an IANA zone
/// the lookups read a table of the zone's offset changes from 1900 to 2100,
/// read back from chrono-tz on the zone's first use in a process (a few
/// milliseconds) so that a conversion costs about what it costs in a fixed
/// offset; other instants are answered by chrono-tz directly.
///
/// ```
/// use billing_rules::time::{Days, Zone};
///
/// let berlin: Zone = "Europe/Berlin".parse()?;
/// // 2025-03-30: the clocks in Berlin jump from 02:00 to 03:00.
/// let before = berlin.at(2025, 3, 29, 10, 0, 0)?;
/// let after = berlin.plus_days(before, Days(1))?;
/// assert_eq!(after, berlin.at(2025, 3, 30, 10, 0, 0)?);
/// assert_eq!((after - before).num_hours(), 23);
/// assert_eq!(berlin.to_string(), "Europe/Berlin");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Zone(pub(super) Kind);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    // Seconds east of UTC, always within chrono's +/- 24 h: every
    // constructor checks it.
    Fixed(i32),
    Iana(Tz),
}

impl Zone {
    /// UTC+08:00, the preset of every published policy.
    pub const BEIJING: Zone = Zone(Kind::Fixed(8 * 3600));

    /// UTC.
    pub const UTC: Zone = Zone(Kind::Fixed(0));

    /// A zone at the fixed `offset` from UTC.
    pub fn new(offset: FixedOffset) -> Zone {
        Zone(Kind::Fixed(offset.local_minus_utc()))
    }

    /// The IANA zone `tz`.
    ///
    /// ```
    /// use billing_rules::time::Zone;
    /// use billing_rules::Tz;
    /// assert_eq!(Zone::iana(Tz::Asia__Tokyo).to_string(), "Asia/Tokyo");
    /// ```
    pub fn iana(tz: Tz) -> Zone {
        Zone(Kind::Iana(tz))
    }

    /// The fixed offset from UTC, or `None` for an IANA zone (whose offset
    /// depends on the instant: see [`Zone::offset_at`]).
    pub fn fixed_offset(&self) -> Option<FixedOffset> {
        match self.0 {
            Kind::Fixed(seconds) => FixedOffset::east_opt(seconds),
            Kind::Iana(_) => None,
        }
    }

    /// The offset from UTC in force at `instant`.
    ///
    /// ```
    /// use billing_rules::time::Zone;
    /// let berlin: Zone = "Europe/Berlin".parse()?;
    /// let winter = Zone::UTC.at(2025, 1, 15, 12, 0, 0)?;
    /// let summer = Zone::UTC.at(2025, 7, 15, 12, 0, 0)?;
    /// assert_eq!(berlin.offset_at(winter).to_string(), "+01:00");
    /// assert_eq!(berlin.offset_at(summer).to_string(), "+02:00");
    /// assert_eq!(Zone::BEIJING.offset_at(winter).to_string(), "+08:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn offset_at(&self, instant: DateTime<Utc>) -> FixedOffset {
        match self.0 {
            // The field is checked on construction, so the fallback is never
            // taken; it keeps this total without a panic path.
            Kind::Fixed(seconds) => FixedOffset::east_opt(seconds).unwrap_or_else(|| Utc.fix()),
            Kind::Iana(tz) => Table::of(tz)
                .and_then(|table| table.offset_at(instant.timestamp()))
                .and_then(FixedOffset::east_opt)
                .unwrap_or_else(|| tz.offset_from_utc_datetime(&instant.naive_utc()).fix()),
        }
    }

    /// The local date and time of `instant`, or an error within a day of
    /// chrono's first or last instant, where it has none.
    pub fn checked_local(&self, instant: DateTime<Utc>) -> Result<NaiveDateTime, ArithmeticError> {
        // `DateTime::naive_local` panics there; adding the offset to the
        // UTC time checks the range instead.
        instant
            .naive_utc()
            .checked_add_offset(self.offset_at(instant))
            .ok_or(ArithmeticError::out_of_range("local date"))
    }

    /// The instant of the local date and time `local` under the transition
    /// rule of [`Zone`]: a time that exists twice is the earlier instant; a
    /// time the clocks jump over is read with the offset before the jump.
    /// An error only outside chrono's range.
    ///
    /// ```
    /// use billing_rules::time::Zone;
    /// use chrono::NaiveDate;
    ///
    /// let berlin: Zone = "Europe/Berlin".parse()?;
    /// let day = NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
    /// // 02:30 does not exist on 2025-03-30 in Berlin: it reads as 03:30.
    /// let skipped = berlin.from_local(day.and_hms_opt(2, 30, 0).unwrap())?;
    /// assert_eq!(skipped, berlin.at(2025, 3, 30, 3, 30, 0)?);
    /// // 02:30 exists twice on 2025-10-26: the earlier, still in summer time.
    /// let twice = NaiveDate::from_ymd_opt(2025, 10, 26).unwrap().and_hms_opt(2, 30, 0).unwrap();
    /// assert_eq!(berlin.from_local(twice)?, Zone::UTC.at(2025, 10, 26, 0, 30, 0)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_local(&self, local: NaiveDateTime) -> Result<DateTime<Utc>, ArithmeticError> {
        let out = || ArithmeticError::out_of_range("instant of a local time");
        let offset = match self.0 {
            Kind::Fixed(_) => self.offset_at(DateTime::<Utc>::UNIX_EPOCH),
            Kind::Iana(tz) => {
                let at = match resolve(tz, local).ok_or_else(out)? {
                    Resolved::At(at) => at,
                    Resolved::Skipped { before_offset, .. } => local_seconds(local)
                        .checked_sub(before_offset)
                        .ok_or_else(out)?,
                };
                return instant(at, local.and_utc().timestamp_subsec_nanos()).ok_or_else(out);
            }
        };
        local
            .checked_sub_offset(offset)
            .map(|utc| utc.and_utc())
            .ok_or_else(out)
    }

    /// The instant of the local date and time `year-month-day
    /// hour:min:sec` in this zone, or
    /// [`ArithmeticError::InvalidDateTime`] when there is no such date or
    /// time (February 30, hour 24, a time the clocks jump over) or it lies
    /// outside chrono's range. A time that exists twice is the earlier
    /// instant. Never a panic: the arguments are often read from outside.
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
    /// let berlin: Zone = "Europe/Berlin".parse().unwrap();
    /// assert!(berlin.at(2025, 3, 30, 2, 30, 0).is_err());
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
        let instant = self.from_local(local).map_err(|_| invalid())?;
        // A time the clocks jumped over reads back as another local time.
        if self.checked_local(instant).ok() != Some(local) {
            return Err(invalid());
        }
        Ok(instant)
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
            .unwrap_or(if instant.timestamp() > 0 {
                NaiveDate::MAX
            } else {
                NaiveDate::MIN
            })
    }

    /// The local calendar day `instant` falls on, or an error when it lies
    /// outside chrono's date range (only within a day of chrono's first or
    /// last instant).
    pub fn checked_local_date(&self, instant: DateTime<Utc>) -> Result<NaiveDate, ArithmeticError> {
        self.checked_local(instant).map(|local| local.date())
    }

    /// The instant local day `date` starts, or an error outside chrono's
    /// range: local midnight; where the clocks jump over midnight, the
    /// first instant of the day (the end of the jump); where midnight
    /// exists twice, the earlier.
    ///
    /// ```
    /// use billing_rules::time::Zone;
    /// use chrono::NaiveDate;
    /// // Havana jumps from 00:00 to 01:00 on 2025-03-09.
    /// let havana: Zone = "America/Havana".parse()?;
    /// let day = NaiveDate::from_ymd_opt(2025, 3, 9).unwrap();
    /// assert_eq!(havana.start_of_day(day)?, havana.at(2025, 3, 9, 1, 0, 0)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start_of_day(&self, date: NaiveDate) -> Result<DateTime<Utc>, ArithmeticError> {
        let midnight = date.and_time(NaiveTime::MIN);
        let out = || ArithmeticError::out_of_range("start of local day");
        match self.0 {
            Kind::Iana(tz) => match resolve(tz, midnight).ok_or_else(out)? {
                Resolved::At(at) => instant(at, 0).ok_or_else(out),
                Resolved::Skipped { gap_end, .. } => instant(gap_end, 0).ok_or_else(out),
            },
            Kind::Fixed(_) => self.from_local(midnight).map_err(|_| out()),
        }
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
    /// 23:59 to 00:01 the next day is one calendar day, and a 23- or
    /// 25-hour day is one day. Local days are those of [`Zone::local_date`]
    /// (clamped at chrono's ends).
    pub fn calendar_days_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        (self.local_date(to) - self.local_date(from)).num_days()
    }

    /// Whole elapsed days of 24 hours from `from` to `to`, rounded toward
    /// zero (negative when `to` is earlier). 23 h 59 min is zero days, also
    /// across a daylight-saving change.
    pub fn whole_days_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        (to - from).num_days()
    }

    /// The same local time `days` calendar days after `instant` (under the
    /// transition rule of [`Zone`]); in a fixed-offset zone exactly
    /// `days x 24 h` later. An error outside chrono's range.
    pub fn plus_days(
        &self,
        instant: DateTime<Utc>,
        days: Days,
    ) -> Result<DateTime<Utc>, ArithmeticError> {
        self.shift_days(instant, i64::from(days.0))
            .ok_or(ArithmeticError::out_of_range("add days to an instant"))
    }

    /// The same local time `days` calendar days before `instant`; in a
    /// fixed-offset zone exactly `days x 24 h` earlier. An error outside
    /// chrono's range.
    pub fn minus_days(
        &self,
        instant: DateTime<Utc>,
        days: Days,
    ) -> Result<DateTime<Utc>, ArithmeticError> {
        self.shift_days(instant, -i64::from(days.0))
            .ok_or(ArithmeticError::out_of_range(
                "subtract days from an instant",
            ))
    }

    fn shift_days(&self, instant: DateTime<Utc>, days: i64) -> Option<DateTime<Utc>> {
        let delta = TimeDelta::try_days(days)?;
        match self.0 {
            // No bonus days and the like: no offset lookup at all.
            _ if days == 0 => Some(instant),
            Kind::Fixed(_) => instant.checked_add_signed(delta),
            Kind::Iana(tz) => {
                let from = instant.timestamp();
                // Most moves end at the same offset, away from a change
                // (a year's validity, a month's notice): two lookups in
                // UTC, no local time built.
                if Table::of(tz)
                    .and_then(|table| table.shift_same_offset(from, delta.num_seconds()))
                    .is_some()
                {
                    return instant.checked_add_signed(delta);
                }
                // One lookup from UTC for the local time, one from local
                // time for the answer, both in whole seconds (offsets are
                // whole seconds): never a search over days.
                let local = from
                    .checked_add(i64::from(self.offset_at(instant).local_minus_utc()))?
                    .checked_add(delta.num_seconds())?;
                let at = match resolve_seconds(tz, local)? {
                    Resolved::At(at) => at,
                    Resolved::Skipped { before_offset, .. } => local.checked_sub(before_offset)?,
                };
                // Moved as a duration, as in a fixed offset: cheaper than
                // building the instant from its timestamp, and the
                // fraction of a second stays.
                instant.checked_add_signed(TimeDelta::try_seconds(at.checked_sub(from)?)?)
            }
        }
    }
}

/// Seconds since 1970-01-01 of a local date and time read as if in UTC.
fn local_seconds(local: NaiveDateTime) -> i64 {
    local.and_utc().timestamp()
}

/// The instant `seconds` after the epoch plus `nanos`, `None` outside
/// chrono's range.
fn instant(seconds: i64, nanos: u32) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, nanos)
}

/// The local time `local` of `tz` under the transition rule of [`Zone`].
fn resolve(tz: Tz, local: NaiveDateTime) -> Option<Resolved> {
    resolve_seconds(tz, local_seconds(local))
}

/// [`resolve`] of a local time in whole seconds: from the zone's table of
/// changes, or from chrono-tz outside it. `None` outside chrono's range.
fn resolve_seconds(tz: Tz, local: i64) -> Option<Resolved> {
    if let Some(resolved) = Table::of(tz).and_then(|table| table.resolve(local)) {
        return Some(resolved);
    }
    let naive = DateTime::from_timestamp(local, 0)?.naive_utc();
    match tz.offset_from_local_datetime(&naive) {
        LocalResult::Single(o) | LocalResult::Ambiguous(o, _) => local
            .checked_sub(i64::from(o.fix().local_minus_utc()))
            .map(Resolved::At),
        LocalResult::None => {
            let gap = GapInfo::new(&naive, &tz)?;
            Some(Resolved::Skipped {
                before_offset: i64::from(gap.begin?.1.fix().local_minus_utc()),
                gap_end: gap.end?.timestamp(),
            })
        }
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone::BEIJING
    }
}
