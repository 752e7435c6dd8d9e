//! Lifecycle state machines: trials, expiry notices, grace, suspension,
//! auto-renewal, postpaid arrears, isolation and licences (R-LIFE-01..10,
//! R-LIC-01..06).
//!
//! Every aggregate is a [`Decider`](crate::decider::Decider) on a unit
//! struct, with enum states and every transition in one `match`:
//!
//! | aggregate | policy | rules |
//! |---|---|---|
//! | [`Subscription`] | [`SubscriptionPolicy`] | R-LIFE-01..07, R-LIFE-10 |
//! | [`PostpaidAccount`] | [`PostpaidPolicy`] | R-LIFE-08, R-LIFE-09 |
//! | [`Licence`] | [`LicencePolicy`] | R-LIC-01..06 |
//! | [`BundleClaim`] (one per traffic package) | [`LicencePolicy`] | R-LIC-06 |
//!
//! The first three are also [`TimeDriven`](crate::TimeDriven): their
//! time-driven transitions (notices, reminders, expiry, end of grace,
//! suspension) are not commands a clock sends. `TimeDriven::due_events`
//! returns every event that has come due, each with its own due instant,
//! so a scheduler may poll at any cadence, and applying an event twice
//! changes nothing; `TimeDriven::status` and `TimeDriven::access` derive
//! the answer at `now` from the recorded facts. Each aggregate's `Advance`
//! command applies the due events. The subscription's returns at most
//! [`MAX_EVENTS_PER_ADVANCE`] events, of which at most
//! [`MAX_AUTO_RENEWALS_PER_SWEEP`] auto-renewals (R-LIFE-07), per call, so
//! a scheduler repeats it until it returns no events; each call continues
//! exactly where the last stopped. The others need no batches: a postpaid
//! account's arrears bring at most 24 reminders and one suspension, a
//! licence one expiry.
//!
//! The published figures are the policies' constants
//! ([`SubscriptionPolicy::GRACE_HOURS`], [`PostpaidPolicy::LATEST_BILL_DAY`],
//! [`LicencePolicy::PRICE_PER_TERM`], ...), composed into the platforms'
//! policies by [`presets`](crate::presets).
//!
//! ```
//! use billing_rules::lifecycle::{Subscription, SubscriptionCommand, SubscriptionEvent};
//! use billing_rules::time::Period;
//! use billing_rules::{presets, Decider, RuleId, TimeDriven};
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let policy = presets::app_store_subscription()?;
//! let live = Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap();
//! let (trial, _) = Subscription::run(&Subscription::initial(), &SubscriptionCommand::GoLive, live, &policy)?;
//!
//! // R-LIFE-03: the notice 7 days before the 14-day trial ends.
//! let events = Subscription::due_events(&trial, live + Duration::days(7), &policy)?;
//! assert!(matches!(events.as_slice(), [SubscriptionEvent::Notice(n)] if n.due == live + Duration::days(7)));
//!
//! // R-LIFE-04: intercepted after the trial; a purchase restores access at once.
//! let later = live + Duration::days(20);
//! assert_eq!(Subscription::access(&trial, later, &policy).rule(), Some(RuleId::Life04));
//! let (paid, _) = Subscription::run(&trial, &SubscriptionCommand::Purchase { validity: Period::Year }, later, &policy)?;
//! assert!(Subscription::access(&paid, later, &policy).is_allowed());
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # At the calendar's end
//!
//! At chrono's last instant, `DateTime::<Utc>::MAX_UTC`, a time-driven
//! event whose instant or local day would fall past it is not scheduled: a
//! notice, reminder, end of grace or suspension simply never comes due
//! (the fields that announce one are `None`: [`Phase::Grace`] and
//! [`SubscriptionStatus::Grace`] have `until: None` and are served to the
//! end, [`PostpaidEvent::ArrearsStarted`] and [`PostpaidStatus`] say
//! `suspend_at: None`), and every command that does not need it still
//! works. An instant a command answers with, the end of a paid term
//! (purchase, renewal, auto-renewal, licence) or of a trial, is still
//! refused under the command's rule: paid validity is never cut short.
//!
//! # Subscriptions
//!
//! ```text
//! NotLive --GoLive--> Trial --expiry--> Intercepted(trial) --StartExtraTrial--> ExtraTrial
//!                                                                                   |
//!   Purchase / Renew from ANY state ----> Active <------------------------ expiry --+
//!                                           |  \--auto-renewal covered--> Active (one more period)
//!                                           +--expiry--> Grace --end of grace--> Suspended | Intercepted | Isolated
//!                                           +--expiry, no grace-------------> Intercepted | Suspended | Isolated
//! ```
//!
//! Commands ([`SubscriptionCommand`]) are decided by [`Subscription`];
//! time-driven transitions (notices, reminders, expiry, auto-renewal, end
//! of grace) come from [`Subscription::due_events_with_funds`] (the
//! `TimeDriven::due_events` answer when no balance is passed), a pure
//! function of the recorded state, the policy and `now`:
//!
//! - every event it returns carries the instant it came due, computed from
//!   recorded facts only (term end, the instant the term was set, the grace
//!   recorded at expiry), never from `now`; so a scheduler polling every
//!   minute, every day, or once gets the same events in the same order;
//! - applying an event that was already applied changes nothing: each one
//!   names the term it belongs to, and the state records what was emitted;
//! - the `Advance` command applies them in batches of at most
//!   [`MAX_EVENTS_PER_ADVANCE`] events, of which at most
//!   [`MAX_AUTO_RENEWALS_PER_SWEEP`] auto-renewals (R-LIFE-07,
//!   [`Subscription::due_events_bounded`]), so it is never refused for
//!   volume and never answers more than that: a scheduler repeats it until
//!   it returns no events. A batch may stop between any two events; the
//!   next call continues exactly there.
//!
//! `Subscription::status` and `Subscription::access` derive the answer at
//! `now` from the recorded facts, so they are right even when the
//! scheduler has not run yet (except for an auto-renewal, which needs the
//! balance and therefore only happens through the sweep). A term past its
//! end plus grace is never served, whatever was recorded.
//!
//! ```
//! use billing_rules::lifecycle::{Subscription, SubscriptionCommand, SubscriptionEvent, SubscriptionStatus};
//! use billing_rules::time::Period;
//! use billing_rules::{presets, Access, Decider, RuleId, TimeDriven};
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let policy = presets::chat_service_subscription()?;
//! let bought = Utc.with_ymd_and_hms(2025, 5, 30, 16, 0, 0).unwrap(); // 2025-05-31 00:00 +08:00
//! let (state, _) = Subscription::run(
//!     &Subscription::initial(),
//!     &SubscriptionCommand::Purchase { validity: Period::Month },
//!     bought,
//!     &policy,
//! )?;
//! let end = bought + Duration::days(31); // expires on 2025-06-30, local
//!
//! // Two days after the end: 7 reminders, the expiry, the day-after reminder
//! // and the suspension (24 h grace, R-LIFE-06) have come due.
//! let events = Subscription::due_events(&state, end + Duration::days(2), &policy)?;
//! assert_eq!(events.len(), 10);
//! assert!(matches!(events.last(), Some(SubscriptionEvent::Lapsed { .. })));
//!
//! // Within the grace the app is still served; after it, it is suspended.
//! assert_eq!(Subscription::access(&state, end + Duration::hours(23), &policy), Access::Allowed);
//! assert!(matches!(Subscription::status(&state, end + Duration::hours(24), &policy), SubscriptionStatus::Suspended { .. }));
//! assert_eq!(Subscription::access(&state, end + Duration::hours(24), &policy).rule(), Some(RuleId::Life06));
//!
//! // The app store's plan: intercepted when the trial ends (R-LIFE-04).
//! let policy = presets::app_store_subscription()?;
//! let live = Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap();
//! let (state, _) = Subscription::run(&Subscription::initial(), &SubscriptionCommand::GoLive, live, &policy)?;
//! let answer = Subscription::access(&state, live + Duration::days(15), &policy);
//! assert_eq!(answer.rule(), Some(RuleId::Life04));
//! assert!(answer.reason().unwrap().contains("trial ended"));
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Notices and reminders
//!
//! - A [`Notice`] is the expiry notice of R-LIFE-03: due `lead` days (preset
//!   7 x 24 h) before a trial or paid term ends, or at once when the term is
//!   shorter than that.
//! - A [`Reminder`] is one of R-LIFE-05's daily reminders. The window is
//!   defined precisely by [`ReminderWindow`]: the `days_up_to_expiry` local
//!   days ending with the expiry day, and the `days_after_expiry` local days
//!   after it (preset 7 and 1: from expiry day - 6 to expiry day + 1, eight
//!   reminders).
//!
//! The **expiry day** of a term is the local day its last instant falls on.
//! Terms end at an exclusive instant, so a term ending at local midnight
//! 2025-07-01 00:00 expires on 2025-06-30 ("valid through 30 June").
//!
//! ```
//! use billing_rules::lifecycle::{expiry_day, Channel, Channels, ReminderWindow};
//! use billing_rules::time::Zone;
//! use chrono::{NaiveDate, TimeZone, Utc};
//!
//! let end = Utc.with_ymd_and_hms(2025, 6, 30, 16, 0, 0).unwrap(); // 2025-07-01 00:00 +08:00
//! let day = expiry_day(end, Zone::BEIJING);
//! assert_eq!(day, NaiveDate::from_ymd_opt(2025, 6, 30).unwrap());
//!
//! let window = ReminderWindow::around(day, 7, 1).unwrap();
//! assert_eq!(window.first().to_string(), "2025-06-24");
//! assert_eq!(window.last().to_string(), "2025-07-01");
//! assert_eq!(window.len(), 8);
//!
//! let channels = Channels::of(&[Channel::Sms, Channel::Email]);
//! assert_eq!(channels.to_string(), "SMS + email");
//! ```
//!
//! # Postpaid accounts
//!
//! Monthly bills, arrears, reminders, suspension and top-ups (R-LIFE-08,
//! R-LIFE-09). Two ways into arrears, chosen by the policy's
//! [`ArrearsTrigger`]:
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
//!   ([`PostpaidAccount::recording_access`]).
//!
//! A top-up that clears the arrears (balance at or above zero for a bill;
//! above zero for a balance that ran out) restores service at once. No
//! answer a command needs falls past the calendar's end: a charge, bill or
//! top-up is decided on `now`.
//!
//! Commands catch up first: any event that came due before the command
//! (a reminder, the suspension) is returned ahead of the command's own
//! events, so the log tells what happened in the order it happened.
//!
//! ```
//! use billing_rules::lifecycle::{PostpaidAccount, PostpaidCommand};
//! use billing_rules::money::Money;
//! use billing_rules::{presets, Decider, RuleId, TimeDriven};
//! use chrono::{Duration, TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let policy = presets::live_plugin_postpaid()?;
//! let t0 = Utc.with_ymd_and_hms(2025, 6, 30, 4, 0, 0).unwrap();
//! let yuan = |n: i64| Money::cny(Decimal::from(n));
//! let (state, _) = PostpaidAccount::run(&PostpaidAccount::initial(), &PostpaidCommand::TopUp { amount: yuan(50) }, t0, &policy)?;
//! // The daily settlement uses up the balance: 24 h to top up (R-LIFE-09).
//! let (state, _) = PostpaidAccount::run(&state, &PostpaidCommand::Charge { amount: yuan(80) }, t0, &policy)?;
//! assert!(PostpaidAccount::access(&state, t0 + Duration::hours(23), &policy).is_allowed());
//! let paused = PostpaidAccount::recording_access(&state, t0 + Duration::hours(24), &policy);
//! assert_eq!(paused.rule(), Some(RuleId::Life09));
//! // A top-up restores the service and the recordings.
//! let later = t0 + Duration::hours(30);
//! let (state, _) = PostpaidAccount::run(&state, &PostpaidCommand::TopUp { amount: yuan(100) }, later, &policy)?;
//! assert!(PostpaidAccount::recording_access(&state, later, &policy).is_allowed());
//! assert_eq!(state.balance, yuan(70));
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Licences
//!
//! One [`Licence`] aggregate per app id (R-LIC-02: a licence belongs to one
//! app; several apps need several licences). Its states are the plugin's
//! published ones (R-LIC-05): [`LicenceState::PendingPayment`],
//! [`LicenceState::Available`] and [`LicenceState::Expired`], plus
//! `Unbound` before any account bound the app id. A licence may be bought
//! in each of them.
//!
//! - R-LIC-01: a licence costs the policy's price (published 30,000) and is
//!   valid one term (a year of 365 days) from purchase.
//! - R-LIC-03: buying another licence for the same app extends the validity
//!   by one more term from the current end; from the purchase instant when
//!   it already expired.
//! - R-LIC-04: one owning account per app id; any other account is refused.
//! - R-LIC-06: a traffic package of 200 TB or more (exactly 200 TB
//!   qualifies, in any data unit: 200,000 GB compares exactly equal)
//!   entitles its buyer to one free term, on application, for one of its
//!   apps. Which app holds a package's term is a fact across licences, kept
//!   by the package's own aggregate, [`BundleClaim`]; the licence grants
//!   the term against its [`BundleReceipt`] (see
//!   [Bundled licences](#bundled-licences) for the steps a service takes).
//!
//! ```
//! use billing_rules::lifecycle::{AccountId, AppId, Licence, LicenceCommand, LicenceStatus};
//! use billing_rules::{presets, Decider, RuleId, TimeDriven};
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let policy = presets::live_plugin_licence()?;
//! let app = AppId::new("app-1");
//! let buy = |account: &str| LicenceCommand::Purchase { app: app.clone(), account: AccountId::new(account) };
//! let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
//!
//! let (state, _) = Licence::run(&Licence::initial(), &buy("alice"), t0, &policy)?;
//! // R-LIC-03: a second licence bought 100 days later stacks from the end.
//! let (state, _) = Licence::run(&state, &buy("alice"), t0 + Duration::days(100), &policy)?;
//! assert_eq!(state.end(), Some(t0 + Duration::days(730)));
//! let until = t0 + Duration::days(730);
//! assert_eq!(Licence::status(&state, t0, &policy), LicenceStatus::Available { until });
//!
//! // R-LIC-04: another account cannot bind the same app id.
//! let refused = Licence::run(&state, &buy("bob"), t0, &policy).unwrap_err();
//! assert_eq!(refused.refusal().map(|r| r.rule()), Some(RuleId::Lic04));
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Bundled licences
//!
//! A traffic package of 200 TB or more entitles its buyer to its free
//! licence term once (R-LIC-06), whichever of the buyer's apps applies. A
//! [`Licence`] is one aggregate per app id and sees only its own app, so
//! it cannot know that app-1 already had the package's term when app-2
//! asks. The fact spans licences, so it has an aggregate of its own, one
//! per package id: [`BundleClaim`]. Its command,
//! [`BundleClaimCommand::Claim`], checks that the package qualifies and
//! that no other app holds its free term, and records the holder as a
//! [`BundleReceipt`]. [`LicenceCommand::ClaimBundled`] carries the
//! receipt, and the licence grants the free term only for a receipt naming
//! its own app and its owner. The claim aggregate issues one receipt per
//! package, so a package grants its free term (the policy's
//! [`bundled_terms`](LicencePolicy::bundled_terms), published 1) to one app
//! in total.
//!
//! Exactly-once across racing writers comes from the engine: two services
//! claiming one package for two apps append to the same claim aggregate at
//! the same version, the store accepts one
//! ([optimistic concurrency](crate::engine::Engine)), and the other is
//! decided again on the new state and refused under R-LIC-06 naming the
//! holder.
//!
//! What a service does:
//!
//! 1. Claim on the package's aggregate (id: the package id) with an
//!    idempotency key naming the application, e.g. `claim:{package}:{app}`:
//!    `engine.execute::<BundleClaim>(&package_id, &claim, &policy, Some(&key))`.
//!    A refusal ends the application (R-LIC-06: another app holds the term,
//!    the package is too small, or bought by another account).
//! 2. Read the receipt from the claim aggregate's state,
//!    [`BundleClaimState::receipt`] (the `Claimed` event carries the same
//!    value).
//! 3. Grant on the app's licence with the receipt and a key of its own:
//!    `engine.execute::<Licence>(&app_id, &LicenceCommand::ClaimBundled { app, account, receipt }, ..)`.
//!
//! When step 3 fails (a store error, a crash before it ran), the claim
//! stays with that app: the package's term is that app's, and no other app
//! can take it. Run steps 1 to 3 again with the same keys: step 1 answers
//! what it answered (and a claim for the app that already holds the term
//! is accepted with no events, even without the key), and step 3 grants
//! once (its key returns the first answer; without it, a second grant of
//! the same package is refused as already granted).
//!
//! The claim aggregate knows nothing of the licence's owner, so a claim for
//! an app bound to another account (R-LIC-04) is recorded and the licence
//! then refuses the receipt; the term stays with that app. A service that
//! wants to avoid this checks the licence's
//! [`binding`](LicenceState::binding) before step 1.
//!
//! ```
//! use billing_rules::engine::{AggregateId, Engine, IdempotencyKey, MemoryStore};
//! use billing_rules::time::FixedClock;
//! use billing_rules::lifecycle::{
//!     AccountId, AppId, BundleClaim, BundleClaimCommand, Licence, LicenceCommand, TrafficPackage,
//! };
//! use billing_rules::quantity::{Quantity, Unit};
//! use billing_rules::{presets, FigureValue, RuleId};
//! use chrono::{TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let policy = presets::live_plugin_licence()?;
//! let engine = Engine::new(FixedClock::new(Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap()), MemoryStore::new());
//! let alice = AccountId::new("alice");
//! let package = TrafficPackage {
//!     id: "pkg-200tb".into(),
//!     size: Quantity::new(Decimal::from(200), Unit::Terabyte),
//!     buyer: alice.clone(),
//! };
//! let apply = |app: &str| -> Result<_, billing_rules::engine::EngineError> {
//!     let app = AppId::new(app);
//!     let claim_id = AggregateId::from(package.id.as_str());
//!     let claim = BundleClaimCommand::Claim { app: app.clone(), account: alice.clone(), package: package.clone() };
//!     let key = IdempotencyKey::from(format!("claim:{}:{app}", package.id));
//!     engine.execute::<BundleClaim>(&claim_id, &claim, &policy, Some(&key))?;
//!     let receipt = engine.state::<BundleClaim>(&claim_id)?.receipt().cloned();
//!     let receipt = receipt.ok_or_else(|| billing_rules::Reason::new(RuleId::Lic06, "no receipt"))?;
//!     let grant = LicenceCommand::ClaimBundled { app: app.clone(), account: alice.clone(), receipt };
//!     let key = IdempotencyKey::from(format!("grant:{}", package.id));
//!     engine.execute::<Licence>(&AggregateId::from(app.0.as_str()), &grant, &policy, Some(&key))
//! };
//!
//! let granted = apply("app-1")?;
//! assert_eq!(granted.events.len(), 2); // bound, then the free year
//! // app-2 of the same buyer: the package's free year went to app-1.
//! let refused = apply("app-2").unwrap_err();
//! let refusal = refused.refusal().unwrap();
//! assert_eq!(refusal.rule(), RuleId::Lic06);
//! assert_eq!(refusal.figure("holder_app"), Some(&FigureValue::Text("app-1".into())));
//! // app-1 applying again converges on the first answer.
//! assert_eq!(apply("app-1")?, granted);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

/// `to_spec`, `TryFrom<Spec>` (through `$validate`) and `From<Policy> for
/// Spec` for a policy that keeps the spec it was validated from (a `spec`
/// field): the inverse pair serde's `try_from` / `into` need. One place
/// for the boilerplate of the three lifecycle policies.
macro_rules! spec_policy {
    ($policy:ident, $spec:ident, $validate:path) => {
        impl $policy {
            /// The spec this policy was built from; `Policy::try_from(p.to_spec())`
            /// gives back `p`.
            pub fn to_spec(&self) -> $spec {
                self.spec.clone()
            }
        }

        impl TryFrom<$spec> for $policy {
            type Error = $crate::error::PolicyError;

            fn try_from(spec: $spec) -> Result<Self, $crate::error::PolicyError> {
                $validate(&spec)?;
                Ok($policy { spec })
            }
        }

        impl From<$policy> for $spec {
            fn from(policy: $policy) -> Self {
                policy.spec
            }
        }
    };
}
pub(crate) use spec_policy;

mod display;
mod licence;
mod notices;
mod postpaid;
mod subscription;

// Payment, refund and usage write their events' log lines with these.
pub use licence::{
    AccountId, AppId, Binding, BundleClaim, BundleClaimCommand, BundleClaimEvent, BundleClaimState,
    BundleReceipt, CLAIMS_PER_PACKAGE, Held, Licence, LicenceCommand, LicenceEvent, LicencePolicy,
    LicencePolicySpec, LicenceState, LicenceStatus, TrafficPackage,
};
pub use notices::{
    Channel, Channels, MAX_WINDOW_DAYS, Notice, Reminder, ReminderWindow, Role, TermKind,
    expiry_day,
};
pub use postpaid::{
    Arrears, ArrearsCause, ArrearsReminder, ArrearsReminderSpec, ArrearsTrigger, PostpaidAccount,
    PostpaidCommand, PostpaidEvent, PostpaidPolicy, PostpaidPolicySpec, PostpaidState,
    PostpaidStatus, Standing,
};
pub use subscription::{
    Funds, Lapse, MAX_AUTO_RENEWALS_PER_SWEEP, MAX_EVENTS_PER_ADVANCE, NoticeSpec, Phase,
    ReminderSpec, Shortfall, Subscription, SubscriptionCommand, SubscriptionEvent,
    SubscriptionPolicy, SubscriptionPolicySpec, SubscriptionState, SubscriptionStatus, Sweep, Term,
};
