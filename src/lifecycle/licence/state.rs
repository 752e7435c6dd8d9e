//! The licence's types: ids, the held term, the state, the traffic package
//! and the receipt of its claim, and the commands and events of
//! [`Licence`](crate::lifecycle::Licence). The decider and the bundle
//! claim both import these; they import neither, so the two aggregates
//! share them without importing each other.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::policy::LicencePolicy;
use crate::error::ArithmeticError;
use crate::money::Money;
use crate::quantity::Quantity;
use crate::time::Days;

/// An app id (R-LIC-02: a licence belongs to one). Serialized as a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AppId(pub String);

impl AppId {
    /// An app id.
    pub fn new(id: impl Into<String>) -> AppId {
        AppId(id.into())
    }
}

impl fmt::Display for AppId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A customer account id (R-LIC-04: one owner per app id). Serialized as a
/// string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub String);

impl AccountId {
    /// An account id.
    pub fn new(id: impl Into<String>) -> AccountId {
        AccountId(id.into())
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which account bound which app id, and when.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Binding {
    /// The app id.
    pub app: AppId,
    /// The owning account (R-LIC-04).
    pub owner: AccountId,
    /// When it was bound.
    pub bound_at: DateTime<Utc>,
}

/// A licence that was bought at least once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Held {
    /// The app and its owner.
    pub binding: Binding,
    /// The first purchase of this app's licence (or the first free term
    /// granted). R-REF-03 counts its refund window from the account's first
    /// licence purchase: the earliest of these over the account's apps.
    pub first_purchase: DateTime<Utc>,
    /// The exclusive end of the validity.
    pub end: DateTime<Utc>,
    /// Terms bought or granted so far, each free term of a bundled claim
    /// counted (R-LIC-06).
    pub terms: u32,
    /// R-LIC-06: the traffic packages whose free term was granted.
    #[serde(default)]
    pub bundled_packages: Vec<String>,
    /// Where the current run of back-to-back terms began, when a term was
    /// bought or granted after the licence had expired; `None`: at
    /// `first_purchase`. Calendar terms count from it, so extending a
    /// calendar month bought on the 31st keeps day 31 (Kill Bill #127).
    /// Left out of the JSON when `None`; states recorded without it load
    /// as `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<DateTime<Utc>>,
}

impl Held {
    /// The instant the current run of back-to-back terms began:
    /// [`Held::anchor`], else `first_purchase`.
    pub fn run_start(&self) -> DateTime<Utc> {
        self.anchor.unwrap_or(self.first_purchase)
    }

    /// Total validity granted: `terms x term` days. A helper for callers
    /// that show "N years".
    pub fn granted(&self, policy: &LicencePolicy) -> Result<Days, ArithmeticError> {
        policy.term().checked_mul(self.terms)
    }
}

/// The recorded state of an app's licence (R-LIC-05).
///
/// # JSON
///
/// Tagged by `state`; one year bought:
///
/// ```json
/// {
///   "state": "available",
///   "binding": {"app": "app-1", "owner": "alice", "bound_at": "2025-06-01T00:00:00Z"},
///   "first_purchase": "2025-06-01T00:00:00Z",
///   "end": "2026-06-01T00:00:00Z",
///   "terms": 1,
///   "bundled_packages": []
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LicenceState {
    /// No account has bound the app id.
    Unbound,
    /// Bound, never paid.
    PendingPayment(Binding),
    /// Valid until `end`.
    Available(Held),
    /// The validity ended.
    Expired(Held),
}

impl LicenceState {
    /// The exclusive end of the held term (bought or granted), once held;
    /// `None` while unbound or pending payment. An `Available` licence past
    /// it is expired (see [`Licence::status`](crate::lifecycle::Licence)).
    pub fn end(&self) -> Option<DateTime<Utc>> {
        match self {
            LicenceState::Unbound | LicenceState::PendingPayment(_) => None,
            LicenceState::Available(held) | LicenceState::Expired(held) => Some(held.end),
        }
    }

    /// The binding, once bound.
    pub fn binding(&self) -> Option<&Binding> {
        match self {
            LicenceState::Unbound => None,
            LicenceState::PendingPayment(binding) => Some(binding),
            LicenceState::Available(held) | LicenceState::Expired(held) => Some(&held.binding),
        }
    }
}

/// A traffic package offered for R-LIC-06's free licence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TrafficPackage {
    /// The package's id (each grants its free term once).
    pub id: String,
    /// Its size, in any data unit.
    pub size: Quantity,
    /// The account that bought it.
    pub buyer: AccountId,
}

/// Proof that a traffic package's free term is held by one app (R-LIC-06):
/// what [`LicenceCommand::ClaimBundled`] needs.
///
/// Only [`BundleClaim`](crate::lifecycle::BundleClaim) issues one, so there is
/// no public constructor; read it from
/// [`BundleClaimState::receipt`](crate::lifecycle::BundleClaimState::receipt)
/// or the
/// [`BundleClaimEvent::Claimed`](crate::lifecycle::BundleClaimEvent::Claimed)
/// event. It deserializes (a service stores and passes it on), and one read
/// back is as trustworthy as the storage it came from; the licence checks again
/// what it can see (its app, its owner, the package's size and buyer).
///
/// # JSON
///
/// ```json
/// {
///   "package": {"id": "pkg-200tb", "size": {"value": "200", "unit": "TB"}, "buyer": "alice"},
///   "app": "app-1",
///   "claimed_at": "2025-06-01T02:00:00Z"
/// }
/// ```
///
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BundleReceipt {
    package: TrafficPackage,
    app: AppId,
    claimed_at: DateTime<Utc>,
}

impl BundleReceipt {
    /// The receipt of `app`'s claim on `package` at `claimed_at`: only the
    /// claim aggregate issues one.
    pub(super) fn new(
        package: TrafficPackage,
        app: AppId,
        claimed_at: DateTime<Utc>,
    ) -> BundleReceipt {
        BundleReceipt {
            package,
            app,
            claimed_at,
        }
    }

    /// The package whose free term this is.
    pub fn package(&self) -> &TrafficPackage {
        &self.package
    }

    /// The app that holds the free term.
    pub fn app(&self) -> &AppId {
        &self.app
    }

    /// When the claim was accepted.
    pub fn claimed_at(&self) -> DateTime<Utc> {
        self.claimed_at
    }
}

/// What a caller asks of an app's licence.
///
/// # JSON
///
/// Tagged by `command`; the events it produces ([`LicenceEvent`]) are tagged by
/// `event`. The first purchase binds the app to its buyer:
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::lifecycle::{Licence, LicenceCommand};
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::live_plugin_licence()?;
/// let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
/// let json = r#"{"command":"purchase","app":"app-1","account":"alice"}"#;
/// let command: LicenceCommand = serde_json::from_str(json)?;
/// assert_eq!(serde_json::to_string(&command)?, json);
/// let (_, events) = Licence::run(&Licence::initial(), &command, now, &policy)?;
/// let expected = concat!(
///     r#"[{"event":"bound","at":"2025-06-01T00:00:00Z","app":"app-1","owner":"alice"},"#,
///     r#"{"event":"purchased","at":"2025-06-01T00:00:00Z","price":{"amount":"30000","#,
///     r#""currency":"CNY"},"start":"2025-06-01T00:00:00Z","end":"2026-06-01T00:00:00Z"}]"#,
/// );
/// assert_eq!(serde_json::to_string(&events)?, expected);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum LicenceCommand {
    /// Binds the app id to the account (the plugin is then PendingPayment).
    /// Binding again by the owner changes nothing.
    Bind {
        /// The app.
        app: AppId,
        /// The account.
        account: AccountId,
    },
    /// R-LIC-01, R-LIC-03: buys one licence term, in any state (R-LIC-05).
    Purchase {
        /// The app.
        app: AppId,
        /// The paying account.
        account: AccountId,
    },
    /// R-LIC-06: grants the free term of a traffic package, against the
    /// receipt of its claim: the package's
    /// [`BundleClaim`](crate::lifecycle::BundleClaim) issues
    /// one receipt, for one app, so the term is granted once in all.
    ClaimBundled {
        /// The app.
        app: AppId,
        /// The applying account (the package's buyer).
        account: AccountId,
        /// The claim's receipt: the package and the app that holds its
        /// free term.
        receipt: BundleReceipt,
    },
    /// Applies the expiry if it came due (see
    /// [`Licence::due_events`](crate::TimeDriven::due_events)).
    Advance,
}

/// What happened to an app's licence.
///
/// # JSON
///
/// Tagged by `event`; see [`LicenceCommand`]'s JSON section for events as a
/// command produces them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LicenceEvent {
    /// The app id was bound to its owner (R-LIC-04).
    Bound {
        /// When.
        at: DateTime<Utc>,
        /// The app.
        app: AppId,
        /// The owner.
        owner: AccountId,
    },
    /// A licence term was bought (R-LIC-01, R-LIC-03).
    Purchased {
        /// When.
        at: DateTime<Utc>,
        /// The price paid.
        price: Money,
        /// Where the added term starts: the old end, or `at` when expired.
        start: DateTime<Utc>,
        /// The new exclusive end.
        end: DateTime<Utc>,
    },
    /// R-LIC-06: a free term was granted for a traffic package.
    BundledGranted {
        /// When.
        at: DateTime<Utc>,
        /// The package.
        package_id: String,
        /// Its size.
        size: Quantity,
        /// How many free terms it granted (the policy's `bundled_terms`);
        /// 1 when left out, as in events recorded before it was written.
        #[serde(default = "one_term")]
        terms: u32,
        /// Where the free term starts.
        start: DateTime<Utc>,
        /// The new exclusive end.
        end: DateTime<Utc>,
    },
    /// The validity ended at `at`.
    Expired {
        /// The end.
        at: DateTime<Utc>,
    },
}

fn one_term() -> u32 {
    1
}

/// The state of an app's licence at an instant (R-LIC-05), derived from the
/// recorded facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LicenceStatus {
    /// No account has bound the app id.
    Unbound,
    /// Bound, never paid.
    PendingPayment,
    /// Valid until `until` (exclusive).
    Available {
        /// The end.
        until: DateTime<Utc>,
    },
    /// Expired at `since`.
    Expired {
        /// The end.
        since: DateTime<Utc>,
    },
}

impl fmt::Display for LicenceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LicenceStatus::Unbound => "unbound",
            LicenceStatus::PendingPayment => "pending payment",
            LicenceStatus::Available { .. } => "available",
            LicenceStatus::Expired { .. } => "expired",
        })
    }
}
