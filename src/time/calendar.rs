//! [`CalendarPeriod`]: calendar months and years anchored on the purchase
//! day, and the end of any [`Period`] counted from a start.

use std::fmt;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Days, Period, Zone};
use crate::error::ArithmeticError;

/// A calendar month or year, counted from the purchase day in the policy's
/// zone (besides the published 31-day month and 365-day year, R-SEAT-01,
/// which stay the presets).
///
/// The n-th period ends on the anchor day n months (or years) later,
/// clamped to the month's last day, at the purchase's local time. Each end
/// is counted from the anchor, never from the previous end, so a clamped
/// month does not lose the anchor (Kill Bill #127): bought on January 31,
/// the periods end on February 28, March 31, April 30.
///
/// Selected in a spec's JSON as `{"calendar": "month"}` or
/// `{"calendar": "year"}`.
///
/// ```
/// use billing_rules::time::{CalendarPeriod, Period, Zone};
///
/// let zone = Zone::BEIJING;
/// let bought = zone.at(2025, 1, 31, 10, 0, 0)?;
/// let month = Period::Calendar(CalendarPeriod::Month);
/// assert_eq!(month.end_after(bought, 1, zone)?, zone.at(2025, 2, 28, 10, 0, 0)?);
/// assert_eq!(month.end_after(bought, 2, zone)?, zone.at(2025, 3, 31, 10, 0, 0)?);
/// assert_eq!(month.end_after(bought, 3, zone)?, zone.at(2025, 4, 30, 10, 0, 0)?);
/// assert_eq!(serde_json::to_string(&month)?, r#"{"calendar":"month"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarPeriod {
    /// A calendar month (28 to 31 days).
    Month,
    /// A calendar year (365 or 366 days).
    Year,
}

impl CalendarPeriod {
    /// The fewest days such a period holds (28, 365): the length a quote
    /// without a start counts, and the base of bonus caps, so a bonus is
    /// never above its cap in any month.
    pub fn shortest(&self) -> Days {
        match self {
            CalendarPeriod::Month => Days(28),
            CalendarPeriod::Year => Days(365),
        }
    }

    /// The local day `n` periods after the anchor `date`, clamped to the
    /// month's end; `None` outside chrono's range.
    pub fn date_after(&self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        let months = match self {
            CalendarPeriod::Month => n,
            CalendarPeriod::Year => n.checked_mul(12)?,
        };
        // chrono clamps to the month's last day; counting from the anchor
        // each time keeps day 31 for the months that have it.
        date.checked_add_months(Months::new(months))
    }
}

impl fmt::Display for CalendarPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarPeriod::Month => f.write_str("calendar month"),
            CalendarPeriod::Year => f.write_str("calendar year"),
        }
    }
}

impl Period {
    /// The end of `n` periods from `start` in `zone`: the same local time
    /// `n x length` calendar days later, or for a calendar period the
    /// anchor day `n` months or years later (see [`CalendarPeriod`]). An
    /// error outside chrono's range.
    pub fn end_after(
        &self,
        start: DateTime<Utc>,
        n: u32,
        zone: Zone,
    ) -> Result<DateTime<Utc>, ArithmeticError> {
        match self {
            Period::Calendar(calendar) => {
                let local = zone.checked_local(start)?;
                let day = calendar
                    .date_after(local.date(), n)
                    .ok_or(ArithmeticError::out_of_range("add calendar periods"))?;
                zone.from_local(day.and_time(local.time()))
            }
            fixed => zone.plus_days(start, fixed.length().checked_mul(n)?),
        }
    }

    /// The calendar days `n` periods from `start` hold in `zone`: `n x
    /// length` for a day-counted period; for a calendar period the days
    /// from the start to [`Period::end_after`] (January 31 plus a month is
    /// 28 days in 2025).
    pub fn days_after(
        &self,
        start: DateTime<Utc>,
        n: u32,
        zone: Zone,
    ) -> Result<Days, ArithmeticError> {
        match self {
            Period::Calendar(calendar) => {
                let from = zone.checked_local_date(start)?;
                let to = calendar
                    .date_after(from, n)
                    .ok_or(ArithmeticError::out_of_range("add calendar periods"))?;
                u32::try_from((to - from).num_days())
                    .map(Days)
                    .map_err(|_| ArithmeticError::overflow("count calendar days"))
            }
            fixed => fixed.length().checked_mul(n),
        }
    }

    /// The end of `n` periods from `start` when `start` continues a run of
    /// back-to-back periods that began at `anchor` (a renewal, an
    /// extension): for a calendar period the anchor day `k + n` months (or
    /// years) after the anchor, where `start` is the anchor plus `k`, at the
    /// anchor's local time, so renewals keep the purchase's day of the
    /// month (Kill Bill #127: Jan 31 -> Feb 28 -> Mar 31 -> Apr 30 across
    /// renewals). Where `start` is not on the anchor's calendar (the run
    /// began on another day, or `anchor` is after `start`), and for a
    /// day-counted period, this is [`Period::end_after`] from `start`.
    ///
    /// ```
    /// use billing_rules::time::{CalendarPeriod, Period, Zone};
    ///
    /// let zone = Zone::BEIJING;
    /// let month = Period::Calendar(CalendarPeriod::Month);
    /// let bought = zone.at(2025, 1, 31, 10, 0, 0)?;
    /// let first_end = month.end_after(bought, 1, zone)?; // February 28
    /// // Renewed from February 28: the anchor brings back day 31.
    /// let renewed = month.end_after_anchored(bought, first_end, 1, zone)?;
    /// assert_eq!(renewed, zone.at(2025, 3, 31, 10, 0, 0)?);
    /// // Without the anchor the renewal counts from February 28.
    /// assert_eq!(month.end_after(first_end, 1, zone)?, zone.at(2025, 3, 28, 10, 0, 0)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn end_after_anchored(
        &self,
        anchor: DateTime<Utc>,
        start: DateTime<Utc>,
        n: u32,
        zone: Zone,
    ) -> Result<DateTime<Utc>, ArithmeticError> {
        let Period::Calendar(calendar) = self else {
            return self.end_after(start, n, zone);
        };
        let from = zone.checked_local(anchor)?;
        let at = zone.checked_local_date(start)?;
        let months = i64::from(at.year() - from.date().year()) * 12 + i64::from(at.month0())
            - i64::from(from.date().month0());
        // `start` lies on the anchor's calendar when it is the anchor day
        // `months` months on, clamped; only then does the run continue.
        let on_calendar = u32::try_from(months)
            .ok()
            .filter(|&k| from.date().checked_add_months(Months::new(k)) == Some(at));
        let Some(elapsed) = on_calendar else {
            return self.end_after(start, n, zone);
        };
        let step = match calendar {
            CalendarPeriod::Month => n,
            CalendarPeriod::Year => n.checked_mul(12).ok_or(out_of_range())?,
        };
        let day = elapsed
            .checked_add(step)
            .and_then(|total| from.date().checked_add_months(Months::new(total)))
            .ok_or(out_of_range())?;
        zone.from_local(day.and_time(from.time()))
    }

    /// True for a calendar month or year, whose length depends on its start.
    pub fn is_calendar(&self) -> bool {
        matches!(self, Period::Calendar(_))
    }
}

fn out_of_range() -> ArithmeticError {
    ArithmeticError::out_of_range("add calendar periods")
}
