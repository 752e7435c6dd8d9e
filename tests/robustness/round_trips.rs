//! Serde round trips: value -> JSON -> value gives the value back, for
//! every public data type of the landed areas; proptests where a strategy
//! is at hand, unit tests over the presets and the scripted samples
//! otherwise. The deciders' proptests also round-trip every command, event
//! and state they meet (`deciders.rs`), and the JSON fuzz every value that
//! deserializes (`json.rs`).

use std::borrow::Cow;
use std::fmt::Debug;

use billing_rules::engine::{EngineError, StoreError, Version};
use billing_rules::lifecycle::{
    ArrearsTrigger, Channel, Channels, Lapse, LicencePolicy, PostpaidPolicy, Role,
    SubscriptionPolicy, TermKind,
};
use billing_rules::money::{Currency, Money, Rounding, RoundingMode};
use billing_rules::payment::PaymentPolicy;
use billing_rules::payment::{InvoiceSource, PaymentMethod, PrepaidSource, UnknownPaymentMethod};
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::pricing::{
    Axis, BonusAmount, BonusSpec, ChannelSpec, CreditCap, CreditGranularity, CreditRule,
    CurrentPurchase, DiscountSpec, ExtensionOrder, PaymentChannel, Platform, PricingRule,
    SeatOrder, SeatPolicy, Tier, TierMode, TierTable,
};
use billing_rules::quantity::{Dimension, Quantity, Unit};
use billing_rules::refund::{AppRefundPolicy, LicenceRefundPolicy};
use billing_rules::refund::{
    LicenceCharge, LicenceRefundRequest, Order, OrderId, OrderStatus, RefundFlags, RefundWindow,
};
use billing_rules::time::{Days, Period, Zone};
use billing_rules::{
    ArithmeticError, DataError, Error, Figure, FigureValue, PolicyError, Reason, Refusal,
};
use billing_rules::{RuleFamily, RuleId, UnknownRuleId};
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::deciders::round_trip;
use crate::samples::samples;
use crate::strategies::{
    any_decimal, any_instant, any_money, app_refund_policy, currency, day_count, licence_policy,
    licence_refund_policy, locale, payment_policy, period, postpaid_policy, quantity,
    rounding_mode, seat_policy, seat_policy_spec, subscription_policy, unit, zone,
};

fn all<T>(values: &[T])
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    for v in values {
        round_trip(v);
    }
}

fn rule_id() -> impl Strategy<Value = RuleId> {
    prop::sample::select(RuleId::ALL.to_vec())
}

fn figure_value() -> impl Strategy<Value = FigureValue> {
    prop_oneof![
        any::<u64>().prop_map(FigureValue::Count),
        any::<i64>().prop_map(FigureValue::Integer),
        any_decimal().prop_map(FigureValue::Decimal),
        any_money().prop_map(FigureValue::Money),
        quantity().prop_map(FigureValue::Quantity),
        any_instant().prop_map(FigureValue::Instant),
        any::<String>().prop_map(|s| FigureValue::Text(Cow::Owned(s))),
    ]
}

fn reason() -> impl Strategy<Value = Reason> {
    (
        rule_id(),
        any::<String>(),
        prop::collection::vec((any::<String>(), figure_value()), 0..4),
    )
        .prop_map(|(rule, message, figures)| {
            figures
                .into_iter()
                .fold(Reason::new(rule, message), |r, (name, value)| {
                    r.with(Figure::new(name, value))
                })
        })
}

fn refusal() -> impl Strategy<Value = Refusal> {
    prop::collection::vec(reason(), 1..4).prop_map(|r| Refusal::from_reasons(r).unwrap())
}

proptest! {
    /// The foundation values: money, currencies, quantities, periods,
    /// zones, locales, roundings, days and rule ids.
    #[test]
    fn serde_foundation_values_round_trip(
        money in any_money(),
        currency in currency(),
        quantity in quantity(),
        period in period(),
        zone in zone(),
        locale in locale(),
        mode in rounding_mode(),
        scale in any::<u32>(),
        days in any::<u32>(),
        rule in rule_id(),
        unit in unit(),
    ) {
        round_trip(&money);
        round_trip(&currency);
        round_trip(&quantity);
        round_trip(&period);
        round_trip(&zone);
        round_trip(&locale);
        round_trip(&Rounding::new(mode, scale));
        round_trip(&Days(days));
        round_trip(&rule);
        round_trip(&rule.family());
        round_trip(&unit);
        round_trip(&unit.dimension());
        round_trip(&RefundWindow::new(Days(days)));
    }

    /// Refusals, reasons, figures of every kind, and every error kind.
    #[test]
    fn serde_errors_round_trip(refusal in refusal(), field in any::<String>(), code in any::<String>()) {
        round_trip(&refusal);
        for reason in refusal.reasons() {
            round_trip(reason);
            all(&reason.figures);
        }
        let policy = PolicyError::new(field.clone(), "problem", "allowed").with_rule(refusal.rule());
        round_trip(&policy);
        let arithmetic = ArithmeticError::InvalidCurrency { code: code.clone(), scale: 29 };
        round_trip(&arithmetic);
        let refusal_rule = refusal.rule();
        round_trip(&Error::Refused(refusal));
        round_trip(&Error::Policy(policy));
        let data = DataError::new(field.clone(), "problem", "allowed");
        round_trip(&data);
        round_trip(&Error::Data(data));
        round_trip(&Error::from(arithmetic.clone()));
        round_trip(&Error::from(arithmetic).in_rule(refusal_rule));
        for arithmetic in [
            ArithmeticError::overflow(code.clone()),
            ArithmeticError::precision_loss(code.clone()),
            ArithmeticError::out_of_range(code.clone()),
            ArithmeticError::DivisionByZero,
            ArithmeticError::CurrencyMismatch { left: Currency::CNY, right: Currency::USD },
            ArithmeticError::IncompatibleUnits { from: Unit::Gigabyte, to: Unit::Minute },
            ArithmeticError::InvalidDateTime { value: code.clone() },
        ] {
            round_trip(&arithmetic);
            round_trip(&Error::from(arithmetic.clone()).in_rule(refusal_rule));
            round_trip(&EngineError::from(Error::from(arithmetic).in_rule(refusal_rule)));
        }
        for store in [
            StoreError::Conflict { expected: Version::new(3), actual: Version::new(4) },
            StoreError::backend(code.clone()),
        ] {
            round_trip(&store);
            round_trip(&EngineError::Store(store));
        }
        // The strict decimal reader's errors, from the text it was given.
        if let Err(inexact) = billing_rules::decimal_serde::parse(&code) {
            round_trip(&inexact);
        }
        round_trip(&UnknownRuleId(code.clone()));
        round_trip(&UnknownPaymentMethod(field));
    }

    /// Every policy and its spec, built from generated specs with extreme
    /// fields: seat plans (with their pricing rule, tier table and tiers),
    /// lifecycle, payment and refund policies.
    #[test]
    fn serde_policies_round_trip(
        seat in seat_policy(),
        seat_spec in seat_policy_spec(),
        subscription in subscription_policy(),
        postpaid in postpaid_policy(),
        licence in licence_policy(),
        payment in payment_policy(),
        app_refund in app_refund_policy(),
        licence_refund in licence_refund_policy(),
    ) {
        round_trip(&seat);
        round_trip(&seat.to_spec());
        round_trip(&seat_spec);
        if let Ok(built) = SeatPolicy::try_from(seat_spec) {
            round_trip(&built);
        }
        round_trip(seat.pricing());
        if let PricingRule::Tiered(table) = seat.pricing() {
            round_trip(table);
            all(table.tiers());
            round_trip(&table.to_spec());
            all(&table.to_spec().tiers);
            prop_assert_eq!(TierTable::try_from(table.to_spec()), Ok(table.clone()));
        }
        all(seat.discounts());
        all(&seat.bonuses().collect::<Vec<_>>());
        round_trip(&seat.credit_rule());
        round_trip(&seat.locale());
        round_trip(&subscription);
        round_trip(&subscription.to_spec());
        if let Some(notice) = subscription.notice() {
            round_trip(notice);
        }
        if let Some(reminders) = subscription.reminders() {
            round_trip(reminders);
        }
        round_trip(&postpaid);
        round_trip(&postpaid.to_spec());
        if let Some(reminders) = postpaid.reminders() {
            round_trip(reminders);
        }
        round_trip(&licence);
        round_trip(&licence.to_spec());
        round_trip(&payment);
        round_trip(&billing_rules::payment::PaymentPolicySpec::from(payment.clone()));
        round_trip(payment.invoice_routing());
        round_trip(&app_refund);
        round_trip(&billing_rules::refund::AppRefundPolicySpec::from(app_refund.clone()));
        round_trip(&licence_refund);
        round_trip(&billing_rules::refund::LicenceRefundPolicySpec::from(licence_refund.clone()));

        // Every policy gives back its spec: `P::try_from(p.to_spec()) == Ok(p)`,
        // and its locale by value is the spec's.
        prop_assert_eq!(SeatPolicy::try_from(seat.to_spec()), Ok(seat.clone()));
        prop_assert_eq!(seat.to_spec().locale, seat.locale());
        prop_assert_eq!(SubscriptionPolicy::try_from(subscription.to_spec()), Ok(subscription.clone()));
        prop_assert_eq!(subscription.to_spec().locale, subscription.locale());
        prop_assert_eq!(PostpaidPolicy::try_from(postpaid.to_spec()), Ok(postpaid.clone()));
        prop_assert_eq!(postpaid.to_spec().locale, postpaid.locale());
        prop_assert_eq!(LicencePolicy::try_from(licence.to_spec()), Ok(licence.clone()));
        prop_assert_eq!(licence.to_spec().locale, licence.locale());
        prop_assert_eq!(PaymentPolicy::try_from(payment.to_spec()), Ok(payment.clone()));
        prop_assert_eq!(payment.to_spec().locale, payment.locale());
        prop_assert_eq!(AppRefundPolicy::try_from(app_refund.to_spec()), Ok(app_refund.clone()));
        prop_assert_eq!(app_refund.to_spec().locale, app_refund.locale());
        prop_assert_eq!(LicenceRefundPolicy::try_from(licence_refund.to_spec()), Ok(licence_refund.clone()));
        prop_assert_eq!(licence_refund.to_spec().locale, licence_refund.locale());
    }

    /// Quotes, upgrades, credits and extensions with their steps, for any
    /// policy, order and instant that prices.
    #[test]
    fn serde_seat_quotes_round_trip(
        policy in seat_policy(),
        seats in prop_oneof![1u32..=500, any::<u32>()],
        periods in prop_oneof![1u32..=5, 1u32..=1_000_000],
        paid in any_money(),
        start in any_instant(),
        length in day_count(),
        now in any_instant(),
    ) {
        let order = SeatOrder::new(seats, periods).starting(start);
        round_trip(&order);
        if let Ok(q) = policy.quote(&order) {
            round_trip(&q);
            all(&q.steps());
            round_trip(&q.validity);
        }
        let current = CurrentPurchase {
            paid,
            start,
            end: start
                .checked_add_signed(chrono::TimeDelta::days(i64::from(length)))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        };
        round_trip(&current);
        if let Ok(up) = policy.upgrade(&current, &SeatOrder::new(seats, periods), now) {
            round_trip(&up);
        }
        if let Ok(c) = policy.credit(&current, paid, now) {
            round_trip(&c);
        }
        let ext = ExtensionOrder { seats, periods, current_end: start };
        round_trip(&ext);
        if let Ok(q) = policy.extend(&ext, now) {
            round_trip(&q);
        }
    }

    /// Orders, refund requests and flags with any amounts and instants.
    #[test]
    fn serde_refund_values_round_trip(
        id in any::<String>(),
        paid_at in any_instant(),
        amount in any_money(),
        traffic in quantity(),
        banned in any::<bool>(),
        abnormal in any::<bool>(),
        status in prop::sample::select(OrderStatus::ALL.to_vec()),
    ) {
        let order = Order { status, ..Order::new(id.clone(), paid_at, amount) };
        round_trip(&order);
        round_trip(&OrderId::new(id.clone()));
        let flags = RefundFlags { banned_for_content: banned, flagged_abnormal: abnormal };
        round_trip(&flags);
        for charge in LicenceCharge::ALL {
            round_trip(&LicenceRefundRequest {
                charge,
                flags,
                ..LicenceRefundRequest::licence(id.clone(), amount, paid_at, traffic)
            });
        }
    }
}

/// Every sample: states, events and commands of the scripted runs, their
/// statuses and access answers, quotes, credits, upgrades, tier prices and
/// parts, refunds' answers, errors, money and quantities.
#[test]
fn serde_every_sample_round_trips() {
    let s = samples();
    all(&s.subscription_commands);
    all(&s.subscription_events);
    all(&s.subscription_states);
    all(&s.subscription_statuses);
    all(&s.postpaid_commands);
    all(&s.postpaid_events);
    all(&s.postpaid_states);
    all(&s.postpaid_statuses);
    all(&s.licence_commands);
    all(&s.licence_events);
    all(&s.licence_states);
    all(&s.licence_statuses);
    all(&s.payment_commands);
    all(&s.payment_events);
    all(&s.payment_states);
    all(&s.ledger_commands);
    all(&s.ledger_events);
    all(&s.ledger_states);
    all(&s.eligibilities);
    all(&s.licence_refund_requests);
    all(&s.accesses);
    all(&s.quotes);
    all(&s.credits);
    all(&s.upgrades);
    all(&s.seat_orders);
    all(&s.extension_orders);
    all(&s.current_purchases);
    all(&s.tier_tables);
    all(&s.tier_prices);
    all(&s.tier_parts);
    all(&s.errors);
    all(&s.refusals);
    all(&s.money);
    all(&s.quantities);
    all(&s.reminder_windows);
    for table in &s.tier_tables {
        all(table.tiers());
    }
    for state in &s.subscription_states {
        round_trip(&state.phase);
        if let Some(term) = state.phase.term() {
            round_trip(term);
        }
    }
    for event in &s.subscription_events {
        match event {
            billing_rules::lifecycle::SubscriptionEvent::Notice(n) => round_trip(n),
            billing_rules::lifecycle::SubscriptionEvent::Reminder(r) => round_trip(r),
            billing_rules::lifecycle::SubscriptionEvent::Expired {
                shortfall: Some(short),
                ..
            } => round_trip(short),
            _ => {}
        }
    }
    for state in &s.postpaid_states {
        round_trip(&state.standing);
    }
    for state in &s.licence_states {
        if let Some(binding) = state.binding() {
            round_trip(binding);
        }
    }
    for command in &s.licence_commands {
        if let billing_rules::lifecycle::LicenceCommand::ClaimBundled {
            receipt,
            app,
            account,
        } = command
        {
            round_trip(receipt);
            round_trip(receipt.package());
            round_trip(app);
            round_trip(account);
        }
    }
    for command in &s.payment_commands {
        if let billing_rules::payment::PaymentCommand::Switch { facts, .. } = command {
            round_trip(facts);
            if let Some(balance) = &facts.invoice_balance {
                round_trip(balance);
            }
        }
    }
    for state in &s.ledger_states {
        all(state.orders());
    }
}

/// The closed sets: every variant of every enum of the landed areas.
#[test]
fn serde_every_enum_variant_round_trips() {
    all(&RuleId::ALL);
    all(&RuleFamily::ALL);
    all(&RoundingMode::ALL);
    all(&Dimension::ALL);
    all(&TierMode::ALL);
    all(&Axis::ALL);
    all(&Platform::ALL);
    all(&PaymentChannel::ALL);
    all(&CreditGranularity::ALL);
    all(&CreditCap::ALL);
    all(&[
        BonusAmount::Days(u32::MAX),
        BonusAmount::Percent(Decimal::new(3575, 2)),
    ]);
    all(&Channel::ALL);
    all(&[Channels::NONE, Channels::of(&Channel::ALL)]);
    all(&Role::ALL);
    all(&TermKind::ALL);
    all(&Lapse::ALL);
    all(&ArrearsTrigger::ALL);
    all(&PaymentMethod::ALL);
    all(&PrepaidSource::ALL);
    all(&InvoiceSource::ALL);
    all(&LicenceCharge::ALL);
    all(&OrderStatus::ALL);
    all(&[
        ArithmeticError::overflow("add"),
        ArithmeticError::precision_loss("multiply"),
        ArithmeticError::DivisionByZero,
        ArithmeticError::out_of_range("add days"),
    ]);
    all(&[DiscountSpec {
        periods: 2,
        factor: Decimal::new(85, 2),
    }]);
    all(&[BonusSpec {
        periods: 1,
        bonus: BonusAmount::Days(30),
    }]);
    all(&[ChannelSpec::default()]);
    all(&[CreditRule::default()]);
    all(&[presets::locale(), Locale::default()]);
    all(&[PaymentPolicy::INVOICE_ROUTING]);
}

/// The JSON shapes services store: pinned, so a change to one is a
/// deliberate, visible change.
#[test]
fn serde_json_shapes_are_stable() {
    let shape = |value: serde_json::Value, expected: serde_json::Value| {
        assert_eq!(value, expected);
    };
    let to = |v: &dyn erased::Json| v.json();
    shape(
        to(&Money::cny(Decimal::new(27397, 2))),
        json!({"amount": "273.97", "currency": "CNY"}),
    );
    shape(
        to(&Money::new(Decimal::ONE, Currency::new("XTS", 3).unwrap())),
        json!({"amount": "1", "currency": {"code": "XTS", "scale": 3}}),
    );
    shape(
        to(&Quantity::new(Decimal::from(20), Unit::Gigabyte)),
        json!({"value": "20", "unit": "GB"}),
    );
    shape(to(&Period::Year), json!("year"));
    shape(to(&Period::days(90).unwrap()), json!({"days": 90}));
    shape(to(&Zone::BEIJING), json!("+08:00"));
    shape(to(&RuleId::Seat08), json!("R-SEAT-08"));
    shape(
        to(&Locale::default()),
        json!({"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}),
    );
    shape(
        to(&Refusal::new(
            Reason::new(RuleId::Pay03, "4 of 4 switches used")
                .with(Figure::count("switches_used", 4)),
        )),
        json!({"reasons": [{"rule": "R-PAY-03", "message": "4 of 4 switches used",
            "figures": [{"name": "switches_used", "value": {"kind": "count", "value": 4}}]}]}),
    );
    shape(
        to(&SeatOrder::new(120, 2)),
        json!({"seats": 120, "periods": 2, "start": null}),
    );
    let seat = presets::app_store_seat_pricing().unwrap();
    let PricingRule::Tiered(table) = seat.pricing() else {
        panic!("the preset is tiered")
    };
    shape(
        to(&table.tiers()[1]),
        json!({"axis": "whole", "from": "51", "to": "200", "flat": null,
            "unit_price": {"amount": "80", "currency": "CNY"}}),
    );
    let tier: Tier = serde_json::from_value(to(&table.tiers()[2])).unwrap();
    assert_eq!(tier.bounds(), "201-");
    shape(
        to(&TierTable::clone(table))["tiers"][0].clone(),
        json!({"from": "1", "to": "50", "flat": null, "unit_price": "100"}),
    );
    shape(
        to(&presets::cloud_payment_spec()),
        json!({"switch_limit": 4, "default_method": "prepaid_personal_wallet",
            "invoice_routing": {"prepaid_personal_wallet": "environment_console",
                "prepaid_cloud_account": "cloud_account_billing_centre",
                "pay_as_you_go": "cloud_account_billing_centre"},
            "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}}),
    );
    shape(to(&UnknownRuleId("R-X".into())), json!("R-X"));
}

/// `&dyn Serialize` without the object-safety trouble.
mod erased {
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}
