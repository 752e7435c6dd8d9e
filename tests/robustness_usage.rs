//! Robustness of the per-use area (issue 8; R-USE-01..10): any input gives
//! `Ok` or an error value, never a panic, and nothing recorded is lost.

use billing_rules::presets;
use billing_rules::usage::calls::{Exemptions, PriceList};
use billing_rules::usage::catalogue::Catalogue;
use billing_rules::usage::traffic::{BillingMethod, Region, Tariff};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

fn same_after_json<T>(value: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value, "{json}");
}

/// The validated parts of a policy (de)serialize through their specs and
/// are validated again on the way in (R-USE-01, R-USE-03, R-USE-05,
/// R-USE-09).
#[test]
fn serde_validated_parts_of_the_usage_presets_round_trip() {
    let usage = presets::usage::verification().unwrap();
    same_after_json::<PriceList>(usage.prices());
    same_after_json::<Exemptions>(usage.exemptions());
    same_after_json::<Catalogue>(usage.catalogue());
    let traffic = presets::usage::live_traffic().unwrap();
    for region in [Region::Mainland, Region::International] {
        for method in [BillingMethod::Traffic, BillingMethod::PeakBandwidth] {
            same_after_json::<Tariff>(traffic.tariff(region, method).unwrap());
        }
    }
    // Validation on the way in: a bandwidth tariff whose last tier is bounded.
    let bounded = r#"{"currency":"CNY","unit":"Mbps","tiers":{"mode":"graduated","tiers":[{"from":"0","to":"10","unit_price":"1"}]}}"#;
    assert!(serde_json::from_str::<Tariff>(bounded).is_err());
    // A catalogue keeps its currency even with nothing priced in it.
    let empty = r#"{"currency":"JPY","validities":[30],"packages":[],"custom":null}"#;
    let catalogue: Catalogue = serde_json::from_str(empty).unwrap();
    assert_eq!(serde_json::to_string(&catalogue).unwrap(), empty);
}
