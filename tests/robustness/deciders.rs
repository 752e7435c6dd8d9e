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

// --------------------------------------------------------- subscription

fn funds() -> impl Strategy<Value = Funds> {
    prop_oneof![
        3 => (money(), money()),
        1 => (any_money(), any_money()),
    ]
    .prop_map(|(balance, renewal_price)| Funds {
        balance,
        renewal_price,
    })
}

fn subscription_command() -> impl Strategy<Value = SubscriptionCommand> {
    prop_oneof![
        2 => Just(SubscriptionCommand::GoLive),
        1 => role().prop_map(|by| SubscriptionCommand::StartExtraTrial { by }),
        2 => period().prop_map(|validity| SubscriptionCommand::Purchase { validity }),
        2 => period().prop_map(|validity| SubscriptionCommand::Renew { validity }),
        1 => any::<bool>().prop_map(|on| SubscriptionCommand::SetAutoRenewal { on }),
        4 => prop::option::of(funds()).prop_map(|funds| SubscriptionCommand::Advance { funds }),
    ]
}

fn probe_subscription(
    policy: &SubscriptionPolicy,
    funds: &Option<Funds>,
) -> impl Fn(&SubscriptionState, DateTime<Utc>) {
    move |state, now| {
        let status = Subscription::status(state, now, policy);
        let _ = status.to_string();
        round_trip(&status);
        let answer = Subscription::access(state, now, policy);
        assert_eq!(
            answer.is_allowed(),
            status.is_served(),
            "access follows the status"
        );
        round_trip(&answer);
        let _ = Subscription::next_due_at(state, policy).map_err(|e| readable(&e));
        for funds in [None, funds.as_ref()] {
            let mut out = Vec::new();
            match Subscription::due_events_into(state, now, policy, funds, &mut out) {
                Ok(after) => {
                    let applied = out.iter().fold(*state, Subscription::evolve);
                    assert_eq!(
                        applied, after,
                        "due_events_into's state is its events applied"
                    );
                    let again = Subscription::due_events_with_funds(&after, now, policy, funds);
                    assert!(
                        again.is_ok_and(|e| e.is_empty()),
                        "nothing more is due at {now}"
                    );
                }
                Err(err) => {
                    readable(&err);
                    assert!(out.is_empty(), "an error appends nothing");
                }
            }
        }
    }
}

/// The end of the paid term a phase records, if any.
fn paid_end(phase: &Phase) -> Option<DateTime<Utc>> {
    match phase {
        Phase::Active(term)
        | Phase::Grace { term, .. }
        | Phase::Suspended { term, .. }
        | Phase::Isolated { term, .. }
        | Phase::Intercepted {
            term,
            ended: billing_rules::lifecycle::TermKind::Paid,
            ..
        } => Some(term.end),
        _ => None,
    }
}

/// Nothing recorded is lost: the extra trial, once started, stays recorded
/// (R-LIFE-02: once); a subscription that went live never becomes not live;
/// a renewal never ends before the paid term it renews (R-SEAT-09), and an
/// auto-renewal adds to the term's end (R-LIFE-07).
fn subscription_kept(
    before: &SubscriptionState,
    after: &SubscriptionState,
    events: &[SubscriptionEvent],
) {
    use SubscriptionEvent as E;
    if before.extra_trial_started.is_some() {
        assert_eq!(before.extra_trial_started, after.extra_trial_started);
    }
    if before.phase != Phase::NotLive {
        assert_ne!(after.phase, Phase::NotLive);
    }
    let mut paid = paid_end(&before.phase);
    for event in events {
        match event {
            E::Renewed { end, .. } | E::AutoRenewed { end, .. } => {
                if let Some(was) = paid {
                    assert!(
                        *end >= was,
                        "{event:?} ends before the term it renews ({was})"
                    );
                }
                paid = Some(*end);
            }
            E::Purchased { end, .. } => paid = Some(*end),
            _ => {}
        }
    }
}

proptest! {
    /// R-LIFE-01..07, R-LIFE-10: arbitrary subscription commands at
    /// arbitrary instants.
    #[test]
    fn r_life_subscription_any_commands_at_any_instants(
        policy in subscription_policy(),
        commands in prop::collection::vec(subscription_command(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
        funds in prop::option::of(funds()),
        probes in probes(),
    ) {
        exercise::<Subscription>(
            &policy,
            &steps(commands, ticks, start),
            &probes,
            subscription_kept,
            probe_subscription(&policy, &funds),
        );
    }
}

// -------------------------------------------------------------- postpaid

fn postpaid_command() -> impl Strategy<Value = PostpaidCommand> {
    prop_oneof![
        2 => money().prop_map(|amount| PostpaidCommand::IssueBill { amount }),
        2 => money().prop_map(|amount| PostpaidCommand::Charge { amount }),
        3 => money().prop_map(|amount| PostpaidCommand::TopUp { amount }),
        1 => any_money().prop_map(|amount| PostpaidCommand::TopUp { amount }),
        2 => Just(PostpaidCommand::Advance),
    ]
}

fn probe_postpaid(policy: &PostpaidPolicy) -> impl Fn(&PostpaidState, DateTime<Utc>) {
    move |state, now| {
        let status = PostpaidAccount::status(state, now, policy);
        round_trip(&status);
        let _ = status.to_string();
        let answer = PostpaidAccount::access(state, now, policy);
        round_trip(&answer);
        let _ = PostpaidAccount::recording_access(state, now, policy);
        let _ = policy.billed_month(now).map_err(|e| readable(&e));
        match PostpaidAccount::due_events(state, now, policy) {
            Ok(events) => {
                let after = events.iter().fold(*state, PostpaidAccount::evolve);
                assert!(
                    PostpaidAccount::due_events(&after, now, policy).is_ok_and(|e| e.is_empty()),
                    "nothing more is due at {now}"
                );
            }
            Err(err) => readable(&err),
        }
    }
}

/// Nothing recorded is lost: a billed month stays billed (R-LIFE-08), and
/// the balance moves by exactly the bills, charges and top-ups recorded.
fn postpaid_kept(before: &PostpaidState, after: &PostpaidState, events: &[PostpaidEvent]) {
    assert!(after.last_billed >= before.last_billed);
    let mut balance = before.balance.amount();
    for event in events {
        balance = match event {
            PostpaidEvent::BillIssued { amount, .. } | PostpaidEvent::Charged { amount, .. } => {
                exact::sub(balance, amount.amount()).unwrap()
            }
            PostpaidEvent::ToppedUp { amount, .. } => exact::add(balance, amount.amount()).unwrap(),
            _ => balance,
        };
    }
    assert_eq!(
        after.balance.amount(),
        balance,
        "the balance moved by the recorded amounts"
    );
}

proptest! {
    /// R-LIFE-08, R-LIFE-09: arbitrary bills, charges, top-ups and sweeps at
    /// arbitrary instants.
    #[test]
    fn r_life_08_09_postpaid_any_commands_at_any_instants(
        policy in postpaid_policy(),
        commands in prop::collection::vec(postpaid_command(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
        probes in probes(),
    ) {
        exercise::<PostpaidAccount>(
            &policy,
            &steps(commands, ticks, start),
            &probes,
            postpaid_kept,
            probe_postpaid(&policy),
        );
    }
}

// --------------------------------------------------------------- licence

fn licence_command() -> impl Strategy<Value = LicenceCommand> {
    let app =
        || prop::sample::select(vec!["app-1", "app-1", "app-1", "app-2", ""]).prop_map(AppId::new);
    let account = || prop::sample::select(vec!["alice", "alice", "bob"]).prop_map(AccountId::new);
    let package = (
        prop::sample::select(vec!["p1", "p2", "p3"]),
        quantity(),
        account(),
    )
        .prop_map(|(id, size, buyer)| TrafficPackage {
            id: id.to_owned(),
            size,
            buyer,
        });
    // Receipts with any facts: the licence checks what it can see again.
    let receipt =
        (app(), package, instant()).prop_map(|(app, package, at)| receipt_of(&app, &package, at));
    prop_oneof![
        1 => (app(), account()).prop_map(|(app, account)| LicenceCommand::Bind { app, account }),
        3 => (app(), account()).prop_map(|(app, account)| LicenceCommand::Purchase { app, account }),
        2 => (app(), account(), receipt)
            .prop_map(|(app, account, receipt)| LicenceCommand::ClaimBundled { app, account, receipt }),
        2 => Just(LicenceCommand::Advance),
    ]
}

fn probe_licence(policy: &LicencePolicy) -> impl Fn(&LicenceState, DateTime<Utc>) {
    move |state, now| {
        let status = Licence::status(state, now, policy);
        round_trip(&status);
        let answer = Licence::access(state, now, policy);
        assert_eq!(
            answer.is_allowed(),
            matches!(status, LicenceStatus::Available { .. })
        );
        let events = Licence::due_events(state, now, policy).unwrap();
        let after = events.iter().fold(state.clone(), Licence::evolve);
        assert!(
            Licence::due_events(&after, now, policy).unwrap().is_empty(),
            "nothing more is due at {now}"
        );
        if let LicenceState::Available(held) | LicenceState::Expired(held) = state {
            let _ = held.granted(policy);
        }
    }
}

/// Nothing recorded is lost: the binding never changes once made (R-LIC-04),
/// the first purchase stays the first, the validity never shrinks
/// (R-LIC-03), and every granted package stays granted (R-LIC-06).
fn licence_kept(before: &LicenceState, after: &LicenceState, _: &[LicenceEvent]) {
    if let Some(binding) = before.binding() {
        assert_eq!(Some(binding), after.binding());
    }
    let held = |s: &LicenceState| match s {
        LicenceState::Available(h) | LicenceState::Expired(h) => Some(h.clone()),
        _ => None,
    };
    if let Some(was) = held(before) {
        let now = held(after).expect("a bought licence stays bought");
        assert_eq!(was.first_purchase, now.first_purchase);
        assert!(now.end >= was.end);
        assert!(now.terms >= was.terms);
        assert!(now.bundled_packages.starts_with(&was.bundled_packages));
    }
}

proptest! {
    /// R-LIC-01..06: arbitrary licence commands at arbitrary instants.
    #[test]
    fn r_lic_licence_any_commands_at_any_instants(
        policy in licence_policy(),
        commands in prop::collection::vec(licence_command(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
        probes in probes(),
    ) {
        exercise::<Licence>(
            &policy,
            &steps(commands, ticks, start),
            &probes,
            licence_kept,
            probe_licence(&policy),
        );
    }
}

// ---------------------------------------------------------- bundle claim

fn bundle_claim_command() -> impl Strategy<Value = BundleClaimCommand> {
    let app = prop::sample::select(vec!["app-1", "app-2", "app-3", ""]).prop_map(AppId::new);
    let account = || prop::sample::select(vec!["alice", "alice", "bob"]).prop_map(AccountId::new);
    let size = prop_oneof![
        2 => quantity(),
        1 => Just(Quantity::new(Decimal::from(200), Unit::Terabyte)),
        1 => Just(Quantity::new(Decimal::from(300_000), Unit::Gigabyte)),
    ];
    let package = (
        prop::sample::select(vec!["p1", "p1", "p2", ""]),
        size,
        account(),
    )
        .prop_map(|(id, size, buyer)| TrafficPackage {
            id: id.to_owned(),
            size,
            buyer,
        });
    (app, account(), package).prop_map(|(app, account, package)| BundleClaimCommand::Claim {
        app,
        account,
        package,
    })
}

/// R-LIC-06: a package's free term is claimed at most once, and the holder
/// and its receipt never change after.
fn bundle_claim_kept(
    before: &BundleClaimState,
    after: &BundleClaimState,
    events: &[BundleClaimEvent],
) {
    assert!(events.len() <= 1, "one claim at a time");
    if let Some(held) = before.receipt() {
        assert_eq!(after.receipt(), Some(held), "the holder keeps the term");
        assert!(events.is_empty(), "a package is claimed once");
    }
}

proptest! {
    /// R-LIC-06: arbitrary claims of packages for apps at arbitrary instants.
    #[test]
    fn r_lic_06_bundle_claim_any_commands_at_any_instants(
        policy in licence_policy(),
        commands in prop::collection::vec(bundle_claim_command(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
    ) {
        exercise::<BundleClaim>(
            &policy,
            &steps(commands, ticks, start),
            &[],
            bundle_claim_kept,
            |_, _| {},
        );
    }
}

// --------------------------------------------------------------- payment

fn switch_facts() -> impl Strategy<Value = SwitchFacts> {
    (
        prop::bool::weighted(0.2),
        prop::option::of((money(), money())),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(isolated, balance, context_supported)| SwitchFacts {
            isolated,
            invoice_balance: balance.map(|(unused_prepaid, open_for_invoicing)| InvoiceBalance {
                unused_prepaid,
                open_for_invoicing,
            }),
            context_supported,
        })
}

fn payment_command() -> impl Strategy<Value = PaymentCommand> {
    prop_oneof![
        2 => payment_method().prop_map(|method| PaymentCommand::FirstPurchase { method }),
        4 => (payment_method(), switch_facts()).prop_map(|(to, facts)| PaymentCommand::switch(to, facts)),
    ]
}

/// Nothing recorded is lost: switches used never go down (R-PAY-03),
/// prepaid quota once bought stays bought (R-PAY-05), pay-as-you-go stays
/// (R-PAY-04).
fn payment_kept(
    before: &PaymentState,
    after: &PaymentState,
    _: &[billing_rules::payment::PaymentEvent],
) {
    assert!(after.switches_used() >= before.switches_used());
    assert!(after.ever_prepaid() || !before.ever_prepaid());
    if let PaymentState::PayAsYouGo { .. } = before {
        assert_eq!(before, after);
    }
}

proptest! {
    /// R-PAY-01..09: arbitrary first purchases and switches at arbitrary
    /// instants.
    #[test]
    fn r_pay_payment_any_commands_at_any_instants(
        policy in payment_policy(),
        commands in prop::collection::vec(payment_command(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
    ) {
        exercise::<EnvironmentPayment>(
            &policy,
            &steps(commands, ticks, start),
            &[],
            payment_kept,
            |state, _| {
                let _ = policy.invoice_source(state);
                assert!(state.switches_used() <= policy.switch_limit() || state.switches_used() == 0);
            },
        );
    }
}

// ---------------------------------------------------------------- ledger

/// A ledger command whose `paid_at` is set from the step's instant.
#[derive(Debug, Clone)]
enum LedgerStep {
    Record {
        order: OrderId,
        back: Option<i64>,
        at: DateTime<Utc>,
        amount: billing_rules::money::Money,
    },
    Invoice(OrderId),
    Refund(OrderId, RefundFlags),
}

fn ledger_step() -> impl Strategy<Value = LedgerStep> {
    let id = || prop::sample::select(vec!["o1", "o2", "o3", "o4", ""]).prop_map(OrderId::from);
    let flags =
        (prop::bool::weighted(0.1), prop::bool::weighted(0.1)).prop_map(|(b, a)| RefundFlags {
            banned_for_content: b,
            flagged_abnormal: a,
        });
    prop_oneof![
        4 => (id(), prop::option::of(0i64..=86_400 * 20), any_instant(), prop_oneof![3 => money(), 1 => any_money()])
            .prop_map(|(order, back, at, amount)| LedgerStep::Record { order, back, at, amount }),
        1 => id().prop_map(LedgerStep::Invoice),
        3 => (id(), flags).prop_map(|(id, flags)| LedgerStep::Refund(id, flags)),
    ]
}

fn ledger_command(step: LedgerStep, now: DateTime<Utc>) -> LedgerCommand {
    match step {
        LedgerStep::Record {
            order,
            back,
            at,
            amount,
        } => LedgerCommand::RecordOrder {
            order,
            paid_at: back
                .and_then(|s| now.checked_sub_signed(TimeDelta::seconds(s)))
                .unwrap_or(at),
            amount,
        },
        LedgerStep::Invoice(order) => LedgerCommand::MarkInvoiced { order },
        LedgerStep::Refund(order, flags) => LedgerCommand::Refund { order, flags },
    }
}

fn probe_ledger(policy: &AppRefundPolicy) -> impl Fn(&LedgerState, DateTime<Utc>) {
    move |state, now| {
        let next = policy.next_refund(state, RefundFlags::default(), now);
        round_trip(&next);
        for order in state.orders() {
            let answer = policy.eligibility(state, &order.id, RefundFlags::default(), now);
            if answer.is_eligible() {
                // R-REF-02: only the latest unrefunded order is refundable.
                assert_eq!(state.latest_unrefunded().map(|o| &o.id), Some(&order.id));
                assert_eq!(order.status, OrderStatus::Open);
            }
        }
        let currency = policy.locale().currency;
        if let (Ok(paid), Ok(refunded)) =
            (state.total_paid(currency), state.total_refunded(currency))
        {
            assert!(
                refunded.amount() <= paid.amount(),
                "never more refunded than paid"
            );
        }
    }
}

/// Nothing recorded is lost: every order stays, with its id, payment
/// instant and amount; an invoiced or refunded order stays so (R-REF-01,
/// R-REF-02).
fn ledger_kept(
    before: &LedgerState,
    after: &LedgerState,
    _: &[billing_rules::refund::LedgerEvent],
) {
    assert!(after.orders().len() >= before.orders().len());
    for (was, now) in before.orders().iter().zip(after.orders()) {
        assert_eq!(
            (&was.id, was.paid_at, was.amount),
            (&now.id, now.paid_at, now.amount)
        );
        if was.status != OrderStatus::Open {
            assert_eq!(was.status, now.status);
        }
    }
}

proptest! {
    /// R-REF-01, R-REF-02, R-REF-04: arbitrary orders, invoices and refunds
    /// at arbitrary instants.
    #[test]
    fn r_ref_ledger_any_commands_at_any_instants(
        policy in app_refund_policy(),
        raw in prop::collection::vec(ledger_step(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
        probes in probes(),
    ) {
        let times = timeline(&ticks, start);
        let steps: Vec<(LedgerCommand, DateTime<Utc>)> = raw
            .into_iter()
            .zip(times)
            .map(|(step, now)| (ledger_command(step, now), now))
            .collect();
        exercise::<OrderLedger>(&policy, &steps, &probes, ledger_kept, probe_ledger(&policy));
    }
}

/// The extremes as a fixed list, so every run meets them at least once.
#[test]
fn every_decider_answers_at_chrono_extremes() {
    let policy = billing_rules::presets::chat_service_subscription().unwrap();
    let all = extreme_instants();
    let commands = [
        SubscriptionCommand::Purchase {
            validity: billing_rules::time::Period::Month,
        },
        SubscriptionCommand::SetAutoRenewal { on: true },
        SubscriptionCommand::Advance {
            funds: Some(Funds {
                balance: billing_rules::money::Money::cny(rust_decimal::Decimal::MAX),
                renewal_price: billing_rules::money::Money::cny(rust_decimal::Decimal::ZERO),
            }),
        },
        SubscriptionCommand::Renew {
            validity: billing_rules::time::Period::days(u32::MAX).unwrap(),
        },
    ];
    for start in &all {
        for end in &all {
            let steps: Vec<_> = commands
                .iter()
                .map(|c| (*c, *start))
                .chain([(commands[2], *end)])
                .collect();
            exercise::<Subscription>(
                &policy,
                &steps,
                &all,
                subscription_kept,
                probe_subscription(&policy, &None),
            );
        }
    }
}
