//! Licence refunds (R-REF-03, R-REF-04): [`LicenceRefundPolicy::eligibility`].
//!
//! The rules this file implements, and the order of a licence refund's
//! refusals, are described in the
//! [refund module docs](crate::refund#licence-refunds), which readers of the
//! rendered documentation see.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Figure, Reason, Refusal};
use crate::money::Money;
use crate::quantity::Quantity;
use crate::refund::eligibility::{Eligibility, RefundFlags, standing_refusals, window_closed};
use crate::refund::orders::{OrderId, order_figure};
use crate::refund::policy::LicenceRefundPolicy;
use crate::rule::RuleId;

/// What is to be refunded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceCharge {
    /// A plugin licence (R-REF-03).
    Licence,
    /// A traffic fee: never refunded (R-REF-04).
    TrafficFee,
}

impl LicenceCharge {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::Licence, Self::TrafficFee];
}

/// A request to refund a licence order, with the facts R-REF-03 and
/// R-REF-04 need.
///
/// Serialized as `{"order": "lic-1", "amount": {...}, "charge": "licence",
/// "first_licence_purchase": "2025-06-01T00:00:00Z", "traffic": {"value":
/// "20", "unit": "GB"}, "flags": {...}}`; `charge` defaults to `licence`
/// and `flags` to good standing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LicenceRefundRequest {
    /// The order to refund.
    pub order: OrderId,
    /// What it paid, and what a refund pays back.
    pub amount: Money,
    /// A licence or a traffic fee.
    #[serde(default = "licence")]
    pub charge: LicenceCharge,
    /// The account's first licence purchase, of any licence: the window and
    /// the traffic count from here.
    pub first_licence_purchase: DateTime<Utc>,
    /// The playback traffic from the first licence purchase to now (or to
    /// the end of the window), in any data unit.
    pub traffic: Quantity,
    /// The account's standing (R-REF-04).
    #[serde(default)]
    pub flags: RefundFlags,
}

fn licence() -> LicenceCharge {
    LicenceCharge::Licence
}

impl LicenceRefundRequest {
    /// A licence refund request in good standing.
    pub fn licence(
        order: impl Into<OrderId>,
        amount: Money,
        first_licence_purchase: DateTime<Utc>,
        traffic: Quantity,
    ) -> LicenceRefundRequest {
        LicenceRefundRequest {
            order: order.into(),
            amount,
            charge: LicenceCharge::Licence,
            first_licence_purchase,
            traffic,
            flags: RefundFlags::default(),
        }
    }
}

// The policy's answer lives here rather than in policy.rs, so that the
// policy does not depend on the request and eligibility types.
impl LicenceRefundPolicy {
    /// Whether the licence order of `request` may be refunded at `now`
    /// (R-REF-03, R-REF-04), with every reason when it may not, in the order
    /// of the [refund module docs](crate::refund#refusals-of-a-licence-refund).
    ///
    /// Errors: [`ArithmeticError::IncompatibleUnits`](crate::ArithmeticError::IncompatibleUnits)
    /// when the traffic is not a data quantity; an overflow when it cannot be
    /// compared with the limit exactly.
    ///
    /// ```
    /// use billing_rules::money::Money;
    /// use billing_rules::quantity::{Quantity, Unit};
    /// use billing_rules::refund::LicenceRefundRequest;
    /// use billing_rules::{presets, RuleId};
    /// use chrono::{Duration, TimeZone, Utc};
    /// use rust_decimal::Decimal;
    ///
    /// let policy = presets::live_plugin_licence_refunds()?;
    /// let first = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
    /// let price = Money::cny(Decimal::from(30_000));
    ///
    /// // 0.02 TB is exactly 20 GB: still qualifies, on the 14th day exactly.
    /// let traffic = Quantity::new(Decimal::new(2, 2), Unit::Terabyte);
    /// let request = LicenceRefundRequest::licence("lic-1", price, first, traffic);
    /// assert!(policy.eligibility(&request, first + Duration::days(14))?.is_eligible());
    ///
    /// // One more second and 20.001 GB: both reasons are listed.
    /// let request = LicenceRefundRequest { traffic: Quantity::new(Decimal::new(20001, 3), Unit::Gigabyte), ..request };
    /// let answer = policy.eligibility(&request, first + Duration::days(14) + Duration::seconds(1))?;
    /// assert_eq!(answer.refusal().unwrap().rules().collect::<Vec<_>>(), [RuleId::Ref03, RuleId::Ref03]);
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn eligibility(
        &self,
        request: &LicenceRefundRequest,
        now: DateTime<Utc>,
    ) -> Result<Eligibility, Error> {
        eligibility_unruled(request, now, self).map_err(|e| e.in_rule(RuleId::Ref03))
    }
}

/// [`LicenceRefundPolicy::eligibility`] before it names R-REF-03 on an
/// arithmetic error.
fn eligibility_unruled(
    request: &LicenceRefundRequest,
    now: DateTime<Utc>,
    policy: &LicenceRefundPolicy,
) -> Result<Eligibility, Error> {
    let id = &request.order;
    let mut reasons = Vec::new();

    if request.charge == LicenceCharge::Licence {
        if request.amount.is_negative() {
            reasons.push(
                Reason::new(
                    RuleId::Ref03,
                    format!(
                        "order {id} has amount {}, below zero: give what was paid",
                        request.amount
                    ),
                )
                .with(order_figure(id))
                .with(Figure::money("amount", request.amount)),
            );
        }
        let traffic = request.traffic;
        let limit = policy.traffic_limit();
        // Compare first: it rejects a traffic that is not data at all.
        let over = traffic.checked_cmp(&limit)? == Ordering::Greater;
        if traffic.value() < Decimal::ZERO {
            reasons.push(
                Reason::new(
                    RuleId::Ref03,
                    format!("the traffic is {traffic}, below zero: give the traffic measured"),
                )
                .with(Figure::quantity("traffic", traffic)),
            );
        }
        if let Some(reason) = window_closed(
            RuleId::Ref03,
            "the account's first licence purchase",
            policy.window(),
            request.first_licence_purchase,
            now,
            policy.locale().time_zone,
        ) {
            reasons.push(reason.with(order_figure(id)));
        }
        if over {
            let days = policy.window().days();
            reasons.push(
                Reason::new(
                    RuleId::Ref03,
                    format!(
                        "playback traffic {traffic} > limit {limit} over the {days} from the \
                         account's first licence purchase"
                    ),
                )
                .with(Figure::quantity("traffic", traffic))
                .with(Figure::quantity("traffic_limit", limit)),
            );
        }
    } else {
        reasons.push(
            Reason::new(
                RuleId::Ref04,
                format!("order {id} is a traffic fee: traffic fees are never refunded"),
            )
            .with(order_figure(id))
            .with(Figure::text("charge", "traffic_fee")),
        );
    }

    reasons.extend(standing_refusals(request.flags, policy.refuse_abnormal()));

    Ok(match Refusal::from_reasons(reasons) {
        Some(refusal) => Eligibility::Refused(refusal),
        None => Eligibility::Eligible {
            order: id.clone(),
            amount: request.amount,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::LicenceCharge;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(LicenceCharge: Licence, TrafficFee);
    }
}
