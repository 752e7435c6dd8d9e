//! The one shape of every `--json` answer, and the exit status of every
//! outcome.
//!
//! ```text
//! {"version": 1, "result": ...}                                  exit 0
//! {"version": 1, "error": {"kind": "usage", "message": ...}}     exit 2
//! {"version": 1, "error": {"kind": "policy"|"input"|"failure", "message": ..., "detail": ...}}  exit 1
//! ```
//!
//! A rule's refusal is an answer (exit 0): `{"version": 1, "result":
//! {"refused": {...}}}`. Money in a result is an object `{"amount",
//! "currency"}` whose amount is a string with at least the currency's
//! minor-unit digits (`"80.00"`, never `"80"`); an exact intermediate keeps
//! every further digit it has. A duration carries its unit in its name:
//! the library's `validity` and `horizon` (days) read `validity_days` and
//! `horizon_days` here, and an upgrade credit's `remaining` and `total`
//! read `remaining_days` / `total_days` (or `_seconds`, as its
//! `granularity` says).

use std::fmt;

use billing_rules::prelude::*;
use billing_rules::replay::ReplayError;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::args::{InputError, PolicyFileError, Usage};
use crate::out::{emit, indent};

/// The version of the envelope; a script checks it before reading on.
pub const VERSION: u32 = 1;

/// Exit status: answered (a refusal by a rule is an answer).
pub const ANSWERED: i32 = 0;
/// Exit status: bad input file, or a failure computing the answer.
pub const FAILED: i32 = 1;
/// Exit status: a usage error (a bad argument or a bad mix of them).
pub const USAGE: i32 = 2;

/// What went wrong, for `error.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A bad argument: exit 2.
    Usage,
    /// A policy file that does not parse or validate: exit 1.
    Policy,
    /// Another input file (a ledger, a history) that cannot be used: exit 1.
    Input,
    /// The answer could not be computed (an arithmetic limit): exit 1.
    Failure,
}

impl Kind {
    /// The exit status of this kind of error.
    pub fn status(self) -> i32 {
        match self {
            Kind::Usage => USAGE,
            Kind::Policy | Kind::Input | Kind::Failure => FAILED,
        }
    }
}

/// Prints a successful result (`text`, one JSON document) in the envelope,
/// with its money at the minor unit.
pub fn print_result(text: &str) -> Result<(), serde_json::Error> {
    let doc: Doc = serde_json::from_str(text)?;
    let body = serde_json::to_string_pretty(&doc.normalised())?;
    emit(format!(
        "{{\n  \"version\": {VERSION},\n  \"result\": {}\n}}",
        indent(&body)
    ));
    Ok(())
}

/// The outcome of an error: an answer (a refusal), or a failure of a kind.
pub enum Outcome<'a> {
    /// A rule refused: an answer.
    Refused(&'a Refusal),
    /// A failure of this kind.
    Failed(Kind),
}

/// Sorts an error into an answer or a kind of failure.
pub fn classify<'a>(err: &'a (dyn std::error::Error + 'static)) -> Outcome<'a> {
    if let Some(refusal) = err.downcast_ref::<Error>().and_then(Error::refusal) {
        return Outcome::Refused(refusal);
    }
    let kind = if err.is::<Usage>() || err.is::<clap::Error>() {
        Kind::Usage
    } else if err.is::<PolicyFileError>() {
        Kind::Policy
    } else if err.is::<InputError>() {
        Kind::Input
    } else if let Some(e) = err.downcast_ref::<ReplayError>() {
        match e {
            ReplayError::Failed { .. } => Kind::Failure,
            // A policy file of another kind or currency than the history.
            _ => Kind::Input,
        }
    } else {
        Kind::Failure
    };
    Outcome::Failed(kind)
}

/// Prints an error in the envelope on stdout (`--json`) or as sentences on
/// stderr, and returns the exit status.
pub fn report_error(
    kind: Kind,
    message: &str,
    err: Option<&(dyn std::error::Error + 'static)>,
    json: bool,
) -> i32 {
    if !json {
        eprintln!("whatif: {message}");
        if kind == Kind::Usage {
            eprintln!("(exit status 2: usage error; `whatif --help` lists the arguments)");
        }
        return kind.status();
    }
    #[derive(Serialize)]
    struct Failure<'a> {
        kind: Kind,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<Detail<'a>>,
    }
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Detail<'a> {
        Policy(&'a PolicyFileError),
        Input(&'a InputError),
        Library(&'a Error),
        Replay(&'a ReplayError),
    }
    #[derive(Serialize)]
    struct Envelope<'a> {
        version: u32,
        error: Failure<'a>,
    }
    let detail = err.and_then(|e| {
        e.downcast_ref()
            .map(Detail::Policy)
            .or_else(|| e.downcast_ref().map(Detail::Input))
            .or_else(|| e.downcast_ref().map(Detail::Library))
            .or_else(|| e.downcast_ref().map(Detail::Replay))
    });
    let envelope = Envelope {
        version: VERSION,
        error: Failure {
            kind,
            message: message.trim_end(),
            detail,
        },
    };
    match serde_json::to_string_pretty(&envelope) {
        Ok(text) => emit(text),
        Err(_) => eprintln!("whatif: {message}"),
    }
    kind.status()
}

// ------------------------------------------------------------ documents

/// A JSON document that keeps its keys in order (a `serde_json::Value`
/// sorts them, and the crate's own `serde_json` must not be given the
/// `preserve_order` feature: fingerprints digest its text).
#[derive(Debug, Clone, PartialEq)]
enum Doc {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Doc>),
    Object(Vec<(String, Doc)>),
}

impl Doc {
    /// The document with every money object's amount shown with at least
    /// its currency's minor-unit digits, and every duration's unit in its
    /// name.
    fn normalised(self) -> Doc {
        match self {
            Doc::Array(items) => Doc::Array(items.into_iter().map(Doc::normalised).collect()),
            Doc::Object(fields) => {
                let fields: Vec<(String, Doc)> = fields
                    .into_iter()
                    .map(|(k, v)| (k, v.normalised()))
                    .collect();
                Doc::Object(durations_named(money_at_minor_unit(fields)))
            }
            other => other,
        }
    }
}

/// `fields` with the unit of each bare duration added to its name.
fn durations_named(mut fields: Vec<(String, Doc)>) -> Vec<(String, Doc)> {
    // An upgrade credit counts in days or seconds, as its granularity says.
    let credit_unit = fields.iter().find_map(|(k, v)| match (k.as_str(), v) {
        ("granularity", Doc::String(g)) if g == "day" => Some("days"),
        ("granularity", Doc::String(g)) if g == "second" => Some("seconds"),
        _ => None,
    });
    for (key, value) in &mut fields {
        if !matches!(value, Doc::Number(_)) {
            continue;
        }
        let unit = match (key.as_str(), credit_unit) {
            ("validity" | "horizon", _) => "days",
            ("remaining" | "total", Some(unit)) => unit,
            _ => continue,
        };
        *key = format!("{key}_{unit}");
    }
    fields
}

/// `fields` rescaled when they are a money object (`amount` and
/// `currency`, nothing else); as they are otherwise.
fn money_at_minor_unit(mut fields: Vec<(String, Doc)>) -> Vec<(String, Doc)> {
    if fields.len() != 2 {
        return fields;
    }
    let currency = fields
        .iter()
        .find(|(k, _)| k == "currency")
        .and_then(|(_, v)| serde_json::to_string(v).ok())
        .and_then(|text| serde_json::from_str::<Currency>(&text).ok());
    let Some(currency) = currency else {
        return fields;
    };
    for (key, value) in &mut fields {
        if let (true, Doc::String(text)) = (key == "amount", &*value)
            && let Ok(mut amount) = billing_rules::decimal_serde::parse(text)
        {
            let exact = amount;
            if amount.scale() < currency.scale() {
                amount.rescale(currency.scale());
            }
            // Padding never changes the value; where it could not be done
            // exactly the amount stays as it was.
            if amount == exact {
                *value = Doc::String(amount.to_string());
            }
        }
    }
    fields
}

impl Serialize for Doc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Doc::Null => serializer.serialize_unit(),
            Doc::Bool(b) => serializer.serialize_bool(*b),
            Doc::Number(n) => n.serialize(serializer),
            Doc::String(s) => serializer.serialize_str(s),
            Doc::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Doc::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Doc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Doc, D::Error> {
        struct DocVisitor;
        impl<'de> Visitor<'de> for DocVisitor {
            type Value = Doc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Doc, E> {
                Ok(Doc::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Doc, E> {
                Ok(Doc::Null)
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Doc, E> {
                Ok(Doc::Bool(b))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Doc, E> {
                Ok(Doc::Number(n.into()))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Doc, E> {
                Ok(Doc::Number(n.into()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Doc, E> {
                // Only ever a float the program itself wrote (none is money).
                serde_json::Number::from_f64(n)
                    .map(Doc::Number)
                    .ok_or_else(|| E::custom("a non-finite number"))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Doc, E> {
                Ok(Doc::String(s.to_owned()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Doc, E> {
                Ok(Doc::String(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Doc, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Doc::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = map.next_entry()? {
                    fields.push((k, v));
                }
                Ok(Doc::Object(fields))
            }
        }
        deserializer.deserialize_any(DocVisitor)
    }
}
