//! The subscription as a [`Decider`] and a [`TimeDriven`] aggregate
//! (R-LIFE-01..07, R-LIFE-10): the commands, and the entry points of the
//! time-driven sweep.

use chrono::{DateTime, Utc};

use super::evolve::evolve;
use super::policy::SubscriptionPolicy;
use super::schedule::next_due_at;
use super::state::{Funds, Phase, SubscriptionCommand, SubscriptionEvent, SubscriptionState};
use super::status::{SubscriptionStatus, access, status};
use super::sweep::{Bound, Sweep, sweep};
use crate::decider::{Access, Decider, TimeDriven};
use crate::display::instant;
use crate::error::{Error, Figure, Reason, Refusal};
use crate::lifecycle::notices::{Role, TermKind};
use crate::rule::RuleId;

/// The subscription lifecycle as a [`Decider`] (R-LIFE-01..07,
/// R-LIFE-10), and [`TimeDriven`] for what time brings:
///
/// - R-LIFE-01: `GoLive` starts the trial when the app goes live.
/// - R-LIFE-02: the admin's `StartExtraTrial`, once, after the trial expired.
/// - R-LIFE-03: a [`Notice`] `lead_days` before a trial or paid term ends.
/// - R-LIFE-04: an ended trial or term is intercepted; `Purchase` or
///   `Renew` restores access at once.
/// - R-LIFE-05: one [`Reminder`] a day in the window around a paid term's
///   expiry day.
/// - R-LIFE-06: a lapsed paid term is served through the grace, then
///   suspended.
/// - R-LIFE-07: with auto-renewal on and the balance covering it, the term
///   renews at expiry ([`Funds`], [`Shortfall`]).
/// - R-LIFE-10: a lapsed prepaid term of an isolating plan is isolated.
///
/// Refusals: `GoLive` (R-LIFE-01) when the app is already live or the plan
/// has no trial; `StartExtraTrial` (R-LIFE-02) when the plan has none (then
/// nothing else is checked), otherwise with every reason that applies, in
/// this order: the asker is not the admin; the extra trial was used
/// already, or else the trial has not expired;
/// `SetAutoRenewal { on: true }` (R-LIFE-07) when the plan has none.
/// `Purchase` and `Renew` are accepted in every state.
///
/// [`Notice`]: crate::lifecycle::Notice
/// [`Reminder`]: crate::lifecycle::Reminder
/// [`Shortfall`]: crate::lifecycle::Shortfall
#[derive(Debug, Clone, Copy, Default)]
pub struct Subscription;

impl Decider for Subscription {
    type State = SubscriptionState;
    type Command = SubscriptionCommand;
    type Event = SubscriptionEvent;
    type Policy = SubscriptionPolicy;

    fn initial() -> SubscriptionState {
        SubscriptionState {
            phase: Phase::NotLive,
            auto_renew: false,
            extra_trial_started: None,
        }
    }

    fn decide(
        state: &SubscriptionState,
        command: &SubscriptionCommand,
        now: DateTime<Utc>,
        policy: &SubscriptionPolicy,
    ) -> Result<Vec<SubscriptionEvent>, Error> {
        let zone = policy.locale().time_zone;
        let decided = || match command {
            SubscriptionCommand::GoLive => go_live(state, now, policy),
            SubscriptionCommand::StartExtraTrial { by } => {
                start_extra_trial(state, *by, now, policy)
            }
            SubscriptionCommand::Purchase { validity } => {
                let end = validity.end_after(now, 1, zone)?;
                Ok(vec![SubscriptionEvent::Purchased { at: now, end }])
            }
            SubscriptionCommand::Renew { validity } => {
                // R-SEAT-09: a running paid term is extended from its end;
                // anything else starts the paid term now (grace is free).
                let (start, end) = match (status(state, now, policy), state.phase) {
                    // Extended from the end: a calendar period continues
                    // the run from its anchor (Kill Bill #127).
                    (SubscriptionStatus::Active { ends }, Phase::Active(term)) => (
                        ends,
                        validity.end_after_anchored(term.run_start(), ends, 1, zone)?,
                    ),
                    (SubscriptionStatus::Active { ends }, _) => {
                        (ends, validity.end_after(ends, 1, zone)?)
                    }
                    _ => (now, validity.end_after(now, 1, zone)?),
                };
                Ok(vec![SubscriptionEvent::Renewed {
                    at: now,
                    start,
                    end,
                }])
            }
            SubscriptionCommand::SetAutoRenewal { on } => {
                if *on && policy.auto_renewal().is_none() {
                    return Err(Reason::new(
                        RuleId::Life07,
                        "this plan offers no auto-renewal; renew by hand before the term ends",
                    )
                    .into());
                }
                if state.auto_renew == *on {
                    return Ok(Vec::new());
                }
                Ok(vec![SubscriptionEvent::AutoRenewalSet { at: now, on: *on }])
            }
            SubscriptionCommand::Advance { funds } => {
                Ok(Subscription::due_events_bounded(state, now, policy, funds.as_ref())?.events)
            }
        };
        decided().map_err(|e: Error| e.in_rule(command_rule(command)))
    }

    fn evolve(state: SubscriptionState, event: &SubscriptionEvent) -> SubscriptionState {
        evolve(state, event)
    }
}

/// The subscription's answers at an instant (R-LIFE-03..07, R-LIFE-10),
/// from the recorded facts: right even when the scheduler has not applied
/// the due events yet.
impl TimeDriven for Subscription {
    type Status = SubscriptionStatus;

    /// Where the subscription stands at `now`; [`SubscriptionStatus`] says
    /// exactly where each status starts and ends.
    fn status(
        state: &SubscriptionState,
        now: DateTime<Utc>,
        policy: &SubscriptionPolicy,
    ) -> SubscriptionStatus {
        status(state, now, policy)
    }

    /// May the subscription be used at `now`?
    ///
    /// Allowed in a trial, a paid term and its grace (R-LIFE-06: still
    /// served). Intercepted otherwise:
    /// - not live yet: R-LIFE-01 when the plan has a trial, else R-LIFE-04;
    /// - a trial or paid term ended: R-LIFE-04;
    /// - suspended after the grace: R-LIFE-06;
    /// - isolated: R-LIFE-10.
    ///
    /// A purchase or renewal restores access at once (R-LIFE-04).
    fn access(
        state: &SubscriptionState,
        now: DateTime<Utc>,
        policy: &SubscriptionPolicy,
    ) -> Access {
        access(state, now, policy)
    }

    /// Every time-driven event due at `now`, with no balance fact:
    /// [`Subscription::due_events_with_funds`] with `funds: None`, so an
    /// auto-renewal that comes due is refused (R-LIFE-07) rather than
    /// guessed.
    fn due_events(
        state: &SubscriptionState,
        now: DateTime<Utc>,
        policy: &SubscriptionPolicy,
    ) -> Result<Vec<SubscriptionEvent>, Error> {
        Subscription::due_events_with_funds(state, now, policy, None)
    }
}

impl Subscription {
    /// Every time-driven event due at `now`, in order: expiry notices
    /// (R-LIFE-03), daily reminders (R-LIFE-05), auto-renewal or expiry
    /// (R-LIFE-07, R-LIFE-04), end of grace (R-LIFE-06) into suspension,
    /// interception or isolation (R-LIFE-10).
    ///
    /// Events that came due earlier and were never applied are included, each
    /// with its own due instant, so the result does not depend on how often
    /// the caller polls: polling at `t1` then `t2` (applying the first batch)
    /// gives exactly the events of one poll at `t2`. Ties are ordered notice,
    /// reminder, expiry, end of grace.
    ///
    /// `funds` (R-LIFE-07) is needed only when an auto-renewal comes due; each
    /// renewal of the sweep draws its price from the balance passed in.
    ///
    /// Errors: [`Error::Refused`] (R-LIFE-07) when an auto-renewal is due and
    /// `funds` is `None` or its price is negative, when it would end past the
    /// calendar's end, or when more than
    /// [`MAX_AUTO_RENEWALS_PER_SWEEP`](crate::lifecycle::MAX_AUTO_RENEWALS_PER_SWEEP)
    /// auto-renewals come due by `now`; [`Error::Arithmetic`] when the balance
    /// and price have different currencies. A notice, reminder or end of grace
    /// past the calendar's end is not scheduled, never an error (see [At the
    /// calendar's end](crate::lifecycle#at-the-calendars-end)).
    ///
    /// **Decision:** asked for everything due by `now`, this answers
    /// everything or refuses; it never returns part of it silently. A caller
    /// that cannot choose `now` (a scheduler, the `Advance` command) uses
    /// [`Subscription::due_events_bounded`], which says whether its batch is complete.
    ///
    /// Allocation: none when nothing is due (an empty `Vec` does not allocate);
    /// use [`Subscription::due_events_into`] to reuse a buffer.
    pub fn due_events_with_funds(
        state: &SubscriptionState,
        now: DateTime<Utc>,
        policy: &SubscriptionPolicy,
        funds: Option<&Funds>,
    ) -> Result<Vec<SubscriptionEvent>, Error> {
        let mut out = Vec::new();
        Subscription::due_events_into(state, now, policy, funds, &mut out)?;
        Ok(out)
    }

    /// [`Subscription::due_events_with_funds`] appending into `out`; returns
    /// the state after them. On an error nothing is appended.
    pub fn due_events_into(
        state: &SubscriptionState,
        now: DateTime<Utc>,
        policy: &SubscriptionPolicy,
        funds: Option<&Funds>,
        out: &mut Vec<SubscriptionEvent>,
    ) -> Result<SubscriptionState, Error> {
        let start = out.len();
        // An arithmetic error on the expiry path names R-LIFE-04.
        let result = sweep(state, now, policy, funds, out, Bound::Refuse)
            .map(|(state, _)| state)
            .map_err(|e| e.in_rule(RuleId::Life04));
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    /// The time-driven events due at `now`
    /// ([`Subscription::due_events_with_funds`]), at most
    /// [`MAX_EVENTS_PER_ADVANCE`](crate::lifecycle::MAX_EVENTS_PER_ADVANCE)
    /// events and
    /// [`MAX_AUTO_RENEWALS_PER_SWEEP`](crate::lifecycle::MAX_AUTO_RENEWALS_PER_SWEEP)
    /// auto-renewals (R-LIFE-07) at a time.
    ///
    /// When more is due, the batch is the first
    /// [`MAX_EVENTS_PER_ADVANCE`](crate::lifecycle::MAX_EVENTS_PER_ADVANCE)
    /// events of [`Subscription::due_events_with_funds`]' order, or, when that
    /// comes first, every event before the first renewal past the renewal bound
    /// (events due at that renewal's instant but ordered before it, a notice or
    /// a reminder, are included); `complete` is then `false`. Applying the
    /// batch and calling again continues where it stopped, and the batches of
    /// repeated calls until `complete` (or until no events are returned) are
    /// exactly the events of one unbounded sweep, with the same final state.
    /// This is what the `Advance` command applies; see
    /// [`SubscriptionCommand::Advance`] for the balance to pass on each call.
    ///
    /// Errors: as [`Subscription::due_events_with_funds`], except that the
    /// number of renewals is never refused, and an event past the batch is not
    /// computed (so its error, if any, comes with the next call).
    ///
    /// ```
    /// use billing_rules::Decider;
    /// use billing_rules::lifecycle::{
    ///     Funds, Subscription, SubscriptionCommand, SubscriptionEvent,
    ///     MAX_AUTO_RENEWALS_PER_SWEEP, MAX_EVENTS_PER_ADVANCE,
    /// };
    /// use billing_rules::money::Money;
    /// use billing_rules::presets::chat_service_subscription;
    /// use billing_rules::time::Period;
    /// use chrono::{TimeZone, Utc};
    /// use rust_decimal::Decimal;
    ///
    /// let policy = chat_service_subscription()?; // renews for a month (R-LIFE-07)
    /// let bought = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
    /// let mut state = Subscription::initial();
    /// for command in [
    ///     SubscriptionCommand::Purchase { validity: Period::Month },
    ///     SubscriptionCommand::SetAutoRenewal { on: true },
    /// ] {
    ///     state = Subscription::run(&state, &command, bought, &policy)?.0;
    /// }
    /// let free = Funds { balance: Money::cny(Decimal::ZERO), renewal_price: Money::cny(Decimal::ZERO) };
    /// // Monthly renewals due for 230 years, each after 6 daily reminders (R-LIFE-05).
    /// let now = Utc.with_ymd_and_hms(2200, 1, 1, 0, 0, 0).unwrap();
    /// let renewals = |events: &[SubscriptionEvent]| {
    ///     events.iter().filter(|e| matches!(e, SubscriptionEvent::AutoRenewed { .. })).count()
    /// };
    /// let (mut batches, mut events, mut renewed) = (0, 0, 0);
    /// loop {
    ///     let sweep = Subscription::due_events_bounded(&state, now, &policy, Some(&free))?;
    ///     assert!(renewals(&sweep.events) <= MAX_AUTO_RENEWALS_PER_SWEEP as usize);
    ///     assert!(sweep.events.len() <= MAX_EVENTS_PER_ADVANCE);
    ///     state = sweep.events.iter().fold(state, Subscription::evolve);
    ///     events += sweep.events.len();
    ///     renewed += renewals(&sweep.events);
    ///     batches += 1;
    ///     if sweep.complete {
    ///         break;
    ///     }
    /// }
    /// // The event bound stops each batch first: 4,096 events a call.
    /// assert_eq!((renewed, events, batches), (2_709, 18_965, 5));
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn due_events_bounded(
        state: &SubscriptionState,
        now: DateTime<Utc>,
        policy: &SubscriptionPolicy,
        funds: Option<&Funds>,
    ) -> Result<Sweep, Error> {
        let mut events = Vec::new();
        let (_, complete) = sweep(state, now, policy, funds, &mut events, Bound::Stop)
            .map_err(|e| e.in_rule(RuleId::Life04))?;
        Ok(Sweep { events, complete })
    }

    /// The instant the next time-driven event comes due, for a scheduler that
    /// wants to sleep until then; `None` when nothing will come due without a
    /// command.
    pub fn next_due_at(
        state: &SubscriptionState,
        policy: &SubscriptionPolicy,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        Ok(next_due_at(state, policy))
    }
}

fn go_live(
    state: &SubscriptionState,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> Result<Vec<SubscriptionEvent>, Error> {
    if !matches!(state.phase, Phase::NotLive) {
        return Err(Reason::new(
            RuleId::Life01,
            format!(
                "the app is already live (now {}); the trial starts only once, when it first goes live",
                status(state, now, policy)
            ),
        )
        .into());
    }
    let Some(trial) = policy.trial() else {
        return Err(Reason::new(
            RuleId::Life01,
            "this plan has no trial; buy a term (Purchase) to start using the app",
        )
        .into());
    };
    let trial_end = policy.locale().time_zone.plus_days(now, trial)?;
    Ok(vec![SubscriptionEvent::WentLive { at: now, trial_end }])
}

fn start_extra_trial(
    state: &SubscriptionState,
    by: Role,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> Result<Vec<SubscriptionEvent>, Error> {
    let zone = policy.locale().time_zone;
    let Some(length) = policy.extra_trial() else {
        return Err(Reason::new(RuleId::Life02, "this plan offers no extra trial").into());
    };
    let mut reasons = Vec::new();
    if by != Role::Admin {
        reasons.push(
            Reason::new(
                RuleId::Life02,
                format!("only the customer's admin may start the extra trial, not a {by}"),
            )
            .with(Figure::text("role", by.to_string())),
        );
    }
    if let Some(started) = state.extra_trial_started {
        reasons.push(
            Reason::new(
                RuleId::Life02,
                format!(
                    "the extra trial was already started on {}; it is granted once",
                    instant(started, zone)
                ),
            )
            .with(Figure::instant("extra_trial_started", started)),
        );
    } else {
        match status(state, now, policy) {
            SubscriptionStatus::Intercepted {
                ended: TermKind::Trial,
                ..
            } => {}
            SubscriptionStatus::Trial { ends } => reasons.push(
                Reason::new(
                    RuleId::Life02,
                    format!(
                        "the trial runs until {}; the extra trial can start once it has expired",
                        instant(ends, zone)
                    ),
                )
                .with(Figure::instant("trial_end", ends)),
            ),
            SubscriptionStatus::NotLive => reasons.push(Reason::new(
                RuleId::Life02,
                "the app is not live yet: the trial starts when it goes live (R-LIFE-01) \
                 and the extra trial only after that trial expired",
            )),
            other => reasons.push(
                Reason::new(
                    RuleId::Life02,
                    format!(
                        "the extra trial only follows an expired trial; this subscription is {other}"
                    ),
                )
                .with(Figure::text("status", other.to_string())),
            ),
        }
    }
    if let Some(refusal) = Refusal::from_reasons(reasons) {
        return Err(refusal.into());
    }
    let end = zone.plus_days(now, length)?;
    Ok(vec![SubscriptionEvent::ExtraTrialStarted {
        at: now,
        end,
        by,
    }])
}

/// The rule an arithmetic error of `command` is reported under: the rule
/// whose computation the command performs.
fn command_rule(command: &SubscriptionCommand) -> RuleId {
    match command {
        SubscriptionCommand::GoLive => RuleId::Life01,
        SubscriptionCommand::StartExtraTrial { .. } => RuleId::Life02,
        SubscriptionCommand::Purchase { .. } => RuleId::Seat01,
        SubscriptionCommand::Renew { .. } => RuleId::Seat09,
        SubscriptionCommand::SetAutoRenewal { .. } => RuleId::Life07,
        // The sweep names the rule of each due event (notice R-LIFE-03,
        // reminder R-LIFE-05, renewal R-LIFE-07, grace R-LIFE-06); what is
        // left is the expiry's.
        SubscriptionCommand::Advance { .. } => RuleId::Life04,
    }
}
