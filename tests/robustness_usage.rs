//! Robustness of the per-use area (issue 8; R-USE-01..10): any input gives
//! `Ok` or an error value, never a panic, and nothing recorded is lost.
//!
//! 1. Every usage spec, policy, command, event and state is fed arbitrary
//!    JSON: random trees, wrong types, huge and negative numbers, 28-digit
//!    decimals, empty catalogues and tiers, and near-valid mutations of the
//!    presets' JSON. A policy that builds is then used: a fuzzed forecast is
//!    planned on it, calls are consumed on it, a day is settled on it.
//! 2. The [`PackageWallet`] and [`BillingMethods`] deciders are fed arbitrary
//!    command sequences at arbitrary instants (years 1970 to 9999, and
//!    chrono's extremes): a refused command changes nothing, replaying the
//!    accepted events gives the same state, no package balance is ever
//!    negative or lost, and every Consume accounts for every call.
//! 3. `extremes_*`: amounts near `Decimal::MAX`, forecasts of 10^18 and
//!    `u64::MAX` calls, 10^6 packages, chrono's first and last instants.
//! 4. `serde_*`: value -> JSON -> value is the identity for every public
//!    usage data type.
//!
//! CI runs the default case count. Deep run: `PROPTEST_CASES=10000 cargo
//! test --release --test robustness_usage` (17 to 33 s of tests on a loaded
//! 2-core machine).

use std::collections::HashMap;
use std::fmt::Debug;

use billing_rules::Decider;
use billing_rules::money::{Currency, Money, RoundingMode};
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::time::{Days, Zone};
use billing_rules::usage::{
    AccountProfile, AddOnCharge, AddOnPolicy, AddOnPolicySpec, AddOnUsage, BillingMethod,
    BillingMethods, CallCounts, Catalogue, CatalogueSpec, Category, CategoryExemptionSpec,
    ChargePart, Component, ComponentPriceSpec, Consumption, CustomPackagesSpec, DailyCharge,
    DayUsage, Draw, Exemption, Exemptions, ExemptionsSpec, Expiry, FeatureSwitch, Forecast,
    HeldPackage, MeteredPrice, MeteredPriceSpec, MethodChange, MethodCommand, MethodEvent,
    MethodState, Organisation, Package, PackageId, PackageOrder, PackageQuote, PackageSpec,
    PackageStatus, PackageWallet, Plan, PlanLine, PriceList, Purchase, Region, RegionTariffSpec,
    Resolution, Tariff, TariffSpec, TrafficPolicy, TrafficPolicySpec, TranscodingPriceSpec,
    UsagePolicy, UsagePolicySpec, Waiver, WalletCommand, WalletEvent, WalletState, WhenExhausted,
};
use billing_rules::{Error, RuleId};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

// ===========================================================================
// Shared helpers
// ===========================================================================

fn verification() -> UsagePolicy {
    presets::verification_usage().unwrap()
}

fn live_traffic() -> TrafficPolicy {
    presets::live_traffic().unwrap()
}

fn live_add_ons() -> AddOnPolicy {
    presets::live_add_ons().unwrap()
}

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
        .and_utc()
}

fn fail(what: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(what.to_string())
}

/// value -> JSON -> value, through a `Value` and through text.
fn round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_value(value).map_err(fail)?;
    let back: T =
        serde_json::from_value(json.clone()).map_err(|e| fail(format!("{e} in {json}")))?;
    prop_assert_eq!(&back, value, "through a JSON value: {}", json);
    let text = serde_json::to_string(value).map_err(fail)?;
    let back: T = serde_json::from_str(&text).map_err(|e| fail(format!("{e} in {text}")))?;
    prop_assert_eq!(&back, value, "through JSON text: {}", text);
    Ok(())
}

/// An error is a value that says something: it displays, and a refusal
/// names a rule.
fn check_error(err: &Error) -> Result<(), TestCaseError> {
    prop_assert!(!err.to_string().is_empty());
    if let Some(refusal) = err.refusal() {
        prop_assert!(!refusal.primary().message.is_empty());
        prop_assert!(refusal.rule().to_string().starts_with("R-"));
    }
    Ok(())
}

// ===========================================================================
// Arbitrary JSON
// ===========================================================================

/// Every field name of the usage types, so random trees often hit a field.
const KEYS: &[&str] = &[
    "locale",
    "currency",
    "time_zone",
    "rounding",
    "code",
    "scale",
    "billing_start",
    "prices",
    "component",
    "price",
    "trial_quota",
    "exemptions",
    "organisations",
    "by_category",
    "organisation",
    "categories",
    "catalogue",
    "validities",
    "packages",
    "calls",
    "list_price",
    "validity_days",
    "custom",
    "unit_price",
    "when_exhausted",
    "regions",
    "region",
    "traffic",
    "bandwidth",
    "unit",
    "tiers",
    "mode",
    "from",
    "to",
    "flat",
    "switch_delay_days",
    "transcoding",
    "resolution",
    "per",
    "recording",
    "snapshots",
    "moderation",
    "horizon",
    "command",
    "event",
    "state",
    "order",
    "kind",
    "at",
    "switch",
    "profile",
    "category",
    "succeeded",
    "failed",
    "changes",
    "method",
    "requested_at",
    "effective_from",
    "package",
    "paid_at",
    "effective_at",
    "expires_at",
    "validity",
    "id",
    "remaining",
    "status",
    "lost",
    "trial_used",
    "feature",
    "draws",
    "waived",
    "waiver",
    "why",
    "by",
    "exemption",
    "from_trial",
    "overage",
    "charge",
    "refused",
    "requested",
    "expired_at",
    "amount",
    "value",
    "date",
    "peak_bandwidth",
    "minutes",
    "peak_channels",
    "count",
    "add_on",
    "usage",
    "quantity",
    "exact",
    "total",
    "parts",
    "tier",
    "lines",
    "covered",
    "per_call_cost",
    "pay_per_call",
    "saving",
    "forecast",
    "subtotal",
    "prices",
];

/// Every enum spelling of the usage types, and some near misses.
const WORDS: &[&str] = &[
    "quick_verification",
    "real_time_verification",
    "per_call",
    "refuse",
    "enterprise",
    "individual",
    "government",
    "non_profit",
    "public_institution",
    "other",
    "government_services",
    "public_livelihood",
    "on",
    "off",
    "mainland",
    "international",
    "traffic",
    "peak_bandwidth",
    "volume",
    "graduated",
    "sd",
    "hd",
    "full_hd",
    "ultra_hd",
    "B",
    "KB",
    "MB",
    "GB",
    "TB",
    "bps",
    "Kbps",
    "Mbps",
    "Gbps",
    "calls",
    "seats",
    "minutes",
    "channels",
    "count",
    "CNY",
    "USD",
    "JPY",
    "XTS",
    "cny",
    "half_up",
    "half_even",
    "toward_zero",
    "away_from_zero",
    "floor",
    "ceiling",
    "+08:00",
    "Z",
    "-23:59",
    "+23:59",
    "+24:00",
    "+00:-1",
    "+é:00",
    "listed",
    "custom",
    "purchase",
    "consume",
    "expire",
    "advance",
    "switch_feature",
    "set_profile",
    "purchased",
    "consumed",
    "expired",
    "feature_switched",
    "profile_set",
    "open",
    "not_opened",
    "opened",
    "switch",
    "switch_scheduled",
    "transcoding",
    "recording",
    "snapshots",
    "moderation",
    "exempt",
    "before_billing_start",
    "organisation",
    "category",
    "package",
    "",
    "NaN",
    "inf",
    "-0",
    "0",
    "1",
    "-1",
];

/// Numbers at the edges of every integer and decimal type in the specs.
fn special_numbers() -> Vec<Value> {
    let mut out: Vec<Value> = vec![
        0.into(),
        1.into(),
        (-1).into(),
        u32::MAX.into(),
        (u64::from(u32::MAX) + 1).into(),
        i64::MIN.into(),
        i64::MAX.into(),
        u64::MAX.into(),
        1_000_000_000_000_000_000u64.into(),
        10_000_000_000_000_000_000u64.into(),
    ];
    for f in [
        1e28, 7.9e28, 1e29, 1e300, -1e300, 0.5, 1e-28, 1e-30, 5e-324, -0.0, 0.03,
    ] {
        if let Some(n) = Number::from_f64(f) {
            out.push(Value::Number(n));
        }
    }
    out
}

/// Decimal strings at and past the 96-bit, 28-digit edges.
fn special_decimals() -> Vec<Value> {
    [
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "79228162514264337593543950336",
        "7.9228162514264337593543950335",
        "0.0000000000000000000000000001",
        "0.00000000000000000000000000001",
        "1234567890123456789012345678",
        "0.1234567890123456789012345678",
        "9999999999999999999999999999",
        "1e28",
        "1e29",
        "1e-28",
        "1e-29",
        "-0",
        "0.03",
        "18446744073709551615",
        "18446744073709551616",
    ]
    .iter()
    .map(|s| Value::from(*s))
    .collect()
}

/// An instant from 1970 to 9999, or one of chrono's extremes.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        30 => (0i64..=253_402_300_799, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap()),
        1 => Just(DateTime::<Utc>::MIN_UTC),
        1 => Just(DateTime::<Utc>::MAX_UTC),
    ]
}

/// A local day anywhere chrono allows.
fn date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        20 => instant().prop_map(|t| t.date_naive()),
        1 => Just(NaiveDate::MIN),
        1 => Just(NaiveDate::MAX),
    ]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => Just(Value::Null),
        2 => any::<bool>().prop_map(Value::Bool),
        4 => any::<i64>().prop_map(Value::from),
        4 => any::<u64>().prop_map(Value::from),
        2 => (0u64..400).prop_map(Value::from),
        2 => any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        4 => prop::sample::select(special_numbers()),
        4 => prop::sample::select(special_decimals()),
        4 => "-?[0-9]{1,30}(\\.[0-9]{0,30})?".prop_map(Value::from),
        1 => "-?[0-9]{1,3}[eE]-?[0-9]{1,10}".prop_map(Value::from),
        6 => prop::sample::select(WORDS).prop_map(Value::from),
        3 => instant().prop_map(|t| Value::from(t.to_rfc3339())),
        2 => date().prop_map(|d| Value::from(d.to_string())),
        1 => "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2}))?"
            .prop_map(Value::from),
        2 => ".{0,12}".prop_map(Value::from),
    ]
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-z_]{0,10}",
    ]
}

/// A random JSON tree: leaves from [`arb_leaf`], arrays and objects whose
/// keys are mostly field names of the usage types.
fn arb_json() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// One step of a path into a JSON tree.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    At(usize),
}

/// Every node's path (leaves and containers), in document order.
fn paths(value: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    out.push(here.clone());
    match value {
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                here.push(Seg::At(i));
                paths(v, here, out);
                here.pop();
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                here.push(Seg::Key(k.clone()));
                paths(v, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(value: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let mut at = value;
    for seg in path {
        at = match seg {
            Seg::Key(k) => at.get_mut(k.as_str())?,
            Seg::At(i) => at.get_mut(*i)?,
        };
    }
    Some(at)
}

/// A replacement of the same JSON kind as the node it replaces, so the
/// mutated document still parses more often and reaches validation.
#[derive(Debug, Clone)]
struct Typed {
    number: Value,
    string: Value,
    flag: bool,
}

fn typed() -> impl Strategy<Value = Typed> {
    let number = prop_oneof![
        3 => prop::sample::select(special_numbers()),
        2 => any::<u64>().prop_map(Value::from),
        2 => any::<i64>().prop_map(Value::from),
        3 => (0u64..2_000).prop_map(Value::from),
    ];
    let string = prop_oneof![
        3 => prop::sample::select(special_decimals()),
        3 => "-?[0-9]{1,30}(\\.[0-9]{0,30})?".prop_map(Value::from),
        2 => prop::sample::select(WORDS).prop_map(Value::from),
        2 => instant().prop_map(|t| Value::from(t.to_rfc3339())),
    ];
    (number, string, any::<bool>()).prop_map(|(number, string, flag)| Typed {
        number,
        string,
        flag,
    })
}

impl Typed {
    fn for_node(&self, node: &Value) -> Value {
        match node {
            Value::Number(_) => self.number.clone(),
            Value::String(_) => self.string.clone(),
            Value::Bool(_) => Value::Bool(self.flag),
            _ => Value::Null,
        }
    }
}

/// What a mutation does to the node it picks.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the node with another value.
    Replace(Value),
    /// Replace a leaf with a value of its own kind (a number by a number).
    Retype(Typed),
    /// Remove it from its parent (a missing field, a shorter list).
    Remove,
    /// Repeat it in its parent list (a duplicate entry), or do nothing.
    Duplicate,
}

fn arb_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        8 => typed().prop_map(Edit::Retype),
        6 => arb_leaf().prop_map(Edit::Replace),
        2 => arb_json().prop_map(Edit::Replace),
        1 => Just(Edit::Replace(Value::Array(Vec::new()))),
        1 => Just(Edit::Replace(Value::Object(Map::new()))),
        2 => Just(Edit::Remove),
        1 => Just(Edit::Duplicate),
    ]
}

/// `base` with each edit applied to the node its index picks.
fn mutate(base: &Value, edits: &[(Index, Edit)]) -> Value {
    let mut value = base.clone();
    for (pick, edit) in edits {
        let mut all = Vec::new();
        paths(&value, &mut Vec::new(), &mut all);
        let path = all[pick.index(all.len())].clone();
        match edit {
            Edit::Replace(new) => {
                if let Some(node) = node_mut(&mut value, &path) {
                    *node = new.clone();
                }
            }
            Edit::Retype(typed) => {
                if let Some(node) = node_mut(&mut value, &path)
                    && !node.is_array()
                    && !node.is_object()
                {
                    *node = typed.for_node(node);
                }
            }
            Edit::Remove | Edit::Duplicate => {
                let Some((last, parent)) = path.split_last() else {
                    continue;
                };
                let Some(parent) = node_mut(&mut value, parent) else {
                    continue;
                };
                match (last, parent, edit) {
                    (Seg::Key(k), Value::Object(map), Edit::Remove) => {
                        map.remove(k);
                    }
                    (Seg::At(i), Value::Array(items), Edit::Remove) => {
                        items.remove(*i);
                    }
                    (Seg::At(i), Value::Array(items), Edit::Duplicate) => {
                        let copy = items[*i].clone();
                        items.insert(*i, copy);
                    }
                    _ => {}
                }
            }
        }
    }
    value
}

/// One to four mutations of `base`.
fn near(base: Value) -> impl Strategy<Value = Value> {
    prop::collection::vec((any::<Index>(), arb_edit()), 1..=4)
        .prop_map(move |edits| mutate(&base, &edits))
}

/// Exactly one leaf of `base` replaced with an arbitrary value (half the
/// time one of the leaf's own kind).
fn one_leaf(base: Value) -> impl Strategy<Value = Value> {
    (any::<Index>(), arb_leaf(), typed(), any::<bool>()).prop_map(
        move |(pick, new, typed, same)| {
            let mut all = Vec::new();
            paths(&base, &mut Vec::new(), &mut all);
            let leaves: Vec<&Vec<Seg>> = all
                .iter()
                .filter(|p| {
                    let mut probe = base.clone();
                    node_mut(&mut probe, p).is_some_and(|n| !n.is_array() && !n.is_object())
                })
                .collect();
            let mut value = base.clone();
            let path = leaves[pick.index(leaves.len())];
            if let Some(node) = node_mut(&mut value, path) {
                *node = if same { typed.for_node(node) } else { new };
            }
            value
        },
    )
}

fn json_of<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

// ===========================================================================
// Checked use of a policy: wallet steps, plans, settlements
// ===========================================================================

/// A wallet driven command by command, with every invariant checked.
struct WalletRun<'a> {
    policy: &'a UsagePolicy,
    state: WalletState,
    log: Vec<WalletEvent>,
}

impl<'a> WalletRun<'a> {
    fn new(policy: &'a UsagePolicy) -> WalletRun<'a> {
        WalletRun {
            policy,
            state: PackageWallet::initial(),
            log: Vec::new(),
        }
    }

    /// Decides and applies one command; checks every event against the
    /// state it was decided on.
    fn step(&mut self, command: &WalletCommand, now: DateTime<Utc>) -> Result<bool, TestCaseError> {
        let before = self.state.clone();
        match PackageWallet::decide(&self.state, command, now, self.policy) {
            Err(err) => {
                check_error(&err)?;
                // A refused command changes nothing: the state is the one
                // the caller holds, and run() refuses the same way.
                prop_assert_eq!(&self.state, &before);
                prop_assert!(PackageWallet::run(&self.state, command, now, self.policy).is_err());
                Ok(false)
            }
            Ok(events) => {
                let mut state = self.state.clone();
                for event in &events {
                    check_wallet_event(&state, command, event, now, self.policy)?;
                    state = PackageWallet::evolve(state, event);
                }
                if matches!(command, WalletCommand::Advance) {
                    let late = state
                        .packages()
                        .iter()
                        .any(|p| p.status() == PackageStatus::Open && p.expires_at() <= now);
                    prop_assert!(!late, "Advance left a package open past its expiry");
                }
                let (ran, ran_events) = PackageWallet::run(&self.state, command, now, self.policy)
                    .map_err(|e| fail(format!("decide accepted, run refused: {e}")))?;
                prop_assert_eq!(&ran, &state);
                prop_assert_eq!(&ran_events, &events);
                self.state = state;
                self.log.extend(events.iter().cloned());
                self.check_books()?;
                Ok(true)
            }
        }
    }

    /// Nothing is lost: each package's calls are what is left plus what was
    /// drawn plus what expired; the trial used is what consumptions drew.
    fn check_books(&self) -> Result<(), TestCaseError> {
        let mut drawn: HashMap<PackageId, u128> = HashMap::new();
        let mut trial: u128 = 0;
        for event in &self.log {
            if let WalletEvent::Consumed(c) = event {
                trial += u128::from(c.from_trial);
                for d in &c.draws {
                    *drawn.entry(d.package).or_default() += u128::from(d.calls);
                }
            }
        }
        prop_assert_eq!(u128::from(self.state.trial_used()), trial);
        prop_assert!(self.state.trial_used() <= self.policy.trial_quota());
        for (i, p) in self.state.packages().iter().enumerate() {
            prop_assert_eq!(p.id(), PackageId(i as u32));
            prop_assert!(
                p.remaining() <= p.calls(),
                "balance above the package: {:?}",
                p
            );
            let lost = match p.status() {
                PackageStatus::Open => 0,
                PackageStatus::Expired { lost } => {
                    prop_assert_eq!(p.remaining(), 0);
                    lost
                }
            };
            let used = drawn.get(&p.id()).copied().unwrap_or(0);
            prop_assert_eq!(
                u128::from(p.calls()),
                u128::from(p.remaining()) + used + u128::from(lost),
                "calls = remaining + drawn + lost for {:?}",
                p
            );
        }
        Ok(())
    }

    /// Replaying the accepted events from `initial()` gives the same state,
    /// and the state and events survive JSON.
    fn check_replay(&self) -> Result<(), TestCaseError> {
        prop_assert_eq!(&PackageWallet::replay(self.log.iter()), &self.state);
        round_trip(&self.state)?;
        for event in &self.log {
            round_trip(event)?;
        }
        Ok(())
    }
}

fn check_wallet_event(
    before: &WalletState,
    command: &WalletCommand,
    event: &WalletEvent,
    now: DateTime<Utc>,
    policy: &UsagePolicy,
) -> Result<(), TestCaseError> {
    match (command, event) {
        (WalletCommand::Purchase { order }, WalletEvent::Purchased(p)) => {
            let quote = policy.catalogue().quote(order).map_err(fail)?;
            prop_assert_eq!(p.package, PackageId(before.packages().len() as u32));
            prop_assert_eq!(p.order, *order);
            prop_assert_eq!(
                (p.calls, p.validity, p.price),
                (quote.calls, quote.validity, quote.price)
            );
            prop_assert!(!p.price.is_negative());
            prop_assert_eq!(p.paid_at, now);
            // R-USE-06: at payment, or at the billing start when paid before.
            prop_assert_eq!(p.effective_at, now.max(policy.billing_start()));
            prop_assert_eq!(
                Some(p.expires_at),
                p.effective_at.checked_add_signed(p.validity.duration())
            );
        }
        (
            WalletCommand::Consume {
                component,
                calls,
                at,
            },
            WalletEvent::Consumed(c),
        ) => {
            prop_assert_eq!((c.component, c.at), (*component, *at));
            prop_assert_eq!((c.requested, c.failed), (calls.succeeded, calls.failed));
            prop_assert!(*at <= now);
            check_consumption(before, c, policy)?;
        }
        (WalletCommand::Advance, WalletEvent::Expired(e)) => {
            let p = before
                .packages()
                .iter()
                .find(|p| p.id() == e.package)
                .ok_or_else(|| fail("expired an unknown package"))?;
            prop_assert_eq!(p.status(), PackageStatus::Open);
            prop_assert!(p.expires_at() <= now);
            prop_assert_eq!((e.expired_at, e.lost), (p.expires_at(), p.remaining()));
        }
        (
            WalletCommand::SwitchFeature { switch },
            WalletEvent::FeatureSwitched { switch: s, at },
        ) => {
            prop_assert_eq!((switch, *at), (s, now));
            prop_assert_ne!(before.feature(), *switch);
        }
        (WalletCommand::SetProfile { profile }, WalletEvent::ProfileSet { profile: p, at }) => {
            prop_assert_eq!((profile, *at), (p, now));
        }
        (c, e) => return Err(fail(format!("{c:?} gave {e:?}"))),
    }
    Ok(())
}

/// R-USE-01..07 for one consumption, against the state it was decided on.
fn check_consumption(
    before: &WalletState,
    c: &Consumption,
    policy: &UsagePolicy,
) -> Result<(), TestCaseError> {
    let from_packages: u128 = c.draws.iter().map(|d| u128::from(d.calls)).sum();
    let accounted = u128::from(c.waived)
        + u128::from(c.from_trial)
        + from_packages
        + u128::from(c.overage)
        + u128::from(c.refused);
    prop_assert_eq!(
        accounted,
        u128::from(c.requested),
        "waived + drawn + overage + refused = requested: {:?}",
        c
    );
    if c.waiver.is_some() {
        prop_assert_eq!(c.waived, c.requested);
    } else {
        prop_assert_eq!(c.waived, 0);
    }
    prop_assert!(c.from_trial <= before.trial_remaining(policy));
    let mut last: Option<(DateTime<Utc>, PackageId)> = None;
    for d in &c.draws {
        let p = before
            .packages()
            .iter()
            .find(|p| p.id() == d.package)
            .ok_or_else(|| fail("drew from an unknown package"))?;
        prop_assert!(d.calls > 0);
        prop_assert!(p.drawable_at(c.at), "drew from {:?} at {}", p, c.at);
        prop_assert!(d.calls <= p.remaining(), "overdrew {:?}", p);
        // R-USE-07: the package expiring first, then the one bought first.
        let key = (p.expires_at(), p.id());
        prop_assert!(last.is_none_or(|l| l < key), "out of R-USE-07 order");
        last = Some(key);
    }
    let available: u128 = before
        .packages()
        .iter()
        .filter(|p| p.drawable_at(c.at))
        .map(|p| u128::from(p.remaining()))
        .sum();
    if c.overage > 0 || c.refused > 0 {
        // Billed or refused only with the trial and every package used up.
        prop_assert_eq!(c.from_trial, before.trial_remaining(policy));
        prop_assert_eq!(from_packages, available);
    }
    if !c.draws.is_empty() {
        prop_assert_eq!(c.from_trial, before.trial_remaining(policy));
    }
    match policy.when_exhausted() {
        WhenExhausted::PerCall => prop_assert_eq!(c.refused, 0),
        WhenExhausted::Refuse => prop_assert_eq!(c.overage, 0),
    }
    prop_assert_eq!(
        c.charge,
        c.unit_price
            .checked_mul(Decimal::from(c.overage))
            .map_err(fail)?
    );
    prop_assert!(!c.charge.is_negative());
    Ok(())
}

/// What a fuzzed policy is used for: a forecast, an instant, call counts,
/// and a day's usage.
#[derive(Debug, Clone)]
struct Probe {
    component: Component,
    calls: u64,
    horizon: u32,
    now: DateTime<Utc>,
    succeeded: u64,
    failed: u64,
    day: DayUsage,
    minutes: Quantity,
    count: u64,
    channels: u32,
}

fn component() -> impl Strategy<Value = Component> {
    prop::sample::select(Component::ALL.to_vec())
}

fn calls() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => 0u64..3,
        3 => 0u64..5_000,
        3 => 0u64..200_000_000,
        1 => Just(1_000_000_000_000_000_000u64),
        2 => Just(u64::MAX),
        2 => any::<u64>(),
    ]
}

fn any_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        4 => (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        4 => (-1_000_000i64..1_000_000_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => Just(Decimal::MAX),
        1 => Just(Decimal::MIN),
        1 => Just(Decimal::ZERO),
        1 => Just(Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, false, 28)),
        1 => Just(Decimal::new(1, 28)),
    ]
}

fn unit() -> impl Strategy<Value = Unit> {
    prop::sample::select(vec![
        Unit::Byte,
        Unit::Kilobyte,
        Unit::Megabyte,
        Unit::Gigabyte,
        Unit::Terabyte,
        Unit::BitPerSecond,
        Unit::Kilobit,
        Unit::Megabit,
        Unit::Gigabit,
        Unit::Call,
        Unit::Seat,
        Unit::Minute,
        Unit::Channel,
        Unit::Count,
    ])
}

fn quantity() -> impl Strategy<Value = Quantity> {
    (any_decimal(), unit()).prop_map(|(v, u)| Quantity::new(v, u))
}

fn region() -> impl Strategy<Value = Region> {
    prop::sample::select(vec![Region::Mainland, Region::International])
}

fn method() -> impl Strategy<Value = BillingMethod> {
    prop::sample::select(vec![BillingMethod::Traffic, BillingMethod::PeakBandwidth])
}

fn day_usage() -> impl Strategy<Value = DayUsage> {
    (date(), region(), quantity(), quantity()).prop_map(|(date, region, traffic, peak)| DayUsage {
        date,
        region,
        traffic,
        peak_bandwidth: peak,
    })
}

fn probe() -> impl Strategy<Value = Probe> {
    (
        (
            component(),
            calls(),
            prop_oneof![0u32..400, any::<u32>()],
            instant(),
        ),
        (calls(), calls(), day_usage()),
        (quantity(), any::<u64>(), any::<u32>()),
    )
        .prop_map(
            |(
                (component, calls, horizon, now),
                (succeeded, failed, day),
                (minutes, count, channels),
            )| Probe {
                component,
                calls,
                horizon,
                now,
                succeeded,
                failed,
                day,
                minutes,
                count,
                channels,
            },
        )
}

/// Plans a forecast on `policy` and checks the plan adds up (R-USE-08).
fn check_plan(policy: &UsagePolicy, forecast: &Forecast) -> Result<(), TestCaseError> {
    match policy.plan(forecast) {
        Err(err) => check_error(&err),
        Ok(p) => {
            prop_assert_eq!(&p.forecast, forecast);
            prop_assert!(p.covered >= forecast.calls, "a plan covers the forecast");
            let sum =
                Money::checked_sum(p.total.currency(), p.lines.iter().map(PlanLine::subtotal))
                    .map_err(fail)?;
            prop_assert_eq!(sum, p.total);
            prop_assert_eq!(p.saving, p.pay_per_call.checked_sub(p.total).map_err(fail)?);
            prop_assert!(!p.total.is_negative());
            round_trip(&p)
        }
    }
}

/// Uses a policy that built: round trip, a plan, a purchase of each of the
/// first listed packages and a custom one, consumptions, an expiry.
fn exercise_usage(policy: &UsagePolicy, probe: &Probe) -> Result<(), TestCaseError> {
    round_trip(policy)?;
    round_trip(policy.prices())?;
    round_trip(policy.exemptions())?;
    round_trip(policy.catalogue())?;
    check_plan(
        policy,
        &Forecast::new(probe.component, probe.calls, Days(probe.horizon)),
    )?;
    let longest = policy.catalogue().validities().iter().max().copied();
    if let Some(longest) = longest {
        check_plan(
            policy,
            &Forecast::new(probe.component, probe.calls, longest),
        )?;
    }
    let mut run = WalletRun::new(policy);
    let now = probe.now;
    let mut orders: Vec<PackageOrder> = policy
        .catalogue()
        .packages()
        .iter()
        .take(3)
        .map(|p| PackageOrder::listed(p.calls, p.validity.0))
        .collect();
    if let Some(v) = policy.catalogue().validities().first() {
        orders.push(PackageOrder::custom(probe.calls, v.0));
    }
    for order in orders {
        run.step(&WalletCommand::Purchase { order }, now)?;
    }
    let calls = CallCounts {
        succeeded: probe.succeeded,
        failed: probe.failed,
    };
    for (at, when) in [
        (now, now),
        (
            now,
            now.checked_add_signed(Duration::days(1)).unwrap_or(now),
        ),
    ] {
        for component in Component::ALL {
            run.step(
                &WalletCommand::Consume {
                    component,
                    calls,
                    at,
                },
                when,
            )?;
        }
    }
    let later = now.checked_add_signed(Duration::days(400)).unwrap_or(now);
    run.step(&WalletCommand::Advance, later)?;
    run.check_replay()
}

/// Settles a day both ways on a traffic policy that built, and runs the
/// method switch.
fn exercise_traffic(policy: &TrafficPolicy, probe: &Probe) -> Result<(), TestCaseError> {
    round_trip(policy)?;
    for region in [Region::Mainland, Region::International] {
        for method in [BillingMethod::Traffic, BillingMethod::PeakBandwidth] {
            if let Ok(tariff) = policy.tariff(region, method) {
                round_trip(tariff)?;
            }
            let day = DayUsage {
                region,
                ..probe.day
            };
            check_settlement(policy, method, &day)?;
        }
    }
    let mut runner = MethodRun::new(policy);
    runner.step(
        &MethodCommand::Open {
            method: BillingMethod::Traffic,
        },
        probe.now,
    )?;
    runner.step(
        &MethodCommand::Switch {
            to: BillingMethod::PeakBandwidth,
        },
        probe.now,
    )?;
    match policy.settle(&runner.state, &probe.day) {
        Ok(c) => round_trip(&c)?,
        Err(e) => check_error(&e)?,
    }
    runner.check_replay()
}

fn check_settlement(
    policy: &TrafficPolicy,
    method: BillingMethod,
    day: &DayUsage,
) -> Result<(), TestCaseError> {
    match policy.settle_day(method, day) {
        Err(err) => check_error(&err),
        Ok(c) => {
            let sum = Money::checked_sum(c.exact.currency(), c.parts.iter().map(|p| p.amount))
                .map_err(fail)?;
            prop_assert_eq!(sum, c.exact);
            prop_assert_eq!(c.total, c.exact.round_to_minor(policy.locale().rounding));
            prop_assert!(!c.quantity.value().is_sign_negative() || c.quantity.value().is_zero());
            prop_assert!(!c.exact.is_negative());
            round_trip(&c)
        }
    }
}

fn exercise_add_ons(policy: &AddOnPolicy, probe: &Probe) -> Result<(), TestCaseError> {
    round_trip(policy)?;
    let mut uses = vec![
        AddOnUsage::Recording {
            peak_channels: probe.channels,
        },
        AddOnUsage::Snapshots { count: probe.count },
        AddOnUsage::Moderation { count: probe.count },
    ];
    for resolution in [
        Resolution::Sd,
        Resolution::Hd,
        Resolution::FullHd,
        Resolution::UltraHd,
    ] {
        uses.push(AddOnUsage::Transcoding {
            resolution,
            minutes: probe.minutes,
        });
        uses.push(AddOnUsage::Transcoding {
            resolution,
            minutes: Quantity::new(probe.minutes.value(), Unit::Minute),
        });
    }
    for usage in uses {
        match policy.charge(&usage) {
            Err(err) => check_error(&err)?,
            Ok(c) => {
                prop_assert_eq!(c.usage, usage);
                prop_assert!(!c.exact.is_negative());
                prop_assert_eq!(c.total, c.exact.round_to_minor(policy.locale().rounding));
                round_trip(&c)?;
            }
        }
    }
    Ok(())
}

/// The billing-method decider driven command by command.
struct MethodRun<'a> {
    policy: &'a TrafficPolicy,
    state: MethodState,
    log: Vec<MethodEvent>,
}

impl<'a> MethodRun<'a> {
    fn new(policy: &'a TrafficPolicy) -> MethodRun<'a> {
        MethodRun {
            policy,
            state: BillingMethods::initial(),
            log: Vec::new(),
        }
    }

    fn step(&mut self, command: &MethodCommand, now: DateTime<Utc>) -> Result<bool, TestCaseError> {
        let before = self.state.clone();
        match BillingMethods::decide(&self.state, command, now, self.policy) {
            Err(err) => {
                check_error(&err)?;
                prop_assert_eq!(&self.state, &before);
                Ok(false)
            }
            Ok(events) => {
                let state = events
                    .iter()
                    .fold(self.state.clone(), BillingMethods::evolve);
                let MethodState::Open { changes } = &state else {
                    return Err(fail("an accepted command leaves the account open"));
                };
                prop_assert!(
                    changes.windows(2).all(|w| w[0].from < w[1].from),
                    "changes ascend by day: {:?}",
                    changes
                );
                for event in &events {
                    match (command, event) {
                        (
                            MethodCommand::Open { method },
                            MethodEvent::Opened { method: m, from },
                        ) => {
                            prop_assert_eq!(method, m);
                            prop_assert_eq!(state.method_on(*from), Some(*method));
                        }
                        (
                            MethodCommand::Switch { to },
                            MethodEvent::SwitchScheduled {
                                to: t,
                                requested_at,
                                effective_from,
                            },
                        ) => {
                            prop_assert_eq!((to, *requested_at), (t, now));
                            prop_assert_eq!(state.method_on(*effective_from), Some(*to));
                            // Days up to the request keep their method
                            // (R-USE-09: every day is billed one way).
                            let mut days: Vec<NaiveDate> = match &before {
                                MethodState::Open { changes } => {
                                    changes.iter().map(|c| c.from).collect()
                                }
                                MethodState::NotOpened => Vec::new(),
                            };
                            days.push(*effective_from);
                            for d in days {
                                if let Some(prev) = d.pred_opt()
                                    && prev < *effective_from
                                {
                                    prop_assert_eq!(state.method_on(prev), before.method_on(prev));
                                }
                                if d < *effective_from {
                                    prop_assert_eq!(state.method_on(d), before.method_on(d));
                                }
                            }
                        }
                        (c, e) => return Err(fail(format!("{c:?} gave {e:?}"))),
                    }
                }
                self.state = state;
                self.log.extend(events.iter().copied());
                Ok(true)
            }
        }
    }

    fn check_replay(&self) -> Result<(), TestCaseError> {
        prop_assert_eq!(&BillingMethods::replay(self.log.iter()), &self.state);
        round_trip(&self.state)?;
        for event in &self.log {
            round_trip(event)?;
        }
        Ok(())
    }
}

// ===========================================================================
// 1. Arbitrary JSON into every usage spec, policy, command, event and state
// ===========================================================================

fn verification_json() -> Value {
    json_of(&presets::verification_usage_spec())
}

fn traffic_json() -> Value {
    json_of(&presets::live_traffic_spec())
}

fn add_ons_json() -> Value {
    json_of(&presets::live_add_ons_spec())
}

/// The JSON of a short real wallet history: its commands, events and the
/// final state, to mutate.
fn wallet_samples() -> (Vec<Value>, Vec<Value>, Value) {
    let policy = verification();
    let now = utc(2024, 3, 1, 2);
    let commands = [
        WalletCommand::Purchase {
            order: PackageOrder::listed(10_000, 365),
        },
        WalletCommand::Purchase {
            order: PackageOrder::custom(250, 90),
        },
        WalletCommand::Consume {
            component: Component::QuickVerification,
            calls: CallCounts {
                succeeded: 12_000,
                failed: 3,
            },
            at: now,
        },
        WalletCommand::SetProfile {
            profile: AccountProfile::new(Organisation::Government, Category::Other),
        },
        WalletCommand::Consume {
            component: Component::RealTimeVerification,
            calls: CallCounts::succeeded(5),
            at: now,
        },
        WalletCommand::SwitchFeature {
            switch: FeatureSwitch::Off,
        },
        WalletCommand::Advance,
    ];
    let mut state = PackageWallet::initial();
    let mut events = Vec::new();
    for (i, c) in commands.iter().enumerate() {
        let at = now + Duration::days(if i == 6 { 400 } else { 0 });
        let (next, e) = PackageWallet::run(&state, c, at, &policy).unwrap();
        state = next;
        events.extend(e);
    }
    (
        commands.iter().map(json_of).collect(),
        events.iter().map(json_of).collect(),
        json_of(&state),
    )
}

fn method_samples() -> (Vec<Value>, Vec<Value>, Value) {
    let policy = live_traffic();
    let now = utc(2025, 7, 1, 4);
    let commands = [
        MethodCommand::Open {
            method: BillingMethod::Traffic,
        },
        MethodCommand::Switch {
            to: BillingMethod::PeakBandwidth,
        },
    ];
    let mut state = BillingMethods::initial();
    let mut events = Vec::new();
    for c in &commands {
        let (next, e) = BillingMethods::run(&state, c, now, &policy).unwrap();
        state = next;
        events.extend(e);
    }
    (
        commands.iter().map(json_of).collect(),
        events.iter().map(json_of).collect(),
        json_of(&state),
    )
}

/// Deserializes `json` as a `T`: `Ok` or `Err`, and an `Ok` survives JSON.
fn parse<T>(json: &Value) -> Result<Option<T>, TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    match serde_json::from_value::<T>(json.clone()) {
        Ok(value) => {
            round_trip(&value)?;
            Ok(Some(value))
        }
        Err(err) => {
            prop_assert!(!err.to_string().is_empty());
            Ok(None)
        }
    }
}

/// Feeds `json` to every usage type; each parsed policy, command, event or
/// state is then used.
fn feed_everything(json: &Value, probe: &Probe) -> Result<(), TestCaseError> {
    if let Some(spec) = parse::<UsagePolicySpec>(json)? {
        match UsagePolicy::try_from(spec.clone()) {
            Ok(policy) => {
                prop_assert_eq!(policy.to_spec(), spec.clone());
                exercise_usage(&policy, probe)?;
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
    if let Some(policy) = parse::<UsagePolicy>(json)? {
        exercise_usage(&policy, probe)?;
    }
    if let Some(spec) = parse::<CatalogueSpec>(json)? {
        for currency in [Currency::CNY, Currency::JPY] {
            if let Ok(catalogue) = Catalogue::try_from(spec.clone().in_currency(currency)) {
                round_trip(&catalogue)?;
                for p in catalogue.packages().iter().take(4) {
                    let q = catalogue
                        .quote(&PackageOrder::listed(p.calls, p.validity.0))
                        .map_err(fail)?;
                    prop_assert_eq!(q.price, p.price);
                }
                if let Err(e) = catalogue.quote(&PackageOrder::custom(probe.calls, probe.horizon)) {
                    check_error(&e)?;
                }
            }
        }
    }
    parse::<Catalogue>(json)?;
    parse::<PriceList>(json)?;
    parse::<Exemptions>(json)?;
    parse::<ExemptionsSpec>(json)?;
    parse::<Tariff>(json)?;
    if let Some(spec) = parse::<TrafficPolicySpec>(json)?
        && let Ok(policy) = TrafficPolicy::try_from(spec)
    {
        exercise_traffic(&policy, probe)?;
    }
    if let Some(policy) = parse::<TrafficPolicy>(json)? {
        exercise_traffic(&policy, probe)?;
    }
    if let Some(spec) = parse::<AddOnPolicySpec>(json)?
        && let Ok(policy) = AddOnPolicy::try_from(spec)
    {
        exercise_add_ons(&policy, probe)?;
    }
    if let Some(policy) = parse::<AddOnPolicy>(json)? {
        exercise_add_ons(&policy, probe)?;
    }
    if let Some(forecast) = parse::<Forecast>(json)? {
        check_plan(&verification(), &forecast)?;
    }
    if let Some(order) = parse::<PackageOrder>(json)?
        && let Err(e) = verification().catalogue().quote(&order)
    {
        check_error(&e)?;
    }
    if let Some(day) = parse::<DayUsage>(json)? {
        for method in [BillingMethod::Traffic, BillingMethod::PeakBandwidth] {
            check_settlement(&live_traffic(), method, &day)?;
        }
    }
    if let Some(usage) = parse::<AddOnUsage>(json)?
        && let Err(e) = live_add_ons().charge(&usage)
    {
        check_error(&e)?;
    }
    feed_wallet(json, probe)?;
    feed_methods(json, probe)
}

/// Wallet commands, events and states from JSON: a parsed command is
/// decided on an empty and a used wallet, a parsed event is applied, and a
/// parsed state (which may hold anything a store could) is driven.
fn feed_wallet(json: &Value, probe: &Probe) -> Result<(), TestCaseError> {
    let policy = verification();
    if let Some(command) = parse::<WalletCommand>(json)? {
        let mut run = WalletRun::new(&policy);
        run.step(&command, probe.now)?;
        run.step(
            &WalletCommand::Purchase {
                order: PackageOrder::listed(1_000, 365),
            },
            probe.now,
        )?;
        run.step(&command, probe.now)?;
        run.check_replay()?;
    }
    if let Some(event) = parse::<WalletEvent>(json)? {
        // evolve is total: a hand-made event never panics.
        let state = PackageWallet::evolve(PackageWallet::initial(), &event);
        let state = PackageWallet::evolve(state, &event);
        drive_foreign_wallet(&state, &policy, probe)?;
    }
    if let Some(state) = parse::<WalletState>(json)? {
        drive_foreign_wallet(&state, &policy, probe)?;
    }
    parse::<HeldPackage>(json)?;
    parse::<Consumption>(json)?;
    parse::<Purchase>(json)?;
    parse::<Expiry>(json)?;
    parse::<Waiver>(json)?;
    parse::<Draw>(json)?;
    Ok(())
}

/// A wallet state that did not come from this decider: every command still
/// answers `Ok` or `Err`, and an `Err` changes nothing.
fn drive_foreign_wallet(
    state: &WalletState,
    policy: &UsagePolicy,
    probe: &Probe,
) -> Result<(), TestCaseError> {
    let commands = [
        WalletCommand::Consume {
            component: probe.component,
            calls: CallCounts {
                succeeded: probe.succeeded,
                failed: probe.failed,
            },
            at: probe.now,
        },
        WalletCommand::Purchase {
            order: PackageOrder::custom(probe.calls, 90),
        },
        WalletCommand::Advance,
    ];
    let mut state = state.clone();
    for command in &commands {
        let before = state.clone();
        match PackageWallet::run(&state, command, probe.now, policy) {
            Ok((next, events)) => {
                for e in &events {
                    if let WalletEvent::Consumed(c) = e {
                        let drawn: u128 = c.draws.iter().map(|d| u128::from(d.calls)).sum();
                        prop_assert_eq!(
                            u128::from(c.waived)
                                + u128::from(c.from_trial)
                                + drawn
                                + u128::from(c.overage)
                                + u128::from(c.refused),
                            u128::from(c.requested)
                        );
                    }
                }
                state = next;
            }
            Err(e) => {
                check_error(&e)?;
                prop_assert_eq!(&state, &before);
            }
        }
        let _ = state.package_calls_at(probe.now);
        let _ = state.trial_remaining(policy);
    }
    Ok(())
}

fn feed_methods(json: &Value, probe: &Probe) -> Result<(), TestCaseError> {
    let policy = live_traffic();
    if let Some(command) = parse::<MethodCommand>(json)? {
        let mut run = MethodRun::new(&policy);
        run.step(&command, probe.now)?;
        run.step(
            &MethodCommand::Open {
                method: BillingMethod::Traffic,
            },
            probe.now,
        )?;
        run.step(&command, probe.now)?;
        run.check_replay()?;
    }
    let mut foreign = Vec::new();
    if let Some(event) = parse::<MethodEvent>(json)? {
        foreign.push(BillingMethods::evolve(BillingMethods::initial(), &event));
        let open = BillingMethods::evolve(
            BillingMethods::initial(),
            &MethodEvent::Opened {
                method: BillingMethod::Traffic,
                from: probe.day.date,
            },
        );
        foreign.push(BillingMethods::evolve(open, &event));
    }
    if let Some(state) = parse::<MethodState>(json)? {
        foreign.push(state);
    }
    for state in foreign {
        let _ = state.method_on(probe.day.date);
        for command in [
            MethodCommand::Switch {
                to: BillingMethod::PeakBandwidth,
            },
            MethodCommand::Open {
                method: BillingMethod::Traffic,
            },
        ] {
            if let Err(e) = BillingMethods::decide(&state, &command, probe.now, &policy) {
                check_error(&e)?;
            }
        }
        if let Err(e) = policy.settle(&state, &probe.day) {
            check_error(&e)?;
        }
    }
    parse::<MethodChange>(json)?;
    Ok(())
}

proptest! {
    /// Random JSON trees into every usage type: never a panic.
    #[test]
    fn r_use_any_json_tree_is_ok_or_an_error(json in arb_json(), probe in probe()) {
        feed_everything(&json, &probe)?;
    }

    /// Random JSON wrapped as the field of a spec, so the tree lands where
    /// a real field is expected.
    #[test]
    fn r_use_any_json_in_any_preset_field_is_ok_or_an_error(
        json in arb_json(),
        pick in any::<Index>(),
        probe in probe(),
    ) {
        let bases = [verification_json(), traffic_json(), add_ons_json()];
        let base = &bases[pick.index(bases.len())];
        let edited = mutate(base, &[(pick, Edit::Replace(json))]);
        feed_everything(&edited, &probe)?;
    }

    /// R-USE-01..08: the verification preset with one leaf replaced.
    #[test]
    fn r_use_05_usage_preset_with_one_leaf_replaced_is_ok_or_an_error(
        json in one_leaf(verification_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-01..08: the verification preset with up to four mutations.
    #[test]
    fn r_use_05_near_valid_usage_policy_is_ok_or_an_error(
        json in near(verification_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-05: the preset catalogue alone, mutated.
    #[test]
    fn r_use_05_near_valid_catalogue_is_ok_or_an_error(
        json in near(json_of(&presets::verification_usage_spec().catalogue)),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-09: the traffic preset with one leaf replaced.
    #[test]
    fn r_use_09_traffic_preset_with_one_leaf_replaced_is_ok_or_an_error(
        json in one_leaf(traffic_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-09: the traffic preset with up to four mutations.
    #[test]
    fn r_use_09_near_valid_traffic_policy_is_ok_or_an_error(
        json in near(traffic_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-10: the add-on preset with one leaf replaced.
    #[test]
    fn r_use_10_add_on_preset_with_one_leaf_replaced_is_ok_or_an_error(
        json in one_leaf(add_ons_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-10: the add-on preset with up to four mutations.
    #[test]
    fn r_use_10_near_valid_add_on_policy_is_ok_or_an_error(
        json in near(add_ons_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-08: forecasts from near-valid JSON.
    #[test]
    fn r_use_08_near_valid_forecast_is_ok_or_an_error(
        json in near(json_of(&Forecast::new(Component::QuickVerification, 1_200_000, Days(365)))),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-01..07: wallet commands, events and states from near-valid JSON.
    #[test]
    fn r_use_07_near_valid_wallet_commands_events_and_states_are_ok_or_errors(
        pick in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), arb_edit()), 1..=3),
        probe in probe(),
    ) {
        let (commands, events, state) = wallet_samples();
        let mut all = commands;
        all.extend(events);
        all.push(state);
        let base = &all[pick.index(all.len())];
        feed_everything(&mutate(base, &edits), &probe)?;
    }

    /// R-USE-09: method commands, events and states from near-valid JSON.
    #[test]
    fn r_use_09_near_valid_method_commands_events_and_states_are_ok_or_errors(
        pick in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), arb_edit()), 1..=3),
        probe in probe(),
    ) {
        let (commands, events, state) = method_samples();
        let mut all = commands;
        all.extend(events);
        all.push(state);
        let base = &all[pick.index(all.len())];
        feed_everything(&mutate(base, &edits), &probe)?;
    }
}

// ===========================================================================
// 2. Arbitrary command sequences at arbitrary instants
// ===========================================================================

fn zone() -> impl Strategy<Value = Zone> {
    prop_oneof![
        3 => Just(Zone::BEIJING),
        1 => Just(Zone::UTC),
        // Whole minutes: what a zone's JSON ("+HH:MM") can hold.
        2 => (-1439i32..=1439).prop_map(|m| Zone::new(FixedOffset::east_opt(m * 60).unwrap())),
    ]
}

fn price() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        6 => (0i64..=100_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => Just(Decimal::ZERO),
        1 => Just(Decimal::MAX),
        1 => Just(Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, false, 28)),
        1 => (any::<u32>(), any::<u32>(), any::<u32>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, s)| Decimal::from_parts(lo, mid, hi, false, s)),
    ]
}

fn package_calls() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 1u64..=20_000,
        2 => prop::sample::select(vec![1_000u64, 5_000, 10_000, 1_000_000]),
        1 => Just(u64::MAX),
        1 => any::<u64>().prop_map(|n| n.max(1)),
    ]
}

fn catalogue_spec() -> impl Strategy<Value = CatalogueSpec> {
    let preset = presets::verification_usage_spec().catalogue;
    let validity = prop_oneof![
        Just(1u32),
        Just(30),
        Just(90),
        Just(180),
        Just(365),
        Just(u32::MAX),
        1u32..4000,
    ];
    prop_oneof![
        2 => Just(preset),
        3 => (
            prop::collection::btree_set(validity, 1..4),
            prop::collection::vec(
                (package_calls(), price(), prop::option::of(price()), any::<Index>()),
                0..6,
            ),
            prop::option::of(price()),
        )
            .prop_map(|(validities, packages, custom)| {
                let validities: Vec<u32> = validities.into_iter().collect();
                CatalogueSpec {
                    packages: packages
                        .into_iter()
                        .map(|(calls, price, list, v)| PackageSpec {
                            calls,
                            price,
                            list_price: list.filter(|l| *l >= price),
                            validity_days: validities[v.index(validities.len())],
                        })
                        .collect(),
                    validities,
                    custom: custom.map(|unit_price| CustomPackagesSpec { unit_price }),
                }
            }),
    ]
}

/// Valid usage policies around the preset: any billing start, prices,
/// trial quota, exhaustion rule, catalogue and zone.
fn usage_policy() -> impl Strategy<Value = UsagePolicy> {
    (
        prop_oneof![3 => Just(UsagePolicy::BILLING_START), 2 => instant()],
        (
            prop::option::weighted(0.9, price()),
            prop::option::weighted(0.9, price()),
        ),
        prop_oneof![Just(0u64), Just(1000), 0u64..5000, Just(u64::MAX)],
        prop::sample::select(vec![WhenExhausted::PerCall, WhenExhausted::Refuse]),
        catalogue_spec(),
        zone(),
        any::<bool>(),
    )
        .prop_filter_map(
            "a policy that builds",
            |(start, (quick, real_time), trial, exhausted, catalogue, zone, exempt)| {
                let mut spec = presets::verification_usage_spec();
                spec.billing_start = start;
                spec.prices = [
                    (Component::QuickVerification, quick),
                    (Component::RealTimeVerification, real_time),
                ]
                .into_iter()
                .filter_map(|(component, price)| {
                    price.map(|price| ComponentPriceSpec { component, price })
                })
                .collect();
                spec.trial_quota = trial;
                spec.when_exhausted = exhausted;
                spec.catalogue = catalogue;
                spec.locale.time_zone = zone;
                if !exempt {
                    spec.exemptions = ExemptionsSpec::default();
                }
                UsagePolicy::try_from(spec).ok()
            },
        )
}

/// When the next command comes, relative to the last one.
#[derive(Debug, Clone)]
enum When {
    Later(i64),
    Earlier(i64),
    At(DateTime<Utc>),
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        10 => (0i64..=3 * 86_400).prop_map(When::Later),
        3 => (0i64..=400 * 86_400).prop_map(When::Later),
        1 => (0i64..=30 * 86_400).prop_map(When::Earlier),
        1 => instant().prop_map(When::At),
    ]
}

fn advance(now: DateTime<Utc>, when: &When) -> DateTime<Utc> {
    match when {
        When::Later(s) => now
            .checked_add_signed(Duration::seconds(*s))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
        When::Earlier(s) => now
            .checked_sub_signed(Duration::seconds(*s))
            .unwrap_or(DateTime::<Utc>::MIN_UTC),
        When::At(t) => *t,
    }
}

/// A wallet command before it is resolved against the policy's catalogue.
#[derive(Debug, Clone)]
enum Op {
    Buy {
        custom: bool,
        pick: Index,
        calls: u64,
        validity: Option<u32>,
        validity_pick: Index,
    },
    Use {
        component: Component,
        succeeded: u64,
        failed: u64,
        at: When,
    },
    Advance,
    Switch(FeatureSwitch),
    Profile(AccountProfile),
}

fn organisation() -> impl Strategy<Value = Organisation> {
    prop::sample::select(vec![
        Organisation::Enterprise,
        Organisation::Individual,
        Organisation::Government,
        Organisation::NonProfit,
        Organisation::PublicInstitution,
        Organisation::Other,
    ])
}

fn category() -> impl Strategy<Value = Category> {
    prop::sample::select(vec![
        Category::GovernmentServices,
        Category::PublicLivelihood,
        Category::Other,
    ])
}

fn profile() -> impl Strategy<Value = AccountProfile> {
    (organisation(), category()).prop_map(|(o, c)| AccountProfile::new(o, c))
}

fn op() -> impl Strategy<Value = Op> {
    let at = prop_oneof![
        6 => Just(When::Later(0)),
        3 => (0i64..=400 * 86_400).prop_map(When::Earlier),
        1 => (1i64..=86_400).prop_map(When::Later),
        1 => instant().prop_map(When::At),
    ];
    prop_oneof![
        4 => (
            any::<bool>(),
            any::<Index>(),
            calls(),
            prop::option::weighted(0.2, prop_oneof![Just(90u32), any::<u32>()]),
            any::<Index>(),
        )
            .prop_map(|(custom, pick, calls, validity, validity_pick)| Op::Buy {
                custom,
                pick,
                calls,
                validity,
                validity_pick,
            }),
        8 => (component(), calls(), calls(), at).prop_map(|(component, succeeded, failed, at)| Op::Use {
            component,
            succeeded,
            failed,
            at,
        }),
        2 => Just(Op::Advance),
        1 => prop::sample::select(vec![FeatureSwitch::On, FeatureSwitch::On, FeatureSwitch::Off])
            .prop_map(Op::Switch),
        1 => profile().prop_map(Op::Profile),
    ]
}

fn resolve(op: &Op, policy: &UsagePolicy, now: DateTime<Utc>) -> WalletCommand {
    match op {
        Op::Buy {
            custom,
            pick,
            calls,
            validity,
            validity_pick,
        } => {
            let catalogue = policy.catalogue();
            let validity = validity.unwrap_or_else(|| {
                let all = catalogue.validities();
                all[validity_pick.index(all.len())].0
            });
            let listed = catalogue.packages();
            let order = if *custom {
                PackageOrder::custom(*calls, validity)
            } else if listed.is_empty() {
                PackageOrder::listed(*calls, validity)
            } else {
                let p = &listed[pick.index(listed.len())];
                PackageOrder::listed(p.calls, p.validity.0)
            };
            WalletCommand::Purchase { order }
        }
        Op::Use {
            component,
            succeeded,
            failed,
            at,
        } => WalletCommand::Consume {
            component: *component,
            calls: CallCounts {
                succeeded: *succeeded,
                failed: *failed,
            },
            at: advance(now, at),
        },
        Op::Advance => WalletCommand::Advance,
        Op::Switch(switch) => WalletCommand::SwitchFeature { switch: *switch },
        Op::Profile(profile) => WalletCommand::SetProfile { profile: *profile },
    }
}

fn start() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        3 => (1_672_531_200i64..1_767_225_600).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()),
        2 => instant(),
    ]
}

fn method_op() -> impl Strategy<Value = MethodCommand> {
    prop_oneof![
        1 => method().prop_map(|method| MethodCommand::Open { method }),
        3 => method().prop_map(|to| MethodCommand::Switch { to }),
    ]
}

fn traffic_policy() -> impl Strategy<Value = TrafficPolicy> {
    (
        zone(),
        prop_oneof![4 => Just(1u32), 3 => 1u32..40, 1 => Just(u32::MAX), 1 => any::<u32>()],
    )
        .prop_filter_map("a policy that builds", |(zone, delay)| {
            let mut spec = presets::live_traffic_spec();
            spec.locale.time_zone = zone;
            spec.switch_delay_days = delay;
            TrafficPolicy::try_from(spec).ok()
        })
}

proptest! {
    /// R-USE-01..07: any sequence of wallet commands at any instants: no
    /// panic, a refusal changes nothing, every call of a Consume is
    /// accounted for, no package balance goes negative or is lost, and the
    /// accepted events replay to the same state.
    #[test]
    fn r_use_07_any_wallet_command_sequence_keeps_the_books(
        policy in usage_policy(),
        start in start(),
        ops in prop::collection::vec((when(), op()), 1..40),
    ) {
        let mut run = WalletRun::new(&policy);
        let mut now = start;
        for (when, op) in &ops {
            now = advance(now, when);
            let command = resolve(op, &policy, now);
            run.step(&command, now)?;
        }
        run.check_replay()?;
    }

    /// R-USE-09: any sequence of method commands at any instants: no panic,
    /// a refusal changes nothing, days up to a request keep their method,
    /// replay gives the same state, and any day settles or is refused.
    #[test]
    fn r_use_09_any_method_command_sequence_is_replayable(
        policy in traffic_policy(),
        start in start(),
        ops in prop::collection::vec((when(), method_op()), 1..20),
        day in day_usage(),
    ) {
        let mut run = MethodRun::new(&policy);
        let mut now = start;
        for (when, command) in &ops {
            now = advance(now, when);
            run.step(command, now)?;
            let today = DayUsage { date: now.date_naive(), ..day };
            for usage in [today, day] {
                match policy.settle(&run.state, &usage) {
                    Ok(c) => prop_assert_eq!(Some(c.method), run.state.method_on(usage.date)),
                    Err(e) => check_error(&e)?,
                }
            }
        }
        run.check_replay()?;
    }
}

// ===========================================================================
// 3. Extremes are error values, not wraps or panics
// ===========================================================================

fn usage_with(change: impl FnOnce(&mut UsagePolicySpec)) -> UsagePolicy {
    let mut spec = presets::verification_usage_spec();
    change(&mut spec);
    UsagePolicy::try_from(spec).unwrap()
}

fn is_arithmetic(result: &Result<impl Debug, Error>) -> bool {
    matches!(result, Err(Error::Arithmetic { .. }))
}

fn refused_by<T: Debug>(result: &Result<T, Error>, rule: RuleId) -> bool {
    match result {
        Err(e) => e.refusal().is_some_and(|r| r.rule() == rule),
        Ok(_) => false,
    }
}

fn listed(calls: u64, price: Decimal, validity_days: u32) -> PackageSpec {
    PackageSpec {
        calls,
        price,
        list_price: None,
        validity_days,
    }
}

fn consume(component: Component, succeeded: u64, at: DateTime<Utc>) -> WalletCommand {
    WalletCommand::Consume {
        component,
        calls: CallCounts::succeeded(succeeded),
        at,
    }
}

const QUICK: Component = Component::QuickVerification;

/// R-USE-05: a package priced at `Decimal::MAX` is sold at that price; a
/// plan that would need two of them is an overflow error.
#[test]
fn extremes_package_price_at_decimal_max() {
    let policy = usage_with(|s| {
        s.catalogue.packages = vec![PackageSpec {
            list_price: Some(Decimal::MAX),
            ..listed(1, Decimal::MAX, 365)
        }];
        s.catalogue.custom = None;
        s.when_exhausted = WhenExhausted::Refuse;
        s.prices[0].price = Decimal::ONE;
    });
    let quote = policy
        .catalogue()
        .quote(&PackageOrder::listed(1, 365))
        .unwrap();
    assert_eq!(quote.price.amount(), Decimal::MAX);
    let now = utc(2024, 3, 1, 0);
    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(1, 365),
    };
    let (state, _) = PackageWallet::run(&PackageWallet::initial(), &buy, now, &policy).unwrap();
    assert_eq!(state.packages()[0].price().amount(), Decimal::MAX);
    let one = policy.plan(&Forecast::new(QUICK, 1, Days(365))).unwrap();
    assert_eq!(one.total.amount(), Decimal::MAX);
    // Paying 1 per call would cost 1: the saving is 1 - MAX.
    assert_eq!(one.saving.amount(), Decimal::ONE - Decimal::MAX);
    assert!(is_arithmetic(&policy.plan(&Forecast::new(
        QUICK,
        2,
        Days(365)
    ))));
}

/// R-USE-01: a per-call price at `Decimal::MAX` bills one call at that
/// price; two calls overflow and are refused as an error, changing nothing.
/// The planner still plans: every package beats that price.
#[test]
fn extremes_per_call_price_at_decimal_max() {
    let policy = usage_with(|s| {
        s.prices[0].price = Decimal::MAX;
        s.trial_quota = 0;
        s.catalogue.custom = None;
    });
    let now = utc(2024, 3, 1, 0);
    let state = PackageWallet::initial();
    let (state, events) =
        PackageWallet::run(&state, &consume(QUICK, 1, now), now, &policy).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!((c.overage, c.charge.amount()), (1, Decimal::MAX));
    let two = PackageWallet::decide(&state, &consume(QUICK, 2, now), now, &policy);
    assert!(is_arithmetic(&two));
    let best = policy.plan(&Forecast::new(QUICK, 1, Days(365))).unwrap();
    assert_eq!(best.total.to_string(), "CNY 30.00");
}

/// R-USE-09: tier prices and bounds near `Decimal::MAX`.
#[test]
fn extremes_tier_prices_and_bounds_near_decimal_max() {
    let mut spec = presets::live_traffic_spec();
    let tiers = &mut spec.regions[0].traffic.tiers.tiers;
    tiers.truncate(1);
    tiers[0].to = Some(Decimal::MAX);
    tiers[0].unit_price = Some(Decimal::new(1, 2));
    tiers.push(billing_rules::pricing::TierSpec {
        from: Decimal::MAX,
        to: None,
        flat: None,
        unit_price: Some(Decimal::MAX),
    });
    let policy = TrafficPolicy::try_from(spec).unwrap();
    let day = |value: Decimal, unit: Unit| DayUsage {
        date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        region: Region::Mainland,
        traffic: Quantity::new(value, unit),
        peak_bandwidth: Quantity::new(Decimal::ZERO, Unit::Megabit),
    };
    // All of Decimal::MAX GB in the first tier, at 0.01.
    let all = policy
        .settle_day(BillingMethod::Traffic, &day(Decimal::MAX, Unit::Gigabyte))
        .unwrap();
    assert_eq!(all.exact.amount(), Decimal::MAX * Decimal::new(1, 2));
    assert_eq!(all.parts.len(), 1);
    // Decimal::MAX TB does not fit in GB: an error, not a wrap.
    let tb = policy.settle_day(BillingMethod::Traffic, &day(Decimal::MAX, Unit::Terabyte));
    assert!(is_arithmetic(&tb));
    // The preset's 0.12 a GB on Decimal::MAX / 1000 TB overflows.
    let preset = live_traffic();
    let huge = day(Decimal::MAX / Decimal::from(1000), Unit::Terabyte);
    assert!(is_arithmetic(
        &preset.settle_day(BillingMethod::Traffic, &huge)
    ));
    // A negative day is refused naming R-USE-09.
    let negative = day(Decimal::MIN, Unit::Terabyte);
    assert!(refused_by(
        &preset.settle_day(BillingMethod::Traffic, &negative),
        RuleId::Use09
    ));
}

/// R-USE-08: forecasts of 10^18 and u64::MAX calls plan exactly, or fail
/// as an overflow when the cover cannot be counted in a u64.
#[test]
fn extremes_forecasts_of_10_pow_18_and_u64_max_calls() {
    let policy = verification();
    let big = policy
        .plan(&Forecast::new(QUICK, 1_000_000_000_000_000_000, Days(365)))
        .unwrap();
    // 10^11 packages of 10,000,000 at 270,000.
    assert_eq!(big.total.to_string(), "CNY 27000000000000000.00");
    assert_eq!(big.covered, 1_000_000_000_000_000_000);
    // u64::MAX: 1,844,674,407,370 packages of 10M, one of 5M, four of 1M
    // and 551,615 calls at 0.03 (per call, or in a custom package).
    let max = policy
        .plan(&Forecast::new(QUICK, u64::MAX, Days(365)))
        .unwrap();
    assert_eq!(max.covered, u64::MAX);
    assert_eq!(max.total.to_string(), "CNY 498062089990168548.45");
    assert_eq!(max.pay_per_call.to_string(), "CNY 553402322211286548.45");
    let refuse = usage_with(|s| s.when_exhausted = WhenExhausted::Refuse);
    let custom = refuse
        .plan(&Forecast::new(QUICK, u64::MAX, Days(365)))
        .unwrap();
    assert_eq!(custom.total, max.total);
    // With packages only, covering u64::MAX calls needs more than u64::MAX
    // calls: an overflow error, not a wrapped count.
    let packages_only = usage_with(|s| {
        s.when_exhausted = WhenExhausted::Refuse;
        s.catalogue.custom = None;
    });
    let max = packages_only.plan(&Forecast::new(QUICK, u64::MAX, Days(365)));
    assert!(is_arithmetic(&max), "{max:?}");
    let horizon = policy.plan(&Forecast::new(QUICK, u64::MAX, Days(u32::MAX)));
    assert!(refused_by(&horizon, RuleId::Use08));
}

/// R-USE-07: a Consume of u64::MAX successful and u64::MAX failed calls
/// accounts for every call.
#[test]
fn extremes_consume_of_u64_max_calls() {
    let policy = verification();
    let now = utc(2024, 3, 1, 0);
    let mut run_state = PackageWallet::initial();
    for size in [10_000_000, 5_000_000] {
        let buy = WalletCommand::Purchase {
            order: PackageOrder::listed(size, 365),
        };
        run_state = PackageWallet::run(&run_state, &buy, now, &policy)
            .unwrap()
            .0;
    }
    let all = WalletCommand::Consume {
        component: QUICK,
        calls: CallCounts {
            succeeded: u64::MAX,
            failed: u64::MAX,
        },
        at: now,
    };
    let (state, events) = PackageWallet::run(&run_state, &all, now, &policy).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!((c.from_trial, c.from_packages()), (1000, 15_000_000));
    assert_eq!(c.overage, u64::MAX - 15_001_000);
    assert_eq!(
        c.charge.amount(),
        Decimal::from(u64::MAX - 15_001_000) * Decimal::new(3, 2)
    );
    assert!(state.packages().iter().all(|p| p.remaining() == 0));
    let refuse = usage_with(|s| s.when_exhausted = WhenExhausted::Refuse);
    let (_, events) = PackageWallet::run(&run_state, &all, now, &refuse).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!(c.refused, u64::MAX - 15_001_000);
    // A custom package of u64::MAX calls costs 0.03 x u64::MAX.
    let buy = WalletCommand::Purchase {
        order: PackageOrder::custom(u64::MAX, 90),
    };
    let (state, _) = PackageWallet::run(&PackageWallet::initial(), &buy, now, &policy).unwrap();
    assert_eq!(
        state.packages()[0].price().to_string(),
        "CNY 553402322211286548.45"
    );
}

/// R-USE-05, R-USE-08: a policy whose catalogue lists 10^6 packages
/// builds, sells its last package and a custom one, and plans with per-call
/// billing off.
#[test]
fn extremes_million_packages_in_a_catalogue() {
    // The smallest size has the best rate (29.01 k - 0.01 for k x 1000
    // calls): a one-entry table.
    let policy = usage_with(|s| {
        s.when_exhausted = WhenExhausted::Refuse;
        s.catalogue.custom = Some(CustomPackagesSpec {
            unit_price: Decimal::new(3, 2),
        });
        s.catalogue.packages = (1..=1_000_000u64)
            .map(|k| listed(1000 * k, Decimal::new(2901 * k as i64 - 1, 2), 365))
            .collect();
    });
    assert_eq!(policy.catalogue().packages().len(), 1_000_000);
    let now = utc(2024, 3, 1, 0);
    let mut run = WalletRun::new(&policy);
    for order in [
        PackageOrder::listed(1_000_000_000, 365),
        PackageOrder::custom(1, 365),
    ] {
        assert!(run.step(&WalletCommand::Purchase { order }, now).unwrap());
    }
    assert_eq!(
        run.state.packages()[0].price().to_string(),
        "CNY 29009999.99"
    );
    let best = policy
        .plan(&Forecast::new(QUICK, 123_456_789, Days(365)))
        .unwrap();
    // Custom packages at 0.03 cover the 789 calls left over. (Every size at
    // one rate is refused naming R-USE-08: see
    // r_use_08_a_million_package_sizes_plan_or_are_refused_quickly.)
    assert_eq!(best.total.to_string(), "CNY 3580247.67");
    assert!(matches!(
        best.lines.last(),
        Some(PlanLine::Custom { calls: 789, .. })
    ));
}

/// R-USE-07: a wallet holding 10^6 packages draws a Consume across all of
/// them in R-USE-07 order, and expires them, without a quadratic scan.
#[test]
fn extremes_million_packages_in_a_wallet() {
    let policy = verification();
    let now = utc(2024, 3, 1, 0);
    let mut log = Vec::with_capacity(1_000_002);
    let mut state = PackageWallet::initial();
    for i in 0..1_000_000u32 {
        // Bought in reverse order of expiry, so the draw order is not the
        // purchase order.
        let effective_at = now - Duration::seconds(i64::from(i));
        let event = WalletEvent::Purchased(Purchase {
            package: PackageId(i),
            order: PackageOrder::listed(1000, 365),
            calls: 1000,
            validity: Days(365),
            price: Money::cny(Decimal::from(30)),
            paid_at: effective_at,
            effective_at,
            expires_at: effective_at + Duration::days(365),
        });
        state = PackageWallet::evolve(state, &event);
        log.push(event);
    }
    let all = consume(QUICK, u64::MAX, now);
    let events = PackageWallet::decide(&state, &all, now, &policy).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!(c.draws.len(), 1_000_000);
    assert_eq!(c.draws[0].package, PackageId(999_999));
    assert_eq!(c.draws[999_999].package, PackageId(0));
    assert_eq!(c.from_packages(), 1_000_000_000);
    assert_eq!(c.overage, u64::MAX - 1_000_000_000 - 1000);
    for e in &events {
        state = PackageWallet::evolve(state, e);
    }
    log.extend(events);
    let expiries = PackageWallet::decide(
        &state,
        &WalletCommand::Advance,
        now + Duration::days(400),
        &policy,
    )
    .unwrap();
    assert_eq!(expiries.len(), 1_000_000);
    for e in &expiries {
        state = PackageWallet::evolve(state, e);
    }
    log.extend(expiries);
    assert_eq!(PackageWallet::replay(log.iter()), state);
}

/// R-USE-06, R-USE-07, R-USE-09: instants at chrono's first and last
/// instants are answered, never a panic.
#[test]
fn extremes_instants_at_chronos_limits() {
    let first = DateTime::<Utc>::MIN_UTC;
    let last = DateTime::<Utc>::MAX_UTC;
    let policy = verification();
    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(1000, 365),
    };
    // Paid at the last instant, it would expire after it: out of range.
    let at_last = PackageWallet::decide(&PackageWallet::initial(), &buy, last, &policy);
    assert!(is_arithmetic(&at_last));
    // Paid at the first instant, it takes effect at the billing start.
    let (state, events) =
        PackageWallet::run(&PackageWallet::initial(), &buy, first, &policy).unwrap();
    let WalletEvent::Purchased(p) = &events[0] else {
        panic!("a purchase")
    };
    assert_eq!(p.effective_at, policy.billing_start());
    // Calls at the first instant are before billing starts: waived.
    let (_, events) =
        PackageWallet::run(&state, &consume(QUICK, 5, first), first, &policy).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!(c.waived, 5);
    // At the last instant the package has expired: trial, then per call.
    let (state, events) =
        PackageWallet::run(&state, &consume(QUICK, 1005, last), last, &policy).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!((c.from_trial, c.from_packages(), c.overage), (1000, 0, 5));
    let (state, events) =
        PackageWallet::run(&state, &WalletCommand::Advance, last, &policy).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        state.packages()[0].status(),
        PackageStatus::Expired { lost: 1000 }
    );
    // A billing start at the last instant: every earlier call is waived.
    let late = usage_with(|s| s.billing_start = last);
    let (_, events) = PackageWallet::run(
        &PackageWallet::initial(),
        &consume(QUICK, 7, first),
        first,
        &late,
    )
    .unwrap();
    assert!(matches!(&events[0], WalletEvent::Consumed(c) if c.waived == 7));
    assert!(is_arithmetic(&PackageWallet::decide(
        &PackageWallet::initial(),
        &buy,
        first,
        &late
    )));
    // A package valid u32::MAX days cannot expire within the calendar.
    let forever = usage_with(|s| s.catalogue.validities.push(u32::MAX));
    let custom = WalletCommand::Purchase {
        order: PackageOrder::custom(10, u32::MAX),
    };
    assert!(is_arithmetic(&PackageWallet::decide(
        &PackageWallet::initial(),
        &custom,
        first,
        &forever
    )));
    // Method switches: a delay of u32::MAX days does not fit the calendar.
    let mut spec = presets::live_traffic_spec();
    spec.switch_delay_days = u32::MAX;
    let slow = TrafficPolicy::try_from(spec).unwrap();
    let open = MethodCommand::Open {
        method: BillingMethod::Traffic,
    };
    let (state, _) = BillingMethods::run(&BillingMethods::initial(), &open, first, &slow).unwrap();
    let switch = MethodCommand::Switch {
        to: BillingMethod::PeakBandwidth,
    };
    assert!(is_arithmetic(&BillingMethods::decide(
        &state, &switch, first, &slow
    )));
    // Settling the calendar's last and first days.
    let traffic = live_traffic();
    for date in [NaiveDate::MIN, NaiveDate::MAX] {
        let day = DayUsage {
            date,
            region: Region::International,
            traffic: Quantity::new(Decimal::from(3), Unit::Terabyte),
            peak_bandwidth: Quantity::new(Decimal::ONE, Unit::Gigabit),
        };
        let charge = traffic.settle_day(BillingMethod::Traffic, &day).unwrap();
        assert_eq!(charge.date, date);
    }
}

/// R-USE-10: add-on prices and quantities near the limits.
#[test]
fn extremes_add_on_prices_and_quantities() {
    let mut spec = presets::live_add_ons_spec();
    spec.snapshots.per = Decimal::new(1, 28);
    spec.snapshots.price = Decimal::MAX;
    spec.moderation.price = Decimal::MAX;
    let policy = AddOnPolicy::try_from(spec).unwrap();
    let snaps = policy.charge(&AddOnUsage::Snapshots { count: u64::MAX });
    assert!(is_arithmetic(&snaps));
    let one = policy
        .charge(&AddOnUsage::Moderation { count: 1000 })
        .unwrap();
    assert_eq!(one.exact.amount(), Decimal::MAX);
    let two = policy.charge(&AddOnUsage::Moderation { count: 2000 });
    assert!(is_arithmetic(&two));
    let preset = live_add_ons();
    let minutes = AddOnUsage::Transcoding {
        resolution: Resolution::UltraHd,
        minutes: Quantity::new(Decimal::MAX, Unit::Minute),
    };
    assert!(is_arithmetic(&preset.charge(&minutes)));
    let negative = AddOnUsage::Transcoding {
        resolution: Resolution::Sd,
        minutes: Quantity::new(Decimal::MIN, Unit::Minute),
    };
    assert!(refused_by(&preset.charge(&negative), RuleId::Use10));
    let peak = preset
        .charge(&AddOnUsage::Recording {
            peak_channels: AddOnUsage::month_peak([u32::MAX, 0]),
        })
        .unwrap();
    assert_eq!(
        peak.exact.amount(),
        Decimal::from(u32::MAX) * Decimal::from(30)
    );
}

/// R-USE-01, R-USE-05, R-USE-08..10: empty price lists, catalogues,
/// regions, tiers and add-on lists are answered with the rule that needs
/// them, never a panic.
#[test]
fn extremes_empty_lists_are_answered_with_their_rule() {
    let now = utc(2024, 3, 1, 0);
    // No validity: the catalogue cannot build (R-USE-05).
    let mut spec = presets::verification_usage_spec();
    spec.catalogue.validities.clear();
    let err = UsagePolicy::try_from(spec).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("catalogue.validities", Some(RuleId::Use05))
    );
    // No package and no custom package: everything is paid per call, or
    // nothing can cover the forecast when per-call billing is off (R-USE-08).
    let empty = usage_with(|s| {
        s.catalogue.packages.clear();
        s.catalogue.custom = None;
    });
    let best = empty.plan(&Forecast::new(QUICK, 5000, Days(30))).unwrap();
    assert_eq!(best.total.to_string(), "CNY 150.00");
    let refuse = usage_with(|s| {
        s.catalogue.packages.clear();
        s.catalogue.custom = None;
        s.when_exhausted = WhenExhausted::Refuse;
    });
    let nothing = refuse.plan(&Forecast::new(QUICK, 5000, Days(30)));
    assert!(refused_by(&nothing, RuleId::Use08));
    assert!(
        refuse
            .plan(&Forecast::new(QUICK, 0, Days(30)))
            .unwrap()
            .lines
            .is_empty()
    );
    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(1000, 365),
    };
    let refused = PackageWallet::decide(&PackageWallet::initial(), &buy, now, &refuse);
    assert!(refused_by(&refused, RuleId::Use05));
    // No price: calls and plans are refused naming R-USE-01.
    let unpriced = usage_with(|s| s.prices.clear());
    let calls = PackageWallet::decide(
        &PackageWallet::initial(),
        &consume(QUICK, 1, now),
        now,
        &unpriced,
    );
    assert!(refused_by(&calls, RuleId::Use01));
    assert!(refused_by(
        &unpriced.plan(&Forecast::new(QUICK, 1, Days(30))),
        RuleId::Use01
    ));
    // No region: a day is refused naming R-USE-09; no tier: no policy.
    let mut spec = presets::live_traffic_spec();
    spec.regions.clear();
    let no_region = TrafficPolicy::try_from(spec).unwrap();
    let day = DayUsage {
        date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        region: Region::Mainland,
        traffic: Quantity::new(Decimal::ONE, Unit::Gigabyte),
        peak_bandwidth: Quantity::new(Decimal::ONE, Unit::Megabit),
    };
    assert!(refused_by(
        &no_region.settle_day(BillingMethod::Traffic, &day),
        RuleId::Use09
    ));
    let mut spec = presets::live_traffic_spec();
    spec.regions[1].bandwidth.tiers.tiers.clear();
    let err = TrafficPolicy::try_from(spec).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("regions[1].bandwidth.tiers", Some(RuleId::Use09))
    );
    // No transcoding price: transcoding is refused naming R-USE-10.
    let mut spec = presets::live_add_ons_spec();
    spec.transcoding.clear();
    let no_transcoding = AddOnPolicy::try_from(spec).unwrap();
    let hd = AddOnUsage::Transcoding {
        resolution: Resolution::Hd,
        minutes: Quantity::new(Decimal::ONE, Unit::Minute),
    };
    assert!(refused_by(&no_transcoding.charge(&hd), RuleId::Use10));
}

// ===========================================================================
// Regressions: each bug this suite found, named after its rule
// ===========================================================================

fn same_after_json<T>(value: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value, "{json}");
}

/// The validated parts of a policy (de)serialize through their specs and
/// are validated again on the way in (R-USE-01, R-USE-03, R-USE-05,
/// R-USE-09).
#[test]
fn serde_validated_parts_of_the_usage_presets_round_trip() {
    let usage = presets::verification_usage().unwrap();
    same_after_json::<PriceList>(usage.prices());
    same_after_json::<Exemptions>(usage.exemptions());
    same_after_json::<Catalogue>(usage.catalogue());
    let traffic = presets::live_traffic().unwrap();
    for region in [Region::Mainland, Region::International] {
        for method in [BillingMethod::Traffic, BillingMethod::PeakBandwidth] {
            same_after_json::<Tariff>(traffic.tariff(region, method).unwrap());
        }
    }
    // Validation on the way in: a bandwidth tariff whose last tier is bounded.
    let bounded = r#"{"currency":"CNY","unit":"Mbps","tiers":{"mode":"graduated","tiers":[{"from":"0","to":"10","unit_price":"1"}]}}"#;
    assert!(serde_json::from_str::<Tariff>(bounded).is_err());
    // A catalogue keeps its currency even with nothing priced in it.
    let empty = r#"{"currency":"JPY","validities":[30],"packages":[],"custom":null}"#;
    let catalogue: Catalogue = serde_json::from_str(empty).unwrap();
    assert_eq!(serde_json::to_string(&catalogue).unwrap(), empty);
}

/// R-USE-09: a method command at chrono's last instant, whose local day in
/// +08:00 does not exist, is refused naming R-USE-09 and the instant; it
/// used to panic inside `Zone::local_date`.
#[test]
fn r_use_09_a_method_command_where_the_local_day_does_not_exist_is_refused() {
    use billing_rules::Decider;
    use billing_rules::time::Zone;
    use billing_rules::usage::{BillingMethods, MethodCommand, TrafficPolicy};
    use billing_rules::{FigureValue, RuleId};
    use chrono::{DateTime, FixedOffset, Utc};

    let open = MethodCommand::Open {
        method: BillingMethod::Traffic,
    };
    let beijing = presets::live_traffic().unwrap();
    let last = DateTime::<Utc>::MAX_UTC;
    let err =
        BillingMethods::decide(&BillingMethods::initial(), &open, last, &beijing).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use09);
    assert_eq!(refusal.figure("now"), Some(&FigureValue::Instant(last)));
    assert_eq!(
        refusal
            .figure("time_zone")
            .map(ToString::to_string)
            .as_deref(),
        Some("+08:00")
    );
    // The same instant in UTC has a local day: the account opens on it.
    let mut spec = presets::live_traffic_spec();
    spec.locale.time_zone = Zone::UTC;
    let utc = TrafficPolicy::try_from(spec.clone()).unwrap();
    let (state, _) = BillingMethods::run(&BillingMethods::initial(), &open, last, &utc).unwrap();
    assert_eq!(
        state.method_on(last.date_naive()),
        Some(BillingMethod::Traffic)
    );
    // chrono's first instant: fine east of UTC, refused west of it.
    let first = DateTime::<Utc>::MIN_UTC;
    assert!(BillingMethods::decide(&BillingMethods::initial(), &open, first, &beijing).is_ok());
    spec.locale.time_zone = Zone::new(FixedOffset::west_opt(3600).unwrap());
    let west = TrafficPolicy::try_from(spec).unwrap();
    let err = BillingMethods::decide(&BillingMethods::initial(), &open, first, &west).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Use09));
}

/// R-USE-08: a per-call price so large that paying a package's calls per
/// call overflows still plans: every package beats it. The planner used to
/// fail with an overflow while comparing each package with the per-call
/// price.
#[test]
fn r_use_08_a_per_call_price_too_large_to_multiply_still_plans() {
    use billing_rules::time::Days;
    use billing_rules::usage::{Component, Forecast, PlanLine, UsagePolicy};
    use rust_decimal::Decimal;

    let mut spec = presets::verification_usage_spec();
    spec.prices[0].price = Decimal::MAX;
    spec.catalogue.custom = None;
    let policy = UsagePolicy::try_from(spec).unwrap();
    let forecast = Forecast::new(Component::QuickVerification, 1, Days(365));
    let best = policy.plan(&forecast).unwrap();
    assert_eq!(best.total.to_string(), "CNY 30.00");
    assert!(matches!(
        best.lines[..],
        [PlanLine::Package {
            calls: 1000,
            count: 1,
            ..
        }]
    ));
    assert_eq!(best.pay_per_call.amount(), Decimal::MAX);
    assert_eq!(best.saving.amount(), Decimal::MAX - Decimal::from(30));
}

/// R-USE-05: a catalogue of a million listed packages builds and quotes;
/// building used to compare every package with every other (hours for
/// 10^6), and an unlisted size's refusal listed every size.
#[test]
fn r_use_05_a_catalogue_of_a_million_packages_builds_and_quotes() {
    use billing_rules::RuleId;
    use billing_rules::money::Currency;
    use billing_rules::usage::{CatalogueSpec, PackageOrder, PackageSpec};
    use rust_decimal::Decimal;

    let spec = CatalogueSpec {
        validities: vec![365, 90],
        packages: (1..=1_000_000u64)
            .map(|k| PackageSpec {
                calls: 1000 * k,
                price: Decimal::from(29 * k),
                list_price: None,
                validity_days: 365,
            })
            .collect(),
        custom: None,
    };
    let catalogue = Catalogue::try_from(spec.clone().in_currency(Currency::CNY)).unwrap();
    let quote = catalogue
        .quote(&PackageOrder::listed(777_777_000, 365))
        .unwrap();
    assert_eq!(quote.price.amount(), Decimal::from(29 * 777_777));
    let err = catalogue
        .quote(&PackageOrder::listed(999, 365))
        .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Use05));
    let message = err.to_string();
    assert!(message.contains("1000, 2000, 3000"), "{message}");
    assert!(message.contains("and 999988 more"), "{message}");
    // The last package repeats the first: refused, naming the index.
    let mut twice = spec;
    twice.packages.push(twice.packages[0].clone());
    let err = Catalogue::try_from(twice.clone().in_currency(Currency::CNY)).unwrap_err();
    assert!(
        err.to_string()
            .contains("catalogue.packages[1000000].calls"),
        "{err}"
    );
}

/// R-USE-08: a catalogue of a million sizes plans when its tables are
/// small, and is refused naming R-USE-08 and the step count when they are
/// not; both used to run for hours (a pairwise scan of the sizes, then a
/// table of 10^6 entries relaxed by each of 10^6 sizes).
#[test]
fn r_use_08_a_million_package_sizes_plan_or_are_refused_quickly() {
    use billing_rules::time::Days;
    use billing_rules::usage::{Component, Forecast, PackageSpec, Plan, UsagePolicy};
    use billing_rules::{FigureValue, RuleId};
    use rust_decimal::Decimal;

    let with_prices = |price: fn(u64) -> Decimal| {
        let mut spec = presets::verification_usage_spec();
        spec.catalogue.packages = (1..=1_000_000u64)
            .map(|k| PackageSpec {
                calls: 1000 * k,
                price: price(k),
                list_price: None,
                validity_days: 365,
            })
            .collect();
        UsagePolicy::try_from(spec).unwrap()
    };
    let forecast = Forecast::new(Component::QuickVerification, 123_456_789, Days(365));
    // The smallest size has the best rate (29.01 k - 0.01 for k x 1000
    // calls): the table has one entry. 123,456 packages of 1000 at 29, and
    // 789 calls at 0.03.
    let smallest_best = with_prices(|k| Decimal::new(2901 * k as i64 - 1, 2));
    let best = smallest_best.plan(&forecast).unwrap();
    assert_eq!(best.total.to_string(), "CNY 3580247.67");
    // Every size at 0.029 a call: the best is the largest, 10^6 entries for
    // each of 10^6 sizes.
    let flat = with_prices(|k| Decimal::from(29 * k));
    let err = flat.plan(&forecast).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use08);
    assert_eq!(
        refusal.figure("work_limit"),
        Some(&FigureValue::Count(Plan::WORK_LIMIT))
    );
    assert_eq!(
        refusal.figure("package_sizes"),
        Some(&FigureValue::Count(1_000_001))
    );
}

/// R-USE-07: a Consume spanning a wallet of a million packages draws them
/// all, expiring first first, in one pass; it used to scan the wallet once
/// per package drawn (10^12 steps).
#[test]
fn r_use_07_a_consume_spanning_a_million_packages_draws_them_in_order() {
    use billing_rules::Decider;
    use billing_rules::money::Money;
    use billing_rules::time::Days;
    use billing_rules::usage::{
        CallCounts, Component, PackageId, PackageOrder, PackageWallet, Purchase, WalletCommand,
        WalletEvent,
    };
    use chrono::{Duration, TimeZone, Utc};
    use rust_decimal::Decimal;

    let policy = presets::verification_usage().unwrap();
    let now = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
    let mut state = PackageWallet::initial();
    for i in 0..1_000_000u32 {
        // Package i expires i seconds before package i - 1 (and the last
        // two at the same instant: the one bought first goes first).
        let effective_at = now - Duration::seconds(i64::from(i.min(999_998)));
        let purchase = Purchase {
            package: PackageId(i),
            order: PackageOrder::listed(1000, 365),
            calls: 1000,
            validity: Days(365),
            price: Money::cny(Decimal::from(30)),
            paid_at: effective_at,
            effective_at,
            expires_at: effective_at + Duration::days(365),
        };
        state = PackageWallet::evolve(state, &WalletEvent::Purchased(purchase));
    }
    let consume = WalletCommand::Consume {
        component: Component::QuickVerification,
        calls: CallCounts::succeeded(999_999_999 + 1000),
        at: now,
    };
    let events = PackageWallet::decide(&state, &consume, now, &policy).unwrap();
    let [WalletEvent::Consumed(c)] = &events[..] else {
        panic!("one consumption")
    };
    assert_eq!(c.from_trial, 1000);
    assert_eq!(c.draws.len(), 1_000_000);
    assert_eq!(c.draws[0].package, PackageId(999_998));
    assert_eq!(c.draws[1].package, PackageId(999_999));
    assert_eq!(c.draws[2].package, PackageId(999_997));
    assert_eq!(c.draws[999_999].package, PackageId(0));
    assert_eq!(c.draws[999_999].calls, 999);
    assert_eq!((c.overage, c.from_packages()), (0, 999_999_999));
}

/// R-USE-09: a negative day is refused naming R-USE-09 in any unit; one
/// too large to convert into the tariff's unit used to be an overflow
/// error that did not say the day was negative.
#[test]
fn r_use_09_a_negative_day_is_refused_before_its_unit_is_converted() {
    use billing_rules::quantity::{Quantity, Unit};
    use billing_rules::usage::DayUsage;
    use billing_rules::{FigureValue, RuleId};
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    let policy = presets::live_traffic().unwrap();
    let traffic = Quantity::new(Decimal::MIN, Unit::Terabyte);
    let day = DayUsage {
        date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        region: Region::Mainland,
        traffic,
        peak_bandwidth: Quantity::new(Decimal::ONE, Unit::Megabit),
    };
    let err = policy.settle_day(BillingMethod::Traffic, &day).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use09);
    assert_eq!(
        refusal.figure("quantity"),
        Some(&FigureValue::Quantity(traffic))
    );
    // The bandwidth is positive: that way the day settles.
    let charge = policy
        .settle_day(BillingMethod::PeakBandwidth, &day)
        .unwrap();
    assert_eq!(charge.total.to_string(), "CNY 0.65");
}

/// R-USE-10: a metered price refuses a negative quantity; it used to
/// price -1000 snapshots as a charge of -0.10.
#[test]
fn r_use_10_a_metered_price_refuses_a_negative_quantity() {
    use billing_rules::quantity::{Quantity, Unit};
    use billing_rules::{FigureValue, RuleId};
    use rust_decimal::Decimal;

    let policy = presets::live_add_ons().unwrap();
    let minus = Quantity::new(Decimal::from(-1000), Unit::Count);
    let err = policy.snapshots().charge(minus).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use10);
    assert_eq!(
        refusal.figure("quantity"),
        Some(&FigureValue::Quantity(minus))
    );
    let plus = Quantity::new(Decimal::from(1000), Unit::Count);
    assert_eq!(
        policy.snapshots().charge(plus).unwrap().to_string(),
        "CNY 0.10"
    );
    let zero = Quantity::new(Decimal::ZERO, Unit::Count);
    assert!(policy.snapshots().charge(zero).unwrap().is_zero());
}

// ===========================================================================
// R-USE-07 draw order on both sides of the scan/sort switch
// ===========================================================================

proptest! {
    /// R-USE-07: whatever the wallet's size, a Consume draws the drawable
    /// packages in (expiry, purchase) order, one per key, as a reference
    /// sort says; wallets of 0 to 60 packages cross the point where the
    /// decider stops scanning and sorts.
    #[test]
    fn r_use_07_draws_follow_expiry_then_purchase_order_in_wallets_of_any_size(
        packages in prop::collection::vec((0i64..40, 0i64..3, 1u64..5, any::<bool>()), 0..60),
        wanted in 0u64..300,
    ) {
        let policy = usage_with(|s| s.trial_quota = 0);
        let now = utc(2024, 3, 1, 0);
        let mut state = PackageWallet::initial();
        for (i, &(expires_in, starts_before, calls, expired)) in packages.iter().enumerate() {
            let effective_at = now - Duration::days(starts_before);
            let id = PackageId(i as u32);
            state = PackageWallet::evolve(state, &WalletEvent::Purchased(Purchase {
                package: id,
                order: PackageOrder::custom(calls, 90),
                calls,
                validity: Days(90),
                price: Money::cny(Decimal::ONE),
                paid_at: effective_at,
                effective_at,
                // Many packages share an expiry: ties go to the one bought first.
                expires_at: now + Duration::hours(expires_in) - Duration::hours(20),
            }));
            if expired {
                state = PackageWallet::evolve(state, &WalletEvent::Expired(Expiry {
                    package: id,
                    expired_at: now,
                    lost: calls,
                }));
            }
        }
        let mut reference: Vec<&HeldPackage> =
            state.packages().iter().filter(|p| p.drawable_at(now)).collect();
        reference.sort_by_key(|p| (p.expires_at(), p.id()));
        let mut left = wanted;
        let mut expected = Vec::new();
        for p in reference {
            if left == 0 {
                break;
            }
            let take = left.min(p.remaining());
            expected.push(Draw { package: p.id(), calls: take });
            left -= take;
        }
        let events = PackageWallet::decide(&state, &consume(QUICK, wanted, now), now, &policy)
            .map_err(fail)?;
        match &events[..] {
            [] => prop_assert_eq!(wanted, 0),
            [WalletEvent::Consumed(c)] => {
                prop_assert_eq!(&c.draws, &expected);
                prop_assert_eq!(c.overage, left);
            }
            other => return Err(fail(format!("{other:?}"))),
        }
    }
}

// ===========================================================================
// 4. Serde round trips of every public usage data type
// ===========================================================================

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        4 => prop::sample::select(vec![Currency::CNY, Currency::USD, Currency::EUR, Currency::JPY]),
        1 => (0u32..=28).prop_map(|scale| Currency::new("XTS", scale).unwrap()),
    ]
}

fn money() -> impl Strategy<Value = Money> {
    (any_decimal(), currency()).prop_map(|(a, c)| Money::new(a, c))
}

fn locale() -> impl Strategy<Value = Locale> {
    (
        currency(),
        zone(),
        prop::sample::select(vec![
            RoundingMode::HalfUp,
            RoundingMode::HalfEven,
            RoundingMode::TowardZero,
            RoundingMode::AwayFromZero,
            RoundingMode::Floor,
            RoundingMode::Ceiling,
        ]),
    )
        .prop_map(|(currency, time_zone, rounding)| Locale {
            currency,
            time_zone,
            rounding,
        })
}

fn order() -> impl Strategy<Value = PackageOrder> {
    (any::<bool>(), any::<u64>(), any::<u32>()).prop_map(|(custom, calls, days)| {
        if custom {
            PackageOrder::custom(calls, days)
        } else {
            PackageOrder::listed(calls, days)
        }
    })
}

fn exemption() -> impl Strategy<Value = Exemption> {
    prop_oneof![
        organisation().prop_map(|organisation| Exemption::Organisation { organisation }),
        (organisation(), category()).prop_map(|(organisation, category)| Exemption::Category {
            organisation,
            category,
        }),
    ]
}

fn exemptions_spec() -> impl Strategy<Value = ExemptionsSpec> {
    (
        prop::collection::vec(organisation(), 0..4),
        prop::collection::vec(
            (organisation(), prop::collection::vec(category(), 0..3)).prop_map(
                |(organisation, categories)| CategoryExemptionSpec {
                    organisation,
                    categories,
                },
            ),
            0..3,
        ),
    )
        .prop_map(|(organisations, by_category)| ExemptionsSpec {
            organisations,
            by_category,
        })
}

fn package_spec() -> impl Strategy<Value = PackageSpec> {
    (
        any::<u64>(),
        any_decimal(),
        prop::option::of(any_decimal()),
        any::<u32>(),
    )
        .prop_map(|(calls, price, list_price, validity_days)| PackageSpec {
            calls,
            price,
            list_price,
            validity_days,
        })
}

fn any_catalogue_spec() -> impl Strategy<Value = CatalogueSpec> {
    (
        prop::collection::vec(any::<u32>(), 0..4),
        prop::collection::vec(package_spec(), 0..4),
        prop::option::of(any_decimal().prop_map(|unit_price| CustomPackagesSpec { unit_price })),
    )
        .prop_map(|(validities, packages, custom)| CatalogueSpec {
            validities,
            packages,
            custom,
        })
}

fn tier_table_spec() -> impl Strategy<Value = billing_rules::pricing::TierTableSpec> {
    use billing_rules::pricing::{TierMode, TierSpec, TierTableSpec};
    (
        prop::sample::select(vec![TierMode::Volume, TierMode::Graduated]),
        prop::collection::vec(
            (
                any_decimal(),
                prop::option::of(any_decimal()),
                prop::option::of(any_decimal()),
                prop::option::of(any_decimal()),
            )
                .prop_map(|(from, to, flat, unit_price)| TierSpec {
                    from,
                    to,
                    flat,
                    unit_price,
                }),
            0..4,
        ),
    )
        .prop_map(|(mode, tiers)| TierTableSpec { mode, tiers })
}

fn tariff_spec() -> impl Strategy<Value = TariffSpec> {
    (unit(), tier_table_spec()).prop_map(|(unit, tiers)| TariffSpec { unit, tiers })
}

fn metered_price_spec() -> impl Strategy<Value = MeteredPriceSpec> {
    (unit(), any_decimal(), any_decimal()).prop_map(|(unit, per, price)| MeteredPriceSpec {
        unit,
        per,
        price,
    })
}

fn resolution() -> impl Strategy<Value = Resolution> {
    prop::sample::select(vec![
        Resolution::Sd,
        Resolution::Hd,
        Resolution::FullHd,
        Resolution::UltraHd,
    ])
}

fn add_on_usage() -> impl Strategy<Value = AddOnUsage> {
    prop_oneof![
        (resolution(), quantity()).prop_map(|(resolution, minutes)| AddOnUsage::Transcoding {
            resolution,
            minutes,
        }),
        any::<u32>().prop_map(|peak_channels| AddOnUsage::Recording { peak_channels }),
        any::<u64>().prop_map(|count| AddOnUsage::Snapshots { count }),
        any::<u64>().prop_map(|count| AddOnUsage::Moderation { count }),
    ]
}

fn metered_price() -> impl Strategy<Value = MeteredPrice> {
    (unit(), any_decimal(), money()).prop_map(|(unit, per, price)| MeteredPrice {
        unit,
        per,
        price,
    })
}

fn waiver() -> impl Strategy<Value = Waiver> {
    prop_oneof![
        exemption().prop_map(|exemption| Waiver::Exempt { exemption }),
        instant().prop_map(|billing_start| Waiver::BeforeBillingStart { billing_start }),
    ]
}

fn draw() -> impl Strategy<Value = Draw> {
    (any::<u32>(), any::<u64>()).prop_map(|(id, calls)| Draw {
        package: PackageId(id),
        calls,
    })
}

fn consumption() -> impl Strategy<Value = Consumption> {
    (
        (
            instant(),
            component(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
        ),
        (
            prop::option::of(waiver()),
            any::<u64>(),
            prop::collection::vec(draw(), 0..4),
        ),
        (any::<u64>(), money(), money(), any::<u64>()),
    )
        .prop_map(
            |(
                (at, component, requested, failed, waived),
                (waiver, from_trial, draws),
                (overage, unit_price, charge, refused),
            )| Consumption {
                at,
                component,
                requested,
                failed,
                waived,
                waiver,
                from_trial,
                draws,
                overage,
                unit_price,
                charge,
                refused,
            },
        )
}

fn purchase() -> impl Strategy<Value = Purchase> {
    (
        any::<u32>(),
        order(),
        any::<u64>(),
        any::<u32>(),
        money(),
        (instant(), instant(), instant()),
    )
        .prop_map(
            |(id, order, calls, validity, price, (paid_at, effective_at, expires_at))| Purchase {
                package: PackageId(id),
                order,
                calls,
                validity: Days(validity),
                price,
                paid_at,
                effective_at,
                expires_at,
            },
        )
}

fn wallet_event() -> impl Strategy<Value = WalletEvent> {
    prop_oneof![
        purchase().prop_map(WalletEvent::Purchased),
        consumption().prop_map(WalletEvent::Consumed),
        (any::<u32>(), instant(), any::<u64>()).prop_map(|(id, expired_at, lost)| {
            WalletEvent::Expired(Expiry {
                package: PackageId(id),
                expired_at,
                lost,
            })
        }),
        (
            prop::sample::select(vec![FeatureSwitch::On, FeatureSwitch::Off]),
            instant()
        )
            .prop_map(|(switch, at)| WalletEvent::FeatureSwitched { switch, at }),
        (profile(), instant()).prop_map(|(profile, at)| WalletEvent::ProfileSet { profile, at }),
    ]
}

fn wallet_command() -> impl Strategy<Value = WalletCommand> {
    prop_oneof![
        order().prop_map(|order| WalletCommand::Purchase { order }),
        (component(), any::<u64>(), any::<u64>(), instant()).prop_map(
            |(component, succeeded, failed, at)| WalletCommand::Consume {
                component,
                calls: CallCounts { succeeded, failed },
                at,
            }
        ),
        Just(WalletCommand::Advance),
        prop::sample::select(vec![FeatureSwitch::On, FeatureSwitch::Off])
            .prop_map(|switch| WalletCommand::SwitchFeature { switch }),
        profile().prop_map(|profile| WalletCommand::SetProfile { profile }),
    ]
}

fn plan_line() -> impl Strategy<Value = PlanLine> {
    prop_oneof![
        (any::<u64>(), any::<u32>(), money(), any::<u64>(), money()).prop_map(
            |(calls, validity, price, count, subtotal)| PlanLine::Package {
                calls,
                validity: Days(validity),
                price,
                count,
                subtotal,
            }
        ),
        (any::<u64>(), any::<u32>(), money(), money()).prop_map(
            |(calls, validity, unit_price, subtotal)| PlanLine::Custom {
                calls,
                validity: Days(validity),
                unit_price,
                subtotal,
            }
        ),
        (any::<u64>(), money(), money()).prop_map(|(calls, unit_price, subtotal)| {
            PlanLine::PerCall {
                calls,
                unit_price,
                subtotal,
            }
        }),
    ]
}

fn forecast() -> impl Strategy<Value = Forecast> {
    (component(), any::<u64>(), any::<u32>()).prop_map(|(c, n, h)| Forecast::new(c, n, Days(h)))
}

fn charge_part() -> impl Strategy<Value = ChargePart> {
    (
        any::<usize>(),
        any_decimal(),
        prop::option::of(any_decimal()),
        any_decimal(),
        money(),
        money(),
    )
        .prop_map(
            |(tier, from, to, quantity, unit_price, amount)| ChargePart {
                tier,
                from,
                to,
                quantity,
                unit_price,
                amount,
            },
        )
}

fn method_change() -> impl Strategy<Value = MethodChange> {
    (date(), method()).prop_map(|(from, method)| MethodChange { from, method })
}

proptest! {
    /// R-USE-01..04: calls, prices, profiles and exemptions.
    #[test]
    fn serde_call_types_round_trip(
        component in component(),
        price in (component(), any_decimal()).prop_map(|(component, price)| ComponentPriceSpec { component, price }),
        counts in (any::<u64>(), any::<u64>()).prop_map(|(succeeded, failed)| CallCounts { succeeded, failed }),
        organisation in organisation(),
        category in category(),
        profile in profile(),
        exemption in exemption(),
        spec in exemptions_spec(),
        switch in prop::sample::select(vec![FeatureSwitch::On, FeatureSwitch::Off]),
    ) {
        round_trip(&component)?;
        round_trip(&price)?;
        round_trip(&counts)?;
        round_trip(&organisation)?;
        round_trip(&category)?;
        round_trip(&profile)?;
        round_trip(&exemption)?;
        round_trip(&spec)?;
        round_trip(&switch)?;
        if let Ok(exemptions) = Exemptions::try_from(spec.clone()) {
            round_trip(&exemptions)?;
        }
    }

    /// R-USE-05..08: catalogue, orders, quotes, policy specs and plans.
    #[test]
    fn serde_catalogue_policy_and_plan_types_round_trip(
        spec in any_catalogue_spec(),
        order in order(),
        package in (any::<u64>(), money(), prop::option::of(money()), any::<u32>())
            .prop_map(|(calls, price, list_price, days)| Package { calls, price, list_price, validity: Days(days) }),
        quote in (order(), any::<u64>(), any::<u32>(), money(), prop::option::of(money()))
            .prop_map(|(order, calls, days, price, list_price)| PackageQuote { order, calls, validity: Days(days), price, list_price }),
        policy_spec in (locale(), instant(), any::<u64>(), any_catalogue_spec(), exemptions_spec(), any::<bool>())
            .prop_map(|(locale, billing_start, trial_quota, catalogue, exemptions, refuse)| UsagePolicySpec {
                locale,
                billing_start,
                prices: vec![ComponentPriceSpec { component: Component::QuickVerification, price: Decimal::new(3, 2) }],
                trial_quota,
                exemptions,
                catalogue,
                when_exhausted: if refuse { WhenExhausted::Refuse } else { WhenExhausted::PerCall },
                quote_window_minutes: UsagePolicy::QUOTE_WINDOW_MINUTES,
            }),
        forecast in forecast(),
        line in plan_line(),
        plan_value in (forecast(), prop::collection::vec(plan_line(), 0..4), any::<u64>(), money(), prop::option::of(any_decimal()), money(), money())
            .prop_map(|(forecast, lines, covered, total, per_call_cost, pay_per_call, saving)| Plan { forecast, lines, covered, total, per_call_cost, pay_per_call, saving }),
    ) {
        round_trip(&spec)?;
        for currency in [Currency::CNY, Currency::JPY] {
            if let Ok(catalogue) = Catalogue::try_from(spec.clone().in_currency(currency)) {
                round_trip(&catalogue)?;
            }
        }
        round_trip(&order)?;
        round_trip(&package)?;
        round_trip(&quote)?;
        round_trip(&policy_spec)?;
        if let Ok(policy) = UsagePolicy::try_from(policy_spec) {
            round_trip(&policy)?;
        }
        round_trip(&forecast)?;
        round_trip(&line)?;
        round_trip(&plan_value)?;
    }

    /// R-USE-01..08: validated usage policies, and their parts, from the
    /// generator the wallet sequences use.
    #[test]
    fn serde_usage_policies_round_trip(policy in usage_policy()) {
        round_trip(&policy)?;
        round_trip(policy.prices())?;
        round_trip(policy.exemptions())?;
        round_trip(policy.catalogue())?;
        round_trip(&policy.to_spec())?;
        round_trip(&policy.when_exhausted())?;
        let prices: PriceList = serde_json::from_value(json_of(policy.prices())).map_err(fail)?;
        prop_assert_eq!(&prices, policy.prices());
    }

    /// R-USE-01..07: wallet commands, events and their parts.
    #[test]
    fn serde_wallet_types_round_trip(
        command in wallet_command(),
        event in wallet_event(),
        status in prop_oneof![Just(PackageStatus::Open), any::<u64>().prop_map(|lost| PackageStatus::Expired { lost })],
        id in any::<u32>().prop_map(PackageId),
        waiver in waiver(),
        draw in draw(),
    ) {
        round_trip(&command)?;
        round_trip(&event)?;
        round_trip(&status)?;
        round_trip(&id)?;
        round_trip(&waiver)?;
        round_trip(&draw)?;
        // A state and its held packages, built from the event.
        let state = PackageWallet::evolve(PackageWallet::initial(), &event);
        round_trip(&state)?;
        for p in state.packages() {
            round_trip(p)?;
        }
    }

    /// R-USE-09: traffic specs, usage, charges and the method decider's
    /// commands, events and states.
    #[test]
    fn serde_traffic_types_round_trip(
        tariff in tariff_spec(),
        region_spec in (region(), tariff_spec(), tariff_spec())
            .prop_map(|(region, traffic, bandwidth)| RegionTariffSpec { region, traffic, bandwidth }),
        policy_spec in (locale(), prop::collection::vec((region(), tariff_spec(), tariff_spec()), 0..3), any::<u32>())
            .prop_map(|(locale, regions, switch_delay_days)| TrafficPolicySpec {
                locale,
                regions: regions.into_iter().map(|(region, traffic, bandwidth)| RegionTariffSpec { region, traffic, bandwidth }).collect(),
                switch_delay_days,
            }),
        day in day_usage(),
        part in charge_part(),
        daily in (date(), region(), method(), quantity(), prop::collection::vec(charge_part(), 0..3), money(), money())
            .prop_map(|(date, region, method, quantity, parts, exact, total)| DailyCharge { date, region, method, quantity, parts, exact, total }),
        state in prop_oneof![
            Just(MethodState::NotOpened),
            prop::collection::vec(method_change(), 0..4).prop_map(|changes| MethodState::Open { changes }),
        ],
        command in method_op(),
        event in prop_oneof![
            (method(), date()).prop_map(|(method, from)| MethodEvent::Opened { method, from }),
            (method(), instant(), date()).prop_map(|(to, requested_at, effective_from)| MethodEvent::SwitchScheduled { to, requested_at, effective_from }),
        ],
        valid in traffic_policy(),
    ) {
        round_trip(&tariff)?;
        round_trip(&region_spec)?;
        round_trip(&policy_spec)?;
        if let Ok(policy) = TrafficPolicy::try_from(policy_spec) {
            round_trip(&policy)?;
        }
        round_trip(&day)?;
        round_trip(&part)?;
        round_trip(&daily)?;
        round_trip(&state)?;
        round_trip(&command)?;
        round_trip(&event)?;
        round_trip(&day.region)?;
        round_trip(&daily.method)?;
        round_trip(&valid)?;
        for region in [Region::Mainland, Region::International] {
            for method in [BillingMethod::Traffic, BillingMethod::PeakBandwidth] {
                round_trip(valid.tariff(region, method).map_err(fail)?)?;
            }
        }
    }

    /// R-USE-10: add-on specs, prices, usage and charges.
    #[test]
    fn serde_add_on_types_round_trip(
        spec in (locale(), prop::collection::vec((resolution(), metered_price_spec()), 0..5), metered_price_spec(), metered_price_spec(), metered_price_spec())
            .prop_map(|(locale, transcoding, recording, snapshots, moderation)| AddOnPolicySpec {
                locale,
                transcoding: transcoding.into_iter().map(|(resolution, price)| TranscodingPriceSpec { resolution, price }).collect(),
                recording,
                snapshots,
                moderation,
            }),
        price in metered_price(),
        usage in add_on_usage(),
        charged in (add_on_usage(), quantity(), metered_price(), money(), money())
            .prop_map(|(usage, quantity, price, exact, total)| AddOnCharge { usage, quantity, price, exact, total }),
        resolution in resolution(),
    ) {
        round_trip(&spec)?;
        if let Ok(policy) = AddOnPolicy::try_from(spec) {
            round_trip(&policy)?;
        }
        round_trip(&price)?;
        round_trip(&usage)?;
        round_trip(&charged)?;
        round_trip(&resolution)?;
    }
}

/// Every usage preset, and what it answers, survives JSON.
#[test]
fn serde_usage_presets_and_their_answers_round_trip() {
    let usage = verification();
    round_trip(&usage).unwrap();
    round_trip(&presets::verification_usage_spec()).unwrap();
    let best = usage
        .plan(&Forecast::new(QUICK, 9_000_000, Days(365)))
        .unwrap();
    round_trip(&best).unwrap();
    let quote = usage
        .catalogue()
        .quote(&PackageOrder::listed(1_000_000, 365))
        .unwrap();
    round_trip(&quote).unwrap();
    for p in usage.catalogue().packages() {
        round_trip(p).unwrap();
    }
    let traffic = live_traffic();
    round_trip(&traffic).unwrap();
    round_trip(&presets::live_traffic_spec()).unwrap();
    let add_ons = live_add_ons();
    round_trip(&add_ons).unwrap();
    round_trip(&presets::live_add_ons_spec()).unwrap();
    round_trip(&add_ons.recording()).unwrap();
    let (_, events, state) = wallet_samples();
    for e in events {
        round_trip(&serde_json::from_value::<WalletEvent>(e).unwrap()).unwrap();
    }
    round_trip(&serde_json::from_value::<WalletState>(state).unwrap()).unwrap();
}
