//! Seat plans (issue 3): R-SEAT-01 to R-SEAT-10, one or more tests per rule.

mod common;

use billing_rules::money::{Currency, RoundingMode};
use billing_rules::policy::Locale;
use billing_rules::presets::{app_store_seat_pricing, app_store_seat_pricing_spec};
use billing_rules::pricing::{
    BonusAmount, BonusSpec, ChannelSpec, CreditCap, CreditGranularity, CreditRule, CurrentPurchase,
    DiscountSpec, ExtensionOrder, PaymentChannel, Platform, PriceBasis, PricingSpec, Quote,
    SeatOrder, SeatPolicy, SeatPolicySpec, StepDetail, TierMode, TierSpec, TierTableSpec,
};
use billing_rules::time::{Days, Period, Zone};
use billing_rules::{Error, FigureValue, PolicyError, RuleId};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{cny, d};
use rust_decimal::Decimal;

/// An instant written in local time, UTC+08:00.
fn bj(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Zone::BEIJING.at(y, m, day, h, min, s).unwrap()
}

fn unit_price_spec(period: Period, unit_price: &str) -> SeatPolicySpec {
    SeatPolicySpec {
        period,
        pricing: PricingSpec::UnitPrice {
            unit_price: d(unit_price),
        },
        ..app_store_seat_pricing_spec()
    }
    .without_offers()
}

trait WithoutOffers {
    fn without_offers(self) -> Self;
}

impl WithoutOffers for SeatPolicySpec {
    fn without_offers(mut self) -> Self {
        self.discounts.clear();
        self.bonuses.clear();
        self
    }
}

fn tiered(mode: TierMode, tiers: Vec<TierSpec>) -> SeatPolicySpec {
    SeatPolicySpec {
        pricing: PricingSpec::Tiered(TierTableSpec { mode, tiers }),
        ..app_store_seat_pricing_spec()
    }
    .without_offers()
}

fn build(spec: SeatPolicySpec) -> SeatPolicy {
    SeatPolicy::try_from(spec).unwrap()
}

fn policy_error(spec: SeatPolicySpec) -> PolicyError {
    SeatPolicy::try_from(spec).unwrap_err()
}

fn refusal_rule(err: &Error) -> RuleId {
    err.refusal().expect("a refusal").rule()
}

fn rules(q: &Quote) -> Vec<RuleId> {
    q.steps().iter().map(|s| s.rule).collect()
}

fn preset() -> SeatPolicy {
    app_store_seat_pricing().unwrap()
}

fn year_purchase(paid: &str, start: DateTime<Utc>) -> CurrentPurchase {
    CurrentPurchase {
        paid: cny(paid),
        start,
        end: start + Duration::days(365),
    }
}

// ------------------------------------------------------------ R-SEAT-05

fn with_bonus(periods: u32, bonus: BonusAmount) -> SeatPolicySpec {
    let mut spec = app_store_seat_pricing_spec().without_offers();
    spec.bonuses = vec![BonusSpec { periods, bonus }];
    spec
}

// ------------------------------------------------------------ R-SEAT-07

fn limited(min: Option<u32>, max: Option<u32>) -> SeatPolicySpec {
    SeatPolicySpec {
        min_seats: min,
        max_seats: max,
        ..app_store_seat_pricing_spec()
    }
}

#[path = "seats/credit_extension_channels.rs"]
mod credit_extension_channels;
#[path = "seats/quotes.rs"]
mod quotes;
