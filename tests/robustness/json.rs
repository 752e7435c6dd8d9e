//! Arbitrary JSON into every deserializable type of the landed areas.
//!
//! Two sources of input: random JSON trees (any shape, wrong types, huge and
//! negative numbers, 28-digit decimals, the crate's own words as keys and
//! values), and near-valid mutations of real values (a preset's spec, a
//! decider's command, event or state, with one to three nodes replaced,
//! removed or added). Every answer is `Ok` or `Err`; what deserializes
//! serializes back to itself, and a policy or state that deserializes is
//! used: priced with, decided with, asked for its status at any instant.

use std::fmt::Debug;

use billing_rules::Decider;
use billing_rules::lifecycle::{
    Channels, Funds, Licence, LicenceCommand, LicenceEvent, LicencePolicy, LicencePolicySpec,
    LicenceState, LicenceStatus, Notice, PostpaidAccount, PostpaidCommand, PostpaidEvent,
    PostpaidPolicy, PostpaidPolicySpec, PostpaidState, PostpaidStatus, Reminder, ReminderWindow,
    Subscription, SubscriptionCommand, SubscriptionEvent, SubscriptionPolicy,
    SubscriptionPolicySpec, SubscriptionState, SubscriptionStatus,
};
use billing_rules::money::{Currency, Money, Rounding};
use billing_rules::payment::{
    EnvironmentPayment, InvoiceRouting, PaymentCommand, PaymentEvent, PaymentPolicy,
    PaymentPolicySpec, PaymentState, SwitchFacts,
};
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::pricing::{
    Axis, ChannelSpec, Credit, CreditRule, CurrentPurchase, ExtensionOrder, PaymentChannel,
    Platform, PricingRule, PricingSpec, Quote, SeatOrder, SeatPolicy, SeatPolicySpec, Tier,
    TierPart, TierPrice, TierSpec, TierTable, TierTableSpec, Upgrade,
};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    AppRefundPolicy, AppRefundPolicySpec, Eligibility, LedgerCommand, LedgerEvent, LedgerState,
    LicenceRefundPolicy, LicenceRefundPolicySpec, LicenceRefundRequest, OrderLedger, RefundFlags,
};
use billing_rules::time::{Days, Period, Zone};
use billing_rules::{Access, RuleId, TimeDriven, UnknownRuleId};
use billing_rules::{ArithmeticError, Error, Figure, PolicyError, Reason, Refusal};
use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use crate::common::yuan;
use crate::samples::{at, samples};
use crate::strategies::extreme_instants;

// ------------------------------------------------------------- the tests

proptest! {
    /// Random JSON trees into every type: `Ok` (and usable, and round-
    /// tripping) or `Err`, never a panic.
    #[test]
    fn any_json_into_every_type_is_ok_or_an_error(value in json()) {
        for target in all_targets() {
            (target.check)(&value);
        }
    }

    /// Near-valid JSON: every sample of every type with one to three nodes
    /// replaced, removed or added.
    #[test]
    fn near_valid_json_of_every_type_is_ok_or_an_error(
        mutations in prop::collection::vec(mutation(), 1..=2),
    ) {
        for target in all_targets() {
            for sample in &target.samples {
                let mut value = sample.clone();
                for m in &mutations {
                    value = mutate(value, m);
                }
                (target.check)(&value);
            }
        }
    }

    /// R-SEAT-01..10: a mutated app-store spec builds or is refused; a
    /// policy that builds quotes 1..=10^9 seats for 1..=10^6 periods with
    /// `Ok` or `Err`, never a panic, never a negative or over-cap total.
    #[test]
    fn r_seat_near_valid_seat_policy_json_prices_ok_or_error(
        mutations in prop::collection::vec(mutation(), 1..=3),
        seats in prop_oneof![1u32..=1000, 1u32..=1_000_000_000, Just(1_000_000_000u32)],
        periods in prop_oneof![1u32..=5, 1u32..=1_000_000, Just(1_000_000u32)],
        now in crate::strategies::any_instant(),
    ) {
        let mut value = seat_spec_json();
        for m in &mutations {
            value = mutate(value, m);
        }
        if let Some(policy) = read::<SeatPolicy>(&value) {
            use_seat_policy(&policy, seats, periods, now);
        }
        if let Some(spec) = read::<SeatPolicySpec>(&value)
            && let Ok(policy) = SeatPolicy::try_from(spec)
        {
            use_seat_policy(&policy, seats, periods, now);
        }
    }

    /// R-SEAT-03: tier tables from arbitrary JSON, empty ones included, build
    /// or are refused, and price any quantity with `Ok` or `Err`.
    #[test]
    fn r_seat_03_any_tier_table_json_builds_or_is_refused(
        tiers in prop::collection::vec(
            (json(), prop::option::of(json()), prop::option::of(json()), prop::option::of(json())),
            0..6,
        ),
        mode in prop_oneof![Just("volume"), Just("graduated"), Just("other")],
    ) {
        let tiers: Vec<Value> = tiers
            .into_iter()
            .map(|(from, to, flat, unit)| {
                let mut m = Map::new();
                m.insert("from".into(), from);
                for (k, v) in [("to", to), ("flat", flat), ("unit_price", unit)] {
                    if let Some(v) = v {
                        m.insert(k.into(), v);
                    }
                }
                Value::Object(m)
            })
            .collect();
        let value = serde_json::json!({ "mode": mode, "tiers": tiers });
        if let Some(spec) = read::<TierTableSpec>(&value) {
            use_tier_table_spec(&spec);
        }
    }
}

#[path = "json/trees.rs"]
mod trees;
use trees::*;
#[path = "json/uses.rs"]
mod uses;
use uses::*;
#[path = "json/targets.rs"]
mod targets;
use targets::*;
