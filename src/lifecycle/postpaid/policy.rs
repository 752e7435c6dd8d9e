//! The postpaid account's policy (R-LIFE-08, R-LIFE-09): how it falls into
//! arrears, the bill days, the delay before services stop and the
//! reminders, with the published figures as its constants.

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ArithmeticError, Error, Figure, InRule, PolicyError, Reason};
use crate::lifecycle::notices::{Channel, Channels, MAX_WINDOW_DAYS, Role};
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
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::MonthlyBill, Self::BalanceRunsOut];

    /// The rule behind the trigger.
    pub fn rule(self) -> RuleId {
        match self {
            ArrearsTrigger::MonthlyBill => RuleId::Life08,
            ArrearsTrigger::BalanceRunsOut => RuleId::Life09,
        }
    }

    /// True when `balance` is clear of arrears: at or above zero after a
    /// bill, above zero when the balance must not run out.
    pub(super) fn clears(self, balance: Money) -> bool {
        match self {
            ArrearsTrigger::MonthlyBill => !balance.is_negative(),
            ArrearsTrigger::BalanceRunsOut => !balance.is_negative() && !balance.is_zero(),
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
    /// ascending, each at most 366 x 24, at most
    /// [`PostpaidPolicy::MAX_REMINDERS`] (24) of them (the presets choose
    /// [`PostpaidPolicy::CHOSEN_REMINDER_AFTER_HOURS`], 0 and 12: at once,
    /// and 12 h before services stop).
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
    pub locale: Locale,
    /// How the account falls into arrears.
    pub trigger: ArrearsTrigger,
    /// R-LIFE-08: the latest day of the next month a bill may be issued on
    /// (published: day 1, 2 or 3, so 3). 1 to 3.
    #[serde(default = "latest_bill_day")]
    pub latest_bill_day: u32,
    /// R-LIFE-08 / R-LIFE-09: hours in arrears before services stop
    /// (published: 24). At most 366 x 24.
    pub suspend_after_hours: u32,
    /// Reminders while in arrears; `None` for none.
    #[serde(default)]
    pub reminders: Option<ArrearsReminderSpec>,
}

fn latest_bill_day() -> u32 {
    PostpaidPolicy::LATEST_BILL_DAY
}

/// A validated postpaid policy; (de)serializes as its
/// [`PostpaidPolicySpec`].
///
/// ```
/// use billing_rules::lifecycle::{ArrearsTrigger, PostpaidPolicy, PostpaidPolicySpec};
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
/// use billing_rules::lifecycle::PostpaidPolicy;
/// use serde_json::json;
///
/// let policy = billing_rules::presets::cloud_environment_postpaid()?;
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
    /// R-LIFE-08's published bill days: day 1, 2 or 3 of the next month,
    /// so at the latest day 3; the default of `latest_bill_day` and its
    /// upper bound.
    pub const LATEST_BILL_DAY: u32 = 3;

    /// R-LIFE-08's and R-LIFE-09's published delay: services stop 24 hours
    /// after the account fell into arrears.
    pub const SUSPEND_AFTER_HOURS: u32 = 24;

    /// The most arrears reminders a policy may schedule. Not a rule figure:
    /// it bounds the events one `Advance` returns.
    pub const MAX_REMINDERS: usize = 24;

    /// Chosen default (not published): arrears reminders at once and 12 h
    /// later, 12 h before services stop (R-LIFE-08 says only that reminders
    /// go out)...
    pub const CHOSEN_REMINDER_AFTER_HOURS: [u32; 2] = [0, 12];

    /// ...by SMS and email...
    pub const CHOSEN_REMINDER_CHANNELS: Channels = Channels::of(&[Channel::Sms, Channel::Email]);

    /// ...to the account creator.
    pub const CHOSEN_REMINDER_RECIPIENT: Role = Role::AccountCreator;

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

    /// R-LIFE-08: the month a bill issued at `now` is for, or why it may not be
    /// issued now.
    ///
    /// ```
    /// use billing_rules::presets::cloud_environment_postpaid;
    /// use chrono::{NaiveDate, TimeZone, Utc};
    ///
    /// let policy = cloud_environment_postpaid()?;
    /// let july_3rd = Utc.with_ymd_and_hms(2025, 7, 3, 1, 0, 0).unwrap();
    /// assert_eq!(policy.billed_month(july_3rd)?, NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
    /// let july_4th = Utc.with_ymd_and_hms(2025, 7, 4, 1, 0, 0).unwrap();
    /// let err = policy.billed_month(july_4th).unwrap_err();
    /// assert_eq!(err.refusal().map(|r| r.rule().to_string()).as_deref(), Some("R-LIFE-08"));
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn billed_month(&self, now: DateTime<Utc>) -> Result<NaiveDate, Error> {
        let today = self
            .locale()
            .time_zone
            .checked_local_date(now)
            .in_rule(RuleId::Life08)?;
        let latest = self.latest_bill_day();
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
}

crate::lifecycle::spec_policy!(PostpaidPolicy, PostpaidPolicySpec, validate);

fn validate(spec: &PostpaidPolicySpec) -> Result<(), PolicyError> {
    let rule = spec.trigger.rule();
    check::in_range(
        "latest_bill_day",
        spec.latest_bill_day,
        1,
        PostpaidPolicy::LATEST_BILL_DAY,
        Some(RuleId::Life08),
    )?;
    let max_hours = MAX_WINDOW_DAYS.saturating_mul(24);
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
            PostpaidPolicy::MAX_REMINDERS,
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ArrearsTrigger;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(ArrearsTrigger: MonthlyBill, BalanceRunsOut);
    }
}
