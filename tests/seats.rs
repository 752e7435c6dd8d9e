//! Seat plans (issue 3): R-SEAT-01 to R-SEAT-10, one or more tests per rule.

mod common;

use billing_rules::money::{Currency, RoundingMode};
use billing_rules::policy::Locale;
use billing_rules::presets::{app_store_seat_pricing, app_store_seat_pricing_spec};
use billing_rules::pricing::{
    BonusAmount, BonusSpec, ChannelSpec, CreditCap, CreditGranularity, CreditRule, CurrentPurchase,
    DiscountSpec, ExtensionOrder, PaymentChannel, Platform, PriceBasis, PricingSpec, Quote,
    SeatOrder, SeatPolicy, SeatPolicySpec, StepDetail, TierMode, TierSpec, TierTableSpec,
};
use billing_rules::time::{Days, Period, Zone};
use billing_rules::{Error, FigureValue, PolicyError, RuleId};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{cny, d};
use rust_decimal::Decimal;

/// An instant written in local time, UTC+08:00.
fn bj(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Zone::BEIJING.at(y, m, day, h, min, s).unwrap()
}

fn unit_price_spec(period: Period, unit_price: &str) -> SeatPolicySpec {
    SeatPolicySpec {
        period,
        pricing: PricingSpec::UnitPrice {
            unit_price: d(unit_price),
        },
        ..app_store_seat_pricing_spec()
    }
    .without_offers()
}

trait WithoutOffers {
    fn without_offers(self) -> Self;
}

impl WithoutOffers for SeatPolicySpec {
    fn without_offers(mut self) -> Self {
        self.discounts.clear();
        self.bonuses.clear();
        self
    }
}

fn tiered(mode: TierMode, tiers: Vec<TierSpec>) -> SeatPolicySpec {
    SeatPolicySpec {
        pricing: PricingSpec::Tiered(TierTableSpec { mode, tiers }),
        ..app_store_seat_pricing_spec()
    }
    .without_offers()
}

fn build(spec: SeatPolicySpec) -> SeatPolicy {
    SeatPolicy::try_from(spec).unwrap()
}

fn policy_error(spec: SeatPolicySpec) -> PolicyError {
    SeatPolicy::try_from(spec).unwrap_err()
}

fn refusal_rule(err: &Error) -> RuleId {
    err.refusal().expect("a refusal").rule()
}

fn rules(q: &Quote) -> Vec<RuleId> {
    q.steps().iter().map(|s| s.rule).collect()
}

fn preset() -> SeatPolicy {
    app_store_seat_pricing().unwrap()
}

fn year_purchase(paid: &str, start: DateTime<Utc>) -> CurrentPurchase {
    CurrentPurchase {
        paid: cny(paid),
        start,
        end: start + Duration::days(365),
    }
}

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

// ------------------------------------------------------------ R-SEAT-05

fn with_bonus(periods: u32, bonus: BonusAmount) -> SeatPolicySpec {
    let mut spec = app_store_seat_pricing_spec().without_offers();
    spec.bonuses = vec![BonusSpec { periods, bonus }];
    spec
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

// ------------------------------------------------------------ R-SEAT-07

fn limited(min: Option<u32>, max: Option<u32>) -> SeatPolicySpec {
    SeatPolicySpec {
        min_seats: min,
        max_seats: max,
        ..app_store_seat_pricing_spec()
    }
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

// ------------------------------------------------------------ R-SEAT-08

#[test]
fn r_seat_08_published_example_1000_paid_365_days_100_left_is_273_97() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    // 100 days left: the last 100 local days have not started.
    let now = bj(2025, 9, 22, 12, 0, 0);
    let c = preset().credit(&current, cny("5000"), now).unwrap();
    assert_eq!((c.remaining, c.total), (100, 365));
    assert_eq!(c.amount, cny("273.97"));
    assert_eq!(c.exact.amount().round_dp(6), d("273.972603"));
    assert_eq!(c.rounding, RoundingMode::TowardZero);
    assert_eq!(c.capped_by, None);
}

#[test]
fn r_seat_08_a_day_that_has_started_counts_as_used() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let remaining = |now| {
        preset()
            .credit(&current, cny("5000"), now)
            .unwrap()
            .remaining
    };
    assert_eq!(remaining(start), 365);
    assert_eq!(remaining(start + Duration::seconds(1)), 364);
    assert_eq!(remaining(bj(2025, 1, 1, 23, 59, 59)), 364);
    assert_eq!(remaining(bj(2025, 1, 2, 0, 0, 0)), 364);
    assert_eq!(remaining(bj(2025, 1, 2, 0, 0, 1)), 363);
    assert_eq!(remaining(bj(2025, 12, 31, 0, 0, 1)), 0);
}

#[test]
fn r_seat_08_days_are_counted_in_the_policy_zone() {
    let start = bj(2025, 1, 1, 0, 0, 0); // 2024-12-31 16:00 UTC
    let current = year_purchase("1000", start);
    let now = bj(2025, 1, 1, 4, 0, 0); // 2024-12-31 20:00 UTC
    let beijing = CreditRule::default();
    let c = beijing
        .credit(Zone::BEIJING, &current, cny("5000"), now)
        .unwrap();
    assert_eq!((c.remaining, c.total), (364, 365));
    // In UTC the purchase's first day (1 January, UTC) has not started yet.
    let c = beijing
        .credit(Zone::UTC, &current, cny("5000"), now)
        .unwrap();
    assert_eq!((c.remaining, c.total), (365, 365));
}

#[test]
fn r_seat_08_a_purchase_starting_mid_day_keeps_its_total_days() {
    let start = bj(2025, 1, 1, 10, 0, 0);
    let current = year_purchase("1000", start);
    let c = preset()
        .credit(&current, cny("5000"), bj(2025, 1, 1, 15, 0, 0))
        .unwrap();
    assert_eq!((c.remaining, c.total), (365, 365));
    let c = preset()
        .credit(&current, cny("5000"), bj(2025, 1, 2, 0, 0, 1))
        .unwrap();
    assert_eq!((c.remaining, c.total), (364, 365));
}

#[test]
fn r_seat_08_total_days_include_bonus_days() {
    let policy = build(with_bonus(1, BonusAmount::Days(35)));
    let start = bj(2025, 1, 1, 0, 0, 0);
    let bought = policy
        .quote(&SeatOrder::new(10, 1).starting(start))
        .unwrap();
    let current = CurrentPurchase {
        paid: bought.total,
        start,
        end: bought.validity.end.unwrap(),
    };
    let now = current.end - Duration::days(100);
    let c = policy.credit(&current, cny("5000"), now).unwrap();
    assert_eq!((c.remaining, c.total), (100, 400));
    assert_eq!(c.amount, cny("250.00")); // 1000 x 100 / 400
}

#[test]
fn r_seat_08_second_granularity_is_an_option() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let now = current.end - Duration::days(100) - Duration::hours(1);
    let rule = CreditRule {
        granularity: CreditGranularity::Second,
        ..CreditRule::default()
    };
    let c = rule
        .credit(Zone::BEIJING, &current, cny("5000"), now)
        .unwrap();
    assert_eq!((c.remaining, c.total), (8_643_600, 31_536_000));
    // 1000 x 8643600 / 31536000 = 274.0867...
    assert_eq!(c.amount, cny("274.08"));
    // The same instant in days: the started day is used, 100 remain.
    let days = CreditRule::default()
        .credit(Zone::BEIJING, &current, cny("5000"), now)
        .unwrap();
    assert_eq!(days.amount, cny("273.97"));
}

#[test]
fn r_seat_08_rounding_is_a_policy_parameter() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let now = current.end - Duration::days(200); // 1000 x 200 / 365 = 547.945...
    let down = CreditRule::default()
        .credit(Zone::BEIJING, &current, cny("5000"), now)
        .unwrap();
    assert_eq!(down.amount, cny("547.94"));
    let mut spec = app_store_seat_pricing_spec();
    spec.upgrade.rounding = RoundingMode::HalfUp;
    let half_up = build(spec).credit(&current, cny("5000"), now).unwrap();
    assert_eq!(half_up.amount, cny("547.95"));
}

#[test]
fn r_seat_08_credit_is_capped_by_the_new_price_and_by_what_was_paid() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let c = preset()
        .credit(&current, cny("200"), start + Duration::days(265))
        .unwrap();
    assert_eq!(c.amount, cny("200"));
    assert_eq!(c.capped_by, Some(CreditCap::NewPrice));

    // Rounding up a paid amount finer than the fen would pass what was paid.
    let odd = CurrentPurchase {
        paid: cny("10.005"),
        ..current
    };
    let up = CreditRule {
        rounding: RoundingMode::Ceiling,
        ..CreditRule::default()
    };
    let c = up.credit(Zone::BEIJING, &odd, cny("5000"), start).unwrap();
    assert_eq!(c.amount, cny("10.005"));
    assert_eq!(c.capped_by, Some(CreditCap::Paid));
}

#[test]
fn r_seat_08_the_pro_rata_credit_is_the_upgrade_credit_before_the_new_price_cap() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let now = bj(2025, 9, 22, 12, 0, 0); // 100 days left: 273.97
    let policy = preset();
    let pro_rata = policy.pro_rata_credit(&current, now).unwrap();
    assert_eq!((pro_rata.remaining, pro_rata.total), (100, 365));
    assert_eq!((pro_rata.amount, pro_rata.capped_by), (cny("273.97"), None));
    // Against a dearer order the upgrade credit is the same credit...
    assert_eq!(policy.credit(&current, cny("5000"), now).unwrap(), pro_rata);
    // ...against a cheaper one it stops at the new price; the pro-rata
    // credit does not.
    let capped = policy.credit(&current, cny("200"), now).unwrap();
    assert_eq!(
        (capped.amount, capped.capped_by),
        (cny("200"), Some(CreditCap::NewPrice))
    );
    assert_eq!(capped.exact, pro_rata.exact);
    let rule = policy.credit_rule();
    assert_eq!(
        rule.pro_rata(Zone::BEIJING, &current, now).unwrap(),
        pro_rata
    );

    // Still never more than what was paid.
    let odd = CurrentPurchase {
        paid: cny("10.005"),
        ..current
    };
    let up = CreditRule {
        rounding: RoundingMode::Ceiling,
        ..CreditRule::default()
    };
    let c = up.pro_rata(Zone::BEIJING, &odd, start).unwrap();
    assert_eq!(
        (c.amount, c.capped_by),
        (cny("10.005"), Some(CreditCap::Paid))
    );

    // Refused as the upgrade credit is, naming R-SEAT-08.
    let backwards = CurrentPurchase {
        end: start - Duration::days(1),
        ..current
    };
    let err = policy.pro_rata_credit(&backwards, now).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat08);
}

#[test]
fn r_seat_08_before_the_start_all_remains_and_from_the_end_nothing() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let before = preset()
        .credit(&current, cny("5000"), start - Duration::days(3))
        .unwrap();
    assert_eq!((before.remaining, before.amount), (365, cny("1000")));
    for after in [current.end, current.end + Duration::days(30)] {
        let c = preset().credit(&current, cny("5000"), after).unwrap();
        assert_eq!((c.remaining, c.amount), (0, cny("0")));
    }
}

#[test]
fn r_seat_08_an_impossible_current_purchase_is_refused() {
    let start = bj(2025, 1, 1, 10, 0, 0);
    let policy = preset();
    let backwards = CurrentPurchase {
        paid: cny("1000"),
        start,
        end: start - Duration::days(1),
    };
    let err = policy.credit(&backwards, cny("5000"), start).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat08);
    let negative = CurrentPurchase {
        paid: cny("-1"),
        ..year_purchase("0", start)
    };
    let err = policy.credit(&negative, cny("5000"), start).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat08);
    // 10:00 to 20:00 holds no local midnight: nothing to prorate by days,
    // but seconds work.
    let short = CurrentPurchase {
        paid: cny("10"),
        start,
        end: start + Duration::hours(10),
    };
    let err = policy.credit(&short, cny("5000"), start).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat08);
    let seconds = CreditRule {
        granularity: CreditGranularity::Second,
        ..CreditRule::default()
    };
    let c = seconds
        .credit(
            Zone::BEIJING,
            &short,
            cny("5000"),
            start + Duration::hours(5),
        )
        .unwrap();
    assert_eq!(c.amount, cny("5.00"));
}

#[test]
fn r_seat_08_upgrade_subtracts_the_credit_from_the_new_order() {
    let start = bj(2025, 1, 1, 0, 0, 0);
    let current = year_purchase("1000", start);
    let now = current.end - Duration::days(100);
    let up = preset()
        .upgrade(&current, &SeatOrder::new(60, 1), now)
        .unwrap();
    assert_eq!(up.quote.total, cny("4800.00")); // 60 x 80
    assert_eq!(up.quote.validity.start, Some(now));
    assert_eq!(up.credit.amount, cny("273.97"));
    assert_eq!(up.amount_due, cny("4526.03"));

    // A new order cheaper than the credit: nothing is due, never less.
    let up = preset()
        .upgrade(&current, &SeatOrder::new(2, 1), start)
        .unwrap();
    assert_eq!(up.quote.total, cny("200.00"));
    assert_eq!(up.credit.amount, cny("200.00"));
    assert_eq!(up.amount_due, cny("0.00"));
}

// ------------------------------------------------------------ R-SEAT-09

#[test]
fn r_seat_09_an_extension_starts_at_the_current_end() {
    let current_end = bj(2026, 4, 1, 0, 0, 0);
    let now = bj(2026, 1, 10, 10, 0, 0);
    let order = ExtensionOrder {
        seats: 120,
        periods: 2,
        current_end,
    };
    let q = preset().extend(&order, now).unwrap();
    assert_eq!(q.validity.start, Some(current_end));
    assert_eq!(q.validity.end, Some(bj(2028, 3, 31, 0, 0, 0))); // 730 days later
    // Priced as a new 2-year purchase of 120 seats, discount included.
    assert_eq!(
        q.total,
        preset().quote(&SeatOrder::new(120, 2)).unwrap().total
    );
    assert_eq!(q.total, cny("16320.00"));
    assert_eq!(q.steps()[0].rule, RuleId::Seat09);
    assert!(matches!(
        q.steps()[0].detail,
        StepDetail::Extension { current_end: e, start: s } if e == current_end && s == current_end
    ));
}

#[test]
fn r_seat_09_a_lapsed_term_extends_from_now() {
    let current_end = bj(2026, 4, 1, 0, 0, 0);
    let now = bj(2026, 4, 20, 9, 0, 0);
    let order = ExtensionOrder {
        seats: 10,
        periods: 1,
        current_end,
    };
    let q = preset().extend(&order, now).unwrap();
    assert_eq!(q.validity.start, Some(now));
    assert_eq!(q.validity.end, Some(now + Duration::days(365)));
}

#[test]
fn r_seat_09_an_extension_obeys_the_seat_limits() {
    let policy = build(limited(Some(5), None));
    let order = ExtensionOrder {
        seats: 3,
        periods: 1,
        current_end: bj(2026, 4, 1, 0, 0, 0),
    };
    let err = policy.extend(&order, bj(2026, 1, 1, 0, 0, 0)).unwrap_err();
    assert_eq!(refusal_rule(&err), RuleId::Seat07);
}

// ------------------------------------------------------------ R-SEAT-10

#[test]
fn r_seat_10_mobile_offers_the_wallet_desktop_also_bank_transfer() {
    let policy = preset();
    assert_eq!(policy.channels(Platform::Mobile), [PaymentChannel::Wallet]);
    assert_eq!(
        policy.channels(Platform::Desktop),
        [
            PaymentChannel::Wallet,
            PaymentChannel::CorporateBankTransfer
        ]
    );
    assert!(
        policy
            .check_channel(Platform::Mobile, PaymentChannel::Wallet)
            .is_ok()
    );
    assert!(
        policy
            .check_channel(Platform::Desktop, PaymentChannel::CorporateBankTransfer)
            .is_ok()
    );
    let err = policy
        .check_channel(Platform::Mobile, PaymentChannel::CorporateBankTransfer)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "refused: R-SEAT-10: corporate_bank_transfer is not offered on mobile; pay with wallet \
         (platform = mobile, channel = corporate_bank_transfer)"
    );
}

#[test]
fn r_seat_10_channels_are_policy_data() {
    let mut spec = app_store_seat_pricing_spec();
    spec.channels = ChannelSpec {
        mobile: vec![
            PaymentChannel::Wallet,
            PaymentChannel::CorporateBankTransfer,
        ],
        desktop: vec![PaymentChannel::CorporateBankTransfer],
    };
    let policy = build(spec.clone());
    assert!(
        policy
            .check_channel(Platform::Mobile, PaymentChannel::CorporateBankTransfer)
            .is_ok()
    );
    assert!(
        policy
            .check_channel(Platform::Desktop, PaymentChannel::Wallet)
            .is_err()
    );

    spec.channels.desktop.clear();
    let err = policy_error(spec.clone());
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("channels.desktop", Some(RuleId::Seat10))
    );
    spec.channels.desktop = vec![PaymentChannel::Wallet, PaymentChannel::Wallet];
    assert_eq!(policy_error(spec).field, "channels.desktop[1]");
}

// ------------------------------------------------------------ preset, serde

#[test]
fn preset_holds_the_published_figures() {
    let policy = preset();
    assert_eq!(policy.period(), Period::Year);
    assert_eq!(policy.locale(), Locale::default());
    assert_eq!(policy.discount_floor(), d("0.70"));
    assert_eq!(policy.bonus_cap_percent(), d("35"));
    assert_eq!(policy.discount_for(2), Some(d("0.85")));
    assert_eq!(policy.credit_rule().granularity, CreditGranularity::Day);
    assert_eq!(policy.credit_rule().rounding, RoundingMode::TowardZero);
    assert_eq!(
        (policy.min_seats(), policy.max_seats(), policy.max_total()),
        (None, None, None)
    );
    assert_eq!(policy.pricing().rule(), RuleId::Seat03);
}

#[test]
fn the_published_figures_are_constants_of_the_pricing_types() {
    assert_eq!(SeatPolicy::DISCOUNT_FLOOR.to_string(), "0.70");
    assert_eq!(SeatPolicy::BONUS_CAP_PERCENT.to_string(), "35");
    assert_eq!(CreditRule::DAYS_ROUNDED_DOWN, CreditRule::default());
    assert_eq!(
        CreditRule::DAYS_ROUNDED_DOWN,
        CreditRule {
            granularity: CreditGranularity::Day,
            rounding: RoundingMode::TowardZero
        }
    );
    assert_eq!(ChannelSpec::APP_STORE_MOBILE, [PaymentChannel::Wallet]);
    assert_eq!(
        ChannelSpec::APP_STORE_DESKTOP,
        [
            PaymentChannel::Wallet,
            PaymentChannel::CorporateBankTransfer
        ]
    );
    let spec = app_store_seat_pricing_spec();
    assert_eq!(spec.discount_floor, SeatPolicy::DISCOUNT_FLOOR);
    assert_eq!(spec.bonus_cap_percent, SeatPolicy::BONUS_CAP_PERCENT);
    assert_eq!(spec.upgrade, CreditRule::DAYS_ROUNDED_DOWN);
    assert_eq!(spec.channels, ChannelSpec::default());
}

#[test]
fn a_minimal_json_spec_takes_the_published_defaults() {
    let json = r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}, "period": "month", "pricing": {"rule": "unit_price", "unit_price": "9.9"}}"#;
    let policy: SeatPolicy = serde_json::from_str(json).unwrap();
    let spec = policy.to_spec();
    assert_eq!(spec.discount_floor, d("0.70"));
    assert_eq!(spec.bonus_cap_percent, d("35"));
    assert_eq!(spec.upgrade, CreditRule::default());
    assert_eq!(spec.channels, ChannelSpec::default());
    assert_eq!(spec.locale.currency, Currency::CNY);
    assert_eq!(
        policy.quote(&SeatOrder::new(3, 2)).unwrap().total,
        cny("59.40")
    );
}

#[test]
fn policy_and_quote_json_shapes() {
    let json = serde_json::to_value(preset()).unwrap();
    assert_eq!(json["period"], "year");
    assert_eq!(json["pricing"]["rule"], "tiered");
    assert_eq!(json["pricing"]["mode"], "volume");
    assert_eq!(json["discounts"][0]["factor"], "0.85");
    assert_eq!(json["upgrade"]["granularity"], "day");
    assert_eq!(json["channels"]["mobile"][0], "wallet");

    let q = preset().quote(&SeatOrder::new(120, 2)).unwrap();
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(json["total"]["amount"], "16320.00");
    assert_eq!(json["steps"][1]["rule"], "R-SEAT-03");
    assert_eq!(json["steps"][1]["detail"]["step"], "base_price");
    assert_eq!(json["steps"][1]["detail"]["basis"]["by"], "tier");
    assert_eq!(json["steps"][2]["detail"]["step"], "discount");
    let back: Quote = serde_json::from_value(json).unwrap();
    assert_eq!(back, q);
}

/// A quote read back must be one `quote` computed: a consistent hand edit
/// of a figure (total and discount together, a base price, the validity, a
/// figure's scale) is refused, naming the figure.
#[test]
fn r_seat_02_to_06_an_edited_quote_does_not_deserialize() {
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let q = preset()
        .quote(&SeatOrder::new(120, 2).starting(start))
        .unwrap();
    let json = serde_json::to_value(&q).unwrap();
    let read = |json: &serde_json::Value| serde_json::from_value::<Quote>(json.clone());
    assert_eq!(read(&json).unwrap(), q);

    let edit = |pointer: &str, value: serde_json::Value| {
        let mut json = json.clone();
        *json.pointer_mut(pointer).unwrap() = value;
        json
    };
    // R-SEAT-04: total and the discount's result lowered together.
    let mut cheap = edit("/total/amount", "1.00".into());
    for pointer in [
        "/steps/2/detail/after/amount",
        "/steps/3/detail/before/amount",
        "/steps/3/detail/after/amount",
    ] {
        *cheap.pointer_mut(pointer).unwrap() = "1.00".into();
    }
    let err = read(&cheap).unwrap_err().to_string();
    assert!(err.contains("discounted price does not follow"), "{err}");
    // R-SEAT-03: a per-period price the tier does not give.
    let mut base = edit("/steps/1/detail/per_period/amount", "1".into());
    *base.pointer_mut("/steps/1/detail/amount/amount").unwrap() = "2".into();
    *base.pointer_mut("/steps/2/detail/before/amount").unwrap() = "2".into();
    let err = read(&base).unwrap_err().to_string();
    assert!(
        err.contains("base price per period does not follow"),
        "{err}"
    );
    // R-SEAT-01: days the periods do not give, an end the days do not give.
    let mut days = edit("/validity/total_days", 9999.into());
    *days.pointer_mut("/validity/purchased_days").unwrap() = 9999.into();
    *days.pointer_mut("/steps/0/detail/purchased_days").unwrap() = 9999.into();
    let err = read(&days).unwrap_err().to_string();
    assert!(
        err.contains("validity.purchased_days does not follow"),
        "{err}"
    );
    let end = edit("/validity/end", "2099-01-01T00:00:00Z".into());
    let err = read(&end).unwrap_err().to_string();
    assert!(err.contains("validity.end does not follow"), "{err}");
    // The same value at another scale is another figure.
    let mut scale = edit("/steps/1/detail/amount/amount", "19200.0000".into());
    *scale.pointer_mut("/steps/2/detail/before/amount").unwrap() = "19200.0000".into();
    let err = read(&scale).unwrap_err().to_string();
    assert!(err.contains("base price amount does not follow"), "{err}");
}

#[test]
fn an_invalid_policy_does_not_deserialize() {
    let json = r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}, "period": "year", "pricing": {"rule": "unit_price", "unit_price": "10"},
                   "min_seats": 10, "max_seats": 5}"#;
    let err = serde_json::from_str::<SeatPolicy>(json).unwrap_err();
    assert!(err.to_string().contains("`min_seats`"), "{err}");
    assert!(err.to_string().contains("(R-SEAT-07)"), "{err}");
}

#[test]
fn amounts_too_large_are_an_arithmetic_error_not_a_panic() {
    let policy = build(unit_price_spec(
        Period::Year,
        "79228162514264337593543950335",
    ));
    let err = policy.quote(&SeatOrder::new(2, 1)).unwrap_err();
    assert!(matches!(err, Error::Arithmetic { .. }), "{err:?}");
    let err = preset().quote(&SeatOrder::new(1, u32::MAX)).unwrap_err();
    assert!(matches!(err, Error::Arithmetic { .. }), "{err:?}");
}
