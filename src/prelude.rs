//! What a service needs for the common jobs, in one `use`:
//!
//! ```
//! use billing_rules::prelude::*;
//!
//! let plan = presets::app_store_seat_pricing()?;
//! let quote = plan.quote(&SeatOrder::new(120, 2))?;
//! assert_eq!(quote.total, Decimal::from(16320));
//! # Ok::<(), Error>(())
//! ```
//!
//! It holds the values (money, time, quantities), the errors and rule ids,
//! the decider traits, the seat quote and upgrade, every decider with its
//! command, the package plan, the engine, and the [`presets`]. The prelude is
//! the one place where an item has a second path: everything here is also
//! at its own path (`billing_rules::pricing::SeatPolicy`), which is where
//! its documentation lives. Anything less common (policy specs, events,
//! states, the calculators of usage and refunds) is imported from its
//! area.

pub use crate::engine::{AggregateId, Engine, EngineError, IdempotencyKey, MemoryStore};
pub use crate::lifecycle::{
    BundleClaim, BundleClaimCommand, Licence, LicenceCommand, PostpaidAccount, PostpaidCommand,
    Subscription, SubscriptionCommand,
};
pub use crate::money::{Currency, Money, RoundingMode};
pub use crate::payment::{EnvironmentPayment, PaymentCommand, PaymentMethod, SwitchFacts};
pub use crate::presets;
pub use crate::pricing::{CurrentPurchase, Quote, SeatOrder, SeatPolicy};
pub use crate::quantity::{Quantity, Unit};
pub use crate::refund::{LedgerCommand, OrderLedger, RefundFlags};
pub use crate::time::{Clock, Days, FixedClock, Period, SystemClock, Zone};
pub use crate::usage::{
    BillingMethods, Forecast, MethodCommand, PackageWallet, UsagePolicy, WalletCommand,
};
pub use crate::{
    Access, DateTime, Decider, Decimal, Error, PolicyError, Reason, Refusal, RuleId, TimeDriven,
    Utc,
};
