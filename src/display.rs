//! One-line `Display` for the deciders' events, for logs: the helpers every
//! area's `display.rs` shares, kept at the values layer so no area imports
//! another's display code.
//!
//! An area writes one function `fn(&Event, Zone, &mut Formatter)` that
//! formats instants with [`instant`], then `one_line!(Event, function)`
//! gives the event `display_in(zone)` (instants in the policy's zone, as
//! the customer sees them) and a `Display` in UTC.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::time::Zone;

/// An event written on one line, its instants in `zone`: what every
/// event's `display_in` returns.
pub(crate) struct InZone<'a, E> {
    event: &'a E,
    zone: Zone,
    write: fn(&E, Zone, &mut fmt::Formatter<'_>) -> fmt::Result,
}

impl<'a, E> InZone<'a, E> {
    /// `event` written by `write` with its instants in `zone`.
    pub(crate) fn new(
        event: &'a E,
        zone: Zone,
        write: fn(&E, Zone, &mut fmt::Formatter<'_>) -> fmt::Result,
    ) -> InZone<'a, E> {
        InZone { event, zone, write }
    }
}

impl<E> fmt::Display for InZone<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.write)(self.event, self.zone, f)
    }
}

/// `display_in(zone)` and a UTC `Display` for an event type written by
/// `$write`; one place for the boilerplate of every area's events.
macro_rules! one_line {
    ($event:ty, $write:path) => {
        impl $event {
            /// The event on one line naming its rule, with instants in
            /// `zone` (the policy's, as the customer sees them).
            pub fn display_in(&self, zone: $crate::time::Zone) -> impl ::std::fmt::Display + '_ {
                $crate::display::InZone::new(self, zone, $write)
            }
        }

        /// One line naming the rule, instants in UTC; see `display_in` for
        /// the customer's zone.
        impl ::std::fmt::Display for $event {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $write(self, $crate::time::Zone::UTC, f)
            }
        }
    };
}
pub(crate) use one_line;

/// `2025-01-08 00:00 +08:00`: `t` in `zone`, to the minute. An instant
/// whose local time chrono cannot hold (within hours of its range) is
/// written in UTC rather than failing: a log line must always be written.
pub(crate) fn instant(t: DateTime<Utc>, zone: Zone) -> String {
    let offset = zone.offset_at(t);
    match t.naive_utc().checked_add_offset(offset) {
        Some(local) => format!("{} {offset}", local.format("%Y-%m-%d %H:%M")),
        None => format!("{} +00:00", t.format("%Y-%m-%d %H:%M")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_reads_in_the_zone_to_the_minute() {
        let t = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(instant(t, Zone::BEIJING), "1970-01-01 08:00 +08:00");
        assert_eq!(instant(t, Zone::UTC), "1970-01-01 00:00 +00:00");
        // Past chrono's last local time: written in UTC, never a panic.
        assert!(instant(DateTime::<Utc>::MAX_UTC, Zone::BEIJING).ends_with("+00:00"));
    }
}
