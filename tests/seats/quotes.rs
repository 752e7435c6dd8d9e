//! Seat quotes: periods, unit prices, tiers, discounts, bonus days, caps,
//! limits (R-SEAT-01..07).

use super::*;

// ------------------------------------------------------------ R-SEAT-01

#[test]
fn r_seat_01_a_year_is_365_days_and_a_month_31() {
    let yearly = preset();
    let q = yearly.quote(&SeatOrder::new(10, 2)).unwrap();
    assert_eq!(q.validity.purchased_days, Days(730));
    assert_eq!(q.validity.total_days, Days(730));

    let monthly = build(unit_price_spec(Period::Month, "10"));
    let q = monthly.quote(&SeatOrder::new(10, 3)).unwrap();
    assert_eq!(q.validity.purchased_days, Days(93));
    assert_eq!(q.total, cny("300.00"));
}

#[test]
fn r_seat_01_validity_runs_from_the_start_for_the_purchased_days() {
    let start = bj(2025, 3, 1, 9, 30, 0);
    let q = preset()
        .quote(&SeatOrder::new(10, 2).starting(start))
        .unwrap();
    assert_eq!(q.validity.start, Some(start));
    assert_eq!(q.validity.end, Some(bj(2027, 3, 1, 9, 30, 0)));
    // Without a start the quote has only the length.
    let q = preset().quote(&SeatOrder::new(10, 2)).unwrap();
    assert_eq!((q.validity.start, q.validity.end), (None, None));
}

#[test]
fn r_seat_01_the_validity_reads_as_days_a_period_and_instants() {
    let start = bj(2025, 3, 1, 9, 30, 0);
    let q = preset()
        .quote(&SeatOrder::new(10, 2).starting(start))
        .unwrap();
    assert_eq!(q.validity_days(), Days(730));
    assert_eq!(q.validity_period(), Period::days(730));
    assert_eq!(q.validity.as_period(), Period::days(730));
    assert_eq!(q.starts_at(), Some(start));
    assert_eq!(q.ends_at(), Some(bj(2027, 3, 1, 9, 30, 0)));
    // Bonus days are part of the validity.
    let bonus = build(with_bonus(1, BonusAmount::Days(30)))
        .quote(&SeatOrder::new(10, 1))
        .unwrap();
    assert_eq!(bonus.validity_days(), Days(395));
    assert_eq!(bonus.validity_period(), Period::days(395));
    assert_eq!((bonus.starts_at(), bonus.ends_at()), (None, None));
}

#[test]
fn r_seat_01_a_period_other_than_year_or_month_is_refused() {
    let err = policy_error(unit_price_spec(Period::days(90).unwrap(), "10"));
    assert_eq!(err.field, "period");
    assert_eq!(
        err.allowed,
        "year (365 days), month (31 days), or a calendar month or year from the purchase day ({\"calendar\": \"month\"})"
    );
    assert_eq!(err.rule, Some(RuleId::Seat01));
}

#[test]
fn r_seat_01_zero_periods_is_refused() {
    let err = preset().quote(&SeatOrder::new(10, 0)).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat01);
    assert_eq!(
        err.refusal().unwrap().figure("periods"),
        Some(&FigureValue::Count(0))
    );
}

// ------------------------------------------------------------ R-SEAT-02

#[test]
fn r_seat_02_unit_price_times_seats_times_periods() {
    let policy = build(unit_price_spec(Period::Month, "12.50"));
    let q = policy.quote(&SeatOrder::new(7, 3)).unwrap();
    assert_eq!(q.total, cny("262.50"));
    match q.step(RuleId::Seat02).map(|s| s.detail) {
        Some(StepDetail::BasePrice {
            seats,
            basis: PriceBasis::UnitPrice { unit_price },
            per_period,
            periods,
            amount,
        }) => {
            assert_eq!((seats, periods), (7, 3));
            assert_eq!(unit_price, cny("12.50"));
            assert_eq!(per_period, cny("87.50"));
            assert_eq!(amount, cny("262.50"));
        }
        other => panic!("expected a unit-price base step, got {other:?}"),
    }
}

#[test]
fn r_seat_02_negative_unit_price_is_refused() {
    let err = policy_error(unit_price_spec(Period::Year, "-1"));
    assert_eq!(err.field, "pricing.unit_price");
    assert_eq!(err.allowed, "zero or more");
    assert_eq!(err.rule, Some(RuleId::Seat02));
}

// ------------------------------------------------------------ R-SEAT-03

#[test]
fn r_seat_03_volume_tier_prices_the_whole_order_and_shows_the_cliff() {
    let policy = preset();
    let total = |seats| policy.quote(&SeatOrder::new(seats, 1)).unwrap().total;
    assert_eq!(total(1), cny("100.00"));
    assert_eq!(total(50), cny("5000.00"));
    assert_eq!(total(51), cny("4080.00")); // the cliff: one more seat costs less
    assert_eq!(total(200), cny("16000.00"));
    assert_eq!(total(201), cny("12060.00"));
    assert_eq!(total(1000), cny("60000.00"));
}

#[test]
fn r_seat_03_the_base_step_names_the_tier_used() {
    let q = preset().quote(&SeatOrder::new(120, 1)).unwrap();
    match q.step(RuleId::Seat03).map(|s| s.detail) {
        Some(StepDetail::BasePrice {
            basis:
                PriceBasis::Tier {
                    mode,
                    index,
                    from,
                    to,
                    unit_price,
                    flat,
                },
            per_period,
            ..
        }) => {
            assert_eq!(mode, TierMode::Volume);
            assert_eq!((index, from, to), (1, d("51"), Some(d("200"))));
            assert_eq!((unit_price, flat), (cny("80"), cny("0")));
            assert_eq!(per_period, cny("9600.00"));
        }
        other => panic!("expected a tier base step, got {other:?}"),
    }
}

#[test]
fn r_seat_03_graduated_tiers_each_price_their_own_seats() {
    let mut spec = app_store_seat_pricing_spec().without_offers();
    if let PricingSpec::Tiered(table) = &mut spec.pricing {
        table.mode = TierMode::Graduated;
    }
    let policy = build(spec);
    let total = |seats| policy.quote(&SeatOrder::new(seats, 1)).unwrap().total;
    assert_eq!(total(50), cny("5000.00"));
    assert_eq!(total(51), cny("5080.00"));
    assert_eq!(total(120), cny("10600.00")); // 50 x 100 + 70 x 80
    assert_eq!(total(250), cny("20000.00")); // 5000 + 150 x 80 + 50 x 60
}

#[test]
fn r_seat_03_a_tier_may_have_a_flat_amount_and_a_unit_price() {
    let tiers = vec![
        TierSpec::flat(1, Some(10), d("300")),
        TierSpec {
            from: d("11"),
            to: None,
            flat: Some(d("250")),
            unit_price: Some(d("20")),
        },
    ];
    let volume = build(tiered(TierMode::Volume, tiers.clone()));
    assert_eq!(
        volume.quote(&SeatOrder::new(4, 1)).unwrap().total,
        cny("300")
    );
    assert_eq!(
        volume.quote(&SeatOrder::new(15, 1)).unwrap().total,
        cny("550.00") // 250 + 15 x 20
    );
    let graduated = build(tiered(TierMode::Graduated, tiers));
    assert_eq!(
        graduated.quote(&SeatOrder::new(15, 1)).unwrap().total,
        cny("650.00") // 300 + 250 + 5 x 20
    );
}

#[test]
fn r_seat_03_tiers_with_a_gap_an_overlap_or_an_unbounded_middle_are_refused() {
    let unit = |from, to| TierSpec::unit(from, to, d("10"));
    let gap = policy_error(tiered(
        TierMode::Volume,
        vec![unit(1, Some(50)), unit(52, None)],
    ));
    assert_eq!(gap.field, "pricing.tiers[1].from");
    assert!(gap.problem.contains("a gap"), "{gap}");
    assert_eq!(gap.allowed, "51");
    assert_eq!(gap.rule, Some(RuleId::Seat03));

    let overlap = policy_error(tiered(
        TierMode::Volume,
        vec![unit(1, Some(50)), unit(50, None)],
    ));
    assert_eq!(overlap.field, "pricing.tiers[1].from");
    assert!(overlap.problem.contains("an overlap"), "{overlap}");

    let unbounded = policy_error(tiered(
        TierMode::Graduated,
        vec![unit(1, None), unit(51, None)],
    ));
    assert_eq!(unbounded.field, "pricing.tiers[0].to");
    assert_eq!(unbounded.rule, Some(RuleId::Seat03));
}

#[test]
fn r_seat_03_a_negative_tier_price_is_refused() {
    let err = policy_error(tiered(
        TierMode::Volume,
        vec![TierSpec::unit(1, None, d("-0.01"))],
    ));
    assert_eq!(err.field, "pricing.tiers[0].unit_price");
    assert_eq!(err.rule, Some(RuleId::Seat03));
}

#[test]
fn r_seat_03_seats_beyond_a_bounded_last_tier_are_refused() {
    let policy = build(tiered(
        TierMode::Volume,
        vec![TierSpec::unit(1, Some(100), d("10"))],
    ));
    let err = policy.quote(&SeatOrder::new(101, 1)).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat03);
    assert_eq!(
        err.refusal().unwrap().figure("quantity"),
        Some(&FigureValue::Decimal(d("101")))
    );
}

// ------------------------------------------------------------ R-SEAT-04

#[test]
fn r_seat_04_two_years_cost_85_percent_of_list() {
    let q = preset().quote(&SeatOrder::new(120, 2)).unwrap();
    assert_eq!(q.total, cny("16320.00"));
    match q.step(RuleId::Seat04).map(|s| s.detail) {
        Some(StepDetail::Discount {
            factor,
            before,
            after,
        }) => {
            assert_eq!(factor, d("0.85"));
            assert_eq!(before, cny("19200"));
            assert_eq!(after, cny("16320"));
        }
        other => panic!("expected a discount step, got {other:?}"),
    }
}

#[test]
fn r_seat_04_a_free_plan_stays_free_under_a_discount() {
    let mut spec = unit_price_spec(Period::Year, "0");
    spec.discounts = vec![DiscountSpec {
        periods: 2,
        factor: d("0.85"),
    }];
    let q = build(spec).quote(&SeatOrder::new(10, 2)).unwrap();
    assert_eq!(q.total.amount(), Decimal::ZERO);
    assert!(q.step(RuleId::Seat04).is_some());
}

#[test]
fn r_seat_04_a_discount_applies_to_its_exact_duration_only() {
    let policy = preset();
    for periods in [1, 3] {
        let q = policy.quote(&SeatOrder::new(120, periods)).unwrap();
        assert!(q.step(RuleId::Seat04).is_none());
        assert_eq!(q.total, cny("9600").checked_mul(periods.into()).unwrap());
    }
}

#[test]
fn r_seat_04_a_factor_below_070_is_refused_when_the_policy_is_built() {
    let mut spec = app_store_seat_pricing_spec();
    spec.discounts = vec![DiscountSpec {
        periods: 2,
        factor: d("0.69"),
    }];
    let err = policy_error(spec.clone());
    assert_eq!(err.field, "discounts[0].factor");
    assert_eq!(err.allowed, "0.70 to 1");
    assert_eq!(err.rule, Some(RuleId::Seat04));
    assert_eq!(
        err.to_string(),
        "invalid policy: `discounts[0].factor`: 0.69 is below the floor of 0.70: a discount \
         that deep is not allowed; allowed: 0.70 to 1 (R-SEAT-04)"
    );

    spec.discounts[0].factor = d("0.70");
    let q = (build(spec.clone())).quote(&SeatOrder::new(10, 2)).unwrap();
    assert_eq!(q.total, cny("1400.00")); // 10 x 100 x 2 x 0.70

    spec.discounts[0].factor = d("1.01");
    assert_eq!(policy_error(spec).field, "discounts[0].factor");
}

#[test]
fn r_seat_04_one_discount_per_duration_and_at_least_one_period() {
    let mut spec = app_store_seat_pricing_spec();
    spec.discounts.push(DiscountSpec {
        periods: 2,
        factor: d("0.9"),
    });
    let err = policy_error(spec.clone());
    assert_eq!(err.field, "discounts[1].periods");
    assert_eq!(err.allowed, "one discount per duration");

    spec.discounts = vec![DiscountSpec {
        periods: 0,
        factor: d("0.9"),
    }];
    assert_eq!(policy_error(spec).field, "discounts[0].periods");
}

#[test]
fn r_seat_04_the_floor_is_a_policy_field() {
    let mut spec = app_store_seat_pricing_spec();
    spec.discount_floor = d("0.5");
    spec.discounts[0].factor = d("0.6");
    assert_eq!(build(spec.clone()).discount_for(2), Some(d("0.6")));
    spec.discount_floor = d("0");
    assert_eq!(policy_error(spec).field, "discount_floor");
}

#[test]
fn r_seat_05_a_percentage_bonus_is_rounded_down_to_whole_days() {
    let policy = build(with_bonus(1, BonusAmount::Percent(d("35"))));
    assert_eq!(policy.bonus_for(1), Some(Days(127))); // 365 x 35% = 127.75
    let start = bj(2025, 1, 1, 0, 0, 0);
    let q = policy
        .quote(&SeatOrder::new(10, 1).starting(start))
        .unwrap();
    assert_eq!(q.validity.bonus_days, Days(127));
    assert_eq!(q.validity.total_days, Days(492));
    assert_eq!(q.validity.end, Some(start + Duration::days(492)));
    assert_eq!(q.total, cny("1000.00")); // bonus days cost nothing
    assert!(matches!(
        q.step(RuleId::Seat05).map(|s| s.detail),
        Some(StepDetail::BonusDays {
            days: Days(127),
            total_days: Days(492)
        })
    ));
}

#[test]
fn r_seat_05_bonus_above_35_percent_is_refused() {
    assert_eq!(
        build(with_bonus(1, BonusAmount::Days(127))).bonus_for(1),
        Some(Days(127))
    );
    let err = policy_error(with_bonus(1, BonusAmount::Days(128)));
    assert_eq!(err.field, "bonuses[0].bonus.days");
    assert_eq!(err.allowed, "0 to 127 days");
    assert_eq!(err.rule, Some(RuleId::Seat05));

    let err = policy_error(with_bonus(2, BonusAmount::Percent(d("35.01"))));
    assert_eq!(err.field, "bonuses[0].bonus.percent");
    assert_eq!(err.allowed, "0 to 35");
    // 2 years: 730 x 35% = 255.5, so 255 days is the most.
    assert!(SeatPolicy::try_from(with_bonus(2, BonusAmount::Days(255))).is_ok());
    assert!(SeatPolicy::try_from(with_bonus(2, BonusAmount::Days(256))).is_err());
}

#[test]
fn r_seat_05_bonus_days_and_a_discount_for_the_same_duration_are_refused() {
    let mut spec = app_store_seat_pricing_spec(); // 2 years at 0.85
    spec.bonuses = vec![BonusSpec {
        periods: 2,
        bonus: BonusAmount::Days(30),
    }];
    let err = policy_error(spec.clone());
    assert_eq!(err.field, "bonuses[0].periods");
    assert_eq!(err.allowed, "a duration without a discount");
    assert_eq!(err.rule, Some(RuleId::Seat05));

    // Another duration may take bonus days.
    spec.bonuses[0].periods = 1;
    let policy = build(spec);
    let one = policy.quote(&SeatOrder::new(10, 1)).unwrap();
    assert_eq!(one.validity.bonus_days, Days(30));
    assert!(one.step(RuleId::Seat04).is_none());
    let two = policy.quote(&SeatOrder::new(10, 2)).unwrap();
    assert_eq!(two.validity.bonus_days, Days(0));
    assert!(two.step(RuleId::Seat05).is_none());
}

// ------------------------------------------------------------ R-SEAT-06

#[test]
fn r_seat_06_price_cap_applies_after_discount() {
    // 120 seats x 80 x 2 years = 19200 list; x 0.85 = 16320.
    let mut spec = app_store_seat_pricing_spec();
    spec.max_total = Some(d("18000"));
    let q = (build(spec.clone()))
        .quote(&SeatOrder::new(120, 2))
        .unwrap();
    // The list price is above the cap, the discounted price is not.
    assert_eq!(q.total, cny("16320.00"));
    assert!(matches!(
        q.step(RuleId::Seat06).map(|s| s.detail),
        Some(StepDetail::Cap { applied: false, .. })
    ));

    spec.max_total = Some(d("16000"));
    let q = build(spec).quote(&SeatOrder::new(120, 2)).unwrap();
    assert_eq!(q.total, cny("16000.00"));
    match q.step(RuleId::Seat06).map(|s| s.detail) {
        Some(StepDetail::Cap {
            cap,
            before,
            applied,
            after,
        }) => {
            assert_eq!(
                (cap, before, applied, after),
                (cny("16000"), cny("16320"), true, cny("16000"))
            );
        }
        other => panic!("expected a cap step, got {other:?}"),
    }
}

#[test]
fn r_seat_06_the_cap_bounds_the_order_total_not_each_period() {
    let mut spec = app_store_seat_pricing_spec().without_offers();
    spec.max_total = Some(d("10000"));
    let policy = build(spec);
    // One year of 120 seats (9600) is under the cap; three years (28800) are not.
    assert_eq!(
        policy.quote(&SeatOrder::new(120, 1)).unwrap().total,
        cny("9600.00")
    );
    assert_eq!(
        policy.quote(&SeatOrder::new(120, 3)).unwrap().total,
        cny("10000")
    );
}

#[test]
fn r_seat_06_a_negative_cap_or_one_finer_than_the_minor_unit_is_refused() {
    let mut spec = app_store_seat_pricing_spec();
    spec.max_total = Some(d("-1"));
    let err = policy_error(spec.clone());
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("max_total", Some(RuleId::Seat06))
    );
    spec.max_total = Some(d("100.005"));
    let err = policy_error(spec.clone());
    assert_eq!(err.allowed, "a whole number of 0.01");
    spec.max_total = Some(d("100.010"));
    assert!(SeatPolicy::try_from(spec).is_ok());
}

#[test]
fn final_total_is_rounded_once_to_the_minor_unit_with_the_locale_mode() {
    // 1 seat at 0.125 a month: half-up 0.13, half-even 0.12.
    let mut spec = unit_price_spec(Period::Month, "0.125");
    let q = (build(spec.clone())).quote(&SeatOrder::new(1, 1)).unwrap();
    assert_eq!(q.total, cny("0.13"));
    assert!(matches!(
        q.steps().last().map(|s| (s.rule, s.detail)),
        Some((
            RuleId::Seat02,
            StepDetail::Rounding {
                mode: RoundingMode::HalfUp,
                ..
            }
        ))
    ));
    spec.locale.rounding = RoundingMode::HalfEven;
    assert_eq!(
        build(spec).quote(&SeatOrder::new(1, 1)).unwrap().total,
        cny("0.12")
    );
}

#[test]
fn r_seat_07_an_order_outside_the_limits_is_refused_with_the_limits() {
    let policy = build(limited(Some(5), Some(500)));
    for seats in [4, 501] {
        let err = policy.quote(&SeatOrder::new(seats, 1)).unwrap_err();
        let refusal = err.refusal().unwrap();
        assert_eq!(refusal.rule(), RuleId::Seat07);
        assert_eq!(
            refusal.figure("seats"),
            Some(&FigureValue::Count(seats.into()))
        );
        assert_eq!(refusal.figure("min_seats"), Some(&FigureValue::Count(5)));
        assert_eq!(refusal.figure("max_seats"), Some(&FigureValue::Count(500)));
    }
    let err = policy.quote(&SeatOrder::new(4, 1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "refused: R-SEAT-07: an order of 4 seats is outside the seat limits; order 5 to 500 \
         seats (seats = 4, min_seats = 5, max_seats = 500)"
    );
    // The bounds themselves are inside: refused, never clamped.
    assert_eq!(
        policy.quote(&SeatOrder::new(5, 1)).unwrap().total,
        cny("500.00")
    );
    assert_eq!(
        policy.quote(&SeatOrder::new(500, 1)).unwrap().total,
        cny("30000.00")
    );
}

#[test]
fn r_seat_07_zero_seats_is_refused_even_without_limits() {
    let err = preset().quote(&SeatOrder::new(0, 1)).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Seat07);
    assert_eq!(refusal.figure("min_seats"), Some(&FigureValue::Count(1)));
    assert_eq!(refusal.figure("max_seats"), None);
}

#[test]
fn r_seat_07_min_above_max_or_zero_is_refused() {
    let err = policy_error(limited(Some(10), Some(5)));
    assert_eq!(err.field, "min_seats");
    assert_eq!(err.allowed, "at most max_seats");
    assert_eq!(err.rule, Some(RuleId::Seat07));
    assert_eq!(policy_error(limited(Some(0), None)).field, "min_seats");
    assert_eq!(policy_error(limited(None, Some(0))).field, "max_seats");
    assert!(SeatPolicy::try_from(limited(Some(5), Some(5))).is_ok());
}

#[test]
fn steps_come_in_the_order_they_were_applied() {
    let mut spec = limited(Some(1), Some(1000));
    spec.max_total = Some(d("100000"));
    let policy = build(spec.clone());
    let q = policy.quote(&SeatOrder::new(120, 2)).unwrap();
    use RuleId::*;
    assert_eq!(rules(&q), [Seat07, Seat01, Seat03, Seat04, Seat06, Seat03]);

    spec.discounts.clear();
    spec.bonuses = vec![BonusSpec {
        periods: 2,
        bonus: BonusAmount::Days(60),
    }];
    let q = build(spec).quote(&SeatOrder::new(120, 2)).unwrap();
    assert_eq!(rules(&q), [Seat07, Seat01, Seat03, Seat05, Seat06, Seat03]);
}
