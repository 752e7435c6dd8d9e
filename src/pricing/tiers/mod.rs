//! Tier tables in volume or graduated mode (R-SEAT-03, R-USE-09), shared by
//! seat plans and traffic; described in [tier tables](crate::pricing#tier-tables).
//!
//! `table.rs` holds what is written and validated (modes, axes, specs, the
//! checks that build a [`TierTable`]); `price.rs` prices a quantity with it.

mod price;
mod table;

pub use price::{TierPart, TierParts, TierPrice};
pub use table::{
    Axis, StandaloneTierTableSpec, Tier, TierMode, TierSpec, TierTable, TierTableSpec,
};
