//! The licence of one app id as a decider (R-LIC-01..06): binding,
//! purchases that stack, the bundled free term against a claim's receipt,
//! and the expiry.

use chrono::{DateTime, Utc};

use super::bundle_claim::eligibility;
use super::policy::LicencePolicy;
use super::state::{
    AccountId, AppId, Binding, BundleReceipt, Held, LicenceCommand, LicenceEvent, LicenceState,
    LicenceStatus,
};
use crate::decider::{Access, Decider, TimeDriven};
use crate::display::instant;
use crate::error::{Error, Figure, Reason, Refusal};
use crate::rule::RuleId;

/// The licence of one app id as a [`Decider`] and a [`TimeDriven`]
/// aggregate (R-LIC-01..06).
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
                    anchor: None,
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
                anchor: None,
            }),
            (
                LicenceState::Available(held) | LicenceState::Expired(held),
                LicenceEvent::Purchased { start, end, .. },
            ) => LicenceState::Available(Held {
                end: *end,
                terms: held.terms.saturating_add(1),
                anchor: run_anchor(&held, *start),
                ..held
            }),
            (
                LicenceState::Available(mut held) | LicenceState::Expired(mut held),
                LicenceEvent::BundledGranted {
                    start,
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
                    anchor: run_anchor(&held, *start),
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

/// The licence's answers at an instant (R-LIC-05), from the recorded
/// facts. Its status and access need no figure of the policy but the zone
/// of the access sentence; the policy is passed anyway, as to every
/// time-driven aggregate.
impl TimeDriven for Licence {
    type Status = LicenceStatus;

    /// The licence's status at `now`: an `Available` licence past its end
    /// is `Expired` even before the `Advance` that records it, and a
    /// recorded expiry does not reach back: asked about an instant before
    /// its end (a command stamped earlier than the expiry already
    /// recorded), the licence is `Available`, so a purchase then stacks
    /// from the end (R-LIC-03).
    fn status(state: &LicenceState, now: DateTime<Utc>, _policy: &LicencePolicy) -> LicenceStatus {
        status(state, now)
    }

    /// May the plugin be used for this app at `now`? Only while the licence
    /// is Available (R-LIC-05).
    fn access(state: &LicenceState, now: DateTime<Utc>, policy: &LicencePolicy) -> Access {
        access(state, now, policy)
    }

    /// The expiry, if it came due by `now` and was not recorded. Applying
    /// it twice changes nothing; never an error.
    fn due_events(
        state: &LicenceState,
        now: DateTime<Utc>,
        _policy: &LicencePolicy,
    ) -> Result<Vec<LicenceEvent>, Error> {
        Ok(due_events(state, now))
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
/// `now`. Extending from the end continues the run: a calendar term counts
/// from the run's anchor (Kill Bill #127).
fn extension(
    state: &LicenceState,
    now: DateTime<Utc>,
    policy: &LicencePolicy,
    terms: u32,
) -> Result<(DateTime<Utc>, DateTime<Utc>), Error> {
    let (period, zone) = (policy.term_period(), policy.locale().time_zone);
    let (start, end) = match (status(state, now), state) {
        (LicenceStatus::Available { until }, LicenceState::Available(held)) => {
            let anchor = held.run_start();
            (
                until,
                period.end_after_anchored(anchor, until, terms, zone)?,
            )
        }
        (LicenceStatus::Available { until }, _) => (until, period.end_after(until, terms, zone)?),
        _ => (now, period.end_after(now, terms, zone)?),
    };
    Ok((start, end))
}

/// The anchor of the run after a term starting at `start`: the held run's
/// when the term extends it from its end, else a new run from `start`.
fn run_anchor(held: &Held, start: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if start == held.end {
        held.anchor
    } else if start == held.first_purchase {
        None
    } else {
        Some(start)
    }
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

/// The licence's status at `now` (see the [`TimeDriven`] impl).
fn status(state: &LicenceState, now: DateTime<Utc>) -> LicenceStatus {
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

/// May the plugin be used for this app at `now`? (See the [`TimeDriven`]
/// impl.)
fn access(state: &LicenceState, now: DateTime<Utc>, policy: &LicencePolicy) -> Access {
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
            instant(since, zone)
        ),
    };
    Access::Intercepted {
        rule: RuleId::Lic05,
        reason,
    }
}

/// The expiry, if it came due by `now` and was not recorded.
fn due_events(state: &LicenceState, now: DateTime<Utc>) -> Vec<LicenceEvent> {
    match state {
        LicenceState::Available(held) if held.end <= now => {
            vec![LicenceEvent::Expired { at: held.end }]
        }
        _ => Vec::new(),
    }
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
