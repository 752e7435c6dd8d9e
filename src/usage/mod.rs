//! Per-use charges, resource packages, the package wallet and planner,
//! traffic and add-ons (R-USE-01..10).
//!
//! - [Per-call charges](#per-call-charges): [`UsagePolicy`] (built from a
//!   [`UsagePolicySpec`]) holds the per-call prices by [`Component`]
//!   (R-USE-01), the trial quota (R-USE-02), [`Exemptions`] (R-USE-03), the
//!   package [`Catalogue`] (R-USE-05), the billing start (R-USE-06) and what
//!   an uncovered call does, [`WhenExhausted`] (R-USE-07); the merchant's
//!   [`FeatureSwitch`] (R-USE-04).
//! - [Packages](#packages): [`Catalogue::quote`] prices a
//!   [`PackageOrder`] (R-USE-05).
//! - [The package wallet](#the-package-wallet): the [`PackageWallet`]
//!   decider buys, consumes in the R-USE-07 order and closes expired
//!   packages (R-USE-01..07).
//! - [The package planner](#the-package-planner): [`UsagePolicy::plan`],
//!   the exact cheapest mix of packages and per-call overage for a
//!   [`Forecast`] (R-USE-08).
//! - [Live traffic](#live-traffic): [`TrafficPolicy::settle_day`] prices a
//!   day of traffic or peak bandwidth at graduated regional tiers, and the
//!   [`BillingMethods`] decider switches between the two (R-USE-09).
//! - [Add-ons](#add-ons): [`AddOnPolicy::charge`] prices metered add-ons
//!   with their own units (R-USE-10).
//!
//! The published figures are constants of the types they configure:
//! [`ComponentPriceSpec::VERIFICATION`], [`UsagePolicy::TRIAL_QUOTA`],
//! [`ExemptionsSpec::ORGANISATIONS`],
//! [`ExemptionsSpec::PUBLIC_INSTITUTION_CATEGORIES`],
//! [`CatalogueSpec::VALIDITIES`], [`CatalogueSpec::PACKAGES_365`],
//! [`CustomPackagesSpec::VERIFICATION`] and [`UsagePolicy::BILLING_START`],
//! composed in [`presets::verification_usage`](crate::presets::verification_usage);
//! [`TrafficPolicy::SWITCH_DELAY_DAYS`] is a **Decision**. The traffic
//! tiers and add-on prices of [`presets::live_traffic`](crate::presets::live_traffic)
//! and [`presets::live_add_ons`](crate::presets::live_add_ons) are
//! illustrative.
//!
//! ```
//! use billing_rules::time::Days;
//! use billing_rules::usage::{Component, Forecast};
//!
//! let policy = billing_rules::presets::verification_usage()?;
//! // 1.2 million quick verifications over a year: one 1,000,000-call package
//! // and 200,000 calls at 0.03 beat 36,000 paid per call by 2,000.
//! let best = policy.plan(&Forecast::new(Component::QuickVerification, 1_200_000, Days(365)))?;
//! assert_eq!(best.total.to_string(), "CNY 34000.00");
//! assert_eq!(best.saving.to_string(), "CNY 2000.00");
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Per-call charges
//!
//! The facts and checks every billed call goes through; the
//! [`PackageWallet`] applies them in order when it consumes calls:
//!
//! 1. the feature switch: when it is off the call is refused before it is
//!    made ([`FeatureSwitch::authorize`], R-USE-04);
//! 2. only successful calls are billed ([`CallCounts::billable`], R-USE-01);
//! 3. an exempt account pays nothing ([`Exemptions::check`], R-USE-03);
//! 4. the trial quota, then packages, then the per-call price
//!    ([`UsagePolicy::per_call_charge`]).
//!
//! ```
//! use billing_rules::usage::{AccountProfile, Category, Component, FeatureSwitch, Organisation, UsagePolicy, WhenExhausted};
//! use billing_rules::RuleId;
//!
//! let policy = billing_rules::presets::verification_usage()?;
//! assert_eq!(policy.trial_quota(), UsagePolicy::TRIAL_QUOTA); // R-USE-02: 1000
//! assert_eq!(policy.when_exhausted(), WhenExhausted::PerCall);
//! assert_eq!(
//!     policy.prices().price(Component::RealTimeVerification).map(|p| p.to_string()).as_deref(),
//!     Some("CNY 0.04")
//! );
//!
//! // R-USE-03: a public institution in the government-services category pays nothing.
//! let institution = AccountProfile::new(Organisation::PublicInstitution, Category::GovernmentServices);
//! assert!(policy.exemptions().check(&institution).is_some());
//! let shop = AccountProfile::new(Organisation::Enterprise, Category::Other);
//! assert!(policy.exemptions().check(&shop).is_none());
//!
//! // R-USE-04: a switched-off feature refuses before anything is made or billed.
//! let refused = FeatureSwitch::Off.authorize(3).unwrap_err();
//! assert_eq!(refused.refusal().map(|r| r.rule()), Some(RuleId::Use04));
//! assert!(FeatureSwitch::On.authorize(3).is_ok());
//!
//! // A policy round-trips through its spec, and deserializing validates it.
//! let json = serde_json::to_string(&policy).unwrap();
//! let back: UsagePolicy = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, policy);
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Packages
//!
//! Calls are bought in packages (R-USE-05), each with a size, a price, an
//! optional list price and a validity. A [`Catalogue`] lists its packages
//! and the validities it allows (published: 365, 180 and 90 days). It may
//! also sell custom packages of any size, priced per call (published: 250
//! calls for 90 days cost 7.50, i.e. 0.03 a call).
//!
//! ```
//! use billing_rules::usage::PackageOrder;
//!
//! let policy = billing_rules::presets::verification_usage()?;
//! let catalogue = policy.catalogue();
//!
//! let million = catalogue.quote(&PackageOrder::listed(1_000_000, 365))?;
//! assert_eq!(million.price.to_string(), "CNY 28000.00");
//! assert_eq!(million.list_price.map(|p| p.to_string()).as_deref(), Some("CNY 30000.00"));
//!
//! // The published custom order: 250 calls for 90 days.
//! let custom = catalogue.quote(&PackageOrder::custom(250, 90))?;
//! assert_eq!(custom.price.to_string(), "CNY 7.50");
//!
//! // A size the catalogue does not list is refused, naming R-USE-05.
//! let err = catalogue.quote(&PackageOrder::listed(2_000, 365)).unwrap_err();
//! assert_eq!(err.refusal().map(|r| r.rule().to_string()).as_deref(), Some("R-USE-05"));
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # The package wallet
//!
//! The package wallet of one app account is a decider (DESIGN.md layer 4),
//! [`PackageWallet`], that buys packages, consumes calls and closes what
//! has expired (R-USE-01..07):
//!
//! - **Purchase** (R-USE-05, R-USE-06): prices the order from the
//!   catalogue. The package takes effect at payment (`now`), or at the
//!   billing start when bought before it, and expires its validity in days
//!   after it takes effect. **PurchaseQuoted** charges a purchase exactly
//!   as [`PackageWallet::preview`] showed it ([`PackagePreview`], see
//!   [`preview`](crate::preview)): within the policy's window, against the
//!   same policy, order and [`WalletStamp`] (the packages held), else
//!   refused naming what changed.
//! - **Consume** `n` calls at an instant (R-USE-01..04, R-USE-07): a
//!   switched-off feature refuses the whole command before anything is
//!   drawn or billed (R-USE-04, an [`Error::Refused`](crate::Error::Refused)).
//!   Otherwise failed calls are recorded and never billed (R-USE-01); an
//!   exempt account (R-USE-03) and calls made before the billing start are
//!   waived; the rest draw from the trial quota first (R-USE-02), then from
//!   the valid package that expires first (ties: the one bought first), and
//!   what is still uncovered is billed per call or refused, as the policy
//!   says (R-USE-07). One command gives one [`Consumption`] event, however
//!   many packages it spans: the draws are listed in it, so the record of a
//!   consume is atomic and a store appends one row per command.
//! - **Advance** (R-USE-07): every package whose validity has ended by
//!   `now` is closed; its remainder is lost and reported in an [`Expiry`]
//!   event. A consume never draws from a package outside its validity,
//!   whether or not Advance has run; Advance is what reports the loss (run
//!   it daily, or before a statement). Once a package is closed it is never
//!   drawn again, so report late calls before advancing past the packages
//!   they could use.
//!
//! The wallet is [`TimeDriven`](crate::TimeDriven): its
//! [`status`](crate::TimeDriven::status) ([`WalletStatus`]) is what it
//! holds at an instant, its [`access`](crate::TimeDriven::access) whether
//! calls are served then, and its
//! [`due_events`](crate::TimeDriven::due_events) the expiries Advance
//! records.
//!
//! Invariants (property-tested): `waived + drawn + overage + refused =
//! requested` for every consumption; a draw never exceeds the package's
//! remaining calls, so no balance goes negative; a refused command changes
//! nothing.
//!
//! The wallet is for one app account: the trial quota is per account
//! (R-USE-02), and packages serve any component the policy prices. A
//! platform whose packages serve a single component keeps one wallet per
//! component, each with a policy that prices just that component.
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::usage::{CallCounts, Component, PackageOrder, PackageWallet, WalletCommand, WalletEvent};
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let policy = billing_rules::presets::verification_usage()?;
//! let now = Utc.with_ymd_and_hms(2024, 3, 1, 2, 0, 0).unwrap();
//!
//! let buy = WalletCommand::Purchase { order: PackageOrder::listed(10_000, 365) };
//! let (wallet, _) = PackageWallet::run(&PackageWallet::initial(), &buy, now, &policy)?;
//!
//! // 12,000 successful calls: 1000 from the trial quota, 10,000 from the
//! // package, 1000 billed at 0.03.
//! let at = now + Duration::days(1);
//! let consume = WalletCommand::Consume {
//!     component: Component::QuickVerification,
//!     calls: CallCounts { succeeded: 12_000, failed: 7 },
//!     at,
//! };
//! let (wallet, events) = PackageWallet::run(&wallet, &consume, at, &policy)?;
//! let Some(WalletEvent::Consumed(used)) = events.first() else { panic!("one consumption") };
//! assert_eq!((used.from_trial, used.from_packages(), used.overage), (1000, 10_000, 1000));
//! assert_eq!(used.charge.to_string(), "CNY 30.00");
//! assert_eq!(wallet.packages()[0].remaining(), 0);
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # The package planner
//!
//! [`UsagePolicy::plan`] answers a [`Forecast`] with the cheapest [`Plan`]
//! (R-USE-08): the packages to buy and the calls to pay per call, with its
//! cost, the cost per call and the saving against paying per call. Its
//! docs say what a plan counts; in short, one validity window, and not the
//! trial quota nor packages already held.
//!
//! A plan is exact, not greedy: the package with the best rate is often not
//! part of the cheapest plan (9 million calls cost less as 5,000,000 + 4 x
//! 1,000,000 than with the 10,000,000 package). Two exact solvers answer
//! the covering knapsack: a branch-and-bound search, which plans the
//! published catalogue in microseconds whatever the forecast, and a
//! residue-class table as its fallback. A catalogue that would need a table
//! above [`Plan::TABLE_LIMIT`] or more than [`Plan::WORK_LIMIT`] steps is
//! refused (R-USE-08) rather than planned approximately.
//!
//! # Live traffic
//!
//! Live playback traffic and bandwidth (R-USE-09): postpaid, settled daily,
//! at graduated tiers that differ by region, billed either by traffic or by
//! the day's peak bandwidth, with a switch between the two.
//!
//! - **Daily settlement.** [`TrafficPolicy::settle_day`] prices one local
//!   day: the day's charge depends only on that day's quantity, its region
//!   and the billing method in force that day. Nothing accumulates across
//!   days, so days can be settled in any order, and again, with the same
//!   result. [`TrafficPolicy::settle`] finds that method in the
//!   [`BillingMethods`] state.
//! - **Units in base 1000.** Quantities may be given in any data (or
//!   bandwidth) unit; they convert exactly into the tariff's unit (1 TB =
//!   1000 GB).
//! - **Graduated tiers per region.** Each region has a traffic tariff and a
//!   bandwidth [`Tariff`], each a graduated
//!   [`TierTable`](crate::pricing::TierTable) on a continuous axis whose
//!   last tier is unbounded.
//! - **The switch.** [`BillingMethods`] is a decider holding which method
//!   is in force from which day. **Decision:** a switch requested on a day
//!   takes effect at the start of a later day, `switch_delay_days` after it
//!   (default [`TrafficPolicy::SWITCH_DELAY_DAYS`], the next day), so every
//!   day is billed by one method only. A second switch before the first
//!   takes effect replaces it.
//! - **Rounding.** Tier parts are exact; the day's total is rounded once to
//!   the currency's minor unit with the policy's rounding (preset half-up).
//!
//! ```
//! use billing_rules::quantity::{Quantity, Unit};
//! use billing_rules::usage::{BillingMethod, DayUsage, Region};
//! use chrono::NaiveDate;
//! use rust_decimal::Decimal;
//!
//! let policy = billing_rules::presets::live_traffic()?;
//! let day = DayUsage {
//!     date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
//!     region: Region::Mainland,
//!     traffic: Quantity::new(Decimal::from(3), Unit::Terabyte),
//!     peak_bandwidth: Quantity::new(Decimal::from(800), Unit::Megabit),
//! };
//! let charge = policy.settle_day(BillingMethod::Traffic, &day)?;
//! // Illustrative tiers: 2000 GB x 0.20 + 1000 GB x 0.18 = 580
//! assert_eq!(charge.total.to_string(), "CNY 580.00");
//! assert_eq!(charge.parts.len(), 2);
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Add-ons
//!
//! Metered add-ons, each with its own unit (R-USE-10): transcoding by
//! resolution and minutes, recording by the month's peak of concurrent
//! channels ([`AddOnUsage::month_peak`]), snapshots and content moderation
//! by count.
//!
//! Every add-on is a [`MeteredPrice`]: a price for a block of `per` units
//! (e.g. 1000 snapshots). A charge is `price x quantity / per`, pro rata:
//! multiplied before it is divided, and the true quotient rounded once to
//! the minor unit with the policy's rounding. Dividing first would round
//! twice (`1 / 3` cut to 28 digits, times 3, is 0.999..., which a floor
//! makes 0.99 instead of 1.00).
//!
//! ```
//! use billing_rules::quantity::{Quantity, Unit};
//! use billing_rules::usage::{AddOnUsage, Resolution};
//! use rust_decimal::Decimal;
//!
//! let policy = billing_rules::presets::live_add_ons()?;
//! let hd = AddOnUsage::Transcoding {
//!     resolution: Resolution::Hd,
//!     minutes: Quantity::new(Decimal::from(600), Unit::Minute),
//! };
//! // Illustrative price: 0.035 a minute of HD transcoding.
//! assert_eq!(policy.charge(&hd)?.total.to_string(), "CNY 21.00");
//! # Ok::<(), billing_rules::Error>(())
//! ```

/// `From<Part> for Spec` through `Part::to_spec`: the inverse of
/// `TryFrom<Spec>`, which serde's `into` needs. Every validated policy and
/// part of this area has the pair.
macro_rules! spec_from {
    ($part:ty => $spec:ty) => {
        impl From<$part> for $spec {
            fn from(part: $part) -> $spec {
                part.to_spec()
            }
        }
    };
}

mod addons;
mod calls;
mod catalogue;
mod display;
mod planner;
mod planner_problem;
mod planner_residue;
mod planner_search;
mod policy;
mod traffic_methods;
mod traffic_policy;
mod traffic_settlement;
mod wallet;
mod wallet_events;
mod wallet_state;

pub use addons::{
    AddOnCharge, AddOnPolicy, AddOnPolicySpec, AddOnUsage, MeteredPrice, MeteredPriceSpec,
    Resolution, TranscodingPriceSpec,
};
pub use calls::{
    AccountProfile, CallCounts, Category, CategoryExemptionSpec, Component, ComponentPriceSpec,
    Exemption, Exemptions, ExemptionsSpec, FeatureSwitch, Organisation, PriceList,
    StandalonePriceListSpec,
};
pub use catalogue::{
    Catalogue, CatalogueSpec, CustomPackagesSpec, Package, PackageOrder, PackageQuote, PackageSpec,
    StandaloneCatalogueSpec,
};
pub use planner::{Forecast, Plan, PlanLine};
pub use policy::{UsagePolicy, UsagePolicySpec, WhenExhausted};
pub use traffic_methods::{BillingMethods, MethodChange, MethodCommand, MethodEvent, MethodState};
pub use traffic_policy::{
    BillingMethod, Region, RegionTariffSpec, StandaloneTariffSpec, Tariff, TariffSpec,
    TrafficPolicy, TrafficPolicySpec,
};
pub use traffic_settlement::{ChargePart, DailyCharge, DayUsage};
pub use wallet::PackageWallet;
pub use wallet_events::{
    Consumption, Draw, Expiry, PackageId, PackagePreview, Purchase, Waiver, WalletCommand,
    WalletEvent, WalletStamp,
};
pub use wallet_state::{HeldPackage, PackageStatus, WalletState, WalletStatus};
