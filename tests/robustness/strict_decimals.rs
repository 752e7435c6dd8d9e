//! Strict decimals (issue 8: "bad input is a clear error, never a silently
//! wrong number"): every `Decimal` read from JSON is read exactly or refused
//! with an error naming the value (`billing_rules::decimal_serde`).
//!
//! `rust_decimal`'s own `Deserialize` would round
//! `"0.12345678901234567890123456789"` to `0.1234567890123456789012345679`,
//! read the JSON float `1e-30` as `0` and the JSON number
//! `0.12345678901234567890123456789` as `0.12345678901234568`; the first
//! tests pin that lenient behaviour, so the comparison stays honest if
//! `rust_decimal` changes.

use billing_rules::decimal_serde::{self, InexactDecimal};
use billing_rules::lifecycle::{LicencePolicy, PostpaidState};
use billing_rules::money::{Currency, Money};
use billing_rules::presets;
use billing_rules::pricing::{SeatPolicy, SeatPolicySpec};
use billing_rules::quantity::Quantity;
use billing_rules::usage::UsagePolicy;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::strategies::any_decimal;

/// 29 digits after the point: one more than a `Decimal` holds.
const TWENTY_NINE: &str = "0.12345678901234567890123456789";
/// 28 digits after the point: exactly what a `Decimal` holds.
const TWENTY_EIGHT: &str = "0.1234567890123456789012345678";
/// The end of every refusal.
const ADVICE: &str = "send amounts as decimal strings with at most 28 digits after the point";

/// `base` with the node at `pointer` replaced by `with`.
fn with_value(mut base: Value, pointer: &str, with: Value) -> Value {
    let shown = base.to_string();
    *base
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} in {shown}")) = with;
    base
}

/// Reads `json` as `T` and returns the error message; panics if it reads.
fn refusal<T: DeserializeOwned + std::fmt::Debug>(json: Value) -> String {
    match serde_json::from_value::<T>(json) {
        Ok(read) => panic!("read {read:?}, expected a refusal"),
        Err(e) => e.to_string(),
    }
}

fn money_json(amount: Value) -> Value {
    json!({"amount": amount, "currency": "CNY"})
}

fn seat_plan_json() -> Value {
    serde_json::to_value(presets::app_store_seat_pricing_spec()).unwrap()
}

fn usage_json() -> Value {
    serde_json::to_value(presets::verification_usage_spec()).unwrap()
}

fn licence_json() -> Value {
    serde_json::to_value(presets::live_plugin_licence_spec()).unwrap()
}

fn postpaid_state_json(balance: Value) -> Value {
    json!({
        "balance": {"amount": balance, "currency": "CNY"},
        "last_billed": null,
        "standing": {"standing": "good"}
    })
}

// ------------------------------------------------ what rust_decimal does

#[test]
fn rust_decimal_alone_rounds_silently_which_is_why_this_module_exists() {
    let rounded: Decimal = serde_json::from_value(json!(TWENTY_NINE)).unwrap();
    assert_eq!(rounded.to_string(), "0.1234567890123456789012345679");
    let underflowed: Decimal = serde_json::from_str("1e-30").unwrap();
    assert!(underflowed.is_zero());
    let through_f64: Decimal = serde_json::from_str(TWENTY_NINE).unwrap();
    assert_eq!(through_f64.to_string(), "0.12345678901234568");
    // A float is read from its shortest representation: 0.1 is 0.1, not
    // the double's 0.1000000000000000055511151231257827...
    let point_one: Decimal = serde_json::from_str("0.1").unwrap();
    assert_eq!(point_one.to_string(), "0.1");
    let beyond_u64: Decimal = serde_json::from_str("100000000000000000001").unwrap();
    assert_eq!(beyond_u64.to_string(), "100000000000000000000");
}

// ----------------------------------- 29 digits after the point, refused

#[test]
fn money_amount_with_29_fraction_digits_is_refused_naming_the_value() {
    let message = refusal::<Money>(money_json(json!(TWENTY_NINE)));
    assert_eq!(
        message,
        format!(
            "\"{TWENTY_NINE}\" has 29 digits after the point, more than the 28 a Decimal \
             holds, so it would be rounded; {ADVICE}, such as \"273.97\""
        )
    );
}

#[test]
fn quantity_value_with_29_fraction_digits_is_refused_naming_the_value() {
    let message = refusal::<Quantity>(json!({"value": TWENTY_NINE, "unit": "TB"}));
    assert!(message.contains(TWENTY_NINE), "{message}");
    assert!(message.contains(ADVICE), "{message}");
}

#[test]
fn r_seat_03_tier_price_with_29_fraction_digits_is_refused_naming_the_value() {
    let json = with_value(
        seat_plan_json(),
        "/pricing/tiers/0/unit_price",
        json!(TWENTY_NINE),
    );
    for message in [
        refusal::<SeatPolicy>(json.clone()),
        refusal::<SeatPolicySpec>(json),
    ] {
        assert!(message.contains(TWENTY_NINE), "{message}");
        assert!(message.contains(ADVICE), "{message}");
    }
    // The tier bounds and the policy's own figures are read the same way.
    for pointer in [
        "/pricing/tiers/1/from",
        "/discount_floor",
        "/discounts/0/factor",
    ] {
        let json = with_value(seat_plan_json(), pointer, json!(TWENTY_NINE));
        assert!(
            refusal::<SeatPolicy>(json).contains(TWENTY_NINE),
            "{pointer}"
        );
    }
}

#[test]
fn r_use_05_package_price_with_29_fraction_digits_is_refused_naming_the_value() {
    for pointer in [
        "/catalogue/packages/0/price",
        "/catalogue/custom/unit_price",
        "/prices/0/price",
    ] {
        let json = with_value(usage_json(), pointer, json!(TWENTY_NINE));
        let message = refusal::<UsagePolicy>(json);
        assert!(message.contains(TWENTY_NINE), "{pointer}: {message}");
        assert!(message.contains(ADVICE), "{pointer}: {message}");
    }
}

#[test]
fn r_lic_01_licence_price_with_29_fraction_digits_is_refused_naming_the_value() {
    let json = with_value(licence_json(), "/price_per_term", json!(TWENTY_NINE));
    let message = refusal::<LicencePolicy>(json);
    assert!(message.contains(TWENTY_NINE), "{message}");
    assert!(message.contains(ADVICE), "{message}");
}

#[test]
fn postpaid_balance_with_29_fraction_digits_is_refused_naming_the_value() {
    let read: PostpaidState = serde_json::from_value(postpaid_state_json(json!("-80"))).unwrap();
    assert_eq!(read.balance, Money::cny(Decimal::from(-80)));
    let message = refusal::<PostpaidState>(postpaid_state_json(json!(TWENTY_NINE)));
    assert!(message.contains(TWENTY_NINE), "{message}");
}

// --------------------------------------------- 28 digits, read exactly

#[test]
fn twenty_eight_fraction_digits_are_read_exactly() {
    let money: Money = serde_json::from_value(money_json(json!(TWENTY_EIGHT))).unwrap();
    assert_eq!(money.amount().to_string(), TWENTY_EIGHT);
    assert_eq!(money.amount().scale(), 28);
    let json = with_value(
        seat_plan_json(),
        "/pricing/tiers/0/unit_price",
        json!(TWENTY_EIGHT),
    );
    let spec: SeatPolicySpec = serde_json::from_value(json).unwrap();
    let tiers = serde_json::to_value(&spec.pricing).unwrap();
    assert_eq!(tiers["tiers"][0]["unit_price"], json!(TWENTY_EIGHT));
    // The extremes of the type, and the scale as sent.
    for text in [
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "7922816251426433759354395033.5",
        "0.0000000000000000000000000001",
        "-0.0000000000000000000000000001",
        "7.50",
        "007.50",
        "+1",
        "-0",
        "0.0000000000000000000000000000",
    ] {
        let read: Money = serde_json::from_value(money_json(json!(text))).unwrap();
        let expected: Decimal = text.parse().unwrap();
        assert_eq!(read.amount(), expected, "{text}");
        assert_eq!(read.amount().scale(), expected.scale(), "{text}");
    }
}

/// A long run of leading zeros once overflowed the stack inside
/// rust_decimal's recursive parser (an abort, not even a panic). It is read
/// exactly, on a thread with a small stack, and a long run of significant
/// digits is refused as out of range.
#[test]
fn a_hundred_thousand_leading_zeros_are_read_exactly_on_a_small_stack() {
    let zeros = "0".repeat(100_000);
    let reader = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            let exact = decimal_serde::parse(&format!("{zeros}1.5"));
            let money: Result<Money, _> =
                serde_json::from_value(money_json(Value::String(format!("-{zeros}273.97"))));
            let long = decimal_serde::parse(&"7".repeat(100_000));
            (
                exact,
                money.map(|m| m.amount()).map_err(|e| e.to_string()),
                long,
            )
        })
        .unwrap();
    let (exact, money, long) = reader.join().unwrap();
    assert_eq!(exact, Ok(Decimal::new(15, 1)));
    assert_eq!(money, Ok(Decimal::new(-27397, 2)));
    assert!(
        matches!(long, Err(InexactDecimal::OutOfRange { .. })),
        "{long:?}"
    );
}

#[test]
fn negative_zero_round_trips_as_written() {
    let mut zero = Decimal::new(0, 2);
    zero.set_sign_negative(true);
    assert_eq!(serde_json::to_string(&zero).unwrap(), r#""-0.00""#);
    let json = serde_json::to_string(&Money::cny(zero)).unwrap();
    assert_eq!(json, r#"{"amount":"-0.00","currency":"CNY"}"#);
    let back: Money = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

// ------------------------------- strings that would round, or overflow

#[test]
fn strings_that_would_round_or_overflow_are_refused() {
    let cases = [
        // 29 digits after the point, even trailing zeros.
        (
            "1.00000000000000000000000000000",
            "29 digits after the point",
        ),
        (
            "0.00000000000000000000000000001",
            "29 digits after the point",
        ),
        // 30 significant digits: rust_decimal would round to ...790.
        ("12345678901234567890123456789.5", "does not fit a Decimal"),
        // One past Decimal::MAX.
        ("79228162514264337593543950336", "does not fit a Decimal"),
        ("-79228162514264337593543950336", "does not fit a Decimal"),
        (
            "99999999999999999999999999999999999999",
            "does not fit a Decimal",
        ),
    ];
    for (text, why) in cases {
        let message = refusal::<Money>(money_json(json!(text)));
        assert!(message.starts_with(&format!("\"{text}\" ")), "{message}");
        assert!(message.contains(why), "{text}: {message}");
        assert!(message.contains(ADVICE), "{text}: {message}");
    }
}

// ------------------------- exponents and other notations: refused (policy)

#[test]
fn exponents_and_other_notations_are_refused() {
    for text in [
        "1e3", "1E3", "1e-2", "1e28", "1.5e0", "", " 1", "1 ", "1_000", "1.", ".5", "-.5", "0x10",
        "NaN", "nan", "inf", "-inf", "Infinity", "--1", "+-1", "١", "1,5",
    ] {
        let message = refusal::<Money>(money_json(json!(text)));
        assert!(
            message.starts_with(&format!("{text:?} is not a plain decimal")),
            "{text}: {message}"
        );
        assert!(message.contains(ADVICE), "{message}");
    }
    assert!(matches!(
        decimal_serde::parse("1e3"),
        Err(InexactDecimal::NotPlain { .. })
    ));
}

// ---------------------------------------------- JSON numbers (policy)

#[test]
fn whole_json_numbers_within_64_bits_are_read_exactly() {
    for (json, expected) in [
        ("0", Decimal::ZERO),
        ("-1", Decimal::NEGATIVE_ONE),
        ("30000", Decimal::from(30_000)),
        ("18446744073709551615", Decimal::from(u64::MAX)),
        ("-9223372036854775808", Decimal::from(i64::MIN)),
    ] {
        let text = format!(r#"{{"amount": {json}, "currency": "CNY"}}"#);
        let read: Money = serde_json::from_str(&text).unwrap();
        assert_eq!(read.amount(), expected, "{json}");
    }
    let json = with_value(licence_json(), "/price_per_term", json!(30_000));
    let policy: LicencePolicy = serde_json::from_value(json).unwrap();
    assert_eq!(policy, presets::live_plugin_licence().unwrap());
}

#[test]
fn json_floats_are_refused_because_their_digits_are_already_lost() {
    // Each of these has reached the deserializer as an f64. 0.1 and
    // 0.10000000000000000001 are the same f64, so no float can be trusted.
    for (json, shown) in [
        ("0.1", "0.1"),
        ("0.10000000000000000001", "0.1"),
        ("0.12345678901234567890123456789", "0.12345678901234568"),
        // serde_json's fast float parser (without its `float_roundtrip`
        // feature) does not even give the nearest double here.
        ("1e-30", "9.999999999999999e-31"),
        ("5e-324", "5e-324"),
        ("1e3", "1000.0"),
        ("100.0", "100.0"),
        ("-0.0", "-0.0"),
        ("1e300", "1e300"),
        ("100000000000000000001", "1e20"),
    ] {
        let text = format!(r#"{{"amount": {json}, "currency": "CNY"}}"#);
        let message = serde_json::from_str::<Money>(&text)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with(&format!(
                "the JSON number {shown} has a fraction or an exponent"
            )),
            "{json}: {message}"
        );
        assert!(message.contains(ADVICE), "{message}");
    }
    // The same for a spec field.
    let json = with_value(usage_json(), "/catalogue/packages/0/price", json!(0.5));
    assert!(refusal::<UsagePolicy>(json).contains("the JSON number 0.5"));
}

#[test]
fn other_json_types_are_refused() {
    for amount in [json!(null), json!(true), json!([]), json!({"value": "1"})] {
        let message = refusal::<Money>(money_json(amount.clone()));
        assert!(
            message.contains("a decimal string with at most 28 digits"),
            "{amount}: {message}"
        );
    }
}

// ----------------------------------------------------- optional fields

#[test]
fn r_seat_03_optional_decimals_read_null_and_missing_as_none() {
    let mut json = seat_plan_json();
    let last = json["pricing"]["tiers"].as_array().unwrap().len() - 1;
    // The unbounded last tier: `to` null, then left out.
    assert_eq!(json["pricing"]["tiers"][last]["to"], Value::Null);
    let with_null: SeatPolicySpec = serde_json::from_value(json.clone()).unwrap();
    json["pricing"]["tiers"][last]
        .as_object_mut()
        .unwrap()
        .remove("to");
    json.as_object_mut().unwrap().remove("max_total");
    let left_out: SeatPolicySpec = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(with_null, left_out);
    assert_eq!(left_out.max_total, None);
    // A present optional decimal is read strictly.
    json["max_total"] = json!("5000.00");
    let capped: SeatPolicySpec = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(capped.max_total, Some(Decimal::new(500_000, 2)));
    json["max_total"] = json!(TWENTY_NINE);
    assert!(refusal::<SeatPolicySpec>(json).contains(TWENTY_NINE));
}

// ------------------------------------------------------------ properties

proptest! {
    /// Writing is unchanged (`rust_decimal`'s own decimal string), and what
    /// is written reads back exactly: the same value and the same scale.
    #[test]
    fn every_decimal_round_trips_exactly_through_money(d in any_decimal()) {
        let money = Money::new(d, Currency::CNY);
        let json = serde_json::to_string(&money).unwrap();
        let written_by_rust_decimal = serde_json::to_string(&d).unwrap();
        prop_assert_eq!(
            &json,
            &format!(r#"{{"amount":{written_by_rust_decimal},"currency":"CNY"}}"#)
        );
        let back: Money = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, money);
        prop_assert_eq!(back.amount().scale(), d.scale());
        prop_assert_eq!(back.amount().to_string(), d.to_string());
    }

    #[test]
    fn every_decimal_round_trips_exactly_through_a_seat_plan_spec(
        price in any_decimal(), floor in any_decimal(), cap in any_decimal(), to in any_decimal()
    ) {
        let json = seat_plan_json();
        let json = with_value(json, "/pricing/tiers/0/unit_price", json!(price.to_string()));
        let json = with_value(json, "/pricing/tiers/0/to", json!(to.to_string()));
        let json = with_value(json, "/discount_floor", json!(floor.to_string()));
        let json = with_value(json, "/max_total", json!(cap.to_string()));
        let read: SeatPolicySpec = serde_json::from_value(json.clone()).unwrap();
        // Written again, every figure is the same text: same value, same scale.
        prop_assert_eq!(serde_json::to_value(&read).unwrap(), json);
        prop_assert_eq!(read.discount_floor.scale(), floor.scale());
        prop_assert_eq!(read.max_total, Some(cap));
    }

    /// Anything that looks like a plain decimal is either read exactly (the
    /// digits and the scale sent) or refused; and it is refused only when
    /// `rust_decimal` could not keep every digit either.
    #[test]
    fn plain_decimal_strings_are_read_exactly_or_refused(
        text in "[-+]?[0-9]{1,32}(\\.[0-9]{1,32})?"
    ) {
        let unsigned = text.trim_start_matches(['-', '+']);
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits = format!("{whole}{fraction}");
        let digits = digits.trim_start_matches('0');
        let digits = if digits.is_empty() { "0" } else { digits };
        let lenient = text.parse::<Decimal>().ok();
        let lenient_is_exact = lenient.is_some_and(|d| {
            d.mantissa().unsigned_abs().to_string() == digits
                && d.scale() as usize == fraction.len()
        });
        match decimal_serde::parse(&text) {
            Ok(d) => {
                prop_assert_eq!(d.mantissa().unsigned_abs().to_string(), digits);
                prop_assert_eq!(d.scale() as usize, fraction.len());
                prop_assert_eq!(d.is_sign_negative(), text.starts_with('-'));
                prop_assert_eq!(Some(d), lenient);
            }
            Err(e) => {
                prop_assert!(!lenient_is_exact, "{} refused but exact: {}", text, e);
                let quoted = format!("{text:?}");
                prop_assert!(e.to_string().contains(&quoted));
            }
        }
    }
}
