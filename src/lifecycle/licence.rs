//! The live-streaming plugin licence (R-LIC-01..06).
//!
//! One aggregate per app id (R-LIC-02: a licence belongs to one app; several
//! apps need several licences). Its states are the plugin's published ones
//! (R-LIC-05): [`LicenceState::PendingPayment`], [`LicenceState::Available`]
//! and [`LicenceState::Expired`], plus `Unbound` before any account bound
//! the app id. A licence may be bought in each of them.
//!
//! - R-LIC-01: a licence costs the policy's price (published 30,000) and is
//!   valid one term (a year of 365 days) from purchase.
//! - R-LIC-03: buying another licence for the same app extends the validity
//!   by one more term from the current end; from the purchase instant when
//!   it already expired.
//! - R-LIC-04: one owning account per app id; any other account is refused.
//! - R-LIC-06: a traffic package of 200 TB or more (exactly 200 TB
//!   qualifies, in any data unit: 200,000 GB compares exactly equal)
//!   entitles its buyer to one free term, on application, for one of its
//!   apps. Which app holds a package's term is a fact across licences, kept
//!   by the package's own aggregate,
//!   [`BundleClaim`](crate::lifecycle::bundle_claim::BundleClaim); the
//!   licence grants the term against its [`BundleReceipt`] (see
//!   [`bundle_claim`](crate::lifecycle::bundle_claim) for the steps a
//!   service takes).
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::lifecycle::licence::{AccountId, AppId, Licence, LicenceCommand, LicenceState};
//! use billing_rules::presets::lifecycle::live_plugin_licence;
//! use billing_rules::RuleId;
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let policy = live_plugin_licence()?;
//! let app = AppId::new("app-1");
//! let buy = |account: &str| LicenceCommand::Purchase { app: app.clone(), account: AccountId::new(account) };
//! let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
//!
//! let (state, _) = Licence::run(&Licence::initial(), &buy("alice"), t0, &policy)?;
//! // R-LIC-03: a second licence bought 100 days later stacks from the end.
//! let (state, _) = Licence::run(&state, &buy("alice"), t0 + Duration::days(100), &policy)?;
//! let LicenceState::Available(held) = &state else { panic!("bought") };
//! assert_eq!(held.end, t0 + Duration::days(730));
//!
//! // R-LIC-04: another account cannot bind the same app id.
//! let refused = Licence::run(&state, &buy("bob"), t0, &policy).unwrap_err();
//! assert_eq!(refused.refusal().map(|r| r.rule()), Some(RuleId::Lic04));
//! # Ok::<(), billing_rules::Error>(())
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{ArithmeticError, Error, Figure, Reason, Refusal};
use crate::lifecycle::access::Access;
use crate::lifecycle::bundle_claim::{BundleReceipt, eligibility};
use crate::lifecycle::subscription::local;
use crate::money::Money;
use crate::quantity::Quantity;
use crate::rule::RuleId;
use crate::time::Days;

mod policy;

pub use policy::{LicencePolicy, LicencePolicySpec};

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

/// What a caller asks of an app's licence.
///
/// # JSON
///
/// Tagged by `command`; the events it produces ([`LicenceEvent`]) are tagged by
/// `event`. The first purchase binds the app to its buyer:
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::lifecycle::licence::{Licence, LicenceCommand};
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::lifecycle::live_plugin_licence()?;
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
    /// [`BundleClaim`](crate::lifecycle::bundle_claim::BundleClaim) issues
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
    /// Applies the expiry if it came due (see [`due_events`]).
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

/// The licence of one app id as a [`Decider`] (R-LIC-01..06).
///
/// - R-LIC-01: a purchase costs [`LicencePolicy::price`] for one
///   [`LicencePolicy::term`] from purchase.
/// - R-LIC-02: the aggregate holds one app id; a command for another app
///   id is refused.
/// - R-LIC-03: another purchase stacks one more term from the current end
///   (from the purchase instant once expired).
/// - R-LIC-04: the first account to bind the app id owns it; any other
///   account is refused.
/// - R-LIC-05: [`LicenceState`] is `Unbound`, `PendingPayment`, `Available`
///   or `Expired`, and a licence may be bought in each of them.
/// - R-LIC-06: [`LicenceCommand::ClaimBundled`] grants the free term of a
///   traffic package of at least [`LicencePolicy::bundled_min_traffic`],
///   against a [`BundleReceipt`] for this app.
///
/// Refusals, in this order: an empty app id, or a command naming another
/// app id than the bound one (R-LIC-02); another account than the owner
/// (R-LIC-04); for `ClaimBundled`, a receipt for another app, a package
/// below the threshold, bought by another account, or already granted to
/// this licence (R-LIC-06, every reason listed).
#[derive(Debug, Clone, Copy, Default)]
pub struct Licence;

impl Decider for Licence {
    type State = LicenceState;
    type Command = LicenceCommand;
    type Event = LicenceEvent;
    type Policy = LicencePolicy;

    fn initial() -> LicenceState {
        LicenceState::Unbound
    }

    fn decide(
        state: &LicenceState,
        command: &LicenceCommand,
        now: DateTime<Utc>,
        policy: &LicencePolicy,
    ) -> Result<Vec<LicenceEvent>, Error> {
        let decided = || match command {
            LicenceCommand::Bind { app, account } => {
                check_binding(state, app, account)?;
                Ok(bind_if_unbound(state, app, account, now))
            }
            LicenceCommand::Purchase { app, account } => {
                check_binding(state, app, account)?;
                let mut events = bind_if_unbound(state, app, account, now);
                let (start, end) = extension(state, now, policy, 1)?;
                events.push(LicenceEvent::Purchased {
                    at: now,
                    price: policy.price(),
                    start,
                    end,
                });
                Ok(events)
            }
            LicenceCommand::ClaimBundled {
                app,
                account,
                receipt,
            } => {
                check_binding(state, app, account)?;
                check_receipt(state, app, account, receipt, policy)?;
                let package = receipt.package();
                let mut events = bind_if_unbound(state, app, account, now);
                let (start, end) = extension(state, now, policy, policy.bundled_terms())?;
                events.push(LicenceEvent::BundledGranted {
                    at: now,
                    package_id: package.id.clone(),
                    size: package.size,
                    terms: policy.bundled_terms(),
                    start,
                    end,
                });
                Ok(events)
            }
            LicenceCommand::Advance => Ok(due_events(state, now)),
        };
        decided().map_err(|e: Error| e.in_rule(command_rule(command)))
    }

    fn evolve(state: LicenceState, event: &LicenceEvent) -> LicenceState {
        match (state, event) {
            (LicenceState::Unbound, LicenceEvent::Bound { at, app, owner }) => {
                LicenceState::PendingPayment(Binding {
                    app: app.clone(),
                    owner: owner.clone(),
                    bound_at: *at,
                })
            }
            (state, LicenceEvent::Bound { .. }) => state,
            (LicenceState::PendingPayment(binding), LicenceEvent::Purchased { at, end, .. }) => {
                LicenceState::Available(Held {
                    binding,
                    first_purchase: *at,
                    end: *end,
                    terms: 1,
                    bundled_packages: Vec::new(),
                })
            }
            (
                LicenceState::PendingPayment(binding),
                LicenceEvent::BundledGranted {
                    at,
                    end,
                    package_id,
                    terms,
                    ..
                },
            ) => LicenceState::Available(Held {
                binding,
                first_purchase: *at,
                end: *end,
                terms: *terms,
                bundled_packages: vec![package_id.clone()],
            }),
            (
                LicenceState::Available(held) | LicenceState::Expired(held),
                LicenceEvent::Purchased { end, .. },
            ) => LicenceState::Available(Held {
                end: *end,
                terms: held.terms.saturating_add(1),
                ..held
            }),
            (
                LicenceState::Available(mut held) | LicenceState::Expired(mut held),
                LicenceEvent::BundledGranted {
                    end,
                    package_id,
                    terms,
                    ..
                },
            ) => {
                held.bundled_packages.push(package_id.clone());
                LicenceState::Available(Held {
                    end: *end,
                    terms: held.terms.saturating_add(*terms),
                    ..held
                })
            }
            // decide binds before it sells: a sale to an unbound app has no
            // owner to record and changes nothing.
            (
                LicenceState::Unbound,
                LicenceEvent::Purchased { .. } | LicenceEvent::BundledGranted { .. },
            ) => LicenceState::Unbound,
            (LicenceState::Available(held), LicenceEvent::Expired { at }) if held.end == *at => {
                LicenceState::Expired(held)
            }
            (state, LicenceEvent::Expired { .. }) => state,
        }
    }
}

fn check_binding(state: &LicenceState, app: &AppId, account: &AccountId) -> Result<(), Error> {
    if app.0.is_empty() {
        return Err(Reason::new(
            RuleId::Lic02,
            "the app id is empty; a licence belongs to one app id",
        )
        .into());
    }
    let Some(binding) = state.binding() else {
        return Ok(());
    };
    if binding.app != *app {
        return Err(Reason::new(
            RuleId::Lic02,
            format!(
                "this licence belongs to app {}; app {app} needs a licence of its own",
                binding.app
            ),
        )
        .with(Figure::text("licensed_app", binding.app.0.clone()))
        .with(Figure::text("requested_app", app.0.clone()))
        .into());
    }
    if binding.owner != *account {
        return Err(Reason::new(
            RuleId::Lic04,
            format!(
                "app {app} is bound to account {}; account {account} cannot bind it",
                binding.owner
            ),
        )
        .with(Figure::text("owner", binding.owner.0.clone()))
        .with(Figure::text("requester", account.0.clone()))
        .into());
    }
    Ok(())
}

fn bind_if_unbound(
    state: &LicenceState,
    app: &AppId,
    account: &AccountId,
    now: DateTime<Utc>,
) -> Vec<LicenceEvent> {
    match state {
        LicenceState::Unbound => vec![LicenceEvent::Bound {
            at: now,
            app: app.clone(),
            owner: account.clone(),
        }],
        LicenceState::PendingPayment(_) | LicenceState::Available(_) | LicenceState::Expired(_) => {
            Vec::new()
        }
    }
}

/// R-LIC-03: `terms` more terms from the current end while valid, else from
/// `now`.
fn extension(
    state: &LicenceState,
    now: DateTime<Utc>,
    policy: &LicencePolicy,
    terms: u32,
) -> Result<(DateTime<Utc>, DateTime<Utc>), Error> {
    let start = match status(state, now) {
        LicenceStatus::Available { until } => until,
        _ => now,
    };
    let days = policy.term().checked_mul(terms)?;
    let end = policy.locale().time_zone.plus_days(start, days)?;
    Ok((start, end))
}

/// R-LIC-06: the receipt names this app, and its package qualifies for
/// this account and was not granted here before. The receipt is proof of
/// the claim only as far as its storage is trusted, so what the licence can
/// see is checked again.
fn check_receipt(
    state: &LicenceState,
    app: &AppId,
    account: &AccountId,
    receipt: &BundleReceipt,
    policy: &LicencePolicy,
) -> Result<(), Error> {
    let package = receipt.package();
    let mut reasons = Vec::new();
    if receipt.app() != app {
        reasons.push(
            Reason::new(
                RuleId::Lic06,
                format!(
                    "the free licence of package {} is held by app {}; app {app} cannot use its receipt",
                    package.id,
                    receipt.app()
                ),
            )
            .with(Figure::text("package", package.id.clone()))
            .with(Figure::text("holder_app", receipt.app().0.clone()))
            .with(Figure::text("requested_app", app.0.clone())),
        );
    }
    reasons.extend(eligibility(account, package, policy)?);
    let granted = match state {
        LicenceState::Available(held) | LicenceState::Expired(held) => {
            held.bundled_packages.contains(&package.id)
        }
        LicenceState::Unbound | LicenceState::PendingPayment(_) => false,
    };
    if granted {
        reasons.push(
            Reason::new(
                RuleId::Lic06,
                format!(
                    "the free licence of package {} was already granted to app {app}",
                    package.id
                ),
            )
            .with(Figure::text("package", package.id.clone())),
        );
    }
    match Refusal::from_reasons(reasons) {
        Some(refusal) => Err(refusal.into()),
        None => Ok(()),
    }
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

/// The licence's status at `now`: an `Available` licence past its end is
/// `Expired` even before [`due_events`] recorded it, and a recorded expiry
/// does not reach back: asked about an instant before its end (a command
/// stamped earlier than the expiry already recorded), the licence is
/// `Available`, so a purchase then stacks from the end (R-LIC-03).
pub fn status(state: &LicenceState, now: DateTime<Utc>) -> LicenceStatus {
    match state {
        LicenceState::Unbound => LicenceStatus::Unbound,
        LicenceState::PendingPayment(_) => LicenceStatus::PendingPayment,
        LicenceState::Available(held) | LicenceState::Expired(held) if now < held.end => {
            LicenceStatus::Available { until: held.end }
        }
        LicenceState::Available(held) | LicenceState::Expired(held) => {
            LicenceStatus::Expired { since: held.end }
        }
    }
}

/// May the plugin be used for this app at `now`? Only while the licence is
/// Available (R-LIC-05).
pub fn access(state: &LicenceState, now: DateTime<Utc>, policy: &LicencePolicy) -> Access {
    let zone = policy.locale().time_zone;
    let reason = match status(state, now) {
        LicenceStatus::Available { .. } => return Access::Allowed,
        LicenceStatus::Unbound => {
            "No licence is bound to this app; buy a licence to use the plugin.".to_owned()
        }
        LicenceStatus::PendingPayment => {
            "The plugin's licence is pending payment; pay for it to use the plugin.".to_owned()
        }
        LicenceStatus::Expired { since } => format!(
            "The plugin's licence expired on {}; buy a licence to use it again.",
            local(zone, since)
        ),
    };
    Access::Intercepted {
        rule: RuleId::Lic05,
        reason,
    }
}

/// The expiry, if it came due by `now` and was not recorded. Applying it
/// twice changes nothing.
pub fn due_events(state: &LicenceState, now: DateTime<Utc>) -> Vec<LicenceEvent> {
    match state {
        LicenceState::Available(held) if held.end <= now => {
            vec![LicenceEvent::Expired { at: held.end }]
        }
        _ => Vec::new(),
    }
}

/// Total validity granted: `terms x term` days. A helper for callers that
/// show "N years".
pub fn granted(held: &Held, policy: &LicencePolicy) -> Result<Days, ArithmeticError> {
    policy.term().checked_mul(held.terms)
}

/// The rule an arithmetic error of `command` is reported under: the rule
/// whose computation the command performs.
fn command_rule(command: &LicenceCommand) -> RuleId {
    match command {
        LicenceCommand::Bind { .. } => RuleId::Lic02,
        LicenceCommand::Purchase { .. } => RuleId::Lic03,
        LicenceCommand::ClaimBundled { .. } => RuleId::Lic06,
        LicenceCommand::Advance => RuleId::Lic05,
    }
}
