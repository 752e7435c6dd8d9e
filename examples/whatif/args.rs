//! What every area parses: instants (`--now`, `--start`), traffic amounts,
//! and policy files (`--policy FILE`, `--print-policy`).
//!
//! Arguments are parsed by clap value parsers, so a malformed one is a clap
//! error (usage, the offending value, exit 2). A policy file is read when
//! the subcommand runs: one that does not parse or does not validate prints
//! the library's [`PolicyError`] (field, problem, allowed, rule) and exits 1.

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

/// The clap value parser of [`When`].
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
                 2025-06-01T08:30[:00] (local) or an RFC 3339 instant"
            )
        })
}

/// The clap value parser of a data amount: a number and a unit, `20GB`,
/// `0.02 TB`, `19999MB`.
pub fn quantity(text: &str) -> std::result::Result<Quantity, String> {
    let bad = || format!("`{text}` is not an amount of traffic; write e.g. 20GB or 0.02TB");
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(bad)?;
    let (value, unit) = text.split_at(split);
    let value = decimal(value).map_err(|e| format!("{}: {e}", bad()))?;
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

/// The clap value parser of every decimal argument (amounts, factors,
/// terabytes, Mbps): the library's strict reading, so `0.1e1` or a 29th
/// digit after the point is refused rather than rounded.
pub fn decimal(text: &str) -> std::result::Result<Decimal, String> {
    billing_rules::decimal_serde::parse(text.trim()).map_err(|e| e.to_string())
}

// ------------------------------------------------------------ policy files

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
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the policy file {source}: {e}"))?;
    let allowed = format!("JSON of a {spec_name}; `{print_hint}` prints one to start from");
    let parse_error = |e: serde_json::Error| {
        // serde_json appends " at line L column C"; the field says where.
        let message = e.to_string();
        let problem = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head)
            .to_owned();
        PolicyFileError {
            source: source.clone(),
            error: PolicyError::new(
                format!("line {}, column {}", e.line(), e.column()),
                problem,
                allowed.clone(),
            ),
        }
    };
    // Parsed from the text (not from a `Value`) so errors keep their line.
    let spec: S = serde_json::from_str(&text).map_err(parse_error)?;
    Ok(spec)
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
