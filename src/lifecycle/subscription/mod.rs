//! The subscription lifecycle (R-LIFE-01..07, R-LIFE-10), one job a file:
//! the policy, the types, how events move the state, the status at an
//! instant, what time brings, the bounded sweep, and the decider. Each file
//! imports only those before it in that list (the decider imports them
//! all), so no two import each other.

mod decider;
mod evolve;
mod policy;
mod schedule;
mod state;
mod status;
mod sweep;

pub use decider::Subscription;
pub use policy::{Lapse, NoticeSpec, ReminderSpec, SubscriptionPolicy, SubscriptionPolicySpec};
pub use state::{
    Funds, Phase, Shortfall, SubscriptionCommand, SubscriptionEvent, SubscriptionState, Term,
};
pub use status::SubscriptionStatus;
pub use sweep::{MAX_AUTO_RENEWALS_PER_SWEEP, MAX_EVENTS_PER_ADVANCE, Sweep};
