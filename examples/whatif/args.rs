//! What every area parses: instants (one date parser, [`when`]), decimals
//! (strictly: [`decimal`], [`amount`]), counts ([`count`], [`calls`]),
//! traffic amounts, and input files (`--policy FILE`, `--print-policy`,
//! ledgers and histories through [`read_json`]).
//!
//! Arguments are parsed by clap value parsers, so a malformed one is a clap
//! error (usage, the offending value, exit 2); arguments that parse but do
//! not fit together are a [`Usage`] error (exit 2 too). A file is read when
//! the subcommand runs: one that does not parse names the field path
//! (`pricing.tiers[0].unit_prce`); a policy that does not validate prints
//! the library's [`PolicyError`] (field, problem, allowed, rule). Both exit
//! 1.

use std::fmt;
use std::path::Path;

use billing_rules::prelude::*;
use billing_rules::{NaiveDate, NaiveTime};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::out::Output;

// ------------------------------------------------------------ instants

/// An instant as given on the command line: a local date (midnight), a
/// local date and time, or an absolute RFC 3339 instant. Local forms are
/// read in the policy's zone, which is only known once the policy is
/// loaded, hence [`When::at`].
#[derive(Debug, Clone, Copy)]
pub enum When {
    /// `2025-06-01`: local midnight.
    Local(NaiveDateTime),
    /// `2025-06-01T08:00:00+08:00`.
    Instant(DateTime<Utc>),
}

impl When {
    /// The instant, reading a local form in `zone`.
    pub fn at(self, zone: Zone) -> std::result::Result<DateTime<Utc>, String> {
        match self {
            When::Instant(t) => Ok(t),
            When::Local(local) => zone
                .from_local(local)
                .map_err(|_| format!("{local} is out of range in {zone}")),
        }
    }
}

/// The one date parser of every subcommand (`--now`, `--start`,
/// `--expires`, `--ran-out`, `--orders`' dates, ...): the clap value parser
/// of [`When`]. [`date`] and [`local`] narrow it.
pub fn when(text: &str) -> std::result::Result<When, String> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(When::Local(date.and_time(NaiveTime::MIN)));
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(When::Local(local));
        }
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| When::Instant(t.with_timezone(&Utc)))
        .map_err(|_| {
            format!(
                "`{text}` is not a date or time; write 2025-06-01 (local midnight), \
                 2025-06-01T08:30[:00] (local) or an RFC 3339 instant \
                 (2025-06-01T08:30:00+08:00), with a day that exists in its month"
            )
        })
}

/// A local day (`--expires 2025-06-30`): [`when`] without a time.
pub fn date(text: &str) -> std::result::Result<NaiveDate, String> {
    match when(text)? {
        When::Local(at) if at.time() == NaiveTime::MIN && !text.trim().contains(['T', ' ']) => {
            Ok(at.date())
        }
        _ => Err(format!(
            "`{}` is not a day; write a local date such as 2025-06-30",
            text.trim()
        )),
    }
}

/// A local date-time (`--ran-out 2025-06-30T12:00`): [`when`] without an
/// offset (local to the policy's zone).
pub fn local(text: &str) -> std::result::Result<NaiveDateTime, String> {
    match when(text)? {
        When::Local(at) => Ok(at),
        When::Instant(_) => Err(format!(
            "`{}` carries an offset; write the local time of the policy's zone, \
             such as 2025-06-30T12:00",
            text.trim()
        )),
    }
}

/// The clap value parser of a data amount: a number and a unit, `20GB`,
/// `0.02 TB`, `19999MB`.
pub fn quantity(text: &str) -> std::result::Result<Quantity, String> {
    let bad = || format!("`{text}` is not an amount of traffic; write e.g. 20GB or 0.02TB");
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(bad)?;
    let (value, unit) = text.split_at(split);
    let value = amount(value).map_err(|e| format!("{}: {e}", bad()))?;
    let unit = match unit.trim().to_ascii_uppercase().as_str() {
        "B" => Unit::Byte,
        "KB" => Unit::Kilobyte,
        "MB" => Unit::Megabyte,
        "GB" => Unit::Gigabyte,
        "TB" => Unit::Terabyte,
        _ => return Err(bad()),
    };
    Ok(Quantity::new(value, unit))
}

// ------------------------------------------------------------ amounts

/// The clap value parser of every signed decimal argument (a balance): the
/// library's strict reading, so `1e3`, `1_000` or a 29th digit after the
/// point is refused rather than rounded.
pub fn decimal(text: &str) -> std::result::Result<Decimal, String> {
    billing_rules::decimal_serde::parse(text.trim()).map_err(|e| e.to_string())
}

/// The clap value parser of every amount, price or quantity where a
/// negative value means nothing (`--cap`, `--paid`, `--amount`, `--tb`,
/// `--mbps`, ...): [`decimal`], and zero or more.
pub fn amount(text: &str) -> std::result::Result<Decimal, String> {
    let value = decimal(text)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(format!(
            "`{}` is negative; give zero or more, such as 1000 or 273.97",
            text.trim()
        ));
    }
    Ok(value)
}

/// The clap value parser of a count (`--seats`, `--years`, `--days`, ...):
/// a whole number, zero or more, with a sentence for `-5` or `2.5`.
pub fn count(text: &str) -> std::result::Result<u32, String> {
    let text = text.trim();
    text.parse::<u32>().map_err(|_| {
        if text.starts_with('-') {
            format!("`{text}` is negative; give a whole number, zero or more")
        } else {
            format!("`{text}` is not a whole number from 0 to {}", u32::MAX)
        }
    })
}

/// The clap value parser of `--calls`: a whole number of calls, 1 or more
/// (0 would plan nothing and print an empty table).
pub fn calls(text: &str) -> std::result::Result<u64, String> {
    let text = text.trim();
    match text.parse::<u64>() {
        Ok(0) => Err("0 calls: there is nothing to plan; give 1 or more".to_owned()),
        Ok(n) => Ok(n),
        Err(_) if text.starts_with('-') => Err(format!(
            "`{text}` is negative; give a number of calls, 1 or more"
        )),
        Err(_) => Err(format!(
            "`{text}` is not a whole number of calls, 1 or more"
        )),
    }
}

// ------------------------------------------------------------ errors

/// A usage error found after parsing: arguments that parse one by one but
/// do not fit together (`--days-left` above `--days-total`). Exit status 2,
/// JSON kind `usage`, like clap's own.
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// An input file that cannot be used (not readable, not JSON of its
/// shape): which file, the field path where it went wrong, and what it
/// should hold. Exit status 1, JSON kind `input`.
#[derive(Debug, Serialize)]
pub struct InputError {
    /// The file.
    pub source: String,
    /// Where in it: a field path such as `orders[1].amount`, or empty.
    pub field: String,
    /// What is wrong.
    pub problem: String,
    /// What the file should hold.
    pub allowed: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} cannot be used", self.source)?;
        if !self.field.is_empty() {
            write!(f, "\n  field:   {}", self.field)?;
        }
        write!(
            f,
            "\n  problem: {}\n  allowed: {}",
            self.problem, self.allowed
        )
    }
}

impl std::error::Error for InputError {}

/// Reads `path` as JSON of `T`; a parse error names the field path
/// (`pricing.tiers[0].unit_prce`), not a line and column.
pub fn read_json<T: DeserializeOwned>(
    path: &Path,
    allowed: &str,
) -> std::result::Result<T, InputError> {
    let source = path.display().to_string();
    let error = |field: String, problem: String| InputError {
        source: source.clone(),
        field,
        problem,
        allowed: allowed.to_owned(),
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| error(String::new(), format!("cannot read it: {e}")))?;
    let mut de = serde_json::Deserializer::from_str(&text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut field = e.path().to_string();
        let segments: Vec<serde_path_to_error::Segment> = e.path().iter().cloned().collect();
        let inner = e.into_inner();
        // serde_json appends " at line L column C"; the path says where.
        let message = inner.to_string();
        let problem = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head)
            .to_owned();
        // Inside an internally tagged enum (`"rule": "tiered"`) serde
        // buffers the value and the path stops at the enum: the rest is
        // found by looking for the unknown key or the refused text there.
        if let Some(rest) = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|doc| deeper(&doc, &segments, &problem))
        {
            field = if field == "." {
                rest
            } else {
                format!("{field}{rest}")
            };
        }
        error(if field == "." { String::new() } else { field }, problem)
    })?;
    de.end()
        .map_err(|e| error(String::new(), format!("trailing text after the JSON: {e}")))?;
    Ok(value)
}

// ------------------------------------------------------------ policy files

/// The rest of the path below `segments` to the key `problem` says is
/// unknown (``unknown field `unit_prce` ``) or to the string it quotes
/// (`"1e3" is not a plain decimal`); `None` when it is not found.
fn deeper(
    doc: &serde_json::Value,
    segments: &[serde_path_to_error::Segment],
    problem: &str,
) -> Option<String> {
    use serde_path_to_error::Segment;
    let mut at = doc;
    for segment in segments {
        at = match segment {
            Segment::Seq { index } => at.get(*index)?,
            Segment::Map { key } => at.get(key.as_str())?,
            Segment::Enum { .. } | Segment::Unknown => at,
        };
    }
    let key = problem
        .strip_prefix("unknown field `")
        .and_then(|r| r.split_once('`'))
        .map(|(k, _)| k.to_owned());
    let text = problem
        .strip_prefix('"')
        .and_then(|r| r.split_once('"'))
        .map(|(t, _)| t.to_owned());
    if key.is_none() && text.is_none() {
        return None;
    }
    find(at, key.as_deref(), text.as_deref())
}

/// The path below `at` to the first key `key` or string `text`.
fn find(at: &serde_json::Value, key: Option<&str>, text: Option<&str>) -> Option<String> {
    match at {
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if Some(k.as_str()) == key || (v.as_str().is_some() && v.as_str() == text) {
                return Some(format!(".{k}"));
            }
            find(v, key, text).map(|rest| format!(".{k}{rest}"))
        }),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            if v.as_str().is_some() && v.as_str() == text {
                return Some(format!("[{i}]"));
            }
            find(v, key, text).map(|rest| format!("[{i}]{rest}"))
        }),
        _ => None,
    }
}

/// `--policy FILE` and `--print-policy`, shared by every subcommand.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct PolicyFile {
    /// Price against your own policy: a JSON file of the subcommand's policy
    /// spec (see --print-policy for one to start from).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<std::path::PathBuf>,
    /// Print the policy in use as JSON (the preset's, or --policy's after
    /// the other options' overrides) and exit. Save it, edit it, pass it
    /// back with --policy FILE.
    #[arg(long)]
    pub print_policy: bool,
}

/// A policy file that could not be used: which file, and the library's
/// [`PolicyError`] (for a file that is not valid JSON of the spec, the
/// field is where the parser stopped).
#[derive(Debug, Serialize)]
pub struct PolicyFileError {
    /// The file, or the preset with the command line's overrides.
    pub source: String,
    /// What is wrong.
    pub error: PolicyError,
}

impl fmt::Display for PolicyFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.error;
        write!(
            f,
            "{} is not a valid policy\n  field:   {}\n  problem: {}\n  allowed: {}",
            self.source, e.field, e.problem, e.allowed
        )?;
        if let Some(rule) = e.rule {
            write!(f, "\n  rule:    {rule}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyFileError {}

/// Reads `path` as JSON of the spec `S` (`spec_name` and `print_hint` go
/// into the error: what the file should hold, and the command that prints
/// one).
/// A field the spec does not have is an error naming it (the library's
/// specs refuse unknown fields), so a misspelt `max_totl` cannot silently
/// keep the preset's value.
pub fn read_spec<S: DeserializeOwned + Serialize>(
    path: &Path,
    spec_name: &str,
    print_hint: &str,
) -> std::result::Result<S, Box<dyn std::error::Error>> {
    let allowed = format!("JSON of a {spec_name}; `{print_hint}` prints one to start from");
    match read_json(path, &allowed) {
        Ok(spec) => Ok(spec),
        // Unreadable: an input error; unparsable: a policy error at a field.
        Err(e) if e.field.is_empty() && e.problem.starts_with("cannot read") => Err(e.into()),
        Err(e) => Err(PolicyFileError {
            source: e.source,
            error: PolicyError::new(
                if e.field.is_empty() {
                    "(the document)".to_owned()
                } else {
                    e.field
                },
                e.problem,
                e.allowed,
            ),
        }
        .into()),
    }
}

/// Builds the policy `P` from `spec`, naming `source` in the error.
pub fn build<S, P>(spec: S, source: &str) -> std::result::Result<P, PolicyFileError>
where
    P: TryFrom<S, Error = PolicyError>,
{
    P::try_from(spec).map_err(|error| PolicyFileError {
        source: source.to_owned(),
        error,
    })
}

/// The spec from `--policy FILE`, or `preset` (with its name for
/// messages).
pub fn spec_or<S: DeserializeOwned + Serialize>(
    file: &PolicyFile,
    preset: impl FnOnce() -> std::result::Result<S, Box<dyn std::error::Error>>,
    preset_name: &str,
    spec_name: &str,
    print_hint: &str,
) -> std::result::Result<(S, String), Box<dyn std::error::Error>> {
    match &file.policy {
        Some(path) => Ok((
            read_spec(path, spec_name, print_hint)?,
            path.display().to_string(),
        )),
        None => Ok((preset()?, preset_name.to_owned())),
    }
}

/// The policy `P` from `--policy FILE` (read as the spec `S`) or from
/// `preset`, with its name for messages; `None` when `--print-policy` was
/// given and the spec has been printed instead (the subcommand then stops).
pub fn policy_or<S, P>(
    file: &PolicyFile,
    preset: impl FnOnce() -> std::result::Result<S, Box<dyn std::error::Error>>,
    preset_name: &str,
    spec_name: &str,
    print_hint: &str,
    out: &Output,
) -> std::result::Result<Option<(P, String)>, Box<dyn std::error::Error>>
where
    S: DeserializeOwned + Serialize,
    P: TryFrom<S, Error = PolicyError>,
{
    let (spec, name) = spec_or(file, preset, preset_name, spec_name, print_hint)?;
    if printed(file, &spec, out)? {
        return Ok(None);
    }
    let policy = build(spec, &name)?;
    Ok(Some((policy, name)))
}

/// Prints `spec` as JSON when `--print-policy` was given; true when it was
/// (the subcommand then stops).
pub fn printed<S: Serialize>(
    file: &PolicyFile,
    spec: &S,
    out: &Output,
) -> std::result::Result<bool, Box<dyn std::error::Error>> {
    if file.print_policy {
        out.document(spec)?;
    }
    Ok(file.print_policy)
}
