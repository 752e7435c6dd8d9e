//! Refund eligibility of an app's orders (R-REF-01, R-REF-02, R-REF-04):
//! [`AppRefundPolicy::eligibility`] and [`AppRefundPolicy::next_refund`],
//! and the reasons R-REF-03 shares.
//!
//! The rules this file implements, and the order of a refund's refusals,
//! are described in the
//! [refund module docs](crate::refund#refusals-of-an-app-order-refund),
//! which readers of the rendered documentation see.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Figure, Reason, Refusal};
use crate::money::Money;
use crate::refund::orders::{LedgerState, OrderId, OrderStatus, order_figure, unknown};
use crate::refund::policy::AppRefundPolicy;
use crate::refund::window::RefundWindow;
use crate::rule::RuleId;
use crate::time::Zone;

/// The answer to "may this be refunded now?".
///
/// Serialized with an `"answer"` tag: `{"answer": "eligible", "order": "o2",
/// "amount": {...}}` or `{"answer": "refused", "reasons": [...]}`.
///
/// # JSON
///
/// ```
/// use billing_rules::money::Money;
/// use billing_rules::refund::{Eligibility, LedgerState, Order, RefundFlags};
/// use chrono::{TimeZone, Utc};
/// use rust_decimal::Decimal;
///
/// let paid = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
/// let ledger = LedgerState::from_orders(vec![Order::new("o2", paid, Money::cny(Decimal::from(500)))])?;
/// let policy = billing_rules::presets::app_store_refunds()?;
///
/// let yes = policy.next_refund(&ledger, RefundFlags::default(), paid);
/// let json = r#"{"answer":"eligible","order":"o2","amount":{"amount":"500","currency":"CNY"}}"#;
/// assert_eq!(serde_json::to_string(&yes)?, json);
/// assert_eq!(serde_json::from_str::<Eligibility>(json)?, yes);
///
/// // A refusal's reasons sit beside the tag (R-REF-04: banned for content).
/// let no = policy.next_refund(&ledger, RefundFlags::default().banned(), paid);
/// let json = concat!(
///     r#"{"answer":"refused","reasons":[{"rule":"R-REF-04","#,
///     r#""message":"the account is banned for content: it is not refunded","#,
///     r#""figures":[{"name":"account","value":{"kind":"text","value":"banned_for_content"}}]}]}"#,
/// );
/// assert_eq!(serde_json::to_string(&no)?, json);
/// assert_eq!(serde_json::from_str::<Eligibility>(json)?, no);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Eligibility {
    /// The order may be refunded; a refund pays back `amount`.
    Eligible {
        /// The order.
        order: OrderId,
        /// The amount a refund pays back: the whole amount paid.
        amount: Money,
    },
    /// Every rule that refuses, in the documented order.
    Refused(Refusal),
}

impl Eligibility {
    /// True when eligible.
    pub fn is_eligible(&self) -> bool {
        matches!(self, Eligibility::Eligible { .. })
    }

    /// The refusal, when refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Eligibility::Eligible { .. } => None,
            Eligibility::Refused(refusal) => Some(refusal),
        }
    }
}

/// What the caller knows about the account asking for a refund (R-REF-04).
///
/// The default is an account in good standing. Both fields may be left out
/// of the JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RefundFlags {
    /// The account is banned for content: it is not refunded.
    pub banned_for_content: bool,
    /// The refund is flagged as abnormal: refused when the policy says so.
    pub flagged_abnormal: bool,
}

impl RefundFlags {
    /// The account is banned for content.
    pub fn banned(mut self) -> RefundFlags {
        self.banned_for_content = true;
        self
    }

    /// The refund is flagged as abnormal.
    pub fn abnormal(mut self) -> RefundFlags {
        self.flagged_abnormal = true;
        self
    }
}

// The policy's answers about a ledger live here rather than in policy.rs,
// so that the policy does not depend on the ledger.
impl AppRefundPolicy {
    /// Whether order `id` of `ledger` may be refunded at `now` (R-REF-01,
    /// R-REF-02, R-REF-04), with every reason when it may not, in the order
    /// of the [refund module docs](crate::refund#refusals-of-an-app-order-refund).
    ///
    /// ```
    /// use billing_rules::money::Money;
    /// use billing_rules::refund::{LedgerState, Order, OrderStatus, RefundFlags};
    /// use billing_rules::{presets, RuleId};
    /// use chrono::{TimeZone, Utc};
    /// use rust_decimal::Decimal;
    ///
    /// let june = |d| Utc.with_ymd_and_hms(2025, 6, d, 0, 0, 0).unwrap();
    /// let mut late = Order::new("o2", june(5), Money::cny(Decimal::from(500)));
    /// late.status = OrderStatus::Invoiced;
    /// let ledger = LedgerState::from_orders(vec![
    ///     Order::new("o1", june(1), Money::cny(Decimal::from(300))),
    ///     late,
    /// ])?;
    /// let policy = presets::app_store_refunds()?;
    /// let answer = policy.eligibility(&ledger, &"o1".into(), RefundFlags::default(), june(12));
    /// let rules: Vec<RuleId> = answer.refusal().unwrap().rules().collect();
    /// // Window closed on June 11 (R-REF-01), and o2 is still the latest unrefunded (R-REF-02).
    /// assert_eq!(rules, [RuleId::Ref01, RuleId::Ref02]);
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn eligibility(
        &self,
        ledger: &LedgerState,
        id: &OrderId,
        flags: RefundFlags,
        now: DateTime<Utc>,
    ) -> Eligibility {
        let policy = self;
        let Some(order) = ledger.order(id) else {
            return Eligibility::Refused(Refusal::new(unknown(id)));
        };
        let zone = policy.locale().time_zone;
        let mut reasons = Vec::new();

        if let Some(reason) = window_closed(
            RuleId::Ref01,
            "its payment",
            policy.window(),
            order.paid_at,
            now,
            zone,
        ) {
            reasons.push(reason.with(order_figure(id)));
        }
        if order.status == OrderStatus::Invoiced {
            reasons.push(
                Reason::new(
                    RuleId::Ref01,
                    format!("order {id} has been invoiced: an invoiced order is never refunded"),
                )
                .with(order_figure(id)),
            );
        }

        if order.status == OrderStatus::Refunded {
            reasons.push(
                Reason::new(RuleId::Ref02, format!("order {id} was already refunded"))
                    .with(order_figure(id)),
            );
        } else if let Some(latest) = ledger.latest_unrefunded().filter(|l| &l.id != id) {
            reasons.push(
                Reason::new(
                    RuleId::Ref02,
                    format!(
                        "order {id} is not the latest unrefunded order ({} is): refunds go \
                         from the latest order backwards",
                        latest.id
                    ),
                )
                .with(order_figure(id))
                .with(Figure::text(
                    "latest_unrefunded",
                    latest.id.as_str().to_owned(),
                )),
            );
        }

        reasons.extend(standing_refusals(flags, policy.refuse_abnormal()));

        match Refusal::from_reasons(reasons) {
            Some(refusal) => Eligibility::Refused(refusal),
            None => Eligibility::Eligible {
                order: order.id.clone(),
                amount: order.amount,
            },
        }
    }

    /// Whether the next refund of `ledger`, of its latest unrefunded order,
    /// may be made at `now` (R-REF-02); refused under R-REF-02 when no
    /// unrefunded order is left.
    ///
    /// ```
    /// use billing_rules::money::Money;
    /// use billing_rules::refund::{Eligibility, LedgerState, Order, RefundFlags};
    /// use billing_rules::presets;
    /// use chrono::{TimeZone, Utc};
    /// use rust_decimal::Decimal;
    ///
    /// let june = |d| Utc.with_ymd_and_hms(2025, 6, d, 0, 0, 0).unwrap();
    /// let ledger = LedgerState::from_orders(vec![
    ///     Order::new("o1", june(1), Money::cny(Decimal::from(300))),
    ///     Order::new("o2", june(5), Money::cny(Decimal::from(500))),
    /// ])?;
    /// let policy = presets::app_store_refunds()?;
    /// let answer = policy.next_refund(&ledger, RefundFlags::default(), june(12));
    /// assert_eq!(answer, Eligibility::Eligible { order: "o2".into(), amount: Money::cny(Decimal::from(500)) });
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn next_refund(
        &self,
        ledger: &LedgerState,
        flags: RefundFlags,
        now: DateTime<Utc>,
    ) -> Eligibility {
        match ledger.latest_unrefunded() {
            Some(latest) => self.eligibility(ledger, &latest.id, flags, now),
            None => {
                let count = u64::try_from(ledger.orders().len()).unwrap_or(u64::MAX);
                let message = if count == 0 {
                    "the ledger has no order to refund".to_owned()
                } else {
                    format!("every one of the {count} orders is already refunded")
                };
                Eligibility::Refused(Refusal::new(
                    Reason::new(RuleId::Ref02, message).with(Figure::count("orders", count)),
                ))
            }
        }
    }
}

/// The reason a window that opened at `start` is closed at `now`, if it is.
pub(crate) fn window_closed(
    rule: RuleId,
    start_name: &str,
    window: RefundWindow,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    zone: Zone,
) -> Option<Reason> {
    if window.contains(start, now, zone) {
        return None;
    }
    let days = window.days();
    // `now` is past the end, so the end is inside chrono's range.
    let closes = window.closes_at(start, zone).unwrap_or(now);
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&zone.offset_at(t))
            .format("%Y-%m-%d %H:%M:%S %:z")
            .to_string()
    };
    Some(
        Reason::new(
            rule,
            format!(
                "the refund window of {days} from {start_name} ({}) closed at {}; it is now {}",
                local(start),
                local(closes),
                local(now)
            ),
        )
        .with(Figure::count("window_days", u64::from(days.0)))
        .with(Figure::instant("window_start", start))
        .with(Figure::instant("window_closed_at", closes))
        .with(Figure::instant("now", now)),
    )
}

/// R-REF-04's refusals for the account's standing, in order: banned, then
/// abnormal.
pub(crate) fn standing_refusals(flags: RefundFlags, refuse_abnormal: bool) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if flags.banned_for_content {
        reasons.push(
            Reason::new(
                RuleId::Ref04,
                "the account is banned for content: it is not refunded",
            )
            .with(Figure::text("account", "banned_for_content")),
        );
    }
    if flags.flagged_abnormal && refuse_abnormal {
        reasons.push(
            Reason::new(
                RuleId::Ref04,
                "the refund is flagged as abnormal: it is refused",
            )
            .with(Figure::text("refund", "flagged_abnormal")),
        );
    }
    reasons
}
