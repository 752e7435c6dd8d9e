//! A per-zone table of the instants an IANA zone's UTC offset changes,
//! built once per zone and process from chrono-tz, so a conversion costs
//! one binary search over plain integers instead of chrono-tz's searches
//! over its span records (issue 15: quotes and credits in an IANA zone
//! within 1.2x of a fixed offset).
//!
//! chrono-tz keeps its transition table private; the table here is read
//! back through its public offset lookup: sampled once a day from
//! [`FROM`] to [`TO`], each change located to the second by bisection.
//! A change is found when no two changes of the total offset lie within a
//! day of each other; the shortest span since 1900 in the tz database
//! chrono-tz 0.10 ships is 7 days (Brazil 2000, Gaza/Hebron). Instants
//! outside the table, and zones whose table cannot be built, are answered
//! by chrono-tz directly; the unit tests check the table against
//! chrono-tz for every zone.

use std::sync::OnceLock;

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::{TZ_VARIANTS, Tz};

/// 1900-01-01T00:00:00Z: the table's first instant.
const FROM: i64 = -2_208_988_800;
/// 2100-01-01T00:00:00Z: the instant the table ends (exclusive).
const TO: i64 = 4_102_444_800;
/// The sampling step, and the margin kept from the table's ends: every
/// UTC offset chrono can hold is under a day.
const DAY: i64 = 86_400;

/// The spans of one zone: span `k` starts at `starts[k]` (UTC seconds),
/// ends where span `k + 1` starts (the last at [`TO`]), and has the UTC
/// offset `offsets[k]` (seconds east). Adjacent spans differ in offset.
pub(super) struct Table {
    starts: Box<[i64]>,
    offsets: Box<[i32]>,
    /// For each bucket of 2^[`BUCKET_SHIFT`] seconds from [`FROM`], the span
    /// holding the bucket's first second: a lookup starts there and steps
    /// over the few changes inside the bucket instead of searching.
    buckets: Box<[u16]>,
}

/// Buckets of 2^19 s (about 6 days): a bucket holds at most one or two
/// changes in the tz database, so a lookup steps at most twice.
const BUCKET_SHIFT: u32 = 19;

/// A local time resolved to an instant under the transition rule of
/// [`super::Zone`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resolved {
    /// The local time exists (the earlier instant where it exists twice).
    At(i64),
    /// The clocks jump over it: the instant read with the offset before
    /// the jump, and the instant the jump ends.
    Skipped { before_offset: i64, gap_end: i64 },
}

impl Table {
    /// The table of `tz`, built on first use.
    pub(super) fn of(tz: Tz) -> Option<&'static Table> {
        static TABLES: [OnceLock<Option<Table>>; TZ_VARIANTS.len()] =
            [const { OnceLock::new() }; TZ_VARIANTS.len()];
        // `Tz` is a field-less enum listed in order by `TZ_VARIANTS`.
        TABLES
            .get(tz as usize)
            .and_then(|cell| cell.get_or_init(|| Table::build(tz)).as_ref())
    }

    fn build(tz: Tz) -> Option<Table> {
        let offset = |t: i64| {
            DateTime::from_timestamp(t, 0).map(|at| {
                tz.offset_from_utc_datetime(&at.naive_utc())
                    .fix()
                    .local_minus_utc()
            })
        };
        let mut starts = vec![FROM];
        let mut offsets = vec![offset(FROM)?];
        let mut at = FROM;
        let mut current = offsets[0];
        while at < TO {
            let next = (at + DAY).min(TO);
            if offset(next)? == current {
                at = next;
                continue;
            }
            // The first second in (at, next] with another offset.
            let (mut lo, mut hi) = (at, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset(mid)? == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            current = offset(hi)?;
            starts.push(hi);
            offsets.push(current);
            at = hi;
        }
        let mut buckets = Vec::new();
        let mut k = 0usize;
        let mut first = FROM;
        while first < TO {
            while starts.get(k + 1).is_some_and(|&s| s <= first) {
                k += 1;
            }
            buckets.push(u16::try_from(k).ok()?);
            first += 1 << BUCKET_SHIFT;
        }
        Some(Table {
            starts: starts.into_boxed_slice(),
            offsets: offsets.into_boxed_slice(),
            buckets: buckets.into_boxed_slice(),
        })
    }

    /// The index of the span holding UTC second `t`, when `t` is inside
    /// the table with a day to spare at either end.
    fn span(&self, t: i64) -> Option<usize> {
        if !(FROM + DAY..TO - DAY).contains(&t) {
            return None;
        }
        let bucket = usize::try_from((t - FROM) >> BUCKET_SHIFT).ok()?;
        let mut k = usize::from(*self.buckets.get(bucket)?);
        while self.starts.get(k + 1).is_some_and(|&s| s <= t) {
            k += 1;
        }
        Some(k)
    }

    fn end(&self, k: usize) -> i64 {
        self.starts.get(k + 1).copied().unwrap_or(TO)
    }

    /// The UTC offset (seconds) at UTC second `t`; `None` outside the table.
    pub(super) fn offset_at(&self, t: i64) -> Option<i32> {
        self.span(t).and_then(|k| self.offsets.get(k).copied())
    }

    /// The instant the same local time `by` seconds (whole days) after UTC
    /// second `t`, when `t` and that instant lie in spans of the same
    /// offset, the later one begun two days or more before it: then no
    /// change of offset lies between that matters, the local time exists
    /// once, and the answer is `t + by`. `None` sends the caller to the
    /// full resolution (a change of offset between, or near the end).
    ///
    /// Why two days: every offset is under a day, so two offsets differ
    /// by under two days, and an earlier span cannot hold the same local
    /// time once the later span has run that long.
    pub(super) fn shift_same_offset(&self, t: i64, by: i64) -> Option<i64> {
        let target = t.checked_add(by)?;
        let from = self.span(t)?;
        let to = self.span(target)?;
        let start = *self.starts.get(to)?;
        (self.offsets.get(from)? == self.offsets.get(to)? && target - start >= 2 * DAY)
            .then_some(target)
    }

    /// The instant of local second `local` (seconds since 1970-01-01 local
    /// time); `None` outside the table.
    pub(super) fn resolve(&self, local: i64) -> Option<Resolved> {
        // Every offset is under a day, so only the spans meeting
        // (local - 1 day, local + 1 day) can hold the local time; the
        // first that does gives the earlier instant.
        if local.checked_add(DAY)? >= TO - DAY {
            return None;
        }
        let mut k = self.span(local.checked_sub(DAY)?)?;
        while let (Some(&start), Some(&offset)) = (self.starts.get(k), self.offsets.get(k)) {
            let offset = i64::from(offset);
            let at = local - offset;
            if at < start {
                // The span starts later in local time: `local` was jumped
                // over between span k - 1 and span k.
                let before = self.offsets.get(k.checked_sub(1)?).copied()?;
                return Some(Resolved::Skipped {
                    before_offset: i64::from(before),
                    gap_end: start,
                });
            }
            if at < self.end(k) {
                return Some(Resolved::At(at));
            }
            k += 1;
        }
        None
    }
}

#[cfg(test)]
// In tests an unwrap is an assertion; library code denies it.
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::LocalResult;
    use proptest::prelude::*;

    fn chrono_offset(tz: Tz, t: i64) -> i32 {
        let at = DateTime::from_timestamp(t, 0).unwrap().naive_utc();
        tz.offset_from_utc_datetime(&at).fix().local_minus_utc()
    }

    /// chrono-tz's answer for a local second, under the same rule.
    fn chrono_resolve(tz: Tz, local: i64) -> Resolved {
        let naive = DateTime::from_timestamp(local, 0).unwrap().naive_utc();
        match tz.offset_from_local_datetime(&naive) {
            LocalResult::Single(o) | LocalResult::Ambiguous(o, _) => {
                Resolved::At(local - i64::from(o.fix().local_minus_utc()))
            }
            LocalResult::None => {
                let gap = chrono_tz::GapInfo::new(&naive, &tz).unwrap();
                Resolved::Skipped {
                    before_offset: i64::from(gap.begin.unwrap().1.fix().local_minus_utc()),
                    gap_end: gap.end.unwrap().timestamp(),
                }
            }
        }
    }

    #[test]
    fn every_change_in_every_zone_is_chrono_tz_s() {
        for tz in TZ_VARIANTS {
            let table = Table::of(tz).unwrap();
            for (k, (&start, &offset)) in table.starts.iter().zip(&table.offsets).enumerate() {
                assert_eq!(chrono_offset(tz, start), offset, "{tz:?} span {k}");
                if k > 0 {
                    assert_eq!(chrono_offset(tz, start - 1), table.offsets[k - 1], "{tz:?}");
                    assert_ne!(offset, table.offsets[k - 1], "{tz:?} span {k}");
                }
            }
        }
    }

    #[test]
    fn berlin_2025_changes_at_the_published_instants() {
        // 2025-03-30T01:00Z and 2025-10-26T01:00Z (tz database).
        let table = Table::of(Tz::Europe__Berlin).unwrap();
        assert_eq!(table.offset_at(1_743_296_399), Some(3600));
        assert_eq!(table.offset_at(1_743_296_400), Some(7200));
        assert_eq!(table.offset_at(1_761_440_399), Some(7200));
        assert_eq!(table.offset_at(1_761_440_400), Some(3600));
        assert_eq!(table.offset_at(TO), None);
    }

    proptest! {
        /// The shortcut answers only where the full resolution gives the
        /// same instant, and answers for a whole year moved within one
        /// season.
        #[test]
        fn a_shift_at_the_same_offset_is_the_full_resolution(
            zone in 0..TZ_VARIANTS.len(),
            t in FROM + 2 * DAY..TO - 800 * DAY,
            days in -400i64..400,
        ) {
            let tz = TZ_VARIANTS[zone];
            let table = Table::of(tz).unwrap();
            let by = days * DAY;
            let local = t + i64::from(table.offset_at(t).unwrap()) + by;
            if let Some(at) = table.shift_same_offset(t, by) {
                prop_assert_eq!(Some(Resolved::At(at)), table.resolve(local));
                prop_assert_eq!(Resolved::At(at), chrono_resolve(tz, local));
            }
        }
    }

    #[test]
    fn berlin_shortcut_takes_a_year_in_winter_and_not_a_day_across_the_change() {
        let table = Table::of(Tz::Europe__Berlin).unwrap();
        // 2025-03-20T09:00Z plus 365 days: winter time at both ends.
        let t = 1_742_461_200;
        assert_eq!(table.shift_same_offset(t, 365 * DAY), Some(t + 365 * DAY));
        // Plus 10 days ends in summer time: the full resolution decides.
        assert_eq!(table.shift_same_offset(t, 10 * DAY), None);
    }

    proptest! {
        #[test]
        fn offsets_and_local_times_agree_with_chrono_tz(
            zone in 0..TZ_VARIANTS.len(),
            t in FROM + 2 * DAY..TO - 2 * DAY,
            near in -7200i64..7200,
        ) {
            let tz = TZ_VARIANTS[zone];
            let table = Table::of(tz).unwrap();
            prop_assert_eq!(table.offset_at(t), Some(chrono_offset(tz, t)));
            // Around the next change too, where local times are skipped or
            // repeated.
            let k = table.span(t).unwrap();
            let probe = table.starts.get(k + 1).map_or(t, |s| s + near);
            for local in [t, probe + i64::from(table.offsets[k])] {
                prop_assert_eq!(table.resolve(local), Some(chrono_resolve(tz, local)));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod beyond {
    use super::super::{Days, Zone};
    use chrono::{Offset, TimeZone, Utc};
    use chrono_tz::Tz;

    /// Before 1900 and after 2100 the zone answers from chrono-tz itself,
    /// also for a move that crosses the table's end.
    #[test]
    fn instants_outside_the_table_are_chrono_tz_s() {
        let berlin = Zone::iana(Tz::Europe__Berlin);
        for (y, m, d) in [(1850, 7, 1), (2099, 12, 31), (2150, 7, 1)] {
            let at = Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
            let chrono = Tz::Europe__Berlin
                .offset_from_utc_datetime(&at.naive_utc())
                .fix();
            assert_eq!(berlin.offset_at(at), chrono);
            let later = berlin.plus_days(at, Days(3)).unwrap();
            let local = berlin.checked_local(at).unwrap() + chrono::Duration::days(3);
            let expected = Tz::Europe__Berlin
                .from_local_datetime(&local)
                .earliest()
                .unwrap()
                .with_timezone(&Utc);
            assert_eq!(later, expected, "{y}-{m}-{d}");
            assert_eq!(berlin.minus_days(later, Days(3)).unwrap(), at);
        }
    }
}
