//! 2. Arbitrary command sequences at arbitrary instants.

use super::*;

pub(crate) fn zone() -> impl Strategy<Value = Zone> {
    prop_oneof![
        3 => Just(Zone::BEIJING),
        1 => Just(Zone::UTC),
        // Whole minutes: what a zone's JSON ("+HH:MM") can hold.
        2 => (-1439i32..=1439).prop_map(|m| Zone::new(FixedOffset::east_opt(m * 60).unwrap())),
    ]
}

pub(crate) fn price() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        6 => (0i64..=100_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => Just(Decimal::ZERO),
        1 => Just(Decimal::MAX),
        1 => Just(Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, false, 28)),
        1 => (any::<u32>(), any::<u32>(), any::<u32>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, s)| Decimal::from_parts(lo, mid, hi, false, s)),
    ]
}

pub(crate) fn package_calls() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 1u64..=20_000,
        2 => prop::sample::select(vec![1_000u64, 5_000, 10_000, 1_000_000]),
        1 => Just(u64::MAX),
        1 => any::<u64>().prop_map(|n| n.max(1)),
    ]
}

pub(crate) fn catalogue_spec() -> impl Strategy<Value = CatalogueSpec> {
    let preset = presets::verification_usage_spec().catalogue;
    let validity = prop_oneof![
        Just(1u32),
        Just(30),
        Just(90),
        Just(180),
        Just(365),
        Just(u32::MAX),
        1u32..4000,
    ];
    prop_oneof![
        2 => Just(preset),
        3 => (
            prop::collection::btree_set(validity, 1..4),
            prop::collection::vec(
                (package_calls(), price(), prop::option::of(price()), any::<Index>()),
                0..6,
            ),
            prop::option::of(price()),
        )
            .prop_map(|(validities, packages, custom)| {
                let validities: Vec<u32> = validities.into_iter().collect();
                CatalogueSpec {
                    packages: packages
                        .into_iter()
                        .map(|(calls, price, list, v)| PackageSpec {
                            calls,
                            price,
                            list_price: list.filter(|l| *l >= price),
                            validity_days: validities[v.index(validities.len())],
                        })
                        .collect(),
                    validities,
                    custom: custom.map(|unit_price| CustomPackagesSpec { unit_price }),
                }
            }),
    ]
}

/// Valid usage policies around the preset: any billing start, prices,
/// trial quota, exhaustion rule, catalogue and zone.
pub(crate) fn usage_policy() -> impl Strategy<Value = UsagePolicy> {
    (
        prop_oneof![3 => Just(UsagePolicy::BILLING_START), 2 => instant()],
        (
            prop::option::weighted(0.9, price()),
            prop::option::weighted(0.9, price()),
        ),
        prop_oneof![Just(0u64), Just(1000), 0u64..5000, Just(u64::MAX)],
        prop::sample::select(vec![WhenExhausted::PerCall, WhenExhausted::Refuse]),
        catalogue_spec(),
        zone(),
        any::<bool>(),
    )
        .prop_filter_map(
            "a policy that builds",
            |(start, (quick, real_time), trial, exhausted, catalogue, zone, exempt)| {
                let mut spec = presets::verification_usage_spec();
                spec.billing_start = start;
                spec.prices = [
                    (Component::QuickVerification, quick),
                    (Component::RealTimeVerification, real_time),
                ]
                .into_iter()
                .filter_map(|(component, price)| {
                    price.map(|price| ComponentPriceSpec { component, price })
                })
                .collect();
                spec.trial_quota = trial;
                spec.when_exhausted = exhausted;
                spec.catalogue = catalogue;
                spec.locale.time_zone = zone;
                if !exempt {
                    spec.exemptions = ExemptionsSpec::default();
                }
                UsagePolicy::try_from(spec).ok()
            },
        )
}

/// When the next command comes, relative to the last one.
#[derive(Debug, Clone)]
pub(crate) enum When {
    Later(i64),
    Earlier(i64),
    At(DateTime<Utc>),
}

pub(crate) fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        10 => (0i64..=3 * 86_400).prop_map(When::Later),
        3 => (0i64..=400 * 86_400).prop_map(When::Later),
        1 => (0i64..=30 * 86_400).prop_map(When::Earlier),
        1 => instant().prop_map(When::At),
    ]
}

pub(crate) fn advance(now: DateTime<Utc>, when: &When) -> DateTime<Utc> {
    match when {
        When::Later(s) => now
            .checked_add_signed(Duration::seconds(*s))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
        When::Earlier(s) => now
            .checked_sub_signed(Duration::seconds(*s))
            .unwrap_or(DateTime::<Utc>::MIN_UTC),
        When::At(t) => *t,
    }
}

/// A wallet command before it is resolved against the policy's catalogue.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Buy {
        custom: bool,
        pick: Index,
        calls: u64,
        validity: Option<u32>,
        validity_pick: Index,
    },
    Use {
        component: Component,
        succeeded: u64,
        failed: u64,
        at: When,
    },
    Advance,
    Switch(FeatureSwitch),
    Profile(AccountProfile),
}

pub(crate) fn organisation() -> impl Strategy<Value = Organisation> {
    prop::sample::select(vec![
        Organisation::Enterprise,
        Organisation::Individual,
        Organisation::Government,
        Organisation::NonProfit,
        Organisation::PublicInstitution,
        Organisation::Other,
    ])
}

pub(crate) fn category() -> impl Strategy<Value = Category> {
    prop::sample::select(vec![
        Category::GovernmentServices,
        Category::PublicLivelihood,
        Category::Other,
    ])
}

pub(crate) fn profile() -> impl Strategy<Value = AccountProfile> {
    (organisation(), category()).prop_map(|(o, c)| AccountProfile::new(o, c))
}

pub(crate) fn op() -> impl Strategy<Value = Op> {
    let at = prop_oneof![
        6 => Just(When::Later(0)),
        3 => (0i64..=400 * 86_400).prop_map(When::Earlier),
        1 => (1i64..=86_400).prop_map(When::Later),
        1 => instant().prop_map(When::At),
    ];
    prop_oneof![
        4 => (
            any::<bool>(),
            any::<Index>(),
            calls(),
            prop::option::weighted(0.2, prop_oneof![Just(90u32), any::<u32>()]),
            any::<Index>(),
        )
            .prop_map(|(custom, pick, calls, validity, validity_pick)| Op::Buy {
                custom,
                pick,
                calls,
                validity,
                validity_pick,
            }),
        8 => (component(), calls(), calls(), at).prop_map(|(component, succeeded, failed, at)| Op::Use {
            component,
            succeeded,
            failed,
            at,
        }),
        2 => Just(Op::Advance),
        1 => prop::sample::select(vec![FeatureSwitch::On, FeatureSwitch::On, FeatureSwitch::Off])
            .prop_map(Op::Switch),
        1 => profile().prop_map(Op::Profile),
    ]
}

pub(crate) fn resolve(op: &Op, policy: &UsagePolicy, now: DateTime<Utc>) -> WalletCommand {
    match op {
        Op::Buy {
            custom,
            pick,
            calls,
            validity,
            validity_pick,
        } => {
            let catalogue = policy.catalogue();
            let validity = validity.unwrap_or_else(|| {
                let all = catalogue.validities();
                all[validity_pick.index(all.len())].0
            });
            let listed = catalogue.packages();
            let order = if *custom {
                PackageOrder::custom(*calls, validity)
            } else if listed.is_empty() {
                PackageOrder::listed(*calls, validity)
            } else {
                let p = &listed[pick.index(listed.len())];
                PackageOrder::listed(p.calls, p.validity.0)
            };
            WalletCommand::Purchase { order }
        }
        Op::Use {
            component,
            succeeded,
            failed,
            at,
        } => WalletCommand::Consume {
            component: *component,
            calls: CallCounts {
                succeeded: *succeeded,
                failed: *failed,
            },
            at: advance(now, at),
        },
        Op::Advance => WalletCommand::Advance,
        Op::Switch(switch) => WalletCommand::SwitchFeature { switch: *switch },
        Op::Profile(profile) => WalletCommand::SetProfile { profile: *profile },
    }
}

pub(crate) fn start() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        3 => (1_672_531_200i64..1_767_225_600).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()),
        2 => instant(),
    ]
}

pub(crate) fn method_op() -> impl Strategy<Value = MethodCommand> {
    prop_oneof![
        1 => method().prop_map(|method| MethodCommand::Open { method }),
        3 => method().prop_map(|to| MethodCommand::Switch { to }),
    ]
}

pub(crate) fn traffic_policy() -> impl Strategy<Value = TrafficPolicy> {
    (
        zone(),
        prop_oneof![4 => Just(1u32), 3 => 1u32..40, 1 => Just(u32::MAX), 1 => any::<u32>()],
    )
        .prop_filter_map("a policy that builds", |(zone, delay)| {
            let mut spec = presets::live_traffic_spec();
            spec.locale.time_zone = zone;
            spec.switch_delay_days = delay;
            TrafficPolicy::try_from(spec).ok()
        })
}

proptest! {
    /// R-USE-01..07: any sequence of wallet commands at any instants: no
    /// panic, a refusal changes nothing, every call of a Consume is
    /// accounted for, no package balance goes negative or is lost, and the
    /// accepted events replay to the same state.
    #[test]
    fn r_use_07_any_wallet_command_sequence_keeps_the_books(
        policy in usage_policy(),
        start in start(),
        ops in prop::collection::vec((when(), op()), 1..40),
    ) {
        let mut run = WalletRun::new(&policy);
        let mut now = start;
        for (when, op) in &ops {
            now = advance(now, when);
            let command = resolve(op, &policy, now);
            run.step(&command, now)?;
        }
        run.check_replay()?;
    }

    /// R-USE-09: any sequence of method commands at any instants: no panic,
    /// a refusal changes nothing, days up to a request keep their method,
    /// replay gives the same state, and any day settles or is refused.
    #[test]
    fn r_use_09_any_method_command_sequence_is_replayable(
        policy in traffic_policy(),
        start in start(),
        ops in prop::collection::vec((when(), method_op()), 1..20),
        day in day_usage(),
    ) {
        let mut run = MethodRun::new(&policy);
        let mut now = start;
        for (when, command) in &ops {
            now = advance(now, when);
            run.step(command, now)?;
            let today = DayUsage { date: now.date_naive(), ..day };
            for usage in [today, day] {
                match policy.settle(&run.state, &usage) {
                    Ok(c) => prop_assert_eq!(Some(c.method), run.state.method_on(usage.date)),
                    Err(e) => check_error(&e)?,
                }
            }
        }
        run.check_replay()?;
    }
}
