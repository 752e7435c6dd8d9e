//! End to end: the `whatif` example run as a user runs it (std::process),
//! for every README command, every bad input of issue 17, the `--json`
//! envelope and its money scale.
//!
//! Cargo gives tests no path to an example binary, so the first test to
//! need it builds it (`cargo build --example whatif`, a no-op when it is
//! up to date) into this test's own target directory; a fresh clone's
//! `cargo test` works the same.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The built `whatif` example.
fn whatif() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // target/<profile>/deps/whatif_cli-HASH -> target/<profile>
        let exe = std::env::current_exe().expect("the test's own path");
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("a target/<profile>/deps directory")
            .to_path_buf();
        let target_dir = profile_dir.parent().expect("a target directory");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "--example", "whatif", "--manifest-path"])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .arg("--target-dir")
            .arg(target_dir)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build --example whatif failed");
        let binary = profile_dir
            .join("examples")
            .join(format!("whatif{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.exists(), "{} was not built", binary.display());
        binary
    })
}

/// What a run printed, and its exit status.
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = Command::new(whatif())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("whatif runs");
    Run {
        status: output.status.code().expect("an exit status, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// Runs `args` and checks exit 0 and every `figure` in stdout.
fn answers(args: &[&str], figures: &[&str]) -> Run {
    let r = run(args);
    assert_eq!(r.status, 0, "{args:?} exited {}: {}", r.status, r.stderr);
    for figure in figures {
        assert!(
            r.stdout.contains(figure),
            "{args:?} does not show {figure:?}:\n{}",
            r.stdout
        );
    }
    r
}

/// Runs `args` and checks the exit status and that stderr says `message`.
fn refuses(args: &[&str], status: i32, message: &str) {
    let r = run(args);
    assert_eq!(r.status, status, "{args:?}: {}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(message),
        "{args:?} does not say {message:?}:\n{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{args:?} panicked");
}

/// Runs `args` with `--json` and returns the parsed envelope.
fn json(args: &[&str]) -> (i32, Value) {
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let r = run(&with_json);
    let doc: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{with_json:?} printed no JSON ({e}):\n{}", r.stdout));
    assert_eq!(doc["version"], 1, "{with_json:?}: no version 1");
    (r.status, doc)
}

// ------------------------------------------------------------ README commands

#[test]
fn readme_seat_quote_is_120_seats_at_80_for_2_years_at_85_percent() {
    // RULES.md R-SEAT-03 (51-200 seats: 80 a seat-year), R-SEAT-04 (2
    // years: 85% of list): 120 x 80 x 2 x 0.85 = 16320.00.
    answers(
        &["seats", "--seats", "120", "--years", "2"],
        &["Total: CNY 16320.00", "730 purchased"],
    );
}

#[test]
fn readme_upgrade_credits_the_published_273_97() {
    // RULES.md R-SEAT-08: 1000 paid for 365 days, 100 left -> 273.97; the
    // new order of 150 seats is 150 x 80 = 12000.00, so 11726.03 is due.
    answers(
        &[
            "upgrade",
            "--paid",
            "1000",
            "--days-total",
            "365",
            "--days-left",
            "100",
            "--seats",
            "150",
        ],
        &[
            "CNY\u{a0}273.97",
            "CNY\u{a0}11726.03",
            "(assumed; set --now)",
        ],
    );
}

#[test]
fn readme_tiers_show_the_volume_cliff_and_an_open_ended_last_tier() {
    // R-SEAT-03 preset: 50 seats x 100 = 5000.00, 51 x 80 = 4080.00.
    let r = answers(
        &["tiers"],
        &["201+", "CNY\u{a0}5000.00", "CNY\u{a0}4080.00", "cliff"],
    );
    assert!(!r.stdout.contains("201-"), "open-ended tier shown as 201-");
}

#[test]
fn readme_packages_plan_1_2_million_calls_after_the_trial_quota() {
    // RULES.md R-USE-02: 1000 free calls first, their own line; R-USE-05:
    // 1,000,000 calls for 28,000; 199,000 more at 0.03 (R-USE-01) = 5970:
    // 33970.00 against 1,199,000 x 0.03 = 35970.00.
    answers(
        &["packages", "--calls", "1200000"],
        &[
            "1000 free trial calls",
            "Plan: CNY 33970.00",
            "Paying per call: CNY 35970.00",
        ],
    );
    // --no-trial: every call paid, 34000.00 against 36000.00.
    let r = answers(
        &["packages", "--calls", "1200000", "--no-trial"],
        &["Plan: CNY 34000.00", "Paying per call: CNY 36000.00"],
    );
    assert!(!r.stdout.contains("trial calls"));
}

#[test]
fn readme_traffic_day_is_settled_by_graduated_tiers() {
    // presets::live_traffic's illustrative mainland list, 250 TB.
    answers(
        &["traffic", "--tb", "250", "--region", "mainland"],
        &["Day's charge: CNY 31840.00", "ILLUSTRATIVE"],
    );
}

#[test]
fn readme_timelines_reach_suspension_and_interception() {
    // R-LIFE-06: 24 h of grace after the expiry day, then suspended.
    answers(
        &["timeline", "--preset", "chat", "--expires", "2025-06-30"],
        &["grace over: suspended", "(assumed date)"],
    );
    // R-LIFE-02/04: the extra trial ends, access is intercepted.
    answers(
        &[
            "timeline",
            "--preset",
            "app-store",
            "--trial-from",
            "2025-06-01",
            "--extra-trial",
        ],
        &["extra trial expired", "intercepted"],
    );
}

#[test]
fn readme_switch_refund_and_licence_refund_answer() {
    // R-PAY-04: pay-as-you-go is final, the last switch is refused.
    answers(&["switch"], &["R-PAY-04", "Dates (assumed)"]);
    // R-REF-01/02: the latest order first, 500 within its 10 days.
    answers(
        &[
            "refund",
            "--orders",
            "2025-06-01:300,2025-06-05:500",
            "--now",
            "2025-06-12",
        ],
        &["Next refund: order o2, CNY 500.00."],
    );
    // R-REF-03: 14 days and 20 GB; 0.02 TB is 20 GB exactly.
    answers(
        &[
            "licence-refund",
            "--first-purchase",
            "2025-06-01",
            "--now",
            "2025-06-15",
            "--traffic",
            "0.02TB",
        ],
        &["yes: CNY\u{a0}30000.00"],
    );
}

#[test]
fn help_documents_the_exit_codes_and_the_envelope() {
    let r = answers(
        &["--help"],
        &["Exit status", "usage error", "\"version\": 1"],
    );
    assert!(r.stdout.contains("0  answered"));
}

// ------------------------------------------------------------ bad inputs

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

// ------------------------------------------------------------ --json

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

// ------------------------------------------------------------ replay

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

// ------------------------------------------------------------ pictures

/// Checks that `svg` is well-formed XML of an `<svg>` root: every element
/// closed in order, attributes quoted, nothing after the root. A small
/// checker rather than an XML crate: plotters writes plain elements only.
fn well_formed(svg: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    let mut rest = svg.trim();
    let mut roots = 0;
    while let Some(start) = rest.find('<') {
        if open.is_empty() && !rest[..start].trim().is_empty() {
            return Err(format!("text outside the root: {:?}", &rest[..start]));
        }
        let end = rest[start..].find('>').ok_or("an unclosed tag")? + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            let expected = open.pop().ok_or(format!("</{name}> closes nothing"))?;
            if expected != name.trim() {
                return Err(format!("</{name}> closes <{expected}>"));
            }
        } else if !tag.starts_with('?') && !tag.starts_with('!') {
            let name: String = tag
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '/')
                .collect();
            if open.is_empty() {
                roots += 1;
            }
            if !tag.matches('"').count().is_multiple_of(2) {
                return Err(format!("unbalanced quotes in <{tag}>"));
            }
            if !tag.ends_with('/') {
                open.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    if !open.is_empty() {
        return Err(format!("unclosed: {open:?}"));
    }
    if roots != 1 || !svg.trim_start().starts_with("<svg") {
        return Err(format!("{roots} roots, or the root is not <svg>"));
    }
    Ok(())
}

#[test]
fn the_well_formedness_checker_can_fail() {
    assert!(well_formed("<svg><text>a</text></svg>").is_ok());
    assert!(well_formed("<svg><text>a</svg>").is_err());
    assert!(well_formed("<svg><line x=\"1/></svg>").is_err());
    assert!(well_formed("<svg></svg><svg></svg>").is_err());
}

fn svg_of(args: &[&str], name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("whatif-svg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let mut with_svg = args.to_vec();
    let path_text = path.to_str().unwrap().to_owned();
    with_svg.extend(["--svg", &path_text]);
    answers(&with_svg, &["Picture: "]);
    let svg = std::fs::read_to_string(&path).unwrap();
    if let Err(problem) = well_formed(&svg) {
        panic!("{args:?}: the SVG is not well-formed: {problem}");
    }
    svg
}

#[test]
fn tiers_svg_draws_both_modes_with_labelled_boundaries_and_the_currency() {
    let svg = svg_of(&["tiers"], "tiers.svg");
    for label in [
        "total price (CNY)",
        "price per seat (CNY)",
        // R-SEAT-03 preset boundaries: 1-50, 51-200, 201+.
        "tier 2: 51+ seats",
        "tier 3: 201+ seats",
        "volume (all seats at the tier",
        "graduated (each tier prices its own seats)",
    ] {
        assert!(svg.contains(label), "tiers.svg lacks {label:?}");
    }
    // One curve per mode and panel, a point per seat count from 1 to 402
    // (twice the last boundary); the volume curve falls at each boundary.
    let curves = svg
        .split("points=\"")
        .skip(1)
        .filter(|rest| {
            rest.split('"')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .count()
                >= 402
        })
        .count();
    assert_eq!(curves, 4, "{svg}");
}

#[test]
fn packages_svg_draws_the_plan_beside_pay_per_call() {
    let svg = svg_of(&["packages", "--calls", "1200000"], "packages.svg");
    for label in [
        "cost (CNY)",
        "calls",
        "forecast: 1200000 calls",
        "cheapest plan",
        "pay per call",
        "after 1000 free trial calls",
    ] {
        assert!(svg.contains(label), "packages.svg lacks {label:?}");
    }
}

#[test]
fn an_svg_that_cannot_be_written_is_a_failure_not_a_panic() {
    refuses(
        &["tiers", "--svg", "/no/such/dir/tiers.svg"],
        1,
        "cannot draw /no/such/dir/tiers.svg",
    );
}
