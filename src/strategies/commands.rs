//! Strategies for command sequences: each aggregate's commands at
//! increasing instants, accepted or refused as they fall.

use std::num::NonZeroU32;
use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::lifecycle::{
    AccountId, AppId, BundleClaimCommand, LicenceCommand, PostpaidCommand, Role,
    SubscriptionCommand, TrafficPackage,
};
use crate::money::Money;
use crate::payment::{PaymentCommand, PaymentMethod, SwitchFacts};
use crate::pricing::{SeatAccountCommand, SeatOrder};
use crate::quantity::{Quantity, Unit};
use crate::refund::{LedgerCommand, RefundFlags};
use crate::strategies::values::{instant, package_order};
use crate::time::Period;
use crate::usage::{
    BillingMethod, CallCounts, Component, FeatureSwitch, MethodCommand, WalletCommand,
};

/// One command of a sequence and the instant it is sent at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timed<C> {
    /// When the command is sent: never before the previous command's.
    pub at: DateTime<Utc>,
    /// The command.
    pub command: C,
}

/// A gap between two commands, in seconds: as many of minutes as of hours,
/// days or months (up to about 97 days), sometimes none.
fn gap() -> impl Strategy<Value = i64> {
    prop_oneof![
        1 => Just(0i64),
        9 => (0u32..=23).prop_flat_map(|exp| (1i64 << exp)..(2i64 << exp)),
    ]
}

/// A sequence of `len` commands from 2020 to 2030 at increasing instants,
/// each built by `build` from its drawn part, its instant and its index
/// (so a command can name the instant, e.g. a consumption's `at`).
fn sequence<T, C>(
    part: impl Strategy<Value = T>,
    len: RangeInclusive<usize>,
    build: fn(T, DateTime<Utc>, usize) -> C,
) -> impl Strategy<Value = Vec<Timed<C>>>
where
    T: std::fmt::Debug,
    C: std::fmt::Debug,
{
    (instant(), prop::collection::vec((gap(), part), len)).prop_map(move |(start, parts)| {
        let mut at = start;
        parts
            .into_iter()
            .enumerate()
            .map(|(i, (gap, part))| {
                at = at.checked_add_signed(Duration::seconds(gap)).unwrap_or(at);
                Timed {
                    at,
                    command: build(part, at, i),
                }
            })
            .collect()
    })
}

/// Yuan from whole fen, 0 to `max_fen`.
fn cny(max_fen: i64) -> impl Strategy<Value = Money> {
    (0i64..=max_fen).prop_map(|fen| Money::cny(Decimal::new(fen, 2)))
}

/// Seat account commands (R-SEAT-01..09): purchases, upgrades, extensions.
pub fn seat_account_commands(
    len: RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Timed<SeatAccountCommand>>> {
    let command = prop_oneof![
        (1u32..=300, 1u32..=2).prop_map(|(s, p)| SeatAccountCommand::Purchase {
            order: SeatOrder::new(s, p)
        }),
        (1u32..=300, 1u32..=2).prop_map(|(s, p)| SeatAccountCommand::Upgrade {
            order: SeatOrder::new(s, p)
        }),
        (1u32..=3).prop_map(|periods| SeatAccountCommand::Extend { periods }),
    ];
    sequence(command, len, |command, _, _| command)
}

/// Package wallet commands (R-USE-01..07): purchases of
/// [`package_order`]s, consumption reported at the command's instant,
/// feature switches, expiry.
pub fn wallet_commands(
    len: RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Timed<WalletCommand>>> {
    #[derive(Debug, Clone)]
    enum Part {
        Ready(WalletCommand),
        Consume(Component, CallCounts),
    }
    let part = prop_oneof![
        2 => package_order().prop_map(|order| Part::Ready(WalletCommand::Purchase { order })),
        4 => (
            prop::sample::select(vec![Component::QuickVerification, Component::RealTimeVerification]),
            0u64..=5_000,
            0u64..=20,
        )
            .prop_map(|(component, succeeded, failed)| {
                Part::Consume(component, CallCounts { succeeded, failed })
            }),
        1 => prop::sample::select(vec![FeatureSwitch::On, FeatureSwitch::Off])
            .prop_map(|switch| Part::Ready(WalletCommand::SwitchFeature { switch })),
        1 => Just(Part::Ready(WalletCommand::Advance)),
    ];
    sequence(part, len, |part, at, _| match part {
        Part::Ready(command) => command,
        Part::Consume(component, calls) => WalletCommand::Consume {
            component,
            calls,
            at,
        },
    })
}

/// Order ledger commands (R-REF-01, R-REF-02, R-REF-04): orders `o0`,
/// `o1`, ... recorded as paid at the command's instant, refunds and
/// invoices naming one of them (or one never recorded: refused).
pub fn ledger_commands(
    len: RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Timed<LedgerCommand>>> {
    #[derive(Debug, Clone)]
    enum Part {
        Record(Money),
        Refund(prop::sample::Index, bool),
        Invoice(prop::sample::Index),
    }
    let part = prop_oneof![
        3 => cny(100_000).prop_map(Part::Record),
        3 => (any::<prop::sample::Index>(), any::<bool>()).prop_map(|(i, f)| Part::Refund(i, f)),
        1 => any::<prop::sample::Index>().prop_map(Part::Invoice),
    ];
    sequence(part, len, |part, at, i| {
        let earlier = |index: prop::sample::Index| format!("o{}", index.index(i + 1)).into();
        match part {
            Part::Record(amount) => LedgerCommand::RecordOrder {
                order: format!("o{i}").into(),
                paid_at: at,
                amount,
            },
            Part::Refund(index, flagged) => LedgerCommand::Refund {
                order: earlier(index),
                flags: if flagged {
                    RefundFlags::default().banned()
                } else {
                    RefundFlags::default()
                },
            },
            Part::Invoice(index) => LedgerCommand::MarkInvoiced {
                order: earlier(index),
            },
        }
    })
}

/// Subscription commands (R-LIFE-01..07): go-live, extra trials,
/// purchases and renewals of a month, a year or some days, auto-renewal,
/// and `Advance`.
pub fn subscription_commands(
    len: RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Timed<SubscriptionCommand>>> {
    let validity = prop_oneof![
        Just(Period::Month),
        Just(Period::Year),
        (1u32..=40).prop_filter_map("at least one day", |d| NonZeroU32::new(d).map(Period::Days)),
    ];
    let command = prop_oneof![
        1 => Just(SubscriptionCommand::GoLive),
        1 => prop::sample::select(vec![Role::Admin, Role::Member])
            .prop_map(|by| SubscriptionCommand::StartExtraTrial { by }),
        2 => validity.clone().prop_map(|validity| SubscriptionCommand::Purchase { validity }),
        2 => validity.prop_map(|validity| SubscriptionCommand::Renew { validity }),
        1 => any::<bool>().prop_map(|on| SubscriptionCommand::SetAutoRenewal { on }),
        3 => Just(SubscriptionCommand::Advance { funds: None }),
    ];
    sequence(command, len, |command, _, _| command)
}

/// Postpaid account commands (R-LIFE-08, R-LIFE-09): charges, top-ups,
/// bills (refused under a balance-runs-out policy, and the reverse) and
/// `Advance`.
pub fn postpaid_commands(
    len: RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Timed<PostpaidCommand>>> {
    let command = prop_oneof![
        3 => cny(12_000).prop_map(|amount| PostpaidCommand::Charge { amount }),
        2 => (1i64..=15_000).prop_map(|fen| PostpaidCommand::TopUp {
            amount: Money::cny(Decimal::new(fen, 2))
        }),
        1 => cny(5_000).prop_map(|amount| PostpaidCommand::IssueBill { amount }),
        3 => Just(PostpaidCommand::Advance),
    ];
    sequence(command, len, |command, _, _| command)
}

/// Payment method commands (R-PAY-02..08): first purchases and switches,
/// pay-as-you-go seldom (it ends switching, R-PAY-04).
pub fn payment_commands(
    len: RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Timed<PaymentCommand>>> {
    let method = prop_oneof![
        1 => Just(PaymentMethod::PayAsYouGo),
        3 => Just(PaymentMethod::PrepaidPersonalWallet),
        3 => Just(PaymentMethod::PrepaidCloudAccount),
    ];
    let command = prop_oneof![
        1 => method.clone().prop_map(|method| PaymentCommand::FirstPurchase { method }),
        3 => method.prop_map(|to| PaymentCommand::switch(to, SwitchFacts::default())),
    ];
    sequence(command, len, |command, _, _| command)
}

/// Billing method commands (R-USE-09): open with a method, switch.
pub fn billing_method_commands(
    len: RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Timed<MethodCommand>>> {
    let method = prop::sample::select(vec![BillingMethod::Traffic, BillingMethod::PeakBandwidth]);
    let command = prop_oneof![
        1 => method.clone().prop_map(|method| MethodCommand::Open { method }),
        3 => method.prop_map(|to| MethodCommand::Switch { to }),
    ];
    sequence(command, len, |command, _, _| command)
}

/// Licence commands on app `app` (R-LIC-01..05): binds and purchases by
/// `acct-0` or `acct-1` (the second to come is refused, R-LIC-04), and
/// `Advance`.
pub fn licence_commands(
    app: &str,
    len: RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Timed<LicenceCommand>>> {
    let app = AppId::new(app);
    let account = (0u8..2).prop_map(|n| AccountId::new(format!("acct-{n}")));
    let (bind_app, buy_app) = (app.clone(), app);
    let command = prop_oneof![
        1 => account.clone().prop_map(move |account| LicenceCommand::Bind { app: bind_app.clone(), account }),
        2 => account.prop_map(move |account| LicenceCommand::Purchase { app: buy_app.clone(), account }),
        1 => Just(LicenceCommand::Advance),
    ];
    sequence(command, len, |command, _, _| command)
}

/// Claims on traffic package `package` (R-LIC-06): apps `app-0` to `app-2`
/// apply for its free term, mostly by its buyer `acct-0`, sometimes by
/// another account (refused); 100 to 300 TB, so under the live plugin's
/// 200 TB some grant no term (refused).
pub fn bundle_claim_commands(
    package: &str,
    len: RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Timed<BundleClaimCommand>>> {
    let package = package.to_owned();
    let command = (0u8..3, prop::bool::weighted(0.8), 100u32..=300).prop_map(
        move |(app, by_buyer, terabytes)| BundleClaimCommand::Claim {
            app: AppId::new(format!("app-{app}")),
            account: AccountId::new(if by_buyer { "acct-0" } else { "acct-1" }),
            package: TrafficPackage {
                id: package.clone(),
                size: Quantity::new(Decimal::from(terabytes), Unit::Terabyte),
                buyer: AccountId::new("acct-0"),
            },
        },
    );
    sequence(command, len, |command, _, _| command)
}
