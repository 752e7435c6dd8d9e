//! The engine (issue 7, phase 2) wired to the five real aggregates with
//! their preset policies: accepted commands append their events, refusals
//! write nothing and name the rule, a retried key returns the first answer,
//! and time-driven transitions (Advance) run through the engine too.

mod common;

use std::fmt::Debug;
use std::sync::{Arc, Barrier};
use std::thread;

use billing_rules::Decider;
use billing_rules::TimeDriven;
use billing_rules::engine::{
    Aggregate, AggregateId, Engine, EngineError, IdempotencyKey, MemoryStore, Outcome, Store,
    StoreError, Version,
};
use billing_rules::lifecycle::{
    AccountId, AppId, Funds, Lapse, Licence, LicenceCommand, LicenceEvent, LicenceState, Phase,
    Shortfall, Subscription, SubscriptionCommand, SubscriptionEvent, SubscriptionStatus, TermKind,
};
use billing_rules::money::Money;
use billing_rules::payment::{
    EnvironmentPayment, PaymentCommand, PaymentEvent, PaymentMethod, PaymentState, SwitchFacts,
};
use billing_rules::pricing::SeatOrder;
use billing_rules::refund::{LedgerCommand, LedgerEvent, OrderLedger, RefundFlags};
use billing_rules::time::{Clock, FixedClock, Period};
use billing_rules::usage::{
    CallCounts, Component, Draw, Expiry, FeatureSwitch, PackageId, PackageOrder, PackageStatus,
    PackageWallet, WalletCommand, WalletEvent,
};
use billing_rules::{FigureValue, Refusal, RuleId, presets};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::cny;
use rust_decimal::Decimal;

type TestEngine = Engine<FixedClock, MemoryStore>;

/// 2025-06-01 10:00 in Beijing.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap()
}

fn new_engine() -> TestEngine {
    Engine::new(FixedClock::new(t0()), MemoryStore::new())
}

fn id(text: &str) -> AggregateId {
    AggregateId::from(text)
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::from(text)
}

fn version<D>(engine: &TestEngine, id: &AggregateId) -> Version
where
    D: Aggregate + 'static,
    D::Command: serde::Serialize,
    D::State: Send + 'static,
    D::Event: Send + 'static,
{
    Store::<D>::load(engine.store(), id).unwrap().version
}

/// Sends `command` without a key and with a fresh key: both are refused by
/// `rule`, the same way, and neither writes an event or moves the version.
fn assert_refused<D>(
    engine: &TestEngine,
    id: &AggregateId,
    command: &D::Command,
    policy: &D::Policy,
    rule: RuleId,
) -> Refusal
where
    D: Aggregate + 'static,
    D::Command: serde::Serialize,
    D::State: Send + 'static,
    D::Event: Send + PartialEq + Debug + 'static,
{
    let events = engine.store().events::<D>(id);
    let before = version::<D>(engine, id);
    let error = engine.execute::<D>(id, command, policy, None).unwrap_err();
    let Some(refusal) = error.refusal().cloned() else {
        panic!("expected a refusal by {rule}, got {error}");
    };
    assert_eq!(refusal.rule(), rule, "{refusal}");
    let keyed = key(&format!("refused-at-{before}"));
    let again = engine
        .execute::<D>(id, command, policy, Some(&keyed))
        .unwrap_err();
    assert_eq!(again, error);
    assert_eq!(engine.store().events::<D>(id), events);
    assert_eq!(version::<D>(engine, id), before);
    refusal
}

/// Sends `command` again under `key`: the first answer comes back, and the
/// stream and version are unchanged.
fn assert_retried<D>(
    engine: &TestEngine,
    id: &AggregateId,
    command: &D::Command,
    policy: &D::Policy,
    key: &IdempotencyKey,
    first: &Result<Outcome<D::Event>, EngineError>,
) where
    D: Aggregate + 'static,
    D::Command: serde::Serialize,
    D::State: Send + 'static,
    D::Event: Send + PartialEq + Debug + 'static,
{
    let events = engine.store().events::<D>(id);
    let before = version::<D>(engine, id);
    let retry = engine.execute::<D>(id, command, policy, Some(key));
    assert_eq!(&retry, first);
    assert_eq!(engine.store().events::<D>(id), events);
    assert_eq!(version::<D>(engine, id), before);
}

/// What sharing one store between threads needs of an aggregate.
fn shareable<D>()
where
    D: Aggregate + Send + Sync + 'static,
    D::State: Send + Sync + 'static,
    D::Command: Send + Sync + 'static,
    D::Event: Send + Sync + 'static,
    D::Policy: Send + Sync + 'static,
{
}

#[path = "engine_aggregates/payments_and_ledgers.rs"]
mod payments_and_ledgers;
#[path = "engine_aggregates/subscriptions_wallets_licences.rs"]
mod subscriptions_wallets_licences;
