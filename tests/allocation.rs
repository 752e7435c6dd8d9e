//! `Money::allocate` (issue 16, item 3): largest remainder at the minor
//! unit, deterministic ties, clear errors.

use billing_rules::money::{Currency, Money};
use billing_rules::{ArithmeticError, Decimal};
use proptest::prelude::*;

fn cny(text: &str) -> Money {
    Money::cny(text.parse().unwrap())
}

/// Lago #4313: three lines of a 241.67 total each rounded on their own gave
/// 241.66. Allocated, the lines add up to the total.
#[test]
fn lago_4313_allocated_lines_add_up_to_the_total() {
    let parts = cny("241.67").allocate(&[Decimal::ONE; 3]).unwrap();
    let shown: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    assert_eq!(shown, ["CNY 80.56", "CNY 80.56", "CNY 80.55"]);
    // Each line rounded on its own: 80.56 x 3 = 241.68, or 80.55 x 3 = 241.65.
    let sum: Decimal = parts.iter().map(|p| p.amount()).sum();
    assert_eq!(sum, "241.67".parse::<Decimal>().unwrap());
}

#[test]
fn ties_go_to_the_earliest_index_and_negative_amounts_mirror() {
    let parts = cny("0.02").allocate(&[Decimal::ONE; 3]).unwrap();
    assert_eq!(
        parts.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        ["CNY 0.01", "CNY 0.01", "CNY 0.00"]
    );
    let parts = cny("-0.02").allocate(&[Decimal::ONE; 3]).unwrap();
    assert_eq!(
        parts.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        ["CNY -0.01", "CNY -0.01", "CNY 0.00"]
    );
    // A zero weight gets nothing.
    let parts = cny("10").allocate(&[Decimal::ZERO, Decimal::ONE]).unwrap();
    assert_eq!(parts[0].to_string(), "CNY 0.00");
}

#[test]
fn bad_weights_are_invalid_allocations_naming_why() {
    let amount = cny("10.00");
    for (weights, says) in [
        (vec![], "no weights"),
        (vec![Decimal::ONE, Decimal::NEGATIVE_ONE], "weight 1 is -1"),
        (vec![Decimal::ZERO, Decimal::ZERO], "every weight is zero"),
    ] {
        let err = amount.allocate(&weights).unwrap_err();
        assert!(
            matches!(err, ArithmeticError::InvalidAllocation { .. }),
            "{err}"
        );
        assert!(err.to_string().contains(says), "{err}");
    }
    let err = cny("10.005").allocate(&[Decimal::ONE]).unwrap_err();
    assert!(err.to_string().contains("below the minor unit"), "{err}");
}

proptest! {
    /// For any amount and weights: the parts add up to the whole exactly,
    /// and each is within one minor unit of its exact share.
    #[test]
    fn parts_add_up_and_stay_within_one_minor_unit(
        units in -10_000_000_000i64..10_000_000_000,
        weights in prop::collection::vec((0u64..1_000_000, 0u32..4), 1..40),
        jpy in any::<bool>(),
    ) {
        let currency = if jpy { Currency::JPY } else { Currency::CNY };
        let amount = Money::new(Decimal::new(units, currency.scale()), currency);
        let weights: Vec<Decimal> = weights.iter().map(|(m, s)| Decimal::new(*m as i64, *s)).collect();
        let total: Decimal = weights.iter().sum();
        let parts = amount.allocate(&weights);
        if total.is_zero() {
            prop_assert!(parts.is_err());
            return Ok(());
        }
        let parts = parts.unwrap();
        prop_assert_eq!(parts.len(), weights.len());
        let sum: Decimal = parts.iter().map(|p| p.amount()).sum();
        prop_assert_eq!(sum, amount.amount());
        for (part, w) in parts.iter().zip(&weights) {
            prop_assert_eq!(part.amount().scale(), currency.scale());
            let exact = amount.amount() * *w / total;
            prop_assert!((part.amount() - exact).abs() < currency.minor_unit(), "{} vs {}", part, exact);
        }
    }
}
