//! Tier tables in volume or graduated mode (R-SEAT-03, R-USE-09), shared by
//! seat plans and traffic; described in [tier tables](crate::pricing#tier-tables).
//!
//! `table.rs` holds what is written and validated (modes, axes, specs, the
//! checks that build a [`TierTable`]); `price.rs` prices a quantity with it;
//! `blocks.rs` holds tiers priced in blocks and the overflow choice, used by
//! the [pricing models](crate::pricing#pricing-models); `bounded.rs` caps
//! the tiers a document may list.

mod blocks;
mod bounded;
mod price;
mod table;

pub use blocks::{BlockMode, BlockTableSpec, BlockTierSpec, Overflow, UnitRounding};
pub(crate) use blocks::{BlockTable, Size};
pub use bounded::MAX_TIERS;
pub(crate) use bounded::deserialize as bounded_tiers;
pub use price::{TierPart, TierParts, TierPrice};
pub use table::{
    Axis, StandaloneTierTableSpec, Tier, TierMode, TierSpec, TierTable, TierTableSpec,
};
