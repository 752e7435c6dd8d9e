//! The postpaid account's types: its arrears and standing, its state, and
//! the commands and events of
//! [`PostpaidAccount`](crate::lifecycle::PostpaidAccount). The other files
//! of the account import these; they import none of them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::lifecycle::notices::{Channels, Role};
use crate::money::Money;
use crate::rule::RuleId;

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
///   "balance": {"amount": "-80", "currency": "CNY"},
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
    /// The balance, in the policy's currency (negative in arrears after a
    /// bill). [`PostpaidAccount::initial`](crate::decider::Decider::initial)
    /// knows no policy, so it starts at zero in the preset locale's
    /// currency; a zero balance is read in the policy's currency, so an
    /// account in another currency starts at zero in its own.
    pub balance: Money,
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
/// use billing_rules::lifecycle::{PostpaidAccount, PostpaidCommand};
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::live_plugin_postpaid()?;
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
    /// bill day of the month, local). Only for
    /// [`ArrearsTrigger::MonthlyBill`](crate::lifecycle::ArrearsTrigger::MonthlyBill).
    IssueBill {
        /// The bill's amount (zero or more).
        amount: Money,
    },
    /// R-LIFE-09: settle a charge now. Only for
    /// [`ArrearsTrigger::BalanceRunsOut`](crate::lifecycle::ArrearsTrigger::BalanceRunsOut).
    Charge {
        /// The charge (zero or more).
        amount: Money,
    },
    /// Adds money; restores service when it clears the arrears.
    TopUp {
        /// More than zero.
        amount: Money,
    },
    /// Applies every time-driven event due now (see
    /// [`PostpaidAccount::due_events`](crate::TimeDriven::due_events)): at most
    /// one per reminder of the policy (24) and the suspension, so one call
    /// always catches up.
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
