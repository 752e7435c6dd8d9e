//! The postpaid (pay-as-you-go) account: monthly bills, arrears, reminders,
//! suspension and top-ups (R-LIFE-08, R-LIFE-09).
//!
//! Two ways into arrears, chosen by the policy's [`ArrearsTrigger`]:
//!
//! - **R-LIFE-08, monthly bill**: a month's bill is issued on day 1 to 3 of
//!   the next month ([`PostpaidCommand::IssueBill`], refused on any other
//!   day). When it leaves the balance below zero the account is in arrears:
//!   reminders go out, and if it is still in arrears 24 h after the bill
//!   was issued, every service of the account stops until it is topped up.
//! - **R-LIFE-09, balance runs out** (live plugin): charges settle as they
//!   occur ([`PostpaidCommand::Charge`]). When one leaves the balance at or
//!   below zero, the account has 24 h to top up; topped up inside that
//!   window nothing changes, otherwise the service is paused and the
//!   recordings it made are unreadable while paused
//!   ([`recording_access`]).
//!
//! A top-up that clears the arrears (balance at or above zero for a bill;
//! above zero for a balance that ran out) restores service at once.
//!
//! **At the calendar's end** (chrono's last instant,
//! `DateTime::<Utc>::MAX_UTC`): a reminder or suspension whose instant, or
//! a reminder whose local day, would fall past it is not scheduled: it never
//! comes due, [`PostpaidEvent::ArrearsStarted`] and [`PostpaidStatus`] say
//! `suspend_at: None`, and every command still works. None of them is an
//! answer a command needs: a charge, bill or top-up is decided on `now`.
//!
//! Commands catch up first: any event that came due before the command
//! (a reminder, the suspension) is returned ahead of the command's own
//! events, so the log tells what happened in the order it happened.
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::lifecycle::postpaid::{access, recording_access, PostpaidAccount, PostpaidCommand};
//! use billing_rules::money::Money;
//! use billing_rules::presets::lifecycle::live_plugin_postpaid;
//! use billing_rules::RuleId;
//! use chrono::{Duration, TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let policy = live_plugin_postpaid()?;
//! let t0 = Utc.with_ymd_and_hms(2025, 6, 30, 4, 0, 0).unwrap();
//! let yuan = |n: i64| Money::cny(Decimal::from(n));
//! let (state, _) = PostpaidAccount::run(&PostpaidAccount::initial(), &PostpaidCommand::TopUp { amount: yuan(50) }, t0, &policy)?;
//! // The daily settlement uses up the balance: 24 h to top up (R-LIFE-09).
//! let (state, _) = PostpaidAccount::run(&state, &PostpaidCommand::Charge { amount: yuan(80) }, t0, &policy)?;
//! assert!(access(&state, t0 + Duration::hours(23), &policy).is_allowed());
//! let paused = recording_access(&state, t0 + Duration::hours(24), &policy);
//! assert_eq!(paused.rule(), Some(RuleId::Life09));
//! // A top-up restores the service and the recordings.
//! let later = t0 + Duration::hours(30);
//! let (state, _) = PostpaidAccount::run(&state, &PostpaidCommand::TopUp { amount: yuan(100) }, later, &policy)?;
//! assert!(recording_access(&state, later, &policy).is_allowed());
//! # Ok::<(), billing_rules::Error>(())
//! ```

use std::fmt;

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{ArithmeticError, Error, Figure, InRule, PolicyError, Reason};
use crate::lifecycle::access::Access;
use crate::lifecycle::notices::{Channels, Role};
use crate::lifecycle::subscription::local;
use crate::money::Money;
use crate::policy::{Locale, check};
use crate::rule::RuleId;

/// How a postpaid account falls into arrears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrearsTrigger {
    /// R-LIFE-08: a month's bill, issued on day 1-3 of the next month,
    /// leaves the balance below zero.
    MonthlyBill,
    /// R-LIFE-09: a charge settled as it occurs leaves the balance at or
    /// below zero.
    BalanceRunsOut,
}

impl ArrearsTrigger {
    /// The rule behind the trigger.
    pub fn rule(self) -> RuleId {
        match self {
            ArrearsTrigger::MonthlyBill => RuleId::Life08,
            ArrearsTrigger::BalanceRunsOut => RuleId::Life09,
        }
    }

    /// True when `balance` is clear of arrears: at or above zero after a
    /// bill, above zero when the balance must not run out.
    fn clears(self, balance: Decimal) -> bool {
        match self {
            ArrearsTrigger::MonthlyBill => balance >= Decimal::ZERO,
            ArrearsTrigger::BalanceRunsOut => balance > Decimal::ZERO,
        }
    }
}

/// Reminders while an account is in arrears (R-LIFE-08: "reminders go
/// out"; the rule gives no schedule, so it is data).
///
/// # JSON
///
/// The cloud environment's chosen default:
///
/// ```json
/// {"after_hours": [0, 12], "channels": ["sms", "email"], "recipient": "account_creator"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrearsReminderSpec {
    /// Hours after the arrears began at which a reminder is due, strictly
    /// ascending, each at most 366 x 24, at most 24 of them (the presets
    /// choose 0 and 12: at once, and 12 h before services stop).
    pub after_hours: Vec<u32>,
    /// Where they are sent.
    pub channels: Channels,
    /// Who receives them.
    pub recipient: Role,
}

/// The spec of a [`PostpaidPolicy`].
///
/// `locale`, `latest_bill_day` (3) and `reminders` (none) may be left out;
/// the full shape is in [`PostpaidPolicy`]'s JSON section.
///
/// # JSON
///
/// The live plugin's preset (R-LIFE-09):
///
/// ```json
/// {"trigger": "balance_runs_out", "suspend_after_hours": 24}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostpaidPolicySpec {
    /// Currency, time zone (the bill day is a local day) and rounding.
    #[serde(default)]
    pub locale: Locale,
    /// How the account falls into arrears.
    pub trigger: ArrearsTrigger,
    /// R-LIFE-08: the latest day of the next month a bill may be issued on
    /// (published: day 1, 2 or 3, so 3). 1 to 3.
    #[serde(default = "three")]
    pub latest_bill_day: u32,
    /// R-LIFE-08 / R-LIFE-09: hours in arrears before services stop
    /// (published: 24). At most 366 x 24.
    pub suspend_after_hours: u32,
    /// Reminders while in arrears; `None` for none.
    #[serde(default)]
    pub reminders: Option<ArrearsReminderSpec>,
}

fn three() -> u32 {
    3
}

/// A validated postpaid policy; (de)serializes as its
/// [`PostpaidPolicySpec`].
///
/// ```
/// use billing_rules::lifecycle::postpaid::{ArrearsTrigger, PostpaidPolicy, PostpaidPolicySpec};
/// let spec = PostpaidPolicySpec {
///     locale: Default::default(),
///     trigger: ArrearsTrigger::MonthlyBill,
///     latest_bill_day: 4,
///     suspend_after_hours: 24,
///     reminders: None,
/// };
/// let err = PostpaidPolicy::try_from(spec).unwrap_err();
/// assert_eq!(err.to_string(),
///     "invalid policy: `latest_bill_day`: 4 is out of range; allowed: 1 to 3 (R-LIFE-08)");
/// ```
///
/// # JSON
///
/// The cloud environment's pay-as-you-go preset (R-LIFE-08), every field
/// written out:
///
/// ```
/// use billing_rules::lifecycle::postpaid::PostpaidPolicy;
/// use serde_json::json;
///
/// let policy = billing_rules::presets::lifecycle::cloud_environment_postpaid()?;
/// let shape = json!({
///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
///     "trigger": "monthly_bill",
///     "latest_bill_day": 3,
///     "suspend_after_hours": 24,
///     "reminders": {"after_hours": [0, 12], "channels": ["sms", "email"], "recipient": "account_creator"}
/// });
/// assert_eq!(serde_json::to_value(&policy)?, shape);
/// assert_eq!(serde_json::from_value::<PostpaidPolicy>(shape)?, policy);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PostpaidPolicySpec", into = "PostpaidPolicySpec")]
pub struct PostpaidPolicy {
    spec: PostpaidPolicySpec,
}

impl PostpaidPolicy {
    /// The spec this policy was built from; `PostpaidPolicy::try_from(p.to_spec())`
    /// gives back `p`.
    pub fn to_spec(&self) -> PostpaidPolicySpec {
        self.spec.clone()
    }

    /// Currency, time zone and rounding.
    pub fn locale(&self) -> Locale {
        self.spec.locale
    }

    /// How the account falls into arrears.
    pub fn trigger(&self) -> ArrearsTrigger {
        self.spec.trigger
    }

    /// R-LIFE-08: the latest bill day of the next month (1 to 3).
    pub fn latest_bill_day(&self) -> u32 {
        self.spec.latest_bill_day
    }

    /// Time in arrears before services stop.
    pub fn suspend_after(&self) -> TimeDelta {
        TimeDelta::hours(i64::from(self.spec.suspend_after_hours))
    }

    /// Reminders while in arrears.
    pub fn reminders(&self) -> Option<&ArrearsReminderSpec> {
        self.spec.reminders.as_ref()
    }
}

impl TryFrom<PostpaidPolicySpec> for PostpaidPolicy {
    type Error = PolicyError;

    fn try_from(spec: PostpaidPolicySpec) -> Result<Self, PolicyError> {
        let rule = spec.trigger.rule();
        check::in_range(
            "latest_bill_day",
            spec.latest_bill_day,
            1,
            3,
            Some(RuleId::Life08),
        )?;
        let max_hours = crate::lifecycle::policy::MAX_WINDOW_DAYS.saturating_mul(24);
        check::in_range(
            "suspend_after_hours",
            spec.suspend_after_hours,
            0,
            max_hours,
            Some(rule),
        )?;
        if let Some(reminders) = &spec.reminders {
            check::in_range(
                "reminders.after_hours",
                reminders.after_hours.len(),
                1,
                24,
                Some(RuleId::Life08),
            )?;
            let mut previous = None;
            for (i, hours) in reminders.after_hours.iter().enumerate() {
                let field = format!("reminders.after_hours[{i}]");
                check::in_range(&field, *hours, 0, max_hours, Some(RuleId::Life08))?;
                if let Some(previous) = previous
                    && *hours <= previous
                {
                    return Err(PolicyError::new(
                        field,
                        format!("{hours} does not come after {previous}"),
                        "strictly ascending hours",
                    )
                    .with_rule(RuleId::Life08));
                }
                previous = Some(*hours);
            }
            if reminders.channels.is_empty() {
                return Err(PolicyError::new(
                    "reminders.channels",
                    "no channel is given",
                    "one or more of sms, email, in_app",
                )
                .with_rule(RuleId::Life08));
            }
        }
        Ok(PostpaidPolicy { spec })
    }
}

impl From<PostpaidPolicy> for PostpaidPolicySpec {
    fn from(policy: PostpaidPolicy) -> Self {
        policy.spec
    }
}

/// Why an account is in arrears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum ArrearsCause {
    /// R-LIFE-08: the bill of `month` (its first day) left the balance
    /// below zero.
    Bill {
        /// The billed month, as its first day.
        month: NaiveDate,
    },
    /// R-LIFE-09: a charge used up the balance.
    BalanceRanOut,
}

impl ArrearsCause {
    /// The rule behind the arrears.
    pub fn rule(self) -> RuleId {
        match self {
            ArrearsCause::Bill { .. } => RuleId::Life08,
            ArrearsCause::BalanceRanOut => RuleId::Life09,
        }
    }
}

/// Arrears in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Arrears {
    /// When the account fell into arrears (the bill's issue, or the charge
    /// that used up the balance): the 24 h count from here.
    pub since: DateTime<Utc>,
    /// Why.
    pub cause: ArrearsCause,
    /// How many arrears reminders were emitted.
    #[serde(default)]
    pub reminders_sent: u32,
}

/// Whether the account is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum Standing {
    /// Not in arrears.
    Good,
    /// In arrears, still served until the suspension comes due.
    InArrears(Arrears),
    /// Services stopped (R-LIFE-08) or paused (R-LIFE-09).
    Suspended {
        /// The arrears that led here.
        arrears: Arrears,
        /// Since when.
        since: DateTime<Utc>,
    },
}

/// The state of a postpaid account.
///
/// # JSON
///
/// In arrears after a charge of 80.00 on an empty balance:
///
/// ```json
/// {
///   "balance": "-80",
///   "last_billed": null,
///   "standing": {
///     "standing": "in_arrears",
///     "since": "2025-06-01T00:00:00Z",
///     "cause": {"cause": "balance_ran_out"},
///     "reminders_sent": 0
///   }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PostpaidState {
    /// The balance in the policy's currency (negative in arrears after a
    /// bill).
    #[serde(with = "crate::decimal_serde::strict")]
    pub balance: Decimal,
    /// The last billed month, as its first day.
    #[serde(default)]
    pub last_billed: Option<NaiveDate>,
    /// Served or not.
    pub standing: Standing,
}

/// What a caller asks of a postpaid account.
///
/// # JSON
///
/// Tagged by `command`; the events it produces ([`PostpaidEvent`]) are tagged by
/// `event`. A charge of 80.00 on an empty balance starts the 24 h to top
/// up (R-LIFE-09):
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::lifecycle::postpaid::{PostpaidAccount, PostpaidCommand};
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::lifecycle::live_plugin_postpaid()?;
/// let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
/// let json = r#"{"command":"charge","amount":{"amount":"80","currency":"CNY"}}"#;
/// let command: PostpaidCommand = serde_json::from_str(json)?;
/// assert_eq!(serde_json::to_string(&command)?, json);
/// let (_, events) = PostpaidAccount::run(&PostpaidAccount::initial(), &command, now, &policy)?;
/// let expected = concat!(
///     r#"[{"event":"charged","at":"2025-06-01T00:00:00Z","amount":{"amount":"80","#,
///     r#""currency":"CNY"},"balance":{"amount":"-80","currency":"CNY"}},"#,
///     r#"{"event":"arrears_started","at":"2025-06-01T00:00:00Z","#,
///     r#""cause":{"cause":"balance_ran_out"},"balance":{"amount":"-80","currency":"CNY"},"#,
///     r#""suspend_at":"2025-06-02T00:00:00Z"}]"#,
/// );
/// assert_eq!(serde_json::to_string(&events)?, expected);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum PostpaidCommand {
    /// R-LIFE-08: issue last month's bill now (day 1 to the policy's latest
    /// bill day of the month, local). Only for [`ArrearsTrigger::MonthlyBill`].
    IssueBill {
        /// The bill's amount (zero or more).
        amount: Money,
    },
    /// R-LIFE-09: settle a charge now. Only for
    /// [`ArrearsTrigger::BalanceRunsOut`].
    Charge {
        /// The charge (zero or more).
        amount: Money,
    },
    /// Adds money; restores service when it clears the arrears.
    TopUp {
        /// More than zero.
        amount: Money,
    },
    /// Applies every time-driven event due now (see [`due_events`]): at
    /// most one per reminder of the policy (24) and the suspension, so one
    /// call always catches up.
    Advance,
}

/// An arrears reminder as a value (R-LIFE-08).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrearsReminder {
    /// When it is due.
    pub due: DateTime<Utc>,
    /// The local day it is due on.
    pub date: NaiveDate,
    /// Its number, from 1.
    pub number: u32,
    /// When the arrears began.
    pub arrears_since: DateTime<Utc>,
    /// The balance when it came due.
    pub balance: Money,
    /// Where to send it.
    pub channels: Channels,
    /// Who receives it.
    pub recipient: Role,
}

/// What happened to a postpaid account.
///
/// # JSON
///
/// Tagged by `event`; see [`PostpaidCommand`]'s JSON section for events as a
/// command produces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PostpaidEvent {
    /// R-LIFE-08: a month's bill was issued and drawn from the balance.
    BillIssued {
        /// The issue instant.
        at: DateTime<Utc>,
        /// The billed month, as its first day.
        month: NaiveDate,
        /// The bill.
        amount: Money,
        /// The balance after it.
        balance: Money,
    },
    /// R-LIFE-09: a charge was settled.
    Charged {
        /// When.
        at: DateTime<Utc>,
        /// The charge.
        amount: Money,
        /// The balance after it.
        balance: Money,
    },
    /// Money was added.
    ToppedUp {
        /// When.
        at: DateTime<Utc>,
        /// The top-up.
        amount: Money,
        /// The balance after it.
        balance: Money,
    },
    /// The account fell into arrears; services stop at `suspend_at` unless
    /// topped up first.
    ArrearsStarted {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        cause: ArrearsCause,
        /// The balance.
        balance: Money,
        /// When services stop if nothing changes; `None` when that would be
        /// past the calendar's end: they are then not stopped (see the
        /// module docs).
        suspend_at: Option<DateTime<Utc>>,
    },
    /// R-LIFE-08: an arrears reminder came due.
    Reminder(ArrearsReminder),
    /// Services stopped (R-LIFE-08) or the service paused (R-LIFE-09).
    Suspended {
        /// When.
        at: DateTime<Utc>,
        /// When the arrears began.
        arrears_since: DateTime<Utc>,
        /// Why.
        cause: ArrearsCause,
    },
    /// A top-up cleared the arrears: service is restored.
    Restored {
        /// When.
        at: DateTime<Utc>,
        /// The balance.
        balance: Money,
    },
}

impl PostpaidEvent {
    /// The instant the event happened or came due.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            PostpaidEvent::BillIssued { at, .. }
            | PostpaidEvent::Charged { at, .. }
            | PostpaidEvent::ToppedUp { at, .. }
            | PostpaidEvent::ArrearsStarted { at, .. }
            | PostpaidEvent::Suspended { at, .. }
            | PostpaidEvent::Restored { at, .. } => *at,
            PostpaidEvent::Reminder(r) => r.due,
        }
    }
}

/// The postpaid account as a [`Decider`].
///
/// Refusals: `IssueBill` (R-LIFE-08) outside day 1 to `latest_bill_day` of
/// the month, for a month already billed, with a negative amount, or on an
/// account whose charges settle as they occur; `Charge` with a negative
/// amount (R-LIFE-09), or on a monthly-billed account (R-LIFE-08: issue the
/// month's bill instead); `TopUp` of zero or less (under the trigger's rule,
/// R-LIFE-08 or R-LIFE-09). An amount in another currency than the
/// policy's is an [`ArithmeticError::CurrencyMismatch`].
#[derive(Debug, Clone, Copy, Default)]
pub struct PostpaidAccount;

impl Decider for PostpaidAccount {
    type State = PostpaidState;
    type Command = PostpaidCommand;
    type Event = PostpaidEvent;
    type Policy = PostpaidPolicy;

    fn initial() -> PostpaidState {
        PostpaidState {
            balance: Decimal::ZERO,
            last_billed: None,
            standing: Standing::Good,
        }
    }

    fn decide(
        state: &PostpaidState,
        command: &PostpaidCommand,
        now: DateTime<Utc>,
        policy: &PostpaidPolicy,
    ) -> Result<Vec<PostpaidEvent>, Error> {
        let mut events = Vec::new();
        // Every command catches up first. Nothing past the calendar's end
        // is scheduled, so catching up never refuses a command that does not
        // need it; the rest is under the trigger's rule.
        let rule = policy.trigger().rule();
        let caught_up = due_events_into(state, now, policy, &mut events).in_rule(rule)?;
        let own = match command {
            PostpaidCommand::IssueBill { amount } => {
                issue_bill(&caught_up, *amount, now, policy).in_rule(RuleId::Life08)?
            }
            PostpaidCommand::Charge { amount } => {
                charge(&caught_up, *amount, now, policy).in_rule(rule)?
            }
            PostpaidCommand::TopUp { amount } => {
                top_up(&caught_up, *amount, now, policy).in_rule(rule)?
            }
            PostpaidCommand::Advance => Vec::new(),
        };
        events.extend(own);
        Ok(events)
    }

    fn evolve(state: PostpaidState, event: &PostpaidEvent) -> PostpaidState {
        use PostpaidEvent as E;
        let with = |standing: Standing| PostpaidState { standing, ..state };
        match (state.standing, event) {
            (_, E::BillIssued { month, balance, .. }) => PostpaidState {
                balance: balance.amount(),
                last_billed: Some(*month),
                ..state
            },
            (_, E::Charged { balance, .. }) | (_, E::ToppedUp { balance, .. }) => PostpaidState {
                balance: balance.amount(),
                ..state
            },
            (Standing::Good, E::ArrearsStarted { at, cause, .. }) => {
                with(Standing::InArrears(Arrears {
                    since: *at,
                    cause: *cause,
                    reminders_sent: 0,
                }))
            }
            (_, E::ArrearsStarted { .. }) => state,
            (Standing::InArrears(arrears), E::Reminder(r))
                if arrears.since == r.arrears_since && r.number > arrears.reminders_sent =>
            {
                with(Standing::InArrears(Arrears {
                    reminders_sent: r.number,
                    ..arrears
                }))
            }
            (Standing::Suspended { arrears, since }, E::Reminder(r))
                if arrears.since == r.arrears_since && r.number > arrears.reminders_sent =>
            {
                with(Standing::Suspended {
                    arrears: Arrears {
                        reminders_sent: r.number,
                        ..arrears
                    },
                    since,
                })
            }
            (_, E::Reminder(_)) => state,
            (
                Standing::InArrears(arrears),
                E::Suspended {
                    at, arrears_since, ..
                },
            ) if arrears.since == *arrears_since => with(Standing::Suspended {
                arrears,
                since: *at,
            }),
            (_, E::Suspended { .. }) => state,
            (_, E::Restored { balance, .. }) => PostpaidState {
                balance: balance.amount(),
                standing: Standing::Good,
                ..state
            },
        }
    }
}

fn in_currency(amount: Money, policy: &PostpaidPolicy) -> Result<(), Error> {
    let currency = policy.locale().currency;
    if amount.currency() != currency {
        return Err(ArithmeticError::CurrencyMismatch {
            left: currency,
            right: amount.currency(),
        }
        .into());
    }
    Ok(())
}

fn money(amount: Decimal, policy: &PostpaidPolicy) -> Money {
    Money::new(amount, policy.locale().currency)
}

fn arrears_started(
    cause: ArrearsCause,
    balance: Money,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> PostpaidEvent {
    // Past the calendar's end the suspension is not scheduled: the charge
    // or bill that started the arrears does not need it.
    PostpaidEvent::ArrearsStarted {
        at: now,
        cause,
        balance,
        suspend_at: now.checked_add_signed(policy.suspend_after()),
    }
}

/// R-LIFE-08: the month a bill issued at `now` is for, or why it may not be
/// issued now.
///
/// ```
/// use billing_rules::lifecycle::postpaid::billed_month;
/// use billing_rules::presets::lifecycle::cloud_environment_postpaid;
/// use chrono::{NaiveDate, TimeZone, Utc};
///
/// let policy = cloud_environment_postpaid()?;
/// let july_3rd = Utc.with_ymd_and_hms(2025, 7, 3, 1, 0, 0).unwrap();
/// assert_eq!(billed_month(july_3rd, &policy)?, NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
/// let july_4th = Utc.with_ymd_and_hms(2025, 7, 4, 1, 0, 0).unwrap();
/// let err = billed_month(july_4th, &policy).unwrap_err();
/// assert_eq!(err.refusal().map(|r| r.rule().to_string()).as_deref(), Some("R-LIFE-08"));
/// # Ok::<(), billing_rules::Error>(())
/// ```
pub fn billed_month(now: DateTime<Utc>, policy: &PostpaidPolicy) -> Result<NaiveDate, Error> {
    let today = policy
        .locale()
        .time_zone
        .checked_local_date(now)
        .in_rule(RuleId::Life08)?;
    let latest = policy.latest_bill_day();
    if today.day() > latest {
        return Err(Reason::new(
            RuleId::Life08,
            format!(
                "a month's bill is issued on day 1 to {latest} of the next month; today ({today}) \
                 is day {}",
                today.day()
            ),
        )
        .with(Figure::count("issue_day", u64::from(today.day())))
        .with(Figure::count("latest_bill_day", u64::from(latest)))
        .into());
    }
    today
        .with_day(1)
        .and_then(|first| first.checked_sub_months(Months::new(1)))
        .ok_or_else(|| ArithmeticError::out_of_range("billed month").into())
}

fn issue_bill(
    state: &PostpaidState,
    amount: Money,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Result<Vec<PostpaidEvent>, Error> {
    if policy.trigger() != ArrearsTrigger::MonthlyBill {
        return Err(Reason::new(
            RuleId::Life08,
            "this account settles charges as they occur (R-LIFE-09) and gets no monthly bill; \
             use Charge",
        )
        .into());
    }
    in_currency(amount, policy)?;
    non_negative(amount, RuleId::Life08)?;
    let month = billed_month(now, policy)?;
    if let Some(last) = state.last_billed
        && last >= month
    {
        return Err(Reason::new(
            RuleId::Life08,
            format!(
                "the bill for {} was already issued (last billed month {}); a month is billed once",
                month.format("%Y-%m"),
                last.format("%Y-%m")
            ),
        )
        .with(Figure::text(
            "last_billed",
            last.format("%Y-%m").to_string(),
        ))
        .into());
    }
    let after = crate::exact::sub(state.balance, amount.amount())?;
    let balance = money(after, policy);
    let mut events = vec![PostpaidEvent::BillIssued {
        at: now,
        month,
        amount,
        balance,
    }];
    if state.standing == Standing::Good && !policy.trigger().clears(after) {
        events.push(arrears_started(
            ArrearsCause::Bill { month },
            balance,
            now,
            policy,
        ));
    }
    Ok(events)
}

fn non_negative(amount: Money, rule: RuleId) -> Result<(), Error> {
    if amount.is_negative() {
        return Err(Reason::new(
            rule,
            format!(
                "{amount} is negative; a charge or bill is zero or more (use TopUp to add money)"
            ),
        )
        .with(Figure::money("amount", amount))
        .into());
    }
    Ok(())
}

fn charge(
    state: &PostpaidState,
    amount: Money,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Result<Vec<PostpaidEvent>, Error> {
    if policy.trigger() != ArrearsTrigger::BalanceRunsOut {
        return Err(Reason::new(
            RuleId::Life08,
            "this account is billed monthly (R-LIFE-08); issue the month's bill instead of a charge",
        )
        .into());
    }
    in_currency(amount, policy)?;
    non_negative(amount, RuleId::Life09)?;
    let after = crate::exact::sub(state.balance, amount.amount())?;
    let balance = money(after, policy);
    let mut events = vec![PostpaidEvent::Charged {
        at: now,
        amount,
        balance,
    }];
    if state.standing == Standing::Good && !amount.is_zero() && !policy.trigger().clears(after) {
        events.push(arrears_started(
            ArrearsCause::BalanceRanOut,
            balance,
            now,
            policy,
        ));
    }
    Ok(events)
}

fn top_up(
    state: &PostpaidState,
    amount: Money,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Result<Vec<PostpaidEvent>, Error> {
    in_currency(amount, policy)?;
    if amount.is_negative() || amount.is_zero() {
        return Err(Reason::new(
            policy.trigger().rule(),
            format!("a top-up must be more than zero, not {amount}"),
        )
        .with(Figure::money("amount", amount))
        .into());
    }
    let after = crate::exact::add(state.balance, amount.amount())?;
    let balance = money(after, policy);
    let mut events = vec![PostpaidEvent::ToppedUp {
        at: now,
        amount,
        balance,
    }];
    if state.standing != Standing::Good && policy.trigger().clears(after) {
        events.push(PostpaidEvent::Restored { at: now, balance });
    }
    Ok(events)
}

/// The standing of an account at an instant, derived from the recorded
/// facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PostpaidStatus {
    /// Not in arrears.
    Good,
    /// In arrears; services stop at `suspend_at` unless topped up first.
    InArrears {
        /// When the arrears began.
        since: DateTime<Utc>,
        /// When services stop; `None` when that would be past the
        /// calendar's end (they are then not stopped).
        suspend_at: Option<DateTime<Utc>>,
        /// Why.
        cause: ArrearsCause,
    },
    /// Services stopped or paused.
    Suspended {
        /// Since when.
        since: DateTime<Utc>,
        /// Why.
        cause: ArrearsCause,
    },
}

impl fmt::Display for PostpaidStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PostpaidStatus::Good => "in good standing",
            PostpaidStatus::InArrears { .. } => "in arrears",
            PostpaidStatus::Suspended { .. } => "suspended",
        })
    }
}

/// The standing at `now`: arrears older than the policy's delay count as
/// suspended even before [`due_events`] recorded it.
pub fn status(
    state: &PostpaidState,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> PostpaidStatus {
    match state.standing {
        Standing::Good => PostpaidStatus::Good,
        Standing::InArrears(arrears) => {
            match arrears.since.checked_add_signed(policy.suspend_after()) {
                Some(at) if now >= at => PostpaidStatus::Suspended {
                    since: at,
                    cause: arrears.cause,
                },
                suspend_at => PostpaidStatus::InArrears {
                    since: arrears.since,
                    suspend_at,
                    cause: arrears.cause,
                },
            }
        }
        Standing::Suspended { arrears, since } => PostpaidStatus::Suspended {
            since,
            cause: arrears.cause,
        },
    }
}

/// May the account's services be used at `now`? Intercepted with R-LIFE-08
/// (all services stopped after a bill) or R-LIFE-09 (paused after the
/// balance ran out) until a top-up clears the arrears.
pub fn access(state: &PostpaidState, now: DateTime<Utc>, policy: &PostpaidPolicy) -> Access {
    let zone = policy.locale().time_zone;
    match status(state, now, policy) {
        PostpaidStatus::Good | PostpaidStatus::InArrears { .. } => Access::Allowed,
        PostpaidStatus::Suspended { since, cause } => Access::Intercepted {
            rule: cause.rule(),
            reason: match cause {
                ArrearsCause::Bill { month } => format!(
                    "All services of this account stopped on {}: the bill for {} left it in arrears \
                     (balance {}). Top up to restore them.",
                    local(zone, since),
                    month.format("%Y-%m"),
                    money(state.balance, policy)
                ),
                ArrearsCause::BalanceRanOut => format!(
                    "The service is paused since {}: the balance ran out and was not topped up \
                     in time (balance {}). Top up to resume it.",
                    local(zone, since),
                    money(state.balance, policy)
                ),
            },
        },
    }
}

/// R-LIFE-09: may recordings made by the service be read at `now`? Not
/// while the service is paused (or, after a bill, while every service is
/// stopped, R-LIFE-08).
pub fn recording_access(
    state: &PostpaidState,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Access {
    let zone = policy.locale().time_zone;
    match status(state, now, policy) {
        PostpaidStatus::Good | PostpaidStatus::InArrears { .. } => Access::Allowed,
        PostpaidStatus::Suspended { since, cause } => Access::Intercepted {
            rule: cause.rule(),
            reason: format!(
                "Recordings are unreadable while {} (since {}). Top up to read them again.",
                match cause {
                    ArrearsCause::Bill { .. } => "the account's services are stopped",
                    ArrearsCause::BalanceRanOut => "the service is paused",
                },
                local(zone, since)
            ),
        },
    }
}

/// Every time-driven event due at `now`, in order: arrears reminders
/// (R-LIFE-08) and the suspension 24 h after the arrears began (R-LIFE-08,
/// R-LIFE-09). The same events whatever the polling cadence; applying them
/// twice changes nothing. No allocation when nothing is due.
///
/// At most one reminder per entry of the policy's `after_hours` (24) and
/// one suspension come due per arrears, so the answer is bounded without a
/// batch limit. What would fall past the calendar's end is not scheduled
/// (module docs), so no instant makes this fail; the `Result` is kept for
/// the callers written against it.
pub fn due_events(
    state: &PostpaidState,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Result<Vec<PostpaidEvent>, Error> {
    let mut out = Vec::new();
    due_events_into(state, now, policy, &mut out)?;
    Ok(out)
}

/// [`due_events`] appending into `out`; returns the state after them.
pub fn due_events_into(
    state: &PostpaidState,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
    out: &mut Vec<PostpaidEvent>,
) -> Result<PostpaidState, Error> {
    let mut current = *state;
    while let Some(event) = next_due(&current, now, policy) {
        let next = PostpaidAccount::evolve(current, &event);
        if next == current {
            break;
        }
        out.push(event);
        current = next;
    }
    Ok(current)
}

fn next_due(
    state: &PostpaidState,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Option<PostpaidEvent> {
    let (arrears, suspended) = match state.standing {
        Standing::Good => return None,
        Standing::InArrears(arrears) => (arrears, false),
        Standing::Suspended { arrears, .. } => (arrears, true),
    };
    // A reminder or suspension past the calendar's end is not scheduled
    // (module docs): `None`, never an error, so the commands that catch up
    // first still work. Reminders come in ascending hours, so none after an
    // unscheduled one would be either.
    let zone = policy.locale().time_zone;
    let reminder = policy.reminders().and_then(|spec| {
        let index = usize::try_from(arrears.reminders_sent).unwrap_or(usize::MAX);
        let hours = spec.after_hours.get(index)?;
        let at = arrears
            .since
            .checked_add_signed(TimeDelta::hours(i64::from(*hours)))?;
        let date = zone.checked_local_date(at).ok()?;
        Some((at, date, spec))
    });
    let suspension = if suspended {
        None
    } else {
        arrears.since.checked_add_signed(policy.suspend_after())
    };
    // Ties: the reminder goes first.
    match (reminder, suspension) {
        (Some((at, date, spec)), s) if at <= now && s.is_none_or(|s| at <= s) => {
            Some(PostpaidEvent::Reminder(ArrearsReminder {
                due: at,
                date,
                number: arrears.reminders_sent.saturating_add(1),
                arrears_since: arrears.since,
                balance: money(state.balance, policy),
                channels: spec.channels,
                recipient: spec.recipient,
            }))
        }
        (_, Some(at)) if at <= now => Some(PostpaidEvent::Suspended {
            at,
            arrears_since: arrears.since,
            cause: arrears.cause,
        }),
        _ => None,
    }
}
