//! Arbitrary JSON, and near-valid mutations of the presets' JSON.

use super::*;

/// Every field name of the usage types, so random trees often hit a field.
pub(crate) const KEYS: &[&str] = &[
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
pub(crate) const WORDS: &[&str] = &[
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
pub(crate) fn special_numbers() -> Vec<Value> {
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
pub(crate) fn special_decimals() -> Vec<Value> {
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
pub(crate) fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        30 => (0i64..=253_402_300_799, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap()),
        1 => Just(DateTime::<Utc>::MIN_UTC),
        1 => Just(DateTime::<Utc>::MAX_UTC),
    ]
}

/// A local day anywhere chrono allows.
pub(crate) fn date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        20 => instant().prop_map(|t| t.date_naive()),
        1 => Just(NaiveDate::MIN),
        1 => Just(NaiveDate::MAX),
    ]
}

pub(crate) fn arb_leaf() -> impl Strategy<Value = Value> {
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

pub(crate) fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-z_]{0,10}",
    ]
}

/// A random JSON tree: leaves from [`arb_leaf`], arrays and objects whose
/// keys are mostly field names of the usage types.
pub(crate) fn arb_json() -> impl Strategy<Value = Value> {
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
pub(crate) enum Seg {
    Key(String),
    At(usize),
}

/// Every node's path (leaves and containers), in document order.
pub(crate) fn paths(value: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
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

pub(crate) fn node_mut<'a>(value: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
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
pub(crate) struct Typed {
    pub(crate) number: Value,
    pub(crate) string: Value,
    pub(crate) flag: bool,
}

pub(crate) fn typed() -> impl Strategy<Value = Typed> {
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
    pub(crate) fn for_node(&self, node: &Value) -> Value {
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
pub(crate) enum Edit {
    /// Replace the node with another value.
    Replace(Value),
    /// Replace a leaf with a value of its own kind (a number by a number).
    Retype(Typed),
    /// Remove it from its parent (a missing field, a shorter list).
    Remove,
    /// Repeat it in its parent list (a duplicate entry), or do nothing.
    Duplicate,
}

pub(crate) fn arb_edit() -> impl Strategy<Value = Edit> {
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
pub(crate) fn mutate(base: &Value, edits: &[(Index, Edit)]) -> Value {
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
pub(crate) fn near(base: Value) -> impl Strategy<Value = Value> {
    prop::collection::vec((any::<Index>(), arb_edit()), 1..=4)
        .prop_map(move |edits| mutate(&base, &edits))
}

/// Exactly one leaf of `base` replaced with an arbitrary value (half the
/// time one of the leaf's own kind).
pub(crate) fn one_leaf(base: Value) -> impl Strategy<Value = Value> {
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

pub(crate) fn json_of<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}
