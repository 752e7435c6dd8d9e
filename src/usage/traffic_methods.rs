//! The billing-method decider of live traffic (R-USE-09): which method,
//! traffic or peak bandwidth, is in force from which local day.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{ArithmeticError, Error, Figure, InRule, Reason};
use crate::rule::RuleId;
use crate::time::Zone;

use super::traffic_policy::{BillingMethod, TrafficPolicy};

/// The billing-method decider (R-USE-09): which method is in force from
/// which local day. See [live traffic](crate::usage#live-traffic) for when
/// a switch takes effect.
///
/// It is not [`TimeDriven`](crate::TimeDriven): a switch is recorded whole
/// when it is requested, with the day it takes effect, so time alone makes
/// no event due and there is nothing for an `Advance` to record. The method
/// in force on a day is read from the state ([`MethodState::method_on`]).
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::usage::{BillingMethod, BillingMethods, MethodCommand};
/// use chrono::{NaiveDate, TimeZone, Utc};
///
/// let policy = billing_rules::presets::live_traffic()?;
/// let day = |d| NaiveDate::from_ymd_opt(2025, 7, d).unwrap();
/// let now = Utc.with_ymd_and_hms(2025, 7, 1, 4, 0, 0).unwrap(); // 12:00 in +08:00
///
/// let open = MethodCommand::Open { method: BillingMethod::Traffic };
/// let (state, _) = BillingMethods::run(&BillingMethods::initial(), &open, now, &policy)?;
/// let switch = MethodCommand::Switch { to: BillingMethod::PeakBandwidth };
/// let (state, _) = BillingMethods::run(&state, &switch, now, &policy)?;
/// // The day of the request stays on traffic; the next day is by bandwidth.
/// assert_eq!(state.method_on(day(1)), Some(BillingMethod::Traffic));
/// assert_eq!(state.method_on(day(2)), Some(BillingMethod::PeakBandwidth));
/// # Ok::<(), billing_rules::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct BillingMethods;

/// A method in force from a local day on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodChange {
    /// The first local day billed by `method`.
    pub from: NaiveDate,
    /// The method.
    pub method: BillingMethod,
}

/// The state of a customer's billing method.
///
/// # JSON
///
/// Tagged by `state`; by traffic, switching to bandwidth the next day:
///
/// ```json
/// {
///   "state": "open",
///   "changes": [
///     {"from": "2025-07-01", "method": "traffic"},
///     {"from": "2025-07-02", "method": "peak_bandwidth"}
///   ]
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MethodState {
    /// No method chosen yet: nothing can be settled.
    #[default]
    NotOpened,
    /// Methods in force, by first day, ascending (the first is the opening).
    Open {
        /// The changes, ascending by day.
        changes: Vec<MethodChange>,
    },
}

impl MethodState {
    /// The method in force on `date`, or `None` before the account opened.
    pub fn method_on(&self, date: NaiveDate) -> Option<BillingMethod> {
        match self {
            MethodState::NotOpened => None,
            MethodState::Open { changes } => changes
                .iter()
                .rev()
                .find(|c| c.from <= date)
                .map(|c| c.method),
        }
    }
}

/// What a customer asks about its billing method.
///
/// # JSON
///
/// Tagged by `command`; the events it produces ([`MethodEvent`]) are tagged by
/// `event`:
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::usage::{BillingMethod, BillingMethods, MethodCommand};
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::live_traffic()?;
/// let now = Utc.with_ymd_and_hms(2025, 7, 1, 4, 0, 0).unwrap();
/// let first = MethodCommand::Open { method: BillingMethod::Traffic };
/// let (state, _) = BillingMethods::run(&BillingMethods::initial(), &first, now, &policy)?;
/// let json = r#"{"command":"switch","to":"peak_bandwidth"}"#;
/// let command: MethodCommand = serde_json::from_str(json)?;
/// assert_eq!(serde_json::to_string(&command)?, json);
/// let (_, events) = BillingMethods::run(&state, &command, now, &policy)?;
/// let expected = concat!(
///     r#"[{"event":"switch_scheduled","to":"peak_bandwidth","#,
///     r#""requested_at":"2025-07-01T04:00:00Z","effective_from":"2025-07-02"}]"#,
/// );
/// assert_eq!(serde_json::to_string(&events)?, expected);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum MethodCommand {
    /// Choose the first method, in force from today.
    Open {
        /// The method.
        method: BillingMethod,
    },
    /// Switch to the other method, from a later day
    /// ([live traffic](crate::usage#live-traffic)).
    Switch {
        /// The new method.
        to: BillingMethod,
    },
}

/// What happened to a customer's billing method.
///
/// # JSON
///
/// Tagged by `event`; see [`MethodCommand`]'s JSON section for events as a
/// command produces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum MethodEvent {
    /// The first method was chosen.
    Opened {
        /// The method.
        method: BillingMethod,
        /// The first day billed by it.
        from: NaiveDate,
    },
    /// A switch was requested.
    SwitchScheduled {
        /// The new method.
        to: BillingMethod,
        /// When it was requested.
        requested_at: DateTime<Utc>,
        /// The first day billed by it.
        effective_from: NaiveDate,
    },
}

impl Decider for BillingMethods {
    type State = MethodState;
    type Command = MethodCommand;
    type Event = MethodEvent;
    type Policy = TrafficPolicy;

    fn initial() -> MethodState {
        MethodState::NotOpened
    }

    fn decide(
        state: &MethodState,
        command: &MethodCommand,
        now: DateTime<Utc>,
        policy: &TrafficPolicy,
    ) -> Result<Vec<MethodEvent>, Error> {
        let today = local_day(policy.locale().time_zone, now).in_rule(RuleId::Use09)?;
        let decided = || match (state, command) {
            (MethodState::NotOpened, MethodCommand::Open { method }) => {
                Ok(vec![MethodEvent::Opened {
                    method: *method,
                    from: today,
                }])
            }
            (MethodState::Open { .. }, MethodCommand::Open { .. }) => Err(Reason::new(
                RuleId::Use09,
                "a billing method is already chosen; switch it instead",
            )
            .into()),
            (MethodState::NotOpened, MethodCommand::Switch { to }) => Err(Reason::new(
                RuleId::Use09,
                "no billing method is chosen yet; open the account with one first",
            )
            .with(Figure::text("to", to.name()))
            .into()),
            (open @ MethodState::Open { .. }, MethodCommand::Switch { to }) => {
                let effective_from = today
                    .checked_add_days(chrono::Days::new(u64::from(policy.switch_delay().0)))
                    .ok_or(ArithmeticError::out_of_range("schedule a method switch"))?;
                if open.method_on(effective_from) == Some(*to) {
                    return Err(Reason::new(
                        RuleId::Use09,
                        format!(
                            "the account is already billed by {} from {effective_from}; nothing \
                             to switch",
                            to.name()
                        ),
                    )
                    .with(Figure::text("method", to.name()))
                    .into());
                }
                Ok(vec![MethodEvent::SwitchScheduled {
                    to: *to,
                    requested_at: now,
                    effective_from,
                }])
            }
        };
        decided().map_err(|e: Error| e.in_rule(command_rule(command)))
    }

    fn evolve(state: MethodState, event: &MethodEvent) -> MethodState {
        match (state, event) {
            (_, MethodEvent::Opened { method, from }) => MethodState::Open {
                changes: vec![MethodChange {
                    from: *from,
                    method: *method,
                }],
            },
            (
                MethodState::Open { mut changes },
                MethodEvent::SwitchScheduled {
                    to, effective_from, ..
                },
            ) => {
                // A later request replaces one not yet in force.
                changes.retain(|c| c.from < *effective_from);
                changes.push(MethodChange {
                    from: *effective_from,
                    method: *to,
                });
                MethodState::Open { changes }
            }
            (state @ MethodState::NotOpened, MethodEvent::SwitchScheduled { .. }) => state,
        }
    }
}

/// The local day of `now` in `zone` (R-USE-09 counts local days), or a
/// refusal naming R-USE-09 within a day of chrono's first or last instant,
/// where the local day does not exist. `Zone::local_date` panics there
/// (chrono's `naive_local` expects the local time to exist), so the
/// decider works it out checked.
fn local_day(zone: Zone, now: DateTime<Utc>) -> Result<NaiveDate, Error> {
    zone.checked_local_date(now).map_err(|_| {
        Reason::new(
            RuleId::Use09,
            format!(
                "{} is at the edge of the calendar: its local day in {zone} does not exist; \
                     give an instant within the calendar",
                now.to_rfc3339()
            ),
        )
        .with(Figure::instant("now", now))
        .with(Figure::text("time_zone", zone.to_string()))
        .into()
    })
}

/// The rule an arithmetic error of `command` is reported under: every
/// billing-method command schedules by R-USE-09.
fn command_rule(_: &MethodCommand) -> RuleId {
    RuleId::Use09
}
