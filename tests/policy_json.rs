//! Policies from JSON: every preset spec round-trips, and a field the spec
//! does not have is an error naming it, never silently ignored (a misspelt
//! `max_totl` would otherwise leave the cap at its preset value).

use billing_rules::lifecycle::{LicencePolicy, PostpaidPolicy, SubscriptionPolicy};
use billing_rules::payment::PaymentPolicy;
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::pricing::SeatPolicy;
use billing_rules::refund::{AppRefundPolicy, LicenceRefundPolicy};
use billing_rules::usage::{AddOnPolicy, TrafficPolicy, UsagePolicy};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The spec's JSON parses back into the policy, and the same JSON with one
/// extra top-level field is refused with that field's name in the error.
fn check<P: DeserializeOwned>(spec: impl Serialize, name: &str) {
    let json = serde_json::to_value(&spec).unwrap();
    assert!(
        serde_json::from_value::<P>(json.clone()).is_ok(),
        "{name}: the preset spec must parse as a policy"
    );
    let Value::Object(mut map) = json else {
        panic!("{name}: a spec is a JSON object");
    };
    map.insert("max_totl".to_owned(), Value::from(1));
    let err = serde_json::from_value::<P>(Value::Object(map))
        .err()
        .unwrap_or_else(|| panic!("{name}: an unknown field must be refused"));
    assert!(err.to_string().contains("max_totl"), "{name}: {err}");
}

#[test]
fn r_seat_06_a_misspelt_cap_is_refused_not_ignored() {
    check::<SeatPolicy>(presets::app_store_seat_pricing_spec(), "seat plan");
}

#[test]
fn r_seat_03_a_misspelt_tier_field_is_refused() {
    let json = r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}, "period": "year", "pricing": {"rule": "tiered", "mode": "volume",
        "tiers": [{"from": "1", "to": null, "unit_prise": "10"}]}}"#;
    let err = serde_json::from_str::<SeatPolicy>(json).unwrap_err();
    assert!(err.to_string().contains("unit_prise"), "{err}");
    let fixed = json.replace("unit_prise", "unit_price");
    assert!(serde_json::from_str::<SeatPolicy>(&fixed).is_ok());
}

#[test]
fn r_use_05_usage_policies_refuse_unknown_fields() {
    check::<UsagePolicy>(presets::verification_usage_spec(), "verification");
    check::<TrafficPolicy>(presets::live_traffic_spec(), "live traffic");
    check::<AddOnPolicy>(presets::live_add_ons_spec(), "live add-ons");
}

#[test]
fn r_life_06_lifecycle_policies_refuse_unknown_fields() {
    check::<SubscriptionPolicy>(presets::chat_service_subscription_spec(), "chat service");
    check::<SubscriptionPolicy>(presets::app_store_subscription_spec(), "app store");
    check::<SubscriptionPolicy>(presets::cloud_environment_subscription_spec(), "cloud");
    check::<PostpaidPolicy>(presets::live_plugin_postpaid_spec(), "plugin postpaid");
    check::<PostpaidPolicy>(presets::cloud_environment_postpaid_spec(), "cloud postpaid");
    check::<LicencePolicy>(presets::live_plugin_licence_spec(), "licence");
}

#[test]
fn r_pay_03_payment_and_refund_policies_refuse_unknown_fields() {
    check::<PaymentPolicy>(presets::cloud_payment_spec(), "payment");
    check::<AppRefundPolicy>(presets::app_store_refunds_spec(), "app refund");
    check::<LicenceRefundPolicy>(
        presets::live_plugin_licence_refunds_spec(),
        "licence refund",
    );
}

#[test]
fn locale_refuses_unknown_fields() {
    check::<Locale>(presets::locale(), "locale");
}

/// `P::try_from(p.to_spec()) == Ok(p)` and the locale is the spec's.
fn spec_round_trip<P, S>(policy: P, to_spec: impl Fn(&P) -> S, locale: impl Fn(&P) -> Locale)
where
    P: TryFrom<S, Error = billing_rules::PolicyError> + PartialEq + std::fmt::Debug,
{
    let spec = to_spec(&policy);
    let expected_locale = locale(&policy);
    let rebuilt = P::try_from(spec).unwrap();
    assert_eq!(locale(&rebuilt), expected_locale);
    assert_eq!(rebuilt, policy);
}

/// Every built preset builds (they all return `Result`, and none fails),
/// and every policy gives back its spec: `P::try_from(p.to_spec()) == Ok(p)`.
#[test]
fn every_preset_builds_and_every_policy_round_trips_through_to_spec() {
    spec_round_trip(
        presets::app_store_seat_pricing().unwrap(),
        SeatPolicy::to_spec,
        SeatPolicy::locale,
    );
    for policy in [
        presets::app_store_subscription().unwrap(),
        presets::chat_service_subscription().unwrap(),
        presets::cloud_environment_subscription().unwrap(),
    ] {
        spec_round_trip(
            policy,
            SubscriptionPolicy::to_spec,
            SubscriptionPolicy::locale,
        );
    }
    for policy in [
        presets::cloud_environment_postpaid().unwrap(),
        presets::live_plugin_postpaid().unwrap(),
    ] {
        spec_round_trip(policy, PostpaidPolicy::to_spec, PostpaidPolicy::locale);
    }
    spec_round_trip(
        presets::live_plugin_licence().unwrap(),
        LicencePolicy::to_spec,
        LicencePolicy::locale,
    );
    spec_round_trip(
        presets::cloud_payment().unwrap(),
        PaymentPolicy::to_spec,
        PaymentPolicy::locale,
    );
    spec_round_trip(
        presets::app_store_refunds().unwrap(),
        AppRefundPolicy::to_spec,
        AppRefundPolicy::locale,
    );
    spec_round_trip(
        presets::live_plugin_licence_refunds().unwrap(),
        LicenceRefundPolicy::to_spec,
        LicenceRefundPolicy::locale,
    );
    spec_round_trip(
        presets::verification_usage().unwrap(),
        UsagePolicy::to_spec,
        UsagePolicy::locale,
    );
    spec_round_trip(
        presets::live_traffic().unwrap(),
        TrafficPolicy::to_spec,
        TrafficPolicy::locale,
    );
    spec_round_trip(
        presets::live_add_ons().unwrap(),
        AddOnPolicy::to_spec,
        AddOnPolicy::locale,
    );
}

/// The preset specs are the built presets' specs: building a preset is
/// exactly `try_from` of its `*_spec()`.
#[test]
fn every_preset_spec_is_its_built_presets_spec() {
    assert_eq!(
        presets::app_store_seat_pricing().unwrap().to_spec(),
        presets::app_store_seat_pricing_spec()
    );
    assert_eq!(
        presets::chat_service_subscription().unwrap().to_spec(),
        presets::chat_service_subscription_spec()
    );
    assert_eq!(
        presets::live_plugin_licence().unwrap().to_spec(),
        presets::live_plugin_licence_spec()
    );
    assert_eq!(
        presets::live_plugin_postpaid().unwrap().to_spec(),
        presets::live_plugin_postpaid_spec()
    );
    assert_eq!(
        presets::cloud_payment().unwrap().to_spec(),
        presets::cloud_payment_spec()
    );
    assert_eq!(
        presets::app_store_refunds().unwrap().to_spec(),
        presets::app_store_refunds_spec()
    );
    assert_eq!(
        presets::live_plugin_licence_refunds().unwrap().to_spec(),
        presets::live_plugin_licence_refunds_spec()
    );
    assert_eq!(
        presets::verification_usage().unwrap().to_spec(),
        presets::verification_usage_spec()
    );
    assert_eq!(
        presets::live_traffic().unwrap().to_spec(),
        presets::live_traffic_spec()
    );
    assert_eq!(
        presets::live_add_ons().unwrap().to_spec(),
        presets::live_add_ons_spec()
    );
}

/// R-USE-06: the published billing start, built at compile time, is
/// 2023-08-26 00:00 +08:00 (not the fallback).
#[test]
fn r_use_06_the_billing_start_constant_is_the_published_instant() {
    assert_eq!(
        UsagePolicy::BILLING_START.to_rfc3339(),
        "2023-08-25T16:00:00+00:00"
    );
    assert_eq!(
        presets::verification_usage_spec().billing_start,
        UsagePolicy::BILLING_START
    );
}
