//! Traffic and bandwidth (R-USE-09) and add-ons (R-USE-10), against the
//! illustrative live-plugin presets.

use billing_rules::Decider;
use billing_rules::presets;
use billing_rules::pricing::TierSpec;
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::usage::{
    AddOnPolicy, AddOnUsage, BillingMethod, BillingMethods, DayUsage, MethodCommand, MethodEvent,
    MethodState, Region, Resolution, TrafficPolicy,
};
use billing_rules::{ArithmeticError, Error, RuleId};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn traffic_policy() -> TrafficPolicy {
    presets::live_traffic().unwrap()
}

fn add_ons() -> AddOnPolicy {
    presets::live_add_ons().unwrap()
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

/// A local instant in UTC+08:00.
fn local(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2025, m, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn q(value: i64, unit: Unit) -> Quantity {
    Quantity::new(Decimal::from(value), unit)
}

fn day(region: Region, traffic: Quantity, peak: Quantity) -> DayUsage {
    DayUsage {
        date: date(7, 1),
        region,
        traffic,
        peak_bandwidth: peak,
    }
}

fn cny(s: &str) -> String {
    format!("CNY {s}")
}

// ---------------------------------------------------------------- R-USE-09

#[test]
fn r_use_09_a_250_tb_mainland_day_is_priced_tier_by_tier() {
    let usage = day(
        Region::Mainland,
        q(250, Unit::Terabyte),
        q(0, Unit::Megabit),
    );
    let charge = traffic_policy()
        .settle_day(BillingMethod::Traffic, &usage)
        .unwrap();
    assert_eq!(charge.quantity.to_string(), "250000 GB");
    let parts: Vec<(String, String)> = charge
        .parts
        .iter()
        .map(|p| (p.quantity.to_string(), p.amount.to_string()))
        .collect();
    let s = |a: &str, b: &str| (a.to_owned(), cny(b));
    assert_eq!(
        parts,
        vec![
            s("2000", "400.00"),
            s("8000", "1440.00"),
            s("40000", "6000.00"),
            s("200000", "24000.00"),
        ]
    );
    assert_eq!(charge.total.to_string(), cny("31840.00"));
}

#[test]
fn r_use_09_regions_have_their_own_tiers() {
    let p = traffic_policy();
    let price = |region| {
        let usage = day(region, q(3, Unit::Terabyte), q(0, Unit::Megabit));
        p.settle_day(BillingMethod::Traffic, &usage)
            .unwrap()
            .total
            .to_string()
    };
    assert_eq!(price(Region::Mainland), cny("580.00"));
    // 2000 x 0.50 + 1000 x 0.45
    assert_eq!(price(Region::International), cny("1450.00"));
}

#[test]
fn r_use_09_units_convert_in_base_1000() {
    let p = traffic_policy();
    let total = |traffic| {
        let usage = day(Region::Mainland, traffic, q(0, Unit::Megabit));
        p.settle_day(BillingMethod::Traffic, &usage).unwrap().total
    };
    let tb = total(q(2, Unit::Terabyte));
    assert_eq!(tb, total(q(2_000, Unit::Gigabyte)));
    assert_eq!(tb, total(q(2_000_000, Unit::Megabyte)));
    assert_eq!(tb.to_string(), cny("400.00"));
    // 20 GB is exactly 0.02 TB: no rounding on the way.
    let small = total(Quantity::new(Decimal::new(2, 2), Unit::Terabyte));
    assert_eq!(small.to_string(), cny("4.00"));
}

#[test]
fn r_use_09_peak_bandwidth_is_billed_by_its_own_tiers() {
    let p = traffic_policy();
    let usage = day(
        Region::Mainland,
        q(900, Unit::Terabyte),
        q(800, Unit::Megabit),
    );
    let charge = p.settle_day(BillingMethod::PeakBandwidth, &usage).unwrap();
    // 500 x 0.65 + 300 x 0.60; the day's traffic plays no part.
    assert_eq!(charge.total.to_string(), cny("505.00"));
    let gbps = day(
        Region::Mainland,
        q(0, Unit::Terabyte),
        Quantity::new(Decimal::new(8, 1), Unit::Gigabit),
    );
    assert_eq!(
        p.settle_day(BillingMethod::PeakBandwidth, &gbps)
            .unwrap()
            .total,
        charge.total
    );
}

#[test]
fn r_use_09_a_day_without_traffic_costs_nothing_and_negative_is_refused() {
    let p = traffic_policy();
    let zero = p
        .settle_day(
            BillingMethod::Traffic,
            &day(Region::Mainland, q(0, Unit::Gigabyte), q(0, Unit::Megabit)),
        )
        .unwrap();
    assert!(zero.total.is_zero() && zero.parts.is_empty());
    let err = p
        .settle_day(
            BillingMethod::Traffic,
            &day(Region::Mainland, q(-1, Unit::Gigabyte), q(0, Unit::Megabit)),
        )
        .unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use09);
    // A bandwidth figure where traffic is expected does not convert.
    let err = p
        .settle_day(
            BillingMethod::Traffic,
            &day(Region::Mainland, q(5, Unit::Megabit), q(0, Unit::Megabit)),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Arithmetic {
            error: ArithmeticError::IncompatibleUnits { .. },
            ..
        }
    ));
}

#[test]
fn r_use_09_the_daily_total_is_rounded_once() {
    let p = traffic_policy();
    // 1.234 GB x 0.20 = 0.2468 -> 0.25 half-up; the part stays exact.
    let usage = day(
        Region::Mainland,
        Quantity::new(Decimal::new(1234, 3), Unit::Gigabyte),
        q(0, Unit::Megabit),
    );
    let charge = p.settle_day(BillingMethod::Traffic, &usage).unwrap();
    assert_eq!(charge.exact.amount(), Decimal::new(24680, 5));
    assert_eq!(charge.total.to_string(), cny("0.25"));
}

#[test]
fn r_use_09_a_switch_takes_effect_the_next_day() {
    let p = traffic_policy();
    let open = MethodCommand::Open {
        method: BillingMethod::Traffic,
    };
    let (state, _) =
        BillingMethods::run(&BillingMethods::initial(), &open, local(7, 1, 9), &p).unwrap();
    let switch = MethodCommand::Switch {
        to: BillingMethod::PeakBandwidth,
    };
    // Requested at 23:00 local on 3 July: 3 July is still by traffic.
    let (state, events) = BillingMethods::run(&state, &switch, local(7, 3, 23), &p).unwrap();
    assert!(matches!(
        events[0],
        MethodEvent::SwitchScheduled { effective_from, .. } if effective_from == date(7, 4)
    ));
    assert_eq!(state.method_on(date(6, 30)), None);
    assert_eq!(state.method_on(date(7, 3)), Some(BillingMethod::Traffic));
    assert_eq!(
        state.method_on(date(7, 4)),
        Some(BillingMethod::PeakBandwidth)
    );

    let usage = |d| DayUsage {
        date: date(7, d),
        region: Region::Mainland,
        traffic: q(3, Unit::Terabyte),
        peak_bandwidth: q(800, Unit::Megabit),
    };
    let third = p.settle(&state, &usage(3)).unwrap();
    let fourth = p.settle(&state, &usage(4)).unwrap();
    assert_eq!(
        (third.method, third.total.to_string()),
        (BillingMethod::Traffic, cny("580.00"))
    );
    assert_eq!(
        (fourth.method, fourth.total.to_string()),
        (BillingMethod::PeakBandwidth, cny("505.00"))
    );
    let before = p
        .settle(
            &state,
            &DayUsage {
                date: date(6, 30),
                ..usage(1)
            },
        )
        .unwrap_err();
    assert_eq!(before.refusal().unwrap().rule(), RuleId::Use09);
}

#[test]
fn r_use_09_a_second_switch_replaces_a_pending_one_and_a_no_op_switch_is_refused() {
    let p = traffic_policy();
    let open = MethodCommand::Open {
        method: BillingMethod::Traffic,
    };
    let (state, _) =
        BillingMethods::run(&BillingMethods::initial(), &open, local(7, 1, 9), &p).unwrap();
    let to = |m| MethodCommand::Switch { to: m };
    let err =
        BillingMethods::run(&state, &to(BillingMethod::Traffic), local(7, 1, 10), &p).unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use09);

    let (state, _) = BillingMethods::run(
        &state,
        &to(BillingMethod::PeakBandwidth),
        local(7, 2, 10),
        &p,
    )
    .unwrap();
    // Changed mind the same day: back to traffic before the switch took effect.
    let (state, _) =
        BillingMethods::run(&state, &to(BillingMethod::Traffic), local(7, 2, 11), &p).unwrap();
    assert_eq!(state.method_on(date(7, 3)), Some(BillingMethod::Traffic));
    assert_eq!(state.method_on(date(8, 1)), Some(BillingMethod::Traffic));

    let err = BillingMethods::run(
        &MethodState::NotOpened,
        &to(BillingMethod::Traffic),
        local(7, 2, 11),
        &p,
    )
    .unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use09);
    let err = BillingMethods::run(&state, &open, local(7, 2, 11), &p).unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use09);
}

#[test]
fn r_use_09_policy_rejects_bad_tariffs() {
    let mut spec = presets::live_traffic_spec();
    spec.regions[0].traffic.unit = Unit::Megabit;
    let err = TrafficPolicy::try_from(spec).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("regions[0].traffic.unit", Some(RuleId::Use09))
    );

    let mut spec = presets::live_traffic_spec();
    spec.regions[1].bandwidth.tiers.tiers.pop();
    let err = TrafficPolicy::try_from(spec).unwrap_err();
    assert_eq!(err.field, "regions[1].bandwidth.tiers");

    let mut spec = presets::live_traffic_spec();
    spec.regions[0].traffic.tiers.tiers[1] = TierSpec::unit(3_000, Some(10_000), Decimal::ONE);
    let err = TrafficPolicy::try_from(spec).unwrap_err();
    assert_eq!(err.field, "regions[0].traffic.tiers[1].from");
    assert_eq!(err.rule, Some(RuleId::Use09));

    let mut spec = presets::live_traffic_spec();
    spec.switch_delay_days = 0;
    assert_eq!(
        TrafficPolicy::try_from(spec).unwrap_err().field,
        "switch_delay_days"
    );

    let mut spec = presets::live_traffic_spec();
    spec.regions.push(spec.regions[0].clone());
    assert_eq!(
        TrafficPolicy::try_from(spec).unwrap_err().field,
        "regions[2].region"
    );
}

#[test]
fn r_use_09_policy_state_and_charges_round_trip_through_json() {
    let p = traffic_policy();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<TrafficPolicy>(&json).unwrap(), p);
    let open = MethodCommand::Open {
        method: BillingMethod::PeakBandwidth,
    };
    let (state, events) =
        BillingMethods::run(&BillingMethods::initial(), &open, local(7, 1, 9), &p).unwrap();
    let json = serde_json::to_string(&state).unwrap();
    assert!(json.contains(r#""state":"open""#));
    assert_eq!(serde_json::from_str::<MethodState>(&json).unwrap(), state);
    let json = serde_json::to_string(&events).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<MethodEvent>>(&json).unwrap(),
        events
    );
    assert_eq!(BillingMethods::replay(events.iter()), state);
}

fn region() -> impl Strategy<Value = Region> {
    prop::sample::select(vec![Region::Mainland, Region::International])
}

fn gigabytes() -> impl Strategy<Value = Quantity> {
    (0i64..400_000_000, 0u32..=3)
        .prop_map(|(m, s)| Quantity::new(Decimal::new(m, s), Unit::Gigabyte))
}

proptest! {
    #[test]
    fn r_use_09_a_days_charge_depends_only_on_that_days_quantity_and_region(
        days in prop::collection::vec((region(), gigabytes(), 0i64..20_000), 1..20),
        other in prop::collection::vec((region(), gigabytes(), 0i64..20_000), 1..20),
        method in prop::sample::select(vec![BillingMethod::Traffic, BillingMethod::PeakBandwidth]),
    ) {
        let p = traffic_policy();
        let usage = |i: usize, (region, traffic, peak): (Region, Quantity, i64)| DayUsage {
            date: date(1, 1) + chrono::Days::new(i as u64),
            region,
            traffic,
            peak_bandwidth: q(peak, Unit::Megabit),
        };
        let alone: Vec<_> = days
            .iter()
            .enumerate()
            .map(|(i, d)| p.settle_day(method, &usage(i, *d)).unwrap())
            .collect();
        // Settled after other days, in reverse order, on other dates: the same.
        for d in &other {
            p.settle_day(method, &usage(99, *d)).unwrap();
        }
        for (i, d) in days.iter().enumerate().rev() {
            let again = p.settle_day(method, &usage(i + 200, *d)).unwrap();
            prop_assert_eq!(again.total, alone[i].total);
            prop_assert_eq!(&again.parts, &alone[i].parts);
            let exact: Decimal = again.parts.iter().map(|x| x.amount.amount()).sum();
            prop_assert_eq!(exact, again.exact.amount());
        }
    }

    #[test]
    fn r_use_09_more_traffic_never_costs_less(
        region in region(),
        a in gigabytes(),
        b in gigabytes(),
    ) {
        let p = traffic_policy();
        let price = |t| p.settle_day(BillingMethod::Traffic, &day(region, t, q(0, Unit::Megabit))).unwrap().exact.amount();
        let (lo, hi) = if a.value() <= b.value() { (a, b) } else { (b, a) };
        prop_assert!(price(lo) <= price(hi));
    }
}

// ---------------------------------------------------------------- R-USE-10

#[test]
fn r_use_10_transcoding_is_priced_by_resolution_and_minutes() {
    let p = add_ons();
    let minutes = |resolution, m| AddOnUsage::Transcoding {
        resolution,
        minutes: q(m, Unit::Minute),
    };
    let total = |u| p.charge(&u).unwrap().total.to_string();
    assert_eq!(total(minutes(Resolution::Hd, 600)), cny("21.00"));
    assert_eq!(total(minutes(Resolution::Sd, 600)), cny("15.00"));
    assert_eq!(total(minutes(Resolution::FullHd, 90)), cny("6.30"));
    assert_eq!(total(minutes(Resolution::UltraHd, 0)), cny("0.00"));
    let err = p
        .charge(&AddOnUsage::Transcoding {
            resolution: Resolution::Hd,
            minutes: q(5, Unit::Gigabyte),
        })
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Arithmetic {
            error: ArithmeticError::IncompatibleUnits { .. },
            ..
        }
    ));
    let err = p.charge(&minutes(Resolution::Hd, -5)).unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use10);
}

#[test]
fn r_use_10_recording_is_billed_by_the_months_peak_of_channels() {
    let p = add_ons();
    let daily_peaks = [2, 3, 7, 5, 1];
    assert_eq!(AddOnUsage::month_peak(daily_peaks), 7);
    assert_eq!(AddOnUsage::month_peak([]), 0);
    let c = p
        .charge(&AddOnUsage::Recording {
            peak_channels: AddOnUsage::month_peak(daily_peaks),
        })
        .unwrap();
    assert_eq!(c.quantity.to_string(), "7 channels");
    assert_eq!(c.total.to_string(), cny("210.00"));
}

#[test]
fn r_use_10_snapshots_and_moderation_are_billed_by_count() {
    let p = add_ons();
    let snaps = p.charge(&AddOnUsage::Snapshots { count: 25_000 }).unwrap();
    assert_eq!(snaps.total.to_string(), cny("2.50"));
    let moderated = p.charge(&AddOnUsage::Moderation { count: 1_234 }).unwrap();
    // 1.234 thousand x 2.50 = 3.085 exactly, rounded half-up once.
    assert_eq!(moderated.exact.amount(), Decimal::new(3085, 3));
    assert_eq!(moderated.total.to_string(), cny("3.09"));
    assert_eq!(moderated.quantity.to_string(), "1234 count");
}

#[test]
fn r_use_10_policy_rejects_units_of_the_wrong_kind_and_repeats() {
    let mut spec = presets::live_add_ons_spec();
    spec.recording.unit = Unit::Minute;
    let err = AddOnPolicy::try_from(spec).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("recording.unit", Some(RuleId::Use10))
    );

    let mut spec = presets::live_add_ons_spec();
    spec.snapshots.per = Decimal::ZERO;
    assert_eq!(
        AddOnPolicy::try_from(spec).unwrap_err().field,
        "snapshots.per"
    );

    let mut spec = presets::live_add_ons_spec();
    spec.transcoding.push(spec.transcoding[0].clone());
    assert_eq!(
        AddOnPolicy::try_from(spec).unwrap_err().field,
        "transcoding[4].resolution"
    );

    let mut spec = presets::live_add_ons_spec();
    spec.transcoding
        .retain(|t| t.resolution != Resolution::UltraHd);
    let p = AddOnPolicy::try_from(spec).unwrap();
    let err = p
        .charge(&AddOnUsage::Transcoding {
            resolution: Resolution::UltraHd,
            minutes: q(1, Unit::Minute),
        })
        .unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use10);
}

#[test]
fn r_use_10_policy_and_charges_round_trip_through_json() {
    let p = add_ons();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<AddOnPolicy>(&json).unwrap(), p);
    let c = p.charge(&AddOnUsage::Snapshots { count: 10 }).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.contains(r#""add_on":"snapshots""#));
    assert_eq!(
        serde_json::from_str::<billing_rules::usage::AddOnCharge>(&json).unwrap(),
        c
    );
}

fn tariff_spec() -> impl Strategy<Value = billing_rules::usage::TariffSpec> {
    // 1 to 5 tiers with ascending bounds, unit prices and optional flats.
    prop::collection::vec(
        (1i64..5_000, 1i64..100, prop::option::of(1i64..1_000)),
        1..=5,
    )
    .prop_map(|tiers| {
        let mut from = Decimal::ZERO;
        let last = tiers.len() - 1;
        let tiers = tiers
            .into_iter()
            .enumerate()
            .map(|(i, (width, price, flat))| {
                let to = (i < last).then(|| from + Decimal::new(width, 1));
                let tier = TierSpec {
                    from,
                    to,
                    flat: flat.map(|f| Decimal::new(f, 2)),
                    unit_price: Some(Decimal::new(price, 2)),
                };
                from = to.unwrap_or(from);
                tier
            })
            .collect();
        billing_rules::usage::TariffSpec {
            unit: Unit::Gigabyte,
            tiers: billing_rules::pricing::TierTableSpec {
                mode: billing_rules::pricing::TierMode::Graduated,
                tiers,
            },
        }
    })
}

proptest! {
    #[test]
    fn r_use_09_settlement_parts_match_the_tier_table(
        tariff in tariff_spec(),
        gb in (1i64..3_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
        volume in any::<bool>(),
        at_bound in prop::option::of(0usize..5),
    ) {
        let mut spec = presets::live_traffic_spec();
        spec.regions[0].traffic = tariff;
        if volume {
            spec.regions[0].traffic.tiers.mode = billing_rules::pricing::TierMode::Volume;
        }
        let p = TrafficPolicy::try_from(spec).unwrap();
        let table = p.tariff(Region::Mainland, BillingMethod::Traffic).unwrap().table();
        // Half the cases land exactly on a tier's upper bound.
        let bound = at_bound.and_then(|i| table.tiers().get(i)).and_then(|t| t.to());
        let gb = bound.unwrap_or(gb);
        let usage = day(Region::Mainland, Quantity::new(gb, Unit::Gigabyte), q(0, Unit::Megabit));
        let settled = p.settle_day(BillingMethod::Traffic, &usage).unwrap();
        let expected: Vec<_> = table.parts(gb).unwrap().map(|x| x.unwrap()).collect();
        prop_assert_eq!(settled.parts.len(), expected.len());
        for (got, want) in settled.parts.iter().zip(&expected) {
            prop_assert_eq!(got.tier, want.tier);
            prop_assert_eq!(got.quantity, want.quantity);
            prop_assert_eq!(got.amount, want.amount);
        }
        prop_assert_eq!(settled.exact, table.price(gb).unwrap().total);
    }
}

#[test]
fn r_use_09_a_free_first_tier_settles() {
    // A first tier at 0.00 a GB: the graduated settlement prices it at zero.
    let mut spec = presets::live_traffic_spec();
    spec.regions[0].traffic.tiers.tiers[0].unit_price = Some(Decimal::new(0, 2));
    let p = TrafficPolicy::try_from(spec).unwrap();
    let usage = day(Region::Mainland, q(3, Unit::Terabyte), q(0, Unit::Megabit));
    let charge = p.settle_day(BillingMethod::Traffic, &usage).unwrap();
    assert!(charge.parts[0].amount.is_zero());
    assert_eq!(charge.total.to_string(), cny("180.00"));
}
