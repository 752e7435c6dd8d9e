//! Issue 18's properties of the pricing models, for all inputs.

use billing_rules::Decimal;
use billing_rules::money::Currency;
use billing_rules::policy::Locale;
use billing_rules::pricing::{
    BlockMode, BlockTableSpec, BlockTierSpec, ModelKindSpec, ModelSpec, Overflow, PackageSpec,
    PercentageSpec, PricingModel, ProratedSpec, ProratedUnits, TierBy, TierMode, TierSpec,
    TieredSpec, UnitRounding,
};
use proptest::prelude::*;

fn locale() -> Locale {
    Locale {
        currency: Currency::USD,
        ..Locale::default()
    }
}

fn build(model: ModelKindSpec, minimum: Option<Decimal>) -> PricingModel {
    PricingModel::try_from(ModelSpec {
        locale: locale(),
        model,
        minimum,
    })
    .unwrap()
}

/// A non-negative decimal with up to `scale` places, below `max` units.
fn amount(max: i64, scale: u32) -> impl Strategy<Value = Decimal> {
    (0..=max, 0..=scale).prop_map(|(m, s)| Decimal::new(m, s))
}

fn positive(max: i64, scale: u32) -> impl Strategy<Value = Decimal> {
    (1..=max, 0..=scale).prop_map(|(m, s)| Decimal::new(m, s))
}

fn package() -> impl Strategy<Value = PackageSpec> {
    (
        positive(1000, 2),
        amount(10_000, 2),
        amount(500, 1),
        any::<bool>(),
    )
        .prop_map(|(size, amount, free_units, up)| PackageSpec {
            size,
            amount,
            free_units,
            rounding: if up {
                UnitRounding::Up
            } else {
                UnitRounding::Down
            },
        })
}

/// Contiguous tiers on the continuous axis from 0, the last unbounded or
/// not.
fn tiers(bounded: bool) -> impl Strategy<Value = Vec<TierSpec>> {
    prop::collection::vec(
        (
            positive(500, 1),
            amount(100, 2),
            amount(50, 2),
            any::<bool>(),
        ),
        1..6,
    )
    .prop_map(move |cuts| {
        let mut from = Decimal::ZERO;
        let last = cuts.len() - 1;
        cuts.into_iter()
            .enumerate()
            .map(|(i, (width, flat, unit, has_flat))| {
                let to = (i < last || bounded).then(|| from + width);
                let tier = TierSpec {
                    from,
                    to,
                    flat: has_flat.then_some(flat),
                    unit_price: Some(unit),
                };
                from = to.unwrap_or(from);
                tier
            })
            .collect()
    })
}

fn mode() -> impl Strategy<Value = TierMode> {
    prop_oneof![Just(TierMode::Volume), Just(TierMode::Graduated)]
}

fn blocks() -> impl Strategy<Value = BlockTableSpec> {
    (
        prop::collection::vec((positive(1000, 1), amount(100, 2), 1u64..50), 1..5),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(tiers, all, top, up)| BlockTableSpec {
            mode: if all {
                BlockMode::AllTiers
            } else {
                BlockMode::TopTier
            },
            tiers: tiers
                .into_iter()
                .map(|(size, price, max)| BlockTierSpec {
                    size,
                    price,
                    max_blocks: Some(max),
                })
                .collect(),
            overflow: if top {
                Overflow::TopTier
            } else {
                Overflow::Refuse
            },
            rounding: if up {
                UnitRounding::Up
            } else {
                UnitRounding::Down
            },
        })
}

/// Any model, with or without a minimum.
fn any_model() -> impl Strategy<Value = PricingModel> {
    let kind = prop_oneof![
        package().prop_map(ModelKindSpec::Package),
        (
            amount(500, 2),
            prop::option::of(amount(300, 2)),
            prop::option::of((amount(1000, 3), amount(1000, 1))),
            prop::option::of((0u64..3, prop::option::of(amount(1000, 1)))),
        )
            .prop_map(|(rate, fixed, limits, free)| {
                ModelKindSpec::Percentage(PercentageSpec {
                    rate,
                    fixed_amount: fixed,
                    free_transactions: free.map(|(n, _)| n),
                    free_amount: free.and_then(|(_, a)| a),
                    min_per_transaction: limits.map(|(min, _)| min),
                    max_per_transaction: limits.map(|(min, spread)| min + spread),
                })
            }),
        (mode(), tiers(true), any::<bool>()).prop_map(|(mode, tiers, top)| {
            ModelKindSpec::Tiered(TieredSpec {
                mode,
                tiers,
                overflow: if top {
                    Overflow::TopTier
                } else {
                    Overflow::Refuse
                },
            })
        }),
        blocks().prop_map(ModelKindSpec::BlockTiers),
        (mode(), tiers(false)).prop_map(|(mode, tiers)| {
            ModelKindSpec::Prorated(ProratedSpec {
                mode,
                tiers,
                tier_by: TierBy::Full,
            })
        }),
    ];
    (kind, prop::option::of(amount(100_000, 2))).prop_map(|(kind, minimum)| build(kind, minimum))
}

proptest! {
    #[test]
    fn a_package_price_is_monotone_in_units(spec in package(), units in amount(100_000, 2), more in amount(10_000, 2)) {
        let m = build(ModelKindSpec::Package(spec), None);
        let low = m.price(units).unwrap();
        let high = m.price(units + more).unwrap();
        prop_assert!(high.amount() >= low.amount(), "{units}: {low}, {}: {high}", units + more);
    }

    #[test]
    fn a_package_never_charges_for_free_units(spec in package(), units in amount(100_000, 2)) {
        let free = spec.free_units;
        let with_free = build(ModelKindSpec::Package(spec.clone()), None);
        let without = build(ModelKindSpec::Package(PackageSpec { free_units: Decimal::ZERO, ..spec }), None);
        let billable = (units - free).max(Decimal::ZERO);
        prop_assert_eq!(with_free.price(units).unwrap(), without.price(billable).unwrap());
        if units <= free {
            prop_assert!(with_free.price(units).unwrap().is_zero());
        }
    }

    #[test]
    fn a_block_price_is_monotone_when_started_blocks_count(
        spec in blocks(), units in amount(100_000, 1), more in amount(10_000, 1),
    ) {
        // All tiers, started blocks counted whole: more units never cost
        // less. (Top-tier mode can fall at a tier boundary, as volume tiers
        // can, so it is not checked.)
        let spec = BlockTableSpec { mode: BlockMode::AllTiers, rounding: UnitRounding::Up, overflow: Overflow::TopTier, ..spec };
        let m = build(ModelKindSpec::BlockTiers(spec), None);
        let low = m.price(units).unwrap();
        let high = m.price(units + more).unwrap();
        prop_assert!(high.amount() >= low.amount(), "{units}: {low}, {}: {high}", units + more);
    }

    #[test]
    fn a_percentage_charge_lies_between_the_transaction_limits(
        rate in amount(1000, 2),
        fixed in prop::option::of(amount(500, 2)),
        min in amount(1000, 2),
        spread in amount(1000, 2),
        tx in prop::collection::vec(amount(1_000_000, 2), 0..20),
    ) {
        let max = min + spread;
        let m = build(ModelKindSpec::Percentage(PercentageSpec {
            rate,
            fixed_amount: fixed,
            free_transactions: None,
            free_amount: None,
            min_per_transaction: Some(min),
            max_per_transaction: Some(max),
        }), None);
        let charge = m.quote_transactions(&tx).unwrap().exact.amount();
        let count = Decimal::from(tx.len());
        prop_assert!(charge >= min * count && charge <= max * count, "{charge} for {count} transactions in [{min}, {max}]");
    }

    #[test]
    fn a_minimum_commitment_never_lowers_a_charge(
        model in any_model(), minimum in amount(100_000, 2), quantity in amount(100_000, 2),
    ) {
        let mut spec = model.to_spec();
        spec.minimum = None;
        let bare = PricingModel::try_from(spec.clone()).unwrap();
        spec.minimum = Some(minimum);
        let committed = PricingModel::try_from(spec).unwrap();
        if let (Ok(bare), Ok(committed)) = (bare.price(quantity), committed.price(quantity)) {
            prop_assert!(committed.amount() >= bare.amount());
            prop_assert!(committed.amount() >= minimum);
        }
    }

    #[test]
    fn zero_usage_costs_exactly_the_first_tiers_flat_amount(mode in mode(), tiers in tiers(false), prorated in any::<bool>()) {
        let flat = tiers[0].flat.unwrap_or_default();
        let kind = if prorated {
            ModelKindSpec::Prorated(ProratedSpec { mode, tiers, tier_by: TierBy::Full })
        } else {
            ModelKindSpec::Tiered(TieredSpec { mode, tiers, overflow: Overflow::Refuse })
        };
        let m = build(kind, None);
        prop_assert_eq!(m.quote(Decimal::ZERO).unwrap().exact.amount(), flat);
    }

    #[test]
    fn the_total_only_price_is_the_quotes_total(model in any_model(), quantity in amount(1_000_000, 3)) {
        // The fast paths (integer block counts, the table's graduated
        // sums, no steps) give the explained quote's total, or its error.
        match (model.price(quantity), model.quote(quantity)) {
            (Ok(price), Ok(quote)) => {
                prop_assert_eq!(price, quote.total);
                prop_assert_eq!(price.amount().scale(), quote.total.amount().scale());
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "price {a:?}, quote {b:?}"),
        }
    }

    #[test]
    fn percentage_totals_agree_with_the_explained_transactions(
        model in any_model(), tx in prop::collection::vec(amount(100_000, 3), 0..6),
    ) {
        // The fast total (no free units, no steps) against the explained
        // path, through a one-transaction `price` for each.
        if let Ok(quote) = model.quote_transactions(&tx) {
            let total = quote.exact.amount();
            let sum_of_prices: Option<Decimal> = if tx.len() == 1 && !tx[0].is_zero() { model.price(tx[0]).ok().map(|p| p.amount()) } else { None };
            if let Some(price) = sum_of_prices {
                prop_assert_eq!(price, quote.total.amount());
            }
            prop_assert!(total >= Decimal::ZERO);
        }
    }

    #[test]
    fn prorated_full_period_usage_is_the_tier_tables_price(
        mode in mode(), tiers in tiers(false), quantities in prop::collection::vec(amount(1000, 1), 0..5),
    ) {
        let m = build(ModelKindSpec::Prorated(ProratedSpec { mode, tiers, tier_by: TierBy::Full }), None);
        let usage: Vec<_> = quantities.iter().map(|&q| ProratedUnits::new(q, Decimal::ONE)).collect();
        let total: Decimal = quantities.iter().sum();
        // Record by record (Lago's walk) and the table's price of the sum.
        prop_assert_eq!(m.quote_prorated(&usage).unwrap().exact.amount(), m.quote(total).unwrap().exact.amount());
        prop_assert_eq!(m.quote_prorated(&usage).unwrap().total, m.price(total).unwrap());
    }

    #[test]
    fn prorating_never_costs_more_than_the_whole_period(
        mode in mode(), tiers in tiers(false),
        usage in prop::collection::vec((amount(1000, 1), 0i64..=100), 0..5),
    ) {
        let m = build(ModelKindSpec::Prorated(ProratedSpec { mode, tiers, tier_by: TierBy::Full }), None);
        let prorated: Vec<_> = usage.iter().map(|&(q, f)| ProratedUnits::new(q, Decimal::new(f, 2))).collect();
        let whole: Vec<_> = usage.iter().map(|&(q, _)| ProratedUnits::new(q, Decimal::ONE)).collect();
        prop_assert!(m.quote_prorated(&prorated).unwrap().exact.amount() <= m.quote_prorated(&whole).unwrap().exact.amount());
    }

    #[test]
    fn any_figures_build_or_refuse_and_never_panic(
        size in any::<i64>(), scale in 0u32..30, amount in any::<i64>(), quantity in any::<i64>(), qscale in 0u32..30,
    ) {
        let d = |m: i64, s: u32| Decimal::try_new(m, s).unwrap_or(Decimal::MAX);
        let spec = ModelSpec {
            locale: locale(),
            model: ModelKindSpec::BlockTiers(BlockTableSpec {
                mode: BlockMode::AllTiers,
                tiers: vec![BlockTierSpec { size: d(size, scale), price: d(amount, scale), max_blocks: None }],
                overflow: Overflow::Refuse,
                rounding: UnitRounding::Up,
            }),
            minimum: None,
        };
        if let Ok(m) = PricingModel::try_from(spec) {
            let _ = m.quote(d(quantity, qscale));
            let _ = m.price(d(quantity, qscale));
        }
        let package = ModelSpec {
            locale: locale(),
            model: ModelKindSpec::Package(PackageSpec {
                size: d(size, scale), amount: d(amount, 0), free_units: d(quantity, qscale), rounding: UnitRounding::Up,
            }),
            minimum: None,
        };
        if let Ok(m) = PricingModel::try_from(package) {
            let _ = m.quote(d(quantity, qscale));
        }
    }
}
