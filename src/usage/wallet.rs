//! The package wallet decider (R-USE-01..07): the rules of a purchase, a
//! consume and an advance, and what the wallet answers at an instant. See
//! [the package wallet](super#the-package-wallet).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::decider::{Access, Decider, TimeDriven};
use crate::error::{ArithmeticError, Error, Figure, Reason};
use crate::money::Money;
// One path per line: `crate::preview` alone would read as the deciders'
// `preview` functions to a name-based module check.
use crate::preview::Figures;
use crate::preview::Inputs;
use crate::preview::PreviewAction;
use crate::rule::RuleId;

use super::calls::{CallCounts, Component, FeatureSwitch};
use super::catalogue::PackageOrder;
use super::policy::{UsagePolicy, WhenExhausted};
use super::wallet_events::{
    Consumption, Draw, Expiry, PackageId, PackagePreview, Purchase, Waiver, WalletCommand,
    WalletEvent, WalletStamp,
};
use super::wallet_state::{WalletState, WalletStatus};

/// The package wallet of one app account, as a [`Decider`]
/// (R-USE-01..07). See [the package wallet](crate::usage#the-package-wallet)
/// for the order of a consume.
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

impl PackageWallet {
    /// The aggregate kind a preview of this decider records (the engine's
    /// kind for it).
    pub const KIND: &'static str = "package_wallet";

    /// A preview of buying `order` into `account`'s wallet at `now`, valid
    /// for the policy's window ([`UsagePolicy::quote_window`]): the
    /// catalogue's price (R-USE-05), bound to the policy, the order and the
    /// wallet's packages. [`WalletCommand::PurchaseQuoted`] charges it.
    ///
    /// ```
    /// use billing_rules::Decider;
    /// use billing_rules::time::Zone;
    /// use billing_rules::usage::{PackageOrder, PackageWallet, WalletCommand};
    ///
    /// let policy = billing_rules::presets::verification_usage()?;
    /// let shown = Zone::BEIJING.at(2025, 6, 1, 9, 0, 0)?;
    /// let order = PackageOrder::listed(10_000, 365);
    /// let wallet = PackageWallet::initial();
    /// let preview = PackageWallet::preview("app-1", &wallet, &order, shown, &policy)?;
    /// assert_eq!(preview.amount_due.to_string(), "CNY 300.00");
    ///
    /// let buy = WalletCommand::PurchaseQuoted { account: "app-1".into(), order, quote: Box::new(preview.clone()) };
    /// let paid = Zone::BEIJING.at(2025, 6, 1, 9, 20, 0)?;
    /// let (wallet, events) = PackageWallet::run(&wallet, &buy, paid, &policy)?;
    /// assert_eq!(wallet.packages()[0].price(), preview.amount_due);
    /// // Charged once: the same preview again finds a wallet that changed.
    /// let err = PackageWallet::run(&wallet, &buy, paid, &policy).unwrap_err();
    /// assert!(err.to_string().contains("the wallet's packages changed since the preview"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As the purchase itself would be refused (R-USE-05: a package the
    /// catalogue does not sell).
    pub fn preview(
        account: &str,
        state: &WalletState,
        order: &PackageOrder,
        now: DateTime<Utc>,
        policy: &UsagePolicy,
    ) -> Result<PackagePreview, Error> {
        let figures = figures_of(policy.catalogue().quote(order)?.price);
        let stamp = stamp(state)?;
        inputs(account, order, &stamp, now, policy, None).preview(figures)
    }
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
            WalletCommand::PurchaseQuoted {
                account,
                order,
                quote,
            } => purchase_quoted(state, account, order, quote, now, policy),
            WalletCommand::Consume {
                component,
                calls,
                at,
            } => consume(state, *component, *calls, *at, now, policy)
                .map(|c| c.map(WalletEvent::Consumed).into_iter().collect()),
            WalletCommand::Advance => Ok(expire(state, now)),
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

impl TimeDriven for PackageWallet {
    type Status = WalletStatus;

    /// What the wallet holds at `now`: its feature switch, the trial calls
    /// left, the calls of the packages valid at `now` and when the next one
    /// expires. Read from the packages' validities, so it is right whether
    /// or not `Advance` has closed the packages that have ended.
    fn status(state: &WalletState, now: DateTime<Utc>, policy: &UsagePolicy) -> WalletStatus {
        WalletStatus {
            feature: state.feature(),
            trial_remaining: state.trial_remaining(policy),
            package_calls: state.package_calls_at(now),
            next_expiry: state.next_expiry_after(now),
        }
    }

    /// Whether calls made at `now` are served, by the rules a consume
    /// applies: intercepted by R-USE-04 when the merchant has switched the
    /// feature off, and by R-USE-07 when the policy refuses uncovered calls
    /// and nothing covers one (no trial call left, no package valid at
    /// `now`, the account not exempt and billing started). Otherwise
    /// allowed: a call is waived, drawn, or billed per call.
    fn access(state: &WalletState, now: DateTime<Utc>, policy: &UsagePolicy) -> Access {
        if state.feature() == FeatureSwitch::Off {
            return Access::Intercepted {
                rule: RuleId::Use04,
                reason: "the merchant has switched the feature off: no call is made and nothing \
                         is billed; switch it on to make calls"
                    .to_owned(),
            };
        }
        let waived =
            policy.exemptions().check(&state.profile()).is_some() || now < policy.billing_start();
        let uncovered = state.trial_remaining(policy) == 0 && state.package_calls_at(now) == 0;
        if policy.when_exhausted() == WhenExhausted::Refuse && !waived && uncovered {
            return Access::Intercepted {
                rule: RuleId::Use07,
                reason: "no trial call is left and no package is valid, and this policy refuses \
                         calls nothing covers; buy a package to make calls"
                    .to_owned(),
            };
        }
        Access::Allowed
    }

    /// The expiries due by `now` (R-USE-07): every open package whose
    /// validity has ended, in purchase order, with the calls it loses.
    fn due_events(
        state: &WalletState,
        now: DateTime<Utc>,
        _policy: &UsagePolicy,
    ) -> Result<Vec<WalletEvent>, Error> {
        Ok(expire(state, now))
    }
}

fn purchase(
    state: &WalletState,
    order: &PackageOrder,
    now: DateTime<Utc>,
    policy: &UsagePolicy,
) -> Result<Vec<WalletEvent>, Error> {
    Ok(vec![WalletEvent::Purchased(bought(
        state, order, now, policy,
    )?)])
}

/// The package `order` buys at `now` (R-USE-05, R-USE-06).
fn bought(
    state: &WalletState,
    order: &PackageOrder,
    now: DateTime<Utc>,
    policy: &UsagePolicy,
) -> Result<Purchase, Error> {
    let quote = policy.catalogue().quote(order)?;
    let id = u32::try_from(state.packages().len())
        .map_err(|_| ArithmeticError::overflow("number the wallet's packages"))?;
    // R-USE-06: bought before billing starts, it takes effect at the start.
    let effective_at = now.max(policy.billing_start());
    let expires_at = policy
        .locale()
        .time_zone
        .plus_days(effective_at, quote.validity)?;
    Ok(Purchase {
        package: PackageId(id),
        order: *order,
        calls: quote.calls,
        validity: quote.validity,
        price: quote.price,
        paid_at: now,
        effective_at,
        expires_at,
    })
}

/// A purchase carrying its preview: charged exactly the preview's price
/// within its window, else refused naming what changed. The package is
/// paid, and so takes effect, at `now` (a package is not prorated: the
/// preview's instant decides only the window).
fn purchase_quoted(
    state: &WalletState,
    account: &str,
    order: &PackageOrder,
    quote: &PackagePreview,
    now: DateTime<Utc>,
    policy: &UsagePolicy,
) -> Result<Vec<WalletEvent>, Error> {
    let stamp = stamp(state)?;
    // Only when the policy changed: say whether the package's own entry did.
    let policy_changed = (quote.policy != policy.fingerprint())
        .then(|| catalogue_change(quote, order, policy))
        .flatten();
    let current = inputs(
        account,
        order,
        &stamp,
        quote.priced_at,
        policy,
        policy_changed,
    );
    quote.check_inputs(&current, now)?;
    // Priced once: the purchase's own price is what the quote must show.
    // The event is a plain purchase at the previewed price, a shape every
    // reader of a wallet's history already knows.
    let bought = bought(state, order, now, policy)?;
    quote.check_figures(RuleId::Use05, &figures_of(bought.price))?;
    Ok(vec![WalletEvent::Purchased(bought)])
}

/// What a package preview is bound to.
fn inputs<'a>(
    account: &'a str,
    order: &'a PackageOrder,
    stamp: &'a WalletStamp,
    at: DateTime<Utc>,
    policy: &UsagePolicy,
    policy_changed: Option<String>,
) -> Inputs<'a, PackageOrder, WalletStamp> {
    Inputs {
        kind: PackageWallet::KIND,
        account,
        action: PreviewAction::PackagePurchase,
        priced_at: at,
        policy: policy.fingerprint(),
        order,
        state: stamp,
        window: policy.quote_window(),
        state_changed: "the wallet's packages changed since the preview (a package was bought); \
                        preview again",
        policy_changed,
    }
}

/// The wallet's stamp: how many packages it holds.
fn stamp(state: &WalletState) -> Result<WalletStamp, Error> {
    let packages = u32::try_from(state.packages().len())
        .map_err(|_| ArithmeticError::overflow("number the wallet's packages"))?;
    Ok(WalletStamp { packages })
}

/// A package's price as a preview's figures: no credit.
fn figures_of(price: Money) -> Figures {
    Figures {
        total: price,
        credit: Money::zero(price.currency()),
        amount_due: price,
    }
}

/// How the current catalogue's entry for `order` differs from the
/// preview's, when it does: the refusal's words for a changed policy.
fn catalogue_change(
    quote: &PackagePreview,
    order: &PackageOrder,
    policy: &UsagePolicy,
) -> Option<String> {
    match policy.catalogue().quote(order) {
        Err(e) => Some(format!(
            "the policy changed since the preview, and its catalogue no longer sells this \
             package ({e}); preview again"
        )),
        Ok(now)
            if now.price != quote.total
                || now.price.amount().scale() != quote.total.amount().scale() =>
        {
            Some(format!(
                "the policy changed since the preview, and with it the catalogue entry for this \
                 package: {} then, {} now; preview again to see the current price",
                quote.total, now.price
            ))
        }
        Ok(_) => None,
    }
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
    state
        .feature()
        .authorize(requested.saturating_add(calls.failed))?;
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
        WalletCommand::Purchase { .. } | WalletCommand::PurchaseQuoted { .. } => RuleId::Use05,
        WalletCommand::Consume { .. } | WalletCommand::Advance => RuleId::Use07,
        WalletCommand::SwitchFeature { .. } => RuleId::Use04,
        WalletCommand::SetProfile { .. } => RuleId::Use03,
    }
}
