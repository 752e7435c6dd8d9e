//! `whatif replay` on the sample histories of examples/histories/.

use super::*;

#[test]
fn replay_of_the_sample_ledger_under_14_and_5_day_windows() {
    // RULES.md R-REF-01 (10 days, the preset) against 14: o1's refund on
    // day 12 is now accepted, 300.00 more refunded.
    let r = answers(
        &[
            "replay",
            "--history",
            "examples/histories/order_ledger.json",
            "--policy",
            "examples/histories/refund-14-days.json",
        ],
        &["now accepted", "CNY\u{a0}-300.00", "1 of 7 commands"],
    );
    assert!(r.stdout.contains("pays CNY 120.00 in all"), "{}", r.stdout);
    // Against 5 days, with the 14-day file as the base: o2's refund on day
    // 7 is refused (R-REF-01), and so is o1's on day 12 (R-REF-01, and
    // R-REF-02: o2, the later order, is still open).
    answers(
        &[
            "replay",
            "--history",
            "examples/histories/order_ledger.json",
            "--policy",
            "examples/histories/refund-5-days.json",
            "--base",
            "examples/histories/refund-14-days.json",
        ],
        &["now refused", "R-REF-02", "2 of 7 commands"],
    );
}

#[test]
fn replay_as_json_is_one_document_with_steps_and_totals() {
    let (status, doc) = json(&[
        "replay",
        "--history",
        "examples/histories/package_wallet.json",
        "--policy",
        "examples/histories/usage-per-call-0.025.json",
    ]);
    assert_eq!(status, 0, "{doc}");
    let result = &doc["result"];
    assert_eq!(result["aggregate"], "package_wallet");
    assert_eq!(result["steps"].as_array().map(Vec::len), Some(3));
    assert_eq!(result["steps"][2]["change"], "events_differ");
    // 2000 overage calls: 60.00 at 0.03, 50.000 at 0.025 (exact).
    assert_eq!(result["base_total"]["charged"]["amount"], "360.00");
    assert_eq!(result["difference"]["net"]["amount"], "-10.000");
}

#[test]
fn replay_bad_inputs_are_input_errors_naming_the_field() {
    let dir = std::env::temp_dir().join(format!("whatif-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("history.json");
    std::fs::write(
        &bad,
        r#"{"aggregate": "order_ledger", "commands": [{"decided_at": "2025-06-01T02:00:00Z", "command": "record_order", "order": "o1", "paid_at": "2025-06-01T02:00:00Z", "amount": {"amount": "1e3", "currency": "CNY"}}]}"#,
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    refuses(
        &[
            "replay",
            "--history",
            bad,
            "--policy",
            "examples/histories/refund-14-days.json",
        ],
        1,
        "is not a plain decimal",
    );
    // A policy of another kind than the history: the spec does not parse.
    refuses(
        &[
            "replay",
            "--history",
            "examples/histories/order_ledger.json",
            "--policy",
            "examples/histories/usage-per-call-0.025.json",
        ],
        1,
        "AppRefundPolicySpec",
    );
    refuses(
        &[
            "replay",
            "--history",
            "/no/such/history.json",
            "--policy",
            bad,
        ],
        1,
        "cannot read",
    );
    refuses(&["replay", "--history", bad], 2, "--policy");
}
