//! Issue 15: every ISO 4217 currency with its minor unit, and bad locale
//! input refused with errors that name the field. Minor units from ISO 4217
//! (the `iso_currency` table): JPY 0, CNY 2, BHD 3, KWD 3, CLF 4.

use billing_rules::money::{Currency, Money};
use billing_rules::pricing::{SeatOrder, SeatPolicy};
use billing_rules::{ArithmeticError, Decimal};
use proptest::prelude::*;

fn seat_policy(currency: &str, unit_price: &str, discount: Option<&str>) -> SeatPolicy {
    let discounts = discount
        .map(|f| format!(r#", "discounts": [{{"periods": 2, "factor": "{f}"}}]"#))
        .unwrap_or_default();
    let json = format!(
        r#"{{"locale": {{"currency": {currency}, "time_zone": "Asia/Tokyo", "rounding": "half_up"}},
            "period": "year", "pricing": {{"rule": "unit_price", "unit_price": "{unit_price}"}}{discounts}}}"#
    );
    serde_json::from_str(&json).unwrap()
}

fn refusal(json: &str) -> String {
    serde_json::from_str::<SeatPolicy>(json)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_else(|| panic!("accepted: {json}"))
}

const PRICING: &str = r#""period": "year", "pricing": {"rule": "unit_price", "unit_price": "10"}"#;

#[test]
fn jpy_has_no_minor_unit_a_quote_rounds_to_whole_yen() {
    // 3 seats at 1000 JPY for 2 years at x0.85: 3 x 1000 x 2 x 0.85 = 5100
    // yen; at 999 JPY, 5094.90 rounds half-up to 5095 yen.
    let policy = seat_policy(r#""JPY""#, "1000", Some("0.85"));
    let quote = policy.quote(&SeatOrder::new(3, 2)).unwrap();
    assert_eq!(quote.total.to_string(), "JPY 5100");
    assert_eq!(quote.total.currency().scale(), 0);
    let odd = seat_policy(r#""JPY""#, "999", Some("0.85"));
    let quote = odd.quote(&SeatOrder::new(3, 2)).unwrap();
    assert_eq!(quote.total.amount(), Decimal::from(5095));
    assert_eq!(quote.total.to_string(), "JPY 5095");
}

#[test]
fn bhd_rounds_to_three_places() {
    // 3 seats at 1.2345 BHD = 3.7035, half-up to the fils: 3.704.
    let policy = seat_policy(r#""BHD""#, "1.2345", None);
    let quote = policy.quote(&SeatOrder::new(3, 1)).unwrap();
    assert_eq!(quote.total.to_string(), "BHD 3.704");
}

#[test]
fn every_iso_code_reads_with_its_minor_unit() {
    let scale = |code: &str| code.parse::<Currency>().unwrap().scale();
    assert_eq!(
        [
            scale("JPY"),
            scale("CNY"),
            scale("BHD"),
            scale("KWD"),
            scale("CLF")
        ],
        [0, 2, 3, 3, 4]
    );
    // An ISO currency travels as its code; at another scale, as the
    // explicit form.
    assert_eq!(serde_json::to_string(&Currency::JPY).unwrap(), r#""JPY""#);
    let bhd: Currency = serde_json::from_str(r#""BHD""#).unwrap();
    assert_eq!(serde_json::to_string(&bhd).unwrap(), r#""BHD""#);
    let points = Currency::new("EUR", 4).unwrap();
    assert_eq!(
        serde_json::to_string(&points).unwrap(),
        r#"{"code":"EUR","scale":4}"#
    );
    let custom: Currency = serde_json::from_str(r#"{"code": "XPT", "scale": 3}"#).unwrap();
    assert_eq!((custom.code(), custom.scale()), ("XPT", 3));
}

#[test]
fn two_currencies_never_add() {
    let yen = Money::new(Decimal::from(100), Currency::JPY);
    let dinar = Money::new(Decimal::new(1000, 3), "BHD".parse().unwrap());
    assert!(matches!(
        yen.checked_add(dinar),
        Err(ArithmeticError::CurrencyMismatch { .. })
    ));
}

#[test]
fn an_unknown_code_is_refused_saying_what_works() {
    let err = "ABC".parse::<Currency>().unwrap_err();
    assert_eq!(err, ArithmeticError::UnknownCurrency { code: "ABC".into() });
    let message = err.to_string();
    assert!(
        message.contains("not an ISO 4217 currency code"),
        "{message}"
    );
    assert!(
        message.contains(r#"{"code": "ABC", "scale": 2}"#),
        "{message}"
    );
    // Read in a policy: the same message, and the explicit form works.
    let json = format!(r#"{{"locale": {{"currency": "ABC", "time_zone": "+08:00"}}, {PRICING}}}"#);
    assert!(refusal(&json).contains(r#"{"code": "ABC", "scale": 2}"#));
    let fixed = json.replace(r#""ABC""#, r#"{"code": "ABC", "scale": 2}"#);
    assert!(serde_json::from_str::<SeatPolicy>(&fixed).is_ok());
}

#[test]
fn a_currency_scale_over_28_is_refused() {
    let json = format!(
        r#"{{"locale": {{"currency": {{"code": "XTS", "scale": 29}}, "time_zone": "+08:00"}}, {PRICING}}}"#
    );
    let message = refusal(&json);
    assert!(message.contains("scale 29"), "{message}");
    assert!(message.contains("at most 28"), "{message}");
    assert!(Currency::new("XTS", 28).is_ok());
}

#[test]
fn an_unknown_zone_name_is_refused_naming_the_field() {
    let json =
        format!(r#"{{"locale": {{"currency": "EUR", "time_zone": "Europe/Berlim"}}, {PRICING}}}"#);
    let message = refusal(&json);
    assert!(message.contains("time_zone"), "{message}");
    assert!(
        message.contains("`Europe/Berlim` is not a known IANA zone name"),
        "{message}"
    );
    assert!(message.contains("Europe/Berlin"), "{message}");
}

#[test]
fn a_zone_given_as_a_number_is_refused_naming_the_field() {
    let json = format!(r#"{{"locale": {{"currency": "EUR", "time_zone": 8}}, {PRICING}}}"#);
    let message = refusal(&json);
    assert!(message.contains("invalid type: integer `8`"), "{message}");
    assert!(message.contains("`time_zone` as a string"), "{message}");
}

#[test]
fn a_user_spec_without_a_locale_is_refused_naming_the_field() {
    let message = refusal(&format!("{{{PRICING}}}"));
    assert!(message.contains("missing field `locale`"), "{message}");
}

proptest! {
    /// Any text is read as a zone or refused naming `time_zone`; never a
    /// panic, and a zone read writes back as text that reads the same.
    #[test]
    fn any_zone_text_reads_or_is_refused_naming_the_field(text in "\\PC{0,24}|[A-Z][a-z]+/[A-Z][a-z_]+|[+-][0-9]{2}:[0-9]{2}") {
        match text.parse::<billing_rules::time::Zone>() {
            Ok(zone) => prop_assert_eq!(zone.to_string().parse::<billing_rules::time::Zone>().ok(), Some(zone)),
            Err(err) => prop_assert_eq!(err.field.as_str(), "time_zone"),
        }
    }

    /// Any three capitals are an ISO currency at its scale or refused with
    /// the explicit form; an explicit scale up to 28 is always accepted.
    #[test]
    fn any_code_reads_or_is_refused_helpfully(code in "[A-Z]{3}", scale in 0u32..=28) {
        match code.parse::<Currency>() {
            Ok(currency) => prop_assert!(currency.scale() <= 4),
            Err(err) => {
                let explicit = format!(r#""code": "{code}""#);
                prop_assert!(err.to_string().contains(&explicit));
            }
        }
        prop_assert_eq!(Currency::new(&code, scale).map(|c| c.scale()), Ok(scale));
    }
}
