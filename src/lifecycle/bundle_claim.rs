//! R-LIC-06 across apps: which app a traffic package's free licence went to.
//!
//! A traffic package of 200 TB or more entitles its buyer to its free
//! licence term once (R-LIC-06), whichever of the buyer's apps applies. A
//! [`Licence`] is one aggregate per app id and sees only its own app, so
//! it cannot know that app-1 already had the package's term when app-2
//! asks. The fact spans licences, so it has an aggregate of its own, one
//! per package id: [`BundleClaim`]. Its command,
//! [`BundleClaimCommand::Claim`], checks that the package qualifies and
//! that no other app holds its free term, and records the holder as a
//! [`BundleReceipt`]. [`LicenceCommand::ClaimBundled`] carries the
//! receipt, and the licence grants the free term only for a receipt naming
//! its own app and its owner. The claim aggregate issues one receipt per package,
//! so a package grants its free term (the policy's
//! [`bundled_terms`](LicencePolicy::bundled_terms), published 1) to one app
//! in total.
//!
//! Exactly-once across racing writers comes from the engine: two services
//! claiming one package for two apps append to the same claim aggregate at
//! the same version, the store accepts one
//! ([optimistic concurrency](crate::engine::Engine)), and the other is
//! decided again on the new state and refused under R-LIC-06 naming the
//! holder.
//!
//! # What a service does
//!
//! 1. Claim on the package's aggregate (id: the package id) with an
//!    idempotency key naming the application, e.g. `claim:{package}:{app}`:
//!    `engine.execute::<BundleClaim>(&package_id, &claim, &policy, Some(&key))`.
//!    A refusal ends the application (R-LIC-06: another app holds the term,
//!    the package is too small, or bought by another account).
//! 2. Read the receipt from the claim aggregate's state,
//!    [`BundleClaimState::receipt`] (the `Claimed` event carries the same
//!    value).
//! 3. Grant on the app's licence with the receipt and a key of its own:
//!    `engine.execute::<Licence>(&app_id, &LicenceCommand::ClaimBundled { app, account, receipt }, ..)`.
//!
//! When step 3 fails (a store error, a crash before it ran), the claim
//! stays with that app: the package's term is that app's, and no other app
//! can take it. Run steps 1 to 3 again with the same keys: step 1 answers
//! what it answered (and a claim for the app that already holds the term
//! is accepted with no events, even without the key), and step 3 grants
//! once (its key returns the first answer; without it, a second grant of
//! the same package is refused as already granted).
//!
//! The claim aggregate knows nothing of the licence's owner, so a claim for
//! an app bound to another account (R-LIC-04) is recorded and the licence
//! then refuses the receipt; the term stays with that app. A service that
//! wants to avoid this checks the licence's
//! [`binding`](crate::lifecycle::licence::LicenceState::binding) before
//! step 1.
//!
//! [`Licence`]: crate::lifecycle::licence::Licence
//! [`LicenceCommand::ClaimBundled`]: crate::lifecycle::licence::LicenceCommand::ClaimBundled
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::engine::{AggregateId, Engine, IdempotencyKey, MemoryStore};
//! use billing_rules::time::FixedClock;
//! use billing_rules::lifecycle::bundle_claim::{BundleClaim, BundleClaimCommand};
//! use billing_rules::lifecycle::licence::{AccountId, AppId, Licence, LicenceCommand, TrafficPackage};
//! use billing_rules::quantity::{Quantity, Unit};
//! use billing_rules::{FigureValue, RuleId};
//! use chrono::{TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let policy = billing_rules::presets::lifecycle::live_plugin_licence()?;
//! let engine = Engine::new(FixedClock::new(Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap()), MemoryStore::new());
//! let alice = AccountId::new("alice");
//! let package = TrafficPackage {
//!     id: "pkg-200tb".into(),
//!     size: Quantity::new(Decimal::from(200), Unit::Terabyte),
//!     buyer: alice.clone(),
//! };
//! let apply = |app: &str| -> Result<_, billing_rules::engine::EngineError> {
//!     let app = AppId::new(app);
//!     let claim_id = AggregateId::from(package.id.as_str());
//!     let claim = BundleClaimCommand::Claim { app: app.clone(), account: alice.clone(), package: package.clone() };
//!     let key = IdempotencyKey::from(format!("claim:{}:{app}", package.id));
//!     engine.execute::<BundleClaim>(&claim_id, &claim, &policy, Some(&key))?;
//!     let receipt = engine.state::<BundleClaim>(&claim_id)?.receipt().cloned();
//!     let receipt = receipt.ok_or_else(|| billing_rules::Reason::new(RuleId::Lic06, "no receipt"))?;
//!     let grant = LicenceCommand::ClaimBundled { app: app.clone(), account: alice.clone(), receipt };
//!     let key = IdempotencyKey::from(format!("grant:{}", package.id));
//!     engine.execute::<Licence>(&AggregateId::from(app.0.as_str()), &grant, &policy, Some(&key))
//! };
//!
//! let granted = apply("app-1")?;
//! assert_eq!(granted.events.len(), 2); // bound, then the free year
//! // app-2 of the same buyer: the package's free year went to app-1.
//! let refused = apply("app-2").unwrap_err();
//! let refusal = refused.refusal().unwrap();
//! assert_eq!(refusal.rule(), RuleId::Lic06);
//! assert_eq!(refusal.figure("holder_app"), Some(&FigureValue::Text("app-1".into())));
//! // app-1 applying again converges on the first answer.
//! assert_eq!(apply("app-1")?, granted);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{Error, Figure, Reason, Refusal};
use crate::lifecycle::licence::{AccountId, AppId, LicencePolicy, TrafficPackage};
use crate::lifecycle::subscription::local;
use crate::rule::RuleId;

/// How many apps one package's free term may go to (R-LIC-06: the buyer is
/// entitled to one free licence per package). The term's length is the
/// policy's [`bundled_terms`](LicencePolicy::bundled_terms), all of it
/// granted to the one app.
pub const CLAIMS_PER_PACKAGE: u32 = 1;

/// Proof that a traffic package's free term is held by one app (R-LIC-06):
/// what [`LicenceCommand::ClaimBundled`] needs.
///
/// Only [`BundleClaim`] issues one, so there is no constructor; read it
/// from [`BundleClaimState::receipt`] or the [`BundleClaimEvent::Claimed`]
/// event. It deserializes (a service stores and passes it on), and one
/// read back is as trustworthy as the storage it came from; the licence
/// checks again what it can see (its app, its owner, the package's size
/// and buyer).
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
/// [`LicenceCommand::ClaimBundled`]: crate::lifecycle::licence::LicenceCommand::ClaimBundled
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BundleReceipt {
    package: TrafficPackage,
    app: AppId,
    claimed_at: DateTime<Utc>,
}

impl BundleReceipt {
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

/// Which app holds a package's free term, if any.
///
/// # JSON
///
/// Tagged by `state`: `{"state": "unclaimed"}`, or the receipt's fields
/// with `"state": "claimed"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BundleClaimState {
    /// Nobody applied yet.
    Unclaimed,
    /// The package's free term is held by the receipt's app.
    Claimed(BundleReceipt),
}

impl BundleClaimState {
    /// The receipt, once claimed.
    pub fn receipt(&self) -> Option<&BundleReceipt> {
        match self {
            BundleClaimState::Unclaimed => None,
            BundleClaimState::Claimed(receipt) => Some(receipt),
        }
    }
}

/// What a caller asks of a package's claim aggregate.
///
/// # JSON
///
/// ```json
/// {
///   "command": "claim",
///   "app": "app-1",
///   "account": "alice",
///   "package": {"id": "pkg-200tb", "size": {"value": "200", "unit": "TB"}, "buyer": "alice"}
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum BundleClaimCommand {
    /// R-LIC-06: applies for the package's free term for `app`.
    Claim {
        /// The app that is to hold the free term.
        app: AppId,
        /// The applying account (the package's buyer).
        account: AccountId,
        /// The package.
        package: TrafficPackage,
    },
}

/// What happened to a package's claim.
///
/// # JSON
///
/// Tagged by `event`; the receipt's fields beside the tag:
/// `{"event": "claimed", "package": {..}, "app": "app-1", "claimed_at": ".."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum BundleClaimEvent {
    /// R-LIC-06: the package's free term went to the receipt's app.
    Claimed(BundleReceipt),
}

/// The claim on one traffic package's free licence term as a [`Decider`]
/// (R-LIC-06); one aggregate per package id. See the
/// [module docs](self) for how a service uses it with
/// [`Licence`](crate::lifecycle::licence::Licence).
///
/// [`BundleClaimCommand::Claim`] is accepted once, for one app; the app
/// that holds the term applying again is accepted with no events (its
/// receipt is in the state). Refusals, in this order: an empty app id
/// (R-LIC-02), an empty package id, or another package than the one this
/// aggregate holds (R-LIC-06); then, every reason listed (R-LIC-06), a
/// package below [`LicencePolicy::bundled_min_traffic`], bought by another
/// account than the applicant, whose term another app holds (naming it,
/// with `claims_used` of `claims_allowed`), or that the holder claimed
/// with other facts (size, buyer) than the command states.
#[derive(Debug, Clone, Copy, Default)]
pub struct BundleClaim;

impl Decider for BundleClaim {
    type State = BundleClaimState;
    type Command = BundleClaimCommand;
    type Event = BundleClaimEvent;
    type Policy = LicencePolicy;

    fn initial() -> BundleClaimState {
        BundleClaimState::Unclaimed
    }

    fn decide(
        state: &BundleClaimState,
        command: &BundleClaimCommand,
        now: DateTime<Utc>,
        policy: &LicencePolicy,
    ) -> Result<Vec<BundleClaimEvent>, Error> {
        let BundleClaimCommand::Claim {
            app,
            account,
            package,
        } = command;
        let decided = || {
            check_ids(state, app, package)?;
            let mut reasons = eligibility(account, package, policy)?;
            match state {
                BundleClaimState::Unclaimed => {}
                BundleClaimState::Claimed(held) if held.app != *app => {
                    reasons.push(held_elsewhere(held, app, policy));
                }
                BundleClaimState::Claimed(held) if held.package != *package => {
                    reasons.push(other_facts(held, package));
                }
                BundleClaimState::Claimed(_) => {}
            }
            if let Some(refusal) = Refusal::from_reasons(reasons) {
                return Err(refusal.into());
            }
            Ok(match state {
                // The holder applying again: its receipt is already there.
                BundleClaimState::Claimed(_) => Vec::new(),
                BundleClaimState::Unclaimed => vec![BundleClaimEvent::Claimed(BundleReceipt {
                    package: package.clone(),
                    app: app.clone(),
                    claimed_at: now,
                })],
            })
        };
        decided().map_err(|e: Error| e.in_rule(RuleId::Lic06))
    }

    fn evolve(state: BundleClaimState, event: &BundleClaimEvent) -> BundleClaimState {
        match (state, event) {
            (BundleClaimState::Unclaimed, BundleClaimEvent::Claimed(receipt)) => {
                BundleClaimState::Claimed(receipt.clone())
            }
            // decide never claims twice; the first holder keeps the term.
            (held @ BundleClaimState::Claimed(_), BundleClaimEvent::Claimed(_)) => held,
        }
    }
}

fn check_ids(state: &BundleClaimState, app: &AppId, package: &TrafficPackage) -> Result<(), Error> {
    if app.0.is_empty() {
        return Err(Reason::new(
            RuleId::Lic02,
            "the app id is empty; a licence belongs to one app id",
        )
        .into());
    }
    if package.id.is_empty() {
        return Err(Reason::new(
            RuleId::Lic06,
            "the package id is empty; each package's free licence is claimed under its id",
        )
        .into());
    }
    if let BundleClaimState::Claimed(held) = state
        && held.package.id != package.id
    {
        return Err(Reason::new(
            RuleId::Lic06,
            format!(
                "this claim belongs to package {}; package {} is claimed on its own",
                held.package.id, package.id
            ),
        )
        .with(Figure::text("package", held.package.id.clone()))
        .with(Figure::text("requested_package", package.id.clone()))
        .into());
    }
    Ok(())
}

fn held_elsewhere(held: &BundleReceipt, app: &AppId, policy: &LicencePolicy) -> Reason {
    Reason::new(
        RuleId::Lic06,
        format!(
            "the free licence of package {} went to app {} on {}; \
             {CLAIMS_PER_PACKAGE} of {CLAIMS_PER_PACKAGE} claims used, none left for app {app}",
            held.package.id,
            held.app,
            local(policy.locale().time_zone, held.claimed_at)
        ),
    )
    .with(Figure::text("package", held.package.id.clone()))
    .with(Figure::text("holder_app", held.app.0.clone()))
    .with(Figure::instant("claimed_at", held.claimed_at))
    .with(Figure::text("requested_app", app.0.clone()))
    .with(Figure::count("claims_used", u64::from(CLAIMS_PER_PACKAGE)))
    .with(Figure::count(
        "claims_allowed",
        u64::from(CLAIMS_PER_PACKAGE),
    ))
    .with(Figure::count(
        "free_terms",
        u64::from(policy.bundled_terms()),
    ))
}

fn other_facts(held: &BundleReceipt, package: &TrafficPackage) -> Reason {
    Reason::new(
        RuleId::Lic06,
        format!(
            "package {} was claimed as {} bought by {}; this application states {} bought by {}",
            held.package.id, held.package.size, held.package.buyer, package.size, package.buyer
        ),
    )
    .with(Figure::text("package", held.package.id.clone()))
    .with(Figure::quantity("claimed_size", held.package.size))
    .with(Figure::text("claimed_buyer", held.package.buyer.0.clone()))
}

/// Why `account` may not have `package`'s free term under `policy`
/// (R-LIC-06): too small, or bought by someone else. Empty when it may.
/// Shared with the licence, which checks a receipt's package again.
pub(crate) fn eligibility(
    account: &AccountId,
    package: &TrafficPackage,
    policy: &LicencePolicy,
) -> Result<Vec<Reason>, Error> {
    let threshold = policy.bundled_min_traffic();
    let mut reasons = Vec::new();
    if package.size.checked_cmp(&threshold)? == Ordering::Less {
        reasons.push(
            Reason::new(
                RuleId::Lic06,
                format!(
                    "package {} is {}, below the {threshold} that earns a free licence",
                    package.id, package.size
                ),
            )
            .with(Figure::quantity("package_size", package.size))
            .with(Figure::quantity("threshold", threshold)),
        );
    }
    if package.buyer != *account {
        reasons.push(
            Reason::new(
                RuleId::Lic06,
                format!(
                    "package {} was bought by account {}; only its buyer may apply for the free licence",
                    package.id, package.buyer
                ),
            )
            .with(Figure::text("buyer", package.buyer.0.clone())),
        );
    }
    Ok(reasons)
}
