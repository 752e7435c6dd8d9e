//! Calculators: a policy prices an order and answers with the steps that
//! produced the answer.
//!
//! - [Seat plans](#seat-plans): [`SeatPolicy`] (built from a
//!   [`SeatPolicySpec`]) quotes a [`SeatOrder`], prices an upgrade or an
//!   extension, works out upgrade credit and lists the payment channels
//!   (R-SEAT-01 to R-SEAT-10).
//! - [Tier tables](#tier-tables): [`TierTable`], volume and graduated tiers
//!   shared by seat plans and traffic (R-SEAT-03, R-USE-09).
//! - [Pricing models](#pricing-models): [`PricingModel`] (built from a
//!   [`ModelSpec`]), the general pricing of the peers' engines: package,
//!   percentage, tiered with overflow, block tiers, prorated units and a
//!   minimum commitment, each step tagged with its [`ModelId`].
//!
//! ```
//! use billing_rules::pricing::{Axis, PricingSpec, SeatOrder, TierMode, TierTable, TierTableSpec};
//! use rust_decimal::Decimal;
//!
//! let policy = billing_rules::presets::app_store_seat_pricing()?;
//! // Volume tiers (R-SEAT-03): the 51st seat moves the whole order to 80.00 a seat.
//! assert_eq!(policy.quote(&SeatOrder::new(50, 1))?.total.to_string(), "CNY 5000.00");
//! assert_eq!(policy.quote(&SeatOrder::new(51, 1))?.total.to_string(), "CNY 4080.00");
//!
//! // The same tiers in graduated mode: 50 x 100.00 + 1 x 80.00.
//! let PricingSpec::Tiered(tiers) = policy.to_spec().pricing else { panic!("a tiered plan") };
//! let graduated = TierTableSpec { mode: TierMode::Graduated, ..tiers };
//! let table = TierTable::try_from(graduated.on(Axis::Whole, policy.locale().currency))?;
//! assert_eq!(table.price(Decimal::from(51))?.total.to_string(), "CNY 5080.00");
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Seat plans
//!
//! An app sold per seat by subscription (R-SEAT-01 to R-SEAT-10).
//!
//! - [`SeatPolicy`] (built from a [`SeatPolicySpec`]): the period, the
//!   pricing rule (unit price or tiers), duration discounts or bonus days,
//!   seat limits, a cap, the upgrade credit rule and the payment channels.
//!   Its published figures are [`SeatPolicy::DISCOUNT_FLOOR`],
//!   [`SeatPolicy::BONUS_CAP_PERCENT`], [`CreditRule::DAYS_ROUNDED_DOWN`],
//!   [`ChannelSpec::APP_STORE_MOBILE`] and [`ChannelSpec::APP_STORE_DESKTOP`].
//! - [`SeatPolicy::quote`]: the price and validity of a [`SeatOrder`], with
//!   the steps that produced them ([`Quote`]).
//! - [`SeatPolicy::upgrade`] and [`SeatPolicy::credit`]: the credit a
//!   current purchase earns against a new order, and what is due
//!   (R-SEAT-08); [`SeatPolicy::pro_rata_credit`]: that credit before the
//!   new order's price caps it.
//! - [`SeatPolicy::extend`]: more periods for the current seat count,
//!   starting at the current end (R-SEAT-09).
//! - [`SeatPolicy::channels`]: the payment channels of a platform
//!   (R-SEAT-10).
//!
//! The app store's plan is [`crate::presets::app_store_seat_pricing`].
//!
//! ```
//! use billing_rules::pricing::SeatOrder;
//! use billing_rules::RuleId;
//!
//! let policy = billing_rules::presets::app_store_seat_pricing()?;
//! let q = policy.quote(&SeatOrder::new(51, 1))?;
//! assert_eq!(q.total.to_string(), "CNY 4080.00"); // 51 x 80.00: cheaper than 50 x 100.00
//!
//! let refused = policy.quote(&SeatOrder::new(0, 1)).unwrap_err();
//! assert_eq!(refused.refusal().map(|r| r.rule()), Some(RuleId::Seat07));
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Order of operations
//!
//! [`SeatPolicy::quote`] (and [`SeatPolicy::upgrade`] and
//! [`SeatPolicy::extend`], which quote the new order) applies the rules in
//! a fixed order and records every step in the [`Quote`]:
//!
//! 1. R-SEAT-07: the seat count is checked against the limits (zero seats is
//!    always refused); R-SEAT-01: the periods against zero.
//! 2. R-SEAT-01: validity = periods x period days.
//! 3. R-SEAT-02 / R-SEAT-03: the price of one period for the seat count
//!    (unit price, or the tier table in its mode), times the periods.
//! 4. R-SEAT-04: the duration's discount factor, when it has one.
//! 5. R-SEAT-05: the duration's bonus days, when it has them.
//! 6. R-SEAT-06: the cap, compared with the discounted price: the customer
//!    pays the smaller. The cap bounds the whole order's total, not each
//!    period.
//! 7. The total is rounded once, to the currency's minor unit, with the
//!    policy's `locale.rounding` (preset half-up). Every amount before this
//!    step is exact; a cap is always in whole minor units, so the rounded
//!    total never exceeds it.
//!
//! # Duration offers
//!
//! A price discount (R-SEAT-04, [`DiscountSpec`]) or bonus days (R-SEAT-05,
//! [`BonusSpec`]) keyed by the number of periods bought.
//!
//! An offer is keyed by an exact duration: a discount for 2 years applies to
//! an order of exactly 2 years, not to 3. A duration that is not listed gets
//! neither.
//!
//! **Decision:** the catalogue ([`RuleId::Seat05`](crate::RuleId::Seat05)) calls bonus days "the alternative" to a discount.
//! We read that per duration: one duration may carry a discount or bonus
//! days, never both (a policy listing both for the same duration is refused
//! when it is built), while different durations of one plan may use
//! different offers (1 year with 30 bonus days, 2 years at 85%).
//!
//! # Upgrade credit
//!
//! R-SEAT-08: the unused value of the current purchase, credited against
//! a new order ([`SeatPolicy::credit`], [`SeatPolicy::upgrade`],
//! [`CreditRule::credit`]).
//!
//! `credit = paid x remaining / total`, where `total` is the current
//! purchase's whole validity, bonus days included, and `remaining` the part
//! not yet used at the upgrade instant, both counted in the policy's
//! [`CreditGranularity`]:
//!
//! - **Days** (the preset). The validity's days are the local calendar days
//!   (in the policy's zone) that begin inside `[start, end)`; a day counts
//!   as used once its first instant (local midnight) has passed. So
//!   `total` = local midnights in `[start, end)` and `remaining` = local
//!   midnights in `[max(now, start), end)`. For a validity of N x 24 h this
//!   gives `total = N` whatever the time of day of `start`; a purchase that
//!   starts at 10:00 gets its first afternoon free and uses its last
//!   morning as a whole day.
//! - **Seconds**: `total` = whole seconds from `start` to `end`,
//!   `remaining` = whole seconds from `max(now, start)` to `end` (a second
//!   that has started counts as used).
//!
//! Before `start` nothing is used: the credit is the whole price paid.
//! From `end` on nothing remains: the credit is 0.
//!
//! The exact pro-rata value is rounded to the minor unit with the policy's
//! credit rounding (preset: down, so the credit never exceeds the exact
//! value), then capped by what was paid and by the new order's price, so
//! the amount due is never negative. The pro-rata credit
//! ([`SeatPolicy::pro_rata_credit`], [`CreditRule::pro_rata`]) is the same
//! amount before the new price's cap: what the unused time is worth when
//! there is no new order yet.
//!
//! ```
//! use billing_rules::money::Money;
//! use billing_rules::pricing::{CreditRule, CurrentPurchase};
//! use billing_rules::time::{Days, Zone};
//! use chrono::{TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! // The published example: 1000 paid for 365 days, 100 days left.
//! let zone = Zone::BEIJING;
//! let start = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap(); // 2025-01-01 00:00 +08:00
//! let end = zone.plus_days(start, Days(365))?;
//! let now = zone.minus_days(end, Days(100))?;
//! let current = CurrentPurchase { paid: Money::cny(Decimal::from(1000)), start, end };
//! let credit = CreditRule::default().credit(zone, &current, Money::cny(Decimal::from(5000)), now)?;
//! assert_eq!((credit.remaining, credit.total), (100, 365));
//! assert_eq!(credit.amount.to_string(), "CNY 273.97");
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Extension
//!
//! R-SEAT-09, [`SeatPolicy::extend`]: more time for the current seat count.
//!
//! An extension is priced like a new purchase of its duration for the
//! current seat count (so its discount, bonus days and cap are those of
//! that duration), and its validity starts where the current term ends.
//!
//! **Decision:** a term that has already ended at the extension instant is
//! extended from that instant instead: the customer never pays for days
//! that are already gone.
//!
//! # Payment channels
//!
//! R-SEAT-10, [`SeatPolicy::channels`] and [`SeatPolicy::check_channel`].
//!
//! Which channels a buyer may pay a seat order with depends on where the
//! order is placed. The app store offers only the wallet (WeChat Pay) on
//! mobile, and the wallet or a corporate bank transfer on desktop
//! ([`ChannelSpec::APP_STORE_MOBILE`], [`ChannelSpec::APP_STORE_DESKTOP`]).
//! The lists are policy data, so a platform that differs changes its
//! policy, not this code.
//!
//! # Tier tables
//!
//! A [`TierTable`] cuts a quantity axis into contiguous tiers. Each tier has
//! a flat amount, a unit price, or both.
//!
//! - **Volume**: the tier that contains the quantity prices all of it:
//!   `flat + quantity x unit price`. Crossing a boundary can make a larger
//!   order cheaper (the "price cliff").
//! - **Graduated**: each tier prices only the part of the quantity inside it
//!   (`flat + part x unit price`, the flat only when the part is not empty),
//!   and the parts are summed. The total never falls as the quantity grows.
//!
//! Tiers are written with inclusive bounds. On an [`Axis::Whole`] axis
//! (seats, calls) they read `1-50, 51-200, 201-`: each tier starts one after
//! the previous one ends, and the first starts at 1. On an
//! [`Axis::Continuous`] axis (traffic) they read `0-10, 10-50, 50-`: each
//! starts where the previous ends, the first at 0, and a boundary quantity
//! belongs to the lower tier. A quantity of 0 falls in the first tier, so
//! zero usage costs that tier's flat amount (what Stripe, Lago and
//! OpenMeter bill); the whole axis has no 0, and zero seats stay refused
//! (R-SEAT-07). A gap, an overlap, a tier ending before it
//! starts, or an unbounded tier that is not last is refused when the table is
//! built (`TierTable::try_from` a [`StandaloneTierTableSpec`], or a policy
//! built from a spec that holds a [`TierTableSpec`]).
//!
//! ```
//! use billing_rules::pricing::{Axis, TierMode, TierSpec, TierTable, TierTableSpec};
//! use billing_rules::money::Currency;
//! use rust_decimal::Decimal;
//!
//! let spec = TierTableSpec {
//!     mode: TierMode::Graduated,
//!     tiers: vec![
//!         TierSpec::unit(1, Some(50), Decimal::from(10)),
//!         TierSpec::unit(51, Some(200), Decimal::from(8)),
//!         TierSpec::unit(201, None, Decimal::from(6)),
//!     ],
//! };
//! let table = TierTable::try_from(spec.clone().on(Axis::Whole, Currency::CNY))?;
//! // 50 x 10 + 70 x 8 = 1060
//! assert_eq!(table.price(Decimal::from(120))?.total.to_string(), "CNY 1060.00");
//!
//! let volume_spec = TierTableSpec { mode: TierMode::Volume, ..spec };
//! let volume = TierTable::try_from(volume_spec.on(Axis::Whole, Currency::CNY))?;
//! // all 120 seats at the 51-200 tier's price: 120 x 8 = 960
//! assert_eq!(volume.price(Decimal::from(120))?.total.to_string(), "CNY 960.00");
//! # Ok::<(), billing_rules::Error>(())
//! ```

//!
//! # Pricing models
//!
//! General pricing, with no rule of the catalogue behind it: what Lago,
//! Stripe, Kill Bill and OpenMeter price, priced here exactly and explained
//! step by step. A [`ModelSpec`] holds the locale, one model
//! ([`ModelKindSpec`]) and an optional minimum; [`PricingModel::try_from`]
//! checks every figure and names the field it refuses.
//!
//! | model | [`ModelId`] | spec | peers |
//! |---|---|---|---|
//! | packages of N units, free units first, rounded up or down | `package` | [`PackageSpec`] | Lago package, Stripe `transform_quantity`, OpenMeter package |
//! | a rate on each transaction, a fixed fee, free units, a minimum and maximum a transaction | `percentage` | [`PercentageSpec`] | Lago percentage |
//! | volume or graduated tiers, refuse or price at the last tier above it | `tiered` | [`TieredSpec`], [`Overflow`] | Stripe tiers, Lago graduated and volume |
//! | tiers in blocks of N units, all tiers or the top tier | `block_tiers` | [`BlockTableSpec`] | Kill Bill tiered blocks |
//! | tiers on prorated units, the tier chosen by the full or the prorated quantity | `prorated` | [`ProratedSpec`], [`ProratedUnits`] | Lago prorated graduated and volume |
//! | a period's charge raised to a minimum, the shortfall its own step | `minimum_commitment` | [`MinimumCommitment`] | OpenMeter minimum spend, Lago minimum commitment |
//!
//! Every amount of a step is exact; [`ModelQuote::total`] is rounded once,
//! with the locale's rounding. [`PricingModel::price`] gives the same total
//! without building the steps.
//!
//! ```
//! use billing_rules::pricing::{ModelId, PricingModel, StepKind};
//! use billing_rules::Decimal;
//!
//! // Lago's percentage model: 1.3% and 2.00 a transaction; the first 3
//! // transactions, or the first 250, are free, whichever runs out first.
//! let json = r#"{"locale": {"currency": "USD", "time_zone": "+00:00", "rounding": "half_up"},
//!   "model": {"percentage": {"rate": "1.3", "fixed_amount": "2", "free_transactions": 3, "free_amount": "250"}},
//!   "minimum": "20"}"#;
//! let model: PricingModel = serde_json::from_str(json)?;
//! let amounts = [50, 100, 250, 400].map(Decimal::from);
//! let quote = model.quote_transactions(&amounts)?;
//! // (800 - 250) x 1.3% + 2 paying transactions x 2 = 11.15, raised to 20;
//! // every step exact (7.150 = 550 x 0.013), the total rounded once.
//! let steps: Vec<_> = quote.steps.iter().map(|s| (s.model, s.kind, s.amount.to_string())).collect();
//! assert_eq!(steps, [
//!     (ModelId::Percentage, StepKind::FreeUnits, "USD 0.00".to_owned()),
//!     (ModelId::Percentage, StepKind::Rate, "USD 7.150".to_owned()),
//!     (ModelId::Percentage, StepKind::FixedFees, "USD 4.00".to_owned()),
//!     (ModelId::MinimumCommitment, StepKind::Shortfall, "USD 8.850".to_owned()),
//! ]);
//! assert_eq!(quote.total.to_string(), "USD 20.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod models;
mod scaled;
mod seats;
mod tiers;

pub use models::{
    MinimumCommitment, ModelId, ModelKindSpec, ModelQuote, ModelSpec, ModelStep, PackageSpec,
    PercentageSpec, PricingModel, ProratedSpec, ProratedUnits, StepKind, TierBy, TieredSpec,
};

pub use seats::{
    BonusAmount, BonusSpec, ChannelSpec, Credit, CreditCap, CreditGranularity, CreditRule,
    CurrentPurchase, DiscountSpec, ExtensionOrder, PaymentChannel, Platform, PriceBasis,
    PricingRule, PricingSpec, Quote, SeatOrder, SeatPolicy, SeatPolicySpec, Step, StepDetail,
    Steps, Upgrade, Validity,
};
// Preview = charge: the seat account decider (its own line, for merges).
pub use seats::{
    Charge, SeatAccount, SeatAccountCommand, SeatAccountEvent, SeatAccountState, SeatHolding,
    SeatPreview, SeatRequest,
};
pub use tiers::{
    Axis, BlockMode, BlockTableSpec, BlockTierSpec, MAX_TIERS, Overflow, StandaloneTierTableSpec,
    Tier, TierMode, TierPart, TierParts, TierPrice, TierSpec, TierTable, TierTableSpec,
    UnitRounding,
};
