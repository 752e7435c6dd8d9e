//! Every decider fed arbitrary command sequences at arbitrary instants
//! (years 1970 to 9999, now and then chrono's first or last instant).
//!
//! For every step: the answer is `Ok` or an error that reads as a sentence;
//! deciding twice gives the same answer; a refused command leaves the state
//! exactly as it was (compared with `PartialEq` and as JSON); replaying
//! the accepted events from `initial()` gives the state reached step by
//! step; nothing recorded is lost (each decider's own invariant below);
//! every command, event and state round-trips through JSON; and the
//! time-driven functions (`due_events`, `status`, `access`) answer at any
//! instant, after which nothing more is due at that instant.

use std::fmt::Debug;

use billing_rules::Decider;
use billing_rules::Error;
use billing_rules::TimeDriven;
use billing_rules::exact;
use billing_rules::lifecycle::{
    AccountId, AppId, BundleClaim, BundleClaimCommand, BundleClaimEvent, BundleClaimState, Funds,
    Licence, LicenceCommand, LicenceEvent, LicencePolicy, LicenceState, LicenceStatus, Phase,
    PostpaidAccount, PostpaidCommand, PostpaidEvent, PostpaidPolicy, PostpaidState, Subscription,
    SubscriptionCommand, SubscriptionEvent, SubscriptionPolicy, SubscriptionState, TrafficPackage,
};
use billing_rules::payment::{
    EnvironmentPayment, InvoiceBalance, PaymentCommand, PaymentState, SwitchFacts,
};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    AppRefundPolicy, LedgerCommand, LedgerState, OrderId, OrderLedger, OrderStatus, RefundFlags,
};
use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::strategies::{
    Tick, any_instant, any_money, app_refund_policy, extreme_instants, instant, licence_policy,
    money, payment_method, payment_policy, period, postpaid_policy, quantity, receipt_of, role,
    subscription_policy, tick, timeline,
};

/// value -> JSON -> value gives the value back.
pub fn round_trip<T>(value: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_value(value).expect("serializes");
    let back: T = serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("{json} does not deserialize back: {e}"));
    assert_eq!(&back, value, "{json}");
}

/// An error that reads as a sentence; a refusal with at least one reason.
fn readable(err: &Error) {
    assert!(!err.to_string().is_empty());
    if let Some(refusal) = err.refusal() {
        assert!(!refusal.reasons().is_empty());
        assert!(!refusal.to_string().is_empty());
    }
}

/// Runs `steps` from `initial()` and checks the invariants of the module
/// docs after every one. `lost` checks that the accepted step from the
/// first state to the second kept every recorded fact; `probe` calls the
/// time-driven functions at an instant.
fn exercise<D>(
    policy: &D::Policy,
    steps: &[(D::Command, DateTime<Utc>)],
    probes: &[DateTime<Utc>],
    lost: impl Fn(&D::State, &D::State, &[D::Event]),
    probe: impl Fn(&D::State, DateTime<Utc>),
) where
    D: Decider,
    D::State: Serialize + DeserializeOwned + PartialEq + Debug,
    D::Event: Serialize + DeserializeOwned + PartialEq + Debug,
    D::Command: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let mut state = D::initial();
    let mut log: Vec<D::Event> = Vec::new();
    for (command, now) in steps {
        round_trip(command);
        let before = state.clone();
        let before_json = serde_json::to_value(&state).unwrap();
        let decided = D::decide(&state, command, *now, policy);
        match D::run(&state, command, *now, policy) {
            Ok((next, events)) => {
                assert_eq!(
                    decided.as_ref().ok(),
                    Some(&events),
                    "decide is deterministic"
                );
                for event in &events {
                    round_trip(event);
                }
                lost(&before, &next, &events);
                log.extend(events);
                state = next;
            }
            Err(err) => {
                readable(&err);
                assert_eq!(
                    decided.as_ref().err(),
                    Some(&err),
                    "decide is deterministic"
                );
                assert_eq!(state, before, "a refused command changed the state");
                assert_eq!(serde_json::to_value(&state).unwrap(), before_json);
            }
        }
        assert_eq!(
            D::replay(log.iter()),
            state,
            "replay differs from the steps"
        );
        round_trip(&state);
        probe(&state, *now);
        for at in probes {
            probe(&state, *at);
        }
    }
}

fn steps<C: Clone>(
    commands: Vec<C>,
    ticks: Vec<Tick>,
    start: DateTime<Utc>,
) -> Vec<(C, DateTime<Utc>)> {
    let times = timeline(&ticks, start);
    commands.into_iter().zip(times).collect()
}

fn probes() -> impl Strategy<Value = Vec<DateTime<Utc>>> {
    prop::collection::vec(any_instant(), 0..=2).prop_map(|mut v| {
        v.push(DateTime::<Utc>::MAX_UTC);
        v.push(DateTime::<Utc>::MIN_UTC);
        v
    })
}

#[path = "deciders/licences.rs"]
mod licences;
#[path = "deciders/lifecycle.rs"]
mod lifecycle;
#[path = "deciders/payments_and_ledgers.rs"]
mod payments_and_ledgers;
