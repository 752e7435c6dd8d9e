//! Reading and writing a [`Zone`]: its name (`+08:00`, `Europe/Berlin`),
//! `FromStr`, `Display` and serde.

use std::fmt;
use std::str::FromStr;

use chrono::FixedOffset;
use chrono_tz::Tz;

use super::zone::{Kind, Zone};
use crate::error::PolicyError;

/// What a zone may be written as, for every refusal and serde's message.
const ZONE_FORMS: &str = "a UTC offset from -23:59 to +23:59 written +HH:MM (or +HH:MM:SS), Z, \
     or an IANA zone name such as Europe/Berlin or America/New_York";

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            // FixedOffset displays as "+08:00".
            Kind::Fixed(_) => match self.fixed_offset() {
                Some(offset) => write!(f, "{offset}"),
                None => f.write_str("+00:00"),
            },
            Kind::Iana(tz) => f.write_str(tz.name()),
        }
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({self})")
    }
}

impl FromStr for Zone {
    type Err = PolicyError;

    /// Parses `+HH:MM` or `-HH:MM`, `+HH:MM:SS` (how a zone built with
    /// seconds displays, so every zone reads back), `Z` for UTC, or an IANA
    /// zone name (`Europe/Berlin`, spelt as the tz database does).
    ///
    /// ```
    /// use billing_rules::time::Zone;
    /// let zone: Zone = "+08:00".parse()?;
    /// assert_eq!(zone, Zone::BEIJING);
    /// assert_eq!(zone.to_string(), "+08:00");
    /// let err = "Europe/Berlim".parse::<Zone>().unwrap_err();
    /// assert_eq!(err.field, "time_zone");
    /// assert!(err.to_string().contains("Europe/Berlin"));
    /// # Ok::<(), billing_rules::PolicyError>(())
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid =
            |what: &str| PolicyError::new("time_zone", format!("`{s}` is not {what}"), ZONE_FORMS);
        if s == "Z" {
            return Ok(Zone::UTC);
        }
        let bytes = s.as_bytes();
        let sign = match bytes.first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => {
                return s
                    .parse::<Tz>()
                    .map(Zone::iana)
                    .map_err(|_| invalid("a known IANA zone name"));
            }
        };
        // Digits are read one by one: `str::parse` would also take a sign,
        // and read "+08:-5" as +07:55.
        let digit = |i: usize| {
            bytes
                .get(i)
                .filter(|b| b.is_ascii_digit())
                .map(|b| i32::from(b - b'0'))
        };
        let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
        let parts = match (bytes.len(), bytes.get(3), bytes.get(6)) {
            (6, Some(b':'), _) => (two(1), two(4), Some(0)),
            (9, Some(b':'), Some(b':')) => (two(1), two(4), two(7)),
            _ => return Err(invalid("a UTC offset")),
        };
        let (Some(hours), Some(minutes), Some(seconds)) = parts else {
            return Err(invalid("a UTC offset"));
        };
        if hours > 23 || minutes > 59 || seconds > 59 {
            return Err(invalid("a UTC offset"));
        }
        FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60 + seconds))
            .map(Zone::new)
            .ok_or_else(|| invalid("a UTC offset"))
    }
}

impl serde::Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ZoneVisitor)
    }
}

/// Reads a zone from a string only, so a number or an object is refused
/// with the forms that would work.
struct ZoneVisitor;

impl serde::de::Visitor<'_> for ZoneVisitor {
    type Value = Zone;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`time_zone` as a string: {ZONE_FORMS}")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Zone, E> {
        text.parse().map_err(E::custom)
    }
}
