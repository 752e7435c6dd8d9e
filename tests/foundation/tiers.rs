//! Tier tables, volume and graduated (R-SEAT-03, R-USE-09).

use super::*;

#[test]
fn r_seat_03_volume_prices_whole_order_at_containing_tier() {
    let t = seat_tiers(TierMode::Volume);
    assert_eq!(t.price(d("50")).unwrap().total, Money::cny(d("500")));
    assert_eq!(t.price(d("51")).unwrap().total, Money::cny(d("408")));
    assert_eq!(t.price(d("201")).unwrap().total, Money::cny(d("1206")));
    assert_eq!(t.price(d("201")).unwrap().tier, 2);
}

#[test]
fn r_seat_03_graduated_sums_each_tier_part() {
    let t = seat_tiers(TierMode::Graduated);
    assert_eq!(t.price(d("50")).unwrap().total, Money::cny(d("500")));
    assert_eq!(t.price(d("51")).unwrap().total, Money::cny(d("508")));
    // 500 + 150 x 8 + 100 x 6
    assert_eq!(t.price(d("300")).unwrap().total, Money::cny(d("2300")));
}

#[test]
fn r_seat_03_flat_and_unit_parts_combine() {
    let t = TierTable::try_from(
        TierTableSpec {
            mode: TierMode::Graduated,
            tiers: vec![
                TierSpec {
                    from: d("0"),
                    to: Some(d("10")),
                    flat: Some(d("100")),
                    unit_price: None,
                },
                TierSpec {
                    from: d("10"),
                    to: None,
                    flat: Some(d("5")),
                    unit_price: Some(d("0.5")),
                },
            ],
        }
        .on(Axis::Continuous, Currency::CNY),
    )
    .unwrap();
    assert_eq!(t.price(d("10")).unwrap().total, Money::cny(d("100")));
    assert_eq!(t.price(d("12.5")).unwrap().total, Money::cny(d("106.25")));
    assert_eq!(t.to_spec().tiers[0].unit_price, None);
}

#[test]
fn r_seat_03_gaps_overlaps_and_unbounded_middles_are_refused() {
    let build = |tiers: Vec<TierSpec>| {
        TierTable::try_from(
            TierTableSpec {
                mode: TierMode::Volume,
                tiers,
            }
            .on(Axis::Whole, Currency::CNY),
        )
    };
    let gap = build(vec![
        TierSpec::unit(1, Some(50), d("1")),
        TierSpec::unit(52, None, d("1")),
    ])
    .unwrap_err();
    assert_eq!(gap.field, "tiers[1].from");
    assert!(gap.problem.contains("gap"), "{gap}");
    assert_eq!(gap.rule, Some(RuleId::Seat03));
    let overlap = build(vec![
        TierSpec::unit(1, Some(50), d("1")),
        TierSpec::unit(50, None, d("1")),
    ])
    .unwrap_err();
    assert!(overlap.problem.contains("overlap"), "{overlap}");
    let middle = build(vec![
        TierSpec::unit(1, None, d("1")),
        TierSpec::unit(51, None, d("1")),
    ])
    .unwrap_err();
    assert_eq!(middle.field, "tiers[0].to");
    let negative = build(vec![TierSpec::unit(1, None, d("-1"))]).unwrap_err();
    assert_eq!(negative.field, "tiers[0].unit_price");
    let empty = build(vec![]).unwrap_err();
    assert_eq!(empty.field, "tiers");
    let backwards = build(vec![TierSpec::unit(1, Some(0), d("1"))]).unwrap_err();
    assert_eq!(backwards.field, "tiers[0].to");
}

#[test]
fn r_seat_03_quantity_beyond_a_bounded_last_tier_is_refused() {
    let t = TierTable::try_from(
        TierTableSpec {
            mode: TierMode::Volume,
            tiers: vec![TierSpec::unit(1, Some(50), d("1"))],
        }
        .on(Axis::Whole, Currency::CNY),
    )
    .unwrap();
    let err = t.price(d("51")).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Seat03));
    assert!(t.price(d("0")).is_err());
}

proptest! {
    #[test]
    fn r_seat_03_graduated_total_never_falls_as_seats_grow(seats in 1u64..1_000_000) {
        let t = seat_tiers(TierMode::Graduated);
        let a = t.price(Decimal::from(seats)).unwrap().total;
        let b = t.price(Decimal::from(seats + 1)).unwrap().total;
        prop_assert!(b.amount() >= a.amount());
    }

    #[test]
    fn r_seat_03_volume_total_is_the_containing_tier_price(seats in 1u64..1_000_000) {
        let t = seat_tiers(TierMode::Volume);
        let price = t.price(Decimal::from(seats)).unwrap();
        let tier = &t.tiers()[price.tier];
        prop_assert!(Decimal::from(seats) >= tier.from());
        prop_assert!(tier.to().is_none_or(|to| Decimal::from(seats) <= to));
        prop_assert_eq!(price.total, tier.unit_price().checked_mul(Decimal::from(seats)).unwrap());
    }
}

proptest! {
    #[test]
    fn exact_cmp_agrees_with_decimal_ordering(a in any_decimal(), b in any_decimal()) {
        prop_assert_eq!(billing_rules::exact::cmp(a, b), a.cmp(&b));
        let (a1, b1) = (a.trunc(), b.trunc());
        prop_assert_eq!(billing_rules::exact::cmp(a1, b1), a1.cmp(&b1));
    }
}

#[test]
fn r_use_09_a_graduated_price_that_cannot_be_exact_is_an_error_not_a_rounded_number() {
    // Found by the usage robustness suite: the exact answer (...334.5) does
    // not fit a Decimal, and the tier arithmetic used to round it silently.
    let t = TierTable::try_from(
        TierTableSpec {
            mode: TierMode::Graduated,
            tiers: vec![
                TierSpec {
                    from: d("0"),
                    to: Some(d("0.5")),
                    flat: None,
                    unit_price: Some(d("0")),
                },
                TierSpec {
                    from: d("0.5"),
                    to: None,
                    flat: None,
                    unit_price: Some(d("1")),
                },
            ],
        }
        .on(Axis::Continuous, Currency::CNY),
    )
    .unwrap();
    assert!(matches!(
        t.price(Decimal::MAX),
        Err(Error::Arithmetic {
            error: ArithmeticError::PrecisionLoss { .. },
            ..
        })
    ));
    assert_eq!(t.price(d("2.5")).unwrap().total, Money::cny(d("2")));
}
