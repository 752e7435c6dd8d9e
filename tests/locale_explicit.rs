//! Issue 15 item 4: an explicit locale. A user-written spec names its
//! currency and its time zone; a locale without either (`"locale": {}`
//! included) is refused naming the missing field and what to write, never
//! defaulted to yuan in UTC+08:00. Only the final rounding may be left out
//! (half-up). Presets write all three out.

use billing_rules::lifecycle::{LicencePolicy, SubscriptionPolicy};
use billing_rules::money::{Currency, RoundingMode};
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::pricing::SeatPolicy;
use billing_rules::time::Zone;

/// A seat spec with `locale` as written.
fn seat_spec(locale: &str) -> String {
    format!(
        r#"{{"locale": {locale}, "period": "year",
            "pricing": {{"rule": "unit_price", "unit_price": "100"}}}}"#
    )
}

fn refusal(json: &str) -> String {
    serde_json::from_str::<SeatPolicy>(json)
        .map(|_| ())
        .unwrap_err()
        .to_string()
}

#[test]
fn a_locale_without_currency_is_refused_naming_it() {
    let err = refusal(&seat_spec(
        r#"{"time_zone": "Europe/Berlin", "rounding": "half_up"}"#,
    ));
    assert!(err.starts_with("`locale.currency` is missing"), "{err}");
    // What would work.
    assert!(err.contains(r#""currency": "EUR""#), "{err}");
}

#[test]
fn a_locale_without_time_zone_is_refused_naming_it() {
    let err = refusal(&seat_spec(r#"{"currency": "EUR", "rounding": "half_up"}"#));
    assert!(err.starts_with("`locale.time_zone` is missing"), "{err}");
    assert!(err.contains(r#""time_zone": "Europe/Berlin""#), "{err}");
    // The same in a subscription and a licence spec: no policy guesses.
    let subscription =
        r#"{"locale": {"currency": "EUR"}, "grace_hours": 24, "lapse": "suspended"}"#;
    let err = serde_json::from_str::<SubscriptionPolicy>(subscription).unwrap_err();
    assert!(
        err.to_string().starts_with("`locale.time_zone` is missing"),
        "{err}"
    );
    let licence = r#"{"locale": {"currency": "EUR"}, "price_per_term": "300", "term": "year",
        "bundled_min_traffic": {"value": "200", "unit": "TB"}, "bundled_terms": 1}"#;
    let err = serde_json::from_str::<LicencePolicy>(licence).unwrap_err();
    assert!(
        err.to_string().starts_with("`locale.time_zone` is missing"),
        "{err}"
    );
}

#[test]
fn an_empty_locale_is_refused_naming_the_currency_first() {
    let err = refusal(&seat_spec("{}"));
    assert!(err.starts_with("`locale.currency` is missing"), "{err}");
    // A null field is as missing as a left-out one.
    let err = refusal(&seat_spec(r#"{"currency": "EUR", "time_zone": null}"#));
    assert!(err.starts_with("`locale.time_zone` is missing"), "{err}");
}

#[test]
fn a_locale_may_leave_out_only_the_rounding() {
    let policy: SeatPolicy = serde_json::from_str(&seat_spec(
        r#"{"currency": "EUR", "time_zone": "Europe/Berlin"}"#,
    ))
    .unwrap();
    let locale = policy.locale();
    assert_eq!(locale.currency, Currency::EUR);
    assert_eq!(locale.time_zone, "Europe/Berlin".parse::<Zone>().unwrap());
    assert_eq!(locale.rounding, RoundingMode::HalfUp);
    // An unknown field is still refused.
    let err = refusal(&seat_spec(
        r#"{"currency": "EUR", "time_zone": "Europe/Berlin", "zone": "UTC"}"#,
    ));
    assert!(err.contains("unknown field `zone`"), "{err}");
}

#[test]
fn presets_write_their_locale_out_and_read_it_back() {
    let json = serde_json::to_value(presets::locale()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"})
    );
    let back: Locale = serde_json::from_value(json).unwrap();
    assert_eq!(back, presets::locale());
    // A preset policy's JSON reads back as the same policy.
    let preset = presets::app_store_seat_pricing().unwrap();
    let text = serde_json::to_string(&preset).unwrap();
    assert_eq!(serde_json::from_str::<SeatPolicy>(&text).unwrap(), preset);
}
