//! 4. Serde round trips of every public usage data type.

use super::*;

pub(crate) fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        4 => prop::sample::select(vec![Currency::CNY, Currency::USD, Currency::EUR, Currency::JPY]),
        1 => (0u32..=28).prop_map(|scale| Currency::new("XTS", scale).unwrap()),
    ]
}

pub(crate) fn money() -> impl Strategy<Value = Money> {
    (any_decimal(), currency()).prop_map(|(a, c)| Money::new(a, c))
}

pub(crate) fn locale() -> impl Strategy<Value = Locale> {
    (
        currency(),
        zone(),
        prop::sample::select(vec![
            RoundingMode::HalfUp,
            RoundingMode::HalfEven,
            RoundingMode::TowardZero,
            RoundingMode::AwayFromZero,
            RoundingMode::Floor,
            RoundingMode::Ceiling,
        ]),
    )
        .prop_map(|(currency, time_zone, rounding)| Locale {
            currency,
            time_zone,
            rounding,
        })
}

pub(crate) fn order() -> impl Strategy<Value = PackageOrder> {
    (any::<bool>(), any::<u64>(), any::<u32>()).prop_map(|(custom, calls, days)| {
        if custom {
            PackageOrder::custom(calls, days)
        } else {
            PackageOrder::listed(calls, days)
        }
    })
}

pub(crate) fn exemption() -> impl Strategy<Value = Exemption> {
    prop_oneof![
        organisation().prop_map(|organisation| Exemption::Organisation { organisation }),
        (organisation(), category()).prop_map(|(organisation, category)| Exemption::Category {
            organisation,
            category,
        }),
    ]
}

pub(crate) fn exemptions_spec() -> impl Strategy<Value = ExemptionsSpec> {
    (
        prop::collection::vec(organisation(), 0..4),
        prop::collection::vec(
            (organisation(), prop::collection::vec(category(), 0..3)).prop_map(
                |(organisation, categories)| CategoryExemptionSpec {
                    organisation,
                    categories,
                },
            ),
            0..3,
        ),
    )
        .prop_map(|(organisations, by_category)| ExemptionsSpec {
            organisations,
            by_category,
        })
}

pub(crate) fn package_spec() -> impl Strategy<Value = PackageSpec> {
    (
        any::<u64>(),
        any_decimal(),
        prop::option::of(any_decimal()),
        any::<u32>(),
    )
        .prop_map(|(calls, price, list_price, validity_days)| PackageSpec {
            calls,
            price,
            list_price,
            validity_days,
        })
}

pub(crate) fn any_catalogue_spec() -> impl Strategy<Value = CatalogueSpec> {
    (
        prop::collection::vec(any::<u32>(), 0..4),
        prop::collection::vec(package_spec(), 0..4),
        prop::option::of(any_decimal().prop_map(|unit_price| CustomPackagesSpec { unit_price })),
    )
        .prop_map(|(validities, packages, custom)| CatalogueSpec {
            validities,
            packages,
            custom,
        })
}

pub(crate) fn tier_table_spec() -> impl Strategy<Value = billing_rules::pricing::TierTableSpec> {
    use billing_rules::pricing::{TierMode, TierSpec, TierTableSpec};
    (
        prop::sample::select(vec![TierMode::Volume, TierMode::Graduated]),
        prop::collection::vec(
            (
                any_decimal(),
                prop::option::of(any_decimal()),
                prop::option::of(any_decimal()),
                prop::option::of(any_decimal()),
            )
                .prop_map(|(from, to, flat, unit_price)| TierSpec {
                    from,
                    to,
                    flat,
                    unit_price,
                }),
            0..4,
        ),
    )
        .prop_map(|(mode, tiers)| TierTableSpec { mode, tiers })
}

pub(crate) fn tariff_spec() -> impl Strategy<Value = TariffSpec> {
    (unit(), tier_table_spec()).prop_map(|(unit, tiers)| TariffSpec { unit, tiers })
}

pub(crate) fn metered_price_spec() -> impl Strategy<Value = MeteredPriceSpec> {
    (unit(), any_decimal(), any_decimal()).prop_map(|(unit, per, price)| MeteredPriceSpec {
        unit,
        per,
        price,
    })
}

pub(crate) fn resolution() -> impl Strategy<Value = Resolution> {
    prop::sample::select(vec![
        Resolution::Sd,
        Resolution::Hd,
        Resolution::FullHd,
        Resolution::UltraHd,
    ])
}

pub(crate) fn add_on_usage() -> impl Strategy<Value = AddOnUsage> {
    prop_oneof![
        (resolution(), quantity()).prop_map(|(resolution, minutes)| AddOnUsage::Transcoding {
            resolution,
            minutes,
        }),
        any::<u32>().prop_map(|peak_channels| AddOnUsage::Recording { peak_channels }),
        any::<u64>().prop_map(|count| AddOnUsage::Snapshots { count }),
        any::<u64>().prop_map(|count| AddOnUsage::Moderation { count }),
    ]
}

pub(crate) fn metered_price() -> impl Strategy<Value = MeteredPrice> {
    (unit(), any_decimal(), money()).prop_map(|(unit, per, price)| MeteredPrice {
        unit,
        per,
        price,
    })
}

pub(crate) fn waiver() -> impl Strategy<Value = Waiver> {
    prop_oneof![
        exemption().prop_map(|exemption| Waiver::Exempt { exemption }),
        instant().prop_map(|billing_start| Waiver::BeforeBillingStart { billing_start }),
    ]
}

pub(crate) fn draw() -> impl Strategy<Value = Draw> {
    (any::<u32>(), any::<u64>()).prop_map(|(id, calls)| Draw {
        package: PackageId(id),
        calls,
    })
}

pub(crate) fn consumption() -> impl Strategy<Value = Consumption> {
    (
        (
            instant(),
            component(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
        ),
        (
            prop::option::of(waiver()),
            any::<u64>(),
            prop::collection::vec(draw(), 0..4),
        ),
        (any::<u64>(), money(), money(), any::<u64>()),
    )
        .prop_map(
            |(
                (at, component, requested, failed, waived),
                (waiver, from_trial, draws),
                (overage, unit_price, charge, refused),
            )| Consumption {
                at,
                component,
                requested,
                failed,
                waived,
                waiver,
                from_trial,
                draws,
                overage,
                unit_price,
                charge,
                refused,
            },
        )
}

pub(crate) fn purchase() -> impl Strategy<Value = Purchase> {
    (
        any::<u32>(),
        order(),
        any::<u64>(),
        any::<u32>(),
        money(),
        (instant(), instant(), instant()),
    )
        .prop_map(
            |(id, order, calls, validity, price, (paid_at, effective_at, expires_at))| Purchase {
                package: PackageId(id),
                order,
                calls,
                validity: Days(validity),
                price,
                paid_at,
                effective_at,
                expires_at,
            },
        )
}

pub(crate) fn wallet_event() -> impl Strategy<Value = WalletEvent> {
    prop_oneof![
        purchase().prop_map(WalletEvent::Purchased),
        consumption().prop_map(WalletEvent::Consumed),
        (any::<u32>(), instant(), any::<u64>()).prop_map(|(id, expired_at, lost)| {
            WalletEvent::Expired(Expiry {
                package: PackageId(id),
                expired_at,
                lost,
            })
        }),
        (
            prop::sample::select(vec![FeatureSwitch::On, FeatureSwitch::Off]),
            instant()
        )
            .prop_map(|(switch, at)| WalletEvent::FeatureSwitched { switch, at }),
        (profile(), instant()).prop_map(|(profile, at)| WalletEvent::ProfileSet { profile, at }),
    ]
}

pub(crate) fn wallet_command() -> impl Strategy<Value = WalletCommand> {
    prop_oneof![
        order().prop_map(|order| WalletCommand::Purchase { order }),
        (component(), any::<u64>(), any::<u64>(), instant()).prop_map(
            |(component, succeeded, failed, at)| WalletCommand::Consume {
                component,
                calls: CallCounts { succeeded, failed },
                at,
            }
        ),
        Just(WalletCommand::Advance),
        prop::sample::select(vec![FeatureSwitch::On, FeatureSwitch::Off])
            .prop_map(|switch| WalletCommand::SwitchFeature { switch }),
        profile().prop_map(|profile| WalletCommand::SetProfile { profile }),
    ]
}

pub(crate) fn plan_line() -> impl Strategy<Value = PlanLine> {
    prop_oneof![
        (any::<u64>(), any::<u32>(), money(), any::<u64>(), money()).prop_map(
            |(calls, validity, price, count, subtotal)| PlanLine::Package {
                calls,
                validity: Days(validity),
                price,
                count,
                subtotal,
            }
        ),
        (any::<u64>(), any::<u32>(), money(), money()).prop_map(
            |(calls, validity, unit_price, subtotal)| PlanLine::Custom {
                calls,
                validity: Days(validity),
                unit_price,
                subtotal,
            }
        ),
        (any::<u64>(), money(), money()).prop_map(|(calls, unit_price, subtotal)| {
            PlanLine::PerCall {
                calls,
                unit_price,
                subtotal,
            }
        }),
    ]
}

pub(crate) fn forecast() -> impl Strategy<Value = Forecast> {
    (component(), any::<u64>(), any::<u32>()).prop_map(|(c, n, h)| Forecast::new(c, n, Days(h)))
}

pub(crate) fn charge_part() -> impl Strategy<Value = ChargePart> {
    (
        any::<usize>(),
        any_decimal(),
        prop::option::of(any_decimal()),
        any_decimal(),
        money(),
        money(),
    )
        .prop_map(
            |(tier, from, to, quantity, unit_price, amount)| ChargePart {
                tier,
                from,
                to,
                quantity,
                unit_price,
                amount,
            },
        )
}

pub(crate) fn method_change() -> impl Strategy<Value = MethodChange> {
    (date(), method()).prop_map(|(from, method)| MethodChange { from, method })
}

proptest! {
    /// R-USE-01..04: calls, prices, profiles and exemptions.
    #[test]
    fn serde_call_types_round_trip(
        component in component(),
        price in (component(), any_decimal()).prop_map(|(component, price)| ComponentPriceSpec { component, price }),
        counts in (any::<u64>(), any::<u64>()).prop_map(|(succeeded, failed)| CallCounts { succeeded, failed }),
        organisation in organisation(),
        category in category(),
        profile in profile(),
        exemption in exemption(),
        spec in exemptions_spec(),
        switch in prop::sample::select(vec![FeatureSwitch::On, FeatureSwitch::Off]),
    ) {
        round_trip(&component)?;
        round_trip(&price)?;
        round_trip(&counts)?;
        round_trip(&organisation)?;
        round_trip(&category)?;
        round_trip(&profile)?;
        round_trip(&exemption)?;
        round_trip(&spec)?;
        round_trip(&switch)?;
        if let Ok(exemptions) = Exemptions::try_from(spec.clone()) {
            round_trip(&exemptions)?;
        }
    }

    /// R-USE-05..08: catalogue, orders, quotes, policy specs and plans.
    #[test]
    fn serde_catalogue_policy_and_plan_types_round_trip(
        spec in any_catalogue_spec(),
        order in order(),
        package in (any::<u64>(), money(), prop::option::of(money()), any::<u32>())
            .prop_map(|(calls, price, list_price, days)| Package { calls, price, list_price, validity: Days(days) }),
        quote in (order(), any::<u64>(), any::<u32>(), money(), prop::option::of(money()))
            .prop_map(|(order, calls, days, price, list_price)| PackageQuote { order, calls, validity: Days(days), price, list_price }),
        policy_spec in (locale(), instant(), any::<u64>(), any_catalogue_spec(), exemptions_spec(), any::<bool>())
            .prop_map(|(locale, billing_start, trial_quota, catalogue, exemptions, refuse)| UsagePolicySpec {
                locale,
                billing_start,
                prices: vec![ComponentPriceSpec { component: Component::QuickVerification, price: Decimal::new(3, 2) }],
                trial_quota,
                exemptions,
                catalogue,
                when_exhausted: if refuse { WhenExhausted::Refuse } else { WhenExhausted::PerCall },
                quote_window_minutes: UsagePolicy::QUOTE_WINDOW_MINUTES,
            }),
        forecast in forecast(),
        line in plan_line(),
        plan_value in (forecast(), prop::collection::vec(plan_line(), 0..4), any::<u64>(), money(), prop::option::of(any_decimal()), money(), money())
            .prop_map(|(forecast, lines, covered, total, per_call_cost, pay_per_call, saving)| Plan { forecast, lines, covered, total, per_call_cost, pay_per_call, saving }),
    ) {
        round_trip(&spec)?;
        for currency in [Currency::CNY, Currency::JPY] {
            if let Ok(catalogue) = Catalogue::try_from(spec.clone().in_currency(currency)) {
                round_trip(&catalogue)?;
            }
        }
        round_trip(&order)?;
        round_trip(&package)?;
        round_trip(&quote)?;
        round_trip(&policy_spec)?;
        if let Ok(policy) = UsagePolicy::try_from(policy_spec) {
            round_trip(&policy)?;
        }
        round_trip(&forecast)?;
        round_trip(&line)?;
        round_trip(&plan_value)?;
    }

    /// R-USE-01..08: validated usage policies, and their parts, from the
    /// generator the wallet sequences use.
    #[test]
    fn serde_usage_policies_round_trip(policy in usage_policy()) {
        round_trip(&policy)?;
        round_trip(policy.prices())?;
        round_trip(policy.exemptions())?;
        round_trip(policy.catalogue())?;
        round_trip(&policy.to_spec())?;
        round_trip(&policy.when_exhausted())?;
        let prices: PriceList = serde_json::from_value(json_of(policy.prices())).map_err(fail)?;
        prop_assert_eq!(&prices, policy.prices());
    }

    /// R-USE-01..07: wallet commands, events and their parts.
    #[test]
    fn serde_wallet_types_round_trip(
        command in wallet_command(),
        event in wallet_event(),
        status in prop_oneof![Just(PackageStatus::Open), any::<u64>().prop_map(|lost| PackageStatus::Expired { lost })],
        id in any::<u32>().prop_map(PackageId),
        waiver in waiver(),
        draw in draw(),
    ) {
        round_trip(&command)?;
        round_trip(&event)?;
        round_trip(&status)?;
        round_trip(&id)?;
        round_trip(&waiver)?;
        round_trip(&draw)?;
        // A state and its held packages, built from the event.
        let state = PackageWallet::evolve(PackageWallet::initial(), &event);
        round_trip(&state)?;
        for p in state.packages() {
            round_trip(p)?;
        }
    }

    /// R-USE-09: traffic specs, usage, charges and the method decider's
    /// commands, events and states.
    #[test]
    fn serde_traffic_types_round_trip(
        tariff in tariff_spec(),
        region_spec in (region(), tariff_spec(), tariff_spec())
            .prop_map(|(region, traffic, bandwidth)| RegionTariffSpec { region, traffic, bandwidth }),
        policy_spec in (locale(), prop::collection::vec((region(), tariff_spec(), tariff_spec()), 0..3), any::<u32>())
            .prop_map(|(locale, regions, switch_delay_days)| TrafficPolicySpec {
                locale,
                regions: regions.into_iter().map(|(region, traffic, bandwidth)| RegionTariffSpec { region, traffic, bandwidth }).collect(),
                switch_delay_days,
            }),
        day in day_usage(),
        part in charge_part(),
        daily in (date(), region(), method(), quantity(), prop::collection::vec(charge_part(), 0..3), money(), money())
            .prop_map(|(date, region, method, quantity, parts, exact, total)| DailyCharge { date, region, method, quantity, parts, exact, total }),
        state in prop_oneof![
            Just(MethodState::NotOpened),
            prop::collection::vec(method_change(), 0..4).prop_map(|changes| MethodState::Open { changes }),
        ],
        command in method_op(),
        event in prop_oneof![
            (method(), date()).prop_map(|(method, from)| MethodEvent::Opened { method, from }),
            (method(), instant(), date()).prop_map(|(to, requested_at, effective_from)| MethodEvent::SwitchScheduled { to, requested_at, effective_from }),
        ],
        valid in traffic_policy(),
    ) {
        round_trip(&tariff)?;
        round_trip(&region_spec)?;
        round_trip(&policy_spec)?;
        if let Ok(policy) = TrafficPolicy::try_from(policy_spec) {
            round_trip(&policy)?;
        }
        round_trip(&day)?;
        round_trip(&part)?;
        round_trip(&daily)?;
        round_trip(&state)?;
        round_trip(&command)?;
        round_trip(&event)?;
        round_trip(&day.region)?;
        round_trip(&daily.method)?;
        round_trip(&valid)?;
        for region in [Region::Mainland, Region::International] {
            for method in [BillingMethod::Traffic, BillingMethod::PeakBandwidth] {
                round_trip(valid.tariff(region, method).map_err(fail)?)?;
            }
        }
    }

    /// R-USE-10: add-on specs, prices, usage and charges.
    #[test]
    fn serde_add_on_types_round_trip(
        spec in (locale(), prop::collection::vec((resolution(), metered_price_spec()), 0..5), metered_price_spec(), metered_price_spec(), metered_price_spec())
            .prop_map(|(locale, transcoding, recording, snapshots, moderation)| AddOnPolicySpec {
                locale,
                transcoding: transcoding.into_iter().map(|(resolution, price)| TranscodingPriceSpec { resolution, price }).collect(),
                recording,
                snapshots,
                moderation,
            }),
        price in metered_price(),
        usage in add_on_usage(),
        charged in (add_on_usage(), quantity(), metered_price(), money(), money())
            .prop_map(|(usage, quantity, price, exact, total)| AddOnCharge { usage, quantity, price, exact, total }),
        resolution in resolution(),
    ) {
        round_trip(&spec)?;
        if let Ok(policy) = AddOnPolicy::try_from(spec) {
            round_trip(&policy)?;
        }
        round_trip(&price)?;
        round_trip(&usage)?;
        round_trip(&charged)?;
        round_trip(&resolution)?;
    }
}

/// Every usage preset, and what it answers, survives JSON.
#[test]
fn serde_usage_presets_and_their_answers_round_trip() {
    let usage = verification();
    round_trip(&usage).unwrap();
    round_trip(&presets::verification_usage_spec()).unwrap();
    let best = usage
        .plan(&Forecast::new(QUICK, 9_000_000, Days(365)))
        .unwrap();
    round_trip(&best).unwrap();
    let quote = usage
        .catalogue()
        .quote(&PackageOrder::listed(1_000_000, 365))
        .unwrap();
    round_trip(&quote).unwrap();
    for p in usage.catalogue().packages() {
        round_trip(p).unwrap();
    }
    let traffic = live_traffic();
    round_trip(&traffic).unwrap();
    round_trip(&presets::live_traffic_spec()).unwrap();
    let add_ons = live_add_ons();
    round_trip(&add_ons).unwrap();
    round_trip(&presets::live_add_ons_spec()).unwrap();
    round_trip(&add_ons.recording()).unwrap();
    let (_, events, state) = wallet_samples();
    for e in events {
        round_trip(&serde_json::from_value::<WalletEvent>(e).unwrap()).unwrap();
    }
    round_trip(&serde_json::from_value::<WalletState>(state).unwrap()).unwrap();
}
