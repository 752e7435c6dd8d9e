//! Sample values of every public data type of the landed areas, produced by
//! the presets and by scripted runs of every decider: the seeds of the
//! near-valid JSON mutations and of the round-trip unit tests.

use std::sync::OnceLock;

use billing_rules::Decider;
use billing_rules::lifecycle::{
    AccountId, AppId, BundleClaim, BundleClaimCommand, Funds, Licence, LicenceCommand,
    LicenceEvent, LicenceState, LicenceStatus, PostpaidAccount, PostpaidCommand, PostpaidEvent,
    PostpaidState, PostpaidStatus, ReminderWindow, Subscription, SubscriptionCommand,
    SubscriptionEvent, SubscriptionState, SubscriptionStatus, TrafficPackage,
};
use billing_rules::money::{Currency, Money};
use billing_rules::payment::{
    EnvironmentPayment, PaymentCommand, PaymentEvent, PaymentMethod, PaymentState, SwitchFacts,
};
use billing_rules::presets;
use billing_rules::pricing::{
    Axis, Credit, CurrentPurchase, ExtensionOrder, Quote, SeatOrder, TierPart, TierPrice,
    TierTable, Upgrade,
};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    Eligibility, LedgerCommand, LedgerEvent, LedgerState, LicenceRefundRequest, OrderLedger,
    RefundFlags,
};
use billing_rules::time::Period;
use billing_rules::{Access, FigureValue, RuleId, TimeDriven};
use billing_rules::{ArithmeticError, Error, Figure, PolicyError, Reason, Refusal};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use crate::common::yuan;

pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// Every sample, typed.
#[derive(Default)]
pub struct Samples {
    pub subscription_commands: Vec<SubscriptionCommand>,
    pub subscription_events: Vec<SubscriptionEvent>,
    pub subscription_states: Vec<SubscriptionState>,
    pub subscription_statuses: Vec<SubscriptionStatus>,
    pub postpaid_commands: Vec<PostpaidCommand>,
    pub postpaid_events: Vec<PostpaidEvent>,
    pub postpaid_states: Vec<PostpaidState>,
    pub postpaid_statuses: Vec<PostpaidStatus>,
    pub licence_commands: Vec<LicenceCommand>,
    pub licence_events: Vec<LicenceEvent>,
    pub licence_states: Vec<LicenceState>,
    pub licence_statuses: Vec<LicenceStatus>,
    pub payment_commands: Vec<PaymentCommand>,
    pub payment_events: Vec<PaymentEvent>,
    pub payment_states: Vec<PaymentState>,
    pub ledger_commands: Vec<LedgerCommand>,
    pub ledger_events: Vec<LedgerEvent>,
    pub ledger_states: Vec<LedgerState>,
    pub eligibilities: Vec<Eligibility>,
    pub licence_refund_requests: Vec<LicenceRefundRequest>,
    pub accesses: Vec<Access>,
    pub quotes: Vec<Quote>,
    pub credits: Vec<Credit>,
    pub upgrades: Vec<Upgrade>,
    pub seat_orders: Vec<SeatOrder>,
    pub extension_orders: Vec<ExtensionOrder>,
    pub current_purchases: Vec<CurrentPurchase>,
    pub tier_tables: Vec<TierTable>,
    pub tier_prices: Vec<TierPrice>,
    pub tier_parts: Vec<TierPart>,
    pub errors: Vec<Error>,
    pub refusals: Vec<Refusal>,
    pub money: Vec<Money>,
    pub quantities: Vec<Quantity>,
    pub reminder_windows: Vec<ReminderWindow>,
}

/// Runs `commands` from `initial()`, keeping every state reached, every
/// event and every command (accepted or not).
fn script<D: Decider>(
    policy: &D::Policy,
    commands: Vec<(D::Command, DateTime<Utc>)>,
    states: &mut Vec<D::State>,
    events: &mut Vec<D::Event>,
    kept: &mut Vec<D::Command>,
    errors: &mut Vec<Error>,
) {
    let mut state = D::initial();
    states.push(state.clone());
    for (command, now) in commands {
        match D::run(&state, &command, now, policy) {
            Ok((next, new)) => {
                events.extend(new);
                state = next;
                states.push(state.clone());
            }
            Err(err) => errors.push(err),
        }
        kept.push(command);
    }
}

pub fn samples() -> &'static Samples {
    static SAMPLES: OnceLock<Samples> = OnceLock::new();
    SAMPLES.get_or_init(build)
}

fn build() -> Samples {
    let mut s = Samples::default();
    let t0 = at(2025, 5, 30, 16);

    // Subscriptions: the app store's trial path, the chat service's
    // reminders, auto-renewal, grace and suspension, the cloud's isolation.
    let store = presets::app_store_subscription().unwrap();
    script::<Subscription>(
        &store,
        vec![
            (SubscriptionCommand::GoLive, t0),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(8),
            ),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(15),
            ),
            (
                SubscriptionCommand::StartExtraTrial {
                    by: billing_rules::lifecycle::Role::Admin,
                },
                t0 + Duration::days(16),
            ),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(30),
            ),
            (
                SubscriptionCommand::Purchase {
                    validity: Period::Year,
                },
                t0 + Duration::days(31),
            ),
            (
                SubscriptionCommand::Renew {
                    validity: Period::days(90).unwrap(),
                },
                t0 + Duration::days(40),
            ),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(600),
            ),
            (SubscriptionCommand::GoLive, t0 + Duration::days(601)),
        ],
        &mut s.subscription_states,
        &mut s.subscription_events,
        &mut s.subscription_commands,
        &mut s.errors,
    );
    let chat = presets::chat_service_subscription().unwrap();
    let funds = |balance: i64| Funds {
        balance: yuan(balance),
        renewal_price: yuan(100),
    };
    script::<Subscription>(
        &chat,
        vec![
            (
                SubscriptionCommand::Purchase {
                    validity: Period::Month,
                },
                t0,
            ),
            (SubscriptionCommand::SetAutoRenewal { on: true }, t0),
            (
                SubscriptionCommand::Advance {
                    funds: Some(funds(150)),
                },
                t0 + Duration::days(32),
            ),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(70),
            ),
            (
                SubscriptionCommand::Advance {
                    funds: Some(funds(50)),
                },
                t0 + Duration::days(70),
            ),
            (
                SubscriptionCommand::SetAutoRenewal { on: false },
                t0 + Duration::days(71),
            ),
        ],
        &mut s.subscription_states,
        &mut s.subscription_events,
        &mut s.subscription_commands,
        &mut s.errors,
    );
    let cloud = presets::cloud_environment_subscription().unwrap();
    script::<Subscription>(
        &cloud,
        vec![
            (
                SubscriptionCommand::Purchase {
                    validity: Period::Month,
                },
                t0,
            ),
            (SubscriptionCommand::SetAutoRenewal { on: true }, t0),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(40),
            ),
        ],
        &mut s.subscription_states,
        &mut s.subscription_events,
        &mut s.subscription_commands,
        &mut s.errors,
    );
    for state in &s.subscription_states {
        for later in [0, 10, 31, 32, 40, 400] {
            let now = t0 + Duration::days(later);
            s.subscription_statuses
                .push(Subscription::status(state, now, &chat));
            s.accesses.push(Subscription::access(state, now, &chat));
            s.accesses.push(Subscription::access(state, now, &store));
        }
    }

    // Postpaid: a bill in arrears, reminders, suspension, restoration; a
    // balance that runs out.
    let cloud_postpaid = presets::cloud_environment_postpaid().unwrap();
    let day2 = Utc.with_ymd_and_hms(2025, 7, 1, 17, 0, 0).unwrap();
    script::<PostpaidAccount>(
        &cloud_postpaid,
        vec![
            (
                PostpaidCommand::TopUp { amount: yuan(100) },
                day2 - Duration::days(5),
            ),
            (PostpaidCommand::IssueBill { amount: yuan(150) }, day2),
            (PostpaidCommand::Advance, day2 + Duration::hours(13)),
            (PostpaidCommand::Advance, day2 + Duration::hours(30)),
            (
                PostpaidCommand::TopUp { amount: yuan(100) },
                day2 + Duration::hours(31),
            ),
            (
                PostpaidCommand::IssueBill { amount: yuan(1) },
                day2 + Duration::days(5),
            ),
            (PostpaidCommand::Charge { amount: yuan(1) }, day2),
        ],
        &mut s.postpaid_states,
        &mut s.postpaid_events,
        &mut s.postpaid_commands,
        &mut s.errors,
    );
    let plugin_postpaid = presets::live_plugin_postpaid().unwrap();
    script::<PostpaidAccount>(
        &plugin_postpaid,
        vec![
            (PostpaidCommand::TopUp { amount: yuan(50) }, t0),
            (PostpaidCommand::Charge { amount: yuan(80) }, t0),
            (PostpaidCommand::Advance, t0 + Duration::hours(25)),
            (
                PostpaidCommand::TopUp { amount: yuan(10) },
                t0 + Duration::hours(26),
            ),
            (
                PostpaidCommand::TopUp { amount: yuan(100) },
                t0 + Duration::hours(27),
            ),
            (
                PostpaidCommand::TopUp {
                    amount: Money::new(Decimal::ONE, Currency::USD),
                },
                t0,
            ),
        ],
        &mut s.postpaid_states,
        &mut s.postpaid_events,
        &mut s.postpaid_commands,
        &mut s.errors,
    );
    for state in &s.postpaid_states {
        for later in [0, 12, 24, 48] {
            let now = t0 + Duration::hours(later);
            s.postpaid_statuses
                .push(PostpaidAccount::status(state, now, &plugin_postpaid));
            s.accesses
                .push(PostpaidAccount::access(state, now, &plugin_postpaid));
            s.accesses.push(PostpaidAccount::recording_access(
                state,
                now,
                &cloud_postpaid,
            ));
        }
    }

    // Licences: bind, buy, stack, claim a bundled year, expire, refusals.
    let lic = presets::live_plugin_licence().unwrap();
    let app = AppId::new("app-1");
    let alice = AccountId::new("alice");
    let package = |id: &str, tb: i64, buyer: &str| TrafficPackage {
        id: id.to_owned(),
        size: Quantity::new(Decimal::from(tb), Unit::Terabyte),
        buyer: AccountId::new(buyer),
    };
    // R-LIC-06: the package's claim issues the receipt the licence needs.
    let claim = BundleClaimCommand::Claim {
        app: app.clone(),
        account: alice.clone(),
        package: package("pkg-1", 200, "alice"),
    };
    let (claims, _) = BundleClaim::run(
        &BundleClaim::initial(),
        &claim,
        t0 + Duration::days(101),
        &lic,
    )
    .unwrap();
    let claimed = claims.receipt().unwrap().clone();
    script::<Licence>(
        &lic,
        vec![
            (
                LicenceCommand::Bind {
                    app: app.clone(),
                    account: alice.clone(),
                },
                t0,
            ),
            (
                LicenceCommand::Purchase {
                    app: app.clone(),
                    account: alice.clone(),
                },
                t0,
            ),
            (
                LicenceCommand::Purchase {
                    app: app.clone(),
                    account: alice.clone(),
                },
                t0 + Duration::days(100),
            ),
            (
                LicenceCommand::ClaimBundled {
                    app: app.clone(),
                    account: alice.clone(),
                    receipt: claimed.clone(),
                },
                t0 + Duration::days(101),
            ),
            (
                LicenceCommand::ClaimBundled {
                    app: app.clone(),
                    account: alice.clone(),
                    receipt: crate::strategies::receipt_of(
                        &app,
                        &package("pkg-2", 199, "bob"),
                        t0 + Duration::days(101),
                    ),
                },
                t0 + Duration::days(101),
            ),
            (
                LicenceCommand::Purchase {
                    app: app.clone(),
                    account: AccountId::new("bob"),
                },
                t0,
            ),
            (LicenceCommand::Advance, t0 + Duration::days(2000)),
            (
                LicenceCommand::Purchase {
                    app: app.clone(),
                    account: alice.clone(),
                },
                t0 + Duration::days(2001),
            ),
        ],
        &mut s.licence_states,
        &mut s.licence_events,
        &mut s.licence_commands,
        &mut s.errors,
    );
    for state in &s.licence_states {
        for later in [0, 500, 5000] {
            let now = t0 + Duration::days(later);
            s.licence_statuses.push(Licence::status(state, now, &lic));
            s.accesses.push(Licence::access(state, now, &lic));
        }
    }

    // Payment methods: first purchase, switches, refusals.
    let pay = presets::cloud_payment().unwrap();
    script::<EnvironmentPayment>(
        &pay,
        vec![
            (
                PaymentCommand::switch(PaymentMethod::PayAsYouGo, SwitchFacts::default()),
                t0,
            ),
            (
                PaymentCommand::FirstPurchase {
                    method: PaymentMethod::PrepaidPersonalWallet,
                },
                t0,
            ),
            (
                PaymentCommand::switch(
                    PaymentMethod::PrepaidCloudAccount,
                    SwitchFacts::default().with_refund(yuan(100), yuan(150)),
                ),
                t0,
            ),
            (
                PaymentCommand::switch(
                    PaymentMethod::PayAsYouGo,
                    SwitchFacts::default()
                        .in_isolation()
                        .in_unsupported_context()
                        .with_refund(yuan(150), yuan(100)),
                ),
                t0,
            ),
            (
                PaymentCommand::switch(PaymentMethod::PayAsYouGo, SwitchFacts::default()),
                t0,
            ),
            (
                PaymentCommand::FirstPurchase {
                    method: PaymentMethod::PrepaidCloudAccount,
                },
                t0,
            ),
        ],
        &mut s.payment_states,
        &mut s.payment_events,
        &mut s.payment_commands,
        &mut s.errors,
    );

    // Order ledger: record, invoice, refund latest first, refusals.
    let refunds = presets::app_store_refunds().unwrap();
    let june = |d: u32| Utc.with_ymd_and_hms(2025, 6, d, 0, 0, 0).unwrap();
    let record = |id: &str, d: u32, amount: i64| LedgerCommand::RecordOrder {
        order: id.into(),
        paid_at: june(d),
        amount: yuan(amount),
    };
    script::<OrderLedger>(
        &refunds,
        vec![
            (record("o1", 1, 300), june(1)),
            (record("o2", 5, 500), june(5)),
            (record("o3", 6, 0), june(6)),
            (LedgerCommand::MarkInvoiced { order: "o1".into() }, june(7)),
            (
                LedgerCommand::Refund {
                    order: "o2".into(),
                    flags: RefundFlags::default(),
                },
                june(7),
            ),
            (
                LedgerCommand::Refund {
                    order: "o3".into(),
                    flags: RefundFlags::default().abnormal().banned(),
                },
                june(7),
            ),
            (
                LedgerCommand::Refund {
                    order: "o3".into(),
                    flags: RefundFlags::default(),
                },
                june(8),
            ),
            (record("o1", 9, 1), june(8)),
        ],
        &mut s.ledger_states,
        &mut s.ledger_events,
        &mut s.ledger_commands,
        &mut s.errors,
    );
    for state in &s.ledger_states {
        s.eligibilities
            .push(refunds.next_refund(state, RefundFlags::default(), june(9)));
        s.eligibilities
            .push(refunds.next_refund(state, RefundFlags::default().banned(), june(30)));
    }
    let lic_refunds = presets::live_plugin_licence_refunds().unwrap();
    let request = LicenceRefundRequest::licence(
        "lic-1",
        yuan(30_000),
        t0,
        Quantity::new(Decimal::new(2, 2), Unit::Terabyte),
    );
    let traffic_fee = LicenceRefundRequest {
        charge: billing_rules::refund::LicenceCharge::TrafficFee,
        flags: RefundFlags::default().abnormal(),
        ..request.clone()
    };
    for req in [request, traffic_fee] {
        for later in [0, 14, 15] {
            s.eligibilities.push(
                lic_refunds
                    .eligibility(&req, t0 + Duration::days(later))
                    .unwrap(),
            );
        }
        s.licence_refund_requests.push(req);
    }

    // Seat plans: quotes, upgrades, extensions, credits, tier prices.
    let seat = presets::app_store_seat_pricing().unwrap();
    let mut bonus_spec = presets::app_store_seat_pricing_spec();
    bonus_spec.bonuses = vec![billing_rules::pricing::BonusSpec {
        periods: 1,
        bonus: billing_rules::pricing::BonusAmount::Days(30),
    }];
    bonus_spec.min_seats = Some(1);
    bonus_spec.max_seats = Some(500);
    bonus_spec.max_total = Some(Decimal::from(10_000));
    let capped = billing_rules::pricing::SeatPolicy::try_from(bonus_spec).unwrap();
    for (policy, seats, periods) in [
        (&seat, 120, 2),
        (&seat, 51, 1),
        (&seat, 1, 1),
        (&capped, 300, 1),
        (&capped, 20, 3),
    ] {
        let order = SeatOrder::new(seats, periods).starting(t0);
        s.seat_orders.push(order);
        s.quotes.push(policy.quote(&order).unwrap());
    }
    s.seat_orders.push(SeatOrder::new(0, 0));
    let current = CurrentPurchase {
        paid: yuan(1000),
        start: t0,
        end: t0 + Duration::days(365),
    };
    s.current_purchases.push(current);
    for now in [
        t0 - Duration::days(1),
        t0 + Duration::days(265),
        t0 + Duration::days(400),
    ] {
        let up = seat.upgrade(&current, &SeatOrder::new(20, 1), now).unwrap();
        s.credits.push(up.credit);
        s.upgrades.push(up);
        s.credits
            .push(seat.credit(&current, yuan(10), now).unwrap());
    }
    let ext = ExtensionOrder {
        seats: 120,
        periods: 1,
        current_end: t0 + Duration::days(30),
    };
    s.extension_orders.push(ext);
    s.quotes.push(seat.extend(&ext, t0).unwrap());
    s.quotes
        .push(capped.extend(&ext, t0 + Duration::days(60)).unwrap());
    for policy in [&seat, &capped] {
        if let billing_rules::pricing::PricingRule::Tiered(table) = policy.pricing() {
            s.tier_tables.push(table.clone());
        }
    }
    let graduated = TierTable::try_from(
        billing_rules::pricing::TierTableSpec {
            mode: billing_rules::pricing::TierMode::Graduated,
            tiers: vec![
                billing_rules::pricing::TierSpec::flat(1, Some(10), Decimal::from(5)),
                billing_rules::pricing::TierSpec {
                    from: Decimal::from(11),
                    to: None,
                    flat: Some(Decimal::ONE),
                    unit_price: Some(Decimal::new(25, 3)),
                },
            ],
        }
        .on(Axis::Whole, Currency::USD),
    )
    .unwrap();
    let continuous = TierTable::try_from(
        billing_rules::pricing::TierTableSpec {
            mode: billing_rules::pricing::TierMode::Graduated,
            tiers: vec![
                billing_rules::pricing::TierSpec {
                    from: Decimal::ZERO,
                    to: Some(Decimal::new(105, 1)),
                    flat: None,
                    unit_price: Some(Decimal::new(3, 1)),
                },
                billing_rules::pricing::TierSpec {
                    from: Decimal::new(105, 1),
                    to: None,
                    flat: None,
                    unit_price: Some(Decimal::new(2, 1)),
                },
            ],
        }
        .on(Axis::Continuous, Currency::CNY),
    )
    .unwrap();
    s.tier_tables.push(graduated);
    s.tier_tables.push(continuous);
    for table in &s.tier_tables {
        for q in [Decimal::ONE, Decimal::from(12), Decimal::new(1055, 2)] {
            if let Ok(price) = table.price(q) {
                s.tier_prices.push(price);
            }
            if let Ok(parts) = table.parts(q) {
                s.tier_parts.extend(parts.flatten());
            }
        }
    }

    // Errors of every kind, and refusals with figures of every kind.
    s.errors.push(ArithmeticError::overflow("add").into());
    s.errors
        .push(ArithmeticError::precision_loss("multiply").into());
    s.errors.push(ArithmeticError::DivisionByZero.into());
    s.errors
        .push(ArithmeticError::out_of_range("add days").into());
    s.errors.push(
        ArithmeticError::CurrencyMismatch {
            left: Currency::CNY,
            right: Currency::new("XTS", 5).unwrap(),
        }
        .into(),
    );
    s.errors.push(
        ArithmeticError::InvalidCurrency {
            code: "cny".into(),
            scale: 99,
        }
        .into(),
    );
    s.errors.push(
        ArithmeticError::IncompatibleUnits {
            from: Unit::Gigabyte,
            to: Unit::Call,
        }
        .into(),
    );
    s.errors.push(
        PolicyError::new("tiers[2].from", "a gap", "51")
            .with_rule(RuleId::Seat03)
            .into(),
    );
    s.errors
        .push(PolicyError::new("", "nothing", "anything").into());
    let every_figure = Reason::new(RuleId::Ref03, "every kind of figure")
        .with(Figure::count("count", u64::MAX))
        .with(Figure::integer("integer", i64::MIN))
        .with(Figure::decimal("decimal", Decimal::MIN))
        .with(Figure::money(
            "money",
            Money::new(Decimal::MAX, Currency::JPY),
        ))
        .with(Figure::quantity(
            "quantity",
            Quantity::new(Decimal::new(-1, 28), Unit::Gigabit),
        ))
        .with(Figure::instant("instant", DateTime::<Utc>::MAX_UTC))
        .with(Figure::instant("first", DateTime::<Utc>::MIN_UTC))
        .with(Figure::text("text", "é \" \\ \u{0}"))
        .with(Figure::new(
            "owned",
            FigureValue::Text(String::from("x").into()),
        ));
    s.errors.push(
        Refusal::new(every_figure)
            .and(Reason::new(RuleId::Pay03, ""))
            .into(),
    );
    s.refusals = s
        .errors
        .iter()
        .filter_map(|e| e.refusal().cloned())
        .collect();

    s.money = vec![
        yuan(0),
        Money::cny(Decimal::new(27397, 2)),
        Money::new(Decimal::MAX, Currency::USD),
        Money::new(Decimal::MIN, Currency::JPY),
        Money::new(Decimal::new(1, 28), Currency::new("XTS", 28).unwrap()),
    ];
    s.quantities = vec![
        Quantity::new(Decimal::from(20), Unit::Gigabyte),
        Quantity::new(Decimal::MAX, Unit::Terabyte),
        Quantity::new(Decimal::new(-5, 3), Unit::Call),
        Quantity::new(Decimal::ZERO, Unit::Count),
    ];
    let day = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    s.reminder_windows = [(7, 1), (0, 1), (1, 0), (366, 366)]
        .into_iter()
        .filter_map(|(up, after)| ReminderWindow::around(day, up, after))
        .collect();
    s
}
