//! The seat account: seat purchases, upgrades and extensions charged as a
//! [`Decider`], with or without a [`Preview`] (preview = charge).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extension::ExtensionOrder;
use super::policy::SeatPolicy;
use super::quote::{Quote, SeatOrder};
use super::upgrade::CurrentPurchase;
use crate::decider::Decider;
use crate::error::{Error, Figure, Reason};
use crate::fingerprint::Fingerprint;
use crate::money::Money;
// One path per line: `crate::preview` alone would read as the deciders'
// `preview` functions to a name-based module check.
use crate::preview::Figures;
use crate::preview::Inputs;
use crate::preview::Preview;
use crate::preview::PreviewAction;
use crate::rule::RuleId;

/// The seats an account holds and what it paid for them.
///
/// Serialized as `{"seats": 10, "purchase": {"paid": ..., "start": ..., "end": ...}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatHolding {
    /// The seat count.
    pub seats: u32,
    /// What was paid for the term and when it runs: the base of the next
    /// upgrade's credit (R-SEAT-08).
    pub purchase: CurrentPurchase,
}

/// A [`Preview`] of a seat purchase, upgrade or extension: the order
/// priced is the command's [`SeatRequest`], the state the holding it was
/// priced against.
pub type SeatPreview = Preview<SeatRequest, Option<SeatHolding>>;

/// The state of a [`SeatAccount`]: the current holding, if anything was
/// bought.
///
/// Serialized as `{"current": null}` before the first purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SeatAccountState {
    /// The last purchase, upgrade or extension (it may have ended).
    pub current: Option<SeatHolding>,
}

/// What a caller asks of a [`SeatAccount`].
///
/// The `*_quoted` variants carry a [`Preview`] made by
/// [`SeatAccount::preview`] and the account the command is executed for;
/// they are charged exactly the preview or refused. The others price at the
/// instant of the command.
///
/// # JSON
///
/// Tagged by `command`: `{"command": "upgrade", "order": {"seats": 20,
/// "periods": 1, "start": null}}`, `{"command": "extend", "periods": 1}`,
/// `{"command": "upgrade_quoted", "account": "acct-1", "order": {...},
/// "quote": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum SeatAccountCommand {
    /// Buy seats when no term is running (R-SEAT-01..07); the term starts
    /// at the order's start or now.
    Purchase {
        /// What to buy.
        order: SeatOrder,
    },
    /// Replace the running term by `order`, with credit for its unused
    /// time (R-SEAT-08).
    Upgrade {
        /// The new order.
        order: SeatOrder,
    },
    /// More periods for the current seat count, from the current end
    /// (R-SEAT-09).
    Extend {
        /// How many periods.
        periods: u32,
    },
    /// [`SeatAccountCommand::Purchase`] charged exactly as previewed.
    PurchaseQuoted {
        /// The account the command runs on.
        account: String,
        /// What to buy: the order previewed.
        order: SeatOrder,
        /// The preview.
        quote: SeatPreview,
    },
    /// [`SeatAccountCommand::Upgrade`] charged exactly as previewed.
    UpgradeQuoted {
        /// The account the command runs on.
        account: String,
        /// The new order: the order previewed.
        order: SeatOrder,
        /// The preview.
        quote: SeatPreview,
    },
    /// [`SeatAccountCommand::Extend`] charged exactly as previewed.
    ExtendQuoted {
        /// The account the command runs on.
        account: String,
        /// How many periods: as previewed.
        periods: u32,
        /// The preview.
        quote: SeatPreview,
    },
}

impl SeatAccountCommand {
    /// The same purchase carrying `quote`, run on `account`: the command a
    /// confirmation sends.
    pub fn with_quote(&self, account: &str, quote: SeatPreview) -> SeatAccountCommand {
        let account = account.to_owned();
        match SeatRequest::of(self) {
            SeatRequest::Purchase(order) => SeatAccountCommand::PurchaseQuoted {
                account,
                order,
                quote,
            },
            SeatRequest::Upgrade(order) => SeatAccountCommand::UpgradeQuoted {
                account,
                order,
                quote,
            },
            SeatRequest::Extend(periods) => SeatAccountCommand::ExtendQuoted {
                account,
                periods,
                quote,
            },
        }
    }
}

/// A charge: what was bought, the figures, and the holding after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    /// What was charged.
    pub action: PreviewAction,
    /// When the command ran.
    pub at: DateTime<Utc>,
    /// The instant prices and proration were computed at: `at`, or the
    /// preview's instant when charged from a preview.
    pub priced_at: DateTime<Utc>,
    /// Periods bought.
    pub periods: u32,
    /// The order's price (R-SEAT-01..07).
    pub total: Money,
    /// The upgrade credit (R-SEAT-08); zero for a purchase or extension.
    pub credit: Money,
    /// `total - credit`: what the customer pays.
    pub amount_due: Money,
    /// The holding after the charge.
    pub holding: SeatHolding,
    /// The preview's fingerprint, when charged from one.
    pub quote: Option<Fingerprint>,
}

/// What happened to a [`SeatAccount`]: tagged by `event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SeatAccountEvent {
    /// A purchase, upgrade or extension was charged.
    Charged(Charge),
}

impl SeatAccountEvent {
    /// The charge.
    pub fn charge(&self) -> &Charge {
        match self {
            SeatAccountEvent::Charged(charge) => charge,
        }
    }
}

/// The seats of one account as a [`Decider`]: purchases (R-SEAT-01..07),
/// upgrades (R-SEAT-08) and extensions (R-SEAT-09) charged from a
/// [`SeatPolicy`], and charged exactly as previewed when the command carries
/// a [`Preview`] (see [`crate::preview`]).
///
/// Refusals: a purchase while a term runs (R-SEAT-01: upgrade or extend
/// it); an upgrade without a running term (R-SEAT-08) or an extension
/// without any purchase (R-SEAT-09); the pricing rules' own refusals; and
/// for a quoted command, a preview for another kind, account or action,
/// expired, or priced from another policy, order or state, or altered.
#[derive(Debug, Clone, Copy, Default)]
pub struct SeatAccount;

impl SeatAccount {
    /// The aggregate kind a preview of this decider records.
    pub const KIND: &'static str = "seat_account";

    /// A preview of what `command` would charge `account` at `now`, valid
    /// for the policy's window ([`SeatPolicy::quote_window`]). A quoted
    /// command is previewed as its plain purchase.
    ///
    /// # Errors
    /// As the command itself would be refused at `now`.
    pub fn preview(
        account: &str,
        state: &SeatAccountState,
        command: &SeatAccountCommand,
        now: DateTime<Utc>,
        policy: &SeatPolicy,
    ) -> Result<SeatPreview, Error> {
        let request = SeatRequest::of(command);
        let (figures, _) = price(state, request, now, policy)?;
        inputs(account, state, &request, now, policy).preview(figures)
    }
}

impl Decider for SeatAccount {
    type State = SeatAccountState;
    type Command = SeatAccountCommand;
    type Event = SeatAccountEvent;
    type Policy = SeatPolicy;

    fn initial() -> SeatAccountState {
        SeatAccountState::default()
    }

    fn decide(
        state: &SeatAccountState,
        command: &SeatAccountCommand,
        now: DateTime<Utc>,
        policy: &SeatPolicy,
    ) -> Result<Vec<SeatAccountEvent>, Error> {
        let request = SeatRequest::of(command);
        let charge = match command {
            SeatAccountCommand::Purchase { .. }
            | SeatAccountCommand::Upgrade { .. }
            | SeatAccountCommand::Extend { .. } => price(state, request, now, policy)?.1,
            SeatAccountCommand::PurchaseQuoted { account, quote, .. }
            | SeatAccountCommand::UpgradeQuoted { account, quote, .. }
            | SeatAccountCommand::ExtendQuoted { account, quote, .. } => {
                let current = inputs(account, state, &request, quote.priced_at, policy);
                quote.check_inputs(&current, now)?;
                let (figures, charge) = price(state, request, quote.priced_at, policy)?;
                quote.check_figures(request.action().rule(), &figures)?;
                Charge {
                    at: now,
                    quote: Some(quote.fingerprint),
                    ..charge
                }
            }
        };
        Ok(vec![SeatAccountEvent::Charged(charge)])
    }

    fn evolve(mut state: SeatAccountState, event: &SeatAccountEvent) -> SeatAccountState {
        match event {
            SeatAccountEvent::Charged(charge) => state.current = Some(charge.holding),
        }
        state
    }
}

/// What a seat command buys, without its quote: the order a
/// [`SeatPreview`] records and compares with the command at the charge.
///
/// Serialized with the purchase as its key: `{"upgrade": {"seats": 20,
/// "periods": 1, "start": null}}`, `{"extend": 1}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatRequest {
    /// A purchase of the order (R-SEAT-01..07).
    Purchase(SeatOrder),
    /// An upgrade to the order (R-SEAT-08).
    Upgrade(SeatOrder),
    /// An extension by this many periods (R-SEAT-09).
    Extend(u32),
}

impl SeatRequest {
    /// What `command` buys.
    pub fn of(command: &SeatAccountCommand) -> SeatRequest {
        match command {
            SeatAccountCommand::Purchase { order }
            | SeatAccountCommand::PurchaseQuoted { order, .. } => SeatRequest::Purchase(*order),
            SeatAccountCommand::Upgrade { order }
            | SeatAccountCommand::UpgradeQuoted { order, .. } => SeatRequest::Upgrade(*order),
            SeatAccountCommand::Extend { periods }
            | SeatAccountCommand::ExtendQuoted { periods, .. } => SeatRequest::Extend(*periods),
        }
    }

    /// What a preview of it prices.
    pub fn action(self) -> PreviewAction {
        match self {
            SeatRequest::Purchase(_) => PreviewAction::SeatPurchase,
            SeatRequest::Upgrade(_) => PreviewAction::SeatUpgrade,
            SeatRequest::Extend(_) => PreviewAction::SeatExtension,
        }
    }
}

/// The inputs a preview of `request` priced at `at` is bound to: only the
/// current holding decides a price (its seats, what was paid and when it
/// runs).
fn inputs<'a>(
    account: &'a str,
    state: &'a SeatAccountState,
    request: &'a SeatRequest,
    at: DateTime<Utc>,
    policy: &SeatPolicy,
) -> Inputs<'a, SeatRequest, Option<SeatHolding>> {
    Inputs {
        kind: SeatAccount::KIND,
        account,
        action: request.action(),
        priced_at: at,
        policy: policy.fingerprint(),
        order: request,
        state: &state.current,
        window: policy.quote_window(),
        state_changed: "the current purchase changed since the preview; preview again",
        policy_changed: None,
    }
}

/// The figures and the charge of `request` priced at `at`.
fn price(
    state: &SeatAccountState,
    request: SeatRequest,
    at: DateTime<Utc>,
    policy: &SeatPolicy,
) -> Result<(Figures, Charge), Error> {
    let running = state.current.filter(|h| h.purchase.end > at);
    let (quote, credit, purchase_start, paid_before) = match (request, state.current) {
        (SeatRequest::Purchase(order), _) => {
            if let Some(holding) = running {
                return Err(Reason::new(
                    RuleId::Seat01,
                    format!(
                        "{} seats are paid until {}; upgrade or extend the running term instead \
                         of buying another",
                        holding.seats,
                        holding.purchase.end.to_rfc3339()
                    ),
                )
                .with(Figure::instant("current_end", holding.purchase.end))
                .into());
            }
            let order = SeatOrder {
                start: order.start.or(Some(at)),
                ..order
            };
            (policy.quote(&order)?, None, None, None)
        }
        (SeatRequest::Upgrade(order), _) => {
            let Some(holding) = running else {
                return Err(Reason::new(
                    RuleId::Seat08,
                    "no term is running at this instant, so there is nothing to upgrade; \
                     buy seats (Purchase) instead",
                )
                .with(Figure::instant("at", at))
                .into());
            };
            let upgrade = policy.upgrade(&holding.purchase, &order, at)?;
            (upgrade.quote, Some(upgrade.credit.amount), None, None)
        }
        (SeatRequest::Extend(periods), Some(holding)) => {
            let order = ExtensionOrder {
                seats: holding.seats,
                periods,
                current_end: holding.purchase.end,
            };
            let quote = policy.extend(&order, at)?;
            // A running term keeps its start and adds the price paid; an
            // ended one is replaced by the extension.
            let kept = running.map(|h| (h.purchase.start, h.purchase.paid));
            (quote, None, kept.map(|k| k.0), kept.map(|k| k.1))
        }
        (SeatRequest::Extend(_), None) => {
            return Err(Reason::new(
                RuleId::Seat09,
                "nothing was bought on this account, so there is no term to extend; buy seats \
                 (Purchase) first",
            )
            .into());
        }
    };
    let total = quote.total;
    let credit = credit.unwrap_or(Money::zero(total.currency()));
    let amount_due = total.checked_sub(credit)?;
    let (start, end) = term(&quote, request.action().rule())?;
    let paid = match paid_before {
        Some(before) => before.checked_add(total)?,
        None => total,
    };
    let holding = SeatHolding {
        seats: quote.seats,
        purchase: CurrentPurchase {
            paid,
            start: purchase_start.unwrap_or(start),
            end,
        },
    };
    let figures = Figures {
        total,
        credit,
        amount_due,
    };
    let charge = Charge {
        action: request.action(),
        at,
        priced_at: at,
        periods: quote.periods,
        total,
        credit,
        amount_due,
        holding,
        quote: None,
    };
    Ok((figures, charge))
}

/// The quote's start and end; every quote of this decider has a start.
fn term(quote: &Quote, rule: RuleId) -> Result<(DateTime<Utc>, DateTime<Utc>), Error> {
    match (quote.validity.start, quote.validity.end) {
        (Some(start), Some(end)) => Ok((start, end)),
        _ => Err(Reason::new(rule, "the quoted term has no start or end instant").into()),
    }
}
