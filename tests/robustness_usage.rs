//! Robustness of the per-use area (issue 8; R-USE-01..10): any input gives
//! `Ok` or an error value, never a panic, and nothing recorded is lost.
//!
//! 1. Every usage spec, policy, command, event and state is fed arbitrary
//!    JSON: random trees, wrong types, huge and negative numbers, 28-digit
//!    decimals, empty catalogues and tiers, and near-valid mutations of the
//!    presets' JSON. A policy that builds is then used: a fuzzed forecast is
//!    planned on it, calls are consumed on it, a day is settled on it.
//! 2. The [`PackageWallet`] and [`BillingMethods`] deciders are fed arbitrary
//!    command sequences at arbitrary instants (years 1970 to 9999, and
//!    chrono's extremes): a refused command changes nothing, replaying the
//!    accepted events gives the same state, no package balance is ever
//!    negative or lost, and every Consume accounts for every call.
//! 3. `extremes_*`: amounts near `Decimal::MAX`, forecasts of 10^18 and
//!    `u64::MAX` calls, 10^6 packages, chrono's first and last instants.
//! 4. `serde_*`: value -> JSON -> value is the identity for every public
//!    usage data type.
//!
//! CI runs the default case count. Deep run: `PROPTEST_CASES=10000 cargo
//! test --release --test robustness_usage` (17 to 33 s of tests on a loaded
//! 2-core machine).

use std::collections::HashMap;
use std::fmt::Debug;

use billing_rules::Decider;
use billing_rules::money::{Currency, Money, RoundingMode};
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::time::{Days, Zone};
use billing_rules::usage::{
    AccountProfile, AddOnCharge, AddOnPolicy, AddOnPolicySpec, AddOnUsage, BillingMethod,
    BillingMethods, CallCounts, Catalogue, CatalogueSpec, Category, CategoryExemptionSpec,
    ChargePart, Component, ComponentPriceSpec, Consumption, CustomPackagesSpec, DailyCharge,
    DayUsage, Draw, Exemption, Exemptions, ExemptionsSpec, Expiry, FeatureSwitch, Forecast,
    HeldPackage, MeteredPrice, MeteredPriceSpec, MethodChange, MethodCommand, MethodEvent,
    MethodState, Organisation, Package, PackageId, PackageOrder, PackageQuote, PackageSpec,
    PackageStatus, PackageWallet, Plan, PlanLine, PriceList, Purchase, Region, RegionTariffSpec,
    Resolution, Tariff, TariffSpec, TrafficPolicy, TrafficPolicySpec, TranscodingPriceSpec,
    UsagePolicy, UsagePolicySpec, Waiver, WalletCommand, WalletEvent, WalletState, WhenExhausted,
};
use billing_rules::{Error, RuleId};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

// ===========================================================================
// Shared helpers
// ===========================================================================

fn verification() -> UsagePolicy {
    presets::verification_usage().unwrap()
}

fn live_traffic() -> TrafficPolicy {
    presets::live_traffic().unwrap()
}

fn live_add_ons() -> AddOnPolicy {
    presets::live_add_ons().unwrap()
}

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
        .and_utc()
}

fn fail(what: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(what.to_string())
}

/// value -> JSON -> value, through a `Value` and through text.
fn round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_value(value).map_err(fail)?;
    let back: T =
        serde_json::from_value(json.clone()).map_err(|e| fail(format!("{e} in {json}")))?;
    prop_assert_eq!(&back, value, "through a JSON value: {}", json);
    let text = serde_json::to_string(value).map_err(fail)?;
    let back: T = serde_json::from_str(&text).map_err(|e| fail(format!("{e} in {text}")))?;
    prop_assert_eq!(&back, value, "through JSON text: {}", text);
    Ok(())
}

/// An error is a value that says something: it displays, and a refusal
/// names a rule.
fn check_error(err: &Error) -> Result<(), TestCaseError> {
    prop_assert!(!err.to_string().is_empty());
    if let Some(refusal) = err.refusal() {
        prop_assert!(!refusal.primary().message.is_empty());
        prop_assert!(refusal.rule().to_string().starts_with("R-"));
    }
    Ok(())
}

#[path = "robustness_usage/json_trees.rs"]
mod json_trees;
use json_trees::*;
#[path = "robustness_usage/checked_use.rs"]
mod checked_use;
use checked_use::*;
#[path = "robustness_usage/json_fuzz.rs"]
mod json_fuzz;
use json_fuzz::*;
#[path = "robustness_usage/command_sequences.rs"]
mod command_sequences;
use command_sequences::*;
#[path = "robustness_usage/extremes.rs"]
mod extremes;
use extremes::*;
#[path = "robustness_usage/regressions.rs"]
mod regressions;
#[path = "robustness_usage/serde_round_trips.rs"]
mod serde_round_trips;
