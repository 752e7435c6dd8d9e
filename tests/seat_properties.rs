//! Seat plans (issue 3): the properties of R-SEAT-03 to R-SEAT-08 for all
//! inputs, and serde round trips, drawn from `billing_rules::strategies`
//! (feature `strategies`).

use billing_rules::RuleId;
use billing_rules::money::{Currency, Money};
use billing_rules::presets::app_store_seat_pricing_spec;
use billing_rules::pricing::{
    Axis, BonusAmount, BonusSpec, CreditGranularity, CreditRule, CurrentPurchase, DiscountSpec,
    PricingSpec, SeatOrder, SeatPolicy, SeatPolicySpec, StepDetail, TierMode, TierSpec, TierTable,
    TierTableSpec,
};
use billing_rules::time::{Period, Zone};
use chrono::Duration;
use proptest::prelude::*;
use rust_decimal::Decimal;

// The strategies are the crate's exported ones (feature `strategies`):
// one definition for these tests and for a service's own.
use billing_rules::strategies::{
    amount, check_credit_invariants, check_quote_invariants, instant, rounding_mode as rounding,
    seat_policy_spec as policy_spec, seat_tiers as tiers,
};

fn spec_with(mode: TierMode, tiers: Vec<TierSpec>) -> SeatPolicySpec {
    let mut spec = app_store_seat_pricing_spec();
    spec.pricing = PricingSpec::Tiered(TierTableSpec { mode, tiers });
    spec.discounts.clear();
    spec
}

/// The graduated price as the sum of the parts, the definition.
fn sum_of_parts(table: &TierTable, quantity: Decimal) -> Result<Money, billing_rules::Error> {
    let mut total = Money::zero(Currency::CNY);
    for part in table.parts(quantity)? {
        total = total.checked_add(part?.amount)?;
    }
    Ok(total)
}

proptest! {
    #[test]
    fn r_seat_03_graduated_price_is_the_sum_of_its_parts(
        tiers in tiers(), quantity in 1u32..3000, continuous in any::<bool>(), scale in 0u32..3,
    ) {
        let (axis, tiers, quantity) = if continuous {
            // The same cuts on a continuous axis, in finer units: 0-10.5, 10.5-...
            let tiers: Vec<TierSpec> = tiers
                .into_iter()
                .map(|t| TierSpec {
                    from: Decimal::new(((t.from - Decimal::ONE) * Decimal::from(10u32.pow(scale))).try_into().unwrap(), scale),
                    to: t.to.map(|to| Decimal::new((to * Decimal::from(10u32.pow(scale))).try_into().unwrap(), scale)),
                    ..t
                })
                .collect();
            (Axis::Continuous, tiers, Decimal::new(quantity.into(), scale))
        } else {
            (Axis::Whole, tiers, Decimal::from(quantity))
        };
        let spec = TierTableSpec { mode: TierMode::Graduated, tiers };
        let table = TierTable::try_from(spec.clone().on(axis, Currency::CNY)).unwrap();
        let price = table.price(quantity).unwrap();
        prop_assert_eq!(price.total, sum_of_parts(&table, quantity).unwrap());
        // Bit for bit, scale included.
        prop_assert_eq!(price.total.amount().scale(), sum_of_parts(&table, quantity).unwrap().amount().scale());
    }

    #[test]
    fn r_seat_03_graduated_total_never_falls_as_seats_grow(
        tiers in tiers(), seats in 1u32..2000, more in 0u32..500,
    ) {
        let policy = SeatPolicy::try_from(spec_with(TierMode::Graduated, tiers)).unwrap();
        let low = policy.quote(&SeatOrder::new(seats, 1)).unwrap().total;
        let high = policy.quote(&SeatOrder::new(seats + more, 1)).unwrap().total;
        prop_assert!(high.amount() >= low.amount(), "{} seats: {}, {} seats: {}", seats, low, seats + more, high);
    }

    #[test]
    fn r_seat_03_volume_total_is_the_containing_tiers_price(
        tiers in tiers(), seats in 1u32..2000, periods in 1u32..4,
    ) {
        let policy = SeatPolicy::try_from(spec_with(TierMode::Volume, tiers.clone())).unwrap();
        let q = policy.quote(&SeatOrder::new(seats, periods)).unwrap();
        let n = Decimal::from(seats);
        let containing = tiers
            .iter()
            .position(|t| t.from <= n && t.to.is_none_or(|to| n <= to))
            .unwrap();
        let t = &tiers[containing];
        let per_period = t.flat.unwrap_or_default() + n * t.unit_price.unwrap_or_default();
        prop_assert_eq!(q.total, Money::cny(per_period * Decimal::from(periods)));
        let used = matches!(
            q.step(RuleId::Seat03).map(|s| s.detail),
            Some(StepDetail::BasePrice { basis: billing_rules::pricing::PriceBasis::Tier { index, .. }, .. })
                if index == containing
        );
        prop_assert!(used);
    }

    /// The quote computes its figures on an integer fast path; every one
    /// must be what `Money`'s exact decimal arithmetic gives, digit for
    /// digit (same value, same decimal places).
    #[test]
    fn r_seat_02_to_04_quote_figures_are_the_exact_decimal_arithmetic(
        spec in policy_spec(), seats in 1u32..3000, periods in 1u32..=6,
    ) {
        let policy = SeatPolicy::try_from(spec.clone()).unwrap();
        let Ok(q) = policy.quote(&SeatOrder::new(seats, periods)) else { return Ok(()) };
        check_quote_invariants(&policy, &SeatOrder::new(seats, periods), &q)
            .map_err(|broken| TestCaseError::fail(broken.to_string()))?;
        let same = |a: Money, b: Money| a.amount().to_string() == b.amount().to_string() && a == b;
        let n = Decimal::from(seats);
        let expected_per_period = match &spec.pricing {
            PricingSpec::UnitPrice { unit_price } => Money::cny(*unit_price).checked_mul(n).unwrap(),
            PricingSpec::Tiered(tiers) => {
                let table = TierTable::try_from(tiers.clone().on(Axis::Whole, Currency::CNY)).unwrap();
                sum_of_parts(&table, n).unwrap()
            }
        };
        let steps = q.steps();
        let Some(StepDetail::BasePrice { per_period, amount, .. }) =
            steps.iter().map(|s| s.detail).find(|d| matches!(d, StepDetail::BasePrice { .. }))
        else {
            return Err(TestCaseError::fail("no base price step"));
        };
        prop_assert!(same(per_period, expected_per_period), "{} vs {}", per_period, expected_per_period);
        let list = expected_per_period.checked_mul(Decimal::from(periods)).unwrap();
        prop_assert!(same(amount, list), "{} vs {}", amount, list);
        if let Some(StepDetail::Discount { factor, before, after }) = q.step(RuleId::Seat04).map(|s| s.detail) {
            let discounted = list.checked_mul(factor).unwrap();
            prop_assert!(same(before, list));
            prop_assert!(same(after, discounted), "{} vs {}", after, discounted);
        }
    }

    #[test]
    fn r_seat_04_discounted_total_is_never_below_70_percent_of_list(
        unit in amount(), seats in 1u32..500, periods in 1u32..5,
        factor in 0i64..=100, rounding in rounding(),
    ) {
        let factor = Decimal::new(factor, 2);
        let mut spec = app_store_seat_pricing_spec();
        spec.pricing = PricingSpec::UnitPrice { unit_price: unit };
        spec.locale.rounding = rounding;
        spec.discounts = vec![DiscountSpec { periods, factor }];
        let built = SeatPolicy::try_from(spec.clone());
        // A factor below the floor never builds; every other one does.
        prop_assert_eq!(built.is_ok(), factor >= Decimal::new(70, 2));
        let Ok(policy) = built else { return Ok(()) };
        spec.discounts.clear();
        let list_policy = SeatPolicy::try_from(spec).unwrap();
        let order = SeatOrder::new(seats, periods);
        let list = list_policy.quote(&order).unwrap().total;
        let discounted = policy.quote(&order).unwrap();
        let floor = Money::cny(list.amount() * Decimal::new(70, 2)).round_to_minor(rounding);
        prop_assert!(discounted.total.amount() >= floor.amount(), "{} < 70% of {}", discounted.total, list);
        if let Some(StepDetail::Discount { before, after, .. }) = discounted.step(RuleId::Seat04).map(|s| s.detail) {
            prop_assert!(after.amount() >= before.amount() * Decimal::new(70, 2));
        } else {
            prop_assert!(false, "no discount step");
        }
    }

    #[test]
    fn r_seat_05_bonus_days_never_exceed_35_percent_of_purchased_days(
        periods in 1u32..=10, yearly in any::<bool>(),
        days in 0u32..2000, percent in 0i64..=5000, as_percent in any::<bool>(),
    ) {
        let period = if yearly { Period::Year } else { Period::Month };
        let bonus = if as_percent {
            BonusAmount::Percent(Decimal::new(percent, 2))
        } else {
            BonusAmount::Days(days)
        };
        let mut spec = app_store_seat_pricing_spec();
        spec.period = period;
        spec.discounts.clear();
        spec.bonuses = vec![BonusSpec { periods, bonus }];
        let purchased = u64::from(period.length().0) * u64::from(periods);
        match SeatPolicy::try_from(spec) {
            Ok(policy) => {
                let q = policy.quote(&SeatOrder::new(1, periods)).unwrap();
                prop_assert_eq!(u64::from(q.validity.purchased_days.0), purchased);
                prop_assert!(u64::from(q.validity.bonus_days.0) * 100 <= purchased * 35);
                if let BonusAmount::Percent(p) = bonus {
                    // Rounded down, never up.
                    prop_assert!(Decimal::from(q.validity.bonus_days.0) <= Decimal::from(purchased) * p / Decimal::ONE_HUNDRED);
                }
            }
            Err(err) => {
                prop_assert_eq!(err.rule, Some(RuleId::Seat05));
                let over = match bonus {
                    BonusAmount::Days(d) => u64::from(d) * 100 > purchased * 35,
                    BonusAmount::Percent(p) => p > Decimal::from(35),
                };
                prop_assert!(over, "refused a bonus within the cap: {}", err);
            }
        }
    }

    #[test]
    fn r_seat_06_total_never_exceeds_the_cap(
        spec in policy_spec(), seats in 1u32..3000, periods in 1u32..=6,
        cap in amount(), near in -300i64..300, relative in any::<bool>(),
    ) {
        let mut uncapped = spec.clone();
        uncapped.max_total = None;
        let uncapped = SeatPolicy::try_from(uncapped).unwrap();
        let order = SeatOrder::new(seats, periods);
        let Ok(free) = uncapped.quote(&order) else { return Ok(()) };
        // Caps a few fen either side of the uncapped price find the edge.
        let cap = if relative {
            (free.total.amount() + Decimal::new(near, 2)).max(Decimal::ZERO).round_dp(2)
        } else {
            cap
        };
        let mut spec = spec;
        spec.max_total = Some(cap);
        let policy = SeatPolicy::try_from(spec).unwrap();
        let q = policy.quote(&order).unwrap();
        prop_assert!(q.total.amount() <= cap, "{} > cap {}", q.total, cap);
        prop_assert_eq!(q.total.amount(), free.total.amount().min(cap));
    }

    #[test]
    fn r_seat_07_only_orders_within_the_limits_are_priced(spec in policy_spec(), seats in 0u32..3000) {
        let policy = SeatPolicy::try_from(spec).unwrap();
        let min = policy.min_seats().unwrap_or(1);
        let inside = seats >= min && policy.max_seats().is_none_or(|max| seats <= max);
        match policy.quote(&SeatOrder::new(seats, 1)) {
            Ok(_) => prop_assert!(inside),
            Err(err) => {
                let rule = err.refusal().map(|r| r.rule());
                prop_assert!(rule == Some(RuleId::Seat07) && !inside || rule == Some(RuleId::Seat03) && inside);
            }
        }
    }

    #[test]
    fn r_seat_08_credit_is_between_zero_and_min_of_paid_and_new_price(
        spec in policy_spec(), paid in amount(), new_price in amount(),
        start in instant(), days in 1i64..800, offset in -1000i64..90_000_000,
    ) {
        let policy = SeatPolicy::try_from(spec).unwrap();
        let current = CurrentPurchase {
            paid: Money::cny(paid),
            start,
            end: start + Duration::days(days),
        };
        let now = start + Duration::seconds(offset);
        let c = policy.credit(&current, Money::cny(new_price), now).unwrap();
        check_credit_invariants(&current, Money::cny(new_price), &c)
            .map_err(|broken| TestCaseError::fail(broken.to_string()))?;
        prop_assert!(c.amount.amount() >= Decimal::ZERO);
        prop_assert!(c.amount.amount() <= paid.min(new_price), "{:?}", c);
        prop_assert!(c.remaining <= c.total);
    }

    #[test]
    fn r_seat_08_credit_is_zero_when_no_day_remains_and_paid_at_the_first_instant(
        spec in policy_spec(), paid in amount(), start in instant(), days in 1i64..800,
        after_end in 0i64..10_000_000,
    ) {
        let policy = SeatPolicy::try_from(spec).unwrap();
        let end = start + Duration::days(days);
        let current = CurrentPurchase { paid: Money::cny(paid), start, end };
        let plenty = Money::cny(Decimal::from(1_000_000));
        let first = policy.credit(&current, plenty, start).unwrap();
        prop_assert_eq!(first.amount, Money::cny(paid));
        prop_assert_eq!(first.remaining, first.total);
        let gone = policy.credit(&current, plenty, end + Duration::seconds(after_end)).unwrap();
        prop_assert_eq!(gone.remaining, 0);
        prop_assert!(gone.amount.is_zero());
        // The last local day once started: nothing remains by days either.
        let zone: Zone = policy.locale().time_zone;
        let last_day = zone.start_of_local_day(end - Duration::seconds(1)).unwrap().max(start);
        let rule = CreditRule { granularity: CreditGranularity::Day, ..policy.credit_rule() };
        let late = rule.credit(zone, &current, plenty, last_day + Duration::seconds(1)).unwrap();
        prop_assert_eq!(late.remaining, 0);
        prop_assert!(late.amount.is_zero());
    }

    #[test]
    fn r_seat_08_credit_never_grows_as_time_passes(
        paid in amount(), start in instant(), days in 1i64..800,
        a in -100_000i64..80_000_000, b in 0i64..10_000_000, seconds in any::<bool>(),
    ) {
        let current = CurrentPurchase { paid: Money::cny(paid), start, end: start + Duration::days(days) };
        let rule = CreditRule {
            granularity: if seconds { CreditGranularity::Second } else { CreditGranularity::Day },
            ..CreditRule::default()
        };
        let plenty = Money::cny(Decimal::from(1_000_000));
        let earlier = start + Duration::seconds(a);
        let c1 = rule.credit(Zone::BEIJING, &current, plenty, earlier).unwrap();
        let c2 = rule.credit(Zone::BEIJING, &current, plenty, earlier + Duration::seconds(b)).unwrap();
        prop_assert!(c2.amount.amount() <= c1.amount.amount());
    }

    #[test]
    fn seat_policies_round_trip_through_json(spec in policy_spec()) {
        let policy = SeatPolicy::try_from(spec.clone()).unwrap();
        let json = serde_json::to_string(&policy).unwrap();
        let back: SeatPolicy = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &policy);
        prop_assert_eq!(back.to_spec(), spec);
    }

    #[test]
    fn seat_quotes_round_trip_through_json(
        spec in policy_spec(), seats in 1u32..3000, periods in 1u32..=6, start in prop::option::of(instant()),
    ) {
        let policy = SeatPolicy::try_from(spec).unwrap();
        let order = SeatOrder { seats, periods, start };
        if let Ok(q) = policy.quote(&order) {
            let json = serde_json::to_string(&q).unwrap();
            let back: billing_rules::pricing::Quote = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, q);
        }
        let json = serde_json::to_string(&order).unwrap();
        prop_assert_eq!(serde_json::from_str::<SeatOrder>(&json).unwrap(), order);
    }
}

#[test]
fn r_seat_03_graduated_price_too_large_to_sum_is_an_error_not_a_panic() {
    let huge = Decimal::MAX / Decimal::from(4);
    let spec = TierTableSpec {
        mode: TierMode::Graduated,
        tiers: vec![
            TierSpec::flat(1, Some(1), huge),
            TierSpec::flat(2, Some(2), huge),
            TierSpec::flat(3, Some(3), huge),
            TierSpec::flat(4, Some(4), huge),
            TierSpec::flat(5, None, huge),
        ],
    };
    let table = TierTable::try_from(spec.clone().on(Axis::Whole, Currency::CNY)).unwrap();
    assert_eq!(
        table.price(Decimal::from(3)).unwrap().total.amount(),
        huge * Decimal::from(3)
    );
    assert!(matches!(
        table.price(Decimal::from(5)),
        Err(billing_rules::Error::Arithmetic { .. })
    ));
    assert!(sum_of_parts(&table, Decimal::from(5)).is_err());
}
