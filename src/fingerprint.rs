//! [`Fingerprint`]: a stable 128-bit digest of a value's JSON, used to bind
//! an idempotency key to its command, to tell which policy decided a
//! commit, and to tie a quote to what priced it.
//!
//! The digest is FNV-1a (128-bit) over the value's `serde_json` text,
//! streamed: nothing is allocated, and the same value gives the same
//! fingerprint in every process, on every platform and in every release
//! that keeps the value's JSON shape. It is not a cryptographic hash: it
//! detects accidental change (a different command under a reused key, a
//! policy redeployed with new figures), not a forger. A caller that needs
//! tamper evidence signs the fingerprint with its own key.
//!
//! The JSON must be canonical for the fingerprint to be: the crate's types
//! serialize their fields in declaration order and hold no hash maps, so
//! theirs is.
//!
//! ```
//! use billing_rules::Fingerprint;
//!
//! let a = Fingerprint::of(&("seats", 120, "2 years"))?;
//! let b = Fingerprint::of(&("seats", 120, "2 years"))?;
//! let c = Fingerprint::of(&("seats", 121, "2 years"))?;
//! assert_eq!(a, b);
//! assert_ne!(a, c);
//! // Shown and serialized as 32 lowercase hex digits.
//! assert_eq!(a.to_string().len(), 32);
//! assert_eq!(a.to_string().parse::<Fingerprint>()?, a);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use xxhash_rust::xxh3::xxh3_128;

const OFFSET_BASIS: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
// PRIME without its 2^88 term.
const PRIME_LOW: u128 = PRIME - (1 << 88);

/// A stable 128-bit digest of a value's JSON: FNV-1a (128-bit) over its
/// `serde_json` text, for detecting change, not forgery.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(u128);

impl Fingerprint {
    /// The fingerprint of nothing: what a bare policy without a recorded
    /// spec carries, so an audit can tell "not fingerprinted" apart.
    pub const ZERO: Fingerprint = Fingerprint(0);

    /// The fingerprint of `value`'s JSON.
    ///
    /// # Errors
    /// The value's `Serialize` implementation failed (a map with non-string
    /// keys, a custom implementation that refuses): the error says why.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Result<Fingerprint, FingerprintError> {
        let mut hasher = Fnv(OFFSET_BASIS);
        serde_json::to_writer(&mut hasher, value).map_err(|e| FingerprintError {
            reason: e.to_string(),
        })?;
        Ok(Fingerprint(hasher.0))
    }

    /// The XXH3-128 digest of `value`'s JSON: what the engine binds an
    /// idempotency key to (see [`KeyRecord`](crate::engine::KeyRecord)).
    ///
    /// Same stability as [`of`](Self::of) (XXH3 is a published, fixed
    /// algorithm: the same JSON gives the same digest in every process,
    /// platform and release) at a fraction of its cost: XXH3 reads the
    /// text eight bytes at a time where FNV-1a chains a multiply per byte,
    /// which was half of a keyed command. [`of`](Self::of) stays the
    /// fingerprint of policies and quotes, whose recorded values must keep
    /// matching; a key recorded with `of` by an earlier build still
    /// matches its command (the engine tries both).
    ///
    /// ```
    /// use billing_rules::Fingerprint;
    ///
    /// let a = Fingerprint::xxh3_of(&("seats", 120))?;
    /// assert_eq!(a, Fingerprint::xxh3_of(&("seats", 120))?);
    /// assert_ne!(a, Fingerprint::xxh3_of(&("seats", 121))?);
    /// assert_ne!(a, Fingerprint::of(&("seats", 120))?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`of`](Self::of).
    pub fn xxh3_of<T: Serialize + ?Sized>(value: &T) -> Result<Fingerprint, FingerprintError> {
        thread_local! {
            // One buffer per thread, reused: a command's JSON is written
            // and hashed without an allocation.
            static TEXT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        }
        let digest = |text: &mut Vec<u8>| {
            text.clear();
            serde_json::to_writer(&mut *text, value)
                .map(|()| Fingerprint(xxh3_128(text)))
                .map_err(|e| FingerprintError {
                    reason: e.to_string(),
                })
        };
        let reused = TEXT.try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut text) => {
                let answer = digest(&mut text);
                // A huge value's buffer is not kept for the thread's life.
                if text.capacity() > 64 * 1024 {
                    *text = Vec::new();
                }
                Some(answer)
            }
            // A `Serialize` that fingerprints inside: its own buffer.
            Err(_) => None,
        });
        match reused {
            Ok(Some(answer)) => answer,
            // Re-entered, or called while the thread's locals are torn
            // down (from another local's `Drop`): a buffer of its own.
            Ok(None) | Err(_) => digest(&mut Vec::new()),
        }
    }

    /// The fingerprint of several parts, in order: a part boundary is part
    /// of the digest, so `("ab", "c")` and `("a", "bc")` differ.
    pub fn combine(parts: &[Fingerprint]) -> Fingerprint {
        let mut hasher = Fnv(OFFSET_BASIS);
        for part in parts {
            hasher.feed(&part.0.to_be_bytes());
        }
        Fingerprint(hasher.0)
    }

    /// The digest as a number.
    pub const fn as_u128(self) -> u128 {
        self.0
    }

    /// A fingerprint from its number (as read back from a store).
    pub const fn from_u128(value: u128) -> Fingerprint {
        Fingerprint(value)
    }
}

/// A value could not be serialized to JSON, so it has no fingerprint.
///
/// Serialized as `{"reason": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("this value has no fingerprint: its JSON could not be written ({reason})")]
pub struct FingerprintError {
    reason: String,
}

/// A fingerprint's text was not 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a fingerprint is 32 hex digits, got {text:?}")]
pub struct ParseFingerprintError {
    text: String,
}

struct Fnv(u128);

impl Fnv {
    fn feed(&mut self, bytes: &[u8]) {
        for byte in bytes {
            let x = self.0 ^ u128::from(*byte);
            // x * PRIME, with PRIME = 2^88 + 0x13b written out: a shift and
            // one small multiply instead of a full 128-bit multiply, the
            // same digest (the published test vector below checks it) at
            // a third of the cost on 64-bit machines.
            self.0 = (x << 88).wrapping_add(x.wrapping_mul(PRIME_LOW));
        }
    }
}

impl io::Write for Fnv {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.feed(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl FromStr for Fingerprint {
    type Err = ParseFingerprintError;
    fn from_str(text: &str) -> Result<Fingerprint, ParseFingerprintError> {
        let well_formed = text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit());
        match u128::from_str_radix(text, 16) {
            Ok(value) if well_formed => Ok(Fingerprint(value)),
            _ => Err(ParseFingerprintError {
                text: text.chars().take(40).collect(),
            }),
        }
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Fingerprint, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_128_matches_the_published_test_vector() {
        // The FNV reference: FNV-1a 128 of "a".
        let mut hasher = Fnv(OFFSET_BASIS);
        hasher.feed(b"a");
        assert_eq!(
            Fingerprint(hasher.0).to_string(),
            "d228cb696f1a8caf78912b704e4a8964"
        );
    }

    #[test]
    fn the_split_multiply_is_the_full_multiply() {
        let mut x = OFFSET_BASIS;
        for byte in 0..=255u8 {
            let mut split = Fnv(x);
            split.feed(&[byte]);
            x ^= u128::from(byte);
            x = x.wrapping_mul(PRIME);
            assert_eq!(split.0, x);
        }
    }

    #[test]
    fn xxh3_of_is_xxh3_128_of_the_json() {
        // XXH3-128 of the empty input, seed 0 (the reference's test vector).
        assert_eq!(
            Fingerprint(xxh3_128(b"")).to_string(),
            "99aa06d3014798d86001c324468d497f"
        );
        for len in [0, 1, 100, 5000, 100_000] {
            let text = "ab".repeat(len);
            let json = serde_json::to_vec(&text).unwrap_or_default();
            let fingerprint = Fingerprint::xxh3_of(&text).unwrap_or(Fingerprint::ZERO);
            assert_eq!(fingerprint.as_u128(), xxh3_128(&json), "{len}");
        }
    }

    /// A value whose JSON fingerprints another value while it is written.
    struct Nested;
    impl Serialize for Nested {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let inner = Fingerprint::xxh3_of("inner").map_err(serde::ser::Error::custom)?;
            serializer.collect_str(&inner)
        }
    }

    #[test]
    fn xxh3_of_a_value_that_fingerprints_inside_does_not_panic() {
        let inner = Fingerprint::xxh3_of("inner").unwrap_or(Fingerprint::ZERO);
        let json = format!("\"{inner}\"");
        assert_eq!(
            Fingerprint::xxh3_of(&Nested).map(Fingerprint::as_u128),
            Ok(xxh3_128(json.as_bytes()))
        );
    }

    /// Fingerprints from its `Drop`, which may run after the thread's
    /// buffer is gone.
    struct FingerprintsOnDrop(std::sync::mpsc::Sender<Option<u128>>);
    impl Drop for FingerprintsOnDrop {
        fn drop(&mut self) {
            let digest = Fingerprint::xxh3_of("late").ok().map(Fingerprint::as_u128);
            let _ = self.0.send(digest);
        }
    }

    #[test]
    fn xxh3_of_from_a_thread_local_destructor_does_not_panic() {
        thread_local! {
            static LATE: std::cell::RefCell<Option<FingerprintsOnDrop>> =
                const { std::cell::RefCell::new(None) };
        }
        let (send, receive) = std::sync::mpsc::channel();
        let worker = std::thread::spawn(move || {
            // Use the buffer first, so both locals exist at teardown (in
            // either order).
            let _ = Fingerprint::xxh3_of("early");
            LATE.with(|late| *late.borrow_mut() = Some(FingerprintsOnDrop(send)));
        });
        assert!(worker.join().is_ok());
        assert_eq!(receive.recv().ok().flatten(), Some(xxh3_128(b"\"late\"")));
    }

    #[test]
    fn combine_keeps_part_boundaries() {
        let ab = Fingerprint::of("ab").unwrap_or(Fingerprint::ZERO);
        let c = Fingerprint::of("c").unwrap_or(Fingerprint::ZERO);
        assert_ne!(
            Fingerprint::combine(&[ab, c]),
            Fingerprint::combine(&[c, ab])
        );
    }

    #[test]
    fn bad_text_is_refused() {
        for text in [
            "",
            "xyz",
            "+0000000000000000000000000000001",
            &"0".repeat(33),
        ] {
            assert!(text.parse::<Fingerprint>().is_err(), "{text}");
        }
        let json = serde_json::to_string(&Fingerprint(255)).unwrap_or_default();
        assert_eq!(json, "\"000000000000000000000000000000ff\"");
    }
}
