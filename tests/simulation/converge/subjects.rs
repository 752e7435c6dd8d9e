//! What the convergence run needs of each aggregate kind: the `Subject`
//! trait (its policy, refusal family and commands) and its impls.

use super::*;

/// What the run needs of each aggregate kind: its policy, the family its
/// refusals name, and a plausible command (accepted or refused: both must
/// converge).
pub trait Subject:
    Aggregate<
        State: Send + PartialEq + Debug + 'static,
        Command: Debug + serde::Serialize + Sync,
        Event: Send + PartialEq + Debug + 'static,
        Policy: Sync,
    > + Sized
    + 'static
{
    const FAMILY: RuleFamily;
    /// Aggregates of the kind, so commands on one interleave with the
    /// others'; more for kinds that soon refuse everything (a payment
    /// method after its fourth switch, a claimed package).
    const IDS: u64 = 3;
    fn policy() -> Self::Policy;
    /// The scheduler's tick at `now` through `engine` ([`Engine::tick`]),
    /// for the kinds time changes; `None` for the others.
    fn tick<S: Store<Self>>(
        engine: &Engine<FixedClock, S>,
        now: DateTime<Utc>,
        policy: &Self::Policy,
    ) -> Option<Result<Tick, EngineError>> {
        let _ = (engine, now, policy);
        None
    }
    /// [`Subject::tick`] through the async engine.
    fn tick_async<S: AsyncStore<Self>>(
        engine: &AsyncEngine<FixedClock, S>,
        now: DateTime<Utc>,
        policy: &Self::Policy,
    ) -> Option<Result<Tick, EngineError>> {
        let _ = (engine, now, policy);
        None
    }
    /// The `step`-th command of the run, on aggregate `id`, at `now`.
    fn command(rng: &mut Rng, id: &AggregateId, step: u64, now: DateTime<Utc>) -> Self::Command;
}

/// Due aggregates one tick takes.
pub(crate) const TICK_LIMIT: usize = 100;

pub(crate) fn cny(rng: &mut Rng, lo: u64, hi: u64) -> Money {
    Money::cny(Decimal::from(rng.range(lo, hi)))
}

impl Subject for Subscription {
    const FAMILY: RuleFamily = RuleFamily::Life;
    fn policy() -> Self::Policy {
        presets::chat_service_subscription().expect("preset")
    }
    scheduled!();
    fn command(rng: &mut Rng, _: &AggregateId, _: u64, _: DateTime<Utc>) -> SubscriptionCommand {
        let validity = match rng.below(3) {
            0 => Period::Month,
            1 => Period::Year,
            _ => Period::Days(NonZeroU32::new(rng.range(1, 40) as u32).expect("at least 1")),
        };
        match rng.below(7) {
            0 => SubscriptionCommand::GoLive,
            1 => SubscriptionCommand::StartExtraTrial {
                by: rng.pick(&[Role::Admin, Role::Member]),
            },
            2 => SubscriptionCommand::Purchase { validity },
            3 => SubscriptionCommand::Renew { validity },
            4 => SubscriptionCommand::SetAutoRenewal { on: rng.chance(50) },
            _ => SubscriptionCommand::Advance { funds: None },
        }
    }
}

impl Subject for PostpaidAccount {
    const FAMILY: RuleFamily = RuleFamily::Life;
    fn policy() -> Self::Policy {
        presets::live_plugin_postpaid().expect("preset")
    }
    scheduled!();
    fn command(rng: &mut Rng, _: &AggregateId, _: u64, _: DateTime<Utc>) -> PostpaidCommand {
        match rng.below(5) {
            0 | 1 => PostpaidCommand::Charge {
                amount: cny(rng, 0, 120),
            },
            2 => PostpaidCommand::TopUp {
                amount: cny(rng, 1, 150),
            },
            // Not this preset's trigger: refused (R-LIFE-08).
            3 if rng.chance(20) => PostpaidCommand::IssueBill {
                amount: cny(rng, 0, 50),
            },
            _ => PostpaidCommand::Advance,
        }
    }
}

impl Subject for PackageWallet {
    const FAMILY: RuleFamily = RuleFamily::Use;
    fn policy() -> Self::Policy {
        presets::verification_usage().expect("preset")
    }
    scheduled!();
    fn command(rng: &mut Rng, _: &AggregateId, _: u64, now: DateTime<Utc>) -> WalletCommand {
        match rng.below(6) {
            0 => WalletCommand::Purchase {
                order: PackageOrder::listed(rng.pick(&[1_000, 10_000, 3_333]), 365),
            },
            1 | 2 => WalletCommand::Consume {
                component: Component::QuickVerification,
                calls: CallCounts {
                    succeeded: rng.range(0, 4_000),
                    failed: rng.range(0, 20),
                },
                at: now - Duration::minutes(rng.range(0, 30) as i64),
            },
            3 => WalletCommand::SwitchFeature {
                switch: rng.pick(&[FeatureSwitch::On, FeatureSwitch::Off]),
            },
            _ => WalletCommand::Advance,
        }
    }
}

impl Subject for BillingMethods {
    const FAMILY: RuleFamily = RuleFamily::Use;
    fn policy() -> Self::Policy {
        presets::live_traffic().expect("preset")
    }
    fn command(rng: &mut Rng, _: &AggregateId, _: u64, _: DateTime<Utc>) -> MethodCommand {
        let method = rng.pick(&[BillingMethod::Traffic, BillingMethod::PeakBandwidth]);
        if rng.chance(30) {
            MethodCommand::Open { method }
        } else {
            MethodCommand::Switch { to: method }
        }
    }
}

/// Two accounts take turns, so the second one's purchases are refused
/// (R-LIC-04: an app id belongs to the account that bound it).
pub(crate) fn licence_account(rng: &mut Rng) -> AccountId {
    AccountId::new(format!("acct-{}", rng.below(2)))
}

impl Subject for Licence {
    const FAMILY: RuleFamily = RuleFamily::Lic;
    fn policy() -> Self::Policy {
        presets::live_plugin_licence().expect("preset")
    }
    scheduled!();
    fn command(rng: &mut Rng, id: &AggregateId, _: u64, _: DateTime<Utc>) -> LicenceCommand {
        let app = AppId::new(id.as_str());
        match rng.below(4) {
            0 => LicenceCommand::Bind {
                app,
                account: licence_account(rng),
            },
            1 | 2 => LicenceCommand::Purchase {
                app,
                account: licence_account(rng),
            },
            _ => LicenceCommand::Advance,
        }
    }
}

impl Subject for BundleClaim {
    const FAMILY: RuleFamily = RuleFamily::Lic;
    const IDS: u64 = 60;
    fn policy() -> Self::Policy {
        presets::live_plugin_licence().expect("preset")
    }
    fn command(rng: &mut Rng, id: &AggregateId, _: u64, _: DateTime<Utc>) -> BundleClaimCommand {
        let buyer = licence_account(rng);
        BundleClaimCommand::Claim {
            app: AppId::new(format!("app-{}", rng.below(3))),
            account: if rng.chance(80) {
                buyer.clone()
            } else {
                licence_account(rng)
            },
            package: TrafficPackage {
                id: id.to_string(),
                size: Quantity::new(Decimal::from(rng.range(150, 260)), Unit::Terabyte),
                buyer,
            },
        }
    }
}

impl Subject for EnvironmentPayment {
    const FAMILY: RuleFamily = RuleFamily::Pay;
    const IDS: u64 = 40;
    fn policy() -> Self::Policy {
        presets::cloud_payment().expect("preset")
    }
    fn command(rng: &mut Rng, _: &AggregateId, _: u64, _: DateTime<Utc>) -> PaymentCommand {
        // Pay-as-you-go seldom: it ends switching (R-PAY-04).
        let method = if rng.chance(15) {
            PaymentMethod::PayAsYouGo
        } else {
            rng.pick(&[
                PaymentMethod::PrepaidPersonalWallet,
                PaymentMethod::PrepaidCloudAccount,
            ])
        };
        if rng.chance(25) {
            PaymentCommand::FirstPurchase { method }
        } else {
            PaymentCommand::switch(method, SwitchFacts::default())
        }
    }
}

impl Subject for OrderLedger {
    const FAMILY: RuleFamily = RuleFamily::Ref;
    fn policy() -> Self::Policy {
        presets::app_store_refunds().expect("preset")
    }
    fn command(rng: &mut Rng, _: &AggregateId, step: u64, now: DateTime<Utc>) -> LedgerCommand {
        // Orders are named by the step that recorded them; a refund or an
        // invoice may name one never recorded here (refused).
        let earlier = format!("o{}", rng.below(step + 1)).into();
        match rng.below(5) {
            0 | 1 => LedgerCommand::RecordOrder {
                order: format!("o{step}").into(),
                paid_at: now - Duration::hours(rng.range(0, 48) as i64),
                amount: cny(rng, 0, 500),
            },
            2 | 3 => LedgerCommand::Refund {
                order: earlier,
                flags: RefundFlags::default(),
            },
            _ => LedgerCommand::MarkInvoiced { order: earlier },
        }
    }
}

impl Subject for SeatAccount {
    const FAMILY: RuleFamily = RuleFamily::Seat;
    fn policy() -> Self::Policy {
        presets::app_store_seat_pricing().expect("preset")
    }
    fn command(rng: &mut Rng, _: &AggregateId, _: u64, _: DateTime<Utc>) -> SeatAccountCommand {
        let order = SeatOrder::new(rng.range(1, 300) as u32, rng.range(1, 2) as u32);
        match rng.below(3) {
            0 => SeatAccountCommand::Purchase { order },
            1 => SeatAccountCommand::Upgrade { order },
            _ => SeatAccountCommand::Extend {
                periods: rng.range(1, 2) as u32,
            },
        }
    }
}
