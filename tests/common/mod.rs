//! Helpers shared by the integration tests: `mod common;` in a test file,
//! then `use common::{...}`.

// Every test binary compiles this module on its own and uses a subset of
// it, so each binary would warn about the helpers it leaves unused.
#![allow(dead_code)]

use std::fmt::Debug;

use billing_rules::money::Money;
use billing_rules::time::Zone;
use billing_rules::{Decider, Decimal, Error, NaiveDate, Refusal, RuleId};
use chrono::{DateTime, Utc};

/// A decimal from its text: `d("0.1")`.
pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// An amount in yuan from its text: `cny("12.50")`.
pub fn cny(s: &str) -> Money {
    Money::cny(d(s))
}

/// A whole number of yuan: `yuan(80)`.
pub fn yuan(n: i64) -> Money {
    Money::cny(Decimal::from(n))
}

/// The instant at `y-m-d h:min` in Beijing (UTC+08:00).
pub fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Zone::BEIJING.at(y, m, d, h, min, 0).unwrap()
}

/// A calendar day.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The refusal `D` answers `command` with; panics on any other answer.
pub fn refused<D: Decider>(
    state: &D::State,
    command: &D::Command,
    now: DateTime<Utc>,
    policy: &D::Policy,
) -> Refusal
where
    D::Event: Debug,
{
    match D::decide(state, command, now, policy) {
        Err(Error::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The rule of each of a refusal's reasons, in order.
pub fn rules(refusal: &Refusal) -> Vec<RuleId> {
    refusal.rules().collect()
}
