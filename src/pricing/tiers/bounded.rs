//! Reading a list of tiers with a cap on its length, so that a document
//! listing 10^9 tiers is refused after the first [`MAX_TIERS`] + 1, before
//! the rest is read or stored.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// The most tiers a pricing model's table may list. Real price lists have
/// a handful; the cap only bounds what a hostile document can make the
/// reader allocate.
pub const MAX_TIERS: usize = 10_000;

/// `#[serde(deserialize_with = "...")]` for a `Vec` of tiers: reads at most
/// [`MAX_TIERS`] elements and refuses the document at the next one.
pub(crate) fn deserialize<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_seq(Bounded(PhantomData))
}

struct Bounded<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for Bounded<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of at most {MAX_TIERS} tiers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // A size hint comes from the document: never trust it for more
        // than the cap.
        let mut tiers = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_TIERS));
        while let Some(tier) = seq.next_element()? {
            if tiers.len() == MAX_TIERS {
                return Err(de::Error::custom(format_args!(
                    "`tiers`: more than {MAX_TIERS} tiers are listed; allowed: at most {MAX_TIERS}"
                )));
            }
            tiers.push(tier);
        }
        Ok(tiers)
    }
}
