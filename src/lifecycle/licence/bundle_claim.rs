//! R-LIC-06 across apps: the claim on one traffic package's free licence
//! term, an aggregate of its own (see
//! [Bundled licences](crate::lifecycle#bundled-licences) for why and how a
//! service uses it).

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::policy::LicencePolicy;
use super::state::{AccountId, AppId, BundleReceipt, TrafficPackage};
use crate::decider::Decider;
use crate::display::instant;
use crate::error::{Error, Figure, Reason, Refusal};
use crate::rule::RuleId;

/// How many apps one package's free term may go to (R-LIC-06: the buyer is
/// entitled to one free licence per package). The term's length is the
/// policy's [`bundled_terms`](LicencePolicy::bundled_terms), all of it
/// granted to the one app.
pub const CLAIMS_PER_PACKAGE: u32 = 1;

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
/// (R-LIC-06); one aggregate per package id. See
/// [Bundled licences](crate::lifecycle#bundled-licences) for how a service uses it with
/// [`Licence`](crate::lifecycle::Licence).
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
        let decided =
            || {
                check_ids(state, app, package)?;
                let mut reasons = eligibility(account, package, policy)?;
                match state {
                    BundleClaimState::Unclaimed => {}
                    BundleClaimState::Claimed(held) if held.app() != app => {
                        reasons.push(held_elsewhere(held, app, policy));
                    }
                    BundleClaimState::Claimed(held) if held.package() != package => {
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
                    BundleClaimState::Unclaimed => vec![BundleClaimEvent::Claimed(
                        BundleReceipt::new(package.clone(), app.clone(), now),
                    )],
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
        && held.package().id != package.id
    {
        return Err(Reason::new(
            RuleId::Lic06,
            format!(
                "this claim belongs to package {}; package {} is claimed on its own",
                held.package().id,
                package.id
            ),
        )
        .with(Figure::text("package", held.package().id.clone()))
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
            held.package().id,
            held.app(),
            instant(held.claimed_at(), policy.locale().time_zone)
        ),
    )
    .with(Figure::text("package", held.package().id.clone()))
    .with(Figure::text("holder_app", held.app().0.clone()))
    .with(Figure::instant("claimed_at", held.claimed_at()))
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
            held.package().id,
            held.package().size,
            held.package().buyer,
            package.size,
            package.buyer
        ),
    )
    .with(Figure::text("package", held.package().id.clone()))
    .with(Figure::quantity("claimed_size", held.package().size))
    .with(Figure::text(
        "claimed_buyer",
        held.package().buyer.0.clone(),
    ))
}

/// Why `account` may not have `package`'s free term under `policy`
/// (R-LIC-06): too small, or bought by someone else. Empty when it may.
/// Shared with the licence, which checks a receipt's package again.
pub(super) fn eligibility(
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
