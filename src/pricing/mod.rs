//! Calculators: pure functions from a policy and an order to a priced answer
//! with the steps that produced it.
//!
//! - [`tiers`]: volume and graduated tier tables (R-SEAT-03, R-USE-09).
//! - [`seats`]: seat plans: quotes, upgrade credit, extension, payment
//!   channels (R-SEAT-01 to R-SEAT-10).
//!
//! ```
//! use billing_rules::pricing::seats::{quote, PricingSpec, SeatOrder};
//! use billing_rules::pricing::tiers::{Axis, TierMode, TierTable, TierTableSpec};
//! use rust_decimal::Decimal;
//!
//! let policy = billing_rules::presets::seat::app_store_seat_plan()?;
//! // Volume tiers (R-SEAT-03): the 51st seat moves the whole order to 80.00 a seat.
//! assert_eq!(quote(&policy, &SeatOrder::new(50, 1))?.total.to_string(), "CNY 5000.00");
//! assert_eq!(quote(&policy, &SeatOrder::new(51, 1))?.total.to_string(), "CNY 4080.00");
//!
//! // The same tiers in graduated mode: 50 x 100.00 + 1 x 80.00.
//! let PricingSpec::Tiered(tiers) = policy.to_spec().pricing else { panic!("a tiered plan") };
//! let graduated = TierTableSpec { mode: TierMode::Graduated, ..tiers };
//! let table = TierTable::build(&graduated, Axis::Whole, policy.locale().currency)?;
//! assert_eq!(table.price(Decimal::from(51))?.total.to_string(), "CNY 5080.00");
//! # Ok::<(), billing_rules::Error>(())
//! ```

mod scaled;
pub mod seats;
pub mod tiers;
