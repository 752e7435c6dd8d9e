//! Arbitrary JSON into every deserializable type of the landed areas.
//!
//! Two sources of input: random JSON trees (any shape, wrong types, huge and
//! negative numbers, 28-digit decimals, the crate's own words as keys and
//! values), and near-valid mutations of real values (a preset's spec, a
//! decider's command, event or state, with one to three nodes replaced,
//! removed or added). Every answer is `Ok` or `Err`; what deserializes
//! serializes back to itself, and a policy or state that deserializes is
//! used: priced with, decided with, asked for its status at any instant.

use std::fmt::Debug;

use billing_rules::Decider;
use billing_rules::lifecycle::{
    Channels, Funds, Licence, LicenceCommand, LicenceEvent, LicencePolicy, LicencePolicySpec,
    LicenceState, LicenceStatus, Notice, PostpaidAccount, PostpaidCommand, PostpaidEvent,
    PostpaidPolicy, PostpaidPolicySpec, PostpaidState, PostpaidStatus, Reminder, ReminderWindow,
    Subscription, SubscriptionCommand, SubscriptionEvent, SubscriptionPolicy,
    SubscriptionPolicySpec, SubscriptionState, SubscriptionStatus,
};
use billing_rules::money::{Currency, Money, Rounding};
use billing_rules::payment::{
    EnvironmentPayment, InvoiceRouting, PaymentCommand, PaymentEvent, PaymentPolicy,
    PaymentPolicySpec, PaymentState, SwitchFacts,
};
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::pricing::{
    Axis, ChannelSpec, Credit, CreditRule, CurrentPurchase, ExtensionOrder, PaymentChannel,
    Platform, PricingRule, PricingSpec, Quote, SeatOrder, SeatPolicy, SeatPolicySpec, Tier,
    TierPart, TierPrice, TierSpec, TierTable, TierTableSpec, Upgrade,
};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    AppRefundPolicy, AppRefundPolicySpec, Eligibility, LedgerCommand, LedgerEvent, LedgerState,
    LicenceRefundPolicy, LicenceRefundPolicySpec, LicenceRefundRequest, OrderLedger, RefundFlags,
};
use billing_rules::time::{Days, Period, Zone};
use billing_rules::{Access, RuleId, TimeDriven, UnknownRuleId};
use billing_rules::{ArithmeticError, Error, Figure, PolicyError, Reason, Refusal};
use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use crate::common::yuan;
use crate::samples::{at, samples};
use crate::strategies::extreme_instants;

// ------------------------------------------------------------ JSON trees

/// The crate's own words: field names, tags and enum values, so random
/// trees reach past the first key.
const WORDS: &[&str] = &[
    "locale",
    "currency",
    "time_zone",
    "rounding",
    "period",
    "pricing",
    "rule",
    "unit_price",
    "tiered",
    "mode",
    "volume",
    "graduated",
    "tiers",
    "from",
    "to",
    "flat",
    "discounts",
    "periods",
    "factor",
    "bonuses",
    "bonus",
    "days",
    "percent",
    "min_seats",
    "max_seats",
    "max_total",
    "discount_floor",
    "bonus_cap_percent",
    "upgrade",
    "granularity",
    "day",
    "second",
    "channels",
    "mobile",
    "desktop",
    "wallet",
    "corporate_bank_transfer",
    "year",
    "month",
    "CNY",
    "USD",
    "JPY",
    "XTS",
    "code",
    "scale",
    "half_up",
    "half_even",
    "toward_zero",
    "away_from_zero",
    "floor",
    "ceiling",
    "+08:00",
    "-23:59",
    "Z",
    "amount",
    "value",
    "unit",
    "GB",
    "TB",
    "calls",
    "seats",
    "trial_days",
    "extra_trial_days",
    "notice",
    "lead_days",
    "recipient",
    "admin",
    "account_creator",
    "member",
    "sms",
    "email",
    "in_app",
    "reminders",
    "days_up_to_expiry",
    "days_after_expiry",
    "send_at",
    "10:00:00",
    "grace_hours",
    "lapse",
    "intercepted",
    "suspended",
    "isolated",
    "auto_renewal",
    "trigger",
    "monthly_bill",
    "balance_runs_out",
    "latest_bill_day",
    "suspend_after_hours",
    "after_hours",
    "price_per_term",
    "term",
    "bundled_min_traffic",
    "bundled_terms",
    "switch_limit",
    "default_method",
    "prepaid_personal_wallet",
    "prepaid_cloud_account",
    "pay_as_you_go",
    "invoice_routing",
    "environment_console",
    "cloud_account_billing_centre",
    "window_days",
    "refuse_abnormal",
    "traffic_limit",
    "command",
    "event",
    "state",
    "phase",
    "status",
    "standing",
    "cause",
    "answer",
    "step",
    "by",
    "kind",
    "access",
    "go_live",
    "purchase",
    "renew",
    "advance",
    "funds",
    "validity",
    "set_auto_renewal",
    "on",
    "start_extra_trial",
    "issue_bill",
    "charge",
    "top_up",
    "bind",
    "claim_bundled",
    "app",
    "account",
    "package",
    "id",
    "size",
    "buyer",
    "first_purchase",
    "switch",
    "facts",
    "isolated",
    "invoice_balance",
    "context_supported",
    "unused_prepaid",
    "open_for_invoicing",
    "method",
    "record_order",
    "order",
    "paid_at",
    "mark_invoiced",
    "refund",
    "flags",
    "orders",
    "reasons",
    "message",
    "figures",
    "name",
    "count",
    "integer",
    "decimal",
    "money",
    "quantity",
    "instant",
    "text",
    "R-SEAT-01",
    "R-PAY-03",
    "R-REF-04",
    "since",
    "end",
    "term_end",
    "notified",
    "reminded_through",
    "trial",
    "active",
    "grace",
    "until",
    "then",
    "not_live",
    "prepaid",
    "not_chosen",
    "source",
    "switches_used",
    "ever_prepaid",
    "binding",
    "owner",
    "bound_at",
    "available",
    "expired",
    "unbound",
    "pending_payment",
    "terms",
    "bundled_packages",
    "balance",
    "last_billed",
    "good",
    "in_arrears",
    "reminders_sent",
    "bill",
    "balance_ran_out",
    "seats",
    "start",
    "current_end",
    "paid",
    "open",
    "invoiced",
    "refunded",
    "eligible",
    "refused",
];

/// Decimal-looking strings: 28-digit decimals, the maximum and past it,
/// negatives, exponents, and things that only look like numbers.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.01",
    "100",
    "0.70",
    "0.69",
    "1.0000000000000000000000000001",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "0.1234567890123456789012345678",
    "0.12345678901234567890123456789",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "7922816251426433759354395033.5",
    "792281625142643375935439503.35",
    "1e28",
    "1e29",
    "1e-28",
    "1e-29",
    "-1e28",
    "1E3",
    "NaN",
    "inf",
    "",
    " 1",
    "1 ",
    "1_000",
    "0x10",
    "١",
    "+1",
    "--1",
    "1.",
    ".5",
    "99999999999999999999999999999999999999",
    "4294967295",
    "4294967296",
    "-4294967296",
    "18446744073709551616",
    "2025-06-01T00:00:00Z",
    "+262142-12-31T23:59:59.999999999Z",
    "-262143-01-01T00:00:00Z",
    "262143-01-01T00:00:00Z",
    "9999-12-31T23:59:59+23:59",
    "1970-01-01T00:00:00-23:59",
    "2025-13-01T00:00:00Z",
    "+08:-5",
    "+24:00",
    "-00:60",
    "+1:000",
    "25:00:00",
    "23:59:60",
    "23:59:59.999999999",
];

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        (-1000i64..=1000).prop_map(Value::from),
        any::<f64>().prop_filter_map("a JSON number", |f| Number::from_f64(f).map(Value::Number)),
        prop::sample::select(vec![
            0.1f64,
            -0.5,
            1e-30,
            1e28,
            7.9e28,
            1e300,
            -1e300,
            0.7,
            4294967296.0,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::EPSILON,
        ])
        .prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            i64::MIN as i128,
            i64::MAX as i128,
            u64::MAX as i128,
            u32::MAX as i128,
            u32::MAX as i128 + 1,
            -1,
            0,
        ])
        .prop_map(|n| {
            i64::try_from(n)
                .map(Value::from)
                .or_else(|_| u64::try_from(n).map(Value::from))
                .unwrap_or(Value::Null)
        }),
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_owned),
        3 => prop::sample::select(NUMBERS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[-+]?[0-9]{1,30}(\\.[0-9]{0,30})?",
        1 => "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => number(),
        4 => string().prop_map(Value::String),
    ]
}

/// Any JSON tree, up to 4 levels deep.
pub fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            1 => prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            2 => prop::collection::vec((string(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

// ------------------------------------------------------------- mutations

/// One change to a JSON value, at the node chosen by `at` (modulo the
/// number of nodes, in depth-first order).
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Replace the node with this value.
    Replace { at: usize, with: Value },
    /// Remove the node from its parent object or array.
    Remove { at: usize },
    /// Add a key (or an array element) inside the node.
    Add { at: usize, key: String, with: Value },
    /// Replace a leaf (chosen among leaves only) with another of its kind:
    /// a number with `number`, a string with `text`, a boolean with its
    /// negation, a null with `number`.
    Tweak {
        at: usize,
        number: Value,
        text: String,
    },
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        8 => (any::<usize>(), number(), string())
            .prop_map(|(at, number, text)| Mutation::Tweak { at, number, text }),
        3 => (any::<usize>(), leaf()).prop_map(|(at, with)| Mutation::Replace { at, with }),
        2 => (any::<usize>(), json()).prop_map(|(at, with)| Mutation::Replace { at, with }),
        1 => any::<usize>().prop_map(|at| Mutation::Remove { at }),
        1 => (any::<usize>(), string(), json())
            .prop_map(|(at, key, with)| Mutation::Add { at, key, with }),
    ]
}

/// JSON pointers of every node, root first.
fn pointers(value: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = k.replace('~', "~0").replace('/', "~1");
                pointers(v, format!("{here}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

pub fn mutate(mut value: Value, mutation: &Mutation) -> Value {
    let mut all = Vec::new();
    pointers(&value, String::new(), &mut all);
    let pick = |at: usize| all[at % all.len()].clone();
    match mutation {
        Mutation::Tweak { at, number, text } => {
            let leaves: Vec<&String> = all
                .iter()
                .filter(|p| {
                    value
                        .pointer(p)
                        .is_some_and(|v| !v.is_object() && !v.is_array())
                })
                .collect();
            if leaves.is_empty() {
                return value;
            }
            let target = leaves[at % leaves.len()].clone();
            if let Some(node) = value.pointer_mut(&target) {
                let tweaked = match &*node {
                    Value::String(_) => Value::String(text.clone()),
                    Value::Bool(b) => Value::Bool(!*b),
                    Value::Number(_) | Value::Null => number.clone(),
                    other => other.clone(),
                };
                *node = tweaked;
            }
        }
        Mutation::Replace { at, with } => {
            if let Some(node) = value.pointer_mut(&pick(*at)) {
                *node = with.clone();
            }
        }
        Mutation::Remove { at } => {
            let target = pick(*at);
            if let Some(split) = target.rfind('/') {
                let (parent, last) = target.split_at(split);
                let last = last[1..].replace("~1", "/").replace("~0", "~");
                match value.pointer_mut(parent) {
                    Some(Value::Object(map)) => {
                        map.remove(&last);
                    }
                    Some(Value::Array(items)) => {
                        if let Ok(i) = last.parse::<usize>()
                            && i < items.len()
                        {
                            items.remove(i);
                        }
                    }
                    _ => {}
                }
            }
        }
        Mutation::Add { at, key, with } => match value.pointer_mut(&pick(*at)) {
            Some(Value::Object(map)) => {
                map.insert(key.clone(), with.clone());
            }
            Some(Value::Array(items)) => items.push(with.clone()),
            Some(node) => *node = with.clone(),
            None => {}
        },
    }
    value
}

// ------------------------------------------------- deserialize, then use

/// Deserializes `value` as `T`: `Ok` or an error with a message. What
/// deserializes serializes back to a value that deserializes to itself.
fn read<T>(value: &Value) -> Option<T>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    match serde_json::from_value::<T>(value.clone()) {
        Ok(v) => {
            let again = serde_json::to_value(&v).expect("a deserialized value serializes");
            let back: T = serde_json::from_value(again.clone()).unwrap_or_else(|e| {
                panic!("{again} does not deserialize back ({e}); it came from {value}")
            });
            assert_eq!(back, v, "round trip of {value}");
            Some(v)
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            None
        }
    }
}

fn show<T: std::fmt::Display>(value: &T) {
    let _ = value.to_string();
}

/// An answer of the library: `Ok`, or an error that reads as a sentence.
fn answered<T>(result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            assert!(!e.to_string().is_empty());
            if let Some(refusal) = e.refusal() {
                assert!(!refusal.reasons().is_empty());
            }
            None
        }
    }
}

fn probe_instants() -> Vec<DateTime<Utc>> {
    let mut all = extreme_instants();
    all.extend([at(2025, 6, 1, 0), at(2026, 7, 3, 1), at(2025, 7, 2, 17)]);
    all
}

/// Prices with `policy` for `seats` x `periods`, and upgrades, extends,
/// credits and checks channels with it. Every answer is `Ok` or `Err`; a
/// quote is never negative, is rounded to the minor unit and stays under
/// the cap (R-SEAT-06).
pub fn use_seat_policy(policy: &SeatPolicy, seats: u32, periods: u32, now: DateTime<Utc>) {
    let currency = policy.locale().currency;
    let order = SeatOrder::new(seats, periods);
    for order in [order, order.starting(now)] {
        if let Some(q) = answered(policy.quote(&order)) {
            assert!(!q.total.is_negative(), "{q:?}");
            assert_eq!(q.total.currency(), currency);
            assert_eq!(q.total, q.total.round_to_minor(policy.locale().rounding));
            if let Some(cap) = policy.max_total() {
                assert!(q.total.amount() <= cap.amount(), "{q:?} over {cap}");
            }
            show(&q.total);
        }
    }
    let current = CurrentPurchase {
        paid: Money::new(Decimal::from(seats), currency),
        start: now,
        end: now.checked_add_signed(TimeDelta::days(365)).unwrap_or(now),
    };
    for at in [
        now,
        current.end,
        DateTime::<Utc>::MAX_UTC,
        DateTime::<Utc>::MIN_UTC,
    ] {
        if let Some(up) = answered(policy.upgrade(&current, &order, at)) {
            assert!(!up.amount_due.is_negative(), "{up:?}");
            assert!(up.credit.amount.amount() <= current.paid.amount());
        }
        let _ = answered(policy.credit(&current, Money::new(Decimal::MAX, currency), at));
        let _ = answered(policy.extend(
            &ExtensionOrder {
                seats,
                periods,
                current_end: current.end,
            },
            at,
        ));
    }
    for platform in Platform::ALL {
        let offered = policy.channels(platform);
        assert!(
            !offered.is_empty(),
            "R-SEAT-10: every platform offers a channel"
        );
        for channel in PaymentChannel::ALL {
            let ok = policy.check_channel(platform, channel).is_ok();
            assert_eq!(ok, offered.contains(&channel));
        }
    }
}

/// Builds `spec` on both axes and prices quantities from 0 to the maximum.
pub fn use_tier_table_spec(spec: &TierTableSpec) {
    for axis in Axis::ALL {
        for currency in [Currency::CNY, Currency::JPY] {
            let Ok(table) = TierTable::try_from(spec.clone().on(axis, currency)) else {
                continue;
            };
            assert_eq!(table.to_spec(), spec.clone().on(axis, currency));
            for q in [
                Decimal::ZERO,
                Decimal::new(5, 1),
                Decimal::ONE,
                Decimal::from(51),
                Decimal::from(1_000_000_000),
                Decimal::MAX,
                Decimal::MIN,
                Decimal::new(1, 28),
            ] {
                if let Some(price) = answered(table.price(q)) {
                    assert!(!price.total.is_negative());
                    assert!(price.tier < table.tiers().len());
                }
                if let Some(parts) = answered(table.parts(q)) {
                    for part in parts {
                        let _ = part.map(|p| assert!(!p.amount.is_negative()));
                    }
                }
            }
        }
    }
}

fn use_subscription_policy(policy: &SubscriptionPolicy) {
    for state in &samples().subscription_states {
        use_subscription_state(state, policy);
    }
}

fn funds() -> Vec<Option<Funds>> {
    vec![
        None,
        Some(Funds {
            balance: yuan(1_000_000),
            renewal_price: yuan(0),
        }),
        Some(Funds {
            balance: Money::cny(Decimal::MAX),
            renewal_price: Money::cny(Decimal::new(1, 2)),
        }),
        Some(Funds {
            balance: yuan(1),
            renewal_price: Money::new(Decimal::ONE, Currency::USD),
        }),
    ]
}

pub fn use_subscription_state(state: &SubscriptionState, policy: &SubscriptionPolicy) {
    for now in probe_instants() {
        show(&Subscription::status(state, now, policy));
        let _ = Subscription::access(state, now, policy);
        for funds in funds() {
            if let Some(events) = answered(Subscription::due_events_with_funds(
                state,
                now,
                policy,
                funds.as_ref(),
            )) {
                let after = events.iter().fold(*state, Subscription::evolve);
                let again =
                    Subscription::due_events_with_funds(&after, now, policy, funds.as_ref());
                assert_eq!(again.map(|e| e.len()).unwrap_or(0), 0, "caught up at {now}");
            }
        }
        let _ = answered(Subscription::next_due_at(state, policy));
        for command in &samples().subscription_commands {
            if let Some((next, _)) = answered(Subscription::run(state, command, now, policy)) {
                show(&Subscription::status(&next, now, policy));
            }
        }
    }
}

fn use_postpaid_policy(policy: &PostpaidPolicy) {
    for state in &samples().postpaid_states {
        use_postpaid_state(state, policy);
    }
}

pub fn use_postpaid_state(state: &PostpaidState, policy: &PostpaidPolicy) {
    for now in probe_instants() {
        show(&PostpaidAccount::status(state, now, policy));
        let _ = PostpaidAccount::access(state, now, policy);
        let _ = PostpaidAccount::recording_access(state, now, policy);
        let _ = answered(PostpaidAccount::due_events(state, now, policy));
        let _ = answered(policy.billed_month(now));
        for command in &samples().postpaid_commands {
            let _ = answered(PostpaidAccount::run(state, command, now, policy));
        }
    }
}

fn use_licence_policy(policy: &LicencePolicy) {
    show(&policy.price());
    let _ = policy.term();
    for state in &samples().licence_states {
        use_licence_state(state, policy);
    }
}

pub fn use_licence_state(state: &LicenceState, policy: &LicencePolicy) {
    for now in probe_instants() {
        show(&Licence::status(state, now, policy));
        let _ = Licence::access(state, now, policy);
        let _ = Licence::due_events(state, now, policy).unwrap();
        if let LicenceState::Available(held) | LicenceState::Expired(held) = state {
            let _ = held.granted(policy);
        }
        for command in &samples().licence_commands {
            let _ = answered(Licence::run(state, command, now, policy));
        }
    }
}

fn use_payment_policy(policy: &PaymentPolicy) {
    for state in &samples().payment_states {
        use_payment_state(state, policy);
    }
}

pub fn use_payment_state(state: &PaymentState, policy: &PaymentPolicy) {
    let _ = policy.invoice_source(state);
    let _ = policy.method_in_use(state);
    for now in probe_instants() {
        for command in &samples().payment_commands {
            let _ = answered(EnvironmentPayment::run(state, command, now, policy));
        }
    }
}

fn use_app_refund_policy(policy: &AppRefundPolicy) {
    for state in &samples().ledger_states {
        use_ledger_state(state, policy);
    }
}

pub fn use_ledger_state(state: &LedgerState, policy: &AppRefundPolicy) {
    let currency = policy.locale().currency;
    let _ = state.total_paid(currency);
    let _ = state.total_refunded(currency);
    for now in probe_instants() {
        let _ = policy.next_refund(state, RefundFlags::default(), now);
        for order in state.orders() {
            let _ = policy.eligibility(state, &order.id, RefundFlags::default().abnormal(), now);
        }
        for command in &samples().ledger_commands {
            let _ = answered(OrderLedger::run(state, command, now, policy));
        }
    }
}

fn use_licence_refund_policy(policy: &LicenceRefundPolicy) {
    for request in &samples().licence_refund_requests {
        use_licence_refund_request(request, policy);
    }
}

pub fn use_licence_refund_request(request: &LicenceRefundRequest, policy: &LicenceRefundPolicy) {
    for now in probe_instants() {
        let _ = answered(policy.eligibility(request, now));
    }
}

// -------------------------------------------------------------- targets

type Check = Box<dyn Fn(&Value) + Send + Sync>;

struct Target {
    samples: Vec<Value>,
    check: Check,
}

fn values<T: Serialize>(items: &[T]) -> Vec<Value> {
    items
        .iter()
        .map(|v| serde_json::to_value(v).unwrap())
        .collect()
}

fn target<T>(samples: Vec<Value>, use_it: impl Fn(T) + Send + Sync + 'static) -> Target
where
    T: DeserializeOwned + Serialize + PartialEq + Debug + 'static,
{
    Target {
        samples,
        check: Box::new(move |value| {
            if let Some(v) = read::<T>(value) {
                use_it(v);
            }
        }),
    }
}

fn seat_spec_json() -> Value {
    serde_json::to_value(presets::app_store_seat_pricing_spec()).unwrap()
}

/// Every deserializable type of the landed areas, with its samples and what
/// to do with a value that deserializes.
fn targets() -> Vec<Target> {
    let s = samples();
    let now = at(2025, 6, 1, 0);
    let seat_policy = move |p: SeatPolicy| {
        use_seat_policy(&p, 120, 2, now);
        use_seat_policy(&p, 1_000_000_000, 1_000_000, now);
    };
    let subscription_specs = [
        presets::app_store_subscription_spec(),
        presets::chat_service_subscription_spec(),
        presets::cloud_environment_subscription_spec(),
    ];
    let postpaid_specs = [
        presets::cloud_environment_postpaid_spec(),
        presets::live_plugin_postpaid_spec(),
    ];
    let chat = presets::chat_service_subscription().unwrap();
    let plugin = presets::live_plugin_postpaid().unwrap();
    let lic = presets::live_plugin_licence().unwrap();
    let pay = presets::cloud_payment().unwrap();
    let refunds = presets::app_store_refunds().unwrap();
    let lic_refunds = presets::live_plugin_licence_refunds().unwrap();
    let tier_specs: Vec<TierTableSpec> = s.tier_tables.iter().map(|t| t.to_spec().into()).collect();
    vec![
        // Seat plans.
        target::<SeatPolicy>(vec![seat_spec_json()], seat_policy),
        target::<SeatPolicySpec>(vec![seat_spec_json()], move |spec| {
            if let Ok(p) = SeatPolicy::try_from(spec) {
                seat_policy(p);
            }
        }),
        target::<PricingSpec>(vec![seat_spec_json()["pricing"].clone()], |pricing| {
            let mut spec = presets::app_store_seat_pricing_spec();
            spec.pricing = pricing;
            if let Ok(p) = SeatPolicy::try_from(spec) {
                use_seat_policy(&p, 51, 1, at(2025, 1, 1, 0));
            }
        }),
        target::<TierTableSpec>(values(&tier_specs), |spec| use_tier_table_spec(&spec)),
        target::<TierTable>(values(&s.tier_tables), |table| {
            use_tier_table_spec(&table.to_spec().into());
            for q in [Decimal::ONE, Decimal::from(1_000_000_000), Decimal::MAX] {
                let _ = answered(table.price(q));
            }
        }),
        target::<Tier>(
            values(
                &s.tier_tables
                    .iter()
                    .flat_map(|t| t.tiers().to_vec())
                    .collect::<Vec<_>>(),
            ),
            |tier| {
                let _ = (tier.bounds(), tier.flat(), tier.unit_price());
            },
        ),
        target::<PricingRule>(
            values(&[presets::app_store_seat_pricing().unwrap().pricing().clone()]),
            |rule| {
                let _ = rule.rule();
            },
        ),
        target::<UnknownRuleId>(values(&[UnknownRuleId("R-X".into())]), |e| show(&e)),
        target::<TierSpec>(values(&tier_specs[0].tiers), |tier| {
            use_tier_table_spec(&TierTableSpec {
                mode: billing_rules::pricing::TierMode::Graduated,
                tiers: vec![tier],
            })
        }),
        target::<ChannelSpec>(values(&[ChannelSpec::default()]), |_| {}),
        target::<CreditRule>(values(&[CreditRule::default()]), |_| {}),
        target::<SeatOrder>(values(&s.seat_orders), move |order| {
            let p = presets::app_store_seat_pricing().unwrap();
            let _ = answered(p.quote(&order));
        }),
        target::<ExtensionOrder>(values(&s.extension_orders), move |order| {
            let p = presets::app_store_seat_pricing().unwrap();
            let _ = answered(p.extend(&order, now));
        }),
        target::<CurrentPurchase>(values(&s.current_purchases), move |current| {
            let p = presets::app_store_seat_pricing().unwrap();
            for at in probe_instants() {
                let _ = answered(p.upgrade(&current, &SeatOrder::new(20, 1), at));
            }
        }),
        target::<Quote>(values(&s.quotes), |_| {}),
        target::<Credit>(values(&s.credits), |_| {}),
        target::<Upgrade>(values(&s.upgrades), |_| {}),
        target::<TierPrice>(values(&s.tier_prices), |_| {}),
        target::<TierPart>(values(&s.tier_parts), |_| {}),
        // Lifecycle.
        target::<SubscriptionPolicy>(values(&subscription_specs), |p| use_subscription_policy(&p)),
        target::<SubscriptionPolicySpec>(values(&subscription_specs), |spec| {
            if let Ok(p) = SubscriptionPolicy::try_from(spec) {
                use_subscription_policy(&p);
            }
        }),
        target::<SubscriptionCommand>(values(&s.subscription_commands), {
            let chat = chat.clone();
            move |command| {
                for state in &samples().subscription_states {
                    let _ = answered(Subscription::run(state, &command, now, &chat));
                }
            }
        }),
        target::<SubscriptionEvent>(values(&s.subscription_events), |event| {
            for state in &samples().subscription_states {
                let _ = Subscription::evolve(*state, &event);
            }
            let _ = (event.at(), event.rule());
        }),
        target::<SubscriptionState>(values(&s.subscription_states), {
            let chat = chat.clone();
            move |state| use_subscription_state(&state, &chat)
        }),
        target::<SubscriptionStatus>(values(&s.subscription_statuses), |status| show(&status)),
        target::<Funds>(
            values(&funds().into_iter().flatten().collect::<Vec<_>>()),
            {
                let chat = chat.clone();
                move |funds| {
                    for state in &samples().subscription_states {
                        let _ = answered(Subscription::due_events_with_funds(
                            state,
                            now,
                            &chat,
                            Some(&funds),
                        ));
                    }
                }
            },
        ),
        target::<Notice>(
            values(
                &s.subscription_events
                    .iter()
                    .filter_map(|e| match e {
                        SubscriptionEvent::Notice(n) => Some(*n),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            |_| {},
        ),
        target::<Reminder>(
            values(
                &s.subscription_events
                    .iter()
                    .filter_map(|e| match e {
                        SubscriptionEvent::Reminder(r) => Some(*r),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            |r| {
                let _ = r.days_from_expiry();
            },
        ),
        target::<ReminderWindow>(values(&s.reminder_windows), |w| {
            let _ = (w.len(), w.days().take(1000).count(), w.contains(w.first()));
        }),
        target::<Channels>(vec![serde_json::json!(["sms", "email"])], |c| show(&c)),
        target::<Access>(values(&s.accesses), |_| {}),
        target::<PostpaidPolicy>(values(&postpaid_specs), |p| use_postpaid_policy(&p)),
        target::<PostpaidPolicySpec>(values(&postpaid_specs), |spec| {
            if let Ok(p) = PostpaidPolicy::try_from(spec) {
                use_postpaid_policy(&p);
            }
        }),
        target::<PostpaidCommand>(values(&s.postpaid_commands), {
            let plugin = plugin.clone();
            move |command| {
                for state in &samples().postpaid_states {
                    let _ = answered(PostpaidAccount::run(state, &command, now, &plugin));
                }
            }
        }),
        target::<PostpaidEvent>(values(&s.postpaid_events), |event| {
            for state in &samples().postpaid_states {
                let _ = PostpaidAccount::evolve(*state, &event);
            }
            let _ = event.at();
        }),
        target::<PostpaidState>(values(&s.postpaid_states), {
            let plugin = plugin.clone();
            move |state| use_postpaid_state(&state, &plugin)
        }),
        target::<PostpaidStatus>(values(&s.postpaid_statuses), |status| show(&status)),
        target::<LicencePolicy>(values(&[presets::live_plugin_licence_spec()]), |p| {
            use_licence_policy(&p)
        }),
        target::<LicencePolicySpec>(values(&[presets::live_plugin_licence_spec()]), |spec| {
            if let Ok(p) = LicencePolicy::try_from(spec) {
                use_licence_policy(&p);
            }
        }),
        target::<LicenceCommand>(values(&s.licence_commands), {
            let lic = lic.clone();
            move |command| {
                for state in &samples().licence_states {
                    let _ = answered(Licence::run(state, &command, now, &lic));
                }
            }
        }),
        target::<LicenceEvent>(values(&s.licence_events), |event| {
            for state in &samples().licence_states {
                let _ = Licence::evolve(state.clone(), &event);
            }
        }),
        target::<LicenceState>(values(&s.licence_states), {
            let lic = lic.clone();
            move |state| use_licence_state(&state, &lic)
        }),
        target::<LicenceStatus>(values(&s.licence_statuses), |status| show(&status)),
        // Payment.
        target::<PaymentPolicy>(values(&[presets::cloud_payment_spec()]), |p| {
            use_payment_policy(&p)
        }),
        target::<PaymentPolicySpec>(values(&[presets::cloud_payment_spec()]), |spec| {
            if let Ok(p) = PaymentPolicy::try_from(spec) {
                use_payment_policy(&p);
            }
        }),
        target::<InvoiceRouting>(values(&[PaymentPolicy::INVOICE_ROUTING]), |_| {}),
        target::<PaymentCommand>(values(&s.payment_commands), {
            let pay = pay.clone();
            move |command| {
                for state in &samples().payment_states {
                    let _ = answered(EnvironmentPayment::run(state, &command, now, &pay));
                }
            }
        }),
        target::<SwitchFacts>(
            values(&[SwitchFacts::default().with_refund(yuan(1), yuan(2))]),
            {
                let pay = pay.clone();
                move |facts| {
                    for state in &samples().payment_states {
                        for to in billing_rules::payment::PaymentMethod::ALL {
                            let command = PaymentCommand::switch(to, facts);
                            let _ = answered(EnvironmentPayment::run(state, &command, now, &pay));
                        }
                    }
                }
            },
        ),
        target::<PaymentEvent>(values(&s.payment_events), |event| {
            for state in &samples().payment_states {
                let _ = EnvironmentPayment::evolve(*state, &event);
            }
        }),
        target::<PaymentState>(values(&s.payment_states), {
            let pay = pay.clone();
            move |state| use_payment_state(&state, &pay)
        }),
        // Refunds.
        target::<AppRefundPolicy>(values(&[presets::app_store_refunds_spec()]), |p| {
            use_app_refund_policy(&p)
        }),
        target::<AppRefundPolicySpec>(values(&[presets::app_store_refunds_spec()]), |spec| {
            if let Ok(p) = AppRefundPolicy::try_from(spec) {
                use_app_refund_policy(&p);
            }
        }),
        target::<LicenceRefundPolicy>(
            values(&[presets::live_plugin_licence_refunds_spec()]),
            |p| use_licence_refund_policy(&p),
        ),
        target::<LicenceRefundPolicySpec>(
            values(&[presets::live_plugin_licence_refunds_spec()]),
            |spec| {
                if let Ok(p) = LicenceRefundPolicy::try_from(spec) {
                    use_licence_refund_policy(&p);
                }
            },
        ),
        target::<LedgerCommand>(values(&s.ledger_commands), {
            let refunds = refunds.clone();
            move |command| {
                for state in &samples().ledger_states {
                    let _ = answered(OrderLedger::run(state, &command, now, &refunds));
                }
            }
        }),
        target::<LedgerEvent>(values(&s.ledger_events), |event| {
            for state in &samples().ledger_states {
                let _ = OrderLedger::evolve(state.clone(), &event);
            }
        }),
        target::<LedgerState>(values(&s.ledger_states), {
            let refunds = refunds.clone();
            move |state| use_ledger_state(&state, &refunds)
        }),
        target::<Eligibility>(values(&s.eligibilities), |_| {}),
        target::<RefundFlags>(values(&[RefundFlags::default().banned()]), |_| {}),
        target::<LicenceRefundRequest>(values(&s.licence_refund_requests), {
            let lic_refunds = lic_refunds.clone();
            move |request| use_licence_refund_request(&request, &lic_refunds)
        }),
        // Foundation values.
        target::<Locale>(values(&[Locale::default()]), |locale| {
            for now in probe_instants() {
                let _ = locale.time_zone.local_date(now);
                let _ = locale.time_zone.start_of_local_day(now);
            }
            show(&locale.time_zone);
            show(&locale.currency);
        }),
        target::<Money>(values(&s.money), |m| {
            show(&m);
            for other in &samples().money {
                let _ = (
                    m.checked_add(*other),
                    m.checked_sub(*other),
                    m.checked_cmp(other),
                );
                let _ = (m.checked_min(*other), m.checked_max(*other));
                let _ = m.checked_mul(other.amount());
                let _ = m.checked_div(other.amount());
            }
            for scale in [0, 2, 28, 29, u32::MAX] {
                let _ = m.round(Rounding::new(
                    billing_rules::money::RoundingMode::HalfEven,
                    scale,
                ));
            }
        }),
        target::<Currency>(
            values(&[Currency::CNY, Currency::new("XTS", 5).unwrap()]),
            |c| {
                show(&c);
                let _ = c.minor_unit();
            },
        ),
        target::<Quantity>(values(&s.quantities), |q| {
            show(&q);
            for unit in [Unit::Byte, Unit::Terabyte, Unit::Call, Unit::Gigabit] {
                let _ = q.convert_to(unit);
            }
            for other in &samples().quantities {
                let _ = (q.checked_cmp(other), q.checked_add(other));
            }
        }),
        target::<Period>(
            values(&[Period::Year, Period::Month, Period::days(90).unwrap()]),
            |p| {
                show(&p);
                let _ = p.length().checked_mul(u32::MAX);
            },
        ),
        target::<Days>(values(&[Days(365)]), |d| {
            for now in probe_instants() {
                let _ = (
                    Zone::BEIJING.plus_days(now, d),
                    Zone::BEIJING.minus_days(now, d),
                );
            }
        }),
        target::<Zone>(values(&[Zone::BEIJING, Zone::UTC]), |zone| {
            show(&zone);
            for now in probe_instants() {
                let _ = zone.local_date(now);
                let _ = zone.start_of_local_day(now);
                let _ = zone.calendar_days_between(now, DateTime::<Utc>::MIN_UTC);
            }
            let back: Zone = zone.to_string().parse().expect("a zone's text parses");
            assert_eq!(back, zone);
        }),
        target::<Rounding>(
            values(&[Rounding::new(billing_rules::money::RoundingMode::HalfUp, 2)]),
            |r| {
                for d in crate::strategies::extreme_decimals() {
                    let _ = r.apply(d);
                }
            },
        ),
        target::<RuleId>(values(&RuleId::ALL), |r| {
            show(&r);
            assert_eq!(r.to_string().parse::<RuleId>(), Ok(r));
        }),
        target::<Refusal>(values(&s.refusals), |r| {
            show(&r);
            let _ = (r.rule(), r.primary(), r.figure("count"));
        }),
        target::<Reason>(
            values(
                &s.refusals
                    .iter()
                    .flat_map(|r| r.reasons().to_vec())
                    .collect::<Vec<_>>(),
            ),
            |r| show(&r),
        ),
        target::<Figure>(
            values(
                &s.refusals
                    .iter()
                    .flat_map(|r| r.reasons().iter().flat_map(|r| r.figures.clone()))
                    .collect::<Vec<_>>(),
            ),
            |f| show(&f),
        ),
        target::<Error>(values(&s.errors), |e| {
            show(&e);
            let _ = e.refusal();
        }),
        target::<PolicyError>(
            values(&[PolicyError::new("tiers", "no tier", "one").with_rule(RuleId::Seat03)]),
            |e| show(&e),
        ),
        target::<ArithmeticError>(
            values(&[
                ArithmeticError::overflow("x"),
                ArithmeticError::DivisionByZero,
            ]),
            |e| show(&e),
        ),
    ]
}

fn all_targets() -> &'static [Target] {
    static TARGETS: std::sync::OnceLock<Vec<Target>> = std::sync::OnceLock::new();
    TARGETS.get_or_init(targets)
}

// ------------------------------------------------------------- the tests

proptest! {
    /// Random JSON trees into every type: `Ok` (and usable, and round-
    /// tripping) or `Err`, never a panic.
    #[test]
    fn any_json_into_every_type_is_ok_or_an_error(value in json()) {
        for target in all_targets() {
            (target.check)(&value);
        }
    }

    /// Near-valid JSON: every sample of every type with one to three nodes
    /// replaced, removed or added.
    #[test]
    fn near_valid_json_of_every_type_is_ok_or_an_error(
        mutations in prop::collection::vec(mutation(), 1..=2),
    ) {
        for target in all_targets() {
            for sample in &target.samples {
                let mut value = sample.clone();
                for m in &mutations {
                    value = mutate(value, m);
                }
                (target.check)(&value);
            }
        }
    }

    /// R-SEAT-01..10: a mutated app-store spec builds or is refused; a
    /// policy that builds quotes 1..=10^9 seats for 1..=10^6 periods with
    /// `Ok` or `Err`, never a panic, never a negative or over-cap total.
    #[test]
    fn r_seat_near_valid_seat_policy_json_prices_ok_or_error(
        mutations in prop::collection::vec(mutation(), 1..=3),
        seats in prop_oneof![1u32..=1000, 1u32..=1_000_000_000, Just(1_000_000_000u32)],
        periods in prop_oneof![1u32..=5, 1u32..=1_000_000, Just(1_000_000u32)],
        now in crate::strategies::any_instant(),
    ) {
        let mut value = seat_spec_json();
        for m in &mutations {
            value = mutate(value, m);
        }
        if let Some(policy) = read::<SeatPolicy>(&value) {
            use_seat_policy(&policy, seats, periods, now);
        }
        if let Some(spec) = read::<SeatPolicySpec>(&value)
            && let Ok(policy) = SeatPolicy::try_from(spec)
        {
            use_seat_policy(&policy, seats, periods, now);
        }
    }

    /// R-SEAT-03: tier tables from arbitrary JSON, empty ones included, build
    /// or are refused, and price any quantity with `Ok` or `Err`.
    #[test]
    fn r_seat_03_any_tier_table_json_builds_or_is_refused(
        tiers in prop::collection::vec(
            (json(), prop::option::of(json()), prop::option::of(json()), prop::option::of(json())),
            0..6,
        ),
        mode in prop_oneof![Just("volume"), Just("graduated"), Just("other")],
    ) {
        let tiers: Vec<Value> = tiers
            .into_iter()
            .map(|(from, to, flat, unit)| {
                let mut m = Map::new();
                m.insert("from".into(), from);
                for (k, v) in [("to", to), ("flat", flat), ("unit_price", unit)] {
                    if let Some(v) = v {
                        m.insert(k.into(), v);
                    }
                }
                Value::Object(m)
            })
            .collect();
        let value = serde_json::json!({ "mode": mode, "tiers": tiers });
        if let Some(spec) = read::<TierTableSpec>(&value) {
            use_tier_table_spec(&spec);
        }
    }
}
