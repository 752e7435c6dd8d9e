//! The package wallet's vocabulary: what a caller asks it
//! ([`WalletCommand`]) and what it records ([`WalletEvent`] and the facts
//! each event carries). The state ([`super::wallet_state`]) applies these
//! facts and the decider ([`super::wallet`]) produces them, so both import
//! this file and it imports neither.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::preview::Preview;
use crate::time::Days;

use super::calls::{AccountProfile, CallCounts, Component, Exemption, FeatureSwitch};
use super::catalogue::PackageOrder;

/// A package's number in its wallet: its position in purchase order, from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PackageId(pub u32);

/// What a package purchase is priced against in a wallet: how many
/// packages it holds, which numbers the package bought next. A purchase
/// since the preview (the preview's own, once charged) changes it;
/// calls drawn, expiries and settings do not, since they change no price.
///
/// Serialized as `{"packages": 2}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WalletStamp {
    /// Packages bought so far.
    pub packages: u32,
}

/// A [`Preview`] of a package purchase: the order priced is the
/// [`PackageOrder`], the state the [`WalletStamp`]. Made by
/// [`PackageWallet::preview`](super::PackageWallet::preview) and charged by
/// [`WalletCommand::PurchaseQuoted`].
pub type PackagePreview = Preview<PackageOrder, WalletStamp>;

/// What a caller asks the wallet.
///
/// Serialized with a `"command"` tag: `{"command": "advance"}`.
///
/// # JSON
///
/// Tagged by `command`; the events it produces ([`WalletEvent`]) are tagged by
/// `event`. 1500 calls after buying 10,000: 1000 from the trial quota, 500
/// from the package:
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::usage::{PackageOrder, PackageWallet, WalletCommand};
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::verification_usage()?;
/// let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
/// let first = WalletCommand::Purchase { order: PackageOrder::listed(10_000, 365) };
/// let (state, _) = PackageWallet::run(&PackageWallet::initial(), &first, now, &policy)?;
/// let json = concat!(
///     r#"{"command":"consume","component":"quick_verification","calls":{"succeeded":1500,"#,
///     r#""failed":2},"at":"2025-06-01T00:00:00Z"}"#,
/// );
/// let command: WalletCommand = serde_json::from_str(json)?;
/// assert_eq!(serde_json::to_string(&command)?, json);
/// let (_, events) = PackageWallet::run(&state, &command, now, &policy)?;
/// let expected = concat!(
///     r#"[{"event":"consumed","at":"2025-06-01T00:00:00Z","#,
///     r#""component":"quick_verification","requested":1500,"failed":2,"waived":0,"#,
///     r#""waiver":null,"from_trial":1000,"draws":[{"package":0,"calls":500}],"overage":0,"#,
///     r#""unit_price":{"amount":"0.03","currency":"CNY"},"charge":{"amount":"0","#,
///     r#""currency":"CNY"},"refused":0}]"#,
/// );
/// assert_eq!(serde_json::to_string(&events)?, expected);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum WalletCommand {
    /// Buy a package, paid at `now` (R-USE-05, R-USE-06).
    Purchase {
        /// What to buy.
        order: PackageOrder,
    },
    /// [`WalletCommand::Purchase`] charged exactly as previewed: refused,
    /// writing nothing, past the preview's window or when the policy (its
    /// catalogue entry), the order or the wallet's packages changed since,
    /// or when the preview was made for another account or altered.
    /// `{"command": "purchase_quoted", "account": "app-1", "order": {...},
    /// "quote": {...}}`.
    PurchaseQuoted {
        /// The account the command runs on.
        account: String,
        /// What to buy: the order previewed.
        order: PackageOrder,
        /// The preview (boxed: it is most of the command's size).
        quote: Box<PackagePreview>,
    },
    /// Account for calls to `component` made at `at` (R-USE-01..04, R-USE-07).
    /// `at` may be earlier than `now` (a late report) but not later.
    Consume {
        /// The component called.
        component: Component,
        /// Successful and failed calls.
        calls: CallCounts,
        /// When the calls were made.
        at: DateTime<Utc>,
    },
    /// Record what time alone has made due by `now`
    /// ([`TimeDriven::due_events`](crate::decider::TimeDriven::due_events)):
    /// close every package whose validity has ended; remainders are lost
    /// (R-USE-07). Written `{"command": "advance"}`; its former name,
    /// `{"command": "expire"}`, is still read.
    #[serde(alias = "expire")]
    Advance,
    /// The merchant switches the feature on or off (R-USE-04).
    SwitchFeature {
        /// The new position.
        switch: FeatureSwitch,
    },
    /// Record the account's certification and category (R-USE-03).
    SetProfile {
        /// The new profile.
        profile: AccountProfile,
    },
}

/// A package was bought (R-USE-05, R-USE-06).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    /// Its number in the wallet.
    pub package: PackageId,
    /// What was ordered.
    pub order: PackageOrder,
    /// Calls bought.
    pub calls: u64,
    /// Its validity.
    pub validity: Days,
    /// The price paid.
    pub price: Money,
    /// When it was paid.
    pub paid_at: DateTime<Utc>,
    /// When it takes effect: the payment, or the billing start when paid
    /// before it (R-USE-06).
    pub effective_at: DateTime<Utc>,
    /// `effective_at + validity x 24 h` (R-USE-06).
    pub expires_at: DateTime<Utc>,
}

/// Calls drawn from one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Draw {
    /// The package.
    pub package: PackageId,
    /// Calls drawn (never more than it held).
    pub calls: u64,
}

/// Why calls were not billed at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Waiver {
    /// The account is exempt (R-USE-03).
    Exempt {
        /// The exemption that applies.
        exemption: Exemption,
    },
    /// The calls were made before billing started (R-USE-06).
    BeforeBillingStart {
        /// The billing start.
        billing_start: DateTime<Utc>,
    },
}

/// How one Consume command's calls were accounted for (R-USE-01..07).
///
/// `waived + from_trial + from_packages() + overage + refused = requested`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumption {
    /// When the calls were made.
    pub at: DateTime<Utc>,
    /// The component called.
    pub component: Component,
    /// Successful calls: the billable ones (R-USE-01).
    pub requested: u64,
    /// Failed calls: recorded, never drawn or billed (R-USE-01).
    pub failed: u64,
    /// Calls not billed because of `waiver` (R-USE-03, R-USE-06).
    pub waived: u64,
    /// Why calls were waived, when they were.
    pub waiver: Option<Waiver>,
    /// Calls drawn from the trial quota (R-USE-02).
    pub from_trial: u64,
    /// Calls drawn from packages, in the R-USE-07 order.
    pub draws: Vec<Draw>,
    /// Calls billed per call (R-USE-01, R-USE-07).
    pub overage: u64,
    /// The component's price per call.
    pub unit_price: Money,
    /// `overage x unit_price`, exact (the bill rounds its total once).
    pub charge: Money,
    /// Calls refused because nothing covered them and the policy refuses
    /// (R-USE-07): they must not be made.
    pub refused: u64,
}

impl Consumption {
    /// Calls drawn from packages.
    pub fn from_packages(&self) -> u64 {
        self.draws
            .iter()
            .fold(0u64, |sum, d| sum.saturating_add(d.calls))
    }

    /// Calls drawn from the trial quota and packages.
    pub fn drawn(&self) -> u64 {
        self.from_trial.saturating_add(self.from_packages())
    }
}

/// A package's validity ended: it is closed and its remainder is lost
/// (R-USE-07).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    /// The package.
    pub package: PackageId,
    /// When its validity ended.
    pub expired_at: DateTime<Utc>,
    /// Calls it still held, now lost.
    pub lost: u64,
}

/// What happened to a wallet.
///
/// Serialized with an `"event"` tag: `{"event": "expired", "package": 0, ...}`.
///
/// # JSON
///
/// Tagged by `event`; see [`WalletCommand`]'s JSON section for events as a
/// command produces them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WalletEvent {
    /// A package was bought.
    Purchased(Purchase),
    /// Calls were accounted for.
    Consumed(Consumption),
    /// A package expired; its remainder was lost.
    Expired(Expiry),
    /// The feature was switched.
    FeatureSwitched {
        /// The new position.
        switch: FeatureSwitch,
        /// When.
        at: DateTime<Utc>,
    },
    /// The account's profile was recorded.
    ProfileSet {
        /// The new profile.
        profile: AccountProfile,
        /// When.
        at: DateTime<Utc>,
    },
}
