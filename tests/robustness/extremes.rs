//! Extremes are error values or exact answers, never wraps or panics:
//! amounts near `Decimal::MAX`, 10^9 seats, periods of 10^6 days and huge
//! period counts, 10^6 tiers, chrono's first and last instants.

use billing_rules::Decider;
use billing_rules::lifecycle::{
    AccountId, AppId, BundleClaim, BundleClaimCommand, BundleReceipt, Funds, Licence,
    LicenceCommand, LicenceEvent, LicencePolicy, LicenceState, PostpaidAccount, PostpaidCommand,
    PostpaidEvent, Subscription, SubscriptionCommand, SubscriptionEvent, SubscriptionStatus,
    TrafficPackage,
};
use billing_rules::money::{Currency, Money};
use billing_rules::payment::{
    EnvironmentPayment, PaymentCommand, PaymentMethod, PaymentPolicy, PaymentState, SwitchFacts,
};
use billing_rules::presets;
use billing_rules::pricing::{
    Axis, CurrentPurchase, DiscountSpec, ExtensionOrder, PricingSpec, SeatOrder, SeatPolicy,
    TierMode, TierSpec, TierTable, TierTableSpec,
};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    Eligibility, LedgerCommand, LicenceRefundRequest, OrderLedger, RefundFlags,
};
use billing_rules::time::{Days, Period, Zone};
use billing_rules::{ArithmeticError, Error};
use billing_rules::{RuleId, TimeDriven};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

fn max_utc() -> DateTime<Utc> {
    DateTime::<Utc>::MAX_UTC
}

fn min_utc() -> DateTime<Utc> {
    DateTime::<Utc>::MIN_UTC
}

fn t2025() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()
}

fn is_overflow(err: &Error) -> bool {
    matches!(
        err,
        Error::Arithmetic {
            error: ArithmeticError::Overflow { .. },
            ..
        }
    )
}

/// Too large to hold exactly: an overflow, or a result that would need
/// more digits than a `Decimal` has.
fn is_too_large(err: &Error) -> bool {
    matches!(
        err,
        Error::Arithmetic {
            error: ArithmeticError::Overflow { .. } | ArithmeticError::PrecisionLoss { .. },
            ..
        }
    )
}

fn is_out_of_range(err: &Error) -> bool {
    matches!(
        err,
        Error::Arithmetic {
            error: ArithmeticError::OutOfRange { .. },
            ..
        }
    )
}

fn unit_price_policy(unit_price: Decimal) -> SeatPolicy {
    let mut spec = presets::app_store_seat_pricing_spec();
    spec.pricing = PricingSpec::UnitPrice { unit_price };
    spec.discounts.clear();
    SeatPolicy::try_from(spec).unwrap()
}

// ------------------------------------------------------------------ tiers

/// 10^6 tiers of 10 units: `1-10, 11-20, ...`, the last unbounded, tier i
/// priced `(i mod 7) + 1` a unit.
fn million_tiers(mode: TierMode) -> TierTableSpec {
    let n = 1_000_000u64;
    TierTableSpec {
        mode,
        tiers: (0..n)
            .map(|i| {
                let to = (i + 1 < n).then_some(i * 10 + 10);
                TierSpec::unit(i * 10 + 1, to, Decimal::from(i % 7 + 1))
            })
            .collect(),
    }
}

fn licence_policy(price: Decimal, term: Period, terms: u32) -> LicencePolicy {
    let mut spec = presets::live_plugin_licence_spec();
    spec.price_per_term = price;
    spec.term = term;
    spec.bundled_terms = terms;
    LicencePolicy::try_from(spec).unwrap()
}

/// The receipt `BundleClaim` issues for `package`'s free term (R-LIC-06).
fn claimed(app: &AppId, package: TrafficPackage, policy: &LicencePolicy) -> BundleReceipt {
    let claim = BundleClaimCommand::Claim {
        app: app.clone(),
        account: package.buyer.clone(),
        package,
    };
    let (state, _) = BundleClaim::run(&BundleClaim::initial(), &claim, t2025(), policy).unwrap();
    state.receipt().unwrap().clone()
}

#[path = "extremes/licences_payments_ledgers.rs"]
mod licences_payments_ledgers;
#[path = "extremes/seats_usage_lifecycle.rs"]
mod seats_usage_lifecycle;
