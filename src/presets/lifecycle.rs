//! Lifecycle presets: the published figures of each platform
//! (R-LIFE-01..10, R-LIC-01..06), held by the lifecycle policies as
//! constants and composed here.
//!
//! | preset | published figures | chosen defaults (not published) |
//! |---|---|---|
//! | [`app_store_subscription`] | notice 7 days before a trial or paid term ends (R-LIFE-03); interception at the end (R-LIFE-04); one extra trial (R-LIFE-02) | trial 14 days; extra trial 7 days; notice in-app to the admin |
//! | [`chat_service_subscription`] | reminders the 7 days up to and including the expiry day and the day after, by SMS and email to the account creator (R-LIFE-05); 24 h grace then suspension (R-LIFE-06); auto-renewal for one month (R-LIFE-07) | reminders at 10:00 local |
//! | [`cloud_environment_subscription`] | isolation after an unrenewed prepaid term (R-LIFE-10) | no grace, no notice |
//! | [`cloud_environment_postpaid`] | bill on day 1-3 of the next month, services stop 24 h after the bill while in arrears (R-LIFE-08) | reminders at 0 h and 12 h by SMS and email to the account creator |
//! | [`live_plugin_postpaid`] | 24 h to top up after the balance runs out, then paused (R-LIFE-09) | no reminders |
//! | [`live_plugin_licence`] | 30,000 a year (R-LIC-01); a free year with a traffic package of 200 TB or more (R-LIC-06) | |
//!
//! R-LIFE-08 names no platform; it is preset on the cloud environment, the
//! platform that offers pay-as-you-go (R-PAY-01).
//!
//! ```
//! use billing_rules::presets;
//! use billing_rules::time::Days;
//!
//! let chat = presets::chat_service_subscription()?;
//! assert_eq!(chat.grace().num_hours(), 24);
//! assert_eq!(chat.reminders().map(|r| (r.days_up_to_expiry, r.days_after_expiry)), Some((7, 1)));
//! assert_eq!(presets::app_store_subscription()?.notice().map(|n| n.lead_days), Some(7));
//! assert_eq!(presets::live_plugin_licence()?.price().to_string(), "CNY 30000.00");
//! assert_eq!(presets::live_plugin_licence()?.term(), Days(365));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::PolicyError;
use crate::lifecycle::{
    ArrearsReminderSpec, ArrearsTrigger, Lapse, LicencePolicy, LicencePolicySpec, NoticeSpec,
    PostpaidPolicy, PostpaidPolicySpec, ReminderSpec, SubscriptionPolicy, SubscriptionPolicySpec,
};

/// The app store's seat plan lifecycle as a spec.
///
/// Published: the expiry notice 7 x 24 h before a trial or paid term ends
/// (R-LIFE-03); interception when it ends, until the customer buys or
/// renews (R-LIFE-04); one extra trial after the trial expired (R-LIFE-02).
/// Chosen defaults: a 14-day trial, a 7-day extra trial, the notice sent as
/// an in-app message to the customer's admin; no grace.
pub fn app_store_subscription_spec() -> SubscriptionPolicySpec {
    SubscriptionPolicySpec {
        locale: super::locale(),
        trial_days: Some(SubscriptionPolicy::CHOSEN_TRIAL_DAYS),
        extra_trial_days: Some(SubscriptionPolicy::CHOSEN_EXTRA_TRIAL_DAYS),
        notice: Some(NoticeSpec {
            lead_days: SubscriptionPolicy::NOTICE_LEAD_DAYS,
            channels: SubscriptionPolicy::CHOSEN_NOTICE_CHANNELS,
            recipient: SubscriptionPolicy::CHOSEN_NOTICE_RECIPIENT,
        }),
        reminders: None,
        grace_hours: 0,
        lapse: Lapse::Intercepted,
        auto_renewal: None,
    }
}

/// The app store's seat plan lifecycle: [`app_store_subscription_spec`],
/// validated.
pub fn app_store_subscription() -> Result<SubscriptionPolicy, PolicyError> {
    SubscriptionPolicy::try_from(app_store_subscription_spec())
}

/// The chat service's prepaid plans as a spec.
///
/// Published: one reminder a day in the 7 days up to and including the
/// expiry day and on the day after, by SMS and email to the account creator
/// (R-LIFE-05); 24 h of grace after expiry, then suspension (R-LIFE-06);
/// auto-renewal for one month when the balance covers it (R-LIFE-07).
/// Chosen default: reminders at 10:00 local time. No trial.
pub fn chat_service_subscription_spec() -> SubscriptionPolicySpec {
    SubscriptionPolicySpec {
        locale: super::locale(),
        trial_days: None,
        extra_trial_days: None,
        notice: None,
        reminders: Some(ReminderSpec {
            days_up_to_expiry: SubscriptionPolicy::REMINDER_DAYS_UP_TO_EXPIRY,
            days_after_expiry: SubscriptionPolicy::REMINDER_DAYS_AFTER_EXPIRY,
            send_at: SubscriptionPolicy::CHOSEN_REMINDER_SEND_AT,
            channels: SubscriptionPolicy::REMINDER_CHANNELS,
            recipient: SubscriptionPolicy::REMINDER_RECIPIENT,
        }),
        grace_hours: SubscriptionPolicy::GRACE_HOURS,
        lapse: Lapse::Suspended,
        auto_renewal: Some(SubscriptionPolicy::AUTO_RENEWAL),
    }
}

/// The chat service's prepaid plans: [`chat_service_subscription_spec`],
/// validated.
pub fn chat_service_subscription() -> Result<SubscriptionPolicy, PolicyError> {
    SubscriptionPolicy::try_from(chat_service_subscription_spec())
}

/// The cloud environment's prepaid term as a spec.
///
/// Published: an environment whose prepaid term expired without renewal is
/// isolated until renewed (R-LIFE-10; R-PAY-08 then refuses switching).
/// The rules give it no grace, notice or trial.
pub fn cloud_environment_subscription_spec() -> SubscriptionPolicySpec {
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

/// The cloud environment's prepaid term:
/// [`cloud_environment_subscription_spec`], validated.
pub fn cloud_environment_subscription() -> Result<SubscriptionPolicy, PolicyError> {
    SubscriptionPolicy::try_from(cloud_environment_subscription_spec())
}

/// The cloud environment's pay-as-you-go account as a spec (R-LIFE-08).
///
/// Published: a month's bill is issued on day 1, 2 or 3 of the next month;
/// in arrears, reminders go out; still in arrears 24 h after the bill, every
/// service stops until topped up. Chosen default: reminders at once and
/// 12 h later, by SMS and email to the account creator.
pub fn cloud_environment_postpaid_spec() -> PostpaidPolicySpec {
    PostpaidPolicySpec {
        locale: super::locale(),
        trigger: ArrearsTrigger::MonthlyBill,
        latest_bill_day: PostpaidPolicy::LATEST_BILL_DAY,
        suspend_after_hours: PostpaidPolicy::SUSPEND_AFTER_HOURS,
        reminders: Some(ArrearsReminderSpec {
            after_hours: PostpaidPolicy::CHOSEN_REMINDER_AFTER_HOURS.to_vec(),
            channels: PostpaidPolicy::CHOSEN_REMINDER_CHANNELS,
            recipient: PostpaidPolicy::CHOSEN_REMINDER_RECIPIENT,
        }),
    }
}

/// The cloud environment's pay-as-you-go account:
/// [`cloud_environment_postpaid_spec`], validated.
pub fn cloud_environment_postpaid() -> Result<PostpaidPolicy, PolicyError> {
    PostpaidPolicy::try_from(cloud_environment_postpaid_spec())
}

/// The live plugin's postpaid charges as a spec (R-LIFE-09).
///
/// Published: when the balance runs out the account has 24 h to top up;
/// otherwise the service pauses and its recordings are unreadable while
/// paused. No reminders are published, so none are sent.
pub fn live_plugin_postpaid_spec() -> PostpaidPolicySpec {
    PostpaidPolicySpec {
        locale: super::locale(),
        trigger: ArrearsTrigger::BalanceRunsOut,
        latest_bill_day: PostpaidPolicy::LATEST_BILL_DAY,
        suspend_after_hours: PostpaidPolicy::SUSPEND_AFTER_HOURS,
        reminders: None,
    }
}

/// The live plugin's postpaid charges: [`live_plugin_postpaid_spec`],
/// validated.
pub fn live_plugin_postpaid() -> Result<PostpaidPolicy, PolicyError> {
    PostpaidPolicy::try_from(live_plugin_postpaid_spec())
}

/// The live plugin's licence as a spec (R-LIC-01, R-LIC-06).
///
/// Published: 30,000 a year, prepaid, valid one year (365 days) from
/// purchase; a traffic package of 200 TB or more earns one free year.
pub fn live_plugin_licence_spec() -> LicencePolicySpec {
    LicencePolicySpec {
        locale: super::locale(),
        price_per_term: LicencePolicy::PRICE_PER_TERM,
        term: LicencePolicy::TERM,
        bundled_min_traffic: LicencePolicy::BUNDLED_MIN_TRAFFIC,
        bundled_terms: LicencePolicy::BUNDLED_TERMS,
    }
}

/// The live plugin's licence: [`live_plugin_licence_spec`], validated.
pub fn live_plugin_licence() -> Result<LicencePolicy, PolicyError> {
    LicencePolicy::try_from(live_plugin_licence_spec())
}
