//! Shared proptest strategies: instants from 1970 to 9999 and at chrono's
//! extremes, decimals up to `Decimal::MAX`, any currency, zone and period,
//! and policies built from specs with extreme fields.

use billing_rules::lifecycle::{
    AppId, ArrearsReminderSpec, ArrearsTrigger, BundleReceipt, Channel, Channels, Lapse,
    LicencePolicy, LicencePolicySpec, NoticeSpec, PostpaidPolicy, PostpaidPolicySpec, ReminderSpec,
    Role, SubscriptionPolicy, SubscriptionPolicySpec, TrafficPackage,
};
use billing_rules::money::{Currency, Money, RoundingMode};
use billing_rules::payment::{
    InvoiceRouting, InvoiceSource, PaymentMethod, PaymentPolicy, PaymentPolicySpec,
};
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::pricing::{
    BonusAmount, BonusSpec, ChannelSpec, CreditGranularity, CreditRule, DiscountSpec,
    PaymentChannel, PricingSpec, SeatPolicy, SeatPolicySpec, TierMode, TierSpec, TierTableSpec,
};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    AppRefundPolicy, AppRefundPolicySpec, LicenceRefundPolicy, LicenceRefundPolicySpec,
};
use billing_rules::time::{Period, Zone};
use chrono::{DateTime, FixedOffset, NaiveTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

// ------------------------------------------------------------- instants

/// 1970-01-01T00:00:00Z.
pub fn first_second() -> i64 {
    0
}

/// 9999-12-31T23:59:59Z.
pub fn last_second() -> i64 {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .unwrap()
        .timestamp()
}

/// Any instant from 1970 to 9999, on a whole second or not.
pub fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (
        first_second()..=last_second(),
        prop_oneof![3 => Just(0u32), 1 => 0u32..1_000_000_000],
    )
        .prop_map(|(s, ns)| DateTime::from_timestamp(s, ns).unwrap())
}

/// chrono's first and last instants and their neighbours, and the ends of
/// the 1970..9999 range.
pub fn extreme_instants() -> Vec<DateTime<Utc>> {
    let max = DateTime::<Utc>::MAX_UTC;
    let min = DateTime::<Utc>::MIN_UTC;
    vec![
        min,
        min + TimeDelta::nanoseconds(1),
        min + TimeDelta::days(1),
        max,
        max - TimeDelta::nanoseconds(1),
        max - TimeDelta::hours(1),
        max - TimeDelta::days(400),
        DateTime::<Utc>::UNIX_EPOCH,
        DateTime::from_timestamp(last_second(), 999_999_999).unwrap(),
    ]
}

pub fn extreme_instant() -> impl Strategy<Value = DateTime<Utc>> {
    prop::sample::select(extreme_instants())
}

/// Mostly 1970..9999, now and then one of chrono's extremes.
pub fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![30 => instant(), 1 => extreme_instant()]
}

/// How the clock moves between two commands of a sequence.
#[derive(Debug, Clone, Copy)]
pub enum Tick {
    /// Forward by this many seconds (up to 400 days).
    Forward(i64),
    /// Back by this many seconds (up to 2 days): callers are not ordered.
    Back(i64),
    /// Anywhere in 1970..9999 or at an extreme.
    Jump(DateTime<Utc>),
}

pub fn tick() -> impl Strategy<Value = Tick> {
    prop_oneof![
        10 => (0i64..=86_400 * 3).prop_map(Tick::Forward),
        6 => (0i64..=86_400 * 400).prop_map(Tick::Forward),
        2 => (0i64..=86_400 * 2).prop_map(Tick::Back),
        1 => any_instant().prop_map(Tick::Jump),
    ]
}

/// The instants of a command sequence: a start and ticks, saturating at
/// chrono's range.
pub fn timeline(ticks: &[Tick], start: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut now = start;
    ticks
        .iter()
        .map(|t| {
            now = match *t {
                Tick::Forward(s) => now
                    .checked_add_signed(TimeDelta::seconds(s))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC),
                Tick::Back(s) => now
                    .checked_sub_signed(TimeDelta::seconds(s))
                    .unwrap_or(DateTime::<Utc>::MIN_UTC),
                Tick::Jump(at) => at,
            };
            now
        })
        .collect()
}

// ------------------------------------------------------------- decimals

/// The largest and smallest decimals, and their neighbours.
pub fn extreme_decimals() -> Vec<Decimal> {
    vec![
        Decimal::MAX,
        Decimal::MIN,
        Decimal::MAX - Decimal::ONE,
        Decimal::MIN + Decimal::ONE,
        Decimal::ZERO,
        Decimal::ONE,
        Decimal::NEGATIVE_ONE,
        Decimal::new(1, 28),
        Decimal::new(-1, 28),
        Decimal::new(1, 2),
        "7922816251426433759354395033.5".parse().unwrap(),
        "0.7000000000000000000000000001".parse().unwrap(),
        Decimal::from(u64::MAX),
        Decimal::from(i64::MIN),
    ]
}

/// Any decimal: small everyday amounts, any 96-bit mantissa at any scale,
/// and the extremes.
pub fn any_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        4 => (-10_000_000i64..=10_000_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        2 => (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        1 => prop::sample::select(extreme_decimals()),
    ]
}

/// Mostly a non-negative amount in fen, sometimes anything.
pub fn amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        6 => (0i64..=100_000_000).prop_map(|fen| Decimal::new(fen, 2)),
        1 => any_decimal(),
    ]
}

// ------------------------------------------------------- currency, money

pub fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        12 => Just(Currency::CNY),
        1 => Just(Currency::USD),
        1 => Just(Currency::JPY),
        1 => (0u32..=28).prop_map(|scale| Currency::new("XTS", scale).unwrap()),
    ]
}

/// Mostly yuan; now and then another currency.
pub fn money() -> impl Strategy<Value = Money> {
    (amount(), currency()).prop_map(|(a, c)| Money::new(a, c))
}

pub fn any_money() -> impl Strategy<Value = Money> {
    (any_decimal(), currency()).prop_map(|(a, c)| Money::new(a, c))
}

// ------------------------------------------------------ locale and time

pub fn rounding_mode() -> impl Strategy<Value = RoundingMode> {
    prop::sample::select(RoundingMode::ALL.to_vec())
}

pub fn zone() -> impl Strategy<Value = Zone> {
    prop_oneof![
        6 => Just(Zone::BEIJING),
        1 => Just(Zone::UTC),
        1 => Just(Zone::new(FixedOffset::east_opt(86_399).unwrap())),
        1 => Just(Zone::new(FixedOffset::west_opt(86_399).unwrap())),
        1 => (-86_399i32..=86_399).prop_map(|s| Zone::new(FixedOffset::east_opt(s).unwrap())),
    ]
}

pub fn locale() -> impl Strategy<Value = Locale> {
    prop_oneof![
        4 => Just(Locale::default()),
        1 => (currency(), zone(), rounding_mode()).prop_map(|(currency, time_zone, rounding)| {
            Locale { currency, time_zone, rounding }
        }),
    ]
}

/// Days from 1 up, with the extremes: 10^6 and `u32::MAX`.
pub fn day_count() -> impl Strategy<Value = u32> {
    prop_oneof![
        6 => 1u32..=400,
        1 => Just(1_000_000u32),
        1 => Just(u32::MAX),
        1 => 1u32..=u32::MAX,
    ]
}

/// A year, a month, or any number of days up to `u32::MAX`.
pub fn period() -> impl Strategy<Value = Period> {
    prop_oneof![
        3 => Just(Period::Year),
        3 => Just(Period::Month),
        2 => day_count().prop_map(|n| Period::days(n).unwrap()),
    ]
}

pub fn unit() -> impl Strategy<Value = Unit> {
    prop::sample::select(Unit::ALL.to_vec())
}

/// Mostly data, sometimes any unit; any value.
pub fn quantity() -> impl Strategy<Value = Quantity> {
    let data = prop::sample::select(vec![
        Unit::Byte,
        Unit::Kilobyte,
        Unit::Megabyte,
        Unit::Gigabyte,
        Unit::Terabyte,
    ]);
    prop_oneof![
        5 => ((0i64..=1_000_000, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s)), data)
            .prop_map(|(v, u)| Quantity::new(v, u)),
        1 => (any_decimal(), unit()).prop_map(|(v, u)| Quantity::new(v, u)),
    ]
}

pub fn channels() -> impl Strategy<Value = Channels> {
    prop::collection::vec(prop::sample::select(Channel::ALL.to_vec()), 0..=3)
        .prop_map(|c| Channels::of(&c))
}

pub fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL.to_vec())
}

// -------------------------------------------------------------- policies

pub fn subscription_policy() -> impl Strategy<Value = SubscriptionPolicy> {
    let presets = prop::sample::select(vec![
        presets::app_store_subscription().unwrap(),
        presets::chat_service_subscription().unwrap(),
        presets::cloud_environment_subscription().unwrap(),
    ]);
    let notice =
        (0u32..=400, channels(), role()).prop_map(|(lead_days, channels, recipient)| NoticeSpec {
            lead_days,
            channels,
            recipient,
        });
    let reminders = (0u32..=400, 0u32..=400, 0u32..86_400, channels(), role()).prop_map(
        |(up, after, secs, channels, recipient)| ReminderSpec {
            days_up_to_expiry: up,
            days_after_expiry: after,
            send_at: NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap(),
            channels,
            recipient,
        },
    );
    let generated = (
        locale(),
        prop::option::of(day_count()),
        prop::option::of(day_count()),
        prop::option::of(notice),
        prop::option::of(reminders),
        prop_oneof![0u32..=48, 0u32..=9000, Just(u32::MAX)],
        prop::sample::select(Lapse::ALL.to_vec()),
        prop::option::of(period()),
    )
        .prop_map(
            |(locale, trial, extra, notice, reminders, grace, lapse, auto)| {
                let spec = SubscriptionPolicySpec {
                    locale,
                    trial_days: trial,
                    extra_trial_days: extra,
                    notice,
                    reminders,
                    grace_hours: grace,
                    lapse,
                    auto_renewal: auto,
                };
                SubscriptionPolicy::try_from(spec)
                    .unwrap_or_else(|_| presets::chat_service_subscription().unwrap())
            },
        );
    prop_oneof![1 => presets, 2 => generated]
}

pub fn postpaid_policy() -> impl Strategy<Value = PostpaidPolicy> {
    let presets = prop::sample::select(vec![
        presets::cloud_environment_postpaid().unwrap(),
        presets::live_plugin_postpaid().unwrap(),
    ]);
    let reminders = (
        prop::collection::vec(0u32..=9000, 0..=30),
        channels(),
        role(),
    )
        .prop_map(|(mut hours, channels, recipient)| {
            hours.sort_unstable();
            hours.dedup();
            ArrearsReminderSpec {
                after_hours: hours,
                channels,
                recipient,
            }
        });
    let generated = (
        locale(),
        prop::sample::select(ArrearsTrigger::ALL.to_vec()),
        0u32..=4,
        prop_oneof![0u32..=48, 0u32..=9000, Just(u32::MAX)],
        prop::option::of(reminders),
    )
        .prop_map(|(locale, trigger, latest_bill_day, suspend, reminders)| {
            let spec = PostpaidPolicySpec {
                locale,
                trigger,
                latest_bill_day,
                suspend_after_hours: suspend,
                reminders,
            };
            PostpaidPolicy::try_from(spec)
                .unwrap_or_else(|_| presets::live_plugin_postpaid().unwrap())
        });
    prop_oneof![1 => presets, 2 => generated]
}

pub fn licence_policy() -> impl Strategy<Value = LicencePolicy> {
    let generated = (locale(), amount(), period(), quantity(), 0u32..=11).prop_map(
        |(locale, price, term, traffic, terms)| {
            let spec = LicencePolicySpec {
                locale,
                price_per_term: price,
                term,
                bundled_min_traffic: traffic,
                bundled_terms: terms,
            };
            LicencePolicy::try_from(spec)
                .unwrap_or_else(|_| presets::live_plugin_licence().unwrap())
        },
    );
    prop_oneof![
        1 => Just(presets::live_plugin_licence().unwrap()),
        2 => generated,
    ]
}

/// A bundle receipt with any facts, as edited storage or a forged request
/// could carry one: `BundleClaim` issues only receipts it checked, and the
/// licence must refuse the rest (R-LIC-06).
pub fn receipt_of(
    app: &AppId,
    package: &TrafficPackage,
    claimed_at: DateTime<Utc>,
) -> BundleReceipt {
    let json = serde_json::json!({"package": package, "app": app, "claimed_at": claimed_at});
    serde_json::from_value(json).expect("a receipt's JSON shape")
}

pub fn payment_method() -> impl Strategy<Value = PaymentMethod> {
    prop::sample::select(PaymentMethod::ALL.to_vec())
}

pub fn payment_policy() -> impl Strategy<Value = PaymentPolicy> {
    let source = || prop::sample::select(InvoiceSource::ALL.to_vec());
    let generated = (
        prop_oneof![0u32..=6, Just(u32::MAX), any::<u32>()],
        payment_method(),
        (source(), source(), source()),
        locale(),
    )
        .prop_map(|(switch_limit, default_method, (a, b, c), locale)| {
            PaymentPolicy::try_from(PaymentPolicySpec {
                switch_limit,
                default_method,
                invoice_routing: InvoiceRouting {
                    prepaid_personal_wallet: a,
                    prepaid_cloud_account: b,
                    pay_as_you_go: c,
                },
                locale,
            })
            .unwrap_or_else(|_| presets::cloud_payment().unwrap())
        });
    prop_oneof![
        1 => Just(presets::cloud_payment().unwrap()),
        2 => generated,
    ]
}

pub fn app_refund_policy() -> impl Strategy<Value = AppRefundPolicy> {
    let generated = (day_count(), any::<bool>(), locale()).prop_map(
        |(window_days, refuse_abnormal, locale)| {
            AppRefundPolicy::try_from(AppRefundPolicySpec {
                window_days,
                refuse_abnormal,
                locale,
            })
            .unwrap_or_else(|_| presets::app_store_refunds().unwrap())
        },
    );
    prop_oneof![
        1 => Just(presets::app_store_refunds().unwrap()),
        2 => generated,
    ]
}

pub fn licence_refund_policy() -> impl Strategy<Value = LicenceRefundPolicy> {
    let generated = (day_count(), quantity(), any::<bool>(), locale()).prop_map(
        |(window_days, traffic_limit, refuse_abnormal, locale)| {
            LicenceRefundPolicy::try_from(LicenceRefundPolicySpec {
                window_days,
                traffic_limit,
                refuse_abnormal,
                locale,
            })
            .unwrap_or_else(|_| presets::live_plugin_licence_refunds().unwrap())
        },
    );
    prop_oneof![
        1 => Just(presets::live_plugin_licence_refunds().unwrap()),
        2 => generated,
    ]
}

/// Tiers that are mostly contiguous, with any prices (sometimes extreme).
pub fn tier_specs() -> impl Strategy<Value = Vec<TierSpec>> {
    prop::collection::vec(
        (
            prop_oneof![8 => 1u64..=300, 1 => Just(u64::MAX / 4)],
            prop::option::of(amount()),
            prop::option::of(amount()),
            any::<bool>(),
        ),
        0..=6,
    )
    .prop_map(|raw| {
        let last = raw.len().saturating_sub(1);
        let mut from = Decimal::ONE;
        raw.into_iter()
            .enumerate()
            .map(|(i, (width, flat, unit, unbounded_last))| {
                let to = (i < last || !unbounded_last)
                    .then(|| from + Decimal::from(width) - Decimal::ONE);
                let tier = TierSpec {
                    from,
                    to,
                    flat,
                    unit_price: unit,
                };
                if let Some(to) = to {
                    from = to + Decimal::ONE;
                }
                tier
            })
            .collect()
    })
}

pub fn seat_policy_spec() -> impl Strategy<Value = SeatPolicySpec> {
    let pricing = prop_oneof![
        1 => amount().prop_map(|unit_price| PricingSpec::UnitPrice { unit_price }),
        2 => (prop::sample::select(TierMode::ALL.to_vec()), tier_specs())
            .prop_map(|(mode, tiers)| PricingSpec::Tiered(TierTableSpec { mode, tiers })),
    ];
    let discounts = prop::collection::vec(
        (
            prop_oneof![1u32..=5, any::<u32>()],
            prop_oneof![
                (70i64..=100).prop_map(|p| Decimal::new(p, 2)),
                any_decimal()
            ],
        )
            .prop_map(|(periods, factor)| DiscountSpec { periods, factor }),
        0..=3,
    );
    let bonuses = prop::collection::vec(
        (
            prop_oneof![1u32..=5, any::<u32>()],
            prop_oneof![
                (0u32..=200).prop_map(BonusAmount::Days),
                (0i64..=3500).prop_map(|p| BonusAmount::Percent(Decimal::new(p, 2))),
                any_decimal().prop_map(BonusAmount::Percent),
            ],
        )
            .prop_map(|(periods, bonus)| BonusSpec { periods, bonus }),
        0..=3,
    );
    let seats_limit = prop::option::of(prop_oneof![1u32..=500, any::<u32>()]);
    let channel = prop::sample::select(PaymentChannel::ALL.to_vec());
    let channels = (
        prop::collection::vec(channel.clone(), 0..=2),
        prop::collection::vec(channel, 0..=2),
    )
        .prop_map(|(mobile, desktop)| ChannelSpec { mobile, desktop });
    let upgrade = (
        prop::sample::select(CreditGranularity::ALL.to_vec()),
        rounding_mode(),
    )
        .prop_map(|(granularity, rounding)| CreditRule {
            granularity,
            rounding,
        });
    (
        (
            locale(),
            prop_oneof![Just(Period::Year), Just(Period::Month), period()],
        ),
        pricing,
        discounts,
        bonuses,
        (seats_limit.clone(), seats_limit),
        prop::option::of(amount()),
        (
            prop_oneof![3 => Just(Decimal::new(70, 2)), 1 => any_decimal()],
            prop_oneof![3 => Just(Decimal::from(35)), 1 => any_decimal()],
        ),
        upgrade,
        prop_oneof![3 => Just(ChannelSpec::default()), 1 => channels],
    )
        .prop_map(
            |(
                (locale, period),
                pricing,
                discounts,
                bonuses,
                (min_seats, max_seats),
                max_total,
                (discount_floor, bonus_cap_percent),
                upgrade,
                channels,
            )| SeatPolicySpec {
                locale,
                period,
                pricing,
                discounts,
                bonuses,
                min_seats,
                max_seats,
                max_total,
                discount_floor,
                bonus_cap_percent,
                upgrade,
                channels,
                quote_window_minutes: SeatPolicy::QUOTE_WINDOW_MINUTES,
            },
        )
}

/// The preset or a policy built from a generated spec (the preset when the
/// spec does not build).
pub fn seat_policy() -> impl Strategy<Value = SeatPolicy> {
    let preset = || presets::app_store_seat_pricing().unwrap();
    prop_oneof![
        1 => Just(preset()),
        3 => seat_policy_spec().prop_map(move |spec| SeatPolicy::try_from(spec).unwrap_or_else(|_| preset())),
    ]
}
