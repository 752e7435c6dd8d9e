//! Policies from JSON: every preset spec round-trips, and a field the spec
//! does not have is an error naming it, never silently ignored (a misspelt
//! `max_totl` would otherwise leave the cap at its preset value).

use billing_rules::lifecycle::licence::LicencePolicy;
use billing_rules::lifecycle::policy::SubscriptionPolicy;
use billing_rules::lifecycle::postpaid::PostpaidPolicy;
use billing_rules::payment::PaymentPolicy;
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::pricing::seats::SeatPolicy;
use billing_rules::refund::{AppRefundPolicy, LicenceRefundPolicy};
use billing_rules::usage::addons::AddOnPolicy;
use billing_rules::usage::policy::UsagePolicy;
use billing_rules::usage::traffic::TrafficPolicy;
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
    check::<SeatPolicy>(presets::seat::app_store_seat_plan_spec(), "seat plan");
}

#[test]
fn r_seat_03_a_misspelt_tier_field_is_refused() {
    let json = r#"{"period": "year", "pricing": {"rule": "tiered", "mode": "volume",
        "tiers": [{"from": "1", "to": null, "unit_prise": "10"}]}}"#;
    let err = serde_json::from_str::<SeatPolicy>(json).unwrap_err();
    assert!(err.to_string().contains("unit_prise"), "{err}");
    let fixed = json.replace("unit_prise", "unit_price");
    assert!(serde_json::from_str::<SeatPolicy>(&fixed).is_ok());
}

#[test]
fn r_use_05_usage_policies_refuse_unknown_fields() {
    check::<UsagePolicy>(presets::usage::verification_spec().unwrap(), "verification");
    check::<TrafficPolicy>(presets::usage::live_traffic_spec(), "live traffic");
    check::<AddOnPolicy>(presets::usage::live_add_ons_spec(), "live add-ons");
}

#[test]
fn r_life_06_lifecycle_policies_refuse_unknown_fields() {
    check::<SubscriptionPolicy>(presets::lifecycle::chat_service_spec(), "chat service");
    check::<SubscriptionPolicy>(presets::lifecycle::app_store_seat_plan_spec(), "app store");
    check::<SubscriptionPolicy>(presets::lifecycle::cloud_environment_spec(), "cloud");
    check::<PostpaidPolicy>(
        presets::lifecycle::live_plugin_postpaid_spec(),
        "plugin postpaid",
    );
    check::<PostpaidPolicy>(
        presets::lifecycle::cloud_environment_postpaid_spec(),
        "cloud postpaid",
    );
    check::<LicencePolicy>(presets::lifecycle::live_plugin_licence_spec(), "licence");
}

#[test]
fn r_pay_03_payment_and_refund_policies_refuse_unknown_fields() {
    check::<PaymentPolicy>(presets::payment::payment_policy_spec(), "payment");
    check::<AppRefundPolicy>(presets::payment::app_refund_policy_spec(), "app refund");
    check::<LicenceRefundPolicy>(
        presets::payment::licence_refund_policy_spec(),
        "licence refund",
    );
}

#[test]
fn locale_refuses_unknown_fields() {
    check::<Locale>(presets::locale(), "locale");
}
