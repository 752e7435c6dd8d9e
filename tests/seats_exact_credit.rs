//! R-SEAT-08: the upgrade credit is `paid x remaining / total`, rounded
//! once from the true quotient (issue 19, item 1's audit: rounding the
//! 28-digit quotient was a fen off for amounts near 10^23).

use billing_rules::money::{Money, RoundingMode};
use billing_rules::pricing::{CreditGranularity, CreditRule, CurrentPurchase};
use billing_rules::time::Zone;
use chrono::{Duration, TimeZone, Utc};
use rust_decimal::Decimal;

fn credit_of(paid: &str, remaining: i64, total: i64, rounding: RoundingMode) -> (String, String) {
    let start = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    let end = start + Duration::days(total);
    let paid = Money::cny(paid.parse::<Decimal>().unwrap());
    let current = CurrentPurchase { paid, start, end };
    let rule = CreditRule {
        granularity: CreditGranularity::Day,
        rounding,
    };
    let c = rule
        .credit(Zone::UTC, &current, paid, end - Duration::days(remaining))
        .unwrap();
    assert_eq!((c.remaining, c.total), (remaining as u64, total as u64));
    (c.exact.amount().to_string(), c.amount.amount().to_string())
}

#[test]
fn r_seat_08_credit_rounds_the_true_quotient_down_for_a_huge_amount() {
    // 412755917153490182659845 x 72717 / 97977 = ...459.7799..., so down is
    // .77; the 28-digit quotient read ...459.7800 and was cut to .78.
    let (exact, amount) = credit_of(
        "412755917153490182659845.00",
        72_717,
        97_977,
        RoundingMode::TowardZero,
    );
    assert_eq!(amount, "306340998679795723613459.77");
    assert!(exact.starts_with("306340998679795723613459.77"), "{exact}");
}

#[test]
fn r_seat_08_credit_rounds_the_true_quotient_half_up_for_a_huge_amount() {
    // 85473885840017490951423 x 29856 / 54439 = ...711.384999...: half-up
    // is .38, not the .39 of the rounded 28-digit quotient ...711.385.
    let (_, amount) = credit_of(
        "85473885840017490951423.00",
        29_856,
        54_439,
        RoundingMode::HalfUp,
    );
    assert_eq!(amount, "46876473403985418722711.38");
}

#[test]
fn r_seat_08_the_published_credit_is_unchanged() {
    // 1000 x 100 / 365 = 273.9726027397...: the figure and the credit.
    let (exact, amount) = credit_of("1000", 100, 365, RoundingMode::TowardZero);
    assert_eq!(exact, "273.97260273972602739726027397");
    assert_eq!(amount, "273.97");
}
