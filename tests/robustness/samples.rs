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
    deciders::subscriptions(&mut s, t0);
    deciders::postpaid(&mut s, t0);
    deciders::licences(&mut s, t0);
    deciders::payments(&mut s, t0);
    deciders::ledgers(&mut s, t0);
    values::seat_plans(&mut s, t0);
    values::errors_and_values(&mut s);
    s
}

#[path = "samples/deciders.rs"]
mod deciders;
#[path = "samples/values.rs"]
mod values;
