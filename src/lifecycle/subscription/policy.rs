//! The subscription lifecycle policy: trial lengths, notice, reminder
//! window, grace, what a lapsed term turns into, and auto-renewal
//! (R-LIFE-01..07, R-LIFE-10), with the published figures as its
//! constants.

use std::fmt;

use chrono::{NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::error::PolicyError;
use crate::lifecycle::notices::{Channel, Channels, MAX_WINDOW_DAYS, Role};
use crate::policy::{Locale, check};
use crate::rule::RuleId;
use crate::time::{Days, Period};

/// What a lapsed term turns into once any grace is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lapse {
    /// R-LIFE-04: access is intercepted with a reason until the customer
    /// buys or renews.
    Intercepted,
    /// R-LIFE-06: the app is suspended (login and advanced console features
    /// stop) until a plan is bought.
    Suspended,
    /// R-LIFE-10: the environment is isolated; some operations (R-PAY-08)
    /// are refused until it is renewed.
    Isolated,
}

impl Lapse {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 3] = [Self::Intercepted, Self::Suspended, Self::Isolated];

    /// The rule that sets this outcome.
    pub fn rule(self) -> RuleId {
        match self {
            Lapse::Intercepted => RuleId::Life04,
            Lapse::Suspended => RuleId::Life06,
            Lapse::Isolated => RuleId::Life10,
        }
    }
}

impl fmt::Display for Lapse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lapse::Intercepted => "intercepted",
            Lapse::Suspended => "suspended",
            Lapse::Isolated => "isolated",
        })
    }
}

/// R-LIFE-03: the expiry notice before a trial or a paid term ends.
///
/// # JSON
///
/// The app store's preset:
///
/// ```json
/// {"lead_days": 7, "channels": ["in_app"], "recipient": "admin"}
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeSpec {
    /// How long before the end the notice is due, in days of 24 h
    /// (published: 7). 1 to 366.
    pub lead_days: u32,
    /// Where it is sent (at least one channel).
    pub channels: Channels,
    /// Who receives it.
    pub recipient: Role,
}

/// R-LIFE-05: one reminder per local day in a window around a paid term's
/// expiry day (see [`crate::lifecycle::ReminderWindow`]).
///
/// # JSON
///
/// The chat service's preset:
///
/// ```json
/// {"days_up_to_expiry": 7, "days_after_expiry": 1, "send_at": "10:00:00", "channels": ["sms", "email"], "recipient": "account_creator"}
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderSpec {
    /// Days of the window up to and including the expiry day (published:
    /// 7, so expiry day - 6 ..= expiry day). 0 to 366.
    pub days_up_to_expiry: u32,
    /// Days of the window after the expiry day (published: 1). 0 to 366;
    /// not both zero.
    pub days_after_expiry: u32,
    /// The local time of day each reminder is due (not published; the
    /// presets choose 10:00). A term that starts inside the window gets
    /// that day's reminder at its start when the time has passed.
    pub send_at: NaiveTime,
    /// Where reminders are sent (published: SMS and email).
    pub channels: Channels,
    /// Who receives them (published: the account creator).
    pub recipient: Role,
}

/// The spec of a [`SubscriptionPolicy`]: what a service keeps in its
/// configuration.
///
/// Serialized with these field names; every field but `lapse` may be left
/// out (no trial, no notice, no reminders, no grace, no auto-renewal, the
/// preset locale). The full shape is in [`SubscriptionPolicy`]'s JSON
/// section.
///
/// # JSON
///
/// A 14-day trial, intercepted when it ends:
///
/// ```json
/// {"trial_days": 14, "lapse": "intercepted"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionPolicySpec {
    /// Currency, time zone (calendar days) and rounding.
    pub locale: Locale,
    /// R-LIFE-01: the trial length, started when the app goes live. `None`
    /// for no trial; otherwise 1 day or more.
    #[serde(default)]
    pub trial_days: Option<u32>,
    /// R-LIFE-02: the length of the one extra trial the admin may start
    /// after the trial expired. `None` for none.
    #[serde(default)]
    pub extra_trial_days: Option<u32>,
    /// R-LIFE-03: the expiry notice. `None` for none.
    #[serde(default)]
    pub notice: Option<NoticeSpec>,
    /// R-LIFE-05: the daily reminders around a paid term's expiry. `None`
    /// for none.
    #[serde(default)]
    pub reminders: Option<ReminderSpec>,
    /// R-LIFE-06: hours a lapsed paid term is still served (published for
    /// the chat service: 24). 0 for none; at most 366 x 24. Trials get no
    /// grace: an ended trial is intercepted at once (R-LIFE-04).
    #[serde(default)]
    pub grace_hours: u32,
    /// What a lapsed paid term turns into after the grace: intercepted
    /// (R-LIFE-04), suspended (R-LIFE-06) or isolated (R-LIFE-10).
    pub lapse: Lapse,
    /// R-LIFE-07: with auto-renewal on, a paid term renews at expiry for
    /// this period (published: a month) when the balance covers it. `None`
    /// when the plan offers no auto-renewal.
    #[serde(default)]
    pub auto_renewal: Option<Period>,
}

/// A validated subscription lifecycle policy.
///
/// Built from a [`SubscriptionPolicySpec`] with `TryFrom`, which checks:
/// trial lengths of at least a day (R-LIFE-01, R-LIFE-02); a notice lead of
/// 1 to 366 days with a channel (R-LIFE-03); a reminder window of at least
/// a day, at most 366 days each side, with a channel (R-LIFE-05); a grace of
/// at most 366 days (R-LIFE-06). (De)serializes as its spec.
///
/// ```
/// use billing_rules::lifecycle::{Lapse, SubscriptionPolicy, SubscriptionPolicySpec};
/// use billing_rules::time::Days;
///
/// let spec: SubscriptionPolicySpec = serde_json::from_str(r#"{
///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
///     "trial_days": 14,
///     "grace_hours": 24,
///     "lapse": "suspended"
/// }"#).unwrap();
/// let policy = SubscriptionPolicy::try_from(spec)?;
/// assert_eq!(policy.trial(), Some(Days(14)));
/// assert_eq!(policy.lapse(), Lapse::Suspended);
///
/// let bad: SubscriptionPolicySpec =
///     serde_json::from_str(r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}, "trial_days": 0, "lapse": "intercepted"}"#).unwrap();
/// let err = SubscriptionPolicy::try_from(bad).unwrap_err();
/// assert_eq!(err.field, "trial_days");
/// # Ok::<(), billing_rules::PolicyError>(())
/// ```
///
/// It is the policy of the [`Subscription`](crate::lifecycle::Subscription)
/// decider, which implements R-LIFE-01..07 and R-LIFE-10 with it.
///
/// # JSON
///
/// The chat service's preset, every field written out:
///
/// ```
/// use billing_rules::lifecycle::SubscriptionPolicy;
/// use serde_json::json;
///
/// let policy = billing_rules::presets::chat_service_subscription()?;
/// let shape = json!({
///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
///     "trial_days": null,
///     "extra_trial_days": null,
///     "notice": null,
///     "reminders": {"days_up_to_expiry": 7, "days_after_expiry": 1, "send_at": "10:00:00",
///                   "channels": ["sms", "email"], "recipient": "account_creator"},
///     "grace_hours": 24,
///     "lapse": "suspended",
///     "auto_renewal": "month"
/// });
/// assert_eq!(serde_json::to_value(&policy)?, shape);
/// assert_eq!(serde_json::from_value::<SubscriptionPolicy>(shape)?, policy);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SubscriptionPolicySpec", into = "SubscriptionPolicySpec")]
pub struct SubscriptionPolicy {
    spec: SubscriptionPolicySpec,
}

impl SubscriptionPolicy {
    /// R-LIFE-03's published lead: the expiry notice is due 7 days (of
    /// 24 h) before a trial or paid term ends.
    pub const NOTICE_LEAD_DAYS: u32 = 7;

    /// R-LIFE-05's published window: the 7 local days up to and including
    /// the expiry day...
    pub const REMINDER_DAYS_UP_TO_EXPIRY: u32 = 7;

    /// ...and the day after it.
    pub const REMINDER_DAYS_AFTER_EXPIRY: u32 = 1;

    /// R-LIFE-05's published channels: SMS and email.
    pub const REMINDER_CHANNELS: Channels = Channels::of(&[Channel::Sms, Channel::Email]);

    /// R-LIFE-05's published recipient: the account creator.
    pub const REMINDER_RECIPIENT: Role = Role::AccountCreator;

    /// R-LIFE-06's published grace: 24 hours after expiry, then suspension.
    pub const GRACE_HOURS: u32 = 24;

    /// R-LIFE-07's published renewal: one month.
    pub const AUTO_RENEWAL: Period = Period::Month;

    /// Chosen default (not published): a 14-day trial (R-LIFE-01 says only
    /// that a plan may set one).
    pub const CHOSEN_TRIAL_DAYS: u32 = 14;

    /// Chosen default (not published): a 7-day extra trial (R-LIFE-02 says
    /// only "a configured length").
    pub const CHOSEN_EXTRA_TRIAL_DAYS: u32 = 7;

    /// Chosen default (not published): the expiry notice goes out as an
    /// in-app message (R-LIFE-03 names no channel)...
    pub const CHOSEN_NOTICE_CHANNELS: Channels = Channels::of(&[Channel::InApp]);

    /// ...to the customer's admin.
    pub const CHOSEN_NOTICE_RECIPIENT: Role = Role::Admin;

    /// Chosen default (not published): the local time each daily reminder
    /// goes out, 10:00 (R-LIFE-05 says one per day).
    pub const CHOSEN_REMINDER_SEND_AT: NaiveTime = match NaiveTime::from_hms_opt(10, 0, 0) {
        Some(time) => time,
        None => NaiveTime::MIN,
    };

    /// Currency, time zone and rounding.
    pub fn locale(&self) -> Locale {
        self.spec.locale
    }

    /// R-LIFE-01: the trial length, if the plan has a trial.
    pub fn trial(&self) -> Option<Days> {
        self.spec.trial_days.map(Days)
    }

    /// R-LIFE-02: the extra trial's length, if the plan offers one.
    pub fn extra_trial(&self) -> Option<Days> {
        self.spec.extra_trial_days.map(Days)
    }

    /// R-LIFE-03: the expiry notice, if any.
    pub fn notice(&self) -> Option<&NoticeSpec> {
        self.spec.notice.as_ref()
    }

    /// R-LIFE-05: the reminder window, if any.
    pub fn reminders(&self) -> Option<&ReminderSpec> {
        self.spec.reminders.as_ref()
    }

    /// R-LIFE-06: how long a lapsed paid term is still served.
    pub fn grace(&self) -> TimeDelta {
        TimeDelta::hours(i64::from(self.spec.grace_hours))
    }

    /// What a lapsed paid term turns into after the grace.
    pub fn lapse(&self) -> Lapse {
        self.spec.lapse
    }

    /// R-LIFE-07: the auto-renewal period, if the plan offers auto-renewal.
    pub fn auto_renewal(&self) -> Option<Period> {
        self.spec.auto_renewal
    }
}

crate::lifecycle::spec_policy!(SubscriptionPolicy, SubscriptionPolicySpec, validate);

fn validate(spec: &SubscriptionPolicySpec) -> Result<(), PolicyError> {
    let days = |field: &str, value: u32, rule: RuleId| {
        check::in_range(field, value, 1, u32::MAX, Some(rule)).map_err(|e| PolicyError {
            allowed: "1 day or more; leave the field out for none".to_owned(),
            ..e
        })
    };
    if let Some(trial) = spec.trial_days {
        days("trial_days", trial, RuleId::Life01)?;
    }
    if let Some(extra) = spec.extra_trial_days {
        days("extra_trial_days", extra, RuleId::Life02)?;
    }
    if let Some(notice) = &spec.notice {
        check::in_range(
            "notice.lead_days",
            notice.lead_days,
            1,
            MAX_WINDOW_DAYS,
            Some(RuleId::Life03),
        )?;
        channels("notice.channels", notice.channels, RuleId::Life03)?;
    }
    if let Some(reminders) = &spec.reminders {
        let window = "reminders.days_up_to_expiry";
        check::in_range(
            window,
            reminders.days_up_to_expiry,
            0,
            MAX_WINDOW_DAYS,
            Some(RuleId::Life05),
        )?;
        check::in_range(
            "reminders.days_after_expiry",
            reminders.days_after_expiry,
            0,
            MAX_WINDOW_DAYS,
            Some(RuleId::Life05),
        )?;
        if reminders.days_up_to_expiry == 0 && reminders.days_after_expiry == 0 {
            return Err(PolicyError::new(
                window,
                "the window has no day (0 up to expiry and 0 after)",
                "at least one day on either side; leave `reminders` out for none",
            )
            .with_rule(RuleId::Life05));
        }
        channels("reminders.channels", reminders.channels, RuleId::Life05)?;
    }
    let max_grace = MAX_WINDOW_DAYS.saturating_mul(24);
    check::in_range(
        "grace_hours",
        spec.grace_hours,
        0,
        max_grace,
        Some(RuleId::Life06),
    )?;
    Ok(())
}

fn channels(field: &str, channels: Channels, rule: RuleId) -> Result<(), PolicyError> {
    if channels.is_empty() {
        return Err(PolicyError::new(
            field,
            "no channel is given",
            "one or more of sms, email, in_app",
        )
        .with_rule(rule));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Lapse;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(Lapse: Intercepted, Suspended, Isolated);
    }
}
