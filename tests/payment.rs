//! Payment methods, switching and invoice routing (issue 6: R-PAY-01..09).

mod common;

use billing_rules::Decider;
use billing_rules::money::{Currency, Money};
use billing_rules::payment::{
    EnvironmentPayment, InvoiceRouting, InvoiceSource, PaymentCommand, PaymentEvent, PaymentMethod,
    PaymentPolicy, PaymentPolicySpec, PaymentState, PrepaidSource, SwitchFacts,
};
use billing_rules::{Error, FigureValue, RuleId, presets};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{cny, refused, rules};
use proptest::prelude::*;
use rust_decimal::Decimal;

use PaymentMethod::{PayAsYouGo, PrepaidCloudAccount, PrepaidPersonalWallet};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()
}

fn policy() -> PaymentPolicy {
    presets::cloud_payment().unwrap()
}

fn policy_with(f: impl FnOnce(&mut PaymentPolicySpec)) -> PaymentPolicy {
    let mut spec = presets::cloud_payment_spec();
    f(&mut spec);
    PaymentPolicy::try_from(spec).unwrap()
}

fn run(state: &PaymentState, command: &PaymentCommand, policy: &PaymentPolicy) -> PaymentState {
    EnvironmentPayment::run(state, command, now(), policy)
        .unwrap()
        .0
}

fn first(method: PaymentMethod) -> PaymentCommand {
    PaymentCommand::FirstPurchase { method }
}

fn switch(to: PaymentMethod) -> PaymentCommand {
    PaymentCommand::switch(to, SwitchFacts::default())
}

/// An environment that bought prepaid quota from `method`.
fn bought(method: PaymentMethod) -> PaymentState {
    run(&EnvironmentPayment::initial(), &first(method), &policy())
}

// ---------------------------------------------------------------- properties

fn method() -> impl Strategy<Value = PaymentMethod> {
    prop::sample::select(PaymentMethod::ALL.to_vec())
}

fn facts() -> impl Strategy<Value = SwitchFacts> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::option::of((0i64..100_000, 0i64..100_000)),
    )
        .prop_map(|(isolated, context_supported, balance)| {
            let mut facts = SwitchFacts {
                isolated,
                context_supported,
                invoice_balance: None,
            };
            if let Some((refund, open)) = balance {
                facts = facts.with_refund(
                    Money::cny(Decimal::new(refund, 2)),
                    Money::cny(Decimal::new(open, 2)),
                );
            }
            facts
        })
}

/// Mostly unobstructed facts, so sequences often reach the switch limit.
fn mostly_clear_facts() -> impl Strategy<Value = SwitchFacts> {
    prop_oneof![3 => Just(SwitchFacts::default()), 1 => facts()]
}

fn command() -> impl Strategy<Value = PaymentCommand> {
    prop_oneof![
        1 => method().prop_map(first),
        6 => (method(), mostly_clear_facts()).prop_map(|(to, facts)| PaymentCommand::switch(to, facts)),
    ]
}

#[path = "payment/json_and_properties.rs"]
mod json_and_properties;
#[path = "payment/switch_rules.rs"]
mod switch_rules;
