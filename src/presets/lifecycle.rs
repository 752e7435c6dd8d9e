//! Lifecycle presets: the published figures of each platform
//! (R-LIFE-01..10, R-LIC-01..06).
//!
//! | preset | published figures | chosen defaults (not published) |
//! |---|---|---|
//! | [`app_store_seat_plan`] | notice 7 days before a trial or paid term ends (R-LIFE-03); interception at the end (R-LIFE-04); one extra trial (R-LIFE-02) | trial 14 days; extra trial 7 days; notice in-app to the admin |
//! | [`chat_service`] | reminders the 7 days up to and including the expiry day and the day after, by SMS and email to the account creator (R-LIFE-05); 24 h grace then suspension (R-LIFE-06); auto-renewal for one month (R-LIFE-07) | reminders at 10:00 local |
//! | [`cloud_environment`] | isolation after an unrenewed prepaid term (R-LIFE-10) | no grace, no notice |
//! | [`cloud_environment_postpaid`] | bill on day 1-3 of the next month, services stop 24 h after the bill while in arrears (R-LIFE-08) | reminders at 0 h and 12 h by SMS and email to the account creator |
//! | [`live_plugin_postpaid`] | 24 h to top up after the balance runs out, then paused (R-LIFE-09) | no reminders |
//! | [`live_plugin_licence`] | 30,000 a year (R-LIC-01); a free year with a traffic package of 200 TB or more (R-LIC-06) | |
//!
//! R-LIFE-08 names no platform; it is preset on the cloud environment, the
//! platform that offers pay-as-you-go (R-PAY-01).
//!
//! ```
//! use billing_rules::presets::lifecycle;
//! use billing_rules::time::Days;
//!
//! let chat = lifecycle::chat_service()?;
//! assert_eq!(chat.grace().num_hours(), 24);
//! assert_eq!(chat.reminders().map(|r| (r.days_up_to_expiry, r.days_after_expiry)), Some((7, 1)));
//! assert_eq!(lifecycle::app_store_seat_plan()?.notice().map(|n| n.lead_days), Some(7));
//! assert_eq!(lifecycle::live_plugin_licence()?.price().to_string(), "CNY 30000.00");
//! assert_eq!(lifecycle::live_plugin_licence()?.term(), Days(365));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::NaiveTime;
use rust_decimal::Decimal;

use crate::error::PolicyError;
use crate::lifecycle::licence::{LicencePolicy, LicencePolicySpec};
use crate::lifecycle::notices::{Channel, Channels, Role};
use crate::lifecycle::policy::{
    Lapse, NoticeSpec, ReminderSpec, SubscriptionPolicy, SubscriptionPolicySpec,
};
use crate::lifecycle::postpaid::{
    ArrearsReminderSpec, ArrearsTrigger, PostpaidPolicy, PostpaidPolicySpec,
};
use crate::quantity::{Quantity, Unit};
use crate::time::Period;

/// Chosen default (not published): the app store's trial length, 14 days
/// (R-LIFE-01 says only that a plan may set one).
pub const CHOSEN_APP_STORE_TRIAL_DAYS: u32 = 14;

/// Chosen default (not published): the app store's extra trial, 7 days
/// (R-LIFE-02 says only "a configured length").
pub const CHOSEN_APP_STORE_EXTRA_TRIAL_DAYS: u32 = 7;

/// Chosen default (not published): the local hour the chat service's daily
/// reminders go out (R-LIFE-05 says one per day).
pub const CHOSEN_CHAT_REMINDER_HOUR: u32 = 10;

/// The app store's seat plan lifecycle.
///
/// Published: the expiry notice 7 x 24 h before a trial or paid term ends
/// (R-LIFE-03); interception when it ends, until the customer buys or
/// renews (R-LIFE-04); one extra trial after the trial expired (R-LIFE-02).
/// Chosen defaults: a 14-day trial, a 7-day extra trial, the notice sent as
/// an in-app message to the customer's admin; no grace.
pub fn app_store_seat_plan_spec() -> SubscriptionPolicySpec {
    SubscriptionPolicySpec {
        locale: super::locale(),
        trial_days: Some(CHOSEN_APP_STORE_TRIAL_DAYS),
        extra_trial_days: Some(CHOSEN_APP_STORE_EXTRA_TRIAL_DAYS),
        notice: Some(NoticeSpec {
            lead_days: 7,
            channels: Channels::of(&[Channel::InApp]),
            recipient: Role::Admin,
        }),
        reminders: None,
        grace_hours: 0,
        lapse: Lapse::Intercepted,
        auto_renewal: None,
    }
}

/// [`app_store_seat_plan_spec`], built.
pub fn app_store_seat_plan() -> Result<SubscriptionPolicy, PolicyError> {
    SubscriptionPolicy::try_from(app_store_seat_plan_spec())
}

/// The chat service's prepaid plans.
///
/// Published: one reminder a day in the 7 days up to and including the
/// expiry day and on the day after, by SMS and email to the account creator
/// (R-LIFE-05); 24 h of grace after expiry, then suspension (R-LIFE-06);
/// auto-renewal for one month when the balance covers it (R-LIFE-07).
/// Chosen default: reminders at 10:00 local time. No trial.
pub fn chat_service_spec() -> SubscriptionPolicySpec {
    SubscriptionPolicySpec {
        locale: super::locale(),
        trial_days: None,
        extra_trial_days: None,
        notice: None,
        reminders: Some(ReminderSpec {
            days_up_to_expiry: 7,
            days_after_expiry: 1,
            send_at: NaiveTime::from_hms_opt(CHOSEN_CHAT_REMINDER_HOUR, 0, 0)
                .unwrap_or(NaiveTime::MIN),
            channels: Channels::of(&[Channel::Sms, Channel::Email]),
            recipient: Role::AccountCreator,
        }),
        grace_hours: 24,
        lapse: Lapse::Suspended,
        auto_renewal: Some(Period::Month),
    }
}

/// [`chat_service_spec`], built.
pub fn chat_service() -> Result<SubscriptionPolicy, PolicyError> {
    SubscriptionPolicy::try_from(chat_service_spec())
}

/// The cloud environment's prepaid term.
///
/// Published: an environment whose prepaid term expired without renewal is
/// isolated until renewed (R-LIFE-10; R-PAY-08 then refuses switching).
/// The rules give it no grace, notice or trial.
pub fn cloud_environment_spec() -> SubscriptionPolicySpec {
    SubscriptionPolicySpec {
        locale: super::locale(),
        trial_days: None,
        extra_trial_days: None,
        notice: None,
        reminders: None,
        grace_hours: 0,
        lapse: Lapse::Isolated,
        auto_renewal: None,
    }
}

/// [`cloud_environment_spec`], built.
pub fn cloud_environment() -> Result<SubscriptionPolicy, PolicyError> {
    SubscriptionPolicy::try_from(cloud_environment_spec())
}

/// The cloud environment's pay-as-you-go account (R-LIFE-08).
///
/// Published: a month's bill is issued on day 1, 2 or 3 of the next month;
/// in arrears, reminders go out; still in arrears 24 h after the bill, every
/// service stops until topped up. Chosen default: reminders at once and
/// 12 h later, by SMS and email to the account creator.
pub fn cloud_environment_postpaid_spec() -> PostpaidPolicySpec {
    PostpaidPolicySpec {
        locale: super::locale(),
        trigger: ArrearsTrigger::MonthlyBill,
        latest_bill_day: 3,
        suspend_after_hours: 24,
        reminders: Some(ArrearsReminderSpec {
            after_hours: vec![0, 12],
            channels: Channels::of(&[Channel::Sms, Channel::Email]),
            recipient: Role::AccountCreator,
        }),
    }
}

/// [`cloud_environment_postpaid_spec`], built.
pub fn cloud_environment_postpaid() -> Result<PostpaidPolicy, PolicyError> {
    PostpaidPolicy::try_from(cloud_environment_postpaid_spec())
}

/// The live plugin's postpaid charges (R-LIFE-09).
///
/// Published: when the balance runs out the account has 24 h to top up;
/// otherwise the service pauses and its recordings are unreadable while
/// paused. No reminders are published, so none are sent.
pub fn live_plugin_postpaid_spec() -> PostpaidPolicySpec {
    PostpaidPolicySpec {
        locale: super::locale(),
        trigger: ArrearsTrigger::BalanceRunsOut,
        latest_bill_day: 3,
        suspend_after_hours: 24,
        reminders: None,
    }
}

/// [`live_plugin_postpaid_spec`], built.
pub fn live_plugin_postpaid() -> Result<PostpaidPolicy, PolicyError> {
    PostpaidPolicy::try_from(live_plugin_postpaid_spec())
}

/// The live plugin's licence (R-LIC-01, R-LIC-06).
///
/// Published: 30,000 a year, prepaid, valid one year (365 days) from
/// purchase; a traffic package of 200 TB or more earns one free year.
pub fn live_plugin_licence_spec() -> LicencePolicySpec {
    LicencePolicySpec {
        locale: super::locale(),
        price_per_term: Decimal::from(30_000),
        term: Period::Year,
        bundled_min_traffic: Quantity::new(Decimal::from(200), Unit::Terabyte),
        bundled_terms: 1,
    }
}

/// [`live_plugin_licence_spec`], built.
pub fn live_plugin_licence() -> Result<LicencePolicy, PolicyError> {
    LicencePolicy::try_from(live_plugin_licence_spec())
}
