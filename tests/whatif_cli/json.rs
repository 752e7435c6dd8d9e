//! `--json`: one envelope, money at the minor unit, durations with their unit.

use super::*;

#[test]
fn json_answers_share_one_envelope_with_money_at_the_minor_unit() {
    let (status, doc) = json(&["seats", "--seats", "120", "--years", "2"]);
    assert_eq!(status, 0);
    assert_eq!(doc["result"]["total"]["amount"], "16320.00");
    // The per-seat price is 80 in the policy; shown at the minor unit.
    let text = doc.to_string();
    assert!(text.contains("\"80.00\""), "{text}");
    assert!(!text.contains("\"amount\":\"80\""), "{text}");
    for args in [
        &["rules"][..],
        &["tiers"][..],
        &["packages", "--calls", "1200000"][..],
        &["traffic", "--tb", "12"][..],
        &["timeline", "--expires", "2025-06-30"][..],
        &["switch"][..],
        &["refund"][..],
        &["licence-refund"][..],
        &["upgrade", "--seats", "20"][..],
    ] {
        let (status, doc) = json(args);
        assert_eq!(status, 0, "{args:?}: {doc}");
        assert!(doc.get("result").is_some(), "{args:?}: {doc}");
        every_money_at_minor_unit(&doc, args);
        no_bare_duration(&doc, args);
    }
    // R-SEAT-08: 100 of 365 days left, named with their unit.
    let (_, doc) = json(&["upgrade", "--seats", "20"]);
    let credit = &doc["result"]["upgrade"]["credit"];
    assert_eq!(
        (
            credit["remaining_days"].as_u64(),
            credit["total_days"].as_u64()
        ),
        (Some(100), Some(365))
    );
    let (_, doc) = json(&["upgrade", "--seats", "20", "--seconds"]);
    assert!(
        doc["result"]["upgrade"]["credit"]["remaining_seconds"].is_u64(),
        "{doc}"
    );
    let (_, doc) = json(&["packages", "--calls", "1200000"]);
    assert_eq!(doc["result"]["forecast"]["horizon_days"], 365);
    assert_eq!(doc["result"]["lines"][1]["validity_days"], 365);
}

/// No duration without its unit: `validity`, `horizon`, `remaining`,
/// `total` never hold a bare number.
fn no_bare_duration(doc: &Value, args: &[&str]) {
    match doc {
        Value::Object(map) => {
            for key in ["validity", "horizon", "remaining"] {
                assert!(
                    !map.get(key).is_some_and(Value::is_number),
                    "{args:?}: bare {key}"
                );
            }
            if map.contains_key("granularity") {
                assert!(
                    !map.get("total").is_some_and(Value::is_number),
                    "{args:?}: bare total"
                );
            }
            map.values().for_each(|v| no_bare_duration(v, args));
        }
        Value::Array(items) => items.iter().for_each(|v| no_bare_duration(v, args)),
        _ => {}
    }
}

/// Every `{"amount", "currency": "CNY"}` has at least two decimals.
fn every_money_at_minor_unit(doc: &Value, args: &[&str]) {
    match doc {
        Value::Object(map) => {
            if let (2, Some(Value::String(amount)), Some(Value::String(code))) =
                (map.len(), map.get("amount"), map.get("currency"))
            {
                assert_eq!(code, "CNY");
                let decimals = amount.split_once('.').map_or(0, |(_, f)| f.len());
                assert!(
                    decimals >= 2,
                    "{args:?}: money {amount} below the minor unit"
                );
            }
            map.values()
                .for_each(|v| every_money_at_minor_unit(v, args));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| every_money_at_minor_unit(v, args)),
        _ => {}
    }
}

#[test]
fn json_errors_are_json_with_a_kind_including_argument_errors() {
    let (status, doc) = json(&["upgrade", "--paid", "1e3"]);
    assert_eq!(status, 2);
    assert_eq!(doc["error"]["kind"], "usage");
    assert!(doc["error"]["message"].as_str().unwrap().contains("1e3"));
    let (status, doc) = json(&["packages", "--calls", "0"]);
    assert_eq!((status, doc["error"]["kind"].as_str()), (2, Some("usage")));
    let (status, doc) = json(&["nosuchcommand"]);
    assert_eq!((status, doc["error"]["kind"].as_str()), (2, Some("usage")));
    let (status, doc) = json(&["refund", "--ledger-json", "/no/such/ledger.json"]);
    assert_eq!((status, doc["error"]["kind"].as_str()), (1, Some("input")));
    // A refusal is an answer, in the result.
    let (status, doc) = json(&["seats", "--seats", "5", "--max-seats", "3"]);
    assert_eq!(status, 0);
    assert_eq!(doc["result"]["refused"]["reasons"][0]["rule"], "R-SEAT-07");
}

#[test]
fn the_json_tour_is_one_enveloped_document() {
    let (status, doc) = json(&[]);
    assert_eq!(status, 0);
    assert!(doc["result"]["seat_quote"]["result"]["total"].is_object());
}

/// The statement stop (issue 16): money as strings at the minor unit, the
/// refund of 241.67 spread 80.56 + 80.56 + 80.55, the lines adding up.
#[test]
fn the_statement_lines_add_up_in_json() {
    let (status, doc) = json(&["statement"]);
    assert_eq!(status, 0, "{doc}");
    let statement = &doc["result"]["statement"];
    assert_eq!(statement["total"], "4308.33");
    assert_eq!(doc["result"]["lines_add_up"], true);
    let refunds: Vec<&str> = statement["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "refund")
        .map(|l| l["amount"].as_str().unwrap())
        .collect();
    assert_eq!(refunds, ["-80.56", "-80.56", "-80.55"]);
    // An events file with an unknown field: an input error naming it (exit 1).
    let file = std::env::temp_dir().join(format!("whatif-events-{}.json", std::process::id()));
    std::fs::write(
        &file,
        r#"[{"kind": "app_order", "at": "2025-07-02T00:00:00Z",
             "source": {"aggregate": "app-1", "version": 1},
             "amount": {"amount": "300.00", "currency": "CNY"}, "discount": "1"}]"#,
    )
    .unwrap();
    let (status, doc) = json(&["statement", "--events", file.to_str().unwrap()]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(
        (status, doc["error"]["kind"].as_str()),
        (1, Some("input")),
        "{doc}"
    );
    assert!(doc.to_string().contains("discount"), "{doc}");
    // A period that does not run forward is a usage error (exit 2).
    let (status, doc) = json(&["statement", "--from", "2025-08-01", "--to", "2025-07-01"]);
    assert_eq!((status, doc["error"]["kind"].as_str()), (2, Some("usage")));
}
