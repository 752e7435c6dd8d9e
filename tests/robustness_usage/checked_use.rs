//! Checked use of a policy: wallet steps, plans and settlements, each
//! checked against the rules.

use super::*;

/// A wallet driven command by command, with every invariant checked.
pub(crate) struct WalletRun<'a> {
    pub(crate) policy: &'a UsagePolicy,
    pub(crate) state: WalletState,
    pub(crate) log: Vec<WalletEvent>,
}

impl<'a> WalletRun<'a> {
    pub(crate) fn new(policy: &'a UsagePolicy) -> WalletRun<'a> {
        WalletRun {
            policy,
            state: PackageWallet::initial(),
            log: Vec::new(),
        }
    }

    /// Decides and applies one command; checks every event against the
    /// state it was decided on.
    pub(crate) fn step(
        &mut self,
        command: &WalletCommand,
        now: DateTime<Utc>,
    ) -> Result<bool, TestCaseError> {
        let before = self.state.clone();
        match PackageWallet::decide(&self.state, command, now, self.policy) {
            Err(err) => {
                check_error(&err)?;
                // A refused command changes nothing: the state is the one
                // the caller holds, and run() refuses the same way.
                prop_assert_eq!(&self.state, &before);
                prop_assert!(PackageWallet::run(&self.state, command, now, self.policy).is_err());
                Ok(false)
            }
            Ok(events) => {
                let mut state = self.state.clone();
                for event in &events {
                    check_wallet_event(&state, command, event, now, self.policy)?;
                    state = PackageWallet::evolve(state, event);
                }
                if matches!(command, WalletCommand::Advance) {
                    let late = state
                        .packages()
                        .iter()
                        .any(|p| p.status() == PackageStatus::Open && p.expires_at() <= now);
                    prop_assert!(!late, "Advance left a package open past its expiry");
                }
                let (ran, ran_events) = PackageWallet::run(&self.state, command, now, self.policy)
                    .map_err(|e| fail(format!("decide accepted, run refused: {e}")))?;
                prop_assert_eq!(&ran, &state);
                prop_assert_eq!(&ran_events, &events);
                self.state = state;
                self.log.extend(events.iter().cloned());
                self.check_books()?;
                Ok(true)
            }
        }
    }

    /// Nothing is lost: each package's calls are what is left plus what was
    /// drawn plus what expired; the trial used is what consumptions drew.
    pub(crate) fn check_books(&self) -> Result<(), TestCaseError> {
        let mut drawn: HashMap<PackageId, u128> = HashMap::new();
        let mut trial: u128 = 0;
        for event in &self.log {
            if let WalletEvent::Consumed(c) = event {
                trial += u128::from(c.from_trial);
                for d in &c.draws {
                    *drawn.entry(d.package).or_default() += u128::from(d.calls);
                }
            }
        }
        prop_assert_eq!(u128::from(self.state.trial_used()), trial);
        prop_assert!(self.state.trial_used() <= self.policy.trial_quota());
        for (i, p) in self.state.packages().iter().enumerate() {
            prop_assert_eq!(p.id(), PackageId(i as u32));
            prop_assert!(
                p.remaining() <= p.calls(),
                "balance above the package: {:?}",
                p
            );
            let lost = match p.status() {
                PackageStatus::Open => 0,
                PackageStatus::Expired { lost } => {
                    prop_assert_eq!(p.remaining(), 0);
                    lost
                }
            };
            let used = drawn.get(&p.id()).copied().unwrap_or(0);
            prop_assert_eq!(
                u128::from(p.calls()),
                u128::from(p.remaining()) + used + u128::from(lost),
                "calls = remaining + drawn + lost for {:?}",
                p
            );
        }
        Ok(())
    }

    /// Replaying the accepted events from `initial()` gives the same state,
    /// and the state and events survive JSON.
    pub(crate) fn check_replay(&self) -> Result<(), TestCaseError> {
        prop_assert_eq!(&PackageWallet::replay(self.log.iter()), &self.state);
        round_trip(&self.state)?;
        for event in &self.log {
            round_trip(event)?;
        }
        Ok(())
    }
}

pub(crate) fn check_wallet_event(
    before: &WalletState,
    command: &WalletCommand,
    event: &WalletEvent,
    now: DateTime<Utc>,
    policy: &UsagePolicy,
) -> Result<(), TestCaseError> {
    match (command, event) {
        (WalletCommand::Purchase { order }, WalletEvent::Purchased(p)) => {
            let quote = policy.catalogue().quote(order).map_err(fail)?;
            prop_assert_eq!(p.package, PackageId(before.packages().len() as u32));
            prop_assert_eq!(p.order, *order);
            prop_assert_eq!(
                (p.calls, p.validity, p.price),
                (quote.calls, quote.validity, quote.price)
            );
            prop_assert!(!p.price.is_negative());
            prop_assert_eq!(p.paid_at, now);
            // R-USE-06: at payment, or at the billing start when paid before.
            prop_assert_eq!(p.effective_at, now.max(policy.billing_start()));
            prop_assert_eq!(
                Some(p.expires_at),
                p.effective_at.checked_add_signed(p.validity.duration())
            );
        }
        (
            WalletCommand::Consume {
                component,
                calls,
                at,
            },
            WalletEvent::Consumed(c),
        ) => {
            prop_assert_eq!((c.component, c.at), (*component, *at));
            prop_assert_eq!((c.requested, c.failed), (calls.succeeded, calls.failed));
            prop_assert!(*at <= now);
            check_consumption(before, c, policy)?;
        }
        (WalletCommand::Advance, WalletEvent::Expired(e)) => {
            let p = before
                .packages()
                .iter()
                .find(|p| p.id() == e.package)
                .ok_or_else(|| fail("expired an unknown package"))?;
            prop_assert_eq!(p.status(), PackageStatus::Open);
            prop_assert!(p.expires_at() <= now);
            prop_assert_eq!((e.expired_at, e.lost), (p.expires_at(), p.remaining()));
        }
        (
            WalletCommand::SwitchFeature { switch },
            WalletEvent::FeatureSwitched { switch: s, at },
        ) => {
            prop_assert_eq!((switch, *at), (s, now));
            prop_assert_ne!(before.feature(), *switch);
        }
        (WalletCommand::SetProfile { profile }, WalletEvent::ProfileSet { profile: p, at }) => {
            prop_assert_eq!((profile, *at), (p, now));
        }
        (c, e) => return Err(fail(format!("{c:?} gave {e:?}"))),
    }
    Ok(())
}

/// R-USE-01..07 for one consumption, against the state it was decided on.
pub(crate) fn check_consumption(
    before: &WalletState,
    c: &Consumption,
    policy: &UsagePolicy,
) -> Result<(), TestCaseError> {
    let from_packages: u128 = c.draws.iter().map(|d| u128::from(d.calls)).sum();
    let accounted = u128::from(c.waived)
        + u128::from(c.from_trial)
        + from_packages
        + u128::from(c.overage)
        + u128::from(c.refused);
    prop_assert_eq!(
        accounted,
        u128::from(c.requested),
        "waived + drawn + overage + refused = requested: {:?}",
        c
    );
    if c.waiver.is_some() {
        prop_assert_eq!(c.waived, c.requested);
    } else {
        prop_assert_eq!(c.waived, 0);
    }
    prop_assert!(c.from_trial <= before.trial_remaining(policy));
    let mut last: Option<(DateTime<Utc>, PackageId)> = None;
    for d in &c.draws {
        let p = before
            .packages()
            .iter()
            .find(|p| p.id() == d.package)
            .ok_or_else(|| fail("drew from an unknown package"))?;
        prop_assert!(d.calls > 0);
        prop_assert!(p.drawable_at(c.at), "drew from {:?} at {}", p, c.at);
        prop_assert!(d.calls <= p.remaining(), "overdrew {:?}", p);
        // R-USE-07: the package expiring first, then the one bought first.
        let key = (p.expires_at(), p.id());
        prop_assert!(last.is_none_or(|l| l < key), "out of R-USE-07 order");
        last = Some(key);
    }
    let available: u128 = before
        .packages()
        .iter()
        .filter(|p| p.drawable_at(c.at))
        .map(|p| u128::from(p.remaining()))
        .sum();
    if c.overage > 0 || c.refused > 0 {
        // Billed or refused only with the trial and every package used up.
        prop_assert_eq!(c.from_trial, before.trial_remaining(policy));
        prop_assert_eq!(from_packages, available);
    }
    if !c.draws.is_empty() {
        prop_assert_eq!(c.from_trial, before.trial_remaining(policy));
    }
    match policy.when_exhausted() {
        WhenExhausted::PerCall => prop_assert_eq!(c.refused, 0),
        WhenExhausted::Refuse => prop_assert_eq!(c.overage, 0),
    }
    prop_assert_eq!(
        c.charge,
        c.unit_price
            .checked_mul(Decimal::from(c.overage))
            .map_err(fail)?
    );
    prop_assert!(!c.charge.is_negative());
    Ok(())
}

/// What a fuzzed policy is used for: a forecast, an instant, call counts,
/// and a day's usage.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    pub(crate) component: Component,
    pub(crate) calls: u64,
    pub(crate) horizon: u32,
    pub(crate) now: DateTime<Utc>,
    pub(crate) succeeded: u64,
    pub(crate) failed: u64,
    pub(crate) day: DayUsage,
    pub(crate) minutes: Quantity,
    pub(crate) count: u64,
    pub(crate) channels: u32,
}

pub(crate) fn component() -> impl Strategy<Value = Component> {
    prop::sample::select(Component::ALL.to_vec())
}

pub(crate) fn calls() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => 0u64..3,
        3 => 0u64..5_000,
        3 => 0u64..200_000_000,
        1 => Just(1_000_000_000_000_000_000u64),
        2 => Just(u64::MAX),
        2 => any::<u64>(),
    ]
}

pub(crate) fn any_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        4 => (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        4 => (-1_000_000i64..1_000_000_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => Just(Decimal::MAX),
        1 => Just(Decimal::MIN),
        1 => Just(Decimal::ZERO),
        1 => Just(Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, false, 28)),
        1 => Just(Decimal::new(1, 28)),
    ]
}

pub(crate) fn unit() -> impl Strategy<Value = Unit> {
    prop::sample::select(vec![
        Unit::Byte,
        Unit::Kilobyte,
        Unit::Megabyte,
        Unit::Gigabyte,
        Unit::Terabyte,
        Unit::BitPerSecond,
        Unit::Kilobit,
        Unit::Megabit,
        Unit::Gigabit,
        Unit::Call,
        Unit::Seat,
        Unit::Minute,
        Unit::Channel,
        Unit::Count,
    ])
}

pub(crate) fn quantity() -> impl Strategy<Value = Quantity> {
    (any_decimal(), unit()).prop_map(|(v, u)| Quantity::new(v, u))
}

pub(crate) fn region() -> impl Strategy<Value = Region> {
    prop::sample::select(vec![Region::Mainland, Region::International])
}

pub(crate) fn method() -> impl Strategy<Value = BillingMethod> {
    prop::sample::select(vec![BillingMethod::Traffic, BillingMethod::PeakBandwidth])
}

pub(crate) fn day_usage() -> impl Strategy<Value = DayUsage> {
    (date(), region(), quantity(), quantity()).prop_map(|(date, region, traffic, peak)| DayUsage {
        date,
        region,
        traffic,
        peak_bandwidth: peak,
    })
}

pub(crate) fn probe() -> impl Strategy<Value = Probe> {
    (
        (
            component(),
            calls(),
            prop_oneof![0u32..400, any::<u32>()],
            instant(),
        ),
        (calls(), calls(), day_usage()),
        (quantity(), any::<u64>(), any::<u32>()),
    )
        .prop_map(
            |(
                (component, calls, horizon, now),
                (succeeded, failed, day),
                (minutes, count, channels),
            )| Probe {
                component,
                calls,
                horizon,
                now,
                succeeded,
                failed,
                day,
                minutes,
                count,
                channels,
            },
        )
}

/// Plans a forecast on `policy` and checks the plan adds up (R-USE-08).
pub(crate) fn check_plan(policy: &UsagePolicy, forecast: &Forecast) -> Result<(), TestCaseError> {
    match policy.plan(forecast) {
        Err(err) => check_error(&err),
        Ok(p) => {
            prop_assert_eq!(&p.forecast, forecast);
            prop_assert!(p.covered >= forecast.calls, "a plan covers the forecast");
            let sum =
                Money::checked_sum(p.total.currency(), p.lines.iter().map(PlanLine::subtotal))
                    .map_err(fail)?;
            prop_assert_eq!(sum, p.total);
            prop_assert_eq!(p.saving, p.pay_per_call.checked_sub(p.total).map_err(fail)?);
            prop_assert!(!p.total.is_negative());
            round_trip(&p)
        }
    }
}

/// Uses a policy that built: round trip, a plan, a purchase of each of the
/// first listed packages and a custom one, consumptions, an expiry.
pub(crate) fn exercise_usage(policy: &UsagePolicy, probe: &Probe) -> Result<(), TestCaseError> {
    round_trip(policy)?;
    round_trip(policy.prices())?;
    round_trip(policy.exemptions())?;
    round_trip(policy.catalogue())?;
    check_plan(
        policy,
        &Forecast::new(probe.component, probe.calls, Days(probe.horizon)),
    )?;
    let longest = policy.catalogue().validities().iter().max().copied();
    if let Some(longest) = longest {
        check_plan(
            policy,
            &Forecast::new(probe.component, probe.calls, longest),
        )?;
    }
    let mut run = WalletRun::new(policy);
    let now = probe.now;
    let mut orders: Vec<PackageOrder> = policy
        .catalogue()
        .packages()
        .iter()
        .take(3)
        .map(|p| PackageOrder::listed(p.calls, p.validity.0))
        .collect();
    if let Some(v) = policy.catalogue().validities().first() {
        orders.push(PackageOrder::custom(probe.calls, v.0));
    }
    for order in orders {
        run.step(&WalletCommand::Purchase { order }, now)?;
    }
    let calls = CallCounts {
        succeeded: probe.succeeded,
        failed: probe.failed,
    };
    for (at, when) in [
        (now, now),
        (
            now,
            now.checked_add_signed(Duration::days(1)).unwrap_or(now),
        ),
    ] {
        for component in Component::ALL {
            run.step(
                &WalletCommand::Consume {
                    component,
                    calls,
                    at,
                },
                when,
            )?;
        }
    }
    let later = now.checked_add_signed(Duration::days(400)).unwrap_or(now);
    run.step(&WalletCommand::Advance, later)?;
    run.check_replay()
}

/// Settles a day both ways on a traffic policy that built, and runs the
/// method switch.
pub(crate) fn exercise_traffic(policy: &TrafficPolicy, probe: &Probe) -> Result<(), TestCaseError> {
    round_trip(policy)?;
    for region in [Region::Mainland, Region::International] {
        for method in [BillingMethod::Traffic, BillingMethod::PeakBandwidth] {
            if let Ok(tariff) = policy.tariff(region, method) {
                round_trip(tariff)?;
            }
            let day = DayUsage {
                region,
                ..probe.day
            };
            check_settlement(policy, method, &day)?;
        }
    }
    let mut runner = MethodRun::new(policy);
    runner.step(
        &MethodCommand::Open {
            method: BillingMethod::Traffic,
        },
        probe.now,
    )?;
    runner.step(
        &MethodCommand::Switch {
            to: BillingMethod::PeakBandwidth,
        },
        probe.now,
    )?;
    match policy.settle(&runner.state, &probe.day) {
        Ok(c) => round_trip(&c)?,
        Err(e) => check_error(&e)?,
    }
    runner.check_replay()
}

pub(crate) fn check_settlement(
    policy: &TrafficPolicy,
    method: BillingMethod,
    day: &DayUsage,
) -> Result<(), TestCaseError> {
    match policy.settle_day(method, day) {
        Err(err) => check_error(&err),
        Ok(c) => {
            let sum = Money::checked_sum(c.exact.currency(), c.parts.iter().map(|p| p.amount))
                .map_err(fail)?;
            prop_assert_eq!(sum, c.exact);
            prop_assert_eq!(c.total, c.exact.round_to_minor(policy.locale().rounding));
            prop_assert!(!c.quantity.value().is_sign_negative() || c.quantity.value().is_zero());
            prop_assert!(!c.exact.is_negative());
            round_trip(&c)
        }
    }
}

pub(crate) fn exercise_add_ons(policy: &AddOnPolicy, probe: &Probe) -> Result<(), TestCaseError> {
    round_trip(policy)?;
    let mut uses = vec![
        AddOnUsage::Recording {
            peak_channels: probe.channels,
        },
        AddOnUsage::Snapshots { count: probe.count },
        AddOnUsage::Moderation { count: probe.count },
    ];
    for resolution in [
        Resolution::Sd,
        Resolution::Hd,
        Resolution::FullHd,
        Resolution::UltraHd,
    ] {
        uses.push(AddOnUsage::Transcoding {
            resolution,
            minutes: probe.minutes,
        });
        uses.push(AddOnUsage::Transcoding {
            resolution,
            minutes: Quantity::new(probe.minutes.value(), Unit::Minute),
        });
    }
    for usage in uses {
        match policy.charge(&usage) {
            Err(err) => check_error(&err)?,
            Ok(c) => {
                prop_assert_eq!(c.usage, usage);
                prop_assert!(!c.exact.is_negative());
                prop_assert_eq!(c.total, c.exact.round_to_minor(policy.locale().rounding));
                round_trip(&c)?;
            }
        }
    }
    Ok(())
}

/// The billing-method decider driven command by command.
pub(crate) struct MethodRun<'a> {
    pub(crate) policy: &'a TrafficPolicy,
    pub(crate) state: MethodState,
    pub(crate) log: Vec<MethodEvent>,
}

impl<'a> MethodRun<'a> {
    pub(crate) fn new(policy: &'a TrafficPolicy) -> MethodRun<'a> {
        MethodRun {
            policy,
            state: BillingMethods::initial(),
            log: Vec::new(),
        }
    }

    pub(crate) fn step(
        &mut self,
        command: &MethodCommand,
        now: DateTime<Utc>,
    ) -> Result<bool, TestCaseError> {
        let before = self.state.clone();
        match BillingMethods::decide(&self.state, command, now, self.policy) {
            Err(err) => {
                check_error(&err)?;
                prop_assert_eq!(&self.state, &before);
                Ok(false)
            }
            Ok(events) => {
                let state = events
                    .iter()
                    .fold(self.state.clone(), BillingMethods::evolve);
                let MethodState::Open { changes } = &state else {
                    return Err(fail("an accepted command leaves the account open"));
                };
                prop_assert!(
                    changes.windows(2).all(|w| w[0].from < w[1].from),
                    "changes ascend by day: {:?}",
                    changes
                );
                for event in &events {
                    match (command, event) {
                        (
                            MethodCommand::Open { method },
                            MethodEvent::Opened { method: m, from },
                        ) => {
                            prop_assert_eq!(method, m);
                            prop_assert_eq!(state.method_on(*from), Some(*method));
                        }
                        (
                            MethodCommand::Switch { to },
                            MethodEvent::SwitchScheduled {
                                to: t,
                                requested_at,
                                effective_from,
                            },
                        ) => {
                            prop_assert_eq!((to, *requested_at), (t, now));
                            prop_assert_eq!(state.method_on(*effective_from), Some(*to));
                            // Days up to the request keep their method
                            // (R-USE-09: every day is billed one way).
                            let mut days: Vec<NaiveDate> = match &before {
                                MethodState::Open { changes } => {
                                    changes.iter().map(|c| c.from).collect()
                                }
                                MethodState::NotOpened => Vec::new(),
                            };
                            days.push(*effective_from);
                            for d in days {
                                if let Some(prev) = d.pred_opt()
                                    && prev < *effective_from
                                {
                                    prop_assert_eq!(state.method_on(prev), before.method_on(prev));
                                }
                                if d < *effective_from {
                                    prop_assert_eq!(state.method_on(d), before.method_on(d));
                                }
                            }
                        }
                        (c, e) => return Err(fail(format!("{c:?} gave {e:?}"))),
                    }
                }
                self.state = state;
                self.log.extend(events.iter().copied());
                Ok(true)
            }
        }
    }

    pub(crate) fn check_replay(&self) -> Result<(), TestCaseError> {
        prop_assert_eq!(&BillingMethods::replay(self.log.iter()), &self.state);
        round_trip(&self.state)?;
        for event in &self.log {
            round_trip(event)?;
        }
        Ok(())
    }
}
