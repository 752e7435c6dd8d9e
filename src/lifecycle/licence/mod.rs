//! The live-streaming plugin licence (R-LIC-01..06), one job a file: the
//! policy, the types both aggregates share, the licence's decider and the
//! bundle claim's. The deciders import the types; the types import
//! neither, and the licence imports the claim's eligibility check, never
//! the reverse.

mod bundle_claim;
mod decider;
mod policy;
mod state;

pub use bundle_claim::{
    BundleClaim, BundleClaimCommand, BundleClaimEvent, BundleClaimState, CLAIMS_PER_PACKAGE,
};
pub use decider::Licence;
pub use policy::{LicencePolicy, LicencePolicySpec};
pub use state::{
    AccountId, AppId, Binding, BundleReceipt, Held, LicenceCommand, LicenceEvent, LicenceState,
    LicenceStatus, TrafficPackage,
};
