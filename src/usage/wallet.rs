//! The package wallet of one app account: a decider (DESIGN.md layer 4)
//! that buys packages, consumes calls and expires what is left
//! (R-USE-01..07).
//!
//! - **Purchase** (R-USE-05, R-USE-06): prices the order from the
//!   catalogue. The package takes effect at payment (`now`), or at the
//!   billing start when bought before it, and expires its validity in days
//!   after it takes effect.
//! - **Consume** `n` calls at an instant (R-USE-01..04, R-USE-07): a
//!   switched-off feature refuses the whole command before anything is
//!   drawn or billed (R-USE-04, an [`Error::Refused`]). Otherwise failed
//!   calls are recorded and never billed (R-USE-01); an exempt account
//!   (R-USE-03) and calls made before the billing start are waived; the rest
//!   draw from the trial quota first (R-USE-02), then from the valid package
//!   that expires first (ties: the one bought first), and what is still
//!   uncovered is billed per call or refused, as the policy says (R-USE-07).
//!   One command gives one [`Consumption`] event, however many packages it
//!   spans: the draws are listed in it, so the record of a consume is atomic
//!   and a store appends one row per command.
//! - **Expire** (R-USE-07): every package whose validity has ended by `now`
//!   is closed; its remainder is lost and reported in an [`Expiry`] event.
//!   A consume never draws from a package outside its validity, whether or
//!   not Expire has run; Expire is what reports the loss (run it daily, or
//!   before a statement). Once a package is closed it is never drawn again,
//!   so report late calls before expiring the packages they could use.
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
//! use billing_rules::usage::calls::{CallCounts, Component};
//! use billing_rules::usage::catalogue::PackageOrder;
//! use billing_rules::usage::wallet::{PackageWallet, WalletCommand, WalletEvent};
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let policy = billing_rules::presets::usage::verification()?;
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

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{ArithmeticError, Error, Figure, Reason};
use crate::money::Money;
use crate::rule::RuleId;
use crate::time::Days;

use super::calls::{AccountProfile, CallCounts, Component, Exemption, FeatureSwitch, authorize};
use super::catalogue::PackageOrder;
use super::policy::{UsagePolicy, WhenExhausted};

pub use super::wallet_state::{HeldPackage, PackageId, PackageStatus, WalletState};

/// The package wallet of one app account, as a [`Decider`]
/// (R-USE-01..07). See the module docs for the order of a consume.
///
/// - R-USE-01: only successful calls are billed, at the component's price.
/// - R-USE-02: billed calls draw from the account's trial quota first.
/// - R-USE-03: an exempt account's calls are waived.
/// - R-USE-04: a switched-off feature refuses the whole consume.
/// - R-USE-05: a purchase is priced from the policy's catalogue.
/// - R-USE-06: a package bought before the billing start takes effect
///   then, and expires its validity after it takes effect; calls made
///   before the billing start are waived.
/// - R-USE-07: then the valid package that expires first (ties: bought
///   first); what is left is billed per call or refused, as
///   [`WhenExhausted`] says; expired remainders are lost ([`Expiry`]).
///
/// Refusals: R-USE-04 (feature off), R-USE-07 (calls dated after now),
/// R-USE-01 (a component the policy does not price), R-USE-05 (a package
/// the catalogue does not sell).
#[derive(Debug, Clone, Copy, Default)]
pub struct PackageWallet;

/// What a caller asks the wallet.
///
/// Serialized with a `"command"` tag: `{"command": "expire"}`.
///
/// # JSON
///
/// Tagged by `command`; the events it produces ([`WalletEvent`]) are tagged by
/// `event`. 1500 calls after buying 10,000: 1000 from the trial quota, 500
/// from the package:
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::usage::wallet::{PackageWallet, WalletCommand};
/// use billing_rules::usage::catalogue::PackageOrder;
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::usage::verification()?;
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
    /// Close every package whose validity has ended by `now`; remainders are
    /// lost (R-USE-07).
    Expire,
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

impl Decider for PackageWallet {
    type State = WalletState;
    type Command = WalletCommand;
    type Event = WalletEvent;
    type Policy = UsagePolicy;

    fn initial() -> WalletState {
        WalletState::default()
    }

    fn decide(
        state: &WalletState,
        command: &WalletCommand,
        now: DateTime<Utc>,
        policy: &UsagePolicy,
    ) -> Result<Vec<WalletEvent>, Error> {
        let decided = || match command {
            WalletCommand::Purchase { order } => purchase(state, order, now, policy),
            WalletCommand::Consume {
                component,
                calls,
                at,
            } => consume(state, *component, *calls, *at, now, policy)
                .map(|c| c.map(WalletEvent::Consumed).into_iter().collect()),
            WalletCommand::Expire => Ok(expire(state, now)),
            WalletCommand::SwitchFeature { switch } => Ok(if *switch == state.feature() {
                Vec::new()
            } else {
                vec![WalletEvent::FeatureSwitched {
                    switch: *switch,
                    at: now,
                }]
            }),
            WalletCommand::SetProfile { profile } => Ok(if *profile == state.profile() {
                Vec::new()
            } else {
                vec![WalletEvent::ProfileSet {
                    profile: *profile,
                    at: now,
                }]
            }),
        };
        decided().map_err(|e: Error| e.in_rule(command_rule(command)))
    }

    fn evolve(mut state: WalletState, event: &WalletEvent) -> WalletState {
        match event {
            WalletEvent::Purchased(p) => state.add(p),
            WalletEvent::Consumed(c) => state.draw(c),
            WalletEvent::Expired(e) => state.close(e),
            WalletEvent::FeatureSwitched { switch, .. } => state.set_feature(*switch),
            WalletEvent::ProfileSet { profile, .. } => state.set_profile(*profile),
        }
        state
    }
}

fn purchase(
    state: &WalletState,
    order: &PackageOrder,
    now: DateTime<Utc>,
    policy: &UsagePolicy,
) -> Result<Vec<WalletEvent>, Error> {
    let quote = policy.catalogue().quote(order)?;
    let id = u32::try_from(state.packages().len())
        .map_err(|_| ArithmeticError::overflow("number the wallet's packages"))?;
    // R-USE-06: bought before billing starts, it takes effect at the start.
    let effective_at = now.max(policy.billing_start());
    let expires_at = policy
        .locale()
        .time_zone
        .plus_days(effective_at, quote.validity)?;
    Ok(vec![WalletEvent::Purchased(Purchase {
        package: PackageId(id),
        order: *order,
        calls: quote.calls,
        validity: quote.validity,
        price: quote.price,
        paid_at: now,
        effective_at,
        expires_at,
    })])
}

fn consume(
    state: &WalletState,
    component: Component,
    calls: CallCounts,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &UsagePolicy,
) -> Result<Option<Consumption>, Error> {
    let requested = calls.billable();
    // R-USE-04 comes first: a switched-off feature makes no call at all.
    authorize(state.feature(), requested.saturating_add(calls.failed))?;
    if at > now {
        return Err(Reason::new(
            RuleId::Use07,
            "calls dated after the current instant cannot be consumed; report calls once they \
             are made",
        )
        .with(Figure::instant("at", at))
        .with(Figure::instant("now", now))
        .into());
    }
    if requested == 0 && calls.failed == 0 {
        return Ok(None);
    }
    let unit_price = policy.prices().require(component)?;
    let mut used = Consumption {
        at,
        component,
        requested,
        failed: calls.failed,
        waived: 0,
        waiver: None,
        from_trial: 0,
        draws: Vec::new(),
        overage: 0,
        unit_price,
        charge: Money::zero(unit_price.currency()),
        refused: 0,
    };
    let waiver = match policy.exemptions().check(&state.profile()) {
        Some(exemption) => Some(Waiver::Exempt { exemption }),
        None if at < policy.billing_start() => Some(Waiver::BeforeBillingStart {
            billing_start: policy.billing_start(),
        }),
        None => None,
    };
    if waiver.is_some() {
        used.waived = requested;
        used.waiver = waiver;
        return Ok(Some(used));
    }
    // R-USE-02: the trial quota first.
    let mut left = requested;
    used.from_trial = left.min(state.trial_remaining(policy));
    left -= used.from_trial;
    // R-USE-07: then the valid package expiring first (ties: bought first),
    // from the wallet's index: no scan of the packages not drawn.
    for p in state.draw_order(at) {
        if left == 0 {
            break;
        }
        let take = left.min(p.remaining());
        used.draws.push(Draw {
            package: p.id(),
            calls: take,
        });
        left -= take;
    }
    match policy.when_exhausted() {
        WhenExhausted::PerCall => {
            used.overage = left;
            if left > 0 {
                used.charge = unit_price.checked_mul(Decimal::from(left))?;
            }
        }
        WhenExhausted::Refuse => used.refused = left,
    }
    Ok(Some(used))
}

fn expire(state: &WalletState, now: DateTime<Utc>) -> Vec<WalletEvent> {
    state
        .expired_by(now)
        .into_iter()
        .map(|p| {
            WalletEvent::Expired(Expiry {
                package: p.id(),
                expired_at: p.expires_at(),
                lost: p.remaining(),
            })
        })
        .collect()
}

/// The rule an arithmetic error of `command` is reported under: the rule
/// whose computation the command performs.
fn command_rule(command: &WalletCommand) -> RuleId {
    match command {
        WalletCommand::Purchase { .. } => RuleId::Use05,
        WalletCommand::Consume { .. } | WalletCommand::Expire => RuleId::Use07,
        WalletCommand::SwitchFeature { .. } => RuleId::Use04,
        WalletCommand::SetProfile { .. } => RuleId::Use03,
    }
}
