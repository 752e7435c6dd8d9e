//! Arbitrary JSON trees, and near-valid mutations of a valid document.

use super::*;

// ------------------------------------------------------------ JSON trees

/// The crate's own words: field names, tags and enum values, so random
/// trees reach past the first key.
pub(crate) const WORDS: &[&str] = &[
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
pub(crate) const NUMBERS: &[&str] = &[
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

pub(crate) fn number() -> impl Strategy<Value = Value> {
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

pub(crate) fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_owned),
        3 => prop::sample::select(NUMBERS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[-+]?[0-9]{1,30}(\\.[0-9]{0,30})?",
        1 => "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})",
    ]
}

pub(crate) fn leaf() -> impl Strategy<Value = Value> {
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
pub(crate) fn pointers(value: &Value, here: String, out: &mut Vec<String>) {
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
