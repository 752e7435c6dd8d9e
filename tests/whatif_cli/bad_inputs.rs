//! Each bad input of issue 17: its exit status and its sentence.

use super::*;

#[test]
fn decimal_arguments_are_read_strictly() {
    for (flag, sub) in [
        ("--paid", &["upgrade", "--seats", "20"][..]),
        ("--cap", &["seats", "--seats", "20"][..]),
        ("--amount", &["licence-refund"][..]),
        ("--tb", &["traffic"][..]),
    ] {
        for bad in ["1e3", "1_000", "0.00000000000000000000000000001"] {
            let mut args = sub.to_vec();
            args.extend([flag, bad]);
            let r = run(&args);
            assert_eq!(r.status, 2, "{args:?}: {}", r.stderr);
            assert!(
                r.stderr.contains("plain decimal") || r.stderr.contains("29 digits"),
                "{args:?}: {}",
                r.stderr
            );
        }
    }
}

#[test]
fn negative_amounts_and_counts_are_usage_errors() {
    refuses(&["licence-refund", "--amount", "-5"], 2, "`-5` is negative");
    refuses(
        &["refund", "--orders", "2025-06-01:-300"],
        2,
        "`-300` is negative",
    );
    refuses(&["seats", "--seats", "-5"], 2, "`-5` is negative");
    refuses(
        &["licence-refund", "--traffic", "-5GB"],
        2,
        "`-5` is negative",
    );
    refuses(
        &["refund", "--orders", "2025-06-01:300:paid"],
        2,
        "has the status `paid`; write invoiced or refunded",
    );
    refuses(&["seats", "--seats", "20", "--cap", "-1"], 2, "negative");
    refuses(&["packages", "--calls", "-5"], 2, "negative");
    refuses(&["tiers", "--seats", "10,-3"], 2, "`-3` is negative");
    refuses(
        &[
            "traffic",
            "--tb",
            "1",
            "--by",
            "bandwidth",
            "--mbps",
            "-800",
        ],
        2,
        "negative",
    );
}

#[test]
fn arguments_that_do_not_fit_together_get_sentences() {
    refuses(
        &["upgrade", "--days-left", "400", "--seats", "20"],
        2,
        "--days-left 400 is above --days-total 365",
    );
    refuses(
        &["traffic", "--tb", "1", "--by", "bandwidth"],
        2,
        "give it with --mbps N",
    );
    refuses(
        &["packages", "--calls", "0"],
        2,
        "0 calls: there is nothing to plan",
    );
    refuses(
        &["timeline", "--preset", "chat"],
        2,
        "give either --expires",
    );
    refuses(&["timeline", "--preset", "plugin"], 2, "give --ran-out");
    refuses(
        &["timeline", "--preset", "cloud-postpaid"],
        2,
        "give --billed",
    );
}

#[test]
fn every_date_argument_goes_through_one_parser() {
    let friendly = "is not a date or time; write 2025-06-01";
    refuses(&["timeline", "--expires", "2025-02-30"], 2, friendly);
    refuses(&["refund", "--now", "yesterday"], 2, friendly);
    refuses(&["refund", "--orders", "2025-13-01:300"], 2, friendly);
    refuses(
        &["seats", "--seats", "5", "--start", "01/06/2025"],
        2,
        friendly,
    );
    refuses(
        &[
            "timeline",
            "--preset",
            "plugin",
            "--ran-out",
            "2025-06-31T12:00",
        ],
        2,
        friendly,
    );
    refuses(
        &["timeline", "--expires", "2025-06-30T10:00"],
        2,
        "is not a day",
    );
}

#[test]
fn a_refusal_by_a_rule_is_an_answer() {
    // R-SEAT-07: outside the seat limits is refused, not clamped: exit 0.
    let r = answers(
        &["seats", "--seats", "5", "--max-seats", "3"],
        &["Refused:", "R-SEAT-07"],
    );
    assert!(r.stderr.is_empty());
}

#[test]
fn a_policy_file_error_names_the_field_path() {
    let dir = std::env::temp_dir().join(format!("whatif-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let printed = answers(&["seats", "--print-policy"], &["\"pricing\""]);
    let misspelt = printed
        .stdout
        .replacen("\"unit_price\"", "\"unit_prce\"", 1);
    let path = dir.join("seat.json");
    std::fs::write(&path, misspelt).unwrap();
    let path = path.to_str().unwrap();
    refuses(
        &["seats", "--seats", "5", "--policy", path],
        1,
        "field:   pricing.tiers[0].unit_prce",
    );
    let (status, doc) = json(&["seats", "--seats", "5", "--policy", path]);
    assert_eq!(status, 1);
    assert_eq!(doc["error"]["kind"], "policy");
    refuses(
        &["seats", "--seats", "5", "--policy", "/no/such/file.json"],
        1,
        "cannot read",
    );
}
