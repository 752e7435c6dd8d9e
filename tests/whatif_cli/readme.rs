//! Every README command: exit 0 and its key figures.

use super::*;

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

/// `text` split into words as a shell would for the README's commands:
/// spaces separate, single quotes group.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn every_whatif_command_in_the_readme_answers() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md")
        // A command continued over lines runs as one line, as in a shell.
        .replace("\\\n", " ");
    let dir = std::env::temp_dir().join(format!("whatif-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut ran = 0;
    for line in readme.lines() {
        let Some(rest) = line.trim().strip_prefix("cargo run --example whatif") else {
            continue;
        };
        let rest = rest.trim_start().strip_prefix("--").unwrap_or(rest);
        let mut words = shell_words(rest);
        // Pictures go to a scratch directory, not into the checkout.
        for i in 1..words.len() {
            if words[i - 1] == "--svg" {
                words[i] = dir.join(&words[i]).to_string_lossy().into_owned();
            }
        }
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let r = run(&args);
        assert_eq!(r.status, 0, "README: {line}\n{}{}", r.stdout, r.stderr);
        assert!(
            !r.stdout.trim().is_empty(),
            "README: {line} printed nothing"
        );
        ran += 1;
    }
    // The quick start's tour, ten what-ifs, two replays and two pictures.
    assert!(ran >= 15, "only {ran} whatif commands found in the README");
}
