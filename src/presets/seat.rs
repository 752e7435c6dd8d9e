//! The app store's seat plan (R-SEAT-01 to R-SEAT-10).
//!
//! Published figures, held by the pricing module as constants and composed
//! here: a year of 365 days or a month of 31 (R-SEAT-01), a discount factor
//! of at least [`SeatPolicy::DISCOUNT_FLOOR`] 0.70 (R-SEAT-04), bonus days
//! of at most [`SeatPolicy::BONUS_CAP_PERCENT`] 35% of the purchased days
//! (R-SEAT-05), upgrade credit in whole days rounded down
//! ([`CreditRule::DAYS_ROUNDED_DOWN`], R-SEAT-08, our decision), the wallet
//! on mobile and the wallet or a corporate bank transfer on desktop
//! ([`ChannelSpec::APP_STORE_MOBILE`], [`ChannelSpec::APP_STORE_DESKTOP`],
//! R-SEAT-10).
//!
//! The catalogue ([`RuleId`](crate::RuleId)) gives the tiers and the discount only as examples, and no
//! prices at all. The preset uses the examples: volume tiers `1-50`,
//! `51-200`, `201-` and 2 years at 85% of list. The per-seat prices
//! (100.00, 80.00 and 60.00 a seat a year) are **illustrative**, chosen
//! only so the volume price cliff at 50 -> 51 seats shows; replace them with
//! your listing's prices. The preset sets no seat limits, no cap and no
//! bonus days, because none is published.
//!
//! ```
//! use billing_rules::presets;
//! use billing_rules::pricing::SeatOrder;
//!
//! let policy = presets::app_store_seat_pricing()?;
//! let q = policy.quote(&SeatOrder::new(120, 2))?;
//! assert_eq!(q.total.to_string(), "CNY 16320.00"); // 120 x 80.00 x 2 x 0.85
//! # Ok::<(), billing_rules::Error>(())
//! ```

use rust_decimal::Decimal;

use crate::error::PolicyError;
use crate::pricing::{
    ChannelSpec, CreditRule, DiscountSpec, PricingSpec, SeatPolicy, SeatPolicySpec, TierMode,
    TierSpec, TierTableSpec,
};
use crate::time::Period;

/// The app store's seat plan as a spec: yearly, volume tiers `1-50`,
/// `51-200`, `201-` at the illustrative 100.00, 80.00 and 60.00 a seat a
/// year, 2 years at 0.85, and the published figures (see the module docs
/// for which figures are published and which are examples).
pub fn app_store_seat_pricing_spec() -> SeatPolicySpec {
    SeatPolicySpec {
        locale: super::locale(),
        period: Period::Year,
        pricing: PricingSpec::Tiered(TierTableSpec {
            mode: TierMode::Volume,
            tiers: vec![
                TierSpec::unit(1, Some(50), Decimal::from(100)),
                TierSpec::unit(51, Some(200), Decimal::from(80)),
                TierSpec::unit(201, None, Decimal::from(60)),
            ],
        }),
        discounts: vec![DiscountSpec {
            periods: 2,
            factor: Decimal::new(85, 2),
        }],
        bonuses: Vec::new(),
        min_seats: None,
        max_seats: None,
        max_total: None,
        discount_floor: SeatPolicy::DISCOUNT_FLOOR,
        bonus_cap_percent: SeatPolicy::BONUS_CAP_PERCENT,
        upgrade: CreditRule::DAYS_ROUNDED_DOWN,
        channels: ChannelSpec {
            mobile: ChannelSpec::APP_STORE_MOBILE.to_vec(),
            desktop: ChannelSpec::APP_STORE_DESKTOP.to_vec(),
        },
        quote_window_minutes: SeatPolicy::QUOTE_WINDOW_MINUTES,
    }
}

/// The app store's seat plan, built from [`app_store_seat_pricing_spec`].
///
/// Building the preset never fails (a test proves it); the `Result` is
/// there because the library has no panicking path.
pub fn app_store_seat_pricing() -> Result<SeatPolicy, PolicyError> {
    SeatPolicy::try_from(app_store_seat_pricing_spec())
}
