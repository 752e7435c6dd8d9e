//! The rules' invariants as checks a property test calls on any output.

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::engine::Outcome;
use crate::money::Money;
use crate::pricing::{Credit, CurrentPurchase, Quote, SeatOrder, SeatPolicy, StepDetail, Upgrade};
use crate::rule::RuleId;
use crate::time::Period;

/// An invariant that does not hold: which one, the rule it comes from,
/// and the figures that break it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvariantViolation {
    /// The invariant, in a few words (`"total is the last step's price"`).
    pub invariant: String,
    /// The rule of the catalogue it comes from, when one does.
    pub rule: Option<RuleId>,
    /// The figures that break it.
    pub detail: String,
}

impl fmt::Display for InvariantViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rule {
            Some(rule) => write!(
                f,
                "{rule}: {} does not hold: {}",
                self.invariant, self.detail
            ),
            None => write!(f, "{} does not hold: {}", self.invariant, self.detail),
        }
    }
}

impl std::error::Error for InvariantViolation {}

/// `Ok` when `holds`, else the violation.
fn ensure(
    holds: bool,
    rule: Option<RuleId>,
    invariant: &str,
    detail: impl FnOnce() -> String,
) -> Result<(), InvariantViolation> {
    if holds {
        return Ok(());
    }
    Err(InvariantViolation {
        invariant: invariant.to_owned(),
        rule,
        detail: detail(),
    })
}

/// True when `a` and `b` are the same amount in the same currency.
fn same(a: Money, b: Money) -> bool {
    a.checked_cmp(&b) == Some(Ordering::Equal)
}

/// True when `a <= b` (same currency).
fn at_most(a: Money, b: Money) -> bool {
    matches!(a.checked_cmp(&b), Some(Ordering::Less | Ordering::Equal))
}

/// Checks a seat quote against its policy and order:
///
/// - it prices the order (same seats and periods), within the policy's
///   seat limits (R-SEAT-07);
/// - purchased days are periods x the period's days (R-SEAT-01), bonus
///   days at most the policy's cap share of them (R-SEAT-05), total days
///   their sum;
/// - the steps chain: the list price is the price of a period x periods,
///   each step starts from the previous step's price, a discount factor is
///   within `[discount floor, 1]` and applied exactly (R-SEAT-04), the cap
///   takes the smaller price (R-SEAT-06), the final rounding rounds with
///   the policy's mode, and the total is the last step's price;
/// - the total is not negative and not above the cap.
///
/// # Errors
/// The first invariant that does not hold.
pub fn check_quote_invariants(
    policy: &SeatPolicy,
    order: &SeatOrder,
    quote: &Quote,
) -> Result<(), InvariantViolation> {
    ensure(
        quote.seats == order.seats && quote.periods == order.periods,
        None,
        "the quote prices the order",
        || {
            format!(
                "order {order:?}, quote of {} seats x {} periods",
                quote.seats, quote.periods
            )
        },
    )?;
    let inside = policy.min_seats().is_none_or(|min| order.seats >= min)
        && policy.max_seats().is_none_or(|max| order.seats <= max);
    ensure(
        inside,
        Some(RuleId::Seat07),
        "seats within the limits",
        || {
            format!(
                "{} seats priced, limits {:?}..={:?}",
                order.seats,
                policy.min_seats(),
                policy.max_seats()
            )
        },
    )?;
    let validity = quote.validity;
    if !matches!(policy.period(), Period::Calendar(_)) {
        let purchased = u64::from(policy.period().length().0) * u64::from(order.periods);
        ensure(
            u64::from(validity.purchased_days.0) == purchased,
            Some(RuleId::Seat01),
            "purchased days are periods x period days",
            || format!("{} days for {purchased}", validity.purchased_days.0),
        )?;
    }
    let (purchased, bonus) = (validity.purchased_days.0, validity.bonus_days.0);
    ensure(
        rust_decimal::Decimal::from(bonus) * rust_decimal::Decimal::ONE_HUNDRED
            <= rust_decimal::Decimal::from(purchased) * policy.bonus_cap_percent(),
        Some(RuleId::Seat05),
        "bonus days within the cap",
        || {
            format!(
                "{bonus} bonus days on {purchased}, cap {} %",
                policy.bonus_cap_percent()
            )
        },
    )?;
    ensure(
        u64::from(validity.total_days.0) == u64::from(purchased) + u64::from(bonus),
        Some(RuleId::Seat05),
        "total days are purchased + bonus days",
        || format!("{validity:?}"),
    )?;
    check_quote_steps(policy, quote)?;
    ensure(
        !quote.total.is_negative(),
        Some(RuleId::Seat02),
        "the total is not negative",
        || quote.total.to_string(),
    )?;
    if let Some(cap) = policy.max_total() {
        ensure(
            at_most(quote.total, cap),
            Some(RuleId::Seat06),
            "the total is within the cap",
            || format!("{} above the cap {cap}", quote.total),
        )?;
    }
    Ok(())
}

/// The chain of a quote's steps, from the list price to the total.
fn check_quote_steps(policy: &SeatPolicy, quote: &Quote) -> Result<(), InvariantViolation> {
    let mut price: Option<Money> = None;
    let chained = |price: Option<Money>, before: Money, rule: RuleId| {
        ensure(
            price.is_some_and(|p| same(p, before)),
            Some(rule),
            "each step starts from the previous step's price",
            || format!("{rule} starts from {before}, the price was {price:?}"),
        )
    };
    for step in &quote.steps() {
        match step.detail {
            StepDetail::BasePrice {
                per_period,
                periods,
                amount,
                ..
            } => {
                let list = per_period.checked_mul(periods.into());
                ensure(
                    list.as_ref().is_ok_and(|list| same(*list, amount)),
                    Some(step.rule),
                    "the list price is a period's price x periods",
                    || format!("{per_period} x {periods} = {list:?}, listed {amount}"),
                )?;
                price = Some(amount);
            }
            StepDetail::Discount {
                factor,
                before,
                after,
            } => {
                chained(price, before, RuleId::Seat04)?;
                ensure(
                    factor >= policy.discount_floor() && factor <= rust_decimal::Decimal::ONE,
                    Some(RuleId::Seat04),
                    "the discount factor is within [floor, 1]",
                    || format!("factor {factor}, floor {}", policy.discount_floor()),
                )?;
                let exact = before.checked_mul(factor);
                ensure(
                    exact.as_ref().is_ok_and(|exact| same(*exact, after)),
                    Some(RuleId::Seat04),
                    "the discount is applied exactly",
                    || format!("{before} x {factor} = {exact:?}, discounted to {after}"),
                )?;
                price = Some(after);
            }
            StepDetail::Cap {
                cap,
                before,
                applied,
                after,
            } => {
                chained(price, before, RuleId::Seat06)?;
                let above = before.checked_cmp(&cap) == Some(Ordering::Greater);
                ensure(
                    applied == above && same(after, if above { cap } else { before }),
                    Some(RuleId::Seat06),
                    "the cap takes the smaller price",
                    || format!("{before} against the cap {cap}: applied {applied}, {after}"),
                )?;
                price = Some(after);
            }
            StepDetail::Rounding {
                mode,
                before,
                after,
            } => {
                chained(price, before, step.rule)?;
                ensure(
                    mode == policy.locale().rounding && same(after, before.round_to_minor(mode)),
                    Some(step.rule),
                    "the final rounding rounds with the policy's mode",
                    || format!("{before} rounded {mode:?} to {after}"),
                )?;
                price = Some(after);
            }
            _ => {}
        }
    }
    ensure(
        price.is_some_and(|p| same(p, quote.total)),
        None,
        "the total is the last step's price",
        || format!("total {}, last step's price {price:?}", quote.total),
    )
}

/// Checks an upgrade credit (R-SEAT-08): between zero and the smaller of
/// what was paid and the new price, in the paid currency, with no more
/// units remaining than in the whole term.
///
/// # Errors
/// The first invariant that does not hold.
pub fn check_credit_invariants(
    current: &CurrentPurchase,
    new_price: Money,
    credit: &Credit,
) -> Result<(), InvariantViolation> {
    let amount = credit.amount;
    ensure(
        !amount.is_negative(),
        Some(RuleId::Seat08),
        "the credit is not negative",
        || amount.to_string(),
    )?;
    ensure(
        at_most(amount, current.paid),
        Some(RuleId::Seat08),
        "credit <= paid",
        || format!("credit {amount}, paid {}", current.paid),
    )?;
    ensure(
        at_most(amount, new_price),
        Some(RuleId::Seat08),
        "credit <= the new price",
        || format!("credit {amount}, new price {new_price}"),
    )?;
    ensure(
        credit.remaining <= credit.total,
        Some(RuleId::Seat08),
        "remaining units <= the term's units",
        || format!("{} of {}", credit.remaining, credit.total),
    )
}

/// Checks an upgrade from `current` to `order` under `policy`: its quote
/// ([`check_quote_invariants`]), its credit against the quote's total
/// ([`check_credit_invariants`]), and the amount due: the total less the
/// credit, never negative (R-SEAT-08).
///
/// # Errors
/// The first invariant that does not hold.
pub fn check_upgrade_invariants(
    policy: &SeatPolicy,
    current: &CurrentPurchase,
    order: &SeatOrder,
    upgrade: &Upgrade,
) -> Result<(), InvariantViolation> {
    check_quote_invariants(policy, order, &upgrade.quote)?;
    check_credit_invariants(current, upgrade.quote.total, &upgrade.credit)?;
    let due = upgrade.quote.total.checked_sub(upgrade.credit.amount);
    ensure(
        due.as_ref().is_ok_and(|due| same(*due, upgrade.amount_due))
            && !upgrade.amount_due.is_negative(),
        Some(RuleId::Seat08),
        "amount due = total - credit, not negative",
        || {
            format!(
                "{} - {} = {due:?}, due {}",
                upgrade.quote.total, upgrade.credit.amount, upgrade.amount_due
            )
        },
    )
}

/// Checks the accepted outcomes of one stream, in the order they were
/// answered and starting from version `from`: each outcome's version is
/// the previous one plus its events (no event lost or duplicated), and no
/// command is decided before its predecessor (monotonic time).
///
/// # Errors
/// The first invariant that does not hold.
pub fn check_outcomes<E>(
    from: crate::engine::Version,
    outcomes: &[Outcome<E>],
) -> Result<(), InvariantViolation> {
    let mut version = from.get();
    let mut last: Option<DateTime<Utc>> = None;
    for (i, outcome) in outcomes.iter().enumerate() {
        let expected = version.saturating_add(outcome.events.len() as u64);
        ensure(
            outcome.version.get() == expected,
            None,
            "versions are contiguous",
            || {
                format!(
                    "outcome {i}: version {} after {version} + {} events",
                    outcome.version,
                    outcome.events.len()
                )
            },
        )?;
        ensure(
            last.is_none_or(|last| outcome.decided_at >= last),
            None,
            "no command is decided before its predecessor",
            || {
                format!(
                    "outcome {i} decided at {}, the previous at {last:?}",
                    outcome.decided_at
                )
            },
        )?;
        version = expected;
        last = Some(outcome.decided_at);
    }
    Ok(())
}

/// Checks that `state` is what the events give when replayed from the
/// initial state (a store's snapshot, a service's cache).
///
/// # Errors
/// The violation, with both states.
pub fn check_replay<D>(state: &D::State, events: &[D::Event]) -> Result<(), InvariantViolation>
where
    D: Decider,
    D::State: PartialEq + fmt::Debug,
{
    let replayed = D::replay(events);
    ensure(
        &replayed == state,
        None,
        "the state is the replay of its events",
        || {
            format!(
                "state {state:?}, replay of {} events {replayed:?}",
                events.len()
            )
        },
    )
}
