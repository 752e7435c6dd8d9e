//! [`Unit`] and its [`Dimension`]: plain values that import nothing, so an
//! [`ArithmeticError`](crate::ArithmeticError) can name the units it could
//! not convert.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a unit measures; only units of one dimension convert into each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Dimension {
    /// Bytes transferred or stored.
    Data,
    /// Bits per second.
    Bandwidth,
    /// API calls.
    Calls,
    /// Seats (users) of an app.
    Seats,
    /// Minutes of processing (transcoding).
    Minutes,
    /// Concurrent channels (recording).
    Channels,
    /// Counted items (snapshots, moderated images).
    Count,
}

impl Dimension {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 7] = [
        Self::Data,
        Self::Bandwidth,
        Self::Calls,
        Self::Seats,
        Self::Minutes,
        Self::Channels,
        Self::Count,
    ];
}

/// A unit of measure. Data and bandwidth units are decimal (base 1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Unit {
    /// One byte.
    #[serde(rename = "B")]
    Byte,
    /// 1000 bytes.
    #[serde(rename = "KB")]
    Kilobyte,
    /// 1000 KB.
    #[serde(rename = "MB")]
    Megabyte,
    /// 1000 MB.
    #[serde(rename = "GB")]
    Gigabyte,
    /// 1000 GB.
    #[serde(rename = "TB")]
    Terabyte,
    /// One bit per second.
    #[serde(rename = "bps")]
    BitPerSecond,
    /// 1000 bps.
    #[serde(rename = "Kbps")]
    Kilobit,
    /// 1000 Kbps.
    #[serde(rename = "Mbps")]
    Megabit,
    /// 1000 Mbps.
    #[serde(rename = "Gbps")]
    Gigabit,
    /// One call.
    #[serde(rename = "calls")]
    Call,
    /// One seat.
    #[serde(rename = "seats")]
    Seat,
    /// One minute.
    #[serde(rename = "minutes")]
    Minute,
    /// One channel.
    #[serde(rename = "channels")]
    Channel,
    /// One counted item.
    #[serde(rename = "count")]
    Count,
}

impl Unit {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 14] = [
        Self::Byte,
        Self::Kilobyte,
        Self::Megabyte,
        Self::Gigabyte,
        Self::Terabyte,
        Self::BitPerSecond,
        Self::Kilobit,
        Self::Megabit,
        Self::Gigabit,
        Self::Call,
        Self::Seat,
        Self::Minute,
        Self::Channel,
        Self::Count,
    ];

    /// The dimension this unit measures.
    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Byte | Unit::Kilobyte | Unit::Megabyte | Unit::Gigabyte | Unit::Terabyte => {
                Dimension::Data
            }
            Unit::BitPerSecond | Unit::Kilobit | Unit::Megabit | Unit::Gigabit => {
                Dimension::Bandwidth
            }
            Unit::Call => Dimension::Calls,
            Unit::Seat => Dimension::Seats,
            Unit::Minute => Dimension::Minutes,
            Unit::Channel => Dimension::Channels,
            Unit::Count => Dimension::Count,
        }
    }

    /// The unit's size as a power of ten of its dimension's base unit.
    pub(super) fn exponent(self) -> u32 {
        match self {
            Unit::Kilobyte | Unit::Kilobit => 3,
            Unit::Megabyte | Unit::Megabit => 6,
            Unit::Gigabyte | Unit::Gigabit => 9,
            Unit::Terabyte => 12,
            Unit::Byte
            | Unit::BitPerSecond
            | Unit::Call
            | Unit::Seat
            | Unit::Minute
            | Unit::Channel
            | Unit::Count => 0,
        }
    }

    /// The symbol used in displays and JSON (`"GB"`, `"calls"`).
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Byte => "B",
            Unit::Kilobyte => "KB",
            Unit::Megabyte => "MB",
            Unit::Gigabyte => "GB",
            Unit::Terabyte => "TB",
            Unit::BitPerSecond => "bps",
            Unit::Kilobit => "Kbps",
            Unit::Megabit => "Mbps",
            Unit::Gigabit => "Gbps",
            Unit::Call => "calls",
            Unit::Seat => "seats",
            Unit::Minute => "minutes",
            Unit::Channel => "channels",
            Unit::Count => "count",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

#[cfg(test)]
mod tests {
    use super::{Dimension, Unit};

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(Dimension: Data, Bandwidth, Calls, Seats, Minutes, Channels, Count);
        assert_all_variants!(
            Unit: Byte,
            Kilobyte,
            Megabyte,
            Gigabyte,
            Terabyte,
            BitPerSecond,
            Kilobit,
            Megabit,
            Gigabit,
            Call,
            Seat,
            Minute,
            Channel,
            Count,
        );
    }
}
